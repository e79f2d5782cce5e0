/* Request dispatch: one request line in, one answer line out.  The codec
 * decodes the line into a typed request, the engine answers it with a
 * typed result, the codec encodes that; this file only chooses which
 * engine call and which encoder, and counts and logs.  Called by a worker
 * thread with its own engine; no socket code.
 */
#ifndef CS_SEARCHD_HANDLER_H
#define CS_SEARCHD_HANDLER_H

#include "core/err.h"
#include "log.h"
#include "core/util.h"
#include "serve/engine.h"
#include "serve/protocol.h"

#include <stdbool.h>
#include <stddef.h>

/* Handle one request line (without LF) with engine e, appending exactly
 * one answer line to out unless the line is empty.  *close_after is set
 * when the connection must close once the answer is sent (QUIT). */
void handle_line(cs_engine *e, const char *line, size_t len, cs_buf *out,
                 bool *close_after, const char *peer);
/* The same for a SEARCH line tried as a slice (cs_engine_set_slice(),
 * deadline_us): true once answered, as handle_line() would; false, with
 * nothing appended, counted or logged, when the engine deferred it -- the
 * caller has it answered by handle_line() elsewhere. */
bool handle_line_slice(cs_engine *e, const char *line, size_t len, cs_buf *out,
                       bool *close_after, const char *peer, long long deadline_us);

/* Answer a decoded request with engine e into out (the JSON object, no
 * LF), for either transport.  *found gets the hits or documents returned
 * and all that matched, for the query log (the caller zeroes it); *close_after
 * is set for QUIT.  false with err set
 * when the engine refuses or fails (out may then hold a cut answer: the
 * caller takes it back). */
bool handle_request(cs_engine *e, const cs_request *req, cs_buf *out, querylog_counts *found,
                    bool *close_after, cs_err *err);

/* The one way an error is answered, wherever it arises (a request, a line
 * too long, the connection limit): append the error answer line to out,
 * count it in STATS and log it -- internal errors as errors, overloaded
 * as a warning, line_too_long as info, a client's other mistakes at debug.
 * peer names the client; about (or NULL) says what was asked, for the
 * log: the sanitised request, or the verb. */
void answer_error(cs_buf *out, cs_errcode code, const char *msg, const char *peer,
                  const char *about);

#endif
