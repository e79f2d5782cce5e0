/* Worker threads, after memcached's thread.c: each worker runs its own
 * event_base (without locks: only its thread touches it) and its own engine,
 * so workers share nothing on the request path.  Other threads talk to a
 * worker through its FIFO queue of {what, fd} items and a wake-up pipe:
 * the acceptor hands it connections, the main thread asks it to reopen
 * the index or to stop.
 */
#ifndef CS_SEARCHD_THREAD_H
#define CS_SEARCHD_THREAD_H

#include "peers.h"
#include "server.h"
#include "serve/engine.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct conn conn;
typedef struct item item;

/* What a worker is asked to do. */
typedef enum item_what {
    ITEM_CONN,          /* serve the connection fd */
    ITEM_REOPEN,        /* reopen the index (SIGHUP) */
    ITEM_STOP,          /* answer what was received, close, and end */
    ITEM_ACCEPT,        /* HTTP: see whether to accept again (http.c) */
    ITEM_DONE,          /* a query thread answered a job (pool.h): the item is its first member */
} item_what;

struct item {
    item_what what;
    int fd;
    peer_key key;       /* ITEM_CONN: its client's address, counted in peers.c */
    item *next;
};

typedef struct worker {
    int id;
    pthread_t tid;
    struct event_base *base;
    const server_config *cfg;
    cs_engine *engine;
    long long last_refresh_us;
    unsigned index_epoch;       /* the epoch this worker's engine has caught up with */
    /* The queue: pushed by other threads, popped by this one, in order. */
    pthread_mutex_t lock;
    item *head, *tail;
    item stop_item;     /* preallocated: stopping cannot fail */
    int notify_rd, notify_wr;
    struct event *notify_ev;
    /* This worker's connections (conn.c keeps the list). */
    conn *conns;
    size_t nconns;
    /* This worker's HTTP server (http.c), or NULL without --http. */
    struct evhttp *http;
    struct evhttp_bound_socket *http_sock;
    /* Its HTTP connections (http.c): how many are open, which the other
     * workers read to balance accepts; whether it is not accepting because
     * it has more than another worker, and whether a wake-up to look again
     * is queued (accept_item, preallocated); each connection's mark, by
     * descriptor; the one just accepted and the event that counts it. */
    atomic_long http_open;
    atomic_bool http_paused, http_wake_queued;
    item accept_item;
    struct http_mark *http_mark;
    size_t http_mark_cap;
    struct bufferevent *http_pending;
    struct event *http_accept_ev;
    /* Its HTTP listener paused for ACCEPT_PAUSE_MS after a failed accept
     * (http.c), and whether such a spell is on (logged when it starts and
     * when it ends). */
    struct event *http_pause_ev;
    bool http_accept_failing;
    bool stopping;
    /* Bumped by each callback that serves a client (a line read, an HTTP
     * request, items of its queue: a query thread's answer, a new
     * connection): worker_main() spins on while it moves. */
    unsigned long served;
} worker;

/* Set up cfg->workers workers, each with its engine open and, when
 * http_fd >= 0, an HTTP server accepting on that listening socket (each
 * worker on a dup() of it); 0, or -1 logged. */
int threads_init(const server_config *cfg, int http_fd);
/* Start their threads (the caller's blocked signals stay blocked in them);
 * 0, or -1 logged. */
int threads_start(void);
/* Hand the accepted connection fd to the next worker, round-robin (it is
 * closed, and its count given back, when that fails). */
void threads_dispatch_conn(int fd, const peer_key *key);
/* Ask every worker to reopen its index. */
void threads_reopen(void);
/* Stop the started workers, wait for them, and free everything. */
void threads_shutdown(void);

/* Called by conn.c: before a request (see new commits now and then, and at
 * once when another worker has seen one), and when one of w's connections
 * is gone. */
void worker_refresh(worker *w);
/* The same for any engine with its own epoch and clock (the query
 * threads'); who names it in the log ("query thread 3"). */
void engine_refresh(cs_engine *e, unsigned *epoch, long long *last_refresh_us, const char *who);
/* Log and count a failed reopen of e, if any. */
void engine_reopen_failed(cs_engine *e, const char *who);
/* Queue it for w from any thread and wake w (pool.c posts its answers). */
void worker_post(worker *w, item *it);
/* The worker whose thread this is, or NULL on any other thread: for the
 * callbacks libevent gives no argument of ours (http.c). */
worker *worker_current(void);
void worker_conn_gone(worker *w);
/* Called by http.c: whether another worker has fewer HTTP connections
 * open than w; and, when w's count has changed, wake the workers that
 * paused accepting to look again. */
bool worker_http_ahead(const worker *w);
void workers_http_changed(const worker *w);

#endif
