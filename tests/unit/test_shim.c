/* Unit tests of the Xapian shim, against real databases in a temporary
 * directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/xapian_shim.h"

/* The shim knows no schema: the caller names the id term's prefix.  Not
 * the index's own "Q", to show that nothing in the shim assumes it. */
#define ID "K"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dbdir[256];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dbdir, sizeof dbdir, "/tmp/ccg-shim-XXXXXX");
    return mkdtemp(dbdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dbdir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *path(const char *name)
{
    static char p[300];
    snprintf(p, sizeof p, "%s/%s", dbdir, name);
    return p;
}

/* A document with the given id, words at positions 1.., a date value and
 * facet values for slot 2. */
static cs_xs_doc *doc(const char *id, const char *words, const char *date, const char *facets)
{
    cs_xs_doc *d = cs_xs_doc_new(ID, id);
    assert_non_null(d);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", words);
    unsigned pos = 1;
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "))
        assert_int_equal(cs_xs_doc_add_posting(d, w, pos++, 1), CS_XS_OK);
    if (date)
        assert_int_equal(cs_xs_doc_set_value(d, 0, date, strlen(date)), CS_XS_OK);
    if (facets)
        assert_int_equal(cs_xs_doc_set_value(d, 2, facets, strlen(facets)), CS_XS_OK);
    assert_int_equal(cs_xs_doc_set_data(d, id, strlen(id)), CS_XS_OK);
    return d;
}

/* Add (or replace) the document doc() makes, through writer w. */
static void put(cs_xs_writer *w, const char *id, const char *words, const char *date,
                const char *facets)
{
    cs_xs_doc *d = doc(id, words, date, facets);
    assert_int_equal(cs_xs_writer_replace(w, d), CS_XS_OK);
    cs_xs_doc_free(d);
}

static void build(const char *name)
{
    cs_xs_writer *w;
    cs_err err;
    assert_int_equal(cs_xs_writer_open(path(name), CS_XS_OVERWRITE, ID, &w, &err), CS_XS_OK);
    assert_int_equal(err.code, CS_OK);
    struct {
        const char *id, *words, *date, *facets;
    } docs[] = {
        { "a", "joint accountable officer for three ccgs", "2018-12-12", "Leicester\x1fRutland" },
        { "b", "the accountable officer resigned", "2019-01-21", "Leicester" },
        { "c", "merger of essex ccgs", "2019-09-01", "Essex" },
        { "d", "officer accountable for nothing", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        put(w, docs[i].id, docs[i].words, docs[i].date, docs[i].facets);
    }
    assert_int_equal(cs_xs_writer_close(w), CS_XS_OK);
}

static cs_xs_results *search(cs_xs_reader *r, cs_xs_query *q, unsigned nfacets)
{
    cs_xs_search_opts o = { 0 };
    cs_xs_results *res = NULL;
    o.query = q;
    o.limit = 10;
    o.exact_total = 1;
    if (nfacets) {
        o.facet_slots[0] = 2;
        o.nfacets = 1;
    }
    assert_int_equal(cs_xs_search(r, &o, &res), CS_XS_OK);
    return res;
}

static cs_xs_query *terms(cs_xs_op op, const char *a, const char *b, unsigned window)
{
    cs_xs_query *s[2] = { cs_xs_query_term(a, 1, 1), cs_xs_query_term(b, 1, 2) };
    cs_xs_query *q = cs_xs_query_combine(op, s, 2, window);
    cs_xs_query_free(s[0]);
    cs_xs_query_free(s[1]);
    assert_non_null(q);
    return q;
}

static void status_names_are_distinct(void **state)
{
    (void)state;
    for (int s = 0; s < CS_XS_LAST_STATUS; s++) {
        const char *n = cs_xs_status_to_string((cs_xs_status)s);
        assert_non_null(n);
        assert_string_not_equal(n, "unknown status");
        for (int t = 0; t < s; t++)
            assert_string_not_equal(n, cs_xs_status_to_string((cs_xs_status)t));
    }
    assert_string_equal(cs_xs_status_to_string(CS_XS_LAST_STATUS), "unknown status");
}

static void open_failures_report_a_message(void **state)
{
    (void)state;
    cs_xs_reader *r = (cs_xs_reader *)1;
    cs_err err;
    assert_int_not_equal(cs_xs_reader_open(path("missing"), ID, &r, &err), CS_XS_OK);
    assert_null(r);
    assert_int_equal(err.code, CS_E_INDEX);
    assert_true(strlen(err.msg) > 0);
    cs_xs_writer *w = (cs_xs_writer *)1;
    assert_int_not_equal(cs_xs_writer_open("/proc/ccg-cannot-write-here", CS_XS_CREATE_OR_OPEN, ID, &w, &err),
                         CS_XS_OK);
    assert_null(w);
    assert_int_equal(err.code, CS_E_INDEX);
    assert_true(strlen(err.msg) > 0);
    /* Destroy functions accept NULL. */
    cs_xs_reader_close(NULL);
    assert_int_equal(cs_xs_writer_close(NULL), CS_XS_OK);
    cs_xs_doc_free(NULL);
    cs_xs_query_free(NULL);
    cs_xs_results_free(NULL);
}

static void second_writer_is_locked_out(void **state)
{
    (void)state;
    cs_xs_writer *w1, *w2 = NULL;
    cs_err err;
    assert_int_equal(cs_xs_writer_open(path("locked"), CS_XS_CREATE_OR_OPEN, ID, &w1, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_writer_open(path("locked"), CS_XS_CREATE_OR_OPEN, ID, &w2, &err), CS_XS_LOCKED);
    assert_null(w2);
    assert_int_equal(err.code, CS_E_INDEX);
    assert_non_null(strstr(err.msg, "lock"));
    cs_xs_writer_close(w1);
}

static void bad_terms_are_refused_not_thrown(void **state)
{
    (void)state;
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cs_xs_doc *d = cs_xs_doc_new(ID, "x");
    assert_int_equal(cs_xs_doc_add_posting(d, big, 1, 1), CS_XS_BAD_ARG);
    assert_int_equal(cs_xs_doc_add_term(d, "", 1), CS_XS_BAD_ARG);
    assert_int_equal(cs_xs_doc_add_boolean(d, NULL), CS_XS_BAD_ARG);
    cs_xs_doc_free(d);
    assert_null(cs_xs_doc_new(ID, ""));
    assert_null(cs_xs_doc_new(ID, big));
    assert_null(cs_xs_query_term(big, 1, 0));
}

static void replace_by_id_and_delete(void **state)
{
    (void)state;
    build("db");
    cs_xs_writer *w;
    assert_int_equal(cs_xs_writer_open(path("db"), CS_XS_CREATE_OR_OPEN, ID, &w, NULL), CS_XS_OK);
    unsigned n;
    assert_int_equal(cs_xs_writer_doccount(w, &n), CS_XS_OK);
    assert_int_equal(n, 4);
    put(w, "b", "replaced text", "2020-01-01", NULL);
    assert_int_equal(cs_xs_writer_doccount(w, &n), CS_XS_OK);
    assert_int_equal(n, 4);
    char *v = NULL;
    assert_int_equal(cs_xs_writer_get_value(w, "b", 0, &v, NULL), CS_XS_OK);
    assert_string_equal(v, "2020-01-01");
    free(v);
    assert_int_equal(cs_xs_writer_get_value(w, "zz", 0, &v, NULL), CS_XS_NOT_FOUND);
    assert_int_equal(cs_xs_writer_delete(w, "d"), CS_XS_OK);
    assert_int_equal(cs_xs_writer_delete(w, "d"), CS_XS_NOT_FOUND);
    assert_int_equal(cs_xs_writer_doccount(w, &n), CS_XS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(cs_xs_writer_close(w), CS_XS_OK);
}

/* A scratch database (a parallel build's shard) starts empty over an old
 * one, as OVERWRITE does, and what it commits unsynced is read back; its
 * spelling words are not written to it but passed to another writer,
 * which writes them. */
static void scratch_overwrites_and_passes_spelling(void **state)
{
    (void)state;
    build("scratch");
    cs_xs_writer *w, *to;
    unsigned n;
    assert_int_equal(cs_xs_writer_open(path("scratch"), CS_XS_SCRATCH, ID, &w, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_writer_doccount(w, &n), CS_XS_OK);
    assert_int_equal(n, 0);
    cs_xs_doc *d = doc("e", "a shard of its own", NULL, NULL);
    assert_int_equal(cs_xs_doc_add_spelling(d, "commissioning"), CS_XS_OK);
    assert_int_equal(cs_xs_writer_replace(w, d), CS_XS_OK);
    cs_xs_doc_free(d);
    assert_int_equal(cs_xs_writer_commit(w), CS_XS_OK);

    cs_xs_reader *r;
    const char *fix;
    assert_int_equal(cs_xs_reader_open(path("scratch"), ID, &r, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_doccount(r, &n), CS_XS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(cs_xs_reader_spell(r, "comissioning", &fix), CS_XS_OK);
    assert_string_equal(fix, "");
    cs_xs_reader_close(r);

    assert_int_equal(cs_xs_writer_open(path("scratch-to"), CS_XS_OVERWRITE, ID, &to, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_writer_pass_spelling(w, to), CS_XS_OK);
    assert_int_equal(cs_xs_writer_pass_spelling(w, w), CS_XS_BAD_ARG);
    assert_int_equal(cs_xs_writer_close(w), CS_XS_OK);
    assert_int_equal(cs_xs_writer_close(to), CS_XS_OK);
    assert_int_equal(cs_xs_reader_open(path("scratch-to"), ID, &r, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_spell(r, "comissioning", &fix), CS_XS_OK);
    assert_string_equal(fix, "commissioning");
    cs_xs_reader_close(r);
}

/* A database opened empty skips the delete for an id it has not added,
 * but an id added before, in the same batch or an earlier commit, is
 * still replaced: one document per id, the last one. */
static void a_fresh_database_replaces_the_ids_it_added(void **state)
{
    (void)state;
    static const int modes[] = { CS_XS_OVERWRITE, CS_XS_SCRATCH };
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        build("fresh");
        cs_xs_writer *w;
        unsigned n;
        char *v = NULL;
        assert_int_equal(cs_xs_writer_open(path("fresh"), modes[m], ID, &w, NULL), CS_XS_OK);
        put(w, "a", "first text", "2019-01-01", NULL);
        put(w, "a", "second text", "2019-02-02", NULL);
        assert_int_equal(cs_xs_writer_doccount(w, &n), CS_XS_OK);
        assert_int_equal(n, 1);
        assert_int_equal(cs_xs_writer_commit(w), CS_XS_OK);
        put(w, "a", "third text", "2019-03-03", NULL);
        put(w, "b", "other text", "2019-04-04", NULL);
        assert_int_equal(cs_xs_writer_doccount(w, &n), CS_XS_OK);
        assert_int_equal(n, 2);
        assert_int_equal(cs_xs_writer_get_value(w, "a", 0, &v, NULL), CS_XS_OK);
        assert_string_equal(v, "2019-03-03");
        free(v);
        assert_int_equal(cs_xs_writer_delete(w, "b"), CS_XS_OK);
        put(w, "b", "back again", "2019-05-05", NULL);
        assert_int_equal(cs_xs_writer_doccount(w, &n), CS_XS_OK);
        assert_int_equal(n, 2);
        assert_int_equal(cs_xs_writer_close(w), CS_XS_OK);
    }
}

static void terms_phrases_ranges_and_facets(void **state)
{
    (void)state;
    build("db2");
    cs_xs_reader *r;
    assert_int_equal(cs_xs_reader_open(path("db2"), ID, &r, NULL), CS_XS_OK);

    /* Ids are found under the prefix the reader was opened with. */
    const char *data;
    size_t len;
    assert_int_equal(cs_xs_reader_get(r, "a", &data, &len), CS_XS_OK);
    assert_int_equal(cs_xs_reader_get(r, "Ka", &data, &len), CS_XS_NOT_FOUND);
    cs_xs_reader *other;
    assert_int_equal(cs_xs_reader_open(path("db2"), "Q", &other, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_get(other, "a", &data, &len), CS_XS_NOT_FOUND);
    cs_xs_reader_close(other);

    cs_xs_query *q = cs_xs_query_term("officer", 1, 0);
    cs_xs_results *res = search(r, q, 1);
    int exact;
    assert_int_equal(cs_xs_results_total(res, &exact), 3);
    assert_int_equal(exact, 1);
    const cs_xs_facet_value *fv;
    size_t nf = cs_xs_results_facet(res, 0, &fv);
    assert_int_equal(nf, 2);                        /* Leicester 2, Rutland 1 */
    assert_string_equal(fv[0].value, "Leicester");
    assert_int_equal(fv[0].count, 2);
    assert_string_equal(fv[1].value, "Rutland");
    assert_int_equal(fv[1].count, 1);
    cs_xs_results_free(res);
    cs_xs_query_free(q);

    /* "accountable officer" as a phrase: a and b, not d (reversed). */
    q = terms(CS_XS_OP_PHRASE, "accountable", "officer", 0);
    res = search(r, q, 0);
    assert_int_equal(cs_xs_results_total(res, NULL), 2);
    cs_xs_results_free(res);
    cs_xs_query_free(q);

    q = terms(CS_XS_OP_NEAR, "officer", "accountable", 2);
    res = search(r, q, 0);
    assert_int_equal(cs_xs_results_total(res, NULL), 3);
    cs_xs_results_free(res);
    cs_xs_query_free(q);

    q = cs_xs_query_value_range(0, "2019-01-01", NULL);
    res = search(r, q, 0);
    assert_int_equal(cs_xs_results_total(res, NULL), 2);
    cs_xs_results_free(res);
    cs_xs_query_free(q);

    /* Sorted by date, newest first; the data is the id. */
    cs_xs_search_opts o = { 0 };
    q = cs_xs_query_match_all();
    o.query = q;
    o.limit = 10;
    o.sort = CS_XS_SORT_VALUE_DESC;
    o.sort_slot = 0;
    assert_int_equal(cs_xs_search(r, &o, &res), CS_XS_OK);
    assert_int_equal(cs_xs_results_size(res), 4);
    cs_xs_hit h;
    cs_xs_results_hit(res, 0, &h);
    assert_memory_equal(h.data, "c", 1);
    cs_xs_results_hit(res, 3, &h);
    assert_memory_equal(h.data, "d", 1);            /* no date sorts last */
    cs_xs_results_free(res);

    /* CS_XS_MAX_FACETS slots may be counted at once, not one more. */
    o.sort = CS_XS_SORT_RELEVANCE;
    o.exact_total = 1;
    o.nfacets = CS_XS_MAX_FACETS;
    assert_int_equal(cs_xs_search(r, &o, &res), CS_XS_OK);
    cs_xs_results_free(res);
    o.nfacets = CS_XS_MAX_FACETS + 1;
    assert_int_equal(cs_xs_search(r, &o, &res), CS_XS_BAD_ARG);
    cs_xs_query_free(q);

    assert_int_equal(cs_xs_reader_get(r, "c", &data, &len), CS_XS_OK);
    assert_int_equal(len, 1);
    assert_int_equal(cs_xs_reader_get(r, "nope", &data, &len), CS_XS_NOT_FOUND);
    cs_xs_reader_close(r);
}

static void reader_sees_commits_after_refresh(void **state)
{
    (void)state;
    build("db3");
    cs_xs_reader *r;
    assert_int_equal(cs_xs_reader_open(path("db3"), ID, &r, NULL), CS_XS_OK);
    cs_xs_writer *w;
    assert_int_equal(cs_xs_writer_open(path("db3"), CS_XS_CREATE_OR_OPEN, ID, &w, NULL), CS_XS_OK);
    put(w, "e", "brand new words", NULL, NULL);
    assert_int_equal(cs_xs_writer_commit(w), CS_XS_OK);
    unsigned n;
    assert_int_equal(cs_xs_reader_doccount(r, &n), CS_XS_OK);
    assert_int_equal(n, 4);
    int changed = 0;
    assert_int_equal(cs_xs_reader_refresh(r, 0, &changed), CS_XS_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(cs_xs_reader_doccount(r, &n), CS_XS_OK);
    assert_int_equal(n, 5);
    cs_xs_writer_close(w);
    cs_xs_reader_close(r);
}

/* Facet values of "officer" over slot 2, as "value count, ...". */
static void officer_facets_are(cs_xs_reader *r, const char *want)
{
    cs_xs_query *q = cs_xs_query_term("officer", 1, 0);
    cs_xs_results *res = search(r, q, 1);
    const cs_xs_facet_value *fv;
    size_t nf = cs_xs_results_facet(res, 0, &fv);
    char got[256] = "";
    for (size_t i = 0; i < nf; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s %u", i ? ", " : "",
                 fv[i].value, fv[i].count);
    assert_string_equal(got, want);
    cs_xs_results_free(res);
    cs_xs_query_free(q);
}

static void facet_columns_follow_commits_and_readers(void **state)
{
    (void)state;
    build("db5");
    cs_xs_reader *r, *old;
    assert_int_equal(cs_xs_reader_open(path("db5"), ID, &r, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_open(path("db5"), ID, &old, NULL), CS_XS_OK);
    officer_facets_are(r, "Leicester 2, Rutland 1");
    /* A changed document, a new one and a deleted one. */
    cs_xs_writer *w;
    assert_int_equal(cs_xs_writer_open(path("db5"), CS_XS_CREATE_OR_OPEN, ID, &w, NULL), CS_XS_OK);
    put(w, "b", "the accountable officer moved", NULL, "Essex");
    put(w, "e", "a new officer", NULL, "Rutland\x1f" "Essex");
    assert_int_equal(cs_xs_writer_delete(w, "a"), CS_XS_OK);
    assert_int_equal(cs_xs_writer_commit(w), CS_XS_OK);
    /* The reader that has not looked yet still counts what it sees, from
     * the column the other one extends. */
    assert_int_equal(cs_xs_reader_refresh(r, 0, NULL), CS_XS_OK);
    officer_facets_are(r, "Essex 2, Rutland 1");
    officer_facets_are(old, "Leicester 2, Rutland 1");
    assert_int_equal(cs_xs_reader_refresh(old, 0, NULL), CS_XS_OK);
    officer_facets_are(old, "Essex 2, Rutland 1");
    cs_xs_writer_close(w);
    /* A database made again at the same path is another: its own column. */
    build("db5");
    assert_int_equal(cs_xs_reader_refresh(r, 1, NULL), CS_XS_OK);
    unsigned n;
    assert_int_equal(cs_xs_reader_doccount(r, &n), CS_XS_OK);
    assert_int_equal(n, 4);
    officer_facets_are(r, "Leicester 2, Rutland 1");
    cs_xs_reader_close(r);
    cs_xs_reader_close(old);
}

/* The data_slot 2 values of the hits for "officer" (ranked by date, so
 * that the order is fixed), as "value|value|..."; memory says whether
 * they were read from the reader's in-memory table. */
static void officer_hits_are(cs_xs_reader *r, const char *want, bool memory)
{
    cs_xs_query *q = cs_xs_query_term("officer", 1, 0);
    cs_xs_search_opts o = { 0 };
    cs_xs_results *res = NULL;
    o.query = q;
    o.limit = 10;
    o.sort = CS_XS_SORT_VALUE_ASC;
    o.sort_slot = 0;
    o.data_slot = 2;
    assert_int_equal(cs_xs_search(r, &o, &res), CS_XS_OK);
    char got[256] = "";
    for (size_t i = 0; i < cs_xs_results_size(res); i++) {
        cs_xs_hit h;
        cs_xs_results_hit(res, i, &h);
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%.*s", i ? "|" : "",
                 (int)h.len, h.data);
    }
    assert_string_equal(got, want);
    assert_int_equal(cs_xs_results_memory_hits(res), memory ? cs_xs_results_size(res) : 0);
    cs_xs_results_free(res);
    cs_xs_query_free(q);
}

/* Hits read from the in-memory table of a slot's values are those read
 * from the database, after commits too; past its byte limit the table
 * holds nothing and hits come from the database. */
static void hit_tables_follow_commits_and_their_limit(void **state)
{
    (void)state;
    build("db6");
    cs_xs_reader *r, *plain, *small;
    assert_int_equal(cs_xs_reader_open(path("db6"), ID, &r, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_open(path("db6"), ID, &plain, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_open(path("db6"), ID, &small, NULL), CS_XS_OK);
    size_t bytes = 0, none = 1;
    /* The offsets of ids 0..5, and "Leicester\x1fRutland" + "Leicester" +
     * "Essex": 6 * 4 + 9 + 1 + 7 + 9 + 5 = 55 bytes, exactly the limit. */
    assert_int_equal(cs_xs_reader_prepare_hits(r, 2, 55, &bytes), CS_XS_OK);
    assert_int_equal(bytes, 55);
    /* One byte short: over the limit. */
    assert_int_equal(cs_xs_reader_prepare_hits(small, 2, 54, &none), CS_XS_OK);
    assert_int_equal(none, 0);
    /* Documents without a date first: "d" has no value either. */
    const char *before = "|Leicester\x1fRutland|Leicester";
    officer_hits_are(r, before, true);
    officer_hits_are(plain, before, false);
    officer_hits_are(small, before, false);

    cs_xs_writer *w;
    assert_int_equal(cs_xs_writer_open(path("db6"), CS_XS_CREATE_OR_OPEN, ID, &w, NULL), CS_XS_OK);
    put(w, "b", "the accountable officer moved", "2019-02-01", "Essex");
    put(w, "e", "a new officer", "2020-01-01", "Rutland\x1f" "Essex");
    assert_int_equal(cs_xs_writer_delete(w, "a"), CS_XS_OK);
    assert_int_equal(cs_xs_writer_commit(w), CS_XS_OK);
    cs_xs_writer_close(w);
    const char *after = "|Essex|Rutland\x1f" "Essex";
    /* r's table, extended by its search to the two new ids (two more
     * offsets and 5 + 13 bytes of values), passes its 55 bytes: over, and
     * the hits come from the database. */
    for (cs_xs_reader **x = (cs_xs_reader *[]){ r, plain, small, NULL }; *x; x++) {
        assert_int_equal(cs_xs_reader_refresh(*x, 0, NULL), CS_XS_OK);
        officer_hits_are(*x, after, false);
    }
    assert_int_equal(cs_xs_reader_prepare_hits(r, 2, 55, &bytes), CS_XS_OK);
    assert_int_equal(bytes, 0);
    /* Made afresh (another limit), it holds only the live documents:
     * 8 * 4 bytes of offsets and 5 + 5 + 13 of values. */
    assert_int_equal(cs_xs_reader_prepare_hits(r, 2, 81, &bytes), CS_XS_OK);
    assert_int_equal(bytes, 55);
    officer_hits_are(r, after, true);
    /* Another reader of the same database takes the table made. */
    assert_int_equal(cs_xs_reader_prepare_hits(plain, 2, 81, &bytes), CS_XS_OK);
    assert_int_equal(bytes, 55);
    officer_hits_are(plain, after, true);
    cs_xs_reader_close(r);
    cs_xs_reader_close(plain);
    cs_xs_reader_close(small);
}

/* A reader still at an older revision never takes a table extended at a
 * newer one: there, a document it holds may have been read as deleted. */
static void tables_are_never_newer_than_their_reader(void **state)
{
    (void)state;
    build("db7");
    cs_xs_reader *a, *c, *d;
    assert_int_equal(cs_xs_reader_open(path("db7"), ID, &a, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_prepare_hits(a, 2, 1 << 20, NULL), CS_XS_OK);
    officer_facets_are(a, "Leicester 2, Rutland 1");
    cs_xs_writer *w;
    assert_int_equal(cs_xs_writer_open(path("db7"), CS_XS_CREATE_OR_OPEN, ID, &w, NULL), CS_XS_OK);
    put(w, "x", "x officer", "2000-01-01", "Old");
    assert_int_equal(cs_xs_writer_commit(w), CS_XS_OK);
    /* d opens with x as it was; x is then changed (deleted and added). */
    assert_int_equal(cs_xs_reader_open(path("db7"), ID, &d, NULL), CS_XS_OK);
    put(w, "x", "x officer", "2000-01-01", "New");
    assert_int_equal(cs_xs_writer_commit(w), CS_XS_OK);
    assert_int_equal(cs_xs_reader_open(path("db7"), ID, &c, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_prepare_hits(c, 2, 1 << 20, NULL), CS_XS_OK);
    officer_hits_are(c, "|New|Leicester\x1fRutland|Leicester", true);
    officer_facets_are(c, "Leicester 2, New 1, Rutland 1");
    assert_int_equal(cs_xs_reader_prepare_hits(d, 2, 1 << 20, NULL), CS_XS_OK);
    officer_hits_are(d, "|Old|Leicester\x1fRutland|Leicester", true);
    officer_facets_are(d, "Leicester 2, Old 1, Rutland 1");
    cs_xs_writer_close(w);
    cs_xs_reader_close(a);
    cs_xs_reader_close(c);
    cs_xs_reader_close(d);
}

/* A changed document leaves its old entries in the tables read before
 * the change; past CS_XS_TABLE_STALE_SLACK more than twice the live
 * documents, a table is made again from the live ones, and its memory
 * falls back. */
static void mostly_stale_tables_are_made_again(void **state)
{
    (void)state;
    build("db8");
    cs_xs_reader *r;
    unsigned slot = 2;
    size_t hits = 0, facets = 0, most_hits = 0, most_facets = 0;
    assert_int_equal(cs_xs_reader_open(path("db8"), ID, &r, NULL), CS_XS_OK);
    assert_int_equal(cs_xs_reader_prepare_hits(r, slot, 1 << 20, &most_hits), CS_XS_OK);
    assert_int_equal(cs_xs_reader_prepare_facets(r, &slot, 1, &most_facets), CS_XS_OK);
    cs_xs_writer *w;
    assert_int_equal(cs_xs_writer_open(path("db8"), CS_XS_CREATE_OR_OPEN, ID, &w, NULL), CS_XS_OK);
    /* When change i arrives the tables have read 3 + i documents with
     * values (3 at first, one per change) while 4 are live: they are made
     * again at the first i where 3 + i passes 2 * 4 + the slack. */
    int again = -1;
    for (int i = 0; i < 2 * 4 + CS_XS_TABLE_STALE_SLACK && again < 0; i++) {
        put(w, "b", "the accountable officer resigned", "2019-01-21",
            i % 2 ? "Leicester" : "Essex");
        assert_int_equal(cs_xs_writer_commit(w), CS_XS_OK);
        assert_int_equal(cs_xs_reader_refresh(r, 0, NULL), CS_XS_OK);
        assert_int_equal(cs_xs_reader_prepare_hits(r, slot, 1 << 20, &hits), CS_XS_OK);
        assert_int_equal(cs_xs_reader_prepare_facets(r, &slot, 1, &facets), CS_XS_OK);
        /* The hit table is exactly its size, so it grows at each change
         * until it is made again; the facet table's vectors are not. */
        if (hits < most_hits)
            again = i;
        else
            most_hits = hits;
        if (again < 0 && facets > most_facets)
            most_facets = facets;
    }
    cs_xs_writer_close(w);
    assert_int_equal(again, 2 * 4 + CS_XS_TABLE_STALE_SLACK - 3 + 1);
    assert_true(hits < most_hits / 2);
    assert_true(facets < most_facets);
    /* The last change (i = 70) wrote "Essex". */
    officer_hits_are(r, "|Leicester\x1fRutland|Essex", true);
    officer_facets_are(r, "Essex 1, Leicester 1, Rutland 1");
    cs_xs_reader_close(r);
}

/* Shards merged into one database: every document, in shard order, with
 * its values (facet columns of the merged database), its spelling words
 * summed over the shards and the first shard's metadata. */
static void compact_merges_shards(void **state)
{
    (void)state;
    const char *names[] = { "s0", "s1", "s2" };
    const char *ids[] = { "a", "b", "c", "d", "e" };
    const char *facets[] = { "Leicester", "Rutland", "Leicester\x1f" "Essex", "Essex", "Leicester" };
    for (size_t k = 0; k < 3; k++) {
        cs_xs_writer *w;
        assert_int_equal(cs_xs_writer_open(path(names[k]), CS_XS_OVERWRITE, ID, &w, NULL),
                         CS_XS_OK);
        /* Shard 2 stays empty, as one may when there are more shards
         * than documents. */
        for (size_t i = k; k < 2 && i < 5; i += 2) {
            cs_xs_doc *d = doc(ids[i], "the accountable officer", NULL, facets[i]);
            assert_int_equal(cs_xs_doc_add_spelling(d, "accountable"), CS_XS_OK);
            assert_int_equal(cs_xs_writer_replace(w, d), CS_XS_OK);
            cs_xs_doc_free(d);
        }
        assert_int_equal(cs_xs_writer_set_metadata(w, "k", names[k]), CS_XS_OK);
        assert_int_equal(cs_xs_writer_close(w), CS_XS_OK);
    }
    char p0[300], p1[300], p2[300];
    snprintf(p0, sizeof p0, "%s", path("s0"));
    snprintf(p1, sizeof p1, "%s", path("s1"));
    snprintf(p2, sizeof p2, "%s", path("s2"));
    const char *srcs[] = { p0, p1, p2 };
    cs_err err;
    assert_int_equal(cs_xs_compact(srcs, 3, path("merged"), &err), CS_XS_OK);
    assert_int_equal(err.code, CS_OK);
    cs_xs_reader *r;
    assert_int_equal(cs_xs_reader_open(path("merged"), ID, &r, NULL), CS_XS_OK);
    unsigned n;
    assert_int_equal(cs_xs_reader_doccount(r, &n), CS_XS_OK);
    assert_int_equal(n, 5);
    officer_facets_are(r, "Leicester 3, Essex 2, Rutland 1");
    const char *data;
    size_t len;
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(cs_xs_reader_get(r, ids[i], &data, &len), CS_XS_OK);
        assert_memory_equal(data, ids[i], len);
    }
    /* Shard 0's documents (a, c, e) first, then shard 1's (b, d). */
    cs_xs_query *q = cs_xs_query_term("officer", 1, 0);
    cs_xs_results *res = search(r, q, 0);
    cs_xs_hit h;
    char order[8] = "";
    for (size_t i = 0; i < cs_xs_results_size(res); i++) {
        cs_xs_results_hit(res, i, &h);
        order[h.docid - 1] = h.data[0];
    }
    assert_string_equal(order, "acebd");
    cs_xs_results_free(res);
    cs_xs_query_free(q);
    const char *v;
    assert_int_equal(cs_xs_reader_metadata(r, "k", &v), CS_XS_OK);
    assert_string_equal(v, "s0");
    assert_int_equal(cs_xs_reader_spell(r, "acountable", &v), CS_XS_OK);
    assert_string_equal(v, "accountable");
    cs_xs_reader_close(r);
    /* A missing source is an error with a message, not an exception. */
    const char *bad[] = { p0, "/nonexistent/shard" };
    assert_int_not_equal(cs_xs_compact(bad, 2, path("merged2"), &err), CS_XS_OK);
    assert_int_equal(err.code, CS_E_INDEX);
    assert_true(err.msg[0] != '\0');
}

static void count_fn(void *ctx, const char *t, size_t l, unsigned f)
{
    (void)t;
    (void)l;
    (void)f;
    ++*(unsigned *)ctx;
}

static void term_listing_stops_at_max(void **state)
{
    (void)state;
    build("db4");
    cs_xs_reader *r;
    assert_int_equal(cs_xs_reader_open(path("db4"), ID, &r, NULL), CS_XS_OK);
    int more = 0;
    unsigned count = 0;
    assert_int_equal(cs_xs_reader_terms(r, "o", 1, count_fn, &count, &more), CS_XS_OK);
    assert_int_equal(count, 1);                     /* "of" and "officer" exist */
    assert_int_equal(more, 1);
    count = 0;
    assert_int_equal(cs_xs_reader_terms(r, "o", 2, count_fn, &count, &more), CS_XS_OK);
    assert_int_equal(count, 2);
    assert_int_equal(more, 0);
    cs_xs_reader_close(r);
}

static void stemmer_stems(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(cs_xs_stem("mergers", 7, out, sizeof out), 6);
    assert_string_equal(out, "merger");
    assert_int_equal(cs_xs_stem("commissioning", 13, out, 4), 0);   /* too small */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_names_are_distinct),
        cmocka_unit_test(open_failures_report_a_message),
        cmocka_unit_test(second_writer_is_locked_out),
        cmocka_unit_test(bad_terms_are_refused_not_thrown),
        cmocka_unit_test(replace_by_id_and_delete),
        cmocka_unit_test(scratch_overwrites_and_passes_spelling),
        cmocka_unit_test(a_fresh_database_replaces_the_ids_it_added),
        cmocka_unit_test(terms_phrases_ranges_and_facets),
        cmocka_unit_test(facet_columns_follow_commits_and_readers),
        cmocka_unit_test(hit_tables_follow_commits_and_their_limit),
        cmocka_unit_test(tables_are_never_newer_than_their_reader),
        cmocka_unit_test(mostly_stale_tables_are_made_again),
        cmocka_unit_test(reader_sees_commits_after_refresh),
        cmocka_unit_test(compact_merges_shards),
        cmocka_unit_test(term_listing_stops_at_max),
        cmocka_unit_test(stemmer_stems),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
