/* Pass "roles": the role vocabulary (data/roles.tsv), qualifiers dropped,
 * and patterns ("director of X", "X director", "chief X officer", "leader
 * of X Council"); and the predicates other passes ask of roles. */
#include "entities/internal.h"
#include "core/util.h"

#include <assert.h>
#include <string.h>

/* Does a role start at token i (after qualifiers)? */
bool ex_role_at(const ex *x, size_t i)
{
    int idx;
    while (ex_qualifier(x, i))
        i++;
    return ex_match_at(x, &x->g->role, i, x->n, &idx) > i ||
           (ex_is(x, i, "director") || ex_is(x, i, "chief") || ex_is(x, i, "head"));
}

/* Roles held outside any CCG: a relation with them never defaults to the
 * document's CCG. */
bool ex_civic_role(const ex *x, const char *r)
{
    return cs_words_has(&x->g->civic_roles, r);
}

/* A role held outside any CCG at token i ("MP", "councillor"). */
bool ex_civic_role_at(const ex *x, size_t i)
{
    int idx;
    while (ex_qualifier(x, i))
        i++;
    return ex_match_at(x, &x->g->role, i, x->n, &idx) > i &&
           ex_civic_role(x, x->g->role.names[idx]);
}

/* Words that end a "director of ..." complement. */
static bool complement_word(const ex *x, size_t i)
{
    if (!ex_word(x, i) || !ex_free_tok(x, i))
        return false;
    return !ex_in(x, i, &x->g->complement_stops) && !(x->t[i].f & EX_T_DIGIT);
}

/* "director of operations and corporate affairs": the complement after
 * "of"/"for" at i; returns its end. */
static size_t complement(const ex *x, size_t i)
{
    size_t e = i;
    while (e < x->n && e - i < 8 && x->t[e].sent == x->t[i].sent) {
        if (complement_word(x, e)) {
            e++;
            continue;
        }
        /* "quality and nursing", but not "safeguarding and executive
         * director for ...": a role after "and" is another role. */
        if ((ex_is(x, e, "and") || ex_is(x, e, "&")) && complement_word(x, e + 1) &&
            !ex_role_at(x, e + 1)) {
            e++;
            continue;
        }
        break;
    }
    while (e > i && (ex_is(x, e - 1, "and") || ex_is(x, e - 1, "&") || ex_is(x, e - 1, ",")))
        e--;
    return e;
}

/* The role text of tokens [a, b) in canonical form: lower case, "&" as
 * "and", hyphens kept for "co-chair" style words. */
static char *role_text(const ex *x, size_t a, size_t b)
{
    assert(a < b && b <= x->n);
    cs_buf o = { 0 };
    for (size_t i = a; i < b; i++) {
        const ex_tok *t = &x->t[i];
        if (t->f & EX_T_POSS)
            continue;
        if (t->f & EX_T_HYPHEN) {
            cs_buf_putc(&o, '-');
            continue;
        }
        if (t->f & EX_T_PUNCT) {
            if (strcmp(t->norm, "&") == 0) {
                cs_buf_puts(&o, " and");
                continue;
            }
            if (strcmp(t->norm, ",") == 0)
                continue;
        }
        if (o.len && !(i > a && (x->t[i - 1].f & EX_T_HYPHEN)))
            cs_buf_putc(&o, ' ');
        cs_buf_puts(&o, t->norm);
    }
    return cs_buf_take(&o);
}

static void add_role_text(ex *x, size_t a, size_t b, size_t ta, size_t tb)
{
    ex_add_made(x, EX_M_ROLE, a, b, role_text(x, ta, tb));
}

void ex_find_roles(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if (!ex_word(x, i) || !ex_free_tok(x, i))
            continue;
        size_t q = i;       /* after qualifiers */
        while (ex_free_tok(x, q) && ex_qualifier(x, q))
            q++;
        int idx;
        size_t e = ex_match_at(x, &x->g->role, q, x->n, &idx);
        /* "chief X officer", "chief X and Y officer" */
        if (ex_is(x, q, "chief")) {
            size_t k = q + 1;
            while (k < x->n && k - q < 5 && (complement_word(x, k) || ex_is(x, k, "and") ||
                                              ex_is(x, k, "&")) && !ex_is(x, k, "officer"))
                k++;
            if (ex_is(x, k, "officer") && k > q + 1 && k + 1 > e) {
                add_role_text(x, i, k + 1, q, k + 1);
                i = k;
                continue;
            }
        }
        /* "director of X" / "head of X" / "executive director for X" */
        if ((ex_is(x, q, "director") || ex_is(x, q, "head") ||
             (ex_is(x, q, "executive") && ex_is(x, q + 1, "director"))) && e <= q + 2) {
            size_t d = ex_is(x, q, "executive") ? q + 2 : q + 1;
            if (ex_is(x, d, "of") || ex_is(x, d, "for")) {
                size_t c = complement(x, d + 1);
                if (c > d + 1) {
                    add_role_text(x, i, c, q, c);
                    i = c - 1;
                    continue;
                }
                /* "the director of another region": a director. */
                if (ex_is(x, q, "director") && q + 1 == d) {
                    ex_add_mention(x, EX_M_ROLE, i, q + 1, "director", 8);
                    continue;
                }
            }
        }
        /* "X director": one to three lower-case words before "director". */
        if (ex_is(x, q, "director") && e <= q + 1 && q == i) {
            /* Modifiers match the title's case: "locality director",
             * "Corporate Services and Governance Director". */
            bool title_case = ex_cap(x, q);
            size_t a = q;
            while (a > 0 && q - a < 5) {
                size_t p = a - 1;
                bool ok = ex_word(x, p) && ex_free_tok(x, p) && complement_word(x, p) &&
                          !(x->t[p].f & EX_T_UPPER) &&
                          (title_case ? ex_cap(x, p) : !ex_cap(x, p)) && !ex_qualifier(x, p);
                /* "Services and Governance" inside a title-case title. */
                if (!ok && title_case && (ex_is(x, p, "and") || ex_is(x, p, "&")) && p > 0 &&
                    ex_cap(x, p - 1) && a < q)
                    ok = true;
                if (!ok)
                    break;
                a = p;
            }
            while (a < q && (ex_is(x, a, "and") || ex_is(x, a, "&")))
                a++;
            if (a < q) {
                add_role_text(x, a, q + 1, a, q + 1);
                continue;
            }
        }
        if (e == q)
            continue;
        /* "Leader of X Council" */
        const char *name = x->g->role.names[idx];
        ex_add_mention(x, EX_M_ROLE, i, e, name, strlen(name));
        i = e - 1;
    }
    /* "Leader of North Devon Council", "North Devon Council Leader": a
     * council leader. */
    for (size_t i = 0; i + 2 < x->n; i++) {
        if (!ex_is(x, i, "leader") || !ex_free_tok(x, i))
            continue;
        bool before = i > 0 && x->t[i - 1].owner >= 0 && x->m[x->t[i - 1].owner].kind == EX_M_ORG &&
                      (ex_is(x, i - 1, "council") || ex_is(x, i - 1, "councils"));
        bool after = ex_is(x, i + 1, "of") && x->t[i + 2].owner >= 0 &&
                     x->m[x->t[i + 2].owner].kind == EX_M_ORG;
        if (before || after)
            ex_add_mention(x, EX_M_ROLE, i, i + 1, "council leader", 14);
    }
}
