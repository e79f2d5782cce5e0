/* The Xapian shim: the only door from C into Xapian (C++).
 *
 * Every type is opaque and defined only in xapian_shim.cc.  Every function
 * catches every exception and maps it to a cs_xs_status, so no C++
 * exception ever crosses into C; a handle keeps the message of its last
 * error for cs_xs_*_last_error().  Destroy functions accept NULL.  Strings
 * returned by a handle live until the next call on that handle unless the
 * comment says otherwise.
 *
 * The shim knows nothing of articles, entities or the query language: the C
 * side decides the terms, values and data of a document and builds queries
 * from the small set of operators below.
 */
#ifndef CS_XAPIAN_SHIM_H
#define CS_XAPIAN_SHIM_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cs_xs_status {
    CS_XS_OK = 0,
    CS_XS_NOT_FOUND,       /* no such document, or no such database */
    CS_XS_BAD_ARG,         /* a NULL or malformed argument */
    CS_XS_OPEN_FAILED,     /* the database could not be opened */
    CS_XS_LOCKED,          /* another writer holds the database */
    CS_XS_MODIFIED,        /* changed under a reader even after a reopen */
    CS_XS_NO_MEMORY,
    CS_XS_XAPIAN_ERROR,    /* any other Xapian::Error */
    CS_XS_INTERNAL,        /* any other exception */
    CS_XS_TOO_COSTLY,      /* a search past its max_positional_work or max_matches */
    CS_XS_LAST_STATUS
} cs_xs_status;

/* A static string naming the status, e.g. "locked". */
const char *cs_xs_status_to_string(cs_xs_status status);

/* ------------------------------------------------------------------------ */
/* Documents under construction.                                            */

typedef struct cs_xs_doc cs_xs_doc;

/* A new empty document with the given unique id, stored as the boolean
 * term id_prefix + id so that adding it again replaces it (the schema names
 * the prefix; a writer must have been opened with the same one).  NULL when
 * out of memory or when the term would be longer than CS_XS_MAX_TERM_BYTES.
 * Free with cs_xs_doc_free(). */
cs_xs_doc *cs_xs_doc_new(const char *id_prefix, const char *id);
void cs_xs_doc_free(cs_xs_doc *doc);

/* Longest term in bytes: Xapian's own limit (245) less the headroom its
 * B-tree keys need.  Longer terms would throw at commit time, so they are
 * refused up front. */
#define CS_XS_MAX_TERM_BYTES 240

/* Add a term at a position (for phrase search), a term without position,
 * and a boolean (filter-only, weightless) term.  wdf_inc is how much one
 * occurrence adds to the term's within-document frequency (weight).  Return CS_XS_OK or
 * CS_XS_NO_MEMORY / CS_XS_BAD_ARG (empty or longer than CS_XS_MAX_TERM_BYTES). */
cs_xs_status cs_xs_doc_add_posting(cs_xs_doc *doc, const char *term,
                                     unsigned pos, unsigned wdf_inc);
cs_xs_status cs_xs_doc_add_term(cs_xs_doc *doc, const char *term, unsigned wdf_inc);
cs_xs_status cs_xs_doc_add_boolean(cs_xs_doc *doc, const char *term);
/* Set value slot `slot` (sorting, ranges, facet counting). */
cs_xs_status cs_xs_doc_set_value(cs_xs_doc *doc, unsigned slot,
                                   const char *value, size_t len);
/* Record a word of the document for the spelling suggester; the writer
 * adds the document's words to the database's spelling table when it adds
 * the document. */
cs_xs_status cs_xs_doc_add_spelling(cs_xs_doc *doc, const char *word);
/* Set the stored data returned with hits. */
cs_xs_status cs_xs_doc_set_data(cs_xs_doc *doc, const char *data, size_t len);

/* Stem a word with Xapian's English stemmer into out (cap bytes, NUL
 * terminated).  Returns the stem's length, or 0 if it does not fit or on
 * error.  Thread-safe: each thread has its own stemmer. */
size_t cs_xs_stem(const char *word, size_t len, char *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* Writing.                                                                 */

typedef struct cs_xs_writer cs_xs_writer;

enum {
    CS_XS_CREATE_OR_OPEN = 0,   /* open, creating if missing */
    CS_XS_OVERWRITE = 1,        /* start a new empty database */
    CS_XS_SCRATCH = 2,          /* as OVERWRITE, but commits are not synced to
                                   disk and spelling words are kept for
                                   cs_xs_writer_pass_spelling(), not written:
                                   a parallel build's shards, thrown away
                                   once merged or when the run dies */
};

/* Open a database at path for writing.  Documents are found by id as the
 * term id_prefix + id (see cs_xs_doc_new()).  On failure *out is NULL and
 * *err (NULL-safe) says why: CS_E_INDEX, or CS_E_NOMEM. */
cs_xs_status cs_xs_writer_open(const char *path, int mode, const char *id_prefix,
                               cs_xs_writer **out, cs_err *err);
/* Commit and close; returns the commit's status.  NULL is a no-op. */
cs_xs_status cs_xs_writer_close(cs_xs_writer *w);
const char *cs_xs_writer_last_error(const cs_xs_writer *w);

/* Add or replace the document with doc's id. */
cs_xs_status cs_xs_writer_replace(cs_xs_writer *w, const cs_xs_doc *doc);
/* Remove the document with this id; CS_XS_NOT_FOUND if there is none. */
cs_xs_status cs_xs_writer_delete(cs_xs_writer *w, const char *id);
/* Value `slot` of the document with this id, malloc'd into *out (caller
 * frees); CS_XS_NOT_FOUND if there is no such document. */
cs_xs_status cs_xs_writer_get_value(cs_xs_writer *w, const char *id,
                                      unsigned slot, char **out, size_t *len);
cs_xs_status cs_xs_writer_set_metadata(cs_xs_writer *w, const char *key,
                                         const char *value);
cs_xs_status cs_xs_writer_commit(cs_xs_writer *w);
/* Move the spelling words from's documents taught (and from has not
 * written) to to, which writes them, summed with its own, at its next
 * commit: a scratch shard's words into the merged database. */
cs_xs_status cs_xs_writer_pass_spelling(cs_xs_writer *from, cs_xs_writer *to);
/* Number of documents, as the writer sees them. */
cs_xs_status cs_xs_writer_doccount(cs_xs_writer *w, unsigned *out);

/* Merge the n committed databases at srcs into one new database at dest
 * (which must not exist yet), as xapian-compact does: every document of
 * srcs[0] first, then those of srcs[1], ..., renumbered from 1; spelling
 * frequencies are summed; metadata is taken from the first source that
 * has the key.  The sources are left as they were.  On failure *err
 * (NULL-safe) says why (CS_E_INDEX, or CS_E_NOMEM) and dest may hold a
 * partial database for the caller to remove. */
cs_xs_status cs_xs_compact(const char *const *srcs, size_t n, const char *dest,
                           cs_err *err);

/* ------------------------------------------------------------------------ */
/* Queries.  A cs_xs_query is immutable once built; combining copies the
 * subqueries (Xapian queries are reference counted), so the caller frees
 * each query it built.  Builders return NULL only when out of memory.    */

typedef struct cs_xs_query cs_xs_query;

typedef enum cs_xs_op {
    CS_XS_OP_AND,
    CS_XS_OP_OR,
    CS_XS_OP_AND_NOT,      /* first AND NOT (second OR third ...) */
    CS_XS_OP_AND_MAYBE,    /* first, weighted up by the others */
    CS_XS_OP_FILTER,       /* first, restricted to the others, unweighted */
    CS_XS_OP_PHRASE,       /* the terms in order within `window` positions */
    CS_XS_OP_NEAR,         /* the terms in any order within `window` */
    CS_XS_OP_SYNONYM,      /* one term for weighting purposes */
    CS_XS_OP_ELITE_SET,    /* OR of the `window` subqueries of highest maximum
                              weight (the rarest terms), chosen per database */
} cs_xs_op;

cs_xs_query *cs_xs_query_term(const char *term, unsigned wqf, unsigned pos);
cs_xs_query *cs_xs_query_match_all(void);
cs_xs_query *cs_xs_query_match_nothing(void);
/* The terms starting with prefix, as one term for weighting (a synonym),
 * expanded when the query runs: at most max of them, the most frequent
 * (Xapian's WILDCARD_LIMIT_MOST_FREQUENT), so it never fails for having
 * too many.  No term starting with prefix: matches nothing. */
cs_xs_query *cs_xs_query_prefix(const char *prefix, unsigned max);
/* Combine n subqueries (NULL entries are skipped); window only matters for
 * PHRASE and NEAR (0: the number of subqueries). */
cs_xs_query *cs_xs_query_combine(cs_xs_op op, cs_xs_query *const *subs,
                                   size_t n, unsigned window);
/* Documents whose value in slot lies in [lo, hi] (string order); either end
 * may be NULL for open. */
cs_xs_query *cs_xs_query_value_range(unsigned slot, const char *lo, const char *hi);
/* Multiply the weight of q by factor (>= 0). */
cs_xs_query *cs_xs_query_scale(const cs_xs_query *q, double factor);
/* A description of q for debugging; malloc'd, caller frees. */
char *cs_xs_query_describe(const cs_xs_query *q);
void cs_xs_query_free(cs_xs_query *q);

/* ------------------------------------------------------------------------ */
/* Reading and searching.  A reader is not thread-safe: each thread opens
 * its own.                                                                 */

typedef struct cs_xs_reader cs_xs_reader;

/* Open a database (or an index directory's stub) for reading; ids and
 * failure as for cs_xs_writer_open(). */
cs_xs_status cs_xs_reader_open(const char *path, const char *id_prefix, cs_xs_reader **out,
                               cs_err *err);
/* A reader of no database at all (0 documents, every search empty) that
 * a refresh with reopen_path opens path into once a database is there:
 * for a daemon started before the first index is made.  CS_XS_OK or
 * CS_XS_NO_MEMORY. */
cs_xs_status cs_xs_reader_open_empty(const char *path, const char *id_prefix, cs_xs_reader **out);
void cs_xs_reader_close(cs_xs_reader *r);
const char *cs_xs_reader_last_error(const cs_xs_reader *r);
/* Bring the reader up to the latest committed revision, or reopen the path
 * from scratch when reopen_path is set (the database was swapped).
 * *changed (if not NULL) says whether the reader now sees a new revision. */
cs_xs_status cs_xs_reader_refresh(cs_xs_reader *r, int reopen_path, int *changed);
cs_xs_status cs_xs_reader_doccount(cs_xs_reader *r, unsigned *out);
/* The stored data of the document with this id; *data points into the
 * reader and lives until the next call on it. */
cs_xs_status cs_xs_reader_get(cs_xs_reader *r, const char *id,
                                const char **data, size_t *len);
/* Metadata value for key; "" when unset.  Lives until the next call. */
cs_xs_status cs_xs_reader_metadata(cs_xs_reader *r, const char *key,
                                     const char **value);
/* Terms that start with prefix, in order, at most max; the callback gets
 * each term (without the prefix) and its document frequency.  Stops early
 * and returns CS_XS_OK with *more set when there are more than max. */
typedef void (*cs_xs_term_fn)(void *ctx, const char *term, size_t len, unsigned freq);
cs_xs_status cs_xs_reader_terms(cs_xs_reader *r, const char *prefix,
                                  size_t max, cs_xs_term_fn fn, void *ctx,
                                  int *more);
/* Document frequency of term (0 when absent). */
cs_xs_status cs_xs_reader_termfreq(cs_xs_reader *r, const char *term, unsigned *out);
/* Xapian's spelling suggestion for word within edit distance 2; *out is ""
 * when there is none.  Lives until the next call. */
cs_xs_status cs_xs_reader_spell(cs_xs_reader *r, const char *word, const char **out);

/* Make sure the in-memory facet columns of the n slots are ready for the
 * reader's database as it now is (made, or extended with the documents
 * committed since), so that the next faceted search does not pay for it;
 * *bytes (may be NULL) is set to the memory they hold.  Searches do the
 * same for the slots they count. */
cs_xs_status cs_xs_reader_prepare_facets(cs_xs_reader *r, const unsigned *slots, size_t n,
                                          size_t *bytes);

/* Hold every document's value of slot in memory, as the facet columns
 * are held (made, extended with new commits, shared between readers of
 * one database), so that searches whose data_slot is slot read their hits
 * from there rather than from the B-tree.  Should its offsets and values
 * pass max_bytes (or the table fail to be made) the reader goes on
 * reading hits from the database, and *bytes (may be NULL; the memory
 * held) is 0.  While a commit extends it a second copy exists for a
 * moment.  Slot 0 turns it off. */
cs_xs_status cs_xs_reader_prepare_hits(cs_xs_reader *r, unsigned slot, size_t max_bytes,
                                        size_t *bytes);

/* The facet columns and the hit table keep the entries of documents
 * deleted since they were read (a changed document is deleted and added
 * again); when a table holds entries for more than twice as many
 * documents as are live, plus this many, it is made again from the live
 * ones instead of extended, so its memory follows the index's size, not
 * the number of changes ever made to it. */
#define CS_XS_TABLE_STALE_SLACK 64

enum {
    CS_XS_SORT_RELEVANCE = 0,
    CS_XS_SORT_VALUE_DESC,     /* by the sort slot, largest first, then relevance */
    CS_XS_SORT_VALUE_ASC,
};

/* The most facet slots one search may count. */
#define CS_XS_MAX_FACETS 8

typedef struct cs_xs_search_opts {
    const cs_xs_query *query;
    unsigned offset, limit;
    int sort;                   /* CCG_XS_SORT_* */
    unsigned sort_slot;
    /* Count every value of these slots over the whole match set.  A slot
     * holds a document's values separated by CS_XS_VALUE_SEP. */
    unsigned facet_slots[CS_XS_MAX_FACETS];
    size_t nfacets;
    int exact_total;            /* 1: count every match (needed for facets) */
    double time_limit;          /* seconds, 0 for none */
    /* Count every facet value, but keep only the facet_limit most frequent
     * of each (0: keep all). */
    unsigned facet_limit;
    /* A hit's data is the document's stored data, or with data_slot > 0
     * the value of that slot (a smaller summary, cheaper to read). */
    unsigned data_slot;
    /* BM25 parameters; 0 means Xapian's default. */
    double bm25_k1, bm25_b;
    /* Refuse (CS_XS_TOO_COSTLY, before running) a query whose phrases and
     * NEARs would read more word positions than this, estimated from the
     * index's statistics; 0: no limit.  Xapian's time limit cannot stop a
     * phrase or NEAR (it only stops counting past the top hits), so this
     * is what bounds their cost.  The estimate, for each phrase or NEAR:
     * the documents holding its rarest word (the candidates Xapian checks)
     * times the positions each candidate holds of all its words on
     * average (collection frequency / term frequency of each word). */
    double max_positional_work;
    /* Refuse the same way a query that may match more documents than this
     * (every match is visited when facets or an exact total are asked,
     * and Xapian's time limit does not stop that either); 0: no limit.
     * The bound, from the index's statistics: a term's documents, the
     * fewest of an AND's (a phrase's, a NEAR's, a filter's) parts, the sum
     * of an OR's, all documents for anything else (a wildcard, a date
     * range). */
    double max_matches;
} cs_xs_search_opts;

#define CS_XS_VALUE_SEP '\x1f'

typedef struct cs_xs_results cs_xs_results;

/* The positional work of opts->query on r, estimated as max_positional_work
 * describes, into *work. */
cs_xs_status cs_xs_positional_work(cs_xs_reader *r, const cs_xs_query *q, double *work);
/* What q may cost on r, from the index's statistics: the entries of its
 * terms' posting lists, summed, into *postings, and its positional work
 * (as above) into *positions. */
cs_xs_status cs_xs_query_cost(cs_xs_reader *r, const cs_xs_query *q, double *postings,
                              double *positions);

typedef struct cs_xs_hit {
    unsigned docid;
    double weight;
    const char *data;       /* stored data; lives as long as the results */
    size_t len;
} cs_xs_hit;

typedef struct cs_xs_facet_value {
    const char *value;      /* lives as long as the results */
    unsigned count;
} cs_xs_facet_value;

/* Run a search.  A DatabaseModifiedError reopens the reader and retries once.
 * *out is freed with cs_xs_results_free(). */
cs_xs_status cs_xs_search(cs_xs_reader *r, const cs_xs_search_opts *opts,
                            cs_xs_results **out);
void cs_xs_results_free(cs_xs_results *res);
size_t cs_xs_results_size(const cs_xs_results *res);
/* How many of the hits were read from the in-memory table of
 * cs_xs_reader_prepare_hits() rather than from the database. */
size_t cs_xs_results_memory_hits(const cs_xs_results *res);
/* Number of matching documents; exact when *exact is 1. */
unsigned cs_xs_results_total(const cs_xs_results *res, int *exact);
void cs_xs_results_hit(const cs_xs_results *res, size_t i, cs_xs_hit *out);
/* Values counted for the k-th facet slot of the options, sorted by count
 * (largest first), then value. */
size_t cs_xs_results_facet(const cs_xs_results *res, size_t k,
                            const cs_xs_facet_value **values);
/* Terms for "more like this": the best expansion terms of the given
 * documents (by id), at most max, excluding boolean (prefixed) terms.  The
 * callback gets each term and its expand weight. */
typedef void (*cs_xs_eterm_fn)(void *ctx, const char *term, double weight);
cs_xs_status cs_xs_reader_expand(cs_xs_reader *r, const char *const *ids,
                                   size_t nids, size_t max,
                                   cs_xs_eterm_fn fn, void *ctx);
/* The same for the first ndocs hits of res (a search of r): pseudo-
 * relevance feedback.  CS_XS_NOT_FOUND when res has no hit. */
cs_xs_status cs_xs_results_expand(cs_xs_reader *r, const cs_xs_results *res,
                                    size_t ndocs, size_t max,
                                    cs_xs_eterm_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
