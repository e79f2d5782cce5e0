/* The search page served at GET / (searchd/page.html, docs/http.md): one
 * HTML file with its CSS and JavaScript, built into the daemon so that it
 * needs no install path and no external asset. */
#ifndef CS_SEARCHD_PAGE_H
#define CS_SEARCHD_PAGE_H

/* The whole of searchd/page.html, NUL-terminated. */
extern const char cs_page_html[];

#endif
