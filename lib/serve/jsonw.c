/* The answers' JSON writer; see jsonw.h. */
#include "serve/jsonw.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

/* A comma unless the value is the first of its container. */
static void sep(cs_buf *b)
{
    if (b->len == 0)
        return;
    char last = b->s[b->len - 1];
    if (last != '{' && last != '[' && last != ':')
        cs_buf_putc(b, ',');
}

void cs_jw_begin(cs_buf *b, char c)
{
    assert(c == '{' || c == '[');
    cs_buf_putc(b, c);
}

void cs_jw_open(cs_buf *b, char c)
{
    assert(c == '{' || c == '[');
    sep(b);
    cs_buf_putc(b, c);
}

void cs_jw_close(cs_buf *b, char c)
{
    assert(c == '}' || c == ']');
    cs_buf_putc(b, c);
}

void cs_jw_key(cs_buf *b, const char *key)
{
    sep(b);
    cs_buf_putc(b, '"');
    cs_buf_puts(b, key);
    cs_buf_add(b, "\":", 2);
}

void cs_jw_strn(cs_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    sep(b);
    cs_buf_putc(b, '"');
    size_t run = 0;             /* start of the bytes that need no escape */
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                  (utf8proc_ssize_t)(len - i), &cp);
            if (n > 0) {
                i += (size_t)n;
                continue;
            }
            cs_buf_add(b, s + run, i - run);
            cs_buf_add(b, "\xEF\xBF\xBD", 3);
            run = ++i;
            continue;
        }
        cs_buf_add(b, s + run, i - run);
        switch (c) {
        case '"': cs_buf_add(b, "\\\"", 2); break;
        case '\\': cs_buf_add(b, "\\\\", 2); break;
        case '\b': cs_buf_add(b, "\\b", 2); break;
        case '\t': cs_buf_add(b, "\\t", 2); break;
        case '\n': cs_buf_add(b, "\\n", 2); break;
        case '\f': cs_buf_add(b, "\\f", 2); break;
        case '\r': cs_buf_add(b, "\\r", 2); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            cs_buf_add(b, u, sizeof u);
        }
        }
        run = ++i;
    }
    cs_buf_add(b, s + run, len - run);
    cs_buf_putc(b, '"');
}

void cs_jw_str(cs_buf *b, const char *s)
{
    assert(s);
    cs_jw_strn(b, s, strlen(s));
}

void cs_jw_str_or_null(cs_buf *b, const char *s)
{
    if (s)
        cs_jw_strn(b, s, strlen(s));
    else
        cs_jw_null(b);
}

void cs_jw_int(cs_buf *b, long long v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", v);
    sep(b);
    cs_buf_add(b, num, (size_t)n);
}

void cs_jw_bool(cs_buf *b, bool v)
{
    sep(b);
    if (v)
        cs_buf_add(b, "true", 4);
    else
        cs_buf_add(b, "false", 5);
}

void cs_jw_null(cs_buf *b)
{
    sep(b);
    cs_buf_add(b, "null", 4);
}

void cs_jw_real(cs_buf *b, double v)
{
    if (!isfinite(v)) {
        cs_jw_null(b);
        return;
    }
    /* jansson's jsonp_dtostr(): %.*g, ".0" when that reads as an integer,
     * and the exponent without '+' or leading zeros. */
    char num[40];
    size_t n = (size_t)snprintf(num, sizeof num, "%.6g", v);
    if (!strchr(num, '.') && !strchr(num, 'e')) {
        memcpy(num + n, ".0", 3);
        n += 2;
    }
    char *start = strchr(num, 'e');
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, n - (size_t)(end - num) + 1);
            n -= (size_t)(end - start);
        }
    }
    sep(b);
    cs_buf_add(b, num, n);
}
