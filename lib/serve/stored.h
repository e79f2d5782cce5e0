/* A stored document read into typed fields.
 *
 * The indexer (indexer/docbuild.c) stores each document as a JSON object,
 * {"id","title","date","source","url","author","section","tags","entities",
 * "person_role","body"}, and
 * the same without "body" in the hit slot (docs/index-format.md).  This
 * reads either into a cs_doc, so that the engine works on fields and the
 * codec writes them, and neither handles the stored JSON.
 */
#ifndef CS_STORED_H
#define CS_STORED_H

#include "index/schema.h"

#include <stdbool.h>
#include <stddef.h>

/* One person-role-organisation statement; NULL for a JSON null. */
typedef struct cs_doc_rel {
    const char *person, *role, *org;
} cs_doc_rel;

/* A stored document.  Every string is borrowed from the parsed data the
 * cs_doc owns: valid until cs_doc_free(). */
typedef struct cs_doc {
    const char *id, *title;             /* never NULL */
    const char *date, *source, *url;    /* NULL for null (or url absent) */
    bool has_url;
    /* The descriptive fields: author and section NULL for null; has_attrs
     * false when the data has no "tags" (an index of an older format). */
    bool has_attrs;
    const char *author, *section;
    const char **tags;
    size_t ntags;
    const char *body;                   /* NULL when the data has none */
    size_t body_len;
    /* "entities": each facet's values, in first-mention order; a facet
     * the data does not list has has_facet false. */
    bool has_entities;
    bool has_facet[CS_NFACETS];
    const char **values[CS_NFACETS];
    size_t nvalues[CS_NFACETS];
    /* "person_role". */
    bool has_rels;
    cs_doc_rel *rels;
    size_t nrels;
    void *store_;                       /* private: the parsed data */
    void *block_;                       /* private: the values' pointers */
    void *copy_;                        /* private: the fast path's strings */
} cs_doc;

/* Read the stored data data[0..len) into *doc.  Returns false (and *doc
 * zeroed) when it is not a stored document: not JSON, id or title not a
 * string, date or source missing.  Free with cs_doc_free(). */
bool cs_doc_read(const char *data, size_t len, cs_doc *doc);
/* The same, read by jansson alone: what cs_doc_read() falls back to for
 * anything but the indexer's own shape, and the reference its own reader
 * is tested against (tests/unit/test_engine.c, tests/fuzz/fuzz_stored.c). */
bool cs_doc_read_json(const char *data, size_t len, cs_doc *doc);
/* Whether a and b hold the same fields (strings compared by value). */
bool cs_doc_equal(const cs_doc *a, const cs_doc *b);
/* Free what doc holds and zero it.  NULL-safe. */
void cs_doc_free(cs_doc *doc);

#endif
