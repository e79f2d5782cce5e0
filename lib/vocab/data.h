/* The data files of data/, built into the programs (lib/data.c), so that
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

#endif
