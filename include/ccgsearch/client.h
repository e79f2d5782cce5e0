/* ccgsearch client library: talk to ccg-searchd from C.
 *
 * Link with -lccgsearch (libccgsearch.a or libccgsearch.so, built by
 * `make`).  One ccg_client is one connection; it is not thread-safe, so
 * give each thread its own.  Every function returns a ccg_status; 0 is
 * success.  After a failure, ccg_client_last_error() says what happened.
 *
 * Ownership: strings returned through an out-parameter named answer are
 * malloc'd and freed by the caller with ccg_free().  Strings inside a
 * ccg_results (hits, facet values) belong to it and live until
 * ccg_results_free().  Every destroy function accepts NULL.
 *
 *     ccg_client *c;
 *     ccg_results *r;
 *     if (ccg_client_connect("127.0.0.1", "7700", 5000, &c) == CCG_OK &&
 *         ccg_client_search(c, "joint accountable officer", &r) == CCG_OK) {
 *         ccg_hit h;
 *         for (size_t i = 0; ccg_results_hit(r, i, &h) == CCG_OK; i++)
 *             printf("%u %s %s\n", h.rank, h.id, h.title);
 *         ccg_results_free(r);
 *     }
 *     ccg_client_close(c);
 */
#ifndef CCGSEARCH_CLIENT_H
#define CCGSEARCH_CLIENT_H

#include <ccgsearch/version.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ccg_status {
    CCG_OK = 0,
    CCG_ERR_ARGUMENT,       /* a NULL or malformed argument */
    CCG_ERR_CONNECT,        /* the server could not be reached */
    CCG_ERR_IO,             /* the connection failed, closed or timed out */
    CCG_ERR_PROTOCOL,       /* the answer is not a valid protocol answer */
    CCG_ERR_SERVER,         /* the server answered with an error; see
                               ccg_client_error_code() */
    CCG_ERR_NO_MEMORY,
    CCG_ERR_END,            /* ccg_results_hit(): past the last hit */
    CCG_STATUS_LAST
} ccg_status;

/* A static description of a status, e.g. "cannot connect". */
const char *ccg_status_to_string(ccg_status status);

/* The version of the library actually linked, e.g. "0.9.0" (static; never
 * free it).  CCGSEARCH_VERSION is the version of the header compiled
 * against. */
const char *ccg_version(void);

typedef struct ccg_client ccg_client;

/* Connect over TCP to host:port (e.g. "127.0.0.1", "7700").  timeout_ms
 * bounds the connect and every later read and write (0: no limit).  On
 * failure *out is NULL. */
ccg_status ccg_client_connect(const char *host, const char *port, int timeout_ms,
                              ccg_client **out);
/* Connect over a Unix socket. */
ccg_status ccg_client_connect_unix(const char *path, int timeout_ms, ccg_client **out);
/* Close the connection (sending nothing further) and free it. */
void ccg_client_close(ccg_client *c);

/* What went wrong with the last call on c (never NULL). */
const char *ccg_client_last_error(const ccg_client *c);
/* After CCG_ERR_SERVER: the protocol error code ("bad_query", ...). */
const char *ccg_client_error_code(const ccg_client *c);

/* Send one request line (without LF) and return the server's answer line
 * (without LF) in *answer, whatever it says; free it with ccg_free(). */
ccg_status ccg_client_request(ccg_client *c, const char *line, char **answer);

/* Pipelining: queue requests with ccg_client_send() and read their
 * answers, in order, with ccg_client_recv(). */
ccg_status ccg_client_send(ccg_client *c, const char *line);
ccg_status ccg_client_recv(ccg_client *c, char **answer);

void ccg_free(void *p);

/* --- searching --------------------------------------------------------------- */

typedef struct ccg_results ccg_results;

/* The fields of a hit the client reads for its callers.  The caller
 * allocates this struct, so it never grows within soname
 * libccgsearch.so.1: a hit's other fields are read by name with
 * ccg_results_hit_field() and ccg_results_hit_item() (and person_role is
 * in ccg_results_json()). */
typedef struct ccg_hit {
    unsigned rank;
    double score;
    const char *id;
    const char *title;
    const char *date;       /* "YYYY-MM-DD" or NULL */
    const char *source;     /* or NULL */
    const char *snippet;    /* HTML: escaped text with <mark> tags; or NULL */
} ccg_hit;

typedef struct ccg_facet_value {
    const char *value;
    unsigned count;
} ccg_facet_value;

/* SEARCH: query is query-language text or a JSON object (see
 * docs/protocol.md).  An answer with ok:false gives CCG_ERR_SERVER. */
ccg_status ccg_client_search(ccg_client *c, const char *query, ccg_results **out);

/* Documents matching, over all pages. */
unsigned long ccg_results_total(const ccg_results *r);
/* Hits in this answer. */
size_t ccg_results_count(const ccg_results *r);
/* The i-th hit (0-based); CCG_ERR_END past the last one. */
ccg_status ccg_results_hit(const ccg_results *r, size_t i, ccg_hit *out);
/* A string field of the i-th hit by its protocol name: "url", "author",
 * "section" (and "id", "title", "date", "source", "snippet"); NULL when
 * the hit has no such field, it is null, or there is no i-th hit.  Added
 * after 0.9.0 (symbol version CCGSEARCH_1.1). */
const char *ccg_results_hit_field(const ccg_results *r, size_t i, const char *name);
/* The j-th string of a list of the i-th hit: "tags", or one of its
 * entities by facet ("ccg", "role", "person", "org", "place"), in the
 * order the article names them; NULL past the last.  Added after 0.9.0. */
const char *ccg_results_hit_item(const ccg_results *r, size_t i, const char *list, size_t j);
/* The i-th value of a facet ("ccg", "role", "person", "org", "place");
 * CCG_ERR_END past the last one or for a facet not in the answer. */
ccg_status ccg_results_facet(const ccg_results *r, const char *facet, size_t i,
                             ccg_facet_value *out);
/* The corrected query the server proposes, or NULL. */
const char *ccg_results_corrected(const ccg_results *r);
/* The whole answer line as JSON text. */
const char *ccg_results_json(const ccg_results *r);
void ccg_results_free(ccg_results *r);

#ifdef __cplusplus
}
#endif

#endif
