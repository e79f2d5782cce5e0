/* The network side of ccg-searchd; see server.h.
 *
 * A connection is OPEN (reading and answering), PAUSED (its unsent answers
 * passed the output high-water mark, so we stop reading it until it drains
 * them), CLOSING (sending its last answers) or DRAINING (answers sent,
 * discarding what the client still sends until it closes).  Every read
 * event handles at most CS_REQUEST_BUDGET requests of one connection and
 * then yields to the others.
 */
#define _GNU_SOURCE
#include "server.h"
#include "serve/engine.h"
#include "handler.h"
#include "core/limits.h"
#include "log.h"
#include "serve/protocol.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* How often (at most) a worker looks for index changes before a request:
 * new commits become visible within this time, well inside a second. */
#define REFRESH_INTERVAL_US 100000
/* How long a shutting-down worker waits for its clients to take their last
 * answers. */
#define SHUTDOWN_GRACE_S 5
/* Backlog of the listening sockets. */
#define LISTEN_BACKLOG 1024

typedef struct worker worker;

enum conn_state { CS_OPEN, CS_PAUSED, CS_CLOSING, CS_DRAINING };

typedef struct conn {
    worker *w;
    struct bufferevent *bev;
    struct event *resume_ev;    /* wakes the connection to go on with its input */
    struct conn *prev, *next;
    enum conn_state state;
    bool eof;                   /* the client sent EOF: answer, then close */
    bool stop;                  /* the server is stopping: answer, then close */
    char peer[64];
    cs_buf out;                /* the answer being built */
    char *line;
    size_t linecap;
} conn;

struct worker {
    int id;
    pthread_t tid;
    struct event_base *base;
    int notify_rd, notify_wr;
    struct event *notify_ev;
    pthread_mutex_t lock;
    int *pending;               /* accepted fds waiting for this worker */
    size_t npending, cappending;
    cs_engine *engine;
    long long last_refresh_us;
    conn *conns;
    size_t nconns;
    bool stopping;
    const server_config *cfg;
};

static worker *workers;
static unsigned nworkers, next_worker;

/* --- connections -------------------------------------------------------- */

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
    event_free(c->resume_ev);
    bufferevent_free(c->bev);
    cs_buf_free(&c->out);
    free(c->line);
    free(c);
    atomic_fetch_sub(&g_stats.conns_open, 1);
    if (w->stopping && w->nconns == 0)
        event_base_loopbreak(w->base);
}

/* All answers are sent: stop sending, and read and discard what the client
 * still sends until it closes or CS_LINGER_TIMEOUT_S has passed.  Closing a
 * socket that has unread input makes the kernel reset the connection, and a
 * reset can make the client's kernel drop answers it has not yet read, such
 * as the line_too_long that explains the close. */
static void conn_linger(conn *c)
{
    if (c->eof) {
        conn_free(c);               /* the client sends nothing more */
        return;
    }
    c->state = CS_DRAINING;
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
    struct evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    /* The resume event becomes the deadline; the connection has no more
     * input to go on with. */
    struct timeval linger = { CS_LINGER_TIMEOUT_S, 0 };
    event_del(c->resume_ev);
    event_add(c->resume_ev, &linger);
    bufferevent_set_timeouts(c->bev, NULL, NULL);
    bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
    bufferevent_enable(c->bev, EV_READ);
}

/* Send what is queued, then close. */
static void conn_close_when_flushed(conn *c)
{
    c->state = CS_CLOSING;
    bufferevent_disable(c->bev, EV_READ);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
        conn_linger(c);
        return;
    }
    bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
}

static void answer_and_close(conn *c, cs_errcode code, const char *msg)
{
    char *line = cs_proto_error(code, msg);
    stats_count_error(code);
    if (line) {
        bufferevent_write(c->bev, line, strlen(line));
        free(line);
    }
    conn_close_when_flushed(c);
}

static bool has_line(struct evbuffer *in)
{
    return evbuffer_search(in, "\n", 1, NULL).pos >= 0;
}

/* Handle up to CS_REQUEST_BUDGET complete requests.  May free c. */
static void conn_process(conn *c)
{
    worker *w = c->w;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t max_line = w->cfg->max_line;

    for (int budget = CS_REQUEST_BUDGET; budget > 0; budget--) {
        if (c->state != CS_OPEN)
            return;
        if (evbuffer_get_length(out) > CS_OUTPUT_HIGH_WATER) {
            /* The client is not reading its answers: stop reading its
             * requests until it has taken half of them. */
            c->state = CS_PAUSED;
            bufferevent_disable(c->bev, EV_READ);
            bufferevent_setwatermark(c->bev, EV_WRITE, CS_OUTPUT_HIGH_WATER / 2, 0);
            return;
        }
        struct evbuffer_ptr eol = evbuffer_search(in, "\n", 1, NULL);
        if (eol.pos < 0) {
            /* No complete line.  One that is already too long (a CR may
             * still be dropped from its end) never will be acceptable. */
            if (evbuffer_get_length(in) > max_line + 1) {
                log_msg(LOG_INFO, "%s: line_too_long; closing", c->peer);
                answer_and_close(c, CS_E_LINE_TOO_LONG, "request line longer than the limit");
            } else if (c->eof || c->stop) {
                conn_close_when_flushed(c);
            }
            return;
        }
        size_t len = (size_t)eol.pos;
        if (len > max_line + 1 || (len == max_line + 1 &&
                                   evbuffer_pullup(in, (ev_ssize_t)len)[len - 1] != '\r')) {
            log_msg(LOG_INFO, "%s: line_too_long; closing", c->peer);
            answer_and_close(c, CS_E_LINE_TOO_LONG, "request line longer than the limit");
            return;
        }
        if (len + 1 > c->linecap) {
            char *l = realloc(c->line, len + 1);
            if (!l) {
                answer_and_close(c, CS_E_INTERNAL, "out of memory");
                return;
            }
            c->line = l;
            c->linecap = len + 1;
        }
        evbuffer_remove(in, c->line, len);
        evbuffer_drain(in, 1);
        c->line[len] = '\0';

        long long now = cs_now_us();
        if (now - w->last_refresh_us >= REFRESH_INTERVAL_US) {
            cs_engine_refresh(w->engine);
            w->last_refresh_us = now;
        }
        bool close_after = false;
        c->out.len = 0;
        handle_line(w->engine, c->line, len, &c->out, &close_after, c->peer);
        if (c->out.oom) {
            cs_buf_free(&c->out);
            answer_and_close(c, CS_E_INTERNAL, "out of memory");
            return;
        }
        if (c->out.len && evbuffer_add(out, c->out.s, c->out.len) != 0) {
            conn_free(c);
            return;
        }
        if (close_after) {
            conn_close_when_flushed(c);
            return;
        }
    }
    /* Budget spent: let the other connections run, then go on. */
    if (has_line(in))
        event_active(c->resume_ev, EV_TIMEOUT, 0);
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
    conn *c = arg;
    if (c->state == CS_DRAINING) {
        struct evbuffer *in = bufferevent_get_input(bev);
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
    }
    conn_process(c);
}

static void conn_resume_cb(evutil_socket_t fd, short what, void *arg)
{
    conn *c = arg;
    (void)fd;
    (void)what;
    if (c->state == CS_DRAINING)
        conn_free(c);               /* the linger deadline */
    else
        conn_process(c);
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
    conn *c = arg;
    size_t pending = evbuffer_get_length(bufferevent_get_output(bev));
    if (c->state == CS_CLOSING && pending == 0) {
        conn_linger(c);
    } else if (c->state == CS_PAUSED && pending <= CS_OUTPUT_HIGH_WATER / 2) {
        c->state = CS_OPEN;
        bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
        bufferevent_enable(bev, EV_READ);
        event_active(c->resume_ev, EV_TIMEOUT, 0);
    }
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    conn *c = arg;
    (void)bev;
    if (what & BEV_EVENT_EOF) {
        /* The client is done sending; it may still want the answers to
         * what it sent. */
        if (c->state == CS_DRAINING) {
            conn_free(c);
            return;
        }
        if (c->state == CS_CLOSING) {
            c->eof = true;          /* free once the answers are out */
            return;
        }
        c->eof = true;
        if (c->state == CS_OPEN)
            conn_process(c);
        return;
    }
    if (what & BEV_EVENT_TIMEOUT)
        log_msg(LOG_DEBUG, "%s: idle timeout; closing", c->peer);
    else if (what & BEV_EVENT_ERROR)
        log_msg(LOG_DEBUG, "%s: %s; closing", c->peer,
                evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    conn_free(c);
}

static void peer_name(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char host[INET6_ADDRSTRLEN];
    snprintf(out, cap, "client");
    if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(out, cap, "%s:%u", host, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(out, cap, "[%s]:%u", host, ntohs(a->sin6_port));
    } else if (ss.ss_family == AF_UNIX) {
        snprintf(out, cap, "unix");
    }
}

static void conn_new(worker *w, int fd)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        atomic_fetch_sub(&g_stats.conns_open, 1);
        return;
    }
    c->w = w;
    c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
    c->resume_ev = event_new(w->base, -1, 0, conn_resume_cb, c);
    if (!c->bev || !c->resume_ev) {
        if (c->bev)
            bufferevent_free(c->bev);
        else
            close(fd);
        if (c->resume_ev)
            event_free(c->resume_ev);
        free(c);
        atomic_fetch_sub(&g_stats.conns_open, 1);
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

/* --- workers ------------------------------------------------------------ */

static void worker_stop(worker *w)
{
    w->stopping = true;
    /* Answer what each client has already sent, then close. */
    for (conn *c = w->conns, *next; c; c = next) {
        next = c->next;
        c->stop = true;
        if (c->state == CS_OPEN)
            conn_process(c);
        else if (c->state == CS_PAUSED)
            conn_close_when_flushed(c);
    }
    if (w->nconns == 0) {
        event_base_loopbreak(w->base);
    } else {
        struct timeval grace = { SHUTDOWN_GRACE_S, 0 };
        event_base_loopexit(w->base, &grace);
    }
}

static void worker_notify_cb(evutil_socket_t fd, short what, void *arg)
{
    worker *w = arg;
    char cmds[64];
    (void)what;
    ssize_t n = read(fd, cmds, sizeof cmds);
    for (ssize_t i = 0; i < n; i++) {
        switch (cmds[i]) {
        case 'c': {
            pthread_mutex_lock(&w->lock);
            int cfd = w->npending ? w->pending[--w->npending] : -1;
            pthread_mutex_unlock(&w->lock);
            if (cfd >= 0) {
                if (w->stopping) {
                    close(cfd);
                    atomic_fetch_sub(&g_stats.conns_open, 1);
                } else {
                    conn_new(w, cfd);
                }
            }
            break;
        }
        case 'r':
            cs_engine_reopen(w->engine);
            w->last_refresh_us = cs_now_us();
            log_msg(LOG_DEBUG, "worker %d reopened the index", w->id);
            break;
        case 'q':
            worker_stop(w);
            break;
        }
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    event_base_dispatch(w->base);
    while (w->conns)
        conn_free(w->conns);
    return NULL;
}

static void notify(worker *w, char cmd)
{
    while (write(w->notify_wr, &cmd, 1) < 0 && errno == EINTR)
        ;
}

static int worker_init(worker *w, int id, const server_config *cfg)
{
    int fds[2];
    cs_err err;
    cs_engine_opts eo = { cfg->query_timeout_ms };

    memset(w, 0, sizeof *w);
    w->id = id;
    w->cfg = cfg;
    pthread_mutex_init(&w->lock, NULL);
    w->engine = cs_engine_open(cfg->index_dir, &eo, &err);
    if (!w->engine) {
        log_msg(LOG_ERROR, "cannot open index %s: %s", cfg->index_dir, err.msg);
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
        log_msg(LOG_ERROR, "cannot set up worker %d", id);
        return -1;
    }
    w->notify_rd = fds[0];
    w->notify_wr = fds[1];
    w->notify_ev = event_new(w->base, w->notify_rd, EV_READ | EV_PERSIST, worker_notify_cb, w);
    if (!w->notify_ev || event_add(w->notify_ev, NULL) != 0)
        return -1;
    return 0;
}

static void worker_destroy(worker *w)
{
    if (w->notify_ev)
        event_free(w->notify_ev);
    if (w->base)
        event_base_free(w->base);
    if (w->notify_rd > 0) {
        close(w->notify_rd);
        close(w->notify_wr);
    }
    cs_engine_close(w->engine);
    free(w->pending);
    pthread_mutex_destroy(&w->lock);
}

/* --- accepting ------------------------------------------------------------ */

static void refuse(int fd)
{
    char *line = cs_proto_error(CS_E_OVERLOADED, "too many connections; try again later");
    if (line) {
        ssize_t n = write(fd, line, strlen(line));
        (void)n;
        free(line);
    }
    close(fd);
    atomic_fetch_add(&g_stats.conns_refused, 1);
    stats_count_error(CS_E_OVERLOADED);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
    const server_config *cfg = arg;
    (void)l;
    (void)sa;
    (void)salen;
    if (atomic_load(&g_stats.conns_open) >= (long)cfg->max_conns) {
        log_msg(LOG_WARN, "connection limit (%u) reached; refusing a client", cfg->max_conns);
        refuse(fd);
        return;
    }
    atomic_fetch_add(&g_stats.conns_open, 1);
    atomic_fetch_add(&g_stats.conns_total, 1);
    worker *w = &workers[next_worker++ % nworkers];
    pthread_mutex_lock(&w->lock);
    if (w->npending == w->cappending) {
        size_t cap = w->cappending ? w->cappending * 2 : 16;
        int *p = realloc(w->pending, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&w->lock);
            close(fd);
            atomic_fetch_sub(&g_stats.conns_open, 1);
            return;
        }
        w->pending = p;
        w->cappending = cap;
    }
    w->pending[w->npending++] = fd;
    pthread_mutex_unlock(&w->lock);
    notify(w, 'c');
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    /* Out of descriptors, usually; keep serving those we have. */
    log_msg(LOG_WARN, "accept failed: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* Parse "HOST:PORT" / "[V6]:PORT" into an address to bind. */
static int resolve(const char *spec, struct sockaddr_storage *ss, socklen_t *sl)
{
    char host[256];
    const char *port;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof host)
            return -1;
        memcpy(host, spec + 1, (size_t)(end - spec - 1));
        host[end - spec - 1] = '\0';
        port = end + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= sizeof host)
            return -1;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
        port = colon + 1;
    }
    struct addrinfo hints = { 0 }, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &res) != 0 || !res)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sl = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int bound_port(struct evconnlistener *l)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

/* Write the port so that a reader never sees a half-written file. */
static int write_port_file(const char *path, int port)
{
    cs_buf tmp = { 0 };
    cs_buf_printf(&tmp, "%s.tmp.%d", path, (int)getpid());
    if (tmp.oom)
        return -1;
    FILE *f = fopen(tmp.s, "w");
    int rc = -1;
    if (f) {
        fprintf(f, "%d\n", port);
        if (fclose(f) == 0 && rename(tmp.s, path) == 0)
            rc = 0;
    }
    if (rc != 0)
        unlink(tmp.s);
    cs_buf_free(&tmp);
    return rc;
}

/* --- signals and the main loop ------------------------------------------- */

static struct evconnlistener *tcp_listener, *unix_listener;

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    struct event_base *base = arg;
    (void)what;
    log_msg(LOG_INFO, "signal %d: finishing in-flight requests and exiting", (int)sig);
    if (tcp_listener) {
        evconnlistener_free(tcp_listener);
        tcp_listener = NULL;
    }
    if (unix_listener) {
        evconnlistener_free(unix_listener);
        unix_listener = NULL;
    }
    event_base_loopbreak(base);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    (void)arg;
    log_msg(LOG_INFO, "SIGHUP: reopening the index");
    for (unsigned i = 0; i < nworkers; i++)
        notify(&workers[i], 'r');
}

int server_run(const server_config *cfg)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int status = 1;
    struct event *sig_term = NULL, *sig_int = NULL, *sig_hup = NULL;
    struct event_base *base = NULL;
    unsigned started = 0;

    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();
    g_stats.start_us = cs_now_us();
    g_stats.workers = cfg->workers;

    if (resolve(cfg->listen, &ss, &sl) != 0) {
        log_msg(LOG_ERROR, "cannot parse listen address '%s' (want HOST:PORT)", cfg->listen);
        return 1;
    }
    nworkers = cfg->workers;
    workers = calloc(nworkers, sizeof *workers);
    if (!workers)
        return 1;
    for (unsigned i = 0; i < nworkers; i++)
        if (worker_init(&workers[i], (int)i, cfg) != 0)
            goto out;

    base = event_base_new();
    if (!base)
        goto out;
    unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
    tcp_listener = evconnlistener_new_bind(base, accept_cb, (void *)cfg, flags, LISTEN_BACKLOG,
                                           (struct sockaddr *)&ss, (int)sl);
    if (!tcp_listener) {
        log_msg(LOG_ERROR, "cannot listen on %s: %s", cfg->listen, strerror(errno));
        goto out;
    }
    evconnlistener_set_error_cb(tcp_listener, accept_error_cb);
    int port = bound_port(tcp_listener);
    if (cfg->unix_path) {
        struct sockaddr_un un = { 0 };
        un.sun_family = AF_UNIX;
        if (strlen(cfg->unix_path) >= sizeof un.sun_path) {
            log_msg(LOG_ERROR, "unix socket path too long: %s", cfg->unix_path);
            goto out;
        }
        strcpy(un.sun_path, cfg->unix_path);
        unlink(cfg->unix_path);
        unix_listener = evconnlistener_new_bind(base, accept_cb, (void *)cfg,
                                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                                LISTEN_BACKLOG, (struct sockaddr *)&un, sizeof un);
        if (!unix_listener) {
            log_msg(LOG_ERROR, "cannot listen on %s: %s", cfg->unix_path, strerror(errno));
            goto out;
        }
        evconnlistener_set_error_cb(unix_listener, accept_error_cb);
    }
    if (cfg->port_file && write_port_file(cfg->port_file, port) != 0) {
        log_msg(LOG_ERROR, "cannot write port file %s: %s", cfg->port_file, strerror(errno));
        goto out;
    }

    sig_term = evsignal_new(base, SIGTERM, on_stop_signal, base);
    sig_int = evsignal_new(base, SIGINT, on_stop_signal, base);
    sig_hup = evsignal_new(base, SIGHUP, on_hup, NULL);
    if (!sig_term || !sig_int || !sig_hup || evsignal_add(sig_term, NULL) ||
        evsignal_add(sig_int, NULL) || evsignal_add(sig_hup, NULL))
        goto out;

    /* Workers must not take the signals the main loop handles. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (; started < nworkers; started++)
        if (pthread_create(&workers[started].tid, NULL, worker_main, &workers[started]) != 0)
            break;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started < nworkers) {
        log_msg(LOG_ERROR, "cannot start worker threads");
        goto out;
    }

    log_msg(LOG_INFO, "listening on %s (port %d)%s%s, %u workers, index %s",
            cfg->listen, port, cfg->unix_path ? " and " : "",
            cfg->unix_path ? cfg->unix_path : "", nworkers, cfg->index_dir);
    event_base_dispatch(base);
    status = 0;
out:
    if (tcp_listener)
        evconnlistener_free(tcp_listener);
    if (unix_listener)
        evconnlistener_free(unix_listener);
    tcp_listener = unix_listener = NULL;
    for (unsigned i = 0; i < started; i++)
        notify(&workers[i], 'q');
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i].tid, NULL);
    for (unsigned i = 0; i < nworkers; i++)
        worker_destroy(&workers[i]);
    free(workers);
    workers = NULL;
    if (sig_term)
        event_free(sig_term);
    if (sig_int)
        event_free(sig_int);
    if (sig_hup)
        event_free(sig_hup);
    if (base)
        event_base_free(base);
    if (cfg->unix_path)
        unlink(cfg->unix_path);
    if (status == 0)
        log_msg(LOG_INFO, "stopped");
    return status;
}
