/* Entity extraction: CCGs, roles, people, organisations, places and
 * person-role-organisation relations, by rules and gazetteers (data/). */
#ifndef CS_EXTRACT_H
#define CS_EXTRACT_H

#include "text/article.h"
#include "entities/entities.h"

#include <stdbool.h>

/* Extract the entities of an article into *out (which must be zeroed).
 * Deterministic.  Returns false only when out of memory. */
bool cs_extract(const cs_article *a, cs_entities *out);

#endif
