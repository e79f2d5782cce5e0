/* A small list of distinct strings; see strlist.h. */
#include "core/strlist.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

bool ccg_strlist_add(ccg_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    char **v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        return false;
    l->v = v;
    if (!(l->v[l->n] = ccg_strdup(s)))
        return false;
    l->n++;
    return true;
}

void ccg_strlist_free(ccg_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}
