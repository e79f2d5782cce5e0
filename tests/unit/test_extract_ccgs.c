/* Unit tests of the extractor's CCG pass (lib/entities/ccgs.c), run alone
 * after the tokeniser: names before a suffix, lists, groups, "NHS <name>",
 * and a named CCG's name again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"

static void a_name_before_its_suffix(void **state)
{
    (void)state;
    assert_found("NHS Leicester City CCG met on Monday.", "ccgs", EX_M_CCG,
                 "NHS Leicester City CCG");
    assert_found("Leicester City Clinical Commissioning Group met.", "ccgs", EX_M_CCG,
                 "NHS Leicester City CCG");
    /* A hand-picked alias (data/ccg_aliases.tsv): a common misspelling. */
    assert_found("NHS Blackburn and Darwen CCG met.", "ccgs", EX_M_CCG,
                 "NHS Blackburn with Darwen CCG");
    /* Another body's name that holds a CCG's. */
    assert_found("Berkshire West CCG Federation said no.", "ccgs", EX_M_CCG, "");
    /* A CCG that does not exist (yet). */
    assert_found("It would work as a Cheshire CCG from April.", "ccgs", EX_M_CCG, "");
    assert_found("It would work as a Cheshire CCG from April.", "ccgs", EX_M_GROUP, "#5-7");
}

static void lists_before_a_plural_suffix(void **state)
{
    (void)state;
    assert_found("Nene and Corby CCGs agreed a merger.", "ccgs", EX_M_CCG,
                 "NHS Nene CCG | NHS Corby CCG");
    /* Bare directions completed with the last name's tail. */
    assert_found("North, South and West Norfolk CCGs share a chief officer.", "ccgs", EX_M_CCG,
                 "NHS North Norfolk CCG | NHS South Norfolk CCG | NHS West Norfolk CCG");
    /* One name before "CCGs" names a group, not a CCG. */
    assert_found("Kent and Medway CCGs met.", "ccgs", EX_M_CCG, "");
    assert_found("Kent and Medway CCGs met.", "ccgs", EX_M_GROUP, "#0-4");
    /* A county's CCGs and one named CCG. */
    assert_found("Staffordshire and Stoke-on-Trent CCGs met.", "ccgs", EX_M_CCG,
                 "NHS Stoke-on-Trent CCG");
}

static void lists_after_a_plural_phrase_and_without_one(void **state)
{
    (void)state;
    assert_found("The CCGs of Erewash, Hardwick and Southern Derbyshire will merge.", "ccgs",
                 EX_M_CCG, "NHS Erewash CCG | NHS Hardwick CCG | NHS Southern Derbyshire CCG");
    /* Three names with no CCG wording at all. */
    assert_found("East Surrey, Crawley and Horsham and Mid Sussex are three of them.", "ccgs",
                 EX_M_CCG,
                 "NHS East Surrey CCG | NHS Crawley CCG | NHS Horsham and Mid Sussex CCG");
    /* Towns that share their names with CCGs are places. */
    assert_found("In Warrington, Halton and St Helens the GPs met.", "ccgs", EX_M_CCG, "");
}

static void nhs_names_where_the_sentence_speaks_of_ccgs(void **state)
{
    (void)state;
    assert_found("NHS Wiltshire said the CCG would consult.", "ccgs", EX_M_CCG,
                 "NHS Wiltshire CCG");
    assert_found("NHS Wiltshire said the trust would consult.", "ccgs", EX_M_CCG, "");
}

static void a_named_ccg_named_again(void **state)
{
    (void)state;
    /* Once named, the name alone beside a role is the CCG... */
    assert_found("NHS Corby CCG met. The accountable officer at Corby left.", "ccgs", EX_M_CCG,
                 "NHS Corby CCG | NHS Corby CCG");
    /* ...not before it is named, unless it is a CCG's own name before its
     * officer. */
    assert_found("The accountable officer at Corby left.", "ccgs", EX_M_CCG, "");
    assert_found("Lancashire North's chief officer left.", "ccgs", EX_M_CCG,
                 "NHS Lancashire North CCG");
    /* A seat's name before an MP is not a CCG's. */
    assert_found("Leeds West MP Anna Green spoke.", "ccgs", EX_M_CCG, "");
    /* Nor is the name that opens another body's, whose head ends a few
     * capitalised words later. */
    assert_found("NHS Birmingham and Solihull CCG met. Birmingham and Solihull Integrated "
                 "Care System was formed.", "ccgs", EX_M_CCG, "NHS Birmingham and Solihull CCG");
    /* The head within MAX_GENERIC_RUN capitalised words, no further. */
    assert_found("NHS Birmingham and Solihull CCG met. Birmingham and Solihull Alpha Beta "
                 "Care Trust was formed.", "ccgs", EX_M_CCG, "NHS Birmingham and Solihull CCG");
    assert_found("NHS Birmingham and Solihull CCG met. Birmingham and Solihull Alpha Beta "
                 "Gamma Care Trust was formed.", "ccgs", EX_M_CCG,
                 "NHS Birmingham and Solihull CCG | NHS Birmingham and Solihull CCG");
}

static void list_items_with_commas_and_articles(void **state)
{
    (void)state;
    /* a name that holds commas, in a comma-separated list */
    assert_found("The CCGs of Ashford, Canterbury and Coastal, Dartford, Gravesham and Swanley, "
                 "Swale and Medway met.",
                 "ccgs", EX_M_CCG,
                 "NHS Ashford CCG | NHS Canterbury and Coastal CCG | NHS Dartford, Gravesham "
                 "and Swanley CCG | NHS Swale CCG | NHS Medway CCG");
    /* "A and the B CCGs" */
    assert_found("The board heard proposals from the Calderdale and the Greater Huddersfield "
                 "Clinical Commissioning Groups on Monday.",
                 "ccgs", EX_M_CCG, "NHS Calderdale CCG | NHS Greater Huddersfield CCG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_name_before_its_suffix),
        cmocka_unit_test(lists_before_a_plural_suffix),
        cmocka_unit_test(lists_after_a_plural_phrase_and_without_one),
        cmocka_unit_test(nhs_names_where_the_sentence_speaks_of_ccgs),
        cmocka_unit_test(a_named_ccg_named_again),
        cmocka_unit_test(list_items_with_commas_and_articles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
