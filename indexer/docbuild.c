/* Article -> Xapian document; see docbuild.h and lib/index/schema.h. */
#include "docbuild.h"
#include "text/analyze.h"
#include "core/limits.h"
#include "index/schema.h"
#include "core/util.h"
#include "vocab/canon.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum field { F_BODY, F_TITLE, F_SOURCE };

typedef struct ctx {
    ccg_xs_doc *doc;
    enum field field;
    ccg_xs_status st;
} ctx;

static void add(ctx *c, ccg_xs_status st)
{
    /* An over-long term is skipped, not fatal; anything else is. */
    if (st != CCG_XS_OK && st != CCG_XS_BAD_ARG && c->st == CCG_XS_OK)
        c->st = st;
}

static int on_token(void *vctx, const ccg_token *t)
{
    ctx *c = vctx;
    char term[CCG_MAX_TERM_BYTES + 8];
    char stem[CCG_MAX_TERM_BYTES + 8];
    size_t sl = 0;

    if (c->field == F_SOURCE) {
        memcpy(term, CCG_PREFIX_SOURCE, 2);
        memcpy(term + 2, t->term, t->len + 1);
        add(c, ccg_xs_doc_add_posting(c->doc, term, t->pos, 1));
        return c->st != CCG_XS_OK;
    }
    unsigned wdf = c->field == F_TITLE ? CCG_TITLE_WDF : 1;
    add(c, ccg_xs_doc_add_posting(c->doc, t->term, t->pos, wdf));
    /* Words (not numbers, not variants) teach the spelling suggester. */
    if (!(t->flags & (CCG_TOK_NUMERIC | CCG_TOK_VARIANT)) && t->len >= 3)
        add(c, ccg_xs_doc_add_spelling(c->doc, t->term));
    if (!(t->flags & CCG_TOK_NUMERIC)) {
        stem[0] = 'Z';
        sl = ccg_stem(t->term, t->len, stem + 1, sizeof stem - 1);
        if (sl)
            add(c, ccg_xs_doc_add_term(c->doc, stem, wdf));
    }
    if (c->field == F_TITLE) {
        term[0] = 'S';
        memcpy(term + 1, t->term, t->len + 1);
        add(c, ccg_xs_doc_add_posting(c->doc, term, t->pos, 1));
        if (sl) {
            /* "ZS" + stem: reuse the stem after its 'Z'. */
            memcpy(term, "ZS", 2);
            memcpy(term + 2, stem + 1, sl + 1);
            add(c, ccg_xs_doc_add_term(c->doc, term, 1));
        }
    }
    return c->st != CCG_XS_OK;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The stored JSON, with the body or without it (the hit summary). */
static char *stored_json(const ccg_article *a, const ccg_entities *e, bool body)
{
    json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
                          "id", a->id, "title", a->title,
                          "date", str_or_null(a->date),
                          "source", str_or_null(a->source),
                          "url", str_or_null(a->url),
                          "entities", ccg_entities_json(e),
                          "person_role", ccg_entities_relations_json(e));
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
static ccg_xs_status add_facets(ccg_xs_doc *doc, const ccg_entities *e)
{
    ccg_buf slot = { 0 };
    ccg_xs_status st = CCG_XS_OK;
    for (int f = 0; f < CCG_NFACETS && st == CCG_XS_OK; f++) {
        slot.len = 0;
        for (size_t i = 0; i < e->n[f]; i++) {
            /* The key a filter on this value will look for: the same
             * canonicalisation on both sides, so "Tories" and "Conservative
             * Party" (one organisation) select the same documents. */
            const char *v = e->v[f][i];
            char *key = ccg_canonical_key(f, v, strlen(v));
            if (!key) {
                st = CCG_XS_NO_MEMORY;
                break;
            }
            ccg_buf term = { 0 };
            ccg_buf_puts(&term, ccg_facets[f].prefix);
            ccg_buf_puts(&term, key);
            free(key);
            if (term.oom) {
                st = CCG_XS_NO_MEMORY;
            } else if (ccg_xs_doc_add_boolean(doc, term.s) == CCG_XS_NO_MEMORY) {
                st = CCG_XS_NO_MEMORY;
            }
            ccg_buf_free(&term);
            if (slot.len)
                ccg_buf_putc(&slot, CCG_XS_VALUE_SEP);
            ccg_buf_puts(&slot, v);
        }
        if (slot.oom)
            st = CCG_XS_NO_MEMORY;
        else if (st == CCG_XS_OK && slot.len)
            st = ccg_xs_doc_set_value(doc, ccg_facets[f].slot, slot.s, slot.len);
    }
    ccg_buf_free(&slot);
    return st;
}

/* Terms for WHO: who held which role where.  See lib/index/schema.h. */
static ccg_xs_status add_relations(ccg_xs_doc *doc, const ccg_entities *e)
{
    ccg_xs_status st = CCG_XS_OK;
    for (size_t i = 0; i < e->nrel && st == CCG_XS_OK; i++) {
        const ccg_person_role *r = &e->rel[i];
        char *person = ccg_canonical_key(CCG_FACET_PERSON, r->person, strlen(r->person));
        char *role = ccg_canonical_key(CCG_FACET_ROLE, r->role, strlen(r->role));
        char *org = r->org ? ccg_canonical_key(CCG_FACET_ORG, r->org, strlen(r->org))
                           : ccg_strdup("");
        ccg_buf t1 = { 0 }, t2 = { 0 }, t3 = { 0 };
        ccg_buf_printf(&t1, CCG_WHO_PERSON_TERM, person ? person : "");
        ccg_buf_printf(&t2, CCG_WHO_ROLE_TERM, role ? role : "", org ? org : "");
        ccg_buf_printf(&t3, CCG_WHO_ROLE_TERM, role ? role : "", "");
        if (!person || !role || !org || t1.oom || t2.oom || t3.oom) {
            st = CCG_XS_NO_MEMORY;
        } else {
            /* An over-long name is skipped (BAD_ARG), not fatal. */
            ccg_xs_status a = ccg_xs_doc_add_boolean(doc, t1.s);
            ccg_xs_status b = ccg_xs_doc_add_boolean(doc, t2.s);
            ccg_xs_status c = ccg_xs_doc_add_boolean(doc, t3.s);
            if (a == CCG_XS_NO_MEMORY || b == CCG_XS_NO_MEMORY || c == CCG_XS_NO_MEMORY)
                st = CCG_XS_NO_MEMORY;
        }
        ccg_buf_free(&t1);
        ccg_buf_free(&t2);
        ccg_buf_free(&t3);
        free(person);
        free(role);
        free(org);
    }
    return st;
}

ccg_xs_doc *ccg_docbuild(const ccg_article *a, const ccg_entities *e,
                         const char *hash, const char **why)
{
    static const ccg_entities none;
    ccg_xs_doc *doc = ccg_xs_doc_new(a->id);
    ctx c = { doc, F_TITLE, CCG_XS_OK };
    unsigned last = 0;
    char *data = NULL;

    *why = "out of memory";
    if (!doc)
        return NULL;
    if (!e)
        e = &none;

    if (ccg_analyze(a->title, strlen(a->title), 1, on_token, &c, &last) != 0)
        goto fail;
    c.field = F_BODY;
    if (ccg_analyze(a->body, a->body_len, last + CCG_TITLE_BODY_GAP, on_token, &c, NULL) != 0)
        goto fail;
    if (a->source) {
        c.field = F_SOURCE;
        if (ccg_analyze(a->source, strlen(a->source), 1, on_token, &c, NULL) != 0)
            goto fail;
    }
    if (a->date && ccg_xs_doc_set_value(doc, CCG_SLOT_DATE, a->date, strlen(a->date)))
        goto fail;
    if (hash && ccg_xs_doc_set_value(doc, CCG_SLOT_HASH, hash, strlen(hash)))
        goto fail;
    if (add_facets(doc, e) != CCG_XS_OK || add_relations(doc, e) != CCG_XS_OK)
        goto fail;
    if (!(data = stored_json(a, e, true)) ||
        ccg_xs_doc_set_data(doc, data, strlen(data)) != CCG_XS_OK)
        goto fail;
    free(data);
    if (!(data = stored_json(a, e, false)) ||
        ccg_xs_doc_set_value(doc, CCG_SLOT_HIT, data, strlen(data)) != CCG_XS_OK)
        goto fail;
    free(data);
    *why = NULL;
    return doc;
fail:
    free(data);
    ccg_xs_doc_free(doc);
    return NULL;
}
