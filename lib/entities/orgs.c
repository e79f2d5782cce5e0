/* Passes "known-orgs", "pattern-orgs" and "nhs-orgs": organisations from
 * the known-organisation gazetteer, capitalised names ending in a head word
 * (Trust, Council, Hospital, Committee...; data/org_heads.tsv), and "NHS
 * <place>" bodies. */
#include "entities/internal.h"

#include <string.h>

/* Words that may stand inside an organisation's name in lower case. */
static bool org_connector(const ex *x, const char *w)
{
    return cs_words_has(&x->g->org_connectors, w);
}

/* An organisation as written over tokens [a, end). */
static void add_org_span(ex *x, size_t a, size_t end)
{
    const char *s = x->text + x->t[a].a;
    ex_add_mention(x, EX_M_ORG, a, end, s, x->t[end - 1].b - x->t[a].a);
}

void ex_find_known_orgs(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        int idx;
        if (!ex_free_tok(x, i))
            continue;
        size_t e = ex_match_at(x, &x->g->org, i, x->n, &idx);
        if (e == i || !ex_span_free(x, i, e))
            continue;
        /* A name is written with capitals: "NHS providers" is a kind of
         * body, "NHS Providers" the organisation. */
        bool caps = true;
        for (size_t k = i; k < e; k++)
            if (ex_word(x, k) && !ex_cap(x, k) && !org_connector(x, x->t[k].norm))
                caps = false;
        if (!caps)
            continue;
        /* Organisations keep the text's wording; only a few
         * abbreviations newsrooms use everywhere are written out. */
        const char *name = x->g->org.names[idx];
        /* "Healthwatch Suffolk", "NHS England Lancashire and South
         * Cumbria": a known body's local branch. */
        int pidx;
        size_t pe = ex_cap(x, e) ? ex_match_at(x, &x->g->place, e, x->n, &pidx) : e;
        if (!ex_span_free(x, e, pe))
            pe = e;
        while (pe > e && ex_is(x, pe, "and") && ex_cap(x, pe + 1)) {
            size_t pe2 = ex_match_at(x, &x->g->place, pe + 1, x->n, &pidx);
            /* "Healthwatch Stoke-on-Trent and North Staffordshire MPs":
             * a place before a post is the post's. */
            if (pe2 == pe + 1 || !ex_span_free(x, pe, pe2) || ex_role_at(x, pe2))
                break;
            pe = pe2;
        }
        if (pe > e)
            add_org_span(x, i, pe);
        else if (cs_words_has(&x->g->org_full_names, name))
            ex_add_mention(x, EX_M_ORG, i, e, name, strlen(name));
        else
            add_org_span(x, i, e);
        i = e - 1;
    }
}

/* "NHS Wiltshire", "NHS Southampton City": primary care trusts and other
 * NHS bodies named after their area (the CCG pass has taken "NHS X" where
 * it was a CCG). */
void ex_find_nhs_orgs(ex *x)
{
    for (size_t i = 0; i + 1 < x->n; i++) {
        if (!ex_is(x, i, "nhs") || !ex_free_tok(x, i) || !ex_cap(x, i + 1) ||
            !ex_free_tok(x, i + 1))
            continue;
        int idx;
        size_t e = ex_match_at(x, &x->g->place, i + 1, x->n, &idx);
        size_t e2 = ex_match_at(x, &x->g->ccg, i + 1, x->n, &idx);
        if (e2 > e)
            e = e2;
        if (e == i + 1 || !ex_span_free(x, i, e) || ex_cap(x, e))
            continue;
        add_org_span(x, i, e);
        i = e - 1;
    }
}

/* A word of a title: a one-word role ("Chair"), a word that opens one
 * ("Chief"), or a title's head in the singular ("Director", "Officer",
 * "Lead"; a plural names members of a body, "Council of Economic
 * Advisers", "Bank Officers Union"). */
static bool role_word(const ex *x, size_t p)
{
    return ex_in(x, p, &x->g->role.keys) || ex_in(x, p, &x->g->role_starts) ||
           (ex_in(x, p, &x->g->role_heads) && !ex_in(x, p, &x->g->role_heads_plural));
}

/* A name walked back to a, from the head h, that a title stops ("Executive
 * Lead for Finance and Lancashire and South Cumbria ICS", "Medical
 * Director Lancashire and South Cumbria ICS", as attendance lists write
 * them): the name starts at the first place after the title, when there
 * is one ("the Chief Executive of Calderstones Partnership NHS Foundation
 * Trust" names no place, and the walk is the name). */
static size_t after_title(const ex *x, size_t a, size_t h)
{
    size_t r = a;
    while (r > 0 && a - r < 2 && ex_word(x, r - 1) && !ex_cap(x, r - 1) &&
           org_connector(x, x->t[r - 1].norm))
        r--;
    if (r == 0 || !ex_cap(x, r - 1) || !role_word(x, r - 1))
        return a;
    for (size_t k = a; k < h; k++)
        if (ex_cap(x, k) && ex_match_at(x, &x->g->place, k, h, &(int){ 0 }) > k)
            return k;
    return a;
}

static bool org_word(const ex *x, size_t p)
{
    const ex_tok *t = &x->t[p];
    /* "on" in "Stoke-on-Trent" belongs to the name. */
    if (ex_word(x, p) && !ex_cap(x, p) && p > 0 && p + 1 < x->n && (x->t[p - 1].f & EX_T_HYPHEN) &&
        (x->t[p + 1].f & EX_T_HYPHEN))
        return true;
    if (!ex_cap(x, p))
        return false;
    /* A role is not part of the name: "the Chief Executive of Ipswich
     * Hospital NHS Trust". */
    if (role_word(x, p))
        return false;
    /* "Berkshire West CCG Federation": a CCG's name inside another's. */
    if (strcmp(t->norm, "ccg") == 0 || strcmp(t->norm, "ccgs") == 0)
        return ex_cap(x, p + 1) && ex_in(x, p + 1, &x->g->org_heads);
    return !(t->f & EX_T_SENT && ex_in(x, p, &x->g->not_name_words)) &&
           !ex_in(x, p, &x->g->calendar);
}

/* Walk back from token h (the head) over the words of a name; returns its
 * first token. */
static size_t org_start(const ex *x, size_t h)
{
    size_t a = h;
    while (a > 0) {
        size_t p = a - 1;
        const ex_tok *t = &x->t[p];
        if (t->sent != x->t[h].sent)
            break;
        if (t->owner >= 0 && x->m[t->owner].kind != EX_M_PLACE)
            break;
        if (org_word(x, p)) {
            a = p;
            continue;
        }
        /* "Adur and Worthing Councils", "University Hospitals of
         * Leicester" -- but "Kent County Council and Medway Council" is
         * two: an "and" right after a head ends the name before it. */
        if (ex_word(x, p) && org_connector(x, t->norm) && strcmp(t->norm, "the") != 0 && p > 0 &&
            org_word(x, p - 1) && !((strcmp(t->norm, "and") == 0 || strcmp(t->norm, "&") == 0) &&
                                    ex_in(x, p - 1, &x->g->org_heads))) {
            a = p;
            continue;
        }
        /* "Wrightington, Wigan and Leigh": a comma between proper words
         * inside a name that goes on to an "and". */
        if (ex_is(x, p, ",") && p > 0 && org_word(x, p - 1) && a < h && ex_is(x, a + 1, "and") &&
            !ex_in(x, p - 1, &x->g->org_heads)) {
            a = p;
            continue;
        }
        if (ex_skippable(t) && p > 0 && ex_word(x, p - 1)) {
            a = p;
            continue;
        }
        break;
    }
    while (a < h && (!ex_word(x, a) || ex_in(x, a, &x->g->name_determiners) ||
                     org_connector(x, x->t[a].norm)))
        a++;
    return a;
}

static bool generic_span(const ex *x, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (ex_word(x, i) && !ex_in(x, i, &x->g->org_generic_words))
            return false;
    return true;
}

/* A body's kind written out from token k, its first word capitalised
 * ("Sustainability and Transformation Plan", "Sustainability and
 * transformation plan", "Integrated Care System"): a synonym of
 * data/synonyms.txt of two words or more whose short form is a head of
 * data/org_heads.tsv ("stp", "ics").  Returns its end, or k. */
static size_t kind_written_out(const ex *x, size_t k)
{
    int g;
    if (!ex_cap(x, k) || !ex_in(x, k, &x->g->org_generic_words))
        return k;
    size_t len = ex_synonym_at(x, k, x->n, &g);
    if (len < 2 || !ex_span_free(x, k, k + len))
        return k;
    for (char **alt = x->g->syn_alts[g]; *alt; alt++)
        if (cs_words_has(&x->g->org_heads, *alt))
            return k + len;
    return k;
}

/* Organisations by their head word: walk back from the head over
 * capitalised words and connectors. */
void ex_find_pattern_orgs(ex *x)
{
    for (size_t h = 0; h < x->n; h++) {
        if (!ex_free_tok(x, h))
            continue;
        /* "the Norfolk and Waveney Sustainability and Transformation
         * Plan": the kind written out ends the name as its head would. */
        size_t kw = kind_written_out(x, h);
        if (kw > h) {
            size_t a = org_start(x, h);
            if (a < h && ex_span_free(x, a, kw) && !generic_span(x, a, kw))
                add_org_span(x, a, kw);
            h = kw - 1;
            continue;
        }
        if (!ex_cap(x, h)) {
            /* A lower-case head after a proper name. */
            if (!ex_word(x, h) || !ex_in(x, h, &x->g->org_heads_lower))
                continue;
            size_t k = h;
            /* "Devon sustainability and transformation partnership": an
             * "and" between two generic words is inside the name. */
            while (k > 0 && h - k < MAX_GENERIC_RUN && ex_word(x, k - 1) && !ex_cap(x, k - 1) &&
                   ex_free_tok(x, k - 1) &&
                   ex_in(x, k - 1, &x->g->org_generic_words) &&
                   (!ex_is(x, k - 1, "and") ||
                    (k >= 2 && k < h && !ex_cap(x, k - 2) && ex_word(x, k - 2) &&
                     !ex_is(x, k - 2, "and") && ex_in(x, k - 2, &x->g->org_generic_words))) &&
                   !ex_is(x, k - 1, "the") && !ex_is(x, k - 1, "of"))
                k--;
            /* At least one word says what kind of body it is: "Kent
             * committee" or "Lincolnshire health system" name none. */
            bool kind = false;
            for (size_t q = k; q < h; q++)
                kind = kind || !ex_is(x, q, "health");
            if (!kind || k == 0 || !org_word(x, k - 1) || !ex_free_tok(x, k - 1))
                continue;
            /* The last lower-case head: "system transformation steering
             * group". */
            size_t end = h + 1;
            for (size_t q = h + 1; q < x->n && q <= h + MAX_GENERIC_RUN && ex_word(x, q) && !ex_cap(x, q) &&
                                   ex_in(x, q, &x->g->org_generic_words); q++)
                if (ex_in(x, q, &x->g->org_heads_lower))
                    end = q + 1;
            size_t a = org_start(x, k);
            if (a < k && !generic_span(x, a, end) && ex_span_free(x, a, end))
                add_org_span(x, a, end);
            h = end - 1;
            continue;
        }
        if (!ex_in(x, h, &x->g->org_heads))
            continue;
        /* The last head of a run: "University Hospitals of Leicester NHS
         * Trust"; an "and" after a head starts another name. */
        size_t end = h + 1;
        /* "Joint Committee of Clinical Commissioning Groups", "... of
         * CCGs": the CCGs' own body, named though its words are generic. */
        bool of_ccgs = true;
        if (ex_is(x, h + 1, "of") && ex_is(x, h + 2, "clinical") &&
            ex_is(x, h + 3, "commissioning") &&
            ex_is(x, h + 4, "groups") && ex_cap(x, h + 2))
            end = h + 5;
        else if (ex_is(x, h + 1, "of") && ex_is(x, h + 2, "ccgs"))
            end = h + 3;
        else
            of_ccgs = false;
        for (size_t k = end; k < x->n && k < h + 8 && x->t[k].sent == x->t[h].sent; k++) {
            if (ex_cap(x, k) && ex_free_tok(x, k)) {
                if (ex_in(x, k, &x->g->org_heads))
                    end = k + 1;
                continue;
            }
            if (ex_word(x, k) && org_connector(x, x->t[k].norm) && ex_cap(x, k + 1) &&
                !((ex_is(x, k, "and") || ex_is(x, k, "&")) && ex_in(x, k - 1, &x->g->org_heads)))
                continue;
            if (ex_skippable(&x->t[k]))
                continue;
            break;
        }
        size_t a = after_title(x, org_start(x, h), h);
        /* "University of Central Lancashire": a head that comes first. */
        if (a == h && ex_in(x, h, &x->g->org_heads_first) && ex_is(x, h + 1, "of") &&
            org_word(x, h + 2) && x->t[h + 2].owner < 0) {
            size_t k = h + 2;
            while (k < x->n && (org_word(x, k) || (ex_is(x, k, "and") && org_word(x, k + 1))) &&
                   x->t[k].owner < 0 && x->t[k].sent == x->t[h].sent)
                k++;
            if (k > end)
                end = k;
        }
        /* A head alone is generic ("the Trust"), and so is a name made
         * only of generic words ("Joint Committee"). */
        if ((a == h && end <= h + 1) || !ex_span_free(x, a, end) ||
            (!of_ccgs && generic_span(x, a, end))) {
            h = end - 1;
            continue;
        }
        add_org_span(x, a, end);
        h = end - 1;
    }
}
