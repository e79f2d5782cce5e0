/* Unit tests of the protocol codec: the line parser and the SEARCH request
 * decoder, called directly (no sockets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/limits.h"
#include "serve/protocol.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *line, ccg_request *req, ccg_errcode *code)
{
    const char *msg = NULL;
    int rc = ccg_proto_parse(line, strlen(line), req, code, &msg);
    if (rc == CCG_PARSE_ERROR)
        assert_non_null(msg);
    return rc;
}

static void verbs_are_case_insensitive(void **state)
{
    (void)state;
    ccg_request r;
    ccg_errcode code;
    assert_int_equal(parse("PING", &r, &code), CCG_PARSE_OK);
    assert_int_equal(r.verb, CCG_VERB_PING);
    assert_int_equal(parse("ping", &r, &code), CCG_PARSE_OK);
    assert_int_equal(r.verb, CCG_VERB_PING);
    assert_int_equal(parse("sEaRcH merger", &r, &code), CCG_PARSE_OK);
    assert_int_equal(r.verb, CCG_VERB_SEARCH);
    assert_int_equal(r.arg_len, 6);
    assert_memory_equal(r.arg, "merger", 6);
}

static void argument_is_trimmed_and_cr_dropped(void **state)
{
    (void)state;
    ccg_request r;
    ccg_errcode code;
    assert_int_equal(parse("GET   abc  \r", &r, &code), CCG_PARSE_OK);
    assert_int_equal(r.verb, CCG_VERB_GET);
    assert_int_equal(r.arg_len, 3);
    assert_memory_equal(r.arg, "abc", 3);
    assert_int_equal(parse("SEARCH", &r, &code), CCG_PARSE_OK);
    assert_int_equal(r.arg_len, 0);
}

static void empty_lines_get_no_answer(void **state)
{
    (void)state;
    ccg_request r;
    ccg_errcode code;
    assert_int_equal(parse("", &r, &code), CCG_PARSE_EMPTY);
    assert_int_equal(parse("\r", &r, &code), CCG_PARSE_EMPTY);
    assert_int_equal(parse("   ", &r, &code), CCG_PARSE_EMPTY);
}

static void unknown_verbs_and_bad_bytes(void **state)
{
    (void)state;
    ccg_request r;
    ccg_errcode code;
    const char *msg;
    assert_int_equal(parse("FETCH x", &r, &code), CCG_PARSE_ERROR);
    assert_int_equal(code, CCG_E_UNKNOWN_COMMAND);
    assert_int_equal(parse("PINGPONG", &r, &code), CCG_PARSE_ERROR);
    assert_int_equal(code, CCG_E_UNKNOWN_COMMAND);
    assert_int_equal(parse("SEARCH caf\xc3", &r, &code), CCG_PARSE_ERROR);
    assert_int_equal(code, CCG_E_BAD_REQUEST);
    assert_int_equal(parse("SEARCH \xc0\xaf", &r, &code), CCG_PARSE_ERROR);  /* overlong */
    assert_int_equal(code, CCG_E_BAD_REQUEST);
    assert_int_equal(ccg_proto_parse("GET a\0b", 7, &r, &code, &msg), CCG_PARSE_ERROR);
    assert_int_equal(code, CCG_E_BAD_REQUEST);
}

static void arguments_are_required_or_refused(void **state)
{
    (void)state;
    ccg_request r;
    ccg_errcode code;
    assert_int_equal(parse("GET", &r, &code), CCG_PARSE_ERROR);
    assert_int_equal(code, CCG_E_BAD_REQUEST);
    assert_int_equal(parse("PING extra", &r, &code), CCG_PARSE_ERROR);
    assert_int_equal(code, CCG_E_BAD_REQUEST);
    assert_int_equal(parse("QUIT now", &r, &code), CCG_PARSE_ERROR);
    assert_int_equal(parse("SIMILAR", &r, &code), CCG_PARSE_ERROR);
}

static void error_answer_is_one_json_line(void **state)
{
    (void)state;
    char *line = ccg_proto_error(CCG_E_BAD_QUERY, "a \"quoted\" thing\nat column 3");
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
    for (int c = 0; c < CCG_NERRCODES; c++) {
        assert_non_null(ccg_errcode_name((ccg_errcode)c));
        for (int d = 0; d < c; d++)
            assert_string_not_equal(ccg_errcode_name((ccg_errcode)c), ccg_errcode_name((ccg_errcode)d));
    }
    for (int v = 0; v < CCG_NVERBS; v++)
        assert_non_null(ccg_verb_name((ccg_verb)v));
}

static bool decode(const char *arg, ccg_search_req *req, char *err)
{
    return ccg_proto_search_req(arg, strlen(arg), req, err, 200);
}

static void plain_search_takes_defaults(void **state)
{
    (void)state;
    ccg_search_req req;
    char err[200];
    assert_true(decode("joint accountable officer", &req, err));
    assert_string_equal(req.q, "joint accountable officer");
    assert_int_equal(req.limit, CCG_DEFAULT_RESULT_LIMIT);
    assert_int_equal(req.offset, 0);
    assert_int_equal(req.sort, CCG_SORT_RELEVANCE);
    assert_true(req.snippets);
    for (int f = 0; f < CCG_NFACETS; f++)
        assert_true(req.facet[f]);
    ccg_search_req_free(&req);
}

static void json_search_is_decoded(void **state)
{
    (void)state;
    ccg_search_req req;
    char err[200];
    assert_true(decode("{\"q\":\"merger\",\"filter\":{\"ccg\":[\"NHS Corby CCG\",\"Nene\"],"
                       "\"role\":\"chair\"},\"date_from\":\"2018-01-01\",\"date_to\":\"2019-12-31\","
                       "\"sort\":\"date\",\"offset\":20,\"limit\":5,\"facets\":[\"ccg\"],"
                       "\"facet_limit\":3,\"snippets\":false}", &req, err));
    assert_string_equal(req.q, "merger");
    assert_int_equal(req.nfilter[CCG_FACET_CCG], 2);
    assert_string_equal(req.filter[CCG_FACET_CCG][1], "Nene");
    assert_int_equal(req.nfilter[CCG_FACET_ROLE], 1);
    assert_string_equal(req.date_from, "2018-01-01");
    assert_string_equal(req.date_to, "2019-12-31");
    assert_int_equal(req.sort, CCG_SORT_DATE);
    assert_int_equal(req.offset, 20);
    assert_int_equal(req.limit, 5);
    assert_true(req.facet[CCG_FACET_CCG]);
    assert_false(req.facet[CCG_FACET_ROLE]);
    assert_int_equal(req.facet_limit, 3);
    assert_false(req.snippets);
    ccg_search_req_free(&req);
}

static void json_search_limits_are_enforced(void **state)
{
    (void)state;
    ccg_search_req req;
    char err[200], buf[100];
    snprintf(buf, sizeof buf, "{\"limit\":%d}", CCG_MAX_RESULT_LIMIT);
    assert_true(decode(buf, &req, err));
    ccg_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"limit\":%d}", CCG_MAX_RESULT_LIMIT + 1);
    assert_false(decode(buf, &req, err));
    assert_non_null(strstr(err, "limit"));
    ccg_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"offset\":%d}", CCG_MAX_RESULT_OFFSET);
    assert_true(decode(buf, &req, err));
    ccg_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"offset\":%d}", CCG_MAX_RESULT_OFFSET + 1);
    assert_false(decode(buf, &req, err));
    ccg_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"facet_limit\":%d}", CCG_MAX_FACET_LIMIT + 1);
    assert_false(decode(buf, &req, err));
    ccg_search_req_free(&req);
    assert_false(decode("{\"facet_limit\":0}", &req, err));
    assert_non_null(strstr(err, "facet_limit"));
    ccg_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"snippet_chars\":%d}", CCG_MIN_SNIPPET_CHARS);
    assert_true(decode(buf, &req, err));
    ccg_search_req_free(&req);
    snprintf(buf, sizeof buf, "{\"snippet_chars\":%d}", CCG_MIN_SNIPPET_CHARS - 1);
    assert_false(decode(buf, &req, err));
    assert_non_null(strstr(err, "snippet_chars"));
    ccg_search_req_free(&req);
}

/* Filter values count towards CCG_MAX_QUERY_TERMS: 64 pass, 65 do not. */
static void filter_value_limit_is_enforced(void **state)
{
    (void)state;
    ccg_search_req req;
    char err[200];
    for (int n = CCG_MAX_QUERY_TERMS; n <= CCG_MAX_QUERY_TERMS + 1; n++) {
        char buf[2048] = "{\"filter\":{\"place\":[";
        for (int i = 0; i < n; i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s\"p%d\"", i ? "," : "", i);
        strcat(buf, "]}}");
        bool ok = decode(buf, &req, err);
        assert_int_equal(ok, n <= CCG_MAX_QUERY_TERMS);
        if (!ok)
            assert_non_null(strstr(err, "too many filter values"));
        ccg_search_req_free(&req);
    }
    /* Single values count too: 62 places, a ccg and a role are 64. */
    for (int n = CCG_MAX_QUERY_TERMS - 2; n <= CCG_MAX_QUERY_TERMS - 1; n++) {
        char buf[2048] = "{\"filter\":{\"ccg\":\"Corby\",\"role\":\"chair\",\"place\":[";
        for (int i = 0; i < n; i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s\"p%d\"", i ? "," : "", i);
        strcat(buf, "]}}");
        assert_int_equal(decode(buf, &req, err), n + 2 <= CCG_MAX_QUERY_TERMS);
        ccg_search_req_free(&req);
    }
}

static void unknown_facets_are_named(void **state)
{
    (void)state;
    ccg_search_req req;
    char err[200];
    assert_false(decode("{\"facets\":[\"ccg\",\"weather\"]}", &req, err));
    assert_non_null(strstr(err, "\"weather\""));
    ccg_search_req_free(&req);
    assert_false(decode("{\"filter\":{\"colour\":\"red\"}}", &req, err));
    assert_non_null(strstr(err, "\"colour\""));
    ccg_search_req_free(&req);
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
        ccg_search_req req;
        char err[200] = "";
        assert_false(decode(bad[i], &req, err));
        assert_true(strlen(err) > 0);
        ccg_search_req_free(&req);
    }
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
