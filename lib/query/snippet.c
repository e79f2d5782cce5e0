/* Snippets; see snippet.h.
 *
 * The text is analysed exactly as the indexer analysed it, so whatever
 * matched (a stem, a part of a compound, £850m) is found again with its
 * byte range.  The window with the most distinct matched terms wins, then
 * the one with most matches, then the earliest.
 */
#include "query/snippet.h"
#include "text/analyze.h"
#include "core/limits.h"
#include "core/strmap.h"
#include "index/xapian_shim.h"

#include <stdlib.h>
#include <string.h>

/* A window starts this fraction of its length before its first match, so
 * the reader sees what leads up to it. */
#define LEAD_DIVISOR 5
/* Stop collecting matches after this many: enough to choose a window. */
#define MAX_MATCHES 4096

typedef struct match {
    size_t start, end;
    size_t term;            /* which highlight term: identifies distinct ones */
} match;

/* The last tokens kept to find phrases in: as many as a query's phrase
 * can have words, so every phrase is followed. */
#define PHRASE_WORDS CS_MAX_QUERY_TERMS

typedef struct scan {
    const cs_hl *hl;
    /* Term -> its index in hl->raw and hl->stem: a long query ("match":
     * "any" takes CS_MAX_ANY_TERMS words) must not cost a comparison per
     * word for every token of every hit. */
    cs_strmap raw, stem;
    unsigned char first[256];   /* first bytes of highlight stems */
    match *m;
    size_t n, cap;
    bool oom;
    /* The last primary tokens, for phrases. */
    char recent[PHRASE_WORDS][CS_MAX_TERM_BYTES + 1];
    size_t rstart[PHRASE_WORDS];
    size_t nrecent;
} scan;

static long find(const cs_strmap *m, const char *s)
{
    return cs_strmap_get(m, s, strlen(s));
}

/* Map each string of l to its index (the first, for a repeat). */
static bool index_list(cs_strmap *m, const cs_strlist *l)
{
    for (size_t i = l->n; i-- > 0;)
        if (!cs_strmap_put(m, l->v[i], strlen(l->v[i]), (int)i))
            return false;
    return true;
}

static bool add_match(scan *s, size_t start, size_t end, size_t which)
{
    if (s->n == s->cap) {
        if (s->cap >= MAX_MATCHES)
            return false;
        size_t cap = s->cap ? s->cap * 2 : 32;
        match *m = realloc(s->m, cap * sizeof *m);
        if (!m) {
            s->oom = true;
            return false;
        }
        s->m = m;
        s->cap = cap;
    }
    s->m[s->n++] = (match){ start, end, which };
    return true;
}

/* Does a phrase end at the token just seen?  Its words are the last
 * tokens, in order. */
static void phrases(scan *s, const cs_token *t)
{
    if (!(t->flags & CS_TOK_VARIANT)) {
        size_t slot = s->nrecent % PHRASE_WORDS;
        memcpy(s->recent[slot], t->term, t->len + 1);
        s->rstart[slot] = t->start;
        s->nrecent++;
    } else {
        return;
    }
    for (size_t p = 0; p < s->hl->phrase.n; p++) {
        const char *ph = s->hl->phrase.v[p];
        size_t words = 1;
        for (const char *q = ph; *q; q++)
            words += *q == ' ';
        if (words > PHRASE_WORDS || words > s->nrecent)
            continue;
        /* Compare the phrase's words with the last `words` tokens. */
        const char *q = ph;
        bool same = true;
        for (size_t w = 0; w < words && same; w++) {
            size_t slot = (s->nrecent - words + w) % PHRASE_WORDS;
            size_t wl = strcspn(q, " ");
            same = strlen(s->recent[slot]) == wl && strncmp(s->recent[slot], q, wl) == 0;
            q += wl + (q[wl] == ' ');
        }
        if (same) {
            size_t first = (s->nrecent - words) % PHRASE_WORDS;
            /* Phrases are numbered after the words and the stems. */
            size_t which = s->hl->raw.n + s->hl->stem.n + p;
            /* The phrase's earlier words may already be marked alone. */
            while (s->n > 0 && s->m[s->n - 1].start >= s->rstart[first])
                s->n--;
            add_match(s, s->rstart[first], t->end, which);
        }
    }
}

static int on_token(void *ctx, const cs_token *t)
{
    scan *s = ctx;
    if (s->hl->phrase.n) {
        phrases(s, t);
        if (s->oom)
            return 1;
    }
    long which = find(&s->raw, t->term);
    if (which < 0 && !(t->flags & CS_TOK_NUMERIC) && s->first[(unsigned char)t->term[0]]) {
        char stem[CS_MAX_TERM_BYTES + 8];
        if (cs_stem(t->term, t->len, stem, sizeof stem)) {
            long k = find(&s->stem, stem);
            if (k >= 0)
                which = (long)s->hl->raw.n + k;
        }
    }
    for (size_t i = 0; which < 0 && i < s->hl->prefix.n; i++)
        if (strncmp(t->term, s->hl->prefix.v[i], strlen(s->hl->prefix.v[i])) == 0)
            which = (long)(s->hl->raw.n + s->hl->stem.n + s->hl->phrase.n + i);
    if (which < 0)
        return 0;
    /* A variant shares its primary's range: keep one match per range. */
    if (s->n > 0 && s->m[s->n - 1].start <= t->start && s->m[s->n - 1].end >= t->end)
        return 0;
    return add_match(s, t->start, t->end, (size_t)which) ? 0 : 1;
}

/* Byte offset max_chars characters after start (or len). */
static size_t advance_chars(const char *text, size_t len, size_t start, unsigned chars)
{
    size_t i = start;
    while (i < len && chars > 0) {
        i++;
        while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

/* Byte offset chars characters before end (or 0). */
static size_t back_chars(const char *text, size_t end, unsigned chars)
{
    size_t i = end;
    while (i > 0 && chars > 0) {
        i--;
        while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80)
            i--;
        chars--;
    }
    return i;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Emit text[a..b) escaped, with newlines as spaces. */
static void emit_text(cs_buf *out, const char *text, size_t a, size_t b)
{
    size_t run = a;
    for (size_t i = a; i < b; i++) {
        if (text[i] == '\n' || text[i] == '\r' || text[i] == '\t') {
            cs_buf_add_html(out, text + run, i - run);
            if (out->len == 0 || out->s[out->len - 1] != ' ')
                cs_buf_putc(out, ' ');
            run = i + 1;
        }
    }
    cs_buf_add_html(out, text + run, b - run);
}

bool cs_snippet(const char *text, size_t len, const cs_hl *hl,
                 unsigned max_chars, cs_buf *out)
{
    scan s = { 0 };
    s.hl = hl;
    for (size_t i = 0; i < hl->stem.n; i++)
        s.first[(unsigned char)hl->stem.v[i][0]] = 1;
    s.oom = !index_list(&s.raw, &hl->raw) || !index_list(&s.stem, &hl->stem);
    if (!s.oom && (hl->raw.n || hl->stem.n || hl->phrase.n || hl->prefix.n))
        cs_analyze(text, len, 1, on_token, &s, NULL);
    cs_strmap_free(&s.raw);
    cs_strmap_free(&s.stem);
    if (s.oom) {
        free(s.m);
        return false;
    }

    /* Choose the window. */
    size_t best_start = 0;
    if (s.n > 0) {
        size_t nterms = hl->raw.n + hl->stem.n + hl->phrase.n + hl->prefix.n;
        unsigned *seen = calloc(nterms ? nterms : 1, sizeof *seen);
        if (!seen) {
            free(s.m);
            return false;
        }
        long best_score = -1;
        unsigned lead = max_chars / LEAD_DIVISOR;
        for (size_t i = 0; i < s.n; i++) {
            size_t ws = back_chars(text, s.m[i].start, lead);
            size_t we = advance_chars(text, len, ws, max_chars);
            size_t distinct = 0, count = 0;
            /* Mark terms seen in this window with the stamp i + 1. */
            for (size_t j = i; j < s.n && s.m[j].end <= we; j++) {
                if (seen[s.m[j].term] != i + 1) {
                    seen[s.m[j].term] = (unsigned)(i + 1);
                    distinct++;
                }
                count++;
            }
            long score = (long)distinct * 100000 + (long)count;
            if (score > best_score) {
                best_score = score;
                best_start = ws;
            }
        }
        free(seen);
    }

    size_t ws = best_start, we = advance_chars(text, len, ws, max_chars);
    /* Start and end on word boundaries. */
    if (ws > 0) {
        size_t k = ws;
        while (k < we && !is_blank(text[k - 1]))
            k++;
        if (k < we)
            ws = k;
    }
    if (we < len) {
        size_t k = we;
        while (k > ws && !is_blank(text[k]))
            k--;
        if (k > ws)
            we = k;
    }
    while (ws < we && is_blank(text[ws]))
        ws++;
    while (we > ws && is_blank(text[we - 1]))
        we--;

    if (ws > 0)
        cs_buf_puts(out, "\xE2\x80\xA6 ");
    size_t pos = ws, i = 0;
    while (i < s.n) {
        if (s.m[i].start < pos || s.m[i].end > we) {
            i++;
            continue;
        }
        size_t mstart = s.m[i].start, mend = s.m[i].end, j = i + 1;
        /* Join the next matches into this mark when only blanks lie
         * between: a phrase reads as one highlight. */
        while (j < s.n && s.m[j].end <= we && s.m[j].start >= mend) {
            size_t k = mend;
            while (k < s.m[j].start && is_blank(text[k]))
                k++;
            if (k != s.m[j].start)
                break;
            mend = s.m[j].end;
            j++;
        }
        emit_text(out, text, pos, mstart);
        cs_buf_puts(out, "<mark>");
        emit_text(out, text, mstart, mend);
        cs_buf_puts(out, "</mark>");
        pos = mend;
        i = j;
    }
    emit_text(out, text, pos, we);
    if (we < len)
        cs_buf_puts(out, " \xE2\x80\xA6");
    free(s.m);
    return !out->oom;
}
