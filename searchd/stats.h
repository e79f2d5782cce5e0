/* The server's figures for STATS: connections, requests by verb, errors by
 * wire code, a latency histogram.  Counted by every thread with relaxed
 * atomics; only this file touches them.
 */
#ifndef CS_SEARCHD_STATS_H
#define CS_SEARCHD_STATS_H

#include "core/err.h"
#include "serve/protocol.h"
#include "serve/result.h"

#include <stdbool.h>

/* Start the clock; workers is reported as it is. */
void stats_init(unsigned workers);

/* A new client of either transport: counted open (and in the total)
 * unless max are open already, when it returns false and counts nothing.
 * Safe from any thread. */
bool stats_conn_admit(unsigned max);
/* A client refused at the connection limit. */
void stats_conn_refused(void);
/* A request refused by limit r (besides its error answer, if any). */
void stats_refused(cs_refusal r);
/* A SEARCH tried as a slice on a worker's loop was answered there, or
 * deferred to the query threads (pool.h): estimated too costly for a slice
 * before it ran (and perhaps so costly that it goes to the slow lane), or
 * overran its time. */
typedef enum stats_slice_outcome {
    STATS_SLICE_ANSWERED,
    STATS_SLICE_DEFERRED,
    STATS_SLICE_COSTLY,
    STATS_SLICE_OVERRAN
} stats_slice_outcome;
void stats_slice(stats_slice_outcome o);
/* A request that failed with err: counted by limit when a limit refused it. */
void stats_refused_by(const cs_err *err);
/* A reopen of the index failed for why (counted; the last one kept). */
void stats_reopen_failed(const char *why);
/* A fault the daemon survived (a lost query log line, a failed accept). */
void stats_fault(cs_fault f);
/* An admitted client is gone. */
void stats_conn_closed(void);

void stats_request(cs_verb verb);
/* An error answer, counted by its wire code. */
void stats_error(cs_errcode code);
/* How long a request took to answer. */
void stats_latency(long long us);

/* An admitted HTTP connection opened (+1) or closed (-1), besides
 * stats_conn_admit() and stats_conn_closed(). */
void stats_http_conn(int delta);
/* An HTTP request answered with status. */
void stats_http(int status);

/* The server's figures now (everything but r->index), the process's
 * resident memory included. */
void stats_snapshot(cs_stats_result *r);

#endif
