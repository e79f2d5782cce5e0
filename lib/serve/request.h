/* Typed requests and their decoders: what a client asks, checked and with
 * the defaults filled in, before the engine sees it.
 *
 * Two transports decode into these types: the line protocol (an argument
 * of a request line, plain text or a JSON object; protocol.h) and, next,
 * HTTP (a JSON body, or query parameters).  So each decoder comes in the
 * layers a transport needs:
 *   - from a jansson object: cs_search_req_from_json(), cs_who_req_from_json();
 *   - one field at a time: cs_search_req_field() with a jansson value,
 *     between cs_search_req_init() and cs_search_req_finish(), so that query
 *     parameters get the JSON form's checks and messages;
 *   - from plain text: cs_search_req_from_text(), cs_who_req_from_text();
 *   - from a line argument (JSON when its first byte is '{', else text):
 *     cs_search_req_decode(), cs_who_req_decode(), cs_id_req_decode().
 * Every decoder fails with a cs_err: CS_E_BAD_REQUEST with a message that
 * names the field, or CS_E_NOMEM.  A request is freed with its _free()
 * whether decoding succeeded or not; the free functions accept a request
 * that was never decoded only if it was zeroed.
 */
#ifndef CS_REQUEST_H
#define CS_REQUEST_H

#include "core/err.h"
#include "index/schema.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* --- SEARCH ---------------------------------------------------------------- */

/* The values of "sort" and "match", in the order request.c names them. */
enum { CS_SORT_RELEVANCE, CS_SORT_DATE, CS_SORT_DATE_ASC };
enum { CS_MATCH_ALL, CS_MATCH_ANY };
enum { CS_SYNTAX_QUERY, CS_SYNTAX_PLAIN };

typedef struct cs_search_req {
    char *q;                            /* query text; "" matches everything */
    char **filter[CS_NFACETS];          /* filter values per facet, as sent */
    size_t nfilter[CS_NFACETS];
    char **attr[CS_NATTRS];             /* author, section, tag filters, as sent */
    size_t nattr[CS_NATTRS];
    char date_from[11], date_to[11];    /* "YYYY-MM-DD" or "" */
    int sort;                           /* CS_SORT_* */
    int match;                          /* CS_MATCH_*: how plain words combine */
    int syntax;                         /* CS_SYNTAX_*: how q is read */
    bool prefix;                        /* q's last word may be unfinished */
    unsigned offset, limit;
    bool facet[CS_NFACETS];             /* facets to count */
    unsigned facet_limit;
    bool snippets;
    unsigned snippet_chars;
    /* When q as typed matches nothing, answer its spelling correction's
     * results instead (false: answer q as typed; "corrected" still says). */
    bool correct;
} cs_search_req;

/* The defaults: every facet, 10 hits, snippets, relevance order, q NULL
 * (cs_search_req_finish() makes it ""). */
void cs_search_req_init(cs_search_req *req);
/* Set one field of the JSON form ("q", "filter", "limit", ...) from value;
 * a JSON null leaves q, filter and the dates as they are.  An unknown name
 * is refused. */
bool cs_search_req_field(cs_search_req *req, const char *name, json_t *value, cs_err *err);
/* Is name[0..len) the name of a filter: a facet or a descriptive field
 * (author, section, tag)?  HTTP's query parameters use it. */
bool cs_search_filter_name(const char *name, size_t len);
/* The checks across fields (date_from after date_to) and q's default. */
bool cs_search_req_finish(cs_search_req *req, cs_err *err);
/* init, every field of the object obj, finish. */
bool cs_search_req_from_json(cs_search_req *req, json_t *obj, cs_err *err);
/* init, the query text q[0..len), finish. */
bool cs_search_req_from_text(cs_search_req *req, const char *q, size_t len, cs_err *err);
/* A line's argument: a JSON object when its first byte is '{' (bad JSON is
 * bad_request, saying at which column), else query text. */
bool cs_search_req_decode(cs_search_req *req, const char *arg, size_t len, cs_err *err);
/* Free what req holds and zero it.  NULL-safe. */
void cs_search_req_free(cs_search_req *req);

/* --- GET and SIMILAR ------------------------------------------------------- */

typedef struct cs_id_req {
    char *id;                           /* NUL-terminated, malloc'd */
    size_t len;
} cs_id_req;

/* The document id arg[0..len), as it is (ids are not canonicalised). */
bool cs_id_req_decode(cs_id_req *req, const char *arg, size_t len, cs_err *err);
void cs_id_req_free(cs_id_req *req);

/* --- WHO ------------------------------------------------------------------- */

/* A person, a role at an organisation or anywhere, or an organisation
 * (everyone the archive names there): person alone, role with or without
 * org, or org alone.  Roles and organisations are in their canonical
 * display form when the vocabulary knows them, else as the user wrote
 * them. */
typedef struct cs_who_req {
    char *person, *role, *org;          /* malloc'd, or NULL */
} cs_who_req;

/* {"person": ...}, {"role": ..., "org"|"ccg": ...} or {"org"|"ccg": ...}. */
bool cs_who_req_from_json(cs_who_req *req, json_t *obj, cs_err *err);
/* An ORG or CCG the vocabulary knows (the whole text), else "ROLE at ORG",
 * else a ROLE the vocabulary knows, else a PERSON. */
bool cs_who_req_from_text(cs_who_req *req, const char *s, size_t len, cs_err *err);
/* A line's argument: JSON when its first byte is '{', else text. */
bool cs_who_req_decode(cs_who_req *req, const char *arg, size_t len, cs_err *err);
void cs_who_req_free(cs_who_req *req);

#endif
