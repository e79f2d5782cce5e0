/* The query language; see query.h and docs/query-language.md.
 *
 * Text -> tokens (lex) -> tree (recursive descent) -> Xapian query
 * (compile).  Errors name the column where the problem is.
 */
#include "query/query.h"
#include "text/analyze.h"
#include "vocab/gazetteer.h"
#include "core/limits.h"
#include "core/strmap.h"
#include "core/util.h"
#include "vocab/canon.h"
#include "text/date.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most alternatives of one synonym group that a query uses (the data has
 * at most 3 today). */
#define MAX_SYNONYM_ALTS 16
/* Words within this many positions for a bare NEAR. */
#define NEAR_DEFAULT_WINDOW 10

enum field { FLD_TEXT, FLD_TITLE, FLD_SOURCE, FLD_FACET, FLD_DATE };

typedef enum qkind { Q_WORD, Q_PHRASE, Q_WILD, Q_FACET, Q_DATE, Q_BOOL, Q_OR, Q_NEAR } qkind;

struct qnode {
    qkind kind;
    int field;              /* enum field */
    int facet;              /* Q_FACET */
    char *text;             /* Q_WORD, Q_PHRASE, Q_WILD: user text; Q_FACET: key term */
    char lo[11], hi[11];    /* Q_DATE */
    unsigned window;        /* Q_NEAR */
    bool prefix;            /* Q_WORD: the query's last word, as-you-type */
    bool synonym;           /* Q_WORD: compiled as (part of) a synonym group */
    size_t col;
    /* Q_OR, Q_NEAR: kids.  Q_BOOL: must, then should, then not. */
    qnode **kids;
    size_t nkids, nmust, nshould;
};

/* --- lexing ---------------------------------------------------------------- */

typedef enum ttype {
    T_END, T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_AND, T_OR, T_NOT, T_NEAR,
    T_PLUS, T_MINUS, T_FIELD
} ttype;

typedef struct tok {
    ttype t;
    const char *s;          /* T_WORD, T_PHRASE: text; T_FIELD: value */
    size_t len;
    size_t col;
    int field, facet;       /* T_FIELD */
    bool quoted;            /* T_FIELD: value was a phrase */
    unsigned window;        /* T_NEAR */
} tok;

typedef struct parser {
    const char *s;
    size_t len, i;
    tok cur;
    bool match_any, prefix;
    int depth;
    size_t nterms;
    cs_err *err;
    bool failed;
    /* Alternatives ("match":"any"): the distinct words seen (by stem key)
     * and how many, towards CS_MAX_ANY_TERMS instead of nterms. */
    bool alt;                   /* the next leaf may be an alternative */
    cs_strmap alts;
    size_t nalts;
} parser;

/* Fail with a bad_query message that says where: "... at column N".  Only
 * the first failure is kept: it is the one the user can act on. */
static bool verr(cs_err *err, bool *failed, size_t col, const char *fmt, va_list ap)
{
    if (!*failed) {
        char msg[160];
        vsnprintf(msg, sizeof msg, fmt, ap);
        cs_err_set(err, CS_E_BAD_QUERY, "%s at column %zu", msg, col);
    }
    *failed = true;
    return false;
}

static bool perr(parser *p, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool perr(parser *p, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(p->err, &p->failed, col, fmt, ap);
    va_end(ap);
    return false;
}

/* perr() for a query refused by limit lim, which the error records (the
 * daemon counts refusals by limit). */
static bool plimit(parser *p, cs_limit lim, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool plimit(parser *p, cs_limit lim, size_t col, const char *fmt, ...)
{
    bool first = !p->failed;
    va_list ap;
    va_start(ap, fmt);
    verr(p->err, &p->failed, col, fmt, ap);
    va_end(ap);
    if (first)
        cs_err_limit(p->err, lim);
    return false;
}

static bool pnomem(parser *p)
{
    if (!p->failed)
        cs_err_nomem(p->err);
    p->failed = true;
    return false;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Characters that end a bare word. */
static bool word_end(char c)
{
    return is_space(c) || c == '(' || c == ')' || c == '"';
}

static const struct {
    const char *name;
    int field, facet;
} fields[] = {
    { "title", FLD_TITLE, -1 }, { "source", FLD_SOURCE, -1 },
    { "ccg", FLD_FACET, CS_FACET_CCG }, { "role", FLD_FACET, CS_FACET_ROLE },
    { "person", FLD_FACET, CS_FACET_PERSON }, { "org", FLD_FACET, CS_FACET_ORG },
    { "place", FLD_FACET, CS_FACET_PLACE }, { "date", FLD_DATE, -1 },
    { "author", FLD_FACET, CS_NFACETS + CS_ATTR_AUTHOR },
    { "section", FLD_FACET, CS_NFACETS + CS_ATTR_SECTION },
    { "tag", FLD_FACET, CS_NFACETS + CS_ATTR_TAG },
};

/* The filter term of value s[0..len) for filter f (a facet, or
 * CS_NFACETS + a descriptive field), as the indexer makes it; NULL when
 * out of memory. */
static char *filter_term(int f, const char *s, size_t len)
{
    char *key = f < CS_NFACETS ? cs_canonical_key(f, s, len) : cs_normalize_key(s, len);
    cs_buf term = { 0 };
    if (!key)
        return NULL;
    cs_buf_puts(&term, f < CS_NFACETS ? cs_facets[f].prefix : cs_attrs[f - CS_NFACETS].prefix);
    cs_buf_puts(&term, key);
    free(key);
    if (term.oom) {
        cs_buf_free(&term);
        return NULL;
    }
    return cs_buf_take(&term);
}

/* Read the next token into p->cur. */
static bool lex(parser *p)
{
    tok *t = &p->cur;
    while (p->i < p->len && is_space(p->s[p->i]))
        p->i++;
    memset(t, 0, sizeof *t);
    t->col = p->i + 1;
    if (p->i >= p->len) {
        t->t = T_END;
        return true;
    }
    char c = p->s[p->i];
    if (c == '(' || c == ')') {
        t->t = c == '(' ? T_LPAREN : T_RPAREN;
        p->i++;
        return true;
    }
    if (c == '"') {
        size_t start = ++p->i;
        while (p->i < p->len && p->s[p->i] != '"')
            p->i++;
        if (p->i >= p->len)
            return perr(p, t->col, "unterminated phrase (no closing \")");
        t->t = T_PHRASE;
        t->s = p->s + start;
        t->len = p->i - start;
        p->i++;
        return true;
    }
    if ((c == '+' || c == '-') && p->i + 1 < p->len && !word_end(p->s[p->i + 1]) ) {
        t->t = c == '+' ? T_PLUS : T_MINUS;
        p->i++;
        return true;
    }
    if ((c == '+' || c == '-') && p->i + 1 < p->len && p->s[p->i + 1] == '"') {
        t->t = c == '+' ? T_PLUS : T_MINUS;
        p->i++;
        return true;
    }
    size_t start = p->i;
    while (p->i < p->len && !word_end(p->s[p->i]))
        p->i++;
    t->s = p->s + start;
    t->len = p->i - start;

    if (t->len == 3 && memcmp(t->s, "AND", 3) == 0) {
        t->t = T_AND;
    } else if (t->len == 2 && memcmp(t->s, "OR", 2) == 0) {
        t->t = T_OR;
    } else if (t->len == 3 && memcmp(t->s, "NOT", 3) == 0) {
        t->t = T_NOT;
    } else if (t->len >= 4 && memcmp(t->s, "NEAR", 4) == 0 &&
               (t->len == 4 || t->s[4] == '/')) {
        t->t = T_NEAR;
        t->window = NEAR_DEFAULT_WINDOW;
        if (t->len > 4) {
            unsigned w = 0;
            size_t k = 5;
            for (; k < t->len && t->s[k] >= '0' && t->s[k] <= '9' && w <= CS_MAX_NEAR_WINDOW; k++)
                w = w * 10 + (unsigned)(t->s[k] - '0');
            if (k != t->len || k == 5 || w == 0 || w > CS_MAX_NEAR_WINDOW)
                return plimit(p, CS_LIMIT_NEAR_WINDOW, t->col,
                              "NEAR/n needs n from 1 to " CS_STR(CS_MAX_NEAR_WINDOW));
            t->window = w;
        }
    } else {
        t->t = T_WORD;
        /* field:value, field:"a phrase" */
        const char *colon = memchr(t->s, ':', t->len);
        if (colon) {
            size_t nl = (size_t)(colon - t->s);
            for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
                if (strlen(fields[k].name) != nl || strncmp(fields[k].name, t->s, nl) != 0)
                    continue;
                t->t = T_FIELD;
                t->field = fields[k].field;
                t->facet = fields[k].facet;
                t->s = colon + 1;
                t->len = (size_t)(p->s + p->i - t->s);
                if (t->len == 0 && p->i < p->len && p->s[p->i] == '"') {
                    size_t q0 = ++p->i;
                    while (p->i < p->len && p->s[p->i] != '"')
                        p->i++;
                    if (p->i >= p->len)
                        return perr(p, q0, "unterminated phrase (no closing \")");
                    t->s = p->s + q0;
                    t->len = p->i - q0;
                    t->quoted = true;
                    p->i++;
                }
                if (t->len == 0)
                    return perr(p, t->col, "'%s:' needs a value", fields[k].name);
                break;
            }
        }
    }
    return true;
}

/* --- the tree -------------------------------------------------------------- */

static void qnode_free(qnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        qnode_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n);
}

static qnode *qnode_new(parser *p, qkind kind, size_t col)
{
    qnode *n = calloc(1, sizeof *n);
    if (!n)
        pnomem(p);
    else {
        n->kind = kind;
        n->col = col;
    }
    return n;
}

static bool add_kid(parser *p, qnode *n, qnode *kid)
{
    qnode **v = realloc(n->kids, (n->nkids + 1) * sizeof *v);
    if (!v) {
        qnode_free(kid);
        return pnomem(p);
    }
    n->kids = v;
    n->kids[n->nkids++] = kid;
    return true;
}

static bool count_term(parser *p, size_t col)
{
    if (++p->nterms > CS_MAX_QUERY_TERMS)
        return plimit(p, CS_LIMIT_QUERY_TERMS, col, "query has more than %s terms",
                      CS_STR(CS_MAX_QUERY_TERMS));
    return true;
}

/* date:A..B, date:A (a day, month or year). */
static bool parse_date_range(parser *p, const tok *t, qnode *n)
{
    const char *s = t->s;
    size_t len = t->len;
    const char *dots = NULL;
    for (size_t k = 0; k + 1 < len; k++)
        if (s[k] == '.' && s[k + 1] == '.') {
            dots = s + k;
            break;
        }
    struct {
        const char *s;
        size_t len;
        char *out;
        bool hi;
    } ends[2] = {
        { s, dots ? (size_t)(dots - s) : len, n->lo, false },
        { dots ? dots + 2 : s, dots ? len - (size_t)(dots + 2 - s) : len, n->hi, true },
    };
    for (int k = 0; k < 2; k++) {
        const char *e = ends[k].s;
        size_t el = ends[k].len;
        char buf[11];
        if (el == 0) {
            ends[k].out[0] = '\0';
            continue;
        }
        /* A whole year or month stands for its first or last day. */
        if (el == 4 || el == 7) {
            snprintf(buf, sizeof buf, "%.*s%s", (int)el, e,
                     el == 4 ? (ends[k].hi ? "-12-31" : "-01-01")
                             : (ends[k].hi ? "-31" : "-01"));
            char chk[11];
            char probe[11];
            /* Validate with day 01 so that "-31" months pass. */
            snprintf(probe, sizeof probe, "%.7s-01", buf);
            if (cs_parse_date(probe, 10, chk) != 10 || strcmp(chk, probe) != 0)
                return perr(p, t->col, "dates are written YYYY-MM-DD, YYYY-MM or YYYY");
            memcpy(ends[k].out, buf, 11);
            continue;
        }
        if (el != 10 || cs_parse_date(e, 10, buf) != 10 || memcmp(buf, e, 10) != 0)
            return perr(p, t->col, "dates are written YYYY-MM-DD, YYYY-MM or YYYY");
        memcpy(ends[k].out, buf, 11);
    }
    if (!dots && !n->lo[0])
        return perr(p, t->col, "date: needs a date or a range A..B");
    if (n->lo[0] && n->hi[0] && strcmp(n->lo, n->hi) > 0)
        return perr(p, t->col, "the date range ends before it starts");
    return true;
}

static qnode *parse_or(parser *p);

static qnode *leaf(parser *p)
{
    tok t = p->cur;
    qnode *n = NULL;
    switch (t.t) {
    case T_WORD:
    case T_PHRASE: {
        bool wild = t.t == T_WORD && t.len > 1 && t.s[t.len - 1] == '*';
        n = qnode_new(p, t.t == T_PHRASE ? Q_PHRASE : wild ? Q_WILD : Q_WORD, t.col);
        if (!n)
            return NULL;
        n->field = FLD_TEXT;
        n->text = cs_strndup(t.s, wild ? t.len - 1 : t.len);
        /* The word the text ends in may be a word being typed. */
        n->prefix = p->prefix && n->kind == Q_WORD && t.s + t.len == p->s + p->len;
        break;
    }
    case T_FIELD:
        if (t.field == FLD_DATE) {
            n = qnode_new(p, Q_DATE, t.col);
            if (n && !parse_date_range(p, &t, n)) {
                qnode_free(n);
                return NULL;
            }
            if (!n)
                return NULL;
            break;
        }
        if (t.field == FLD_FACET) {
            n = qnode_new(p, Q_FACET, t.col);
            if (!n)
                return NULL;
            n->facet = t.facet;
            n->text = filter_term(t.facet, t.s, t.len);
            break;
        }
        {
            bool wild = !t.quoted && t.len > 1 && t.s[t.len - 1] == '*';
            n = qnode_new(p, t.quoted ? Q_PHRASE : wild ? Q_WILD : Q_WORD, t.col);
            if (!n)
                return NULL;
            n->field = t.field;
            n->text = cs_strndup(t.s, wild ? t.len - 1 : t.len);
        }
        break;
    case T_LPAREN:
        if (++p->depth > CS_MAX_QUERY_DEPTH) {
            plimit(p, CS_LIMIT_QUERY_DEPTH, t.col, "parentheses nested deeper than %s",
                   CS_STR(CS_MAX_QUERY_DEPTH));
            return NULL;
        }
        if (!lex(p))
            return NULL;
        n = parse_or(p);
        if (!n)
            return NULL;
        if (p->cur.t != T_RPAREN) {
            qnode_free(n);
            perr(p, t.col, "this '(' is never closed");
            return NULL;
        }
        p->depth--;
        return lex(p) ? n : (qnode_free(n), NULL);
    case T_RPAREN:
        perr(p, t.col, "unexpected ')'");
        return NULL;
    case T_END:
        perr(p, t.col, "a term is missing at the end");
        return NULL;
    default:
        perr(p, t.col, "a term is expected here");
        return NULL;
    }
    if (!n->text && n->kind != Q_DATE) {
        qnode_free(n);
        pnomem(p);
        return NULL;
    }
    /* An alternative is counted by parse_and, towards CS_MAX_ANY_TERMS. */
    bool alt = p->alt && n->kind == Q_WORD && n->field == FLD_TEXT;
    if ((!alt && !count_term(p, t.col)) || !lex(p)) {
        qnode_free(n);
        return NULL;
    }
    return n;
}

/* A word the user typed that is a stopword once normalised. */
static bool stop_word(const char *text, size_t len)
{
    char *k = cs_normalize_key(text, len);
    bool stop = k && !strchr(k, ' ') && cs_gaz_stopword(k);
    free(k);
    return stop;
}

/* Whether the alternative word text is searched: 1 if it is a stopword, a
 * word already seen or one of the first CS_MAX_ANY_TERMS distinct words; 0
 * if it is a new word past that limit (dropped); -1 when out of memory. */
static int admit_alt(parser *p, const char *text, size_t len)
{
    char *key = cs_gaz_stem_key(text, len);
    int r = 1;
    if (!key)
        return -1;
    if (!*key || cs_strmap_get(&p->alts, key, strlen(key)) >= 0 || stop_word(text, len))
        r = 1;
    else if (p->nalts == CS_MAX_ANY_TERMS)
        r = 0;
    else if (!cs_strmap_put(&p->alts, key, strlen(key), 1))
        r = -1;
    else
        p->nalts++;
    free(key);
    return r;
}

/* a NEAR b NEAR/3 c */
static qnode *parse_near(parser *p)
{
    bool alt = p->alt;
    qnode *first = leaf(p);
    p->alt = false;
    if (!first || p->cur.t != T_NEAR)
        return first;
    /* Joined by NEAR, a word is no alternative: count it as a term. */
    if (alt && first->kind == Q_WORD && first->field == FLD_TEXT && !count_term(p, first->col)) {
        qnode_free(first);
        return NULL;
    }
    qnode *n = qnode_new(p, Q_NEAR, first->col);
    if (!n) {
        qnode_free(first);
        return NULL;
    }
    n->window = p->cur.window;
    if (!add_kid(p, n, first))
        goto fail;
    while (p->cur.t == T_NEAR) {
        if (p->cur.window > n->window)
            n->window = p->cur.window;
        size_t col = p->cur.col;
        if (!lex(p))
            goto fail;
        qnode *k = leaf(p);
        if (!k || !add_kid(p, n, k))
            goto fail;
        if (k->kind != Q_WORD || k->field != FLD_TEXT) {
            perr(p, col, "NEAR joins plain words");
            goto fail;
        }
    }
    if (first->kind != Q_WORD || first->field != FLD_TEXT) {
        perr(p, first->col, "NEAR joins plain words");
        goto fail;
    }
    return n;
fail:
    qnode_free(n);
    return NULL;
}

/* A run of items: implicit AND (or OR for match "any"), +, -, NOT.  With
 * match "any", the plain words of the top level are alternatives: up to
 * CS_MAX_ANY_TERMS distinct ones, the rest dropped. */
static qnode *parse_and(parser *p)
{
    qnode *must[CS_MAX_QUERY_TERMS + 1], *not[CS_MAX_QUERY_TERMS + 1];
    qnode **should = NULL;
    size_t nm = 0, ns = 0, nn = 0, cap = 0, nother = 0;
    size_t col = p->cur.col;
    qnode *n = NULL;

    while (p->cur.t != T_END && p->cur.t != T_RPAREN && p->cur.t != T_OR) {
        ttype op = p->cur.t;
        if (op == T_AND) {
            if (nm + ns + nn == 0) {
                perr(p, p->cur.col, "'AND' needs a term before it");
                goto fail;
            }
            if (!lex(p))
                goto fail;
            if (p->cur.t == T_END || p->cur.t == T_RPAREN || p->cur.t == T_OR) {
                perr(p, p->cur.col, "'AND' needs a term after it");
                goto fail;
            }
            continue;
        }
        if (op == T_NOT || op == T_PLUS || op == T_MINUS) {
            size_t ocol = p->cur.col;
            if (!lex(p))
                goto fail;
            if (p->cur.t == T_END || p->cur.t == T_RPAREN || p->cur.t == T_OR ||
                p->cur.t == T_AND || p->cur.t == T_NOT) {
                perr(p, ocol, "'NOT', '+' or '-' needs a term after it");
                goto fail;
            }
        }
        if (op == T_NEAR) {
            perr(p, p->cur.col, "'NEAR' needs a word before it");
            goto fail;
        }
        p->alt = p->match_any && p->depth == 0 && op != T_NOT && op != T_PLUS && op != T_MINUS;
        bool alt = p->alt;
        qnode *item = parse_near(p);
        if (!item)
            goto fail;
        alt = alt && item->kind == Q_WORD && item->field == FLD_TEXT;
        bool filter = item->kind == Q_FACET || item->kind == Q_DATE;
        if (alt) {
            int r = admit_alt(p, item->text, strlen(item->text));
            if (r <= 0) {
                qnode_free(item);
                if (r < 0) {
                    pnomem(p);
                    goto fail;
                }
                continue;
            }
        }
        bool to_should = op != T_NOT && op != T_MINUS && op != T_PLUS && !filter &&
                         p->match_any;
        if (to_should && ns == cap) {
            size_t c = cap ? cap * 2 : 16;
            qnode **v = realloc(should, c * sizeof *v);
            if (!v) {
                qnode_free(item);
                pnomem(p);
                goto fail;
            }
            should = v;
            cap = c;
        }
        if (op == T_NOT || op == T_MINUS)
            not[nn++] = item;
        else if (op == T_PLUS || filter || !p->match_any)
            must[nm++] = item;
        else
            should[ns++] = item;
        nother += to_should && !alt;
        if (nm + nn + nother > CS_MAX_QUERY_TERMS) {
            plimit(p, CS_LIMIT_QUERY_TERMS, item->col, "query has more than %s terms",
                   CS_STR(CS_MAX_QUERY_TERMS));
            goto fail;
        }
    }
    if (nm + ns + nn == 0) {
        if (p->cur.t == T_RPAREN && p->depth == 0)
            perr(p, p->cur.col, "unexpected ')'");
        else
            perr(p, p->cur.col, "a term is missing");
        goto fail;
    }
    if (nm == 1 && ns == 0 && nn == 0) {
        free(should);
        return must[0];
    }
    if (ns == 1 && nm == 0 && nn == 0) {
        n = should[0];
        free(should);
        return n;
    }
    n = qnode_new(p, Q_BOOL, col);
    if (!n)
        goto fail;
    n->nmust = nm;
    n->nshould = ns;
    n->kids = malloc((nm + ns + nn) * sizeof *n->kids);
    if (!n->kids) {
        pnomem(p);
        goto fail;
    }
    memcpy(n->kids, must, nm * sizeof *must);
    if (ns)
        memcpy(n->kids + nm, should, ns * sizeof *should);
    memcpy(n->kids + nm + ns, not, nn * sizeof *not);
    n->nkids = nm + ns + nn;
    free(should);
    return n;
fail:
    if (n && n->kids) {
        free(should);
        qnode_free(n);
        return NULL;
    }
    free(n);
    for (size_t i = 0; i < nm; i++)
        qnode_free(must[i]);
    for (size_t i = 0; i < ns; i++)
        qnode_free(should[i]);
    free(should);
    for (size_t i = 0; i < nn; i++)
        qnode_free(not[i]);
    return NULL;
}

static qnode *parse_or(parser *p)
{
    qnode *first = parse_and(p);
    if (!first || p->cur.t != T_OR)
        return first;
    qnode *n = qnode_new(p, Q_OR, first->col);
    if (!n || !add_kid(p, n, first)) {
        if (!n)
            qnode_free(first);
        qnode_free(n);
        return NULL;
    }
    while (p->cur.t == T_OR) {
        size_t col = p->cur.col;
        if (!lex(p))
            goto fail;
        if (p->cur.t == T_END || p->cur.t == T_RPAREN || p->cur.t == T_OR) {
            perr(p, col, "'OR' needs a term after it");
            goto fail;
        }
        qnode *k = parse_and(p);
        if (!k || !add_kid(p, n, k))
            goto fail;
    }
    return n;
fail:
    qnode_free(n);
    return NULL;
}

/* --- lifting filters ------------------------------------------------------- */

static void restrict_dates(cs_query *q, const char *lo, const char *hi)
{
    if (lo[0] && (!q->date_lo[0] || strcmp(lo, q->date_lo) > 0))
        memcpy(q->date_lo, lo, 11);
    if (hi[0] && (!q->date_hi[0] || strcmp(hi, q->date_hi) < 0))
        memcpy(q->date_hi, hi, 11);
    q->has_date = true;
}

/* Move a filter leaf into the query's filter lists; true if it was one. */
static bool lift_leaf(cs_query *q, qnode *n, bool *oom)
{
    if (n->kind == Q_FACET) {
        if (!cs_strlist_add(&q->keys[n->facet], n->text))
            *oom = true;
        return true;
    }
    if (n->kind == Q_DATE) {
        restrict_dates(q, n->lo, n->hi);
        return true;
    }
    return false;
}

/* Lift the top-level filters out of the text tree. */
static bool lift(cs_query *q)
{
    bool oom = false;
    qnode *root = q->text;
    if (!root)
        return true;
    if (lift_leaf(q, root, &oom)) {
        qnode_free(root);
        q->text = NULL;
        return !oom;
    }
    if (root->kind != Q_BOOL)
        return true;
    size_t w = 0;
    for (size_t i = 0; i < root->nkids; i++) {
        qnode *k = root->kids[i];
        if (i < root->nmust && lift_leaf(q, k, &oom)) {
            qnode_free(k);
            continue;
        }
        root->kids[w++] = k;
    }
    root->nmust -= root->nkids - w;
    root->nkids = w;
    if (w == 0) {
        qnode_free(root);
        q->text = NULL;
    }
    return !oom;
}

/* --- plain text ------------------------------------------------------------ */

/* The words of plain text: each word the analyser finds (a hyphenated
 * compound is one word, as it is in the query language) becomes a plain
 * word node of the text it spans, so it is searched exactly as the same
 * word typed in the query language.  At most CS_MAX_QUERY_TERMS terms, or
 * with match "any" CS_MAX_ANY_TERMS distinct words (admit_alt) of at most
 * CS_MAX_QUERY_TERMS parts each. */
typedef struct plain {
    parser *p;
    qnode **words;
    size_t n, cap, nterms;
    size_t start, end;      /* the open word's bytes; end 0: none open */
    size_t parts;           /* the open word's parts */
    bool cut;               /* the text had more terms (match "all") */
    bool oom;
} plain;

static bool plain_flush(plain *w)
{
    if (w->end == 0)
        return true;
    size_t len = w->end - w->start;
    w->end = 0;
    if (w->p->match_any) {
        int r = admit_alt(w->p, w->p->s + w->start, len);
        if (r <= 0)
            return r == 0;
    }
    if (w->n == w->cap) {
        size_t c = w->cap ? w->cap * 2 : 16;
        qnode **v = realloc(w->words, c * sizeof *v);
        if (!v)
            return false;
        w->words = v;
        w->cap = c;
    }
    qnode *n = qnode_new(w->p, Q_WORD, w->start + 1);
    if (!n || !(n->text = cs_strndup(w->p->s + w->start, len))) {
        qnode_free(n);
        return false;
    }
    n->field = FLD_TEXT;
    w->words[w->n++] = n;
    return true;
}

static int plain_token(void *ctx, const cs_token *t)
{
    plain *w = ctx;
    if (t->flags & CS_TOK_VARIANT)
        return 0;               /* spans its primary token's bytes */
    bool cont = (t->flags & CS_TOK_COMPOUND_CONT) && w->end;
    if (w->p->match_any) {
        /* A compound's parts past CS_MAX_QUERY_TERMS are dropped. */
        if (cont && w->parts == CS_MAX_QUERY_TERMS)
            return 0;
    } else if (w->nterms == CS_MAX_QUERY_TERMS) {
        w->cut = true;
        return 1;
    }
    w->nterms++;
    if (cont) {
        w->end = t->end;
        w->parts++;
        return 0;
    }
    if (!plain_flush(w)) {
        w->oom = true;
        return 1;
    }
    w->start = t->start;
    w->end = t->end;
    w->parts = 1;
    return 0;
}

/* Plain text into q->text: its words, all required or (match_any)
 * alternatives; NULL when it has none.  False only when out of memory. */
static bool parse_plain(parser *p, cs_query *q)
{
    plain w = { .p = p };
    bool ok = cs_analyze(p->s, p->len, 1, plain_token, &w, NULL) >= 0 && !w.oom &&
              plain_flush(&w);
    if (ok && w.n && p->prefix && !w.cut) {
        qnode *last = w.words[w.n - 1];
        last->prefix = last->col - 1 + strlen(last->text) == p->len;
    }
    if (ok && w.n == 1) {
        q->text = w.words[0];
    } else if (ok && w.n > 1) {
        qnode *b = qnode_new(p, Q_BOOL, 1);
        if ((ok = b != NULL)) {
            b->kids = w.words;
            w.words = NULL;
            b->nkids = w.n;
            if (p->match_any)
                b->nshould = w.n;
            else
                b->nmust = w.n;
            q->text = b;
        }
    }
    if (!ok)
        for (size_t i = 0; i < w.n; i++)
            qnode_free(w.words[i]);
    if (ok && w.n == 1)
        w.words[0] = NULL;
    free(w.words);
    q->nterms = p->match_any ? p->nalts : w.nterms;
    return ok;
}

/* The query language into q; false with p->err set. */
static bool parse_query(parser *p, cs_query *q)
{
    const char *text = p->s;
    size_t len = p->len;
    size_t k = 0;
    while (k < len && is_space(text[k]))
        k++;
    if (k == len)
        return true;                    /* empty: everything */
    if (!lex(p))
        return false;
    q->text = parse_or(p);
    if (!q->text)
        return false;
    if (p->cur.t == T_RPAREN) {
        perr(p, p->cur.col, "unexpected ')'");
        return false;
    }
    q->nterms = p->nterms + p->nalts;
    if (!lift(q))
        return cs_err_nomem(p->err);
    return true;
}

bool cs_query_parse(const char *text, size_t len, const cs_query_opts *o, cs_query *q,
                    cs_err *err)
{
    assert((text || len == 0) && o);
    parser p = { text, len, 0, { 0 }, o->match_any, o->prefix, 0, 0, err, false,
                 false, { 0 }, 0 };
    memset(q, 0, sizeof *q);
    bool ok = o->plain ? parse_plain(&p, q) || cs_err_nomem(err) : parse_query(&p, q);
    cs_strmap_free(&p.alts);
    return ok;
}

bool cs_query_add_filter(cs_query *q, int f, const char *value)
{
    assert(f >= 0 && f < CS_NFACETS + CS_NATTRS);
    char *term = filter_term(f, value, strlen(value));
    bool ok = term && cs_strlist_add(&q->keys[f], term);
    free(term);
    return ok;
}

void cs_query_restrict_dates(cs_query *q, const char *lo, const char *hi)
{
    if (lo[0] || hi[0])
        restrict_dates(q, lo, hi);
}

bool cs_query_has_filter(const cs_query *q, int f)
{
    return q->keys[f].n > 0;
}

/* --- compiling ------------------------------------------------------------- */

typedef struct compiler {
    cs_query *q;
    cs_xs_reader *r;
    cs_err *err;
    bool failed;
} compiler;

static cs_xs_query *cerr(compiler *c, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cs_xs_query *cerr(compiler *c, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(c->err, &c->failed, col, fmt, ap);
    va_end(ap);
    return NULL;
}

/* cerr() for a query refused by limit lim (see plimit()). */
static cs_xs_query *climit(compiler *c, cs_limit lim, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static cs_xs_query *climit(compiler *c, cs_limit lim, size_t col, const char *fmt, ...)
{
    bool first = !c->failed;
    va_list ap;
    va_start(ap, fmt);
    verr(c->err, &c->failed, col, fmt, ap);
    va_end(ap);
    if (first)
        cs_err_limit(c->err, lim);
    return NULL;
}

static cs_xs_query *cnomem(compiler *c)
{
    if (!c->failed)
        cs_err_nomem(c->err);
    c->failed = true;
    return NULL;
}

static const char *field_prefix(int field)
{
    return field == FLD_TITLE ? CS_PREFIX_TITLE : field == FLD_SOURCE ? CS_PREFIX_SOURCE : "";
}

typedef struct toks {
    char term[CS_MAX_QUERY_TERMS][CS_MAX_TERM_BYTES + 1];
    unsigned flags[CS_MAX_QUERY_TERMS];
    size_t n;
    size_t end;                            /* byte after the last primary token */
    char joined[CS_MAX_TERM_BYTES + 1];    /* a compound's joined variant */
    bool overflow;
} toks;

static int collect(void *ctx, const cs_token *t)
{
    toks *k = ctx;
    if (t->flags & CS_TOK_VARIANT) {
        /* Keep only the joined form of a compound (it spans the parts). */
        if (k->n > 1 && (k->flags[0] & CS_TOK_COMPOUND_START))
            memcpy(k->joined, t->term, t->len + 1);
        return 0;
    }
    if (k->n == CS_MAX_QUERY_TERMS) {
        k->overflow = true;
        return 1;
    }
    memcpy(k->term[k->n], t->term, t->len + 1);
    k->flags[k->n++] = t->flags;
    k->end = t->end;
    return 0;
}

static bool add_hl(compiler *c, const char *raw, bool stem)
{
    char s[CS_MAX_TERM_BYTES + 8];
    if (!cs_strlist_add(&c->q->hl.raw, raw))
        return false;
    if (stem && cs_stem(raw, strlen(raw), s, sizeof s) &&
        !cs_strlist_add(&c->q->hl.stem, s))
        return false;
    return true;
}

static cs_xs_query *term_q(compiler *c, const char *prefix, const char *term, unsigned pos)
{
    char buf[CS_MAX_TERM_BYTES + 8];
    snprintf(buf, sizeof buf, "%s%s", prefix, term);
    cs_xs_query *q = cs_xs_query_term(buf, 1, pos);
    if (!q)
        cnomem(c);
    return q;
}

/* The stemmed form of a word, for bare words outside phrases. */
static cs_xs_query *stem_q(compiler *c, int field, const char *term, unsigned flags)
{
    char buf[CS_MAX_TERM_BYTES + 8];
    if (field == FLD_SOURCE || (flags & CS_TOK_NUMERIC))
        return term_q(c, field_prefix(field), term, 0);
    const char *pre = field == FLD_TITLE ? CS_PREFIX_TITLE_STEM : CS_PREFIX_STEM;
    size_t pl = strlen(pre);
    memcpy(buf, pre, pl);
    if (!cs_stem(term, strlen(term), buf + pl, sizeof buf - pl))
        return term_q(c, field_prefix(field), term, 0);
    cs_xs_query *q = cs_xs_query_term(buf, 1, 0);
    if (!q)
        cnomem(c);
    return q;
}

/* A phrase of raw terms; one term alone is just that term. */
static cs_xs_query *phrase_q(compiler *c, int field, const toks *k)
{
    cs_xs_query *sub[CS_MAX_QUERY_TERMS] = { 0 };
    size_t n = 0;
    cs_buf ph = { 0 };
    for (size_t i = 0; i < k->n; i++) {
        if (i)
            cs_buf_putc(&ph, ' ');
        cs_buf_puts(&ph, k->term[i]);
    }
    bool hl_ok = !ph.oom && (k->n == 1 ? add_hl(c, k->term[0], false)
                                       : cs_strlist_add(&c->q->hl.phrase, ph.s));
    cs_buf_free(&ph);
    if (!hl_ok)
        return cnomem(c);
    for (size_t i = 0; i < k->n; i++) {
        if (!(sub[n] = term_q(c, field_prefix(field), k->term[i], (unsigned)i + 1))) {
            for (size_t j = 0; j < n; j++)
                cs_xs_query_free(sub[j]);
            return cnomem(c);
        }
        n++;
    }
    if (n == 1)
        return sub[0];
    cs_xs_query *q = cs_xs_query_combine(CS_XS_OP_PHRASE, sub, n, 0);
    for (size_t j = 0; j < n; j++)
        cs_xs_query_free(sub[j]);
    return q ? q : cnomem(c);
}

typedef struct expansion {
    cs_strlist terms;
    bool oom;
} expansion;

static void on_expand(void *ctx, const char *term, size_t len, unsigned freq)
{
    expansion *e = ctx;
    (void)freq;
    char *s = cs_strndup(term, len);
    if (!s || !cs_strlist_add(&e->terms, s))
        e->oom = true;
    free(s);
}

static cs_xs_query *compile(compiler *c, const qnode *n);

/* Combine the n queries of sub (and free them): NULL for none (nothing
 * searchable, as in "&&"), the query itself for one. */
static cs_xs_query *combine_owned(compiler *c, cs_xs_op op, cs_xs_query **sub, size_t n,
                                   unsigned window)
{
    cs_xs_query *q = NULL;
    if (n == 1 && op != CS_XS_OP_NEAR)
        return sub[0];
    if (n > 0 && !(q = cs_xs_query_combine(op, sub, n, window)))
        cnomem(c);
    for (size_t i = 0; i < n; i++)
        cs_xs_query_free(sub[i]);
    return q;
}

static cs_xs_query *combine_kids(compiler *c, cs_xs_op op, qnode *const *kids,
                                  size_t nk, unsigned window)
{
    cs_xs_query **sub = calloc(nk ? nk : 1, sizeof *sub);
    size_t n = 0;
    cs_xs_query *q = NULL;
    if (!sub)
        return cnomem(c);
    for (size_t i = 0; i < nk; i++) {
        if (!(sub[n] = compile(c, kids[i])) && c->failed)
            goto out;
        if (sub[n])
            n++;
    }
    q = combine_owned(c, op, sub, n, window);
    n = 0;
out:
    for (size_t i = 0; i < n; i++)
        cs_xs_query_free(sub[i]);
    free(sub);
    return q;
}

/* A word being typed: q (the word itself, and so its stem, or its synonym
 * group) or the words term begins, the CS_MAX_PREFIX_EXPANSION most
 * frequent; all of them marked in snippets.  Frees q. */
static cs_xs_query *or_prefix(compiler *c, cs_xs_query *q, const char *term)
{
    cs_xs_query *v[2] = { q, cs_xs_query_prefix(term, CS_MAX_PREFIX_EXPANSION) };
    cs_xs_query *o = v[1] && cs_strlist_add(&c->q->hl.prefix, term)
                     ? cs_xs_query_combine(CS_XS_OP_OR, v, 2, 0) : NULL;
    cs_xs_query_free(v[0]);
    cs_xs_query_free(v[1]);
    return o ? o : cnomem(c);
}

/* The term of n when n is a word being typed that is long enough to be
 * matched as a prefix: one word, nothing after it, at least
 * CS_MIN_PREFIX_BYTES once normalised. */
static bool prefix_term(const qnode *n, char term[CS_MAX_TERM_BYTES + 1])
{
    toks one = { 0 };
    if (!n->prefix || cs_analyze(n->text, strlen(n->text), 1, collect, &one, NULL) != 0 ||
        one.n != 1 || one.end != strlen(n->text) || strlen(one.term[0]) < CS_MIN_PREFIX_BYTES)
        return false;
    memcpy(term, one.term[0], sizeof one.term[0]);
    return true;
}

static bool plain_word(const qnode *k)
{
    return k->kind == Q_WORD && k->field == FLD_TEXT;
}

/* The longest synonym group whose alternative is the words kids[i..):
 * returns how many words, 0 when none. */
static size_t synonym_at(qnode *const *kids, size_t i, size_t nk, int *group)
{
    const cs_gaz *g = cs_gaz_get();
    char key[512];
    size_t n = 0, best = 0;
    if (!g)
        return 0;
    for (size_t j = i; j < nk && j - i < g->synonyms.maxwords && plain_word(kids[j]); j++) {
        char *w = cs_gaz_stem_key(kids[j]->text, strlen(kids[j]->text));
        if (!w || !*w || strchr(w, ' ') || n + strlen(w) + 2 > sizeof key) {
            free(w);
            break;
        }
        if (n)
            key[n++] = ' ';
        memcpy(key + n, w, strlen(w) + 1);
        n += strlen(w);
        free(w);
        int v = cs_strmap_get(&g->synonyms.keys, key, n);
        if (v >= 0) {
            best = j - i + 1;
            *group = v;
        }
        if (cs_strmap_get(&g->synonyms.prefixes, key, n) < 0)
            break;
    }
    return best;
}

/* One alternative of a synonym group: a word by its stem, a phrase by
 * its words (and with its last word plural). */
static cs_xs_query *synonym_alt(compiler *c, const char *alt)
{
    toks *k = calloc(1, sizeof *k);
    cs_xs_query *q = NULL;
    if (!k)
        return cnomem(c);
    cs_analyze(alt, strlen(alt), 1, collect, k, NULL);
    if (k->n == 1) {
        if (add_hl(c, k->term[0], !(k->flags[0] & CS_TOK_NUMERIC)))
            q = stem_q(c, FLD_TEXT, k->term[0], k->flags[0]);
    } else if (k->n > 1) {
        cs_xs_query *one = phrase_q(c, FLD_TEXT, k);
        size_t ll = strlen(k->term[k->n - 1]);
        cs_xs_query *two = NULL;
        if (one && ll + 1 < sizeof k->term[0] && k->term[k->n - 1][ll - 1] != 's') {
            strcat(k->term[k->n - 1], "s");
            two = phrase_q(c, FLD_TEXT, k);
        }
        cs_xs_query *v[2] = { one, two };
        q = two ? cs_xs_query_combine(CS_XS_OP_OR, v, 2, 0) : one;
        if (two) {
            cs_xs_query_free(one);
            cs_xs_query_free(two);
        }
    }
    free(k);
    return q;
}

static cs_xs_query *synonym_q(compiler *c, int group)
{
    const cs_gaz *g = cs_gaz_get();
    cs_xs_query *sub[MAX_SYNONYM_ALTS];
    size_t n = 0;
    for (char **a = g->syn_alts[group]; *a && n < MAX_SYNONYM_ALTS; a++)
        if ((sub[n] = synonym_alt(c, *a)))
            n++;
    cs_xs_query *q = n ? cs_xs_query_combine(CS_XS_OP_SYNONYM, sub, n, 0) : NULL;
    for (size_t i = 0; i < n; i++)
        cs_xs_query_free(sub[i]);
    if (!q && !c->failed)
        cnomem(c);
    return q;
}

/* A sequence of required (AND) or alternative (OR) items: runs of plain
 * words that form a synonym ("clinical commissioning group", "CCG") become
 * the synonym group; stopwords among alternatives are dropped unless
 * nothing else is left.  Among alternatives a repeated word (by its stem)
 * or synonym group is searched once, its weight multiplied by its count:
 * the ranking of searching every repeat, without reading its postings
 * again.  (Xapian's query frequency, wqf, was tried instead: BM25's k3
 * saturates it and Cranfield's nDCG@10 fell, docs/ranking.md.)  Past
 * CS_ANY_ELITE_TERMS alternatives only the CS_ANY_ELITE_TERMS of highest
 * maximum weight are searched (Xapian's ELITE_SET). */
static cs_xs_query *compile_seq(compiler *c, cs_xs_op op, qnode *const *kids, size_t nk,
                                 bool drop_stopwords)
{
    cs_xs_query **sub = calloc(nk ? nk : 1, sizeof *sub);
    unsigned *count = calloc(nk ? nk : 1, sizeof *count);  /* its repeats */
    cs_strmap seen = { 0 };                                 /* key -> sub */
    size_t n = 0, dropped = 0;
    cs_xs_query *q = NULL;
    bool merge = op == CS_XS_OP_OR;
    if (!sub || !count) {
        cnomem(c);
        goto out;
    }
    for (int pass = 0; pass < 2 && n == 0; pass++) {
        cs_strmap_free(&seen);
        for (size_t i = 0; i < nk;) {
            int group;
            size_t run = synonym_at(kids, i, nk, &group);
            char key[32];
            char *wkey = NULL;
            if (run) {
                char pt[CS_MAX_TERM_BYTES + 1];
                /* A group repeated (with no word being typed) is searched once. */
                snprintf(key, sizeof key, "\x01%d", group);
                int at = merge && !kids[i + run - 1]->prefix
                         ? cs_strmap_get(&seen, key, strlen(key)) : -1;
                if (at >= 0) {
                    count[at]++;
                    i += run;
                    continue;
                }
                if (!(sub[n] = synonym_q(c, group)))
                    goto out;
                /* The speller leaves these words alone ("AO" is no
                 * misspelling of "ago"). */
                for (size_t j = i; j < i + run; j++)
                    kids[j]->synonym = true;
                /* A word being typed that makes a synonym ("ac" of "ACS")
                 * may be the start of another word too. */
                if (prefix_term(kids[i + run - 1], pt) && !(sub[n] = or_prefix(c, sub[n], pt)))
                    goto out;
                if (merge && !kids[i + run - 1]->prefix &&
                    !cs_strmap_put(&seen, key, strlen(key), (int)n)) {
                    cnomem(c);
                    goto out;
                }
                count[n++] = 1;
                i += run;
                continue;
            }
            if (pass == 0 && drop_stopwords && plain_word(kids[i]) && !kids[i]->prefix &&
                stop_word(kids[i]->text, strlen(kids[i]->text))) {
                dropped++;
                i++;
                continue;
            }
            if (merge && plain_word(kids[i]) && !kids[i]->prefix) {
                if (!(wkey = cs_gaz_stem_key(kids[i]->text, strlen(kids[i]->text)))) {
                    cnomem(c);
                    goto out;
                }
                int at = *wkey ? cs_strmap_get(&seen, wkey, strlen(wkey)) : -1;
                if (at >= 0) {
                    count[at]++;
                    free(wkey);
                    i++;
                    continue;
                }
            }
            if (!(sub[n] = compile(c, kids[i])) && c->failed) {
                free(wkey);
                goto out;
            }
            if (sub[n]) {
                if (wkey && *wkey && !cs_strmap_put(&seen, wkey, strlen(wkey), (int)n)) {
                    free(wkey);
                    cnomem(c);
                    goto out;
                }
                count[n++] = 1;
            }
            free(wkey);
            i++;
        }
        if (!dropped)
            break;                  /* the second pass would be the same */
    }
    for (size_t i = 0; i < n; i++) {
        if (count[i] < 2)
            continue;
        cs_xs_query *w = cs_xs_query_scale(sub[i], count[i]);
        if (!w) {
            cnomem(c);
            goto out;
        }
        cs_xs_query_free(sub[i]);
        sub[i] = w;
    }
    if (merge && n > CS_ANY_ELITE_TERMS)
        q = combine_owned(c, CS_XS_OP_ELITE_SET, sub, n, CS_ANY_ELITE_TERMS);
    else
        q = combine_owned(c, op, sub, n, 0);
    n = 0;
out:
    for (size_t i = 0; i < n; i++)
        cs_xs_query_free(sub[i]);
    free(sub);
    free(count);
    cs_strmap_free(&seen);
    return q;
}

static cs_xs_query *compile_bool(compiler *c, const qnode *n)
{
    cs_xs_query *must = NULL, *should = NULL, *not = NULL, *base = NULL, *q = NULL;
    size_t nnot = n->nkids - n->nmust - n->nshould;
    cs_xs_query *filt[CS_MAX_QUERY_TERMS + 1];
    size_t nf = 0;

    /* Required filters (when not lifted: inside brackets) filter without
     * weight; required words are AND-ed. */
    qnode *words[CS_MAX_QUERY_TERMS + 1];
    size_t nw = 0;
    for (size_t i = 0; i < n->nmust; i++) {
        qnode *k = n->kids[i];
        if (k->kind == Q_FACET || k->kind == Q_DATE) {
            if (!(filt[nf] = compile(c, k)))
                goto out;
            nf++;
        } else {
            words[nw++] = k;
        }
    }
    if (nw && !(must = compile_seq(c, CS_XS_OP_AND, words, nw, false)) && c->failed)
        goto out;
    if (n->nshould && !(should = compile_seq(c, CS_XS_OP_OR, n->kids + n->nmust, n->nshould,
                                             true)) && c->failed)
        goto out;
    if (nnot && !(not = combine_kids(c, CS_XS_OP_OR, n->kids + n->nmust + n->nshould, nnot, 0)) &&
        c->failed)
        goto out;

    if (must && should) {
        cs_xs_query *v[2] = { must, should };
        base = cs_xs_query_combine(CS_XS_OP_AND_MAYBE, v, 2, 0);
    } else if (must || should) {
        base = must ? must : should;
        if (must)
            must = NULL;
        else
            should = NULL;
    } else if (nw || n->nshould) {
        base = cs_xs_query_match_nothing();    /* words with no terms */
    } else {
        base = cs_xs_query_match_all();
    }
    if (!base) {
        cnomem(c);
        goto out;
    }
    if (nf) {
        cs_xs_query *v[CS_MAX_QUERY_TERMS + 2];
        v[0] = base;
        memcpy(v + 1, filt, nf * sizeof *filt);
        cs_xs_query *f = cs_xs_query_combine(CS_XS_OP_FILTER, v, nf + 1, 0);
        cs_xs_query_free(base);
        if (!(base = f)) {
            cnomem(c);
            goto out;
        }
    }
    if (not) {
        cs_xs_query *v[2] = { base, not };
        q = cs_xs_query_combine(CS_XS_OP_AND_NOT, v, 2, 0);
        if (!q)
            cnomem(c);
    } else {
        q = base;
        base = NULL;
    }
out:
    for (size_t i = 0; i < nf; i++)
        cs_xs_query_free(filt[i]);
    cs_xs_query_free(must);
    cs_xs_query_free(should);
    cs_xs_query_free(not);
    cs_xs_query_free(base);
    return q;
}

static cs_xs_query *compile(compiler *c, const qnode *n)
{
    toks *k = NULL;
    cs_xs_query *q = NULL;

    switch (n->kind) {
    case Q_FACET:
        q = cs_xs_query_term(n->text, 1, 0);
        return q ? q : cnomem(c);
    case Q_DATE:
        q = cs_xs_query_value_range(CS_SLOT_DATE, n->lo[0] ? n->lo : NULL,
                                     n->hi[0] ? n->hi : NULL);
        return q ? q : cnomem(c);
    case Q_BOOL:
        return compile_bool(c, n);
    case Q_OR:
        return combine_kids(c, CS_XS_OP_OR, n->kids, n->nkids, 0);
    case Q_NEAR: {
        /* NEAR works on the words' exact (unstemmed) terms. */
        cs_xs_query *sub[CS_MAX_QUERY_TERMS] = { 0 };
        size_t ns = 0;
        for (size_t i = 0; i < n->nkids; i++) {
            toks one = { 0 };
            cs_analyze(n->kids[i]->text, strlen(n->kids[i]->text), 1, collect, &one, NULL);
            if (one.n != 1) {
                for (size_t j = 0; j < ns; j++)
                    cs_xs_query_free(sub[j]);
                return cerr(c, n->kids[i]->col, "NEAR joins single words");
            }
            if (!add_hl(c, one.term[0], false) || !(sub[ns] = term_q(c, "", one.term[0], 0))) {
                for (size_t j = 0; j < ns; j++)
                    cs_xs_query_free(sub[j]);
                return cnomem(c);
            }
            ns++;
        }
        q = cs_xs_query_combine(CS_XS_OP_NEAR, sub, ns, n->window);
        for (size_t j = 0; j < ns; j++)
            cs_xs_query_free(sub[j]);
        return q ? q : cnomem(c);
    }
    case Q_WORD:
    case Q_PHRASE:
    case Q_WILD:
        break;
    }

    if (!(k = calloc(1, sizeof *k)))
        return cnomem(c);
    if (cs_analyze(n->text, strlen(n->text), 1, collect, k, NULL) < 0) {
        free(k);
        return cnomem(c);
    }
    if (k->overflow) {
        free(k);
        return climit(c, CS_LIMIT_QUERY_TERMS, n->col, "query has more than %s terms",
                      CS_STR(CS_MAX_QUERY_TERMS));
    }
    if (k->n == 0) {
        free(k);
        return NULL;                    /* punctuation only: ignored */
    }

    if (n->kind == Q_WILD) {
        if (k->n != 1) {
            free(k);
            return cerr(c, n->col, "a wildcard must follow a single word");
        }
        expansion e = { { 0 }, false };
        char prefix[CS_MAX_TERM_BYTES + 8];
        snprintf(prefix, sizeof prefix, "%s%s", field_prefix(n->field), k->term[0]);
        int more = 0;
        cs_xs_status st = cs_xs_reader_terms(c->r, prefix, CS_MAX_WILDCARD_EXPANSION,
                                               on_expand, &e, &more);
        if (st != CS_XS_OK || e.oom) {
            cs_strlist_free(&e.terms);
            free(k);
            return cerr(c, n->col, "cannot expand the wildcard");
        }
        if (more) {
            cs_strlist_free(&e.terms);
            climit(c, CS_LIMIT_WILDCARD_EXPANSION, n->col, "more than "
                   CS_STR(CS_MAX_WILDCARD_EXPANSION) " words start with '%s'; make the "
                   "wildcard longer", k->term[0]);
            free(k);
            return NULL;
        }
        cs_xs_query **sub = calloc(e.terms.n ? e.terms.n : 1, sizeof *sub);
        size_t ns = 0;
        bool ok = sub != NULL;
        for (size_t i = 0; ok && i < e.terms.n; i++) {
            /* The callback gave terms without the prefix: add it back. */
            char full[CS_MAX_TERM_BYTES * 2 + 8];
            snprintf(full, sizeof full, "%s%s", prefix, e.terms.v[i]);
            ok = (sub[ns] = cs_xs_query_term(full, 1, 0)) != NULL &&
                 add_hl(c, full + strlen(field_prefix(n->field)), false);
            if (sub[ns])
                ns++;
        }
        if (ok)
            q = ns ? cs_xs_query_combine(CS_XS_OP_SYNONYM, sub, ns, 0)
                   : cs_xs_query_match_nothing();
        for (size_t i = 0; i < ns; i++)
            cs_xs_query_free(sub[i]);
        free(sub);
        cs_strlist_free(&e.terms);
        free(k);
        return q ? q : cnomem(c);
    }

    if (n->kind == Q_PHRASE || k->n > 1) {
        /* A phrase, or a word that analyses to several (mid-2019): its
         * parts in order, or, for a compound, the parts joined. */
        q = phrase_q(c, n->field, k);
        if (q && n->kind == Q_WORD && k->joined[0] && n->field != FLD_SOURCE) {
            cs_xs_query *j = term_q(c, field_prefix(n->field), k->joined, 0);
            cs_xs_query *v[2] = { q, j };
            cs_xs_query *o = j ? cs_xs_query_combine(CS_XS_OP_OR, v, 2, 0) : NULL;
            cs_xs_query_free(j);
            cs_xs_query_free(q);
            q = o ? o : cnomem(c);
        }
        free(k);
        return q;
    }
    if (!add_hl(c, k->term[0], !(k->flags[0] & CS_TOK_NUMERIC))) {
        free(k);
        return cnomem(c);
    }
    char pt[CS_MAX_TERM_BYTES + 1];
    q = stem_q(c, n->field, k->term[0], k->flags[0]);
    if (q && prefix_term(n, pt))
        q = or_prefix(c, q, pt);
    free(k);
    return q;
}

bool cs_query_compile(cs_query *q, cs_xs_reader *r, cs_err *err)
{
    assert(q && r);
    compiler c = { q, r, err, false };
    cs_xs_query_free(q->compiled_text);
    q->compiled_text = NULL;
    if (!q->text)
        return true;
    /* A query of one plain word may be a synonym ("CCG"). */
    q->compiled_text = plain_word(q->text) ? compile_seq(&c, CS_XS_OP_AND, &q->text, 1, false)
                                           : compile(&c, q->text);
    if (c.failed)
        return false;
    if (!q->compiled_text) {
        /* Text with nothing searchable in it matches nothing. */
        if (!(q->compiled_text = cs_xs_query_match_nothing()))
            return cs_err_nomem(err);
    }
    return true;
}

cs_xs_query *cs_query_build(const cs_query *q, int skip_facet)
{
    cs_xs_query *parts[CS_NFACETS + CS_NATTRS + 2];
    cs_xs_query *owned[CS_NFACETS + CS_NATTRS + 2];
    size_t np = 0, no = 0;
    cs_xs_query *base = q->compiled_text, *result = NULL;

    if (!base) {
        if (!(base = owned[no++] = cs_xs_query_match_all()))
            goto out;
    }
    parts[np++] = base;
    for (int f = 0; f < CS_NFACETS + CS_NATTRS; f++) {
        if (f == skip_facet || q->keys[f].n == 0)
            continue;
        cs_xs_query *terms[CS_MAX_QUERY_TERMS * 2];
        size_t nt = 0;
        for (size_t i = 0; i < q->keys[f].n && nt < CS_MAX_QUERY_TERMS * 2; i++)
            if ((terms[nt] = cs_xs_query_term(q->keys[f].v[i], 1, 0)))
                nt++;
        cs_xs_query *any = cs_xs_query_combine(CS_XS_OP_OR, terms, nt, 0);
        for (size_t i = 0; i < nt; i++)
            cs_xs_query_free(terms[i]);
        if (!any)
            goto out;
        parts[np++] = owned[no++] = any;
    }
    if (q->has_date) {
        cs_xs_query *d = cs_xs_query_value_range(CS_SLOT_DATE,
                                                   q->date_lo[0] ? q->date_lo : NULL,
                                                   q->date_hi[0] ? q->date_hi : NULL);
        if (!d)
            goto out;
        parts[np++] = owned[no++] = d;
    }
    result = np == 1 ? cs_xs_query_combine(CS_XS_OP_AND, parts, 1, 0)
                     : cs_xs_query_combine(CS_XS_OP_FILTER, parts, np, 0);
out:
    for (size_t i = 0; i < no; i++)
        cs_xs_query_free(owned[i]);
    return result;
}

void cs_query_free(cs_query *q)
{
    if (!q)
        return;
    qnode_free(q->text);
    for (int f = 0; f < CS_NFACETS + CS_NATTRS; f++)
        cs_strlist_free(&q->keys[f]);
    cs_xs_query_free(q->compiled_text);
    cs_strlist_free(&q->hl.raw);
    cs_strlist_free(&q->hl.stem);
    cs_strlist_free(&q->hl.phrase);
    cs_strlist_free(&q->hl.prefix);
    memset(q, 0, sizeof *q);
}

/* --- spelling ------------------------------------------------------------- */

typedef struct fix {
    size_t at, len;         /* bytes of the query text replaced */
    char *with;
} fix;

typedef struct speller {
    cs_xs_reader *r;
    const char *text;
    fix fixes[CS_MAX_QUERY_TERMS];
    size_t n;
    bool oom;
} speller;

static void spell_node(speller *sp, const qnode *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        spell_node(sp, n->kids[i]);
    /* A word being typed is not misspelt, only unfinished. */
    if (n->kind != Q_WORD || n->field != FLD_TEXT || n->prefix || sp->n == CS_MAX_QUERY_TERMS)
        return;
    toks one = { 0 };
    cs_analyze(n->text, strlen(n->text), 1, collect, &one, NULL);
    if (one.n != 1 || (one.flags[0] & CS_TOK_NUMERIC) || one.term[0][0] == '\0')
        return;
    /* A word that found documents, as typed, by its stem or as a synonym
     * the vocabulary knows, is no misspelling: "officering" finds
     * "officer" by its stem and "AO" finds "accountable officer". */
    unsigned freq = 1;
    if (n->synonym || cs_xs_reader_termfreq(sp->r, one.term[0], &freq) != CS_XS_OK || freq > 0)
        return;
    char stem[CS_MAX_TERM_BYTES + 8];
    size_t pl = strlen(CS_PREFIX_STEM);
    memcpy(stem, CS_PREFIX_STEM, pl);
    if (cs_stem(one.term[0], strlen(one.term[0]), stem + pl, sizeof stem - pl) &&
        (cs_xs_reader_termfreq(sp->r, stem, &freq) != CS_XS_OK || freq > 0))
        return;
    const char *sug = NULL;
    if (cs_xs_reader_spell(sp->r, one.term[0], &sug) != CS_XS_OK || !sug || !*sug ||
        strcmp(sug, one.term[0]) == 0)
        return;
    /* The word as typed sits at its column in the query text. */
    size_t at = n->col - 1, len = strlen(n->text);
    if (at + len > strlen(sp->text) || strncmp(sp->text + at, n->text, len) != 0)
        return;
    char *w = cs_strdup(sug);
    if (!w) {
        sp->oom = true;
        return;
    }
    sp->fixes[sp->n++] = (fix){ at, len, w };
}

static int by_at(const void *a, const void *b)
{
    const fix *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

bool cs_query_spell(const cs_query *q, cs_xs_reader *r, const char *text, char **corrected)
{
    speller sp = { .r = r, .text = text };
    *corrected = NULL;
    if (!q->text)
        return true;
    spell_node(&sp, q->text);
    if (sp.n > 0 && !sp.oom) {
        qsort(sp.fixes, sp.n, sizeof sp.fixes[0], by_at);
        cs_buf b = { 0 };
        size_t pos = 0;
        for (size_t i = 0; i < sp.n; i++) {
            cs_buf_add(&b, text + pos, sp.fixes[i].at - pos);
            cs_buf_puts(&b, sp.fixes[i].with);
            pos = sp.fixes[i].at + sp.fixes[i].len;
        }
        cs_buf_puts(&b, text + pos);
        *corrected = cs_buf_take(&b);
        sp.oom = !*corrected;
    }
    for (size_t i = 0; i < sp.n; i++)
        free(sp.fixes[i].with);
    return !sp.oom;
}
