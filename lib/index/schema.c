/* The index schema; see schema.h. */
#include "index/schema.h"

#include <string.h>

const cs_facet_info cs_facets[CS_NFACETS] = {
    [CS_FACET_CCG] = { "ccg", "XC", CS_SLOT_FACET0 + 0 },
    [CS_FACET_ROLE] = { "role", "XR", CS_SLOT_FACET0 + 1 },
    [CS_FACET_PERSON] = { "person", "XP", CS_SLOT_FACET0 + 2 },
    [CS_FACET_ORG] = { "org", "XO", CS_SLOT_FACET0 + 3 },
    [CS_FACET_PLACE] = { "place", "XL", CS_SLOT_FACET0 + 4 },
};

int cs_facet_by_name(const char *name, size_t len)
{
    for (int f = 0; f < CS_NFACETS; f++)
        if (strlen(cs_facets[f].name) == len && strncmp(cs_facets[f].name, name, len) == 0)
            return f;
    return -1;
}

const cs_attr_info cs_attrs[CS_NATTRS] = {
    [CS_ATTR_AUTHOR] = { "author", "XA" },
    [CS_ATTR_SECTION] = { "section", "XS" },
    [CS_ATTR_TAG] = { "tag", "XT" },
};

int cs_attr_by_name(const char *name, size_t len)
{
    for (int f = 0; f < CS_NATTRS; f++)
        if (strlen(cs_attrs[f].name) == len && strncmp(cs_attrs[f].name, name, len) == 0)
            return f;
    return -1;
}
