/* Pass "story": the document-level model of what a story is about.
 *
 * The sentence-level recognisers have named the CCGs, people and posts;
 * this pass reads what they found once more, over the whole text, for
 *   - the story's CCGs, distinct, in order of first mention;
 *   - the groups it defines: each list of CCGs the "ccgs" pass read ("the
 *     six CCGs in south east London (A, B, C, D, E and F)", "A, B and C
 *     CCGs"), with the number the story gives it, and CCGs named side by
 *     side ("Shropshire CCG and Telford and Wrekin CCG");
 *   - its subject: the one group that is every CCG the story names;
 *   - whether a group is counted past the CCGs the story names ("all eight
 *     CCGs" with five named), so that a post over it has no single org;
 *   - whether it holds an attendance list ("Present Roy Fisher Lay Chair
 *     NHS Blackpool CCG Graham Burgess Lay Chair ...");
 *   - one name for each organisation it names in a short and a full form
 *     ("Devon STP" and "Devon sustainability and transformation
 *     partnership"): the full one, for its mentions and its posts.
 * The relations (relations.c) then ask it, through the functions at the
 * end, for the bodies of a post that its own sentence does not name.
 */
#include "entities/internal.h"
#include "core/util.h"
#include "vocab/words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_ccg(const ex *x, size_t i)
{
    return i < x->n && x->t[i].owner >= 0 && x->m[x->t[i].owner].kind == EX_M_CCG;
}

static void group_add(ex_group *g, const char *v)
{
    for (size_t k = 0; k < g->n; k++)
        if (strcmp(g->member[k], v) == 0)
            return;
    if (g->n < MAX_LIST_NAMES)
        g->member[g->n++] = v;
}

/* The number a story gives a group just before its first member at token
 * a, in the same sentence: "the six CCGs in south east London (A, ...)",
 * "Six clinical commissioning groups across Kent and Medway ... of: A, B".
 * 0 when none. */
static int group_number(const ex *x, size_t a)
{
    int sent = x->t[a].sent;
    for (size_t k = a; k > 0 && a - k < 12 && x->t[k - 1].sent == sent; k--) {
        size_t i = k - 1;
        int v = ex_count_at(x, i);
        if (v > 1 && (ex_is(x, i + 1, "ccgs") || ex_is(x, i + 1, "clinical") ||
                      ex_is(x, i + 1, "groups")))
            return v;
    }
    return 0;
}

/* "A CCG and B CCG", "A CCG, B CCG and C CCG": CCGs named one by one side
 * by side, as a group.  Starting at the CCG mention at token i; returns the
 * token after the run. */
static size_t side_by_side(ex *x, size_t i)
{
    ex_story *s = &x->story;
    ex_group g = { .n = 0, .a = i };
    const ex_mention *m = &x->m[x->t[i].owner];
    group_add(&g, m->value);
    size_t e = m->b;
    for (;;) {
        size_t k = e;
        size_t next = ex_list_sep(x, k);
        if (next == k)
            break;
        k = next;
        if (ex_is(x, k, "the"))
            k++;
        if (!is_ccg(x, k) || x->m[x->t[k].owner].a != k || x->m[x->t[k].owner].list)
            break;
        m = &x->m[x->t[k].owner];
        group_add(&g, m->value);
        e = m->b;
    }
    g.b = e;
    if (g.n >= 2 && s->ngroups < MAX_STORY_GROUPS)
        s->group[s->ngroups++] = g;
    return e;
}

/* "Roy Fisher Lay Chair NHS Blackpool CCG": a person, a title in capitals
 * and a body, nothing between them. */
static bool entry_at(const ex *x, const ex_mention *p)
{
    size_t r = p->b;
    if (!ex_cap(x, r) || x->t[r].owner < 0 || x->m[x->t[r].owner].kind != EX_M_ROLE)
        return false;
    size_t b = x->m[x->t[r].owner].b;
    return b < x->n && x->t[b].owner >= 0 &&
           (x->m[x->t[b].owner].kind == EX_M_CCG || x->m[x->t[b].owner].kind == EX_M_ORG);
}

/* The one CCG the story is about: its only CCG, or the one it names at
 * least twice and at least twice as often as any other ("Shropshire CCG
 * ... the CCG ... Shropshire CCG ... David Evans, accountable officer for
 * neighbouring Telford and Wrekin CCG").  NULL when there is none. */
static const char *subject_ccg(const ex *x)
{
    const ex_story *s = &x->story;
    if (s->nccgs <= 1)
        return s->nccgs ? s->ccg[0] : NULL;
    size_t times[MAX_STORY_CCGS] = { 0 };
    for (size_t k = 0; k < x->nm; k++)
        for (size_t j = 0; j < s->nccgs && x->m[k].kind == EX_M_CCG; j++)
            if (strcmp(s->ccg[j], x->m[k].value) == 0) {
                times[j]++;
                break;
            }
    size_t best = 0, second = 0;
    for (size_t j = 1; j < s->nccgs; j++)
        if (times[j] > times[best])
            best = j;
    for (size_t j = 0; j < s->nccgs; j++)
        if (j != best && times[j] > second)
            second = times[j];
    return times[best] >= 2 && times[best] >= 2 * second ? s->ccg[best] : NULL;
}

/* The words of organisation m with each synonym written as its group
 * ("devon #2" for both "Devon STP" and "Devon sustainability and
 * transformation partnership"); false when it holds no synonym or does
 * not fit. */
static bool org_key(const ex *x, const ex_mention *m, char *key, size_t cap)
{
    size_t n = 0;
    bool syn = false;
    key[0] = '\0';
    for (size_t k = m->a; k < m->b;) {
        int g = -1;
        size_t len = ex_word(x, k) ? ex_synonym_at(x, k, m->b, &g) : 0;
        char part[16];
        const char *w = x->t[k].norm;
        if (len) {
            snprintf(part, sizeof part, "#%d", g);
            w = part;
            syn = true;
        }
        if (ex_word(x, k) && !ex_key_add(key, cap, &n, w))
            return false;
        k += len ? len : 1;
    }
    return syn;
}

/* An organisation mention with its key, for one_name_per_org(). */
typedef struct keyed_org {
    char *key;
    ex_mention *m;
} keyed_org;

/* By key; within a key the full form first: the most words, then the
 * first mentioned. */
static int by_key_then_fullest(const void *pa, const void *pb)
{
    const keyed_org *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    size_t wa = a->m->b - a->m->a, wb = b->m->b - b->m->a;
    if (wa != wb)
        return wa > wb ? -1 : 1;
    return (a->m->a > b->m->a) - (a->m->a < b->m->a);
}

/* An organisation the story names in a short and a full form ("Devon
 * STP" and "Devon sustainability and transformation partnership",
 * "Joint Committee of CCGs" and "... of Clinical Commissioning Groups")
 * is one: every mention takes the form with the most words, the first
 * of them on a tie, so the facet lists it once and its posts name it
 * alike.  Each key is made once and the keys sorted, so a story of many
 * organisations costs n log n. */
static void one_name_per_org(ex *x)
{
    keyed_org *k = malloc((x->nm ? x->nm : 1) * sizeof *k);
    char key[KEY_MAX];
    size_t n = 0;
    if (!k) {
        x->oom = true;
        return;
    }
    for (size_t i = 0; i < x->nm && !x->oom; i++)
        if (x->m[i].kind == EX_M_ORG && org_key(x, &x->m[i], key, sizeof key)) {
            if (!(k[n].key = cs_strdup(key))) {
                x->oom = true;
                break;
            }
            k[n++].m = &x->m[i];
        }
    if (!x->oom)
        qsort(k, n, sizeof *k, by_key_then_fullest);
    for (size_t i = 0, j; i < n && !x->oom; i = j) {
        const char *full = k[i].m->value;
        for (j = i + 1; j < n && strcmp(k[j].key, k[i].key) == 0; j++) {
            if (strcmp(k[j].m->value, full) == 0)
                continue;
            char *v = cs_strdup(full);
            if (!v) {
                x->oom = true;
                break;
            }
            free(k[j].m->value);
            k[j].m->value = v;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(k[i].key);
    free(k);
}

void ex_build_story(ex *x)
{
    ex_story *s = &x->story;
    memset(s, 0, sizeof *s);
    s->subject = -1;
    /* The story's CCGs. */
    for (size_t k = 0; k < x->nm; k++) {
        if (x->m[k].kind != EX_M_CCG)
            continue;
        bool seen = false;
        for (size_t j = 0; j < s->nccgs && !seen; j++)
            seen = strcmp(s->ccg[j], x->m[k].value) == 0;
        if (!seen && s->nccgs < MAX_STORY_CCGS)
            s->ccg[s->nccgs++] = x->m[k].value;
    }
    /* Its lists, as groups: list l is group l - 1. */
    size_t nlists = x->lists < MAX_STORY_GROUPS ? (size_t)x->lists : MAX_STORY_GROUPS;
    for (size_t l = 0; l < nlists; l++)
        s->group[l] = (ex_group){ .n = 0, .a = x->n, .b = 0 };
    for (size_t k = 0; k < x->nm; k++) {
        const ex_mention *m = &x->m[k];
        if (m->kind != EX_M_CCG || m->list <= 0 || (size_t)m->list > nlists)
            continue;
        ex_group *g = &s->group[m->list - 1];
        group_add(g, m->value);
        g->a = m->a < g->a ? m->a : g->a;
        g->b = m->b > g->b ? m->b : g->b;
    }
    s->ngroups = nlists;
    /* CCGs named side by side, each run read from its first CCG (one
     * that no CCG stands just before). */
    for (size_t k = 0; k < x->nm && s->nccgs >= 2; k++) {
        const ex_mention *m = &x->m[k];
        if (m->kind != EX_M_CCG || m->list || x->t[m->a].owner != (int)k)
            continue;
        size_t a = m->a;
        if (a > 0 && ex_is(x, a - 1, "the"))
            a--;
        if (a > 0 && (ex_is(x, a - 1, ",") || ex_is(x, a - 1, "and") || ex_is(x, a - 1, "&"))) {
            size_t q = a - 1;
            if (q > 0 && ex_is(x, q, "and") && ex_is(x, q - 1, ","))
                q--;
            if (q > 0 && is_ccg(x, q - 1) && !x->m[x->t[q - 1].owner].list)
                continue;           /* inside a run */
        }
        side_by_side(x, m->a);
    }
    for (size_t l = 0; l < s->ngroups; l++) {
        ex_group *g = &s->group[l];
        if (g->n)
            g->count = group_number(x, g->a);
        if (g->count > (int)g->n)
            s->counted = true;
    }
    /* "all eight CCGs" past the ones named: a counted group. */
    for (size_t i = 0; i + 1 < x->n && s->nccgs && !s->counted; i++) {
        if (!ex_is(x, i + 1, "ccgs"))
            continue;
        int v = 0;
        for (int d = 2; cs_number_words[d]; d++)
            if (ex_is(x, i, cs_number_words[d]))
                v = d;
        if (v > (int)s->nccgs && v <= MAX_LOCAL_GROUP)
            s->counted = true;
    }
    /* The subject: the group that is every CCG of the story. */
    for (size_t g = 0; g < s->ngroups && s->subject < 0; g++)
        if (s->nccgs >= 2 && s->group[g].n == s->nccgs)
            s->subject = (int)g;
    s->subject_ccg = subject_ccg(x);
    size_t entries = 0;
    for (size_t k = 0; k < x->nm && entries < ATTEND_MIN_ENTRIES; k++)
        entries += x->m[k].kind == EX_M_PERSON && entry_at(x, &x->m[k]);
    s->attendance = entries >= ATTEND_MIN_ENTRIES;
    one_name_per_org(x);
}

/* --- what the relations ask ------------------------------------------------ */

/* A word of data/joint_words.txt in the sentence of role r, before it and
 * within ROLE_REACH tokens ("the current joint accountable officer David
 * Evans and chair Dr Julian Povey"; "announced X as their single
 * accountable officer"). */
static bool joint_post(const ex *x, const ex_mention *r)
{
    int sent = x->t[r->a].sent;
    for (size_t k = r->b; k > 0 && r->b - k < ROLE_REACH && x->t[k - 1].sent == sent; k--)
        if (ex_in(x, k - 1, &x->g->joint_words))
            return true;
    return false;
}

int ex_story_orgs(const ex *x, const ex_mention *r, const char **out, size_t max,
                  const char **rule)
{
    const ex_story *s = &x->story;
    *rule = NULL;
    if (!joint_post(x, r))
        return -1;
    /* "their joint accountable officer" of "all eight CCGs", five named:
     * no single org. */
    if (s->counted) {
        *rule = "story-joint-post-counted";
        return 0;
    }
    /* "the current joint accountable officer David Evans" in a story about
     * Shropshire CCG and Telford and Wrekin CCG: one post per member. */
    if (s->subject >= 0) {
        const ex_group *g = &s->group[s->subject];
        size_t n = 0;
        for (; n < g->n && n < max; n++)
            out[n] = g->member[n];
        *rule = "story-joint-post";
        return (int)n;
    }
    return -1;
}

const ex_group *ex_story_group_before(const ex *x, size_t at, size_t n)
{
    const ex_group *best = NULL;
    for (size_t k = 0; k < x->story.ngroups; k++) {
        const ex_group *g = &x->story.group[k];
        if (g->n && g->b <= at && (n == 0 || g->n == n) && (!best || g->b > best->b))
            best = g;
    }
    return best;
}

bool ex_story_attendance(const ex *x)
{
    return x->story.attendance;
}

/* Does name end in the words of kind ("... sustainability and
 * transformation partnership", "... STP"), case aside? */
static bool ends_in_kind(const char *name, const char *kind)
{
    size_t n = strlen(name), k = strlen(kind);
    return n > k && name[n - k - 1] == ' ' && strncasecmp(name + n - k, kind, k) == 0;
}

const char *ex_story_kind_org(const ex *x, const ex_mention *r)
{
    char first[NORM_MAX];
    size_t len = strcspn(r->value, " ");
    if (len >= sizeof first || !r->value[len])
        return NULL;
    memcpy(first, r->value, len);
    first[len] = '\0';
    int g = cs_table_find(&x->g->synonyms, first);
    if (g < 0)
        return NULL;
    const char *found = NULL;
    for (size_t k = 0; k < x->nm; k++) {
        const ex_mention *m = &x->m[k];
        if (m->kind != EX_M_ORG || (found && strcmp(found, m->value) == 0))
            continue;
        for (char **alt = x->g->syn_alts[g]; *alt; alt++)
            if (ends_in_kind(m->value, *alt)) {
                if (found)
                    return NULL;
                found = m->value;
                break;
            }
    }
    return found;
}
