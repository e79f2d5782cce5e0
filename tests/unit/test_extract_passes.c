/* Unit tests of the extractor's driver (lib/entities/extract.c): the pass
 * table, runs up to a named pass, and the public entry point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"

#include "entities/extract.h"

static void the_table_is_the_order(void **state)
{
    (void)state;
    static const char *const want[] = { "tokens", "ccgs", "known-orgs", "pattern-orgs",
                                        "nhs-orgs", "people", "places", "roles",
                                        "full-names", "story", "relations" };
    size_t n;
    const ex_pass *p = ex_passes(&n);
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t k = 0; k < n; k++) {
        assert_string_equal(p[k].name, want[k]);
        assert_non_null(p[k].run);
    }
}

static void a_run_stops_after_the_named_pass(void **state)
{
    (void)state;
    const char *text = "Dr Jane Smith, chief officer of NHS Nene CCG, spoke in Norfolk.";
    ex x;
    assert_true(ex_open(&x, text, strlen(text), NULL));
    assert_true(ex_run(&x, "tokens"));
    assert_int_equal(x.n, 15);
    assert_int_equal(x.nm, 0);
    assert_true(x.t[0].f & EX_T_SENT);
    assert_string_equal(x.t[0].norm, "dr");
    ex_close(&x);
    assert_found(text, "ccgs", EX_M_CCG, "NHS Nene CCG");
    assert_found(text, "ccgs", EX_M_PERSON, "");
    assert_found(text, "people", EX_M_PERSON, "Jane Smith");
    assert_found(text, "people", EX_M_ROLE, "");
    assert_found(text, "roles", EX_M_ROLE, "chief officer");
    assert_found(text, "roles", EX_M_PLACE, "Norfolk");
}

static void an_unknown_pass_runs_nothing(void **state)
{
    (void)state;
    const char *text = "NHS Nene CCG met.";
    ex x;
    assert_true(ex_open(&x, text, strlen(text), NULL));
    assert_false(ex_run(&x, "no-such-pass"));
    assert_int_equal(x.n, 0);
    ex_close(&x);
}

static void cs_extract_gives_facets_in_order_of_first_mention(void **state)
{
    (void)state;
    cs_article a = { 0 };
    a.body = "Dr Jane Smith, chief officer of NHS Nene CCG, spoke in Norfolk.";
    a.body_len = strlen(a.body);
    cs_entities e = { 0 };
    assert_true(cs_extract(&a, &e));
    assert_int_equal(e.n[CS_FACET_CCG], 1);
    assert_string_equal(e.v[CS_FACET_CCG][0], "NHS Nene CCG");
    assert_int_equal(e.n[CS_FACET_PERSON], 1);
    assert_string_equal(e.v[CS_FACET_PERSON][0], "Jane Smith");
    assert_int_equal(e.n[CS_FACET_ROLE], 1);
    assert_string_equal(e.v[CS_FACET_ROLE][0], "chief officer");
    assert_int_equal(e.n[CS_FACET_PLACE], 1);
    assert_string_equal(e.v[CS_FACET_PLACE][0], "Norfolk");
    assert_int_equal(e.nrel, 1);
    assert_string_equal(e.rel[0].org, "NHS Nene CCG");
    cs_entities_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_table_is_the_order),
        cmocka_unit_test(a_run_stops_after_the_named_pass),
        cmocka_unit_test(an_unknown_pass_runs_nothing),
        cmocka_unit_test(cs_extract_gives_facets_in_order_of_first_mention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
