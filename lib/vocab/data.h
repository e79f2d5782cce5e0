/* The data files of data/, built into the programs (lib/vocab/data.c), so that
 * the binaries need no install paths and the indexer and the daemon can
 * never disagree about a gazetteer. */
#ifndef CS_DATA_H
#define CS_DATA_H

/* Each is the whole file, NUL-terminated. */
extern const char cs_data_ccg_gazetteer[];
extern const char cs_data_ccg_aliases[];
extern const char cs_data_roles[];
extern const char cs_data_places[];
extern const char cs_data_orgs[];
extern const char cs_data_first_names[];
extern const char cs_data_stopwords[];
extern const char cs_data_synonyms[];
/* The extractor's word lists. */
extern const char cs_data_abbreviations[];
extern const char cs_data_adverbs[];
extern const char cs_data_calendar[];
extern const char cs_data_civic_roles[];
extern const char cs_data_complement_stops[];
extern const char cs_data_determiners[];
extern const char cs_data_directions[];
extern const char cs_data_name_ends[];
extern const char cs_data_not_name_words[];
extern const char cs_data_org_connectors[];
extern const char cs_data_org_full_names[];
extern const char cs_data_org_generic_words[];
extern const char cs_data_org_heads[];
extern const char cs_data_parties[];
extern const char cs_data_team_words[];
extern const char cs_data_team_words_before[];
extern const char cs_data_body_plurals[];
extern const char cs_data_role_starts[];
extern const char cs_data_role_heads[];
extern const char cs_data_role_modifiers[];
extern const char cs_data_place_prepositions[];
extern const char cs_data_speech_verbs[];
extern const char cs_data_role_verbs[];
extern const char cs_data_appointing_verbs[];
extern const char cs_data_post_nouns[];
extern const char cs_data_post_verbs[];
extern const char cs_data_joint_words[];
extern const char cs_data_joining_verbs[];

#endif
