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

static void titles_read_by_the_grammar(void **state)
{
    (void)state;
    /* Modifiers, a head, and the head's portfolio. */
    assert_found("She was named strategic director for adult care and housing.", "roles",
                 EX_M_ROLE, "strategic director for adult care and housing");
    assert_found("He is the Executive Lead for Quality at the trust.", "roles", EX_M_ROLE,
                 "executive lead for quality");
    assert_found("The practice manager and the nurse representative left.", "roles",
                 EX_M_ROLE, "practice manager | nurse representative");
    assert_found("A governing body GP representative and an independent chair spoke.",
                 "roles", EX_M_ROLE, "governing body gp representative | independent chair");
    /* A vocabulary role after modifiers keeps its canonical form. */
    assert_found("The clinical chief officer and the executive managing director met.",
                 "roles", EX_M_ROLE, "clinical chief officer | executive managing director");
    assert_found("Our Corporate & Governance Officer answers.", "roles", EX_M_ROLE,
                 "corporate and governance officer");
    /* "Non-Executive Members": a capitalised plural, written singular. */
    assert_found("The board will recruit Non-Executive Members soon.", "roles", EX_M_ROLE,
                 "non-executive member");
    /* A head alone is a role only when listed alone. */
    assert_found("The mayor met the manager.", "roles", EX_M_ROLE, "mayor");
    /* A title's head before a noun modifies it: no title. */
    assert_found("Ask the patient representative groups.", "roles", EX_M_ROLE, "");
    /* A head word modifies a later head only when listed as a modifier. */
    assert_found("The lead manager of the bond issue is a bank.", "roles", EX_M_ROLE, "");
    /* The longer title wins over the vocabulary's. */
    assert_found("She became director of finance and contracting.", "roles", EX_M_ROLE,
                 "director of finance and contracting");
    assert_found("The Senior Responsible Officer spoke.", "roles", EX_M_ROLE,
                 "senior responsible officer");
}

static void a_portfolio_keeps_its_commas(void **state)
{
    (void)state;
    assert_found("He is director of commissioning, strategy and delivery.", "roles", EX_M_ROLE,
                 "director of commissioning, strategy and delivery");
    /* MAX_PORTFOLIO_ITEM (4): the "and" of the last item within four
     * tokens of the comma; five tokens on, the comma ends the portfolio. */
    assert_int_equal(MAX_PORTFOLIO_ITEM, 4);
    assert_found("He is director of commissioning, quality care planning and delivery.",
                 "roles", EX_M_ROLE,
                 "director of commissioning, quality care planning and delivery");
    assert_found("He is director of commissioning, quality care planning review and delivery.",
                 "roles", EX_M_ROLE, "director of commissioning");
}

static void a_title_has_at_most_max_title_words(void **state)
{
    (void)state;
    assert_int_equal(MAX_TITLE_WORDS, 6);
    /* Five modifiers and a head: six words, one title. */
    assert_found("the deputy assistant regional locality practice manager", "roles", EX_M_ROLE,
                 "deputy assistant regional locality practice manager");
    /* Six modifiers and a head: seven words are no title of the grammar;
     * the last six are read from the second word on. */
    assert_found("the deputy assistant regional locality business practice manager", "roles",
                 EX_M_ROLE, "assistant regional locality business practice manager");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roles_of_the_vocabulary_without_their_qualifiers),
        cmocka_unit_test(director_of_and_chief_officer_patterns),
        cmocka_unit_test(council_leaders),
        cmocka_unit_test(a_place_is_never_a_role),
        cmocka_unit_test(titles_read_by_the_grammar),
        cmocka_unit_test(a_portfolio_keeps_its_commas),
        cmocka_unit_test(a_title_has_at_most_max_title_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
