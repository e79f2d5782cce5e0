/* A string -> int map (open addressing) for the gazetteers: built once at
 * start-up, then only read, so lookups from many threads are safe. */
#ifndef CS_STRMAP_H
#define CS_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cs_strmap {
    struct strmap_slot *slots;
    size_t cap, n;
} cs_strmap;

/* Map key[0..len) to value (>= 0), replacing an earlier value.  False when out of
 * memory. */
bool cs_strmap_put(cs_strmap *m, const char *key, size_t len, int value);
/* The value of key[0..len), or -1. */
int cs_strmap_get(const cs_strmap *m, const char *key, size_t len);
void cs_strmap_free(cs_strmap *m);

#endif
