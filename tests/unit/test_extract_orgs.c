/* Unit tests of the extractor's organisation passes (lib/entities/orgs.c):
 * known organisations, names by their head word, and "NHS <place>". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"

static void known_organisations_as_written_or_written_out(void **state)
{
    (void)state;
    assert_found("The Care Quality Commission wrote.", "known-orgs", EX_M_ORG,
                 "Care Quality Commission");
    /* An abbreviation of org_full_names.txt is written out... */
    assert_found("NHSE said so.", "known-orgs", EX_M_ORG, "NHS England");
    assert_found("They applied to NHS Improvement/England.", "known-orgs", EX_M_ORG,
                 "NHS England and NHS Improvement");
    /* ...a known body's local branch keeps its place. */
    assert_found("Healthwatch Suffolk said.", "known-orgs", EX_M_ORG, "Healthwatch Suffolk");
    /* A name is written with capitals. */
    assert_found("NHS providers said NHS Providers agreed.", "known-orgs", EX_M_ORG,
                 "NHS Providers");
}

static void names_by_their_head_word(void **state)
{
    (void)state;
    /* An "and" right after a head starts another name. */
    assert_found("Kent County Council and Medway Council agreed.", "pattern-orgs", EX_M_ORG,
                 "Kent County Council | Medway Council");
    assert_found("University Hospitals of Leicester NHS Trust said.", "pattern-orgs", EX_M_ORG,
                 "University Hospitals of Leicester NHS Trust");
    assert_found("Wrightington, Wigan and Leigh NHS Foundation Trust said.", "pattern-orgs",
                 EX_M_ORG, "Wrightington, Wigan and Leigh NHS Foundation Trust");
    /* A head that comes first. */
    assert_found("The University of Central Lancashire and the Joint Committee met.",
                 "pattern-orgs", EX_M_ORG, "University of Central Lancashire");
    /* A role is not part of the name. */
    assert_found("The Chief Executive of Ipswich Hospital NHS Trust spoke.", "pattern-orgs",
                 EX_M_ORG, "Ipswich Hospital NHS Trust");
    /* Heads alone, and names of generic words only, name nothing... */
    assert_found("The Trust said the Joint Committee met.", "pattern-orgs", EX_M_ORG, "");
    /* A body's kind written out (data/synonyms.txt: "stp | sustainability
     * and transformation partnership | ... plan") ends a name as the
     * head of its short form would, in any case after its first word... */
    assert_found("She leads the Norfolk and Waveney Sustainability and Transformation Plan.",
                 "pattern-orgs", EX_M_ORG,
                 "Norfolk and Waveney Sustainability and Transformation Plan");
    assert_found("He led the Lancashire and South Cumbria Sustainability and transformation "
                 "plan footprint.", "pattern-orgs", EX_M_ORG,
                 "Lancashire and South Cumbria Sustainability and transformation plan");
    /* ...and alone names nothing. */
    assert_found("The Sustainability and Transformation Plan was published.", "pattern-orgs",
                 EX_M_ORG, "");
    /* ...but the CCGs' own committee is named, in either form. */
    assert_found("The Joint Committee of Clinical Commissioning Groups and the Joint "
                 "Committee of CCGs met.", "pattern-orgs", EX_M_ORG,
                 "Joint Committee of Clinical Commissioning Groups | Joint Committee of CCGs");
}

static void lower_case_heads_after_a_proper_name(void **state)
{
    (void)state;
    assert_found("Surrey Heartlands integrated care system began.", "pattern-orgs", EX_M_ORG,
                 "Surrey Heartlands integrated care system");
    assert_found("Devon, Plymouth and Torbay commissioning board met.", "pattern-orgs", EX_M_ORG,
                 "Devon, Plymouth and Torbay commissioning board");
    assert_found("Kent committee met.", "pattern-orgs", EX_M_ORG, "");
    /* A CCG's name that the story has made a CCG's starts the
     * partnership it opens, and is no CCG there. */
    assert_found("NHS Nene CCG met. Ms Smith leads the Nene sustainability and "
                 "transformation partnership.", "pattern-orgs", EX_M_ORG,
                 "Nene sustainability and transformation partnership");
    /* MAX_GENERIC_RUN words of a name's kind before its head, no more. */
    assert_found("Nene sustainability and transformation partnership met.", "pattern-orgs",
                 EX_M_ORG, "Nene sustainability and transformation partnership");
    assert_found("Nene health and care sustainability and transformation partnership met.",
                 "pattern-orgs", EX_M_ORG, "");
    /* A commissioning support unit. */
    assert_found("She joined Arden and Wolds Commissioning Support Unit.", "pattern-orgs",
                 EX_M_ORG, "Arden and Wolds Commissioning Support Unit");
}

static void nhs_bodies_named_after_their_area(void **state)
{
    (void)state;
    assert_found("NHS Southampton City was abolished.", "nhs-orgs", EX_M_ORG,
                 "NHS Southampton City");
    /* The CCG pass has taken "NHS X" where it was a CCG. */
    assert_found("NHS Wiltshire said the CCG would consult.", "nhs-orgs", EX_M_ORG, "");
    assert_found("NHS Wiltshire said the CCG would consult.", "nhs-orgs", EX_M_CCG,
                 "NHS Wiltshire CCG");
}

static void no_run_on_into_a_title_or_its_holder(void **state)
{
    (void)state;
    /* Attendance lists: "Name Title Organisation" on one line. */
    assert_found("Present Jane Smith Executive Lead for Finance and Lancashire and South "
                 "Cumbria ICS", "pattern-orgs", EX_M_ORG, "Lancashire and South Cumbria ICS");
    assert_found("Present John Brown Medical Director Lancashire and South Cumbria ICS",
                 "pattern-orgs", EX_M_ORG, "Lancashire and South Cumbria ICS");
    /* A title before an organisation named without a place is as before. */
    assert_found("The Chief Executive of Calderstones Partnership NHS Foundation Trust spoke.",
                 "pattern-orgs", EX_M_ORG, "Calderstones Partnership NHS Foundation Trust");
    /* A plural head names a body's members, and stays in its name. */
    assert_found("The Council of Economic Advisers met.", "pattern-orgs", EX_M_ORG,
                 "Council of Economic Advisers");
}

static void generic_bodies_and_lower_case_partnerships(void **state)
{
    (void)state;
    assert_found("Local Authorities and Trusts met County Councils.", "pattern-orgs", EX_M_ORG,
                 "");
    assert_found("The Devon sustainability and transformation partnership met.", "pattern-orgs",
                 EX_M_ORG, "Devon sustainability and transformation partnership");
    /* A known body longer than the newspaper its name begins with. */
    assert_found("The Independent Reconfiguration Panel met.", "known-orgs", EX_M_ORG,
                 "Independent Reconfiguration Panel");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_run_on_into_a_title_or_its_holder),
        cmocka_unit_test(generic_bodies_and_lower_case_partnerships),
        cmocka_unit_test(known_organisations_as_written_or_written_out),
        cmocka_unit_test(names_by_their_head_word),
        cmocka_unit_test(lower_case_heads_after_a_proper_name),
        cmocka_unit_test(nhs_bodies_named_after_their_area),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
