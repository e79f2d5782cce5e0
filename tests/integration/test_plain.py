#!/usr/bin/env python3
"""Search-box search against the real daemon, over the line protocol and
HTTP: "syntax":"plain" (typed text searched as words, never bad_query),
"prefix" (the last word as the start of longer words, as-you-type) and the
url of each hit.  The corpus is a small JSON Lines file written here, so
which words each document has is known."""
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (CORPORA, ROOT, Daemon, binary, check, eq, ids, indexed_news,  # noqa: E402
                     run, run_indexer, test, tmpdir)


def limit(name):
    """A plain number constant of lib/core/limits.h."""
    with open(os.path.join(ROOT, "lib", "core", "limits.h")) as f:
        return int(re.search(r"#define %s (\d+)\n" % name, f.read()).group(1))


EXPANSION = limit("CS_MAX_PREFIX_EXPANSION")
MIN_PREFIX = limit("CS_MIN_PREFIX_BYTES")
TERMS = limit("CS_MAX_QUERY_TERMS")
ANY = limit("CS_MAX_ANY_TERMS")
ELITE = limit("CS_ANY_ELITE_TERMS")

# "merger" but never merge, merged or merging; "and" in both merger articles.
# common1 and common2 share EXPANSION words starting with zqw, rare has
# one more: together one word more than a prefix is expanded to.
COMMON = " ".join("zqw%03d" % i for i in range(EXPANSION))
DOCS = [
    {"id": "m1", "title": "Two CCGs agree a merger", "url": "https://example.org/m1",
     "text": "The merger of the two groups and their budgets was agreed on Tuesday."},
    {"id": "m2", "title": "Merger and acquisitions", "url": None,
     "text": "A second merger and a new board were announced by the trust."},
    {"id": "b1", "title": "Budget news",
     "text": "The budget was set for the coming year by the board."},
    {"id": "common1", "title": "Common words one", "text": COMMON},
    {"id": "common2", "title": "Common words two", "text": COMMON},
    {"id": "rare", "title": "A rare word", "text": "Only zqwrare is here."},
]

_d = None


class PlainDaemon(Daemon):
    def __init__(self, index):
        pf = os.path.join(tmpdir(), "http-port")
        super().__init__(index, "--http", "127.0.0.1:0", "--http-port-file", pf)
        with open(pf) as f:
            self.http_port = int(f.read().strip())

    def get(self, path):
        """(status, body bytes) of GET path."""
        c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
        try:
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()



def d():
    global _d
    if _d is None:
        src = tmpdir()
        with open(os.path.join(src, "c.jsonl"), "w") as f:
            for doc in DOCS:
                f.write(json.dumps(doc) + "\n")
        ix = os.path.join(tmpdir(), "index")
        run_indexer("--index", ix, src)
        _d = PlainDaemon(ix)
    return _d


def ask(**req):
    """SEARCH {req} over the line protocol (no facets): the answer."""
    req.setdefault("facets", [])
    return d().ask("SEARCH " + json.dumps(req))


def ok(**req):
    a = ask(**req)
    check(a.get("ok"), "SEARCH %r failed: %r" % (req, a))
    return a


def masked(b):
    return re.sub(rb'"took_us":\d+', b'"took_us":0', b)


def as_typed_finds_nothing(a):
    """The query as typed matched no document (the answer may be the
    spelling suggester's instead)."""
    return a["total"] == 0 or a.get("corrected_results") is True


@test
def plain_text_is_searched_as_words_never_bad_query():
    eq(ask(q="merger AND (")["error"]["code"], "bad_query", "the query language on 'merger AND ('")
    a = ok(q="merger AND (", syntax="plain")
    eq(sorted(ids(a)), ["m1", "m2"], "plain 'merger AND ('")
    eq(ids(a), ids(ok(q="merger and")), "beside the words in the query language")
    for h in a["hits"]:
        check("<mark>merger" in h["snippet"].lower(), "snippet %r" % h["snippet"])
    hostile = ['"', "(", ")", "AND", "NOT", "-", "+", "title:", "*", "NEAR/5", "NEAR/0",
               "((((", "date:2019-13-01", "!?.,;:", "the of and", "a" * 300,
               " ".join("w%d" % i for i in range(200)), "merger\u00a0AND\u3000(", "\u00e9*"]
    everything = ok(q="")["total"]
    eq(everything, len(DOCS), "q=\"\" total")
    for text in hostile:
        for prefix in (False, True):
            a = ok(q=text, syntax="plain", prefix=prefix)
            if not re.search(r"\w", text):
                eq(a["total"], everything, "punctuation only %r" % text)
    # A request that is not text at all stays a bad request.
    with d().connect() as c:
        c.send(b'SEARCH {"q":"\xff merger","syntax":"plain"}\n')
        eq(c.answer()["error"]["code"], "bad_request", "invalid UTF-8")
    eq(ask(q="x", syntax="words")["error"]["code"], "bad_request", "an unknown syntax")
    eq(ask(q="x", prefix="yes")["error"]["code"], "bad_request", "prefix not a boolean")


@test
def plain_text_past_cs_max_query_terms_is_cut_not_refused():
    # All the words (the default): the first TERMS are required, the rest
    # dropped; the query language refuses the same text.
    text = " ".join(["merger"] * TERMS + ["zqwnowhere"])
    eq(ask(q=text)["error"]["code"], "bad_query", "the query language")
    eq(sorted(ids(ok(q=text, syntax="plain"))), ["m1", "m2"], "zqwnowhere past the limit")
    eq(ok(q=" ".join(["merger"] * (TERMS - 1) + ["zqwnowhere"]), syntax="plain")["total"], 0,
       "zqwnowhere at the limit")


@test
def any_searches_cs_max_any_terms_distinct_words_and_drops_the_rest():
    filler = ["w%d" % i for i in range(ANY)]            # words in no document
    for syntax in ("plain", "query"):
        # merger is searched as the first word, dropped as the one past the
        # limit; repeats and stopwords do not count.
        a = ok(q=" ".join(["merger"] + filler), syntax=syntax, match="any")
        eq(sorted(ids(a)), ["m1", "m2"], "merger first (%s)" % syntax)
        a = ok(q=" ".join(filler + ["merger"]), syntax=syntax, match="any")
        eq(a["total"], 0, "merger past the limit (%s)" % syntax)
        a = ok(q=" ".join(filler[1:] + filler[1:51] + ["the", "of", "merger"]), syntax=syntax,
               match="any")
        eq(sorted(ids(a)), ["m1", "m2"], "merger at the limit (%s)" % syntax)


def news_daemon():
    """A daemon over the first NEWS_ARTICLES articles of the news corpus,
    and those articles."""
    global _news
    if _news is None:
        with open(os.path.join(CORPORA, "news.jsonl")) as f:
            arts = [json.loads(line) for _, line in zip(range(NEWS_ARTICLES), f)]
        _news = (Daemon(indexed_news(NEWS_ARTICLES)), arts)
    return _news


NEWS_ARTICLES = 2000
_news = None


@test
def a_pasted_paragraph_finds_its_article_first():
    dd, arts = news_daemon()
    long_ones = [a for a in arts if len((a.get("body") or "").split()) >= 300]
    check(len(long_ones) >= 3, "articles of 300 words")
    for art in long_ones[:3]:
        text = " ".join(art["body"].split()[:300])   # as pasted: quotes, brackets and all
        for syntax, q in (("plain", text), ("query", " ".join(re.findall(r"\w+", text)))):
            t0 = time.time()
            a = dd.ask("SEARCH " + json.dumps({"q": q, "match": "any", "syntax": syntax}))
            ms = (time.time() - t0) * 1000
            check(a.get("ok"), "%s: %r" % (art["id"], a))
            eq(a["hits"][0]["id"], art["id"], "the article pasted from (%s)" % syntax)
            check(len(a["hits"]) == 10 and "<mark>" in a["hits"][0]["snippet"],
                  "ten ranked hits, marked: %r" % a["hits"][0])
            check(a["hits"][0]["score"] > a["hits"][9]["score"], "ranked")
            print("# %s, 300 words (%s): took_us %d, round trip %.1f ms, total %d"
                  % (art["id"], syntax, a["took_us"], ms, a["total"]), flush=True)
        # All the words: cut at TERMS, never refused.
        a = dd.ask("SEARCH " + json.dumps({"q": text, "syntax": "plain"}))
        check(a.get("ok"), "match all: %r" % a)


@test
def past_cs_any_elite_terms_only_the_rarest_alternatives_are_searched():
    dd, arts = news_daemon()
    docs_of = {}
    for art in arts:
        for w in set(re.findall(r"[a-z]+", ((art.get("title") or "") + " " +
                                            (art.get("body") or "")).lower())):
            docs_of.setdefault(w, set()).add(art["id"])
    # Words of one article each, long and with their own first 7 letters,
    # so that few share a stem (words of one stem count once): half the
    # limit, and twice it.
    rare, seen = [], set()
    for w in sorted(w for w, ds in docs_of.items() if len(ds) == 1 and len(w) >= 10):
        if w[:7] not in seen and len(rare) < 2 * ELITE:
            seen.add(w[:7])
            rare.append(w)
    check(len(rare) == 2 * ELITE, "rare words")
    said = len(docs_of["said"])                       # a common word, no stopword
    check(said > 10 * ELITE, "said is common: %d" % said)
    for n, dropped in ((ELITE // 2, False), (2 * ELITE, True)):
        a = dd.ask("SEARCH " + json.dumps({"q": " ".join(rare[:n] + ["said"]), "match": "any",
                                           "facets": [], "snippets": False}))
        check(a.get("ok"), repr(a))
        if dropped:
            check(a["total"] < said, "%d alternatives: said left out (%d)" % (n + 1, a["total"]))
        else:
            check(a["total"] >= said, "%d alternatives: said searched (%d)" % (n + 1, a["total"]))


@test
def prefix_matches_the_words_the_last_word_begins():
    plain = ok(q="merg", syntax="plain")
    check(as_typed_finds_nothing(plain), "merg without prefix: %r" % plain)
    a = ok(q="merg", syntax="plain", prefix=True)
    eq(sorted(ids(a)), ["m1", "m2"], "merg with prefix")
    check(a.get("corrected_results") is None and "corrected" not in a,
          "an unfinished word is not corrected: %r" % a)
    check(any("<mark>merger</mark>" in h["snippet"] for h in a["hits"]), "merger marked")
    # Only the last word, and in the query language too.
    q = ok(q="agreed tues", prefix=True)
    eq(ids(q), ["m1"], "'agreed tues' with prefix")
    check(as_typed_finds_nothing(ok(q="tues agreed", prefix=True)), "tues not last")
    check(as_typed_finds_nothing(ok(q='"tues"', prefix=True)), "a phrase is not a prefix")


@test
def prefix_after_a_blank_or_punctuation_is_a_finished_word():
    for text in ("merg ", "merg.", "merg\t"):
        with_prefix = d().line("SEARCH " + json.dumps({"q": text, "syntax": "plain", "prefix": True}))
        without = d().line("SEARCH " + json.dumps({"q": text, "syntax": "plain"}))
        eq(masked(with_prefix), masked(without), "%r with and without prefix" % text)
        check(as_typed_finds_nothing(json.loads(with_prefix)), "%r" % text)
    eq(sorted(ids(ok(q="merger ", syntax="plain", prefix=True))), ["m1", "m2"], "merger ")


@test
def prefixes_shorter_than_cs_min_prefix_bytes_are_the_word_only():
    short, enough = "t" * (MIN_PREFIX - 1), "tuesday"[:MIN_PREFIX]
    eq(masked(d().line("SEARCH " + json.dumps({"q": short, "syntax": "plain", "prefix": True}))),
       masked(d().line("SEARCH " + json.dumps({"q": short, "syntax": "plain"}))), "short prefix")
    check(as_typed_finds_nothing(ok(q=enough, syntax="plain")), "%r as a word" % enough)
    check("m1" in ids(ok(q=enough, syntax="plain", prefix=True)), "%r as a prefix" % enough)


@test
def a_prefix_past_cs_max_prefix_expansion_keeps_the_most_frequent_words():
    # zqw begins EXPANSION + 1 words: the rarest (zqwrare, one document)
    # is left out, the query still runs.
    a = ok(q="zqw", syntax="plain", prefix=True)
    eq(sorted(ids(a)), ["common1", "common2"], "zqw with prefix")
    eq(ok(q="zqwr", syntax="plain", prefix=True)["hits"][0]["id"], "rare", "zqwr finds it")
    # The wildcard, bounded higher, takes all of them.
    check(EXPANSION + 1 <= limit("CS_MAX_WILDCARD_EXPANSION"), "the wildcard's bound is higher")
    eq(sorted(ids(ok(q="zqw*"))), ["common1", "common2", "rare"], "zqw*")


@test
def hits_carry_the_url_as_get_does():
    a = ok(q="merger", syntax="plain")
    urls = {h["id"]: h["url"] for h in a["hits"]}
    eq(urls, {"m1": "https://example.org/m1", "m2": None}, "hit urls")
    for h in a["hits"]:
        eq(h["url"], d().ask("GET " + h["id"])["document"]["url"], "GET's url of " + h["id"])
    b = ok(q="coming")
    eq([(h["id"], h["url"]) for h in b["hits"]], [("b1", None)], "a record without url")


@test
def http_takes_syntax_and_prefix_parameters():
    def path(**p):
        return "/search?" + urllib.parse.urlencode(dict(p, facets=""))

    def line(**r):
        return d().line("SEARCH " + json.dumps(dict(r, facets=[])))

    st, body = d().get(path(q="merger AND (", syntax="plain"))
    eq(st, 200, "status")
    eq(masked(body), masked(line(q="merger AND (", syntax="plain")), "beside the line protocol")
    eq(sorted(ids(json.loads(body))), ["m1", "m2"], "hits")
    st, body = d().get(path(q="merger AND ("))
    eq((st, json.loads(body)["error"]["code"]), (400, "bad_query"), "the query language")
    for on in ("1", "true"):
        st, body = d().get(path(q="merg", syntax="plain", prefix=on))
        eq(st, 200, "prefix=" + on)
        eq(masked(body), masked(line(q="merg", syntax="plain", prefix=True)), "prefix=" + on)
    for off in ("0", "false"):
        st, body = d().get(path(q="merg", syntax="plain", prefix=off))
        eq(masked(body), masked(line(q="merg", syntax="plain")), "prefix=" + off)
    for bad in ("/search?q=merg&prefix=yes", "/search?q=merg&syntax=words",
                "/search?q=merg&prefix=1&prefix=1", "/search?q=merg&syntax=plain&syntax=plain"):
        st, body = d().get(bad)
        eq((st, json.loads(body)["error"]["code"]), (400, "bad_request"), bad)


@test
def cli_plain_searches_the_words_as_typed():
    def cli(*args):
        return subprocess.run([binary("ccg-search"), "-p", str(d().port), "--json"] + list(args),
                              capture_output=True, text=True)
    p = cli("merger", "AND", "(")
    eq(p.returncode, 1, "the query language refuses it: " + p.stderr)
    eq(json.loads(p.stdout)["error"]["code"], "bad_query", "the answer without --plain")
    p = cli("--plain", "merger", "AND", "(")
    eq(p.returncode, 0, p.stderr)
    eq(sorted(ids(json.loads(p.stdout))), ["m1", "m2"], "--plain")


run()
