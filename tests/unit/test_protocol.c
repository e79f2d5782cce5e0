/* Unit tests of the line protocol: the line parser and the SEARCH request
 * decoder, called directly (no sockets).  test_codec.c has every verb's
 * decoder and every answer's encoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/limits.h"
#include "serve/protocol.h"
#include "serve/response.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *line, cs_line *req, cs_errcode *code)
{
    cs_err err = { 0 };
    int rc = cs_proto_parse(line, strlen(line), req, &err);
    *code = err.code;
    if (rc == CS_PARSE_ERROR)
        assert_true(err.msg[0] != '\0');
    return rc;
}

static void verbs_are_case_insensitive(void **state)
{
    (void)state;
    cs_line r;
    cs_errcode code;
    assert_int_equal(parse("PING", &r, &code), CS_PARSE_OK);
    assert_int_equal(r.verb, CS_VERB_PING);
    assert_int_equal(parse("ping", &r, &code), CS_PARSE_OK);
    assert_int_equal(r.verb, CS_VERB_PING);
    assert_int_equal(parse("sEaRcH merger", &r, &code), CS_PARSE_OK);
    assert_int_equal(r.verb, CS_VERB_SEARCH);
    assert_int_equal(r.arg_len, 6);
    assert_memory_equal(r.arg, "merger", 6);
}

static void argument_is_trimmed_and_cr_dropped(void **state)
{
    (void)state;
    cs_line r;
    cs_errcode code;
    assert_int_equal(parse("GET   abc  \r", &r, &code), CS_PARSE_OK);
    assert_int_equal(r.verb, CS_VERB_GET);
    assert_int_equal(r.arg_len, 3);
    assert_memory_equal(r.arg, "abc", 3);
    assert_int_equal(parse("SEARCH", &r, &code), CS_PARSE_OK);
    assert_int_equal(r.arg_len, 0);
}

static void empty_lines_get_no_answer(void **state)
{
    (void)state;
    cs_line r;
    cs_errcode code;
    assert_int_equal(parse("", &r, &code), CS_PARSE_EMPTY);
    assert_int_equal(parse("\r", &r, &code), CS_PARSE_EMPTY);
    assert_int_equal(parse("   ", &r, &code), CS_PARSE_EMPTY);
}

static void unknown_verbs_and_bad_bytes(void **state)
{
    (void)state;
    cs_line r;
    cs_errcode code;
    cs_err err;
    assert_int_equal(parse("FETCH x", &r, &code), CS_PARSE_ERROR);
    assert_int_equal(code, CS_E_UNKNOWN_COMMAND);
    assert_int_equal(parse("PINGPONG", &r, &code), CS_PARSE_ERROR);
    assert_int_equal(code, CS_E_UNKNOWN_COMMAND);
    assert_int_equal(parse("SEARCH caf\xc3", &r, &code), CS_PARSE_ERROR);
    assert_int_equal(code, CS_E_BAD_REQUEST);
    assert_int_equal(parse("SEARCH \xc0\xaf", &r, &code), CS_PARSE_ERROR);  /* overlong */
    assert_int_equal(code, CS_E_BAD_REQUEST);
    assert_int_equal(cs_proto_parse("GET a\0b", 7, &r, &err), CS_PARSE_ERROR);
    assert_int_equal(err.code, CS_E_BAD_REQUEST);
}

static void arguments_are_required_or_refused(void **state)
{
    (void)state;
    cs_line r;
    cs_errcode code;
    assert_int_equal(parse("GET", &r, &code), CS_PARSE_ERROR);
    assert_int_equal(code, CS_E_BAD_REQUEST);
    assert_int_equal(parse("PING extra", &r, &code), CS_PARSE_ERROR);
    assert_int_equal(code, CS_E_BAD_REQUEST);
    assert_int_equal(parse("QUIT now", &r, &code), CS_PARSE_ERROR);
    assert_int_equal(parse("SIMILAR", &r, &code), CS_PARSE_ERROR);
}

static void error_answer_is_one_json_line(void **state)
{
    (void)state;
    cs_buf b = { 0 };
    assert_true(cs_encode_error(&b, CS_E_BAD_QUERY, "a \"quoted\" thing\nat column 3"));
    cs_buf_putc(&b, '\n');            /* the line protocol's framing */
    char *line = cs_buf_take(&b);
    assert_non_null(line);
    size_t n = strlen(line);
    assert_true(n > 1 && line[n - 1] == '\n');
    assert_null(memchr(line, '\n', n - 1));
    json_t *o = json_loads(line, 0, NULL);
    assert_non_null(o);
    assert_true(json_is_false(json_object_get(o, "ok")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "error"), "code")),
                        "bad_query");
    json_decref(o);
    free(line);
}

static void every_code_and_verb_has_a_name(void **state)
{
    (void)state;
    for (int c = CS_OK; c < CS_E_NWIRE; c++) {
        assert_non_null(cs_errcode_name((cs_errcode)c));
        assert_int_equal(cs_errcode_wire((cs_errcode)c), c);
        for (int d = CS_OK; d < c; d++)
            assert_string_not_equal(cs_errcode_name((cs_errcode)c), cs_errcode_name((cs_errcode)d));
    }
    for (int v = 0; v < CS_NVERBS; v++)
        assert_non_null(cs_verb_name((cs_verb)v));
    /* Each internal code is answered as a wire code. */
    for (int c = CS_E_NWIRE; c < CS_E_LAST; c++) {
        assert_true(cs_errcode_wire((cs_errcode)c) > CS_OK);
        assert_true(cs_errcode_wire((cs_errcode)c) < CS_E_NWIRE);
    }
}

static bool decode(const char *arg, cs_search_req *req, char *err)
{
    cs_err e = { 0 };
    bool ok = cs_search_req_decode(req, arg, strlen(arg), &e);
    snprintf(err, 200, "%.199s", e.msg);
    return ok;
}

static void plain_search_takes_defaults(void **state)
{
    (void)state;
    cs_search_req req;
    char err[200];
    assert_true(decode("joint accountable officer", &req, err));
    assert_string_equal(req.q, "joint accountable officer");
    assert_int_equal(req.limit, CS_DEFAULT_RESULT_LIMIT);
    assert_int_equal(req.offset, 0);
    assert_int_equal(req.sort, CS_SORT_RELEVANCE);
    assert_true(req.snippets);
    for (int f = 0; f < CS_NFACETS; f++)
        assert_true(req.facet[f]);
    cs_search_req_free(&req);
}

static void json_search_is_decoded(void **state)
{
    (void)state;
    cs_search_req req;
    char err[200];
    assert_true(decode("{\"q\":\"merger\",\"filter\":{\"ccg\":[\"NHS Corby CCG\",\"Nene\"],"
                       "\"role\":\"chair\"},\"date_from\":\"2018-01-01\",\"date_to\":\"2019-12-31\","
                       "\"sort\":\"date\",\"offset\":20,\"limit\":5,\"facets\":[\"ccg\"],"
                       "\"facet_limit\":3,\"snippets\":false}", &req, err));
    assert_string_equal(req.q, "merger");
    assert_int_equal(req.nfilter[CS_FACET_CCG], 2);
    assert_string_equal(req.filter[CS_FACET_CCG][1], "Nene");
    assert_int_equal(req.nfilter[CS_FACET_ROLE], 1);
    assert_string_equal(req.date_from, "2018-01-01");
    assert_string_equal(req.date_to, "2019-12-31");
    assert_int_equal(req.sort, CS_SORT_DATE);
    assert_int_equal(req.offset, 20);
    assert_int_equal(req.limit, 5);
    assert_true(req.facet[CS_FACET_CCG]);
    assert_false(req.facet[CS_FACET_ROLE]);
    assert_int_equal(req.facet_limit, 3);
    assert_false(req.snippets);
    cs_search_req_free(&req);
}

static void json_search_limits_are_enforced(void **state)
{
    (void)state;
    cs_search_req req;
    char err[200], buf[100];
    snprintf(buf, sizeof buf, "{\"limit\":%d}", CS_MAX_RESULT_LIMIT);
    assert_true(decode(buf, &req, err));
    cs_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"limit\":%d}", CS_MAX_RESULT_LIMIT + 1);
    assert_false(decode(buf, &req, err));
    assert_non_null(strstr(err, "limit"));
    cs_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"offset\":%d}", CS_MAX_RESULT_OFFSET);
    assert_true(decode(buf, &req, err));
    cs_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"offset\":%d}", CS_MAX_RESULT_OFFSET + 1);
    assert_false(decode(buf, &req, err));
    cs_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"facet_limit\":%d}", CS_MAX_FACET_LIMIT + 1);
    assert_false(decode(buf, &req, err));
    cs_search_req_free(&req);
    assert_false(decode("{\"facet_limit\":0}", &req, err));
    assert_non_null(strstr(err, "facet_limit"));
    cs_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"snippet_chars\":%d}", CS_MIN_SNIPPET_CHARS);
    assert_true(decode(buf, &req, err));
    cs_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"snippet_chars\":%d}", CS_MIN_SNIPPET_CHARS - 1);
    assert_false(decode(buf, &req, err));
    assert_non_null(strstr(err, "snippet_chars"));
    cs_search_req_free(&req);
}

/* Filter values count towards CS_MAX_QUERY_TERMS: 64 pass, 65 do not. */
static void filter_value_limit_is_enforced(void **state)
{
    (void)state;
    cs_search_req req;
    char err[200];
    for (int n = CS_MAX_QUERY_TERMS; n <= CS_MAX_QUERY_TERMS + 1; n++) {
        char buf[2048] = "{\"filter\":{\"place\":[";
        for (int i = 0; i < n; i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s\"p%d\"", i ? "," : "", i);
        strcat(buf, "]}}");
        bool ok = decode(buf, &req, err);
        assert_int_equal(ok, n <= CS_MAX_QUERY_TERMS);
        if (!ok)
            assert_non_null(strstr(err, "too many filter values"));
        cs_search_req_free(&req);
    }
    /* Single values count too: 62 places, a ccg and a role are 64. */
    for (int n = CS_MAX_QUERY_TERMS - 2; n <= CS_MAX_QUERY_TERMS - 1; n++) {
        char buf[2048] = "{\"filter\":{\"ccg\":\"Corby\",\"role\":\"chair\",\"place\":[";
        for (int i = 0; i < n; i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s\"p%d\"", i ? "," : "", i);
        strcat(buf, "]}}");
        assert_int_equal(decode(buf, &req, err), n + 2 <= CS_MAX_QUERY_TERMS);
        cs_search_req_free(&req);
    }
}

static void unknown_facets_are_named(void **state)
{
    (void)state;
    cs_search_req req;
    char err[200];
    assert_false(decode("{\"facets\":[\"ccg\",\"weather\"]}", &req, err));
    assert_non_null(strstr(err, "\"weather\""));
    cs_search_req_free(&req);
    assert_false(decode("{\"filter\":{\"colour\":\"red\"}}", &req, err));
    assert_non_null(strstr(err, "\"colour\""));
    cs_search_req_free(&req);
}

static void json_search_rejects_what_it_does_not_know(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"q\":1}", "{\"limit\":\"5\"}", "{\"limit\":1.5}", "{\"sort\":\"size\"}",
        "{\"filter\":{\"colour\":[\"red\"]}}", "{\"filter\":[\"x\"]}", "{\"filter\":{\"ccg\":[1]}}",
        "{\"date_from\":\"2019-02-30\"}", "{\"date_from\":\"2019-01-02\",\"date_to\":\"2019-01-01\"}",
        "{\"facets\":[\"weather\"]}", "{\"snippets\":1}", "{\"qq\":\"x\"}", "{\"facets\":\"ccg\"}",
        "{\"q\":\"a\",\"q\":\"b\"}", "{\"q\":\"a\\u0000b\"}", "{",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cs_search_req req;
        char err[200] = "";
        assert_false(decode(bad[i], &req, err));
        assert_true(strlen(err) > 0);
        cs_search_req_free(&req);
    }
}

/* The line protocol tells an HTTP client apart from a request line. */
static void http_request_lines_are_recognised(void **state)
{
    (void)state;
    static const char *const http[] = { "GET / HTTP/1.1", "GET /search?q=merger HTTP/1.1\r",
                                        "POST /search HTTP/1.0", "HEAD / HTTP/1.1",
                                        "OPTIONS * HTTP/1.1", "DELETE /x HTTP/2.0", NULL };
    static const char *const line[] = { "GET p0001", "SEARCH merger", "GET / HTTP/1",
                                        "GET HTTP/1.1", "get / HTTP/1.1", "SEARCH x HTTP/1.1",
                                        "POST / HTTP/1.x", "", "HTTP/1.1", NULL };
    for (int i = 0; http[i]; i++)
        assert_true(cs_proto_looks_like_http(http[i], strlen(http[i])));
    for (int i = 0; line[i]; i++)
        assert_false(cs_proto_looks_like_http(line[i], strlen(line[i])));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verbs_are_case_insensitive),
        cmocka_unit_test(argument_is_trimmed_and_cr_dropped),
        cmocka_unit_test(empty_lines_get_no_answer),
        cmocka_unit_test(unknown_verbs_and_bad_bytes),
        cmocka_unit_test(arguments_are_required_or_refused),
        cmocka_unit_test(error_answer_is_one_json_line),
        cmocka_unit_test(every_code_and_verb_has_a_name),
        cmocka_unit_test(plain_search_takes_defaults),
        cmocka_unit_test(json_search_is_decoded),
        cmocka_unit_test(json_search_limits_are_enforced),
        cmocka_unit_test(filter_value_limit_is_enforced),
        cmocka_unit_test(unknown_facets_are_named),
        cmocka_unit_test(json_search_rejects_what_it_does_not_know),
        cmocka_unit_test(http_request_lines_are_recognised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
