/* Unit tests of text analysis: what terms a piece of text becomes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "text/analyze.h"
#include "core/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens rendered as "term@pos" (variants as "term@pos+"), space separated. */
typedef struct out {
    char s[4096];
} out;

static int collect(void *ctx, const cs_token *t)
{
    out *o = ctx;
    size_t n = strlen(o->s);
    snprintf(o->s + n, sizeof o->s - n, "%s%s@%u%s", n ? " " : "", t->term, t->pos,
             (t->flags & CS_TOK_VARIANT) ? "+" : "");
    return 0;
}

static const char *tokens(const char *text)
{
    static out o;
    o.s[0] = '\0';
    assert_int_equal(cs_analyze(text, strlen(text), 1, collect, &o, NULL), 0);
    return o.s;
}

static void words_are_case_folded_and_split(void **state)
{
    (void)state;
    assert_string_equal(tokens("Joint Accountable OFFICER."), "joint@1 accountable@2 officer@3");
    assert_string_equal(tokens("  (NHS England/Improvement)  "), "nhs@1 england@2 improvement@3");
}

static void apostrophes_straight_and_curly(void **state)
{
    (void)state;
    /* CCGs’ (plural possessive) finds ccgs; a possessive 's is dropped. */
    assert_string_equal(tokens("the CCGs\xE2\x80\x99 plans"), "the@1 ccgs@2 plans@3");
    assert_string_equal(tokens("Radmore\xE2\x80\x99s wish"), "radmore@1 wish@2");
    assert_string_equal(tokens("Radmore's wish"), "radmore@1 wish@2");
    assert_string_equal(tokens("Sarah O\xE2\x80\x99" "Brien"), "sarah@1 o'brien@2");
    assert_string_equal(tokens("\xE2\x80\x98quoted\xE2\x80\x99"), "quoted@1");
}

static void unicode_is_normalised(void **state)
{
    (void)state;
    assert_string_equal(tokens("\xEF\xAC\x81nance"), "finance@1");          /* ﬁ ligature */
    assert_string_equal(tokens("\xEF\xBC\xA3\xEF\xBC\xA3\xEF\xBC\xA7"), "ccg@1"); /* ＣＣＧ */
    assert_string_equal(tokens("Caf\xC3\xA9 CAF\xC3\x89"), "cafe@1 cafe@2");  /* é, É */
    assert_string_equal(tokens("Stra\xC3\x9F" "e"), "strasse@1");            /* ß */
}

static void dashes_split_and_hyphens_join(void **state)
{
    (void)state;
    /* En and em dashes separate words; nothing is joined across them. */
    assert_string_equal(tokens("Leicester\xE2\x80\x93Rutland"), "leicester@1 rutland@2");
    assert_string_equal(tokens("2018\xE2\x80\x93" "19"), "2018@1 19@2");
    assert_string_equal(tokens("LLR \xE2\x80\x94 which"), "llr@1 which@2");
    /* A hyphenated word: its parts in order, and joined at the first. */
    assert_string_equal(tokens("north-west London"), "north@1 west@2 northwest@1+ london@3");
    assert_string_equal(tokens("mid-2019"), "mid@1 2019@2 mid2019@1+");
    assert_string_equal(tokens("Stoke-on-Trent"), "stoke@1 on@2 trent@3 stokeontrent@1+");
    /* Spaced hyphens are not compounds. */
    assert_string_equal(tokens("north - west"), "north@1 west@2");
}

static void numbers_and_money(void **state)
{
    (void)state;
    assert_string_equal(tokens("\xC2\xA3" "850m"), "\xC2\xA3" "850m@1 850m@1+ 850@1+");
    assert_string_equal(tokens("1.1million patients"), "1.1million@1 1.1@1+ million@1+ patients@2");
    assert_string_equal(tokens("2,000 staff in 2019."), "2000@1 staff@2 in@3 2019@4");
    assert_string_equal(tokens("$1.13bn"), "$1.13bn@1 1.13bn@1+ 1.13@1+");
    assert_string_equal(tokens("A&E pressure"), "a&e@1 pressure@2");
}

static void overlong_tokens_are_skipped(void **state)
{
    (void)state;
    char text[CS_MAX_TERM_BYTES * 3 + 32];
    /* A token of exactly the limit is kept, one byte more is not. */
    memset(text, 'a', CS_MAX_TERM_BYTES);
    strcpy(text + CS_MAX_TERM_BYTES, " ok");
    const char *t = tokens(text);
    assert_int_equal(strlen(t), CS_MAX_TERM_BYTES + strlen("@1 ok@2"));
    memset(text, 'b', CS_MAX_TERM_BYTES + 1);
    strcpy(text + CS_MAX_TERM_BYTES + 1, " ok");
    assert_string_equal(tokens(text), "ok@1");
}

static void invalid_bytes_are_separators(void **state)
{
    (void)state;
    assert_string_equal(tokens("caf\xC3 bar\xFF" "baz"), "caf@1 bar@2 baz@3");
}

static void positions_continue_from_first_pos(void **state)
{
    (void)state;
    out o = { "" };
    unsigned last = 0;
    assert_int_equal(cs_analyze("one two", 7, 101, collect, &o, &last), 0);
    assert_string_equal(o.s, "one@101 two@102");
    assert_int_equal(last, 102);
}

static void normalised_keys(void **state)
{
    (void)state;
    char *k = cs_normalize_key("NHS  Leicester City CCG\xE2\x80\x99s", 27);
    assert_string_equal(k, "nhs leicester city ccg");
    free(k);
    k = cs_normalize_key("Stoke-on-Trent", 14);
    assert_string_equal(k, "stoke on trent");
    free(k);
    k = cs_normalize_key("", 0);
    assert_string_equal(k, "");
    free(k);
}

static void utf8_validation_and_cutting(void **state)
{
    (void)state;
    assert_true(cs_utf8_valid("caf\xC3\xA9", 5));
    assert_false(cs_utf8_valid("caf\xC3", 4));
    assert_false(cs_utf8_valid("\xED\xA0\x80", 3));        /* surrogate */
    assert_false(cs_utf8_valid("\xC0\xAF", 2));            /* overlong */
    assert_int_equal(cs_utf8_invalid_at("ab\xFF" "cd", 5), 2);
    assert_int_equal(cs_utf8_cut("caf\xC3\xA9", 5, 4), 3);  /* not inside é */
    assert_int_equal(cs_utf8_cut("caf\xC3\xA9", 5, 5), 5);
    assert_int_equal(cs_utf8_cut("abc", 3, 10), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_are_case_folded_and_split),
        cmocka_unit_test(apostrophes_straight_and_curly),
        cmocka_unit_test(unicode_is_normalised),
        cmocka_unit_test(dashes_split_and_hyphens_join),
        cmocka_unit_test(numbers_and_money),
        cmocka_unit_test(overlong_tokens_are_skipped),
        cmocka_unit_test(invalid_bytes_are_separators),
        cmocka_unit_test(positions_continue_from_first_pos),
        cmocka_unit_test(normalised_keys),
        cmocka_unit_test(utf8_validation_and_cutting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
