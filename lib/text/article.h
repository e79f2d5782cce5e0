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
    bool id_derived;    /* a JSON record without "id": the id was made from
                         * its content (cs_article_from_json()), for a warning */
    /* Descriptive fields, NULL/0 when the input gives none; each value is
     * trimmed, non-empty and at most CS_MAX_FIELD_BYTES. */
    char *author;       /* authors, joined with ", " when several */
    char **authors;     /* each author alone, for the filter terms */
    size_t nauthors;
    char *section;
    char **tags;        /* at most CS_MAX_TAGS, duplicates dropped */
    size_t ntags;
} cs_article;

/* Parse a plain-text article held in text[0..len) (valid UTF-8).  id is
 * copied.  Returns true, or false with *err set: CS_E_INPUT with the reason
 * ("empty body") or CS_E_NOMEM; on failure *out holds nothing to free. */
bool cs_article_from_text(const char *id, const char *text, size_t len, cs_article *out,
                          cs_err *err);

/* Parse one JSON object (a JSON Lines record) in line[0..len).  The id is
 * the record's "id", which must be a string; a record without one (or with
 * null) gets "h" and 16 hex digits of a 64-bit FNV-1a hash of its "url"
 * when it has one, else of its title, date and body (each as given in the
 * record, separated by LF), and id_derived set: the same record gets the
 * same id in every run, wherever it stands in its file.  Body comes from
 * "body", else "text".  Title, date and source come from their fields when
 * present and from the text otherwise; "author" (a string or an array of
 * strings), "section" (a string) and "tags" (an array of strings, or one
 * string of comma-separated tags) are kept.  Unknown fields are ignored.
 * Returns true, or false with *err set as above (malformed JSON, an id that
 * is not a string, a field of the wrong type, no body: CS_E_INPUT). */
bool cs_article_from_json(const char *line, size_t len, cs_article *out, cs_err *err);

/* For the readers of this stage (text/html.c): finish an article whose
 * id, title, date, source, url and descriptive fields may already be set,
 * from its text text[0..len) (valid UTF-8, paragraphs separated by blank
 * lines), as cs_article_from_text() does with a file's text: the header
 * zone, the chrome lines, the body.  On failure the caller clears *a. */
bool cs_article_finish_text(cs_article *a, const char *text, size_t len, cs_err *err);

/* Add one descriptive value: to a->authors (and a->author) when author,
 * else to a->tags.  s[0..len) has its runs of blanks made one space, is
 * trimmed and cut to CS_MAX_FIELD_BYTES;
 * empty values, repeats (compared case-insensitively) and tags past
 * CS_MAX_TAGS are dropped.  False only when out of memory. */
bool cs_article_add_value(cs_article *a, bool author, const char *s, size_t len);
/* Set a->section from s[0..len) (made as above) unless it is set already.
 * False only when out of memory. */
bool cs_article_set_section(cs_article *a, const char *s, size_t len);

/* Free what the article owns and zero it.  NULL-safe. */
void cs_article_clear(cs_article *a);

#endif
