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

/* One overloaded answer, then close. */
static void refuse(int fd, unsigned max_conns, bool per_address)
{
    char peer[64], about[80];
    cs_buf line = { 0 };
    peer_name(fd, peer, sizeof peer);
    snprintf(about, sizeof about, "%sconnection limit %u reached",
             per_address ? "per-address " : "", max_conns);
    stats_conn_refused();
    answer_error(&line, CS_E_OVERLOADED,
                 per_address ? "too many connections from this address; try again later"
                             : "too many connections; try again later", peer, about);
    if (!line.oom) {
        ssize_t n = write(fd, line.s, line.len);
        (void)n;
    }
    cs_buf_free(&line);
    close(fd);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
    const server_config *cfg = arg;
    (void)l;
    (void)sa;
    (void)salen;
    peer_key key;
    if (!stats_conn_admit(cfg->max_conns)) {
        refuse(fd, cfg->max_conns, false);
        return;
    }
    peer_key_of(fd, &key);
    if (!peers_admit(&key, cfg->max_conns_per_addr)) {
        stats_conn_closed();
        refuse(fd, cfg->max_conns_per_addr, true);
        return;
    }
    threads_dispatch_conn(fd, &key);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    /* Out of descriptors, usually; keep serving those we have. */
    log_msg(CS_LOG_WARN, "accept failed: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
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

bool listen_addr_ok(const char *spec)
{
    char host[HOST_CAP];
    const char *port;
    return split_addr(spec, host, &port) == 0;
}

/* Parse "HOST:PORT" / "[V6]:PORT" into an address to bind. */
static int resolve(const char *spec, struct sockaddr_storage *ss, socklen_t *sl)
{
    char host[HOST_CAP];
    const char *port;
    if (split_addr(spec, host, &port) != 0)
        return -1;
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

int listen_http_port;

int listen_http(const server_config *cfg)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1;
    if (resolve(cfg->http, &ss, &sl) != 0) {
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
    if (resolve(cfg->listen, &ss, &sl) != 0) {
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
    /* Only our own socket: if another daemon has since replaced it (after
     * removing ours as stale, say), the path is that daemon's now. */
    struct stat st;
    if (unix_path && lstat(unix_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_ino == unix_ino && st.st_dev == unix_dev)
        unlink(unix_path);
    unix_path = NULL;
}
