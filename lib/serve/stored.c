/* Stored documents; see stored.h. */
#include "serve/stored.h"

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

bool cs_doc_read(const char *data, size_t len, cs_doc *doc)
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
    free(doc->tags);
    json_decref(doc->store_);
    memset(doc, 0, sizeof *doc);
}
