/* HTML articles: a saved newspaper or NHS web page read as an article.
 *
 * The page is parsed by libxml2's HTML parser (recovering from broken
 * markup, never touching the network), then read as a newsroom would:
 *   title   og:title, else the first <h1> of the article, else <title>;
 *           a trailing " | Site" or " - Site" that is og:site_name is cut
 *   date    article:published_time, og:article:published_time, JSON-LD
 *           datePublished, meta date / DC.date / dcterms.date / pubdate,
 *           else the first <time datetime> of the article, then of the page
 *   source  og:site_name, else the JSON-LD publisher's name
 *   url     <link rel="canonical">, else og:url
 *   author  meta author, article:author (not a URL), JSON-LD author names
 *   section article:section, JSON-LD articleSection
 *   tags    article:tag, meta keywords (comma-separated), JSON-LD keywords
 *   body    the text of [itemprop=articleBody], else of the <article> with
 *           the most text, else <main>, else <body>; without nav, header,
 *           footer, aside, script, style, noscript, form, iframe, figure,
 *           template, svg and button elements, elements hidden or with an
 *           ARIA landmark role of page chrome, and elements whose class or
 *           id has a part (between '-' and '_') naming share, social,
 *           cookie, newsletter, related, comment, breadcrumb, advert, skip
 *           (and a few more, html.c), alone or plural.  Block elements (p, li,
 *           headings, div, ...) become paragraphs separated by blank lines,
 *           <br> a line break; the text then goes through the plain-text
 *           parser (text/article.h) for its chrome lines and header zone.
 * What lies deeper than CS_MAX_HTML_DEPTH elements is dropped.
 */
#ifndef CS_HTML_H
#define CS_HTML_H

#include "text/article.h"

#include <stdbool.h>
#include <stddef.h>

/* Does text[0..len) look like an HTML page: after an optional BOM, blanks
 * and comments, "<!doctype html" or "<html" (any case)? */
bool cs_html_sniff(const char *text, size_t len);

/* Parse the HTML page text[0..len) (any bytes: the encoding is UTF-8 when
 * the bytes are valid UTF-8, else what the page declares, else
 * Windows-1252 as browsers assume) into *out; id is copied.  Returns true,
 * or false with *err set: CS_E_INPUT ("no article text") or CS_E_NOMEM; on
 * failure *out holds nothing to free.  Thread-safe. */
bool cs_article_from_html(const char *id, const char *text, size_t len, cs_article *out,
                          cs_err *err);

#endif
