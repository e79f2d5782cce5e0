/* A string -> int map (open addressing) for the gazetteers: built once at
 * start-up, then only read, so lookups from many threads are safe. */
#ifndef CCG_STRMAP_H
#define CCG_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ccg_strmap {
    struct strmap_slot *slots;
    size_t cap, n;
} ccg_strmap;

/* Map key[0..len) to value, replacing an earlier value.  False when out of
 * memory. */
bool ccg_strmap_put(ccg_strmap *m, const char *key, size_t len, int value);
/* The value of key[0..len), or -1. */
int ccg_strmap_get(const ccg_strmap *m, const char *key, size_t len);
void ccg_strmap_free(ccg_strmap *m);

#endif
