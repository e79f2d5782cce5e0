/* Entities of one article: the facet values (CCGs, roles, people,
 * organisations, places) and who holds which role where.
 *
 * Values are canonical display strings ("NHS Leicester City CCG",
 * "accountable officer", "Toby Sanders"); each facet keeps first-mention
 * order and no duplicates.
 */
#ifndef CS_ENTITIES_H
#define CS_ENTITIES_H

#include "index/schema.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct cs_person_role {
    char *person, *role;
    char *org;              /* a canonical CCG or organisation, or NULL */
} cs_person_role;

typedef struct cs_entities {
    char **v[CS_NFACETS];
    size_t n[CS_NFACETS], cap[CS_NFACETS];
    cs_person_role *rel;
    size_t nrel, caprel;
} cs_entities;

/* Add a value to facet f unless it is already there.  Returns false only
 * when out of memory. */
bool cs_entities_add(cs_entities *e, cs_facet f, const char *value, size_t len);
/* Add a relation unless it is already there (org may be NULL). */
bool cs_entities_add_relation(cs_entities *e, const char *person,
                               const char *role, const char *org);
/* True when facet f holds value. */
bool cs_entities_has(const cs_entities *e, cs_facet f, const char *value);
/* Free everything and zero the set.  NULL-safe. */
void cs_entities_free(cs_entities *e);

/* {"ccg":[...],"role":[...],...} (a new reference), or NULL when out of
 * memory.  cs_entities_relations_json() gives the person_role array. */
json_t *cs_entities_json(const cs_entities *e);
json_t *cs_entities_relations_json(const cs_entities *e);

#endif
