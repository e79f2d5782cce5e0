/* Unit tests of the document-level pass "story" (lib/entities/story.c):
 * the groups a story defines, what it is about, and the relations the
 * rules build from them; and its bounds (entities/bounds.h), crossed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "extract_run.h"

static void the_model_of_a_story(void **state)
{
    (void)state;
    run r;
    run_start(&r,
              "The three CCGs in the county (NHS Nene CCG, NHS Corby CCG and NHS Wiltshire "
              "CCG) met. NHS Nene CCG and NHS Corby CCG spoke.",
              "story");
    const ex_story *s = &r.x.story;
    assert_int_equal(s->nccgs, 3);
    assert_true(s->ngroups >= 2);
    /* the list, with the number the story gives it */
    assert_int_equal(s->group[0].n, 3);
    assert_int_equal(s->group[0].count, 3);
    assert_int_equal(s->subject, 0);
    /* two CCGs side by side are a group too */
    assert_int_equal(s->group[1].n, 2);
    assert_string_equal(s->group[1].member[0], "NHS Nene CCG");
    assert_string_equal(s->group[1].member[1], "NHS Corby CCG");
    assert_false(s->counted);
    assert_false(s->attendance);
    assert_null(s->subject_ccg);
    free(run_end(&r));
}

static void the_one_ccg_a_story_is_about(void **state)
{
    (void)state;
    run r;
    run_start(&r, "NHS Nene CCG is in deficit. NHS Nene CCG met NHS Corby CCG on Monday.",
              "story");
    assert_string_equal(r.x.story.subject_ccg, "NHS Nene CCG");
    free(run_end(&r));
    /* named as often as another: about neither */
    run_start(&r, "NHS Nene CCG met NHS Corby CCG on Monday.", "story");
    assert_null(r.x.story.subject_ccg);
    free(run_end(&r));
    /* A post its sentence names no body for is at that CCG. */
    assert_related("NHS Nene CCG is in deficit. NHS Nene CCG met NHS Corby CCG on Monday. "
                   "Former accountable officer Jane Smith resigned.",
                   "Jane Smith / accountable officer / NHS Nene CCG");
}

static void a_post_named_by_the_kind_of_its_body(void **state)
{
    (void)state;
    /* "STP lead" with no body in its sentence: the story's one STP, by
     * its acronym or written out (data/synonyms.txt). */
    assert_related("NHS Nene CCG is in deficit. Its accountable officer Jane Smith also "
                   "leads the Nene and Corby sustainability and transformation partnership. "
                   "Ms Smith became STP lead in May.",
                   "Jane Smith / accountable officer / NHS Nene CCG | "
                   "Jane Smith / stp lead / Nene and Corby sustainability and transformation "
                   "partnership");
    /* Two of them: neither. */
    assert_related("The Nene STP and the Corby STP met. Jane Smith became STP lead.",
                   "Jane Smith / stp lead / -");
}

static void another_persons_ccg_in_the_sentence(void **state)
{
    (void)state;
    /* The story's CCG, though the sentence names another: the other is
     * the next person's. */
    assert_related("NHS Nene CCG is in deficit. NHS Nene CCG met NHS Corby CCG. NHS Nene CCG "
                   "will consult and NHS Nene CCG will decide. Former accountable officer Jane "
                   "Smith left and was replaced by Tom Jones, "
                   "accountable officer for neighbouring Corby CCG.",
                   "Jane Smith / accountable officer / NHS Nene CCG | "
                   "Tom Jones / accountable officer / NHS Corby CCG");
    /* Without the other person, the sentence's CCG makes it nobody's. */
    assert_related("NHS Nene CCG is in deficit. NHS Nene CCG met NHS Corby CCG. NHS Nene CCG "
                   "will consult and NHS Nene CCG will decide. Former accountable officer Jane "
                   "Smith left for Corby CCG.",
                   "Jane Smith / accountable officer / -");
}

/* An organisation named in a short and a full form is one, by the full
 * form (data/synonyms.txt, a last word plural too: "CCGs" is "Clinical
 * Commissioning Groups"), for its mentions and its posts; other bodies
 * keep theirs. */
static void one_name_for_an_organisation(void **state)
{
    (void)state;
    assert_found("The Devon STP met. Jane Smith leads the Devon sustainability and "
                 "transformation partnership. The Kent STP did not.",
                 "story", EX_M_ORG,
                 "Devon sustainability and transformation partnership | "
                 "Devon sustainability and transformation partnership | Kent STP");
    assert_found("The Joint Committee of Clinical Commissioning Groups met. The Joint "
                 "Committee of CCGs agreed.",
                 "story", EX_M_ORG,
                 "Joint Committee of Clinical Commissioning Groups | "
                 "Joint Committee of Clinical Commissioning Groups");
    assert_related("Jane Smith, chair of the Devon STP, spoke. The Devon sustainability and "
                   "transformation partnership agreed.",
                   "Jane Smith / chair / Devon sustainability and transformation partnership");
}

static void a_joint_post_over_the_group(void **state)
{
    (void)state;
    assert_related("NHS Nene CCG and NHS Corby CCG will merge. The current joint accountable "
                   "officer Jane Smith will leave.",
                   "Jane Smith / accountable officer / NHS Nene CCG | "
                   "Jane Smith / accountable officer / NHS Corby CCG");
    /* a list that appoints: the post at each member */
    assert_related("The CCGs of Ashford, Canterbury and Coastal, Dartford, Gravesham and "
                   "Swanley, Swale and Medway named Jane Smith as their single accountable "
                   "officer.",
                   "Jane Smith / accountable officer / NHS Ashford CCG | "
                   "Jane Smith / accountable officer / NHS Canterbury and Coastal CCG | "
                   "Jane Smith / accountable officer / NHS Dartford, Gravesham and Swanley CCG | "
                   "Jane Smith / accountable officer / NHS Swale CCG | "
                   "Jane Smith / accountable officer / NHS Medway CCG");
    /* "for the CCGs": the story's group */
    assert_related("Nene and Corby CCGs will merge. Director of finance for the CCGs Jane "
                   "Smith said no.",
                   "Jane Smith / director of finance / NHS Nene CCG | "
                   "Jane Smith / director of finance / NHS Corby CCG");
    /* a group counted past the CCGs named: no single org */
    assert_related("The eight CCGs, among them NHS Nene CCG and NHS Corby CCG, share a joint "
                   "accountable officer, Jane Smith.",
                   "Jane Smith / accountable officer / -");
}

static void respective_posts(void **state)
{
    (void)state;
    assert_related("The merger between NHS Nene CCG and NHS Corby CCG was refused. In a "
                   "statement, their respective chairs Tom Jones and Ann Brown said no.",
                   "Tom Jones / chair / NHS Nene CCG | Ann Brown / chair / NHS Corby CCG");
}

static void the_role_and_the_post(void **state)
{
    (void)state;
    assert_related("NHS Nene CCG has appointed an interim chief officer. Jane Smith took up "
                   "the role with NHS Corby CCG last week.",
                   "Jane Smith / chief officer / NHS Corby CCG");
    /* the post's body, named with it */
    assert_related("Tom Jones was appointed managing director of NHS Nene CCG. He replaces "
                   "Ann Brown, who held the role for six years.",
                   "Tom Jones / managing director / NHS Nene CCG | "
                   "Ann Brown / managing director / NHS Nene CCG");
    /* a title in the person's own sentence is the person's own */
    assert_related("NHS Corby CCG chief officer Jane Smith will take up the post in May.",
                   "Jane Smith / chief officer / NHS Corby CCG");
}

/* The post "the role" stands for, distance words of its sentence away. */
static char *post_at(size_t distance)
{
    cs_buf b = { 0 };
    cs_buf_puts(&b, "NHS Nene CCG has appointed a chief officer.");
    /* the "." after the post and the one before the person count too */
    for (size_t k = 0; k + 2 < distance; k++)
        cs_buf_puts(&b, " words");
    cs_buf_puts(&b, ". Jane Smith took up the role.");
    char *s = cs_buf_take(&b);
    assert_non_null(s);
    char *got = related(s);
    free(s);
    return got;
}

static void the_post_is_found_within_post_reach(void **state)
{
    (void)state;
    char *got = post_at(POST_REACH);
    assert_string_equal(got, "Jane Smith / chief officer / NHS Nene CCG");
    free(got);
    got = post_at(POST_REACH + 1);
    assert_string_equal(got, "");
    free(got);
}

/* An attendance list of n entries, without commas. */
static char *attendance(size_t n)
{
    static const char *const entry[] = {
        "Jane Smith Lay Chair NHS Nene CCG", "Tom Jones Chief Officer NHS Corby CCG",
        "Ann Brown Chair NHS Nene CCG", "Mark Green Chief Finance Officer NHS Corby CCG",
    };
    assert_true(n <= sizeof entry / sizeof entry[0]);
    cs_buf b = { 0 };
    cs_buf_puts(&b, "Present");
    for (size_t k = 0; k < n; k++) {
        cs_buf_puts(&b, " ");
        cs_buf_puts(&b, entry[k]);
    }
    char *s = cs_buf_take(&b);
    assert_non_null(s);
    char *got = related(s);
    free(s);
    return got;
}

static void an_attendance_list_needs_attend_min_entries(void **state)
{
    (void)state;
    assert_int_equal(ATTEND_MIN_ENTRIES, 3);        /* the entries above */
    char *got = attendance(ATTEND_MIN_ENTRIES);
    assert_string_equal(got, "Jane Smith / lay chair / NHS Nene CCG | "
                             "Tom Jones / chief officer / NHS Corby CCG | "
                             "Ann Brown / chair / NHS Nene CCG");
    free(got);
    /* Fewer: a title and a name side by side are not yet a list. */
    got = attendance(ATTEND_MIN_ENTRIES - 1);
    assert_null(strstr(got, "NHS"));
    free(got);
}

static void a_story_keeps_max_story_groups(void **state)
{
    (void)state;
    const cs_gaz *g = cs_gaz_get();
    assert_non_null(g);
    cs_buf b = { 0 };
    size_t pairs = 0;
    const char *pending = NULL;
    for (size_t k = 0; k < g->ccg.n && pairs <= MAX_STORY_GROUPS; k++) {
        const char *name = g->ccg.names[k];
        if (strchr(name, ',') || strstr(name, " and ") || strncmp(name, "NHS ", 4) != 0)
            continue;
        if (!pending) {
            pending = name;
            continue;
        }
        cs_buf_puts(&b, pending);
        cs_buf_puts(&b, " and ");
        cs_buf_puts(&b, name);
        cs_buf_puts(&b, " met.\n\n");
        pending = NULL;
        pairs++;
    }
    assert_int_equal(pairs, MAX_STORY_GROUPS + 1);
    char *text = cs_buf_take(&b);
    assert_non_null(text);
    run r;
    run_start(&r, text, "story");
    assert_int_equal(r.x.story.ngroups, MAX_STORY_GROUPS);
    for (size_t k = 0; k < MAX_STORY_GROUPS; k++)
        assert_int_equal(r.x.story.group[k].n, 2);
    free(run_end(&r));
    free(text);
}

static void the_area_ccgs_of_a_story_about_one_group(void **state)
{
    (void)state;
    /* "the <area> CCGs" are the story's one group... */
    assert_related("NHS Nene CCG, NHS Corby CCG and NHS Wiltshire CCG will merge. Jane Smith, "
                   "Chief Executive Officer of the East Midlands CCGs, said yes.",
                   "Jane Smith / chief executive / NHS Nene CCG | "
                   "Jane Smith / chief executive / NHS Corby CCG | "
                   "Jane Smith / chief executive / NHS Wiltshire CCG");
    /* ...and of a story about no one group, nothing resolved. */
    assert_related("NHS Nene CCG met. NHS Corby CCG and NHS Wiltshire CCG will merge. Jane "
                   "Smith, Chief Executive Officer of the East Midlands CCGs, said yes.",
                   "Jane Smith / chief executive / -");
}

static void members_of_a_post_in_the_plural(void **state)
{
    (void)state;
    assert_related("The three CCGs' accountable officers issued a statement. Tom Jones, for "
                   "the Nene and Corby CCGs, and Ann Brown, for NHS Wiltshire CCG, agreed.",
                   "Tom Jones / accountable officer / NHS Nene CCG | "
                   "Tom Jones / accountable officer / NHS Corby CCG | "
                   "Ann Brown / accountable officer / NHS Wiltshire CCG");
    assert_related("Other CCG chairs who will leave include Dr Tom Jones from NHS Nene CCG and "
                   "Dr Ann Brown from NHS Corby CCG.",
                   "Tom Jones / chair / NHS Nene CCG | Ann Brown / chair / NHS Corby CCG");
    /* a post in the singular is not theirs */
    assert_related("The chair spoke first. Tom Jones from NHS Nene CCG agreed.", "");
}

static void its_post_then_the_person(void **state)
{
    (void)state;
    assert_related("NHS Nene CCG is looking for a new leader after its chief officer announced "
                   "she would retire. Jane Smith will leave NHS Nene CCG in May.",
                   "Jane Smith / chief officer / NHS Nene CCG");
    /* a post named with its holder is that one's */
    assert_related("NHS Nene CCG is looking for a leader after its chief officer, Tom Jones, "
                   "announced he would retire. Jane Smith will leave NHS Nene CCG in May.",
                   "Tom Jones / chief officer / NHS Nene CCG");
}

static void minutes_one_entry_a_line(void **state)
{
    (void)state;
    /* "Name - Role" and "Name, Role, Organisation", one a line */
    assert_related("NHS Nene CCG governing body minutes\n\nPresent:\nJane Smith \xe2\x80\x93 "
                   "Chair\nTom Jones \xe2\x80\x93 Chief Officer\n\nIn attendance:\nMark "
                   "Green, Director of Public Health, Wigan Council\n",
                   "Jane Smith / chair / NHS Nene CCG | Tom Jones / chief officer / NHS Nene CCG | "
                   "Mark Green / director of public health / Wigan Council");
    /* "Present: A (Role), B (Role)" */
    assert_related("Present: Dr Jane Smith (Chair), Tom Jones (Chief Officer).\n\nNHS Nene CCG "
                   "met on Monday.",
                   "Jane Smith / chair / NHS Nene CCG | Tom Jones / chief officer / NHS Nene CCG");
    /* prose wrapped at a line's end is no list: a name inside the line
     * does not take the title that ends it */
    assert_related("Reporters asked Jane Smith, as Vice President\nTom Jones left.", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_model_of_a_story),
        cmocka_unit_test(the_one_ccg_a_story_is_about),
        cmocka_unit_test(a_joint_post_over_the_group),
        cmocka_unit_test(respective_posts),
        cmocka_unit_test(the_role_and_the_post),
        cmocka_unit_test(the_post_is_found_within_post_reach),
        cmocka_unit_test(an_attendance_list_needs_attend_min_entries),
        cmocka_unit_test(a_story_keeps_max_story_groups),
        cmocka_unit_test(the_area_ccgs_of_a_story_about_one_group),
        cmocka_unit_test(members_of_a_post_in_the_plural),
        cmocka_unit_test(its_post_then_the_person),
        cmocka_unit_test(a_post_named_by_the_kind_of_its_body),
        cmocka_unit_test(another_persons_ccg_in_the_sentence),
        cmocka_unit_test(minutes_one_entry_a_line),
        cmocka_unit_test(one_name_for_an_organisation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
