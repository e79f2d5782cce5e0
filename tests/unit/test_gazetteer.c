/* Unit tests of the gazetteers (lib/vocab/gazetteer.c): keys, stem keys,
 * the tables and their aliases, stopwords, and the extractor's word
 * lists with their comments skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vocab/gazetteer.h"

#include <stdlib.h>
#include <string.h>

static const cs_gaz *g;

static int load(void **state)
{
    (void)state;
    g = cs_gaz_get();
    return g ? 0 : -1;
}

static void key_is(const char *text, const char *want)
{
    char *k = cs_gaz_key(text, strlen(text));
    assert_non_null(k);
    assert_string_equal(k, want);
    free(k);
}

static void stem_key_is(const char *text, const char *want)
{
    char *k = cs_gaz_stem_key(text, strlen(text));
    assert_non_null(k);
    assert_string_equal(k, want);
    free(k);
}

/* The display name that key finds in table t, or "-" when none. */
static const char *name_of(const cs_table *t, const char *key)
{
    int i = cs_table_find(t, key);
    return i < 0 ? "-" : t->names[i];
}

static void keys_fold_case_hyphens_ampersands_and_possessives(void **state)
{
    (void)state;
    key_is("NHS Stoke-on-Trent", "nhs stoke on trent");
    key_is("nhs stoke on trent", "nhs stoke on trent");
    key_is("Kent & Medway", "kent and medway");
    key_is("Bristol, North Somerset", "bristol north somerset");
    key_is("O\xE2\x80\x99" "Brien's", "o'brien");
    key_is("", "");
}

static void stem_keys_join_the_stems(void **state)
{
    (void)state;
    stem_key_is("Clinical Commissioning Groups", "clinic commiss group");
    stem_key_is("Kent & Medway", "kent medway");
    stem_key_is("CCGs", "ccg");
}

static void tables_find_names_by_key_and_alias(void **state)
{
    (void)state;
    assert_string_equal(name_of(&g->ccg, "leicester city"), "NHS Leicester City CCG");
    /* ccg_aliases.tsv: a hand-picked alias of a name. */
    assert_string_equal(name_of(&g->ccg, "solihull health"), "NHS Solihull Health CCG");
    assert_string_equal(name_of(&g->ccg, "leicester"), "NHS Leicester City CCG");
    assert_string_equal(name_of(&g->ccg, "leicestershire"), "-");
    assert_string_equal(name_of(&g->role, "ceo"), "chief executive");
    assert_string_equal(name_of(&g->role, "chief executive officer"), "chief executive");
    assert_string_equal(name_of(&g->role, "chief"), "-");
    assert_string_equal(name_of(&g->place, "staffs"), "Staffordshire");
    assert_string_equal(name_of(&g->place, "nw london"), "North West London");
    assert_string_equal(name_of(&g->org, "nhse"), "NHS England");
    /* Display names are found by name too. */
    int i = cs_strmap_get(&g->ccg.byname, "NHS Leicester City CCG", 22);
    assert_true(i >= 0);
    assert_string_equal(g->ccg.names[i], "NHS Leicester City CCG");
}

static void prefixes_are_the_proper_word_prefixes(void **state)
{
    (void)state;
    /* "chief executive officer" is a key: "chief" and "chief executive"
     * are prefixes, the whole key is not. */
    assert_true(cs_strmap_get(&g->role.prefixes, "chief", 5) >= 0);
    assert_true(cs_strmap_get(&g->role.prefixes, "chief executive", 15) >= 0);
    assert_int_equal(cs_strmap_get(&g->role.prefixes, "ceo", 3), -1);
    assert_true(g->ccg.maxwords >= 2);
}

static void a_key_hashed_a_piece_at_a_time_is_found(void **state)
{
    (void)state;
    /* What the extractor does as it grows a key word by word. */
    uint64_t h = cs_strmap_hash(CS_STRMAP_HASH0, "chief", 5);
    assert_true(cs_strmap_get_hashed(&g->role.prefixes, "chief", 5, h) >= 0);
    h = cs_strmap_hash(h, " executive", 10);
    assert_int_equal(h, cs_strmap_hash(CS_STRMAP_HASH0, "chief executive", 15));
    assert_int_equal(cs_strmap_get_hashed(&g->role.prefixes, "chief executive", 15, h),
                     cs_strmap_get(&g->role.prefixes, "chief executive", 15));
    h = cs_strmap_hash(CS_STRMAP_HASH0, "ceo", 3);
    assert_int_equal(cs_strmap_get_hashed(&g->role.prefixes, "ceo", 3, h), -1);
}

static void places_keep_their_kind(void **state)
{
    (void)state;
    int norfolk = cs_table_find(&g->place, "norfolk");
    int nwl = cs_table_find(&g->place, "north west london");
    assert_true(norfolk >= 0 && nwl >= 0);
    assert_int_equal(g->place_kind[norfolk], PLACE_COUNTY);
    assert_int_equal(g->place_kind[nwl], PLACE_SUBREGION);
}

static void stopwords_qualifiers_and_given_names(void **state)
{
    (void)state;
    assert_true(cs_gaz_stopword("the"));
    assert_true(cs_gaz_stopword("and"));
    assert_false(cs_gaz_stopword("ccg"));
    assert_false(cs_gaz_stopword(""));
    assert_true(cs_strmap_get(&g->qualifiers, "interim", 7) >= 0);
    assert_true(cs_strmap_get(&g->qualifiers, "current interim", 15) >= 0);
    assert_int_equal(cs_strmap_get(&g->qualifiers, "chief", 5), -1);
    assert_true(cs_strmap_get(&g->first_names, "jane", 4) >= 0);
    assert_int_equal(cs_strmap_get(&g->first_names, "norfolk", 7), -1);
}

static void word_lists_are_read_as_written(void **state)
{
    (void)state;
    assert_true(cs_words_has(&g->speech_verbs, "said"));
    assert_false(cs_words_has(&g->speech_verbs, "Said"));     /* not normalised */
    assert_true(cs_words_has(&g->org_connectors, "&"));       /* not "and" */
    assert_true(cs_words_has(&g->abbreviations, "e.g"));
    assert_true(cs_words_has(&g->org_full_names, "NHS England"));
    assert_true(cs_words_has(&g->civic_roles, "secretary of state"));
    assert_true(cs_words_has(&g->calendar, "may"));
    assert_true(cs_words_has(&g->body_plurals, "authorities"));
    assert_false(cs_words_has(&g->not_name_words, "may"));   /* calendar.txt's */
    assert_true(cs_words_has(&g->not_name_words, "however"));
    assert_true(cs_words_has(&g->role_verbs, "appointed"));
    assert_true(cs_words_has(&g->appointing_verbs, "appoints"));
    assert_false(cs_words_has(&g->role_verbs, "appoints"));
    /* Comment lines are not entries. */
    assert_false(cs_words_has(&g->parties, "#"));
    assert_false(cs_words_has(&g->speech_verbs, ""));
    const cs_strmap *const lists[] = {
        &g->abbreviations, &g->adverbs, &g->calendar, &g->civic_roles, &g->complement_stops,
        &g->directions, &g->not_name_words, &g->org_connectors, &g->org_generic_words,
        &g->parties, &g->role_starts, &g->speech_verbs, &g->role_verbs, &g->appointing_verbs,
        &g->post_nouns, &g->post_verbs, &g->joint_words, &g->joining_verbs, &g->team_words,
        &g->team_words_before, &g->body_plurals,
        &g->role_modifiers, &g->place_prepositions,
    };
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        assert_true(lists[k]->n > 0);
}

static void uses_columns_sort_entries_into_their_lists(void **state)
{
    (void)state;
    /* org_heads.tsv: every head, and its uses. */
    assert_true(cs_words_has(&g->org_heads, "trust"));
    assert_false(cs_words_has(&g->org_heads_lower, "trust"));
    assert_true(cs_words_has(&g->org_heads, "system"));
    assert_true(cs_words_has(&g->org_heads_lower, "system"));
    assert_true(cs_words_has(&g->org_heads_first, "university"));
    assert_false(cs_words_has(&g->org_heads_lower, "university"));
    assert_false(cs_words_has(&g->org_heads, "lower"));
    /* role_heads.tsv: three uses. */
    assert_true(cs_words_has(&g->role_heads, "lead"));
    assert_true(cs_words_has(&g->role_heads_portfolio, "lead"));
    assert_false(cs_words_has(&g->role_heads_portfolio, "manager"));
    assert_true(cs_words_has(&g->role_heads_alone, "mayor"));
    assert_false(cs_words_has(&g->role_heads_alone, "manager"));
    assert_true(cs_words_has(&g->role_heads_plural, "leads"));
    assert_false(cs_words_has(&g->role_heads_plural, "lead"));
    /* determiners.tsv: only the uses each word lists. */
    assert_true(cs_words_has(&g->name_determiners, "the"));
    assert_true(cs_words_has(&g->role_determiners, "the"));
    assert_true(cs_words_has(&g->name_determiners, "these"));
    assert_false(cs_words_has(&g->role_determiners, "these"));
    assert_true(cs_words_has(&g->role_determiners, "new"));
    assert_false(cs_words_has(&g->name_determiners, "new"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_fold_case_hyphens_ampersands_and_possessives),
        cmocka_unit_test(stem_keys_join_the_stems),
        cmocka_unit_test(tables_find_names_by_key_and_alias),
        cmocka_unit_test(a_key_hashed_a_piece_at_a_time_is_found),
        cmocka_unit_test(prefixes_are_the_proper_word_prefixes),
        cmocka_unit_test(places_keep_their_kind),
        cmocka_unit_test(stopwords_qualifiers_and_given_names),
        cmocka_unit_test(word_lists_are_read_as_written),
        cmocka_unit_test(uses_columns_sort_entries_into_their_lists),
    };
    return cmocka_run_group_tests(tests, load, NULL);
}
