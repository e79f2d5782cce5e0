/* The query handler: a decoded request in, one JSON answer line out.
 *
 * An engine owns one Xapian reader and is used by one thread at a time;
 * the daemon gives each worker thread its own, and the benchmarks run one
 * in-process as the floor the daemon is measured against.  No socket code.
 */
#ifndef CS_ENGINE_H
#define CS_ENGINE_H

#include "serve/protocol.h"
#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct cs_engine cs_engine;

typedef struct cs_engine_opts {
    unsigned query_timeout_ms;      /* 0: no limit */
} cs_engine_opts;

/* Open the index at index_dir (an index directory or a Xapian database).
 * NULL with *err set on failure. */
cs_engine *cs_engine_open(const char *index_dir, const cs_engine_opts *opts, cs_err *err);
void cs_engine_close(cs_engine *e);

/* See new commits, and reopen after a swap of the index directory.
 * Cheap enough to call between requests. */
void cs_engine_refresh(cs_engine *e);
/* Reopen from scratch (SIGHUP). */
void cs_engine_reopen(cs_engine *e);

/* The outcome of one request. */
typedef struct cs_result {
    bool ok;
    cs_errcode code;       /* when !ok */
    char msg[256];          /* when !ok */
    unsigned hits;          /* SEARCH: number of hits returned, for the log */
} cs_result;

/* Answer SEARCH arg / GET id / SIMILAR id / WHO arg: on success append one
 * JSON line (ending in LF) to out; otherwise fill res's code and message
 * and append nothing. */
void cs_engine_search(cs_engine *e, const char *arg, size_t len, cs_buf *out, cs_result *res);
void cs_engine_get(cs_engine *e, const char *id, size_t len, cs_buf *out, cs_result *res);
void cs_engine_similar(cs_engine *e, const char *id, size_t len, cs_buf *out, cs_result *res);
void cs_engine_who(cs_engine *e, const char *arg, size_t len, cs_buf *out, cs_result *res);

/* Index figures for STATS. */
typedef struct cs_index_stats {
    unsigned doccount;
    char generation[32];
} cs_index_stats;
void cs_engine_stats(cs_engine *e, cs_index_stats *st);

#endif
