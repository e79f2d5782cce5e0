/* Article -> Xapian document; see docbuild.h and lib/index/schema.h. */
#include "docbuild.h"
#include "text/analyze.h"
#include "core/limits.h"
#include "core/strlist.h"
#include "index/schema.h"
#include "core/util.h"
#include "vocab/canon.h"

#include <assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum field { F_BODY, F_TITLE, F_SOURCE };

typedef struct ctx {
    cs_xs_doc *doc;
    enum field field;
    cs_xs_status st;
} ctx;

static void add(ctx *c, cs_xs_status st)
{
    /* An over-long term is skipped, not fatal; anything else is. */
    if (st != CS_XS_OK && st != CS_XS_BAD_ARG && c->st == CS_XS_OK)
        c->st = st;
}

/* Room for a term: the longest word plus the longest prefix of a word. */
#define PREFIX_ROOM 8
_Static_assert(sizeof CS_PREFIX_SOURCE <= PREFIX_ROOM && sizeof CS_PREFIX_STEM <= PREFIX_ROOM &&
               sizeof CS_PREFIX_TITLE <= PREFIX_ROOM && sizeof CS_PREFIX_TITLE_STEM <= PREFIX_ROOM,
               "a schema prefix outgrows the term buffers");

/* prefix + s[0..len) into out (CS_MAX_TERM_BYTES + PREFIX_ROOM bytes),
 * NUL-terminated. */
static void prefixed(char *out, const char *prefix, const char *s, size_t len)
{
    size_t pl = strlen(prefix);
    assert(len <= CS_MAX_TERM_BYTES);
    memcpy(out, prefix, pl);
    memcpy(out + pl, s, len);
    out[pl + len] = '\0';
}

static int on_token(void *vctx, const cs_token *t)
{
    ctx *c = vctx;
    char term[CS_MAX_TERM_BYTES + PREFIX_ROOM];
    char stem[CS_MAX_TERM_BYTES + 1];
    size_t sl = 0;

    if (c->field == F_SOURCE) {
        prefixed(term, CS_PREFIX_SOURCE, t->term, t->len);
        add(c, cs_xs_doc_add_posting(c->doc, term, t->pos, 1));
        return c->st != CS_XS_OK;
    }
    unsigned wdf = c->field == F_TITLE ? CS_TITLE_WDF : 1;
    add(c, cs_xs_doc_add_posting(c->doc, t->term, t->pos, wdf));
    /* Words (not numbers, not variants) teach the spelling suggester. */
    if (!(t->flags & (CS_TOK_NUMERIC | CS_TOK_VARIANT)) && t->len >= 3)
        add(c, cs_xs_doc_add_spelling(c->doc, t->term));
    if (!(t->flags & CS_TOK_NUMERIC)) {
        sl = cs_stem(t->term, t->len, stem, sizeof stem);
        if (sl) {
            prefixed(term, CS_PREFIX_STEM, stem, sl);
            add(c, cs_xs_doc_add_term(c->doc, term, wdf));
        }
    }
    if (c->field == F_TITLE) {
        prefixed(term, CS_PREFIX_TITLE, t->term, t->len);
        add(c, cs_xs_doc_add_posting(c->doc, term, t->pos, 1));
        if (sl) {
            prefixed(term, CS_PREFIX_TITLE_STEM, stem, sl);
            add(c, cs_xs_doc_add_term(c->doc, term, 1));
        }
    }
    return c->st != CS_XS_OK;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The stored JSON, with the body or without it (the hit summary). */
static char *stored_json(const cs_article *a, const cs_entities *e, bool body)
{
    json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
                          "id", a->id, "title", a->title,
                          "date", str_or_null(a->date),
                          "source", str_or_null(a->source),
                          "url", str_or_null(a->url),
                          "entities", cs_entities_json(e),
                          "person_role", cs_entities_relations_json(e));
    json_t *tags = json_array();
    for (size_t i = 0; tags && i < a->ntags; i++)
        if (json_array_append_new(tags, json_string(a->tags[i])) != 0) {
            json_decref(tags);
            tags = NULL;
        }
    if (o && (!tags || json_object_set_new(o, "author", str_or_null(a->author)) != 0 ||
              json_object_set_new(o, "section", str_or_null(a->section)) != 0 ||
              json_object_set_new(o, "tags", tags) != 0)) {
        json_decref(o);
        return NULL;
    }
    if (o && body && json_object_set_new(o, "body", json_string(a->body)) != 0) {
        json_decref(o);
        return NULL;
    }
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return s;
}

/* Facet values: a boolean term per value, and the display values joined in
 * the facet's slot for counting. */
static cs_xs_status add_facets(cs_xs_doc *doc, const cs_entities *e)
{
    cs_buf slot = { 0 };
    cs_strlist shown = { 0 };
    cs_xs_status st = CS_XS_OK;
    for (int f = 0; f < CS_NFACETS && st == CS_XS_OK; f++) {
        slot.len = 0;
        cs_strlist_free(&shown);
        for (size_t i = 0; i < e->n[f]; i++) {
            /* The key a filter on this value will look for: the same
             * canonicalisation on both sides, so "Tories" and "Conservative
             * Party" (one organisation) select the same documents. */
            const char *v = e->v[f][i];
            char *key = cs_canonical_key(f, v, strlen(v));
            if (!key) {
                st = CS_XS_NO_MEMORY;
                break;
            }
            cs_buf term = { 0 };
            cs_buf_puts(&term, cs_facets[f].prefix);
            cs_buf_puts(&term, key);
            free(key);
            if (term.oom) {
                st = CS_XS_NO_MEMORY;
            } else if (cs_xs_doc_add_boolean(doc, term.s) == CS_XS_NO_MEMORY) {
                st = CS_XS_NO_MEMORY;
            }
            cs_buf_free(&term);
            /* A facet shows the name its filter selects by ("Conservative
             * Party" where the article wrote "Tories"), once per document
             * however many spellings it used. */
            const char *canon = cs_canonical_name(f, v, strlen(v));
            const char *shows = canon ? canon : v;
            size_t before = shown.n;
            if (!cs_strlist_add(&shown, shows)) {
                st = CS_XS_NO_MEMORY;
                break;
            }
            if (shown.n == before)
                continue;
            if (slot.len)
                cs_buf_putc(&slot, CS_XS_VALUE_SEP);
            cs_buf_puts(&slot, shows);
        }
        if (slot.oom)
            st = CS_XS_NO_MEMORY;
        else if (st == CS_XS_OK && slot.len)
            st = cs_xs_doc_set_value(doc, cs_facets[f].slot, slot.s, slot.len);
    }
    cs_buf_free(&slot);
    cs_strlist_free(&shown);
    return st;
}

/* A boolean term per author, the section and each tag: the prefix of
 * their filter and cs_normalize_key() of the value, as the filter makes
 * it.  An over-long one is skipped. */
static cs_xs_status add_attrs(cs_xs_doc *doc, const cs_article *a)
{
    for (int f = 0; f < CS_NATTRS; f++) {
        char *const *v = f == CS_ATTR_AUTHOR ? a->authors : f == CS_ATTR_TAG ? a->tags
                                                                            : &a->section;
        size_t n = f == CS_ATTR_AUTHOR ? a->nauthors : f == CS_ATTR_TAG ? a->ntags
                                                                       : a->section != NULL;
        for (size_t i = 0; i < n; i++) {
            char *key = cs_normalize_key(v[i], strlen(v[i]));
            if (!key)
                return CS_XS_NO_MEMORY;
            cs_buf term = { 0 };
            cs_buf_puts(&term, cs_attrs[f].prefix);
            cs_buf_puts(&term, key);
            bool empty = *key == '\0';
            free(key);
            cs_xs_status st = term.oom ? CS_XS_NO_MEMORY
                              : empty  ? CS_XS_OK
                                       : cs_xs_doc_add_boolean(doc, term.s);
            cs_buf_free(&term);
            if (st == CS_XS_NO_MEMORY)
                return st;
        }
    }
    return CS_XS_OK;
}

/* Terms for WHO: who held which role where.  See lib/index/schema.h. */
static cs_xs_status add_relations(cs_xs_doc *doc, const cs_entities *e)
{
    cs_xs_status st = CS_XS_OK;
    for (size_t i = 0; i < e->nrel && st == CS_XS_OK; i++) {
        const cs_person_role *r = &e->rel[i];
        char *person = cs_canonical_key(CS_FACET_PERSON, r->person, strlen(r->person));
        char *role = cs_canonical_key(CS_FACET_ROLE, r->role, strlen(r->role));
        char *org = r->org ? cs_canonical_key(CS_FACET_ORG, r->org, strlen(r->org))
                           : cs_strdup("");
        cs_buf t1 = { 0 }, t2 = { 0 }, t3 = { 0 }, t4 = { 0 };
        cs_buf_printf(&t1, CS_WHO_PERSON_TERM, person ? person : "");
        cs_buf_printf(&t2, CS_WHO_ROLE_TERM, role ? role : "", org ? org : "");
        cs_buf_printf(&t3, CS_WHO_ROLE_TERM, role ? role : "", "");
        if (org && *org)
            cs_buf_printf(&t4, CS_WHO_ORG_TERM, org);
        if (!person || !role || !org || t1.oom || t2.oom || t3.oom || t4.oom) {
            st = CS_XS_NO_MEMORY;
        } else {
            /* An over-long name is skipped (BAD_ARG), not fatal. */
            cs_xs_status a = cs_xs_doc_add_boolean(doc, t1.s);
            cs_xs_status b = cs_xs_doc_add_boolean(doc, t2.s);
            cs_xs_status c = cs_xs_doc_add_boolean(doc, t3.s);
            cs_xs_status o = t4.len ? cs_xs_doc_add_boolean(doc, t4.s) : CS_XS_OK;
            if (a == CS_XS_NO_MEMORY || b == CS_XS_NO_MEMORY || c == CS_XS_NO_MEMORY ||
                o == CS_XS_NO_MEMORY)
                st = CS_XS_NO_MEMORY;
        }
        cs_buf_free(&t1);
        cs_buf_free(&t2);
        cs_buf_free(&t3);
        cs_buf_free(&t4);
        free(person);
        free(role);
        free(org);
    }
    return st;
}

cs_xs_doc *cs_docbuild(const cs_article *a, const cs_entities *e,
                         const char *hash, const char **why)
{
    static const cs_entities none;
    cs_xs_doc *doc = cs_xs_doc_new(CS_PREFIX_ID, a->id);
    ctx c = { doc, F_TITLE, CS_XS_OK };
    unsigned last = 0;
    char *data = NULL;

    *why = "out of memory";
    if (!doc)
        return NULL;
    if (!e)
        e = &none;

    if (cs_analyze(a->title, strlen(a->title), 1, on_token, &c, &last) != 0)
        goto fail;
    c.field = F_BODY;
    if (cs_analyze(a->body, a->body_len, last + CS_TITLE_BODY_GAP, on_token, &c, NULL) != 0)
        goto fail;
    if (a->source) {
        c.field = F_SOURCE;
        if (cs_analyze(a->source, strlen(a->source), 1, on_token, &c, NULL) != 0)
            goto fail;
    }
    if (a->date && cs_xs_doc_set_value(doc, CS_SLOT_DATE, a->date, strlen(a->date)))
        goto fail;
    if (hash && cs_xs_doc_set_value(doc, CS_SLOT_HASH, hash, strlen(hash)))
        goto fail;
    if (add_facets(doc, e) != CS_XS_OK || add_relations(doc, e) != CS_XS_OK ||
        add_attrs(doc, a) != CS_XS_OK)
        goto fail;
    if (!(data = stored_json(a, e, true)) ||
        cs_xs_doc_set_data(doc, data, strlen(data)) != CS_XS_OK)
        goto fail;
    free(data);
    if (!(data = stored_json(a, e, false)) ||
        cs_xs_doc_set_value(doc, CS_SLOT_HIT, data, strlen(data)) != CS_XS_OK)
        goto fail;
    free(data);
    *why = NULL;
    return doc;
fail:
    free(data);
    cs_xs_doc_free(doc);
    return NULL;
}
