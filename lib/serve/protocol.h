/* The line protocol codec (docs/protocol.md): request lines in, error
 * answers out, the SEARCH request decoded.  No socket code lives here, so
 * tests call it directly and the daemon only frames lines.
 */
#ifndef CS_PROTOCOL_H
#define CS_PROTOCOL_H

#include "core/err.h"
#include "index/schema.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum cs_verb {
    CS_VERB_PING,
    CS_VERB_SEARCH,
    CS_VERB_GET,
    CS_VERB_STATS,
    CS_VERB_HELP,
    CS_VERB_QUIT,
    CS_VERB_WHO,           /* extension: who held which role where */
    CS_VERB_SIMILAR,       /* extension: articles like a given one */
    CS_VERB_UNKNOWN,
    CS_NVERBS
} cs_verb;

/* "PING", ... (upper case); "UNKNOWN" for CS_VERB_UNKNOWN. */
const char *cs_verb_name(cs_verb verb);

typedef struct cs_request {
    cs_verb verb;
    const char *arg;        /* points into the line; "" when none */
    size_t arg_len;
} cs_request;

enum { CS_PARSE_OK = 0, CS_PARSE_EMPTY = 1, CS_PARSE_ERROR = -1 };

/* Parse one request line (without its LF; a CR before it is dropped).
 * Returns CS_PARSE_OK with *req filled, CS_PARSE_EMPTY for an empty line
 * (which gets no answer), or CS_PARSE_ERROR with *code and *msg (static)
 * set: invalid UTF-8 or a NUL byte is bad_request, an unknown verb is
 * unknown_command.  A verb that takes no argument but got one, or needs one
 * but got none, is bad_request. */
int cs_proto_parse(const char *line, size_t len, cs_request *req,
                    cs_errcode *code, const char **msg);

/* An error answer line ({"ok":false,"error":{...}} and LF), malloc'd;
 * NULL when out of memory. */
char *cs_proto_error(cs_errcode code, const char *msg);

/* The verbs and a one-line usage each, as HELP answers them. */
typedef struct cs_verb_help {
    cs_verb verb;
    const char *usage;
    const char *summary;
} cs_verb_help;
extern const cs_verb_help cs_verb_helps[];
extern const size_t cs_nverb_helps;

/* --- SEARCH ---------------------------------------------------------------- */

enum { CS_SORT_RELEVANCE, CS_SORT_DATE, CS_SORT_DATE_ASC };
enum { CS_MATCH_ALL, CS_MATCH_ANY };

typedef struct cs_search_req {
    char *q;                            /* query text; "" matches everything */
    char **filter[CS_NFACETS];         /* filter values per facet, as sent */
    size_t nfilter[CS_NFACETS];
    char date_from[11], date_to[11];    /* "YYYY-MM-DD" or "" */
    int sort;                           /* CCG_SORT_* */
    int match;                          /* CCG_MATCH_*: how plain words combine */
    unsigned offset, limit;
    bool facet[CS_NFACETS];            /* facets to count */
    unsigned facet_limit;
    bool snippets;
    unsigned snippet_chars;
} cs_search_req;

/* Decode a SEARCH argument: plain query text, or a JSON object when its
 * first byte is '{'.  Fills *req with the defaults for what is absent.
 * Returns true, or false with a message in err (errcap bytes) for a
 * bad_request.  Free with cs_search_req_free() either way. */
bool cs_proto_search_req(const char *arg, size_t len, cs_search_req *req,
                          char *err, size_t errcap);
void cs_search_req_free(cs_search_req *req);

#endif
