/* Canonical facet values: what a value written in an article or typed by a
 * user stands for.  The indexer keys facet terms with these and the query
 * side keys filters with them, so both sides agree. */
#ifndef CS_CANON_H
#define CS_CANON_H

#include <stddef.h>

/* The index key that a facet value written by a user selects: the
 * canonical value's cs_normalize_key(), so "Leicester City", "Leicester
 * City CCG" and "NHS Leicester City CCG" give one key.  malloc'd; NULL when
 * out of memory. */
char *cs_canonical_key(int facet, const char *value, size_t len);

/* The canonical display value a user's value selects, when the gazetteer
 * or vocabulary knows it ("Leicester City" -> "NHS Leicester City CCG",
 * "joint AO" -> "accountable officer"); NULL when it does not.  The string
 * is static. */
const char *cs_canonical_name(int facet, const char *value, size_t len);

#endif
