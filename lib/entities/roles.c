/* Pass "roles": the role vocabulary (data/roles.tsv), qualifiers dropped;
 * the title grammar (modifiers of data/role_modifiers.txt, a head of
 * data/role_heads.tsv or of the vocabulary, the head's portfolio:
 * "strategic director for adult social care", "governing body GP
 * representative"); patterns ("director of X", "X director", "chief X
 * officer", "leader of X Council"); and the predicates other passes ask of
 * roles. */
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

/* Does a title of the grammar start at token i ("Independent Chair",
 * "Executive Lead for Finance")? */
static size_t title_at(const ex *x, size_t q, char **made);

bool ex_title_at(const ex *x, size_t i)
{
    return title_at(x, i, NULL) > i;
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

/* Is the comma at token c one between the items of a portfolio
 * ("commissioning, strategy and delivery")?  Words, then "and" and a word,
 * within MAX_PORTFOLIO_ITEM tokens, with no other mark between. */
static bool comma_in_portfolio(const ex *x, size_t c)
{
    for (size_t k = c + 1; k < x->n && k - c <= MAX_PORTFOLIO_ITEM; k++) {
        if ((ex_is(x, k, "and") || ex_is(x, k, "&")) && complement_word(x, k + 1))
            return k > c + 1;
        if (!complement_word(x, k))
            return false;
    }
    return false;
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
        /* "commissioning, strategy and delivery": a comma inside a
         * portfolio whose last item comes after "and". */
        if (ex_is(x, e, ",") && complement_word(x, e + 1) && !ex_role_at(x, e + 1) &&
            comma_in_portfolio(x, e)) {
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
            if (strcmp(t->norm, ",") == 0) {
                /* Kept inside a portfolio ("commissioning, strategy and
                 * delivery"), never at its ends. */
                if (i > a && i + 1 < b)
                    cs_buf_putc(&o, ',');
                continue;
            }
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

/* A word of a title read by the grammar: free, and in the title's case
 * (a title that starts in lower case has no capital but acronyms:
 * "governing body GP representative"; one that starts with a capital may
 * go on in either, "Nurse representative", "Executive Lead"). */
static bool title_word(const ex *x, size_t k, bool caps)
{
    if (!ex_word(x, k) || !ex_free_tok(x, k))
        return false;
    return caps || (x->t[k].f & EX_T_UPPER) || !ex_cap(x, k);
}

/* "named", "appointed": a participle before a title ("named strategic
 * director"), not a word of it. */
static bool participle(const ex *x, size_t k)
{
    size_t n = strlen(x->t[k].norm);
    return n > 3 && strcmp(x->t[k].norm + n - 2, "ed") == 0;
}

/* "groups", "posts": what looks like a plural noun ("is", "was" and the
 * like are complement stops, never asked). */
static bool plural_noun(const ex *x, size_t k)
{
    size_t n = strlen(x->t[k].norm);
    return n > 3 && x->t[k].norm[n - 1] == 's' && x->t[k].norm[n - 2] != 's';
}

/* Is "director" among the next MAX_TITLE_WORDS words from q? */
static bool director_after(const ex *x, size_t q)
{
    for (size_t k = q; k < x->n && k - q < MAX_TITLE_WORDS && ex_word(x, k); k++)
        if (ex_is(x, k, "director"))
            return true;
    return false;
}

/* The title grammar at token q: modifiers (data/role_modifiers.txt), then
 * a head (data/role_heads.tsv) or a
 * role of the vocabulary, then for a head that takes one a portfolio:
 *   "strategic director for adult social care and health"
 *   "executive lead for finance", "safeguarding health executive lead"
 *   "governing body GP representative", "clinical chief officer"
 *   "corporate and governance officer", "independent chair"
 * At least one modifier, at most MAX_TITLE_WORDS words before the
 * portfolio; a head alone is a title only when listed so ("mayor").
 * Returns the title's end (q when none) and sets *made to its text
 * (malloc'd; NULL when out of memory, or when the title is the
 * vocabulary's role alone, which the caller writes canonically). */
static size_t title_at(const ex *x, size_t q, char **made)
{
    char *unused = NULL;
    bool want = made != NULL;
    if (!made)
        made = &unused;
    *made = NULL;
    if (!ex_word(x, q) || !ex_free_tok(x, q))
        return q;
    /* Most words open no title: ask that first. */
    bool alone = ex_in(x, q, &x->g->role_heads_alone);
    if (!alone && !ex_in(x, q, &x->g->role_modifiers))
        return q;
    bool caps = ex_cap(x, q);
    /* Inside a longer "X director" ("local care director", "Corporate
     * Services and Governance Director"): the pattern of ex_find_roles()
     * reads it whole. */
    size_t p = q;
    if (p > 0 && (ex_is(x, p - 1, "and") || ex_is(x, p - 1, "&")))
        p--;
    if (p > 0 && ex_word(x, p - 1) && ex_free_tok(x, p - 1) && ex_cap(x, p - 1) == caps &&
        !(x->t[p - 1].f & EX_T_SENT) && !ex_qualifier(x, p - 1) && complement_word(x, p - 1) &&
        !participle(x, p - 1) && director_after(x, q))
        return q;
    if (alone) {
        size_t e = q + 1;
        /* "the Bedford mayor": nothing more to read. */
        if (!(title_word(x, e, caps) && (ex_in(x, e, &x->g->role_heads) ||
                                         ex_in(x, e, &x->g->role_modifiers)))) {
            if (!want)
                return e;
            *made = role_text(x, q, e);
            return *made ? e : q;
        }
    }
    size_t end = q, head = q;
    int vocab_idx = -1;
    for (size_t k = q; k < x->n && k - q < MAX_TITLE_WORDS; k++) {
        /* "non-executive member" */
        if ((x->t[k].f & EX_T_HYPHEN) && k > q && ex_free_tok(x, k))
            continue;
        if (!title_word(x, k, caps))
            break;
        if (k > q) {
            int idx;
            size_t v = ex_match_at(x, &x->g->role, k, x->n, &idx);
            if (v > k && v > end && v - q <= MAX_TITLE_WORDS) {
                end = v;
                head = k;
                vocab_idx = idx;
            } else if (ex_in(x, k, &x->g->role_heads) && k + 1 > end &&
                       (!ex_in(x, k, &x->g->role_heads_plural) ||
                        (caps && ex_cap(x, k) && !(x->t[q].f & (EX_T_SENT | EX_T_LINE))))) {
                end = k + 1;
                head = k;
                vocab_idx = -1;
            }
        }
        /* Heads that modify a later head are listed as modifiers too
         * ("executive", "nurse"): "lead manager" is no title. */
        if (!ex_in(x, k, &x->g->role_modifiers))
            break;
        /* "Corporate & Governance Officer": "and" between modifiers of a
         * capitalised title ("nurse and practice manager" are two). */
        if (caps && (ex_is(x, k + 1, "and") || ex_is(x, k + 1, "&")) && ex_cap(x, k + 2) &&
            ex_in(x, k + 2, &x->g->role_modifiers))
            k++;
    }
    if (end == q)
        return q;
    /* "patient representative groups": a lower-case head that modifies a
     * plural noun after it is no title (a verb after it, "left", is no
     * noun; a capitalised title, "Officer answers", is one). */
    if (vocab_idx < 0 && !caps && ex_word(x, end) && ex_free_tok(x, end) && !ex_cap(x, end) &&
        complement_word(x, end) && !ex_qualifier(x, end) && plural_noun(x, end))
        return q;
    /* A head that takes a portfolio: "director for adult social care". */
    size_t c = end;
    if (vocab_idx < 0 && ex_in(x, head, &x->g->role_heads_portfolio) &&
        (ex_is(x, end, "of") || ex_is(x, end, "for"))) {
        c = complement(x, end + 1);
        if (c == end + 1)
            c = end;
    }
    if (!want)
        return c;
    /* The vocabulary's head is written canonically ("clinical
     * chairman" -> "clinical chair"; "chief financial officer" -> "chief
     * finance officer"). */
    cs_buf o = { 0 };
    char *mods = role_text(x, q, head);
    if (mods)
        cs_buf_puts(&o, mods);
    free(mods);
    cs_buf_putc(&o, ' ');
    const char *hname = NULL;
    int hidx;
    if (vocab_idx >= 0)
        hname = x->g->role.names[vocab_idx];
    else if ((hidx = ex_match_exact(x, &x->g->role, head, head + 1, false)) >= 0 &&
             !strchr(x->g->role.names[hidx], ' '))
        hname = x->g->role.names[hidx];
    if (hname) {
        cs_buf_puts(&o, hname);
        if (c > end) {
            char *rest = role_text(x, end, c);
            if (rest) {
                cs_buf_putc(&o, ' ');
                cs_buf_puts(&o, rest);
            }
            free(rest);
        }
    } else {
        char *rest = role_text(x, head, c);
        /* "locality leads" -> "locality lead" */
        if (rest && ex_in(x, head, &x->g->role_heads_plural)) {
            size_t hl = strlen(x->t[head].norm);
            cs_buf_add(&o, rest, hl - 1);
            cs_buf_puts(&o, rest + hl);
        } else if (rest) {
            cs_buf_puts(&o, rest);
        }
        free(rest);
    }
    *made = cs_buf_take(&o);
    return *made ? c : q;
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
        /* A role whose first word is a qualifier: "senior responsible
         * officer". */
        if (q > i && ex_match_at(x, &x->g->role, i, x->n, &idx) > q)
            q = i;
        size_t e = ex_match_at(x, &x->g->role, q, x->n, &idx);
        /* Titles read by the grammar, when longer than the vocabulary's:
         * "strategic director for adult social care", "practice manager". */
        char *made;
        size_t te = title_at(x, q, &made);
        if (made && te > e) {
            ex_add_made(x, EX_M_ROLE, i, te, made);
            i = te - 1;
            continue;
        }
        free(made);
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
        if (ex_is(x, q, "director") || ex_is(x, q, "head") ||
            (ex_is(x, q, "executive") && ex_is(x, q + 1, "director"))) {
            size_t d = ex_is(x, q, "executive") ? q + 2 : q + 1;
            if (ex_is(x, d, "of") || ex_is(x, d, "for")) {
                size_t c = complement(x, d + 1);
                /* "director of finance and contracting" is longer than the
                 * vocabulary's "director of finance". */
                if (c > d + 1 && c > e) {
                    add_role_text(x, i, c, q, c);
                    i = c - 1;
                    continue;
                }
                /* "the director of another region": a director, unless
                 * the vocabulary reads more ("director of finance"). */
                if (ex_is(x, q, "director") && q + 1 == d && e <= q + 1) {
                    ex_add_mention(x, EX_M_ROLE, i, q + 1, "director", 8);
                    continue;
                }
            }
        }
        /* "X director": up to four words before "director", in the title's
         * case ("locality director", "Corporate Services Director"). */
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
        /* A role of the vocabulary. */
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
