/* Request dispatch and statistics; see handler.h. */
#include "handler.h"
#include "log.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

server_stats g_stats;

void stats_count_error(cs_errcode code)
{
    atomic_fetch_add_explicit(&g_stats.errors[cs_errcode_wire(code)], 1, memory_order_relaxed);
}

static unsigned lat_bucket(long long us)
{
    if (us < 1)
        us = 1;
    double b = log2((double)us) * LAT_SUB;
    unsigned i = (unsigned)b;
    return i >= LAT_BUCKETS ? LAT_BUCKETS - 1 : i;
}

/* The upper bound of the bucket holding the p-th percentile. */
static long long lat_percentile(const unsigned long *h, unsigned long total, double p)
{
    if (total == 0)
        return 0;
    unsigned long want = (unsigned long)ceil(p * (double)total), seen = 0;
    for (unsigned i = 0; i < LAT_BUCKETS; i++) {
        seen += h[i];
        if (seen >= want)
            return (long long)ceil(exp2((double)(i + 1) / LAT_SUB));
    }
    return 0;
}

static void answer_error(cs_buf *out, cs_errcode code, const char *msg)
{
    char *line = cs_proto_error(code, msg);
    if (line) {
        cs_buf_puts(out, line);
        free(line);
    } else {
        cs_buf_puts(out, "{\"ok\":false,\"error\":{\"code\":\"internal\","
                          "\"message\":\"out of memory\"}}\n");
    }
    stats_count_error(code);
}

static void emit(cs_buf *out, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (!s) {
        answer_error(out, CS_E_INTERNAL, "out of memory");
    } else {
        cs_buf_puts(out, s);
        cs_buf_putc(out, '\n');
    }
    free(s);
    json_decref(o);
}

static json_t *stats_json(cs_engine *e)
{
    cs_index_stats ix;
    unsigned long hist[LAT_BUCKETS], total = 0;
    cs_engine_stats(e, &ix);
    json_t *req = json_object(), *err = json_object();
    for (int v = 0; v < CS_NVERBS; v++)
        json_object_set_new(req, cs_verb_name((cs_verb)v),
                            json_integer((json_int_t)atomic_load(&g_stats.requests[v])));
    for (int c = CS_OK + 1; c < CS_E_NWIRE; c++)
        json_object_set_new(err, cs_errcode_name((cs_errcode)c),
                            json_integer((json_int_t)atomic_load(&g_stats.errors[c])));
    for (unsigned i = 0; i < LAT_BUCKETS; i++) {
        hist[i] = atomic_load_explicit(&g_stats.latency[i], memory_order_relaxed);
        total += hist[i];
    }
    return json_pack("{s:b, s:I, s:I, s:{s:I, s:I, s:I}, s:o, s:o, s:{s:I, s:I, s:I}, s:{s:I, s:s}}",
                     "ok", 1,
                     "uptime_s", (json_int_t)((cs_now_us() - g_stats.start_us) / 1000000),
                     "workers", (json_int_t)g_stats.workers,
                     "connections",
                     "open", (json_int_t)atomic_load(&g_stats.conns_open),
                     "total", (json_int_t)atomic_load(&g_stats.conns_total),
                     "refused", (json_int_t)atomic_load(&g_stats.conns_refused),
                     "requests", req, "errors", err,
                     "latency_us",
                     "count", (json_int_t)total,
                     "p50", (json_int_t)lat_percentile(hist, total, 0.50),
                     "p99", (json_int_t)lat_percentile(hist, total, 0.99),
                     "index",
                     "documents", (json_int_t)ix.doccount,
                     "generation", ix.generation);
}

static json_t *help_json(void)
{
    json_t *verbs = json_array();
    for (size_t i = 0; verbs && i < cs_nverb_helps; i++)
        json_array_append_new(verbs, json_pack("{s:s, s:s, s:s}",
                                               "verb", cs_verb_name(cs_verb_helps[i].verb),
                                               "usage", cs_verb_helps[i].usage,
                                               "summary", cs_verb_helps[i].summary));
    return json_pack("{s:b, s:s, s:o}", "ok", 1, "protocol", "ccgsearch/1", "verbs", verbs);
}

void handle_line(cs_engine *e, const char *line, size_t len, cs_buf *out,
                 bool *close_after, const char *peer)
{
    cs_request req;
    cs_errcode code;
    const char *msg;
    cs_result res = { 0 };
    long long t0 = cs_now_us();

    *close_after = false;
    int rc = cs_proto_parse(line, len, &req, &code, &msg);
    if (rc == CS_PARSE_EMPTY)
        return;
    if (rc == CS_PARSE_ERROR) {
        char clean[100];
        log_sanitize(line, len, clean, sizeof clean);
        log_msg(LOG_DEBUG, "%s: %s: %s", peer, cs_errcode_name(code), clean);
        atomic_fetch_add_explicit(&g_stats.requests[CS_VERB_UNKNOWN], 1, memory_order_relaxed);
        answer_error(out, code, msg);
        querylog_write("UNKNOWN", line, len, 0, cs_now_us() - t0, cs_errcode_name(code));
        return;
    }
    atomic_fetch_add_explicit(&g_stats.requests[req.verb], 1, memory_order_relaxed);
    res.ok = true;
    switch (req.verb) {
    case CS_VERB_PING:
        cs_buf_puts(out, "{\"ok\":true,\"pong\":true}\n");
        break;
    case CS_VERB_QUIT:
        cs_buf_puts(out, "{\"ok\":true,\"bye\":true}\n");
        *close_after = true;
        break;
    case CS_VERB_HELP:
        emit(out, help_json());
        break;
    case CS_VERB_STATS:
        emit(out, stats_json(e));
        break;
    case CS_VERB_SEARCH:
        cs_engine_search(e, req.arg, req.arg_len, out, &res);
        break;
    case CS_VERB_GET:
        cs_engine_get(e, req.arg, req.arg_len, out, &res);
        break;
    case CS_VERB_SIMILAR:
        cs_engine_similar(e, req.arg, req.arg_len, out, &res);
        break;
    case CS_VERB_WHO:
        cs_engine_who(e, req.arg, req.arg_len, out, &res);
        break;
    default:
        res.ok = false;
        res.code = CS_E_UNKNOWN_COMMAND;
        snprintf(res.msg, sizeof res.msg, "unknown command");
        break;
    }
    if (!res.ok) {
        if (res.code == CS_E_INTERNAL)
            log_msg(LOG_ERROR, "%s: %s: %s", peer, cs_verb_name(req.verb), res.msg);
        answer_error(out, res.code, res.msg);
    }
    long long us = cs_now_us() - t0;
    atomic_fetch_add_explicit(&g_stats.latency[lat_bucket(us)], 1, memory_order_relaxed);
    querylog_write(cs_verb_name(req.verb), req.arg, req.arg_len, res.hits, us,
                   res.ok ? NULL : cs_errcode_name(res.code));
}
