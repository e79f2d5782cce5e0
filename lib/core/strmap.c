/* String -> int map; see strmap.h. */
#include "core/strmap.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strmap_slot {
    char *key;          /* NULL: empty */
    size_t len;
    uint64_t hash;
    int value;
};

/* FNV-1a. */
uint64_t cs_strmap_hash(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static uint64_t hash(const char *s, size_t len)
{
    return cs_strmap_hash(CS_STRMAP_HASH0, s, len);
}

static struct strmap_slot *find(const cs_strmap *m, const char *key, size_t len, uint64_t h)
{
    size_t i = (size_t)h & (m->cap - 1);
    for (;;) {
        struct strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
        i = (i + 1) & (m->cap - 1);
    }
}

static bool grow(cs_strmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct strmap_slot *old = m->slots;
    size_t oldcap = m->cap;
    m->slots = calloc(cap, sizeof *m->slots);
    if (!m->slots) {
        m->slots = old;
        return false;
    }
    m->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key)
            *find(m, old[i].key, old[i].len, old[i].hash) = old[i];
    free(old);
    return true;
}

bool cs_strmap_put(cs_strmap *m, const char *key, size_t len, int value)
{
    assert(m && (key || len == 0));
    /* -1 is what a look-up answers for "absent". */
    assert(value >= 0);
    if ((m->n + 1) * 2 > m->cap && !grow(m))
        return false;
    uint64_t h = hash(key, len);
    struct strmap_slot *s = find(m, key, len, h);
    if (!s->key) {
        if (!(s->key = malloc(len + 1)))
            return false;
        memcpy(s->key, key, len);
        s->key[len] = '\0';
        s->len = len;
        s->hash = h;
        m->n++;
    }
    s->value = value;
    return true;
}

int cs_strmap_get_hashed(const cs_strmap *m, const char *key, size_t len, uint64_t h)
{
    assert(m && (key || len == 0));
    if (!m->cap)
        return -1;
    /* Open addressing needs an empty slot to end every probe. */
    assert(m->n < m->cap);
    struct strmap_slot *s = find(m, key, len, h);
    return s->key ? s->value : -1;
}

int cs_strmap_get(const cs_strmap *m, const char *key, size_t len)
{
    return cs_strmap_get_hashed(m, key, len, hash(key, len));
}

void cs_strmap_free(cs_strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}
