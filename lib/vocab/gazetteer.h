/* The gazetteers and vocabularies of data/, loaded once per process into
 * lookup tables keyed by normalised word sequences.
 *
 * A key is the words of a name, each normalised as the indexer normalises
 * words (lower case, accents and possessives dropped), joined by single
 * spaces, with "&" written "and" and hyphens read as spaces: "NHS Stoke-on-
 * Trent" and "nhs stoke on trent" have one key.
 */
#ifndef CS_GAZETTEER_H
#define CS_GAZETTEER_H

#include "core/strmap.h"

#include <stdbool.h>
#include <stddef.h>

/* One table: names (display forms), and keys -> name index. */
typedef struct cs_table {
    char **names;
    size_t n, cap;
    cs_strmap keys;        /* full key -> name index */
    cs_strmap prefixes;    /* every proper word-prefix of a key -> 1 */
    cs_strmap byname;      /* display name -> name index */
    unsigned maxwords;      /* longest key, in words */
} cs_table;

enum { PLACE_COUNTRY, PLACE_REGION, PLACE_SUBREGION, PLACE_COUNTY, PLACE_CITY,
       PLACE_TOWN, PLACE_BOROUGH };

typedef struct cs_gaz {
    cs_table ccg;          /* core CCG names ("leicester city") -> "NHS ... CCG" */
    cs_table role;         /* role aliases -> canonical role */
    cs_table place;        /* place names and aliases -> canonical place */
    int *place_kind;        /* PLACE_* per place name */
    cs_table org;          /* known organisations and aliases */
    cs_strmap qualifiers;  /* role qualifiers ("joint", "interim") -> 1 */
    cs_strmap first_names; /* normalised given names -> 1 */
    cs_strmap stopwords;   /* words dropped from "match any" queries -> 1 */
    /* Synonym groups: names[g] is the group's line; keys are the stems of
     * each alternative joined by spaces ("clinic commiss group") -> g. */
    cs_table synonyms;
    char ***syn_alts;       /* per group: its alternatives, NULL-terminated */
    /* The same alternatives for the entity extractor, whose tokens are not
     * stemmed: each as written and with its last word plural ("stps",
     * "clinical commissioning groups"), keyed as cs_gaz_key() keys -> g. */
    cs_table syn_forms;
    /* The entity extractor's word lists: each entry of its data file, as
     * written (not normalised: they are compared with tokens' lower-case
     * forms) -> 1.  Each file's header says what the list is. */
    cs_strmap abbreviations;       /* abbreviations.txt */
    cs_strmap adverbs;             /* adverbs.txt */
    cs_strmap appointing_verbs;    /* appointing_verbs.txt */
    cs_strmap calendar;            /* calendar.txt: months and weekdays */
    cs_strmap civic_roles;         /* civic_roles.txt */
    cs_strmap complement_stops;    /* complement_stops.txt */
    cs_strmap name_determiners;    /* determiners.tsv, use "name" */
    cs_strmap role_determiners;    /* determiners.tsv, use "role" */
    cs_strmap directions;          /* directions.txt */
    cs_strmap name_ends;           /* name_ends.txt */
    cs_strmap not_name_words;      /* not_name_words.txt */
    cs_strmap org_connectors;      /* org_connectors.txt */
    cs_strmap org_full_names;      /* org_full_names.txt */
    cs_strmap org_generic_words;   /* org_generic_words.txt */
    cs_strmap org_heads;           /* org_heads.tsv, every head */
    cs_strmap org_heads_lower;     /* org_heads.tsv, use "lower" */
    cs_strmap org_heads_first;     /* org_heads.tsv, use "first" */
    cs_strmap parties;             /* parties.txt */
    cs_strmap team_words;          /* team_words.txt */
    cs_strmap team_words_before;   /* team_words_before.txt */
    cs_strmap body_plurals;        /* body_plurals.txt */
    cs_strmap role_starts;         /* role_starts.txt */
    cs_strmap role_heads;          /* role_heads.tsv, every head */
    cs_strmap role_heads_portfolio; /* role_heads.tsv, use "portfolio" */
    cs_strmap role_heads_alone;    /* role_heads.tsv, use "alone" */
    cs_strmap role_heads_plural;   /* role_heads.tsv, use "plural" */
    cs_strmap role_modifiers;      /* role_modifiers.txt */
    cs_strmap place_prepositions;  /* place_prepositions.txt */
    cs_strmap role_verbs;          /* role_verbs.txt */
    cs_strmap speech_verbs;        /* speech_verbs.txt */
    cs_strmap post_nouns;          /* post_nouns.txt */
    cs_strmap post_verbs;          /* post_verbs.txt */
    cs_strmap joint_words;         /* joint_words.txt */
    cs_strmap joining_verbs;       /* joining_verbs.txt */
} cs_gaz;

/* The tables, loaded on first use (thread-safe).  NULL only when out of
 * memory at that first use. */
const cs_gaz *cs_gaz_get(void);

/* The key of text[0..len) (see above); malloc'd, NULL when out of memory. */
char *cs_gaz_key(const char *text, size_t len);

/* The key of text's words by their stems ("Clinical Commissioning
 * Groups" -> "clinic commiss group"); malloc'd, NULL when out of memory. */
char *cs_gaz_stem_key(const char *text, size_t len);

/* True when word (a normalised term) is a stopword. */
bool cs_gaz_stopword(const char *word);

/* Look a key up in a table: the name index, or -1. */
int cs_table_find(const cs_table *t, const char *key);

/* True when word is an entry of the word list set (one of cs_gaz's word
 * lists): compared as written, not normalised. */
bool cs_words_has(const cs_strmap *set, const char *word);

#endif
