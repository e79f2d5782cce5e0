/* Server statistics; see stats.h. */
#include "stats.h"
#include "core/util.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

/* Latency histogram: LAT_SUB buckets per doubling of microseconds, so a
 * percentile is known within about 9%. */
#define LAT_SUB 8
#define LAT_BUCKETS (LAT_SUB * 26)

static struct {
    long long start_us;
    unsigned workers;
    atomic_long conns_open, http_conns_open;
    atomic_ulong conns_total, conns_refused;
    atomic_ulong requests[CS_NVERBS];
    atomic_ulong errors[CS_E_NWIRE];
    atomic_ulong latency[LAT_BUCKETS];
    atomic_ulong http_requests, http_4xx, http_5xx;
    atomic_ulong refused[CS_NREFUSALS];
    atomic_ulong reopen_failures;
    atomic_ulong slices_answered, slices_deferred, slices_costly, slices_overran;
    atomic_ulong faults[CS_NFAULTS];
    pthread_mutex_t reopen_lock;    /* guards last_reopen_error */
    char last_reopen_error[sizeof ((cs_stats_result *)0)->last_reopen_error];
} st = { .reopen_lock = PTHREAD_MUTEX_INITIALIZER };

static void add(atomic_ulong *n)
{
    atomic_fetch_add_explicit(n, 1, memory_order_relaxed);
}

void stats_init(unsigned workers)
{
    st.start_us = cs_now_us();
    st.workers = workers;
}

bool stats_conn_admit(unsigned max)
{
    /* The acceptor thread admits line-protocol clients and every worker
     * its HTTP ones, so the test and the increment are one compare and
     * swap: two threads cannot both take the last place. */
    long open = atomic_load(&st.conns_open);
    do {
        if (open >= (long)max)
            return false;
    } while (!atomic_compare_exchange_weak(&st.conns_open, &open, open + 1));
    add(&st.conns_total);
    return true;
}

void stats_conn_refused(void)
{
    add(&st.conns_refused);
}

void stats_refused(cs_refusal r)
{
    if ((unsigned)r < CS_NREFUSALS)
        add(&st.refused[r]);
}

void stats_slice(stats_slice_outcome o)
{
    if (o == STATS_SLICE_ANSWERED) {
        add(&st.slices_answered);
        return;
    }
    add(&st.slices_deferred);
    if (o == STATS_SLICE_OVERRAN)
        add(&st.slices_overran);
    if (o == STATS_SLICE_COSTLY)
        add(&st.slices_costly);
}

void stats_refused_by(const cs_err *err)
{
    if (err && err->limit != CS_LIMIT_NONE)
        stats_refused(cs_refusal_of_limit(err->limit));
}

void stats_reopen_failed(const char *why)
{
    add(&st.reopen_failures);
    pthread_mutex_lock(&st.reopen_lock);
    snprintf(st.last_reopen_error, sizeof st.last_reopen_error, "%s", why);
    pthread_mutex_unlock(&st.reopen_lock);
}

void stats_fault(cs_fault f)
{
    if ((unsigned)f < CS_NFAULTS)
        add(&st.faults[f]);
}

/* Resident memory from /proc/self/statm (its second field, in pages). */
static long long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "re");
    unsigned long long size, resident;
    int n = f ? fscanf(f, "%llu %llu", &size, &resident) : 0;
    if (f)
        fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return n == 2 && page > 0 ? (long long)(resident * (unsigned long long)page) : -1;
}

void stats_conn_closed(void)
{
    atomic_fetch_sub(&st.conns_open, 1);
}

void stats_http_conn(int delta)
{
    atomic_fetch_add(&st.http_conns_open, delta);
}

void stats_request(cs_verb verb)
{
    add(&st.requests[(unsigned)verb < CS_NVERBS ? verb : CS_VERB_UNKNOWN]);
}

void stats_error(cs_errcode code)
{
    add(&st.errors[cs_errcode_wire(code)]);
}

void stats_http(int status)
{
    add(&st.http_requests);
    if (status >= 500)
        add(&st.http_5xx);
    else if (status >= 400)
        add(&st.http_4xx);
}

static unsigned lat_bucket(long long us)
{
    if (us < 1)
        us = 1;
    double b = log2((double)us) * LAT_SUB;
    unsigned i = (unsigned)b;
    return i >= LAT_BUCKETS ? LAT_BUCKETS - 1 : i;
}

void stats_latency(long long us)
{
    add(&st.latency[lat_bucket(us)]);
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

void stats_snapshot(cs_stats_result *r)
{
    unsigned long hist[LAT_BUCKETS], total = 0;
    r->uptime_s = (cs_now_us() - st.start_us) / 1000000;
    r->workers = st.workers;
    r->conns_open = atomic_load(&st.conns_open);
    r->conns_total = atomic_load(&st.conns_total);
    r->conns_refused = atomic_load(&st.conns_refused);
    for (int v = 0; v < CS_NVERBS; v++)
        r->requests[v] = atomic_load(&st.requests[v]);
    memset(r->errors, 0, sizeof r->errors);
    for (int c = CS_OK + 1; c < CS_E_NWIRE; c++)
        r->errors[c] = atomic_load(&st.errors[c]);
    for (unsigned i = 0; i < LAT_BUCKETS; i++) {
        hist[i] = atomic_load_explicit(&st.latency[i], memory_order_relaxed);
        total += hist[i];
    }
    r->latency_count = total;
    r->slices_answered = atomic_load(&st.slices_answered);
    r->slices_deferred = atomic_load(&st.slices_deferred);
    r->slices_overran = atomic_load(&st.slices_overran);
    r->slices_costly = atomic_load(&st.slices_costly);
    r->http_conns_open = atomic_load(&st.http_conns_open);
    r->http_requests = atomic_load(&st.http_requests);
    r->http_client_errors = atomic_load(&st.http_4xx);
    r->http_server_errors = atomic_load(&st.http_5xx);
    /* The connection limit and the line-protocol's errors are counted
     * where they always were; the rest by stats_refused(). */
    for (int i = 0; i < CS_NREFUSALS; i++)
        r->refused[i] = atomic_load(&st.refused[i]);
    /* connections.refused counts every client refused; by limit, those
     * refused for their address or for want of a descriptor are apart. */
    unsigned long other = r->refused[CS_REFUSED_PER_ADDRESS] + r->refused[CS_REFUSED_DESCRIPTORS];
    r->refused[CS_REFUSED_CONNECTIONS] = r->conns_refused > other ? r->conns_refused - other : 0;
    r->refused[CS_REFUSED_LINE_TOO_LONG] = r->errors[CS_E_LINE_TOO_LONG];
    /* A timeout answer is a query's (--query-timeout) or a request's
     * that was not finished in time (--request-timeout). */
    unsigned long late = r->refused[CS_REFUSED_REQUEST_TIMEOUT];
    r->refused[CS_REFUSED_QUERY_TIMEOUT] = r->errors[CS_E_TIMEOUT] > late ? r->errors[CS_E_TIMEOUT] - late : 0;
    r->reopen_failures = atomic_load(&st.reopen_failures);
    pthread_mutex_lock(&st.reopen_lock);
    memcpy(r->last_reopen_error, st.last_reopen_error, sizeof r->last_reopen_error);
    pthread_mutex_unlock(&st.reopen_lock);
    for (int i = 0; i < CS_NFAULTS; i++)
        r->faults[i] = atomic_load(&st.faults[i]);
    r->rss_bytes = rss_bytes();
    r->latency_p50_us = lat_percentile(hist, total, 0.50);
    r->latency_p99_us = lat_percentile(hist, total, 0.99);
}
