/* The line protocol codec (docs/protocol.md): request lines in, error
 * answers out, the SEARCH request decoded.  No socket code lives here, so
 * tests call it directly and the daemon only frames lines.
 */
#ifndef CCG_PROTOCOL_H
#define CCG_PROTOCOL_H

#include "index/schema.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum ccg_verb {
    CCG_VERB_PING,
    CCG_VERB_SEARCH,
    CCG_VERB_GET,
    CCG_VERB_STATS,
    CCG_VERB_HELP,
    CCG_VERB_QUIT,
    CCG_VERB_WHO,           /* extension: who held which role where */
    CCG_VERB_SIMILAR,       /* extension: articles like a given one */
    CCG_VERB_UNKNOWN,
    CCG_NVERBS
} ccg_verb;

typedef enum ccg_errcode {
    CCG_E_UNKNOWN_COMMAND,
    CCG_E_BAD_REQUEST,
    CCG_E_BAD_QUERY,
    CCG_E_NOT_FOUND,
    CCG_E_LINE_TOO_LONG,
    CCG_E_TIMEOUT,
    CCG_E_OVERLOADED,
    CCG_E_INTERNAL,
    CCG_NERRCODES
} ccg_errcode;

/* "unknown_command", ... as on the wire. */
const char *ccg_errcode_name(ccg_errcode code);
/* "PING", ... (upper case); "UNKNOWN" for CCG_VERB_UNKNOWN. */
const char *ccg_verb_name(ccg_verb verb);

typedef struct ccg_request {
    ccg_verb verb;
    const char *arg;        /* points into the line; "" when none */
    size_t arg_len;
} ccg_request;

enum { CCG_PARSE_OK = 0, CCG_PARSE_EMPTY = 1, CCG_PARSE_ERROR = -1 };

/* Parse one request line (without its LF; a CR before it is dropped).
 * Returns CCG_PARSE_OK with *req filled, CCG_PARSE_EMPTY for an empty line
 * (which gets no answer), or CCG_PARSE_ERROR with *code and *msg (static)
 * set: invalid UTF-8 or a NUL byte is bad_request, an unknown verb is
 * unknown_command.  A verb that takes no argument but got one, or needs one
 * but got none, is bad_request. */
int ccg_proto_parse(const char *line, size_t len, ccg_request *req,
                    ccg_errcode *code, const char **msg);

/* An error answer line ({"ok":false,"error":{...}} and LF), malloc'd;
 * NULL when out of memory. */
char *ccg_proto_error(ccg_errcode code, const char *msg);

/* The verbs and a one-line usage each, as HELP answers them. */
typedef struct ccg_verb_help {
    ccg_verb verb;
    const char *usage;
    const char *summary;
} ccg_verb_help;
extern const ccg_verb_help ccg_verb_helps[];
extern const size_t ccg_nverb_helps;

/* --- SEARCH ---------------------------------------------------------------- */

enum { CCG_SORT_RELEVANCE, CCG_SORT_DATE, CCG_SORT_DATE_ASC };
enum { CCG_MATCH_ALL, CCG_MATCH_ANY };

typedef struct ccg_search_req {
    char *q;                            /* query text; "" matches everything */
    char **filter[CCG_NFACETS];         /* filter values per facet, as sent */
    size_t nfilter[CCG_NFACETS];
    char date_from[11], date_to[11];    /* "YYYY-MM-DD" or "" */
    int sort;                           /* CCG_SORT_* */
    int match;                          /* CCG_MATCH_*: how plain words combine */
    unsigned offset, limit;
    bool facet[CCG_NFACETS];            /* facets to count */
    unsigned facet_limit;
    bool snippets;
    unsigned snippet_chars;
} ccg_search_req;

/* Decode a SEARCH argument: plain query text, or a JSON object when its
 * first byte is '{'.  Fills *req with the defaults for what is absent.
 * Returns true, or false with a message in err (errcap bytes) for a
 * bad_request.  Free with ccg_search_req_free() either way. */
bool ccg_proto_search_req(const char *arg, size_t len, ccg_search_req *req,
                          char *err, size_t errcap);
void ccg_search_req_free(ccg_search_req *req);

#endif
