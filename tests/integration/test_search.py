"""SEARCH in depth, on the real daemon: the query language, synonyms,
spelling, snippets, sorting and paging, SIMILAR, and the CLI's flags."""
import json
import os
import random
import re
import subprocess

from harness import (CORPORA, SEEDS, Daemon, binary, check, eq, ids, run, run_indexer,
                     run_on_tty, search, test, tmpdir)

daemon = None


def d():
    """Seeds and ccg_dev together: 83 real articles."""
    global daemon
    if daemon is None:
        ix = os.path.join(tmpdir(), "index")
        run_indexer("--index", ix, SEEDS, os.path.join(CORPORA, "ccg_dev.jsonl"))
        daemon = Daemon(ix)
    return daemon


def all_ids(query):
    q = dict(query) if isinstance(query, dict) else {"q": query}
    q.update({"limit": 100, "facets": []})
    return set(ids(search(d(), q)))


@test
def synonyms_find_the_same_articles():
    a = all_ids("clinical commissioning group merger")
    b = all_ids("CCG merger")
    check(len(a) > 10, "found some: %d" % len(a))
    eq(a, b, "clinical commissioning group merger = CCG merger")
    eq(all_ids("CCGs merger"), a, "plural abbreviation")
    eq(all_ids("AO"), all_ids("accountable officer"), "AO = accountable officer")
    eq(all_ids("NHSE"), all_ids("NHS England"), "NHSE = NHS England")
    long_form = all_ids('"sustainability and transformation partnership"')
    check(long_form and all_ids("STP") >= long_form, "STP covers the long form")


@test
def spelling_is_corrected():
    a = search(d(), "acountable oficer")
    eq(a.get("corrected"), "accountable officer", "corrected")
    check(a.get("corrected_results") is True, "answers with the corrected query")
    eq(a["total"], search(d(), "accountable officer")["total"], "the corrected query's total")
    a = search(d(), "accountable officer")
    check("corrected" not in a, "no correction for a query that is right")
    a = search(d(), "Leicestr merger")
    eq(a.get("corrected"), "leicester merger", "only the misspelt word changes")


@test
def correct_false_answers_the_query_as_typed():
    a = search(d(), {"q": "accountab", "correct": False})
    eq(a["total"], 0, "as typed, nothing")
    eq(a.get("corrected"), "accountable", "the correction is still suggested")
    check("corrected_results" not in a, "and its results are not given")
    eq(d().ask('SEARCH {"q":"x","correct":1}')["error"]["code"], "bad_request", "a boolean")


@test
def a_word_found_by_its_stem_or_as_a_synonym_is_not_corrected():
    # AO is a synonym of "accountable officer" and no article writes AO;
    # "ago" is one letter away.  "officers" is in no article, but its stem
    # finds "officer", one letter away.
    src = tmpdir()
    with open(os.path.join(src, "a.jsonl"), "w") as f:
        f.write(json.dumps({"id": "a1", "title": "Appointed",
                            "body": "The accountable officer was appointed two years ago."}) + "\n")
        f.write(json.dumps({"id": "a2", "title": "Later",
                            "body": "A week ago the board met the officer."}) + "\n")
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, src)
    dd = Daemon(ix)
    a = search(dd, "AO")
    eq(ids(a), ["a1"], "AO finds the accountable officer")
    check("corrected" not in a, "AO is no misspelling of ago: %r" % a.get("corrected"))
    a = search(dd, "officers")
    eq(sorted(ids(a)), ["a1", "a2"], "officers finds officer by its stem")
    check("corrected" not in a, "officers is no misspelling: %r" % a.get("corrected"))
    a = search(dd, "oficer")
    eq(a.get("corrected"), "officer", "a word in no article, even by its stem, is corrected")
    eq(dd.stop(), 0, "daemon exit")
    # The real corpus: CEO is a synonym of "chief executive officer".
    a = search(d(), "CEO")
    check(a["total"] > 0 and "corrected" not in a, "CEO: %r" % a.get("corrected"))


@test
def snippets_mark_matches_and_escape_the_rest():
    src = tmpdir()
    body = ("Before. " + "Filler words here. " * 40 +
            "The <b>joint</b> accountable officers & \"chairs\" met on 1 April. " +
            "After. " * 40 + "Caf\u00e9 \u00e9\u00e9\u00e9 end.")
    with open(os.path.join(src, "s.jsonl"), "w") as f:
        f.write(json.dumps({"id": "s1", "title": "Snippet test", "body": body}) + "\n")
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, src)
    dd = Daemon(ix)
    a = search(dd, 'officer chairs')
    snip = a["hits"][0]["snippet"]
    check("<mark>officers</mark>" in snip, "stemmed match marked: " + snip)
    check("<mark>chairs</mark>" in snip, snip)
    check("&lt;b&gt;joint&lt;/b&gt;" in snip and "&amp;" in snip and "&quot;" in snip,
          "the text is escaped: " + snip)
    check(snip.startswith("\u2026"), "the best passage, not the start: " + snip[:40])
    chars = len(re.sub(r"</?mark>", "", snip))
    check(200 <= chars <= 360, "about 300 characters: %d" % chars)     # CS_SNIPPET_CHARS_DEFAULT
    a = search(dd, '"accountable officers"')
    check("<mark>accountable officers</mark>" in a["hits"][0]["snippet"], "phrase in one mark")
    for n in (20, 41, 77, 150):
        a = search(dd, {"q": "end", "snippet_chars": n})
        s = a["hits"][0]["snippet"]
        check(len(re.sub(r"</?mark>", "", s)) <= n + 10, "snippet_chars %d: %r" % (n, s))
    # CS_MAX_SNIPPET_CHARS is 2000.
    check(dd.ask('SEARCH {"q":"end","snippet_chars":2000}')["ok"], "2000 characters")
    eq(dd.ask('SEARCH {"q":"end","snippet_chars":2001}')["error"]["code"], "bad_request", "2001")
    a = search(dd, {"q": "officer", "snippets": False})
    check("snippet" not in a["hits"][0], "snippets can be turned off")
    eq(dd.stop(), 0, "daemon exit")


@test
def sorting_and_paging():
    newest = search(d(), {"q": "merger", "sort": "date", "limit": 100, "facets": []})
    dates = [h["date"] for h in newest["hits"] if h["date"]]
    check(len(dates) >= 5, "dated hits: %r" % dates)
    eq(dates, sorted(dates, reverse=True), "newest first")
    check(all(h["date"] for h in newest["hits"][:len(dates)]), "undated documents come last")
    oldest = search(d(), {"q": "merger", "sort": "date_asc", "limit": 100, "facets": []})
    dates = [h["date"] for h in oldest["hits"] if h["date"]]
    eq(dates, sorted(dates), "oldest first")
    full = search(d(), {"q": "merger", "limit": 100, "facets": []})
    total = full["total"]
    pages = []
    for off in range(0, total, 7):
        a = search(d(), {"q": "merger", "offset": off, "limit": 7, "facets": []})
        eq(a["total"], total, "total is the same on every page")
        check(a["total_exact"], "exact total")
        eq([h["rank"] for h in a["hits"]], list(range(off + 1, off + 1 + len(a["hits"]))), "ranks")
        pages += ids(a)
    eq(pages, ids(full), "pages put together are the whole list")
    a = search(d(), {"q": "merger", "offset": total + 5, "limit": 10})
    eq((a["hits"], a["total"]), ([], total), "past the end")


@test
def facets_keep_the_most_frequent_values():
    # CS_DEFAULT_FACET_LIMIT is 10: the corpus has more CCGs than that.
    every = search(d(), {"q": "", "limit": 0, "facets": ["ccg"], "facet_limit": 1000})["facets"]["ccg"]
    check(len(every) > 10, "CCGs in the corpus: %d" % len(every))
    top = search(d(), {"q": "", "limit": 0, "facets": ["ccg"]})["facets"]["ccg"]
    eq(len(top), 10, "values by default")
    counts = [f["count"] for f in every]
    eq([f["count"] for f in top], counts[:10], "the most frequent, most frequent first")
    eq(counts, sorted(counts, reverse=True), "ordered by count")


@test
def fields_dates_and_operators():
    eq(ids(search(d(), "title:wanted")), ["004_7a0772fac955139b"], "title:")
    check("004_7a0772fac955139b" in ids(search(d(), "source:journal")), "source:")
    hits = search(d(), {"q": "date:2019", "limit": 100})["hits"]
    check(len(hits) >= 5, "date:2019 finds the 2019 articles: %d" % len(hits))
    for h in hits:
        check(h["date"].startswith("2019"), "date:2019 gave %r" % h["date"])
    a = search(d(), {"q": "accountable officer", "date_from": "2018-12-01", "date_to": "2018-12-31"})
    eq(ids(a), ["002_384a417d6ab5e7e1"], "JSON date range")
    eq(set(ids(search(d(), "nene NEAR corby"))), {"000_a0141472471f05fe"}, "NEAR")
    with_essex = all_ids("merger essex")
    check(with_essex and not (with_essex & all_ids("merger NOT essex")), "NOT excludes")
    eq(all_ids("merger -essex"), all_ids("merger NOT essex"), "- is NOT")
    check(all_ids("merger") and all_ids("merger OR amalgamation") >= all_ids("merger"), "OR widens")
    phrase = all_ids('"joint accountable officer"')
    check(phrase and phrase <= all_ids("joint accountable officer"), "a phrase narrows")


@test
def wildcard_expansion_is_bounded():
    # CS_MAX_WILDCARD_EXPANSION is 200: 200 words share a prefix, then 201.
    src = tmpdir()
    with open(os.path.join(src, "w.jsonl"), "w") as f:
        f.write(json.dumps({"id": "w", "title": "Words",
                            "body": " ".join("zq%03d" % i for i in range(200))}) + "\n")
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, src)
    dd = Daemon(ix)
    eq(search(dd, "zq*")["total"], 1, "200 expansions are fine")
    with open(os.path.join(src, "w.jsonl"), "a") as f:
        f.write(json.dumps({"id": "w2", "title": "More", "body": "zq200"}) + "\n")
    run_indexer("--index", ix, src)
    import time
    deadline = time.time() + 2          # new documents show within a second
    while True:
        a = dd.ask("SEARCH zq*")
        if not a["ok"] or time.time() > deadline:
            break
        time.sleep(0.05)
    eq(a["error"]["code"], "bad_query", "201 expansions are refused")
    check("more than 200 words" in a["error"]["message"], a["error"]["message"])
    eq(search(dd, "zq1*")["total"], 1, "a longer prefix is fine")
    eq(dd.stop(), 0, "daemon exit")


@test
def query_term_limit_is_enforced():
    words = " ".join("w%d" % i for i in range(64))
    check(d().ask("SEARCH " + words)["ok"], "64 terms")
    eq(d().ask("SEARCH " + words + " w64")["error"]["code"], "bad_query", "65 terms")


@test
def random_queries_never_hurt_the_daemon():
    rng = random.Random(20261125)
    alphabet = list("abcdeo ()\"-+*:/.\\") + ["AND", "OR", "NOT", "NEAR", "NEAR/2", "title:",
                                                 "ccg:", "date:", "2019", "..", "\u00e9", "{", "}"]
    with d().connect() as c:
        for i in range(600):
            q = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
            c.send("SEARCH " + q + "\n")
            a = c.answer()
            check(a["ok"] or a["error"]["code"] in ("bad_query", "bad_request"),
                  "query %r gave %r" % (q, a))
        eq(c.ask("PING")["pong"], True, "still serving")


@test
def similar_finds_the_near_duplicate():
    a = d().ask("SIMILAR 002_384a417d6ab5e7e1")
    check(a["ok"], repr(a))
    got = ids(a)
    check("002_384a417d6ab5e7e1" not in got, "not the document itself")
    eq(got[0], "003_0ecb9dfa299ccda2", "the report that repeats its text comes first")
    eq(d().ask("SIMILAR no-such-id")["error"]["code"], "not_found", "unknown id")


@test
def get_returns_the_whole_document():
    doc = d().ask("GET 003_0ecb9dfa299ccda2")["document"]
    check("Richard Morris" in doc["body"] and doc["body"].endswith("nhs.uk"), "whole body")
    check("Richard Morris" in doc["entities"]["person"], "with its entities")
    check(any(r["person"] == "Azhar Farooqi" for r in doc["person_role"]), "and relations")


def cli(*args, env=None):
    return subprocess.run([binary("ccg-search"), "-p", str(d().port)] + list(args),
                          capture_output=True, text=True, env=env or dict(os.environ, NO_COLOR="1"))


@test
def cli_has_a_flag_for_every_search_field():
    p = cli("--json", "--ccg", "Leicester City", "--role", "clinical chair", "--person",
            "Azhar Farooqi", "--from", "2018-01-01", "--to", "2019-12-31",
            "--sort", "date", "--limit", "1", "--page", "2")
    eq(p.returncode, 0, p.stderr)
    a = json.loads(p.stdout)
    eq(a["offset"], 1, "--page 2 of --limit 1")
    eq(a["total"], 2, "filters and dates applied (002 and 003): %r" % a["total"])
    eq(ids(a), ["002_384a417d6ab5e7e1"], "newest first, second page")
    # Rutland is a place of 003 ("the CCGs in Leicester, Leicestershire and
    # Rutland"), not of 000, where it is only the area of "Leicestershire
    # and Rutland CCGs" (the seeds gold).
    p = cli("--json", "--place", "Rutland", "--limit", "100")
    check("003_0ecb9dfa299ccda2" in ids(json.loads(p.stdout)), "--place")
    check("000_a0141472471f05fe" not in ids(json.loads(p.stdout)), "--place: a group's area")
    p = cli("--json", "--org", "Care Quality Commission", "--limit", "100")
    check("000_a0141472471f05fe" in ids(json.loads(p.stdout)), "--org")
    p = cli("--from", "2019-13-01", "merger")
    eq(p.returncode, 1, "bad date is refused by the server")
    check("date_from" in p.stderr, p.stderr)
    for bad in ("x", "", "-1", "101"):          # CS_MAX_RESULT_LIMIT is 100
        p = cli("--limit", bad, "merger")
        eq(p.returncode, 2, "--limit %r is a usage error" % bad)
        check("from 0 to 100" in p.stderr, p.stderr)


@test
def cli_colours_matches_on_a_terminal_only():
    def on_tty(env):
        return run_on_tty([binary("ccg-search"), "-p", str(d().port), "Radmore"], env)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    out = on_tty(env)
    check("\033[1;33mRadmore\033[0m" in out, "highlighted on a terminal: %r" % out[:400])
    out = on_tty(dict(env, NO_COLOR="1"))
    check("\033[" not in out and "Radmore" in out, "NO_COLOR respected")
    p = cli("Radmore", env=env)
    check("\033[" not in p.stdout, "no colour into a pipe")


@test
def the_shared_daemon_stops_cleanly():
    eq(d().stop(), 0, "exit status after all the above (no leak, no crash)")


run()
