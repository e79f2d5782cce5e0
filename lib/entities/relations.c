/* Pass "relations": who holds which role where, from the shapes sentences
 * state them in.  The rules are the table rules[] at the end, one small
 * function per shape of sentence, in order of precedence; the functions
 * before it find the bodies a role is held at. */
#include "entities/internal.h"
#include "vocab/words.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ex_mention *owner(const ex *x, size_t i)
{
    return i < x->n && x->t[i].owner >= 0 ? &x->m[x->t[i].owner] : NULL;
}

static bool is_kind(const ex_mention *m, enum ex_kind k)
{
    return m && m->kind == k;
}

static bool is_body(const ex_mention *m)
{
    return m && (m->kind == EX_M_CCG || m->kind == EX_M_ORG);
}

/* What a relation may name as its organisation: named bodies, or every
 * CCG of the document for "the three CCGs". */
typedef struct orgset {
    const ex_mention *m[MAX_REL_ORGS];
    size_t n;
    bool all_ccgs;          /* a group of the document's CCGs... */
    int count;              /* ...of this many (0: unsaid)... */
    bool every;             /* ...said to be all of them ("all eight CCGs") */
    bool them;              /* "for them": the bodies named just before */
    bool unresolved;        /* "for a planned partnership": a body we cannot name */
} orgset;

static void orgset_add(orgset *o, const ex_mention *m)
{
    assert(is_body(m));
    for (size_t k = 0; k < o->n; k++)
        if (strcmp(o->m[k]->value, m->value) == 0)
            return;
    if (o->n < MAX_REL_ORGS)
        o->m[o->n++] = m;
}

/* Named bodies starting at token i, as a list ("Nene and Corby CCGs",
 * "Swale, Medway, and Dartford, Gravesham and Swanley CCGs"); returns the
 * token after them, or i when there are none. */
static size_t bodies_at(const ex *x, size_t i, orgset *o)
{
    size_t end = i;
    while (i < x->n) {
        const ex_mention *m = owner(x, i);
        if (!is_body(m))
            break;
        orgset_add(o, m);
        i = end = m->b;
        size_t next = ex_list_sep(x, i);
        if (next == i || !is_body(owner(x, next)))
            break;
        i = next;
    }
    return end;
}

/* "the three CCGs", "all eight CCGs", "both CCGs", "the county's four
 * CCGs": a group of CCGs, not named here.  Returns the token after it, the
 * number it gives (0 when none) and whether it says "all". */
static size_t group_at(const ex *x, size_t i, int *count, bool *every)
{
    size_t k = i;
    bool placed = false;
    *count = 0;
    *every = false;
    /* Words of the group: lower case, a place, or an acronym ("all five
     * CSESCA CCGs"). */
    while (k < x->n && k - i < 6 && !ex_is(x, k, "ccgs") && !ex_is(x, k, "clinical") &&
           !ex_is(x, k, "organisations") && !ex_is(x, k, "groups") &&
           (!owner(x, k) || is_kind(owner(x, k), EX_M_PLACE) || is_kind(owner(x, k), EX_M_GROUP)) &&
           ((ex_word(x, k) && (!ex_cap(x, k) || owner(x, k) || (x->t[k].f & EX_T_UPPER))) ||
            (x->t[k].f & EX_T_POSS) || (x->t[k].f & EX_T_DIGIT))) {
        if (ex_cap(x, k))
            placed = true;
        if (ex_is(x, k, "all"))
            *every = true;
        for (int d = 0; cs_number_words[d]; d++)
            if (ex_is(x, k, cs_number_words[d]))
                *count = d;
        if (ex_is(x, k, "both"))
            *count = 2;
        if (x->t[k].f & EX_T_DIGIT) {
            /* Any number past the CCGs a story can name resolves nothing. */
            long v = strtol(x->t[k].norm, NULL, 10);
            *count = v > 999 ? 999 : (int)v;
        }
        if (ex_is(x, k, "and") || ex_is(x, k, "or") || ex_is(x, k, "of"))
            return i;
        k++;
    }
    /* "the Suffolk CCGs" names no number, and not every CCG of the story
     * may be in Suffolk: not a group we can resolve -- unless the story
     * names only one group of CCGs (story.c), which they are: "Chief
     * Executive Officer of the Derbyshire CCGs" in a story about four. */
    if (placed && *count == 0) {
        if (x->story.subject < 0)
            return i;
        *count = (int)x->story.group[x->story.subject].n;
    }
    if (ex_is(x, k, "ccgs") && (!owner(x, k) || is_kind(owner(x, k), EX_M_GROUP)))
        return k + 1;
    if (ex_is(x, k, "clinical") && ex_is(x, k + 1, "commissioning") && ex_is(x, k + 2, "groups") &&
        (!owner(x, k) || is_kind(owner(x, k), EX_M_GROUP)))
        return k + 3;
    /* "the four organisations", "all three groups": only with a number,
     * which says which organisations they are. */
    if ((ex_is(x, k, "organisations") || ex_is(x, k, "groups")) && *count > 1)
        return k + 1;
    return i;
}

/* The CCG named last before token i ("the CCG" refers to it). */
static const ex_mention *last_ccg_before(const ex *x, size_t i)
{
    /* One CCG named on its own: a member of a list ("the four old CCGs of
     * Vale Royal, ... and West Cheshire") is not "the CCG". */
    const ex_mention *best = NULL;
    for (int pass = 0; pass < 2 && !best; pass++)
        for (size_t k = 0; k < x->nm; k++)
            if (x->m[k].kind == EX_M_CCG && x->m[k].a < i && (pass || !x->m[k].list) &&
                (!best || x->m[k].a > best->a))
                best = &x->m[k];
    if (best)
        return best;
    /* Nothing named yet ("Dr Paul Williams, CCG Chair" in a byline): the
     * CCG the document names most. */
    size_t most = 0;
    for (size_t k = 0; k < x->nm; k++) {
        if (x->m[k].kind != EX_M_CCG)
            continue;
        size_t n = 0;
        for (size_t j = 0; j < x->nm; j++)
            n += x->m[j].kind == EX_M_CCG && strcmp(x->m[j].value, x->m[k].value) == 0;
        if (n > most) {
            most = n;
            best = &x->m[k];
        }
    }
    return best;
}

/* The organisation after a role at token i: "of/for/at/with ORG", "of the
 * three CCGs", "of the CCG". */
static bool org_preposition(const ex *x, size_t i)
{
    return ex_is(x, i, "of") || ex_is(x, i, "for") || ex_is(x, i, "at") || ex_is(x, i, "to") ||
           ex_is(x, i, "with") || ex_is(x, i, "in");
}

/* The bodies after "of/for/at" at token i; false when there is none. */
static bool orgs_after_prep(const ex *x, size_t i, orgset *o)
{
    size_t k = i + 1;
    int count;
    bool every;
    size_t e = group_at(x, k, &count, &every);
    if (e > k) {
        o->all_ccgs = true;
        o->count = count;
        o->every = every;
        /* "all five CSESCA CCGs plus Coastal West Sussex CCG" */
        if (ex_is(x, e, "plus"))
            bodies_at(x, e + 1, o);
        return true;
    }
    if (ex_is(x, k, "them")) {
        o->them = true;
        return true;
    }
    if (ex_is(x, k, "the") || ex_is(x, k, "both"))
        k++;
    if (ex_is(x, k, "ccg") && !owner(x, k)) {
        const ex_mention *m = last_ccg_before(x, k);
        if (m)
            orgset_add(o, m);
        return m != NULL;
    }
    /* "for the new NHS Tees Valley CCG", "for neighbouring Telford and
     * Wrekin CCG": a word or two of description before the body. */
    size_t q = k;
    while (q < k + 2 && ex_word(x, q) && !ex_cap(x, q) && !owner(x, q) && !ex_is(x, q, "ccg") &&
           !ex_is(x, q, "ccgs") && !org_preposition(x, q) && !ex_is(x, q, "and"))
        q++;
    if (q > k && is_body(owner(x, q)))
        k = q;
    size_t end = bodies_at(x, k, o);
    if (end == k)
        return false;
    /* "... for NHS County Durham CCG as well as for NHS South Tyneside CCG
     * and NHS Sunderland CCG" */
    if (ex_is(x, end, "as") && ex_is(x, end + 1, "well") && ex_is(x, end + 2, "as")) {
        size_t f = end + 3;
        if (org_preposition(x, f))
            f++;
        if (ex_is(x, f, "the"))
            f++;
        bodies_at(x, f, o);
    }
    return true;
}

static bool determiner_at(const ex *x, size_t j);

/* The organisations of a role ending at token i: "of/for/at ORG" right
 * after it, or after a few words that qualify the post ("accountable
 * officer on a permanent basis at Corby, and on an interim basis at
 * Nene"), within the clause. */
static void orgs_after_role(const ex *x, size_t i, orgset *o)
{
    bool portfolio = false;
    if (org_preposition(x, i)) {
        bool named = orgs_after_prep(x, i, o);
        /* "cabinet member for health at Wigan Council": a portfolio in
         * lower case, then the body further on. */
        portfolio = !named && ex_is(x, i, "for") && ex_word(x, i + 1) && !ex_cap(x, i + 1) &&
                    !owner(x, i + 1) && !determiner_at(x, i + 1);
        if (!named && !portfolio &&
            (ex_is(x, i, "for") || ex_is(x, i, "of") || ex_is(x, i, "at")))
            o->unresolved = true;
        if (o->n || o->all_ccgs || !(ex_is(x, i, "on") || portfolio))
            return;
    }
    int sent = i < x->n ? x->t[i].sent : -1;
    for (size_t k = i; k < x->n && k < i + ROLE_REACH && x->t[k].sent == sent; k++) {
        const ex_mention *m = owner(x, k);
        if (is_kind(m, EX_M_ROLE) || is_kind(m, EX_M_PERSON) || ex_is(x, k, "said") ||
            ex_is(x, k, "says") || ex_is(x, k, "to") || ex_is(x, k, "who") || ex_is(x, k, "which"))
            break;
        if (m)
            break;                  /* a body not introduced by a preposition */
        if ((ex_is(x, k, "at") || ex_is(x, k, "of")) && k > i && orgs_after_prep(x, k, o)) {
            size_t e = k + 1;
            while (e < x->n && owner(x, e))
                e = owner(x, e)->b;
            k = e - 1;
        }
    }
}

/* The organisation just before a role starting at token a: "Oxfordshire
 * CCG chief executive", "the CCG's clinical chair", "NHS England's". */
static void orgs_before_role(const ex *x, size_t a, orgset *o)
{
    size_t k = a;
    if (k > 0 && ex_poss_at(x, k - 1))
        k--;
    const ex_mention *m = k > 0 ? owner(x, k - 1) : NULL;
    if (is_body(m)) {
        /* and the list it ends: "Nene and Corby CCGs' accountable officer" */
        size_t s = m->a;
        while (s >= 2 && (ex_is(x, s - 1, "and") || ex_is(x, s - 1, ",") || ex_is(x, s - 1, "&")) &&
               is_body(owner(x, s - 2)))
            s = owner(x, s - 2)->a;
        bodies_at(x, s, o);
        return;
    }
    if (k >= 2 && ex_is(x, k - 1, "ccg") && !owner(x, k - 1)) {
        m = last_ccg_before(x, k - 1);
        if (m)
            orgset_add(o, m);
        return;
    }
    /* "the four CCGs' accountable officer", and a group that is the
     * subject: "The CCGs already share an accountable officer, X". */
    size_t v = k;
    while (v > 0 && k - v < 3 && ex_word(x, v - 1) && !ex_cap(x, v - 1) && !owner(x, v - 1) &&
           !ex_is(x, v - 1, "ccgs"))
        v--;
    for (size_t end = v; end <= k; end++)
        for (size_t s = end > 6 ? end - 6 : 0; s < end; s++) {
            int count;
            bool every;
            if (group_at(x, s, &count, &every) == end) {
                o->all_ccgs = true;
                o->count = count;
                o->every = every;
                return;
            }
        }
}

typedef struct relctx {
    ex *x;
    cs_entities *out;
    size_t nccgs;               /* distinct CCGs of the document */
    const char *ccgs[MAX_STORY_CCGS];
    const orgset *taken;        /* bodies the current person holds a role at */
    orgset recent;              /* the bodies of the last relation that named any... */
    int recent_sent;            /* ...its sentence (-1: none yet)... */
    size_t recent_at;           /* ...and its person's first token */
    const char *rule;           /* the rule running, for the trace */
    bool trace;                 /* CCG_EXTRACT_TRACE: name the rule of each relation */
} relctx;

/* Record one relation, naming in the trace the rule (and the story rule,
 * when there is one) it came from. */
static bool add_relation(relctx *c, const char *how, const char *person, const char *role,
                         const char *org)
{
    if (c->trace)
        fprintf(stderr, "relation %s%s%s: %s / %s / %s\n", c->rule ? c->rule : "?",
                how ? " + " : "", how ? how : "", person, role, org ? org : "-");
    return cs_entities_add_relation(c->out, person, role, org);
}

/* The CCGs a group before token at means.  "All the CCGs", or all of more
 * CCGs than the story names: every CCG of the story.  Otherwise with no
 * number ("the CCGs") the last list of CCGs before it; with a number, the
 * last list before it of that length, else every CCG of the story if there
 * are that many, counting the bodies named beside the group ("all five
 * CSESCA CCGs plus Coastal West Sussex CCG"). */
static size_t resolve_group(const relctx *c, size_t at, const orgset *o, const char **out,
                            size_t max)
{
    const ex *x = c->x;
    assert(o->all_ccgs && o->count >= 0);
    size_t count = (size_t)o->count;
    if (o->every && (count == 0 || (count + o->n >= c->nccgs && count <= MAX_LOCAL_GROUP)))
        count = c->nccgs;
    else if (count > 0)
        count += o->n;
    for (int l = x->lists; l >= 1; l--) {
        size_t n = 0;
        bool before = false;
        for (size_t k = 0; k < x->nm && n < max; k++) {
            const ex_mention *m = &x->m[k];
            if (m->kind != EX_M_CCG || m->list != l)
                continue;
            before = before || m->a < at;
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = strcmp(out[j], m->value) == 0;
            if (!dup)
                out[n++] = m->value;
        }
        if (before && n > 0 && (count == 0 || count == n))
            return n;
    }
    /* CCGs the story named side by side ("Shropshire CCG and Telford and
     * Wrekin CCG ... both CCGs"): the story's groups past its lists. */
    const ex_group *best = NULL;
    for (size_t g = (size_t)x->lists; g < x->story.ngroups; g++) {
        const ex_group *q = &x->story.group[g];
        if (q->a < at && (count == 0 || count == q->n) && (!best || q->a > best->a))
            best = q;
    }
    if (best) {
        size_t n = 0;
        for (; n < best->n && n < max; n++)
            out[n] = best->member[n];
        return n;
    }
    if (count == 0 || count == c->nccgs) {
        for (size_t k = 0; k < c->nccgs && k < max; k++)
            out[k] = c->ccgs[k];
        return c->nccgs < max ? c->nccgs : max;
    }
    return 0;
}

/* A council role's body: the one council the sentence of person p, or else
 * the story, names ("Council leader David Molyneux"); NULL when there is
 * not exactly one. */
static const char *council_of(const relctx *c, const ex_mention *p)
{
    const ex *x = c->x;
    const char *org = NULL;
    int sent = x->t[p->a].sent;
    for (int pass = 0; pass < 2 && !org; pass++) {
        size_t found = 0;
        const char *cand = NULL;
        for (size_t k = 0; k < x->nm; k++) {
            const ex_mention *m = &x->m[k];
            size_t vl = strlen(m->value);
            if (m->kind != EX_M_ORG || vl < 8 || (pass == 0 && x->t[m->a].sent != sent))
                continue;
            if (strcmp(m->value + vl - 7, "Council") == 0 &&
                (!cand || strcmp(cand, m->value) != 0)) {
                cand = m->value;
                found++;
            }
        }
        if (found == 1)
            org = cand;
    }
    return org;
}

/* Does a person's name start in tokens [a, b)? */
static bool person_between(const ex *x, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++)
        if (is_kind(owner(x, k), EX_M_PERSON))
            return true;
    return false;
}

/* The body of a non-civic role that names none: the document's only CCG,
 * when the story names exactly one, names no group of CCGs, and the
 * sentence of person p names no other organisation, other than one the
 * person's other role is at, in a sentence about the CCG: "The CCG is
 * also proposing that Alex Bailey, chief executive of Adur and Worthing
 * Councils, will be seconded ... to be director of innovation".  NULL
 * otherwise. */
static const char *document_ccg(const relctx *c, const ex_mention *p, const orgset *o)
{
    const ex *x = c->x;
    const char *subject = x->story.subject_ccg;
    if (!subject || x->groups || o->all_ccgs || o->unresolved)
        return NULL;
    bool other = false;
    int sent = x->t[p->a].sent;
    /* A story about one CCG that names others: not in this sentence,
     * unless another person's words hold it ("Former accountable officer
     * Caron Morton resigned and was replaced by David Evans, accountable
     * officer for neighbouring Telford and Wrekin CCG"). */
    for (size_t k = 0; k < x->nm && c->nccgs > 1 && !other; k++)
        other = x->m[k].kind == EX_M_CCG && x->t[x->m[k].a].sent == sent &&
                strcmp(x->m[k].value, subject) != 0 && !person_between(x, p->b, x->m[k].a);
    bool about_ccg = false;
    for (size_t k = p->a; k > 0 && x->t[k - 1].sent == sent && !about_ccg; k--)
        about_ccg = (ex_is(x, k - 1, "ccg") && !owner(x, k - 1)) ||
                    is_kind(owner(x, k - 1), EX_M_CCG);
    /* Bodies after the name count in an apposition ("Alex Bailey, chief
     * executive of Adur and Worthing Councils,"), not after its verb
     * ("Interim accountable officer Sheila Bremner also leads the
     * Cambridgeshire and Peterborough STP"). */
    bool verb_next = p->b < x->n && ex_word(x, p->b);
    for (size_t k = 0; k < x->nm && !other; k++) {
        other = x->m[k].kind == EX_M_ORG && x->t[x->m[k].a].sent == sent &&
                !(verb_next && x->m[k].a >= p->b);
        for (size_t j = 0; other && about_ccg && c->taken && j < c->taken->n; j++)
            other = strcmp(c->taken->m[j]->value, x->m[k].value) != 0;
    }
    return other ? NULL : subject;
}

/* Record person p holding role r at the organisations of o (or, with none
 * named, at the document's only CCG when the sentence names no other
 * body, or for a council role at the one council named). */
static void relate(relctx *c, const ex_mention *p, const ex_mention *r, const orgset *o)
{
    assert(p->kind == EX_M_PERSON && r->kind == EX_M_ROLE && c->taken);
    ex *x = c->x;
    bool ok = true;
    /* A group is the document's CCGs when its number, if it gives one,
     * is theirs: "for two CCGs" in a story naming five is not all five. */
    const char *group[MAX_STORY_CCGS];
    size_t ngroup = 0;
    if (o->all_ccgs)
        ngroup = resolve_group(c, p->a, o, group, MAX_STORY_CCGS);
    /* "Labour MP Tom Jones": a seat's party is not its body (the seat, a
     * place, is none either). */
    bool seat = strcmp(r->value, "mp") == 0 || strcmp(r->value, "councillor") == 0;
    const orgset none = { .n = 0 };
    if (seat && o->n == 1 && !ngroup && ex_in(x, o->m[0]->a, &x->g->parties))
        o = &none;
    if (ngroup > 0 || o->n > 0) {
        c->recent = *o;
        c->recent_sent = x->t[p->a].sent;
        c->recent_at = p->a;
        for (size_t k = 0; k < ngroup; k++)
            ok = ok && add_relation(c, o->count ? "group" : NULL, p->value, r->value, group[k]);
        for (size_t k = 0; k < o->n; k++)
            ok = ok && add_relation(c, NULL, p->value, r->value, o->m[k]->value);
    } else if (ex_civic_role(x, r->value) && !o->unresolved) {
        /* An MP's seat, a councillor's ward, is not an organisation. */
        ok = add_relation(c, "council", p->value, r->value, seat ? NULL : council_of(c, p));
    } else {
        /* No body in the sentence: what the story is about says, when it
         * says anything (story.c); else the document's one CCG.  Here a
         * civic role is unresolved, which document_ccg() refuses. */
        const char *story[MAX_LIST_NAMES];
        const char *how = NULL;
        int ns = o->unresolved || o->all_ccgs
                     ? -1
                     : ex_story_orgs(x, r, story, MAX_LIST_NAMES, &how);
        if (ns == 0)
            ok = add_relation(c, how, p->value, r->value, NULL);
        for (int k = 0; k < ns; k++)
            ok = ok && add_relation(c, how, p->value, r->value, story[k]);
        const char *kind = ns < 0 ? ex_story_kind_org(x, r) : NULL;
        if (kind)
            ok = add_relation(c, "story-body-kind", p->value, r->value, kind);
        else if (ns < 0) {
            const char *d = document_ccg(c, p, o);
            ok = add_relation(c, d ? "document-ccg" : NULL, p->value, r->value, d);
        }
    }
    if (!ok)
        x->oom = true;
}

/* Does role r stand in a line of its own person's ("Jane Smith - Chair",
 * "Jane Smith, Chair"), the person opening the line? */
static bool line_entry(const ex *x, const ex_mention *r)
{
    size_t a = r->a;
    if (a < 2 || !(ex_is(x, a - 1, "--") || ex_is(x, a - 1, "-") || ex_is(x, a - 1, ",")))
        return false;
    const ex_mention *p = owner(x, a - 2);
    return is_kind(p, EX_M_PERSON) && (x->t[p->a].f & EX_T_LINE);
}

/* A chain of roles from token i ("executive nurse, director of
 * safeguarding and executive director for commissioning at X"): stores
 * the roles and the organisation that follows the chain; returns how many
 * roles. */
static size_t role_chain(const ex *x, size_t i, const ex_mention **roles, size_t max, orgset *o)
{
    assert(max > 0);
    size_t n = 0;
    const ex_mention *r = owner(x, i);
    while (is_kind(r, EX_M_ROLE) && n < max) {
        roles[n++] = r;
        size_t k = r->b;
        orgs_after_role(x, k, o);
        /* A title and its body, as signed: "Chief Operating Officer, NHS
         * England & NHS Improvement". */
        if (!o->n && !o->all_ccgs && !o->unresolved && ex_is(x, k, ",") && ex_cap(x, r->a) &&
            is_body(owner(x, k + 1)) && !ex_poss_at(x, owner(x, k + 1)->b))
            orgset_add(o, owner(x, k + 1));
        /* In an attendance list, with no comma: "Roy Fisher Lay Chair NHS
         * Blackpool CCG Graham Burgess ..." (story.c says whether the
         * document holds one). */
        if (!o->n && !o->all_ccgs && !o->unresolved && ex_story_attendance(x) &&
            ex_cap(x, r->a) && is_body(owner(x, k)) && !ex_poss_at(x, owner(x, k)->b))
            bodies_at(x, k, o);
        if (o->n || o->all_ccgs)
            break;
        size_t next = ex_list_sep(x, k);
        if (next == k)
            break;
        k = next;
        while (ex_qualifier(x, k) && !owner(x, k))
            k++;
        r = owner(x, k);
    }
    /* "joined CCG chair Dr Mark Shenton": the role is the next person's --
     * unless that one's name starts a line, as in a list one a line
     * ("Jane Smith - Chair / Tom Jones - Chief Officer"). */
    if (n && is_kind(owner(x, roles[n - 1]->b), EX_M_PERSON) && !o->n && !o->all_ccgs &&
        !(line_entry(x, roles[0]) && (x->t[roles[n - 1]->b].f & EX_T_LINE)))
        return 0;
    return n;
}

/* A word before a role: "the", "its", "new" (determiners.tsv, "role"). */
static bool determiner_at(const ex *x, size_t j)
{
    return j < x->n && ex_in(x, j, &x->g->role_determiners);
}

/* Adverbs between a verb and its role: "is now the accountable officer",
 * "was previously chief executive". */
static bool adverb_at(const ex *x, size_t j)
{
    return ex_word(x, j) && ex_in(x, j, &x->g->adverbs);
}

/* Skip determiners, adverbs and qualifiers before a role. */
static size_t to_role(const ex *x, size_t j)
{
    bool qual = false;
    while (j < x->n && !owner(x, j)) {
        if (determiner_at(x, j) || adverb_at(x, j)) {
            j++;
        } else if (ex_qualifier(x, j)) {
            qual = true;
            j++;
        } else if (qual && ex_is(x, j, "and")) {
            j++;                    /* "GP and clinical chairman of ..." */
        } else if (ex_in(x, j, &x->g->parties) && ex_civic_role_at(x, j + 1)) {
            j++;                    /* "the Conservative MP for Totnes" */
        } else {
            break;
        }
    }
    return j;
}

/* The bodies named before a role, "[the] ORG['s] ROLE" or "the CCG's ROLE",
 * go to pre; returns where the role starts.  With bare, an ORG without 's
 * counts too ("Jane Smith, Oxfordshire CCG chief executive"). */
static size_t role_after_bodies(const ex *x, size_t i, bool bare, orgset *pre)
{
    size_t j = to_role(x, i);
    size_t e = bodies_at(x, j, pre);
    bool poss = e > j && ex_poss_at(x, e);
    if (poss || (e > j && bare))
        return to_role(x, poss ? e + 1 : e);
    /* "the CCG's clinical chair", "Dr Paul Williams, CCG Chair" -- but "a
     * former CCG chair" was chair of some CCG. */
    bool indefinite = false;
    for (size_t q = i; q < j; q++)
        indefinite = indefinite || ex_is(x, q, "a") || ex_is(x, q, "an") || ex_is(x, q, "another");
    if (ex_is(x, j, "ccg") && !owner(x, j) && !indefinite &&
        (ex_is(x, j + 1, "'s") || is_kind(owner(x, to_role(x, j + 1)), EX_M_ROLE))) {
        const ex_mention *m = last_ccg_before(x, j);
        if (m)
            orgset_add(pre, m);
        return to_role(x, ex_is(x, j + 1, "'s") ? j + 2 : j + 1);
    }
    /* "the CCGs' chief officer", "the four CCGs' accountable officer" */
    int count;
    bool every;
    e = group_at(x, j, &count, &every);
    if (e > j && ex_poss_at(x, e)) {
        pre->all_ccgs = true;
        pre->count = count;
        pre->every = every;
        return to_role(x, e + 1);
    }
    return j;
}

/* Each role of a chain, with the bodies after it ("of ORG") when it names
 * any, else those before it; "for them" means the bodies of the person's
 * last relation in the sentence, kept in last. */
static void relate_chain(relctx *c, const ex_mention *p, const ex_mention *const *roles, size_t n,
                         const orgset *o, const orgset *pre, orgset *last)
{
    const orgset *by = (o->n || o->all_ccgs || (o->unresolved && !pre->n)) ? o : pre;
    const orgset unnamed = { .unresolved = true };
    if (o->them)
        by = last->n || last->all_ccgs ? last : &unnamed;
    for (size_t k = 0; k < n; k++)
        relate(c, p, roles[k], by);
    if (n && (by->n || by->all_ccgs))
        *last = *by;
}

/* The body a "where" clause ending at token k refers to: "ORG, where he
 * works as ...", "ORG, where she is ...". */
static const ex_mention *where_body(const ex *x, size_t k)
{
    for (size_t w = k; w > 0 && k - w < 4; w--)
        if (ex_is(x, w - 1, "where"))
            return w >= 3 && ex_is(x, w - 2, ",") && is_body(owner(x, w - 3)) ? owner(x, w - 3)
                                                                             : NULL;
    return NULL;
}

/* Where the phrase of a role starting at token a starts: back over
 * determiners and qualifiers ("the current interim chief officer"). */
static size_t role_start(const ex *x, size_t a)
{
    while (a > 0 && (determiner_at(x, a - 1) || (ex_qualifier(x, a - 1) && !owner(x, a - 1))))
        a--;
    return a;
}

/* Does the phrase starting at token a open its sentence, perhaps after its
 * owner ("The committee's chairman", "Nene and Corby CCGs' accountable
 * officer"), a fronting "as" ("Taking over as chief officer of X") or a
 * linking adverb ("Meanwhile the chief officer of X")? */
static bool opens_sentence(const ex *x, size_t a)
{
    if (a >= 2 && ex_poss_at(x, a - 1)) {
        a--;
        for (size_t n = 0; a > 0 && n < MAX_OWNER_TOKENS; n++) {
            const ex_mention *m = owner(x, a - 1);
            if (is_body(m))
                a = m->a;
            else if ((ex_word(x, a - 1) && !ex_cap(x, a - 1)) || ex_is(x, a - 1, "ccgs") ||
                     ex_is(x, a - 1, "ccg") || (x->t[a - 1].f & EX_T_DIGIT) || ex_is(x, a - 1, ","))
                a--;
            else
                break;
        }
        while (a > 0 && determiner_at(x, a - 1))
            a--;
    }
    if (a == 0 || (x->t[a].f & EX_T_SENT))
        return true;
    return ex_is(x, a - 1, "as") ||
           ((x->t[a - 1].f & EX_T_SENT) && (adverb_at(x, a - 1) || ex_is(x, a - 1, "meanwhile")));
}

/* No body other than those of o stands in tokens [a, b). */
static bool no_other_body(const ex *x, const orgset *o, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++) {
        const ex_mention *m = owner(x, k);
        if (!is_body(m))
            continue;
        bool in = false;
        for (size_t j = 0; j < o->n && !in; j++)
            in = o->m[j] == m || strcmp(o->m[j]->value, m->value) == 0;
        if (!in)
            return false;
    }
    return true;
}

/* --- the rules ------------------------------------------------------------ */

/* Each rule reads one shape of sentence around person p and relates p to
 * the roles it states.  last holds the bodies of p's last relation that
 * named any, for "for them" (relate_chain), and is what c->taken points
 * at while p's rules run. */
typedef void relation_rule(relctx *c, const ex_mention *p, orgset *last);

/* "Councillor Adele Williams": the title is the role. */
static void rule_councillor_title(relctx *c, const ex_mention *p, orgset *last)
{
    ex *x = c->x;
    (void)last;
    if (!ex_is(x, p->a, "councillor"))
        return;
    const ex_mention *r = NULL;
    for (size_t k = 0; k < x->nm && !r; k++)
        if (x->m[k].kind == EX_M_ROLE && x->m[k].a == p->a)
            r = &x->m[k];
    orgset none = { .n = 0 };
    if (r)
        relate(c, p, r, &none);
}

/* A title that runs on into another name is that one's: "Tributes to Dr
 * Jane Smith / Chief Executive of X Tom Jones said".  Is the chain of
 * roles[0..n) with the bodies o so? */
static bool title_of_next(const ex *x, const ex_mention *const *roles, size_t n,
                          const orgset *o)
{
    size_t end = roles[n - 1]->b;
    for (size_t q = 0; q < o->n; q++)
        end = o->m[q]->b > end ? o->m[q]->b : end;
    return is_kind(owner(x, end), EX_M_PERSON) && !(x->t[end].f & EX_T_LINE);
}

/* A second post with a body of its own, after the first post roles[n-1]
 * and its bodies o: "Melanie Craig, the current chief officer of NHS Great
 * Yarmouth and Waveney CCG and executive lead of the local Norfolk and
 * Waveney STP".  Only bodies named in the text after that post, in its
 * sentence, end it ("of the CCG" may stand for a CCG named sentences
 * before), and a second title that runs on into another name is that
 * one's. */
static void second_post(relctx *c, const ex_mention *p, const ex_mention *post, const orgset *o,
                        orgset *last)
{
    ex *x = c->x;
    size_t end = 0;
    for (size_t k = 0; k < o->n; k++)
        if (o->m[k]->a >= post->b && x->t[o->m[k]->a].sent == x->t[post->a].sent &&
            o->m[k]->b > end)
            end = o->m[k]->b;
    if (!end || !ex_is(x, end, "and"))
        return;
    const ex_mention *roles[MAX_CHAIN_ROLES];
    orgset o2 = { .n = 0 };
    size_t n = role_chain(x, to_role(x, end + 1), roles, MAX_CHAIN_ROLES, &o2);
    if (n && o2.n && !title_of_next(x, roles, n, &o2)) {
        orgset none = { .n = 0 };
        relate_chain(c, p, roles, n, &o2, &none, last);
    }
}

/* "X, clinical chair of Y CCG", "X, Y CCG chief executive", "X (chair,
 * Y CCG)", and a title straight after the name: "John Turner / Chief
 * Executive". */
static void rule_role_after_person(relctx *c, const ex_mention *p, orgset *last)
{
    ex *x = c->x;
    const ex_mention *roles[MAX_CHAIN_ROLES];
    bool titled = is_kind(owner(x, p->b), EX_M_ROLE) && ex_cap(x, p->b);
    if (!(ex_is(x, p->b, ",") || ex_is(x, p->b, "(") || ex_is(x, p->b, "[") ||
          ex_is(x, p->b, "--") || titled))
        return;
    orgset pre = { .n = 0 };
    size_t j = titled ? p->b : role_after_bodies(x, p->b + 1, true, &pre);
    orgset o = { .n = 0 };
    size_t n = role_chain(x, j, roles, MAX_CHAIN_ROLES, &o);
    /* (In an attendance list every title is the name's before it.) */
    if (titled && n && !ex_story_attendance(x) && title_of_next(x, roles, n, &o))
        n = 0;
    relate_chain(c, p, roles, n, &o, &pre, last);
    if (n && o.n)
        second_post(c, p, roles[n - 1], &o, last);
}

/* The role that ends right before token k, walking back over "of [the]
 * ORG", "at ORG" or "for PLACE" ("MP for North Devon, Peter
 * Heaton-Jones"); the bodies walked over go to o, and *through says
 * whether there were any.  NULL when no role ends there. */
static const ex_mention *role_ending_before(const ex *x, size_t k, orgset *o, bool *through)
{
    const ex_mention *r = k > 0 ? owner(x, k - 1) : NULL;
    /* "Chief Executive Officer of Black Country and West Birmingham CCGs -
     * Mr Paul Maubach": a group the story does not name, so no org. */
    if (is_kind(r, EX_M_GROUP) && r->a >= 2 &&
        (ex_is(x, r->a - 1, "of") || ex_is(x, r->a - 1, "for")) &&
        is_kind(owner(x, r->a - 2), EX_M_ROLE)) {
        *through = true;
        o->unresolved = true;
        return owner(x, r->a - 2);
    }
    /* "Director of performance and governance for the CCGs Geraint
     * Davies": a group of the story's CCGs. */
    if (k >= 3 && !r && ex_is(x, k - 1, "ccgs"))
        for (size_t s = k - 1; s + 6 > k && s >= 2; s--) {
            int count;
            bool every;
            if (group_at(x, s, &count, &every) == k &&
                (ex_is(x, s - 1, "for") || ex_is(x, s - 1, "of")) &&
                is_kind(owner(x, s - 2), EX_M_ROLE)) {
                *through = true;
                o->all_ccgs = true;
                o->count = count;
                o->every = every;
                return owner(x, s - 2);
            }
        }
    *through = is_kind(r, EX_M_PLACE) || is_body(r);
    if (!*through)
        return r;
    size_t s = r->a;
    while (is_body(r) && s > 0 && is_body(owner(x, s - 1)))
        s = owner(x, s - 1)->a;
    size_t body = s;
    if (is_body(r) && s > 0 && ex_is(x, s - 1, "the"))
        s--;
    bool place = is_kind(r, EX_M_PLACE);
    r = s >= 2 &&
                (ex_is(x, s - 1, "of") || ex_is(x, s - 1, "for") ||
                 (!place && ex_is(x, s - 1, "at"))) &&
                is_kind(owner(x, s - 2), EX_M_ROLE)
            ? owner(x, s - 2)
            : NULL;
    if (r && !place)
        bodies_at(x, body, o);
    return r;
}

/* "Oxfordshire CCG chief executive David Smith", "The CCG's clinical
 * chair, Joe McManners", "the chief officer of Y CCG is X", and "...,
 * alongside chief finance officer X" (X's post at the bodies just named). */
static void rule_role_before_person(relctx *c, const ex_mention *p, orgset *last)
{
    ex *x = c->x;
    (void)last;
    if (p->a == 0)
        return;
    size_t k = p->a;
    int sent = x->t[p->a].sent;
    /* "... ROLE, PERSON", and "the ROLE for ORG is PERSON" */
    bool copula = ex_is(x, k - 1, "is") || ex_is(x, k - 1, "was");
    if (ex_is(x, k - 1, ",") || ex_is(x, k - 1, ":") || ex_is(x, k - 1, "-") ||
        ex_is(x, k - 1, "--") || copula)
        k--;
    orgset o = { .n = 0 };
    bool through;
    const ex_mention *r = role_ending_before(x, k, &o, &through);
    if (!is_kind(r, EX_M_ROLE) || x->t[r->a].sent != sent)
        return;
    size_t before = role_start(x, r->a);
    /* "their respective chairs A and B": rule_respective_posts(). */
    if (before > 0 && ex_is(x, before - 1, "respective"))
        return;
    bool after_comma = before > 0 && (ex_is(x, before - 1, ",") || ex_is(x, before - 1, "and"));
    /* "Joe, clinical chair of X, Ian ..." and "Sarah Wollaston, MP for
     * Totnes, Dr Jane Smith": a list of people, the role is the one's
     * before it.  "The chief officer of X is Y": the role must be the
     * sentence's subject ("Also at the meeting with the chief officer of X
     * was Y" names a guest). */
    /* ...but "A and the Managing Director of X CCG - Mr B" is B's title. */
    bool dashed = ex_is(x, k, "-") || ex_is(x, k, "--") || ex_is(x, k, ":");
    if ((through && after_comma && !dashed) || (copula && !after_comma && !opens_sentence(x, before)))
        return;
    if (o.n == 0)
        orgs_before_role(x, r->a, &o);
    /* "X was appointed chief executive to oversee the four organisations,
     * alongside chief finance officer Y": Y's post is at the same bodies,
     * when no other body stands between. */
    if (!o.n && !o.all_ccgs && before > 0 && ex_is(x, before - 1, "alongside") &&
        c->recent_sent == sent && no_other_body(x, &c->recent, c->recent_at, before))
        o = c->recent;
    relate(c, p, r, &o);
}

/* "North Cumbria CCG appoints Jon Rush as chair": the body that appoints
 * person p, into pre. */
static void appointing_body(const ex *x, const ex_mention *p, orgset *pre)
{
    if (p->a < 2)
        return;
    size_t v = p->a;
    if (ex_is(x, v - 1, "has") || ex_is(x, v - 1, "have"))
        v--;
    if (!ex_in(x, v - 1, &x->g->appointing_verbs))
        return;
    v--;
    if (v > 0 && (ex_is(x, v - 1, "has") || ex_is(x, v - 1, "have")))
        v--;
    /* and the list it ends: "The CCGs of A, B and C named X as ..." */
    const ex_mention *m = v > 0 ? owner(x, v - 1) : NULL;
    if (!is_body(m))
        return;
    size_t s = m->a;
    while (s >= 2 && (ex_is(x, s - 1, "and") || ex_is(x, s - 1, ",") || ex_is(x, s - 1, "&")) &&
           is_body(owner(x, s - 2)))
        s = owner(x, s - 2)->a;
    bodies_at(x, s, pre);
}

/* "X ... as the accountable officer for Y", "X became chair", "X, who was
 * appointed chief officer of Y", "from Y, where she works as ROLE": a role
 * after a verb (data/role_verbs.txt) in the person's own clause. */
static void rule_role_after_verb(relctx *c, const ex_mention *p, orgset *last)
{
    ex *x = c->x;
    const ex_mention *roles[MAX_CHAIN_ROLES];
    int sent = x->t[p->a].sent;
    for (size_t k = p->b; k < x->n && x->t[k].sent == sent; k++) {
        if (is_kind(owner(x, k), EX_M_PERSON))
            break;
        if (ex_is(x, k, "said") || ex_is(x, k, "says") || ex_is(x, k, "added"))
            break;
        if (!ex_in(x, k, &x->g->role_verbs))
            continue;
        orgset pre = { .n = 0 };
        /* "became NHS England chief executive": a body before the role,
         * as after a name -- but "became a Labour MP" names a party, not
         * the seat's body. */
        size_t j = role_after_bodies(x, k + 1, true, &pre);
        orgset o = { .n = 0 };
        size_t n = role_chain(x, j, roles, MAX_CHAIN_ROLES, &o);
        if (n && pre.n && j > 0 && !ex_poss_at(x, j - 1) && ex_civic_role(x, roles[0]->value))
            pre.n = 0;
        bool unnamed = n && !o.n && !o.all_ccgs && !o.unresolved;
        if (unnamed && pre.n == 0 && ex_is(x, k, "as"))
            appointing_body(x, p, &pre);
        /* "X will be joining ORG as ROLE" */
        if (unnamed && pre.n == 0 && ex_is(x, k, "as") && is_body(owner(x, k - 1))) {
            size_t b = owner(x, k - 1)->a;
            if (b > 0 && ex_is(x, b - 1, "the"))
                b--;
            if (b > 0 && ex_in(x, b - 1, &x->g->joining_verbs))
                orgset_add(&pre, owner(x, k - 1));
        }
        /* "from ORG, where he works as ROLE" */
        if (unnamed && pre.n == 0) {
            const ex_mention *w = where_body(x, k);
            if (w)
                orgset_add(&pre, w);
        }
        relate_chain(c, p, roles, n, &o, &pre, last);
        if (n)
            k = roles[n - 1]->b;
    }
}

/* "In a joint statement, their respective chairs Julian Povey and Jo
 * Leahy said": the i-th person holds the post at the i-th member of the
 * group of as many CCGs the story named last before ("between Shropshire
 * CCG and Telford and Wrekin CCG"). */
static void rule_respective_posts(relctx *c, const ex_mention *p, orgset *last)
{
    ex *x = c->x;
    (void)last;
    /* back over the people named before p in the same list */
    size_t k = p->a, idx = 0;
    while (k >= 2 && (ex_is(x, k - 1, "and") || ex_is(x, k - 1, ",")) &&
           is_kind(owner(x, k - 2), EX_M_PERSON)) {
        k = owner(x, k - 2)->a;
        idx++;
    }
    const ex_mention *r = k > 0 ? owner(x, k - 1) : NULL;
    if (!is_kind(r, EX_M_ROLE) || r->a == 0 || !ex_is(x, r->a - 1, "respective"))
        return;
    /* and forward over the people after it */
    size_t n = 1;
    for (size_t e = r->b; is_kind(owner(x, e), EX_M_PERSON); n++) {
        e = owner(x, e)->b;
        if (!(ex_is(x, e, "and") || ex_is(x, e, ",")) || !is_kind(owner(x, e + 1), EX_M_PERSON))
            break;
        e++;
    }
    const ex_group *g = ex_story_group_before(x, r->a, n);
    if (g && idx < g->n && !add_relation(c, "story-group", p->value, r->value, g->member[idx]))
        x->oom = true;
}

/* "The CCG has appointed an interim chief officer ... Nick Robinson took
 * up the role with Somerset CCG three weeks ago": "the role", "the post"
 * after a verb of holding (data/post_nouns.txt, post_verbs.txt) is the
 * post named last before the person, within POST_REACH tokens; its body
 * is the one after "with/at/of", else the story's. */
static void rule_post_anaphor(relctx *c, const ex_mention *p, orgset *last)
{
    ex *x = c->x;
    int sent = x->t[p->a].sent;
    size_t j = 0;
    for (size_t k = p->b; k < x->n && x->t[k].sent == sent && !j; k++) {
        if (owner(x, k) || ex_in(x, k, &x->g->speech_verbs))
            return;
        if (!ex_in(x, k, &x->g->post_verbs))
            continue;
        size_t q = k + 1;
        if (ex_is(x, q, "up") || ex_is(x, q, "on") || ex_is(x, q, "over") || ex_is(x, q, "into"))
            q++;
        if ((ex_is(x, q, "the") || ex_is(x, q, "this")) && ex_in(x, q + 1, &x->g->post_nouns) &&
            !owner(x, q + 1) && !ex_is(x, q + 2, "of"))
            j = q + 1;
    }
    if (!j)
        return;
    /* The post of an earlier sentence: a title in p's own ("Nottingham
     * North East chief officer Sam Walters will take up the post") is
     * p's present one. */
    const ex_mention *r = NULL;
    for (size_t k = 0; k < x->nm; k++) {
        const ex_mention *m = &x->m[k];
        if (m->kind == EX_M_ROLE && m->b <= p->a && p->a - m->b <= POST_REACH &&
            x->t[m->a].sent < sent && (!r || m->b > r->b))
            r = m;
    }
    if (!r || ex_civic_role(x, r->value))
        return;
    /* Its body: the one after "the role", else the one the post was
     * named with ("appointed as managing director of X CCG. He replaces
     * Y, who held the role ..."), else the story's. */
    orgset o = { .n = 0 };
    if (org_preposition(x, j + 1))
        orgs_after_prep(x, j + 1, &o);
    if (!o.n && !o.all_ccgs) {
        o = (orgset){ .n = 0 };
        orgs_after_role(x, r->b, &o);
        if (!o.n && !o.all_ccgs)
            orgs_before_role(x, r->a, &o);
        o.unresolved = false;
    }
    relate(c, p, r, &o);
    if (o.n)
        *last = o;
}

/* "The three CCGs' accountable officers issued a joint statement. Adrian
 * Stokes, for the Coventry and Rugby and Warwickshire North CCGs, and
 * Gillian Entwistle, for South Warwickshire CCG, called ...", "Other CCG
 * chairs ... include Dr Helen Tattersfield from Lewisham CCG, Dr Tony
 * Banerjee from Hull CCG and ...": each person of a post named in the
 * plural just before, at the body named beside them. */
static void rule_plural_post_member(relctx *c, const ex_mention *p, orgset *last)
{
    ex *x = c->x;
    size_t k = p->b;
    if (ex_is(x, k, ",") && ex_is(x, k + 1, "for"))
        k++;
    else if (!ex_is(x, k, "from"))
        return;
    orgset o = { .n = 0 };
    if (!orgs_after_prep(x, k, &o) || !o.n)
        return;
    int sent = x->t[p->a].sent;
    const ex_mention *r = NULL;
    for (size_t q = 0; q < x->nm; q++) {
        const ex_mention *m = &x->m[q];
        if (m->kind == EX_M_ROLE && m->b <= p->a && p->a - m->b <= POST_REACH &&
            x->t[m->a].sent + 1 >= sent && (!r || m->b > r->b))
            r = m;
    }
    if (!r || ex_civic_role(x, r->value))
        return;
    /* the post in the plural: "accountable officers", "chairs" */
    const char *w = x->t[r->b - 1].norm;
    size_t wl = strlen(w), vl = strlen(r->value);
    if (wl < 2 || w[wl - 1] != 's' || r->value[vl - 1] == 's')
        return;
    relate(c, p, r, &o);
    *last = o;
}

/* "A struggling clinical commissioning group is searching for a new
 * leader after its chief officer announced she would retire next month.
 * Helen Shields will leave Isle of Wight CCG ...": a post named with no
 * one in it, as the subject of a "she"/"he" clause, is the post of the
 * person who opens the next sentence; its body is the story's. */
static void rule_post_then_person(relctx *c, const ex_mention *p, orgset *last)
{
    ex *x = c->x;
    (void)last;
    if (!(x->t[p->a].f & EX_T_SENT) || p->a == 0)
        return;
    int prev = x->t[p->a - 1].sent;     /* the sentence before */
    const ex_mention *r = NULL;
    for (size_t q = 0; q < x->nm; q++) {
        const ex_mention *m = &x->m[q];
        if (m->kind == EX_M_PERSON && x->t[m->a].sent == prev)
            return;                 /* the post is someone's already */
        if (m->kind == EX_M_ROLE && x->t[m->a].sent == prev && m->a > 0 &&
            (ex_is(x, m->a - 1, "its") || ex_is(x, m->a - 1, "their")) &&
            (ex_is(x, m->b + 1, "she") || ex_is(x, m->b + 1, "he")) &&
            ex_in(x, m->b, &x->g->speech_verbs))
            r = m;
    }
    if (!r || ex_civic_role(x, r->value))
        return;
    orgset none = { .n = 0 };
    relate(c, p, r, &none);
}

/* The rules, in order of precedence: a person's relations are recorded in
 * this order, and what an earlier rule records (c->recent, last) is what
 * a later one reads. */
static const struct {
    const char *name;
    relation_rule *run;
} rules[] = {
    { "councillor-title", rule_councillor_title },
    { "role-after-person", rule_role_after_person },
    { "role-before-person", rule_role_before_person },
    { "role-after-verb", rule_role_after_verb },
    { "respective-posts", rule_respective_posts },
    { "post-anaphor", rule_post_anaphor },
    { "plural-post-member", rule_plural_post_member },
    { "post-then-person", rule_post_then_person },
};

static void relations_of(relctx *c, const ex_mention *p)
{
    orgset last = { .n = 0 };
    c->taken = &last;
    for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++) {
        c->rule = rules[k].name;
        rules[k].run(c, p, &last);
    }
    c->taken = NULL;            /* last goes out of scope */
}

/* "Toby Sanders, accountable officer" in a sentence that names no body,
 * and the same accountable officer at NHS West Leicestershire CCG in
 * another, are one post: the relation without a body goes when the story
 * names the person in that role at one. */
static void drop_bodiless(relctx *c)
{
    cs_entities *e = c->out;
    bool *drop = calloc(e->nrel ? e->nrel : 1, sizeof *drop);
    if (!drop) {
        c->x->oom = true;
        return;
    }
    for (size_t i = 0; i < e->nrel; i++)
        for (size_t j = 0; j < e->nrel && !e->rel[i].org && !drop[i]; j++)
            drop[i] = e->rel[j].org && strcmp(e->rel[j].person, e->rel[i].person) == 0 &&
                      strcmp(e->rel[j].role, e->rel[i].role) == 0;
    size_t o = 0;
    for (size_t i = 0; i < e->nrel; i++) {
        cs_person_role *r = &e->rel[i];
        if (!drop[i]) {
            e->rel[o++] = *r;
            continue;
        }
        if (c->trace)
            fprintf(stderr, "relation dropped, its body named elsewhere: %s / %s / -\n",
                    r->person, r->role);
        free(r->person);
        free(r->role);
    }
    e->nrel = o;
    free(drop);
}

void ex_find_relations(ex *x)
{
    relctx c = { .x = x, .out = x->out, .nccgs = 0, .recent_sent = -1,
                 .trace = getenv("CCG_EXTRACT_TRACE") != NULL };
    for (size_t k = 0; k < x->nm; k++) {
        if (x->m[k].kind != EX_M_CCG)
            continue;
        bool seen = false;
        for (size_t j = 0; j < c.nccgs && !seen; j++)
            seen = strcmp(c.ccgs[j], x->m[k].value) == 0;
        if (!seen && c.nccgs < MAX_STORY_CCGS)
            c.ccgs[c.nccgs++] = x->m[k].value;
    }
    for (size_t mi = 0; mi < x->nm && !x->oom; mi++)
        if (x->m[mi].kind == EX_M_PERSON)
            relations_of(&c, &x->m[mi]);
    if (!x->oom)
        drop_bodiless(&c);
}
