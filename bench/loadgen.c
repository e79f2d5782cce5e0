/* loadgen: a closed-loop load generator for the search benchmark
 * (bench/bench).  One program, four targets, one measuring loop:
 *
 *   --target ccg    --host H --port P   ccg-searchd over the line protocol
 *   --target http   --host H --port P   ccg-searchd over HTTP (--http):
 *                                       POST /search with the same SEARCH
 *                                       argument as the body, HTTP/1.1
 *                                       keep-alive
 *   --target sphinx --host H --port P   Sphinx searchd over SphinxQL (MySQL
 *                                       protocol, libmariadb)
 *   --target inproc --index DIR         the daemon's SEARCH in this process
 *                                       (decode, cs_engine_search(), encode):
 *                                       its work minus the network
 *
 * --conns N threads each own one connection (or one engine) and loop: take
 * the next query, send it, wait for the whole answer, record the latency,
 * repeat.  Thread i starts at query i*Q/N and cycles through the file.
 * After --warmup seconds (not recorded) the measuring window of --duration
 * seconds begins; a request counts when it was sent and answered inside the
 * window.  Every latency is kept and the percentiles are exact (nearest
 * rank over the sorted latencies).  The clock is CLOCK_MONOTONIC for all
 * targets.  Output: one JSON line
 *
 *   {"target":..,"conns":..,"requests":..,"errors":..,"seconds":..,
 *    "qps":..,"p50_us":..,"p99_us":..}
 *
 * The query file holds one JSON object per line with at least "ccg" (the
 * SEARCH argument, a string) and "sphinx" (a SphinxQL statement); other
 * fields (e.g. "kind") are ignored.
 *
 * --check runs every query once on one connection and prints, per query,
 * {"i":..,"kind":..,"ok":..,"total":..,"hits":..,"facets":..} so that the
 * benchmark can see that both engines find the same documents.
 */
#include "serve/engine.h"
#include "serve/request.h"
#include "serve/response.h"
#include "core/util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <mysql.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* A server that does not answer within these times is an error, never a
 * hang of the benchmark. */
#define CONNECT_TIMEOUT_S 10
#define IO_TIMEOUT_S 60

enum target { T_CCG, T_HTTP, T_SPHINX, T_INPROC };
static const char *const target_names[] = { "ccg", "http", "sphinx", "inproc" };

/* The HTTP client's bounds: an answer's header block, and its body (the
 * daemon's answers to the mix are a few KiB). */
#define HTTP_MAX_HEAD_BYTES 16384
#define HTTP_MAX_BODY_BYTES (64 * 1024 * 1024)

typedef struct query {
    char *kind;
    char *cs_line;         /* "SEARCH <arg>\n" */
    size_t cs_line_len;
    char *cs_arg;          /* points into cs_line, after "SEARCH " */
    size_t cs_arg_len;     /* without the LF */
    char *sql;
    size_t sql_len;
    char *http_req;        /* "POST /search HTTP/1.1 ..." with the argument as body */
    size_t http_req_len;
} query;

static enum target g_target;
static const char *g_host = "127.0.0.1", *g_port, *g_index;
static query *g_queries;
static size_t g_nqueries;
static unsigned g_conns = 1;
static double g_duration = 10.0, g_warmup = 1.0;
static unsigned g_query_timeout_ms = 2000;    /* the daemon's default */

/* The measuring window, set once every thread is connected. */
static int64_t g_t_start, g_t_end;
static pthread_barrier_t g_ready, g_go;
static atomic_int g_setup_failed;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "loadgen: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

/* --- the query file ------------------------------------------------------ */

static void load_queries(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open %s", path);
    char *line = NULL;
    size_t cap = 0, n = 0, lineno = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (len <= 1)
            continue;
        json_error_t jerr;
        json_t *o = json_loadb(line, (size_t)len, 0, &jerr);
        const char *ccg = o ? json_string_value(json_object_get(o, "ccg")) : NULL;
        const char *sql = o ? json_string_value(json_object_get(o, "sphinx")) : NULL;
        const char *kind = o ? json_string_value(json_object_get(o, "kind")) : NULL;
        if (!ccg || !sql) {
            fprintf(stderr, "loadgen: %s:%zu: want a JSON object with strings \"ccg\" and \"sphinx\"\n",
                    path, lineno);
            exit(1);
        }
        if (strchr(ccg, '\n') || strchr(ccg, '\r'))
            die("%s: a ccg request must be one line", path);
        if (n == g_nqueries) {
            size_t ncap = n ? 2 * n : 256;
            query *q = realloc(g_queries, ncap * sizeof *q);
            if (!q)
                die("%s", "out of memory");
            g_queries = q;
            g_nqueries = ncap;
        }
        query *q = &g_queries[n++];
        size_t alen = strlen(ccg);
        q->cs_line_len = 7 + alen + 1;
        q->cs_line = malloc(q->cs_line_len + 1);
        q->sql = strdup(sql);
        q->kind = strdup(kind ? kind : "");
        if (!q->cs_line || !q->sql || !q->kind)
            die("%s", "out of memory");
        memcpy(q->cs_line, "SEARCH ", 7);
        memcpy(q->cs_line + 7, ccg, alen);
        q->cs_line[7 + alen] = '\n';
        q->cs_line[8 + alen] = '\0';
        q->cs_arg = q->cs_line + 7;
        q->cs_arg_len = alen;
        q->sql_len = strlen(sql);
        int hn = snprintf(NULL, 0, "POST /search HTTP/1.1\r\nHost: %s\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                          g_host, alen, ccg);
        q->http_req = malloc((size_t)hn + 1);
        if (!q->http_req)
            die("%s", "out of memory");
        snprintf(q->http_req, (size_t)hn + 1, "POST /search HTTP/1.1\r\nHost: %s\r\n"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                 g_host, alen, ccg);
        q->http_req_len = (size_t)hn;
        json_decref(o);
    }
    free(line);
    fclose(f);
    g_nqueries = n;
    if (n == 0)
        die("%s: no queries", path);
}

/* --- one client: a connection or an engine ------------------------------- */

typedef struct client {
    int fd;                 /* ccg, http */
    char *rbuf;             /* ccg, http: received bytes */
    size_t rlen, rcap;
    bool reconnect;         /* http: the server said Connection: close */
    MYSQL *my;              /* sphinx */
    cs_engine *engine;     /* inproc */
    cs_buf out;            /* inproc: the answer */
} client;

/* The answer of the last request, for --check: a JSON line (ccg, inproc)
 * or the figures the sphinx client gathered. */
typedef struct answer {
    const char *line;
    size_t len;
    long long sphinx_hits, sphinx_facets;
} answer;

static int cs_connect(client *c)
{
    struct addrinfo hints = { 0 }, *ai, *p;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(g_host, g_port, &hints, &ai);
    if (rc != 0) {
        fprintf(stderr, "loadgen: %s:%s: %s\n", g_host, g_port, gai_strerror(rc));
        return -1;
    }
    c->fd = -1;
    for (p = ai; p; p = p->ai_next) {
        int fd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, p->ai_addr, p->ai_addrlen) == 0) {
            int one = 1;
            struct timeval tv = { IO_TIMEOUT_S, 0 };
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            c->fd = fd;
            break;
        }
        close(fd);
    }
    freeaddrinfo(ai);
    if (c->fd < 0) {
        fprintf(stderr, "loadgen: cannot connect to %s:%s: %s\n", g_host, g_port, strerror(errno));
        return -1;
    }
    c->rlen = 0;
    return 0;
}

static int sphinx_connect(client *c)
{
    c->my = mysql_init(NULL);
    if (!c->my)
        return -1;
    unsigned port = (unsigned)strtoul(g_port, NULL, 10);
    unsigned connect_to = CONNECT_TIMEOUT_S, io_to = IO_TIMEOUT_S;
    mysql_options(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &connect_to);
    mysql_options(c->my, MYSQL_OPT_READ_TIMEOUT, &io_to);
    mysql_options(c->my, MYSQL_OPT_WRITE_TIMEOUT, &io_to);
    if (!mysql_real_connect(c->my, g_host, "", "", NULL, port, NULL,
                            CLIENT_MULTI_RESULTS | CLIENT_MULTI_STATEMENTS)) {
        fprintf(stderr, "loadgen: sphinx %s:%u: %s\n", g_host, port, mysql_error(c->my));
        mysql_close(c->my);
        c->my = NULL;
        return -1;
    }
    return 0;
}

static int client_open(client *c)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    switch (g_target) {
    case T_CCG:
    case T_HTTP:
        return cs_connect(c);
    case T_SPHINX:
        return sphinx_connect(c);
    case T_INPROC: {
        cs_err err;
        cs_engine_opts eo = { .query_timeout_ms = g_query_timeout_ms };
        c->engine = cs_engine_open(g_index, &eo, &err);
        if (!c->engine) {
            fprintf(stderr, "loadgen: cannot open %s: %s\n", g_index, err.msg);
            return -1;
        }
        return 0;
    }
    }
    return -1;
}

static void client_close(client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->reconnect = false;
    if (c->my)
        mysql_close(c->my);
    c->my = NULL;
    if (c->engine)
        cs_engine_close(c->engine);
    c->engine = NULL;
    free(c->rbuf);
    c->rbuf = NULL;
    c->rlen = c->rcap = 0;
    cs_buf_free(&c->out);
}

static int send_all(int fd, const char *p, size_t left)
{
    while (left > 0) {
        ssize_t n = send(fd, p, left, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    return 0;
}

/* Room for at least want more bytes in c->rbuf (and a NUL); -1 when out
 * of memory. */
static int reserve(client *c, size_t want)
{
    if (c->rcap - c->rlen > want)
        return 0;
    size_t ncap = c->rcap ? c->rcap : 65536;
    while (ncap - c->rlen <= want)
        ncap *= 2;
    char *b = realloc(c->rbuf, ncap);
    if (!b)
        return -1;
    c->rbuf = b;
    c->rcap = ncap;
    return 0;
}

/* Append what the server sends next to c->rbuf (room for a NUL kept);
 * -1 when the connection broke or closed. */
static int recv_more(client *c)
{
    if (reserve(c, 16384) != 0)
        return -1;
    ssize_t n;
    do
        n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen - 1, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    c->rlen += (size_t)n;
    return 0;
}

/* Send one request and wait for its whole answer.  Returns 1 for an ok
 * answer, 0 for an error answer, -1 when the connection broke. */
static int line_request(client *c, const query *q, answer *a)
{
    if (send_all(c->fd, q->cs_line, q->cs_line_len) != 0)
        return -1;
    /* Read until the LF that ends the answer.  The client sends one request
     * at a time, so nothing follows it. */
    size_t scanned = 0;
    c->rlen = 0;
    for (;;) {
        if (recv_more(c) != 0)
            return -1;
        char *lf = memchr(c->rbuf + scanned, '\n', c->rlen - scanned);
        if (lf) {
            size_t len = (size_t)(lf - c->rbuf);
            c->rbuf[len] = '\0';
            a->line = c->rbuf;
            a->len = len;
            /* The engine writes "ok" first; fall back to a search in case a
             * future version does not. */
            if (len >= 10 && memcmp(c->rbuf, "{\"ok\":true", 10) == 0)
                return 1;
            return strstr(c->rbuf, "\"ok\":true") ? 1 : 0;
        }
        scanned = c->rlen;
    }
}

/* The value of header name (lower case, with its colon) in the header
 * block head[0..len), or NULL. */
static const char *header_value(const char *head, size_t len, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = head; p && p + n < head + len;) {
        if (strncasecmp(p, name, n) == 0) {
            p += n;
            while (*p == ' ' || *p == '\t')
                p++;
            return p;
        }
        p = memchr(p, '\n', (size_t)(head + len - p));
        if (p)
            p++;
    }
    return NULL;
}

/* POST /search on a keep-alive HTTP/1.1 connection: send the request, read
 * the status line and headers, then Content-Length bytes of body (the
 * daemon always sends one; chunked answers are not expected).  Returns as
 * line_request() does; a.line is the body. */
static int http_request(client *c, const query *q, answer *a)
{
    if (c->reconnect) {
        close(c->fd);
        if (cs_connect(c) != 0)
            return -1;
        c->reconnect = false;
    }
    if (send_all(c->fd, q->http_req, q->http_req_len) != 0)
        return -1;
    size_t head_len = 0, body_len = 0, scanned = 0;
    c->rlen = 0;
    for (;;) {
        if (recv_more(c) != 0)
            return -1;
        if (!head_len) {
            c->rbuf[c->rlen] = '\0';
            char *end = strstr(c->rbuf + (scanned > 3 ? scanned - 3 : 0), "\r\n\r\n");
            scanned = c->rlen;
            if (!end) {
                if (c->rlen > HTTP_MAX_HEAD_BYTES)
                    return -1;
                continue;
            }
            head_len = (size_t)(end - c->rbuf) + 4;
            const char *cl = header_value(c->rbuf, head_len, "content-length:");
            const char *conn = header_value(c->rbuf, head_len, "connection:");
            if (!cl || strncmp(c->rbuf, "HTTP/1.", 7) != 0)
                return -1;
            body_len = strtoul(cl, NULL, 10);
            if (body_len > HTTP_MAX_BODY_BYTES)
                return -1;
            c->reconnect = conn && strncasecmp(conn, "close", 5) == 0;
            if (head_len + body_len > c->rlen && reserve(c, head_len + body_len - c->rlen) != 0)
                return -1;
        }
        if (c->rlen >= head_len + body_len) {
            /* One request at a time: nothing follows the body. */
            char *body = c->rbuf + head_len;
            body[body_len] = '\0';
            a->line = body;
            a->len = body_len;
            int status = atoi(c->rbuf + 9);
            return status == 200 && body_len >= 10 && memcmp(body, "{\"ok\":true", 10) == 0;
        }
    }
}

static int sphinx_request(client *c, const query *q, answer *a)
{
    a->sphinx_hits = a->sphinx_facets = 0;
    if (mysql_real_query(c->my, q->sql, (unsigned long)q->sql_len) != 0) {
        unsigned e = mysql_errno(c->my);
        return (e == 2006 || e == 2013) ? -1 : 0;   /* server gone / lost */
    }
    /* The main result set, then one more per FACET: take them all. */
    int sets = 0, rc = 1;
    for (;;) {
        MYSQL_RES *r = mysql_store_result(c->my);
        if (r) {
            MYSQL_ROW row;
            long long rows = 0;
            while ((row = mysql_fetch_row(r)))
                rows++;
            if (sets == 0)
                a->sphinx_hits = rows;
            mysql_free_result(r);
            sets++;
        } else if (mysql_field_count(c->my) != 0) {
            rc = 0;
        }
        int more = mysql_next_result(c->my);
        if (more == -1)
            break;
        if (more > 0) {
            unsigned e = mysql_errno(c->my);
            return (e == 2006 || e == 2013) ? -1 : 0;
        }
    }
    a->sphinx_facets = sets > 0 ? sets - 1 : 0;
    return sets > 0 ? rc : 0;
}

/* What the daemon's handler does for a SEARCH line: decode the argument,
 * run it, encode the answer line (or the error line). */
static int inproc_request(client *c, const query *q, answer *a)
{
    cs_search_req req;
    cs_search_result res;
    cs_err err;
    c->out.len = 0;
    bool ok = cs_search_req_decode(&req, q->cs_arg, q->cs_arg_len, &err) &&
              cs_engine_search(c->engine, &req, &res, &err);
    cs_search_req_free(&req);
    if (ok) {
        cs_encode_search(&c->out, &res);
        cs_search_result_free(&res);
    } else {
        cs_encode_error(&c->out, err.code, err.msg);
    }
    cs_buf_putc(&c->out, '\n');
    a->line = c->out.s;
    a->len = c->out.len;
    return ok && !c->out.oom ? 1 : 0;
}

static int do_request(client *c, const query *q, answer *a)
{
    switch (g_target) {
    case T_CCG: return line_request(c, q, a);
    case T_HTTP: return http_request(c, q, a);
    case T_SPHINX: return sphinx_request(c, q, a);
    case T_INPROC: return inproc_request(c, q, a);
    }
    return -1;
}

/* --- the measuring loop -------------------------------------------------- */

typedef struct thread_ctx {
    unsigned idx;
    pthread_t tid;
    int64_t *lat;           /* latencies in ns of the requests in the window */
    size_t nlat, caplat;
    unsigned long long errors;
    bool failed;
} thread_ctx;

static void *run_thread(void *arg)
{
    thread_ctx *t = arg;
    client c;
    bool ok = true;

    if (g_target == T_SPHINX)
        mysql_thread_init();
    if (client_open(&c) != 0) {
        ok = false;
        atomic_store(&g_setup_failed, 1);
    }
    pthread_barrier_wait(&g_ready);
    pthread_barrier_wait(&g_go);
    if (!ok || atomic_load(&g_setup_failed))
        goto out;

    size_t qi = (size_t)t->idx * g_nqueries / g_conns;
    for (;;) {
        int64_t t0 = now_ns();
        if (t0 >= g_t_end)
            break;
        answer a = { 0 };
        int rc = do_request(&c, &g_queries[qi], &a);
        int64_t t1 = now_ns();
        if (++qi == g_nqueries)
            qi = 0;
        if (t0 >= g_t_start && t1 <= g_t_end) {
            if (rc != 1)
                t->errors++;
            if (t->nlat == t->caplat) {
                size_t ncap = t->caplat ? 2 * t->caplat : 65536;
                int64_t *l = realloc(t->lat, ncap * sizeof *l);
                if (!l) {
                    t->failed = true;
                    break;
                }
                t->lat = l;
                t->caplat = ncap;
            }
            t->lat[t->nlat++] = t1 - t0;
        }
        if (rc < 0) {
            /* The connection broke: open a new one and go on. */
            client_close(&c);
            if (client_open(&c) != 0) {
                t->failed = true;
                break;
            }
        }
    }
out:
    client_close(&c);
    if (g_target == T_SPHINX)
        mysql_thread_end();
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p of the values <= it. */
static double percentile_us(const int64_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)((double)n * p + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)v[rank - 1] / 1000.0;
}

static int run_load(void)
{
    thread_ctx *ts = calloc(g_conns, sizeof *ts);
    if (!ts)
        die("%s", "out of memory");
    pthread_barrier_init(&g_ready, NULL, g_conns + 1);
    pthread_barrier_init(&g_go, NULL, g_conns + 1);
    for (unsigned i = 0; i < g_conns; i++) {
        ts[i].idx = i;
        if (pthread_create(&ts[i].tid, NULL, run_thread, &ts[i]) != 0)
            die("%s", "cannot create a thread");
    }
    pthread_barrier_wait(&g_ready);         /* every client is connected */
    int64_t now = now_ns();
    g_t_start = now + (int64_t)(g_warmup * 1e9);
    g_t_end = g_t_start + (int64_t)(g_duration * 1e9);
    pthread_barrier_wait(&g_go);
    for (unsigned i = 0; i < g_conns; i++)
        pthread_join(ts[i].tid, NULL);
    if (atomic_load(&g_setup_failed))
        die("%s", "a client could not connect");

    size_t total = 0;
    unsigned long long errors = 0;
    bool failed = false;
    for (unsigned i = 0; i < g_conns; i++) {
        total += ts[i].nlat;
        errors += ts[i].errors;
        failed |= ts[i].failed;
    }
    int64_t *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        die("%s", "out of memory");
    size_t k = 0;
    for (unsigned i = 0; i < g_conns; i++) {
        memcpy(all + k, ts[i].lat, ts[i].nlat * sizeof *all);
        k += ts[i].nlat;
        free(ts[i].lat);
    }
    qsort(all, total, sizeof *all, cmp_i64);
    double secs = (double)(g_t_end - g_t_start) / 1e9;
    printf("{\"target\":\"%s\",\"conns\":%u,\"requests\":%zu,\"errors\":%llu,"
           "\"seconds\":%.3f,\"qps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f}\n",
           target_names[g_target], g_conns, total, errors, secs,
           (double)total / secs, percentile_us(all, total, 0.50), percentile_us(all, total, 0.99));
    fflush(stdout);
    free(all);
    free(ts);
    if (failed) {
        fprintf(stderr, "loadgen: a client failed (lost its connection or ran out of memory)\n");
        return 1;
    }
    return 0;
}

/* --- --check: every query once ------------------------------------------- */

static long long sphinx_total_found(client *c)
{
    long long total = -1;
    if (mysql_query(c->my, "SHOW META") != 0)
        return -1;
    MYSQL_RES *r = mysql_store_result(c->my);
    if (!r)
        return -1;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(r)))
        if (row[0] && row[1] && strcmp(row[0], "total_found") == 0)
            total = strtoll(row[1], NULL, 10);
    mysql_free_result(r);
    while (mysql_next_result(c->my) == 0) {
        MYSQL_RES *x = mysql_store_result(c->my);
        if (x)
            mysql_free_result(x);
    }
    return total;
}

static int run_check(void)
{
    client c;
    if (g_target == T_SPHINX)
        mysql_thread_init();
    if (client_open(&c) != 0)
        return 1;
    int status = 0;
    for (size_t i = 0; i < g_nqueries; i++) {
        const query *q = &g_queries[i];
        answer a = { 0 };
        int rc = do_request(&c, q, &a);
        long long total = -1, hits = -1, facets = -1;
        if (rc == 1 && g_target == T_SPHINX) {
            hits = a.sphinx_hits;
            facets = a.sphinx_facets;
            /* SHOW META describes the last result set: ask again without
             * the facets for the main query's total. */
            const char *f = strstr(q->sql, " FACET ");
            if (f) {
                query q2 = *q;
                q2.sql = strndup(q->sql, (size_t)(f - q->sql));
                q2.sql_len = strlen(q2.sql);
                answer a2 = { 0 };
                if (do_request(&c, &q2, &a2) != 1)
                    rc = 0;
                free(q2.sql);
            }
            total = sphinx_total_found(&c);
        } else if (rc == 1) {
            json_t *o = json_loadb(a.line, a.len, 0, NULL);
            json_t *fs = json_object_get(o, "facets");
            total = json_integer_value(json_object_get(o, "total"));
            hits = (long long)json_array_size(json_object_get(o, "hits"));
            facets = 0;
            const char *key;
            json_t *v;
            json_object_foreach(fs, key, v)
                facets++;
            json_decref(o);
        }
        json_t *out = json_pack("{s:I, s:s, s:b, s:I, s:I, s:I}", "i", (json_int_t)i,
                                "kind", q->kind, "ok", rc == 1, "total", (json_int_t)total,
                                "hits", (json_int_t)hits, "facets", (json_int_t)facets);
        if (rc != 1) {
            char msg[300];
            if (g_target == T_SPHINX)
                snprintf(msg, sizeof msg, "%s", c.my ? mysql_error(c.my) : "no connection");
            else
                snprintf(msg, sizeof msg, "%.*s", (int)(a.len < 280 ? a.len : 280),
                         a.line ? a.line : "no answer");
            json_object_set_new(out, "error", json_string(msg));
            status = 1;
        }
        char *s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        puts(s ? s : "{}");
        free(s);
        json_decref(out);
        if (rc < 0) {
            client_close(&c);
            if (client_open(&c) != 0)
                return 1;
        }
    }
    client_close(&c);
    if (g_target == T_SPHINX)
        mysql_thread_end();
    return status;
}

/* --- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
"Usage: loadgen --target ccg|http|sphinx --host H --port P --queries FILE [options]\n"
"       loadgen --target inproc --index DIR --queries FILE [options]\n"
"\n"
"  --target T        ccg (line protocol), http (ccg-searchd's POST /search,\n"
"                    keep-alive), sphinx (SphinxQL) or inproc (the daemon's\n"
"                    SEARCH in this process)\n"
"  --host H          server address (default 127.0.0.1)\n"
"  --port P          server port (ccg, http, sphinx)\n"
"  --index DIR       ccgsearch index (inproc)\n"
"  --queries FILE    one JSON object per line with \"ccg\" and \"sphinx\"\n"
"  --conns N         concurrent clients, one thread each (default 1)\n"
"  --duration SECS   measuring window (default 10)\n"
"  --warmup SECS     unrecorded load before it (default 1)\n"
"  --query-timeout MS  inproc engine's per-query limit, as the daemon's\n"
"                    --query-timeout (default 2000)\n"
"  --check           run every query once and print its totals instead\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "target", required_argument, NULL, 't' },
        { "host", required_argument, NULL, 'H' },
        { "port", required_argument, NULL, 'p' },
        { "index", required_argument, NULL, 'i' },
        { "queries", required_argument, NULL, 'q' },
        { "conns", required_argument, NULL, 'c' },
        { "duration", required_argument, NULL, 'd' },
        { "warmup", required_argument, NULL, 'w' },
        { "query-timeout", required_argument, NULL, 'T' },
        { "check", no_argument, NULL, 'C' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *target = NULL, *qfile = NULL;
    bool check = false;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': target = optarg; break;
        case 'H': g_host = optarg; break;
        case 'p': g_port = optarg; break;
        case 'i': g_index = optarg; break;
        case 'q': qfile = optarg; break;
        case 'c': g_conns = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'd': g_duration = strtod(optarg, NULL); break;
        case 'w': g_warmup = strtod(optarg, NULL); break;
        case 'T': g_query_timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'C': check = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!target || !qfile || optind < argc) {
        usage(stderr);
        return 2;
    }
    if (strcmp(target, "ccg") == 0)
        g_target = T_CCG;
    else if (strcmp(target, "http") == 0)
        g_target = T_HTTP;
    else if (strcmp(target, "sphinx") == 0)
        g_target = T_SPHINX;
    else if (strcmp(target, "inproc") == 0)
        g_target = T_INPROC;
    else
        die("unknown target '%s' (ccg, http, sphinx or inproc)", target);
    if (g_target == T_INPROC ? !g_index : !g_port)
        die("%s", g_target == T_INPROC ? "--index DIR is required" : "--port P is required");
    if (g_conns < 1 || g_conns > 4096)
        die("%s", "--conns wants 1..4096");
    if (!(g_duration > 0) || g_warmup < 0)
        die("%s", "--duration wants a positive number of seconds, --warmup zero or more");
    load_queries(qfile);
    if (g_target == T_SPHINX && mysql_library_init(0, NULL, NULL) != 0)
        die("%s", "cannot initialise libmariadb");
    int status = check ? run_check() : run_load();
    if (g_target == T_SPHINX)
        mysql_library_end();
    return status;
}
