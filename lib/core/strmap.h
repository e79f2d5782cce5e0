/* A string -> int map (open addressing) for the gazetteers: built once at
 * start-up, then only read, so lookups from many threads are safe. */
#ifndef CS_STRMAP_H
#define CS_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cs_strmap {
    struct strmap_slot *slots;
    size_t cap, n;
    /* 1..63: the bit under which a caller may remember this map's answer
     * for one word (the extractor's tokens do); 0: none. */
    unsigned memo;
} cs_strmap;

/* Map key[0..len) to value (>= 0), replacing an earlier value.  False when out of
 * memory. */
bool cs_strmap_put(cs_strmap *m, const char *key, size_t len, int value);
/* The value of key[0..len), or -1. */
int cs_strmap_get(const cs_strmap *m, const char *key, size_t len);

/* The hash the map files key[0..len) under is cs_strmap_hash(
 * CS_STRMAP_HASH0, key, len), which may be made a piece at a time:
 * cs_strmap_hash(cs_strmap_hash(h, a, na), b, nb) hashes a then b.  A
 * caller that keeps a key's hash (a token's, a key it grows word by word)
 * looks it up with cs_strmap_get_hashed() and saves the hashing. */
#define CS_STRMAP_HASH0 1469598103934665603ULL
uint64_t cs_strmap_hash(uint64_t h, const char *s, size_t len);
int cs_strmap_get_hashed(const cs_strmap *m, const char *key, size_t len, uint64_t h);
void cs_strmap_free(cs_strmap *m);

#endif
