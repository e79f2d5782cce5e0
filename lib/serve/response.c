/* The answers' encoder; see response.h.  Keys are written in the order
 * clients have always seen them. */
#include "serve/response.h"
#include "serve/jsonw.h"

#include <ccgsearch/version.h>

#include <assert.h>
#include <time.h>

static bool done(cs_buf *out)
{
    return !out->oom;
}

/* "key":value members. */
static void kstr(cs_buf *out, const char *key, const char *s)
{
    cs_jw_key(out, key);
    cs_jw_str(out, s);
}

static void kstr_or_null(cs_buf *out, const char *key, const char *s)
{
    cs_jw_key(out, key);
    cs_jw_str_or_null(out, s);
}

static void kint(cs_buf *out, const char *key, long long v)
{
    cs_jw_key(out, key);
    cs_jw_int(out, v);
}

static void kbool(cs_buf *out, const char *key, bool v)
{
    cs_jw_key(out, key);
    cs_jw_bool(out, v);
}

/* "person":..,"role":..,"org":.. -- a statement, or WHO's question. */
static void person_role_org(cs_buf *out, const char *person, const char *role, const char *org)
{
    kstr_or_null(out, "person", person);
    kstr_or_null(out, "role", role);
    kstr_or_null(out, "org", org);
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
        person_role_org(out, d->rels[i].person, d->rels[i].role, d->rels[i].org);
        cs_jw_close(out, '}');
    }
    cs_jw_close(out, ']');
}

/* "author", "section" and "tags", when the stored document has them. */
static void attrs(cs_buf *out, const cs_doc *d)
{
    if (!d->has_attrs)
        return;
    kstr_or_null(out, "author", d->author);
    kstr_or_null(out, "section", d->section);
    cs_jw_key(out, "tags");
    cs_jw_open(out, '[');
    for (size_t i = 0; i < d->ntags; i++)
        cs_jw_str(out, d->tags[i]);
    cs_jw_close(out, ']');
}

static void hit(cs_buf *out, const cs_hit *h)
{
    const cs_doc *d = &h->doc;
    cs_jw_open(out, '{');
    kint(out, "rank", h->rank);
    kstr(out, "id", d->id);
    cs_jw_key(out, "score");
    cs_jw_real(out, h->score);
    kstr(out, "title", d->title);
    kstr_or_null(out, "date", d->date);
    kstr_or_null(out, "source", d->source);
    /* As GET writes it: when the stored document has the field. */
    if (d->has_url)
        kstr_or_null(out, "url", d->url);
    attrs(out, d);
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
    kbool(out, "ok", true);
}

bool cs_encode_search(cs_buf *out, const cs_search_result *r)
{
    assert(out && r);
    ok(out);
    kint(out, "total", r->total);
    kbool(out, "total_exact", r->total_exact);
    kint(out, "offset", r->offset);
    kint(out, "limit", r->limit);
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
            kstr(out, "value", l->values[i].value);
            kint(out, "count", l->values[i].count);
            cs_jw_close(out, '}');
        }
        cs_jw_close(out, ']');
    }
    cs_jw_close(out, '}');
    if (r->corrected_results)
        kbool(out, "corrected_results", true);
    if (r->corrected)
        kstr(out, "corrected", r->corrected);
    kint(out, "took_us", r->took_us);
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_document(cs_buf *out, const cs_doc *d)
{
    assert(out && d);
    ok(out);
    cs_jw_key(out, "document");
    cs_jw_open(out, '{');
    kstr(out, "id", d->id);
    kstr(out, "title", d->title);
    kstr_or_null(out, "date", d->date);
    kstr_or_null(out, "source", d->source);
    if (d->has_url)
        kstr_or_null(out, "url", d->url);
    attrs(out, d);
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
    kstr(out, "id", r->id);
    kint(out, "took_us", r->took_us);
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
    person_role_org(out, r->person, r->role, r->org);
    cs_jw_close(out, '}');
    kint(out, "documents", r->documents);
    kbool(out, "truncated", r->truncated);
    kint(out, "took_us", r->took_us);
    cs_jw_key(out, "answers");
    cs_jw_open(out, '[');
    for (size_t i = 0; i < r->nanswers; i++) {
        const cs_who_answer *a = &r->answers[i];
        cs_jw_open(out, '{');
        person_role_org(out, a->person, a->role, a->org);
        cs_jw_key(out, "documents");
        cs_jw_open(out, '[');
        for (size_t k = 0; k < a->ndocs; k++) {
            cs_jw_open(out, '{');
            kstr(out, "id", a->docs[k].id);
            kstr(out, "title", a->docs[k].title);
            kstr_or_null(out, "date", a->docs[k].date);
            cs_jw_close(out, '}');
        }
        cs_jw_close(out, ']');
        cs_jw_close(out, '}');
    }
    cs_jw_close(out, ']');
    cs_jw_close(out, '}');
    return done(out);
}

const char *cs_refusal_name(cs_refusal r)
{
    static const char *const names[CS_NREFUSALS] = {
        [CS_REFUSED_CONNECTIONS] = "connections",
        [CS_REFUSED_PER_ADDRESS] = "connections_per_address",
        [CS_REFUSED_DESCRIPTORS] = "descriptors",
        [CS_REFUSED_LINE_TOO_LONG] = "line_too_long",
        [CS_REFUSED_QUERY_TIMEOUT] = "query_timeout",
        [CS_REFUSED_HTTP_BODY] = "http_body_too_large",
        [CS_REFUSED_HTTP_HEADERS] = "http_headers_too_large",
        [CS_REFUSED_REQUEST_TIMEOUT] = "request_timeout",
        [CS_REFUSED_QUERY_TERMS] = "query_terms",
        [CS_REFUSED_QUERY_DEPTH] = "query_depth",
        [CS_REFUSED_NEAR_WINDOW] = "near_window",
        [CS_REFUSED_WILDCARD_EXPANSION] = "wildcard_expansion",
        [CS_REFUSED_POSITIONAL_WORK] = "positional_work",
        [CS_REFUSED_RESULT_LIMIT] = "result_limit",
        [CS_REFUSED_RESULT_OFFSET] = "result_offset",
        [CS_REFUSED_FACET_LIMIT] = "facet_limit",
        [CS_REFUSED_SNIPPET_CHARS] = "snippet_chars",
    };
    return (unsigned)r < CS_NREFUSALS ? names[r] : "unknown";
}

cs_refusal cs_refusal_of_limit(cs_limit l)
{
    static const cs_refusal of[CS_LIMIT_LAST] = {
        [CS_LIMIT_NONE] = CS_NREFUSALS,
        [CS_LIMIT_QUERY_TERMS] = CS_REFUSED_QUERY_TERMS,
        [CS_LIMIT_QUERY_DEPTH] = CS_REFUSED_QUERY_DEPTH,
        [CS_LIMIT_NEAR_WINDOW] = CS_REFUSED_NEAR_WINDOW,
        [CS_LIMIT_WILDCARD_EXPANSION] = CS_REFUSED_WILDCARD_EXPANSION,
        [CS_LIMIT_POSITIONAL_WORK] = CS_REFUSED_POSITIONAL_WORK,
        [CS_LIMIT_RESULT_LIMIT] = CS_REFUSED_RESULT_LIMIT,
        [CS_LIMIT_RESULT_OFFSET] = CS_REFUSED_RESULT_OFFSET,
        [CS_LIMIT_FACET_LIMIT] = CS_REFUSED_FACET_LIMIT,
        [CS_LIMIT_SNIPPET_CHARS] = CS_REFUSED_SNIPPET_CHARS,
    };
    return (unsigned)l < CS_LIMIT_LAST ? of[l] : CS_NREFUSALS;
}

const char *cs_fault_name(cs_fault f)
{
    static const char *const names[CS_NFAULTS] = {
        [CS_FAULT_QUERY_LOG_WRITE] = "query_log_write_failures",
        [CS_FAULT_QUERY_LOG_REOPEN] = "query_log_reopen_failures",
        [CS_FAULT_ACCEPT] = "accept_failures",
        [CS_FAULT_INDEX_READ] = "index_read_errors",
    };
    return (unsigned)f < CS_NFAULTS ? names[f] : "unknown";
}

/* An ISO 8601 UTC time of Unix seconds t, or null when t < 0. */
static void kutc(cs_buf *out, const char *key, long long t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    cs_jw_key(out, key);
    if (t < 0 || !gmtime_r(&tt, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        cs_jw_null(out);
    else
        cs_jw_str(out, buf);
}

bool cs_encode_stats(cs_buf *out, const cs_stats_result *r)
{
    assert(out && r);
    ok(out);
    kstr(out, "version", CCGSEARCH_VERSION);
    kint(out, "uptime_s", r->uptime_s);
    kint(out, "workers", r->workers);
    kint(out, "rss_bytes", r->rss_bytes);
    cs_jw_key(out, "connections");
    cs_jw_open(out, '{');
    kint(out, "open", r->conns_open);
    kint(out, "total", (long long)r->conns_total);
    kint(out, "refused", (long long)r->conns_refused);
    cs_jw_close(out, '}');
    cs_jw_key(out, "requests");
    cs_jw_open(out, '{');
    for (int v = 0; v < CS_NVERBS; v++) {
        kint(out, cs_verb_name((cs_verb)v), (long long)r->requests[v]);
    }
    cs_jw_close(out, '}');
    cs_jw_key(out, "errors");
    cs_jw_open(out, '{');
    for (int c = CS_OK + 1; c < CS_E_NWIRE; c++) {
        kint(out, cs_errcode_name((cs_errcode)c), (long long)r->errors[c]);
    }
    cs_jw_close(out, '}');
    cs_jw_key(out, "latency_us");
    cs_jw_open(out, '{');
    kint(out, "count", (long long)r->latency_count);
    kint(out, "p50", r->latency_p50_us);
    kint(out, "p99", r->latency_p99_us);
    cs_jw_close(out, '}');
    cs_jw_key(out, "slices");
    cs_jw_open(out, '{');
    kint(out, "answered", (long long)r->slices_answered);
    kint(out, "deferred", (long long)r->slices_deferred);
    kint(out, "overran", (long long)r->slices_overran);
    kint(out, "costly", (long long)r->slices_costly);
    cs_jw_close(out, '}');
    cs_jw_key(out, "index");
    cs_jw_open(out, '{');
    cs_jw_key(out, "open");
    cs_jw_bool(out, r->index.open);
    kint(out, "documents", r->index.doccount);
    kstr(out, "generation", r->index.generation);
    kutc(out, "last_commit", r->index.last_commit);
    kint(out, "disk_bytes", r->index.disk_bytes);
    kint(out, "facet_bytes", (long long)r->index.facet_bytes);
    kint(out, "facet_bytes_per_document",
         r->index.doccount ? (long long)(r->index.facet_bytes / r->index.doccount) : 0);
    kint(out, "hit_bytes", (long long)r->index.hit_bytes);
    kint(out, "hit_bytes_per_document",
         r->index.doccount ? (long long)(r->index.hit_bytes / r->index.doccount) : 0);
    kint(out, "reopen_failures", (long long)r->reopen_failures);
    cs_jw_key(out, "last_reopen_error");
    if (r->last_reopen_error[0])
        cs_jw_str(out, r->last_reopen_error);
    else
        cs_jw_null(out);
    cs_jw_close(out, '}');
    cs_jw_key(out, "refused");
    cs_jw_open(out, '{');
    for (int i = 0; i < CS_NREFUSALS; i++)
        kint(out, cs_refusal_name((cs_refusal)i), (long long)r->refused[i]);
    cs_jw_close(out, '}');
    cs_jw_key(out, "faults");
    cs_jw_open(out, '{');
    for (int i = 0; i < CS_NFAULTS; i++)
        kint(out, cs_fault_name((cs_fault)i), (long long)r->faults[i]);
    cs_jw_close(out, '}');
    cs_jw_key(out, "http");
    cs_jw_open(out, '{');
    kint(out, "requests", (long long)r->http_requests);
    kint(out, "client_errors", (long long)r->http_client_errors);
    kint(out, "server_errors", (long long)r->http_server_errors);
    kint(out, "connections", r->http_conns_open);
    cs_jw_close(out, '}');
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_help(cs_buf *out)
{
    assert(out);
    ok(out);
    kstr(out, "protocol", "ccgsearch/1");
    kstr(out, "version", CCGSEARCH_VERSION);
    cs_jw_key(out, "verbs");
    cs_jw_open(out, '[');
    for (size_t i = 0; i < cs_nverb_helps; i++) {
        cs_jw_open(out, '{');
        kstr(out, "verb", cs_verb_name(cs_verb_helps[i].verb));
        kstr(out, "usage", cs_verb_helps[i].usage);
        kstr(out, "summary", cs_verb_helps[i].summary);
        cs_jw_close(out, '}');
    }
    cs_jw_close(out, ']');
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_ping(cs_buf *out)
{
    ok(out);
    kbool(out, "pong", true);
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_quit(cs_buf *out)
{
    ok(out);
    kbool(out, "bye", true);
    cs_jw_close(out, '}');
    return done(out);
}

bool cs_encode_error(cs_buf *out, cs_errcode code, const char *msg)
{
    assert(out);
    cs_jw_begin(out, '{');
    kbool(out, "ok", false);
    cs_jw_key(out, "error");
    cs_jw_open(out, '{');
    kstr(out, "code", cs_errcode_name(code));
    kstr(out, "message", msg ? msg : "");
    cs_jw_close(out, '}');
    cs_jw_close(out, '}');
    return done(out);
}
