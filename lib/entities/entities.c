/* Entity sets; see entities.h.  The extractor that fills them is in
 * extract.c. */
#include "entities/entities.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

bool cs_entities_has(const cs_entities *e, cs_facet f, const char *value)
{
    for (size_t i = 0; i < e->n[f]; i++)
        if (strcmp(e->v[f][i], value) == 0)
            return true;
    return false;
}

bool cs_entities_add(cs_entities *e, cs_facet f, const char *value, size_t len)
{
    char *s = cs_strndup(value, len);
    if (!s)
        return false;
    if (cs_entities_has(e, f, s)) {
        free(s);
        return true;
    }
    if (e->n[f] == e->cap[f]) {
        size_t cap = e->cap[f] ? e->cap[f] * 2 : 8;
        char **v = realloc(e->v[f], cap * sizeof *v);
        if (!v) {
            free(s);
            return false;
        }
        e->v[f] = v;
        e->cap[f] = cap;
    }
    e->v[f][e->n[f]++] = s;
    return true;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool cs_entities_add_relation(cs_entities *e, const char *person,
                               const char *role, const char *org)
{
    for (size_t i = 0; i < e->nrel; i++)
        if (same(e->rel[i].person, person) && same(e->rel[i].role, role) &&
            same(e->rel[i].org, org))
            return true;
    if (e->nrel == e->caprel) {
        size_t cap = e->caprel ? e->caprel * 2 : 8;
        cs_person_role *v = realloc(e->rel, cap * sizeof *v);
        if (!v)
            return false;
        e->rel = v;
        e->caprel = cap;
    }
    cs_person_role *r = &e->rel[e->nrel];
    r->person = cs_strdup(person);
    r->role = cs_strdup(role);
    r->org = org ? cs_strdup(org) : NULL;
    if (!r->person || !r->role || (org && !r->org)) {
        free(r->person);
        free(r->role);
        free(r->org);
        return false;
    }
    e->nrel++;
    return true;
}

void cs_entities_free(cs_entities *e)
{
    if (!e)
        return;
    for (int f = 0; f < CS_NFACETS; f++) {
        for (size_t i = 0; i < e->n[f]; i++)
            free(e->v[f][i]);
        free(e->v[f]);
    }
    for (size_t i = 0; i < e->nrel; i++) {
        free(e->rel[i].person);
        free(e->rel[i].role);
        free(e->rel[i].org);
    }
    free(e->rel);
    memset(e, 0, sizeof *e);
}

json_t *cs_entities_json(const cs_entities *e)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (int f = 0; f < CS_NFACETS; f++) {
        json_t *a = json_array();
        if (!a || json_object_set_new(o, cs_facets[f].name, a) != 0)
            goto fail;
        for (size_t i = 0; e && i < e->n[f]; i++)
            if (json_array_append_new(a, json_string(e->v[f][i])) != 0)
                goto fail;
    }
    return o;
fail:
    json_decref(o);
    return NULL;
}

json_t *cs_entities_relations_json(const cs_entities *e)
{
    json_t *a = json_array();
    if (!a)
        return NULL;
    for (size_t i = 0; e && i < e->nrel; i++) {
        const cs_person_role *r = &e->rel[i];
        json_t *o = json_pack("{s:s, s:s, s:o}", "person", r->person, "role", r->role,
                              "org", r->org ? json_string(r->org) : json_null());
        if (!o || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}
