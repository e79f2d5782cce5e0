/* Connections per client address (--max-connections-per-address): the
 * acceptor counts its line-protocol clients here and every worker its
 * HTTP ones, so one count per address covers both transports. */
#ifndef CS_SEARCHD_PEERS_H
#define CS_SEARCHD_PEERS_H

#include <stdbool.h>

/* An IP address (v4 or v6, port left out); fam 0: none (a Unix socket,
 * or unknown), which is never counted. */
typedef struct peer_key {
    unsigned char fam;
    unsigned char addr[16];
} peer_key;

/* The address of fd's peer into *k (fam 0 when it has none). */
void peer_key_of(int fd, peer_key *k);
/* Count one more connection from k unless max are open already (0: no
 * cap); false when refused.  A key without an address is always admitted
 * and not counted.  Any thread. */
bool peers_admit(const peer_key *k, unsigned max);
/* One connection from k is gone (one that peers_admit() admitted). */
void peers_release(const peer_key *k);

#endif
