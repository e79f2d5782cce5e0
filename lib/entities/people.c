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
    return !ex_in(x, i, &x->g->not_name_words) && !ex_in(x, i, &x->g->calendar) &&
           !ex_in(x, i, &x->g->org_heads) && !ex_in(x, i, &x->g->name_ends) &&
           !ex_in(x, i, &x->g->role.keys) && !ex_in(x, i, &x->g->role.prefixes) &&
           strcmp(w, "ccg") != 0 && strcmp(w, "ccgs") != 0 && strcmp(w, "nhs") != 0 &&
           /* A title after the name: "David Flory Independent Chair",
            * "Jane Cass Locality Director", "Neil Greaves Head of
            * Communications". */
           !(ex_in(x, i, &x->g->role_modifiers) &&
             (ex_title_at(x, i) || (ex_cap(x, i + 1) && ex_in(x, i + 1, &x->g->role_heads)))) &&
           !(ex_in(x, i, &x->g->role_heads_portfolio) && (ex_is(x, i + 1, "of") || ex_is(x, i + 1, "for")));
}

/* The part of a double-barrelled name after its hyphen, which may be any
 * capitalised word ("Helen Charlesworth-May"). */
static bool barrel_word(const ex *x, size_t i)
{
    return ex_word(x, i) && ex_cap(x, i) && ex_free_tok(x, i) && !(x->t[i].f & EX_T_DIGIT) &&
           !(x->t[i].f & EX_T_UPPER);
}

/* A lower-case role's head word right before token a: "accountable officer
 * Caron Morton", "chief executive Paul Jennings". */
static bool role_before(const ex *x, size_t a)
{
    return a > 0 && ex_word(x, a - 1) && !ex_cap(x, a - 1) && x->t[a - 1].sent == x->t[a].sent &&
           ex_in(x, a - 1, &x->g->role_heads) && !ex_in(x, a - 1, &x->g->role_heads_plural);
}

/* Is token i inside a title of the role gazetteer that begins before it
 * ("State" in "Secretary of State George Shultz said")?  Then a name
 * starts after it. */
static bool inside_known_title(const ex *x, size_t i)
{
    size_t lo = i > MAX_TITLE_WORDS ? i - MAX_TITLE_WORDS : 0;
    for (size_t p = i; p > lo && x->t[p - 1].sent == x->t[i].sent; p--) {
        int idx;
        if (ex_word(x, p - 1) && ex_match_at(x, &x->g->role, p - 1, x->n, &idx) > i)
            return true;
    }
    return false;
}

void ex_find_people(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        bool title = false;
        size_t a = i;
        /* A title in capitals before a word that is not is an acronym:
         * "via MS Teams", "DR Congo". */
        bool acronym = (x->t[i].f & EX_T_UPPER) && i + 1 < x->n && !(x->t[i + 1].f & EX_T_UPPER);
        if (ex_word(x, i) && ex_cap(x, i) && !acronym && in_list(cs_honorifics, x->t[i].norm)) {
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
                (ex_skippable(&x->t[b]) && (x->t[b].f & EX_T_HYPHEN) && b > a &&
                 (name_word(x, b + 1) || barrel_word(x, b + 1)))))
            b += (x->t[b].f & EX_T_HYPHEN) ? 2 : 1;
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
        if (!(title || known || role_near || speaks || (words == 2 && role_before(x, a))))
            continue;
        if (!title && inside_known_title(x, a))
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

/* The one full name (two words or more) of the story's first nm mentions
 * that word i ends, or that it begins when it is a given name ("Glenn ...
 * Glenn Douglas"); NULL when none or several. */
static const char *full_name_of(const ex *x, size_t i, size_t nm)
{
    const char *found = NULL;
    bool given = ex_in(x, i, &x->g->first_names);
    for (size_t k = 0; k < nm; k++) {
        const ex_mention *m = &x->m[k];
        if (m->kind != EX_M_PERSON || m->b - m->a < 2 || (found && strcmp(found, m->value) == 0))
            continue;
        if (strcmp(x->t[m->b - 1].norm, x->t[i].norm) == 0 ||
            (given && strcmp(x->t[m->a].norm, x->t[i].norm) == 0)) {
            if (found)
                return NULL;
            found = m->value;
        }
    }
    return found;
}

void ex_find_surnames(ex *x)
{
    size_t nm = x->nm;
    for (size_t i = 0; i < x->n && !x->oom; i++) {
        if (!ex_word(x, i) || !ex_cap(x, i) || !ex_free_tok(x, i) || (x->t[i].f & EX_T_UPPER) ||
            (i > 0 && ex_cap(x, i - 1) && ex_word(x, i - 1) && x->t[i - 1].sent == x->t[i].sent &&
             !(x->t[i].f & EX_T_LINE)) ||
            (ex_cap(x, i + 1) && ex_word(x, i + 1)))
            continue;
        const char *full = full_name_of(x, i, nm);
        if (full)
            ex_add_mention(x, EX_M_PERSON, i, i + 1, full, strlen(full));
    }
}
