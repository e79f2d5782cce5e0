/* Pass "places": the place gazetteer on the tokens nobody claimed, with
 * lower-case directions before a county or city ("north-west London"). */
#include "entities/internal.h"
#include "core/util.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Two capital letters or more: "NHS", "GPs", "CCGs". */
static bool acronym(const ex *x, size_t i)
{
    if (!ex_word(x, i))
        return false;
    int caps = 0;
    for (size_t k = x->t[i].a; k < x->t[i].b; k++)
        caps += isupper((unsigned char)x->text[k]) != 0;
    return caps >= 2;
}

/* A place as the text writes it, with the words capitalised when the text
 * is in capitals, and hyphens between directions read as spaces
 * ("north-west London" -> "North West London"). */
static char *place_text(const ex *x, size_t a, size_t name, size_t b, const char *canonical)
{
    assert(a <= name && name < b && b <= x->n);
    cs_buf o = { 0 };
    bool upper = true;
    for (size_t i = a; i < b; i++)
        if (ex_word(x, i) && !(x->t[i].f & EX_T_UPPER))
            upper = false;
    if (upper)
        return cs_strdup(canonical);
    /* An abbreviation ("NW London", "Staffs") is written out; a short form
     * that begins the full name ("Newcastle") stays as written. */
    char key[KEY_MAX], *ck = cs_gaz_key(canonical, strlen(canonical));
    bool prefix = ck && ex_span_key(x, name, b, false, key, sizeof key) &&
                  strncmp(ck, key, strlen(key)) == 0 &&
                  (ck[strlen(key)] == '\0' || ck[strlen(key)] == ' ');
    free(ck);
    if (!prefix)
        b = name;           /* the directions as written, then the name */
    for (size_t i = a; i < b; i++) {
        const ex_tok *t = &x->t[i];
        const char *s = x->text + t->a;
        size_t n = t->b - t->a;
        if (t->f & EX_T_HYPHEN) {
            bool dirs = i > a && i + 1 < b && ex_in(x, i - 1, &x->g->directions) &&
                        ex_in(x, i + 1, &x->g->directions);
            cs_buf_putc(&o, dirs ? ' ' : '-');
            continue;
        }
        if (i > a && !(x->t[i - 1].f & EX_T_HYPHEN) && !(t->f & EX_T_POSS))
            cs_buf_putc(&o, ' ');
        if (ex_word(x, i) && ex_in(x, i, &x->g->directions)) {
            cs_buf_putc(&o, (char)toupper((unsigned char)s[0]));
            cs_buf_add(&o, s + 1, n - 1);
        } else {
            cs_buf_add(&o, s, n);
        }
    }
    if (!prefix) {
        if (o.len)
            cs_buf_putc(&o, ' ');
        cs_buf_puts(&o, canonical);
    }
    return cs_buf_take(&o);
}

/* A place over tokens [a, e) whose name (place idx) starts at token name;
 * a group's area when CCGs follow it. */
static bool before_ccg_suffix(const ex *x, size_t e);

static bool before_team(const ex *x, size_t e);

/* A place in brackets right after an organisation's name qualifies it:
 * "NHS England (Yorkshire and the Humber)" is that body's region. */
static bool qualifies_org(const ex *x, size_t a, size_t e)
{
    return a >= 2 && ex_is(x, a - 1, "(") && ex_is(x, e, ")") && x->t[a - 2].owner >= 0 &&
           x->m[x->t[a - 2].owner].kind == EX_M_ORG;
}

static void add_place(ex *x, size_t a, size_t name, size_t e, int idx)
{
    if (before_ccg_suffix(x, e)) {
        ex_add_mention(x, EX_M_GROUP, a, e, "", 0);
        return;
    }
    if (before_team(x, e) || qualifies_org(x, a, e))
        return;
    ex_add_made(x, EX_M_PLACE, a, e, place_text(x, a, name, e, x->g->place.names[idx]));
}

/* Do the places from token e on end in a CCG suffix ("Leicester,
 * Leicestershire and Rutland CCGs", "the mid and south Essex clinical
 * commissioning groups", "County Durham and the Tees Valley CCG's",
 * "Leicester CCG")?  Then they are a group's area or a CCG's name, not
 * places: the area in "<Area> CCGs" names the CCGs.  Looks at most MAX_GROUP_AREA
 * tokens ahead. */
static bool before_ccg_suffix(const ex *x, size_t e)
{
    size_t k = e;
    while (k < x->n && k - e < MAX_GROUP_AREA) {
        int idx;
        size_t p;
        /* A place first: "South Ribble" is one, not a direction and a word. */
        if ((p = ex_match_at(x, &x->g->place, k, x->n, &idx)) > k)
            k = p;
        else if (ex_is(x, k, "and") || ex_is(x, k, "&") || ex_is(x, k, ",") ||
                 ex_is(x, k, "mid") || (ex_is(x, k, "the") && k > e) ||
                 ex_in(x, k, &x->g->directions) || (x->t[k].f & EX_T_HYPHEN))
            k++;
        else
            break;
    }
    /* A singular suffix too: "Leicester CCG", "the Haringey and
     * Islington, CCG" name a CCG the gazetteer does not hold (a variant, a
     * directorate), which is no place either. */
    bool plural;
    return k - e < MAX_GROUP_AREA && ex_ccg_suffix(x, k, &plural);
}

/* Do the places from token e on end in a lower-case "team" or "area
 * team"?  Then they name the team ("NHS England's North East and Cumbria
 * team", "the Lancashire area team"), not a place. */
static bool before_team(const ex *x, size_t e)
{
    size_t k = e;
    while (k - e < MAX_GROUP_AREA) {
        size_t p = ex_list_sep(x, k);
        size_t q = p > k ? ex_match_at(x, &x->g->place, p, x->n, &(int){ 0 }) : p;
        if (q == p)
            break;
        k = q;
    }
    if (ex_is(x, k, "area"))
        k++;
    return ex_word(x, k) && !ex_cap(x, k) && ex_is(x, k, "team");
}

/* A list separator at token k: ",", "and", "&". */
static bool list_sep(const ex *x, size_t k)
{
    return ex_list_sep(x, k) > k;
}

/* Is token k in a group's words (a bare CCG name read before it)? */
static bool in_group(const ex *x, size_t k)
{
    return x->t[k].owner >= 0 && x->m[x->t[k].owner].kind == EX_M_GROUP;
}

/* Bare CCG names in a list of them, with no preposition of place before
 * the list ("Ipswich and East Suffolk, and West Suffolk", "Swale, Medway,
 * and West Kent", "Haringey & Islington" where the text names those
 * CCGs): they stand for the CCGs, and are no places.  The list's first
 * name is a CCG the text names elsewhere, and a CCG's name comes after
 * it; each later name follows a name so read.  Returns the end of the
 * name at token i, or i. */
static size_t bare_ccg_in_list(const ex *x, size_t i)
{
    int idx;
    if (!ex_cap(x, i))
        return i;
    size_t e = ex_match_at(x, &x->g->ccg, i, x->n, &idx);
    if (e == i || !ex_span_free(x, i, e))
        return i;
    /* A later name of a list already read. */
    size_t p = i;
    while (p > 0 && p + 3 > i && list_sep(x, p - 1))
        p--;
    if (p < i && p > 0 && in_group(x, p - 1))
        return e;
    /* "the whole of Bristol, North Somerset and South Gloucestershire": a
     * list of places goes on as one. */
    if (p < i && p > 0 && x->t[p - 1].owner >= 0 && x->m[x->t[p - 1].owner].kind == EX_M_PLACE)
        return i;
    if (i > 0 && ex_in(x, i - 1, &x->g->place_prepositions))
        return i;
    /* "Ashford had a savings target": a named CCG as its sentence's
     * subject. */
    bool subject = (x->t[i].f & EX_T_SENT) && e < x->n && !list_sep(x, e) && !ex_cap(x, e) &&
                   !(x->t[e].f & EX_T_PUNCT);
    size_t k = e;
    while (k < x->n && k < e + 2 && list_sep(x, k))
        k++;
    if (!subject && (k == e || ex_match_at(x, &x->g->ccg, k, x->n, &(int){ 0 }) == k))
        return i;
    const char *name = x->g->ccg.names[idx];
    for (size_t m = 0; m < x->nm; m++)
        if (x->m[m].kind == EX_M_CCG && strcmp(x->m[m].value, name) == 0)
            return e;
    return i;
}

/* "CCGs in the south west, north west and north east": two lower-case
 * directions [i, k) that name a region of the gazetteer, after "the" or
 * after such a region in a list. */
static bool region_of_directions(const ex *x, size_t i, size_t k, int *idx)
{
    if (ex_match_at(x, &x->g->place, i, k, idx) != k || x->g->place_kind[*idx] != PLACE_REGION ||
        !ex_span_free(x, i, k) || ex_cap(x, k))
        return false;
    if (i > 0 && ex_is(x, i - 1, "the"))
        return true;
    size_t p = i;
    while (p > 0 && p + 2 > i && list_sep(x, p - 1))
        p--;
    return p < i && p > 0 && x->t[p - 1].owner >= 0 &&
           x->m[x->t[p - 1].owner].kind == EX_M_PLACE && !ex_cap(x, x->m[x->t[p - 1].owner].a);
}

/* A party's name or adjective, which may follow a place it represents. */
static bool party_at(const ex *x, size_t i)
{
    return ex_word(x, i) && ex_in(x, i, &x->g->parties);
}

/* Is the word at i the last word of a person the story names ("Joanna
 * Hayes ... Hayes won")?  Then it is that person, not the place. */
static bool surname_of_a_person(const ex *x, size_t i)
{
    for (size_t k = 0; k < x->nm; k++) {
        const ex_mention *m = &x->m[k];
        if (m->kind == EX_M_PERSON && m->b - m->a >= 2 &&
            strcmp(x->t[m->b - 1].norm, x->t[i].norm) == 0)
            return true;
    }
    return false;
}

/* "West, North and East Cumbria": capitalised directions listed before
 * the place at token i, whose own name opens with one, are one place with
 * it, as written.  Returns the first direction's token, or i. */
static size_t directions_before(const ex *x, size_t i)
{
    size_t k = i;
    if (!ex_cap(x, i) || !ex_in(x, i, &x->g->directions))
        return i;
    while (k >= 2 && list_sep(x, k - 1) && ex_word(x, k - 2) && ex_cap(x, k - 2) &&
           ex_free_tok(x, k - 2) && ex_in(x, k - 2, &x->g->directions))
        k -= 2;
    return k;
}

/* Can place idx's name be a sports club's (a town, a city, a borough)? */
static bool club_town(const ex *x, int idx)
{
    int kind = x->g->place_kind[idx];
    return kind == PLACE_CITY || kind == PLACE_TOWN || kind == PLACE_BOROUGH;
}

/* The story's sports clubs named after their towns: "Chelsea boss Jose
 * Mourinho", "Liverpool fans", "Newcastle's striker", "Everton v
 * Blackburn", "they face Chelsea" (a word of team_words.txt right after
 * the name, past a possessive, or of team_words_before.txt right before
 * it).  One sense per story: once a name is read as its club, none of its
 * bare mentions is a place ("Chelsea beat Newcastle" further on); with a
 * direction before it ("north Liverpool") it is still the place.  Sets
 * club[idx] for each. */
static void find_teams(const ex *x, bool *club)
{
    for (size_t i = 0; i < x->n; i++) {
        int idx;
        size_t e;
        if (!ex_cap(x, i) || (e = ex_match_at(x, &x->g->place, i, x->n, &idx)) == i)
            continue;
        size_t c = ex_poss_at(x, e) ? e + 1 : e;
        bool after = ex_word(x, c) && !ex_cap(x, c) && !(x->t[c].f & EX_T_SENT) &&
                     ex_in(x, c, &x->g->team_words);
        bool before = i > 0 && !(x->t[i].f & EX_T_SENT) && ex_word(x, i - 1) &&
                      !ex_cap(x, i - 1) && ex_in(x, i - 1, &x->g->team_words_before);
        if ((after || before) && club_town(x, idx))
            club[idx] = true;
        i = e - 1;
    }
}

/* A count of bodies named by their areas, ending at the token before i:
 * "four district health authorities", "two District Authorities" (a
 * number, at most MAX_BODY_WORDS words, and a head of body_plurals.txt). */
static bool counted_bodies_before(const ex *x, size_t i)
{
    if (i < 2 || !ex_word(x, i - 1) || !ex_in(x, i - 1, &x->g->body_plurals))
        return false;
    for (size_t k = i - 1; k > 0 && i - 1 - k <= MAX_BODY_WORDS; k--) {
        size_t c = k - 1;
        if (x->t[c].sent != x->t[i - 1].sent || !ex_word(x, c))
            return false;
        if (ex_count_at(x, c) > 1)
            return true;
    }
    return false;
}

/* The end of the place named at a capitalised token k (its index in
 * *idx), or k. */
static size_t place_at(const ex *x, size_t k, int *idx)
{
    return ex_cap(x, k) ? ex_match_at(x, &x->g->place, k, x->n, idx) : k;
}

/* Does a list of bodies counted before it start after token i ("for",
 * ":")?  See bodies_listed(). */
static bool bodies_list_at(const ex *x, size_t i)
{
    return (ex_is(x, i, "for") || ex_is(x, i, ":")) && counted_bodies_before(x, i) &&
           ex_cap(x, i + 1);
}

/* "it was divided into four district health authorities for Basingstoke
 * and North Hampshire, Southampton and South West Hampshire, ...", "There
 * were two District Authorities: East and West Suffolk": the bodies a
 * story counts and then lists after "for" or a colon are named by their
 * areas, and those names are the bodies', not places.  The places of the
 * list are claimed, and listed[idx] set for each.  For a list after token
 * i (bodies_list_at()); returns the token after it. */
static size_t bodies_listed(ex *x, size_t i, bool *listed)
{
    size_t k = i + 1;
    int sent = x->t[k].sent;
    while (k < x->n && x->t[k].sent == sent) {
        int idx;
        size_t e = place_at(x, k, &idx);
        if (e > k && ex_span_free(x, k, e)) {
            ex_add_mention(x, EX_M_GROUP, k, e, "", 0);
            listed[idx] = true;
            k = e;
        } else if (ex_cap(x, k) || list_sep(x, k) || ex_is(x, k, ";")) {
            k++;            /* a word of a body's name, or between names */
        } else {
            break;
        }
    }
    return k;
}

/* One sense per story: the bodies listed are the same bodies where the
 * story names two or more of them together again ("Basingstoke and North
 * Hampshire and Winchester were amalgamated").  Claims such runs. */
static void bodies_again(ex *x, const bool *listed)
{
    for (size_t i = 0; i < x->n; i++) {
        size_t ends[MAX_LIST_NAMES], starts[MAX_LIST_NAMES];
        int n = 0;
        size_t k = i;
        while (n < MAX_LIST_NAMES) {
            int idx;
            size_t e = place_at(x, k, &idx);
            if (e == k || !ex_span_free(x, k, e) || !listed[idx])
                break;
            starts[n] = k;
            ends[n++] = e;
            k = ex_list_sep(x, e);
            if (k == e)
                break;
        }
        if (n >= 2)
            for (int m = 0; m < n; m++)
                ex_add_mention(x, EX_M_GROUP, starts[m], ends[m], "", 0);
        if (n > 0)
            i = ends[n - 1] - 1;
    }
}

void ex_find_places(ex *x)
{
    bool *club = calloc(x->g->place.n ? x->g->place.n : 1, sizeof *club);
    if (!club) {
        x->oom = true;
        return;
    }
    find_teams(x, club);
    /* Made only for a story that lists counted bodies: few do. */
    bool *listed = NULL;
    for (size_t i = 0; i < x->n; i++) {
        if (!bodies_list_at(x, i))
            continue;
        if (!listed && !(listed = calloc(x->g->place.n ? x->g->place.n : 1, sizeof *listed))) {
            free(club);
            x->oom = true;
            return;
        }
        i = bodies_listed(x, i, listed) - 1;
    }
    if (listed)
        bodies_again(x, listed);
    free(listed);
    for (size_t i = 0; i < x->n; i++) {
        if (!ex_word(x, i) || !ex_free_tok(x, i))
            continue;
        int idx;
        size_t e = bare_ccg_in_list(x, i);
        if (e > i) {
            ex_add_mention(x, EX_M_GROUP, i, e, "", 0);
            i = e - 1;
            continue;
        }
        e = ex_match_at(x, &x->g->place, i, x->n, &idx);
        if (e > i && ex_span_free(x, i, e) && ex_cap(x, i)) {
            if (club[idx]) {
                i = e - 1;      /* the story's club, not the place */
                continue;
            }
            /* A place that runs on into another capitalised word is part
             * of a name: "Surrey Heartlands", "Central Surrey Health" (but
             * "Rutland CCGs" and "Sandwell GPs" are the places). */
            bool plural;
            if (ex_cap(x, e) && ex_free_tok(x, e) && !(x->t[e].f & (EX_T_SENT | EX_T_LINE)) &&
                !ex_ccg_suffix(x, e, &plural) && !acronym(x, e) && !ex_role_at(x, e) &&
                !party_at(x, e) &&              /* "Kent Conservative councillor" */
                ex_match_at(x, &x->g->place, e, x->n, &(int){ 0 }) == e) {
                i = e - 1;
                continue;
            }
            /* Another place or a person whose name holds a place: "New
             * York", "New South Wales"; "Clint Eastwood", "Andrea Arnold"
             * (a given name right before it); "Hayes-Albion Corp". */
            if (i > 0 && x->t[i - 1].sent == x->t[i].sent && ex_word(x, i - 1) &&
                ex_cap(x, i - 1) &&
                (ex_is(x, i - 1, "new") ||
                 (!(x->t[i - 1].f & EX_T_UPPER) && ex_in(x, i - 1, &x->g->first_names)))) {
                i = e - 1;
                continue;
            }
            if (e == i + 1 && surname_of_a_person(x, i)) {
                i = e - 1;
                continue;
            }
            if ((x->t[e].f & EX_T_HYPHEN) && ex_cap(x, e + 1)) {
                i = e;
                continue;
            }
            size_t d = directions_before(x, i);
            if (d < i && !before_ccg_suffix(x, e))
                ex_add_mention(x, EX_M_PLACE, d, e, x->text + x->t[d].a, x->t[e - 1].b - x->t[d].a);
            else
                add_place(x, i, i, e, idx);
            i = e - 1;
            continue;
        }
        /* "west Hertfordshire", "north-west London": a lower-case
         * direction before a county or city. */
        if (!ex_in(x, i, &x->g->directions) || ex_cap(x, i))
            continue;
        /* "the north of England": a region named from its direction. */
        e = ex_match_at(x, &x->g->place, i, x->n, &idx);
        if (e > i + 2 && ex_is(x, i + 1, "of") && ex_cap(x, e - 1) && ex_span_free(x, i, e) &&
            x->g->place_kind[idx] == PLACE_REGION) {
            add_place(x, i, i, e, idx);
            i = e - 1;
            continue;
        }
        size_t k = i + 1;
        /* "north-west London", "north east Essex" */
        if (ex_is(x, k, "-") && ex_word(x, k + 1) && ex_in(x, k + 1, &x->g->directions))
            k += 2;
        else if (ex_word(x, k) && !ex_cap(x, k) && ex_in(x, k, &x->g->directions))
            k++;
        e = ex_match_at(x, &x->g->place, k, x->n, &idx);
        if (e == k || !ex_cap(x, k) || !ex_span_free(x, k, e)) {
            if (k > i + 1 && region_of_directions(x, i, k, &idx)) {
                add_place(x, i, i, k, idx);
                i = k - 1;
            }
            continue;
        }
        int kind = x->g->place_kind[idx];
        if (kind != PLACE_COUNTY && kind != PLACE_CITY && kind != PLACE_SUBREGION &&
            kind != PLACE_REGION)
            continue;
        add_place(x, i, k, e, idx);
        i = e - 1;
    }
    free(club);
}
