/* Unit tests of the extractor's places pass (lib/entities/places.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"

static void places_of_the_gazetteer(void **state)
{
    (void)state;
    assert_found("She grew up in Norfolk and moved to Staffs.", "places", EX_M_PLACE,
                 "Norfolk | Staffordshire");
    /* Shouting is written as the gazetteer writes the place. */
    assert_found("A STORY FROM NORFOLK", "places", EX_M_PLACE, "Norfolk");
}

static void lower_case_directions_before_a_county_or_city(void **state)
{
    (void)state;
    assert_found("She moved to north-west London.", "places", EX_M_PLACE, "North West London");
    assert_found("Services in west Hertfordshire grew.", "places", EX_M_PLACE,
                 "West Hertfordshire");
}

static void a_place_inside_another_name_is_not_a_place(void **state)
{
    (void)state;
    assert_found("Surrey Heartlands is not a place but Kent is.", "places", EX_M_PLACE, "Kent");
    /* ...but before "GPs" or a party it is (before "CCGs" it is the
     * group's area: see below). */
    assert_found("Rutland CCGs and Sandwell GPs met.", "places", EX_M_PLACE, "Sandwell");
    assert_found("A Kent Conservative councillor spoke.", "places", EX_M_PLACE, "Kent");
    /* Words an earlier pass claimed are not places; a CCG's name alone,
     * with no role beside it, is the place. */
    assert_found("NHS Corby CCG met.", "places", EX_M_PLACE, "");
    assert_found("NHS Corby CCG met in Corby.", "places", EX_M_PLACE, "Corby");
}

static void a_team_or_a_body_s_region_is_not_a_place(void **state)
{
    (void)state;
    /* A team named after its places, and a body's region in brackets. */
    assert_found("It moves from NHS England's North East and Cumbria team to the Lancashire "
                 "area team in Kent.", "places", EX_M_PLACE, "Kent");
    assert_found("NHS England (Yorkshire and the Humber) agreed in Leeds.", "places",
                 EX_M_PLACE, "Leeds");
    /* A councillor is a council's: the CCG's name before one is the
     * place. */
    assert_found("NHS Corby CCG met. A Corby councillor spoke.", "places", EX_M_PLACE, "Corby");
    assert_found("NHS Corby CCG met. The Corby chief officer spoke.", "places", EX_M_PLACE, "");
}

static void directions_listed_before_a_place_are_one_place(void **state)
{
    (void)state;
    assert_found("Plans for West, North and East Cumbria differ.", "places", EX_M_PLACE,
                 "West, North and East Cumbria");
    assert_found("Plans for East Cumbria differ.", "places", EX_M_PLACE, "East Cumbria");
    /* Before "CCGs" they are the group's area, as ever. */
    assert_found("North and East Cumbria CCGs met.", "places", EX_M_PLACE, "");
}

static void a_place_in_a_person_s_or_another_place_s_name_is_not_a_place(void **state)
{
    (void)state;
    /* "New York" is no York, "New South Wales" no Wales. */
    assert_found("Shares rose in New York and fell in London.", "places", EX_M_PLACE,
                 "New York | London");
    assert_found("Shares rose in New South Wales and fell in London.", "places", EX_M_PLACE,
                 "New South Wales | London");
    assert_found("NEW YORK, March 3 - Shares rose.", "places", EX_M_PLACE, "New York");
    /* A given name before it: a person's surname. */
    assert_found("The film by Andrea Arnold won in London.", "places", EX_M_PLACE, "London");
    /* The last word of a person the story names. */
    assert_found("Dr Jo Hayes spoke. Later Hayes left for Bath.", "places", EX_M_PLACE, "Bath");
    /* A hyphened name: "Hart-Scott-Rodino", "Bristol-Myers". */
    assert_found("Bristol-Myers Co sold its stake in Bath.", "places", EX_M_PLACE, "Bath");
    /* A spaced dash is no hyphen. */
    assert_found("London - Colombia is the route.", "places", EX_M_PLACE, "London | Colombia");
}

static void a_town_s_sports_club_is_not_a_place(void **state)
{
    (void)state;
    /* A word of team_words.txt after the name (past a possessive) or
     * before it makes it the club, in the whole story. */
    assert_found("Chelsea boss Jose Mourinho was happy. Chelsea beat Everton in London.",
                 "places", EX_M_PLACE, "London");
    assert_found("Liverpool's striker scored.", "places", EX_M_PLACE, "");
    assert_found("Arsenal v Chelsea was played in Madrid.", "places", EX_M_PLACE, "Madrid");
    /* Words that may follow a place whatever it is say nothing. */
    assert_found("Patients in Liverpool face longer waits.", "places", EX_M_PLACE, "Liverpool");
    assert_found("Everton v Blackburn was played in Leeds.", "places", EX_M_PLACE, "Leeds");
    /* Without one the town is a place; a country's team leaves the country
     * a place; a team word starting the next sentence says nothing. */
    assert_found("Chelsea and Bolton voted.", "places", EX_M_PLACE, "Chelsea | Bolton");
    /* "beat" before a name is a club's, after one says nothing. */
    assert_found("Chelsea beat Bolton.", "places", EX_M_PLACE, "Chelsea");
    assert_found("England coach Andy Robinson spoke in England.", "places", EX_M_PLACE,
                 "England | England");
    assert_found("GPs met in Bury. Fans of the plan spoke.", "places", EX_M_PLACE, "Bury");
}

static void the_area_of_a_group_of_ccgs_is_not_a_place(void **state)
{
    (void)state;
    assert_found("The Essex CCGs will advertise the post.", "places", EX_M_PLACE, "");
    assert_found("Three East Midlands clinical commissioning groups met in Derby.", "places",
                 EX_M_PLACE, "Derby");
    assert_found("The CCGs in Leicester, Leicestershire and Rutland met; Leicester, "
                 "Leicestershire and Rutland CCGs agreed.", "places", EX_M_PLACE,
                 "Leicester | Leicestershire | Rutland");
    assert_found("the five mid and south Essex clinical commissioning groups", "places",
                 EX_M_PLACE, "");
    /* A place of the area read whole, not as a direction and a word. */
    assert_found("Chorley South Ribble & Greater Preston CCGs met.", "places", EX_M_PLACE, "");
    /* A singular CCG does not make its place a group's area... */
    assert_found("Kent has one CCG.", "places", EX_M_PLACE, "Kent");
    /* ...but a place right before "CCG" is a CCG's name the gazetteer does
     * not hold. */
    assert_found("She is chief officer at Leicester CCG.", "places", EX_M_PLACE, "");
}

static void bare_ccg_names_in_a_list_are_not_places(void **state)
{
    (void)state;
    /* The text names the CCGs; the list's bare names stand for them. */
    assert_found("NHS Swale CCG and NHS Medway CCG met. Swale, Medway and Ashford agreed.",
                 "places", EX_M_PLACE, "");
    /* After a preposition of place they are the places. */
    assert_found("NHS Swale CCG met. It serves people in Swale and Medway.", "places",
                 EX_M_PLACE, "Swale | Medway");
    /* A named CCG as its sentence's subject stands for the CCG. */
    assert_found("NHS Ashford CCG met. Ashford had a savings target.", "places", EX_M_PLACE,
                 "");
    /* Followed by a comma it may be the town spoken of: a place. */
    assert_found("NHS Ashford CCG met. Ashford, in Kent, grew.", "places", EX_M_PLACE,
                 "Ashford | Kent");
    /* Not named as CCGs: places. */
    assert_found("Swale, Medway and Ashford agreed.", "places", EX_M_PLACE,
                 "Swale | Medway | Ashford");
    /* "County Durham and the Tees Valley CCG's": a list's plural. */
    assert_found("They spoke for County Durham and Tees Valley CCG's plans.", "places",
                 EX_M_PLACE, "");
    assert_found("They spoke for County Durham and the Tees Valley CCG's plans.", "places",
                 EX_M_PLACE, "");
}

static void a_region_named_from_its_direction(void **state)
{
    (void)state;
    assert_found("CCGs in the north of England were authorised.", "places", EX_M_PLACE,
                 "North of England");
    /* Two lower-case directions after "the", and a list of them. */
    assert_found("CCGs in the south west, north-west and north east were told.", "places",
                 EX_M_PLACE, "South West | North West | North East");
    /* Not after "the": a way, not a region. */
    assert_found("The storm moved north east.", "places", EX_M_PLACE, "");
}

static void a_group_area_is_read_up_to_max_group_area_tokens(void **state)
{
    (void)state;
    /* After the first county, six counties and six commas: 12 tokens
     * before "CCGs", not fewer than MAX_GROUP_AREA, so the first county is
     * read as a place; from the second on the rest of the area fits. */
    assert_int_equal(MAX_GROUP_AREA, 12);
    assert_found("Kent, Essex, Surrey, Devon, Dorset, Somerset, Wiltshire CCGs", "places",
                 EX_M_PLACE, "Kent");
    assert_found("Essex, Surrey, Devon, Dorset, Somerset, Wiltshire CCGs", "places",
                 EX_M_PLACE, "");
}

static void bodies_counted_and_listed_by_area_are_not_places(void **state)
{
    (void)state;
    /* The bodies a story counts and lists after "for" or a colon are
     * named by their areas; named together again, they are the bodies
     * still.  Alone elsewhere, or after "based in", the names are places. */
    assert_found("It was divided into four district health authorities for Basingstoke "
                 "and North Hampshire, Southampton and South West Hampshire, and "
                 "Winchester. Later Basingstoke and North Hampshire and Winchester were "
                 "amalgamated. She lives in Winchester.",
                 "places", EX_M_PLACE, "Winchester");
    assert_found("There were two District Authorities: East and West Suffolk.", "places",
                 EX_M_PLACE, "");
    assert_found("There were four district health authorities based in Exeter and Plymouth.",
                 "places", EX_M_PLACE, "Exeter | Plymouth");
    /* Not counted, or not a body of body_plurals.txt: places. */
    assert_found("It has district health authorities for Exeter and Plymouth.", "places",
                 EX_M_PLACE, "Exeter | Plymouth");
    assert_found("It has two hospitals for Exeter and Plymouth.", "places", EX_M_PLACE,
                 "Exeter | Plymouth");
}

static void a_count_of_bodies_is_read_up_to_max_body_words_before_the_head(void **state)
{
    (void)state;
    /* MAX_BODY_WORDS words between the count and the head; one more and
     * the count is too far. */
    assert_int_equal(MAX_BODY_WORDS, 3);
    assert_found("There were two old district health authorities for Exeter and Plymouth.",
                 "places", EX_M_PLACE, "");
    assert_found("There were two very old district health authorities for Exeter and "
                 "Plymouth.", "places", EX_M_PLACE, "Exeter | Plymouth");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(places_of_the_gazetteer),
        cmocka_unit_test(lower_case_directions_before_a_county_or_city),
        cmocka_unit_test(a_place_inside_another_name_is_not_a_place),
        cmocka_unit_test(a_place_in_a_person_s_or_another_place_s_name_is_not_a_place),
        cmocka_unit_test(a_town_s_sports_club_is_not_a_place),
        cmocka_unit_test(the_area_of_a_group_of_ccgs_is_not_a_place),
        cmocka_unit_test(a_group_area_is_read_up_to_max_group_area_tokens),
        cmocka_unit_test(bare_ccg_names_in_a_list_are_not_places),
        cmocka_unit_test(a_region_named_from_its_direction),
        cmocka_unit_test(a_team_or_a_body_s_region_is_not_a_place),
        cmocka_unit_test(directions_listed_before_a_place_are_one_place),
        cmocka_unit_test(bodies_counted_and_listed_by_area_are_not_places),
        cmocka_unit_test(a_count_of_bodies_is_read_up_to_max_body_words_before_the_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
