/* Pass "people": capitalised names with a title (Dr, Professor...), a
 * known given name, or a role or a verb of speech right after them. */
#include "entities/internal.h"
#include "vocab/words.h"

#include <string.h>

static bool in_list(const char *const *list, const char *w)
{
    for (int k = 0; list[k]; k++)
        if (strcmp(list[k], w) == 0)
            return true;
    return false;
}

/* A word that can be part of a person's name. */
static bool name_word(const ex *x, size_t i)
{
    if (!ex_cap(x, i) || !ex_free_tok(x, i) || (x->t[i].f & EX_T_DIGIT))
        return false;
    if ((x->t[i].f & EX_T_UPPER) && x->t[i].b - x->t[i].a > 1)
        return false;                           /* CBE, NHS */
    const char *w = x->t[i].norm;
    size_t wl = strlen(w);
    return !cs_words_has(&x->g->not_name_words, w) && !cs_words_has(&x->g->calendar, w) &&
           !cs_words_has(&x->g->org_heads, w) && !cs_words_has(&x->g->name_ends, w) &&
           cs_strmap_get(&x->g->role.keys, w, wl) < 0 &&
           cs_strmap_get(&x->g->role.prefixes, w, wl) < 0 &&
           strcmp(w, "ccg") != 0 && strcmp(w, "ccgs") != 0 && strcmp(w, "nhs") != 0 &&
           /* "David Flory Independent Chair": a title after the name. */
           !(cs_words_has(&x->g->role_modifiers, w) && ex_title_at(x, i));
}

void ex_find_people(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        bool title = false;
        size_t a = i;
        if (ex_word(x, i) && in_list(cs_honorifics, x->t[i].norm) && ex_cap(x, i)) {
            title = true;
            a = i + 1;
            if (ex_is(x, a, "."))
                a++;
            while (ex_word(x, a) && in_list(cs_honorifics, x->t[a].norm))
                a++;
        }
        size_t b = a;
        while (b < x->n && b - a < MAX_NAME_WORDS + 2 && x->t[b].sent == x->t[a].sent &&
               (name_word(x, b) ||
                (ex_skippable(&x->t[b]) && (x->t[b].f & EX_T_HYPHEN) && name_word(x, b + 1))))
            b++;
        /* A single initial and its full stop: "J. Smith" is not handled;
         * names are two words or more, or one with a title. */
        size_t words = 0;
        for (size_t k = a; k < b; k++)
            if (ex_word(x, k))
                words++;
        if (words == 0 || words > MAX_NAME_WORDS)
            continue;
        /* Capitalised words that run on into a firm's or an institution's
         * last word name that body, not a person: "Dean Witter Reynolds
         * Inc", "the Federal Reserve". */
        if (ex_word(x, b) && ex_in(x, b, &x->g->name_ends)) {
            i = b;
            continue;
        }
        if (words == 1 && !title)
            continue;
        bool known = ex_in(x, a, &x->g->first_names);
        /* A role after the name: "Jane Smith, chief officer".  (Not one
         * before it: the roles pass runs after this one, and the only role
         * this pass adds, a councillor's title, claims no token, so no
         * token before a name is a role's yet.) */
        bool role_near = b + 1 < x->n && ex_is(x, b, ",") && ex_role_at(x, b + 1);
        bool speaks = ex_word(x, b) && ex_in(x, b, &x->g->speech_verbs);
        /* Untitled, the name has two words or more here. */
        if (!(title || known || role_near || speaks))
            continue;
        /* A place or organisation name is not a person ("Great Yarmouth"). */
        int idx;
        if (!title && ex_match_at(x, &x->g->place, a, b, &idx) == b) {
            i = b - 1;
            continue;
        }
        const char *s = x->text + x->t[a].a;
        size_t len = x->t[b - 1].b - x->t[a].a;
        ex_add_mention(x, EX_M_PERSON, i, b, s, len);
        /* "Councillor Adele Williams" states a role as well as a name. */
        if (title && ex_is(x, i, "councillor"))
            ex_add_mention(x, EX_M_ROLE, i, i + 1, "councillor", 10);
        i = b - 1;
    }
}
