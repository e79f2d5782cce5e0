/* The query engine: typed requests in, typed results out (request.h,
 * result.h).  It knows the index and the query language, and nothing of
 * JSON or of any transport: the codec decodes what it is asked and encodes
 * what it answers.
 *
 * An engine owns one Xapian reader and is used by one thread at a time;
 * the daemon gives each worker thread its own, and the benchmarks run one
 * in-process as the floor the daemon is measured against.
 *
 * Every request function returns true with *res filled (free it with its
 * _free()), or false with err set and *res zeroed (freeing it is harmless):
 * bad_query for a query the language rejects, not_found for an unknown id,
 * bad_request for a WHO without words to look for, timeout past the query
 * time limit, CS_E_NOMEM or CS_E_INDEX (internal) otherwise.
 */
#ifndef CS_ENGINE_H
#define CS_ENGINE_H

#include "core/err.h"
#include "serve/request.h"
#include "serve/result.h"

#include <stdbool.h>

typedef struct cs_engine cs_engine;

typedef struct cs_engine_opts {
    unsigned query_timeout_ms;      /* 0: no limit */
    /* Most memory for the hit summaries held in memory (0:
     * CS_MAX_HIT_MEMORY); past it hits are read from the index. */
    size_t hit_memory;
} cs_engine_opts;

/* Open the index at index_dir (an index directory or a Xapian database).
 * When there is no index there yet (no such directory, or one without a
 * stub or a database, as before the indexer's first commit), the engine
 * serves 0 documents and opens the index when a refresh finds its stub.
 * NULL with err set on failure (an index that cannot be read). */
cs_engine *cs_engine_open(const char *index_dir, const cs_engine_opts *opts, cs_err *err);
/* Whether e reads an index (false: none there yet, 0 documents). */
bool cs_engine_serving(const cs_engine *e);
/* NULL-safe. */
void cs_engine_close(cs_engine *e);

/* See new commits, and reopen after a swap of the index directory.
 * Cheap enough to call between requests.  Returns true when the engine
 * now reads a revision it did not read before. */
bool cs_engine_refresh(cs_engine *e);
/* Reopen from scratch (SIGHUP).  False when that failed: the engine goes
 * on reading what it read before. */
bool cs_engine_reopen(cs_engine *e);
/* After a refresh or reopen that failed to open the index (a swap to a
 * database that cannot be opened, the index deleted), why, once: NULL
 * when nothing failed, or it failed for the same reason as the time
 * before (a refresh that keeps failing is news once, not ten times a
 * second).  The string is e's, valid until the next call on e. */
const char *cs_engine_reopen_failure(cs_engine *e);

/* The next request (SEARCH, SIMILAR, WHO) must be answered by deadline_us
 * (cs_now_us() time), or it fails with timeout; without a call, it has
 * the query time limit from when it starts.  Every Xapian run the request
 * makes shares that one deadline. */
void cs_engine_set_deadline(cs_engine *e, long long deadline_us);
/* The next query (SEARCH, SIMILAR, WHO) is a slice: a SEARCH tried where
 * a costly one must not run (a worker's event loop).  It is answered as
 * usual if it is cheap -- at most CS_SLICE_MAX_HITS hits asked for,
 * CS_SLICE_MAX_TERMS terms, CS_SLICE_MAX_MATCHES documents it may match
 * and CS_SLICE_POSITIONAL_WORK word positions its phrases and NEARs may
 * read (estimated before it runs) -- and done by deadline_us; otherwise
 * it fails with CS_E_DEFER, to be run again without a slice (limits.h).
 * SIMILAR and WHO ignore it, and its deadline. */
void cs_engine_set_slice(cs_engine *e, long long deadline_us);
/* The last request was a slice deferred because it ran past its deadline,
 * not because it was estimated too costly before it ran. */
bool cs_engine_slice_overran(const cs_engine *e);
/* Whether the last slice was deferred (not overrun) as a slow query by its
 * estimates (CS_SLOW_POSTINGS and the rest, lib/core/limits.h): it should
 * go to the query threads kept for slow queries. */
bool cs_engine_slice_costly(const cs_engine *e);

/* Ranked hits and facet counts; when the spelling suggester corrects a
 * query that matches nothing, the corrected query's. */
bool cs_engine_search(cs_engine *e, const cs_search_req *req, cs_search_result *res, cs_err *err);
/* The stored document with id req->id. */
bool cs_engine_get(cs_engine *e, const cs_id_req *req, cs_doc *res, cs_err *err);
/* The articles most like document req->id. */
bool cs_engine_similar(cs_engine *e, const cs_id_req *req, cs_similar_result *res, cs_err *err);
/* Who held which role where: by person, by role (at an organisation), or
 * everyone held a role at an organisation. */
bool cs_engine_who(cs_engine *e, const cs_who_req *req, cs_who_result *res, cs_err *err);

/* Index figures for STATS. */
void cs_engine_stats(cs_engine *e, cs_index_stats *st);

#endif
