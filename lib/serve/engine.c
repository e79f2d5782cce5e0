/* The query engine; see engine.h. */
#include "serve/engine.h"
#include "vocab/gazetteer.h"
#include "index/indexdir.h"
#include "core/limits.h"
#include "query/query.h"
#include "index/schema.h"
#include "query/snippet.h"
#include "index/xapian_shim.h"
#include "vocab/canon.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* BM25's term-frequency saturation and length normalisation: the values
 * Robertson recommends (and Lucene uses), chosen over Xapian's defaults
 * (1.0, 0.5) by the measurement in docs/ranking.md. */
#define BM25_K1 1.2
#define BM25_B 0.75

/* Pseudo-relevance feedback for "match":"any" ranked by relevance: the
 * best PRF_TERMS expansion terms (Xapian's ESet) of the query's best
 * PRF_DOCS documents, their weight scaled by PRF_WEIGHT, weight up the
 * documents the query matches.  The values of RM3's usual defaults (10
 * documents, 20 terms), chosen by the measurement in docs/ranking.md;
 * only for queries of at most CS_MAX_FEEDBACK_TERMS terms. */
#define PRF_DOCS 10
#define PRF_TERMS 20
#define PRF_WEIGHT 0.5

/* Expansion terms SIMILAR builds its query from, and hits it returns. */
#define SIMILAR_TERMS 40
#define SIMILAR_HITS 10

struct cs_engine {
    char *dir;
    cs_xs_reader *r;
    cs_engine_opts opts;
    bool stamped;
    bool empty;                 /* no index there yet: 0 documents served */
    ino_t ino;
    long long ctime_ns;
    size_t facet_bytes;         /* the facet columns, as last prepared */
    size_t hit_bytes;           /* the hit summaries in memory, likewise */
    /* Why the last reopen failed ("" after one that worked), and whether
     * that is news for cs_engine_reopen_failure(). */
    char reopen_error[CS_ERR_MSG_BYTES];
    bool reopen_news;
    /* The request being answered must be done by this time (cs_now_us(),
     * 0: no limit): one deadline for every Xapian run of a request (a
     * search with facet filters runs once per filtered facet, and a
     * corrected query runs again), so a request costs at most its time
     * limit, not one limit per run.  next_deadline_us is the caller's,
     * for the next request only (cs_engine_set_deadline()). */
    long long deadline_us, next_deadline_us;
    /* The request is a slice (cs_engine_set_slice()): anything costly
     * fails with CS_E_DEFER instead of being done. */
    bool slice, next_slice;
    /* The last slice was deferred because its time was up, not because
     * it was estimated costly (cs_engine_slice_overran()). */
    bool overran;
    /* The last slice was deferred and its estimates make it a slow query
     * (cs_engine_slice_costly()). */
    bool costly;
};

void cs_engine_set_deadline(cs_engine *e, long long deadline_us)
{
    assert(e);
    e->next_deadline_us = deadline_us;
    e->next_slice = false;
}

void cs_engine_set_slice(cs_engine *e, long long deadline_us)
{
    assert(e);
    e->next_deadline_us = deadline_us;
    e->next_slice = true;
}

bool cs_engine_slice_overran(const cs_engine *e)
{
    assert(e);
    return e->overran;
}

bool cs_engine_slice_costly(const cs_engine *e)
{
    assert(e);
    return e->costly;
}

/* The slice deferred q (req's; built, its query when already made, else
 * NULL): is it a slow query by its estimates (CS_SLOW_POSTINGS,
 * CS_SLOW_POSITIONAL_WORK, CS_SLOW_SNIPPET_CHARS)?  Out of memory or any
 * doubt leaves it a fast one. */
static void judge_deferred(cs_engine *e, const cs_query *q, const cs_xs_query *built,
                           const cs_search_req *req)
{
    if (!e->slice || e->overran)
        return;
    double postings = 0, positions = 0;
    cs_xs_query *made = built ? NULL : cs_query_build(q, -1);
    const cs_xs_query *b = built ? built : made;
    if (b && cs_xs_query_cost(e->r, b, &postings, &positions) == CS_XS_OK)
        e->costly = postings > CS_SLOW_POSTINGS || positions > CS_SLOW_POSITIONAL_WORK ||
                    (req->snippets && (double)req->limit * req->snippet_chars >
                                          CS_SLOW_SNIPPET_CHARS);
    cs_xs_query_free(made);
}

/* The request's time is up: a timeout, or for a slice a deferral. */
static bool too_late(cs_engine *e, cs_err *err)
{
    if (e->slice) {
        e->overran = true;
        return cs_err_set(err, CS_E_DEFER, "the slice's time is up");
    }
    return cs_err_set(err, CS_E_TIMEOUT, "the query took longer than the time limit");
}

/* A request starts: its deadline is the caller's, else the time limit
 * from now; it is a slice if the caller made it one and may_slice (a
 * SEARCH). */
static void begin(cs_engine *e, bool may_slice)
{
    /* A slice's deadline is the slice's: with it ignored, so is that. */
    e->deadline_us = e->next_slice && !may_slice ? 0 : e->next_deadline_us;
    e->slice = may_slice && e->next_slice;
    e->next_deadline_us = 0;
    e->next_slice = false;
    e->overran = false;
    e->costly = false;
    if (!e->deadline_us && e->opts.query_timeout_ms)
        e->deadline_us = cs_now_us() + (long long)e->opts.query_timeout_ms * 1000;
}

/* A reopen failed for why: news unless it failed for the same reason the
 * time before. */
static void reopen_failed(cs_engine *e, const char *why)
{
    if (strcmp(e->reopen_error, why) != 0) {
        snprintf(e->reopen_error, sizeof e->reopen_error, "%s", why);
        e->reopen_news = true;
    }
}

static void reopen_worked(cs_engine *e)
{
    e->reopen_error[0] = '\0';
    e->reopen_news = false;
}

const char *cs_engine_reopen_failure(cs_engine *e)
{
    assert(e);
    if (!e->reopen_news)
        return NULL;
    e->reopen_news = false;
    return e->reopen_error;
}

/* Have the facet columns and the hit summaries in memory ready for the
 * database as it now is, so that no request pays for making them. */
static void prepare_columns(cs_engine *e)
{
    unsigned slots[CS_NFACETS];
    for (int f = 0; f < CS_NFACETS; f++)
        slots[f] = cs_facets[f].slot;
    if (cs_xs_reader_prepare_facets(e->r, slots, CS_NFACETS, &e->facet_bytes) != CS_XS_OK)
        e->facet_bytes = 0;
    size_t max = e->opts.hit_memory ? e->opts.hit_memory : CS_MAX_HIT_MEMORY;
    if (cs_xs_reader_prepare_hits(e->r, CS_SLOT_HIT, max, &e->hit_bytes) != CS_XS_OK)
        e->hit_bytes = 0;
}

/* Whether dir holds no index yet: it does not exist, or it has neither a
 * stub nor the files of a Xapian database (a first run of the indexer may
 * have made the directory and its lock, not yet a database).  Anything
 * else that cannot be opened is a broken index, not an absent one. */
static bool no_index_yet(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return false;
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool none = true;
    for (struct dirent *de; none && (de = readdir(d));)
        none = strcmp(de->d_name, "XAPIANDB") != 0 && strncmp(de->d_name, "iam", 3) != 0;
    closedir(d);
    return none;
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
        /* An archive's first day: serve nothing until the indexer's first
         * commit, which the next refresh opens as it opens a swap. */
        if (!e->stamped && no_index_yet(index_dir) &&
            cs_xs_reader_open_empty(index_dir, CS_PREFIX_ID, &e->r) == CS_XS_OK) {
            cs_err_clear(err);
            e->empty = true;
            return e;
        }
        free(e->dir);
        free(e);
        return NULL;
    }
    prepare_columns(e);
    return e;
}

bool cs_engine_serving(const cs_engine *e)
{
    assert(e);
    return !e->empty;
}

void cs_engine_close(cs_engine *e)
{
    if (!e)
        return;
    cs_xs_reader_close(e->r);
    free(e->dir);
    free(e);
}

bool cs_engine_refresh(cs_engine *e)
{
    assert(e);
    ino_t ino;
    long long ct;
    int changed = 0;
    bool stamped = cs_indexdir_stamp(e->dir, &ino, &ct);
    if (stamped && (!e->stamped || ino != e->ino || ct != e->ctime_ns)) {
        /* The index directory was swapped: open the new database.  If that
         * fails the reader keeps serving the old one and we try again at
         * the next refresh. */
        if (cs_xs_reader_refresh(e->r, 1, &changed) == CS_XS_OK) {
            e->stamped = true;
            e->empty = false;
            e->ino = ino;
            e->ctime_ns = ct;
            reopen_worked(e);
        } else {
            reopen_failed(e, cs_xs_reader_last_error(e->r));
        }
    } else if (!stamped && e->stamped) {
        /* The stub is gone (the index deleted?): keep the database we
         * have open rather than read whatever is left of it. */
        reopen_failed(e, "the index directory has no XAPIANDB stub any more (deleted?); "
                         "serving the index as it was");
    } else if (e->empty) {
        /* Still no index: nothing to look at until its stub appears. */
    } else if (cs_xs_reader_refresh(e->r, 0, &changed) != CS_XS_OK) {
        changed = 0;
        reopen_failed(e, cs_xs_reader_last_error(e->r));
    }
    if (changed)
        prepare_columns(e);
    return changed;
}

bool cs_engine_reopen(cs_engine *e)
{
    assert(e);
    ino_t ino;
    long long ct;
    bool stamped = cs_indexdir_stamp(e->dir, &ino, &ct);
    if (e->empty && !stamped)
        return true;                /* no index yet: nothing to reopen */
    if (cs_xs_reader_refresh(e->r, 1, NULL) != CS_XS_OK) {
        /* Asked for, so always news. */
        reopen_failed(e, cs_xs_reader_last_error(e->r));
        e->reopen_news = true;
        return false;
    }
    e->stamped = stamped;
    e->empty = false;
    e->ino = ino;
    e->ctime_ns = ct;
    reopen_worked(e);
    prepare_columns(e);
    return true;
}

/* The bytes of the regular files under path, depth levels down at most
 * (an index directory: its stub, its generations and their files). */
static long long disk_bytes(const char *path, int depth)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return (long long)st.st_size;
    if (!S_ISDIR(st.st_mode) || depth == 0)
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    long long total = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        cs_buf p = { 0 };
        cs_buf_printf(&p, "%s/%s", path, de->d_name);
        if (!p.oom)
            total += disk_bytes(p.s, depth - 1);
        cs_buf_free(&p);
    }
    closedir(d);
    return total;
}

void cs_engine_stats(cs_engine *e, cs_index_stats *st)
{
    assert(e && st);
    const char *gen = "";
    st->doccount = 0;
    cs_xs_reader_doccount(e->r, &st->doccount);
    if (cs_xs_reader_metadata(e->r, CS_META_GENERATION, &gen) != CS_XS_OK)
        gen = "";
    snprintf(st->generation, sizeof st->generation, "%s", gen);
    st->facet_bytes = e->facet_bytes;
    st->hit_bytes = e->hit_bytes;
    st->open = !e->empty;
    /* The indexer writes the time of each commit as the generation. */
    char *end;
    long long t = strtoll(st->generation, &end, 10);
    st->last_commit = st->generation[0] && !*end && t >= 0 ? t : -1;
    st->disk_bytes = e->empty ? 0 : disk_bytes(e->dir, 3);
}

/* A failed shim call: not_found, or the reader's message. */
static bool xs_fail(cs_engine *e, cs_xs_status st, cs_err *err)
{
    if (st == CS_XS_NOT_FOUND)
        return cs_err_set(err, CS_E_NOT_FOUND, "no document has this id");
    return cs_err_set(err, CS_E_INDEX, "%s", cs_xs_reader_last_error(e->r));
}

/* Run one search within what is left of the request's time. */
static cs_xs_results *run(cs_engine *e, cs_xs_search_opts *o, cs_err *err)
{
    cs_xs_results *out = NULL;
    o->time_limit = 0;
    if (e->deadline_us) {
        long long left = e->deadline_us - cs_now_us();
        if (left <= 0) {
            too_late(e, err);
            return NULL;
        }
        /* A slice is cheap by its estimates and checked against its
         * deadline once run: Xapian's limit (a POSIX timer made and
         * deleted per search, two system calls) would only cost it. */
        if (!e->slice)
            o->time_limit = left / 1e6;
    }
    o->bm25_k1 = BM25_K1;
    o->bm25_b = BM25_B;
    o->max_positional_work = e->slice ? CS_SLICE_POSITIONAL_WORK : CS_MAX_POSITIONAL_WORK;
    o->max_matches = e->slice ? CS_SLICE_MAX_MATCHES : 0;
    cs_xs_status st = cs_xs_search(e->r, o, &out);
    if (st == CS_XS_TOO_COSTLY && e->slice) {
        cs_err_set(err, CS_E_DEFER, "too costly for a slice: %s", cs_xs_reader_last_error(e->r));
        return NULL;
    }
    if (st == CS_XS_TOO_COSTLY) {
        cs_err_set(err, CS_E_BAD_QUERY, "the query is too costly: %s; put a rarer word in the "
                   "phrase or NEAR", cs_xs_reader_last_error(e->r));
        cs_err_limit(err, CS_LIMIT_POSITIONAL_WORK);
        return NULL;
    }
    if (st != CS_XS_OK) {
        cs_err_set(err, CS_E_INDEX, "%s", cs_xs_reader_last_error(e->r));
        return NULL;
    }
    if (e->deadline_us && cs_now_us() > e->deadline_us) {
        cs_xs_results_free(out);
        too_late(e, err);
        return NULL;
    }
    return out;
}

void cs_hits_free(cs_hit *hits, size_t n)
{
    for (size_t i = 0; hits && i < n; i++) {
        cs_doc_free(&hits[i].doc);
        free(hits[i].snippet);
    }
    free(hits);
}

/* The hits of r, ranked from first_rank, with snippets made with hl when
 * snippet_chars is not 0.  A hit whose stored data cannot be read is left
 * out, as it always was.  False only when out of memory. */
static bool read_hits(cs_engine *e, const cs_xs_results *r, unsigned first_rank,
                      const cs_hl *hl, unsigned snippet_chars, cs_hit **out, size_t *nout,
                      cs_err *err)
{
    size_t nh = cs_xs_results_size(r), n = 0;
    cs_hit *hits = calloc(nh ? nh : 1, sizeof *hits);
    *out = NULL;
    *nout = 0;
    if (!hits)
        return cs_err_nomem(err);
    for (size_t i = 0; i < nh; i++) {
        /* A hundred long snippets cost as much as a query: the request's
         * deadline holds here too. */
        if (e->deadline_us && cs_now_us() > e->deadline_us) {
            cs_hits_free(hits, n);
            return too_late(e, err);
        }
        cs_xs_hit xh;
        cs_xs_results_hit(r, i, &xh);
        cs_hit *h = &hits[n];
        if (!cs_doc_read(xh.data, xh.len, &h->doc))
            continue;
        h->rank = first_rank + (unsigned)i;
        h->score = xh.weight;
        n++;
        if (snippet_chars && h->doc.body) {
            cs_buf snip = { 0 };
            if (cs_snippet(h->doc.body, h->doc.body_len, hl, snippet_chars, &snip)) {
                h->snippet_len = snip.len;
                if (!(h->snippet = cs_buf_take(&snip))) {
                    cs_hits_free(hits, n);
                    return cs_err_nomem(err);
                }
            }
            cs_buf_free(&snip);
        }
    }
    *out = hits;
    *nout = n;
    return true;
}

/* A facet's values as the k-th facet slot of run r counted them. */
static bool read_facet(const cs_xs_results *r, size_t k, unsigned limit, cs_facet_list *l,
                       cs_err *err)
{
    const cs_xs_facet_value *v;
    size_t n = cs_xs_results_facet(r, k, &v);
    if (n > limit)
        n = limit;
    l->asked = true;
    if (!(l->values = calloc(n ? n : 1, sizeof *l->values)))
        return cs_err_nomem(err);
    for (size_t i = 0; i < n; i++) {
        l->values[i].value = v[i].value;
        l->values[i].count = v[i].count;
    }
    l->n = n;
    return true;
}

void cs_search_result_free(cs_search_result *r)
{
    if (!r)
        return;
    cs_hits_free(r->hits, r->nhits);
    for (int f = 0; f < CS_NFACETS; f++)
        free(r->facets[f].values);
    for (size_t i = 0; i < sizeof r->runs_ / sizeof r->runs_[0]; i++)
        cs_xs_results_free(r->runs_[i]);
    free(r->corrected);
    memset(r, 0, sizeof *r);
}

/* Expansion terms (Xapian's ESet) as term queries, into q[0..cap): SIMILAR
 * and pseudo-relevance feedback collect them alike. */
typedef struct eterms {
    cs_xs_query **q;
    size_t n, cap;
} eterms;

static void on_eterm(void *ctx, const char *term, double weight)
{
    eterms *t = ctx;
    (void)weight;
    if (t->n < t->cap && (t->q[t->n] = cs_xs_query_term(term, 1, 0)))
        t->n++;
}

/* Pseudo-relevance feedback (PRF_DOCS): q's compiled text becomes itself
 * AND_MAYBE its best documents' expansion terms, so the match set (totals,
 * facets) stays the query's and only the ranking changes.  Nothing changes
 * when the query matches nothing.  False with err set when a search fails. */
static bool feedback(cs_engine *e, cs_query *q, cs_err *err)
{
    cs_xs_query *first = cs_query_build(q, -1);
    cs_xs_search_opts o = { 0 };
    cs_xs_query *found[PRF_TERMS];
    eterms t = { found, 0, PRF_TERMS };
    cs_xs_results *r = NULL;
    cs_xs_query *ex = NULL, *scaled = NULL, *both = NULL;
    bool ok = false;
    if (!first) {
        cs_err_nomem(err);
        return false;
    }
    o.query = first;
    o.limit = PRF_DOCS;
    r = run(e, &o, err);
    cs_xs_query_free(first);
    if (!r)
        return false;
    cs_xs_status st = cs_xs_results_expand(e->r, r, PRF_DOCS, PRF_TERMS, on_eterm, &t);
    cs_xs_results_free(r);
    if (st == CS_XS_NOT_FOUND || (st == CS_XS_OK && t.n == 0)) {
        ok = true;
        goto out;
    }
    if (st != CS_XS_OK) {
        xs_fail(e, st, err);
        goto out;
    }
    cs_xs_query *v[2] = { q->compiled_text, NULL };
    if (!(ex = cs_xs_query_combine(CS_XS_OP_OR, t.q, t.n, 0)) ||
        !(v[1] = scaled = cs_xs_query_scale(ex, PRF_WEIGHT)) ||
        !(both = cs_xs_query_combine(CS_XS_OP_AND_MAYBE, v, 2, 0))) {
        cs_err_nomem(err);
        goto out;
    }
    cs_xs_query_free(q->compiled_text);
    q->compiled_text = both;
    ok = true;
out:
    for (size_t i = 0; i < t.n; i++)
        cs_xs_query_free(t.q[i]);
    cs_xs_query_free(ex);
    cs_xs_query_free(scaled);
    return ok;
}

/* Run req with the query text text into *res (took_us and the correction
 * left alone).  When corrected is not NULL, *corrected gets the spelling
 * suggester's correction of text, or NULL. */
static bool search_once(cs_engine *e, const cs_search_req *req, const char *text,
                        cs_search_result *res, char **corrected, cs_err *err)
{
    cs_query q;
    cs_xs_query *main_q = NULL;
    bool ok = false;

    memset(res, 0, sizeof *res);
    memset(&q, 0, sizeof q);
    if (corrected)
        *corrected = NULL;
    cs_query_opts qo = { .match_any = req->match == CS_MATCH_ANY,
                         .plain = req->syntax == CS_SYNTAX_PLAIN, .prefix = req->prefix };
    if (!cs_query_parse(text, strlen(text), &qo, &q, err))
        goto out;
    for (int f = 0; f < CS_NFACETS; f++)
        for (size_t i = 0; i < req->nfilter[f]; i++)
            if (!cs_query_add_filter(&q, f, req->filter[f][i])) {
                cs_err_nomem(err);
                goto out;
            }
    for (int f = 0; f < CS_NATTRS; f++)
        for (size_t i = 0; i < req->nattr[f]; i++)
            if (!cs_query_add_filter(&q, CS_NFACETS + f, req->attr[f][i])) {
                cs_err_nomem(err);
                goto out;
            }
    cs_query_restrict_dates(&q, req->date_from, req->date_to);
    if (!cs_query_compile(&q, e->r, err))
        goto out;
    if (e->slice && (q.nterms > CS_SLICE_MAX_TERMS || req->limit > CS_SLICE_MAX_HITS)) {
        cs_err_set(err, CS_E_DEFER, "too many words or hits for a slice");
        judge_deferred(e, &q, NULL, req);
        goto out;
    }
    if (req->match == CS_MATCH_ANY && req->sort == CS_SORT_RELEVANCE && q.compiled_text &&
        q.nterms <= CS_MAX_FEEDBACK_TERMS && !feedback(e, &q, err))
        goto out;
    if (!(main_q = cs_query_build(&q, -1))) {
        cs_err_nomem(err);
        goto out;
    }

    /* Facets without a filter are counted on the main match set; a facet
     * with one is counted on a match set without its own filter. */
    cs_xs_search_opts o = { 0 };
    o.query = main_q;
    o.offset = req->offset;
    o.limit = req->limit;
    o.sort = req->sort == CS_SORT_DATE ? CS_XS_SORT_VALUE_DESC
             : req->sort == CS_SORT_DATE_ASC ? CS_XS_SORT_VALUE_ASC
                                              : CS_XS_SORT_RELEVANCE;
    o.sort_slot = CS_SLOT_DATE;
    o.exact_total = 1;
    o.facet_limit = req->facet_limit;
    /* Without snippets a hit needs no body: read the smaller summary. */
    if (!req->snippets)
        o.data_slot = CS_SLOT_HIT;
    int slot_facet[CS_NFACETS];
    for (int f = 0; f < CS_NFACETS; f++)
        if (req->facet[f] && !cs_query_has_filter(&q, f)) {
            slot_facet[o.nfacets] = f;
            o.facet_slots[o.nfacets++] = cs_facets[f].slot;
        }
    cs_xs_results *main_r = res->runs_[0] = run(e, &o, err);
    if (!main_r) {
        if (err && err->code == CS_E_DEFER)
            judge_deferred(e, &q, main_q, req);
        goto out;
    }
    for (size_t k = 0; k < o.nfacets; k++)
        if (!read_facet(main_r, k, req->facet_limit, &res->facets[slot_facet[k]], err))
            goto out;
    for (int f = 0; f < CS_NFACETS; f++) {
        if (!req->facet[f] || !cs_query_has_filter(&q, f))
            continue;
        cs_xs_query *dq = cs_query_build(&q, f);
        cs_xs_search_opts d = { 0 };
        d.query = dq;
        d.exact_total = 1;
        d.facet_slots[0] = cs_facets[f].slot;
        d.nfacets = 1;
        d.facet_limit = req->facet_limit;
        if (!dq) {
            cs_err_nomem(err);
            goto out;
        }
        res->runs_[1 + f] = run(e, &d, err);
        cs_xs_query_free(dq);
        if (!res->runs_[1 + f] || !read_facet(res->runs_[1 + f], 0, req->facet_limit,
                                              &res->facets[f], err))
            goto out;
    }

    int exact = 1;
    res->total = cs_xs_results_total(main_r, &exact);
    res->total_exact = exact;
    res->offset = req->offset;
    res->limit = req->limit;
    if (!read_hits(e, main_r, req->offset + 1, &q.hl, req->snippets ? req->snippet_chars : 0,
                   &res->hits, &res->nhits, err))
        goto out;
    if (corrected && !cs_query_spell(&q, e->r, text, corrected)) {
        cs_err_nomem(err);
        goto out;
    }
    ok = true;
out:
    if (!ok)
        cs_search_result_free(res);
    cs_xs_query_free(main_q);
    cs_query_free(&q);
    return ok;
}

bool cs_engine_search(cs_engine *e, const cs_search_req *req, cs_search_result *res, cs_err *err)
{
    assert(e && req && req->q && res);
    begin(e, true);
    long long t0 = cs_now_us();
    char *corrected = NULL;

    if (!search_once(e, req, req->q, res, &corrected, err))
        return false;
    if (corrected && res->total == 0 && req->correct) {
        /* Nothing matched as typed: answer the corrected query instead,
         * and say so.  Should that fail, the answer as typed stands. */
        cs_search_result again;
        cs_err again_err;
        if (search_once(e, req, corrected, &again, NULL, &again_err)) {
            cs_search_result_free(res);
            *res = again;
            res->corrected_results = true;
        } else if (again_err.code == CS_E_DEFER) {
            /* A slice answers as the query threads would, or not at all. */
            cs_search_result_free(res);
            free(corrected);
            *err = again_err;
            return false;
        }
    }
    res->corrected = corrected;
    res->took_us = cs_now_us() - t0;
    return true;
}

bool cs_engine_get(cs_engine *e, const cs_id_req *req, cs_doc *res, cs_err *err)
{
    assert(e && req && req->id && res);
    const char *data;
    size_t dlen;
    memset(res, 0, sizeof *res);
    cs_xs_status st = req->len > CS_MAX_ID_BYTES ? CS_XS_NOT_FOUND
                                                 : cs_xs_reader_get(e->r, req->id, &data, &dlen);
    if (st != CS_XS_OK)
        return xs_fail(e, st, err);
    if (!cs_doc_read(data, dlen, res))
        return cs_err_set(err, CS_E_INDEX, "cannot read the stored document");
    return true;
}

/* --- SIMILAR -------------------------------------------------------------- */


void cs_similar_result_free(cs_similar_result *r)
{
    if (!r)
        return;
    free(r->id);
    cs_hits_free(r->hits, r->nhits);
    memset(r, 0, sizeof *r);
}

bool cs_engine_similar(cs_engine *e, const cs_id_req *req, cs_similar_result *res, cs_err *err)
{
    assert(e && req && req->id && res);
    begin(e, false);
    long long t0 = cs_now_us();
    cs_xs_query *found[SIMILAR_TERMS];
    eterms t = { found, 0, SIMILAR_TERMS };
    cs_xs_query *terms = NULL, *self = NULL, *q = NULL;
    cs_xs_results *r = NULL;
    char idterm[CS_MAX_ID_BYTES + sizeof CS_PREFIX_ID];
    bool ok = false;

    memset(res, 0, sizeof *res);
    if (req->len > CS_MAX_ID_BYTES) {
        cs_err_set(err, CS_E_NOT_FOUND, "no document has this id");
        goto out;
    }
    const char *ids[1] = { req->id };
    cs_xs_status st = cs_xs_reader_expand(e->r, ids, 1, SIMILAR_TERMS, on_eterm, &t);
    if (st != CS_XS_OK) {
        xs_fail(e, st, err);
        goto out;
    }
    snprintf(idterm, sizeof idterm, CS_PREFIX_ID "%s", req->id);
    terms = cs_xs_query_combine(CS_XS_OP_OR, t.q, t.n, 0);
    self = cs_xs_query_term(idterm, 1, 0);
    cs_xs_query *v[2] = { terms, self };
    q = terms && self ? cs_xs_query_combine(CS_XS_OP_AND_NOT, v, 2, 0) : NULL;
    if (!q || !(res->id = cs_strdup(req->id))) {
        cs_err_nomem(err);
        goto out;
    }
    cs_xs_search_opts o = { 0 };
    o.query = q;
    o.limit = SIMILAR_HITS;
    if (!(r = run(e, &o, err)))
        goto out;
    /* Snippets without query terms to mark: the passage that opens the
     * document. */
    cs_hl none;
    memset(&none, 0, sizeof none);
    if (!read_hits(e, r, 1, &none, CS_SNIPPET_CHARS_DEFAULT, &res->hits, &res->nhits, err))
        goto out;
    res->took_us = cs_now_us() - t0;
    ok = true;
out:
    if (!ok)
        cs_similar_result_free(res);
    cs_xs_results_free(r);
    for (size_t i = 0; i < t.n; i++)
        cs_xs_query_free(t.q[i]);
    cs_xs_query_free(terms);
    cs_xs_query_free(self);
    cs_xs_query_free(q);
    return ok;
}

/* --- WHO ------------------------------------------------------------------ */

void cs_who_result_free(cs_who_result *r)
{
    if (!r)
        return;
    free(r->person);
    free(r->role);
    free(r->org);
    for (size_t i = 0; i < r->nanswers; i++)
        free(r->answers[i].docs);
    free(r->answers);
    for (size_t i = 0; i < r->ndocs_; i++)
        cs_doc_free(&r->docs_[i]);
    free(r->docs_);
    memset(r, 0, sizeof *r);
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

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The answer for (person, role, org), added when there is none yet. */
static cs_who_answer *who_answer(cs_who_result *res, const cs_doc_rel *rel)
{
    for (size_t i = 0; i < res->nanswers; i++) {
        cs_who_answer *a = &res->answers[i];
        if (same(a->person, rel->person) && same(a->role, rel->role) &&
            ((!a->org && !rel->org) || same(a->org, rel->org)))
            return a;
    }
    if (res->nanswers == res->capanswers_) {
        size_t cap = res->capanswers_ ? 2 * res->capanswers_ : 8;
        cs_who_answer *grown = realloc(res->answers, cap * sizeof *grown);
        if (!grown)
            return NULL;
        res->answers = grown;
        res->capanswers_ = cap;
    }
    cs_who_answer *a = &res->answers[res->nanswers++];
    memset(a, 0, sizeof *a);
    a->person = rel->person;
    a->role = rel->role;
    a->org = rel->org;
    return a;
}

/* List doc among a's documents unless it is there. */
static bool who_document(cs_who_answer *a, const cs_doc *doc)
{
    for (size_t i = 0; i < a->ndocs; i++)
        if (strcmp(a->docs[i].id, doc->id) == 0)
            return true;
    if (a->ndocs == a->capdocs_) {
        size_t cap = a->capdocs_ ? 2 * a->capdocs_ : 4;
        cs_who_doc *grown = realloc(a->docs, cap * sizeof *grown);
        if (!grown)
            return false;
        a->docs = grown;
        a->capdocs_ = cap;
    }
    a->docs[a->ndocs++] = (cs_who_doc){ doc->id, doc->title, doc->date };
    return true;
}

/* Group the statements of the documents of r that match the keys. */
static bool who_group(cs_who_result *res, const cs_xs_results *r, const char *pkey,
                      const char *rkey, const char *okey, cs_err *err)
{
    size_t nh = cs_xs_results_size(r);
    if (!(res->docs_ = calloc(nh ? nh : 1, sizeof *res->docs_)))
        return cs_err_nomem(err);
    res->nread = nh;
    for (size_t i = 0; i < nh; i++) {
        cs_xs_hit h;
        cs_xs_results_hit(r, i, &h);
        cs_doc *doc = &res->docs_[res->ndocs_];
        if (!cs_doc_read(h.data, h.len, doc))
            continue;
        res->ndocs_++;
        for (size_t k = 0; k < doc->nrels; k++) {
            const cs_doc_rel *rel = &doc->rels[k];
            if (!key_eq(CS_FACET_PERSON, rel->person, pkey) ||
                !key_eq(CS_FACET_ROLE, rel->role, rkey) || !key_eq(CS_FACET_ORG, rel->org, okey))
                continue;
            cs_who_answer *a = who_answer(res, rel);
            if (!a || !who_document(a, doc))
                return cs_err_nomem(err);
        }
    }
    return true;
}

/* The question's canonical key, or NULL when it has no such part; false
 * when out of memory. */
static bool who_key(int facet, const char *value, char **key)
{
    *key = value ? cs_canonical_key(facet, value, strlen(value)) : NULL;
    return !value || *key;
}

bool cs_engine_who(cs_engine *e, const cs_who_req *req, cs_who_result *res, cs_err *err)
{
    assert(e && req && res);
    begin(e, false);
    assert(req->person ? !req->role && !req->org : req->role || req->org);
    long long t0 = cs_now_us();
    char *pkey = NULL, *rkey = NULL, *okey = NULL;
    cs_xs_query *q = NULL;
    cs_xs_results *r = NULL;
    cs_buf term = { 0 };
    bool ok = false;

    memset(res, 0, sizeof *res);
    if (!who_key(CS_FACET_PERSON, req->person, &pkey) || !who_key(CS_FACET_ROLE, req->role, &rkey) ||
        !who_key(CS_FACET_ORG, req->org, &okey)) {
        cs_err_nomem(err);
        goto out;
    }
    if ((pkey && !*pkey) || (rkey && !*rkey) || (okey && !*okey)) {
        cs_err_set(err, CS_E_BAD_REQUEST, "WHO needs words to look for");
        goto out;
    }
    if (pkey)
        cs_buf_printf(&term, CS_WHO_PERSON_TERM, pkey);
    else if (rkey)
        cs_buf_printf(&term, CS_WHO_ROLE_TERM, rkey, okey ? okey : "");
    else
        cs_buf_printf(&term, CS_WHO_ORG_TERM, okey);
    if (!term.oom && term.len > CS_XS_MAX_TERM_BYTES) {
        cs_err_set(err, CS_E_BAD_REQUEST, "the names asked about are too long");
        goto out;
    }
    if (term.oom || !(q = cs_xs_query_term(term.s, 1, 0))) {
        cs_err_nomem(err);
        goto out;
    }
    cs_xs_search_opts o = { 0 };
    o.query = q;
    o.limit = CS_MAX_WHO_DOCUMENTS;
    o.data_slot = CS_SLOT_HIT;         /* the relations, not the bodies */
    o.sort = CS_XS_SORT_VALUE_DESC;
    o.sort_slot = CS_SLOT_DATE;
    o.exact_total = 1;
    if (!(r = run(e, &o, err)))
        goto out;
    if ((req->person && !(res->person = cs_strdup(req->person))) ||
        (req->role && !(res->role = cs_strdup(req->role))) ||
        (req->org && !(res->org = cs_strdup(req->org)))) {
        cs_err_nomem(err);
        goto out;
    }
    /* Answers in the order of their newest document. */
    if (!who_group(res, r, pkey, rkey, okey, err))
        goto out;
    int exact;
    res->documents = cs_xs_results_total(r, &exact);
    res->truncated = res->documents > CS_MAX_WHO_DOCUMENTS;
    res->took_us = cs_now_us() - t0;
    ok = true;
out:
    if (!ok)
        cs_who_result_free(res);
    cs_buf_free(&term);
    cs_xs_results_free(r);
    cs_xs_query_free(q);
    free(pkey);
    free(rkey);
    free(okey);
    return ok;
}
