/* Snippets: the passage of a document that best shows why it matched. */
#ifndef CS_SNIPPET_H
#define CS_SNIPPET_H

#include "core/strlist.h"
#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>

/* Terms to highlight in snippets: raw words, stems (without the Z),
 * phrases (raw words joined by single spaces), which are highlighted only
 * where they occur whole, and prefixes (a "prefix" search's last word), which
 * highlight every word they begin. */
typedef struct cs_hl {
    cs_strlist raw, stem, phrase, prefix;
} cs_hl;

/* Append to out the passage of text[0..len) (valid UTF-8) of about
 * max_chars characters holding the most distinct highlight terms (raw
 * words, words whose stem is a highlighted stem, words a prefix begins), HTML-escaped, each
 * match wrapped in <mark>...</mark> (a phrase in one mark), "…" where the
 * passage cuts the text.  With no match, the text's start.  Never cuts a
 * UTF-8 character.  Returns false when out of memory. */
bool cs_snippet(const char *text, size_t len, const cs_hl *hl,
                 unsigned max_chars, cs_buf *out);

#endif
