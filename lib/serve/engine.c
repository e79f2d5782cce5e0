/* The query handler; see engine.h. */
#include "serve/engine.h"
#include "text/analyze.h"
#include "vocab/gazetteer.h"
#include "index/indexdir.h"
#include "core/limits.h"
#include "query/query.h"
#include "index/schema.h"
#include "query/snippet.h"
#include "index/xapian_shim.h"
#include "vocab/canon.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* BM25's term-frequency saturation and length normalisation: the values
 * Robertson recommends (and Lucene uses), chosen over Xapian's defaults
 * (1.0, 0.5) by the measurement in docs/ranking.md. */
#define BM25_K1 1.2
#define BM25_B 0.75

/* Expansion terms SIMILAR builds its query from, and hits it returns. */
#define SIMILAR_TERMS 40
#define SIMILAR_HITS 10

struct cs_engine {
    char *dir;
    cs_xs_reader *r;
    cs_engine_opts opts;
    bool stamped;
    ino_t ino;
    long long ctime_ns;
};

static void set_err(cs_result *res, cs_errcode code, const char *msg)
{
    res->ok = false;
    res->code = code;
    snprintf(res->msg, sizeof res->msg, "%s", msg);
}

cs_engine *cs_engine_open(const char *index_dir, const cs_engine_opts *opts, cs_err *err)
{
    cs_engine *e = calloc(1, sizeof *e);
    cs_err_clear(err);
    /* The vocabularies load here, once, not on the first request; without
     * them queries would silently lose synonyms and canonical names. */
    if (!e || !(e->dir = cs_strdup(index_dir)) || !cs_gaz_get()) {
        free(e ? e->dir : NULL);
        free(e);
        cs_err_nomem(err);
        return NULL;
    }
    if (opts)
        e->opts = *opts;
    e->stamped = cs_indexdir_stamp(index_dir, &e->ino, &e->ctime_ns);
    if (cs_xs_reader_open(index_dir, CS_PREFIX_ID, &e->r, err) != CS_XS_OK) {
        free(e->dir);
        free(e);
        return NULL;
    }
    return e;
}

void cs_engine_close(cs_engine *e)
{
    if (!e)
        return;
    cs_xs_reader_close(e->r);
    free(e->dir);
    free(e);
}

void cs_engine_refresh(cs_engine *e)
{
    ino_t ino;
    long long ct;
    bool stamped = cs_indexdir_stamp(e->dir, &ino, &ct);
    if (stamped && (!e->stamped || ino != e->ino || ct != e->ctime_ns)) {
        /* The index directory was swapped: open the new database.  If that
         * fails the reader keeps serving the old one and we try again at
         * the next refresh. */
        if (cs_xs_reader_refresh(e->r, 1, NULL) == CS_XS_OK) {
            e->stamped = true;
            e->ino = ino;
            e->ctime_ns = ct;
        }
        return;
    }
    cs_xs_reader_refresh(e->r, 0, NULL);
}

void cs_engine_reopen(cs_engine *e)
{
    e->stamped = cs_indexdir_stamp(e->dir, &e->ino, &e->ctime_ns);
    cs_xs_reader_refresh(e->r, 1, NULL);
}

void cs_engine_stats(cs_engine *e, cs_index_stats *st)
{
    const char *gen = "";
    st->doccount = 0;
    cs_xs_reader_doccount(e->r, &st->doccount);
    if (cs_xs_reader_metadata(e->r, CS_META_GENERATION, &gen) != CS_XS_OK)
        gen = "";
    snprintf(st->generation, sizeof st->generation, "%s", gen);
}

/* Append a JSON value and LF to out. */
static bool emit(cs_buf *out, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
    if (!s)
        return false;
    cs_buf_puts(out, s);
    cs_buf_putc(out, '\n');
    free(s);
    return !out->oom;
}

/* Send a successful answer of nhits hits. */
static void answer(cs_buf *out, json_t *ans, cs_result *res, size_t nhits)
{
    if (!emit(out, ans)) {
        set_err(res, CS_E_INTERNAL, "out of memory");
        return;
    }
    res->ok = true;
    res->hits = (unsigned)nhits;
}

static cs_errcode xs_code(cs_xs_status st)
{
    return st == CS_XS_NOT_FOUND ? CS_E_NOT_FOUND : CS_E_INTERNAL;
}

/* One hit as the protocol shows it, from the stored document. */
static json_t *hit_json(const cs_xs_hit *h, unsigned rank, const cs_query *q,
                        const cs_search_req *req)
{
    json_t *doc = json_loadb(h->data, h->len, 0, NULL);
    if (!doc)
        return NULL;
    json_t *o = json_pack("{s:I, s:O, s:f, s:O, s:O, s:O}",
                          "rank", (json_int_t)rank,
                          "id", json_object_get(doc, "id"),
                          "score", h->weight,
                          "title", json_object_get(doc, "title"),
                          "date", json_object_get(doc, "date"),
                          "source", json_object_get(doc, "source"));
    if (o && req->snippets) {
        json_t *body = json_object_get(doc, "body");
        cs_buf snip = { 0 };
        if (json_is_string(body) &&
            cs_snippet(json_string_value(body), json_string_length(body), &q->hl,
                        req->snippet_chars, &snip))
            json_object_set_new(o, "snippet", json_stringn(snip.s ? snip.s : "", snip.len));
        cs_buf_free(&snip);
    }
    if (o) {
        json_t *ents = json_object_get(doc, "entities");
        json_t *rel = json_object_get(doc, "person_role");
        json_object_set(o, "entities", ents ? ents : json_object());
        json_object_set(o, "person_role", rel ? rel : json_array());
    }
    json_decref(doc);
    return o;
}

static json_t *facet_json(const cs_xs_results *res, size_t k, unsigned limit)
{
    const cs_xs_facet_value *v;
    size_t n = cs_xs_results_facet(res, k, &v);
    json_t *a = json_array();
    for (size_t i = 0; a && i < n && i < limit; i++)
        json_array_append_new(a, json_pack("{s:s, s:I}", "value", v[i].value,
                                           "count", (json_int_t)v[i].count));
    return a;
}

/* Run one search with the timeout applied; maps failures into res. */
static cs_xs_results *run(cs_engine *e, cs_xs_search_opts *o, cs_result *res)
{
    cs_xs_results *out = NULL;
    long long t0 = cs_now_us();
    o->time_limit = e->opts.query_timeout_ms / 1000.0;
    o->bm25_k1 = BM25_K1;
    o->bm25_b = BM25_B;
    cs_xs_status st = cs_xs_search(e->r, o, &out);
    if (st != CS_XS_OK) {
        set_err(res, xs_code(st), cs_xs_reader_last_error(e->r));
        return NULL;
    }
    if (e->opts.query_timeout_ms &&
        cs_now_us() - t0 > (long long)e->opts.query_timeout_ms * 1000) {
        cs_xs_results_free(out);
        set_err(res, CS_E_TIMEOUT, "the query took longer than the time limit");
        return NULL;
    }
    return out;
}

/* Run one decoded SEARCH: the answer object (without took_us), or NULL
 * with res set.  *total gets the number of matches and, when corrected is
 * not NULL, *corrected a spelling correction of the query, or NULL. */
static json_t *search_answer(cs_engine *e, const cs_search_req *rq, cs_result *res,
                             unsigned *total_out, char **corrected)
{
    cs_search_req req = *rq;      /* read only: shares the strings */
    cs_query q;
    cs_xs_query *main_q = NULL;
    cs_xs_results *main_r = NULL;
    cs_xs_results *drill[CS_NFACETS] = { 0 };
    json_t *ans = NULL;

    memset(&q, 0, sizeof q);
    if (corrected)
        *corrected = NULL;
    cs_err qerr;
    if (!cs_query_parse(req.q, strlen(req.q), req.match == CS_MATCH_ANY, &q, &qerr)) {
        set_err(res, cs_errcode_wire(qerr.code), qerr.msg);
        goto out;
    }
    for (int f = 0; f < CS_NFACETS; f++)
        for (size_t i = 0; i < req.nfilter[f]; i++)
            if (!cs_query_add_filter(&q, f, req.filter[f][i])) {
                set_err(res, CS_E_INTERNAL, "out of memory");
                goto out;
            }
    cs_query_restrict_dates(&q, req.date_from, req.date_to);
    if (!cs_query_compile(&q, e->r, &qerr)) {
        set_err(res, cs_errcode_wire(qerr.code), qerr.msg);
        goto out;
    }
    if (!(main_q = cs_query_build(&q, -1))) {
        set_err(res, CS_E_INTERNAL, "out of memory");
        goto out;
    }

    /* Facets without a filter are counted on the main match set; a facet
     * with one is counted on a match set without its own filter. */
    cs_xs_search_opts o = { 0 };
    o.query = main_q;
    o.offset = req.offset;
    o.limit = req.limit;
    o.sort = req.sort == CS_SORT_DATE ? CS_XS_SORT_VALUE_DESC
             : req.sort == CS_SORT_DATE_ASC ? CS_XS_SORT_VALUE_ASC
                                             : CS_XS_SORT_RELEVANCE;
    o.sort_slot = CS_SLOT_DATE;
    o.exact_total = 1;
    o.facet_limit = req.facet_limit;
    /* Without snippets a hit needs no body: read the smaller summary. */
    if (!req.snippets)
        o.data_slot = CS_SLOT_HIT;
    int slot_facet[CS_NFACETS];
    for (int f = 0; f < CS_NFACETS; f++)
        if (req.facet[f] && !cs_query_has_filter(&q, f)) {
            slot_facet[o.nfacets] = f;
            o.facet_slots[o.nfacets++] = cs_facets[f].slot;
        }
    if (!(main_r = run(e, &o, res)))
        goto out;
    for (int f = 0; f < CS_NFACETS; f++) {
        if (!req.facet[f] || !cs_query_has_filter(&q, f))
            continue;
        cs_xs_query *dq = cs_query_build(&q, f);
        cs_xs_search_opts d = { 0 };
        d.query = dq;
        d.exact_total = 1;
        d.facet_slots[0] = cs_facets[f].slot;
        d.nfacets = 1;
        d.facet_limit = req.facet_limit;
        drill[f] = dq ? run(e, &d, res) : NULL;
        cs_xs_query_free(dq);
        if (!drill[f]) {
            if (!dq)
                set_err(res, CS_E_INTERNAL, "out of memory");
            goto out;
        }
    }

    int exact = 1;
    unsigned total = cs_xs_results_total(main_r, &exact);
    json_t *hits = json_array();
    size_t nh = cs_xs_results_size(main_r);
    for (size_t i = 0; hits && i < nh; i++) {
        cs_xs_hit h;
        cs_xs_results_hit(main_r, i, &h);
        json_t *hj = hit_json(&h, req.offset + (unsigned)i + 1, &q, &req);
        if (hj)
            json_array_append_new(hits, hj);
    }
    json_t *facets = json_object();
    for (size_t k = 0; facets && k < o.nfacets; k++)
        json_object_set_new(facets, cs_facets[slot_facet[k]].name,
                            facet_json(main_r, k, req.facet_limit));
    for (int f = 0; facets && f < CS_NFACETS; f++)
        if (drill[f])
            json_object_set_new(facets, cs_facets[f].name, facet_json(drill[f], 0, req.facet_limit));
    /* Keep the facets in their usual order whichever way they were counted. */
    json_t *ordered = json_object();
    for (int f = 0; ordered && facets && f < CS_NFACETS; f++) {
        json_t *v = json_object_get(facets, cs_facets[f].name);
        if (v)
            json_object_set(ordered, cs_facets[f].name, v);
    }
    json_decref(facets);

    ans = json_pack("{s:b, s:I, s:b, s:I, s:I, s:o, s:o}",
                    "ok", 1, "total", (json_int_t)total, "total_exact", exact,
                    "offset", (json_int_t)req.offset, "limit", (json_int_t)req.limit,
                    "hits", hits, "facets", ordered);
    if (!ans) {
        set_err(res, CS_E_INTERNAL, "out of memory");
        goto out;
    }
    if (corrected && !cs_query_spell(&q, e->r, req.q, corrected)) {
        json_decref(ans);
        ans = NULL;
        set_err(res, CS_E_INTERNAL, "out of memory");
        goto out;
    }
    *total_out = total;
    res->ok = true;
    res->hits = (unsigned)nh;
out:
    for (int f = 0; f < CS_NFACETS; f++)
        cs_xs_results_free(drill[f]);
    cs_xs_results_free(main_r);
    cs_xs_query_free(main_q);
    cs_query_free(&q);
    return ans;
}

void cs_engine_search(cs_engine *e, const char *arg, size_t len, cs_buf *out, cs_result *res)
{
    long long t0 = cs_now_us();
    char msg[256], *corrected = NULL;
    cs_search_req req;
    unsigned total = 0;

    memset(res, 0, sizeof *res);
    if (!cs_proto_search_req(arg, len, &req, msg, sizeof msg)) {
        set_err(res, CS_E_BAD_REQUEST, msg);
        cs_search_req_free(&req);
        return;
    }
    json_t *ans = search_answer(e, &req, res, &total, &corrected);
    if (ans && corrected) {
        /* Nothing matched as typed: answer the corrected query instead,
         * and say so. */
        if (total == 0) {
            char *typed = req.q;
            req.q = corrected;
            cs_result r2;
            memset(&r2, 0, sizeof r2);
            json_t *again = search_answer(e, &req, &r2, &total, NULL);
            req.q = typed;
            if (again) {
                json_decref(ans);
                ans = again;
                *res = r2;
                json_object_set_new(ans, "corrected_results", json_true());
            }
        }
        json_object_set_new(ans, "corrected", json_string(corrected));
    }
    if (ans) {
        json_object_set_new(ans, "took_us", json_integer((json_int_t)(cs_now_us() - t0)));
        if (!emit(out, ans))
            set_err(res, CS_E_INTERNAL, "out of memory");
    }
    json_decref(ans);
    free(corrected);
    cs_search_req_free(&req);
}

void cs_engine_get(cs_engine *e, const char *id, size_t len, cs_buf *out, cs_result *res)
{
    const char *data;
    size_t dlen;
    memset(res, 0, sizeof *res);
    char *key = cs_strndup(id, len);
    if (!key) {
        set_err(res, CS_E_INTERNAL, "out of memory");
        return;
    }
    cs_xs_status st = len > CS_MAX_ID_BYTES ? CS_XS_NOT_FOUND
                                              : cs_xs_reader_get(e->r, key, &data, &dlen);
    free(key);
    if (st != CS_XS_OK) {
        set_err(res, xs_code(st), st == CS_XS_NOT_FOUND ? "no document has this id"
                                                         : cs_xs_reader_last_error(e->r));
        return;
    }
    json_t *doc = json_loadb(data, dlen, 0, NULL);
    json_t *ans = doc ? json_pack("{s:b, s:o}", "ok", 1, "document", doc) : NULL;
    if (!emit(out, ans))
        set_err(res, CS_E_INTERNAL, "cannot read the stored document");
    else
        res->ok = true;
    json_decref(ans);
}

typedef struct eterms {
    cs_xs_query *q[SIMILAR_TERMS];
    size_t n;
} eterms;

static void on_eterm(void *ctx, const char *term, double weight)
{
    eterms *t = ctx;
    (void)weight;
    if (t->n < SIMILAR_TERMS && (t->q[t->n] = cs_xs_query_term(term, 1, 0)))
        t->n++;
}

void cs_engine_similar(cs_engine *e, const char *id, size_t len, cs_buf *out, cs_result *res)
{
    long long t0 = cs_now_us();
    eterms t = { { 0 }, 0 };
    cs_xs_query *terms = NULL, *self = NULL, *q = NULL;
    cs_xs_results *r = NULL;
    json_t *ans = NULL;
    char *key = cs_strndup(id, len);
    char idterm[CS_MAX_ID_BYTES + 2];

    memset(res, 0, sizeof *res);
    if (!key || len > CS_MAX_ID_BYTES) {
        set_err(res, key ? CS_E_NOT_FOUND : CS_E_INTERNAL,
                key ? "no document has this id" : "out of memory");
        goto out;
    }
    const char *ids[1] = { key };
    cs_xs_status st = cs_xs_reader_expand(e->r, ids, 1, SIMILAR_TERMS, on_eterm, &t);
    if (st != CS_XS_OK) {
        set_err(res, xs_code(st), st == CS_XS_NOT_FOUND ? "no document has this id"
                                                         : cs_xs_reader_last_error(e->r));
        goto out;
    }
    snprintf(idterm, sizeof idterm, CS_PREFIX_ID "%s", key);
    terms = cs_xs_query_combine(CS_XS_OP_OR, t.q, t.n, 0);
    self = cs_xs_query_term(idterm, 1, 0);
    cs_xs_query *v[2] = { terms, self };
    q = terms && self ? cs_xs_query_combine(CS_XS_OP_AND_NOT, v, 2, 0) : NULL;
    if (!q) {
        set_err(res, CS_E_INTERNAL, "out of memory");
        goto out;
    }
    cs_xs_search_opts o = { 0 };
    o.query = q;
    o.limit = SIMILAR_HITS;
    if (!(r = run(e, &o, res)))
        goto out;
    cs_query none;
    memset(&none, 0, sizeof none);
    cs_search_req req;
    memset(&req, 0, sizeof req);
    req.snippets = true;
    req.snippet_chars = CS_SNIPPET_CHARS_DEFAULT;
    json_t *hits = json_array();
    size_t nh = cs_xs_results_size(r);
    for (size_t i = 0; hits && i < nh; i++) {
        cs_xs_hit h;
        cs_xs_results_hit(r, i, &h);
        json_t *hj = hit_json(&h, (unsigned)i + 1, &none, &req);
        if (hj)
            json_array_append_new(hits, hj);
    }
    ans = json_pack("{s:b, s:s, s:I, s:o}", "ok", 1, "id", key,
                    "took_us", (json_int_t)(cs_now_us() - t0), "hits", hits);
    answer(out, ans, res, nh);
out:
    json_decref(ans);
    cs_xs_results_free(r);
    for (size_t i = 0; i < t.n; i++)
        cs_xs_query_free(t.q[i]);
    cs_xs_query_free(terms);
    cs_xs_query_free(self);
    cs_xs_query_free(q);
    free(key);
}

/* --- WHO ------------------------------------------------------------------ */

/* A WHO question: a person, or a role (at an organisation or anywhere).
 * Keys are cs_canonical_key()s, as the indexer made the relations'. */
typedef struct who_q {
    char *person, *role, *org;          /* display forms, or NULL */
    char *pkey, *rkey, *okey;           /* keys, or NULL */
    bool oom;                           /* an allocation failed */
} who_q;

static void who_free(who_q *w)
{
    free(w->person);
    free(w->role);
    free(w->org);
    free(w->pkey);
    free(w->rkey);
    free(w->okey);
}

/* The canonical display of a role or organisation the user named, or the
 * user's own words when the vocabulary does not know them. */
static char *who_value(int facet, const char *s, size_t len)
{
    const char *canon = cs_canonical_name(facet, s, len);
    if (!canon && facet == CS_FACET_ORG)
        canon = cs_canonical_name(CS_FACET_CCG, s, len);
    return canon ? cs_strdup(canon) : cs_strndup(s, len);
}

static bool who_parse(const char *arg, size_t len, who_q *w, char *err, size_t cap)
{
    memset(w, 0, sizeof *w);
    if (len > 0 && arg[0] == '{') {
        json_error_t jerr;
        json_t *o = json_loadb(arg, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(o)) {
            snprintf(err, cap, "bad JSON at column %d: %s", jerr.column,
                     o ? "not an object" : jerr.text);
            json_decref(o);
            return false;
        }
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v) {
            char **slot = strcmp(key, "person") == 0 ? &w->person
                          : strcmp(key, "role") == 0 ? &w->role
                          : (strcmp(key, "org") == 0 || strcmp(key, "ccg") == 0) ? &w->org : NULL;
            if (!slot || !json_is_string(v) || json_string_length(v) == 0 || *slot) {
                snprintf(err, cap, "WHO takes \"person\", or \"role\" with an optional \"org\" "
                         "(or \"ccg\"), each a non-empty string");
                json_decref(o);
                return false;
            }
            if (!(*slot = cs_strndup(json_string_value(v), json_string_length(v))))
                w->oom = true;
        }
        json_decref(o);
        if (w->role) {
            char *r = who_value(CS_FACET_ROLE, w->role, strlen(w->role));
            free(w->role);
            w->oom |= !(w->role = r);
        }
        if (w->org) {
            char *r = who_value(CS_FACET_ORG, w->org, strlen(w->org));
            free(w->org);
            w->oom |= !(w->org = r);
        }
    } else {
        /* "ROLE at ORG", "ROLE", or "PERSON". */
        const char *at = NULL;
        for (size_t i = 0; i + 4 <= len; i++)
            if (strncasecmp(arg + i, " at ", 4) == 0)
                at = arg + i;
        size_t rl = at ? (size_t)(at - arg) : len;
        if (cs_canonical_name(CS_FACET_ROLE, arg, rl) || at) {
            w->oom |= !(w->role = who_value(CS_FACET_ROLE, arg, rl));
            if (at)
                w->oom |= !(w->org = who_value(CS_FACET_ORG, at + 4, len - rl - 4));
        } else {
            w->oom |= !(w->person = cs_strndup(arg, len));
        }
    }
    if (w->oom)
        return false;
    if ((w->person && (w->role || w->org)) || (!w->person && !w->role)) {
        snprintf(err, cap, "WHO asks about a person, or a role (at an organisation)");
        return false;
    }
    if (w->person)
        w->pkey = cs_canonical_key(CS_FACET_PERSON, w->person, strlen(w->person));
    if (w->role)
        w->rkey = cs_canonical_key(CS_FACET_ROLE, w->role, strlen(w->role));
    if (w->org)
        w->okey = cs_canonical_key(CS_FACET_ORG, w->org, strlen(w->org));
    if ((w->person && !w->pkey) || (w->role && !w->rkey) || (w->org && !w->okey)) {
        w->oom = true;
        return false;
    }
    if ((w->pkey && !*w->pkey) || (w->rkey && !*w->rkey) || (w->okey && !*w->okey)) {
        snprintf(err, cap, "WHO needs words to look for");
        return false;
    }
    return true;
}

/* Whether a stored relation's value has the key asked about (any, when
 * key is NULL). */
static bool key_eq(int facet, const char *value, const char *key)
{
    if (!key)
        return true;
    char *k = value ? cs_canonical_key(facet, value, strlen(value)) : NULL;
    bool eq = k && strcmp(k, key) == 0;
    free(k);
    return eq;
}

void cs_engine_who(cs_engine *e, const char *arg, size_t len, cs_buf *out, cs_result *res)
{
    long long t0 = cs_now_us();
    char err[200];
    who_q w;
    cs_xs_query *q = NULL;
    cs_xs_results *r = NULL;
    json_t *answers = NULL, *ans = NULL;

    memset(res, 0, sizeof *res);
    if (!who_parse(arg, len, &w, err, sizeof err)) {
        set_err(res, w.oom ? CS_E_INTERNAL : CS_E_BAD_REQUEST, w.oom ? "out of memory" : err);
        goto out;
    }
    cs_buf term = { 0 };
    if (w.pkey)
        cs_buf_printf(&term, CS_WHO_PERSON_TERM, w.pkey);
    else
        cs_buf_printf(&term, CS_WHO_ROLE_TERM, w.rkey, w.okey ? w.okey : "");
    q = term.oom ? NULL : cs_xs_query_term(term.s, 1, 0);
    bool too_long = !term.oom && term.len > CS_XS_MAX_TERM_BYTES;
    cs_buf_free(&term);
    if (too_long) {
        set_err(res, CS_E_BAD_REQUEST, "the names asked about are too long");
        goto out;
    }
    if (!q) {
        set_err(res, CS_E_INTERNAL, "out of memory");
        goto out;
    }
    cs_xs_search_opts o = { 0 };
    o.query = q;
    o.limit = CS_MAX_WHO_DOCUMENTS;
    o.data_slot = CS_SLOT_HIT;         /* the relations, not the bodies */
    o.sort = CS_XS_SORT_VALUE_DESC;
    o.sort_slot = CS_SLOT_DATE;
    o.exact_total = 1;
    if (!(r = run(e, &o, res)))
        goto out;

    /* Group the documents' statements by who held what where, in the
     * order of their newest document. */
    answers = json_array();
    size_t nh = cs_xs_results_size(r);
    for (size_t i = 0; answers && i < nh; i++) {
        cs_xs_hit h;
        cs_xs_results_hit(r, i, &h);
        json_t *doc = json_loadb(h.data, h.len, 0, NULL);
        json_t *rels = json_object_get(doc, "person_role"), *rel;
        size_t k;
        json_array_foreach(rels, k, rel) {
            const char *person = json_string_value(json_object_get(rel, "person"));
            const char *role = json_string_value(json_object_get(rel, "role"));
            const char *org = json_string_value(json_object_get(rel, "org"));
            if (!key_eq(CS_FACET_PERSON, person, w.pkey) || !key_eq(CS_FACET_ROLE, role, w.rkey) ||
                !key_eq(CS_FACET_ORG, org, w.okey))
                continue;
            json_t *a = NULL, *item;
            size_t j;
            json_array_foreach(answers, j, item) {
                const char *ip = json_string_value(json_object_get(item, "person"));
                const char *ir = json_string_value(json_object_get(item, "role"));
                const char *io = json_string_value(json_object_get(item, "org"));
                if (ip && person && strcmp(ip, person) == 0 && ir && role && strcmp(ir, role) == 0 &&
                    ((!io && !org) || (io && org && strcmp(io, org) == 0)))
                    a = item;
            }
            if (!a) {
                a = json_pack("{s:s?, s:s?, s:s?, s:[]}", "person", person, "role", role,
                              "org", org, "documents");
                if (!a || json_array_append_new(answers, a) != 0)
                    continue;
            }
            json_t *docs = json_object_get(a, "documents");
            const char *id = json_string_value(json_object_get(doc, "id"));
            bool listed = false;
            json_t *d;
            size_t m;
            json_array_foreach(docs, m, d)
                listed = listed || (id && strcmp(json_string_value(json_object_get(d, "id")), id) == 0);
            if (!listed)
                json_array_append_new(docs, json_pack("{s:O, s:O, s:O}", "id", json_object_get(doc, "id"),
                                                      "title", json_object_get(doc, "title"),
                                                      "date", json_object_get(doc, "date")));
        }
        json_decref(doc);
    }
    int exact;
    unsigned total = cs_xs_results_total(r, &exact);
    ans = json_pack("{s:b, s:{s:s?, s:s?, s:s?}, s:I, s:b, s:I, s:o}", "ok", 1,
                    "who", "person", w.person, "role", w.role, "org", w.org,
                    "documents", (json_int_t)total,
                    "truncated", total > CS_MAX_WHO_DOCUMENTS,
                    "took_us", (json_int_t)(cs_now_us() - t0),
                    "answers", answers);
    answers = NULL;
    answer(out, ans, res, nh);
out:
    json_decref(ans);
    json_decref(answers);
    cs_xs_results_free(r);
    cs_xs_query_free(q);
    who_free(&w);
}
