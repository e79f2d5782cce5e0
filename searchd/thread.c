/* Worker threads; see thread.h. */
#define _GNU_SOURCE
#include "thread.h"
#include "conn.h"
#include "http.h"
#include "pool.h"
#include "log.h"
#include "stats.h"
#include "core/limits.h"
#include "core/util.h"

#include <assert.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How often (at most) a worker looks for index changes before a request:
 * new commits become visible within this time, well inside a second. */
#define REFRESH_INTERVAL_US 100000

/* Bumped by a worker whose refresh found a revision it had not read.  Every
 * other worker then refreshes before its next request instead of at its
 * next tick, so that once any answer has shown a commit, no later answer
 * from any worker misses it: a client does not see a document appear and
 * then vanish when its next request lands on another worker. */
static atomic_uint index_epoch;

/* Set once the index a daemon started without (none there yet) has been
 * opened, so that the news is logged once, not by every engine. */
static atomic_bool index_found;

static worker *workers;
static unsigned nworkers, nstarted, next_worker;

/* --- the queue ------------------------------------------------------------ */

/* Append it to w's queue and wake w. */
static void queue_push(worker *w, item *it)
{
    char wake = 'w';
    it->next = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->tail)
        w->tail->next = it;
    else
        w->head = it;
    w->tail = it;
    pthread_mutex_unlock(&w->lock);
    while (write(w->notify_wr, &wake, 1) < 0 && errno == EINTR)
        ;
}

/* The oldest item of w's queue, or NULL. */
static item *queue_pop(worker *w)
{
    pthread_mutex_lock(&w->lock);
    item *it = w->head;
    if (it) {
        w->head = it->next;
        if (!w->head)
            w->tail = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    return it;
}

static void item_free(worker *w, item *it)
{
    if (it != &w->stop_item && it != &w->accept_item)
        free(it);
}

void worker_post(worker *w, item *it)
{
    queue_push(w, it);
}

/* --- a worker ------------------------------------------------------------- */

/* Log and count a failed reopen of engine e, if any; who is "worker 1",
 * "query thread 3". */
void engine_reopen_failed(cs_engine *e, const char *who)
{
    const char *why = cs_engine_reopen_failure(e);
    if (!why)
        return;
    log_msg(CS_LOG_WARN, "%s cannot reopen the index: %s; serving the index it had", who, why);
    stats_reopen_failed(why);
}

void engine_refresh(cs_engine *e, unsigned *my_epoch, long long *last_refresh_us, const char *who)
{
    unsigned epoch = atomic_load_explicit(&index_epoch, memory_order_acquire);
    long long now = cs_now_us();
    if (epoch == *my_epoch && now - *last_refresh_us < REFRESH_INTERVAL_US)
        return;
    bool serving = cs_engine_serving(e);
    if (cs_engine_refresh(e))
        epoch = atomic_fetch_add_explicit(&index_epoch, 1, memory_order_acq_rel) + 1;
    engine_reopen_failed(e, who);
    if (!serving && cs_engine_serving(e) && !atomic_exchange(&index_found, true))
        log_msg(CS_LOG_INFO, "%s: the index is there now; serving it", who);
    *my_epoch = epoch;
    *last_refresh_us = now;
}

void worker_refresh(worker *w)
{
    char who[32];
    snprintf(who, sizeof who, "worker %d", w->id);
    engine_refresh(w->engine, &w->index_epoch, &w->last_refresh_us, who);
}

void worker_conn_gone(worker *w)
{
    if (w->stopping && w->nconns == 0)
        event_base_loopbreak(w->base);
}

/* --drain-timeout has passed: each connection sends the answers it has made
 * and closes; one whose client takes none of them is cut after
 * CS_LINGER_TIMEOUT_S more. */
static void worker_drain_over(evutil_socket_t fd, short what, void *arg)
{
    worker *w = arg;
    (void)fd;
    (void)what;
    if (w->nconns)
        log_msg(CS_LOG_WARN, "worker %d: drain timeout (%u s) with %zu connections open; "
                "closing them after their last answer", w->id, w->cfg->drain_timeout_s, w->nconns);
    for (conn *c = w->conns, *next; c; c = next) {
        next = conn_next(c);
        conn_deadline(c);
    }
    if (w->nconns == 0) {
        event_base_loopbreak(w->base);
    } else {
        struct timeval cut = { CS_LINGER_TIMEOUT_S + 1, 0 };
        event_base_loopexit(w->base, &cut);
    }
}

static void worker_stop(worker *w)
{
    w->stopping = true;
    http_worker_stop(w);
    /* Answer what each client has already sent, then close. */
    for (conn *c = w->conns, *next; c; c = next) {
        next = conn_next(c);
        conn_stop(c);
    }
    if (w->nconns == 0) {
        event_base_loopbreak(w->base);
    } else {
        struct timeval drain = { (time_t)w->cfg->drain_timeout_s, 0 };
        if (event_base_once(w->base, -1, EV_TIMEOUT, worker_drain_over, w, &drain) != 0)
            worker_drain_over(-1, EV_TIMEOUT, w);
    }
}

static void worker_notify_cb(evutil_socket_t fd, short what, void *arg)
{
    worker *w = arg;
    char wakes[64];
    (void)what;
    /* Each push wrote one byte; the items themselves are in the queue, and
     * all of them are handled now, oldest first. */
    while (read(fd, wakes, sizeof wakes) == (ssize_t)sizeof wakes)
        ;
    w->served++;
    for (item *it; (it = queue_pop(w));) {
        switch (it->what) {
        case ITEM_CONN:
            if (w->stopping)
                conn_drop(it->fd, &it->key);
            else
                conn_new(w, it->fd, &it->key);
            break;
        case ITEM_REOPEN:
            if (cs_engine_reopen(w->engine))
                log_msg(CS_LOG_DEBUG, "worker %d reopened the index", w->id);
            char who[32];
            snprintf(who, sizeof who, "worker %d", w->id);
            engine_reopen_failed(w->engine, who);
            w->last_refresh_us = cs_now_us();
            break;
        case ITEM_STOP:
            worker_stop(w);
            break;
        case ITEM_ACCEPT:
            atomic_store(&w->http_wake_queued, false);
            http_accept_again(w);
            break;
        case ITEM_DONE:
            ((job *)it)->done((job *)it);   /* frees it: nothing more to free */
            continue;
        }
        item_free(w, it);
    }
}

static _Thread_local worker *current;

worker *worker_current(void)
{
    return current;
}

/* Has this turn of w's loop been told to end (event_base_loopbreak() or
 * loopexit(), called only from w's own callbacks)? */
static bool loop_over(const worker *w, int rc)
{
    return rc != 0 || event_base_got_break(w->base) || event_base_got_exit(w->base);
}

/* The worker's loop: it blocks until something happens, but for
 * CS_WORKER_SPIN_US after a turn that served someone it polls without
 * blocking instead (see limits.h); a timer or a write alone starts no
 * spell.  sched_yield() between idle polls gives the CPU to any other
 * thread that can use it (a query thread, another worker, a client on the
 * same machine). */
static void *worker_main(void *arg)
{
    worker *w = arg;
    current = w;
    long long spin_until = 0;
    for (;;) {
        unsigned long seen = w->served;
        bool spin = cs_now_us() < spin_until;
        if (loop_over(w, event_base_loop(w->base, spin ? EVLOOP_NONBLOCK : EVLOOP_ONCE)))
            break;
        if (w->served != seen)
            spin_until = cs_now_us() + CS_WORKER_SPIN_US;
        else if (spin)
            sched_yield();
    }
    conn_free_all(w);
    return NULL;
}

static int worker_init(worker *w, int id, const server_config *cfg, int http_fd)
{
    int fds[2];
    cs_err err;
    cs_engine_opts eo = { .query_timeout_ms = cfg->query_timeout_ms };

    memset(w, 0, sizeof *w);
    w->id = id;
    w->cfg = cfg;
    w->notify_rd = w->notify_wr = -1;
    w->stop_item.what = ITEM_STOP;
    w->stop_item.fd = -1;
    w->accept_item.what = ITEM_ACCEPT;
    w->accept_item.fd = -1;
    pthread_mutex_init(&w->lock, NULL);
    w->engine = cs_engine_open(cfg->index_dir, &eo, &err);
    if (!w->engine) {
        log_msg(CS_LOG_ERROR, "cannot open index %s: %s", cfg->index_dir, err.msg);
        return -1;
    }
    w->last_refresh_us = cs_now_us();
    struct event_config *ec = event_config_new();
    if (ec) {
        /* Only this worker's thread touches its base. */
        event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
        w->base = event_base_new_with_config(ec);
        event_config_free(ec);
    }
    if (!w->base || pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        log_msg(CS_LOG_ERROR, "cannot set up worker %d", id);
        return -1;
    }
    w->notify_rd = fds[0];
    w->notify_wr = fds[1];
    w->notify_ev = event_new(w->base, w->notify_rd, EV_READ | EV_PERSIST, worker_notify_cb, w);
    if (!w->notify_ev || event_add(w->notify_ev, NULL) != 0) {
        log_msg(CS_LOG_ERROR, "cannot set up worker %d", id);
        return -1;
    }
    if (http_fd >= 0 && http_worker_start(w, http_fd) != 0)
        return -1;
    return 0;
}

static void worker_destroy(worker *w)
{
    /* Connections handed over but never taken. */
    for (item *it; (it = queue_pop(w));) {
        if (it->what == ITEM_CONN)
            conn_drop(it->fd, &it->key);
        else if (it->what == ITEM_DONE) {
            ((job *)it)->drop((job *)it);   /* its connection is gone */
            continue;
        }
        item_free(w, it);
    }
    /* Its HTTP connections close with it. */
    http_worker_free(w);
    if (w->notify_ev)
        event_free(w->notify_ev);
    if (w->base)
        event_base_free(w->base);
    if (w->notify_rd >= 0) {
        close(w->notify_rd);
        close(w->notify_wr);
    }
    cs_engine_close(w->engine);
    pthread_mutex_destroy(&w->lock);
}

/* --- all of them ------------------------------------------------------------ */

int threads_init(const server_config *cfg, int http_fd)
{
    assert(cfg->workers > 0);
    if (!(workers = calloc(cfg->workers, sizeof *workers)))
        return -1;
    for (; nworkers < cfg->workers; nworkers++)
        if (worker_init(&workers[nworkers], (int)nworkers, cfg, http_fd) != 0) {
            nworkers++;             /* destroy the half-made one too */
            return -1;
        }
    if (!cs_engine_serving(workers[0].engine))
        log_msg(CS_LOG_WARN, "no index at %s yet: serving 0 documents until ccg-indexer "
                "makes one there", cfg->index_dir);
    return 0;
}

int threads_start(void)
{
    if (pool_start(workers[0].cfg, workers[0].cfg->query_threads) != 0)
        return -1;
    for (; nstarted < nworkers; nstarted++)
        if (pthread_create(&workers[nstarted].tid, NULL, worker_main, &workers[nstarted]) != 0) {
            log_msg(CS_LOG_ERROR, "cannot start worker threads");
            return -1;
        }
    return 0;
}

void threads_dispatch_conn(int fd, const peer_key *key)
{
    assert(nworkers > 0);
    worker *w = &workers[next_worker++ % nworkers];
    item *it = malloc(sizeof *it);
    if (!it) {
        conn_drop(fd, key);
        return;
    }
    it->what = ITEM_CONN;
    it->fd = fd;
    it->key = *key;
    queue_push(w, it);
}

void threads_reopen(void)
{
    for (unsigned i = 0; i < nstarted; i++) {
        item *it = malloc(sizeof *it);
        if (!it) {
            log_msg(CS_LOG_WARN, "worker %u cannot reopen the index: out of memory", i);
            continue;
        }
        it->what = ITEM_REOPEN;
        it->fd = -1;
        queue_push(&workers[i], it);
    }
    pool_reopen();
}

void threads_shutdown(void)
{
    for (unsigned i = 0; i < nstarted; i++)
        queue_push(&workers[i], &workers[i].stop_item);
    for (unsigned i = 0; i < nstarted; i++)
        pthread_join(workers[i].tid, NULL);
    /* The query threads post their last answers to the workers' queues,
     * which worker_destroy() empties. */
    pool_stop();
    for (unsigned i = 0; i < nworkers; i++)
        worker_destroy(&workers[i]);
    free(workers);
    workers = NULL;
    nworkers = nstarted = 0;
}

bool worker_http_ahead(const worker *w)
{
    long mine = atomic_load(&w->http_open);
    for (unsigned i = 0; i < nworkers; i++)
        if (&workers[i] != w && atomic_load(&workers[i].http_open) < mine)
            return true;
    return false;
}

void workers_http_changed(const worker *w)
{
    /* After w's count changed (sequentially consistent, as the paused
     * worker's flag and its reading of the counts are): either the paused
     * worker saw the new count, or this sees it paused. */
    for (unsigned i = 0; i < nworkers; i++) {
        worker *o = &workers[i];
        if (o != w && atomic_load(&o->http_paused) && !atomic_exchange(&o->http_wake_queued, true))
            queue_push(o, &o->accept_item);
    }
}
