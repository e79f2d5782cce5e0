/* libFuzzer target: the HTTP request path's decoders.  searchd/http.c
 * keeps them static (search_from_query(), who_from_query(), id_from_path()),
 * so this target includes that file whole and links the rest of the
 * daemon but main.c: what is fuzzed is the daemon's own code, not a copy.
 * An input's first byte picks the route and the rest is what evhttp hands
 * that decoder: the query string of GET /search or GET /who (still
 * percent-encoded), or the rest of the path after /documents/. */
#include "../../searchd/http.c"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return -1;
    /* evhttp's parsed URI has no NUL inside its parts. */
    if (memchr(data + 1, '\0', size - 1))
        return -1;
    char *s = fuzz_strndup(data + 1, size - 1);
    cs_err err = { 0 };
    switch (data[0] % 3) {
    case 0: {
        cs_search_req req;
        (void)search_from_query(&req, s, &err);
        cs_search_req_free(&req);
        break;
    }
    case 1: {
        cs_who_req req = { 0 };
        (void)who_from_query(&req, s, &err);
        cs_who_req_free(&req);
        break;
    }
    default: {
        call c;
        memset(&c, 0, sizeof c);
        (void)id_from_path(&c, s);
        cs_id_req_free(&c.rq.id);
        break;
    }
    }
    free(s);
    return 0;
}
