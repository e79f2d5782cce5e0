/* The extractor's private shared types and helpers, for lib/entities/ only.
 * Every name declared here starts with ex_ / EX_ (the public names of the
 * library are cs_ / CS_); what one file alone uses is static there. */
#ifndef CS_ENTITIES_INTERNAL_H
#define CS_ENTITIES_INTERNAL_H

#include "entities/bounds.h"
#include "entities/entities.h"
#include "vocab/gazetteer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Token flags (ex_tok.f). */
enum {
    EX_T_WORD = 1 << 0,
    EX_T_CAP = 1 << 1,      /* first letter upper case */
    EX_T_UPPER = 1 << 2,    /* every letter upper case, two or more letters */
    EX_T_DIGIT = 1 << 3,
    EX_T_HYPHEN = 1 << 4,   /* a hyphen joining two words */
    EX_T_POSS = 1 << 5,     /* a possessive 's or ' */
    EX_T_PUNCT = 1 << 6,
    EX_T_SENT = 1 << 7,     /* first token of its sentence */
    EX_T_LINE = 1 << 8,     /* first token of its line */
};

typedef struct ex_tok {
    size_t a, b;            /* bytes of the text */
    char norm[NORM_MAX];    /* lower-case word, or the punctuation mark */
    size_t len;             /* strlen(norm) */
    uint64_t h;             /* cs_strmap_hash() of norm, for look-ups */
    /* Which maps (by cs_strmap.memo bit) norm was looked up in, and which
     * of those hold it (ex_in()). */
    uint64_t memo_known, memo_in;
    unsigned f;             /* EX_T_* */
    int sent;               /* sentence number */
    int owner;              /* mention that claimed it, or -1 */
} ex_tok;

/* EX_M_GROUP claims words that name no entity of their own ("Kent and
 * Medway CCGs" is a group of CCGs, and its places are not places here). */
enum ex_kind { EX_M_CCG, EX_M_ORG, EX_M_PERSON, EX_M_ROLE, EX_M_PLACE, EX_M_GROUP };

typedef struct ex_mention {
    enum ex_kind kind;
    size_t a, b;            /* tokens [a, b) */
    char *value;            /* canonical display value (owned) */
    int list;               /* a CCG named in a list of CCGs: the list's number, else 0 */
    const char *by;         /* the pass that found it, for the trace */
} ex_mention;

/* A group of CCGs the story defines: a list ("the six CCGs in south east
 * London (A, B, C, D, E and F)", "A, B and C CCGs") or CCGs named side by
 * side ("A CCG and B CCG"). */
typedef struct ex_group {
    const char *member[MAX_LIST_NAMES];     /* distinct CCG values (borrowed from the mentions) */
    size_t n;
    int count;              /* the number the story gives it ("six"), 0 when none */
    size_t a, b;            /* tokens from its first member's to past its last */
} ex_group;

/* The document-level model (pass "story", story.c): the CCGs the story
 * names, the groups it defines, what it is about, and whether it holds an
 * attendance list. */
typedef struct ex_story {
    const char *ccg[MAX_STORY_CCGS];        /* distinct, first-mention order */
    size_t nccgs;
    ex_group group[MAX_STORY_GROUPS];
    size_t ngroups;
    int subject;            /* the group that is every CCG of the story, or -1 */
    const char *subject_ccg;    /* the one CCG the story is about, or NULL */
    bool counted;           /* a group counted past the CCGs it names ("all eight CCGs") */
    bool attendance;        /* ATTEND_MIN_ENTRIES "Name Title Body" entries side by side */
} ex_story;

/* One extraction: the text, its tokens and the mentions found so far. */
typedef struct ex {
    const cs_gaz *g;
    const char *text;
    size_t len;
    ex_tok *t;
    size_t n, cap;
    ex_mention *m;
    size_t nm, capm;
    int lists;              /* CCG lists found so far */
    bool groups;            /* CCGs named only as a group ("Staffordshire ... CCGs") */
    bool oom;
    cs_entities *out;       /* where the relations go */
    ex_story story;         /* set by the pass "story" */
    const char *pass;       /* the pass running */
} ex;

/* --- the driver (extract.c) ------------------------------------------------ */

/* A pass: a recogniser, or another step of the extraction, run on x in the
 * order of the table of extract.c.  A pass that runs out of memory sets
 * x->oom; no pass runs after it. */
typedef struct ex_pass {
    const char *name;
    void (*run)(ex *x);
} ex_pass;

/* The pass table, in the order the passes run; *n is set to its length.
 * The table is static: the caller must not free it. */
const ex_pass *ex_passes(size_t *n);

/* Start an extraction of text[0..len), which must outlive x, whose
 * relations go to out (zeroed; NULL when the run stops before
 * "relations").  False when the gazetteers cannot be loaded (out of
 * memory). */
bool ex_open(ex *x, const char *text, size_t len, cs_entities *out);

/* Run the passes in order up to and including the one named last (NULL:
 * all of them).  False when out of memory, or when no pass is named last
 * (then none runs).  With CCG_EXTRACT_TRACE in the environment, names each
 * pass on stderr as it runs, then every mention. */
bool ex_run(ex *x, const char *last);

/* Free x's tokens and mentions and zero it; x->text is the caller's. */
void ex_close(ex *x);

/* --- tokens: tests on tokens (on one token i, false past the last) ------- */

static inline bool ex_word(const ex *x, size_t i)
{
    return i < x->n && (x->t[i].f & EX_T_WORD);
}

static inline bool ex_in(const ex *x, size_t i, const cs_strmap *set);

/* A word that qualifies a role without changing it: "interim", "joint". */
static inline bool ex_qualifier(const ex *x, size_t i)
{
    return ex_word(x, i) && ex_in(x, i, &x->g->qualifiers);
}

/* A possessive at token i ("'s", "'"); false past the last token. */
static inline bool ex_poss_at(const ex *x, size_t i)
{
    return i < x->n && (x->t[i].f & EX_T_POSS);
}

static inline bool ex_is(const ex *x, size_t i, const char *norm)
{
    /* By length first: norm is mostly a literal, whose strlen() and
     * memcmp() the compiler works out. */
    size_t n = strlen(norm);
    return i < x->n && x->t[i].len == n && memcmp(x->t[i].norm, norm, n) == 0;
}

/* The token after a list separator at k (", and", ",", "and", "&"), or k
 * when k holds none. */
static inline size_t ex_list_sep(const ex *x, size_t k)
{
    if (ex_is(x, k, ",") && ex_is(x, k + 1, "and"))
        return k + 2;
    if (ex_is(x, k, ",") || ex_is(x, k, "and") || ex_is(x, k, "&"))
        return k + 1;
    return k;
}

static inline bool ex_cap(const ex *x, size_t i)
{
    return ex_word(x, i) && (x->t[i].f & EX_T_CAP);
}

static inline bool ex_free_tok(const ex *x, size_t i)
{
    return i < x->n && x->t[i].owner < 0;
}

static inline bool ex_span_free(const ex *x, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (x->t[i].owner >= 0)
            return false;
    return true;
}

/* Append the word w to key[0..*n), after a space unless it is the
 * first, keeping the NUL; false (and key unchanged) when it would not fit
 * in cap bytes with room for one more separator. */
static inline bool ex_key_add(char *key, size_t cap, size_t *n, const char *w)
{
    size_t wl = strlen(w);
    if (*n + wl + 2 > cap)
        return false;
    if (*n)
        key[(*n)++] = ' ';
    memcpy(key + *n, w, wl + 1);
    *n += wl;
    return true;
}

/* Is token i's form an entry of set, one of the gazetteer's word lists
 * (x->g->org_heads...)? */
static inline bool ex_in(const ex *x, size_t i, const cs_strmap *set)
{
    if (i >= x->n)
        return false;
    /* The passes ask the same words of the same maps again and again: a
     * token remembers (x->t is the extraction's own, const x or not). */
    ex_tok *t = &x->t[i];
    uint64_t bit = set->memo ? (uint64_t)1 << set->memo : 0;
    if (t->memo_known & bit)
        return (t->memo_in & bit) != 0;
    bool in = cs_strmap_get_hashed(set, t->norm, t->len, t->h) >= 0;
    t->memo_known |= bit;
    if (in)
        t->memo_in |= bit;
    return in;
}

/* Tokens a name may contain without them being words of its key. */
static inline bool ex_skippable(const ex_tok *t)
{
    return (t->f & (EX_T_HYPHEN | EX_T_POSS)) != 0 || strcmp(t->norm, "/") == 0;
}

/* --- the passes ------------------------------------------------------------
 * Each pass of the table in extract.c; the comment at the top of that file
 * says what each finds.  A recogniser adds mentions through
 * ex_add_mention(), which claims their free tokens, so a later pass sees
 * those tokens as taken (ex_free_tok() false). */

/* "tokens" (tokens.c): cut x->text into x->t.  Runs first, once. */
void ex_tokenize(ex *x);
/* "ccgs" (ccgs.c). */
void ex_find_ccgs(ex *x);
/* "known-orgs", "pattern-orgs", "nhs-orgs" (orgs.c). */
void ex_find_known_orgs(ex *x);
void ex_find_pattern_orgs(ex *x);
void ex_find_nhs_orgs(ex *x);
/* "people" (people.c). */
void ex_find_people(ex *x);
/* A surname or a given name alone that ends or begins the one full name
 * the story gives it ("... Paul Jennings ... Jennings has spent", "Glenn
 * Douglas ... Glenn is"), as that person (people.c). */
void ex_find_surnames(ex *x);
/* "places" (places.c). */
void ex_find_places(ex *x);
/* "roles" (roles.c). */
void ex_find_roles(ex *x);
/* "story" (story.c): the document-level model, x->story. */
void ex_build_story(ex *x);
/* "relations" (relations.c): adds to x->out, which must not be NULL. */
void ex_find_relations(ex *x);

/* --- the matching kernel and the mention store (match.c) ------------------ */

/* The key of tokens [a, b), a <= b <= x->n: words joined by spaces, "&" as
 * "and", hyphens and possessives skipped, commas skipped when allowed,
 * written to key[0..cap).  False when another token is in the way or the
 * key is too long. */
bool ex_span_key(const ex *x, size_t a, size_t b, bool commas, char *key, size_t cap);
/* The longest name of table t starting at token i and ending by limit
 * (<= x->n); returns its end (exclusive), or i when none, and sets *idx to
 * the name's index when there is one. */
size_t ex_match_at(const ex *x, const cs_table *t, size_t i, size_t limit, int *idx);
/* The count token i writes: a number word's value ("six"), or a number
 * of at most three digits ("12"); 0 when it writes none. */
int ex_count_at(const ex *x, size_t i);
/* The name of table t spanning exactly tokens [a, b), or -1. */
int ex_match_exact(const ex *x, const cs_table *t, size_t a, size_t b, bool commas);
/* The longest synonym of data/synonyms.txt (its last word may be plural)
 * that the words [k, b) start with: its length in tokens (0: none) and
 * its group in *g. */
size_t ex_synonym_at(const ex *x, size_t k, size_t b, int *g);
/* Add a mention of kind over tokens [a, b) (a < b <= x->n) with a copy of
 * value[0..vlen), written on one line (an organisation without a leading
 * "the"), and claim its tokens that are free.  Returns its id, or -1 (and
 * sets x->oom) when out of memory. */
int ex_add_mention(ex *x, enum ex_kind kind, size_t a, size_t b, const char *value, size_t vlen);
/* ex_add_mention() with a value just made by the caller, which this frees;
 * a NULL value is the caller's lack of memory (sets x->oom). */
void ex_add_made(ex *x, enum ex_kind kind, size_t a, size_t b, char *value);

/* --- what passes ask of each other ----------------------------------------- */

/* Is there a CCG suffix ("CCG", "CCGs", "Clinical Commissioning Group(s)")
 * at token i?  Returns its length in tokens (0: no) and sets *plural
 * (ccgs.c). */
size_t ex_ccg_suffix(const ex *x, size_t i, bool *plural);
/* Does a role of the vocabulary, or "director", "chief", "head", start at
 * token i (after qualifiers)? (roles.c) */
bool ex_role_at(const ex *x, size_t i);
/* Does a title read by the grammar (modifiers, then a head: "Independent
 * Chair", "nurse representative") start at token i? (roles.c) */
bool ex_title_at(const ex *x, size_t i);
/* Is canonical role r held outside any CCG (data/civic_roles.txt)?  A
 * relation with one never defaults to the document's CCG (roles.c). */
bool ex_civic_role(const ex *x, const char *r);
/* Does a civic role ("MP", "councillor") start at token i? (roles.c) */
bool ex_civic_role_at(const ex *x, size_t i);

/* --- the story model (story.c), asked by the relations ------------------ */

/* The organisations of a person's role r when its sentence names none, as
 * the story says: written to out[0..max) (borrowed CCG values); returns
 * how many (0: the org is null), or -1 when no story rule applies.  *rule
 * is set to the name of the rule that applied. */
int ex_story_orgs(const ex *x, const ex_mention *r, const char **out, size_t max,
                  const char **rule);
/* The group of the story that ends last before token at and has exactly n
 * members (n == 0: any), or NULL. */
const ex_group *ex_story_group_before(const ex *x, size_t at, size_t n);
/* Does the story hold an attendance list, whose "Name Title Body" entries
 * need no comma between title and body? */
bool ex_story_attendance(const ex *x);
/* The one body of the kind a post's first word names ("STP lead", "ICS
 * chair": data/synonyms.txt gives the kind's other names) that the story
 * names ("the Cambridgeshire and Peterborough sustainability and
 * transformation partnership"); NULL when it names none or several. */
const char *ex_story_kind_org(const ex *x, const ex_mention *r);

#endif
