/* The query language (docs/query-language.md): parse query text, gather the
 * filters, compile to a Xapian query through the shim.
 *
 *   merger essex                words, all required (or any: match "any")
 *   "joint accountable officer" a phrase
 *   +must -mustnot              required / excluded
 *   a AND b, a OR b, a NOT b    operators (upper case), ( ) to group
 *   nene NEAR corby, NEAR/5     words within 10 (or n) positions
 *   merg*                       words starting with merg (bounded)
 *   title:x source:x            words of the title / source
 *   ccg:x role:x person:x org:x place:x
 *                               entity filters, canonicalised
 *   author:x section:x tag:x    descriptive field filters (normalised)
 *   date:2018-01-01..2018-12-31 a date range; either end may be empty;
 *                               date:2019 and date:2019-03 are whole periods
 * or, with the option "plain", only words (cs_query_opts).
 * Entity and date filters standing at the top level are lifted out of the
 * text query and treated like the JSON "filter" object: values of one facet
 * are OR-ed, facets AND-ed, and each facet's counts ignore its own filter.
 */
#ifndef CS_QUERY_H
#define CS_QUERY_H

#include "core/err.h"
#include "index/schema.h"
#include "core/strlist.h"
#include "query/snippet.h"
#include "index/xapian_shim.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct qnode qnode;

typedef struct cs_query {
    qnode *text;                        /* NULL: no text part */
    cs_strlist keys[CS_NFACETS + CS_NATTRS]; /* filter terms, prefixed: the
                                        * facets', then the descriptive
                                        * fields' (CS_NFACETS + cs_attr) */
    char date_lo[11], date_hi[11];      /* "" for open */
    bool has_date;
    cs_xs_query *compiled_text;        /* set by cs_query_compile() */
    cs_hl hl;                          /* set by cs_query_compile() */
    size_t nterms;
} cs_query;

/* How query text is read. */
typedef struct cs_query_opts {
    /* Plain words are alternatives (OR), not all required: up to
     * CS_MAX_ANY_TERMS distinct ones, repeats merged, stopwords dropped. */
    bool match_any;
    /* The text is plain words (a search box): operators, quotes, fields and
     * punctuation are text, nothing is refused, words past
     * CS_MAX_QUERY_TERMS (with match_any: new words past CS_MAX_ANY_TERMS
     * distinct ones) are dropped, and text without words is like "". */
    bool plain;
    /* The last word, when the text ends in it (no blank or punctuation
     * after it), also matches the words it begins (as-you-type search). */
    bool prefix;
} cs_query_opts;

/* Parse query text as o says.  Returns true, or false with a message that
 * says where in err (never false for o->plain, but when out of memory).
 * Free *q with cs_query_free() either way. */
bool cs_query_parse(const char *text, size_t len, const cs_query_opts *o, cs_query *q,
                    cs_err *err);

/* Add a filter value for facet f (canonicalised as the indexer does), or
 * for descriptive field f - CS_NFACETS (normalised as the indexer does).
 * Returns false only when out of memory. */
bool cs_query_add_filter(cs_query *q, int f, const char *value);

/* Narrow the date range to [lo, hi] ("" for open ends). */
void cs_query_restrict_dates(cs_query *q, const char *lo, const char *hi);

/* Compile the text part (expanding wildcards against r) and gather the
 * highlight terms.  Returns true, or false with err set (bad_query). */
bool cs_query_compile(cs_query *q, cs_xs_reader *r, cs_err *err);

/* The full query: the compiled text filtered by every facet except
 * skip_facet (-1: none) and by the date range.  NULL when out of memory.
 * The caller frees it. */
cs_xs_query *cs_query_build(const cs_query *q, int skip_facet);

/* True if facet f has filter values. */
bool cs_query_has_filter(const cs_query *q, int f);

/* A spelling correction of the query text `text` (which q was parsed
 * from): every plain word that is in no document and has a suggestion in
 * the index's spelling table is replaced by it.  *corrected is a malloc'd
 * string, or NULL when nothing would change.  False when out of memory. */
bool cs_query_spell(const cs_query *q, cs_xs_reader *r, const char *text, char **corrected);

void cs_query_free(cs_query *q);

#endif
