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
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Backlog of the listening sockets. */
#define LISTEN_BACKLOG 1024

static struct evconnlistener *tcp_listener, *unix_listener;
static const char *unix_path;

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
    if (cfg->unix_path) {
        struct sockaddr_un un = { 0 };
        un.sun_family = AF_UNIX;
        if (strlen(cfg->unix_path) >= sizeof un.sun_path) {
            log_msg(CS_LOG_ERROR, "unix socket path too long: %s", cfg->unix_path);
            return -1;
        }
        strcpy(un.sun_path, cfg->unix_path);
        unlink(cfg->unix_path);
        unix_path = cfg->unix_path;
        unix_listener = evconnlistener_new_bind(base, accept_cb, (void *)cfg,
                                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                                LISTEN_BACKLOG, (struct sockaddr *)&un, sizeof un);
        if (!unix_listener) {
            log_msg(CS_LOG_ERROR, "cannot listen on %s: %s", cfg->unix_path, strerror(errno));
            return -1;
        }
        evconnlistener_set_error_cb(unix_listener, accept_error_cb);
    }
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
    if (unix_path)
        unlink(unix_path);
    unix_path = NULL;
}
