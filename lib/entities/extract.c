/* Entity extraction, the driver; see extract.h.
 *
 * The text is cut into tokens that keep their case, then the passes of
 * the table below run in its order, each recogniser claiming the tokens it
 * uses so later ones cannot reuse them:
 *   tokens        the tokeniser (tokens.c);
 *   ccgs          CCG names: before "CCG(s)" / "Clinical Commissioning
 *                 Group(s)", in lists, "NHS <name>" where the sentence
 *                 speaks of CCGs, and a named CCG's name again (ccgs.c);
 *   known-orgs    the known-organisation gazetteer (orgs.c);
 *   pattern-orgs  capitalised names ending in a head word (Trust, Council,
 *                 Hospital, Committee...) (orgs.c);
 *   nhs-orgs      "NHS <place>" bodies the CCG pass left (orgs.c);
 *   people        capitalised names with a title, a known given name, or a
 *                 role or a verb of speech right after them (people.c);
 *   places        the place gazetteer on the tokens nobody claimed
 *                 (places.c);
 *   roles         the role vocabulary, the title grammar (modifiers, a
 *                 head, its portfolio: "executive lead for finance",
 *                 "nurse representative") and patterns ("director of X",
 *                 "X director", "chief X officer") (roles.c);
 *   full-names    a surname alone takes the full name the text gives, and
 *                 a surname or given name alone that the story's one full
 *                 name ends or begins is that person (people.c);
 *   story         the document-level model: the story's CCGs, the groups
 *                 it defines, what it is about (story.c);
 *   relations     who holds which role where, from the shapes a sentence
 *                 states them in (relations.c).
 * Places run before roles, so a place's words are never a role's; people
 * run before roles, so a person's name is read before any role beside it.
 * Then the mentions become the facet values, in order of first mention.
 *
 * For rule development, CCG_EXTRACT_TRACE=1 in the environment prints
 * each pass's name as it runs, then every mention (kind, tokens, value,
 * sentence), to stderr.
 */
#include "entities/extract.h"
#include "entities/internal.h"
#include "core/util.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int by_position(const void *a, const void *b)
{
    const ex_mention *x = a, *y = b;
    return x->a < y->a ? -1 : x->a > y->a ? 1 : 0;
}

static const cs_facet kind_facet[] = {
    [EX_M_CCG] = CS_FACET_CCG, [EX_M_ORG] = CS_FACET_ORG, [EX_M_PERSON] = CS_FACET_PERSON,
    [EX_M_ROLE] = CS_FACET_ROLE, [EX_M_PLACE] = CS_FACET_PLACE, [EX_M_GROUP] = CS_FACET_CCG,
};

/* A person named by surname alone ("Dr Armstrong") is the person named in
 * full elsewhere in the text, when there is one. */
static const char *full_name(const ex *x, const ex_mention *p)
{
    if (strchr(p->value, ' '))
        return p->value;
    size_t sl = strlen(p->value);
    for (size_t k = 0; k < x->nm; k++) {
        const ex_mention *q = &x->m[k];
        size_t ql = strlen(q->value);
        if (q->kind == EX_M_PERSON && q != p && ql > sl + 1 &&
            strcmp(q->value + ql - sl, p->value) == 0 && q->value[ql - sl - 1] == ' ')
            return q->value;
    }
    return p->value;
}

/* "full-names": surnames alone take the full name (for values and
 * relations). */
static void full_names(ex *x)
{
    ex_find_surnames(x);
    for (size_t k = 0; k < x->nm && !x->oom; k++) {
        if (x->m[k].kind != EX_M_PERSON)
            continue;
        const char *full = full_name(x, &x->m[k]);
        if (full != x->m[k].value) {
            char *v = cs_strdup(full);
            if (!v) {
                x->oom = true;
                break;
            }
            free(x->m[k].value);
            x->m[k].value = v;
        }
    }
}

/* The passes, in the order they run: this table is the order. */
static const ex_pass passes[] = {
    { "tokens", ex_tokenize },
    { "ccgs", ex_find_ccgs },
    { "known-orgs", ex_find_known_orgs },
    { "pattern-orgs", ex_find_pattern_orgs },
    { "nhs-orgs", ex_find_nhs_orgs },
    { "people", ex_find_people },
    { "places", ex_find_places },
    { "roles", ex_find_roles },
    { "full-names", full_names },
    { "story", ex_build_story },
    { "relations", ex_find_relations },
};
#define NPASSES (sizeof passes / sizeof passes[0])

const ex_pass *ex_passes(size_t *n)
{
    *n = NPASSES;
    return passes;
}

bool ex_open(ex *x, const char *text, size_t len, cs_entities *out)
{
    memset(x, 0, sizeof *x);
    x->g = cs_gaz_get();
    x->text = text;
    x->len = len;
    x->out = out;
    return x->g != NULL;
}

bool ex_run(ex *x, const char *last)
{
    bool trace = getenv("CCG_EXTRACT_TRACE") != NULL;
    size_t end = NPASSES;
    if (last) {
        for (end = 0; end < NPASSES && strcmp(passes[end].name, last) != 0; end++)
            ;
        if (end == NPASSES)
            return false;
        end++;
    }
    for (size_t k = 0; k < end && !x->oom; k++) {
        /* Only the relations write to the entity set. */
        assert(x->out || strcmp(passes[k].name, "relations") != 0);
        if (trace)
            fprintf(stderr, "pass %s\n", passes[k].name);
        x->pass = passes[k].name;
        passes[k].run(x);
    }
    static const char *const kinds[] = { "ccg", "org", "person", "role", "place", "group" };
    if (trace)
        for (size_t k = 0; k < x->nm; k++)
            fprintf(stderr, "%s %zu-%zu sent %d by %s: %s\n", kinds[x->m[k].kind], x->m[k].a,
                    x->m[k].b, x->t[x->m[k].a].sent, x->m[k].by, x->m[k].value);
    return !x->oom;
}

void ex_close(ex *x)
{
    for (size_t k = 0; k < x->nm; k++)
        free(x->m[k].value);
    free(x->m);
    free(x->t);
    memset(x, 0, sizeof *x);
}

/* Every letter upper case. */
static bool shouting(const char *s)
{
    bool any = false;
    for (; *s; s++) {
        if (islower((unsigned char)*s))
            return false;
        any = any || isupper((unsigned char)*s);
    }
    return any;
}

bool cs_extract(const cs_article *a, cs_entities *out)
{
    /* The text as its author wrote it: a headline that the parser took out
     * of the body is part of it. */
    cs_buf text = { 0 };
    if (a->title_in_text) {
        cs_buf_puts(&text, a->title);
        cs_buf_puts(&text, "\n\n");
    }
    cs_buf_add(&text, a->body, a->body_len);
    if (text.oom) {
        cs_buf_free(&text);
        return false;
    }
    ex x;
    if (!ex_open(&x, text.s, text.len, out)) {
        cs_buf_free(&text);
        return false;
    }
    ex_run(&x, NULL);
    /* Facet values in order of first mention.  Sorting a copy keeps the
     * mention ids of the tokens valid above. */
    ex_mention *sorted = x.oom ? NULL : malloc((x.nm ? x.nm : 1) * sizeof *sorted);
    if (sorted) {
        if (x.nm)
            memcpy(sorted, x.m, x.nm * sizeof *sorted);
        qsort(sorted, x.nm, sizeof *sorted, by_position);
        for (size_t k = 0; k < x.nm; k++) {
            if (sorted[k].kind == EX_M_GROUP)
                continue;
            /* A name in a heading's capitals ("JOINT HEALTH OVERVIEW AND
             * SCRUTINY COMMITTEE") is the name the text also writes
             * normally: keep that one. */
            if (sorted[k].kind == EX_M_ORG && shouting(sorted[k].value)) {
                bool twin = false;
                for (size_t j = 0; j < x.nm && !twin; j++)
                    twin = j != k && sorted[j].kind == EX_M_ORG && !shouting(sorted[j].value) &&
                           strcasecmp(sorted[j].value, sorted[k].value) == 0;
                if (twin)
                    continue;
            }
            cs_facet f = kind_facet[sorted[k].kind];
            if (!cs_entities_add(out, f, sorted[k].value, strlen(sorted[k].value)))
                x.oom = true;
        }
        free(sorted);
    } else {
        x.oom = true;
    }
    bool ok = !x.oom;
    ex_close(&x);
    cs_buf_free(&text);
    return ok;
}
