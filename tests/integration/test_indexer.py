"""ccg-indexer on real articles and on bad input: metadata, chrome, JSON
Lines, errors, incremental updates, deletes and atomic rebuilds."""
import json
import os
import signal
import subprocess
import time

from harness import (CORPORA, SEEDS, Daemon, binary, check, eq, extract, ids,
                     run, run_indexer, run_on_tty, search, test, tmpdir)

SEED_META = {
    "000_a0141472471f05fe": ("Plans for a single accountable officer for three Leicestershire "
                             "and Rutland CCGs have stalled", None, None),
    "001_30771f8563898753": ("Three East Midlands CCGs will press ahead with a joint accountable "
                             "officer despite previous concerns", None, None),
    "002_384a417d6ab5e7e1": ("Leicester, Leicestershire and Rutland CCGs agree proposals for a "
                             "joint accountable officer", "2018-12-12", None),
    "003_0ecb9dfa299ccda2": ("Update on CCGs' Mangement Structure", "2019-01-21",
                             "NHS West Leicestershire CCG, NHS East Leicestershire and Rutland "
                             "CCG and NHS Leicester City CCG"),
    "004_7a0772fac955139b": ("Wanted: single executive for merged CCG", None,
                             "Health Service Journal"),
}

CHROME = ["Home > News", "No Comments", "No comments yet", "Leave a comment",
          "follow us on Twitter", "Be the first to comment", "Leave a Reply", "Posted in",
          "Communications Team"]


@test
def seeds_title_date_and_source():
    docs = extract(SEEDS)
    eq(sorted(docs), sorted(SEED_META), "ids")
    for i, (title, date, source) in SEED_META.items():
        eq(docs[i]["title"], title, i + " title")
        eq(docs[i]["date"], date, i + " date")
        eq(docs[i]["source"], source, i + " source")
        check(docs[i]["body_length"] > 1500, i + " body kept")
        check(len(docs[i]["body_start"]) <= 200, i + " body_start is at most 200 characters")


@test
def extract_prints_the_documented_fields():
    docs = extract(os.path.join(SEEDS, "002_384a417d6ab5e7e1.txt"))
    d = docs["002_384a417d6ab5e7e1"]
    for key in ("id", "title", "date", "source", "url", "body_length", "body_start",
                "ccg", "role", "person", "org", "place", "person_role"):
        check(key in d, "--extract lacks " + key)
    check(d["body_start"].startswith("The decision \u2013 made at yesterday\u2019s"),
          "body starts after the byline line: %r" % d["body_start"][:60])


@test
def chrome_is_dropped_and_not_searchable():
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, SEEDS)
    dd = Daemon(ix)
    for i in SEED_META:
        body = dd.ask("GET " + i)["document"]["body"]
        for c in CHROME:
            check(c not in body, "%s: chrome %r left in the body" % (i, c))
    for q in ("twitter", '"leave a comment"', "linkedin", "facebook", '"no comments"',
              '"be the first to comment"', '"leave a reply"'):
        eq(ids(search(dd, q)), [], "SEARCH " + q)
    # ...while the story around it still is.
    eq(ids(search(dd, "Radmore")), ["004_7a0772fac955139b"], "story text")
    eq(dd.stop(), 0, "daemon exit")


@test
def ccg_dev_indexes_all_78_records():
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, os.path.join(CORPORA, "ccg_dev.jsonl"))
    check("indexed 78, unchanged 0, skipped 0, errors 0" in p.err, p.err)
    dd = Daemon(ix)
    eq(dd.ask("STATS")["index"]["documents"], 78, "documents")
    a = dd.ask("GET p0008")["document"]
    eq(a["date"], "2020-06-15", "date marker read")
    check(a["body"].startswith("Dr Julian Povey"), "marker dropped from the body")
    eq(dd.stop(), 0, "daemon exit")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


@test
def json_lines_round_trip():
    src = tmpdir()
    recs = [
        {"id": "rt-1", "title": "Caf\u00e9 \u201cquotes\u201d & <tags>", "date": "2019-01-21",
         "source": "Test Source", "url": "https://example.org/a", "body": "First body.\n\nSecond paragraph \u2013 dash."},
        {"id": 77, "title": "Integer id", "text": "Text instead of body.", "unknown": {"x": 1}},
        {"id": "rt-3", "title": None, "date": "21/01/2019", "source": None, "body": "No title here at all"},
    ]
    write(os.path.join(src, "recs.jsonl"), "\n".join(json.dumps(r) for r in recs) + "\n")
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, src)
    check("indexed 3," in p.err, p.err)
    dd = Daemon(ix)
    d1 = dd.ask("GET rt-1")["document"]
    for k in ("title", "date", "source", "url", "body"):
        eq(d1[k], recs[0][k], "rt-1 " + k)
    d2 = dd.ask("GET 77")["document"]
    eq((d2["title"], d2["body"], d2["date"]), ("Integer id", "Text instead of body.", None), "77")
    d3 = dd.ask("GET rt-3")["document"]
    eq((d3["title"], d3["date"]), ("No title here at all", "2019-01-21"), "rt-3")
    eq(dd.stop(), 0, "daemon exit")


@test
def stdin_is_json_lines():
    ix = os.path.join(tmpdir(), "index")
    data = b'{"id":"s1","title":"From stdin","body":"Piped in."}\n{"id":"s2","body":"Two."}'
    p = run_indexer("--index", ix, "-", stdin=data)
    check("indexed 2," in p.err, p.err)
    docs = {}
    p = run_indexer("--extract", "-", stdin=data)
    for line in p.out.splitlines():
        d = json.loads(line)
        docs[d["id"]] = d
    eq(sorted(docs), ["s1", "s2"], "extract from stdin")


@test
def bad_inputs_are_reported_and_skipped():
    src = tmpdir()
    write(os.path.join(src, "good.txt"), "A good headline\n\nA good body about a merger.\n")
    write(os.path.join(src, "truncated.txt"), b"Headline\n\nCaf\xc3")           # truncated UTF-8
    write(os.path.join(src, "image.txt"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    write(os.path.join(src, "empty.txt"), b"")
    lines = [
        b'{"id":"j1","body":"first good record"}',
        b'{"id":"j2","body":',                                       # broken JSON (line 2)
        b'{"id":"j3","body":"caf\xc3"}',                             # invalid UTF-8 (line 3)
        b'{"id":"j4","body":""}',                                    # empty body (line 4)
        b'{"id":"j5","body":"' + b"x" * (20 * 1024 * 1024) + b'"}',  # a 20 MB line (line 5)
        b'{"id":"j6","body":"after the big one"}',
        b'not json at all',                                          # line 7
        b'{"id":"j8","body":"last record, no newline"}',
    ]
    write(os.path.join(src, "records.jsonl"), b"\n".join(lines))
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, src)       # exit 0: every input could be read
    err = p.err
    for where, why in [("records.jsonl:2:", "bad JSON"), ("records.jsonl:3:", "invalid UTF-8"),
                       ("records.jsonl:4:", "empty body"), ("records.jsonl:5:", "longer than the limit"),
                       ("records.jsonl:7:", "bad JSON"), ("truncated.txt:3:", "invalid UTF-8"),
                       ("image.txt:", "binary"), ("empty.txt:1:", "empty body")]:
        check(any(where in l and why in l for l in err.splitlines()),
              "expected a report %r ... %r in:\n%s" % (where, why, err))
    check("indexed 4, unchanged 0, skipped 8, errors 0" in err, err.splitlines()[-1])
    dd = Daemon(ix)
    eq(dd.ask("STATS")["index"]["documents"], 4, "good records indexed")
    for i in ("good", "j1", "j6", "j8"):
        check(dd.ask("GET " + i)["ok"], i + " indexed")
    eq(dd.stop(), 0, "daemon exit")


@test
def id_and_title_limits():
    # CS_MAX_ID_BYTES is 200; CS_MAX_TITLE_BYTES is 512.
    src = tmpdir()
    recs = [{"id": "i" * 200, "title": "t" * 600, "body": "A body."},
            {"id": "j" * 201, "body": "Too long an id."},
            {"id": "e", "title": "t" + "\u00e9" * 300, "body": "A title of two-byte characters."}]
    write(os.path.join(src, "ids.jsonl"), "\n".join(json.dumps(r) for r in recs) + "\n")
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, src)
    check("ids.jsonl:2: id longer than the limit" in p.err, p.err)
    check("indexed 2, unchanged 0, skipped 1" in p.err, p.err)
    dd = Daemon(ix)
    doc = dd.ask("GET " + "i" * 200)["document"]
    eq(len(doc["title"]), 512, "title cut at the limit")
    title = dd.ask("GET e")["document"]["title"]
    eq(title, "t" + "\u00e9" * 255, "cut before the character that would pass 512 bytes")
    eq(dd.ask("GET " + "j" * 201)["error"]["code"], "not_found", "over-long id")
    eq(dd.stop(), 0, "daemon exit")


RECORD_LIMIT = 8 * 1024 * 1024   # CS_MAX_RECORD_BYTES


def record_of(rid, n):
    """A JSON Lines record of exactly n bytes (without its newline)."""
    head, tail = '{"id":"%s","body":"' % rid, '"}'
    k = n - len(head) - len(tail)
    return head + ("word " * (k // 5 + 1))[:k] + tail


@test
def records_at_and_over_the_size_limit():
    src = tmpdir()
    # A record over the limit is refused whether its end arrives in the same
    # read as the rest of it or in a later one.
    recs = [record_of("at", RECORD_LIMIT), record_of("over", RECORD_LIMIT + 1),
            record_of("over60k", RECORD_LIMIT + 60000), record_of("small", 100)]
    write(os.path.join(src, "big.jsonl"), "\n".join(recs) + "\n")
    text = "Headline\n\n" + "word " * (RECORD_LIMIT // 5 - 10)
    write(os.path.join(src, "at.txt"), text + "x" * (RECORD_LIMIT - len(text)))
    write(os.path.join(src, "over.txt"), text + "x" * (RECORD_LIMIT + 1 - len(text)))
    p = run_indexer("--extract", src)
    got = sorted(json.loads(line)["id"] for line in p.out.splitlines())
    eq(got, ["at", "at", "small"], "records kept")
    for where in ("big.jsonl:2:", "big.jsonl:3:", "over.txt:1:"):
        check(any(where in l and "than the limit" in l for l in p.err.splitlines()),
              "%s refused: %s" % (where, p.err))
    check("extracted 3, skipped 3" in p.err, p.err.splitlines()[-1])


@test
def unreadable_input_makes_the_exit_status_non_zero():
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, "/nonexistent/file.txt", os.path.join(SEEDS, "000_a0141472471f05fe.txt"),
                    check_status=False)
    eq(p.returncode, 1, "exit status")
    check("/nonexistent/file.txt: cannot open" in p.err, p.err)
    check("indexed 1," in p.err, "the readable input is still indexed: " + p.err)


@test
def oversized_text_file_is_skipped():
    src = tmpdir()
    write(os.path.join(src, "huge.txt"), "Headline\n\n" + "word " * (2 * 1024 * 1024))  # 10 MB
    write(os.path.join(src, "small.txt"), "Headline\n\nA small body.\n")
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, src)
    check("huge.txt:1: file larger than the limit" in p.err, p.err)
    check("indexed 1, unchanged 0, skipped 1" in p.err, p.err)


@test
def delete_removes_documents():
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, SEEDS)
    p = run_indexer("--index", ix, "--delete", "004_7a0772fac955139b", "no-such-id")
    check("no-such-id: no such document" in p.err, p.err)
    check("deleted 1, not found 1" in p.err, p.err)
    dd = Daemon(ix)
    eq(dd.ask("STATS")["index"]["documents"], 4, "documents")
    eq(ids(search(dd, "Radmore")), [], "deleted document not found")
    eq(dd.stop(), 0, "daemon exit")


@test
def rebuild_swaps_in_a_new_index():
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, SEEDS)
    before = sorted(os.listdir(ix))
    p = run_indexer("--index", ix, "--rebuild", os.path.join(SEEDS, "004_7a0772fac955139b.txt"))
    check("rebuilt and swapped in" in p.err, p.err)
    dd = Daemon(ix)
    eq(dd.ask("STATS")["index"]["documents"], 1, "the rebuilt index has only what was given")
    eq(dd.stop(), 0, "daemon exit")
    after = sorted(os.listdir(ix))
    check(after != before, "a new generation: %r -> %r" % (before, after))
    gens = [n for n in after if n.startswith("db-")]
    check(len(gens) <= 2, "old generations pruned: %r" % gens)


@test
def killed_rebuild_leaves_the_live_index_answering():
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, SEEDS)
    dd = Daemon(ix)
    news = os.path.join(CORPORA, "news.jsonl")
    proc = subprocess.Popen([binary("ccg-indexer"), "--index", ix, "--rebuild", news],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    check(proc.poll() is None, "the rebuild was still running when killed")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # The live index is the old one, complete, for running and new readers.
    eq(dd.ask("STATS")["index"]["documents"], 5, "running daemon")
    eq(ids(search(dd, "Radmore")), ["004_7a0772fac955139b"], "running daemon searches")
    d2 = Daemon(ix)
    eq(d2.ask("STATS")["index"]["documents"], 5, "new daemon")
    eq(d2.stop(), 0, "daemon exit")
    # An interrupted (SIGINT) rebuild also leaves it, and says so.
    proc = subprocess.Popen([binary("ccg-indexer"), "--index", ix, "--rebuild", news],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1].decode()
    check(proc.returncode != 0, "interrupted rebuild exits non-zero")
    check("the live index is unchanged" in err, err)
    eq(dd.ask("STATS")["index"]["documents"], 5, "still the old index")
    # A later rebuild clears the leftovers and succeeds.
    run_indexer("--index", ix, "--rebuild", SEEDS)
    gens = [n for n in os.listdir(ix) if n.startswith("db-")]
    check(len(gens) <= 2, "leftovers removed: %r" % gens)
    eq(dd.stop(), 0, "daemon exit")


@test
def second_indexer_on_the_same_index_is_refused():
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, SEEDS)
    proc = subprocess.Popen([binary("ccg-indexer"), "--index", ix, "--rebuild",
                             os.path.join(CORPORA, "news.jsonl")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    p = run_indexer("--index", ix, SEEDS, check_status=False)
    proc.kill()
    proc.wait()
    eq(p.returncode, 1, "exit status")
    check("another ccg-indexer is writing to this index" in p.err, p.err)


@test
def progress_bar_on_a_terminal_summary_line_otherwise():
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, SEEDS)
    lines = p.err.splitlines()
    eq(len(lines), 1, "one summary line when stderr is not a terminal: %r" % lines)
    check(lines[0].startswith("indexed 5, unchanged 0, skipped 0, errors 0, "), lines[0])
    # On a terminal: a progress bar with documents per second.
    text = run_on_tty([binary("ccg-indexer"), "--index", os.path.join(tmpdir(), "ix2"),
                       os.path.join(CORPORA, "ccg_dev.jsonl")])
    check("docs/s" in text and "[" in text and "%" in text, "progress bar: %r" % text[:300])
    check("indexed 78" in text, "summary after the bar: %r" % text[-200:])


run()
