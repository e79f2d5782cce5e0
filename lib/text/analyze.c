/* Text analysis; see analyze.h for what it does and why. */
#include "text/analyze.h"
#include "core/limits.h"
#include "index/xapian_shim.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Character classes the tokeniser cares about. */
enum cls {
    C_SEP, C_LETTER, C_DIGIT, C_APOS, C_HYPHEN, C_NUMSEP, C_AMP, C_CURRENCY,
    C_SOFT /* soft hyphen: invisible, skipped inside a word */
};

/* Most parts of a hyphenated compound taken together; a longer chain is
 * split into several compounds, which only loses the joined variant. */
#define MAX_PARTS 8
/* Bytes buffered per part: enough for CS_MAX_TERM_BYTES after
 * normalisation, which never shrinks a term by more than this factor. */
#define PART_BUF (CS_MAX_TERM_BYTES * 4 + 8)

typedef struct part {
    char raw[PART_BUF];
    size_t rawlen;
    bool too_long;
    bool has_digit, has_alpha, has_currency;
    size_t start, end;
    char *term;         /* normalised; points into raw or into norm */
    size_t len;
    char *norm;         /* utf8proc's allocation, if any */
} part;

/* Decode one code point at s[i]; returns its byte length (>= 1) and sets
 * *cp, or -1 for an invalid byte. */
static size_t decode(const char *s, size_t len, size_t i, int32_t *cp)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(len - i), cp);
    if (n <= 0) {
        *cp = -1;
        return 1;
    }
    return (size_t)n;
}

static enum cls classify(int32_t cp)
{
    if (cp < 0)
        return C_SEP;
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            return C_LETTER;
        if (cp >= '0' && cp <= '9')
            return C_DIGIT;
        switch (cp) {
        case '\'': return C_APOS;
        case '-': return C_HYPHEN;
        case '.': case ',': return C_NUMSEP;
        case '&': return C_AMP;
        case '$': return C_CURRENCY;
        default: return C_SEP;
        }
    }
    switch (cp) {
    case 0x2019: case 0x02BC: return C_APOS;
    case 0x2010: case 0x2011: return C_HYPHEN;
    case 0x00AD: return C_SOFT;
    default: break;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return C_LETTER;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_SC:
        return C_CURRENCY;
    default:
        return C_SEP;
    }
}

static enum cls class_at(const char *s, size_t len, size_t i)
{
    int32_t cp;
    if (i >= len)
        return C_SEP;
    decode(s, len, i, &cp);
    return classify(cp);
}

static void part_append(part *p, const char *bytes, size_t n)
{
    if (p->rawlen + n >= PART_BUF) {
        p->too_long = true;
        return;
    }
    memcpy(p->raw + p->rawlen, bytes, n);
    p->rawlen += n;
}

/* Scan one part (a word, number or money amount) starting at s[i], which
 * is a letter, digit or a currency sign followed by a digit.  Returns the
 * index just past it. */
static size_t scan_part(const char *s, size_t len, size_t i, part *p)
{
    enum cls prev = C_SEP;
    int32_t cp;

    p->rawlen = 0;
    p->too_long = p->has_digit = p->has_alpha = p->has_currency = false;
    p->start = i;
    p->norm = NULL;

    if (classify((decode(s, len, i, &cp), cp)) == C_CURRENCY) {
        size_t n = decode(s, len, i, &cp);
        part_append(p, s + i, n);
        p->has_currency = true;
        i += n;
    }
    while (i < len) {
        size_t n = decode(s, len, i, &cp);
        enum cls c = classify(cp);
        if (c == C_LETTER || c == C_DIGIT) {
            if (cp < 0x80) {
                char ch = (char)cp;
                if (ch >= 'A' && ch <= 'Z')
                    ch = (char)(ch - 'A' + 'a');
                part_append(p, &ch, 1);
            } else {
                part_append(p, s + i, n);
            }
            if (c == C_DIGIT)
                p->has_digit = true;
            else
                p->has_alpha = true;
            prev = c;
            i += n;
            continue;
        }
        enum cls next = class_at(s, len, i + n);
        if (c == C_SOFT && (next == C_LETTER || next == C_DIGIT)) {
            i += n;
            continue;
        }
        if (c == C_APOS && prev == C_LETTER && next == C_LETTER) {
            part_append(p, "'", 1);
        } else if (c == C_NUMSEP && prev == C_DIGIT && next == C_DIGIT) {
            if (cp == '.')      /* a ',' between digits separates thousands */
                part_append(p, ".", 1);
        } else if (c == C_AMP && prev == C_LETTER && next == C_LETTER) {
            part_append(p, "&", 1);
        } else {
            break;
        }
        prev = c;
        i += n;
    }
    p->end = i;
    return i;
}

/* Normalise p->raw into p->term.  Returns false when out of memory. */
static bool normalize_part(part *p)
{
    bool ascii = true;
    for (size_t k = 0; k < p->rawlen; k++)
        if ((unsigned char)p->raw[k] >= 0x80) {
            ascii = false;
            break;
        }
    p->raw[p->rawlen] = '\0';
    p->term = p->raw;
    p->len = p->rawlen;
    if (!ascii) {
        utf8proc_uint8_t *out = NULL;
        utf8proc_ssize_t n = utf8proc_map(
            (const utf8proc_uint8_t *)p->raw, (utf8proc_ssize_t)p->rawlen, &out,
            UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
            UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
        if (n < 0) {
            free(out);
            if (n == UTF8PROC_ERROR_NOMEM)
                return false;
            p->too_long = true;     /* unmappable: drop the token */
            return true;
        }
        p->norm = (char *)out;
        p->term = p->norm;
        p->len = (size_t)n;
    }
    /* A possessive 's belongs to the word before it: "Radmore’s wish"
     * must match the phrase "Radmore wish" and the word "radmore". */
    if (p->len > 2 && p->term[p->len - 2] == '\'' && p->term[p->len - 1] == 's') {
        p->len -= 2;
        p->term[p->len] = '\0';
    }
    if (p->len == 0 || p->len > CS_MAX_TERM_BYTES)
        p->too_long = true;
    return true;
}

typedef struct emitter {
    cs_token_fn fn;
    void *ctx;
} emitter;

static int emit(emitter *e, const char *term, size_t tlen, size_t start,
                size_t end, unsigned pos, unsigned flags)
{
    char buf[CS_MAX_TERM_BYTES + 1];
    cs_token t;
    if (tlen == 0 || tlen > CS_MAX_TERM_BYTES)
        return 0;
    memcpy(buf, term, tlen);
    buf[tlen] = '\0';
    for (size_t k = 0; k < tlen; k++)
        if (buf[k] >= '0' && buf[k] <= '9') {
            flags |= CS_TOK_NUMERIC;
            break;
        }
    t.term = buf;
    t.len = tlen;
    t.start = start;
    t.end = end;
    t.pos = pos;
    t.flags = flags;
    return e->fn(e->ctx, &t);
}

/* Money and unit variants of one part: "£850m" -> "850m", "850";
 * "1.1million" -> "1.1", "million". */
static int emit_variants(emitter *e, const part *p, unsigned pos)
{
    const char *t = p->term;
    size_t n = p->len;
    int rc;

    if (p->has_currency) {
        size_t k = 0;
        while (k < n && !(t[k] >= '0' && t[k] <= '9'))
            k++;
        if (k > 0 && k < n) {
            if ((rc = emit(e, t + k, n - k, p->start, p->end, pos, CS_TOK_VARIANT)))
                return rc;
            t += k;
            n -= k;
        }
    }
    if (p->has_digit && p->has_alpha && t[0] >= '0' && t[0] <= '9') {
        size_t k = 0;
        while (k < n && ((t[k] >= '0' && t[k] <= '9') || t[k] == '.'))
            k++;
        size_t a = k;
        while (a < n && t[a] >= 'a' && t[a] <= 'z')
            a++;
        if (k < n && a == n) {      /* number then letters, nothing else */
            if ((rc = emit(e, t, k, p->start, p->end, pos, CS_TOK_VARIANT)))
                return rc;
            if (n - k >= 3 &&
                (rc = emit(e, t + k, n - k, p->start, p->end, pos, CS_TOK_VARIANT)))
                return rc;
        }
    }
    return 0;
}

/* Emit a compound of nparts parts (1 for a plain word). */
static int emit_compound(emitter *e, part *parts, int nparts, unsigned *pos)
{
    char joined[CS_MAX_TERM_BYTES + 1];
    size_t jlen = 0;
    bool joined_ok = nparts > 1;
    unsigned first = 0;
    int live = 0, rc;

    for (int k = 0; k < nparts; k++) {
        part *p = &parts[k];
        if (p->too_long) {
            joined_ok = false;
            continue;
        }
        unsigned flags = 0;
        if (nparts > 1)
            flags = live == 0 ? CS_TOK_COMPOUND_START : CS_TOK_COMPOUND_CONT;
        ++*pos;
        if (live++ == 0)
            first = *pos;
        if ((rc = emit(e, p->term, p->len, p->start, p->end, *pos, flags)))
            return rc;
        if ((rc = emit_variants(e, p, *pos)))
            return rc;
        if (jlen + p->len <= CS_MAX_TERM_BYTES) {
            memcpy(joined + jlen, p->term, p->len);
            jlen += p->len;
        } else {
            joined_ok = false;
        }
    }
    if (joined_ok && live == nparts)
        return emit(e, joined, jlen, parts[0].start, parts[nparts - 1].end,
                    first, CS_TOK_VARIANT);
    return 0;
}

int cs_analyze(const char *text, size_t len, unsigned first_pos,
                cs_token_fn fn, void *ctx, unsigned *last_pos)
{
    part parts[MAX_PARTS];
    emitter e = { fn, ctx };
    unsigned pos = first_pos > 0 ? first_pos - 1 : 0;
    size_t i = 0;
    int rc = 0;

    while (i < len) {
        int32_t cp;
        size_t n = decode(text, len, i, &cp);
        enum cls c = classify(cp);
        bool starts = c == C_LETTER || c == C_DIGIT ||
                      (c == C_CURRENCY && class_at(text, len, i + n) == C_DIGIT);
        if (!starts) {
            i += n;
            continue;
        }
        int nparts = 0;
        i = scan_part(text, len, i, &parts[nparts++]);
        /* A hyphen joins parts only when letters or digits touch it on both
         * sides: "north-west" is a compound, "north - west" is not. */
        while (nparts < MAX_PARTS && i < len) {
            size_t hn = decode(text, len, i, &cp);
            if (classify(cp) != C_HYPHEN)
                break;
            enum cls after = class_at(text, len, i + hn);
            if (after != C_LETTER && after != C_DIGIT)
                break;
            i = scan_part(text, len, i + hn, &parts[nparts++]);
        }
        bool oom = false;
        for (int k = 0; k < nparts; k++)
            if (!normalize_part(&parts[k]))
                oom = true;
        if (!oom)
            rc = emit_compound(&e, parts, nparts, &pos);
        for (int k = 0; k < nparts; k++)
            free(parts[k].norm);
        if (oom)
            rc = -1;
        if (rc)
            break;
    }
    if (last_pos)
        *last_pos = pos;
    return rc;
}

typedef struct keybuf {
    char *s;
    size_t len, cap;
} keybuf;

static int key_token(void *ctx, const cs_token *t)
{
    keybuf *k = ctx;
    if (t->flags & CS_TOK_VARIANT)
        return 0;
    if (k->len + t->len + 2 > k->cap) {
        size_t cap = (k->cap + t->len + 2) * 2;
        char *s = realloc(k->s, cap);
        if (!s)
            return -1;
        k->s = s;
        k->cap = cap;
    }
    if (k->len)
        k->s[k->len++] = ' ';
    memcpy(k->s + k->len, t->term, t->len);
    k->len += t->len;
    k->s[k->len] = '\0';
    return 0;
}

char *cs_normalize_key(const char *text, size_t len)
{
    keybuf k = { malloc(64), 0, 64 };
    if (!k.s)
        return NULL;
    k.s[0] = '\0';
    if (cs_analyze(text, len, 1, key_token, &k, NULL) != 0) {
        free(k.s);
        return NULL;
    }
    return k.s;
}

size_t cs_utf8_invalid_at(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return i;
        i += (size_t)n;
    }
    return len;
}

bool cs_utf8_valid(const char *s, size_t len)
{
    return cs_utf8_invalid_at(s, len) == len;
}

size_t cs_utf8_cut(const char *s, size_t len, size_t max)
{
    if (max >= len)
        return len;
    /* Back off over continuation bytes to the start of a character. */
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

size_t cs_stem(const char *word, size_t len, char *out, size_t cap)
{
    if (len > 2 && word[len - 1] == 's') {
        bool vowel = false;
        for (size_t i = 0; i + 1 < len && !vowel; i++)
            vowel = strchr("aeiouy", word[i]) != NULL || (unsigned char)word[i] >= 0x80;
        if (!vowel) {
            if (len - 1 >= cap)
                return 0;
            memcpy(out, word, len - 1);
            out[len - 1] = '\0';
            return len - 1;
        }
    }
    return cs_xs_stem(word, len, out, cap);
}
