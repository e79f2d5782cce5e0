/* The index schema; see schema.h. */
#include "index/schema.h"

#include <string.h>

const ccg_facet_info ccg_facets[CCG_NFACETS] = {
    [CCG_FACET_CCG] = { "ccg", "XC", CCG_SLOT_FACET0 + 0 },
    [CCG_FACET_ROLE] = { "role", "XR", CCG_SLOT_FACET0 + 1 },
    [CCG_FACET_PERSON] = { "person", "XP", CCG_SLOT_FACET0 + 2 },
    [CCG_FACET_ORG] = { "org", "XO", CCG_SLOT_FACET0 + 3 },
    [CCG_FACET_PLACE] = { "place", "XL", CCG_SLOT_FACET0 + 4 },
};

int ccg_facet_by_name(const char *name, size_t len)
{
    for (int f = 0; f < CCG_NFACETS; f++)
        if (strlen(ccg_facets[f].name) == len && strncmp(ccg_facets[f].name, name, len) == 0)
            return f;
    return -1;
}
