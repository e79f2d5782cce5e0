/* One error type for the whole of lib/: a code and a message.
 *
 * Every function of lib/ that can fail for more than one reason reports it
 * through a cs_err *: it returns false (or NULL, or -1) and fills the
 * error with a code and a sentence that says what went wrong and where.
 * The err pointer may be NULL when the caller only needs to know that it
 * failed.  The codes are the protocol's wire codes (docs/protocol.md) plus a
 * few internal ones, each of which is answered on the wire as one of the
 * wire codes; cs_errcode_wire() is that mapping, in one table in err.c.
 */
#ifndef CS_ERR_H
#define CS_ERR_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cs_errcode {
    CS_OK = 0,
    /* The wire codes, as docs/protocol.md names them. */
    CS_E_UNKNOWN_COMMAND,
    CS_E_BAD_REQUEST,
    CS_E_BAD_QUERY,
    CS_E_NOT_FOUND,
    CS_E_LINE_TOO_LONG,
    CS_E_TIMEOUT,
    CS_E_OVERLOADED,
    CS_E_INTERNAL,
    CS_E_NWIRE,             /* the wire codes are CS_OK+1 .. CS_E_NWIRE-1 */
    /* Internal codes; on the wire each is one of the codes above. */
    CS_E_NOMEM = CS_E_NWIRE, /* out of memory: internal */
    CS_E_IO,                /* a file system call failed: internal */
    CS_E_INDEX,             /* the Xapian index failed: internal */
    CS_E_INPUT,             /* a malformed input record: bad_request */
    CS_E_DEFER,             /* a slice found the request costly: run it again elsewhere (never sent; internal as a fallback) */
    CS_E_LAST
} cs_errcode;

/* Longest message kept, in bytes with its NUL; longer ones are cut (on a
 * UTF-8 character boundary). */
#define CS_ERR_MSG_BYTES 256

/* The limits of core/limits.h that refuse a request, so that the daemon
 * can count its refusals by limit (STATS "refused"); CS_LIMIT_NONE for an
 * error no limit made. */
typedef enum cs_limit {
    CS_LIMIT_NONE = 0,
    CS_LIMIT_QUERY_TERMS,           /* CS_MAX_QUERY_TERMS (terms, filter values) */
    CS_LIMIT_QUERY_DEPTH,           /* CS_MAX_QUERY_DEPTH */
    CS_LIMIT_NEAR_WINDOW,           /* CS_MAX_NEAR_WINDOW */
    CS_LIMIT_WILDCARD_EXPANSION,    /* CS_MAX_WILDCARD_EXPANSION */
    CS_LIMIT_POSITIONAL_WORK,       /* CS_MAX_POSITIONAL_WORK */
    CS_LIMIT_RESULT_LIMIT,          /* CS_MAX_RESULT_LIMIT */
    CS_LIMIT_RESULT_OFFSET,         /* CS_MAX_RESULT_OFFSET */
    CS_LIMIT_FACET_LIMIT,           /* CS_MAX_FACET_LIMIT */
    CS_LIMIT_SNIPPET_CHARS,         /* CS_MIN_SNIPPET_CHARS, CS_MAX_SNIPPET_CHARS */
    CS_LIMIT_LAST
} cs_limit;

typedef struct cs_err {
    cs_errcode code;
    char msg[CS_ERR_MSG_BYTES];
    cs_limit limit;                 /* the limit that refused, or CS_LIMIT_NONE */
} cs_err;

/* Set *e (NULL-safe) to code and a printf-style message.  Returns false, so
 * that a failing function can end with `return cs_err_set(e, ...);`. */
bool cs_err_set(cs_err *e, cs_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Say that limit l made the error in *e (set just before; NULL-safe).
 * Returns false, as cs_err_set() does.  cs_err_set() forgets it. */
bool cs_err_limit(cs_err *e, cs_limit l);

/* cs_err_set(e, CS_E_NOMEM, "out of memory"): the commonest failure. */
bool cs_err_nomem(cs_err *e);

/* Reset *e to CS_OK and an empty message.  NULL-safe. */
void cs_err_clear(cs_err *e);

/* The wire code a code is answered with (a wire code is its own). */
cs_errcode cs_errcode_wire(cs_errcode code);

/* The wire name of code's wire code: "bad_query", "internal", ...; "ok" for
 * CS_OK.  Static. */
const char *cs_errcode_name(cs_errcode code);

#ifdef __cplusplus
}
#endif

#endif
