"""ccg-indexer on real articles and on bad input: metadata, chrome, JSON
Lines, errors, incremental updates, deletes and atomic rebuilds."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

from harness import (CORPORA, ROOT, SEEDS, Daemon, binary, check, eq, extract, ids,
                     main_c_constant, news_head, run, run_indexer, run_on_tty, search, test, tmpdir)

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
        {"id": "77", "title": "Integer id", "text": "Text instead of body.", "unknown": {"x": 1}},
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
def check_finds_a_damaged_index_and_a_rebuild_mends_it():
    import fcntl
    ix = os.path.join(tmpdir(), "index")
    dev = os.path.join(CORPORA, "ccg_dev.jsonl")
    run_indexer("--index", ix, "--jobs", "2", dev)
    p = run_indexer("--index", ix, "--check")
    check(re.fullmatch(r".*: db-\d+: 78 documents, no errors found\n", p.out), p.out)
    # The position table overwritten: searches would answer 0 results and
    # log nothing; --check names the table and says how to mend it.
    with open(os.path.join(ix, "XAPIANDB")) as f:
        gen = f.read().split()[-1]
    table = os.path.join(ix, gen, "position.glass")
    with open(table, "r+b") as f:
        f.write(b"\xa5" * os.path.getsize(table))
    p = run_indexer("--index", ix, "--check", check_status=False)
    eq(p.returncode, 1, "exit status of --check on a damaged index")
    check("DatabaseCorruptError" in p.err, p.err)
    check("is damaged in the position table" in p.err, p.err)
    check("--rebuild" in p.err, p.err)
    eq(p.out, "", "nothing on standard output")
    run_indexer("--index", ix, "--rebuild", dev)
    p = run_indexer("--index", ix, "--check")
    check("78 documents, no errors found" in p.out, p.out)
    eq(run_indexer("--index", ix, "--check", "-q").out, "", "-q: the exit status says it")
    # A copy without a lock file (a backup) is checked, and no lock is made.
    copy = os.path.join(tmpdir(), "copy")
    shutil.copytree(ix, copy)
    os.remove(os.path.join(copy, "lock"))
    check("78 documents, no errors found" in run_indexer("--index", copy, "--check").out,
          "the copy checks")
    check(not os.path.exists(os.path.join(copy, "lock")), "--check made no lock file")
    # Not while a writer holds the index, nor where there is none; and it
    # takes no PATH and no other mode.
    with open(os.path.join(ix, "lock"), "w") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        p = run_indexer("--index", ix, "--check", check_status=False)
    eq(p.returncode, 1, "exit status under another writer")
    check("another ccg-indexer is writing to this index" in p.err, p.err)
    missing = os.path.join(tmpdir(), "none")
    p = run_indexer("--index", missing, "--check", check_status=False)
    eq(p.returncode, 1, "exit status without an index")
    check("no index here" in p.err, p.err)
    check(not os.path.exists(missing), "--check creates nothing")
    for args, says in ((["--check", dev], "takes no PATH"), (["--check", "--rebuild"], "takes no"),
                       (["--extract", "--check"], "use one of"),
                       (["--delete", "--check"], "use one of"),
                       (["--check", "--extract", dev], "use one of")):
        p = run_indexer("--index", ix, *args, check_status=False)
        eq(p.returncode, 2, "usage error for %r" % args)
        check(says in p.err, "%r: %s" % (args, p.err))


@test
def killed_rebuild_leaves_the_live_index_answering():
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, SEEDS)
    dd = Daemon(ix)
    news = os.path.join(CORPORA, "news.jsonl")
    proc = subprocess.Popen([binary("ccg-indexer"), "--index", ix, "--rebuild", "--jobs", "2",
                             news], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    check(proc.poll() is None, "the rebuild was still running when killed")
    check(os.path.isdir(os.path.join(ix, "shards")), "killed while building shards")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # The live index is the old one, complete, for running and new readers.
    eq(dd.ask("STATS")["index"]["documents"], 5, "running daemon")
    eq(ids(search(dd, "Radmore")), ["004_7a0772fac955139b"], "running daemon searches")
    d2 = Daemon(ix)
    eq(d2.ask("STATS")["index"]["documents"], 5, "new daemon")
    eq(d2.stop(), 0, "daemon exit")
    # An interrupted (SIGINT) rebuild also leaves it, and says so.
    proc = subprocess.Popen([binary("ccg-indexer"), "--index", ix, "--rebuild", "--jobs", "2",
                             news], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    check("shards" not in os.listdir(ix), "the dead build's shards removed: %r" % os.listdir(ix))
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



# --- parallel builds (--jobs) ----------------------------------------------

def max_index_jobs():
    with open(os.path.join(ROOT, "lib", "core", "limits.h")) as f:
        return int(re.search(r"#define CS_MAX_INDEX_JOBS (\d+)", f.read()).group(1))


QUERIES = ["accountable officer", "merger", "clinical chair", '"joint accountable officer"',
           'ccg:"Leicester City"', "role:\"accountable officer\" NOT merger", "nhs england",
           "acountable oficer"]


def answers(d):
    """What a daemon answers to QUERIES: totals, every hit with its score
    (ties in any order), every facet value with its count, the spelling
    correction; and every document as GET returns it."""
    out = {}
    for q in QUERIES:
        a = search(d, {"q": q, "limit": 100, "facet_limit": 1000, "snippets": False})
        hits = sorted((round(h["score"], 6), h["id"]) for h in a["hits"])
        out[q] = (a["total"], hits, a["facets"], a.get("corrected"))
    docs = {}
    for i in ids(search(d, {"q": "", "limit": 100, "facets": [], "snippets": False})):
        docs[i] = d.ask("GET " + i)["document"]
    return out, docs


def corpus_dir():
    """ccg_dev.jsonl and the seeds in one folder: 83 real articles, as JSON
    Lines and as plain text."""
    src = tmpdir()
    shutil.copy(os.path.join(CORPORA, "ccg_dev.jsonl"), os.path.join(src, "dev.jsonl"))
    shutil.copytree(SEEDS, os.path.join(src, "seeds"))
    return src


@test
def jobs_1_and_jobs_4_build_the_same_index():
    src = corpus_dir()
    got = {}
    for jobs in (1, 4):
        ix = os.path.join(tmpdir(), "index")
        p = run_indexer("--index", ix, "--jobs", str(jobs), src)
        check(p.err.startswith("indexed 83, unchanged 0, skipped 0, errors 0, "), p.err)
        if jobs == 1:
            check("shards" not in p.err, "one writer: %r" % p.err)
        else:
            check(re.search(r"\(4 shards merged in [0-9.]+ s; a new index\)", p.err), p.err)
        eq(sorted(os.listdir(ix)), ["XAPIANDB", "db-000000", "lock"], "index directory")
        d = Daemon(ix)
        eq(d.ask("STATS")["index"]["documents"], 83, "documents")
        got[jobs] = answers(d)
        eq(d.stop(), 0, "daemon exit")
    one, four = got[1], got[4]
    eq(len(one[1]), 83, "every document listed")
    for q in QUERIES:
        eq(four[0][q], one[0][q], "SEARCH %s with --jobs 4 as with --jobs 1" % q)
    check(one[0]["accountable officer"][0] > 20 and one[0]["acountable oficer"][3],
          "the queries find something: %r" % (one[0]["accountable officer"][:1],))
    for i in one[1]:
        eq(four[1][i], one[1][i], "GET " + i)


@test
def a_jobs_build_is_updated_deleted_and_rebuilt():
    src = tmpdir()
    with open(os.path.join(CORPORA, "ccg_dev.jsonl")) as f:
        recs = [json.loads(l) for l in f if l.strip()]
    path = os.path.join(src, "dev.jsonl")
    write(path, "".join(json.dumps(r) + "\n" for r in recs))
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, "--jobs", "4", path)
    check("indexed 78, unchanged 0" in p.err and "4 shards merged" in p.err, p.err)
    d = Daemon(ix)
    # Incremental: two changed records and a new one are indexed by one
    # writer; the other 76 are skipped unchanged.
    changed = [recs[3]["id"], recs[40]["id"]]
    recs[3]["text"] += "\n\nA zanzibarish postscript."
    recs[40]["text"] = "Only a quoxical sentence is left of this article."
    recs.append({"id": "new-1", "title": "Added later", "body": "A zanzibarish newcomer."})
    write(path, "".join(json.dumps(r) + "\n" for r in recs))
    p = run_indexer("--index", ix, "--jobs", "4", path)
    check(p.err.startswith("indexed 3, unchanged 76, skipped 0, errors 0, "), p.err)
    check("shards" not in p.err, "an update uses one writer: %r" % p.err)
    deadline = time.time() + 10
    while d.ask("STATS")["index"]["documents"] != 79 and time.time() < deadline:
        time.sleep(0.1)
    eq(d.ask("STATS")["index"]["documents"], 79, "documents after the update")
    eq(sorted(ids(search(d, "zanzibarish"))), sorted([changed[0], "new-1"]), "changed and new")
    eq(ids(search(d, "quoxical")), [changed[1]], "replaced body")
    eq(d.ask("GET " + changed[1])["document"]["body"],
       "Only a quoxical sentence is left of this article.", "GET of a changed document")
    # Its facets follow the change: the article no longer names its CCGs.
    eq(search(d, {"q": "quoxical", "facets": ["ccg"]})["facets"]["ccg"], [], "facets")
    # Delete.
    p = run_indexer("--index", ix, "--delete", "new-1", changed[0])
    check("deleted 2, not found 0" in p.err, p.err)
    deadline = time.time() + 10
    while d.ask("STATS")["index"]["documents"] != 77 and time.time() < deadline:
        time.sleep(0.1)
    eq(ids(search(d, "zanzibarish")), [], "deleted")
    # Rebuild in parallel from the seeds: swapped in under the running daemon.
    p = run_indexer("--index", ix, "--rebuild", "--jobs", "3", SEEDS)
    check("(3 shards merged in" in p.err and "rebuilt and swapped in)" in p.err, p.err)
    deadline = time.time() + 10
    while d.ask("STATS")["index"]["documents"] != 5 and time.time() < deadline:
        time.sleep(0.1)
    eq(d.ask("STATS")["index"]["documents"], 5, "the daemon sees the rebuilt index")
    eq(ids(search(d, "Radmore")), ["004_7a0772fac955139b"], "searches it")
    names = os.listdir(ix)
    check("shards" not in names and len([n for n in names if n.startswith("db-")]) <= 2, names)
    # And a rebuilt index updates like any other.
    p = run_indexer("--index", ix, "--jobs", "3", SEEDS)
    check(p.err.startswith("indexed 0, unchanged 5, "), p.err)
    eq(d.stop(), 0, "daemon exit")


@test
def jobs_limit():
    top = max_index_jobs()
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, "--jobs", str(top), SEEDS)
    check(p.err.startswith("indexed 5, ") and "(%d shards merged" % top in p.err, p.err)
    d = Daemon(ix)
    eq(d.ask("STATS")["index"]["documents"], 5, "documents from %d shards" % top)
    eq(d.stop(), 0, "daemon exit")
    for bad in (str(top + 1), "0", "-2", "two", "3x", ""):
        p = run_indexer("--index", os.path.join(tmpdir(), "index"), "--jobs", bad, SEEDS,
                        check_status=False)
        eq(p.returncode, 2, "--jobs %r exit status" % bad)
        check("--jobs must be a whole number from 1 to %d" % top in p.err, p.err)
    h = run_indexer("--help").out
    check("--jobs N" in h and "at most %d" % top in h, h)



@test
def a_parallel_build_past_its_queues_and_flush_threshold():
    # More articles per shard than FLUSH_THRESHOLD (so every writer
    # flushes before its commit) and than SHARD_QUEUE (so the reader waits
    # for full queues), from the news corpus.
    flush, queue = main_c_constant("FLUSH_THRESHOLD"), main_c_constant("SHARD_QUEUE")
    n = 2 * max(flush, queue) + 500
    src = news_head(n)
    got = {}
    for jobs in (1, 2):
        ix = os.path.join(tmpdir(), "index")
        p = run_indexer("--index", ix, "--jobs", str(jobs), src)
        check(p.err.startswith("indexed %d, unchanged 0, skipped 0, errors 0, " % n), p.err)
        d = Daemon(ix)
        eq(d.ask("STATS")["index"]["documents"], n, "documents")
        got[jobs] = []
        for q in ("market", "oil prices", '"interest rates"', "bank AND NOT dollar"):
            a = search(d, {"q": q, "limit": 20, "facet_limit": 1000, "snippets": False})
            # The page's scores, and its ids but for those tied with its
            # last score (which of them make the page is docid order).
            scores = sorted(round(h["score"], 6) for h in a["hits"])
            above = sorted(h["id"] for h in a["hits"] if round(h["score"], 6) > scores[0])
            got[jobs].append((a["total"], scores, above, a["facets"]))
        eq(d.stop(), 0, "daemon exit")
    check(got[1][0][0] > 100, "the news queries match: %r" % (got[1][0][0],))
    eq(got[2], got[1], "--jobs 2 answers as --jobs 1")


run()
