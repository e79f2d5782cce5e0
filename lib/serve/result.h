/* Typed results: what the engine answers, and what the codec encodes
 * (response.h).  C structs, never JSON.
 *
 * Ownership: a result filled by the engine owns everything it points to,
 * directly or through private members; it lives until its _free(), which
 * accepts a zeroed result and zeroes it again.  Strings are valid UTF-8.
 */
#ifndef CS_RESULT_H
#define CS_RESULT_H

#include "core/err.h"
#include "index/schema.h"
#include "serve/protocol.h"
#include "serve/stored.h"

#include <stdbool.h>
#include <stddef.h>

/* One hit of SEARCH or SIMILAR: its rank (1-based across pages), its score
 * and its stored document (the hit summary, or the whole document when a
 * snippet was made from its body). */
typedef struct cs_hit {
    unsigned rank;
    double score;
    cs_doc doc;
    char *snippet;          /* HTML-safe passage (malloc'd), or NULL: none asked */
    size_t snippet_len;
} cs_hit;

typedef struct cs_facet_count {
    const char *value;
    unsigned count;
} cs_facet_count;

/* One facet's most frequent values, most frequent first. */
typedef struct cs_facet_list {
    bool asked;             /* the request counted this facet */
    cs_facet_count *values;
    size_t n;
} cs_facet_list;

typedef struct cs_search_result {
    unsigned total;         /* matches over all pages */
    bool total_exact;
    unsigned offset, limit; /* as asked */
    cs_hit *hits;
    size_t nhits;
    cs_facet_list facets[CS_NFACETS];
    char *corrected;        /* the spelling suggester's query, or NULL */
    bool corrected_results; /* the hits and facets are corrected's */
    long long took_us;
    struct cs_xs_results *runs_[1 + CS_NFACETS];  /* private: where facet values live */
} cs_search_result;
void cs_search_result_free(cs_search_result *r);

typedef struct cs_similar_result {
    char *id;               /* the document asked about */
    cs_hit *hits;
    size_t nhits;
    long long took_us;
} cs_similar_result;
void cs_similar_result_free(cs_similar_result *r);

/* WHO: the statements found, grouped by (person, role, organisation), each
 * with the documents that make it, newest first; answers in the order of
 * their newest document. */
typedef struct cs_who_doc {
    const char *id, *title, *date;      /* date NULL: undated */
} cs_who_doc;

typedef struct cs_who_answer {
    const char *person, *role, *org;    /* NULL: null */
    cs_who_doc *docs;
    size_t ndocs, capdocs_;
} cs_who_answer;

typedef struct cs_who_result {
    char *person, *role, *org;          /* the question (malloc'd), or NULL */
    unsigned documents;                 /* documents stating it, all of them */
    bool truncated;                     /* more than were read */
    size_t nread;                       /* documents read */
    long long took_us;
    cs_who_answer *answers;
    size_t nanswers, capanswers_;
    cs_doc *docs_;                      /* private: the documents read */
    size_t ndocs_;
} cs_who_result;
void cs_who_result_free(cs_who_result *r);

/* The index's figures, from the engine. */
typedef struct cs_index_stats {
    unsigned doccount;
    char generation[32];
    size_t facet_bytes;     /* the in-memory facet columns of the reader */
    size_t hit_bytes;       /* the hit summaries it holds in memory */
    bool open;              /* false: no index there yet, 0 documents served */
    long long disk_bytes;   /* the index directory's files, -1 when unknown */
    long long last_commit;  /* the indexer's last commit, Unix seconds; -1 unknown */
} cs_index_stats;

/* Faults the daemon survived, which STATS counts by name ("faults"). */
typedef enum cs_fault {
    CS_FAULT_QUERY_LOG_WRITE,       /* a query log line lost (a full disk) */
    CS_FAULT_QUERY_LOG_REOPEN,      /* SIGHUP could not reopen the query log */
    CS_FAULT_ACCEPT,                /* accept() failed (out of descriptors) */
    CS_FAULT_INDEX_READ,            /* a request failed reading the index */
    CS_NFAULTS
} cs_fault;

/* "query_log_write_failures", ...: the key of each in STATS. */
const char *cs_fault_name(cs_fault f);

/* The limits whose refusals STATS counts, by name ("refused"). */
typedef enum cs_refusal {
    CS_REFUSED_CONNECTIONS,         /* --max-connections */
    CS_REFUSED_PER_ADDRESS,         /* --max-connections-per-address */
    CS_REFUSED_DESCRIPTORS,         /* no file descriptor left (RLIMIT_NOFILE) */
    CS_REFUSED_LINE_TOO_LONG,       /* --max-line */
    CS_REFUSED_QUERY_TIMEOUT,       /* --query-timeout */
    CS_REFUSED_HTTP_BODY,           /* CS_HTTP_MAX_BODY_BYTES */
    CS_REFUSED_HTTP_HEADERS,        /* CS_HTTP_MAX_HEADERS_BYTES */
    CS_REFUSED_REQUEST_TIMEOUT,     /* --request-timeout */
    /* The limits a request's content crosses, as cs_err's limit says. */
    CS_REFUSED_QUERY_TERMS,         /* CS_MAX_QUERY_TERMS */
    CS_REFUSED_QUERY_DEPTH,         /* CS_MAX_QUERY_DEPTH */
    CS_REFUSED_NEAR_WINDOW,         /* CS_MAX_NEAR_WINDOW */
    CS_REFUSED_WILDCARD_EXPANSION,  /* CS_MAX_WILDCARD_EXPANSION */
    CS_REFUSED_POSITIONAL_WORK,     /* CS_MAX_POSITIONAL_WORK */
    CS_REFUSED_RESULT_LIMIT,        /* CS_MAX_RESULT_LIMIT */
    CS_REFUSED_RESULT_OFFSET,       /* CS_MAX_RESULT_OFFSET */
    CS_REFUSED_FACET_LIMIT,         /* CS_MAX_FACET_LIMIT */
    CS_REFUSED_SNIPPET_CHARS,       /* CS_MIN_SNIPPET_CHARS, CS_MAX_SNIPPET_CHARS */
    CS_NREFUSALS
} cs_refusal;

/* "connections", "line_too_long", ...: the key of each in STATS. */
const char *cs_refusal_name(cs_refusal r);
/* The refusal a limit of an error (cs_err's limit) is counted as;
 * CS_NREFUSALS for CS_LIMIT_NONE. */
cs_refusal cs_refusal_of_limit(cs_limit l);

/* STATS: the server's figures (searchd/stats.c) and the index's. */
typedef struct cs_stats_result {
    long long uptime_s;
    unsigned workers;
    long conns_open;
    unsigned long conns_total, conns_refused;
    unsigned long requests[CS_NVERBS];
    unsigned long errors[CS_E_NWIRE];   /* by wire code */
    unsigned long latency_count;
    /* SEARCHes tried as slices on the workers' loops: answered there, and
     * deferred to the query threads (searchd/pool.h); of those deferred,
     * the ones that overran CS_SLICE_US rather than being estimated
     * costly before they ran, and the ones estimated slow queries (sent to
     * the slow lane, CS_SLOW_POSTINGS and the rest). */
    unsigned long slices_answered, slices_deferred, slices_overran, slices_costly;
    long long latency_p50_us, latency_p99_us;
    cs_index_stats index;
    /* HTTP (searchd --http): the open connections among conns_open, and
     * the requests, which the figures above do not count: all of them,
     * and those answered 4xx and 5xx. */
    long http_conns_open;
    unsigned long http_requests, http_client_errors, http_server_errors;
    /* Requests and connections refused by each limit. */
    unsigned long refused[CS_NREFUSALS];
    /* Failed reopens of the index (each worker counts each new failure
     * once, see cs_engine_reopen_failure()) and the last one's reason,
     * "" when none failed. */
    unsigned long reopen_failures;
    char last_reopen_error[256];
    unsigned long faults[CS_NFAULTS];
    long long rss_bytes;                /* the daemon's resident memory, -1 unknown */
} cs_stats_result;

/* Free the hits of a SEARCH or SIMILAR result. */
void cs_hits_free(cs_hit *hits, size_t n);

#endif
