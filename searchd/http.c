/* The HTTP transport; see http.h and docs/http.md. */
#define _GNU_SOURCE
#include "http.h"
#include "handler.h"
#include "listen.h"
#include "log.h"
#include "peers.h"
#include "pool.h"
#include "page.h"
#include "stats.h"
#include "core/limits.h"
#include "core/util.h"
#include "index/schema.h"
#include "serve/protocol.h"
#include "serve/response.h"
#include "text/analyze.h"

#include <ctype.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <sys/queue.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One request being answered: on the worker's stack, or, when a query
 * thread answers it, on the heap as a job (pool.h). */
typedef struct call {
    job j;
    struct evhttp_request *req;
    worker *w;
    cs_request rq;              /* the typed request, once decoded */
    cs_buf body;                /* the answer's JSON */
    int status;
    const char *allow;          /* for 405 */
    bool close;                 /* answer with Connection: close */
    bool page;                  /* the answer is the search page, not JSON */
    bool overloaded;            /* answer with Retry-After */
    cs_err err;
    long long t0;               /* when the request was complete */
    querylog_counts found;
    bool answered;              /* as a slice, on the loop */
} call;

/* Seconds an overloaded client is asked to wait (Retry-After). */
#define RETRY_AFTER_S "1"

/* The status an error code is answered with. */
static int status_of(cs_errcode code)
{
    switch (cs_errcode_wire(code)) {
    case CS_E_NOT_FOUND: return 404;
    case CS_E_TIMEOUT: return 504;
    case CS_E_OVERLOADED: return 503;
    case CS_E_INTERNAL: return 500;
    default: return 400;
    }
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
    }
}

/* Make c's answer the error in c->err, with status (0: the code's). */
static bool fail(call *c, int status)
{
    c->body.len = 0;
    if (c->body.s)
        c->body.s[0] = '\0';
    c->body.oom = false;
    c->status = status ? status : status_of(c->err.code);
    cs_encode_error(&c->body, c->err.code, c->err.msg);
    return false;
}

/* --- accepting and counting connections ---------------------------------------- */

/* evhttp 2.1 accepts connections itself: it has no accept callback that
 * names the connection, no evhttp_set_max_connections and no call to hand
 * an accepted connection to another evhttp.  What it does call for each
 * accept is new_bev(), for the connection's bufferevent.  So new_bev()
 * keeps a reference to that bufferevent and pauses the worker's listener,
 * and take_pending() runs next on the worker's loop, before any of the
 * connection's own events (its read event is only added, and fires after
 * the loop polls again).  By then evhttp has made the connection and set
 * it as its bufferevent's callback argument, which libevent 2.1's http.c
 * does on every path (this is the one thing the daemon relies on that
 * http.h does not promise; the reference makes a connection that evhttp
 * gave up already safe to look at, with no callbacks left).  take_pending()
 * counts it as the line protocol's acceptor counts its clients: a place
 * under --max-connections, or refused, which its first request is told
 * with a 503.
 *
 * Pausing also balances the workers.  evhttp's listener accepts until the
 * backlog is empty, so the worker that woke first would take a whole
 * burst of connects (8 clients starting together, all on one worker while
 * the other idles, for as long as they stay).  Instead a worker takes one
 * connection at a time and accepts again only while no other worker has
 * fewer open HTTP connections (worker_http_ahead()); a paused worker
 * looks again whenever another worker's count changes (it is woken
 * through its queue, workers_http_changed()) and when one of its own
 * connections closes.
 *
 * Which connections are counted is kept per worker by descriptor, the key
 * evhttp shows at every step; the close callback unmarks a descriptor
 * before it is closed, so a reused one starts unmarked. */

enum { MARK_NONE, MARK_ADMITTED, MARK_REFUSED, MARK_REFUSED_ADDR };

/* A connection's state beyond evhttp's: the deadline to finish a request
 * begun (--request-timeout: evhttp's own timeout is reset by every byte),
 * and how long its last query ran (the query threads' lanes, pool.h). */
typedef struct hconn {
    worker *w;
    struct evhttp_connection *evcon;
    struct evbuffer_cb_entry *watch;    /* on its input: bytes of a request arrive */
    struct event *deadline;
    bool in_request;                    /* between http_cb() and its answer */
    unsigned slow_spell;                /* its next queries are slow ones */
    unsigned thread_spell;              /* its next searches skip the slice */
} hconn;

/* A descriptor's mark, the address it was counted under, its state. */
struct http_mark {
    unsigned char m;
    peer_key key;
    hconn *hc;
};

/* Read at most this far ahead of what evhttp has parsed: above evhttp's
 * header cap, so that it sees an over-long header and refuses it, and
 * bounded, so that a client pipelining requests it never reads the
 * answers to cannot make the input grow (evhttp answers one request at a
 * time, and parses the next only when the last answer is sent). */
#define READ_AHEAD_BYTES ((size_t)CS_HTTP_MAX_HEADERS_BYTES * CS_HTTP_EVHTTP_CAP_FACTOR * 2)

/* The mark of descriptor fd, the table grown to hold it; NULL when fd is
 * not one or memory ran out. */
static struct http_mark *mark_of(worker *w, int fd)
{
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= w->http_mark_cap) {
        size_t cap = w->http_mark_cap ? w->http_mark_cap : 64;
        while (cap <= (size_t)fd)
            cap *= 2;
        struct http_mark *m = realloc(w->http_mark, cap * sizeof *m);
        if (!m)
            return NULL;
        memset(m + w->http_mark_cap, 0, (cap - w->http_mark_cap) * sizeof *m);
        w->http_mark = m;
        w->http_mark_cap = cap;
    }
    return &w->http_mark[fd];
}

static int fd_of(struct evhttp_connection *evcon)
{
    return bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
}

/* Accept again, or stay paused while w is ahead of another worker. */
static void accept_check(worker *w)
{
    if (!w->http_sock)
        return;             /* stopping */
    struct evconnlistener *l = evhttp_bound_socket_get_listener(w->http_sock);
    if (w->http_pending) {
        evconnlistener_disable(l);
        return;
    }
    /* Paused first, then the counts: workers_http_changed() does the
     * reverse, so either this sees a count that changed meanwhile or its
     * worker sees the pause and wakes this one. */
    atomic_store(&w->http_paused, true);
    if (worker_http_ahead(w)) {
        evconnlistener_disable(l);
        return;
    }
    atomic_store(&w->http_paused, false);
    evconnlistener_enable(l);
}

void http_accept_again(worker *w)
{
    accept_check(w);
}

/* accept() failed on w's listener, mostly for want of a descriptor.
 * evhttp sets no error callback on its listener, and without one libevent
 * only warns and returns, the socket still readable: the worker would spin
 * at 100% CPU.  Stop accepting for ACCEPT_PAUSE_MS instead, as nginx does;
 * clients wait in the backlog meanwhile, and connections that close give
 * their descriptors back (and accept_check() resumes at once). */
static void accept_failed(struct evconnlistener *l, void *arg)
{
    (void)arg;                              /* evhttp's, not ours */
    worker *w = worker_current();
    int e = EVUTIL_SOCKET_ERROR();
    stats_fault(CS_FAULT_ACCEPT);
    evconnlistener_disable(l);
    if (!w)
        return;
    if (!w->http_accept_failing) {
        w->http_accept_failing = true;
        log_msg(CS_LOG_ERROR, "HTTP accept failed in worker %d: %s; pausing HTTP accepts "
                "until connections close (raise ulimit -n, or lower --max-connections)",
                w->id, evutil_socket_error_to_string(e));
    }
    struct timeval pause = { 0, ACCEPT_PAUSE_MS * 1000 };
    evtimer_add(w->http_pause_ev, &pause);
}

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    accept_check(arg);
}

static void hconn_free(hconn *hc)
{
    if (!hc)
        return;
    if (hc->watch)
        evbuffer_remove_cb_entry(bufferevent_get_input(evhttp_connection_get_bufferevent(hc->evcon)),
                                 hc->watch);
    if (hc->deadline)
        event_free(hc->deadline);
    free(hc);
}

static void deadline_start(hconn *hc)
{
    if (hc->in_request || evtimer_pending(hc->deadline, NULL))
        return;
    struct timeval tv = { (time_t)hc->w->cfg->request_timeout_s, 0 };
    evtimer_add(hc->deadline, &tv);
}

/* Bytes arrived: a request has begun, and must be complete in time. */
static void input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    if (info->n_added)
        deadline_start(arg);
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    hconn *hc = arg;
    (void)fd;
    (void)what;
    if (hc->in_request)
        return;
    char *addr = NULL;
    ev_uint16_t port = 0;
    evhttp_connection_get_peer(hc->evcon, &addr, &port);
    log_msg(CS_LOG_INFO, "%s:%u: HTTP request not completed within %u s; closing",
            addr ? addr : "client", (unsigned)port, hc->w->cfg->request_timeout_s);
    stats_error(CS_E_TIMEOUT);
    stats_refused(CS_REFUSED_REQUEST_TIMEOUT);
    evhttp_connection_free(hc->evcon);      /* conn_closed() frees hc */
}

/* The state of evcon, or NULL. */
static hconn *hconn_of(worker *w, struct evhttp_connection *evcon)
{
    struct http_mark *m = evcon ? mark_of(w, fd_of(evcon)) : NULL;
    return m && m->m != MARK_NONE ? m->hc : NULL;
}

static void http_request_begun(worker *w, struct evhttp_connection *evcon)
{
    hconn *hc = hconn_of(w, evcon);
    if (hc) {
        hc->in_request = true;
        evtimer_del(hc->deadline);
    }
}

/* A request's answer is about to be sent (evcon NULL: its connection is
 * gone); j is the query thread's job that answered it, NULL for one the
 * worker answered itself. */
static void http_request_done(worker *w, struct evhttp_connection *evcon, const job *j)
{
    hconn *hc = hconn_of(w, evcon);
    if (!hc)
        return;
    hc->in_request = false;
    if (j)
        pool_job_cost(j, &hc->slow_spell);
    /* The next request, pipelined, may have begun already. */
    if (evbuffer_get_length(bufferevent_get_input(evhttp_connection_get_bufferevent(evcon))))
        deadline_start(hc);
}

static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
    worker *w = arg;
    struct http_mark *m = mark_of(w, fd_of(evcon));
    if (!m || m->m == MARK_NONE)
        return;
    hconn_free(m->hc);
    m->hc = NULL;
    if (m->m == MARK_ADMITTED) {
        stats_http_conn(-1);
        stats_conn_closed();
        peers_release(&m->key);
    }
    m->m = MARK_NONE;
    atomic_fetch_sub(&w->http_open, 1);
    workers_http_changed(w);
    accept_check(w);
}

/* Count evcon, once: admitted, or refused. */
static void take(worker *w, struct evhttp_connection *evcon)
{
    struct http_mark *m = mark_of(w, fd_of(evcon));
    if (!m || m->m != MARK_NONE)
        return;
    peer_key_of(fd_of(evcon), &m->key);
    if (!stats_conn_admit(w->cfg->max_conns)) {
        m->m = MARK_REFUSED;
        stats_conn_refused();
    } else if (!peers_admit(&m->key, w->cfg->max_conns_per_addr)) {
        stats_conn_closed();
        m->m = MARK_REFUSED_ADDR;
        stats_conn_refused();
        stats_refused(CS_REFUSED_PER_ADDRESS);
    } else {
        m->m = MARK_ADMITTED;
        stats_http_conn(1);
    }
    hconn *hc = calloc(1, sizeof *hc);
    if (hc) {
        hc->w = w;
        hc->evcon = evcon;
        hc->deadline = evtimer_new(w->base, deadline_cb, hc);
        hc->watch = evbuffer_add_cb(bufferevent_get_input(evhttp_connection_get_bufferevent(evcon)),
                                    input_cb, hc);
        if (!hc->deadline || !hc->watch) {
            hconn_free(hc);
            hc = NULL;
        } else if (evbuffer_get_length(bufferevent_get_input(evhttp_connection_get_bufferevent(evcon)))) {
            deadline_start(hc);
        }
    }
    m->hc = hc;     /* NULL: no deadline but evhttp's idle timeout */
    atomic_fetch_add(&w->http_open, 1);
    workers_http_changed(w);
    evhttp_connection_set_closecb(evcon, conn_closed, w);
}

static void take_pending(evutil_socket_t fd, short what, void *arg)
{
    worker *w = arg;
    struct bufferevent *bev = w->http_pending;
    (void)fd;
    (void)what;
    if (bev) {
        bufferevent_data_cb rd, wr;
        bufferevent_event_cb ev;
        void *evcon = NULL;
        w->http_pending = NULL;
        /* NULL when evhttp gave the connection up already. */
        bufferevent_getcb(bev, &rd, &wr, &ev, &evcon);
        if (evcon && evhttp_connection_get_bufferevent(evcon) == bev)
            take(w, evcon);
        bufferevent_decref(bev);
    }
    accept_check(w);
}

static struct bufferevent *new_bev(struct event_base *base, void *arg)
{
    worker *w = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        return NULL;
    bufferevent_setwatermark(bev, EV_READ, 0, READ_AHEAD_BYTES);
    if (w->http_accept_failing) {
        w->http_accept_failing = false;
        log_msg(CS_LOG_WARN, "worker %d accepting HTTP connections again", w->id);
    }
    if (w->http_sock && !w->http_pending) {
        bufferevent_incref(bev);
        w->http_pending = bev;
        evconnlistener_disable(evhttp_bound_socket_get_listener(w->http_sock));
        event_active(w->http_accept_ev, EV_TIMEOUT, 1);
    }
    return bev;
}

/* Whether c's connection holds a place; false with c's 503 answer made
 * when it was refused (or could not be counted). */
static bool admitted(call *c, struct evhttp_connection *evcon)
{
    struct http_mark *m = evcon ? mark_of(c->w, fd_of(evcon)) : NULL;
    if (m && m->m == MARK_NONE)
        take(c->w, evcon);      /* accepted while the worker was stopping */
    if (m && m->m == MARK_ADMITTED)
        return true;
    if (!m)
        stats_conn_refused();
    cs_err_set(&c->err, CS_E_OVERLOADED, m && m->m == MARK_REFUSED_ADDR
               ? "too many connections from this address; try again later"
               : "too many connections; try again later");
    c->close = true;
    c->overloaded = true;
    return fail(c, 503);
}

/* --- decoding --------------------------------------------------------------- */

static bool is_uint(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 9)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* The JSON value a query parameter stands for: a number for the numeric
 * fields, true/false for snippets and true/false/1/0 for prefix when it
 * reads as one, else the string (so that the field's own check answers
 * with its own message).  NULL when the value is not UTF-8. */
static json_t *param_value(const char *name, const char *v)
{
    if ((strcmp(name, "limit") == 0 || strcmp(name, "offset") == 0 ||
         strcmp(name, "facet_limit") == 0 || strcmp(name, "snippet_chars") == 0) && is_uint(v))
        return json_integer(atol(v));
    if (strcmp(name, "snippets") == 0 && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0))
        return json_boolean(v[0] == 't');
    if (strcmp(name, "prefix") == 0 && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ||
                                        strcmp(v, "1") == 0 || strcmp(v, "0") == 0))
        return json_boolean(v[0] == 't' || v[0] == '1');
    return json_string(v);
}

/* Add the comma-separated facet names of v to the array facets. */
static bool add_facet_names(json_t *facets, const char *v, cs_err *err)
{
    for (const char *p = v; *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        json_t *s = json_stringn(p, n);
        if (!s || json_array_append_new(facets, s) != 0)
            return cs_err_set(err, CS_E_BAD_REQUEST, "\"facets\" must be facet names");
        p += n + (comma ? 1 : 0);
    }
    return true;
}

/* A query string holding %00: evhttp decodes each value into a C string,
 * which would end at the NUL, silently cut short.  The line protocol
 * refuses a NUL byte; so does this. */
static bool refuse_nul(const char *query, cs_err *err)
{
    if (query && strstr(query, "%00"))
        return cs_err_set(err, CS_E_BAD_REQUEST, "the query string holds a NUL byte (%%00)");
    return true;
}

/* GET /search: each parameter through cs_search_req_field(), a filter's
 * (facet's or descriptive field's) name as {"filter": {facet: value}} (repeated ones add values, OR-ed as in
 * the JSON filter), facets=a,b (or repeated) as "facets". */
static bool search_from_query(cs_search_req *req, const char *query, cs_err *err)
{
    static const char *const scalars[] = { "q", "date_from", "date_to", "sort", "match", "limit",
                                           "offset", "facet_limit", "snippets", "snippet_chars",
                                           "syntax", "prefix", NULL };
    struct evkeyvalq kv;
    struct evkeyval *p;
    bool seen[sizeof scalars / sizeof scalars[0]] = { false };
    bool ok = true;
    json_t *facets = NULL;

    cs_search_req_init(req);
    if (!refuse_nul(query, err))
        return false;
    TAILQ_INIT(&kv);
    if (query && evhttp_parse_query_str(query, &kv) != 0) {
        evhttp_clear_headers(&kv);
        return cs_err_set(err, CS_E_BAD_REQUEST, "malformed query string");
    }
    TAILQ_FOREACH(p, &kv, next) {
        if (!ok)
            break;
        if (cs_search_filter_name(p->key, strlen(p->key))) {
            json_t *s = json_string(p->value), *o = json_object();
            if (!s || !o) {
                json_decref(s);
                json_decref(o);
                ok = cs_err_set(err, CS_E_BAD_REQUEST, "parameter \"%s\" is not UTF-8", p->key);
                break;
            }
            json_object_set_new(o, p->key, s);
            ok = cs_search_req_field(req, "filter", o, err);
            json_decref(o);
            continue;
        }
        if (strcmp(p->key, "facets") == 0) {
            if (!facets && !(facets = json_array())) {
                ok = cs_err_nomem(err);
                break;
            }
            ok = add_facet_names(facets, p->value, err);
            continue;
        }
        int i = 0;
        while (scalars[i] && strcmp(scalars[i], p->key) != 0)
            i++;
        if (!scalars[i]) {
            ok = cs_err_set(err, CS_E_BAD_REQUEST, "unknown parameter \"%.64s\" of /search",
                            p->key);
            break;
        }
        if (seen[i]) {
            ok = cs_err_set(err, CS_E_BAD_REQUEST, "parameter \"%s\" given twice", p->key);
            break;
        }
        seen[i] = true;
        json_t *v = param_value(p->key, p->value);
        if (!v) {
            ok = cs_err_set(err, CS_E_BAD_REQUEST, "parameter \"%s\" is not UTF-8", p->key);
            break;
        }
        ok = cs_search_req_field(req, p->key, v, err);
        json_decref(v);
    }
    if (ok && facets)
        ok = cs_search_req_field(req, "facets", facets, err);
    json_decref(facets);
    evhttp_clear_headers(&kv);
    return ok && cs_search_req_finish(req, err);
}

/* GET /who?q=TEXT, as WHO TEXT. */
static bool who_from_query(cs_who_req *req, const char *query, cs_err *err)
{
    struct evkeyvalq kv;
    struct evkeyval *p;
    const char *q = NULL;
    bool ok = true;
    if (!refuse_nul(query, err))
        return false;
    TAILQ_INIT(&kv);
    if (query && evhttp_parse_query_str(query, &kv) != 0) {
        evhttp_clear_headers(&kv);
        return cs_err_set(err, CS_E_BAD_REQUEST, "malformed query string");
    }
    TAILQ_FOREACH(p, &kv, next) {
        if (strcmp(p->key, "q") != 0) {
            ok = cs_err_set(err, CS_E_BAD_REQUEST, "unknown parameter \"%.64s\" of /who", p->key);
            break;
        }
        if (q) {
            ok = cs_err_set(err, CS_E_BAD_REQUEST, "parameter \"q\" given twice");
            break;
        }
        q = p->value;
    }
    if (ok && (!q || !*q))
        ok = cs_err_set(err, CS_E_BAD_REQUEST, "/who needs q: a person, a role at an organisation, "
                        "a role or an organisation");
    if (ok && !cs_utf8_valid(q, strlen(q)))
        ok = cs_err_set(err, CS_E_BAD_REQUEST, "parameter \"q\" is not UTF-8");
    if (ok)
        ok = cs_who_req_from_text(req, q, strlen(q), err);
    evhttp_clear_headers(&kv);
    return ok;
}

/* The request body, or NULL when it is not a JSON object (err set). */
static const char *json_body(call *c, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
    *len = evbuffer_get_length(in);
    const char *s = *len ? (const char *)evbuffer_pullup(in, -1) : "";
    size_t i = 0;
    while (i < *len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i == *len || s[i] != '{') {
        cs_err_set(&c->err, CS_E_BAD_REQUEST, "the body must be a JSON object");
        return NULL;
    }
    *len -= i;
    return s + i;
}

/* The document id after prefix in path, percent-decoded, into c->rq.id. */
static bool id_from_path(call *c, const char *rest)
{
    size_t n = 0;
    char *id = evhttp_uridecode(rest, 0, &n);
    bool ok;
    if (!id)
        return cs_err_nomem(&c->err);
    if (n == 0)
        ok = cs_err_set(&c->err, CS_E_BAD_REQUEST, "the path needs a document id");
    else if (memchr(id, '\0', n) || !cs_utf8_valid(id, n))
        ok = cs_err_set(&c->err, CS_E_BAD_REQUEST, "the document id must be UTF-8 without NUL");
    else
        ok = cs_id_req_decode(&c->rq.id, id, n, &c->err);
    free(id);
    return ok;
}

/* --- routing ---------------------------------------------------------------- */

static bool method_is(call *c, int allowed, const char *allow)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(c->req);
    if ((int)m & allowed)
        return true;
    c->allow = allow;
    cs_err_set(&c->err, CS_E_BAD_REQUEST, "method not allowed here (allowed: %s)", allow);
    return fail(c, 405);
}

#define GETS (EVHTTP_REQ_GET | EVHTTP_REQ_HEAD)

/* Decode the request by its path and method into c->rq (or, for GET /,
 * set c->page); false with c's error answer made. */
static bool route(call *c, const char *path, const char *query)
{
    bool ok;
    size_t len;
    const char *body;
    bool post = evhttp_request_get_command(c->req) == EVHTTP_REQ_POST;

    if (strcmp(path, "/") == 0) {
        if (!method_is(c, GETS, "GET, HEAD"))
            return false;
        c->page = true;
        return true;
    } else if (strcmp(path, "/search") == 0) {
        if (!method_is(c, GETS | EVHTTP_REQ_POST, "GET, HEAD, POST"))
            return false;
        c->rq.verb = CS_VERB_SEARCH;
        if (post)
            ok = (body = json_body(c, &len)) &&
                 cs_search_req_decode(&c->rq.search, body, len, &c->err);
        else
            ok = search_from_query(&c->rq.search, query, &c->err);
    } else if (strcmp(path, "/who") == 0) {
        if (!method_is(c, GETS | EVHTTP_REQ_POST, "GET, HEAD, POST"))
            return false;
        c->rq.verb = CS_VERB_WHO;
        if (post)
            ok = (body = json_body(c, &len)) && cs_who_req_decode(&c->rq.who, body, len, &c->err);
        else
            ok = who_from_query(&c->rq.who, query, &c->err);
    } else if (strncmp(path, "/documents/", 11) == 0 || strncmp(path, "/similar/", 9) == 0) {
        if (!method_is(c, GETS, "GET, HEAD"))
            return false;
        bool doc = path[1] == 'd';
        c->rq.verb = doc ? CS_VERB_GET : CS_VERB_SIMILAR;
        ok = id_from_path(c, path + (doc ? 11 : 9));
    } else if (strcmp(path, "/stats") == 0 || strcmp(path, "/health") == 0) {
        if (!method_is(c, GETS, "GET, HEAD"))
            return false;
        c->rq.verb = path[1] == 's' ? CS_VERB_STATS : CS_VERB_PING;
        ok = true;
    } else {
        c->rq.verb = CS_VERB_UNKNOWN;
        cs_err_set(&c->err, CS_E_NOT_FOUND, "no such path (see docs/http.md: /, /search, "
                   "/documents/ID, /similar/ID, /who, /stats, /health)");
        return fail(c, 404);
    }
    return ok || fail(c, 0);
}

/* The bytes of the request's headers, as sent: "Name: value" and CRLF. */
static size_t headers_bytes(struct evhttp_request *req)
{
    size_t n = 0;
    struct evkeyval *h;
    TAILQ_FOREACH(h, evhttp_request_get_input_headers(req), next)
        n += strlen(h->key) + strlen(h->value) + 4;
    return n;
}

/* The search page's policy: its own inline script and style, requests to
 * this daemon only, and nothing else (no external asset, no frame, no
 * plugin), so that text from the index could not load or run anything even
 * if the page inserted it wrongly. */
#define PAGE_CSP                                                             \
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " \
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " \
    "frame-ancestors 'none'"

static void send_answer(call *c)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(c->req);
    const char *cors = c->w->cfg->http_cors;
    if (c->page) {
        evhttp_add_header(out, "Content-Type", "text/html; charset=utf-8");
        evhttp_add_header(out, "Content-Security-Policy", PAGE_CSP);
        evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
        evhttp_add_header(out, "Referrer-Policy", "no-referrer");
        evhttp_add_header(out, "Cache-Control", "no-cache");
    } else {
        evhttp_add_header(out, "Content-Type", "application/json; charset=utf-8");
    }
    if (cors) {
        evhttp_add_header(out, "Access-Control-Allow-Origin", cors);
        evhttp_add_header(out, "Vary", "Origin");
    }
    if (c->allow)
        evhttp_add_header(out, "Allow", c->allow);
    if (c->close)
        evhttp_add_header(out, "Connection", "close");
    if (c->overloaded)
        evhttp_add_header(out, "Retry-After", RETRY_AFTER_S);
    /* Straight into the request's own output buffer: no evbuffer of ours
     * to make and free per answer; the page by reference, as built in. */
    struct evbuffer *b = evhttp_request_get_output_buffer(c->req);
    if (c->page)
        evbuffer_add_reference(b, cs_page_html, strlen(cs_page_html), NULL, NULL);
    else if (!c->body.oom)
        evbuffer_add(b, c->body.s, c->body.len);
    stats_http(c->status);
    evhttp_send_reply(c->req, c->status, reason_of(c->status), NULL);
}

/* A CORS preflight, when --http-cors is on. */
static void send_preflight(call *c)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(c->req);
    evhttp_add_header(out, "Access-Control-Allow-Origin", c->w->cfg->http_cors);
    evhttp_add_header(out, "Access-Control-Allow-Methods", "GET, HEAD, POST");
    evhttp_add_header(out, "Access-Control-Allow-Headers", "Content-Type");
    evhttp_add_header(out, "Access-Control-Max-Age", "86400");
    evhttp_add_header(out, "Vary", "Origin");
    stats_http(204);
    evhttp_send_reply(c->req, 204, reason_of(204), NULL);
}

/* Answer c's decoded request with engine e into c->body (or its error);
 * false, with nothing answered, when e deferred a slice. */
static bool answer_request(call *c, cs_engine *e)
{
    bool quit = false;
    size_t mark = c->body.len;
    if (!handle_request(e, &c->rq, &c->body, &c->found, &quit, &c->err) || c->body.oom) {
        c->body.len = mark;
        if (!c->body.oom && c->err.code == CS_E_DEFER)
            return false;
        if (c->body.oom)
            cs_err_nomem(&c->err);
        fail(c, 0);
    }
    return true;
}

/* Log, send and free c's answer.  The query log goes first: a request
 * whose connection is gone is freed by evhttp_send_reply(). */
static void finish(call *c)
{
    struct evhttp_request *req = c->req;
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    const char *target = evhttp_request_get_uri(req);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    if (c->status != 200) {
        stats_refused_by(&c->err);
        /* The peer's name only for the log: most answers are 200. */
        int level = c->status >= 500 ? (c->status == 500 ? CS_LOG_ERROR : CS_LOG_WARN) : CS_LOG_DEBUG;
        char clean[100], peer[64] = "client";
        char *addr = NULL;
        ev_uint16_t port = 0;
        if (evcon)
            evhttp_connection_get_peer(evcon, &addr, &port);
        if (addr)
            snprintf(peer, sizeof peer, "%s:%u", addr, (unsigned)port);
        log_sanitize(target ? target : "", target ? strlen(target) : 0, clean, sizeof clean);
        log_msg(level, "%s: HTTP %d %s: %s -- %s", peer, c->status, cs_errcode_name(c->err.code),
                c->err.msg, clean);
    }
    /* The query log names the verb the request became and what was asked:
     * the target, and for a POST its body.  The page is no query. */
    if (!c->page) {
        const char *about = target ? target : "";
        size_t about_len = strlen(about);
        if (evhttp_request_get_command(req) == EVHTTP_REQ_POST && evbuffer_get_length(in) &&
            evbuffer_get_length(in) <= CS_HTTP_MAX_BODY_BYTES) {
            about = (const char *)evbuffer_pullup(in, -1);
            about_len = evbuffer_get_length(in);
        }
        const char *verb = cs_verb_name(c->rq.verb);
        querylog_write(verb, strlen(verb), about, about_len, &c->found, cs_now_us() - c->t0,
                       c->status == 200 ? NULL : cs_errcode_name(c->err.code));
    }
    http_request_done(c->w, evcon, &c->j);
    send_answer(c);
    if (c->rq.verb != CS_VERB_UNKNOWN)
        cs_request_free(&c->rq);
    cs_buf_free(&c->body);
}

static void call_run(job *j, cs_engine *e)
{
    answer_request((call *)j, e);
}

static void call_done(job *j)
{
    finish((call *)j);
    free(j);
}

static void call_drop(job *j)
{
    call *c = (call *)j;
    if (c->rq.verb != CS_VERB_UNKNOWN)
        cs_request_free(&c->rq);
    cs_buf_free(&c->body);
    free(c);
}

/* Answer c's SEARCH on the loop as a slice (pool.h), unless its
 * connection's searches go to the query threads for now; true (and
 * c->answered) if answered. */
static bool slice(call *c)
{
    hconn *h = hconn_of(c->w, evhttp_request_get_connection(c->req));
    if (c->rq.verb != CS_VERB_SEARCH || !h || h->slow_spell)
        return false;
    if (h->thread_spell) {
        h->thread_spell--;
        return false;
    }
    worker_refresh(c->w);
    cs_engine_set_slice(c->w->engine, cs_now_us() + CS_SLICE_US);
    c->answered = answer_request(c, c->w->engine);
    if (c->answered) {
        stats_slice(STATS_SLICE_ANSWERED);
    } else {
        memset(&c->err, 0, sizeof c->err);
        pool_slice_deferred(c->w->engine, &h->thread_spell, &h->slow_spell);
    }
    return c->answered;
}

/* Hand c to the query threads (pool.h); false when out of memory. */
static bool submit(const call *c)
{
    call *hc = malloc(sizeof *hc);
    if (!hc)
        return false;
    *hc = *c;
    hconn *h = hconn_of(c->w, evhttp_request_get_connection(c->req));
    pool_job_init(&hc->j, c->w, call_run, call_done, call_drop, c->t0,
                  h ? &h->slow_spell : NULL);
    pool_submit(&hc->j);
    return true;
}

static void http_cb(struct evhttp_request *req, void *arg)
{
    call c = { .req = req, .w = arg, .status = 200, .rq = { .verb = CS_VERB_UNKNOWN } };
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    c.w->served++;

    c.t0 = cs_now_us();
    c.j.took_us = -1;
    http_request_begun(c.w, evcon);
    if (!path || !*path)
        path = "/";

    /* The connection limit, then ours (evhttp's caps are above them, see
     * limits.h). */
    if (!admitted(&c, evcon)) {
        /* the 503 is made */
    } else if (headers_bytes(req) > CS_HTTP_MAX_HEADERS_BYTES) {
        cs_err_set(&c.err, CS_E_BAD_REQUEST, "request headers longer than the limit (%d bytes)",
                   CS_HTTP_MAX_HEADERS_BYTES);
        c.close = true;
        stats_refused(CS_REFUSED_HTTP_HEADERS);
        fail(&c, 431);
    } else if (evbuffer_get_length(in) > CS_HTTP_MAX_BODY_BYTES) {
        cs_err_set(&c.err, CS_E_BAD_REQUEST, "request body longer than the limit (%d bytes)",
                   CS_HTTP_MAX_BODY_BYTES);
        c.close = true;
        stats_refused(CS_REFUSED_HTTP_BODY);
        fail(&c, 413);
    } else if (evhttp_request_get_command(req) == EVHTTP_REQ_OPTIONS && c.w->cfg->http_cors) {
        http_request_done(c.w, evcon, NULL);
        send_preflight(&c);
        return;
    } else if (route(&c, path, query) && !c.page) {
        /* A query runs on a query thread, as the line protocol's do, so
         * that the worker's other clients do not wait for it. */
        if ((c.rq.verb == CS_VERB_SEARCH || c.rq.verb == CS_VERB_SIMILAR ||
             c.rq.verb == CS_VERB_WHO) && !slice(&c) && submit(&c))
            return;
        if (!c.answered) {
            worker_refresh(c.w);
            answer_request(&c, c.w->engine);
        }
    }
    finish(&c);
}

/* --- the worker's evhttp ------------------------------------------------------ */

int http_worker_start(worker *w, int fd)
{
    int mine = dup(fd);
    if (mine < 0 || !(w->http = evhttp_new(w->base)) ||
        !(w->http_accept_ev = event_new(w->base, -1, 0, take_pending, w)) ||
        !(w->http_pause_ev = evtimer_new(w->base, accept_resume, w))) {
        if (mine >= 0)
            close(mine);
        log_msg(CS_LOG_ERROR, "cannot set up HTTP in worker %d", w->id);
        return -1;
    }
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_max_headers_size(w->http,
                                (ev_ssize_t)CS_HTTP_MAX_HEADERS_BYTES * CS_HTTP_EVHTTP_CAP_FACTOR);
    evhttp_set_max_body_size(w->http,
                             (ev_ssize_t)CS_HTTP_MAX_BODY_BYTES * CS_HTTP_EVHTTP_CAP_FACTOR);
    evhttp_set_timeout(w->http, (int)w->cfg->idle_timeout_s);
    evhttp_set_gencb(w->http, http_cb, w);
    evhttp_set_bevcb(w->http, new_bev, w);
    /* evhttp closes its socket when it is freed: hence a dup() each. */
    if (!(w->http_sock = evhttp_accept_socket_with_handle(w->http, mine))) {
        close(mine);
        log_msg(CS_LOG_ERROR, "cannot accept HTTP in worker %d", w->id);
        return -1;
    }
    evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(w->http_sock), accept_failed);
    return 0;
}

void http_worker_stop(worker *w)
{
    if (w->http && w->http_sock)
        evhttp_del_accept_socket(w->http, w->http_sock);
    w->http_sock = NULL;
    atomic_store(&w->http_paused, false);    /* nobody wakes it any more */
    if (w->http_accept_ev)
        event_del(w->http_accept_ev);
    if (w->http_pause_ev)
        event_del(w->http_pause_ev);
}

void http_worker_free(worker *w)
{
    /* evhttp_free() frees the listener (so http_sock goes first: the close
     * callbacks must not resume it) and closes the connections, whose
     * close callbacks give their places back: the marks go after it. */
    w->http_sock = NULL;
    if (w->http)
        evhttp_free(w->http);
    w->http = NULL;
    if (w->http_pending)
        bufferevent_decref(w->http_pending);
    w->http_pending = NULL;
    if (w->http_accept_ev)
        event_free(w->http_accept_ev);
    w->http_accept_ev = NULL;
    if (w->http_pause_ev)
        event_free(w->http_pause_ev);
    w->http_pause_ev = NULL;
    free(w->http_mark);
    w->http_mark = NULL;
    w->http_mark_cap = 0;
}
