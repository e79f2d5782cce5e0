/* A list of distinct strings, kept in the order added: filter terms and
 * highlight terms.  Linear look-up: the lists hold a query's worth. */
#ifndef CCG_STRLIST_H
#define CCG_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ccg_strlist {
    char **v;
    size_t n;
} ccg_strlist;

/* Add a copy of s to the list (no duplicates).  False when out of memory. */
bool ccg_strlist_add(ccg_strlist *l, const char *s);
void ccg_strlist_free(ccg_strlist *l);

#endif
