/* Article parsing; see article.h.
 *
 * The text is split into lines and the lines are classified.  Only the
 * header zone (the first few lines, up to the first line of prose) may
 * supply the headline, the publication date and a "REPORT OF" publisher:
 * a date in the story is a date mentioned, not the date published.  Page
 * chrome is recognised anywhere by whole-line patterns.
 */
#include "text/article.h"
#include "text/date.h"
#include "text/analyze.h"
#include "core/limits.h"
#include "core/util.h"

#include <assert.h>
#include <inttypes.h>
#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How many non-blank lines the header zone may span. */
#define HEADER_LINES 12
/* A headline is at most this long; longer lines are prose. */
#define HEADLINE_MAX 200
/* A fallback title (first line of the body) is cut to about this length. */
#define FALLBACK_TITLE 150
/* Bytes of a JSON "date" field that was not a date kept for the warning. */
#define BAD_DATE_SHOWN 40

enum kind { K_TEXT, K_BLANK, K_DROP };

typedef struct line {
    char *s;            /* cleaned, trimmed, NUL-terminated; owned */
    size_t len;
    enum kind kind;
} line;

typedef struct lines {
    line *v;
    size_t n, cap;
} lines;

static void lines_free(lines *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        free(ls->v[i].s);
    free(ls->v);
    ls->v = NULL;
    ls->n = ls->cap = 0;
}

static bool lines_push(lines *ls, char *s, size_t len)
{
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 64;
        line *v = realloc(ls->v, cap * sizeof *v);
        if (!v)
            return false;
        ls->v = v;
        ls->cap = cap;
    }
    ls->v[ls->n].s = s;
    ls->v[ls->n].len = len;
    ls->v[ls->n].kind = len ? K_TEXT : K_BLANK;
    ls->n++;
    return true;
}

static bool is_space_byte(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Length of a UTF-8 no-break or other wide space at s (0 if none). */
static size_t wide_space(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len >= 2 && u[0] == 0xC2 && u[1] == 0xA0)
        return 2;                                   /* U+00A0 */
    if (len >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
        (u[2] == 0xAF || (u[2] >= 0x80 && u[2] <= 0x8B)))
        return 3;                                   /* U+2000..200B, 202F */
    return 0;
}

/* Trim s[0..*len) in place (adjusts start and length). */
static const char *trim(const char *s, size_t *len)
{
    size_t a = 0, b = *len, w;
    for (;;) {
        if (a < b && is_space_byte((unsigned char)s[a]))
            a++;
        else if (a < b && (w = wide_space(s + a, b - a)))
            a += w;
        else
            break;
    }
    while (b > a && is_space_byte((unsigned char)s[b - 1]))
        b--;
    while (b >= a + 2 && (unsigned char)s[b - 2] == 0xC2 && (unsigned char)s[b - 1] == 0xA0)
        b -= 2;
    *len = b - a;
    return s + a;
}

/* Copy one raw line, dropping markdown emphasis (**) and the angle brackets
 * of <https://...> links, making no-break and other wide spaces plain, and
 * collapsing runs of spaces. */
static char *clean_line(const char *s, size_t len, size_t *outlen)
{
    char *o = malloc(len + 1);
    size_t n = 0, w;
    if (!o)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if ((w = wide_space(s + i, len - i))) {
            i += w - 1;
            if (n == 0 || o[n - 1] != ' ')
                o[n++] = ' ';
            continue;
        }
        if (s[i] == '*' && i + 1 < len && s[i + 1] == '*') {
            i++;
            continue;
        }
        if (s[i] == '<' && (cs_has_prefix_ci(s + i + 1, len - i - 1, "http://") ||
                            cs_has_prefix_ci(s + i + 1, len - i - 1, "https://"))) {
            continue;
        }
        if (s[i] == '>' && n > 0 && i + 1 == len)
            continue;                       /* closing bracket of a link */
        if (s[i] == '\t')
            o[n++] = ' ';
        else
            o[n++] = s[i];
        if (n >= 2 && o[n - 1] == ' ' && o[n - 2] == ' ')
            n--;
    }
    size_t tl = n;
    const char *t = trim(o, &tl);
    memmove(o, t, tl);
    o[tl] = '\0';
    *outlen = tl;
    return o;
}

/* Split text into cleaned lines.  A markdown bold block that spans lines
 * ("**REPORT OF ...\n... CCG**") becomes one line. */
static bool split_lines(const char *text, size_t len, lines *ls)
{
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        size_t l = j - i;
        const char *s = trim(text + i, &l);
        size_t next = j + 1;
        /* Join an unclosed bold block with the lines that close it. */
        if (l >= 2 && s[0] == '*' && s[1] == '*') {
            int stars = 0;
            for (size_t k = 0; k + 1 < l; k++)
                if (s[k] == '*' && s[k + 1] == '*') {
                    stars++;
                    k++;
                }
            size_t end = j;
            for (int extra = 0; (stars & 1) && extra < 5 && end < len; extra++) {
                size_t e = end + 1;
                while (e < len && text[e] != '\n')
                    e++;
                for (size_t k = end + 1; k + 1 < e; k++)
                    if (text[k] == '*' && text[k + 1] == '*') {
                        stars++;
                        k++;
                    }
                end = e;
            }
            if (!(stars & 1) && end > j) {
                /* Replace the newlines of the block with spaces. */
                size_t bl = end - (size_t)(s - text);
                char *tmp = cs_strndup(s, bl);
                if (!tmp)
                    return false;
                for (size_t k = 0; k < bl; k++)
                    if (tmp[k] == '\n' || tmp[k] == '\r')
                        tmp[k] = ' ';
                size_t cl;
                char *c = clean_line(tmp, bl, &cl);
                free(tmp);
                if (!c || !lines_push(ls, c, cl)) {
                    free(c);
                    return false;
                }
                i = end + 1;
                continue;
            }
        }
        size_t cl;
        char *c = clean_line(s, l, &cl);
        if (!c || !lines_push(ls, c, cl)) {
            free(c);
            return false;
        }
        if (j >= len)
            break;
        i = next;
    }
    return true;
}

/* --- date lines ------------------------------------------------------------ */

static size_t skip_spaces(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == ','))
        i++;
    return i;
}

/* Labels that may stand before a publication date on its own line. */
static const char *const date_labels[] = {
    "date:", "dated:", "published:", "published on", "published", "posted on",
    "posted:", "updated:", "last updated:", "last updated", NULL,
};

/* Is the whole line a publication-date line ("12th December 2018 | By ...",
 * "Date: 15 Sep 2017", "Friday, August 30, 2019 - 13:15")?  Sets out. */
static bool date_line_shape(const char *s, size_t len, char out[11], bool *impossible)
{
    size_t i = 0;
    for (int k = 0; date_labels[k]; k++)
        if (cs_has_prefix_ci(s, len, date_labels[k])) {
            i = skip_spaces(s, len, strlen(date_labels[k]));
            break;
        }
    size_t n = cs_parse_date(s + i, len - i, out);
    if (!n && (n = cs_parse_impossible_date(s + i, len - i, out)))
        *impossible = true;
    if (!n)
        return false;
    size_t rl = len - i - n;
    const char *rest = trim(s + i + n, &rl);
    /* Only the part before a '|' matters: "date | By ... | Posted in". */
    const char *bar = memchr(rest, '|', rl);
    if (bar)
        rl = (size_t)(bar - rest);
    rest = trim(rest, &rl);
    if (rl == 0)
        return true;
    /* A time after the date: "11:59 BST", "- 13:15", "at 10am". */
    return rl <= 24 && (memchr(rest, ':', rl) != NULL ||
                        cs_has_prefix_ci(rest, rl, "at "));
}

/* A publication-date line: true with out set.  A line that would be one
 * but for a date that does not exist ("Date: 29 February 2019") is
 * false with *impossible set and the date as written in out. */
static bool date_line(const char *s, size_t len, char out[11], bool *impossible)
{
    bool bad = false;
    bool line = date_line_shape(s, len, out, &bad);
    *impossible = line && bad;
    return line && !bad;
}

/* --- line kinds ------------------------------------------------------------ */

/* "Home > News > Story" */
static bool breadcrumb(const char *s, size_t len)
{
    int seps = 0;
    for (size_t i = 0; i + 2 < len; i++) {
        if (s[i] == ' ' && s[i + 1] == '>' && s[i + 2] == ' ')
            seps++;
        else if (s[i] == ' ' && i + 3 < len &&
                 ((unsigned char)s[i + 1] == 0xC2 && ((unsigned char)s[i + 2] == 0xBB)) &&
                 s[i + 3] == ' ')
            seps++;                                 /* » */
        else if (s[i] == ' ' && i + 4 < len && (unsigned char)s[i + 1] == 0xE2 &&
                 (unsigned char)s[i + 2] == 0x80 && (unsigned char)s[i + 3] == 0xBA &&
                 s[i + 4] == ' ')
            seps++;                                 /* › */
    }
    return seps >= 2 || (seps == 1 && cs_has_prefix_ci(s, len, "home "));
}

/* Length of a leading bullet marker ("• ", "- ", "* ", "– "), or 0. */
static size_t bullet_len(const char *s, size_t len)
{
    if (len >= 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ')
        return 2;
    if (len >= 4 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0xA2 || (unsigned char)s[2] == 0x93) && s[3] == ' ')
        return 4;                                   /* • or – */
    return 0;
}

static bool ends_sentence(const char *s, size_t len)
{
    /* Skip closing quotes (straight or curly) before the punctuation. */
    while (len > 0) {
        unsigned char c = (unsigned char)s[len - 1];
        if (c == '"' || c == '\'' || c == ')')
            len--;
        else if (len >= 3 && (unsigned char)s[len - 3] == 0xE2 &&
                 (unsigned char)s[len - 2] == 0x80 &&
                 (c == 0x9D || c == 0x99))
            len -= 3;
        else
            break;
    }
    return len > 0 && (s[len - 1] == '.' || s[len - 1] == '!' || s[len - 1] == '?');
}

/* Whole-line page chrome, compared case-insensitively after straightening
 * apostrophes.  "prefix" entries match lines that start with them. */
static const struct {
    const char *text;
    bool prefix;
} chrome[] = {
    { "no comments", false },
    { "no comments yet", false },
    { "leave a comment", false },
    { "leave a reply", false },
    { "be the first to comment", false },
    { "comments are closed", false },
    { "posted in", false },
    { "don't forget to follow us on", true },
    { "follow us on twitter", true },
    { "like us on facebook", true },
    { "share this article", true },
    { "share this story", true },
    { "share this page", true },
    { "skip to main content", true },
    { "sign up to our newsletter", true },
    { "click here to subscribe", true },
    { "this site uses cookies", true },
    { "we use cookies", true },
    { "you must be logged in to post a comment", true },
    { "your email address will not be published", true },
    { NULL, false },
};

static bool is_chrome(const char *s, size_t len)
{
    char buf[128];
    size_t n = 0;
    /* Lower-case and straighten apostrophes into a small buffer; chrome
     * lines are short, so longer lines are never chrome. */
    if (len > 200)
        return false;
    for (size_t i = 0; i < len && n + 1 < sizeof buf; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] == 0x99 || (unsigned char)s[i + 2] == 0x98)) {
            buf[n++] = '\'';
            i += 2;
        } else {
            buf[n++] = (char)tolower(c);
        }
    }
    while (n > 0 && (buf[n - 1] == '.' || buf[n - 1] == '!' || buf[n - 1] == ':'))
        n--;
    buf[n] = '\0';
    for (int k = 0; chrome[k].text; k++) {
        size_t cl = strlen(chrome[k].text);
        if (chrome[k].prefix ? (n >= cl && memcmp(buf, chrome[k].text, cl) == 0)
                             : (n == cl && memcmp(buf, chrome[k].text, cl) == 0))
            return true;
    }
    return false;
}

/* --- publisher ---------------------------------------------------------- */

/* Words kept in their usual form when an all-capitals line is recased. */
static const char *const acronyms[] = {
    "NHS", "CCG", "CCGs", "STP", "STPs", "ICS", "ICB", "ICBs", "GP", "GPs",
    "LLR", "CQC", "UK", "HSJ", "A&E", "NHSE", "LMC", "PCT", "PCTs", "MP",
    "MPs", "CEO", "AO", "BBC", "ITV", "LDRS", NULL,
};
static const char *const small_words[] = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on",
    "or", "the", "to", "with", NULL,
};

static bool all_caps(const char *s, size_t len)
{
    int upper = 0;
    for (size_t i = 0; i < len; i++) {
        if (islower((unsigned char)s[i]))
            return false;
        if (isupper((unsigned char)s[i]))
            upper++;
    }
    return upper >= 4;
}

/* "UPDATE ON CCGS' MANAGEMENT" -> "Update on CCGs' Management". */
static char *recase(const char *s, size_t len)
{
    char *o = cs_strndup(s, len);
    if (!o)
        return NULL;
    size_t i = 0;
    bool first = true;
    while (i < len) {
        if (!isalnum((unsigned char)o[i]) && o[i] != '&') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && (isalnum((unsigned char)o[j]) || o[j] == '&'))
            j++;
        size_t w = j - i;
        bool done = false;
        for (int k = 0; acronyms[k] && !done; k++)
            if (strlen(acronyms[k]) == w && strncasecmp(o + i, acronyms[k], w) == 0) {
                memcpy(o + i, acronyms[k], w);
                done = true;
            }
        for (int k = 0; small_words[k] && !done && !first; k++)
            if (strlen(small_words[k]) == w && strncasecmp(o + i, small_words[k], w) == 0) {
                for (size_t c = i; c < j; c++)
                    o[c] = (char)tolower((unsigned char)o[c]);
                done = true;
            }
        if (!done) {
            for (size_t c = i + 1; c < j; c++)
                o[c] = (char)tolower((unsigned char)o[c]);
            o[i] = (char)toupper((unsigned char)o[i]);
        }
        first = false;
        i = j;
    }
    return o;
}

/* A publisher stated in prose: "... first published in the Health Service
 * Journal."  Returns a malloc'd name or NULL. */
static char *stated_publisher(const char *s, size_t len)
{
    static const char *const cues[] = {
        "first published in ", "originally published in ",
        "originally appeared in ", "first appeared in ", NULL,
    };
    for (size_t i = 0; i < len; i++) {
        for (int k = 0; cues[k]; k++) {
            size_t cl = strlen(cues[k]);
            if (!cs_has_prefix_ci(s + i, len - i, cues[k]))
                continue;
            size_t a = i + cl;
            if (cs_has_prefix_ci(s + a, len - a, "the "))
                a += 4;
            size_t b = a;
            /* The name runs to the end of the sentence or clause. */
            while (b < len && s[b] != ',' && s[b] != ';' && s[b] != '(' &&
                   !(s[b] == '.' && (b + 1 == len || s[b + 1] == ' ')))
                b++;
            size_t nl = b - a;
            const char *name = trim(s + a, &nl);
            if (nl > 0 && nl < 80 && isupper((unsigned char)name[0]))
                return cs_strndup(name, nl);
        }
    }
    return NULL;
}

/* "REPORT OF NHS WEST LEICESTERSHIRE CCG ..." -> the reporting body. */
static char *report_of(const char *s, size_t len)
{
    if (!cs_has_prefix_ci(s, len, "report of ") && !cs_has_prefix_ci(s, len, "report by "))
        return NULL;
    size_t nl = len - 10;
    const char *name = trim(s + 10, &nl);
    if (nl == 0 || nl > 300)
        return NULL;
    return all_caps(name, nl) ? recase(name, nl) : cs_strndup(name, nl);
}

/* --- assembling --------------------------------------------------------- */

static bool same_text_ci(const char *a, size_t alen, const char *b)
{
    char *ka = cs_normalize_key(a, alen);
    char *kb = cs_normalize_key(b, strlen(b));
    bool same = ka && kb && *ka && strcmp(ka, kb) == 0;
    free(ka);
    free(kb);
    return same;
}

/* Make a title from a line: drop bullet markers, wiki "= X =" and a
 * trailing colon; recase an all-capitals line; cut overlong ones. */
static char *make_title(const char *s, size_t len)
{
    size_t b = bullet_len(s, len);
    s += b;
    len -= b;
    while (len > 0 && (s[0] == '=' || s[0] == ' ')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == '=' || s[len - 1] == ' ' || s[len - 1] == ':'))
        len--;
    if (len > CS_MAX_TITLE_BYTES)
        len = cs_utf8_cut(s, len, CS_MAX_TITLE_BYTES);
    return all_caps(s, len) ? recase(s, len) : cs_strndup(s, len);
}

/* Title for a text with no headline: its first line, cut at a word. */
static char *fallback_title(const char *s, size_t len)
{
    size_t b = bullet_len(s, len);
    s += b;
    len -= b;
    if (len > FALLBACK_TITLE) {
        size_t cut = FALLBACK_TITLE;
        while (cut > 40 && s[cut] != ' ')
            cut--;
        len = cs_utf8_cut(s, len, cut);
    }
    while (len > 0 && (s[len - 1] == '.' || s[len - 1] == ',' || s[len - 1] == ' '))
        len--;
    return cs_strndup(s, len);
}

/* The common path: classify lines and fill what the article lacks. */
static bool parse_lines(const char *text, size_t len, cs_article *a, cs_err *err)
{
    lines ls = { 0 };
    bool ok = false;
    size_t seen = 0;
    char date[11];
    const line *first_bullet = NULL;
    line *title_line = NULL;          /* the line the title came from */
    bool title_given = a->title != NULL;

    if (!split_lines(text, len, &ls))
        goto out;

    /* The header zone. */
    for (size_t i = 0; i < ls.n && seen < HEADER_LINES; i++) {
        line *l = &ls.v[i];
        if (l->kind == K_BLANK)
            continue;
        seen++;
        if (is_chrome(l->s, l->len) || breadcrumb(l->s, l->len)) {
            l->kind = K_DROP;
            continue;
        }
        /* "date 2019-06-06 First sentence..." marks the date of a record
         * whose page carried one; the rest of the line is text. */
        if (cs_has_prefix_ci(l->s, l->len, "date ") &&
            cs_parse_date(l->s + 5, l->len - 5, date) == 10) {
            if (!a->date && !(a->date = cs_strdup(date)))
                goto out;
            size_t rl = l->len - 15;
            const char *rest = trim(l->s + 15, &rl);
            memmove(l->s, rest, rl);
            l->s[rl] = '\0';
            l->len = rl;
            if (rl == 0) {
                l->kind = K_DROP;
                continue;
            }
        }
        bool impossible;
        if (date_line(l->s, l->len, date, &impossible)) {
            if (!a->date && !(a->date = cs_strdup(date)))
                goto out;
            l->kind = K_DROP;
            continue;
        }
        if (impossible) {                   /* a date line all the same */
            if (!a->date && !a->bad_date && !(a->bad_date = cs_strdup(date)))
                goto out;
            l->kind = K_DROP;
            continue;
        }
        if (title_given && same_text_ci(l->s, l->len, a->title)) {
            l->kind = K_DROP;               /* the headline, repeated */
            title_line = l;
            continue;
        }
        char *rep = report_of(l->s, l->len);
        if (rep) {
            if (!a->source)
                a->source = rep;
            else
                free(rep);
            continue;
        }
        if (bullet_len(l->s, l->len)) {
            if (!first_bullet)
                first_bullet = l;
            continue;
        }
        if (l->len > HEADLINE_MAX || ends_sentence(l->s, l->len))
            break;                          /* prose: the story has begun */
        if (l->s[l->len - 1] == ':' || cs_has_prefix_ci(l->s, l->len, "by "))
            continue;                       /* a label or a byline */
        if (!a->title) {
            if (!(a->title = make_title(l->s, l->len)))
                goto out;
            l->kind = K_DROP;
            title_line = l;
        }
    }

    /* Chrome anywhere, and a publisher stated anywhere. */
    for (size_t i = 0; i < ls.n; i++) {
        line *l = &ls.v[i];
        if (l->kind != K_TEXT)
            continue;
        if (is_chrome(l->s, l->len)) {
            l->kind = K_DROP;
            continue;
        }
        if (!a->source)
            a->source = stated_publisher(l->s, l->len);
    }

    /* A text that is only its headline keeps it as its body. */
    if (title_line) {
        bool any = false;
        for (size_t i = 0; i < ls.n && !any; i++)
            any = ls.v[i].kind == K_TEXT;
        if (!any)
            title_line->kind = K_TEXT;
    }

    /* The body: kept lines, one blank line between paragraphs. */
    cs_buf body = { 0 };
    bool para_break = false;
    const line *first_text = NULL;
    for (size_t i = 0; i < ls.n; i++) {
        const line *l = &ls.v[i];
        if (l->kind == K_BLANK) {
            para_break = true;
            continue;
        }
        if (l->kind == K_DROP)
            continue;
        if (!first_text)
            first_text = l;
        if (body.len)
            cs_buf_puts(&body, para_break ? "\n\n" : "\n");
        cs_buf_add(&body, l->s, l->len);
        para_break = false;
    }
    if (body.oom) {
        cs_buf_free(&body);
        goto out;
    }
    if (!first_text) {
        cs_buf_free(&body);
        cs_err_set(err, CS_E_INPUT, "empty body");
        goto out;
    }
    if (!a->title) {
        a->title = first_bullet ? make_title(first_bullet->s, first_bullet->len)
                                : fallback_title(first_text->s, first_text->len);
        if (!a->title) {
            cs_buf_free(&body);
            goto out;
        }
    }
    a->title_in_text = title_line && title_line->kind == K_DROP;
    a->body_len = body.len;
    a->body = cs_buf_take(&body);
    ok = a->body != NULL;
out:
    if (!ok && (!err || err->code != CS_E_INPUT))
        cs_err_nomem(err);
    lines_free(&ls);
    return ok;
}

void cs_article_clear(cs_article *a)
{
    if (!a)
        return;
    free(a->id);
    free(a->title);
    free(a->date);
    free(a->bad_date);
    free(a->source);
    free(a->url);
    free(a->body);
    free(a->author);
    for (size_t i = 0; i < a->nauthors; i++)
        free(a->authors[i]);
    free(a->authors);
    free(a->section);
    for (size_t i = 0; i < a->ntags; i++)
        free(a->tags[i]);
    free(a->tags);
    memset(a, 0, sizeof *a);
}

bool cs_article_from_text(const char *id, const char *text, size_t len, cs_article *out,
                          cs_err *err)
{
    assert(id && out);
    memset(out, 0, sizeof *out);
    cs_err_clear(err);
    if (!(out->id = cs_strdup(id)))
        return cs_err_nomem(err);
    if (!parse_lines(text, len, out, err)) {
        cs_article_clear(out);
        return false;
    }
    return true;
}

bool cs_article_finish_text(cs_article *a, const char *text, size_t len, cs_err *err)
{
    assert(a && a->id);
    return parse_lines(text, len, a, err);
}

/* A copy of s[0..len) with runs of blanks (newlines and tabs too) made one
 * space, trimmed and cut to CS_MAX_FIELD_BYTES on a character; *out_len
 * is 0 when nothing is left.  NULL when out of memory. */
static char *field_value(const char *s, size_t len, size_t *out_len)
{
    char *o = malloc(len + 1);
    size_t n = 0;
    if (!o)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            c = ' ';
        if (c == ' ' && (n == 0 || o[n - 1] == ' '))
            continue;
        o[n++] = c;
    }
    while (n && o[n - 1] == ' ')
        n--;
    if (n > CS_MAX_FIELD_BYTES) {
        n = cs_utf8_cut(o, n, CS_MAX_FIELD_BYTES);
        while (n && o[n - 1] == ' ')
            n--;
    }
    o[n] = '\0';
    *out_len = n;
    return o;
}

bool cs_article_add_value(cs_article *a, bool author, const char *raw, size_t rawlen)
{
    char ***v = author ? &a->authors : &a->tags;
    size_t *n = author ? &a->nauthors : &a->ntags;
    size_t len;
    if (*n >= CS_MAX_TAGS)
        return true;
    char *s = field_value(raw, rawlen, &len);
    if (!s)
        return false;
    bool keep = len > 0;
    for (size_t i = 0; keep && i < *n; i++)
        if (strcasecmp((*v)[i], s) == 0)
            keep = false;
    char **grown = keep ? realloc(*v, (*n + 1) * sizeof *grown) : NULL;
    if (!keep || !grown) {
        free(s);
        return !keep;
    }
    *v = grown;
    grown[(*n)++] = s;
    if (!author)
        return true;
    /* The display value: every author, in the order given. */
    cs_buf b = { 0 };
    if (a->author) {
        cs_buf_puts(&b, a->author);
        cs_buf_puts(&b, ", ");
    }
    cs_buf_add(&b, s, len);
    if (b.oom) {
        cs_buf_free(&b);
        return false;
    }
    free(a->author);
    a->author = cs_buf_take(&b);
    return a->author != NULL;
}

bool cs_article_set_section(cs_article *a, const char *raw, size_t rawlen)
{
    size_t len;
    if (a->section)
        return true;
    char *s = field_value(raw, rawlen, &len);
    if (!s)
        return false;
    if (len)
        a->section = s;
    else
        free(s);
    return true;
}

/* FNV-1a, 64 bits, of the parts, each followed by LF. */
static uint64_t fnv_parts(const char *const *part, const size_t *plen, int n)
{
    uint64_t h = 1469598103934665603ULL;
    for (int k = 0; k < n; k++) {
        for (size_t i = 0; i < plen[k]; i++)
            h = (h ^ (unsigned char)part[k][i]) * 1099511628211ULL;
        h = (h ^ '\n') * 1099511628211ULL;
    }
    return h;
}

/* A string field of a JSON object: NULL when absent or null; *bad set when
 * present with the wrong type or an embedded NUL. */
static const char *json_str(json_t *obj, const char *key, size_t *len, bool *bad)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    *len = json_string_length(v);
    if (strlen(json_string_value(v)) != *len) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

/* "author", "section" and "tags" of a record into a; *bad when one has the
 * wrong type.  False only when out of memory. */
static bool json_fields(json_t *obj, cs_article *a, bool *bad)
{
    for (int k = 0; k < 2; k++) {
        bool author = k == 0;
        json_t *v = json_object_get(obj, author ? "author" : "tags");
        size_t i;
        json_t *item;
        if (!v || json_is_null(v))
            continue;
        if (json_is_string(v)) {
            const char *s = json_string_value(v);
            size_t len = json_string_length(v);
            if (strlen(s) != len) {
                *bad = true;
                continue;
            }
            if (author) {
                if (!cs_article_add_value(a, true, s, len))
                    return false;
                continue;
            }
            /* "nhs, mergers": tags separated by commas. */
            while (len > 0) {
                const char *c = memchr(s, ',', len);
                size_t l = c ? (size_t)(c - s) : len;
                if (!cs_article_add_value(a, false, s, l))
                    return false;
                s += l;
                len -= l;
                if (len) {
                    s++;
                    len--;
                }
            }
        } else if (json_is_array(v)) {
            json_array_foreach(v, i, item) {
                if (!json_is_string(item) ||
                    strlen(json_string_value(item)) != json_string_length(item)) {
                    *bad = true;
                    break;
                }
                if (!cs_article_add_value(a, author, json_string_value(item),
                                          json_string_length(item)))
                    return false;
            }
        } else {
            *bad = true;
        }
    }
    size_t sl = 0;
    const char *s = json_str(obj, "section", &sl, bad);
    return !s || cs_article_set_section(a, s, sl);
}

bool cs_article_from_json(const char *line, size_t len, cs_article *out, cs_err *err)
{
    json_error_t jerr;
    bool ok = false, nomem = false;
    bool bad = false;
    size_t n = 0;
    char date[11];

    assert(out);
    memset(out, 0, sizeof *out);
    cs_err_clear(err);
    json_t *obj = json_loadb(line, len, 0, &jerr);
    if (!obj)
        return cs_err_set(err, CS_E_INPUT, "bad JSON at column %d: %s", jerr.column, jerr.text);
    if (!json_is_object(obj)) {
        cs_err_set(err, CS_E_INPUT, "record is not a JSON object");
        goto out;
    }

    json_t *idv = json_object_get(obj, "id");
    if (idv && !json_is_null(idv) && !json_is_string(idv)) {
        cs_err_set(err, CS_E_INPUT, "field \"id\" is not a string");
        goto out;
    }

    const char *body = json_str(obj, "body", &n, &bad);
    if (!body && !bad)
        body = json_str(obj, "text", &n, &bad);
    const char *s;
    size_t sl = 0;
    if ((s = json_str(obj, "title", &sl, &bad)) && sl) {
        size_t tl = sl;
        const char *t = trim(s, &tl);
        if (tl && !(out->title = make_title(t, tl)))
            nomem = true;
    }
    if ((s = json_str(obj, "date", &sl, &bad))) {
        size_t used = cs_parse_date(s, sl, date);
        /* "2019-01-21T10:00:00Z" is a date too. */
        if (used && (used == sl || s[used] == 'T' || s[used] == ' ')) {
            if (!(out->date = cs_strdup(date)))
                nomem = true;
        } else if (sl && !(out->bad_date = cs_strndup(s, cs_utf8_cut(s, sl, BAD_DATE_SHOWN)))) {
            nomem = true;
        } else if (sl) {
            /* It is printed: no control character may reach a terminal. */
            for (char *c = out->bad_date; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                    *c = '?';
        }
    }
    if ((s = json_str(obj, "source", &sl, &bad)) && sl)
        out->source = cs_strndup(s, sl);
    if ((s = json_str(obj, "url", &sl, &bad)) && sl)
        out->url = cs_strndup(s, sl);
    if (!nomem && !json_fields(obj, out, &bad))
        nomem = true;
    if (json_is_string(idv)) {
        out->id = cs_strndup(json_string_value(idv), json_string_length(idv));
    } else if (!bad) {
        /* No id: one from what the record says, so that it is the same in
         * every run and does not move when lines are inserted above it. */
        const char *part[3];
        size_t plen[3] = { 0, 0, 0 };
        int np;
        if (out->url) {
            part[0] = json_string_value(json_object_get(obj, "url"));
            plen[0] = json_string_length(json_object_get(obj, "url"));
            np = 1;
        } else {
            bool b2 = false;
            part[0] = json_str(obj, "title", &plen[0], &b2);
            part[1] = json_str(obj, "date", &plen[1], &b2);
            part[2] = body;
            plen[2] = body ? n : 0;
            for (int k = 0; k < 3; k++)
                if (!part[k]) {
                    part[k] = "";
                    plen[k] = 0;
                }
            np = 3;
        }
        char tmp[24];
        snprintf(tmp, sizeof tmp, "h%016" PRIx64, fnv_parts(part, plen, np));
        out->id = cs_strdup(tmp);
        out->id_derived = true;
    }
    if (!bad && !out->id)
        nomem = true;
    if (bad) {
        cs_err_set(err, CS_E_INPUT, "a field of the wrong type or holding a NUL");
        goto out;
    }
    if (nomem) {
        cs_err_nomem(err);
        goto out;
    }
    if (!body || n == 0) {
        cs_err_set(err, CS_E_INPUT, "empty body");
        goto out;
    }
    ok = parse_lines(body, n, out, err);
out:
    json_decref(obj);
    if (!ok)
        cs_article_clear(out);
    return ok;
}
