/* HTML articles; see html.h.
 *
 * Two walks over libxml2's tree.  The first, over the whole page, gathers
 * the metadata (meta and link elements, JSON-LD, <title>) and the
 * candidates for the article's root.  The second writes the chosen root's
 * text, leaving out page chrome, with block elements as paragraphs; that
 * text is then finished by the plain-text parser, so an HTML body has the
 * same shape (lines, paragraphs, chrome lines dropped) as a text file's.
 * Both walks are recursive and stop at CS_MAX_HTML_DEPTH.
 */
#define _GNU_SOURCE
#include "text/html.h"
#include "text/analyze.h"
#include "text/date.h"
#include "core/limits.h"
#include "core/util.h"

#include <assert.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

/* Bytes of an unreadable date kept for the warning, as for JSON. */
#define BAD_DATE_SHOWN 40
/* How deep JSON-LD is searched for the article object (@graph, arrays). */
#define JSONLD_DEPTH 4

/* Where a publication date came from, best first: the first valid one
 * wins; when none is valid the first one given is kept for a warning. */
enum { D_ARTICLE, D_OG_ARTICLE, D_JSONLD, D_META, D_TIME_ROOT, D_TIME_PAGE, D_N };

typedef struct page {
    const char *og_title, *site, *og_url, *canonical, *section;
    char *title_el;             /* text of <title>, malloc'd */
    char *ld_source;            /* JSON-LD publisher name, malloc'd */
    char *dates[D_N];           /* malloc'd */
    xmlNode *body_prop;         /* [itemprop=articleBody] */
    xmlNode *articles[16];      /* <article> elements, the first 16 */
    size_t narticles;
    xmlNode *main_el, *body_el;
    bool nomem;
} page;

static const char *name_of(const xmlNode *n)
{
    return (const char *)n->name;
}

static bool is_el(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && strcasecmp(name_of(n), name) == 0;
}

/* An attribute's value, borrowed from the tree (the HTML parser stores it
 * as one text child), or NULL. */
static const char *attr(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a; a = a->next)
        if (a->name && strcasecmp((const char *)a->name, name) == 0)
            return a->children && a->children->type == XML_TEXT_NODE && a->children->content
                       ? (const char *)a->children->content
                       : "";
    return NULL;
}

/* Is the whitespace-separated word w one of list (a space-separated list)? */
static bool has_word(const char *list, const char *w)
{
    size_t wl = strlen(w);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        size_t l = strcspn(p, " \t\n");
        if (l == wl && strncasecmp(p, w, wl) == 0)
            return true;
        p += l;
    }
    return false;
}

/* Elements that are never article text. */
static const char *const chrome_elements[] = {
    "nav", "header", "footer", "aside", "script", "style", "noscript", "form",
    "iframe", "figure", "template", "svg", "button", "select", "textarea", "dialog",
    NULL,
};
/* Words of a class or id that name page chrome, matched against each part
 * of each class name or id between '-', '_' and blanks, alone or with a
 * plural s: "share-buttons", "nhsuk-cookie-banner", "comments" and
 * "govuk-breadcrumbs" are chrome, "commentary" and "shared-care" are not. */
static const char *const chrome_names[] = {
    "share", "sharing", "social", "cookie", "consent", "newsletter", "subscribe",
    "related", "comment", "breadcrumb", "advert", "advertisement", "skip", "outbrain",
    "taboola", NULL,
};
/* ARIA landmark roles of page chrome. */
static const char *const chrome_roles[] = {
    "navigation", "banner", "contentinfo", "complementary", "search", "dialog", NULL,
};

static bool chrome_part(const char *p, size_t len)
{
    for (int k = 0; chrome_names[k]; k++) {
        size_t wl = strlen(chrome_names[k]);
        if ((len == wl || (len == wl + 1 && (p[wl] == 's' || p[wl] == 'S'))) &&
            strncasecmp(p, chrome_names[k], wl) == 0)
            return true;
    }
    return false;
}

static bool names_chrome(const char *v)
{
    if (!v)
        return false;
    while (*v) {
        size_t l = strcspn(v, " \t\n\r\f-_");
        if (l && chrome_part(v, l))
            return true;
        v += l;
        if (*v)
            v++;
    }
    return false;
}

/* Is element n page chrome?  keep_header: a <header> is not (it holds an
 * article's headline and date, which the metadata search wants). */
static bool is_chrome(const xmlNode *n, bool keep_header)
{
    for (int k = 0; chrome_elements[k]; k++)
        if (strcasecmp(name_of(n), chrome_elements[k]) == 0)
            return !(keep_header && k == 1);
    const char *v;
    if (attr(n, "hidden") || ((v = attr(n, "aria-hidden")) && strcasecmp(v, "true") == 0))
        return true;
    if ((v = attr(n, "role")))
        for (int k = 0; chrome_roles[k]; k++)
            if (has_word(v, chrome_roles[k]))
                return true;
    return names_chrome(attr(n, "class")) || names_chrome(attr(n, "id"));
}

/* Elements whose start and end are paragraph breaks. */
static const char *const block_elements[] = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "section", "article", "main", "header", "table", "tr", "pre", "address",
    "figcaption", "caption", "hr", "center", "details", "summary", "body", NULL,
};

static bool is_block(const xmlNode *n)
{
    for (int k = 0; block_elements[k]; k++)
        if (strcasecmp(name_of(n), block_elements[k]) == 0)
            return true;
    return false;
}

/* --- text ------------------------------------------------------------------ */

enum brk { B_NONE, B_SPACE, B_LINE, B_PARA };

typedef struct textw {
    cs_buf b;
    enum brk pending;
    bool flat;              /* one line: breaks become spaces */
} textw;

static void want(textw *t, enum brk k)
{
    if (t->flat && k > B_SPACE)
        k = B_SPACE;
    if (k > t->pending)
        t->pending = k;
}

static void put_text(textw *t, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            want(t, B_SPACE);
            continue;
        }
        if (t->b.len && t->pending)
            cs_buf_puts(&t->b, t->pending == B_PARA ? "\n\n" : t->pending == B_LINE ? "\n" : " ");
        t->pending = B_NONE;
        cs_buf_putc(&t->b, (char)c);
    }
}

/* The text of n's subtree into t: chrome left out (unless n is the root
 * asked for), blocks as paragraphs. */
static void text_of(textw *t, const xmlNode *n, int depth)
{
    if (depth > CS_MAX_HTML_DEPTH)
        return;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content)
                put_text(t, (const char *)c->content);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE || !c->name || is_chrome(c, false))
            continue;
        if (is_el(c, "br")) {
            want(t, B_LINE);
            continue;
        }
        bool block = is_block(c);
        if (block)
            want(t, B_PARA);
        else if (is_el(c, "td") || is_el(c, "th"))
            want(t, B_SPACE);
        text_of(t, c, depth + 1);
        if (block)
            want(t, B_PARA);
    }
}

/* The flattened text of n (a title, a heading): malloc'd, NULL when out of
 * memory. */
static char *flat_text(const xmlNode *n, size_t *len)
{
    textw t = { .flat = true };
    text_of(&t, n, 0);
    if (t.b.oom) {
        cs_buf_free(&t.b);
        return NULL;
    }
    *len = t.b.len;
    char *s = cs_buf_take(&t.b);
    return s ? s : cs_strdup("");
}

/* --- metadata -------------------------------------------------------------- */

static void keep_date(page *p, int slot, const char *v, size_t len)
{
    if (p->dates[slot] || !v || len == 0)
        return;
    if (!(p->dates[slot] = cs_strndup(v, len)))
        p->nomem = true;
}

static void add_value(page *p, cs_article *a, bool author, const char *v, size_t len)
{
    if (!v)
        return;
    if (author) {
        size_t l = len;
        const char *t = v;
        while (l && (*t == ' ' || *t == '\n' || *t == '\t')) {
            t++;
            l--;
        }
        if (l > 3 && strncasecmp(t, "by ", 3) == 0) {
            t += 3;
            l -= 3;
        }
        /* article:author is often the author's profile page. */
        if (cs_has_prefix_ci(t, l, "http://") || cs_has_prefix_ci(t, l, "https://"))
            return;
        v = t;
        len = l;
    }
    if (!cs_article_add_value(a, author, v, len))
        p->nomem = true;
}

/* Comma-separated tags ("keywords"). */
static void add_tags(page *p, cs_article *a, const char *v)
{
    while (v && *v) {
        size_t l = strcspn(v, ",");
        add_value(p, a, false, v, l);
        v += l;
        if (*v)
            v++;
    }
}

static void meta(page *p, cs_article *a, const xmlNode *n)
{
    const char *key = attr(n, "property");
    if (!key)
        key = attr(n, "name");
    if (!key)
        key = attr(n, "itemprop");
    const char *v = attr(n, "content");
    if (!key || !v)
        return;
    size_t vl = strlen(v);
    if (!strcasecmp(key, "og:title"))
        p->og_title = p->og_title ? p->og_title : v;
    else if (!strcasecmp(key, "og:site_name"))
        p->site = p->site ? p->site : v;
    else if (!strcasecmp(key, "og:url"))
        p->og_url = p->og_url ? p->og_url : v;
    else if (!strcasecmp(key, "article:published_time"))
        keep_date(p, D_ARTICLE, v, vl);
    else if (!strcasecmp(key, "og:article:published_time"))
        keep_date(p, D_OG_ARTICLE, v, vl);
    else if (!strcasecmp(key, "datePublished"))
        keep_date(p, D_JSONLD, v, vl);
    else if (!strcasecmp(key, "date") || !strcasecmp(key, "dc.date") ||
             !strcasecmp(key, "dc.date.issued") || !strcasecmp(key, "dcterms.date") ||
             !strcasecmp(key, "dcterms.created") || !strcasecmp(key, "pubdate") ||
             !strcasecmp(key, "publishdate") || !strcasecmp(key, "publish-date"))
        keep_date(p, D_META, v, vl);
    else if (!strcasecmp(key, "author") || !strcasecmp(key, "article:author") ||
             !strcasecmp(key, "dc.creator"))
        add_value(p, a, true, v, vl);
    else if (!strcasecmp(key, "article:section"))
        p->section = p->section ? p->section : v;
    else if (!strcasecmp(key, "article:tag"))
        add_value(p, a, false, v, vl);
    else if (!strcasecmp(key, "keywords") || !strcasecmp(key, "news_keywords"))
        add_tags(p, a, v);
}

/* A JSON-LD value that is a name: a string, or an object's "name". */
static const char *ld_name(json_t *v)
{
    if (json_is_object(v))
        v = json_object_get(v, "name");
    return json_string_value(v);
}

/* The article object of a JSON-LD block (one with a headline or a
 * datePublished), searched through arrays and @graph. */
static void ld_visit(page *p, cs_article *a, json_t *v, int depth)
{
    size_t i;
    json_t *item;
    if (depth > JSONLD_DEPTH)
        return;
    if (json_is_array(v)) {
        json_array_foreach(v, i, item)
            ld_visit(p, a, item, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    ld_visit(p, a, json_object_get(v, "@graph"), depth + 1);
    json_t *date = json_object_get(v, "datePublished");
    if (!json_object_get(v, "headline") && !date)
        return;
    if (json_is_string(date))
        keep_date(p, D_JSONLD, json_string_value(date), json_string_length(date));
    json_t *au = json_object_get(v, "author");
    if (json_is_array(au)) {
        json_array_foreach(au, i, item)
            if (ld_name(item))
                add_value(p, a, true, ld_name(item), strlen(ld_name(item)));
    } else if (ld_name(au)) {
        add_value(p, a, true, ld_name(au), strlen(ld_name(au)));
    }
    json_t *sec = json_object_get(v, "articleSection");
    if (json_is_array(sec))
        sec = json_array_get(sec, 0);
    if (json_is_string(sec) && !cs_article_set_section(a, json_string_value(sec),
                                                       json_string_length(sec)))
        p->nomem = true;
    json_t *kw = json_object_get(v, "keywords");
    if (json_is_string(kw)) {
        add_tags(p, a, json_string_value(kw));
    } else if (json_is_array(kw)) {
        json_array_foreach(kw, i, item)
            if (json_is_string(item))
                add_value(p, a, false, json_string_value(item), json_string_length(item));
    }
    const char *pub = ld_name(json_object_get(v, "publisher"));
    if (pub && !p->ld_source && !(p->ld_source = cs_strdup(pub)))
        p->nomem = true;
}

static void json_ld(page *p, cs_article *a, const xmlNode *script)
{
    /* A script's content is its text children (text_of() would skip
     * the script as chrome). */
    cs_buf b = { 0 };
    for (const xmlNode *c = script->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            cs_buf_puts(&b, (const char *)c->content);
    if (b.oom) {
        p->nomem = true;
    } else if (b.len) {
        json_t *v = json_loadb(b.s, b.len, 0, NULL);
        ld_visit(p, a, v, 0);
        json_decref(v);
    }
    cs_buf_free(&b);
}

/* The first walk: metadata and the root's candidates. */
static void gather(page *p, cs_article *a, xmlNode *n, int depth)
{
    if (depth > CS_MAX_HTML_DEPTH)
        return;
    for (xmlNode *c = n->children; c && !p->nomem; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !c->name)
            continue;
        const char *v;
        if (is_el(c, "meta")) {
            meta(p, a, c);
        } else if (is_el(c, "link")) {
            if ((v = attr(c, "rel")) && has_word(v, "canonical") && !p->canonical)
                p->canonical = attr(c, "href");
        } else if (is_el(c, "title")) {
            /* The page's, not an inline SVG's <title> in the body. */
            size_t l;
            if (!p->title_el && !p->body_el && !(p->title_el = flat_text(c, &l)))
                p->nomem = true;
        } else if (is_el(c, "script")) {
            if ((v = attr(c, "type")) && strcasecmp(v, "application/ld+json") == 0)
                json_ld(p, a, c);
            continue;
        } else if (is_el(c, "article")) {
            if (p->narticles < sizeof p->articles / sizeof p->articles[0] && !is_chrome(c, false))
                p->articles[p->narticles++] = c;
        } else if (is_el(c, "main")) {
            if (!p->main_el)
                p->main_el = c;
        } else if (is_el(c, "body")) {
            if (!p->body_el)
                p->body_el = c;
        } else if (is_el(c, "time") && (v = attr(c, "datetime"))) {
            keep_date(p, D_TIME_PAGE, v, strlen(v));
        }
        if ((v = attr(c, "itemprop")) && has_word(v, "articleBody") && !p->body_prop)
            p->body_prop = c;
        gather(p, a, c, depth + 1);
    }
}

/* The first element named name below n, not inside chrome (a <header>
 * allowed), or NULL. */
static const xmlNode *find_first(const xmlNode *n, const char *name, const char *with_attr,
                                 int depth)
{
    if (depth > CS_MAX_HTML_DEPTH)
        return NULL;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !c->name || is_chrome(c, true))
            continue;
        if (is_el(c, name) && (!with_attr || attr(c, with_attr)))
            return c;
        const xmlNode *f = find_first(c, name, with_attr, depth + 1);
        if (f)
            return f;
    }
    return NULL;
}

/* A readable publication date: 1 with out set, 0 when v says none, -1 when
 * v is not a date. */
static int read_date(const char *v, char out[11])
{
    size_t len = v ? strlen(v) : 0;
    while (len && (*v == ' ' || *v == '\n' || *v == '\t')) {
        v++;
        len--;
    }
    if (len == 0)
        return 0;
    size_t used = cs_parse_date(v, len, out);
    return used && (used == len || v[used] == 'T' || v[used] == ' ') ? 1 : -1;
}

static bool choose_date(page *p, cs_article *a)
{
    char d[11];
    const char *bad = NULL;
    for (int k = 0; k < D_N; k++) {
        int r = read_date(p->dates[k], d);
        if (r > 0)
            return (a->date = cs_strdup(d)) != NULL;
        if (r < 0 && !bad)
            bad = p->dates[k];
    }
    if (!bad)
        return true;
    size_t bl = strlen(bad);
    if (!(a->bad_date = cs_strndup(bad, cs_utf8_cut(bad, bl, BAD_DATE_SHOWN))))
        return false;
    for (char *c = a->bad_date; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return true;
}

/* title without a trailing " | site" (or " - ", " – ", " — "). */
static size_t without_site(const char *title, size_t len, const char *site)
{
    static const char *const seps[] = { " | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", NULL };
    size_t sl = site ? strlen(site) : 0;
    while (sl && site[sl - 1] == ' ')
        sl--;
    while (sl && *site == ' ') {
        site++;
        sl--;
    }
    if (!sl)
        return len;
    for (int k = 0; seps[k]; k++) {
        size_t pl = strlen(seps[k]);
        if (len > sl + pl && strncasecmp(title + len - sl, site, sl) == 0 &&
            memcmp(title + len - sl - pl, seps[k], pl) == 0)
            return len - sl - pl;
    }
    return len;
}

/* The title: og:title, the root's first <h1>, <title>; site cut. */
static bool choose_title(page *p, cs_article *a, const xmlNode *root)
{
    char *h1 = NULL;
    const char *t = p->og_title;
    size_t tl = t ? strlen(t) : 0;
    size_t l;
    const xmlNode *h = root ? find_first(root, "h1", NULL, 0) : NULL;
    if (!h && p->body_el)
        h = find_first(p->body_el, "h1", NULL, 0);
    if (!tl && h) {
        if (!(h1 = flat_text(h, &l)))
            return false;
        t = h1;
        tl = l;
    }
    if (!tl && p->title_el) {
        t = p->title_el;
        tl = strlen(t);
    }
    while (tl && (*t == ' ')) {
        t++;
        tl--;
    }
    while (tl && t[tl - 1] == ' ')
        tl--;
    tl = without_site(t, tl, p->site);
    bool ok = true;
    if (tl) {
        if (tl > CS_MAX_TITLE_BYTES)
            tl = cs_utf8_cut(t, tl, CS_MAX_TITLE_BYTES);
        ok = (a->title = cs_strndup(t, tl)) != NULL;
    }
    free(h1);
    return ok;
}

/* The text of a candidate root, for comparing <article>s. */
static size_t text_len(const xmlNode *n)
{
    textw t = { 0 };
    text_of(&t, n, 0);
    size_t len = t.b.len;
    cs_buf_free(&t.b);
    return len;
}

static const xmlNode *choose_root(const page *p)
{
    if (p->body_prop)
        return p->body_prop;
    const xmlNode *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < p->narticles; i++) {
        size_t l = text_len(p->articles[i]);
        if (l > best_len) {
            best = p->articles[i];
            best_len = l;
        }
    }
    if (best)
        return best;
    return p->main_el ? p->main_el : p->body_el;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
}

bool cs_html_sniff(const char *text, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (;;) {
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                           text[i] == '\r' || text[i] == '\f'))
            i++;
        if (cs_has_prefix_ci(text + i, len - i, "<!--")) {
            const char *end = memmem(text + i + 4, len - i - 4, "-->", 3);
            if (!end)
                return false;
            i = (size_t)(end - text) + 3;
            continue;
        }
        break;
    }
    return cs_has_prefix_ci(text + i, len - i, "<!doctype html") ||
           cs_has_prefix_ci(text + i, len - i, "<html");
}

bool cs_article_from_html(const char *id, const char *text, size_t len, cs_article *out,
                          cs_err *err)
{
    page p = { 0 };
    bool ok = false;
    textw t = { 0 };

    assert(id && out);
    memset(out, 0, sizeof *out);
    cs_err_clear(err);
    if (len > CS_MAX_RECORD_BYTES || len > INT_MAX)
        return cs_err_set(err, CS_E_INPUT, "page larger than the limit of %d bytes",
                          CS_MAX_RECORD_BYTES);
    pthread_once(&init_once, init_libxml);
    /* Valid UTF-8 is read as UTF-8 whatever the page declares (pages are
     * often saved re-encoded); otherwise libxml2 takes the page's
     * declaration, or its default.  No network, no error output. */
    const char *enc = cs_utf8_valid(text, len) ? "UTF-8" : NULL;
    htmlDocPtr doc = htmlReadMemory(text, (int)len, NULL, enc,
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                                    HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER);
    if (doc && !enc && !doc->encoding) {
        /* Not UTF-8 and no charset declared: what browsers assume is
         * Windows-1252 (libxml2's default, ISO-8859-1, would make its
         * curly quotes C1 control characters). */
        xmlFreeDoc(doc);
        doc = htmlReadMemory(text, (int)len, NULL, "windows-1252",
                             HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_RECOVER);
    }
    if (!doc)
        return cs_err_set(err, CS_E_INPUT, "not an HTML page libxml2 can read");
    if (!(out->id = cs_strdup(id)))
        goto nomem;
    xmlNode *top = xmlDocGetRootElement(doc);
    if (!top) {
        cs_err_set(err, CS_E_INPUT, "no article text");
        goto out;
    }
    /* The walk looks at the children of the node it is given. */
    xmlNode holder = { .type = XML_DOCUMENT_NODE, .children = top };
    gather(&p, out, &holder, 0);
    if (!p.body_el && is_el(top, "body"))
        p.body_el = top;
    if (p.nomem)
        goto nomem;
    const xmlNode *root = choose_root(&p);
    if (!root)
        root = top;
    if (!p.dates[D_TIME_ROOT]) {
        const xmlNode *tm = find_first(root, "time", "datetime", 0);
        const char *v = tm ? attr(tm, "datetime") : NULL;
        keep_date(&p, D_TIME_ROOT, v, v ? strlen(v) : 0);
    }
    if (p.nomem || !choose_date(&p, out) || !choose_title(&p, out, root))
        goto nomem;
    const char *src = p.site ? p.site : p.ld_source;
    size_t sl = src ? strlen(src) : 0;
    while (sl && *src == ' ') {
        src++;
        sl--;
    }
    while (sl && src[sl - 1] == ' ')
        sl--;
    if (sl && !(out->source = cs_strndup(src, sl)))
        goto nomem;
    const char *url = p.canonical && *p.canonical ? p.canonical : p.og_url;
    if (url && *url && !(out->url = cs_strdup(url)))
        goto nomem;
    if (p.section && !cs_article_set_section(out, p.section, strlen(p.section)))
        goto nomem;

    /* The root itself is the article even when its own class names chrome
     * ("story-share-wrapper" holding the story): only its children are
     * judged. */
    text_of(&t, root, 0);
    if (t.b.oom)
        goto nomem;
    if (t.b.len == 0) {
        cs_err_set(err, CS_E_INPUT, "no article text");
        goto out;
    }
    if (!cs_utf8_valid(t.b.s, t.b.len)) {
        cs_err_set(err, CS_E_INPUT, "invalid UTF-8 in the page's text");
        goto out;
    }
    ok = cs_article_finish_text(out, t.b.s, t.b.len, err);
    if (!ok && err && err->code == CS_E_INPUT)
        cs_err_set(err, CS_E_INPUT, "no article text");
    goto out;
nomem:
    cs_err_nomem(err);
out:
    cs_buf_free(&t.b);
    free(p.title_el);
    free(p.ld_source);
    for (int k = 0; k < D_N; k++)
        free(p.dates[k]);
    xmlFreeDoc(doc);
    if (!ok)
        cs_article_clear(out);
    return ok;
}
