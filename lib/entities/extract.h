/* Entity extraction: CCGs, roles, people, organisations, places and
 * person-role-organisation relations, by rules and gazetteers (data/). */
#ifndef CCG_EXTRACT_H
#define CCG_EXTRACT_H

#include "text/article.h"
#include "entities/entities.h"

#include <stdbool.h>

/* Extract the entities of an article into *out (which must be zeroed).
 * Deterministic.  Returns false only when out of memory. */
bool ccg_extract(const ccg_article *a, ccg_entities *out);

#endif
