/* libFuzzer target: the WHO decoder.  An input is a WHO argument, JSON when
 * it starts with '{' ({"person": ...}, {"role": ..., "org": ...}), else text
 * ("accountable officer at West Leicestershire"), read by
 * cs_who_req_decode() as after framing (valid UTF-8, no NUL). */
#include "fuzz.h"

#include "serve/request.h"
#include "text/analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size) || !cs_utf8_valid((const char *)data, size))
        return -1;
    char *arg = fuzz_strndup(data, size);
    cs_who_req req = { 0 };
    cs_err err = { 0 };
    (void)cs_who_req_decode(&req, arg, size, &err);
    cs_who_req_free(&req);
    free(arg);
    return 0;
}
