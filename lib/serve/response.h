/* The answers' encoder: every answer, error or not, as the JSON object the
 * protocol documents (docs/protocol.md), appended to a cs_buf.
 *
 * These write the JSON body only, without the line protocol's LF, so that
 * another transport (HTTP) sends the same bytes as its body.  Each returns
 * false when out of memory (out->oom is then set and what it holds is
 * incomplete).
 */
#ifndef CS_RESPONSE_H
#define CS_RESPONSE_H

#include "core/err.h"
#include "core/util.h"
#include "serve/result.h"

#include <stdbool.h>

bool cs_encode_search(cs_buf *out, const cs_search_result *r);
/* GET: {"ok":true,"document":{...}}. */
bool cs_encode_document(cs_buf *out, const cs_doc *doc);
bool cs_encode_similar(cs_buf *out, const cs_similar_result *r);
bool cs_encode_who(cs_buf *out, const cs_who_result *r);
bool cs_encode_stats(cs_buf *out, const cs_stats_result *r);
bool cs_encode_help(cs_buf *out);
bool cs_encode_ping(cs_buf *out);
bool cs_encode_quit(cs_buf *out);
/* {"ok":false,"error":{"code":..., "message":...}}: code is answered as its
 * wire code (cs_errcode_wire()). */
bool cs_encode_error(cs_buf *out, cs_errcode code, const char *msg);

#endif
