/* Stored documents; see stored.h. */
#include "serve/stored.h"
#include "text/analyze.h"

#include <assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A string member, NULL for null; false when absent (unless optional) or
 * of another type. */
static bool member(json_t *o, const char *key, bool nullable, bool optional, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v)
        return optional;
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return true;
    }
    return nullable && json_is_null(v);
}

/* The facet values of "entities", all pointers in one allocation. */
static bool read_entities(json_t *ents, cs_doc *doc)
{
    const char *key;
    json_t *v;
    size_t total = 0;
    if (!json_is_object(ents))
        return false;
    json_object_foreach(ents, key, v) {
        if (cs_facet_by_name(key, strlen(key)) < 0 || !json_is_array(v))
            return false;
        total += json_array_size(v);
    }
    const char **p = malloc((total ? total : 1) * sizeof *p);
    if (!(doc->block_ = p))
        return false;
    json_object_foreach(ents, key, v) {
        int f = cs_facet_by_name(key, strlen(key));
        size_t i;
        json_t *item;
        doc->has_facet[f] = true;
        doc->values[f] = p;
        json_array_foreach(v, i, item) {
            if (!json_is_string(item))
                return false;
            *p++ = json_string_value(item);
        }
        doc->nvalues[f] = json_array_size(v);
    }
    doc->has_entities = true;
    return true;
}

static bool read_rels(json_t *rels, cs_doc *doc)
{
    size_t i;
    json_t *r;
    if (!json_is_array(rels))
        return false;
    doc->rels = calloc(json_array_size(rels) ? json_array_size(rels) : 1, sizeof *doc->rels);
    if (!doc->rels)
        return false;
    json_array_foreach(rels, i, r) {
        cs_doc_rel *d = &doc->rels[i];
        if (!json_is_object(r))
            return false;
        /* Read as WHO always has: anything but a string counts as absent. */
        d->person = json_string_value(json_object_get(r, "person"));
        d->role = json_string_value(json_object_get(r, "role"));
        d->org = json_string_value(json_object_get(r, "org"));
    }
    doc->nrels = json_array_size(rels);
    doc->has_rels = true;
    return true;
}

/* --- the fast path ------------------------------------------------------
 *
 * Every hit of every search reads its stored data, and a jansson tree of
 * it (a node and a key copy per member, freed again) was a fifth of a
 * plain search's time in process.  The indexer writes that data in one
 * shape (serve/jsonw.c writes what jansson would), so this reads exactly
 * that shape straight into the cs_doc: its strings unescaped into one
 * copy, its arrays of pointers into one more.  Anything it is not sure of
 * (another member, a duplicate, another type, an escape it does not
 * know, data that is not valid UTF-8, a control character) makes it
 * give up, and cs_doc_read() reads the data with jansson as before: so
 * what is accepted, and how, is jansson's. */

typedef struct {
    const char *p, *end;
    char *w;                    /* the next unescaped byte in the copy */
    const char **ptr;           /* the next free pointer */
    const char **ptr_end;
} reader;

static void skip_ws(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
        r->p++;
}

static bool take(reader *r, char ch)
{
    skip_ws(r);
    if (r->p < r->end && *r->p == ch) {
        r->p++;
        return true;
    }
    return false;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A string, unescaped into the copy and NUL-terminated; *len its length. */
static bool read_str(reader *r, const char **out, size_t *len)
{
    if (!take(r, '"'))
        return false;
    char *start = r->w;
    while (r->p < r->end) {
        unsigned char c = (unsigned char)*r->p;
        if (c == '"') {
            r->p++;
            *r->w++ = '\0';
            *out = start;
            if (len)
                *len = (size_t)(r->w - start - 1);
            return true;
        }
        if (c < 0x20)
            return false;
        if (c != '\\') {          /* UTF-8 checked once, in read_fast() */
            *r->w++ = (char)c;
            r->p++;
            continue;
        }
        if (r->end - r->p < 2)
            return false;
        char e = r->p[1];
        r->p += 2;
        static const char plain[] = "\"\\/bfnrt", as[] = "\"\\/\b\f\n\r\t";
        const char *k = strchr(plain, e);
        if (e && k) {
            *r->w++ = as[k - plain];
            continue;
        }
        if (e != 'u' || r->end - r->p < 4)
            return false;
        int u = hex4(r->p);
        r->p += 4;
        /* A NUL, a lone surrogate or a pair: left to jansson. */
        if (u <= 0 || (u >= 0xD800 && u <= 0xDFFF))
            return false;
        if (u < 0x80) {
            *r->w++ = (char)u;
        } else if (u < 0x800) {
            *r->w++ = (char)(0xC0 | (u >> 6));
            *r->w++ = (char)(0x80 | (u & 0x3F));
        } else {
            *r->w++ = (char)(0xE0 | (u >> 12));
            *r->w++ = (char)(0x80 | ((u >> 6) & 0x3F));
            *r->w++ = (char)(0x80 | (u & 0x3F));
        }
    }
    return false;
}

static bool read_null(reader *r)
{
    skip_ws(r);
    if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0) {
        r->p += 4;
        return true;
    }
    return false;
}

static bool read_str_or_null(reader *r, const char **out)
{
    *out = NULL;
    return read_null(r) || read_str(r, out, NULL);
}

/* An array of strings: its pointers from the pointer block. */
static bool read_str_array(reader *r, const char ***out, size_t *n)
{
    if (!take(r, '['))
        return false;
    *out = r->ptr;
    *n = 0;
    if (take(r, ']'))
        return true;
    do {
        if (r->ptr == r->ptr_end || !read_str(r, r->ptr, NULL))
            return false;
        r->ptr++;
        (*n)++;
    } while (take(r, ','));
    return take(r, ']');
}

static bool read_entities_fast(reader *r, cs_doc *doc)
{
    if (!take(r, '{'))
        return false;
    if (take(r, '}'))
        return doc->has_entities = true;
    do {
        const char *key;
        size_t klen;
        if (!read_str(r, &key, &klen) || !take(r, ':'))
            return false;
        int f = cs_facet_by_name(key, klen);
        if (f < 0 || doc->has_facet[f] || !read_str_array(r, &doc->values[f], &doc->nvalues[f]))
            return false;
        doc->has_facet[f] = true;
    } while (take(r, ','));
    return take(r, '}') && (doc->has_entities = true);
}

/* person_role: [{"person","role","org"}...], each a string or null. */
static bool read_rels_fast(reader *r, cs_doc *doc)
{
    size_t cap = 4;
    if (!take(r, '[') || !(doc->rels = calloc(cap, sizeof *doc->rels)))
        return false;
    doc->has_rels = true;
    if (take(r, ']'))
        return true;
    do {
        if (doc->nrels == cap) {
            cs_doc_rel *more = realloc(doc->rels, 2 * cap * sizeof *more);
            if (!more)
                return false;
            doc->rels = more;
            cap *= 2;
        }
        if (!take(r, '{'))
            return false;
        cs_doc_rel *d = &doc->rels[doc->nrels++];
        *d = (cs_doc_rel){ NULL, NULL, NULL };
        bool seen[3] = { false, false, false };
        if (!take(r, '}')) {
            do {
                const char *key;
                if (!read_str(r, &key, NULL) || !take(r, ':'))
                    return false;
                int k = strcmp(key, "person") == 0 ? 0 : strcmp(key, "role") == 0 ? 1
                      : strcmp(key, "org") == 0    ? 2 : -1;
                if (k < 0 || seen[k] ||
                    !read_str_or_null(r, k == 0 ? &d->person : k == 1 ? &d->role : &d->org))
                    return false;
                seen[k] = true;
            } while (take(r, ','));
            if (!take(r, '}'))
                return false;
        }
    } while (take(r, ','));
    return take(r, ']');
}

enum { M_ID, M_TITLE, M_DATE, M_SOURCE, M_URL, M_AUTHOR, M_SECTION, M_TAGS, M_ENTITIES,
       M_RELS, M_BODY, M_COUNT };
static const char *const member_names[M_COUNT] = {
    "id", "title", "date", "source", "url", "author", "section", "tags", "entities",
    "person_role", "body",
};

/* The stored data in the indexer's shape into *doc (zeroed, and left for
 * cs_doc_free() whatever happens); false to leave it to jansson. */
static bool read_fast(const char *data, size_t len, cs_doc *doc)
{
    /* Bounds: the unescaped strings are no longer than the data; there
     * are at most half as many strings as quotes. */
    if (!cs_utf8_valid(data, len))
        return false;
    size_t quotes = 0;
    for (const char *q = data; (q = memchr(q, '"', (size_t)(data + len - q))); q++)
        quotes++;
    char *copy = malloc(len + 1);
    const char **ptrs = malloc((quotes / 2 + 1) * sizeof *ptrs);
    doc->copy_ = copy;
    doc->block_ = ptrs;
    if (!copy || !ptrs)
        return false;
    reader r = { data, data + len, copy, ptrs, ptrs + quotes / 2 + 1 };
    bool seen[M_COUNT] = { false };
    const char *author = NULL, *section = NULL;
    if (!take(&r, '{'))
        return false;
    do {
        const char *key;
        int m = 0;
        if (!read_str(&r, &key, NULL) || !take(&r, ':'))
            return false;
        while (m < M_COUNT && strcmp(key, member_names[m]) != 0)
            m++;
        if (m == M_COUNT || seen[m])
            return false;
        seen[m] = true;
        bool ok;
        switch (m) {
        case M_ID: ok = read_str(&r, &doc->id, NULL); break;
        case M_TITLE: ok = read_str(&r, &doc->title, NULL); break;
        case M_DATE: ok = read_str_or_null(&r, &doc->date); break;
        case M_SOURCE: ok = read_str_or_null(&r, &doc->source); break;
        case M_URL: ok = read_str_or_null(&r, &doc->url); break;
        case M_AUTHOR: ok = read_str_or_null(&r, &author); break;
        case M_SECTION: ok = read_str_or_null(&r, &section); break;
        case M_TAGS: ok = read_str_array(&r, &doc->tags, &doc->ntags); break;
        case M_ENTITIES: ok = read_entities_fast(&r, doc); break;
        case M_RELS: ok = read_rels_fast(&r, doc); break;
        default: ok = read_str(&r, &doc->body, &doc->body_len); break;
        }
        if (!ok)
            return false;
    } while (take(&r, ','));
    if (!take(&r, '}'))
        return false;
    skip_ws(&r);
    if (r.p != r.end || !seen[M_ID] || !seen[M_TITLE] || !seen[M_DATE] || !seen[M_SOURCE])
        return false;
    doc->has_url = seen[M_URL];
    if (seen[M_TAGS]) {
        doc->has_attrs = true;
        doc->author = author;
        doc->section = section;
    } else {
        /* cs_doc_free() frees tags on its own; these point into block_. */
        doc->tags = NULL;
        doc->ntags = 0;
    }
    return true;
}

bool cs_doc_read(const char *data, size_t len, cs_doc *doc)
{
    assert(doc);
    memset(doc, 0, sizeof *doc);
    if (data && read_fast(data, len, doc))
        return true;
    cs_doc_free(doc);
    return cs_doc_read_json(data, len, doc);
}

bool cs_doc_read_json(const char *data, size_t len, cs_doc *doc)
{
    assert(doc);
    memset(doc, 0, sizeof *doc);
    json_t *o = data ? json_loadb(data, len, 0, NULL) : NULL;
    if (!json_is_object(o))
        goto fail;
    doc->store_ = o;
    json_t *body = json_object_get(o, "body");
    json_t *ents = json_object_get(o, "entities");
    json_t *rels = json_object_get(o, "person_role");
    doc->has_url = json_object_get(o, "url") != NULL;
    if (!member(o, "id", false, false, &doc->id) || !member(o, "title", false, false, &doc->title) ||
        !member(o, "date", true, false, &doc->date) ||
        !member(o, "source", true, false, &doc->source) ||
        !member(o, "url", true, true, &doc->url) || (body && !json_is_string(body)) ||
        (ents && !read_entities(ents, doc)) || (rels && !read_rels(rels, doc)))
        goto fail;
    json_t *tags = json_object_get(o, "tags");
    if (tags) {
        size_t i;
        json_t *t;
        if (!json_is_array(tags) || !member(o, "author", true, true, &doc->author) ||
            !member(o, "section", true, true, &doc->section) ||
            !(doc->tags = malloc((json_array_size(tags) ? json_array_size(tags) : 1) *
                                 sizeof *doc->tags)))
            goto fail;
        json_array_foreach(tags, i, t) {
            if (!json_is_string(t))
                goto fail;
            doc->tags[i] = json_string_value(t);
        }
        doc->ntags = json_array_size(tags);
        doc->has_attrs = true;
    }
    if (body) {
        doc->body = json_string_value(body);
        doc->body_len = json_string_length(body);
    }
    return true;
fail:
    if (!doc->store_)
        json_decref(o);
    cs_doc_free(doc);
    return false;
}

void cs_doc_free(cs_doc *doc)
{
    if (!doc)
        return;
    free(doc->block_);
    free(doc->rels);
    if (!doc->copy_)
        free(doc->tags);    /* read_fast()'s are in block_ */
    free(doc->copy_);
    json_decref(doc->store_);
    memset(doc, 0, sizeof *doc);
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_strs(const char *const *a, const char *const *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!same_str(a[i], b[i]))
            return false;
    return true;
}

bool cs_doc_equal(const cs_doc *a, const cs_doc *b)
{
    if (!same_str(a->id, b->id) || !same_str(a->title, b->title) || !same_str(a->date, b->date) ||
        !same_str(a->source, b->source) || !same_str(a->url, b->url) || a->has_url != b->has_url ||
        a->has_attrs != b->has_attrs || !same_str(a->author, b->author) ||
        !same_str(a->section, b->section) || a->ntags != b->ntags ||
        !same_strs(a->tags, b->tags, a->ntags) || a->body_len != b->body_len ||
        !a->body != !b->body || (a->body && memcmp(a->body, b->body, a->body_len) != 0) ||
        a->has_entities != b->has_entities || a->has_rels != b->has_rels || a->nrels != b->nrels)
        return false;
    for (int f = 0; f < CS_NFACETS; f++)
        if (a->has_facet[f] != b->has_facet[f] || a->nvalues[f] != b->nvalues[f] ||
            !same_strs(a->values[f], b->values[f], a->nvalues[f]))
            return false;
    for (size_t i = 0; i < a->nrels; i++)
        if (!same_str(a->rels[i].person, b->rels[i].person) ||
            !same_str(a->rels[i].role, b->rels[i].role) || !same_str(a->rels[i].org, b->rels[i].org))
            return false;
    return true;
}
