/* Unit tests of the relation engine (lib/entities/relations.c): one test
 * or more per rule of its table, and the bodies a role is held at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"

static void the_councillor_title(void **state)
{
    (void)state;
    /* A councillor's ward is no organisation. */
    assert_related("Councillor Adele Williams spoke at Wigan Council.",
                   "Adele Williams / councillor / -");
}

static void a_role_after_the_person(void **state)
{
    (void)state;
    assert_related("Jane Smith, clinical chair of NHS Nene CCG, said it was time.",
                   "Jane Smith / clinical chair / NHS Nene CCG");
    /* A chain of bodies, and a list of people. */
    assert_related("Jane Smith, chief officer of NHS Nene CCG and NHS Corby CCG, and Tom "
                   "Jones, chair of NHS Nene CCG, met.",
                   "Jane Smith / chief officer / NHS Nene CCG | "
                   "Jane Smith / chief officer / NHS Corby CCG | "
                   "Tom Jones / chair / NHS Nene CCG");
    /* A title that runs on into the next name is that one's. */
    assert_related("Tributes to Dr Jane Smith / Chief Executive of NHS Nene CCG Tom Jones said.",
                   "Tom Jones / chief executive / NHS Nene CCG");
    /* A second post with its own body. */
    assert_related("Jane Smith, the chief officer of NHS Nene CCG and chair of NHS Corby CCG, "
                   "spoke.",
                   "Jane Smith / chief officer / NHS Nene CCG | "
                   "Jane Smith / chair / NHS Corby CCG");
    /* ...but not after a body named sentences before ("of the CCG"). */
    assert_related("Tom Brown, chair of NHS Leeds CCG and executive lead of NHS England, spoke. "
                   "Jane Doe, chief officer of the CCG, said so.",
                   "Tom Brown / chair / NHS Leeds CCG | "
                   "Tom Brown / executive lead / NHS England | "
                   "Jane Doe / chief officer / NHS Leeds CCG");
}

static void a_role_before_the_person(void **state)
{
    (void)state;
    assert_related("NHS Corby CCG chief executive David Smith agreed.",
                   "David Smith / chief executive / NHS Corby CCG");
    /* "the CCG" is the CCG the story names. */
    assert_related("The CCG's clinical chair, Joe Bloggs, said no. NHS Corby CCG met.",
                   "Joe Bloggs / clinical chair / NHS Corby CCG");
    /* A copula: the role must be its sentence's subject. */
    assert_related("The chief officer of NHS Nene CCG is Jane Smith.",
                   "Jane Smith / chief officer / NHS Nene CCG");
    assert_related("Also at the meeting with the chief officer of NHS Nene CCG was Jane Smith.",
                   "");
    /* "alongside": the bodies of the relation just before. */
    assert_related("Tom Jones was appointed chief executive of NHS Nene CCG and NHS Corby CCG, "
                   "alongside chief finance officer Jane Smith.",
                   "Tom Jones / chief executive / NHS Nene CCG | "
                   "Tom Jones / chief executive / NHS Corby CCG | "
                   "Jane Smith / chief finance officer / NHS Nene CCG | "
                   "Jane Smith / chief finance officer / NHS Corby CCG");
}

static void a_role_after_a_verb(void **state)
{
    (void)state;
    assert_related("Jane Smith was appointed accountable officer for NHS Nene CCG.",
                   "Jane Smith / accountable officer / NHS Nene CCG");
    /* The body that appoints. */
    assert_related("North Cumbria CCG appoints Jon Bright as chair.",
                   "Jon Bright / chair / NHS North Cumbria CCG");
    /* "where she works as". */
    assert_related("Jane Smith, who joined from NHS Nene CCG, where she works as chief officer, "
                   "spoke.",
                   "Jane Smith / chief officer / NHS Nene CCG");
}

static void groups_and_defaults(void **state)
{
    (void)state;
    /* A group of CCGs is the story's CCGs, when its number is theirs. */
    assert_related("NHS Nene CCG and NHS Corby CCG met. Jane Smith is accountable officer for "
                   "both CCGs.",
                   "Jane Smith / accountable officer / NHS Nene CCG | "
                   "Jane Smith / accountable officer / NHS Corby CCG");
    /* A role naming no body: the story's only CCG... */
    assert_related("NHS Nene CCG met. Jane Smith, the chair, spoke.",
                   "Jane Smith / chair / NHS Nene CCG");
    /* ...a council role: the one council named... */
    assert_related("Council leader Tom Jones spoke at Wigan Council.",
                   "Tom Jones / council leader / Wigan Council");
    /* ...and an MP: no organisation. */
    assert_related("Anna Green, MP for Totnes, spoke.", "Anna Green / mp / -");
}

static void bodies_after_description_and_as_well_as(void **state)
{
    (void)state;
    /* a word or two of description between the preposition and the body */
    assert_related("It was replaced by Tom Jones, accountable officer for neighbouring NHS "
                   "Corby CCG, last year.",
                   "Tom Jones / accountable officer / NHS Corby CCG");
    /* "as well as for": more bodies of the same post */
    assert_related("Dr Neil Smith has been confirmed as the accountable officer for the new "
                   "NHS Nene CCG as well as for NHS Corby CCG and NHS Wiltshire CCG.",
                   "Neil Smith / accountable officer / NHS Nene CCG | "
                   "Neil Smith / accountable officer / NHS Corby CCG | "
                   "Neil Smith / accountable officer / NHS Wiltshire CCG");
}

static void titles_in_brackets_and_after_dashes(void **state)
{
    (void)state;
    assert_related("Andrew Nash [chief finance officer] said no.",
                   "Andrew Nash / chief finance officer / -");
    /* "A and the ROLE of X - B": the title is B's, not a list's */
    assert_related("A verbal update from the Chief Executive of NHS Nene CCG - Mr Tom Jones "
                   "and the Managing Director of NHS Corby CCG - Mr Paul Brown.",
                   "Tom Jones / chief executive / NHS Nene CCG | "
                   "Paul Brown / managing director / NHS Corby CCG");
}

static void bodies_of_joining_and_becoming(void **state)
{
    (void)state;
    assert_related("Jane Smith will be joining NHS England as director of strategy.",
                   "Jane Smith / director of strategy / NHS England");
    assert_related("Simon Jones became NHS England chief executive in the same month.",
                   "Simon Jones / chief executive / NHS England");
    /* a party before a seat is not its body */
    assert_related("Paul Brown became a Labour MP in 1987.", "Paul Brown / mp / -");
    /* a group of CCGs the story does not name: no org */
    assert_related("An update from the Chief Executive Officer of Black Country and West "
                   "Birmingham CCGs - Mr Paul Smith on the merger.",
                   "Paul Smith / chief executive / -");
}

static void civic_posts_and_their_bodies(void **state)
{
    (void)state;
    /* a portfolio, then the council */
    assert_related("Cllr Jane Smith, cabinet member for health at Wigan Council, said no.",
                   "Jane Smith / cabinet member / Wigan Council");
    assert_related("Jane Smith, leader of Wigan Council, said no.",
                   "Jane Smith / council leader / Wigan Council");
    /* a seat's party is not its body */
    assert_related("Labour MP Tom Jones said no.", "Tom Jones / mp / -");
    assert_related("Tom Jones, the Conservative MP for Totnes, said no.", "Tom Jones / mp / -");
}

static void a_post_without_its_body_beside_one_with_it(void **state)
{
    (void)state;
    /* The same person in the same role, once with no body in its
     * sentence and once at a CCG: one post, at the CCG. */
    assert_related("Toby Sanders has been accountable officer since 2013, he said. NHS Nene "
                   "CCG and NHS Corby CCG met on Monday, and NHS Corby CCG agreed. Toby "
                   "Sanders was appointed accountable officer of NHS Nene CCG.",
                   "Toby Sanders / accountable officer / NHS Nene CCG");
    /* With no body anywhere, the post stays, bodiless. */
    assert_related("Toby Sanders has been accountable officer since 2013, he said. NHS Nene "
                   "CCG and NHS Corby CCG met on Monday.",
                   "Toby Sanders / accountable officer / -");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bodies_after_description_and_as_well_as),
        cmocka_unit_test(titles_in_brackets_and_after_dashes),
        cmocka_unit_test(bodies_of_joining_and_becoming),
        cmocka_unit_test(civic_posts_and_their_bodies),
        cmocka_unit_test(a_post_without_its_body_beside_one_with_it),
        cmocka_unit_test(the_councillor_title),
        cmocka_unit_test(a_role_after_the_person),
        cmocka_unit_test(a_role_before_the_person),
        cmocka_unit_test(a_role_after_a_verb),
        cmocka_unit_test(groups_and_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
