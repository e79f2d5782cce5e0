"""SEARCH in depth, on the real daemon: the query language, synonyms,
spelling, snippets, sorting and paging, SIMILAR, and the CLI's flags."""
import json
import os
import random
import re
import subprocess

from harness import (CORPORA, SEEDS, Daemon, Listener, binary, check, eq, ids, run,
                     run_indexer, run_on_tty, search, test, tmpdir, unused_port)

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
    for bad in ("x", "", "-1", "101"):          # CS_MAX_RESULT_LIMIT is 100
        p = cli("--limit", bad, "merger")
        eq(p.returncode, 2, "--limit %r is a usage error" % bad)
        check("from 0 to 100" in p.stderr, p.stderr)


def cli_at(port, *args, env=None):
    """ccg-search -p port args (the harness's environment, no colour)."""
    return subprocess.run([binary("ccg-search"), "-p", str(port)] + list(args),
                          capture_output=True, text=True, timeout=60,
                          env=env or dict(os.environ, NO_COLOR="1"))


def refused_unsent(args, message, env=None):
    """args are a usage error: exit 2 with message, and nothing connected."""
    ls = Listener()
    p = cli_at(ls.port, "--timeout", "2000", *args, env=env)
    eq(p.returncode, 2, "%r: exit status (%s)" % (args, p.stderr.strip()))
    check(message in p.stderr, "%r: %r not in %r" % (args, message, p.stderr))
    eq(p.stdout, "", "%r: nothing printed on stdout" % (args,))
    eq(ls.connections(), 0, "%r: nothing sent" % (args,))


@test
def cli_usage_errors_exit_2_before_anything_is_sent():
    for args, message in [
            (["--sort", "foo", "merger"], "--sort wants relevance, date or date_asc, not 'foo'"),
            (["--sort", "", "merger"], "--sort wants"),
            (["--from", "2019-13-01", "merger"], "--from wants a date written YYYY-MM-DD"),
            (["--from", "2019-02-29", "merger"], "not '2019-02-29'"),
            (["--to", "yesterday", "merger"], "--to wants a date written YYYY-MM-DD"),
            (["--from", "2019-01-01", "--to", "2018-12-31", "merger"],
             "--from 2019-01-01 is after --to 2018-12-31"),
            (["--limit", "1e3", "merger"], "--limit wants a number from 0 to 100"),
            (["--limit", "99999999999999999999", "merger"], "--limit wants"),
            (["--page", "0", "merger"], "--page wants a number from 1"),
            (["--page", "2x", "merger"], "--page wants a number from 1"),
            (["--timeout", "", "merger"], "--timeout wants milliseconds"),
            (["--timeout", "99999999999", "merger"], "--timeout wants milliseconds"),
            ([], "no QUERY"),
            (["--facets", "--limit", "5"], "no QUERY"),
            (["--get", ""], "--get wants a document id"),
            (["--similar", "a\nSTATS"], "--similar wants a document id on one line"),
            (["--who", "x\r\nSTATS"], "--who wants a question on one line"),
            (["--get", "x", "merger"], "--get takes no QUERY"),
            (["--get", "x", "--stats"], "one request each"),
            (["--unix", "/nonexistent", "-H", "127.0.0.1", "merger"], "not both"),
            (["merger", "-essex"], "goes after '--'")]:
        refused_unsent(args, message)
    # The deepest page: CS_MAX_RESULT_OFFSET (10000) hits skipped at most.
    refused_unsent(["--limit", "100", "--page", "102", "merger"],
                   "--page 102 with --limit 100 would skip more than the 10000 hits the "
                   "server skips at most: with --limit 100, --page goes up to 101")
    refused_unsent(["--page", "1002", "merger"], "with --limit 10, --page goes up to 1001")
    refused_unsent(["--limit", "7", "--page", "9223372036854775807", "merger"], "up to 1429")
    p = cli("--limit", "100", "--page", "101", "merger")
    eq((p.returncode, p.stderr), (0, ""), "the deepest page is served")
    p = cli("--limit", "10", "--page", "1001", "--json", "merger")
    eq(json.loads(p.stdout)["offset"], 10000, "--page 1001 skips 10000")
    p = cli("--limit", "0", "--page", "5000", "--json", "merger")
    eq(p.returncode, 0, "--limit 0 skips nothing on any page: " + p.stderr)
    # A filter alone, or '' on purpose, lists what it selects.
    p = cli("--json", "--ccg", "Leicester City")
    eq(p.returncode, 0, p.stderr)
    check(json.loads(p.stdout)["total"] > 0, "a filter alone")
    p = cli("--json", "--from", "2019-01-01", "--limit", "0")
    check(json.loads(p.stdout)["total"] > 0, "a date range alone")
    p = cli("--json", "", "--limit", "0")
    eq(json.loads(p.stdout)["total"], 83, "'' matches every document")


# What each request does with each option: honoured (and how that shows),
# or refused as a usage error.  Connection options (-H, -p, --unix,
# --timeout) and --json go with every request.
SEARCH_ONLY = [["--ccg", "Leicester City"], ["--role", "clinical chair"],
               ["--person", "Azhar Farooqi"], ["--org", "Care Quality Commission"],
               ["--place", "Rutland"], ["--from", "2018-01-01"], ["--to", "2019-12-31"],
               ["--sort", "date"], ["--any"], ["--plain"], ["--limit", "3"], ["-n", "3"],
               ["--page", "2"], ["--facets"], ["-f"], ["--no-correct"]]
REQUESTS = {"search": ["merger"], "--get": ["--get", "003_0ecb9dfa299ccda2"],
            "--similar": ["--similar", "002_384a417d6ab5e7e1"], "--who": ["--who", "Toby Sanders"],
            "--stats": ["--stats"]}


@test
def cli_every_option_is_honoured_or_refused_by_every_request():
    for name, req in REQUESTS.items():
        for opt in SEARCH_ONLY + [["--no-snippets"]]:
            honoured = name == "search" or (name == "--similar" and opt == ["--no-snippets"])
            if honoured:
                p = cli(*(opt + req))
                eq((p.returncode, p.stderr), (0, ""), "%s with %s" % (name, opt))
                check(p.stdout, "%s with %s printed nothing" % (name, opt))
            else:
                long = {"-n": "--limit", "-f": "--facets"}.get(opt[0], opt[0])
                refused_unsent(opt + req, "%s goes with a search" % long)
                refused_unsent(req + opt, "not with %s" % name)
        for opt in (["--json"], ["--timeout", "5000"], ["-H", "127.0.0.1"]):
            p = cli(*(opt + req))
            eq((p.returncode, p.stderr), (0, ""), "%s with %s" % (name, opt))
            if opt == ["--json"]:
                check(json.loads(p.stdout)["ok"], "%s --json" % name)
    # --no-snippets with --similar, in text and JSON.
    p = cli("--similar", "002_384a417d6ab5e7e1")
    check("JOINT HEALTH OVERVIEW" in p.stdout, "--similar shows passages: " + p.stdout[:300])
    p = cli("--similar", "002_384a417d6ab5e7e1", "--no-snippets")
    check("003_0ecb9dfa299ccda2" in p.stdout and "JOINT HEALTH OVERVIEW" not in p.stdout,
          "--similar --no-snippets: " + p.stdout[:300])
    a = json.loads(cli("--json", "--no-snippets", "--similar", "002_384a417d6ab5e7e1").stdout)
    check(a["hits"] and not any("snippet" in h for h in a["hits"]), "--json --similar --no-snippets")
    eq(ids(a)[0], "003_0ecb9dfa299ccda2", "the same hits")
    # The search options' effects (cli_has_a_flag_for_every_search_field has the filters).
    a = json.loads(cli("--json", "--no-snippets", "merger").stdout)
    check(not any("snippet" in h for h in a["hits"]), "search --no-snippets")
    eq(json.loads(cli("--json", "-n", "3", "merger").stdout)["limit"], 3, "-n")
    check(json.loads(cli("--json", "-f", "merger").stdout)["facets"]["ccg"], "-f")
    eq(json.loads(cli("--json", "merger").stdout)["facets"], {}, "no facets without -f")


@test
def cli_says_which_results_it_shows():
    p = cli("accountab")
    eq(p.returncode, 0, p.stderr)
    first = p.stdout.splitlines()[0]
    eq(first, "Showing results for accountable (search instead for accountab with --no-correct)",
       "the corrected query's results are shown")
    check("Did you mean" not in p.stdout, p.stdout[:300])
    check(re.search(r"^\d+ results, showing 1-10", p.stdout, re.M), p.stdout[:300])
    p = cli("--no-correct", "accountab")
    lines = p.stdout.splitlines()
    eq(lines[0], "Did you mean: accountable", "--no-correct: the suggestion")
    check(len(lines) == 2 and lines[1].startswith("0 results ("),
          "--no-correct: the query as typed, which matches nothing: %r" % lines)
    # The query as typed matches: its results, and the suggestion.
    p = cli("--any", "merger acountable")
    check("Did you mean: merger accountable" in p.stdout, p.stdout[:300])
    check("Showing results for" not in p.stdout, p.stdout[:300])


@test
def cli_double_dash_ends_the_options():
    p = cli("--json", "--limit", "100", "--", "merger", "-essex")
    eq(p.returncode, 0, p.stderr)
    eq(set(ids(json.loads(p.stdout))), all_ids("merger NOT essex"), "-- merger -essex")
    p = cli("--plain", "--no-correct", "--", "--json")
    eq(p.returncode, 0, p.stderr)
    check(not p.stdout.startswith("{") and re.search(r"^0 results \(", p.stdout, re.M),
          "-- --json is a query word: " + p.stdout[:200])
    p = subprocess.run([binary("ccg-search"), "--help"], capture_output=True, text=True)
    check("'--' ends them" in p.stdout and "ccg-search -- merger -essex" in p.stdout, p.stdout)


@test
def cli_takes_host_and_port_from_the_environment():
    port = str(d().port)
    base = {k: v for k, v in os.environ.items() if not k.startswith("CCGSEARCH_")}
    base["NO_COLOR"] = "1"

    def run_env(env, *args):
        return subprocess.run([binary("ccg-search"), "--json", "--limit", "1"] + list(args) +
                              ["Radmore"], capture_output=True, text=True, timeout=60,
                              env=dict(base, **env))
    for env, args in [({"CCGSEARCH_PORT": port}, []),
                      ({"CCGSEARCH_HOST": "127.0.0.1", "CCGSEARCH_PORT": port}, []),
                      ({"CCGSEARCH_HOST": "nosuch.invalid"}, ["-H", "127.0.0.1", "-p", port]),
                      ({"CCGSEARCH_PORT": str(unused_port())}, ["-p", port]),
                      ({"CCGSEARCH_HOST": "", "CCGSEARCH_PORT": ""}, ["-p", port])]:
        p = run_env(env, *args)
        eq(p.returncode, 0, "%r %r: %s" % (env, args, p.stderr))
        eq(ids(json.loads(p.stdout)), ["004_7a0772fac955139b"], "%r %r" % (env, args))
    p = run_env({"CCGSEARCH_HOST": "nosuch.invalid", "CCGSEARCH_PORT": port})
    eq(p.returncode, 3, p.stderr)
    check("cannot resolve host 'nosuch.invalid'" in p.stderr, p.stderr)
    for bad in ("99999", "http", "-1"):
        p = subprocess.run([binary("ccg-search"), "merger"], capture_output=True, text=True,
                           timeout=60, env=dict(base, CCGSEARCH_PORT=bad))
        eq(p.returncode, 2, "CCGSEARCH_PORT=%s: %s" % (bad, p.stderr))
        check("CCGSEARCH_PORT wants a number from 1 to 65535, not '%s'" % bad in p.stderr, p.stderr)
    p = subprocess.run([binary("ccg-search"), "--help"], capture_output=True, text=True)
    check("$CCGSEARCH_HOST" in p.stdout and "$CCGSEARCH_PORT" in p.stdout, p.stdout)


@test
def cli_says_why_it_cannot_reach_the_server():
    p = cli_at(7700, "-H", "nosuch.invalid", "merger")
    eq(p.returncode, 3, p.stderr)
    check(p.stderr.startswith("ccg-search: cannot resolve host 'nosuch.invalid': "), p.stderr)
    check("running" not in p.stderr, "a name that does not resolve is not a server that is down")
    port = unused_port()
    p = cli_at(port, "merger")
    eq(p.returncode, 3, p.stderr)
    check("is ccg-searchd running on 127.0.0.1:%d?" % port in p.stderr, p.stderr)


@test
def cli_colours_matches_on_a_terminal_only():
    def on_tty(env):
        return run_on_tty([binary("ccg-search"), "-p", str(d().port), "Radmore"], env)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    out = on_tty(env)
    check("\033[1;33mRadmore\033[0m" in out, "highlighted on a terminal: %r" % out[:400])
    out = on_tty(dict(env, NO_COLOR="1"))
    check("\033[" not in out and "Radmore" in out, "NO_COLOR respected")
    p = cli("Radmore", env=env)
    check("\033[" not in p.stdout, "no colour into a pipe")
    out = on_tty(dict(env, TERM="dumb"))
    check("\033[" not in out and "Radmore" in out, "no colour on a dumb terminal: %r" % out[:300])
    out = on_tty({k: v for k, v in env.items() if k != "TERM"})
    check("\033[" not in out and "Radmore" in out, "no colour without TERM: %r" % out[:300])


@test
def the_shared_daemon_stops_cleanly():
    eq(d().stop(), 0, "exit status after all the above (no leak, no crash)")


run()
