/* Unit tests of the engine: typed requests in, typed results out, on a real
 * index of the seed corpus (../shared/corpora/seeds) that the real
 * ccg-indexer builds in a temporary directory at setup.  No JSON, no
 * sockets: what the codec decodes is built here by hand or by the
 * decoders, and the results are read field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/limits.h"
#include "core/util.h"
#include "serve/engine.h"
#include "serve/stored.h"
#include "index/xapian_shim.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp[] = "/tmp/ccg-engine-XXXXXX";
static char root[PATH_MAX];
static cs_engine *eng;

/* The source tree: the nearest folder above this program with lib/serve. */
static int find_root(void)
{
    char exe[PATH_MAX], probe[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    snprintf(root, sizeof root, "%s", exe);
    while (strcmp(root, "/") != 0) {
        snprintf(root, sizeof root, "%s", dirname(root));
        snprintf(probe, sizeof probe, "%s/lib/serve", root);
        if (access(probe, F_OK) == 0)
            return 0;
    }
    return -1;
}

static int setup(void **state)
{
    (void)state;
    char cmd[3 * PATH_MAX];
    const char *bin = getenv("CCG_BIN");
    if (find_root() != 0 || !mkdtemp(tmp))
        return -1;
    /* One writer (--jobs 1) numbers the documents in input order, which
     * the order of unweighted (filter-only) hits below follows; a parallel
     * build numbers them shard by shard. */
    snprintf(cmd, sizeof cmd, "'%s/%s/ccg-indexer' --jobs 1 --index '%s/ix' "
             "'%s/../shared/corpora/seeds' >/dev/null 2>&1", bin && bin[0] == '/' ? "" : root, bin ? bin : "bin", tmp, root);
    if (system(cmd) != 0) {
        fprintf(stderr, "setup: %s failed\n", cmd);
        return -1;
    }
    snprintf(cmd, sizeof cmd, "%s/ix", tmp);
    cs_err err;
    cs_engine_opts o = { 0 };
    eng = cs_engine_open(cmd, &o, &err);
    if (!eng)
        fprintf(stderr, "setup: %s\n", err.msg);
    return eng ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[sizeof tmp + 16];
    cs_engine_close(eng);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* A search from a line argument, as the daemon decodes it. */
static bool search(const char *arg, cs_search_result *r, cs_err *err)
{
    cs_search_req req;
    bool ok = cs_search_req_decode(&req, arg, strlen(arg), err);
    assert_true(ok);
    ok = cs_engine_search(eng, &req, r, err);
    cs_search_req_free(&req);
    return ok;
}

/* A search of text as a search box sends it: "syntax":"plain", and
 * "prefix" as given. */
static bool search_plain(const char *text, bool prefix, cs_search_result *r, cs_err *err)
{
    cs_search_req req;
    assert_true(cs_search_req_from_text(&req, text, strlen(text), err));
    req.syntax = CS_SYNTAX_PLAIN;
    req.prefix = prefix;
    bool ok = cs_engine_search(eng, &req, r, err);
    cs_search_req_free(&req);
    return ok;
}

static unsigned facet_count(const cs_search_result *r, cs_facet f, const char *value)
{
    for (size_t i = 0; i < r->facets[f].n; i++)
        if (strcmp(r->facets[f].values[i].value, value) == 0)
            return r->facets[f].values[i].count;
    return 0;
}

static void search_ranks_and_counts(void **state)
{
    (void)state;
    cs_search_result r;
    cs_err err;
    static const char *const want[] = { "000_a0141472471f05fe", "001_30771f8563898753",
                                        "004_7a0772fac955139b", "002_384a417d6ab5e7e1",
                                        "003_0ecb9dfa299ccda2" };
    assert_true(search("accountable officer", &r, &err));
    assert_int_equal(r.total, 5);
    assert_true(r.total_exact);
    assert_int_equal(r.offset, 0);
    assert_int_equal(r.limit, CS_DEFAULT_RESULT_LIMIT);
    assert_int_equal(r.nhits, 5);
    for (size_t i = 0; i < r.nhits; i++) {
        assert_string_equal(r.hits[i].doc.id, want[i]);
        assert_int_equal(r.hits[i].rank, i + 1);
        assert_non_null(r.hits[i].snippet);
        assert_non_null(strstr(r.hits[i].snippet, "<mark>"));
        if (i > 0)
            assert_true(r.hits[i].score <= r.hits[i - 1].score);
    }
    assert_string_equal(r.hits[0].doc.title, "Plans for a single accountable officer for three "
                        "Leicestershire and Rutland CCGs have stalled");
    assert_null(r.hits[0].doc.date);
    for (int f = 0; f < CS_NFACETS; f++)
        assert_true(r.facets[f].asked);
    assert_int_equal(r.facets[CS_FACET_CCG].n, CS_DEFAULT_FACET_LIMIT);
    assert_string_equal(r.facets[CS_FACET_CCG].values[0].value, "NHS East Leicestershire and Rutland CCG");
    assert_int_equal(facet_count(&r, CS_FACET_CCG, "NHS Leicester City CCG"), 4);
    assert_int_equal(facet_count(&r, CS_FACET_ROLE, "accountable officer"), 5);
    assert_int_equal(facet_count(&r, CS_FACET_ROLE, "clinical chair"), 3);
    assert_int_equal(facet_count(&r, CS_FACET_PERSON, "Azhar Farooqi"), 3);
    /* The seeds gold: Rutland is a place in two of them; in the others it
     * is only the area of "Leicestershire and Rutland CCGs". */
    assert_int_equal(facet_count(&r, CS_FACET_PLACE, "Rutland"), 2);
    assert_null(r.corrected);
    assert_false(r.corrected_results);
    cs_search_result_free(&r);
}

/* Facets count the whole match set, not the page; a filtered facet is
 * counted without its own filter. */
static void search_facets_and_filters(void **state)
{
    (void)state;
    cs_search_result r;
    cs_err err;
    assert_true(search("{\"q\":\"accountable officer\",\"limit\":3,\"facets\":[\"ccg\"]}", &r, &err));
    assert_int_equal(r.total, 5);
    assert_int_equal(r.nhits, 3);
    assert_true(r.facets[CS_FACET_CCG].asked);
    assert_false(r.facets[CS_FACET_ROLE].asked);
    assert_int_equal(facet_count(&r, CS_FACET_CCG, "NHS Leicester City CCG"), 4);
    cs_search_result_free(&r);

    assert_true(search("{\"filter\":{\"ccg\":\"Leicester City\",\"role\":\"clinical chair\"},"
                       "\"facets\":[\"ccg\",\"role\",\"person\"]}", &r, &err));
    assert_int_equal(r.total, 3);
    assert_string_equal(r.hits[0].doc.id, "001_30771f8563898753");
    assert_int_equal(r.facets[CS_FACET_CCG].n, 3);
    assert_int_equal(facet_count(&r, CS_FACET_CCG, "NHS Leicester City CCG"), 3);
    /* Without the role filter, four documents name an accountable officer. */
    assert_int_equal(facet_count(&r, CS_FACET_ROLE, "accountable officer"), 4);
    assert_int_equal(facet_count(&r, CS_FACET_PERSON, "Ursula Montgomery"), 3);
    assert_false(r.facets[CS_FACET_PLACE].asked);
    cs_search_result_free(&r);

    assert_true(search("{\"filter\":{\"ccg\":[\"Corby\"]},\"snippets\":false}", &r, &err));
    assert_int_equal(r.total, 1);
    assert_string_equal(r.hits[0].doc.id, "000_a0141472471f05fe");
    assert_null(r.hits[0].snippet);
    assert_null(r.hits[0].doc.body);        /* the hit summary, not the document */
    assert_true(r.hits[0].doc.has_entities);
    cs_search_result_free(&r);
}

static void search_sorts_and_pages(void **state)
{
    (void)state;
    cs_search_result r;
    cs_err err;
    assert_true(search("{\"q\":\"merger\",\"sort\":\"date\",\"limit\":100,\"facets\":[]}", &r, &err));
    assert_int_equal(r.nhits, 5);
    assert_string_equal(r.hits[0].doc.date, "2019-01-21");
    assert_string_equal(r.hits[1].doc.date, "2018-12-12");
    assert_null(r.hits[2].doc.date);
    for (int f = 0; f < CS_NFACETS; f++)
        assert_false(r.facets[f].asked);
    cs_search_result_free(&r);
    assert_true(search("{\"q\":\"merger\",\"offset\":3,\"limit\":7,\"facets\":[]}", &r, &err));
    assert_int_equal(r.total, 5);
    assert_int_equal(r.nhits, 2);
    assert_int_equal(r.hits[0].rank, 4);
    assert_int_equal(r.offset, 3);
    assert_int_equal(r.limit, 7);
    cs_search_result_free(&r);
}

/* A query that matches nothing as typed is answered corrected. */
static void search_corrects_spelling(void **state)
{
    (void)state;
    cs_search_result r;
    cs_err err;
    assert_true(search("acountable oficer", &r, &err));
    assert_string_equal(r.corrected, "accountable officer");
    assert_true(r.corrected_results);
    assert_int_equal(r.total, 5);
    cs_search_result_free(&r);
    assert_true(search("Leicestr merger", &r, &err));
    assert_string_equal(r.corrected, "leicester merger");
    assert_int_equal(r.total, 4);
    assert_string_equal(r.hits[0].doc.id, "002_384a417d6ab5e7e1");
    cs_search_result_free(&r);
}

static void search_refuses_bad_queries(void **state)
{
    (void)state;
    static const struct {
        const char *q, *msg;
    } bad[] = {
        { "merger AND", "'AND' needs a term after it at column 11" },
        { "\"unclosed phrase", "unterminated phrase (no closing \") at column 1" },
        { "((merger", "this '(' is never closed at column 2" },
        { "date:2019-13-01", "dates are written YYYY-MM-DD, YYYY-MM or YYYY at column 1" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cs_search_result r;
        cs_err err;
        assert_false(search(bad[i].q, &r, &err));
        assert_int_equal(cs_errcode_wire(err.code), CS_E_BAD_QUERY);
        assert_string_equal(err.msg, bad[i].msg);
        assert_null(r.hits);
        cs_search_result_free(&r);          /* harmless on a failed search */
    }
}

/* Whatever is typed, plain text is searched (compiled and run on the
 * index), never refused: the query language's own refusals included. */
static void plain_search_never_refuses(void **state)
{
    (void)state;
    static const char *const typed[] = {
        "merger AND", "\"unclosed phrase", "((merger", "date:2019-13-01", "\"", "(", ")",
        "AND", "NOT", "-", "+", "title:", "*", "merg*", "NEAR/5", "nene NEAR/0 corby",
        "ccg:", "!?.,;:", "the of and", "a", "", "   ", "x*y*z", "o’brien's",
    };
    char many[200 * 8] = "";
    for (int i = 0; i < 200; i++)
        sprintf(many + strlen(many), "w%d ", i);
    for (size_t i = 0; i <= sizeof typed / sizeof typed[0]; i++) {
        const char *t = i < sizeof typed / sizeof typed[0] ? typed[i] : many;
        for (int prefix = 0; prefix < 2; prefix++) {
            cs_search_result r;
            cs_err err;
            if (!search_plain(t, prefix, &r, &err))
                fail_msg("'%.40s' (prefix %d): %s", t, prefix, err.msg);
            cs_search_result_free(&r);
        }
    }
}

/* A search of {"q": words, "match": "any"} with no facets, by relevance
 * or (by_date) newest first, where no feedback changes the scores. */
static bool search_any_sorted(const char *words, bool by_date, cs_search_result *r,
                              cs_err *err)
{
    size_t cap = strlen(words) + 128;
    char *arg = malloc(cap);
    assert_non_null(arg);
    snprintf(arg, cap, "{\"q\":\"%s\",\"match\":\"any\",\"facets\":[],\"limit\":20%s}",
             words, by_date ? ",\"sort\":\"date\"" : "");
    bool ok = search(arg, r, err);
    free(arg);
    return ok;
}

static bool search_any(const char *words, cs_search_result *r, cs_err *err)
{
    return search_any_sorted(words, false, r, err);
}

/* With match "any" a repeated word is searched once, weighing as much as
 * all its repeats (the same ranking as searching every one), however many
 * times it is repeated: far more than CS_MAX_ANY_TERMS times here.  (By
 * date: feedback, which does not grow with the repeats, stays out.) */
static void any_merges_repeated_words(void **state)
{
    (void)state;
    enum { REPEATS = CS_MAX_ANY_TERMS * 3 };
    cs_search_result one, many;
    cs_err err;
    char *text = malloc(REPEATS * 8 + 1);
    assert_non_null(text);
    text[0] = '\0';
    for (int i = 0; i < REPEATS; i++)
        strcat(text, i % 2 ? "Mergers " : "merger ");
    assert_true(search_any_sorted("merger", true, &one, &err));
    assert_true(one.nhits > 1);
    if (!search_any_sorted(text, true, &many, &err))
        fail_msg("%d repeats: %s", REPEATS, err.msg);
    assert_int_equal(many.total, one.total);
    assert_int_equal(many.nhits, one.nhits);
    for (size_t i = 0; i < one.nhits; i++) {
        assert_string_equal(many.hits[i].doc.id, one.hits[i].doc.id);
        double ratio = many.hits[i].score / one.hits[i].score;
        if (ratio < REPEATS * 0.999 || ratio > REPEATS * 1.001)
            fail_msg("hit %zu: score ratio %f, want %d", i, ratio, REPEATS);
    }
    cs_search_result_free(&one);
    cs_search_result_free(&many);
    free(text);
}

/* With match "any" stopwords are dropped: they change neither the match
 * set nor the scores. */
static void any_drops_stopwords(void **state)
{
    (void)state;
    cs_search_result want, r;
    cs_err err;
    assert_true(search_any("merger leicester", &want, &err));
    assert_true(search_any("the merger of what leicester and", &r, &err));
    assert_true(want.nhits > 1);
    assert_int_equal(r.total, want.total);
    assert_int_equal(r.nhits, want.nhits);
    for (size_t i = 0; i < r.nhits; i++) {
        assert_string_equal(r.hits[i].doc.id, want.hits[i].doc.id);
        assert_true(r.hits[i].score == want.hits[i].score);
    }
    cs_search_result_free(&r);
    cs_search_result_free(&want);
}

/* CS_MAX_ANY_TERMS distinct words are searched; a word past them is
 * dropped: merger finds its documents only within the limit.  Past
 * CS_ANY_ELITE_TERMS the rarest are searched, and merger is rarer than
 * the filler words, which are in no document. */
static void any_searches_cs_max_any_terms_words(void **state)
{
    (void)state;
    char *text = malloc((size_t)CS_MAX_ANY_TERMS * 8 + 64);
    assert_non_null(text);
    for (int past = 0; past < 2; past++) {
        cs_search_result r;
        cs_err err;
        text[0] = '\0';
        for (int i = 0; i < CS_MAX_ANY_TERMS - 1 + past; i++)
            sprintf(text + strlen(text), "zq%d ", i);
        strcat(text, "merger");
        if (!search_any(text, &r, &err))
            fail_msg("%d words: %s", CS_MAX_ANY_TERMS + past, err.msg);
        if (past)
            assert_int_equal(r.total, 0);
        else
            assert_true(r.total > 0);
        cs_search_result_free(&r);
    }
    free(text);
}

/* The score of document id in r, or -1 when it is not among r's hits. */
static double score_of(const cs_search_result *r, const char *id)
{
    for (size_t i = 0; i < r->nhits; i++)
        if (strcmp(r->hits[i].doc.id, id) == 0)
            return r->hits[i].score;
    return -1;
}

/* Pseudo-relevance feedback: with match "any" ranked by relevance, the
 * best documents' terms weigh documents up (the top hit scores more than
 * the same words give it sorted by date, where no feedback runs), the
 * match set staying the query's; a query of more than
 * CS_MAX_FEEDBACK_TERMS terms gets none. */
static void any_feedback_reranks_short_queries_only(void **state)
{
    (void)state;
    char *words = malloc((size_t)CS_MAX_FEEDBACK_TERMS * 8 + 64);
    assert_non_null(words);
    for (int extra = 0; extra <= 1; extra++) {
        strcpy(words, "merger leicester");
        /* Words in no document: they count, and match nothing. */
        for (int i = 2; i < CS_MAX_FEEDBACK_TERMS + extra; i++)
            sprintf(words + strlen(words), " zq%d", i);
        char arg[CS_MAX_FEEDBACK_TERMS * 8 + 160];
        cs_search_result ranked, dated;
        cs_err err;
        snprintf(arg, sizeof arg, "{\"q\":\"%s\",\"match\":\"any\",\"facets\":[],\"limit\":100}",
                 words);
        assert_true(search(arg, &ranked, &err));
        snprintf(arg, sizeof arg, "{\"q\":\"%s\",\"match\":\"any\",\"facets\":[],\"limit\":100,"
                 "\"sort\":\"date\"}", words);
        assert_true(search(arg, &dated, &err));
        assert_true(ranked.nhits > 1);
        assert_int_equal(ranked.total, dated.total);
        double plain = score_of(&dated, ranked.hits[0].doc.id);
        assert_true(plain > 0);
        if (extra)
            assert_true(ranked.hits[0].score == plain);
        else if (!(ranked.hits[0].score > plain * 1.01))
            fail_msg("%d terms: score %f, %f without feedback", CS_MAX_FEEDBACK_TERMS,
                     ranked.hits[0].score, plain);
        cs_search_result_free(&ranked);
        cs_search_result_free(&dated);
    }
    free(words);
}

/* Plain text searches its words as the query language searches the same
 * words; text without a word is "" (every document). */
static void plain_search_finds_the_words(void **state)
{
    (void)state;
    cs_search_result r, want;
    cs_err err;
    assert_true(search("merger and", &want, &err));
    assert_true(want.total > 0);
    assert_true(search_plain("merger AND (", false, &r, &err));
    assert_int_equal(r.total, want.total);
    for (size_t i = 0; i < r.nhits; i++)
        assert_string_equal(r.hits[i].doc.id, want.hits[i].doc.id);
    cs_search_result_free(&r);
    cs_search_result_free(&want);
    assert_true(search("", &want, &err));
    assert_true(search_plain("\"( - ) *", false, &r, &err));
    assert_int_equal(r.total, want.total);
    cs_search_result_free(&r);
    cs_search_result_free(&want);
}

/* A prefix of CS_MIN_PREFIX_BYTES matches the words it begins; a shorter
 * one is the exact word only, as without "prefix". */
static void prefix_needs_cs_min_prefix_bytes(void **state)
{
    (void)state;
    cs_search_result r, exact;
    cs_err err;
    char word[] = "accountable";
    word[CS_MIN_PREFIX_BYTES] = '\0';
    assert_true(search_plain(word, true, &r, &err));
    assert_true(search_plain(word, false, &exact, &err));
    assert_true(r.total >= 5);
    assert_true(r.total > exact.total || exact.corrected_results);
    assert_null(r.corrected);
    cs_search_result_free(&r);
    cs_search_result_free(&exact);
    word[CS_MIN_PREFIX_BYTES - 1] = '\0';
    assert_true(search_plain(word, true, &r, &err));
    assert_true(search_plain(word, false, &exact, &err));
    assert_int_equal(r.total, exact.total);
    cs_search_result_free(&r);
    cs_search_result_free(&exact);
}

static void get_reads_the_stored_document(void **state)
{
    (void)state;
    cs_id_req req = { "002_384a417d6ab5e7e1", 20 };
    cs_doc d;
    cs_err err;
    assert_true(cs_engine_get(eng, &req, &d, &err));
    assert_string_equal(d.id, "002_384a417d6ab5e7e1");
    assert_string_equal(d.date, "2018-12-12");
    assert_null(d.source);
    assert_true(d.has_url);
    assert_null(d.url);
    assert_non_null(d.body);
    assert_int_equal(d.nvalues[CS_FACET_CCG], 3);
    assert_string_equal(d.values[CS_FACET_CCG][0], "NHS Leicester City CCG");
    assert_int_equal(d.nvalues[CS_FACET_ORG], 0);
    assert_true(d.has_facet[CS_FACET_ORG]);
    assert_int_equal(d.nrels, 3);
    assert_string_equal(d.rels[0].person, "Azhar Farooqi");
    assert_string_equal(d.rels[0].role, "clinical chair");
    assert_string_equal(d.rels[0].org, "NHS Leicester City CCG");
    cs_doc_free(&d);

    cs_id_req none = { "no-such-document", 16 };
    assert_false(cs_engine_get(eng, &none, &d, &err));
    assert_int_equal(err.code, CS_E_NOT_FOUND);
    assert_string_equal(err.msg, "no document has this id");
    /* Longer than any id can be: not found, without asking the index. */
    char longid[CS_MAX_ID_BYTES + 2];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    cs_id_req too_long = { longid, sizeof longid - 1 };
    assert_false(cs_engine_get(eng, &too_long, &d, &err));
    assert_int_equal(err.code, CS_E_NOT_FOUND);
}

static void similar_finds_related_articles(void **state)
{
    (void)state;
    cs_id_req req = { "002_384a417d6ab5e7e1", 20 };
    cs_similar_result r;
    cs_err err;
    assert_true(cs_engine_similar(eng, &req, &r, &err));
    assert_string_equal(r.id, "002_384a417d6ab5e7e1");
    assert_int_equal(r.nhits, 2);
    assert_string_equal(r.hits[0].doc.id, "003_0ecb9dfa299ccda2");
    assert_string_equal(r.hits[1].doc.id, "001_30771f8563898753");
    assert_non_null(r.hits[0].snippet);
    cs_similar_result_free(&r);
    cs_id_req none = { "no-such-id", 10 };
    assert_false(cs_engine_similar(eng, &none, &r, &err));
    assert_int_equal(err.code, CS_E_NOT_FOUND);
}

static void who_groups_statements(void **state)
{
    (void)state;
    cs_who_req req;
    cs_who_result r;
    cs_err err;
    const char *q = "accountable officer at West Leicestershire";
    assert_true(cs_who_req_decode(&req, q, strlen(q), &err));
    assert_true(cs_engine_who(eng, &req, &r, &err));
    cs_who_req_free(&req);
    assert_null(r.person);
    assert_string_equal(r.role, "accountable officer");
    assert_string_equal(r.org, "NHS West Leicestershire CCG");
    assert_int_equal(r.documents, 1);
    assert_false(r.truncated);
    assert_int_equal(r.nanswers, 1);
    assert_string_equal(r.answers[0].person, "Toby Sanders");
    assert_int_equal(r.answers[0].ndocs, 1);
    assert_string_equal(r.answers[0].docs[0].id, "000_a0141472471f05fe");
    cs_who_result_free(&r);

    /* A person: each (role, organisation) once, as first stated. */
    cs_who_req person = { "Toby Sanders", NULL, NULL };
    assert_true(cs_engine_who(eng, &person, &r, &err));
    /* (The post stated once without its body, beside the same post at
     * NHS West Leicestershire CCG, is that one.) */
    assert_int_equal(r.nanswers, 3);
    assert_string_equal(r.answers[0].role, "accountable officer");
    assert_string_equal(r.answers[0].org, "NHS West Leicestershire CCG");
    assert_string_equal(r.answers[1].role, "chief executive");
    assert_string_equal(r.answers[1].org, "NHS Nene CCG");
    cs_who_result_free(&r);

    cs_who_req nobody = { "Nobody Atall", NULL, NULL };
    assert_true(cs_engine_who(eng, &nobody, &r, &err));
    assert_int_equal(r.documents, 0);
    assert_int_equal(r.nanswers, 0);
    cs_who_result_free(&r);

    cs_who_req dots = { "...", NULL, NULL };
    assert_false(cs_engine_who(eng, &dots, &r, &err));
    assert_int_equal(err.code, CS_E_BAD_REQUEST);
    assert_string_equal(err.msg, "WHO needs words to look for");

    char many[400] = "";
    for (int i = 0; i < 40; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%sword%d", i ? " " : "", i);
    cs_who_req long_name = { many, NULL, NULL };
    assert_false(cs_engine_who(eng, &long_name, &r, &err));
    assert_int_equal(err.code, CS_E_BAD_REQUEST);
    assert_string_equal(err.msg, "the names asked about are too long");
}

/* Everyone the archive names at an organisation: each (person, role) held
 * there, with its documents newest first, answers by their newest. */
static void who_names_everyone_at_an_organisation(void **state)
{
    (void)state;
    cs_who_req req;
    cs_who_result r;
    cs_err err;
    const char *q = "NHS Leicester City CCG";
    assert_true(cs_who_req_decode(&req, q, strlen(q), &err));
    assert_true(cs_engine_who(eng, &req, &r, &err));
    cs_who_req_free(&req);
    assert_null(r.person);
    assert_null(r.role);
    assert_string_equal(r.org, "NHS Leicester City CCG");
    assert_int_equal(r.documents, 3);
    assert_false(r.truncated);
    assert_int_equal(r.nanswers, 1);
    assert_string_equal(r.answers[0].person, "Azhar Farooqi");
    assert_string_equal(r.answers[0].role, "clinical chair");
    assert_string_equal(r.answers[0].org, "NHS Leicester City CCG");
    assert_int_equal(r.answers[0].ndocs, 3);
    assert_string_equal(r.answers[0].docs[0].id, "003_0ecb9dfa299ccda2");
    assert_string_equal(r.answers[0].docs[0].date, "2019-01-21");
    assert_string_equal(r.answers[0].docs[1].id, "002_384a417d6ab5e7e1");
    assert_string_equal(r.answers[0].docs[1].date, "2018-12-12");
    assert_string_equal(r.answers[0].docs[2].id, "001_30771f8563898753");
    assert_null(r.answers[0].docs[2].date);
    cs_who_result_free(&r);

    /* Two people at one CCG, in the one document that names them. */
    cs_who_req corby = { NULL, NULL, "NHS Corby CCG" };
    assert_true(cs_engine_who(eng, &corby, &r, &err));
    assert_int_equal(r.documents, 1);
    assert_int_equal(r.nanswers, 2);
    assert_string_equal(r.answers[0].person, "Toby Sanders");
    assert_string_equal(r.answers[0].role, "chief executive");
    assert_string_equal(r.answers[1].person, "Carole Dehghani");
    assert_string_equal(r.answers[1].role, "accountable officer");
    for (size_t i = 0; i < r.nanswers; i++) {
        assert_string_equal(r.answers[i].org, "NHS Corby CCG");
        assert_int_equal(r.answers[i].ndocs, 1);
        assert_string_equal(r.answers[i].docs[0].id, "000_a0141472471f05fe");
    }
    cs_who_result_free(&r);

    cs_who_req nowhere = { NULL, NULL, "NHS Nowhere CCG" };
    assert_true(cs_engine_who(eng, &nowhere, &r, &err));
    assert_int_equal(r.documents, 0);
    assert_int_equal(r.nanswers, 0);
    assert_string_equal(r.org, "NHS Nowhere CCG");
    cs_who_result_free(&r);

    cs_who_req dots = { NULL, NULL, "..." };
    assert_false(cs_engine_who(eng, &dots, &r, &err));
    assert_int_equal(err.code, CS_E_BAD_REQUEST);
    assert_string_equal(err.msg, "WHO needs words to look for");
}

static void stats_count_the_index(void **state)
{
    (void)state;
    cs_index_stats st;
    cs_engine_stats(eng, &st);
    assert_int_equal(st.doccount, 5);
    assert_true(strlen(st.generation) > 0);
}

/* The hit summaries are held in memory (STATS hit_bytes) up to
 * CS_MAX_HIT_MEMORY; an engine whose limit they pass reads its hits from
 * the index, and both answer alike. */
static void hits_past_the_hit_memory_limit_are_read_from_the_index(void **state)
{
    (void)state;
    char path[sizeof tmp + 8];
    snprintf(path, sizeof path, "%s/ix", tmp);
    cs_index_stats st;
    cs_engine_stats(eng, &st);
    assert_true(st.hit_bytes > 5 * 100 && st.hit_bytes < CS_MAX_HIT_MEMORY);
    cs_err err;
    cs_engine_opts o = { .hit_memory = st.hit_bytes / 2 };
    cs_engine *small = cs_engine_open(path, &o, &err);
    assert_non_null(small);
    cs_index_stats sst;
    cs_engine_stats(small, &sst);
    assert_int_equal(sst.hit_bytes, 0);
    static const char *const args[] = { "{\"q\":\"accountable officer\",\"snippets\":false}",
                                        "{\"q\":\"ccg\",\"snippets\":false,\"sort\":\"date\"}" };
    for (size_t i = 0; i < sizeof args / sizeof *args; i++) {
        cs_search_req req;
        cs_search_result a, b;
        assert_true(cs_search_req_decode(&req, args[i], strlen(args[i]), &err));
        assert_true(cs_engine_search(eng, &req, &a, &err));
        assert_true(cs_engine_search(small, &req, &b, &err));
        cs_search_req_free(&req);
        assert_true(a.nhits > 0);
        assert_int_equal(a.nhits, b.nhits);
        for (size_t k = 0; k < a.nhits; k++) {
            assert_string_equal(a.hits[k].doc.id, b.hits[k].doc.id);
            assert_true(a.hits[k].doc.has_entities);
            assert_true(cs_doc_equal(&a.hits[k].doc, &b.hits[k].doc));
        }
        cs_search_result_free(&a);
        cs_search_result_free(&b);
    }
    cs_engine_close(small);
}

/* A slice (cs_engine_set_slice()) answers a cheap search exactly as a
 * search without one, and defers, with CS_E_DEFER and nothing else, one
 * with more than CS_SLICE_MAX_TERMS terms or run past its deadline; it
 * holds for the next query only, and SIMILAR and WHO ignore it. */
static void slice_defers_what_is_costly(void **state)
{
    (void)state;
    cs_search_result plain, sliced, r;
    cs_err err;
    assert_true(search("accountable officer", &plain, &err));
    cs_engine_set_slice(eng, cs_now_us() + 10 * 1000000LL);
    assert_true(search("accountable officer", &sliced, &err));
    assert_int_equal(sliced.total, plain.total);
    assert_int_equal(sliced.nhits, plain.nhits);
    for (size_t i = 0; i < plain.nhits; i++)
        assert_string_equal(sliced.hits[i].doc.id, plain.hits[i].doc.id);
    cs_search_result_free(&plain);
    cs_search_result_free(&sliced);

    /* CS_SLICE_MAX_TERMS words are a slice's; one more is not. */
    char q[1024] = "{\"q\":\"", *p = q + strlen(q);
    for (int i = 0; i < CS_SLICE_MAX_TERMS; i++)
        p += sprintf(p, "%sw%c%c", i ? " " : "", 'a' + i / 26, 'a' + i % 26);
    strcpy(p, "\",\"match\":\"any\"}");
    cs_engine_set_slice(eng, cs_now_us() + 10 * 1000000LL);
    assert_true(search(q, &r, &err));
    cs_search_result_free(&r);
    strcpy(p, " wzz\",\"match\":\"any\"}");
    cs_engine_set_slice(eng, cs_now_us() + 10 * 1000000LL);
    assert_false(search(q, &r, &err));
    assert_int_equal(err.code, CS_E_DEFER);
    assert_null(r.hits);
    /* ... for that request only: the same again is answered. */
    assert_true(search(q, &r, &err));
    cs_search_result_free(&r);

    /* Past its deadline: deferred, not a timeout. */
    cs_engine_set_slice(eng, cs_now_us() - 1);
    assert_false(search("accountable officer", &r, &err));
    assert_int_equal(err.code, CS_E_DEFER);

    /* SIMILAR ignores a slice, and uses it up. */
    cs_engine_set_slice(eng, cs_now_us() - 1);
    char doc_id[] = "000_a0141472471f05fe";
    cs_id_req id = { doc_id, strlen(doc_id) };
    cs_similar_result sim;
    assert_true(cs_engine_similar(eng, &id, &sim, &err));
    cs_similar_result_free(&sim);
    assert_true(search("accountable officer", &r, &err));
    cs_search_result_free(&r);
}

/* cs_doc_read() reads the indexer's own shape itself and leaves anything
 * else to jansson (serve/stored.c): on every seed document as the real
 * indexer stored it (body and all) its reading and jansson's must agree;
 * what it is unsure of (here a surrogate pair) is jansson's to read. */
static void stored_documents_read_alike_on_both_paths(void **state)
{
    (void)state;
    static const char *const ids[] = { "000_a0141472471f05fe", "001_30771f8563898753",
                                       "002_384a417d6ab5e7e1", "003_0ecb9dfa299ccda2",
                                       "004_7a0772fac955139b" };
    char path[sizeof tmp + 8];
    snprintf(path, sizeof path, "%s/ix", tmp);
    cs_xs_reader *r;
    cs_err err;
    assert_int_equal(cs_xs_reader_open(path, CS_PREFIX_ID, &r, &err), CS_XS_OK);
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        const char *data;
        size_t len;
        assert_int_equal(cs_xs_reader_get(r, ids[i], &data, &len), CS_XS_OK);
        cs_doc fast, slow;
        assert_true(cs_doc_read(data, len, &fast));
        assert_true(cs_doc_read_json(data, len, &slow));
        assert_non_null(fast.body);
        assert_true(fast.has_entities && fast.nvalues[CS_FACET_CCG] > 0);
        assert_true(cs_doc_equal(&fast, &slow));
        assert_null(fast.store_);     /* it was the fast path */
        assert_non_null(slow.store_);
        cs_doc_free(&fast);
        cs_doc_free(&slow);
    }
    cs_xs_reader_close(r);

    /* Escapes, and what only jansson reads: a pair of surrogates. */
    const char *esc = "{\"id\":\"a\\\"b\\\\c\\/d\",\"title\":\"caf\\u00e9 \\u20ac\\n\",\"date\":null,"
                      "\"source\":\"s\\t\",\"url\":\"\\ud83d\\ude00\",\"tags\":[],\"author\":null,"
                      "\"section\":\"x\\u0041\",\"person_role\":[{\"person\":\"P\",\"role\":null}]}";
    cs_doc d;
    assert_true(cs_doc_read(esc, strlen(esc), &d));
    assert_string_equal(d.id, "a\"b\\c/d");
    assert_string_equal(d.title, "caf\xc3\xa9 \xe2\x82\xac\n");
    assert_string_equal(d.url, "\xf0\x9f\x98\x80");
    assert_string_equal(d.section, "xA");
    assert_true(d.has_attrs && d.has_rels && d.nrels == 1 && !d.rels[0].org);
    assert_non_null(d.store_);        /* the surrogates sent it to jansson */
    cs_doc_free(&d);
    /* Refused on both paths: bytes that are not UTF-8, a NUL, a number id. */
    assert_false(cs_doc_read("{\"id\":\"\xff\",\"title\":\"t\",\"date\":null,\"source\":null}", 46, &d));
    const char *nul = "{\"id\":\"a\\u0000\",\"title\":\"t\",\"date\":null,\"source\":null}";
    assert_false(cs_doc_read(nul, strlen(nul), &d));
    const char *num = "{\"id\":1,\"title\":\"t\",\"date\":null,\"source\":null}";
    assert_false(cs_doc_read(num, strlen(num), &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(search_ranks_and_counts),
        cmocka_unit_test(search_facets_and_filters),
        cmocka_unit_test(search_sorts_and_pages),
        cmocka_unit_test(search_corrects_spelling),
        cmocka_unit_test(search_refuses_bad_queries),
        cmocka_unit_test(get_reads_the_stored_document),
        cmocka_unit_test(similar_finds_related_articles),
        cmocka_unit_test(hits_past_the_hit_memory_limit_are_read_from_the_index),
        cmocka_unit_test(who_groups_statements),
        cmocka_unit_test(who_names_everyone_at_an_organisation),
        cmocka_unit_test(stats_count_the_index),
        cmocka_unit_test(plain_search_never_refuses),
        cmocka_unit_test(plain_search_finds_the_words),
        cmocka_unit_test(any_merges_repeated_words),
        cmocka_unit_test(any_drops_stopwords),
        cmocka_unit_test(any_searches_cs_max_any_terms_words),
        cmocka_unit_test(any_feedback_reranks_short_queries_only),
        cmocka_unit_test(prefix_needs_cs_min_prefix_bytes),
        cmocka_unit_test(slice_defers_what_is_costly),
        cmocka_unit_test(stored_documents_read_alike_on_both_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
