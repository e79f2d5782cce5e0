/* Entity extraction: CCGs, roles, people, organisations, places and
 * person-role-organisation relations, by rules and gazetteers (data/). */
#ifndef CCG_EXTRACT_H
#define CCG_EXTRACT_H

#include "article.h"
#include "entities.h"

#include <stdbool.h>

/* Extract the entities of an article into *out (which must be zeroed).
 * Deterministic.  Returns false only when out of memory. */
bool ccg_extract(const ccg_article *a, ccg_entities *out);

/* The index key that a facet value written by a user selects: the
 * canonical value's ccg_normalize_key(), so "Leicester City", "Leicester
 * City CCG" and "NHS Leicester City CCG" give one key.  malloc'd; NULL when
 * out of memory. */
char *ccg_canonical_key(int facet, const char *value, size_t len);

/* The canonical display value a user's value selects, when the gazetteer
 * or vocabulary knows it ("Leicester City" -> "NHS Leicester City CCG",
 * "joint AO" -> "accountable officer"); NULL when it does not.  The string
 * is static. */
const char *ccg_canonical_name(int facet, const char *value, size_t len);

#endif
