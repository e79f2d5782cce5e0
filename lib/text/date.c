/* Dates as articles write them; see date.h. */
#include "text/date.h"
#include "core/util.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* --- names ---------------------------------------------------------------- */

static const char *const month_names[12] = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
};

static const char *const weekday_names[7] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

static size_t word_len(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && isalpha((unsigned char)s[n]))
        n++;
    return n;
}

/* A month name or its abbreviation ("Jan", "Sept") at s; returns 1..12 and
 * sets *used, or 0. */
static int month_at(const char *s, size_t len, size_t *used)
{
    size_t w = word_len(s, len);
    if (w < 3)
        return 0;
    for (int m = 0; m < 12; m++) {
        size_t full = strlen(month_names[m]);
        if ((w == full || w == 3 || (m == 8 && w == 4)) && w <= full &&
            strncasecmp(s, month_names[m], w) == 0) {
            *used = w;
            if (w < len && s[w] == '.')
                (*used)++;
            return m + 1;
        }
    }
    return 0;
}

static size_t skip_spaces(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == ','))
        i++;
    return i;
}

static size_t digits_at(const char *s, size_t len, size_t i, size_t max, int *val)
{
    size_t n = 0;
    int v = 0;
    while (i + n < len && n < max && isdigit((unsigned char)s[i + n])) {
        v = v * 10 + (s[i + n] - '0');
        n++;
    }
    *val = v;
    return n;
}

static bool valid_ymd(int y, int m, int d)
{
    static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

/* Both parsers: with check set, a date that does not exist is no date. */
static size_t parse_date(const char *s, size_t len, char out[11], bool check)
{
    size_t i = 0, n, used;
    int y, m, d;

    /* An optional weekday: "Friday, August 30, 2019". */
    size_t w = word_len(s, len);
    for (int k = 0; k < 7 && w >= 3; k++)
        if ((w == strlen(weekday_names[k]) || w == 3) &&
            strncasecmp(s, weekday_names[k], w) == 0) {
            i = skip_spaces(s, len, w);
            break;
        }

    /* 2019-01-21 */
    if ((n = digits_at(s, len, i, 4, &y)) == 4 && i + 10 <= len && s[i + 4] == '-' &&
        digits_at(s, len, i + 5, 2, &m) == 2 && s[i + 7] == '-' &&
        digits_at(s, len, i + 8, 2, &d) == 2 &&
        !(i + 10 < len && isdigit((unsigned char)s[i + 10]))) {
        i += 10;
        goto done;
    }
    /* 21/01/2019 or 21.01.2019 (day first, as in British English). */
    if ((n = digits_at(s, len, i, 2, &d)) >= 1 && i + n < len &&
        (s[i + n] == '/' || s[i + n] == '.')) {
        char sep = s[i + n];
        size_t j = i + n + 1, k;
        if ((k = digits_at(s, len, j, 2, &m)) >= 1 && j + k < len && s[j + k] == sep &&
            digits_at(s, len, j + k + 1, 4, &y) == 4 &&
            !(j + k + 5 < len && isdigit((unsigned char)s[j + k + 5]))) {
            i = j + k + 5;
            goto done;
        }
        return 0;
    }
    /* 21 January 2019, 12th December 2018, 1st of April 2019 */
    if ((n = digits_at(s, len, i, 2, &d)) >= 1) {
        size_t j = i + n;
        if (j + 2 <= len && (cs_has_prefix_ci(s + j, len - j, "st") ||
                             cs_has_prefix_ci(s + j, len - j, "nd") ||
                             cs_has_prefix_ci(s + j, len - j, "rd") ||
                             cs_has_prefix_ci(s + j, len - j, "th")))
            j += 2;
        if (j >= len || s[j] != ' ')
            return 0;
        j = skip_spaces(s, len, j);
        if (cs_has_prefix_ci(s + j, len - j, "of "))
            j = skip_spaces(s, len, j + 3);
        if (!(m = month_at(s + j, len - j, &used)))
            return 0;
        j = skip_spaces(s, len, j + used);
        if (digits_at(s, len, j, 4, &y) != 4 ||
            (j + 4 < len && isdigit((unsigned char)s[j + 4])))
            return 0;
        i = j + 4;
        goto done;
    }
    /* January 21, 2019 */
    if ((m = month_at(s + i, len - i, &used))) {
        size_t j = skip_spaces(s, len, i + used);
        if ((n = digits_at(s, len, j, 2, &d)) < 1)
            return 0;
        j += n;
        if (j + 2 <= len && (cs_has_prefix_ci(s + j, len - j, "st") ||
                             cs_has_prefix_ci(s + j, len - j, "nd") ||
                             cs_has_prefix_ci(s + j, len - j, "rd") ||
                             cs_has_prefix_ci(s + j, len - j, "th")))
            j += 2;
        j = skip_spaces(s, len, j);
        if (digits_at(s, len, j, 4, &y) != 4 ||
            (j + 4 < len && isdigit((unsigned char)s[j + 4])))
            return 0;
        i = j + 4;
        goto done;
    }
    return 0;
done:
    if (check && !valid_ymd(y, m, d))
        return 0;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
    return i;
}


size_t cs_parse_date(const char *s, size_t len, char out[11])
{
    return parse_date(s, len, out, true);
}

size_t cs_parse_impossible_date(const char *s, size_t len, char out[11])
{
    size_t n = parse_date(s, len, out, false);
    char ok[11];
    return n && !parse_date(s, len, ok, true) ? n : 0;
}
