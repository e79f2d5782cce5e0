/* Entities of one article: the facet values (CCGs, roles, people,
 * organisations, places) and who holds which role where.
 *
 * Values are canonical display strings ("NHS Leicester City CCG",
 * "accountable officer", "Toby Sanders"); each facet keeps first-mention
 * order and no duplicates.
 */
#ifndef CCG_ENTITIES_H
#define CCG_ENTITIES_H

#include "index/schema.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ccg_person_role {
    char *person, *role;
    char *org;              /* a canonical CCG or organisation, or NULL */
} ccg_person_role;

typedef struct ccg_entities {
    char **v[CCG_NFACETS];
    size_t n[CCG_NFACETS], cap[CCG_NFACETS];
    ccg_person_role *rel;
    size_t nrel, caprel;
} ccg_entities;

/* Add a value to facet f unless it is already there.  Returns false only
 * when out of memory. */
bool ccg_entities_add(ccg_entities *e, ccg_facet f, const char *value, size_t len);
/* Add a relation unless it is already there (org may be NULL). */
bool ccg_entities_add_relation(ccg_entities *e, const char *person,
                               const char *role, const char *org);
/* True when facet f holds value. */
bool ccg_entities_has(const ccg_entities *e, ccg_facet f, const char *value);
/* Free everything and zero the set.  NULL-safe. */
void ccg_entities_free(ccg_entities *e);

/* {"ccg":[...],"role":[...],...} (a new reference), or NULL when out of
 * memory.  ccg_entities_relations_json() gives the person_role array. */
json_t *ccg_entities_json(const ccg_entities *e);
json_t *ccg_entities_relations_json(const ccg_entities *e);

#endif
