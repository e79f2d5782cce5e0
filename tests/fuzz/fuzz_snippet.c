/* libFuzzer target: snippets.  An input is "QUERY\nTEXT": its first byte
 * the passage length (times 8 characters, capped like the request's
 * snippet_chars), the query up to the first LF parsed and compiled against
 * the tiny index as a search would (which makes the highlight terms:
 * words, stems, phrases, a prefix), then the best passage of TEXT (valid
 * UTF-8, as a stored body is) chosen, marked and escaped by cs_snippet(). */
#define FUZZ_WANT_INDEX
#include "fuzz.h"

#include "core/limits.h"
#include "query/query.h"
#include "query/snippet.h"
#include "text/analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return -1;
    unsigned chars = 1u + data[0] * 8u;
    if (chars > CS_MAX_SNIPPET_CHARS)
        chars = CS_MAX_SNIPPET_CHARS;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    const char *nl = memchr(s, '\n', n);
    size_t qlen = nl ? (size_t)(nl - s) : 0;
    const char *text = nl ? nl + 1 : s;
    size_t tlen = n - (size_t)(text - s);
    if (memchr(s, '\0', qlen) || !cs_utf8_valid(s, qlen) || !cs_utf8_valid(text, tlen))
        return -1;
    char *qtext = fuzz_strndup((const uint8_t *)s, qlen);
    /* Exact size, so a read past the text's end is caught. */
    char *body = malloc(tlen ? tlen : 1);
    if (!body)
        abort();
    memcpy(body, text, tlen);
    cs_query_opts o = { .prefix = data[0] & 1 };
    cs_query q;
    if (cs_query_parse(qtext, qlen, &o, &q, NULL) && cs_query_compile(&q, fuzz_reader(), NULL)) {
        cs_buf out = { 0 };
        (void)cs_snippet(body, tlen, &q.hl, chars, &out);
        cs_buf_free(&out);
    }
    cs_query_free(&q);
    free(body);
    free(qtext);
    return 0;
}
