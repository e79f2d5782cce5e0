/* Connections; see conn.h. */
#define _GNU_SOURCE
#include "conn.h"
#include "handler.h"
#include "listen.h"
#include "log.h"
#include "peers.h"
#include "pool.h"
#include "stats.h"
#include "core/limits.h"
#include "core/util.h"
#include "serve/protocol.h"

#include <stdio.h>

#include <assert.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

typedef enum conn_state {
    CONN_READ,
    CONN_PAUSED,
    CONN_WAIT,
    CONN_FLUSH,
    CONN_LINGER,
    CONN_CLOSED,
} conn_state;

/* A request line a query thread answers (pool.h). */
typedef struct line_job {
    job j;
    conn *c;                    /* the waiting connection; NULL once it is gone */
    char *line;                 /* owned */
    size_t len;
    char peer[64];
    cs_buf out;                 /* its answer line */
    bool close_after;
} line_job;


static const char *const state_names[] = { "read", "paused", "wait", "flush", "linger", "closed" };

struct conn {
    worker *w;
    struct bufferevent *bev;
    /* Wakes the connection to go on with its input after its budget, and
     * is the deadline in LINGER. */
    struct event *timer;
    /* The deadline to finish the request line begun (request_timeout_s). */
    struct event *line_timer;
    conn *prev, *next;
    conn_state state;
    /* What happened, for conn_drive() to act on. */
    bool eof;                   /* the client sent EOF: answer, then close */
    bool stop;                  /* the server is stopping: answer, then close */
    bool deadline;              /* its drain time is over: no more answers */
    bool broken;                /* an error or the idle timeout: close now */
    bool timer_fired;
    bool line_late;             /* line_timer fired */
    bool line_timing;           /* line_timer runs for the partial line in the input */
    line_job *job;              /* in WAIT: the request a query thread answers */
    bool close_when_done;       /* the job's request was the last (QUIT) */
    unsigned slow_spell;        /* its next queries are slow ones (pool.h) */
    unsigned thread_spell;      /* its next searches skip the slice (pool.h) */
    char peer[64];
    peer_key key;               /* its address, counted in peers.c */
    cs_buf out;                 /* the answer being built */
    char *line;
    size_t linecap;
    bool had_line;              /* a first line has been read */
};

conn *conn_next(const conn *c)
{
    return c->next;
}

static size_t output_len(const conn *c)
{
    return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* Move c to state to, with what entering it takes.  The one place c->state
 * changes. */
static void conn_set_state(conn *c, conn_state to)
{
    static const bool allowed[][6] = {
        /*                READ   PAUSED WAIT   FLUSH  LINGER CLOSED */
        [CONN_READ] = { false, true, true, true, false, true },
        [CONN_PAUSED] = { true, false, false, true, false, true },
        [CONN_WAIT] = { true, false, false, true, false, true },
        [CONN_FLUSH] = { false, false, false, false, true, true },
        [CONN_LINGER] = { false, false, false, false, false, true },
        [CONN_CLOSED] = { false, false, false, false, false, false },
    };
    assert(allowed[c->state][to]);
    log_msg(CS_LOG_DEBUG, "%s: %s -> %s", c->peer, state_names[c->state], state_names[to]);
    switch (to) {
    case CONN_READ:
        bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
        bufferevent_enable(c->bev, EV_READ);
        break;
    case CONN_PAUSED:
        /* The write callback comes when the client has taken half. */
        bufferevent_disable(c->bev, EV_READ);
        bufferevent_setwatermark(c->bev, EV_WRITE, CS_OUTPUT_HIGH_WATER / 2, 0);
        break;
    case CONN_WAIT:
        /* Nothing more is read until the query thread's answer is back
         * (conn_job_done()): answers stay in request order. */
        bufferevent_disable(c->bev, EV_READ);
        break;
    case CONN_FLUSH:
        /* The write callback comes when everything is sent. */
        bufferevent_disable(c->bev, EV_READ);
        bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
        break;
    case CONN_LINGER: {
        /* Closing a socket that has unread input makes the kernel reset the
         * connection, and a reset can make the client's kernel drop answers
         * it has not yet read, such as the line_too_long that explains the
         * close.  So: stop writing, and read and discard until the client
         * closes or the deadline passes. */
        shutdown(bufferevent_getfd(c->bev), SHUT_WR);
        struct evbuffer *in = bufferevent_get_input(c->bev);
        evbuffer_drain(in, evbuffer_get_length(in));
        struct timeval linger = { CS_LINGER_TIMEOUT_S, 0 };
        c->timer_fired = false;
        event_del(c->timer);
        event_add(c->timer, &linger);
        bufferevent_set_timeouts(c->bev, NULL, NULL);
        bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
        bufferevent_enable(c->bev, EV_READ);
        break;
    }
    case CONN_CLOSED:
        break;
    }
    c->state = to;
}

static void conn_free(conn *c)
{
    worker *w = c->w;
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->nconns--;
    if (c->job)
        c->job->c = NULL;       /* freed when it comes back */
    event_free(c->timer);
    event_free(c->line_timer);
    bufferevent_free(c->bev);
    cs_buf_free(&c->out);
    free(c->line);
    peers_release(&c->key);
    free(c);
    stats_conn_closed();
    worker_conn_gone(w);
}

/* Send an error answer; the caller then closes. */
static void conn_error(conn *c, cs_errcode code, const char *msg)
{
    cs_buf_free(&c->out);
    answer_error(&c->out, code, msg, c->peer, NULL);
    if (!c->out.oom)
        bufferevent_write(c->bev, c->out.s, c->out.len);
}

/* The verb of a request line; CS_VERB_UNKNOWN when it has none. */
static cs_verb verb_of(const char *line, size_t len)
{
    cs_line ln;
    cs_err err;
    if (cs_proto_parse(line, len, &ln, &err) != CS_PARSE_OK)
        return CS_VERB_UNKNOWN;
    return ln.verb;
}

/* The verbs that run a Xapian query, whose cost the loop must not pay:
 * a query thread answers them, but a SEARCH that proves cheap as a slice
 * (pool.h). */
static bool costly(cs_verb v)
{
    return v == CS_VERB_SEARCH || v == CS_VERB_SIMILAR || v == CS_VERB_WHO;
}

/* Answer the SEARCH in c->line on the loop as a slice into c->out, unless
 * its connection's searches go to the query threads for now.  True if
 * answered; false to hand it to them. */
static bool slice(conn *c, size_t len, bool *close_after)
{
    if (c->slow_spell)
        return false;
    if (c->thread_spell) {
        c->thread_spell--;
        return false;
    }
    worker_refresh(c->w);
    if (handle_line_slice(c->w->engine, c->line, len, &c->out, close_after, c->peer,
                          cs_now_us() + CS_SLICE_US)) {
        stats_slice(STATS_SLICE_ANSWERED);
        return true;
    }
    pool_slice_deferred(c->w->engine, &c->thread_spell, &c->slow_spell);
    return false;
}

static void line_job_drop(job *j)
{
    line_job *lj = (line_job *)j;
    free(lj->line);
    cs_buf_free(&lj->out);
    free(lj);
}

static void line_job_run(job *j, cs_engine *e)
{
    line_job *lj = (line_job *)j;
    handle_line(e, lj->line, lj->len, &lj->out, &lj->close_after, lj->peer);
}

static void line_job_done(job *j);

/* Hand the request in c->line to the query threads; CONN_WAIT, or
 * CONN_FLUSH after an error. */
static conn_state submit(conn *c, size_t len)
{
    line_job *lj = calloc(1, sizeof *lj);
    if (!lj || !(lj->line = malloc(len + 1))) {
        free(lj);
        conn_error(c, CS_E_NOMEM, "out of memory");
        return CONN_FLUSH;
    }
    memcpy(lj->line, c->line, len + 1);
    lj->len = len;
    lj->c = c;
    snprintf(lj->peer, sizeof lj->peer, "%s", c->peer);
    pool_job_init(&lj->j, c->w, line_job_run, line_job_done, line_job_drop, cs_now_us(),
                  &c->slow_spell);
    c->job = lj;
    pool_submit(&lj->j);
    return CONN_WAIT;
}

/* READ: answer complete requests, up to CS_REQUEST_BUDGET of them or
 * CS_TURN_BUDGET_US of time, or until one goes to a query thread.
 * Returns the state to move to, CONN_READ to wait for more input. */
static conn_state conn_read_requests(conn *c)
{
    worker *w = c->w;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t max_line = w->cfg->max_line;
    long long t0 = cs_now_us();

    for (int budget = CS_REQUEST_BUDGET; budget > 0; budget--) {
        /* Past the drain deadline: send the answers made, then close. */
        if (c->deadline)
            return CONN_FLUSH;
        /* A client that is not reading its answers: stop reading its
         * requests until it has taken half of them. */
        if (evbuffer_get_length(out) > CS_OUTPUT_HIGH_WATER)
            return CONN_PAUSED;
        struct evbuffer_ptr eol = evbuffer_search(in, "\n", 1, NULL);
        if (eol.pos < 0) {
            /* No complete line.  One that is already too long (a CR may
             * still be dropped from its end) never will be acceptable. */
            if (evbuffer_get_length(in) > max_line + 1) {
                conn_error(c, CS_E_LINE_TOO_LONG, "request line longer than the limit");
                return CONN_FLUSH;
            }
            /* Stopping: what the kernel holds was received too (reading
             * was off while a query thread had a request), so it is
             * answered as well. */
            if (c->stop && !c->eof && evbuffer_get_length(in) <= max_line) {
                /* A bufferevent keeps its input's end frozen but while
                 * it reads; so does this read. */
                evbuffer_unfreeze(in, 0);
                int n = evbuffer_read(in, bufferevent_getfd(c->bev), (int)(max_line + 2));
                evbuffer_freeze(in, 0);
                if (n > 0) {
                    budget++;
                    continue;
                }
                if (n == 0)
                    c->eof = true;
            }
            return c->eof || c->stop ? CONN_FLUSH : CONN_READ;
        }
        size_t len = (size_t)eol.pos;
        if (len > max_line + 1 || (len == max_line + 1 &&
                                   evbuffer_pullup(in, (ev_ssize_t)len)[len - 1] != '\r')) {
            conn_error(c, CS_E_LINE_TOO_LONG, "request line longer than the limit");
            return CONN_FLUSH;
        }
        if (len + 1 > c->linecap) {
            char *l = realloc(c->line, len + 1);
            if (!l) {
                conn_error(c, CS_E_NOMEM, "out of memory");
                return CONN_FLUSH;
            }
            c->line = l;
            c->linecap = len + 1;
        }
        evbuffer_remove(in, c->line, len);
        evbuffer_drain(in, 1);
        c->line[len] = '\0';

        /* An HTTP client (curl at the line port) would wait for an HTTP
         * answer forever: tell it where HTTP is, and close. */
        if (!c->had_line) {
            c->had_line = true;
            if (cs_proto_looks_like_http(c->line, len)) {
                char msg[160];
                if (listen_http_port > 0)
                    snprintf(msg, sizeof msg, "this port speaks the ccgsearch line protocol, "
                             "not HTTP; HTTP is served on port %d", listen_http_port);
                else
                    snprintf(msg, sizeof msg, "this port speaks the ccgsearch line protocol, "
                             "not HTTP; HTTP is not enabled (ccg-searchd --http HOST:PORT)");
                stats_request(CS_VERB_UNKNOWN);
                conn_error(c, CS_E_BAD_REQUEST, msg);
                return CONN_FLUSH;
            }
        }

        c->line_timing = c->line_late = false;  /* that line is done: its deadline too */
        bool close_after = false;
        c->out.len = 0;
        cs_verb v = verb_of(c->line, len);
        if (costly(v)) {
            if (v != CS_VERB_SEARCH || !slice(c, len, &close_after))
                return submit(c, len);
        } else {
            worker_refresh(w);
            handle_line(w->engine, c->line, len, &c->out, &close_after, c->peer);
        }
        if (c->out.oom) {
            conn_error(c, CS_E_NOMEM, "out of memory");
            return CONN_FLUSH;
        }
        if (c->out.len && evbuffer_add(out, c->out.s, c->out.len) != 0) {
            c->broken = true;
            return CONN_CLOSED;
        }
        if (close_after)
            return CONN_FLUSH;
        if (cs_now_us() - t0 > CS_TURN_BUDGET_US)
            break;
    }
    /* Budget spent: let the other connections run, then go on.  A timer
     * due now, not event_active(): an event made active runs in the same
     * pass of the loop, before it polls again, so the other clients' input
     * would wait until this client's pipelined requests were all answered
     * (600 GETs pipelined made another client's PING wait 70 ms); a timer
     * runs after the next poll, behind the input that poll finds. */
    if (evbuffer_search(in, "\n", 1, NULL).pos >= 0) {
        static const struct timeval now = { 0, 0 };
        event_add(c->timer, &now);
    }
    return CONN_READ;
}

static void conn_drive(conn *c);

/* READ, waiting for input: start the deadline of a request line begun,
 * or answer timeout when it has passed.  Returns the state to move to. */
static conn_state line_deadline(conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    bool partial = evbuffer_get_length(in) > 0 && evbuffer_search(in, "\n", 1, NULL).pos < 0;
    if (!partial) {
        c->line_timing = c->line_late = false;
        event_del(c->line_timer);
        return CONN_READ;
    }
    if (c->line_late) {
        char msg[96];
        snprintf(msg, sizeof msg, "request line not completed within %u s; closing",
                 c->w->cfg->request_timeout_s);
        conn_error(c, CS_E_TIMEOUT, msg);
        stats_refused(CS_REFUSED_REQUEST_TIMEOUT);
        return CONN_FLUSH;
    }
    if (!c->line_timing) {
        struct timeval tv = { (time_t)c->w->cfg->request_timeout_s, 0 };
        c->line_timing = true;
        event_del(c->line_timer);
        event_add(c->line_timer, &tv);
    }
    return CONN_READ;
}

/* The query thread's answer is back (the worker's thread): send it and go
 * on with the connection, unless it is gone. */
static void line_job_done(job *j)
{
    line_job *lj = (line_job *)j;
    conn *c = lj->c;
    if (!c) {
        line_job_drop(j);
        return;
    }
    c->job = NULL;
    pool_job_cost(j, &c->slow_spell);
    c->close_when_done = lj->close_after;
    if (lj->out.oom) {
        conn_error(c, CS_E_NOMEM, "out of memory");
        c->close_when_done = true;
    } else if (lj->out.len && bufferevent_write(c->bev, lj->out.s, lj->out.len) != 0) {
        c->broken = true;
    }
    line_job_drop(j);
    conn_drive(c);
}

/* Act on what has happened to c until it has to wait for the next event.
 * May free c. */
static void conn_drive(conn *c)
{
    for (;;) {
        conn_state next = c->state;
        switch (c->state) {
        case CONN_READ:
            c->timer_fired = false;
            next = c->broken ? CONN_CLOSED : conn_read_requests(c);
            if (next == CONN_READ)
                next = line_deadline(c);
            break;
        case CONN_WAIT:
            if (c->broken)
                next = CONN_CLOSED;
            else if (!c->job)
                next = c->close_when_done ? CONN_FLUSH : CONN_READ;
            break;
        case CONN_PAUSED:
            /* Stopping, it waits like any other: its client is owed the
             * answers to what it sent (until the drain deadline). */
            if (c->broken)
                next = CONN_CLOSED;
            else if (c->deadline)
                next = CONN_FLUSH;
            else if (output_len(c) <= CS_OUTPUT_HIGH_WATER / 2)
                next = CONN_READ;
            break;
        case CONN_FLUSH:
            if (c->broken)
                next = CONN_CLOSED;
            else if (output_len(c) == 0)
                next = c->eof ? CONN_CLOSED : CONN_LINGER;   /* EOF: nothing to discard */
            break;
        case CONN_LINGER: {
            struct evbuffer *in = bufferevent_get_input(c->bev);
            evbuffer_drain(in, evbuffer_get_length(in));
            if (c->eof || c->broken || c->timer_fired)
                next = CONN_CLOSED;
            break;
        }
        case CONN_CLOSED:
            conn_free(c);
            return;
        }
        if (next == c->state)
            return;                 /* wait for the next event */
        conn_set_state(c, next);
    }
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
    conn *c = arg;
    (void)bev;
    c->w->served++;
    conn_drive(c);
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    conn_drive(arg);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    conn *c = arg;
    (void)fd;
    (void)what;
    c->timer_fired = true;
    conn_drive(c);
}

static void conn_line_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    conn *c = arg;
    (void)fd;
    (void)what;
    c->line_late = true;
    conn_drive(c);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    conn *c = arg;
    (void)bev;
    if (what & BEV_EVENT_EOF) {
        /* The client is done sending; it may still want the answers to
         * what it sent. */
        c->eof = true;
    } else {
        if (what & BEV_EVENT_TIMEOUT)
            log_msg(CS_LOG_DEBUG, "%s: idle timeout; closing", c->peer);
        else
            log_msg(CS_LOG_DEBUG, "%s: %s; closing", c->peer,
                    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        c->broken = true;
    }
    conn_drive(c);
}

void conn_stop(conn *c)
{
    c->stop = true;
    conn_drive(c);
}

void conn_deadline(conn *c)
{
    c->stop = c->deadline = true;
    if (c->state == CONN_READ || c->state == CONN_PAUSED)
        conn_drive(c);
}

void conn_free_all(worker *w)
{
    while (w->conns)
        conn_free(w->conns);
}

void conn_drop(int fd, const peer_key *key)
{
    close(fd);
    peers_release(key);
    stats_conn_closed();
}

void conn_new(worker *w, int fd, const peer_key *key)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) {
        conn_drop(fd, key);
        return;
    }
    c->w = w;
    c->key = *key;
    c->state = CONN_READ;
    c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
    c->timer = event_new(w->base, -1, 0, conn_timer_cb, c);
    c->line_timer = event_new(w->base, -1, 0, conn_line_timer_cb, c);
    if (!c->bev || !c->timer || !c->line_timer) {
        if (c->bev)
            bufferevent_free(c->bev);   /* and with it fd */
        else
            close(fd);
        if (c->timer)
            event_free(c->timer);
        if (c->line_timer)
            event_free(c->line_timer);
        free(c);
        peers_release(key);
        stats_conn_closed();
        return;
    }
    peer_name(fd, c->peer, sizeof c->peer);
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    w->nconns++;
    bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    /* Read no more than one maximal line ahead: memory per connection stays
     * bounded however much a client sends. */
    bufferevent_setwatermark(c->bev, EV_READ, 0, w->cfg->max_line + 2);
    struct timeval idle = { (time_t)w->cfg->idle_timeout_s, 0 };
    bufferevent_set_timeouts(c->bev, &idle, &idle);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}
