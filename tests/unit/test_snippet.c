/* Unit tests of snippets: the passage chosen, the marks, the escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "text/analyze.h"
#include "query/query.h"
#include "query/snippet.h"

#include <stdlib.h>
#include <string.h>

static char *snip(const char *text, const char *const *raw, const char *const *stem,
                  const char *const *phrase, unsigned chars)
{
    cs_hl hl = { { 0 }, { 0 }, { 0 }, { 0 } };
    for (size_t i = 0; raw && raw[i]; i++)
        assert_true(cs_strlist_add(&hl.raw, raw[i]));
    for (size_t i = 0; stem && stem[i]; i++)
        assert_true(cs_strlist_add(&hl.stem, stem[i]));
    for (size_t i = 0; phrase && phrase[i]; i++)
        assert_true(cs_strlist_add(&hl.phrase, phrase[i]));
    cs_buf out = { 0 };
    assert_true(cs_snippet(text, strlen(text), &hl, chars, &out));
    cs_strlist_free(&hl.raw);
    cs_strlist_free(&hl.stem);
    cs_strlist_free(&hl.phrase);
    return cs_buf_take(&out);
}

static void marks_words_stems_and_escapes(void **state)
{
    (void)state;
    const char *raw[] = { "radmore", NULL };
    const char *stem[] = { "merger", NULL };
    char *s = snip("A <b>letter</b> from Ann Radmore’s office on mergers & merging.", raw, stem,
                   NULL, 300);
    assert_string_equal(s, "A &lt;b&gt;letter&lt;/b&gt; from Ann <mark>Radmore’s</mark> office on "
                           "<mark>mergers</mark> &amp; merging.");
    free(s);
}

/* A prefix marks every word it begins, and only those. */
static void prefixes_mark_the_words_they_begin(void **state)
{
    (void)state;
    cs_hl hl = { { 0 }, { 0 }, { 0 }, { 0 } };
    assert_true(cs_strlist_add(&hl.prefix, "merg"));
    cs_buf out = { 0 };
    assert_true(cs_snippet("Emerging talk of a Merger; the mergers merged.", 47, &hl, 300, &out));
    /* (Adjacent matches share a mark.) */
    assert_string_equal(out.s, "Emerging talk of a <mark>Merger</mark>; the "
                        "<mark>mergers merged</mark>.");
    cs_buf_free(&out);
    cs_strlist_free(&hl.prefix);
}

static void phrases_are_marked_only_whole(void **state)
{
    (void)state;
    const char *phrase[] = { "clinical commissioning group", NULL };
    const char *stem[] = { "ccg", NULL };
    char *s = snip("The clinical lead of a clinical commissioning group and two CCGs.", NULL, stem,
                   phrase, 300);
    assert_string_equal(s, "The clinical lead of a <mark>clinical commissioning group</mark> and "
                           "two <mark>CCGs</mark>.");
    free(s);
}

static void long_phrases_are_marked_too(void **state)
{
    (void)state;
    /* Twelve words: more than a short ring of recent words would hold. */
    const char *phrase[] = { "the group will merge with its two neighbours on the first of april",
                             NULL };
    char *s = snip("It said the group will merge with its two neighbours on the first of april "
                   "next year.", NULL, NULL, phrase, 300);
    assert_string_equal(s, "It said <mark>the group will merge with its two neighbours on the "
                           "first of april</mark> next year.");
    free(s);
}

static void adjacent_matches_share_a_mark(void **state)
{
    (void)state;
    const char *raw[] = { "accountable", "officer", NULL };
    char *s = snip("A joint accountable officer was named.", raw, NULL, NULL, 300);
    assert_string_equal(s, "A joint <mark>accountable officer</mark> was named.");
    free(s);
}

static void best_passage_not_the_start(void **state)
{
    (void)state;
    char text[4000];
    strcpy(text, "Opening words.");
    for (int i = 0; i < 60; i++)
        strcat(text, " Filler sentence about nothing much.");
    strcat(text, " Here Toby Sanders became joint chief executive.");
    for (int i = 0; i < 20; i++)
        strcat(text, " More filler text.");
    const char *raw[] = { "sanders", "executive", NULL };
    char *s = snip(text, raw, NULL, NULL, 120);
    assert_non_null(strstr(s, "<mark>Sanders</mark>"));
    assert_non_null(strstr(s, "<mark>executive</mark>"));
    assert_true(strncmp(s, "\xE2\x80\xA6 ", 4) == 0);          /* starts mid-text */
    size_t chars = 0;
    for (const char *p = s; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    assert_true(chars < 120 + 60);                            /* about the length asked */
    free(s);
}

static void never_cuts_a_character(void **state)
{
    (void)state;
    char text[2000] = "";
    for (int i = 0; i < 300; i++)
        strcat(text, "\xC3\xA9");                               /* é, no spaces */
    strcat(text, " end");
    for (unsigned n = 5; n < 40; n++) {
        char *s = snip(text, NULL, NULL, NULL, n);
        assert_true(cs_utf8_valid(s, strlen(s)));
        free(s);
    }
}

static void no_match_gives_the_start(void **state)
{
    (void)state;
    const char *raw[] = { "zebra", NULL };
    char *s = snip("First words of the body. Then more.", raw, NULL, NULL, 300);
    assert_string_equal(s, "First words of the body. Then more.");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(marks_words_stems_and_escapes),
        cmocka_unit_test(prefixes_mark_the_words_they_begin),
        cmocka_unit_test(phrases_are_marked_only_whole),
        cmocka_unit_test(long_phrases_are_marked_too),
        cmocka_unit_test(adjacent_matches_share_a_mark),
        cmocka_unit_test(best_passage_not_the_start),
        cmocka_unit_test(never_cuts_a_character),
        cmocka_unit_test(no_match_gives_the_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
