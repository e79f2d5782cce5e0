/* Pass "ccgs": CCG names.  A gazetteer name followed by "CCG(s)" /
 * "Clinical Commissioning Group(s)", lists before a plural ("Nene and
 * Corby CCGs", "North, South and West Norfolk CCGs"), lists after one
 * ("the CCGs of Erewash, Hardwick, ..."), lists without the wording,
 * "NHS <name>" where the sentence speaks of CCGs, and a named CCG's name
 * again when it stands alone. */
#include "entities/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_ccg(ex *x, size_t a, size_t b, int idx)
{
    const char *name = x->g->ccg.names[idx];
    return ex_add_mention(x, EX_M_CCG, a, b, name, strlen(name));
}

/* A CCG named in a list: "the four CCGs" later means those listed.  The
 * caller starts each list by bumping x->lists. */
static void add_listed_ccg(ex *x, size_t a, size_t b, int idx)
{
    int id = add_ccg(x, a, b, idx);
    if (id >= 0)
        x->m[id].list = x->lists;
}



/* Is there a CCG suffix at token i?  Returns its length in tokens (0: no)
 * and whether it is plural. */
size_t ex_ccg_suffix(const ex *x, size_t i, bool *plural)
{
    if (ex_is(x, i, "ccg") || ex_is(x, i, "ccgs")) {
        *plural = ex_is(x, i, "ccgs");
        if (ex_is(x, i + 1, "'s") && *plural)
            return 2;
        return 1;
    }
    if (ex_is(x, i, "clinical") && ex_is(x, i + 1, "commissioning") &&
        (ex_is(x, i + 2, "group") || ex_is(x, i + 2, "groups"))) {
        *plural = ex_is(x, i + 2, "groups");
        return 3;
    }
    return 0;
}

/* The longest CCG name ending exactly at token e (exclusive); sets *start. */
static int ending_at(const ex *x, size_t e, bool commas, size_t *start)
{
    size_t lo = e > MAX_SPAN ? e - MAX_SPAN : 0;
    for (size_t a = lo; a < e; a++) {
        if (!ex_word(x, a) || !ex_free_tok(x, a))
            continue;
        int idx = ex_match_exact(x, &x->g->ccg, a, e, commas);
        if (idx >= 0) {
            *start = a;
            return idx;
        }
    }
    return -1;
}

/* The last words of CCG idx's core name after its first word ("West
 * Norfolk" -> "norfolk"), for "North, South and West Norfolk". */
static const char *name_tail(const ex *x, size_t a, size_t b, char *buf, size_t cap)
{
    char key[KEY_MAX];
    if (!ex_span_key(x, a, b, false, key, sizeof key))
        return NULL;
    const char *sp = strchr(key, ' ');
    if (!sp)
        return NULL;
    snprintf(buf, cap, "%s", sp + 1);
    return buf;
}

/* A list item that is only a direction ("North" in "North and South
 * Norfolk") completed with the tail of another item of the list. */
static int with_tail(const ex *x, size_t a, size_t b, const char *tail)
{
    char key[KEY_MAX];
    if (!tail || !ex_span_key(x, a, b, false, key, sizeof key))
        return -1;
    size_t n = strlen(key);
    snprintf(key + n, sizeof key - n, " %s", tail);
    return cs_table_find(&x->g->ccg, key);
}

/* Separator before token e in a list ("," / "and" / "&" / ", and");
 * returns the index where it starts, or e when there is none. */
static size_t list_sep_before(const ex *x, size_t e)
{
    if (e >= 2 && ex_is(x, e - 1, "and") && ex_is(x, e - 2, ","))
        return e - 2;
    /* "the Calderdale and the Greater Huddersfield Clinical Commissioning
     * Groups" */
    if (e >= 3 && ex_is(x, e - 1, "the") && ex_is(x, e - 2, "and") && ex_cap(x, e - 3))
        return e - 2;
    if (e >= 1 && (ex_is(x, e - 1, ",") || ex_is(x, e - 1, "and") || ex_is(x, e - 1, "&") ||
                   ex_is(x, e - 1, ";") || ex_is(x, e - 1, "/")))
        return e - 1;
    return e;
}

/* Names before a CCG suffix at token s: one for "X CCG", a list for
 * "X, Y and Z CCGs". */
static bool list_before(ex *x, size_t s, size_t slen, bool commas);

static void ccgs_before_suffix(ex *x, size_t s, size_t slen, bool plural)
{
    /* "our two northern Staffordshire (North Staffs and Stoke) CCGs" */
    if (plural && s > 0 && ex_is(x, s - 1, ")")) {
        s--;
        slen++;
    }
    size_t e = s, a;
    if (plural) {
        /* A merged CCG's name may hold commas ("Eastbourne, Hailsham and
         * Seaford"); read the list that way first, else comma-separated. */
        if (list_before(x, s, slen, true) || list_before(x, s, slen, false))
            return;
        /* No list: one CCG's name before "CCGs" names a group ("Kent and
         * Medway CCGs"), whose places are not places here.  (Places before
         * "CCGs" that name no CCG, "Leicester, Leicestershire and Rutland
         * CCGs", stay places.) */
        int idx = ending_at(x, e, true, &a);
        if (idx < 0)
            return;
        /* "Staffordshire and Stoke-on-Trent CCGs": a county's CCGs and one
         * named CCG (a place of up to three words before the "and"). */
        if (a >= 2 && ex_is(x, a - 1, "and"))
            for (size_t w = 1; w <= 3 && w < a; w++)
                if (ex_match_exact(x, &x->g->place, a - 1 - w, a - 1, false) >= 0) {
                    add_ccg(x, a, s + slen, idx);
                    x->groups = true;
                    return;
                }
        ex_add_mention(x, EX_M_GROUP, a, s + slen, "", 0);
        return;
    }
    /* "Berkshire West CCG Federation" is another body's name. */
    if (ex_cap(x, s + slen) && ex_in(x, s + slen, &x->g->org_heads))
        return;
    if (e > 0 && ex_is(x, e - 1, "nhs"))
        e--;                                    /* "X NHS Clinical Commissioning Group" */
    int idx = ending_at(x, e, true, &a);
    if (idx < 0)
        return;
    if (a > 0 && ex_is(x, a - 1, "nhs"))
        a--;
    /* "as a Cheshire CCG": a CCG that does not exist (yet). */
    if (a > 0 && (ex_is(x, a - 1, "a") || ex_is(x, a - 1, "an"))) {
        ex_add_mention(x, EX_M_GROUP, a, s + slen, "", 0);
        return;
    }
    add_ccg(x, a, s + slen, idx);
}

/* The list of names before a plural suffix at s ("Nene and Corby CCGs");
 * false (and nothing added) when it has fewer than two names: one name
 * before "CCGs" names a group ("Kent and Medway CCGs"), not a CCG. */
static bool list_before(ex *x, size_t s, size_t slen, bool commas)
{
    size_t e = s, a;
    int idx = ending_at(x, e, commas, &a);
    if (idx < 0)
        return false;
    if (a > 0 && ex_is(x, a - 1, "nhs"))
        a--;
    size_t starts[MAX_LIST_NAMES], ends[MAX_LIST_NAMES];
    int idxs[MAX_LIST_NAMES], n = 0;
    char tailbuf[256];
    const char *tail = name_tail(x, a, e, tailbuf, sizeof tailbuf);
    starts[n] = a;
    ends[n] = e;
    idxs[n++] = idx;
    while (n < MAX_LIST_NAMES) {
        size_t sep = list_sep_before(x, starts[n - 1]);
        if (sep == starts[n - 1])
            break;
        size_t b;
        int j = ending_at(x, sep, commas, &b);
        if (j < 0) {
            /* "North, South and West Norfolk": a bare direction. */
            for (b = sep; b > 0 && sep - b < 2 && ex_cap(x, b - 1); b--) {
                j = with_tail(x, b - 1, sep, tail);
                if (j >= 0) {
                    b--;
                    break;
                }
            }
            if (j < 0)
                break;
        }
        if (b > 0 && ex_is(x, b - 1, "nhs"))
            b--;
        starts[n] = b;
        ends[n] = sep;
        idxs[n++] = j;
    }
    if (n < 2)
        return false;
    x->lists++;
    for (int k = n - 1; k >= 0; k--)
        add_listed_ccg(x, starts[k], k == 0 ? s + slen : ends[k], idxs[k]);
    return true;
}

/* Words that may complete a bare item of a CCG list: the tails of the
 * list's other names ("Norfolk" of "West Norfolk") and the last words of
 * places named shortly before ("London" of "North West London", for the
 * "Central" and "West" of a north-west London list). */
typedef struct tails {
    char w[MAX_TAILS][NORM_MAX];
    int n;
} tails;

static void add_tail(tails *t, const char *w)
{
    if (!w || !*w || t->n == MAX_TAILS)
        return;
    for (int k = 0; k < t->n; k++)
        if (strcmp(t->w[k], w) == 0)
            return;
    snprintf(t->w[t->n++], sizeof t->w[0], "%s", w);
}

static void place_tails(const ex *x, size_t i, tails *t)
{
    size_t lo = i > TAIL_REACH ? i - TAIL_REACH : 0;
    for (size_t k = i; k > lo && t->n < MAX_TAILS; k--) {
        int idx;
        size_t e = ex_match_at(x, &x->g->place, k - 1, i, &idx);
        if (e > k && ex_cap(x, k - 1) && e - (k - 1) >= 2)
            add_tail(t, x->t[e - 1].norm);
    }
}

/* The longest CCG name from token i whose own words hold a comma
 * ("Dartford, Gravesham and Swanley" in "Ashford, Canterbury and Coastal,
 * Dartford, Gravesham and Swanley, Swale, Medway, and West Kent"), ending
 * in its sentence; returns its end, or i when there is none. */
static size_t comma_name_at(const ex *x, size_t i, int *idx)
{
    /* The key grows a word at a time, commas skipped, and stops as soon as
     * it is no name's prefix: most capitalised words stop at once. */
    char key[KEY_MAX];
    size_t n = 0, best = i;
    bool comma = false;
    for (size_t j = i; j < x->n && j < i + MAX_SPAN && x->t[j].sent == x->t[i].sent; j++) {
        const ex_tok *t = &x->t[j];
        const char *w = t->norm;
        if (ex_skippable(t))
            continue;
        if (strcmp(w, ",") == 0) {
            comma = true;
            continue;
        }
        if (t->f & EX_T_PUNCT) {
            if (strcmp(w, "&") != 0)
                break;
            w = "and";
        }
        if (!ex_key_add(key, sizeof key, &n, w))
            break;
        int v = cs_strmap_get(&x->g->ccg.keys, key, n);
        if (v >= 0 && comma) {
            best = j + 1;
            *idx = v;
        }
        if (cs_strmap_get(&x->g->ccg.prefixes, key, n) < 0)
            break;
    }
    return best;
}

/* A list of CCG names from token i on, separated by "," ";" "and" "&" "/".
 * strict: stop at the first item that is not a name; otherwise skip a
 * single unknown word.  Returns the number of names stored. */
static int list_after(const ex *x, size_t i, bool strict, size_t *starts, size_t *ends,
                          int *idxs, int max)
{
    int n = 0;
    int sent = i < x->n ? x->t[i].sent : -1;
    tails pt = { .n = 0 };
    bool have_pt = false;
    while (i < x->n && n < max && x->t[i].sent == sent) {
        size_t a = i;
        if (ex_is(x, i, "nhs"))
            i++;
        int idx = -1;
        size_t e = ex_free_tok(x, i) && ex_cap(x, i) ? ex_match_at(x, &x->g->ccg, i, x->n, &idx)
                                                      : i;
        /* Only a word (or name) followed by a comma may start a name
         * that holds one: most capitalised words are not. */
        int cidx = -1;
        size_t ce = ex_free_tok(x, i) && ex_cap(x, i) && ex_is(x, e > i ? e : i + 1, ",")
                        ? comma_name_at(x, i, &cidx)
                        : i;
        if (ce > e && ex_span_free(x, i, ce)) {
            e = ce;
            idx = cidx;
        }
        if (e == i) {
            /* A bare word or two: complete them with a tail. */
            size_t k = i;
            while (k < x->n && k - i < 2 && ex_cap(x, k) && ex_free_tok(x, k))
                k++;
            if (k == i)
                break;
            tails t = { .n = 0 };
            size_t nx = k;
            if (ex_is(x, nx, ",") || ex_is(x, nx, "and") || ex_is(x, nx, "&") || ex_is(x, nx, "/"))
                nx++;
            int j;
            size_t e2 = ex_match_at(x, &x->g->ccg, nx, x->n, &j);
            char buf[256];
            if (e2 > nx)
                add_tail(&t, name_tail(x, nx, e2, buf, sizeof buf));
            if (n > 0)
                add_tail(&t, name_tail(x, starts[n - 1], ends[n - 1], buf, sizeof buf));
            if (!strict) {
                if (!have_pt) {
                    place_tails(x, a, &pt);
                    have_pt = true;
                }
                for (int q = 0; q < pt.n; q++)
                    add_tail(&t, pt.w[q]);
            }
            for (int q = 0; q < t.n && idx < 0; q++)
                idx = with_tail(x, i, k, t.w[q]);
            if (idx < 0 && (strict || k - i > 1))
                break;
            e = k;
        }
        if (idx >= 0) {
            starts[n] = a;
            ends[n] = e;
            idxs[n++] = idx;
        }
        i = e;
        if (ex_is(x, i, ",") && ex_is(x, i + 1, "and"))
            i += 2;
        else if (ex_is(x, i, ",") || ex_is(x, i, ";") || ex_is(x, i, "and") || ex_is(x, i, "&") ||
                 ex_is(x, i, "/"))
            i++;
        else
            break;
    }
    return n;
}

/* Names after a plural CCG phrase: "the CCGs of A, B and C", "Clinical
 * Commissioning Groups covering: A; B; C", "CCGs which include A, B". */
static void ccgs_after_phrase(ex *x, size_t i)
{
    if (ex_is(x, i, "(") && ex_is(x, i + 1, "ccgs") && ex_is(x, i + 2, ")"))
        i += 3;
    if (ex_is(x, i, "--") || ex_is(x, i, "-") || ex_is(x, i, "("))
        i++;
    if (ex_is(x, i, "which") || ex_is(x, i, "that"))
        i++;
    if (!(ex_is(x, i, "of") || ex_is(x, i, "covering") || ex_is(x, i, ":") ||
          ex_is(x, i, "include") || ex_is(x, i, "includes") || ex_is(x, i, "including") ||
          ex_is(x, i, "are") || ex_is(x, i, "were") || ex_is(x, i, "namely") ||
          (i > 0 && (ex_is(x, i - 1, "--") || ex_is(x, i - 1, "(")))))
        return;
    if (!ex_cap(x, i) || ex_is(x, i, "nhs"))
        i++;
    if (ex_is(x, i, ":"))
        i++;
    size_t starts[MAX_LIST_NAMES], ends[MAX_LIST_NAMES];
    int idxs[MAX_LIST_NAMES];
    int n = list_after(x, i, false, starts, ends, idxs, MAX_LIST_NAMES);
    if (n < 2)
        return;
    x->lists++;
    for (int k = 0; k < n; k++)
        add_listed_ccg(x, starts[k], ends[k], idxs[k]);
}

/* A list of CCG names with no "CCG" wording at all ("three of them -
 * East Surrey, Crawley and Horsham and Mid Sussex"): three names or more,
 * or two in a sentence that speaks of CCGs. */
static bool speaks_of_ccgs(const ex *x, size_t i);

static void ccgs_bare_lists(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if (!ex_cap(x, i) || !ex_free_tok(x, i) || (i > 0 && ex_cap(x, i - 1)))
            continue;
        size_t starts[MAX_LIST_NAMES], ends[MAX_LIST_NAMES];
        int idxs[MAX_LIST_NAMES];
        int n = list_after(x, i, true, starts, ends, idxs, MAX_LIST_NAMES);
        /* Towns that share their names with CCGs ("in Warrington, Halton
         * and St Helens") are places: one name at least must be a CCG's
         * own, not a place's. */
        bool own = false;
        for (int k = 0; k < n && !own; k++)
            own = ex_match_exact(x, &x->g->place, starts[k], ends[k], false) < 0;
        if (own && (n >= 3 || (n == 2 && speaks_of_ccgs(x, i)))) {
            x->lists++;
            for (int k = 0; k < n; k++)
                add_listed_ccg(x, starts[k], ends[k], idxs[k]);
            i = ends[n - 1];
        }
    }
}

/* Is token i in a sentence that speaks of CCGs? */
static bool speaks_of_ccgs(const ex *x, size_t i)
{
    int s = x->t[i].sent;
    for (size_t k = i; k > 0 && x->t[k - 1].sent == s; k--)
        if (ex_is(x, k - 1, "ccg") || ex_is(x, k - 1, "ccgs"))
            return true;
    for (size_t k = i; k < x->n && x->t[k].sent == s; k++) {
        bool pl;
        if (ex_ccg_suffix(x, k, &pl))
            return true;
    }
    return false;
}

/* Does an organisation's head end the words from token e: a capitalised
 * head ("Council"), or a lower-case one within MAX_GENERIC_RUN lower-case
 * words of a name's kind ("sustainability and transformation partnership")? */
static bool org_head_after(const ex *x, size_t e)
{
    /* "Birmingham and Solihull Integrated Care System": the head may end
     * a few capitalised words. */
    if (ex_cap(x, e)) {
        for (size_t k = e; k < x->n && k - e < MAX_GENERIC_RUN && ex_cap(x, k) &&
                           x->t[k].sent == x->t[e].sent;
             k++)
            if (ex_in(x, k, &x->g->org_heads))
                return true;
        return false;
    }
    for (size_t k = e; k < x->n && k - e < MAX_GENERIC_RUN && ex_word(x, k) && !ex_cap(x, k) &&
                       ex_in(x, k, &x->g->org_generic_words);
         k++)
        if (ex_in(x, k, &x->g->org_heads_lower))
            return true;
    return false;
}

void ex_find_ccgs(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        bool plural;
        size_t sl = ex_ccg_suffix(x, i, &plural);
        if (!sl || !ex_free_tok(x, i))
            continue;
        ccgs_before_suffix(x, i, sl, plural);
        if (plural)
            ccgs_after_phrase(x, i + sl);
    }
    ccgs_bare_lists(x);
    /* "NHS <name>" without a suffix, where the sentence speaks of CCGs and
     * nothing marks it as another body ("NHS Wiltshire Trust"). */
    for (size_t i = 0; i + 1 < x->n; i++) {
        if (!ex_is(x, i, "nhs") || !ex_free_tok(x, i) || !ex_cap(x, i + 1))
            continue;
        int idx;
        size_t e = ex_match_at(x, &x->g->ccg, i + 1, x->n, &idx);
        if (e == i + 1 || !ex_span_free(x, i, e))
            continue;
        int org;
        if (ex_match_at(x, &x->g->org, i, x->n, &org) > i)
            continue;                           /* NHS England */
        if (ex_cap(x, e) || ex_is(x, e, "trust") || ex_is(x, e, "icb"))
            continue;
        if (speaks_of_ccgs(x, i))
            add_ccg(x, i, e, idx);
    }
    /* Once a CCG is named, its name alone refers to it ("accountable officer
     * at Corby"): claim those words too, so they are not read as places. */
    bool *found = calloc(x->g->ccg.n ? x->g->ccg.n : 1, sizeof *found);
    if (!found) {
        x->oom = true;
        return;
    }
    size_t nm = x->nm;
    for (size_t k = 0; k < nm; k++)
        if (x->m[k].kind == EX_M_CCG) {
            int idx = cs_strmap_get(&x->g->ccg.byname, x->m[k].value, strlen(x->m[k].value));
            if (idx >= 0)
                found[idx] = true;
        }
    for (size_t i = 0; i < x->n; i++) {
        int idx;
        if (!ex_cap(x, i) || !ex_free_tok(x, i))
            continue;
        size_t e = ex_match_at(x, &x->g->ccg, i, x->n, &idx);
        if (e == i || !ex_span_free(x, i, e))
            continue;
        if (!found[idx]) {
            /* Not named before, but a CCG's own name (no place's) right
             * before its officer: "Lancashire North's current chief
             * officer". */
            size_t r = e;
            if (ex_poss_at(x, r))
                r++;
            while (ex_qualifier(x, r) && ex_free_tok(x, r))
                r++;
            if (e - i < 2 || ex_match_exact(x, &x->g->place, i, e, false) >= 0 ||
                !ex_role_at(x, r) || ex_civic_role_at(x, r))
                continue;                       /* "Leeds West MP Rachel Reeves" */
            add_ccg(x, i, e, idx);
            i = e - 1;
            continue;
        }
        /* A one-word name is usually the place ("Wiltshire"); it is the
         * CCG only beside a role: "Corby chief officer", "accountable
         * officer ... at Corby". */
        bool words = false, lower = false;
        for (size_t k = i + 1; k < e; k++) {
            words = words || ex_word(x, k);
            lower = lower || (ex_word(x, k) && !ex_cap(x, k) && !ex_is(x, k, "and") &&
                              !ex_is(x, k, "of"));
        }
        /* A name that is also a place's ("East Surrey") is the place,
         * unless a role says otherwise. */
        if (words && (lower || ex_match_exact(x, &x->g->place, i, e, false) >= 0))
            words = false;
        /* "Wigan Council" is the council, whatever stands around it, and
         * "the Cambridgeshire and Peterborough sustainability and
         * transformation partnership" the partnership. */
        if (org_head_after(x, e))
            continue;
        /* (A councillor is a council's: "a Luton councillor" is the
         * place's.) */
        bool role_near = ex_role_at(x, e) && !ex_civic_role_at(x, e);
        /* ...within the clause: "chief executive of the trust, said the
         * waits in the north of Wiltshire" is the place. */
        for (size_t k = i; !role_near && k > 0 && i - k < ROLE_REACH &&
                           x->t[k - 1].sent == x->t[i].sent &&
                           !ex_in(x, k - 1, &x->g->speech_verbs);
             k--)
            role_near = ex_role_at(x, k - 1) && (ex_is(x, i - 1, "at") || ex_is(x, i - 1, "of") ||
                                              ex_is(x, i - 1, "for"));
        if (words || role_near) {
            add_ccg(x, i, e, idx);
            i = e - 1;
        }
    }
    free(found);
}
