/* The query handler: a decoded request in, one JSON answer line out.
 *
 * An engine owns one Xapian reader and is used by one thread at a time;
 * the daemon gives each worker thread its own, and the benchmarks run one
 * in-process as the floor the daemon is measured against.  No socket code.
 */
#ifndef CCG_ENGINE_H
#define CCG_ENGINE_H

#include "serve/protocol.h"
#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct ccg_engine ccg_engine;

typedef struct ccg_engine_opts {
    unsigned query_timeout_ms;      /* 0: no limit */
} ccg_engine_opts;

/* Open the index at index_dir (an index directory or a Xapian database).
 * NULL with *err (malloc'd) on failure. */
ccg_engine *ccg_engine_open(const char *index_dir, const ccg_engine_opts *opts, char **err);
void ccg_engine_close(ccg_engine *e);

/* See new commits, and reopen after a swap of the index directory.
 * Cheap enough to call between requests. */
void ccg_engine_refresh(ccg_engine *e);
/* Reopen from scratch (SIGHUP). */
void ccg_engine_reopen(ccg_engine *e);

/* The outcome of one request. */
typedef struct ccg_result {
    bool ok;
    ccg_errcode code;       /* when !ok */
    char msg[256];          /* when !ok */
    unsigned hits;          /* SEARCH: number of hits returned, for the log */
} ccg_result;

/* Answer SEARCH arg / GET id / SIMILAR id / WHO arg: on success append one
 * JSON line (ending in LF) to out; otherwise fill res's code and message
 * and append nothing. */
void ccg_engine_search(ccg_engine *e, const char *arg, size_t len, ccg_buf *out, ccg_result *res);
void ccg_engine_get(ccg_engine *e, const char *id, size_t len, ccg_buf *out, ccg_result *res);
void ccg_engine_similar(ccg_engine *e, const char *id, size_t len, ccg_buf *out, ccg_result *res);
void ccg_engine_who(ccg_engine *e, const char *arg, size_t len, ccg_buf *out, ccg_result *res);

/* Index figures for STATS. */
typedef struct ccg_index_stats {
    unsigned doccount;
    char generation[32];
} ccg_index_stats;
void ccg_engine_stats(ccg_engine *e, ccg_index_stats *st);

#endif
