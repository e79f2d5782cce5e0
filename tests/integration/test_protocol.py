"""The line protocol, end to end: the seeds indexed by the real indexer, the
real daemon on an ephemeral port, answers checked against PROTOCOL.md."""
import json
import os
import re
import subprocess
import time

from harness import (Daemon, binary, check, eq, ids, indexed_seeds, run, shared_daemon,
                     run_indexer, search, test, tmpdir, SEEDS, ROOT)

SEED_IDS = sorted(os.path.splitext(f)[0] for f in os.listdir(SEEDS))
MAX_LINE = 64 * 1024        # CS_MAX_LINE_DEFAULT

d = shared_daemon


@test
def accountable_officer_finds_all_five_seeds():
    a = search(d(), "accountable officer")
    eq(sorted(ids(a)), SEED_IDS, "hits")
    eq(a["total"], 5, "total")
    check(a["total_exact"] is True, "total_exact")
    ranks = [h["rank"] for h in a["hits"]]
    eq(ranks, [1, 2, 3, 4, 5], "ranks")
    scores = [h["score"] for h in a["hits"]]
    check(scores == sorted(scores, reverse=True), "hits not in score order: %r" % scores)


@test
def radmore_finds_only_the_essex_story():
    a = search(d(), "Radmore")
    eq(ids(a), ["004_7a0772fac955139b"], "hits")
    check("<mark>Radmore</mark>" in a["hits"][0]["snippet"], "snippet marks the match: %r"
          % a["hits"][0]["snippet"])


@test
def search_answer_has_the_documented_fields():
    a = search(d(), {"q": "merger", "limit": 2})
    for key in ("ok", "total", "total_exact", "offset", "limit", "took_us", "hits", "facets"):
        check(key in a, "answer lacks %s" % key)
    eq(a["limit"], 2, "limit")
    eq(len(a["hits"]), 2, "hits returned")
    h = a["hits"][0]
    for key in ("rank", "id", "score", "title", "date", "source", "snippet", "entities"):
        check(key in h, "hit lacks %s" % key)
    eq(sorted(a["facets"]), ["ccg", "org", "person", "place", "role"], "facets")


@test
def get_returns_the_stored_document():
    a = d().ask("GET 002_384a417d6ab5e7e1")
    check(a["ok"], repr(a))
    doc = a["document"]
    eq(doc["title"], "Leicester, Leicestershire and Rutland CCGs agree proposals for a joint "
                     "accountable officer", "title")
    eq(doc["date"], "2018-12-12", "date")
    check("Mayur Lakhani" in doc["body"], "body stored")
    a = d().ask("GET no-such-document")
    eq(a["error"]["code"], "not_found", "unknown id")


@test
def unknown_verb_gets_unknown_command_and_connection_stays():
    with d().connect() as c:
        a = c.ask("FROBNICATE everything")
        eq(a, {"ok": False, "error": {"code": "unknown_command",
                                      "message": a["error"]["message"]}}, "answer")
        eq(c.ask("PING"), {"ok": True, "pong": True}, "next request")


@test
def verbs_are_case_insensitive_and_cr_and_empty_lines_are_handled():
    with d().connect() as c:
        c.send("ping\r\n\n\r\n   \nPiNg\n")
        eq(c.answer(), {"ok": True, "pong": True}, "first")
        eq(c.answer(), {"ok": True, "pong": True}, "second (empty lines get no answer)")


@test
def invalid_utf8_gets_bad_request_and_connection_stays():
    with d().connect() as c:
        c.send(b"SEARCH caf\xc3\n")
        eq(c.answer()["error"]["code"], "bad_request", "truncated UTF-8")
        c.send(b"SEARCH \xed\xa0\x80\n")            # a surrogate
        eq(c.answer()["error"]["code"], "bad_request", "surrogate")
        c.send(b"GET a\x00b\n")
        eq(c.answer()["error"]["code"], "bad_request", "NUL byte")
        eq(c.ask("PING")["pong"], True, "still open")


@test
def bad_json_and_bad_fields_get_bad_request():
    with d().connect() as c:
        eq(c.ask('SEARCH {"q": "merger"')["error"]["code"], "bad_request", "broken JSON")
        eq(c.ask('SEARCH {"q": 7}')["error"]["code"], "bad_request", "q not a string")
        eq(c.ask('SEARCH {"limit": 101}')["error"]["code"], "bad_request", "limit over 100")
        eq(c.ask('SEARCH {"limit": -1}')["error"]["code"], "bad_request", "negative limit")
        eq(c.ask('SEARCH {"limt": 5}')["error"]["code"], "bad_request", "unknown field")
        eq(c.ask('SEARCH {"sort": "size"}')["error"]["code"], "bad_request", "bad sort")
        eq(c.ask('SEARCH {"date_from": "12/12/2018"}')["error"]["code"], "bad_request", "bad date")
        a = c.ask('SEARCH {"limit": 100}')
        check(a["ok"], "limit 100 is allowed: %r" % a)
        a = c.ask('SEARCH {"limit": 0}')
        check(a["ok"] and a["hits"] == [] and a["total"] == 5, "limit 0: total only: %r" % a)
        eq(c.ask("GET")["error"]["code"], "bad_request", "GET without id")
        eq(c.ask("PING now")["error"]["code"], "bad_request", "PING with argument")


@test
def bad_query_says_where():
    a = d().ask('SEARCH merger AND')
    eq(a["error"]["code"], "bad_query", "dangling AND")
    check("column" in a["error"]["message"], a["error"]["message"])
    a = d().ask('SEARCH "unclosed phrase')
    eq(a["error"]["code"], "bad_query", "unclosed phrase")
    check("column 1" in a["error"]["message"], a["error"]["message"])


@test
def line_at_the_limit_is_served():
    # SEARCH, a space and a word: exactly MAX_LINE bytes before the LF.
    line = "SEARCH " + "x" * (MAX_LINE - 7)
    eq(len(line), MAX_LINE, "line length")
    with d().connect() as c:
        a = c.ask(line)
        check(a["ok"], "a line of exactly the limit is served: %r" % a)
        eq(c.ask("PING")["pong"], True, "still open")
        a = c.ask(line + "\r")              # the CR is not counted
        check(a["ok"], "a CR before the LF is dropped first: %r" % a)


@test
def line_over_the_limit_is_refused_and_closed():
    with d().connect() as c:
        c.send("SEARCH " + "x" * (MAX_LINE - 6) + "\n")      # one byte over
        eq(c.answer()["error"]["code"], "line_too_long", "limit + 1")
        check(c.closed(), "connection closed after line_too_long")
    with d().connect() as c:
        c.send("PING\n" + "A" * (100 * 1024) + "\n")           # 100 KiB line
        eq(c.answer(), {"ok": True, "pong": True}, "request before it answered")
        eq(c.answer()["error"]["code"], "line_too_long", "100 KiB line")
        check(c.closed(), "connection closed after line_too_long")
    with d().connect() as c:
        c.send("SEARCH " + "y" * (200 * 1024))                  # no LF at all
        eq(c.answer()["error"]["code"], "line_too_long", "unterminated 200 KiB")
        check(c.closed(), "connection closed")
    eq(d().ask("PING")["pong"], True, "the server is fine")


@test
def max_line_option_sets_the_limit():
    dd = Daemon(indexed_seeds(), "--max-line", "100")
    with dd.connect() as c:
        a = c.ask("SEARCH " + "x" * 93)                    # 100 bytes
        check(a["ok"], "at the limit: %r" % a)
        eq(c.ask("SEARCH " + "x" * 94)["error"]["code"], "line_too_long", "one byte over")
    eq(dd.stop(), 0, "daemon exit")


@test
def a_client_that_keeps_sending_cannot_hold_a_closing_connection():
    # CS_LINGER_TIMEOUT_S is 2: after line_too_long the
    # server stops sending (EOF), discards what the client still sends for
    # 2 s, then closes, however steadily the client sends.  Sending to a
    # closed socket fails.
    with d().connect() as c:
        c.send("x" * (MAX_LINE + 1) + "\n")
        eq(c.answer()["error"]["code"], "line_too_long", "answer first")
        t0 = time.time()
        closed = False
        while not closed and time.time() - t0 < 10:
            try:
                c.sock.sendall(b"y" * 100)
                time.sleep(0.1)
            except (ConnectionResetError, BrokenPipeError):
                closed = True
        took = time.time() - t0
        check(closed and 1.5 < took < 5, "closed after %.1f s of steady sending" % took)


@test
def fifty_pipelined_requests_get_fifty_answers_in_order():
    # CS_REQUEST_BUDGET is 32: fifty requests in one write take two turns.
    reqs, expect = [], []
    for i in range(50):
        k = i % 5
        if k == 0:
            reqs.append("PING")
            expect.append(lambda a: a == {"ok": True, "pong": True})
        elif k == 1:
            reqs.append("SEARCH Radmore")
            expect.append(lambda a: ids(a) == ["004_7a0772fac955139b"])
        elif k == 2:
            reqs.append("GET %s" % SEED_IDS[i % 5])
            want = SEED_IDS[i % 5]
            expect.append(lambda a, w=want: a["document"]["id"] == w)
        elif k == 3:
            reqs.append("NOPE %d" % i)
            expect.append(lambda a: a["error"]["code"] == "unknown_command")
        else:
            reqs.append('SEARCH {"q":"accountable officer","limit":%d}' % (i % 4 + 1))
            n = i % 4 + 1
            expect.append(lambda a, n=n: len(a["hits"]) == n and a["total"] == 5)
    with d().connect() as c:
        c.send("".join(r + "\n" for r in reqs))
        for n, (r, ok) in enumerate(zip(reqs, expect)):
            a = c.answer()
            check(ok(a), "answer %d to %r is wrong: %r" % (n, r, a))


@test
def help_and_stats_and_quit():
    with d().connect() as c:
        h = c.ask("HELP")
        verbs = [v["verb"] for v in h["verbs"]]
        for v in ("PING", "SEARCH", "GET", "STATS", "HELP", "QUIT"):
            check(v in verbs, "HELP lists %s" % v)
        who = [v for v in h["verbs"] if v["verb"] == "WHO"][0]
        eq(who["usage"], "WHO <org> | WHO <role> at <org> | WHO <role> | WHO <person> | WHO {json}",
           "WHO's usage names the organisation question first, as its precedence is")
        s = c.ask("STATS")
        eq(s["index"]["documents"], 5, "documents")
        check(s["requests"]["HELP"] >= 1, "HELP counted")
        check(s["connections"]["open"] >= 1, "open connections")
        eq(c.ask("QUIT"), {"ok": True, "bye": True}, "QUIT")
        check(c.closed(), "closed after QUIT")


@test
def indexing_again_replaces_by_id():
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, SEEDS)
    check("indexed 5," in p.err, p.err)
    p = run_indexer("--index", ix, SEEDS)
    check("indexed 0, unchanged 5" in p.err, "unchanged documents are skipped: " + p.err)
    # A changed document is replaced, not added.
    src = tmpdir()
    with open(os.path.join(SEEDS, "004_7a0772fac955139b.txt"), encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(src, "004_7a0772fac955139b.txt"), "w", encoding="utf-8") as f:
        f.write(text.replace("Radmore", "Zanzibarr"))
    p = run_indexer("--index", ix, src)
    check("indexed 1," in p.err, p.err)
    dd = Daemon(ix)
    eq(dd.ask("STATS")["index"]["documents"], 5, "no duplicate")
    eq(ids(search(dd, "Zanzibarr")), ["004_7a0772fac955139b"], "new text found")
    eq(ids(search(dd, "Radmore")), [], "old text gone")
    eq(dd.stop(), 0, "daemon exit status")


@test
def cli_prints_ranked_hits_and_raw_json():
    port = str(d().port)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    p = subprocess.run([binary("ccg-search"), "-p", port, "accountable", "officer"],
                       capture_output=True, text=True, env=env)
    eq(p.returncode, 0, "exit status")
    check(p.stdout.startswith("5 results"), p.stdout[:200])
    for i in SEED_IDS:
        check(i in p.stdout, "%s listed" % i)
    check(re.search(r"^\s+1\. ", p.stdout, re.M), "rank shown")
    check("score" in p.stdout and "2018-12-12" in p.stdout, "score and date shown")
    check("\033[" not in p.stdout, "no colour into a pipe")
    p = subprocess.run([binary("ccg-search"), "-p", port, "--json", "Radmore"],
                       capture_output=True, text=True)
    eq(p.returncode, 0, "exit status")
    a = json.loads(p.stdout)
    eq(ids(a), ["004_7a0772fac955139b"], "raw JSON hits")
    p = subprocess.run([binary("ccg-search"), "-p", port, "merger AND"],
                       capture_output=True, text=True)
    eq(p.returncode, 1, "bad query exit status")
    check("bad_query" in p.stderr, p.stderr)


@test
def cli_says_clearly_when_the_daemon_is_not_there():
    # A port nothing listens on: bind one, close it, use it.
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.run([binary("ccg-search"), "-p", str(port), "merger"],
                       capture_output=True, text=True)
    eq(p.returncode, 3, "exit status")
    check("cannot connect" in p.stderr and str(port) in p.stderr, p.stderr)


@test
def sigterm_stops_the_daemon_cleanly():
    eq(d().ask("PING")["pong"], True, "alive")
    eq(d().stop(), 0, "exit status after SIGTERM (non-zero would mean a leak or crash)")
    check("stopped" in d().logtext(), "logged its stop")


run()
