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
    /* ...but before "CCGs", "GPs" or a party it is. */
    assert_found("Rutland CCGs and Sandwell GPs met.", "places", EX_M_PLACE,
                 "Rutland | Sandwell");
    assert_found("A Kent Conservative councillor spoke.", "places", EX_M_PLACE, "Kent");
    /* Words an earlier pass claimed are not places; a CCG's name alone,
     * with no role beside it, is the place. */
    assert_found("NHS Corby CCG met.", "places", EX_M_PLACE, "");
    assert_found("NHS Corby CCG met in Corby.", "places", EX_M_PLACE, "Corby");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(places_of_the_gazetteer),
        cmocka_unit_test(lower_case_directions_before_a_county_or_city),
        cmocka_unit_test(a_place_inside_another_name_is_not_a_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
