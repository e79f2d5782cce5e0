/* A list of distinct strings, kept in the order added: filter terms and
 * highlight terms.  Linear look-up: the lists hold a query's worth. */
#ifndef CS_STRLIST_H
#define CS_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cs_strlist {
    char **v;
    size_t n;
} cs_strlist;

/* Add a copy of s to the list (no duplicates).  False when out of memory. */
bool cs_strlist_add(cs_strlist *l, const char *s);
void cs_strlist_free(cs_strlist *l);

#endif
