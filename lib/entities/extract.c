/* Entity extraction; see extract.h.
 *
 * The text is cut into tokens that keep their case, then recognisers run
 * in order of confidence, each claiming the tokens it uses so later ones
 * cannot reuse them:
 *   1. CCGs: a gazetteer name followed by "CCG(s)" / "Clinical
 *      Commissioning Group(s)", lists before a plural ("Nene and Corby
 *      CCGs", "North, South and West Norfolk CCGs"), lists after one ("the
 *      CCGs of Erewash, Hardwick, ..."), and "NHS <name>" where the
 *      sentence speaks of CCGs;
 *   2. organisations: the known-organisation gazetteer, then capitalised
 *      names ending in a head word (Trust, Council, Hospital, Committee...);
 *   3. people: capitalised names with a title (Dr, Professor...), a known
 *      given name, or a role right beside them;
 *   4. roles: the vocabulary, qualifiers dropped, and patterns ("director
 *      of X", "X director", "chief X officer");
 *   5. places: the place gazetteer on the tokens nobody claimed.
 * Then relations: who holds which role where, from the patterns a
 * sentence states them in ("X, clinical chair of Y CCG", "Y CCG chief
 * executive X", "X ... as the accountable officer for Y").
 *
 * For rule development, CCG_EXTRACT_TRACE=1 in the environment prints
 * every mention (kind, tokens, value, sentence) to stderr.
 */
#include "entities/extract.h"
#include "entities/internal.h"
#include "core/util.h"

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
    ex x = { 0 };
    x.g = cs_gaz_get();
    if (!x.g)
        return false;
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
    x.text = text.s;
    x.len = text.len;
    ex_tokenize(&x);
    if (!x.oom) {
        ex_find_ccgs(&x);
        ex_find_known_orgs(&x);
        ex_find_pattern_orgs(&x);
        ex_find_nhs_orgs(&x);
        ex_find_people(&x);
        ex_find_places(&x);
        ex_find_roles(&x);
    }
    /* Surnames alone take the full name (for values and relations). */
    for (size_t k = 0; k < x.nm && !x.oom; k++) {
        if (x.m[k].kind != EX_M_PERSON)
            continue;
        const char *full = full_name(&x, &x.m[k]);
        if (full != x.m[k].value) {
            char *v = cs_strdup(full);
            if (!v) {
                x.oom = true;
                break;
            }
            free(x.m[k].value);
            x.m[k].value = v;
        }
    }
    if (getenv("CCG_EXTRACT_TRACE"))
        for (size_t k = 0; k < x.nm; k++)
            fprintf(stderr, "%s %zu-%zu sent %d: %s\n",
                    (const char *[]){ "ccg", "org", "person", "role", "place", "group" }[x.m[k].kind],
                    x.m[k].a, x.m[k].b, x.t[x.m[k].a].sent, x.m[k].value);
    if (!x.oom)
        ex_find_relations(&x, out);
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
        /* A relation's role is one of the document's roles. */
        free(sorted);
    } else {
        x.oom = true;
    }
    for (size_t k = 0; k < x.nm; k++)
        free(x.m[k].value);
    free(x.m);
    free(x.t);
    cs_buf_free(&text);
    return !x.oom;
}
