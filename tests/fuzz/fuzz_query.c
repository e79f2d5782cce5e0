/* libFuzzer target: the query parser and compiler.  An input's first byte
 * holds the options (bit 0 match "any", bit 1 plain syntax, bit 2 prefix)
 * and the next few the filters to add; the rest is the query text (valid
 * UTF-8, as every transport guarantees), parsed, compiled against a tiny
 * index (wildcards expand in it), built whole (and run) and once without
 * each facet (the facet counts' queries), and spelled, as serve/engine.c
 * does. */
#define FUZZ_WANT_INDEX
#include "fuzz.h"

#include "query/query.h"
#include "text/analyze.h"

/* Filter values an input may add (by the bits of its second byte):
 * canonicalised as the engine canonicalises JSON filters. */
static const char *const filters[] = { "Leicester City", "accountable officer", "Toby Sanders",
                                       "NHS England", "Essex", "", "ccg:x", "NHS Leicester" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return -1;
    cs_query_opts o = { .match_any = data[0] & 1, .plain = data[0] & 2, .prefix = data[0] & 4 };
    unsigned fbits = data[1];
    const char *text = (const char *)data + 2;
    size_t len = size - 2;
    if (memchr(text, '\0', len) || !cs_utf8_valid(text, len))
        return -1;
    char *copy = fuzz_strndup((const uint8_t *)text, len);
    cs_xs_reader *r = fuzz_reader();
    cs_query q;
    cs_err err = { 0 };
    if (cs_query_parse(copy, len, &o, &q, &err)) {
        for (int i = 0; i < 8; i++)
            if (fbits & (1u << i))
                (void)cs_query_add_filter(&q, i % CS_NFACETS, filters[i]);
        if (data[0] & 8)
            cs_query_restrict_dates(&q, "2018-01-01", data[0] & 16 ? "" : "2019-12-31");
        if (cs_query_compile(&q, r, &err)) {
            for (int f = -1; f < CS_NFACETS; f++) {
                cs_xs_query *x = cs_query_build(&q, f);
                if (x && f < 0) {
                    /* Xapian runs what the compiler made. */
                    cs_xs_search_opts so = { .query = x, .limit = 10, .exact_total = 1 };
                    cs_xs_results *res = NULL;
                    (void)cs_xs_search(r, &so, &res);
                    cs_xs_results_free(res);
                }
                cs_xs_query_free(x);
                (void)cs_query_has_filter(&q, f < 0 ? 0 : f);
            }
            char *corrected = NULL;
            (void)cs_query_spell(&q, r, copy, &corrected);
            free(corrected);
        }
    }
    cs_query_free(&q);
    free(copy);
    return 0;
}
