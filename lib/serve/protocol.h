/* The line protocol (docs/protocol.md): a request line framed into a verb
 * and its argument, and the argument decoded into a typed request.  No
 * socket code lives here, so tests call it directly and the daemon only
 * cuts its input into lines.  The answers are encoded by response.h; an
 * answer line is the encoded JSON object and LF.
 */
#ifndef CS_PROTOCOL_H
#define CS_PROTOCOL_H

#include "core/err.h"
#include "serve/request.h"

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

/* The verbs and a one-line usage each, as HELP answers them. */
typedef struct cs_verb_help {
    cs_verb verb;
    const char *usage;
    const char *summary;
} cs_verb_help;
extern const cs_verb_help cs_verb_helps[];
extern const size_t cs_nverb_helps;

/* A framed request line: its verb and its argument, trimmed. */
typedef struct cs_line {
    cs_verb verb;
    const char *arg;        /* points into the line; "" when none */
    size_t arg_len;
} cs_line;

enum { CS_PARSE_OK = 0, CS_PARSE_EMPTY = 1, CS_PARSE_ERROR = -1 };

/* Frame one request line (without its LF; a CR before it is dropped).
 * Returns CS_PARSE_OK with *out filled, CS_PARSE_EMPTY for an empty or
 * blank line (which gets no answer), or CS_PARSE_ERROR with err set:
 * invalid UTF-8 or a NUL byte is bad_request, an unknown verb is
 * unknown_command.  A verb that takes no argument but got one, or needs one
 * but got none, is bad_request. */
int cs_proto_parse(const char *line, size_t len, cs_line *out, cs_err *err);

/* Whether line (without its LF) looks like an HTTP request line: an
 * upper-case method, a space, a target, a space and HTTP/x.y (and perhaps
 * a CR), as `GET / HTTP/1.1`.  The daemon refuses such a first line with
 * bad_request rather than read it as a verb (docs/protocol.md). */
bool cs_proto_looks_like_http(const char *line, size_t len);

/* A typed request: the verb and its decoded argument. */
typedef struct cs_request {
    cs_verb verb;
    union {
        cs_search_req search;       /* SEARCH */
        cs_id_req id;               /* GET, SIMILAR */
        cs_who_req who;             /* WHO */
    };                              /* PING, STATS, HELP, QUIT: none */
} cs_request;

/* Decode a framed line's argument into *req (request.h's decoders).
 * Returns true, or false with err set (bad_request, or out of memory).
 * Free *req with cs_request_free() either way. */
bool cs_proto_decode(const cs_line *line, cs_request *req, cs_err *err);
/* Free what req holds.  NULL-safe. */
void cs_request_free(cs_request *req);

#endif
