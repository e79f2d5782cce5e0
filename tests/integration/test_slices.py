"""A SEARCH is first tried on the worker's loop as a slice (searchd/pool.h,
lib/core/limits.h): answered there when it is cheap before it runs, handed
to the query threads otherwise, with the same answer either way.  Each
slice limit is crossed here (CS_SLICE_MAX_HITS, CS_SLICE_MAX_TERMS,
CS_SLICE_MAX_MATCHES, CS_SLICE_POSITIONAL_WORK), on both transports, and
STATS "slices" counts what was answered on the loop and what deferred; and
so are the estimates that send a deferred search to the slow lane
(CS_SLOW_POSTINGS, CS_SLOW_POSITIONAL_WORK, CS_SLOW_SNIPPET_CHARS)."""
import http.client
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Conn, Daemon, check, eq, indexed_news, run, run_indexer, test,  # noqa: E402
                     tmpdir)

ARTICLES = 3000
SLICE_MAX_HITS, SLICE_MAX_TERMS, SLICE_MAX_MATCHES = 20, 16, 10000

_daemon = None


def daemon():
    """One worker, so that every connection shares its loop; HTTP too."""
    global _daemon
    if _daemon is None:
        pf = os.path.join(tmpdir(), "http-port")
        _daemon = Daemon(indexed_news(ARTICLES), "--workers", "1", "--http", "127.0.0.1:0",
                         "--http-port-file", pf)
        with open(pf) as f:
            _daemon.http_port = int(f.read().strip())
    return _daemon


def slices(c):
    return c.ask("STATS")["slices"]


def without_took(answer):
    answer = dict(answer)
    answer.pop("took_ms", None)
    answer.pop("took_us", None)
    return answer


def on_loop(req, tries=3, port=None):
    """(answer, how its slice went) of req on a fresh connection, whose
    searches have no spell yet: "answered" on the loop, "deferred" as
    estimated too costly before it ran, or "overran" CS_SLICE_US of wall
    time, which a busy machine (or a sanitizer build) can make a cheap
    search do.  An overrun is tried again, up to `tries` times in all, each
    on a fresh connection, the caches warm from the first."""
    for _ in range(tries):
        a, how = on_loop_once(req, port or daemon().port)
        if how != "overran":
            break
    return a, how


def on_loop_once(req, port):
    with Conn(port) as c:
        before = slices(c)
        a = c.ask("SEARCH " + req)
        after = slices(c)
    d = {k: after[k] - before[k] for k in ("answered", "deferred", "overran", "costly")}
    check(d["answered"] + d["deferred"] == 1 and d["overran"] + d["costly"] <= d["deferred"],
          "one slice per search: %r -> %r" % (before, after))
    return a, ("answered" if d["answered"] else "overran" if d["overran"]
               else "costly" if d["costly"] else "deferred")


def by_threads(req, port=None, costly=None):
    """The answer to req from the query threads: a search slow by its
    estimates first (COSTLY, or `costly` for another index), so that the
    connection's next ones skip the slice."""
    with Conn(port or daemon().port) as c:
        check(c.ask("SEARCH " + (costly or COSTLY))["ok"], "the costly search")
        before = slices(c)
        a = c.ask("SEARCH " + req)
        eq(slices(c), before, "slices after the spell began")
    return a


def deferred_then_on_the_loop(port, deferred, cheap):
    """On one connection: `deferred` is deferred for its bounds (not as a
    slow query), and the next search, `cheap`, is tried on the loop."""
    with Conn(port) as c:
        before = slices(c)
        check(c.ask("SEARCH " + deferred)["ok"])
        mid = slices(c)
        eq(mid["deferred"] - before["deferred"], 1, "deferred")
        eq(mid["costly"] - before["costly"], 0, "not a slow query")
        check(c.ask("SEARCH " + cheap)["ok"])
        after = slices(c)
        eq(after["answered"] - mid["answered"] + after["overran"] - mid["overran"], 1,
           "the next search tried on the loop")


def q(text, **more):
    return json.dumps(dict({"q": text}, **more))


# Slow by its estimates (past CS_SLOW_POSITIONAL_WORK), not refused.
COSTLY = q(" NEAR/1000 ".join(["the"] * 8), limit=1, facets=[])


CASES = [
    # (what, request, answered on the loop)
    ("a rare word", q("oil"), True),
    ("CS_SLICE_MAX_HITS hits", q("oil", limit=SLICE_MAX_HITS), True),
    ("one hit more", q("oil", limit=SLICE_MAX_HITS + 1), False),
    ("CS_SLICE_MAX_TERMS words", q(" ".join("w%02d" % i for i in range(SLICE_MAX_TERMS)),
                                   match="any"), True),
    ("one word more", q(" ".join("w%02d" % i for i in range(SLICE_MAX_TERMS + 1)),
                        match="any"), False),
    ("a phrase of rare words", q('"crude oil"'), True),
    ("a NEAR of stopwords, past CS_SLICE_POSITIONAL_WORK",
     q(" NEAR/1000 ".join(["of", "and", "to", "in"])), False),
]


@test
def cheap_searches_are_answered_on_the_loop_and_costly_ones_by_the_threads():
    for what, req, cheap in CASES:
        a, how = on_loop(req)
        check(a.get("ok"), "%s: %r" % (what, a))
        if cheap:
            # Cheap by every estimate: answered, unless each try overran.
            check(how in ("answered", "overran"), "%s: %s, want answered" % (what, how))
            if how == "overran":
                print("# %s overran CS_SLICE_US on every try" % what)
        else:
            eq(how, "deferred", "%s: deferred before it ran, not a slow query" % what)
        # Either way the answer is the query threads' own.
        eq(without_took(a), without_took(by_threads(req)), "%s: answer" % what)


@test
def cs_slice_max_matches_is_crossed():
    # The bound is a word's document frequency.  Short notes, so that
    # more of them than CS_SLICE_MAX_MATCHES index in a moment: every one
    # says "common", 5,000 of them (past the limit's old value, 2,000)
    # "half", and 100 name Japan.
    n = SLICE_MAX_MATCHES + 500
    src = os.path.join(tmpdir(), "notes.jsonl")
    with open(src, "w") as f:
        for i in range(n):
            body = "A common note%s.%s" % (", written in Japan" if i < 100 else "",
                                           " Half of them say more." if i < 5000 else "")
            f.write(json.dumps({"id": "note-%05d" % i, "title": "Note %d" % i,
                                "body": body}) + "\n")
    ix = os.path.join(tmpdir(), "notes")
    run_indexer("--index", ix, src)
    dd = Daemon(ix, "--workers", "1")
    # Past CS_SLOW_POSITIONAL_WORK: 10,500 candidates, 12 positions each.
    costly = q(" NEAR/1000 ".join(["common"] * 12), limit=1, facets=[])
    japan = {"place": ["Japan"]}
    for what, req, total, cheap in [
            ("a word in 5,000 notes, fewer than CS_SLICE_MAX_MATCHES", q("half"), 5000, True),
            ("a word in more than CS_SLICE_MAX_MATCHES", q("common"), n, False),
            # A filter narrows what it may match; but a facet with a filter
            # is counted without it (docs/protocol.md), so that run may
            # match more.
            ("the same, filtered to fewer", q("common", filter=japan, facets=["person"]), 100,
             True),
            ("... and its own facet counted", q("common", filter=japan, facets=["place"]), 100,
             False)]:
        a, how = on_loop(req, port=dd.port)
        eq(a.get("total"), total, "%s: total" % what)
        if cheap:
            check(how in ("answered", "overran"), "%s: %s, want answered" % (what, how))
        else:
            eq(how, "deferred", "%s: deferred before it ran" % what)
        eq(without_took(a), without_took(by_threads(req, dd.port, costly)), "%s: answer" % what)
    # Deferred for the matches it may have, at the cost of an estimate:
    # the connection's next search is tried on the loop as if nothing had
    # happened.
    deferred_then_on_the_loop(dd.port, q("common"), q("half"))
    eq(dd.stop(), 0, "daemon exit")


@test
def a_slow_search_costs_its_connection_the_slice_for_the_next_sixteen():
    with Conn(daemon().port) as c:
        before = slices(c)
        check(c.ask("SEARCH " + COSTLY)["ok"], "the costly search")
        for _ in range(16):
            check(c.ask("SEARCH " + q("oil"))["ok"])
        mid = slices(c)
        eq(mid["costly"] - before["costly"], 1, "deferred as costly")
        eq(mid["answered"], before["answered"], "answered during the spell")
        check(c.ask("SEARCH " + q("oil"))["ok"])
        after = slices(c)
        # Tried as a slice again: answered, or on a busy machine overran.
        eq(after["answered"] - mid["answered"] + after["overran"] - mid["overran"], 1,
           "tried on the loop after the spell")


@test
def a_search_deferred_for_its_bounds_leaves_the_next_one_to_the_loop():
    # More hits than a slice may give: deferred before it ran, and the
    # connection's next search is tried on the loop as if nothing had
    # happened (cs_slice_max_matches_is_crossed has the same for matches).
    deferred_then_on_the_loop(daemon().port, q("oil", limit=SLICE_MAX_HITS + 1), q("oil"))


SLOW_POSTINGS, SLOW_POSITIONAL_WORK, SLOW_SNIPPET_CHARS = 100000, 100000, 50000
STOP = ("a about after all also an and any are as at be been being but by can could did do "
        "does for from had has have if in into is it its may more most no not of on or other "
        "out over said so some such than that the their them then there these they this to "
        "was were which who will with would he i we one two new last year up").split()


def total(word):
    with Conn(daemon().port) as c:
        return c.ask("SEARCH " + q(word, limit=0, facets=[]))["total"]


@test
def searches_slow_by_their_estimates_go_to_the_slow_lane_from_the_first():
    # Deferred from a fresh connection, which has no history for the slow
    # lane to go by: "costly" when an estimate passes CS_SLOW_POSTINGS,
    # CS_SLOW_POSITIONAL_WORK or CS_SLOW_SNIPPET_CHARS, else "deferred".
    per_hit = SLOW_SNIPPET_CHARS // 2000
    cases = [
        ("hits x snippet chars at CS_SLOW_SNIPPET_CHARS",
         q("oil", limit=per_hit, snippet_chars=2000), "deferred"),
        ("one hit more", q("oil", limit=per_hit + 1, snippet_chars=2000), "costly"),
        ("the same without snippets", q("oil", limit=per_hit + 1, snippets=False), "deferred"),
        ("a NEAR of four stopwords, past the slice's positions only",
         q(" NEAR/1000 ".join(["of", "and", "to", "in"])), "deferred"),
        ("a NEAR of eight 'the', past CS_SLOW_POSITIONAL_WORK",
         q(" NEAR/1000 ".join(["the"] * 8)), "costly"),
    ]
    # Posting lists: the commonest words until their document counts pass
    # CS_SLOW_POSTINGS; the same words but the last stay under it.
    words = sorted(STOP, key=total, reverse=True)
    postings, upto = 0, 0
    while upto < len(words) and postings <= SLOW_POSTINGS:
        postings += total(words[upto])
        upto += 1
    check(postings > SLOW_POSTINGS, "the stopwords' postings pass the limit: %d" % postings)
    check(upto > SLICE_MAX_TERMS + 1, "more words than a slice takes: %d" % upto)
    cases += [
        ("%d words' postings, under CS_SLOW_POSTINGS" % (upto - 1),
         q(" OR ".join(words[:upto - 1]), limit=10, snippets=False), "deferred"),
        ("one word more, past it", q(" OR ".join(words[:upto]), limit=10, snippets=False),
         "costly"),
    ]
    for what, req, want in cases:
        a, how = on_loop(req)
        check(a.get("ok"), "%s: %r" % (what, a))
        eq(how, want, what)


@test
def http_searches_take_slices_too():
    d = daemon()

    def post(body):
        h = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=30)
        try:
            h.request("POST", "/search", body=body, headers={"Content-Type": "application/json"})
            r = h.getresponse()
            return r.status, json.loads(r.read())
        finally:
            h.close()

    for req, cheap in ((q("oil"), True), (q("oil", limit=SLICE_MAX_HITS + 1), False)):
        for _ in range(3):
            with Conn(d.port) as c:
                before = slices(c)
                status, a = post(req)
                after = slices(c)
            eq(status, 200, "status")
            d3 = tuple(after[k] - before[k] for k in ("answered", "deferred", "overran"))
            if d3 != (0, 1, 1):     # overran CS_SLICE_US: a busy machine; again
                break
        eq(d3, (1, 0, 0) if cheap else (0, 1, 0), "%s: slices (answered, deferred, overran)" % req)
        eq(without_took(a), without_took(by_threads(req)), "%s: answer" % req)


if __name__ == "__main__":
    run()
