/* From a parsed article and its entities to a Xapian document, following
 * the schema in lib/index/schema.h. */
#ifndef CS_DOCBUILD_H
#define CS_DOCBUILD_H

#include "text/article.h"
#include "entities/entities.h"
#include "index/xapian_shim.h"

/* Weight of a title word relative to a body word (its wdf increment in the
 * free-text field).  Chosen by measurement: see docs/ranking.md. */
#define CS_TITLE_WDF 3

/* Build the document.  hash (may be NULL) is stored for incremental
 * indexing.  Returns a document to free with cs_xs_doc_free(), or NULL
 * with *why set to a static reason. */
cs_xs_doc *cs_docbuild(const cs_article *a, const cs_entities *e,
                         const char *hash, const char **why);

#endif
