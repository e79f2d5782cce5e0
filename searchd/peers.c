/* Connections per client address; see peers.h. */
#define _GNU_SOURCE
#include "peers.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Buckets of the address table; chains stay short for the few thousand
 * addresses --max-connections allows. */
#define PEER_BUCKETS 1024

typedef struct peer {
    peer_key key;
    unsigned open;
    struct peer *next;
} peer;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static peer *buckets[PEER_BUCKETS];

void peer_key_of(int fd, peer_key *k)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    memset(k, 0, sizeof *k);
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        k->fam = 4;
        memcpy(k->addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
    } else if (ss.ss_family == AF_INET6) {
        k->fam = 6;
        memcpy(k->addr, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
    }
}

static peer **slot(const peer_key *k)
{
    uint32_t h = 2166136261u;           /* FNV-1a */
    const unsigned char *p = (const unsigned char *)k;
    for (size_t i = 0; i < sizeof *k; i++)
        h = (h ^ p[i]) * 16777619u;
    peer **pp = &buckets[h % PEER_BUCKETS];
    while (*pp && memcmp(&(*pp)->key, k, sizeof *k) != 0)
        pp = &(*pp)->next;
    return pp;
}

bool peers_admit(const peer_key *k, unsigned max)
{
    if (!k->fam)
        return true;
    bool ok = true;
    pthread_mutex_lock(&lock);
    peer **pp = slot(k);
    if (!*pp && (*pp = calloc(1, sizeof **pp)))
        (*pp)->key = *k;
    if (!*pp)
        ok = false;                     /* out of memory: refuse, never miscount */
    else if (max && (*pp)->open >= max)
        ok = false;
    else
        (*pp)->open++;
    if (*pp && (*pp)->open == 0) {      /* made for a refusal: drop it */
        peer *gone = *pp;
        *pp = gone->next;
        free(gone);
    }
    pthread_mutex_unlock(&lock);
    return ok;
}

void peers_release(const peer_key *k)
{
    if (!k->fam)
        return;
    pthread_mutex_lock(&lock);
    peer **pp = slot(k);
    if (*pp && --(*pp)->open == 0) {
        peer *gone = *pp;
        *pp = gone->next;
        free(gone);
    }
    pthread_mutex_unlock(&lock);
}
