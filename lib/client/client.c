/* The client library; see include/ccgsearch/client.h. */
#define _GNU_SOURCE
#include "ccgsearch/client.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CS_API __attribute__((visibility("default")))

/* The longest answer line the client accepts: GET of the largest document
 * the indexer takes, JSON-escaped, fits with room to spare. */
#define CLIENT_MAX_ANSWER (64 * 1024 * 1024)
#define CLIENT_READ_CHUNK 65536

struct ccg_client {
    int fd;
    int timeout_ms;
    char *buf;              /* received, not yet returned */
    size_t len, cap;
    char err[256];
    char code[32];
};

struct ccg_results {
    json_t *root;
    char *json;
};

static void set_err(ccg_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(ccg_client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

CS_API const char *ccg_version(void)
{
    return CCGSEARCH_VERSION;
}

CS_API const char *ccg_status_to_string(ccg_status status)
{
    switch (status) {
    case CCG_OK: return "ok";
    case CCG_ERR_ARGUMENT: return "bad argument";
    case CCG_ERR_CONNECT: return "cannot connect";
    case CCG_ERR_IO: return "connection error";
    case CCG_ERR_PROTOCOL: return "protocol error";
    case CCG_ERR_SERVER: return "server error";
    case CCG_ERR_NO_MEMORY: return "out of memory";
    case CCG_ERR_END: return "no more items";
    case CCG_STATUS_LAST: break;
    }
    return "unknown status";
}

CS_API void ccg_free(void *p)
{
    free(p);
}

static void set_timeouts(int fd, int ms)
{
    if (ms <= 0)
        return;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* connect() bounded by timeout_ms. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t sl, int ms)
{
    int flags = fcntl(fd, F_GETFL);
    if (ms > 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, sa, sl);
    if (rc != 0 && errno == EINPROGRESS) {
        struct pollfd p = { fd, POLLOUT, 0 };
        rc = poll(&p, 1, ms);
        if (rc == 1) {
            int soerr = 0;
            socklen_t l = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
            rc = soerr ? -1 : 0;
            errno = soerr;
        } else {
            if (rc == 0)
                errno = ETIMEDOUT;
            rc = -1;
        }
    }
    if (ms > 0)
        fcntl(fd, F_SETFL, flags);
    return rc;
}

static ccg_client *client_new(int timeout_ms)
{
    ccg_client *c = calloc(1, sizeof *c);
    if (c) {
        c->fd = -1;
        c->timeout_ms = timeout_ms;
    }
    return c;
}

CS_API ccg_status ccg_client_connect(const char *host, const char *port, int timeout_ms,
                                      ccg_client **out)
{
    struct addrinfo hints = { 0 }, *res = NULL, *ai;
    if (!out)
        return CCG_ERR_ARGUMENT;
    *out = NULL;
    if (!host || !port)
        return CCG_ERR_ARGUMENT;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return CCG_ERR_CONNECT;
    int fd = -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect_timeout(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return CCG_ERR_CONNECT;
    ccg_client *c = client_new(timeout_ms);
    if (!c) {
        close(fd);
        return CCG_ERR_NO_MEMORY;
    }
    c->fd = fd;
    set_timeouts(fd, timeout_ms);
    *out = c;
    return CCG_OK;
}

CS_API ccg_status ccg_client_connect_unix(const char *path, int timeout_ms, ccg_client **out)
{
    struct sockaddr_un un = { 0 };
    if (!out)
        return CCG_ERR_ARGUMENT;
    *out = NULL;
    if (!path || strlen(path) >= sizeof un.sun_path)
        return CCG_ERR_ARGUMENT;
    un.sun_family = AF_UNIX;
    strcpy(un.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return CCG_ERR_CONNECT;
    if (connect_timeout(fd, (struct sockaddr *)&un, sizeof un, timeout_ms) != 0) {
        close(fd);
        return CCG_ERR_CONNECT;
    }
    ccg_client *c = client_new(timeout_ms);
    if (!c) {
        close(fd);
        return CCG_ERR_NO_MEMORY;
    }
    c->fd = fd;
    set_timeouts(fd, timeout_ms);
    *out = c;
    return CCG_OK;
}

CS_API void ccg_client_close(ccg_client *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    free(c);
}

CS_API const char *ccg_client_last_error(const ccg_client *c)
{
    return c ? c->err : "no client";
}

CS_API const char *ccg_client_error_code(const ccg_client *c)
{
    return c ? c->code : "";
}

CS_API ccg_status ccg_client_send(ccg_client *c, const char *line)
{
    if (!c || !line || strchr(line, '\n'))
        return CCG_ERR_ARGUMENT;
    size_t n = strlen(line);
    struct iovec iov[2] = { { (void *)line, n }, { "\n", 1 } };
    struct msghdr msg = { 0 };
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    size_t left = n + 1;
    while (left > 0) {
        ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            set_err(c, "send: %s", errno == EAGAIN ? "timed out" : strerror(errno));
            return CCG_ERR_IO;
        }
        left -= (size_t)w;
        /* Advance the iovecs past what was written. */
        while (w > 0 && msg.msg_iovlen > 0) {
            if ((size_t)w >= msg.msg_iov[0].iov_len) {
                w -= (ssize_t)msg.msg_iov[0].iov_len;
                msg.msg_iov++;
                msg.msg_iovlen--;
            } else {
                msg.msg_iov[0].iov_base = (char *)msg.msg_iov[0].iov_base + w;
                msg.msg_iov[0].iov_len -= (size_t)w;
                w = 0;
            }
        }
    }
    return CCG_OK;
}

CS_API ccg_status ccg_client_recv(ccg_client *c, char **answer)
{
    if (!c || !answer)
        return CCG_ERR_ARGUMENT;
    *answer = NULL;
    size_t scanned = 0;
    for (;;) {
        char *nl = c->len > scanned ? memchr(c->buf + scanned, '\n', c->len - scanned) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - c->buf);
            char *a = malloc(n + 1);
            if (!a)
                return CCG_ERR_NO_MEMORY;
            memcpy(a, c->buf, n);
            a[n] = '\0';
            memmove(c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            *answer = a;
            return CCG_OK;
        }
        scanned = c->len;
        if (c->len >= CLIENT_MAX_ANSWER) {
            set_err(c, "answer longer than %d bytes", CLIENT_MAX_ANSWER);
            return CCG_ERR_PROTOCOL;
        }
        if (c->cap - c->len < CLIENT_READ_CHUNK) {
            size_t cap = c->cap ? c->cap * 2 : CLIENT_READ_CHUNK * 2;
            char *b = realloc(c->buf, cap);
            if (!b)
                return CCG_ERR_NO_MEMORY;
            c->buf = b;
            c->cap = cap;
        }
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            set_err(c, "receive: %s", r == 0 ? "the server closed the connection"
                                     : errno == EAGAIN ? "timed out" : strerror(errno));
            return CCG_ERR_IO;
        }
        c->len += (size_t)r;
    }
}

CS_API ccg_status ccg_client_request(ccg_client *c, const char *line, char **answer)
{
    ccg_status st = ccg_client_send(c, line);
    return st == CCG_OK ? ccg_client_recv(c, answer) : st;
}

/* --- searching ----------------------------------------------------------- */

CS_API ccg_status ccg_client_search(ccg_client *c, const char *query, ccg_results **out)
{
    char *line = NULL, *answer = NULL;
    if (!c || !query || !out)
        return CCG_ERR_ARGUMENT;
    *out = NULL;
    c->code[0] = '\0';
    if (asprintf(&line, "SEARCH %s", query) < 0)
        return CCG_ERR_NO_MEMORY;
    ccg_status st = ccg_client_request(c, line, &answer);
    free(line);
    if (st != CCG_OK)
        return st;
    json_error_t jerr;
    json_t *root = json_loads(answer, 0, &jerr);
    if (!json_is_object(root)) {
        set_err(c, "answer is not a JSON object");
        json_decref(root);
        free(answer);
        return CCG_ERR_PROTOCOL;
    }
    if (!json_is_true(json_object_get(root, "ok"))) {
        json_t *e = json_object_get(root, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        snprintf(c->code, sizeof c->code, "%s", code ? code : "internal");
        set_err(c, "%s", msg ? msg : "the server reported an error");
        json_decref(root);
        free(answer);
        return CCG_ERR_SERVER;
    }
    ccg_results *r = malloc(sizeof *r);
    if (!r) {
        json_decref(root);
        free(answer);
        return CCG_ERR_NO_MEMORY;
    }
    r->root = root;
    r->json = answer;
    *out = r;
    return CCG_OK;
}

CS_API unsigned long ccg_results_total(const ccg_results *r)
{
    return r ? (unsigned long)json_integer_value(json_object_get(r->root, "total")) : 0;
}

CS_API size_t ccg_results_count(const ccg_results *r)
{
    return r ? json_array_size(json_object_get(r->root, "hits")) : 0;
}

static const char *str_or_null(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));    /* NULL for null */
}

CS_API ccg_status ccg_results_hit(const ccg_results *r, size_t i, ccg_hit *out)
{
    if (!r || !out)
        return CCG_ERR_ARGUMENT;
    json_t *h = json_array_get(json_object_get(r->root, "hits"), i);
    if (!h)
        return CCG_ERR_END;
    out->rank = (unsigned)json_integer_value(json_object_get(h, "rank"));
    out->score = json_number_value(json_object_get(h, "score"));
    out->id = str_or_null(h, "id");
    out->title = str_or_null(h, "title");
    out->date = str_or_null(h, "date");
    out->source = str_or_null(h, "source");
    out->snippet = str_or_null(h, "snippet");
    return CCG_OK;
}

CS_API const char *ccg_results_hit_field(const ccg_results *r, size_t i, const char *name)
{
    if (!r || !name)
        return NULL;
    return str_or_null(json_array_get(json_object_get(r->root, "hits"), i), name);
}

CS_API const char *ccg_results_hit_item(const ccg_results *r, size_t i, const char *list, size_t j)
{
    if (!r || !list)
        return NULL;
    json_t *h = json_array_get(json_object_get(r->root, "hits"), i);
    json_t *in = strcmp(list, "tags") == 0 ? h : json_object_get(h, "entities");
    return json_string_value(json_array_get(json_object_get(in, list), j));
}

CS_API ccg_status ccg_results_facet(const ccg_results *r, const char *facet, size_t i,
                                     ccg_facet_value *out)
{
    if (!r || !facet || !out)
        return CCG_ERR_ARGUMENT;
    json_t *v = json_array_get(json_object_get(json_object_get(r->root, "facets"), facet), i);
    if (!v)
        return CCG_ERR_END;
    out->value = str_or_null(v, "value");
    out->count = (unsigned)json_integer_value(json_object_get(v, "count"));
    return out->value ? CCG_OK : CCG_ERR_PROTOCOL;
}

CS_API const char *ccg_results_corrected(const ccg_results *r)
{
    return r ? str_or_null(r->root, "corrected") : NULL;
}

CS_API const char *ccg_results_json(const ccg_results *r)
{
    return r ? r->json : NULL;
}

CS_API void ccg_results_free(ccg_results *r)
{
    if (!r)
        return;
    json_decref(r->root);
    free(r->json);
    free(r);
}
