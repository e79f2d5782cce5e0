/* The answers' encoder; see response.h.  Keys are written in the order
 * clients have always seen them. */
#include "serve/response.h"
#include "serve/jsonw.h"

#include <assert.h>

static bool done(cs_buf *out)
{
    return !out->oom;
}

/* The stored document's entities and person_role, as stored. */
static void entities(cs_buf *out, const cs_doc *d)
{
    cs_jw_key(out, "entities");
    cs_jw_open(out, '{');
    for (int f = 0; d->has_entities && f < CS_NFACETS; f++) {
        if (!d->has_facet[f])
            continue;
        cs_jw_key(out, cs_facets[f].name);
        cs_jw_open(out, '[');
        for (size_t i = 0; i < d->nvalues[f]; i++)
            cs_jw_str(out, d->values[f][i]);
        cs_jw_close(out, ']');
    }
    cs_jw_close(out, '}');
}

static void relations(cs_buf *out, const cs_doc *d)
{
    cs_jw_key(out, "person_role");
    cs_jw_open(out, '[');
    for (size_t i = 0; i < d->nrels; i++) {
        cs_jw_open(out, '{');
        cs_jw_key(out, "person");
        cs_jw_str_or_null(out, d->rels[i].person);
        cs_jw_key(out, "role");
        cs_jw_str_or_null(out, d->rels[i].role);
        cs_jw_key(out, "org");
        cs_jw_str_or_null(out, d->rels[i].org);
        cs_jw_close(out, '}');
    }
    cs_jw_close(out, ']');
}

static void hit(cs_buf *out, const cs_hit *h)
{
    const cs_doc *d = &h->doc;
    cs_jw_open(out, '{');
    cs_jw_key(out, "rank");
    cs_jw_int(out, h->rank);
    cs_jw_key(out, "id");
    cs_jw_str(out, d->id);
    cs_jw_key(out, "score");
    cs_jw_real(out, h->score);
    cs_jw_key(out, "title");
    cs_jw_str(out, d->title);
    cs_jw_key(out, "date");
    cs_jw_str_or_null(out, d->date);
    cs_jw_key(out, "source");
    cs_jw_str_or_null(out, d->source);
    if (h->snippet) {
        cs_jw_key(out, "snippet");
        cs_jw_strn(out, h->snippet, h->snippet_len);
    }
    entities(out, d);
    relations(out, d);
    cs_jw_close(out, '}');
}

static void hits(cs_buf *out, const cs_hit *h, size_t n)
{
    cs_jw_key(out, "hits");
    cs_jw_open(out, '[');
    for (size_t i = 0; i < n; i++)
        hit(out, &h[i]);
    cs_jw_close(out, ']');
}

static void ok(cs_buf *out)
{
    cs_jw_begin(out, '{');
    cs_jw_key(out, "ok");
    cs_jw_bool(out, true);
}

bool cs_encode_search(cs_buf *out, const cs_search_result *r)
{
    assert(out && r);
    ok(out);
    cs_jw_key(out, "total");
    cs_jw_int(out, r->total);
    cs_jw_key(out, "total_exact");
    cs_jw_bool(out, r->total_exact);
    cs_jw_key(out, "offset");
    cs_jw_int(out, r->offset);
    cs_jw_key(out, "limit");
    cs_jw_int(out, r->limit);
    hits(out, r->hits, r->nhits);
    cs_jw_key(out, "facets");
    cs_jw_open(out, '{');
    for (int f = 0; f < CS_NFACETS; f++) {
        const cs_facet_list *l = &r->facets[f];
        if (!l->asked)
            continue;
        cs_jw_key(out, cs_facets[f].name);
        cs_jw_open(out, '[');
        for (size_t i = 0; i < l->n; i++) {
            cs_jw_open(out, '{');
            cs_jw_key(out, "value");
            cs_jw_str(out, l->values[i].value);
            cs_jw_key(out, "count");
            cs_jw_int(out, l->values[i].count);
            cs_jw_close(out, '}');
        }
        cs_jw_close(out, ']');
    }
    cs_jw_close(out, '}');
    if (r->corrected_results) {
        cs_jw_key(out, "corrected_results");
        cs_jw_bool(out, true);
    }
    if (r->corrected) {
        cs_jw_key(out, "corrected");
        cs_jw_str(out, r->corrected);
    }
    cs_jw_key(out, "took_us");
    cs_jw_int(out, r->took_us);
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_document(cs_buf *out, const cs_doc *d)
{
    assert(out && d);
    ok(out);
    cs_jw_key(out, "document");
    cs_jw_open(out, '{');
    cs_jw_key(out, "id");
    cs_jw_str(out, d->id);
    cs_jw_key(out, "title");
    cs_jw_str(out, d->title);
    cs_jw_key(out, "date");
    cs_jw_str_or_null(out, d->date);
    cs_jw_key(out, "source");
    cs_jw_str_or_null(out, d->source);
    if (d->has_url) {
        cs_jw_key(out, "url");
        cs_jw_str_or_null(out, d->url);
    }
    if (d->has_entities)
        entities(out, d);
    if (d->has_rels)
        relations(out, d);
    if (d->body) {
        cs_jw_key(out, "body");
        cs_jw_strn(out, d->body, d->body_len);
    }
    cs_jw_close(out, '}');
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_similar(cs_buf *out, const cs_similar_result *r)
{
    assert(out && r && r->id);
    ok(out);
    cs_jw_key(out, "id");
    cs_jw_str(out, r->id);
    cs_jw_key(out, "took_us");
    cs_jw_int(out, r->took_us);
    hits(out, r->hits, r->nhits);
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_who(cs_buf *out, const cs_who_result *r)
{
    assert(out && r);
    ok(out);
    cs_jw_key(out, "who");
    cs_jw_open(out, '{');
    cs_jw_key(out, "person");
    cs_jw_str_or_null(out, r->person);
    cs_jw_key(out, "role");
    cs_jw_str_or_null(out, r->role);
    cs_jw_key(out, "org");
    cs_jw_str_or_null(out, r->org);
    cs_jw_close(out, '}');
    cs_jw_key(out, "documents");
    cs_jw_int(out, r->documents);
    cs_jw_key(out, "truncated");
    cs_jw_bool(out, r->truncated);
    cs_jw_key(out, "took_us");
    cs_jw_int(out, r->took_us);
    cs_jw_key(out, "answers");
    cs_jw_open(out, '[');
    for (size_t i = 0; i < r->nanswers; i++) {
        const cs_who_answer *a = &r->answers[i];
        cs_jw_open(out, '{');
        cs_jw_key(out, "person");
        cs_jw_str_or_null(out, a->person);
        cs_jw_key(out, "role");
        cs_jw_str_or_null(out, a->role);
        cs_jw_key(out, "org");
        cs_jw_str_or_null(out, a->org);
        cs_jw_key(out, "documents");
        cs_jw_open(out, '[');
        for (size_t k = 0; k < a->ndocs; k++) {
            cs_jw_open(out, '{');
            cs_jw_key(out, "id");
            cs_jw_str(out, a->docs[k].id);
            cs_jw_key(out, "title");
            cs_jw_str(out, a->docs[k].title);
            cs_jw_key(out, "date");
            cs_jw_str_or_null(out, a->docs[k].date);
            cs_jw_close(out, '}');
        }
        cs_jw_close(out, ']');
        cs_jw_close(out, '}');
    }
    cs_jw_close(out, ']');
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_stats(cs_buf *out, const cs_stats_result *r)
{
    assert(out && r);
    ok(out);
    cs_jw_key(out, "uptime_s");
    cs_jw_int(out, r->uptime_s);
    cs_jw_key(out, "workers");
    cs_jw_int(out, r->workers);
    cs_jw_key(out, "connections");
    cs_jw_open(out, '{');
    cs_jw_key(out, "open");
    cs_jw_int(out, r->conns_open);
    cs_jw_key(out, "total");
    cs_jw_int(out, (long long)r->conns_total);
    cs_jw_key(out, "refused");
    cs_jw_int(out, (long long)r->conns_refused);
    cs_jw_close(out, '}');
    cs_jw_key(out, "requests");
    cs_jw_open(out, '{');
    for (int v = 0; v < CS_NVERBS; v++) {
        cs_jw_key(out, cs_verb_name((cs_verb)v));
        cs_jw_int(out, (long long)r->requests[v]);
    }
    cs_jw_close(out, '}');
    cs_jw_key(out, "errors");
    cs_jw_open(out, '{');
    for (int c = CS_OK + 1; c < CS_E_NWIRE; c++) {
        cs_jw_key(out, cs_errcode_name((cs_errcode)c));
        cs_jw_int(out, (long long)r->errors[c]);
    }
    cs_jw_close(out, '}');
    cs_jw_key(out, "latency_us");
    cs_jw_open(out, '{');
    cs_jw_key(out, "count");
    cs_jw_int(out, (long long)r->latency_count);
    cs_jw_key(out, "p50");
    cs_jw_int(out, r->latency_p50_us);
    cs_jw_key(out, "p99");
    cs_jw_int(out, r->latency_p99_us);
    cs_jw_close(out, '}');
    cs_jw_key(out, "index");
    cs_jw_open(out, '{');
    cs_jw_key(out, "documents");
    cs_jw_int(out, r->index.doccount);
    cs_jw_key(out, "generation");
    cs_jw_str(out, r->index.generation);
    cs_jw_close(out, '}');
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_help(cs_buf *out)
{
    assert(out);
    ok(out);
    cs_jw_key(out, "protocol");
    cs_jw_str(out, "ccgsearch/1");
    cs_jw_key(out, "verbs");
    cs_jw_open(out, '[');
    for (size_t i = 0; i < cs_nverb_helps; i++) {
        cs_jw_open(out, '{');
        cs_jw_key(out, "verb");
        cs_jw_str(out, cs_verb_name(cs_verb_helps[i].verb));
        cs_jw_key(out, "usage");
        cs_jw_str(out, cs_verb_helps[i].usage);
        cs_jw_key(out, "summary");
        cs_jw_str(out, cs_verb_helps[i].summary);
        cs_jw_close(out, '}');
    }
    cs_jw_close(out, ']');
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_ping(cs_buf *out)
{
    ok(out);
    cs_jw_key(out, "pong");
    cs_jw_bool(out, true);
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_quit(cs_buf *out)
{
    ok(out);
    cs_jw_key(out, "bye");
    cs_jw_bool(out, true);
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_error(cs_buf *out, cs_errcode code, const char *msg)
{
    assert(out);
    cs_jw_begin(out, '{');
    cs_jw_key(out, "ok");
    cs_jw_bool(out, false);
    cs_jw_key(out, "error");
    cs_jw_open(out, '{');
    cs_jw_key(out, "code");
    cs_jw_str(out, cs_errcode_name(code));
    cs_jw_key(out, "message");
    cs_jw_str(out, msg ? msg : "");
    cs_jw_close(out, '}');
    cs_jw_close(out, '}');
    return done(out);
}
