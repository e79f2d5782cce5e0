/* Request dispatch and server statistics: one request line in, one answer
 * line out.  Called by a worker thread with its own engine; no socket code.
 */
#ifndef CS_SEARCHD_HANDLER_H
#define CS_SEARCHD_HANDLER_H

#include "serve/engine.h"
#include "serve/protocol.h"
#include "core/util.h"

#include <stdatomic.h>
#include <stdbool.h>

/* Latency histogram: LAT_SUB buckets per doubling of microseconds, so a
 * percentile is known within about 9%. */
#define LAT_SUB 8
#define LAT_BUCKETS (LAT_SUB * 26)

typedef struct server_stats {
    long long start_us;
    unsigned workers;
    atomic_long conns_open;
    atomic_ulong conns_total, conns_refused;
    atomic_ulong requests[CS_NVERBS];
    atomic_ulong errors[CS_E_NWIRE];     /* by wire code */
    atomic_ulong latency[LAT_BUCKETS];
} server_stats;

extern server_stats g_stats;

/* Count a protocol error answered outside the handler (line_too_long,
 * overloaded). */
void stats_count_error(cs_errcode code);

/* Handle one request line (without LF) with engine e, appending exactly
 * one answer line to out unless the line is empty.  *close_after is set
 * when the connection must close once the answer is sent (QUIT). */
void handle_line(cs_engine *e, const char *line, size_t len, cs_buf *out,
                 bool *close_after, const char *peer);

#endif
