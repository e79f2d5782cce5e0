/* libFuzzer target: the SEARCH decoder.  An input is a SEARCH argument,
 * JSON when it starts with '{' (docs/protocol.md's request object), else
 * query text; cs_search_req_decode() reads it as the line protocol does
 * after framing, which has already refused invalid UTF-8 and NUL bytes. */
#include "fuzz.h"

#include "serve/request.h"
#include "text/analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size) || !cs_utf8_valid((const char *)data, size))
        return -1;
    char *arg = fuzz_strndup(data, size);
    cs_search_req req;
    cs_err err = { 0 };
    (void)cs_search_req_decode(&req, arg, size, &err);
    cs_search_req_free(&req);
    free(arg);
    return 0;
}
