/* Unit tests of the query language parser: what it accepts, what it lifts
 * into filters, what it refuses and where it says the problem is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/limits.h"
#include "query/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse text; a failure's message is copied to err (CS_ERR_MSG_BYTES) and must
 * come with the bad_query code. */
static bool parse(const char *text, cs_query *q, char *err)
{
    cs_err e;
    err[0] = '\0';
    cs_query_opts o = { 0 };
    if (cs_query_parse(text, strlen(text), &o, q, &e))
        return true;
    assert_int_equal(e.code, CS_E_BAD_QUERY);
    memcpy(err, e.msg, sizeof e.msg);
    return false;
}

static void accepts_the_language(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "merger", "merger essex", "\"joint accountable officer\"", "+merger -essex",
        "merger AND essex", "merger OR amalgamation", "merger NOT essex", "NOT essex",
        "(merger OR amalgamation) leicester", "nene NEAR corby", "nene NEAR/3 corby",
        "merg*", "title:merger", "title:\"single executive\"", "source:hsj",
        "ccg:\"Leicester City\"", "role:chair", "person:\"Toby Sanders\"", "org:CQC",
        "place:Essex", "date:2018-01-01..2018-12-31", "date:2019", "date:2019-03",
        "date:..2019-01-01", "date:2019-01-01..", "and or not", "a&e £850m mid-2019",
        "http://example.org/x", "   ", "",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cs_query q;
        char err[CS_ERR_MSG_BYTES];
        if (!parse(ok[i], &q, err))
            fail_msg("refused %s: %s", ok[i], err);
        cs_query_free(&q);
    }
}

/* The error for text, which must name the given column. */
static void refused_at(const char *text, int column)
{
    cs_query q;
    char err[CS_ERR_MSG_BYTES], want[32];
    assert_false(parse(text, &q, err));
    snprintf(want, sizeof want, "at column %d", column);
    if (!strstr(err, want))
        fail_msg("%s: %s (want %s)", text, err, want);
    cs_query_free(&q);
}

static void refusals_say_where(void **state)
{
    (void)state;
    refused_at("merger AND", 11);
    refused_at("AND merger", 1);
    refused_at("merger OR", 8);
    refused_at("\"open phrase", 1);
    refused_at("merger (essex", 8);
    refused_at("merger essex)", 13);
    refused_at("merger NOT", 8);
    refused_at("nene NEAR/0 corby", 6);
    refused_at("nene NEAR \"a b\"", 6);
    refused_at("date:2019-13-01", 1);
    refused_at("x date:2019-02-30", 3);
    refused_at("date:2019-12-31..2019-01-01", 1);
    refused_at("title:", 1);
}

static void near_window_limit_is_enforced(void **state)
{
    (void)state;
    char text[64], err[200];
    cs_query q;
    snprintf(text, sizeof text, "nene NEAR/%d corby", CS_MAX_NEAR_WINDOW);
    assert_true(parse(text, &q, err));
    cs_query_free(&q);
    snprintf(text, sizeof text, "nene NEAR/%d corby", CS_MAX_NEAR_WINDOW + 1);
    refused_at(text, 6);
    refused_at("nene NEAR/99999999999999999999 corby", 6);
}

static void term_limit_is_enforced(void **state)
{
    (void)state;
    char text[CS_MAX_QUERY_TERMS * 8];
    cs_query q;
    char err[CS_ERR_MSG_BYTES];
    text[0] = '\0';
    for (int i = 0; i < CS_MAX_QUERY_TERMS; i++)
        sprintf(text + strlen(text), "w%d ", i);
    assert_true(parse(text, &q, err));              /* exactly the limit */
    cs_query_free(&q);
    strcat(text, "one-more");
    assert_false(parse(text, &q, err));
    assert_non_null(strstr(err, "more than " CS_STR(CS_MAX_QUERY_TERMS) " terms"));
    cs_query_free(&q);
}

static void depth_limit_is_enforced(void **state)
{
    (void)state;
    char text[512] = "";
    cs_query q;
    char err[CS_ERR_MSG_BYTES];
    for (int i = 0; i < CS_MAX_QUERY_DEPTH; i++)
        strcat(text, "(");
    strcat(text, "a");
    for (int i = 0; i < CS_MAX_QUERY_DEPTH; i++)
        strcat(text, ")");
    assert_true(parse(text, &q, err));
    cs_query_free(&q);
    memmove(text + 1, text, strlen(text) + 1);
    text[0] = '(';
    strcat(text, ")");
    assert_false(parse(text, &q, err));
    assert_non_null(strstr(err, "nested deeper"));
    cs_query_free(&q);
}

static void filters_are_lifted(void **state)
{
    (void)state;
    cs_query q;
    char err[CS_ERR_MSG_BYTES];
    assert_true(parse("merger ccg:\"Leicester City\" ccg:Corby date:2019", &q, err));
    assert_int_equal(q.keys[CS_FACET_CCG].n, 2);
    assert_string_equal(q.keys[CS_FACET_CCG].v[0], "XCnhs leicester city ccg");
    assert_true(q.has_date);
    assert_string_equal(q.date_lo, "2019-01-01");
    assert_string_equal(q.date_hi, "2019-12-31");
    assert_non_null(q.text);                    /* "merger" stays text */
    cs_query_free(&q);
    /* Inside brackets or negated, a filter stays in the query. */
    assert_true(parse("merger OR ccg:Corby", &q, err));
    assert_int_equal(q.keys[CS_FACET_CCG].n, 0);
    cs_query_free(&q);
    assert_true(parse("merger -ccg:Corby", &q, err));
    assert_int_equal(q.keys[CS_FACET_CCG].n, 0);
    cs_query_free(&q);
    /* Only filters: no text part, everything that passes them. */
    assert_true(parse("role:\"joint AO\"", &q, err));
    assert_null(q.text);
    assert_string_equal(q.keys[CS_FACET_ROLE].v[0], "XRaccountable officer");
    cs_query_free(&q);
}

static bool parse_plain(const char *text, bool prefix, cs_query *q)
{
    cs_err e;
    cs_query_opts o = { .plain = true, .prefix = prefix };
    return cs_query_parse(text, strlen(text), &o, q, &e);
}

/* What the query language refuses, plain text takes as words: no input is
 * refused, operators and fields are words (nothing is lifted as a filter),
 * and text with no word in it has no text part, as "" has none. */
static void plain_text_is_never_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool refused;           /* by the query language */
        size_t terms;           /* words plain text searches */
    } cases[] = {
        { "\"", true, 0 }, { "(", true, 0 }, { ")", true, 0 }, { "AND", true, 1 },
        { "NOT", true, 1 }, { "-", false, 0 }, { "title:", true, 1 }, { "*", false, 0 },
        { "NEAR/5", true, 2 }, { "NEAR/0 x", true, 3 }, { "merger AND (", true, 2 },
        { "date:2019-13-01", true, 4 }, { "ccg:Corby", false, 2 }, { "merg*", false, 1 },
        { "((((", true, 0 }, { "!?.,;:", false, 0 }, { "the of and", false, 3 },
        { "mid-2019 £850m", false, 3 }, { "", false, 0 }, { "  ", false, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cs_query q;
        char err[CS_ERR_MSG_BYTES];
        if (parse(cases[i].text, &q, err) == cases[i].refused)
            fail_msg("query language on '%s': %s", cases[i].text, err);
        cs_query_free(&q);
        if (!parse_plain(cases[i].text, true, &q))
            fail_msg("plain refused '%s'", cases[i].text);
        if (q.nterms != cases[i].terms)
            fail_msg("'%s': %zu words, want %zu", cases[i].text, q.nterms, cases[i].terms);
        assert_true(cases[i].terms ? q.text != NULL : q.text == NULL);
        for (int f = 0; f < CS_NFACETS; f++)
            assert_int_equal(q.keys[f].n, 0);
        assert_false(q.has_date);
        cs_query_free(&q);
    }
}

/* Plain text with more than CS_MAX_QUERY_TERMS words is searched for its
 * first CS_MAX_QUERY_TERMS, where the query language refuses it. */
static void plain_text_is_cut_at_cs_max_query_terms(void **state)
{
    (void)state;
    char text[200 * 8];
    cs_query q;
    char err[CS_ERR_MSG_BYTES];
    text[0] = '\0';
    for (int i = 0; i < 200; i++)
        sprintf(text + strlen(text), "w%d ", i);
    assert_false(parse(text, &q, err));
    cs_query_free(&q);
    assert_true(parse_plain(text, false, &q));
    assert_int_equal(q.nterms, CS_MAX_QUERY_TERMS);
    assert_non_null(q.text);
    cs_query_free(&q);
    /* A compound's parts count one by one: the cut can fall inside it. */
    text[0] = '\0';
    for (int i = 0; i < 200; i++)
        sprintf(text + strlen(text), "%sw%d", i ? "-" : "", i);
    assert_true(parse_plain(text, true, &q));
    assert_int_equal(q.nterms, CS_MAX_QUERY_TERMS);
    cs_query_free(&q);
}

/* Parse text with match "any", in the query language or as plain text;
 * false (with the message in err) when refused. */
static bool parse_any(const char *text, bool plain, cs_query *q, char *err)
{
    cs_err e;
    cs_query_opts o = { .match_any = true, .plain = plain };
    err[0] = '\0';
    if (cs_query_parse(text, strlen(text), &o, q, &e))
        return true;
    assert_int_equal(e.code, CS_E_BAD_QUERY);
    memcpy(err, e.msg, sizeof e.msg);
    return false;
}

/* n distinct words w<from>.., each followed by a blank, into a malloc'd
 * string with room for more. */
static char *distinct_words(int from, int n)
{
    char *text = malloc((size_t)n * 8 + 256);
    assert_non_null(text);
    text[0] = '\0';
    size_t len = 0;
    for (int i = from; i < from + n; i++)
        len += (size_t)sprintf(text + len, "w%d ", i);
    return text;
}

/* With match "any", up to CS_MAX_ANY_TERMS distinct alternatives are
 * searched in either syntax; a word past them is dropped, not refused. */
static void any_takes_cs_max_any_terms_distinct_words(void **state)
{
    (void)state;
    char err[CS_ERR_MSG_BYTES];
    for (int plain = 0; plain < 2; plain++) {
        cs_query q;
        char *text = distinct_words(0, CS_MAX_ANY_TERMS);
        if (!parse_any(text, plain, &q, err))
            fail_msg("%d words refused: %s", CS_MAX_ANY_TERMS, err);
        assert_int_equal(q.nterms, CS_MAX_ANY_TERMS);
        assert_non_null(q.text);
        cs_query_free(&q);
        strcat(text, "one-more");
        if (!parse_any(text, plain, &q, err))
            fail_msg("%d words refused: %s", CS_MAX_ANY_TERMS + 1, err);
        assert_int_equal(q.nterms, CS_MAX_ANY_TERMS);
        cs_query_free(&q);
        free(text);
    }
}

/* A repeated word counts once towards CS_MAX_ANY_TERMS (by its stem and
 * whatever its case), and stopwords do not count. */
static void any_counts_repeats_once_and_stopwords_not(void **state)
{
    (void)state;
    char err[CS_ERR_MSG_BYTES];
    size_t cap = (size_t)CS_MAX_ANY_TERMS * 40;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int plain = 0; plain < 2; plain++) {
        cs_query q;
        text[0] = '\0';
        for (int i = 0; i < CS_MAX_ANY_TERMS * 3; i++)
            sprintf(text + strlen(text), "%s ", i % 3 == 0 ? "Merger" : i % 3 == 1 ? "mergers"
                                                                                   : "merger");
        assert_true(parse_any(text, plain, &q, err));
        assert_int_equal(q.nterms, 1);
        cs_query_free(&q);
        /* CS_MAX_ANY_TERMS - 1 words, then stopwords, then one more: all kept. */
        char *words = distinct_words(0, CS_MAX_ANY_TERMS - 1);
        snprintf(text, cap, "%sthe of and what which %s the", words, "last");
        free(words);
        assert_true(parse_any(text, plain, &q, err));
        assert_int_equal(q.nterms, CS_MAX_ANY_TERMS);
        cs_query_free(&q);
    }
    free(text);
}

/* In the query language with match "any", only the top level's plain
 * words are alternatives: phrases, fields and bracketed words still count
 * towards CS_MAX_QUERY_TERMS and are refused past it. */
static void any_still_limits_the_language_to_cs_max_query_terms(void **state)
{
    (void)state;
    char err[CS_ERR_MSG_BYTES];
    char text[CS_MAX_QUERY_TERMS * 24 + 64];
    cs_query q;
    for (int extra = 0; extra < 2; extra++) {
        text[0] = '\0';
        for (int i = 0; i < CS_MAX_QUERY_TERMS + extra; i++)
            sprintf(text + strlen(text), "\"a%d b%d\" ", i, i);
        strcat(text, "alternative words are free");
        bool ok = parse_any(text, false, &q, err);
        assert_int_equal(ok, !extra);
        if (!ok)
            assert_non_null(strstr(err, "more than " CS_STR(CS_MAX_QUERY_TERMS) " terms"));
        cs_query_free(&q);
    }
    text[0] = '\0';
    strcat(text, "(");
    for (int i = 0; i <= CS_MAX_QUERY_TERMS; i++)
        sprintf(text + strlen(text), "x%d ", i);
    strcat(text, ")");
    assert_false(parse_any(text, false, &q, err));
    cs_query_free(&q);
}

/* Random byte strings must be parsed or refused, never crash or hang. */
static void random_input_is_survived(void **state)
{
    (void)state;
    static const char alphabet[] = "ab (\")-+*:NOTANDORNEAR/.2019\xc3\xa9 date:title:ccg:";
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        char text[64];
        size_t n = (size_t)(round % 40);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        text[n] = '\0';
        cs_query q;
        char err[CS_ERR_MSG_BYTES];
        parse(text, &q, err);
        cs_query_free(&q);
        assert_true(parse_plain(text, round % 2, &q));
        cs_query_free(&q);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_the_language),
        cmocka_unit_test(refusals_say_where),
        cmocka_unit_test(near_window_limit_is_enforced),
        cmocka_unit_test(term_limit_is_enforced),
        cmocka_unit_test(depth_limit_is_enforced),
        cmocka_unit_test(filters_are_lifted),
        cmocka_unit_test(random_input_is_survived),
        cmocka_unit_test(plain_text_is_never_refused),
        cmocka_unit_test(plain_text_is_cut_at_cs_max_query_terms),
        cmocka_unit_test(any_takes_cs_max_any_terms_distinct_words),
        cmocka_unit_test(any_counts_repeats_once_and_stopwords_not),
        cmocka_unit_test(any_still_limits_the_language_to_cs_max_query_terms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
