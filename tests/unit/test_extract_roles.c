/* Unit tests of the extractor's roles pass (lib/entities/roles.c): the
 * vocabulary, its qualifiers, and the patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"

static void roles_of_the_vocabulary_without_their_qualifiers(void **state)
{
    (void)state;
    assert_found("The interim accountable officer left.", "roles", EX_M_ROLE,
                 "accountable officer");
    assert_found("The CEO and the CFO met the MP.", "roles", EX_M_ROLE,
                 "chief executive | chief finance officer | mp");
}

static void director_of_and_chief_officer_patterns(void **state)
{
    (void)state;
    assert_found("She is director of operations and corporate affairs at the trust.", "roles",
                 EX_M_ROLE, "director of operations and corporate affairs");
    assert_found("The chief nursing and quality officer spoke.", "roles", EX_M_ROLE,
                 "chief nursing and quality officer");
    assert_found("He was the director of another region.", "roles", EX_M_ROLE, "director");
    /* Modifiers before "director" match its case. */
    assert_found("The locality director met the Corporate Services and Governance Director.",
                 "roles", EX_M_ROLE,
                 "locality director | corporate services and governance director");
}

static void council_leaders(void **state)
{
    (void)state;
    assert_found("The leader of North Devon Council spoke.", "roles", EX_M_ROLE,
                 "council leader");
    assert_found("North Devon Council Leader Jane Smith spoke.", "roles", EX_M_ROLE,
                 "council leader");
    assert_found("The leader of the pack spoke.", "roles", EX_M_ROLE, "");
}

static void a_place_is_never_a_role(void **state)
{
    (void)state;
    /* Places run before roles: "Chief" is not read into a place, and the
     * place's words are claimed before the roles pass looks. */
    assert_found("The chief officer of Norfolk spoke.", "places", EX_M_ROLE, "");
    assert_found("The chief officer of Norfolk spoke.", "places", EX_M_PLACE, "Norfolk");
    assert_found("The chief officer of Norfolk spoke.", "roles", EX_M_ROLE, "chief officer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles_of_the_vocabulary_without_their_qualifiers),
        cmocka_unit_test(director_of_and_chief_officer_patterns),
        cmocka_unit_test(council_leaders),
        cmocka_unit_test(a_place_is_never_a_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
