/* The extractor's bounds of lib/entities/bounds.h read at their value and
 * one past it, for those no other test crosses: MAX_NAME_WORDS (a person's
 * name) and MAX_LIST_NAMES (a list of CCGs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"
#include "entities/bounds.h"
#include "vocab/gazetteer.h"

/* Made-up words that are no given name, place or vocabulary entry. */
static const char *const words[] = { "Ozqa", "Vempl", "Pellq", "Quonx", "Rixt", "Zumd",
                                     "Yorv", "Xanth" };

static void a_name_holds_at_most_max_name_words(void **state)
{
    (void)state;
    assert_true(MAX_NAME_WORDS + 1 <= sizeof words / sizeof words[0]);
    for (size_t n = MAX_NAME_WORDS; n <= MAX_NAME_WORDS + 1; n++) {
        cs_buf text = { 0 }, name = { 0 };
        cs_buf_puts(&text, "Dr");
        for (size_t k = 0; k < n; k++) {
            cs_buf_printf(&text, " %s", words[k]);
            cs_buf_printf(&name, "%s%s", k ? " " : "", words[k]);
        }
        cs_buf_puts(&text, " spoke.");
        char *got = found(text.s, "people", EX_M_PERSON);
        /* At the bound the whole name is one person; past it, not. */
        if (n == MAX_NAME_WORDS)
            assert_string_equal(got, name.s);
        else
            assert_null(strstr(got, name.s));
        free(got);
        cs_buf_free(&text);
        cs_buf_free(&name);
    }
}

/* "A, B, ... and Z CCGs" naming n CCGs of the gazetteer: how many it reads. */
static size_t ccgs_read(size_t n)
{
    const cs_gaz *g = cs_gaz_get();
    assert_non_null(g);
    assert_true(g->ccg.n >= n);
    cs_buf text = { 0 };
    cs_buf_puts(&text, "The boards of ");
    for (size_t k = 0; k < n; k++) {
        /* "NHS Leicester City CCG" -> "Leicester City" */
        const char *v = g->ccg.names[k];
        size_t len = strlen(v);
        assert_true(strncmp(v, "NHS ", 4) == 0 && len > 8);
        cs_buf_puts(&text, k == 0 ? "" : k + 1 == n ? " and " : ", ");
        cs_buf_add(&text, v + 4, len - 8);
    }
    cs_buf_puts(&text, " CCGs met.");
    char *got = found(text.s, "ccgs", EX_M_CCG);
    size_t count = *got ? 1 : 0;
    for (const char *p = got; (p = strstr(p, " | ")); p += 3)
        count++;
    free(got);
    cs_buf_free(&text);
    return count;
}

static void a_list_reads_at_most_max_list_names(void **state)
{
    (void)state;
    assert_int_equal(ccgs_read(MAX_LIST_NAMES), MAX_LIST_NAMES);
    /* A longer list keeps its first names, or none: never more. */
    assert_true(ccgs_read(MAX_LIST_NAMES + 1) <= MAX_LIST_NAMES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_name_holds_at_most_max_name_words),
        cmocka_unit_test(a_list_reads_at_most_max_list_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
