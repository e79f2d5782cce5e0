/* Unit tests of the codec: every verb's request decoded into its typed
 * form, every result type encoded to its exact JSON, and the JSON writer
 * held to jansson's output.  No index and no sockets: results are built
 * here by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/limits.h"
#include "serve/jsonw.h"
#include "serve/protocol.h"
#include "serve/response.h"
#include "serve/result.h"

#include <ccgsearch/version.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frame and decode one request line. */
static bool decode_line(const char *line, cs_request *req, cs_err *err)
{
    cs_line ln;
    memset(req, 0, sizeof *req);
    assert_int_equal(cs_proto_parse(line, strlen(line), &ln, err), CS_PARSE_OK);
    return cs_proto_decode(&ln, req, err);
}

static void every_verb_decodes(void **state)
{
    (void)state;
    cs_request r;
    cs_err err;
    static const struct {
        const char *line;
        cs_verb verb;
    } bare[] = { { "PING", CS_VERB_PING }, { "stats", CS_VERB_STATS },
                 { "Help", CS_VERB_HELP }, { "QUIT", CS_VERB_QUIT } };
    for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++) {
        assert_true(decode_line(bare[i].line, &r, &err));
        assert_int_equal(r.verb, bare[i].verb);
        cs_request_free(&r);
    }

    assert_true(decode_line("SEARCH joint accountable officer", &r, &err));
    assert_int_equal(r.verb, CS_VERB_SEARCH);
    assert_string_equal(r.search.q, "joint accountable officer");
    assert_int_equal(r.search.limit, CS_DEFAULT_RESULT_LIMIT);
    cs_request_free(&r);
    assert_true(decode_line("SEARCH", &r, &err));
    assert_string_equal(r.search.q, "");
    cs_request_free(&r);
    assert_true(decode_line("SEARCH {\"q\":\"merger\",\"filter\":{\"ccg\":\"Corby\"},\"match\":\"any\","
                            "\"snippet_chars\":50,\"sort\":\"date_asc\"}", &r, &err));
    assert_string_equal(r.search.q, "merger");
    assert_int_equal(r.search.nfilter[CS_FACET_CCG], 1);
    assert_string_equal(r.search.filter[CS_FACET_CCG][0], "Corby");
    assert_int_equal(r.search.match, CS_MATCH_ANY);
    assert_int_equal(r.search.snippet_chars, 50);
    assert_int_equal(r.search.sort, CS_SORT_DATE_ASC);
    cs_request_free(&r);

    assert_true(decode_line("GET  002_384a417d6ab5e7e1 ", &r, &err));
    assert_int_equal(r.verb, CS_VERB_GET);
    assert_string_equal(r.id.id, "002_384a417d6ab5e7e1");
    assert_int_equal(r.id.len, 20);
    cs_request_free(&r);
    assert_true(decode_line("SIMILAR abc", &r, &err));
    assert_int_equal(r.verb, CS_VERB_SIMILAR);
    assert_string_equal(r.id.id, "abc");
    cs_request_free(&r);

    /* WHO: role at organisation, role, person; roles and organisations in
     * their canonical display forms. */
    assert_true(decode_line("WHO accountable officer at West Leicestershire", &r, &err));
    assert_int_equal(r.verb, CS_VERB_WHO);
    assert_null(r.who.person);
    assert_string_equal(r.who.role, "accountable officer");
    assert_string_equal(r.who.org, "NHS West Leicestershire CCG");
    cs_request_free(&r);
    assert_true(decode_line("WHO clinical chair", &r, &err));
    assert_string_equal(r.who.role, "clinical chair");
    assert_null(r.who.org);
    cs_request_free(&r);
    assert_true(decode_line("WHO Toby Sanders", &r, &err));
    assert_string_equal(r.who.person, "Toby Sanders");
    assert_null(r.who.role);
    cs_request_free(&r);
    assert_true(decode_line("WHO {\"role\":\"chief executive\",\"ccg\":\"Corby\"}", &r, &err));
    assert_string_equal(r.who.role, "chief executive");
    assert_string_equal(r.who.org, "NHS Corby CCG");
    cs_request_free(&r);
}

/* WHO about an organisation: the whole text an organisation or CCG the
 * vocabulary knows comes before "ROLE at ORG", a role and a person. */
static void who_decodes_organisation_questions(void **state)
{
    (void)state;
    static const struct {
        const char *line, *org;
    } orgs[] = {
        { "WHO NHS Crawley CCG", "NHS Crawley CCG" },
        { "WHO Crawley CCG", "NHS Crawley CCG" },
        { "WHO Leicester City", "NHS Leicester City CCG" },
        { "WHO Babylon GP at Hand", "GP at Hand" },          /* not a role at "Hand" */
        { "WHO {\"org\":\"NHS Crawley CCG\"}", "NHS Crawley CCG" },
        { "WHO {\"ccg\":\"Corby\"}", "NHS Corby CCG" },
        { "WHO {\"org\":\"NHS Nowhere CCG\"}", "NHS Nowhere CCG" }, /* as written */
    };
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
        cs_request r;
        cs_err err;
        assert_true(decode_line(orgs[i].line, &r, &err));
        assert_int_equal(r.verb, CS_VERB_WHO);
        assert_null(r.who.person);
        assert_null(r.who.role);
        assert_string_equal(r.who.org, orgs[i].org);
        cs_request_free(&r);
    }
    /* Text the vocabulary does not know as an organisation is a person. */
    cs_request r;
    cs_err err;
    assert_true(decode_line("WHO NHS Nowhere CCG", &r, &err));
    assert_string_equal(r.who.person, "NHS Nowhere CCG");
    assert_null(r.who.org);
    cs_request_free(&r);
    /* A role at a CCG is still a role at a CCG. */
    assert_true(decode_line("WHO clinical chair at NHS Crawley CCG", &r, &err));
    assert_string_equal(r.who.role, "clinical chair");
    assert_string_equal(r.who.org, "NHS Crawley CCG");
    cs_request_free(&r);
}

static void decode_errors_say_what(void **state)
{
    (void)state;
    static const struct {
        const char *line, *msg;
    } bad[] = {
        { "SEARCH {\"q\": \"merger\"", "bad JSON at column 14: '}' expected near end of file" },
        { "SEARCH {\"limt\": 5}", "unknown field \"limt\" in SEARCH" },
        { "SEARCH {\"limit\": 101}", "\"limit\" must be an integer from 0 to 100" },
        { "SEARCH {\"date_from\":\"2019-01-02\",\"date_to\":\"2019-01-01\"}",
          "\"date_from\" is after \"date_to\"" },
        { "WHO {\"person\": \"x\", \"role\": \"chair\"}",
          "WHO asks about a person, or a role (at an organisation)" },
        { "WHO {\"colour\": \"red\"}", "WHO takes \"person\", or \"role\" with an optional "
          "\"org\" (or \"ccg\"), each a non-empty string" },
        { "WHO {\"org\":\"Corby\",\"person\":\"x\"}",
          "WHO asks about a person, or a role (at an organisation)" },
        { "WHO {}", "WHO asks about a person, or a role (at an organisation)" },
        { "WHO {\"person\":", "bad JSON at column 10: unexpected token near end of file" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cs_request r;
        cs_err err;
        assert_false(decode_line(bad[i].line, &r, &err));
        assert_int_equal(err.code, CS_E_BAD_REQUEST);
        assert_string_equal(err.msg, bad[i].msg);
        cs_request_free(&r);
    }
}

/* What an HTTP front end does with query parameters: one field at a time,
 * with the JSON form's checks. */
static void search_decodes_field_by_field(void **state)
{
    (void)state;
    cs_search_req req;
    cs_err err;
    cs_search_req_init(&req);
    json_t *q = json_string("merger"), *limit = json_integer(3), *big = json_integer(101);
    json_t *facets = json_pack("[s]", "role");
    assert_true(cs_search_req_field(&req, "q", q, &err));
    assert_true(cs_search_req_field(&req, "limit", limit, &err));
    assert_true(cs_search_req_field(&req, "facets", facets, &err));
    assert_true(cs_search_req_field(&req, "offset", big, &err));
    assert_int_equal(req.offset, 101);
    assert_false(cs_search_req_field(&req, "limit", big, &err));
    assert_string_equal(err.msg, "\"limit\" must be an integer from 0 to 100");
    assert_false(cs_search_req_field(&req, "colour", q, &err));
    assert_string_equal(err.msg, "unknown field \"colour\" in SEARCH");
    assert_true(cs_search_req_finish(&req, &err));
    assert_string_equal(req.q, "merger");
    assert_int_equal(req.limit, 3);
    assert_true(req.facet[CS_FACET_ROLE]);
    assert_false(req.facet[CS_FACET_CCG]);
    cs_search_req_free(&req);
    json_decref(q);
    json_decref(limit);
    json_decref(big);
    json_decref(facets);
}

/* "syntax" and "prefix": their defaults, their values, their refusals. */
static void search_decodes_syntax_and_prefix(void **state)
{
    (void)state;
    cs_request r;
    cs_err err;
    assert_true(decode_line("SEARCH merger", &r, &err));
    assert_int_equal(r.search.syntax, CS_SYNTAX_QUERY);
    assert_false(r.search.prefix);
    cs_request_free(&r);
    assert_true(decode_line("SEARCH {\"q\":\"merg\",\"syntax\":\"plain\",\"prefix\":true}", &r,
                            &err));
    assert_int_equal(r.search.syntax, CS_SYNTAX_PLAIN);
    assert_true(r.search.prefix);
    cs_request_free(&r);
    assert_true(decode_line("SEARCH {\"syntax\":\"query\",\"prefix\":false}", &r, &err));
    assert_int_equal(r.search.syntax, CS_SYNTAX_QUERY);
    assert_false(r.search.prefix);
    cs_request_free(&r);
    static const struct {
        const char *line, *msg;
    } bad[] = {
        { "SEARCH {\"syntax\":\"Plain\"}", "\"syntax\" must be \"query\" or \"plain\"" },
        { "SEARCH {\"syntax\":1}", "\"syntax\" must be \"query\" or \"plain\"" },
        { "SEARCH {\"prefix\":1}", "\"prefix\" must be true or false" },
        { "SEARCH {\"prefix\":\"true\"}", "\"prefix\" must be true or false" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(decode_line(bad[i].line, &r, &err));
        assert_int_equal(err.code, CS_E_BAD_REQUEST);
        assert_string_equal(err.msg, bad[i].msg);
        cs_request_free(&r);
    }
}

/* --- encoders ------------------------------------------------------------- */

static const char stored[] =
    "{\"id\":\"d1\",\"title\":\"A \\\"merger\\\"\",\"date\":\"2018-12-12\",\"source\":null,"
    "\"url\":null,\"entities\":{\"ccg\":[\"NHS Corby CCG\"],\"role\":[\"clinical chair\"],"
    "\"person\":[\"Ann Radmore\"],\"org\":[],\"place\":[]},"
    "\"person_role\":[{\"person\":\"Ann Radmore\",\"role\":\"clinical chair\",\"org\":null}],"
    "\"body\":\"Caf\\u00e9 <b>\\n\"}";

static const char stored_json_out[] =
    "{\"id\":\"d1\",\"title\":\"A \\\"merger\\\"\",\"date\":\"2018-12-12\",\"source\":null,"
    "\"url\":null,\"entities\":{\"ccg\":[\"NHS Corby CCG\"],\"role\":[\"clinical chair\"],"
    "\"person\":[\"Ann Radmore\"],\"org\":[],\"place\":[]},"
    "\"person_role\":[{\"person\":\"Ann Radmore\",\"role\":\"clinical chair\",\"org\":null}],"
    "\"body\":\"Caf\xc3\xa9 <b>\\n\"}";

static const char hit_out[] =
    "{\"rank\":4,\"id\":\"d1\",\"score\":1.64142,\"title\":\"A \\\"merger\\\"\","
    "\"date\":\"2018-12-12\",\"source\":null,\"url\":null,\"snippet\":\"a <mark>merger</mark>\","
    "\"entities\":{\"ccg\":[\"NHS Corby CCG\"],\"role\":[\"clinical chair\"],"
    "\"person\":[\"Ann Radmore\"],\"org\":[],\"place\":[]},"
    "\"person_role\":[{\"person\":\"Ann Radmore\",\"role\":\"clinical chair\",\"org\":null}]}";

static void expect(cs_buf *b, const char *want)
{
    assert_false(b->oom);
    assert_string_equal(b->s, want);
    /* And it is JSON. */
    json_t *o = json_loadb(b->s, b->len, 0, NULL);
    assert_non_null(o);
    json_decref(o);
    cs_buf_free(b);
}

static void one_hit(cs_hit *h)
{
    memset(h, 0, sizeof *h);
    assert_true(cs_doc_read(stored, strlen(stored), &h->doc));
    h->rank = 4;
    h->score = 1.641415;
    h->snippet = strdup("a <mark>merger</mark>");
    h->snippet_len = strlen(h->snippet);
}

static void search_result_encodes(void **state)
{
    (void)state;
    cs_buf b = { 0 };
    cs_search_result r;
    cs_facet_count ccg[2] = { { "NHS Corby CCG", 3 }, { "NHS Nene CCG", 1 } };
    memset(&r, 0, sizeof r);
    r.total = 12;
    r.total_exact = true;
    r.offset = 3;
    r.limit = 1;
    cs_hit h;
    one_hit(&h);
    r.hits = &h;
    r.nhits = 1;
    r.facets[CS_FACET_CCG] = (cs_facet_list){ true, ccg, 2 };
    r.facets[CS_FACET_PLACE].asked = true;
    r.corrected = "merger";
    r.corrected_results = true;
    r.took_us = 412;
    assert_true(cs_encode_search(&b, &r));
    char want[2048];
    snprintf(want, sizeof want,
             "{\"ok\":true,\"total\":12,\"total_exact\":true,\"offset\":3,\"limit\":1,\"hits\":[%s],"
             "\"facets\":{\"ccg\":[{\"value\":\"NHS Corby CCG\",\"count\":3},"
             "{\"value\":\"NHS Nene CCG\",\"count\":1}],\"place\":[]},"
             "\"corrected_results\":true,\"corrected\":\"merger\",\"took_us\":412}", hit_out);
    expect(&b, want);

    /* No hits, no facets, no correction. */
    cs_search_result none;
    memset(&none, 0, sizeof none);
    none.total_exact = true;
    none.limit = 10;
    assert_true(cs_encode_search(&b, &none));
    expect(&b, "{\"ok\":true,\"total\":0,\"total_exact\":true,\"offset\":0,\"limit\":10,"
               "\"hits\":[],\"facets\":{},\"took_us\":0}");
    cs_doc_free(&h.doc);
    free(h.snippet);
}

static void document_encodes_as_stored(void **state)
{
    (void)state;
    cs_buf b = { 0 };
    cs_doc d;
    char want[2048];
    assert_true(cs_doc_read(stored, strlen(stored), &d));
    assert_true(cs_encode_document(&b, &d));
    snprintf(want, sizeof want, "{\"ok\":true,\"document\":%s}", stored_json_out);
    expect(&b, want);
    cs_doc_free(&d);
    /* Not a stored document. */
    assert_false(cs_doc_read("{\"id\":1}", 8, &d));
    assert_false(cs_doc_read("nope", 4, &d));
    assert_false(cs_doc_read("{\"id\":\"x\",\"title\":\"t\"}", 22, &d));
}

static void similar_and_who_encode(void **state)
{
    (void)state;
    cs_buf b = { 0 };
    cs_hit h;
    one_hit(&h);
    cs_similar_result s = { "d0", &h, 1, 350 };
    char want[2048];
    assert_true(cs_encode_similar(&b, &s));
    snprintf(want, sizeof want, "{\"ok\":true,\"id\":\"d0\",\"took_us\":350,\"hits\":[%s]}", hit_out);
    expect(&b, want);
    cs_doc_free(&h.doc);
    free(h.snippet);

    cs_who_doc docs[2] = { { "d2", "Newer", "2019-01-21" }, { "d1", "Older", NULL } };
    cs_who_answer ans[2] = { { "Toby Sanders", "accountable officer", NULL, docs, 2, 2 },
                             { "Toby Sanders", "chief executive", "NHS Nene CCG", docs + 1, 1, 1 } };
    cs_who_result w;
    memset(&w, 0, sizeof w);
    w.person = "Toby Sanders";
    w.documents = 201;
    w.truncated = true;
    w.took_us = 178;
    w.answers = ans;
    w.nanswers = 2;
    assert_true(cs_encode_who(&b, &w));
    expect(&b, "{\"ok\":true,\"who\":{\"person\":\"Toby Sanders\",\"role\":null,\"org\":null},"
               "\"documents\":201,\"truncated\":true,\"took_us\":178,\"answers\":["
               "{\"person\":\"Toby Sanders\",\"role\":\"accountable officer\",\"org\":null,"
               "\"documents\":[{\"id\":\"d2\",\"title\":\"Newer\",\"date\":\"2019-01-21\"},"
               "{\"id\":\"d1\",\"title\":\"Older\",\"date\":null}]},"
               "{\"person\":\"Toby Sanders\",\"role\":\"chief executive\",\"org\":\"NHS Nene CCG\","
               "\"documents\":[{\"id\":\"d1\",\"title\":\"Older\",\"date\":null}]}]}");

    /* An organisation question: the same shape, person and role null. */
    cs_who_answer at[2] = { { "Azhar Farooqi", "clinical chair", "NHS Leicester City CCG", docs, 2, 2 },
                            { "Sue Lock", "managing director", "NHS Leicester City CCG", docs + 1, 1,
                              1 } };
    memset(&w, 0, sizeof w);
    w.org = "NHS Leicester City CCG";
    w.documents = 2;
    w.took_us = 95;
    w.answers = at;
    w.nanswers = 2;
    assert_true(cs_encode_who(&b, &w));
    expect(&b, "{\"ok\":true,\"who\":{\"person\":null,\"role\":null,\"org\":\"NHS Leicester City CCG\"},"
               "\"documents\":2,\"truncated\":false,\"took_us\":95,\"answers\":["
               "{\"person\":\"Azhar Farooqi\",\"role\":\"clinical chair\",\"org\":\"NHS Leicester City CCG\","
               "\"documents\":[{\"id\":\"d2\",\"title\":\"Newer\",\"date\":\"2019-01-21\"},"
               "{\"id\":\"d1\",\"title\":\"Older\",\"date\":null}]},"
               "{\"person\":\"Sue Lock\",\"role\":\"managing director\",\"org\":\"NHS Leicester City CCG\","
               "\"documents\":[{\"id\":\"d1\",\"title\":\"Older\",\"date\":null}]}]}");
}

static void stats_help_ping_quit_error_encode(void **state)
{
    (void)state;
    cs_buf b = { 0 };
    cs_stats_result s;
    memset(&s, 0, sizeof s);
    s.uptime_s = 12;
    s.workers = 2;
    s.conns_open = 1;
    s.conns_total = 7;
    s.requests[CS_VERB_SEARCH] = 9;
    s.requests[CS_VERB_UNKNOWN] = 1;
    s.errors[CS_E_UNKNOWN_COMMAND] = 1;
    s.latency_count = 13;
    s.latency_p50_us = 181;
    s.latency_p99_us = 2896;
    s.slices_answered = 8;
    s.slices_deferred = 3;
    s.slices_overran = 2;
    s.slices_costly = 1;
    s.index.doccount = 5;
    s.http_conns_open = 1;
    strcpy(s.index.generation, "1795627450");
    s.index.facet_bytes = 2360;
    s.index.hit_bytes = 1655;
    s.index.open = true;
    s.index.last_commit = 1795627450;
    s.index.disk_bytes = 196737;
    s.rss_bytes = 41873408;
    s.refused[CS_REFUSED_QUERY_TERMS] = 2;
    s.faults[CS_FAULT_QUERY_LOG_WRITE] = 3;
    assert_true(cs_encode_stats(&b, &s));
    expect(&b, "{\"ok\":true,\"version\":\"" CCGSEARCH_VERSION "\",\"uptime_s\":12,\"workers\":2,"
               "\"rss_bytes\":41873408,\"connections\":{\"open\":1,\"total\":7,\"refused\":0},"
               "\"requests\":{\"PING\":0,\"SEARCH\":9,\"GET\":0,\"STATS\":0,\"HELP\":0,\"QUIT\":0,"
               "\"WHO\":0,\"SIMILAR\":0,\"UNKNOWN\":1},"
               "\"errors\":{\"unknown_command\":1,\"bad_request\":0,\"bad_query\":0,\"not_found\":0,"
               "\"line_too_long\":0,\"timeout\":0,\"overloaded\":0,\"internal\":0},"
               "\"latency_us\":{\"count\":13,\"p50\":181,\"p99\":2896},"
               "\"slices\":{\"answered\":8,\"deferred\":3,\"overran\":2,\"costly\":1},"
               "\"index\":{\"open\":true,\"documents\":5,\"generation\":\"1795627450\","
               "\"last_commit\":\"2026-11-25T17:24:10Z\",\"disk_bytes\":196737,\"facet_bytes\":2360,"
               "\"facet_bytes_per_document\":472,\"hit_bytes\":1655,\"hit_bytes_per_document\":331,"
               "\"reopen_failures\":0,\"last_reopen_error\":null},"
               "\"refused\":{\"connections\":0,\"connections_per_address\":0,\"descriptors\":0,"
               "\"line_too_long\":0,\"query_timeout\":0,"
               "\"http_body_too_large\":0,\"http_headers_too_large\":0,\"request_timeout\":0,"
               "\"query_terms\":2,\"query_depth\":0,\"near_window\":0,\"wildcard_expansion\":0,"
               "\"positional_work\":0,\"result_limit\":0,\"result_offset\":0,\"facet_limit\":0,"
               "\"snippet_chars\":0},"
               "\"faults\":{\"query_log_write_failures\":3,\"query_log_reopen_failures\":0,"
               "\"accept_failures\":0,\"index_read_errors\":0},"
               "\"http\":{\"requests\":0,\"client_errors\":0,\"server_errors\":0,\"connections\":1}}");

    assert_true(cs_encode_help(&b));
    static const char help_start[] = "{\"ok\":true,\"protocol\":\"ccgsearch/1\","
                                     "\"version\":\"" CCGSEARCH_VERSION "\",\"verbs\":["
                                     "{\"verb\":\"PING\",\"usage\":\"PING\","
                                     "\"summary\":\"check that the server answers\"},";
    assert_memory_equal(b.s, help_start, sizeof help_start - 1);
    json_t *o = json_loadb(b.s, b.len, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(o, "verbs")), cs_nverb_helps);
    json_decref(o);
    cs_buf_free(&b);

    assert_true(cs_encode_ping(&b));
    expect(&b, "{\"ok\":true,\"pong\":true}");
    assert_true(cs_encode_quit(&b));
    expect(&b, "{\"ok\":true,\"bye\":true}");
    assert_true(cs_encode_error(&b, CS_E_BAD_QUERY, "unterminated phrase (no closing \") at column 1"));
    expect(&b, "{\"ok\":false,\"error\":{\"code\":\"bad_query\","
               "\"message\":\"unterminated phrase (no closing \\\") at column 1\"}}");
    /* An internal code is answered as its wire code. */
    assert_true(cs_encode_error(&b, CS_E_NOMEM, "out of memory"));
    expect(&b, "{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}");
}

/* --- the writer against jansson ------------------------------------------ */

static char *jansson_dump(json_t *v)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(v);
    assert_non_null(s);
    return s;
}

static void writer_escapes_as_jansson_does(void **state)
{
    (void)state;
    char all[128];
    for (int c = 1; c < 128; c++)
        all[c - 1] = (char)c;
    all[127] = '\0';
    const char *const samples[] = {
        all, "", "plain", "Caf\xc3\xa9 \xe2\x80\x94 \xe2\x80\xa8 \xf0\x9f\x98\x80",
        "<mark>a&b</mark> \"q\" \\ /", "\x7f\x1f\n\r\t\b\f",
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        cs_buf b = { 0 };
        cs_jw_str(&b, samples[i]);
        char *want = jansson_dump(json_string(samples[i]));
        assert_string_equal(b.s, want);
        free(want);
        cs_buf_free(&b);
    }
    /* Bytes that are not UTF-8 become U+FFFD instead of failing the answer. */
    cs_buf b = { 0 };
    cs_jw_str(&b, "a\xc3(b\xff");
    assert_string_equal(b.s, "\"a\xef\xbf\xbd(b\xef\xbf\xbd\"");
    cs_buf_free(&b);
}

static void writer_formats_reals_as_jansson_does(void **state)
{
    (void)state;
    double fixed[] = { 0.0, 1.0, 100.0, 0.5, 0.246326123, 1e-7, 2.5e-5, 1e6, 1e21, 123456789.0,
                       18.3158, -3.25, 7.91, 1e-300, 6.02214076e23 };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] + 2000; i++) {
        double v = i < sizeof fixed / sizeof fixed[0]
                       ? fixed[i]
                       : ldexp((double)rand() / RAND_MAX, (int)(i % 80) - 40);
        cs_buf b = { 0 };
        cs_jw_real(&b, v);
        char *want = jansson_dump(json_real(v));
        assert_string_equal(b.s, want);
        free(want);
        cs_buf_free(&b);
    }
    cs_buf b = { 0 };
    cs_jw_real(&b, NAN);
    assert_string_equal(b.s, "null");
    cs_buf_free(&b);
}

static void writer_puts_commas_between_values(void **state)
{
    (void)state;
    cs_buf b = { 0 };
    cs_buf_puts(&b, "previous answer\n");
    cs_jw_begin(&b, '[');
    cs_jw_int(&b, 1);
    cs_jw_open(&b, '{');
    cs_jw_close(&b, '}');
    cs_jw_open(&b, '[');
    cs_jw_null(&b);
    cs_jw_bool(&b, false);
    cs_jw_close(&b, ']');
    cs_jw_open(&b, '{');
    cs_jw_key(&b, "a");
    cs_jw_str_or_null(&b, NULL);
    cs_jw_key(&b, "b");
    cs_jw_int(&b, -2);
    cs_jw_close(&b, '}');
    cs_jw_close(&b, ']');
    assert_string_equal(b.s, "previous answer\n[1,{},[null,false],{\"a\":null,\"b\":-2}]");
    cs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_verb_decodes),
        cmocka_unit_test(who_decodes_organisation_questions),
        cmocka_unit_test(decode_errors_say_what),
        cmocka_unit_test(search_decodes_field_by_field),
        cmocka_unit_test(search_decodes_syntax_and_prefix),
        cmocka_unit_test(search_result_encodes),
        cmocka_unit_test(document_encodes_as_stored),
        cmocka_unit_test(similar_and_who_encode),
        cmocka_unit_test(stats_help_ping_quit_error_encode),
        cmocka_unit_test(writer_escapes_as_jansson_does),
        cmocka_unit_test(writer_formats_reals_as_jansson_does),
        cmocka_unit_test(writer_puts_commas_between_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
