/* The gazetteers and vocabularies of data/, loaded once per process into
 * lookup tables keyed by normalised word sequences.
 *
 * A key is the words of a name, each normalised as the indexer normalises
 * words (lower case, accents and possessives dropped), joined by single
 * spaces, with "&" written "and" and hyphens read as spaces: "NHS Stoke-on-
 * Trent" and "nhs stoke on trent" have one key.
 */
#ifndef CCG_GAZETTEER_H
#define CCG_GAZETTEER_H

#include "core/strmap.h"

#include <stdbool.h>
#include <stddef.h>

/* One table: names (display forms), and keys -> name index. */
typedef struct ccg_table {
    char **names;
    size_t n, cap;
    ccg_strmap keys;        /* full key -> name index */
    ccg_strmap prefixes;    /* every proper word-prefix of a key -> 1 */
    ccg_strmap byname;      /* display name -> name index */
    unsigned maxwords;      /* longest key, in words */
} ccg_table;

enum { PLACE_COUNTRY, PLACE_REGION, PLACE_SUBREGION, PLACE_COUNTY, PLACE_CITY,
       PLACE_TOWN, PLACE_BOROUGH };

typedef struct ccg_gaz {
    ccg_table ccg;          /* core CCG names ("leicester city") -> "NHS ... CCG" */
    ccg_table role;         /* role aliases -> canonical role */
    ccg_table place;        /* place names and aliases -> canonical place */
    int *place_kind;        /* PLACE_* per place name */
    ccg_table org;          /* known organisations and aliases */
    ccg_strmap qualifiers;  /* role qualifiers ("joint", "interim") -> 1 */
    ccg_strmap first_names; /* normalised given names -> 1 */
    ccg_strmap stopwords;   /* words dropped from "match any" queries -> 1 */
    /* Synonym groups: names[g] is the group's line; keys are the stems of
     * each alternative joined by spaces ("clinic commiss group") -> g. */
    ccg_table synonyms;
    char ***syn_alts;       /* per group: its alternatives, NULL-terminated */
} ccg_gaz;

/* The tables, loaded on first use (thread-safe).  NULL only when out of
 * memory at that first use. */
const ccg_gaz *ccg_gaz_get(void);

/* The key of text[0..len) (see above); malloc'd, NULL when out of memory. */
char *ccg_gaz_key(const char *text, size_t len);

/* The key of text's words by their stems ("Clinical Commissioning
 * Groups" -> "clinic commiss group"); malloc'd, NULL when out of memory. */
char *ccg_gaz_stem_key(const char *text, size_t len);

/* True when word (a normalised term) is a stopword. */
bool ccg_gaz_stopword(const char *word);

/* Look a key up in a table: the name index, or -1. */
int ccg_table_find(const ccg_table *t, const char *key);

#endif
