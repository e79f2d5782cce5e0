/* libFuzzer target: the line codec.  An input is one request line as the
 * daemon cuts it (without its LF): framed by cs_proto_parse() and, when
 * that succeeds, decoded by cs_proto_decode() into the typed request of its
 * verb, as searchd/handler.c does; cs_proto_looks_like_http() sees every
 * line, as the daemon's first-line check does. */
#include "fuzz.h"

#include "serve/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The daemon hands the codec a NUL-terminated copy of the line. */
    char *line = fuzz_strndup(data, size);
    cs_err err = { 0 };
    cs_line l;
    (void)cs_proto_looks_like_http(line, size);
    if (cs_proto_parse(line, size, &l, &err) == CS_PARSE_OK) {
        cs_request req;
        (void)cs_proto_decode(&l, &req, &err);
        cs_request_free(&req);
        (void)cs_verb_name(l.verb);
    }
    free(line);
    return 0;
}
