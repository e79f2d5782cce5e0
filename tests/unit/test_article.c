/* Unit tests of article parsing: dates, titles, publishers, chrome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "text/article.h"
#include "text/date.h"
#include "text/html.h"
#include "core/limits.h"
#include "core/util.h"

#include <stdlib.h>

#include <string.h>

static const char *date(const char *s)
{
    static char out[11];
    size_t n = cs_parse_date(s, strlen(s), out);
    return n ? out : "none";
}

static void dates_in_the_forms_articles_write_them(void **state)
{
    (void)state;
    assert_string_equal(date("12th December 2018"), "2018-12-12");
    assert_string_equal(date("21 JANUARY 2019"), "2019-01-21");
    assert_string_equal(date("21/01/2019"), "2019-01-21");
    assert_string_equal(date("2019-01-21"), "2019-01-21");
    assert_string_equal(date("15 Sep 2017"), "2017-09-15");
    assert_string_equal(date("1st of April 2019"), "2019-04-01");
    assert_string_equal(date("Friday, August 30, 2019 - 13:15"), "2019-08-30");
    assert_string_equal(date("Tuesday 11 December 2018"), "2018-12-11");
    assert_string_equal(date("3 Sept. 2020"), "2020-09-03");
}

static void impossible_dates_are_not_dates(void **state)
{
    (void)state;
    assert_string_equal(date("31/02/2019"), "none");
    assert_string_equal(date("29 February 2019"), "none");
    assert_string_equal(date("29 February 2020"), "2020-02-29");
    assert_string_equal(date("32 January 2019"), "none");
    assert_string_equal(date("2019-13-01"), "none");
    assert_string_equal(date("April 2020"), "none");        /* no day */
    assert_string_equal(date("12 Decembre 2018"), "none");
    assert_string_equal(date("2019-01-211"), "none");
    assert_string_equal(date("1.1million"), "none");
}

static const char *impossible(const char *s)
{
    static char out[11];
    size_t n = cs_parse_impossible_date(s, strlen(s), out);
    return n ? out : "none";
}

/* What the indexer warns about: the shape of a date whose day does not
 * exist, told apart from a valid date and from no date at all. */
static void impossible_dates_are_named(void **state)
{
    (void)state;
    assert_string_equal(impossible("2019-02-29"), "2019-02-29");
    assert_string_equal(impossible("31 June 2019"), "2019-06-31");
    assert_string_equal(impossible("2019-13-01"), "2019-13-01");
    assert_string_equal(impossible("2020-02-29"), "none");       /* a leap day */
    assert_string_equal(impossible("next week"), "none");
    assert_string_equal(impossible("April 2020"), "none");
}

static void impossible_date_lines_and_fields_are_kept_for_a_warning(void **state)
{
    (void)state;
    cs_article a;
    cs_err err;
    const char *t = "A headline\n\nDate: 29 February 2019\n\nThe body of the story.\n";
    assert_true(cs_article_from_text("t", t, strlen(t), &a, &err));
    assert_null(a.date);
    assert_string_equal(a.bad_date, "2019-02-29");
    assert_string_equal(a.title, "A headline");
    assert_null(strstr(a.body, "February"));             /* still a date line */
    cs_article_clear(&a);
    const char *rec = "{\"id\":\"r\",\"date\":\"2019-02-29\",\"body\":\"Text.\"}";
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    assert_null(a.date);
    assert_string_equal(a.bad_date, "2019-02-29");
    cs_article_clear(&a);
    rec = "{\"id\":\"r\",\"date\":\"2020-02-29\",\"body\":\"Text.\"}";
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    assert_string_equal(a.date, "2020-02-29");
    assert_null(a.bad_date);
    cs_article_clear(&a);
}

static cs_article parse(const char *text)
{
    cs_article a;
    cs_err err;
    assert_true(cs_article_from_text("t", text, strlen(text), &a, &err));
    return a;
}

static void news_page_shape(void **state)
{
    (void)state;
    cs_article a = parse(
        "Home > News > Archive > Board agrees merger\n\n"
        "Board agrees merger\n\n"
        "4th March 2019 | By Communications Team | Posted in\n\n"
        "The governing body agreed the merger on 1 April 2020.\n\n"
        "No Comments\n\nNo comments yet.\n\nLeave a comment");
    assert_string_equal(a.title, "Board agrees merger");
    assert_string_equal(a.date, "2019-03-04");
    assert_null(a.source);
    assert_string_equal(a.body, "The governing body agreed the merger on 1 April 2020.");
    cs_article_clear(&a);
}

static void standfirst_bullets_give_the_title(void **state)
{
    (void)state;
    cs_article a = parse(
        "\xE2\x80\xA2 Plans for a single officer have stalled\n"
        "  \xE2\x80\xA2 One CCG has concerns\n\n"
        "Plans to appoint a joint officer stalled in June 2018.\n");
    assert_string_equal(a.title, "Plans for a single officer have stalled");
    assert_null(a.date);                        /* a date in the story is not the date */
    assert_non_null(strstr(a.body, "One CCG has concerns"));
    cs_article_clear(&a);
}

static void report_shape_with_capitals(void **state)
{
    (void)state;
    cs_article a = parse(
        "\n\nJOINT SCRUTINY COMMITTEE:\n21 JANUARY 2019\n\n"
        "**REPORT OF NHS WEST LEICESTERSHIRE CCG AND NHS\nLEICESTER CITY CCG**\n\n"
        "UPDATE ON THE CCGS' STRUCTURE\n\nPurpose of report\n\n"
        "The purpose of this report is to update the committee.\n");
    assert_string_equal(a.title, "Update on the CCGs' Structure");
    assert_string_equal(a.date, "2019-01-21");
    assert_string_equal(a.source, "NHS West Leicestershire CCG and NHS Leicester City CCG");
    assert_null(strstr(a.body, "**"));
    cs_article_clear(&a);
}

static void stated_publisher_and_social_chrome(void **state)
{
    (void)state;
    cs_article a = parse(
        "Wanted: single executive\n\n"
        "This is an edited version of an article first published in the Health Service Journal.\n\n"
        "The CCGs will advertise in November.\n\n"
        "Don\xE2\x80\x99t forget to follow us on Twitter, or connect with us on LinkedIn!\n\n"
        "Be the first to comment\n\nLeave a Reply");
    assert_string_equal(a.title, "Wanted: single executive");
    assert_string_equal(a.source, "Health Service Journal");
    assert_null(strstr(a.body, "Twitter"));
    assert_null(strstr(a.body, "Reply"));
    assert_null(strstr(a.body, "first to comment"));
    assert_non_null(strstr(a.body, "advertise in November"));
    cs_article_clear(&a);
}

static void chrome_only_is_an_empty_body(void **state)
{
    (void)state;
    cs_article a;
    const char *t = "No Comments\n\nLeave a comment\n";
    cs_err err;
    assert_false(cs_article_from_text("t", t, strlen(t), &a, &err));
    assert_int_equal(err.code, CS_E_INPUT);
    assert_string_equal(err.msg, "empty body");
    t = "  \n\n\t\n";
    assert_false(cs_article_from_text("t", t, strlen(t), &a, &err));
    assert_int_equal(err.code, CS_E_INPUT);
    assert_string_equal(err.msg, "empty body");
}

static void json_record_fields(void **state)
{
    (void)state;
    cs_article a;
    cs_err err;
    const char *rec = "{\"id\":\"42\",\"title\":\"  A title \",\"date\":\"2019-01-21T10:00:00Z\","
                      "\"source\":\"HSJ\",\"url\":\"https://x\",\"text\":\"date 2018-01-01 Body.\","
                      "\"extra\":[1,2]}";
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    assert_string_equal(a.id, "42");
    assert_string_equal(a.title, "A title");
    assert_string_equal(a.date, "2019-01-21");  /* the field wins over the marker */
    assert_string_equal(a.source, "HSJ");
    assert_string_equal(a.url, "https://x");
    assert_string_equal(a.body, "Body.");
    cs_article_clear(&a);

    rec = "{\"body\":\"Only a body.\"}";
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    assert_true(a.id_derived);
    assert_string_equal(a.title, "Only a body");
    assert_null(a.date);
    char *first = cs_strdup(a.id);
    cs_article_clear(&a);
    /* The same content, the same id; another body, another; a url alone
     * decides when there is one. */
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    assert_string_equal(a.id, first);
    assert_int_equal(strlen(a.id), 17);
    cs_article_clear(&a);
    rec = "{\"body\":\"Another body.\"}";
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    assert_string_not_equal(a.id, first);
    cs_article_clear(&a);
    free(first);
    rec = "{\"url\":\"https://x/1\",\"body\":\"One.\"}";
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    first = cs_strdup(a.id);
    cs_article_clear(&a);
    rec = "{\"url\":\"https://x/1\",\"title\":\"T\",\"body\":\"Two.\"}";
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    assert_string_equal(a.id, first);
    cs_article_clear(&a);
    free(first);
}

/* Authors, section and tags; CS_MAX_TAGS and CS_MAX_FIELD_BYTES crossed. */
static void descriptive_fields(void **state)
{
    (void)state;
    cs_article a;
    cs_err err;
    const char *rec = "{\"id\":\"d\",\"author\":[\"Ann Lee\",\" Bo Chan \",\"ann lee\"],"
                      "\"section\":\"Health\",\"tags\":\"nhs, mergers,,NHS\",\"body\":\"B.\"}";
    assert_true(cs_article_from_json(rec, strlen(rec), &a, &err));
    assert_string_equal(a.author, "Ann Lee, Bo Chan");
    assert_int_equal(a.nauthors, 2);
    assert_string_equal(a.section, "Health");
    assert_int_equal(a.ntags, 2);
    assert_string_equal(a.tags[0], "nhs");
    assert_string_equal(a.tags[1], "mergers");
    cs_article_clear(&a);

    cs_buf b = { 0 };
    cs_buf_puts(&b, "{\"id\":\"d\",\"body\":\"B.\",\"section\":\"");
    for (int i = 0; i < CS_MAX_FIELD_BYTES + 50; i++)
        cs_buf_putc(&b, 's');
    cs_buf_puts(&b, "\",\"tags\":[");
    for (int i = 0; i < CS_MAX_TAGS + 5; i++)
        cs_buf_printf(&b, "%s\"t%d\"", i ? "," : "", i);
    cs_buf_puts(&b, "]}");
    assert_true(cs_article_from_json(b.s, b.len, &a, &err));
    assert_int_equal(strlen(a.section), CS_MAX_FIELD_BYTES);
    assert_int_equal(a.ntags, CS_MAX_TAGS);
    assert_string_equal(a.tags[CS_MAX_TAGS - 1], "t31");
    cs_article_clear(&a);
    cs_buf_free(&b);

    static const char *const bad[] = {
        "{\"id\":\"d\",\"author\":7,\"body\":\"B.\"}",
        "{\"id\":\"d\",\"tags\":[1],\"body\":\"B.\"}",
        "{\"id\":\"d\",\"section\":[\"x\"],\"body\":\"B.\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(cs_article_from_json(bad[i], strlen(bad[i]), &a, &err));
        assert_int_equal(err.code, CS_E_INPUT);
    }
}

static void bad_json_records(void **state)
{
    (void)state;
    cs_article a;
    cs_err err;
    static const char *const bad[] = {
        "{\"id\":\"x\",\"body\":\"", "[1]", "{\"id\":\"x\"}", "{\"id\":\"x\",\"body\":\"\"}",
        "{\"id\":\"x\",\"body\":7}", "{\"id\":[1],\"body\":\"b\"}", "{\"id\":\"x\",\"title\":3,\"body\":\"b\"}",
        "{\"id\":\"x\",\"body\":\"a\\u0000b\"}", "{\"id\":42,\"body\":\"b\"}",
        "{\"id\":true,\"body\":\"b\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(cs_article_from_json(bad[i], strlen(bad[i]), &a, &err));
        assert_int_equal(err.code, CS_E_INPUT);
        assert_true(strlen(err.msg) > 0);
    }
}

static void html_sniffing(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "<!DOCTYPE html><p>x", "<!doctype HTML>", "  \n<html lang=en>", "\xEF\xBB\xBF<html>",
        "<!-- saved from url --><!DOCTYPE html>", "<HTML>",
    };
    static const char *const no[] = {
        "", "Headline\n\n<html> in a story", "<!-- unclosed <html>", "<htm", "<?xml version=\"1.0\"?>",
        "<p>a fragment</p>",
    };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(cs_html_sniff(yes[i], strlen(yes[i])));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(cs_html_sniff(no[i], strlen(no[i])));
}

static void html_page_fields(void **state)
{
    (void)state;
    cs_article a;
    cs_err err;
    const char *page = "<html><head><title>Clinic | Echo</title>"
                       "<meta property=\"og:site_name\" content=\" Echo \">"
                       "<meta property=\"article:tag\" content=\"NHS\">"
                       "<meta name=\"keywords\" content=\"nhs, clinics\">"
                       "<meta name=\"author\" content=\"By  Ann\n Lee\">"
                       "<link rel=\"canonical\" href=\"https://e/1\"></head>"
                       "<body><nav>Menu</nav><p>First para.</p><p>Second<br>line.</p>"
                       "<script>var x;</script></body></html>";
    assert_true(cs_article_from_html("p", page, strlen(page), &a, &err));
    assert_string_equal(a.title, "Clinic");
    assert_string_equal(a.source, "Echo");
    assert_string_equal(a.url, "https://e/1");
    assert_string_equal(a.author, "Ann Lee");
    assert_int_equal(a.ntags, 2);
    assert_string_equal(a.tags[1], "clinics");
    assert_string_equal(a.body, "First para.\n\nSecond\nline.");
    cs_article_clear(&a);
    page = "<html><body><nav>Only a menu</nav></body></html>";
    assert_false(cs_article_from_html("p", page, strlen(page), &a, &err));
    assert_int_equal(err.code, CS_E_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_in_the_forms_articles_write_them),
        cmocka_unit_test(impossible_dates_are_not_dates),
        cmocka_unit_test(impossible_dates_are_named),
        cmocka_unit_test(impossible_date_lines_and_fields_are_kept_for_a_warning),
        cmocka_unit_test(news_page_shape),
        cmocka_unit_test(standfirst_bullets_give_the_title),
        cmocka_unit_test(report_shape_with_capitals),
        cmocka_unit_test(stated_publisher_and_social_chrome),
        cmocka_unit_test(chrome_only_is_an_empty_body),
        cmocka_unit_test(descriptive_fields),
        cmocka_unit_test(html_sniffing),
        cmocka_unit_test(html_page_fields),
        cmocka_unit_test(json_record_fields),
        cmocka_unit_test(bad_json_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
