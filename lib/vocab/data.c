/* Embeds the data files (see data.h) with the assembler's .incbin.  Paths
 * are relative to the repository root, where make runs the compiler; the
 * Makefile makes this object depend on the files. */
#include "vocab/data.h"

#define EMBED(sym, file)                                                     \
    __asm__(".section .rodata\n"                                             \
            ".global " #sym "\n"                                             \
            ".hidden " #sym "\n"                                             \
            ".type " #sym ", @object\n"                                      \
            ".balign 16\n" #sym ":\n"                                        \
            ".incbin \"" file "\"\n"                                         \
            ".byte 0\n"                                                      \
            ".size " #sym ", . - " #sym "\n"                                 \
            ".previous\n")

EMBED(cs_data_ccg_gazetteer, "data/ccg_gazetteer.tsv");
EMBED(cs_data_ccg_aliases, "data/ccg_aliases.tsv");
EMBED(cs_data_roles, "data/roles.tsv");
EMBED(cs_data_places, "data/places.tsv");
EMBED(cs_data_orgs, "data/orgs.tsv");
EMBED(cs_data_first_names, "data/first_names.txt");
EMBED(cs_data_stopwords, "data/stopwords.txt");
EMBED(cs_data_synonyms, "data/synonyms.txt");
EMBED(cs_data_abbreviations, "data/abbreviations.txt");
EMBED(cs_data_adverbs, "data/adverbs.txt");
EMBED(cs_data_calendar, "data/calendar.txt");
EMBED(cs_data_civic_roles, "data/civic_roles.txt");
EMBED(cs_data_complement_stops, "data/complement_stops.txt");
EMBED(cs_data_determiners, "data/determiners.tsv");
EMBED(cs_data_directions, "data/directions.txt");
EMBED(cs_data_name_ends, "data/name_ends.txt");
EMBED(cs_data_not_name_words, "data/not_name_words.txt");
EMBED(cs_data_org_connectors, "data/org_connectors.txt");
EMBED(cs_data_org_full_names, "data/org_full_names.txt");
EMBED(cs_data_org_generic_words, "data/org_generic_words.txt");
EMBED(cs_data_org_heads, "data/org_heads.tsv");
EMBED(cs_data_parties, "data/parties.txt");
EMBED(cs_data_role_starts, "data/role_starts.txt");
EMBED(cs_data_role_heads, "data/role_heads.tsv");
EMBED(cs_data_role_modifiers, "data/role_modifiers.txt");
EMBED(cs_data_place_prepositions, "data/place_prepositions.txt");
EMBED(cs_data_speech_verbs, "data/speech_verbs.txt");
EMBED(cs_data_role_verbs, "data/role_verbs.txt");
EMBED(cs_data_appointing_verbs, "data/appointing_verbs.txt");
EMBED(cs_data_post_nouns, "data/post_nouns.txt");
EMBED(cs_data_post_verbs, "data/post_verbs.txt");
EMBED(cs_data_joint_words, "data/joint_words.txt");
EMBED(cs_data_joining_verbs, "data/joining_verbs.txt");
