/* Canonical names and keys of what users type; see canon.h. */
#include "vocab/canon.h"
#include "vocab/gazetteer.h"
#include "index/schema.h"
#include "vocab/words.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Drop leading words of key found in map (qualifiers, titles). */
static char *skip_words(char *k, const cs_strmap *map, const char *const *list)
{
    while (strchr(k, ' ')) {
        char *sp = strchr(k, ' ');
        size_t wl = (size_t)(sp - k);
        bool drop = false;
        if (map)
            drop = cs_strmap_get(map, k, wl) >= 0;
        for (int i = 0; list && list[i] && !drop; i++)
            drop = strlen(list[i]) == wl && strncmp(list[i], k, wl) == 0;
        if (!drop)
            break;
        k = sp + 1;
    }
    return k;
}

const char *cs_canonical_name(int facet, const char *value, size_t len)
{
    const cs_gaz *g = cs_gaz_get();
    char *key = g ? cs_gaz_key(value, len) : NULL;
    const char *canon = NULL;
    if (!key)
        return NULL;
    char *k = key;
    if (facet == CS_FACET_CCG) {
        /* "NHS X CCG", "X CCG", "X Clinical Commissioning Group", "X". */
        size_t kl = strlen(k);
        if (strncmp(k, "nhs ", 4) == 0) {
            k += 4;
            kl -= 4;
        }
        static const char *const suffixes[] = {
            " clinical commissioning groups", " clinical commissioning group", " ccgs", " ccg", NULL,
        };
        for (int i = 0; suffixes[i]; i++) {
            size_t sl = strlen(suffixes[i]);
            if (kl > sl && strcmp(k + kl - sl, suffixes[i]) == 0) {
                k[kl - sl] = '\0';
                break;
            }
        }
        int idx = cs_table_find(&g->ccg, k);
        canon = idx >= 0 ? g->ccg.names[idx] : NULL;
    } else if (facet == CS_FACET_ROLE || facet == CS_FACET_ORG || facet == CS_FACET_PLACE) {
        const cs_table *t = facet == CS_FACET_ROLE ? &g->role
                             : facet == CS_FACET_ORG ? &g->org : &g->place;
        if (facet == CS_FACET_ROLE)
            k = skip_words(k, &g->qualifiers, NULL);
        int idx = cs_table_find(t, k);
        canon = idx >= 0 ? t->names[idx] : NULL;
    }
    free(key);
    return canon;
}

char *cs_canonical_key(int facet, const char *value, size_t len)
{
    const char *canon = cs_canonical_name(facet, value, len);
    if (canon)
        return cs_gaz_key(canon, strlen(canon));
    char *key = cs_gaz_key(value, len);
    const cs_gaz *g = cs_gaz_get();
    if (!key || !g)
        return key;
    /* Unknown values still lose what never belongs to them: a role's
     * qualifiers ("interim"), a person's titles ("Dr"). */
    char *k = facet == CS_FACET_ROLE ? skip_words(key, &g->qualifiers, NULL)
              : facet == CS_FACET_PERSON ? skip_words(key, NULL, cs_honorifics) : key;
    if (k != key)
        memmove(key, k, strlen(k) + 1);
    return key;
}
