/* The matching kernel and the mention store: keys of token spans, the
 * longest gazetteer name at a token, and mentions that claim their tokens;
 * see internal.h. */
#include "entities/internal.h"
#include "vocab/words.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The key of tokens [a, b): words joined by spaces, "&" as "and",
 * hyphens and possessives skipped, commas skipped when allowed.  False
 * when another token is in the way or the key is too long. */
bool ex_span_key(const ex *x, size_t a, size_t b, bool commas, char *key, size_t cap)
{
    assert(a <= b && b <= x->n && cap > 0);
    size_t n = 0;
    key[0] = '\0';
    for (size_t i = a; i < b; i++) {
        const ex_tok *t = &x->t[i];
        const char *w = t->norm;
        if (ex_skippable(t))
            continue;
        /* An acronym in brackets inside a name: "North East and West (NEW)
         * Devon". */
        if (strcmp(w, "(") == 0 && i + 2 < b && (x->t[i + 1].f & EX_T_UPPER) &&
            strcmp(x->t[i + 2].norm, ")") == 0) {
            i += 2;
            continue;
        }
        if (t->f & EX_T_PUNCT) {
            if (strcmp(w, "&") == 0)
                w = "and";
            else if (commas && strcmp(w, ",") == 0)
                continue;
            else
                return false;
        }
        if (!ex_key_add(key, cap, &n, w))
            return false;
    }
    return n > 0 && !ex_skippable(&x->t[a]) && !ex_skippable(&x->t[b - 1]);
}

/* The longest name of table t starting at token i and ending by limit;
 * returns its end (exclusive), or i when none, and the name index. */
size_t ex_match_at(const ex *x, const cs_table *t, size_t i, size_t limit, int *idx)
{
    assert(limit <= x->n);
    char key[KEY_MAX];
    size_t n = 0, best = i;
    uint64_t h = CS_STRMAP_HASH0;       /* of key, grown with it */
    /* Most words start no name, and their tokens remember it. */
    if (!ex_word(x, i) || (!ex_in(x, i, &t->keys) && !ex_in(x, i, &t->prefixes)))
        return i;
    key[0] = '\0';
    for (size_t j = i; j < limit && j < i + MAX_SPAN; j++) {
        const ex_tok *k = &x->t[j];
        const char *w = k->norm;
        if (ex_skippable(k))
            continue;
        if (k->f & EX_T_PUNCT) {
            if (strcmp(w, "&") != 0)
                break;
            w = "and";
        }
        size_t was = n;
        if (!ex_key_add(key, sizeof key, &n, w))
            break;
        h = cs_strmap_hash(h, key + was, n - was);
        int v = cs_strmap_get_hashed(&t->keys, key, n, h);
        if (v >= 0) {
            best = j + 1;
            *idx = v;
        }
        if (cs_strmap_get_hashed(&t->prefixes, key, n, h) < 0)
            break;
    }
    return best;
}

int ex_count_at(const ex *x, size_t i)
{
    if (i >= x->n)
        return 0;
    if ((x->t[i].f & EX_T_DIGIT) && x->t[i].len <= 3)
        return atoi(x->t[i].norm);
    for (int d = 0; cs_number_words[d]; d++)
        if (ex_is(x, i, cs_number_words[d]))
            return d;
    return 0;
}

/* The name of table t spanning exactly tokens [a, b), or -1. */
int ex_match_exact(const ex *x, const cs_table *t, size_t a, size_t b, bool commas)
{
    char key[KEY_MAX];
    if (!ex_span_key(x, a, b, commas, key, sizeof key))
        return -1;
    return cs_strmap_get(&t->keys, key, strlen(key));
}

int ex_add_mention(ex *x, enum ex_kind kind, size_t a, size_t b, const char *value, size_t vlen)
{
    /* A mention has a token at least: the trace and the relations read its
     * first token's sentence. */
    assert(a < b && b <= x->n);
    if (x->nm == x->capm) {
        size_t cap = x->capm ? x->capm * 2 : 64;
        ex_mention *m = realloc(x->m, cap * sizeof *m);
        if (!m) {
            x->oom = true;
            return -1;
        }
        x->m = m;
        x->capm = cap;
    }
    /* Values are shown on one line: a name broken across lines of the
     * text ("High\nCourt") is one name; an organisation named with its
     * article ("the Treasury") is named without it. */
    if (kind == EX_M_ORG && vlen > 4 && strncasecmp(value, "the ", 4) == 0) {
        value += 4;
        vlen -= 4;
    }
    char *v = malloc(vlen + 1);
    if (!v) {
        x->oom = true;
        return -1;
    }
    size_t o = 0;
    for (size_t k = 0; k < vlen; k++) {
        char ch = value[k];
        if (ch == '\n' || ch == '\r' || ch == '\t')
            ch = ' ';
        if (ch == ' ' && (o == 0 || v[o - 1] == ' '))
            continue;
        v[o++] = ch;
    }
    while (o > 0 && v[o - 1] == ' ')
        o--;
    v[o] = '\0';
    int id = (int)x->nm++;
    x->m[id] = (ex_mention){ kind, a, b, v, 0, x->pass };
    for (size_t i = a; i < b; i++)
        if (x->t[i].owner < 0)
            x->t[i].owner = id;
    return id;
}

/* Add a mention whose value was just made (and free it); NULL is oom. */
void ex_add_made(ex *x, enum ex_kind kind, size_t a, size_t b, char *value)
{
    if (!value) {
        x->oom = true;
        return;
    }
    ex_add_mention(x, kind, a, b, value, strlen(value));
    free(value);
}

/* The longest synonym (data/synonyms.txt, "stp | sustainability and
 * transformation partnership") that words [k, b) start with, in tokens
 * (0: none), and its group; its last word may be plural ("CCGs",
 * "Clinical Commissioning Groups"), from the gazetteer's syn_forms. */
size_t ex_synonym_at(const ex *x, size_t k, size_t b, int *g)
{
    return ex_match_at(x, &x->g->syn_forms, k, b, g) - k;
}
