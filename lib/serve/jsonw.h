/* A JSON writer for the answers: values appended to a cs_buf.
 *
 * The codec writes every answer with it rather than through jansson trees:
 * a typed result would otherwise be copied into a tree string by string
 * (two allocations each, for every entity of every hit) only to be
 * serialised at once.  The output is byte for byte what jansson's
 * json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(6)) gives for the same
 * values -- the answers have always been written by jansson, and clients
 * (and tests/wire) see no difference -- and tests/unit/test_codec.c holds
 * it to that.
 *
 * Commas are implied: a key or an array element gets one unless it is the
 * first in its container (the byte before it is '{', '[' or ':').  Start a
 * top-level value with cs_jw_open(), which never writes a comma.
 */
#ifndef CS_JSONW_H
#define CS_JSONW_H

#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>

/* '{' or '[' as a value (a comma first when one is due); close with '}' or
 * ']'. */
void cs_jw_open(cs_buf *b, char c);
void cs_jw_close(cs_buf *b, char c);
/* The top-level value's opening: '{' or '[' and never a comma. */
void cs_jw_begin(cs_buf *b, char c);

/* "key": inside an object (key is ASCII without escapes: our own names). */
void cs_jw_key(cs_buf *b, const char *key);

/* A string value, escaped as jansson escapes it: '"' and '\\', the control
 * characters (\b \t \n \f \r, the others as \u00XX); UTF-8 as it is.  Bytes
 * that are not UTF-8 become U+FFFD, so the answer stays valid whatever the
 * index holds (jansson would refuse the whole value). */
void cs_jw_strn(cs_buf *b, const char *s, size_t len);
void cs_jw_str(cs_buf *b, const char *s);
/* A string, or null when s is NULL. */
void cs_jw_str_or_null(cs_buf *b, const char *s);

void cs_jw_int(cs_buf *b, long long v);
void cs_jw_bool(cs_buf *b, bool v);
void cs_jw_null(cs_buf *b);
/* A real with 6 significant digits, as jansson's JSON_REAL_PRECISION(6)
 * writes it ("0.0", "1.64142", "1e-7"); null when v is not finite (jansson
 * has no such value). */
void cs_jw_real(cs_buf *b, double v);

#endif
