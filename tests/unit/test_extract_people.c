/* Unit tests of the extractor's people pass (lib/entities/people.c) and
 * the full-names pass after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"

static void names_with_a_title_or_a_known_given_name(void **state)
{
    (void)state;
    assert_found("Dr Jane Smith opened the clinic.", "people", EX_M_PERSON, "Jane Smith");
    assert_found("Prof. Mark Evans and Sarah Brown met.", "people", EX_M_PERSON,
                 "Mark Evans | Sarah Brown");
    /* One word is a name only with a title. */
    assert_found("Dr Evans wrote.", "people", EX_M_PERSON, "Evans");
    assert_found("Smith agreed.", "people", EX_M_PERSON, "");
    /* Months, places and organisations' words are not names. */
    assert_found("The Monday Meeting was held.", "people", EX_M_PERSON, "");
    assert_found("Great Yarmouth gained a hospital.", "people", EX_M_PERSON, "");
    /* A title in capitals before a word that is not is an acronym. */
    assert_found("They met via MS Teams. Ms Teams spoke.", "people", EX_M_PERSON, "Teams");
}

static void unknown_names_beside_a_role_or_a_verb_of_speech(void **state)
{
    (void)state;
    assert_found("Ozymandias Pell, chief officer, agreed.", "people", EX_M_PERSON,
                 "Ozymandias Pell");
    assert_found("Ozymandias Pell said no.", "people", EX_M_PERSON, "Ozymandias Pell");
    assert_found("Ozymandias Pell agreed.", "people", EX_M_PERSON, "");
    assert_found("Ozymandias said no.", "people", EX_M_PERSON, "");
}

static void a_councillor_title_is_a_role_too(void **state)
{
    (void)state;
    assert_found("Councillor Adele Williams spoke.", "people", EX_M_PERSON, "Adele Williams");
    assert_found("Councillor Adele Williams spoke.", "people", EX_M_ROLE, "councillor");
    /* Only that role: the roles pass has not run yet. */
    assert_found("Tom Jones, accountable officer, agreed.", "people", EX_M_ROLE, "");
}

static void a_surname_alone_takes_the_full_name(void **state)
{
    (void)state;
    assert_found("Dr Jane Smith spoke. Later Dr Smith left.", "people", EX_M_PERSON,
                 "Jane Smith | Smith");
    assert_found("Dr Jane Smith spoke. Later Dr Smith left.", "full-names", EX_M_PERSON,
                 "Jane Smith | Jane Smith");
}

static void a_name_alone_that_the_story_gives_in_full(void **state)
{
    (void)state;
    /* With no title: a surname that ends, or a given name that begins,
     * the one full name the story gives. */
    assert_found("The accountable officer Harriet Pell arrived in May. After a year Pell left, "
                 "and Harriet stayed on.", "full-names", EX_M_PERSON,
                 "Harriet Pell | Harriet Pell | Harriet Pell");
    /* Two people of that surname: neither. */
    assert_found("Jane Smith and Tom Smith spoke. Smith left.", "full-names", EX_M_PERSON,
                 "Jane Smith | Tom Smith");
    /* Part of a longer name, it is not one alone. */
    assert_found("Jane Smith spoke. Smith Street was shut.", "full-names", EX_M_PERSON,
                 "Jane Smith");
}

static void names_after_a_lower_case_title(void **state)
{
    (void)state;
    /* An unknown given name right after a lower-case title's head. */
    assert_found("Former accountable officer Quorra Pellow resigned.", "people", EX_M_PERSON,
                 "Quorra Pellow");
    /* A double-barrelled surname whose second part is another word. */
    assert_found("Dr Helen Smith-May spoke.", "people", EX_M_PERSON, "Helen Smith-May");
}

static void firms_and_institutions_are_not_people(void **state)
{
    (void)state;
    /* A run of capitalised words that ends in a firm's or an institution's
     * word is that body, with or without a known given name in it. */
    assert_found("Douglas Hurd Corp said profits rose.", "people", EX_M_PERSON, "");
    assert_found("Harold Smith Inc said profits rose.", "people", EX_M_PERSON, "");
    assert_found("The Federal Reserve said rates would hold.", "people", EX_M_PERSON, "");
    assert_found("The White House said no.", "people", EX_M_PERSON, "");
    /* A title before a name is not part of it. */
    assert_found("Finance Minister Ozymandias Pell said no.", "people", EX_M_PERSON,
                 "Ozymandias Pell");
    assert_found("House Speaker Ozymandias Pell said no.", "people", EX_M_PERSON,
                 "Ozymandias Pell");
    /* A firm named after its founders is a known organisation. */
    assert_found("Morgan Stanley said shares fell.", "people", EX_M_PERSON, "");
    assert_found("Morgan Stanley said shares fell.", "people", EX_M_ORG, "Morgan Stanley");
}

static void a_title_after_a_name_is_not_part_of_it(void **state)
{
    (void)state;
    /* Attendance lists: "Name Title" with no comma between. */
    assert_found("Present David Flory Independent Chair and Mary Jones Safeguarding Health "
                 "Executive Lead.", "people", EX_M_PERSON, "David Flory | Mary Jones");
    /* A modifier right before a capitalised head, or a head taking its
     * portfolio, is the title, not the name's last word. */
    assert_found("Present Jane Cass Locality Director NHS England and Neil Greaves Head of "
                 "Communications.", "people", EX_M_PERSON, "Jane Cass | Neil Greaves");
    /* A surname that is a head stays a surname. */
    assert_found("Alison Head said no.", "people", EX_M_PERSON, "Alison Head");
    /* Nor before it: a title of the role gazetteer begun before a word
     * takes that word ("State"), and the name starts after it. */
    assert_found("Secretary of State George Shultz said no.", "people", EX_M_PERSON,
                 "George Shultz");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_with_a_title_or_a_known_given_name),
        cmocka_unit_test(unknown_names_beside_a_role_or_a_verb_of_speech),
        cmocka_unit_test(a_councillor_title_is_a_role_too),
        cmocka_unit_test(a_surname_alone_takes_the_full_name),
        cmocka_unit_test(a_name_alone_that_the_story_gives_in_full),
        cmocka_unit_test(names_after_a_lower_case_title),
        cmocka_unit_test(firms_and_institutions_are_not_people),
        cmocka_unit_test(a_title_after_a_name_is_not_part_of_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
