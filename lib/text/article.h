/* Articles: what the indexer understands of one input record.
 *
 * Two shapes come in.  Plain text, as newsroom archives and web scrapes save
 * it: optional breadcrumb, headline or standfirst bullets, a dated byline,
 * the story, then comment and social-media chrome.  And JSON objects (one
 * per JSON Lines record) with id, title, date, source, url and body or text.
 * Either way the parser works out title, publication date and publisher,
 * and a clean body with the page chrome removed.
 */
#ifndef CS_ARTICLE_H
#define CS_ARTICLE_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct cs_article {
    char *id;
    char *title;        /* never NULL; "" when nothing title-like exists */
    char *date;         /* "YYYY-MM-DD", or NULL when the text states none */
    char *bad_date;     /* a date given that is not one, for a warning, or NULL:
                         * a JSON "date" field we cannot read, as written
                         * ("2019-02-29", "soon"; control characters as
                         * '?'), or the date of a date line
                         * whose day does not exist, as YYYY-MM-DD.  date is
                         * then NULL unless a later line gives one. */
    char *source;       /* publisher, or NULL */
    char *url;          /* or NULL */
    char *body;         /* cleaned text: paragraphs separated by "\n\n" */
    size_t body_len;
    bool title_in_text; /* the title is a line of the text, not in body */
} cs_article;

/* Parse a plain-text article held in text[0..len) (valid UTF-8).  id is
 * copied.  Returns true, or false with *err set: CS_E_INPUT with the reason
 * ("empty body") or CS_E_NOMEM; on failure *out holds nothing to free. */
bool cs_article_from_text(const char *id, const char *text, size_t len, cs_article *out,
                          cs_err *err);

/* Parse one JSON object (a JSON Lines record) in line[0..len).  The id is
 * the record's "id" (a string or an integer); when it has none, fallback_id
 * is used.  Body comes from "body", else "text".  Title, date and source come
 * from their fields when present and from the text otherwise.  Unknown
 * fields are ignored.  Returns true, or false with *err set as above
 * (malformed JSON, a field of the wrong type, no body: CS_E_INPUT). */
bool cs_article_from_json(const char *line, size_t len, const char *fallback_id,
                          cs_article *out, cs_err *err);

/* Free what the article owns and zero it.  NULL-safe. */
void cs_article_clear(cs_article *a);

#endif
