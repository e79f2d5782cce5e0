/* Listening and accepting; see listen.h. */
#define _GNU_SOURCE
#include "listen.h"
#include "handler.h"
#include "log.h"
#include "peers.h"
#include "stats.h"
#include "thread.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Room for the host part of "HOST:PORT", NUL included. */
#define HOST_CAP 256

/* Backlog of the listening sockets. */
#define LISTEN_BACKLOG 1024

static struct evconnlistener *tcp_listener, *unix_listener;
static const char *unix_path;
/* The inode and device of the socket this daemon made at unix_path: on exit
 * it removes the file only if it is still that socket, not one another
 * daemon (or anyone) has put there since. */
static ino_t unix_ino;
static dev_t unix_dev;

/* A descriptor held in reserve (on /dev/null) for the moment the process
 * has no other: closed to accept a waiting client and tell it "overloaded"
 * rather than leave it hanging in the backlog, then taken again, as
 * libev's documentation and nginx do.  The timer re-enables the listeners
 * after ACCEPT_PAUSE_MS when even that fails; out_of_fds says a spell of
 * EMFILE is on, so it is logged once when it starts and once when it ends. */
static int spare_fd = -1;
static struct event *accept_pause_ev;
static bool out_of_fds;
static unsigned long fds_refused;

void peer_name(int fd, char *out, size_t cap)
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

/* One overloaded answer, then close; why is the limit that refused it. */
static void refuse(int fd, unsigned max_conns, cs_refusal why)
{
    char peer[64], about[80];
    cs_buf line = { 0 };
    peer_name(fd, peer, sizeof peer);
    if (why == CS_REFUSED_DESCRIPTORS)
        snprintf(about, sizeof about, "no file descriptor left (ulimit -n)");
    else
        snprintf(about, sizeof about, "%sconnection limit %u reached",
                 why == CS_REFUSED_PER_ADDRESS ? "per-address " : "", max_conns);
    stats_conn_refused();
    if (why != CS_REFUSED_CONNECTIONS)
        stats_refused(why);
    answer_error(&line, CS_E_OVERLOADED,
                 why == CS_REFUSED_PER_ADDRESS
                     ? "too many connections from this address; try again later"
                     : "too many connections; try again later", peer, about);
    if (!line.oom) {
        ssize_t n = write(fd, line.s, line.len);
        (void)n;
    }
    cs_buf_free(&line);
    close(fd);
}

static void take_spare(void)
{
    if (spare_fd < 0)
        spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
    const server_config *cfg = arg;
    (void)l;
    (void)sa;
    (void)salen;
    peer_key key;
    if (out_of_fds) {
        out_of_fds = false;
        log_msg(CS_LOG_WARN, "accepting connections again (%lu refused for want of a file "
                "descriptor)", fds_refused);
        fds_refused = 0;
    }
    take_spare();
    if (!stats_conn_admit(cfg->max_conns)) {
        refuse(fd, cfg->max_conns, CS_REFUSED_CONNECTIONS);
        return;
    }
    peer_key_of(fd, &key);
    if (!peers_admit(&key, cfg->max_conns_per_addr)) {
        stats_conn_closed();
        refuse(fd, cfg->max_conns_per_addr, CS_REFUSED_PER_ADDRESS);
        return;
    }
    threads_dispatch_conn(fd, &key);
}

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    take_spare();
    if (tcp_listener)
        evconnlistener_enable(tcp_listener);
    if (unix_listener)
        evconnlistener_enable(unix_listener);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)arg;
    int e = EVUTIL_SOCKET_ERROR();
    stats_fault(CS_FAULT_ACCEPT);
    if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM) {
        log_msg(CS_LOG_WARN, "accept failed: %s", evutil_socket_error_to_string(e));
        return;
    }
    if (!out_of_fds) {
        out_of_fds = true;
        log_msg(CS_LOG_ERROR, "accept failed: %s; refusing new connections (overloaded) until "
                "connections close (raise ulimit -n, or lower --max-connections)",
                evutil_socket_error_to_string(e));
    }
    /* Refuse the clients waiting, each with the spare descriptor, so that
     * they hear why instead of waiting in the backlog. */
    int lfd = evconnlistener_get_fd(l);
    while (spare_fd >= 0) {
        close(spare_fd);
        spare_fd = -1;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            e = errno;
            break;
        }
        fds_refused++;
        refuse(fd, 0, CS_REFUSED_DESCRIPTORS);
        take_spare();
    }
    take_spare();
    if (e == EAGAIN || e == EWOULDBLOCK)
        return;                     /* every waiting client answered */
    /* Not even the spare descriptor (another thread took it): stop
     * accepting for a moment rather than spin on a readable socket. */
    struct timeval pause = { 0, ACCEPT_PAUSE_MS * 1000 };
    if (accept_pause_ev && evconnlistener_disable(l) == 0)
        evtimer_add(accept_pause_ev, &pause);
}

int listen_port_parse(const char *s)
{
    /* Digits only, as written: getaddrinfo() takes "65536" modulo 2^16 on
     * some C libraries and "" or "+1" on others, and a typo must not bind
     * some other port than the one asked for. */
    size_t n = strlen(s);
    if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
        return -1;
    long v = strtol(s, NULL, 10);
    return v > 65535 ? -1 : (int)v;
}

/* Split "HOST:PORT" / "[V6]:PORT" into host (HOST_CAP bytes) and *port; 0, or -1
 * when it is not of that form or the port is not 0..65535. */
static int split_addr(const char *spec, char *host, const char **portp)
{
    const char *port;
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= HOST_CAP)
            return -1;
        memcpy(host, spec + 1, (size_t)(end - spec - 1));
        host[end - spec - 1] = '\0';
        port = end + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= HOST_CAP)
            return -1;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
        port = colon + 1;
    }
    if (listen_port_parse(port) < 0)
        return -1;
    *portp = port;
    return 0;
}

/* Parse "HOST:PORT" / "[V6]:PORT" into an address to bind; 0, or -1 (not
 * of that form) or -2 (HOST does not resolve: *gai gets getaddrinfo()'s
 * code). */
static int resolve(const char *spec, struct sockaddr_storage *ss, socklen_t *sl, int *gai)
{
    char host[HOST_CAP];
    const char *port;
    if (split_addr(spec, host, &port) != 0)
        return -1;
    struct addrinfo hints = { 0 }, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &res);
    if (rc != 0 || !res) {
        if (gai)
            *gai = rc ? rc : EAI_NONAME;
        return -2;
    }
    if (ss) {
        memcpy(ss, res->ai_addr, res->ai_addrlen);
        *sl = res->ai_addrlen;
    }
    freeaddrinfo(res);
    return 0;
}

int listen_addr_check(const char *spec, char *why, size_t cap)
{
    int gai = 0;
    int rc = resolve(spec, NULL, NULL, &gai);
    if (rc == -2)
        snprintf(why, cap, "%s", gai_strerror(gai));
    return rc;
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

int listen_http_port;

int listen_http(const server_config *cfg)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1;
    if (resolve(cfg->http, &ss, &sl, NULL) != 0) {
        log_msg(CS_LOG_ERROR, "cannot parse HTTP address '%s' (want HOST:PORT)", cfg->http);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        log_msg(CS_LOG_ERROR, "cannot listen for HTTP on %s: %s", cfg->http, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        listen_http_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                          : ((struct sockaddr_in *)&ss)->sin_port);
    if (cfg->http_port_file && write_port_file(cfg->http_port_file, listen_http_port) != 0) {
        log_msg(CS_LOG_ERROR, "cannot write port file %s: %s", cfg->http_port_file, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Whether a socket at path has a live listener: connect() succeeds, or
 * fails other than with ECONNREFUSED (a stale socket refuses). */
static bool unix_socket_live(const struct sockaddr_un *un)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return true;                /* cannot tell: do not remove it */
    bool live = connect(fd, (const struct sockaddr *)un, sizeof *un) == 0 ||
                errno != ECONNREFUSED;
    close(fd);
    return live;
}

/* Listen on cfg->unix_path with mode cfg->unix_mode.  Whatever is at the
 * path is left alone unless it is a socket nobody listens on (one a
 * daemon that died left behind). */
static int listen_unix(struct event_base *base, const server_config *cfg)
{
    struct sockaddr_un un = { 0 };
    struct stat st;
    un.sun_family = AF_UNIX;
    if (strlen(cfg->unix_path) >= sizeof un.sun_path) {
        log_msg(CS_LOG_ERROR, "unix socket path too long (at most %zu bytes): %s",
                sizeof un.sun_path - 1, cfg->unix_path);
        return -1;
    }
    strcpy(un.sun_path, cfg->unix_path);
    if (lstat(cfg->unix_path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            log_msg(CS_LOG_ERROR, "%s exists and is not a socket; not removing it "
                    "(choose another --unix PATH)", cfg->unix_path);
            return -1;
        }
        if (unix_socket_live(&un)) {
            log_msg(CS_LOG_ERROR, "another daemon is listening on %s", cfg->unix_path);
            return -1;
        }
        log_msg(CS_LOG_INFO, "removing the stale socket %s", cfg->unix_path);
        if (unlink(cfg->unix_path) != 0 && errno != ENOENT) {
            log_msg(CS_LOG_ERROR, "cannot remove the stale socket %s: %s", cfg->unix_path,
                    strerror(errno));
            return -1;
        }
    }
    /* bind() makes the file with the umask's mode: make it with none of
     * the permissions, then give it exactly cfg->unix_mode, so there is no
     * moment when anyone the umask allows can connect. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        log_msg(CS_LOG_ERROR, "cannot listen on %s: %s", cfg->unix_path, strerror(errno));
        return -1;
    }
    mode_t old = umask(0777);
    int rc = bind(fd, (struct sockaddr *)&un, sizeof un);
    int bind_errno = errno;
    umask(old);
    if (rc != 0) {
        log_msg(CS_LOG_ERROR, "cannot listen on %s: %s", cfg->unix_path, strerror(bind_errno));
        close(fd);
        return -1;
    }
    unix_path = cfg->unix_path;
    if (stat(cfg->unix_path, &st) == 0) {
        unix_ino = st.st_ino;
        unix_dev = st.st_dev;
    }
    if (chmod(cfg->unix_path, cfg->unix_mode) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        log_msg(CS_LOG_ERROR, "cannot listen on %s: %s", cfg->unix_path, strerror(errno));
        close(fd);
        return -1;
    }
    unix_listener = evconnlistener_new(base, accept_cb, (void *)cfg,
                                       LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
    if (!unix_listener) {
        log_msg(CS_LOG_ERROR, "cannot listen on %s: %s", cfg->unix_path, strerror(errno));
        close(fd);
        return -1;
    }
    evconnlistener_set_error_cb(unix_listener, accept_error_cb);
    return 0;
}

int listen_start(struct event_base *base, const server_config *cfg)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (resolve(cfg->listen, &ss, &sl, NULL) != 0) {
        log_msg(CS_LOG_ERROR, "cannot parse listen address '%s' (want HOST:PORT)", cfg->listen);
        return -1;
    }
    unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC;
    tcp_listener = evconnlistener_new_bind(base, accept_cb, (void *)cfg, flags, LISTEN_BACKLOG,
                                           (struct sockaddr *)&ss, (int)sl);
    if (!tcp_listener) {
        log_msg(CS_LOG_ERROR, "cannot listen on %s: %s", cfg->listen, strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(tcp_listener, accept_error_cb);
    take_spare();
    if (!(accept_pause_ev = evtimer_new(base, accept_resume, NULL))) {
        log_msg(CS_LOG_ERROR, "cannot listen on %s: out of memory", cfg->listen);
        return -1;
    }
    int port = bound_port(tcp_listener);
    if (cfg->unix_path && listen_unix(base, cfg) != 0)
        return -1;
    if (cfg->port_file && write_port_file(cfg->port_file, port) != 0) {
        log_msg(CS_LOG_ERROR, "cannot write port file %s: %s", cfg->port_file, strerror(errno));
        return -1;
    }
    return port;
}

void listen_stop(void)
{
    if (tcp_listener)
        evconnlistener_free(tcp_listener);
    if (unix_listener)
        evconnlistener_free(unix_listener);
    tcp_listener = unix_listener = NULL;
    if (accept_pause_ev)
        event_free(accept_pause_ev);
    accept_pause_ev = NULL;
    if (spare_fd >= 0)
        close(spare_fd);
    spare_fd = -1;
    /* Only our own socket: if another daemon has since replaced it (after
     * removing ours as stale, say), the path is that daemon's now. */
    struct stat st;
    if (unix_path && lstat(unix_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_ino == unix_ino && st.st_dev == unix_dev)
        unlink(unix_path);
    unix_path = NULL;
}
