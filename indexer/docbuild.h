/* From a parsed article and its entities to a Xapian document, following
 * the schema in lib/index/schema.h. */
#ifndef CCG_DOCBUILD_H
#define CCG_DOCBUILD_H

#include "text/article.h"
#include "entities/entities.h"
#include "index/xapian_shim.h"

/* Weight of a title word relative to a body word (its wdf increment in the
 * free-text field).  Chosen by measurement: see docs/ranking.md. */
#define CCG_TITLE_WDF 3

/* Build the document.  hash (may be NULL) is stored for incremental
 * indexing.  Returns a document to free with ccg_xs_doc_free(), or NULL
 * with *why set to a static reason. */
ccg_xs_doc *ccg_docbuild(const ccg_article *a, const ccg_entities *e,
                         const char *hash, const char **why);

#endif
