/* A small list of distinct strings; see strlist.h. */
#include "core/strlist.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

bool cs_strlist_add(cs_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    char **v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        return false;
    l->v = v;
    if (!(l->v[l->n] = cs_strdup(s)))
        return false;
    l->n++;
    return true;
}

void cs_strlist_free(cs_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}
