"""ccg-searchd under load and in operation: many pipelining clients with
every answer checked, idle crowds, clients that vanish or never read, the
limits of PROTOCOL.md, index changes under steady load, signals, STATS and
the query log."""
import json
import re
import os
import resource
import signal
import socket
import subprocess
import threading
import time

from harness import (CORPORA, SEEDS, Conn, Daemon, binary, check, eq, ids, indexed_news,
                     indexed_seeds, limit, rss_kb, run, run_indexer, search,
                     send_without_reading, shared_daemon, test, tmpdir)

SEED_IDS = sorted(os.path.splitext(f)[0] for f in os.listdir(SEEDS))

d = shared_daemon


def raise_fd_limit(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))


# A request mix and how to check each answer.
def mix(i):
    k = i % 6
    if k == 0:
        return "PING", lambda a: a == {"ok": True, "pong": True}
    if k == 1:
        return "SEARCH Radmore", lambda a: ids(a) == ["004_7a0772fac955139b"]
    if k == 2:
        doc = SEED_IDS[i % 5]
        return "GET " + doc, lambda a, doc=doc: a["document"]["id"] == doc
    if k == 3:
        n = i % 5 + 1
        return ('SEARCH {"q":"accountable officer","limit":%d,"facets":["ccg"]}' % n,
                lambda a, n=n: len(a["hits"]) == n and a["total"] == 5 and
                dict((f["value"], f["count"]) for f in a["facets"]["ccg"])
                .get("NHS Leicester City CCG") == 4)
    if k == 4:
        return ('SEARCH {"filter":{"ccg":["Corby"]}}',
                lambda a: ids(a) == ["000_a0141472471f05fe"])
    return "WHO Toby Sanders", lambda a: any(x["org"] == "NHS Nene CCG" for x in a["answers"])


@test
def two_hundred_pipelining_clients_get_every_answer_right():
    errors = []
    per_conn = 30

    def client(n):
        try:
            with Conn(d().port, timeout=60) as c:
                reqs = [mix(n * per_conn + j) for j in range(per_conn)]
                c.send("".join(r + "\n" for r, _ in reqs))
                for j, (r, ok) in enumerate(reqs):
                    a = c.answer()
                    if not ok(a):
                        errors.append("client %d answer %d to %r: %r" % (n, j, r, a))
                        return
        except Exception as e:  # noqa: BLE001 - collected and reported
            errors.append("client %d: %r" % (n, e))

    d()                     # start the shared daemon before the threads do
    threads = [threading.Thread(target=client, args=(n,)) for n in range(200)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    eq(errors[:3], [], "wrong or missing answers (%d in all)" % len(errors))
    print("# 200 clients x %d pipelined requests in %.2f s" % (per_conn, time.time() - t0))


@test
def a_thousand_idle_connections_do_not_slow_the_others():
    raise_fd_limit(4096)
    idle = []
    try:
        for _ in range(1000):
            idle.append(socket.create_connection(("127.0.0.1", d().port), timeout=30))
        time.sleep(0.2)
        eq(d().ask("STATS")["connections"]["open"] >= 1000, True, "the daemon holds them")
        worst = 0.0
        with d().connect() as c:
            for i in range(100):
                r, ok = mix(i)
                t0 = time.time()
                a = c.ask(r)
                worst = max(worst, time.time() - t0)
                check(ok(a), "answer to %r: %r" % (r, a))
        check(worst < 1.0, "slowest answer %.3f s" % worst)
        print("# slowest of 100 answers beside 1000 idle connections: %.1f ms" % (worst * 1000))
    finally:
        for s in idle:
            s.close()


@test
def a_client_that_vanishes_mid_answer_harms_nobody():
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", d().port))
        s.sendall(b'SEARCH {"q":"the","limit":100}\n' * 50)
        # Reset the connection while answers are being written.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    time.sleep(0.3)
    check(d().alive(), "still running")
    eq(d().ask("PING")["pong"], True, "still answering")


def cpu_ns(pid):
    """The CPU time all threads of process pid have had, in ns."""
    total = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass                # a thread that has just ended
    return total


@test
def a_worker_spins_only_briefly_after_a_request():
    # CS_WORKER_SPIN_US (200 us): after a request a worker polls without
    # sleeping that long, then blocks.  Requests 20 ms apart (100 times the
    # spin) and a second of silence after them cost the daemon little CPU;
    # a worker that kept spinning would burn the whole wall time.
    spin_us = limit("CS_WORKER_SPIN_US")
    gap = 100 * spin_us / 1e6
    dd = Daemon(indexed_seeds(), "--workers", "2")
    pid = dd.proc.pid
    with dd.connect() as c:
        r, ok = mix(1)
        check(ok(c.ask(r)), "answer to %r" % r)
        time.sleep(0.2)
        before, t0 = cpu_ns(pid), time.time()
        for i in range(25):
            r, ok = mix(i)
            check(ok(c.ask(r)), "answer to %r" % r)
            time.sleep(gap)
        spaced, wall = cpu_ns(pid) - before, time.time() - t0
    time.sleep(0.1)
    before = cpu_ns(pid)
    time.sleep(1.0)
    idle = cpu_ns(pid) - before
    print("# 25 requests %.0f ms apart: %.1f ms of the daemon's CPU in %.0f ms; "
          "a silent second: %.1f ms" % (gap * 1e3, spaced / 1e6, wall * 1e3, idle / 1e6))
    check(spaced < 0.25 * wall * 1e9, "the workers slept between requests")
    check(idle < 50e6, "an idle daemon sleeps: %.1f ms of CPU in a second" % (idle / 1e6))
    eq(dd.stop(), 0, "exit status")


@test
def a_client_that_never_reads_cannot_grow_the_daemon():
    # CS_OUTPUT_HIGH_WATER (1 MiB) of unread answers pauses the reading.
    pid = d().proc.pid
    before = rss_kb(pid)
    base = d().ask("STATS")["requests"].get("SEARCH", 0)
    line = b'SEARCH {"q":"accountable officer","limit":20}\n'
    flood, sent = send_without_reading(d().port, line * 10000, 10)
    time.sleep(0.5)
    # Others are served meanwhile, and promptly.
    t0 = time.time()
    with d().connect() as c:
        for i in range(20):
            r, ok = mix(i)
            check(ok(c.ask(r)), "answer to %r" % r)
    slow = time.time() - t0
    after = rss_kb(pid)
    others = sum(1 for i in range(20) if mix(i)[0].startswith("SEARCH"))
    answered = d().ask("STATS")["requests"]["SEARCH"] - base - others
    requests = sent // len(line)
    print("# %d of %d requests sent; %d answered before the client read; RSS %d -> %d kB; "
          "20 other answers in %.1f ms" % (requests, 10000, answered, before, after, slow * 1000))
    check(answered < requests, "the daemon stopped answering the flood (backpressure)")
    check(after - before < 64 * 1024, "memory stayed bounded: grew %d kB" % (after - before))
    check(slow < 2.0, "others served while the flood waits")
    # Once the client reads, the daemon goes on answering where it stopped.
    want = min(requests, answered + 200)
    flood.setblocking(True)
    flood.settimeout(30)
    got, buf = 0, b""
    while got < want:
        chunk = flood.recv(1 << 20)
        if not chunk:
            break
        buf += chunk
        lines = buf.split(b"\n")
        buf = lines.pop()
        for l in lines:
            check(json.loads(l)["ok"], "flood answer: %r" % l[:200])
            got += 1
    flood.close()
    check(got >= want, "answers after the client read: %d, want %d" % (got, want))


@test
def connection_limit_refuses_clearly():
    # CS_MAX_CONNECTIONS_DEFAULT (4096) is set by --max-connections; 3 here.
    dd = Daemon(indexed_seeds(), "--max-connections", "3")
    conns = [dd.connect() for _ in range(3)]
    for c in conns:
        eq(c.ask("PING")["pong"], True, "within the limit")
    with dd.connect() as extra:
        a = json.loads(extra.readline())
        eq(a["error"]["code"], "overloaded", "over the limit")
        check(extra.closed(), "and closed")
    conns[0].close()
    time.sleep(0.2)
    with dd.connect() as again:
        eq(again.ask("PING")["pong"], True, "a freed place is taken")
    s = again_stats = None
    for c in conns[1:]:
        c.close()
    for _ in range(50):             # the daemon notices the closes
        time.sleep(0.05)
        s = dd.ask("STATS")
        if s["ok"]:
            break
    again_stats = s
    check(again_stats["ok"] and again_stats["connections"]["refused"] >= 1, "refusals counted: %r"
          % again_stats)
    eq(dd.stop(), 0, "daemon exit")


@test
def idle_connections_time_out():
    # CS_IDLE_TIMEOUT_DEFAULT (300 s) is set by --idle-timeout; 1 s here.
    dd = Daemon(indexed_seeds(), "--idle-timeout", "1")
    with dd.connect() as c:
        eq(c.ask("PING")["pong"], True, "fresh")
        t0 = time.time()
        check(c.closed(wait=5), "closed when idle")
        waited = time.time() - t0
        check(0.8 < waited < 4, "after about the timeout: %.2f s" % waited)
    eq(dd.stop(), 0, "daemon exit")


@test
def slow_queries_get_timeout():
    # CS_QUERY_TIMEOUT_MS_DEFAULT (2000) is set by --query-timeout.
    # 4,000 news articles; a match-all with every facet counted takes
    # well over the 1 ms allowed.
    ix = indexed_news(4000)
    dd = Daemon(ix, "--query-timeout", "1")
    a = dd.ask('SEARCH {"q":"","limit":100,"facets":["ccg","role","person","org","place"]}')
    eq(a.get("error", {}).get("code"), "timeout", "over the time limit: %r" % str(a)[:200])
    eq(dd.ask("PING")["pong"], True, "the connection goes on")
    eq(dd.ask("STATS")["errors"]["timeout"], 1, "counted")
    eq(dd.stop(), 0, "daemon exit")
    dd = Daemon(ix, "--query-timeout", "0")
    check(dd.ask('SEARCH {"q":"","limit":100,"facets":["ccg","role","person","org","place"]}')["ok"],
          "no limit with 0")
    eq(dd.stop(), 0, "daemon exit")


def steady_load(port, stop, failures, counts):
    """Search until told to stop; record any failure."""
    try:
        with Conn(port, timeout=30) as c:
            while not stop.is_set():
                a = c.ask('SEARCH {"q":"accountable officer","limit":3,"facets":["ccg"]}')
                counts[0] += 1
                if not a.get("ok"):
                    failures.append(a)
    except Exception as e:  # noqa: BLE001
        failures.append(repr(e))


@test
def index_changes_under_load_lose_no_request():
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, SEEDS)
    dd = Daemon(ix)
    stop, failures, counts = threading.Event(), [], [0]
    workers = [threading.Thread(target=steady_load, args=(dd.port, stop, failures, counts))
               for _ in range(4)]
    for w in workers:
        w.start()
    try:
        # 1. An in-place commit: visible within a second.
        src = tmpdir()
        with open(os.path.join(src, "new.jsonl"), "w") as f:
            f.write(json.dumps({"id": "fresh-1", "title": "Zyzzyva merger",
                                "body": "A zyzzyva story."}) + "\n")
        run_indexer("--index", ix, src)
        t0 = time.time()
        while not ids(search(dd, "zyzzyva")) and time.time() - t0 < 5:
            time.sleep(0.02)
        seen = time.time() - t0
        eq(ids(search(dd, "zyzzyva")), ["fresh-1"], "new document found")
        # Once one worker has shown it, every worker does (each connection
        # goes to the next worker).
        eq([ids(search(dd, "zyzzyva")) for _ in range(6)], [["fresh-1"]] * 6,
           "found by every worker")
        check(seen < 1.0, "within a second: %.2f s" % seen)
        # 2. A rebuild swapped in: every worker moves to the new index.
        run_indexer("--index", ix, "--rebuild", os.path.join(CORPORA, "ccg_dev.jsonl"))
        t0 = time.time()
        while time.time() - t0 < 5:
            docs = [dd.ask("STATS")["index"]["documents"] for _ in range(6)]
            if docs == [78] * 6:
                break
            time.sleep(0.05)
        eq(docs, [78] * 6, "every worker serves the rebuilt index")
        # 3. SIGHUP reopens, too.
        dd.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        eq(dd.ask("STATS")["index"]["documents"], 78, "after SIGHUP")
        # 4. Many small commits in a row (readers may fall behind twice).
        for i in range(5):
            with open(os.path.join(src, "new.jsonl"), "w") as f:
                f.write(json.dumps({"id": "burst-%d" % i, "title": "Burst %d" % i,
                                    "body": "Accountable officer burst %d." % i}) + "\n")
            run_indexer("--index", ix, src)
    finally:
        stop.set()
        for w in workers:
            w.join(30)
    eq(failures[:3], [], "failed requests during the changes")
    check(counts[0] > 50, "the load was steady: %d requests" % counts[0])
    eq(dd.stop(), 0, "daemon exit")


def ccg_counts(dd, rounds=6):
    """The ccg facet of every document, as each of the next rounds
    connections (so every worker) counts it."""
    out = []
    for _ in range(rounds):
        a = dd.ask('SEARCH {"q":"","limit":0,"facets":["ccg"],"facet_limit":500}')
        out.append({v["value"]: v["count"] for v in a["facets"]["ccg"]})
    return out


def fresh_hits(dd, rounds=6):
    """The ccg entities of the hit "fresh-1" (read without snippets, so
    from the in-memory hit summaries), as each of the next rounds
    connections sees it."""
    out = []
    for _ in range(rounds):
        a = dd.ask('SEARCH {"q":"appointed","snippets":false,"limit":100}')
        out.append([h["entities"]["ccg"] for h in a["hits"] if h["id"] == "fresh-1"])
    return out


def until(cond, what, seconds=5):
    t0 = time.time()
    while not cond() and time.time() - t0 < seconds:
        time.sleep(0.02)
    check(cond(), what)


@test
def facet_columns_follow_commits_changes_and_deletes():
    # Facets are counted, and hits without snippets read, from in-memory
    # columns extended at each commit; a changed document (the indexer
    # deletes and adds it) and a deleted one must count and read as they
    # now are, on every worker.
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, SEEDS)
    dd = Daemon(ix)
    s = dd.ask("STATS")["index"]
    check(s["facet_bytes"] > 0 and 0 < s["facet_bytes_per_document"] < 10000, repr(s))
    check(s["hit_bytes"] > 0 and 100 < s["hit_bytes_per_document"] < 10000, repr(s))
    before = ccg_counts(dd)[0]
    corby, nene = before.get("NHS Corby CCG", 0), before.get("NHS Nene CCG", 0)
    src = tmpdir()
    new = os.path.join(src, "new.jsonl")

    def write(body):
        with open(new, "w") as f:
            f.write(json.dumps({"id": "fresh-1", "title": "A new chair", "body": body}) + "\n")
        run_indexer("--index", ix, src)

    write("NHS Corby CCG has appointed a new chair.")
    until(lambda: all(c.get("NHS Corby CCG", 0) == corby + 1 for c in ccg_counts(dd)),
          "the new document counted by every worker: %r" % ccg_counts(dd))
    until(lambda: fresh_hits(dd) == [[["NHS Corby CCG"]]] * 6, "the new document's hit")
    write("NHS Nene CCG has appointed a new chair.")
    until(lambda: all(c.get("NHS Corby CCG", 0) == corby and c.get("NHS Nene CCG", 0) == nene + 1
                      for c in ccg_counts(dd)), "the changed document counted as it now is")
    until(lambda: fresh_hits(dd) == [[["NHS Nene CCG"]]] * 6, "the changed document's hit")
    run_indexer("--index", ix, "--delete", "fresh-1")
    until(lambda: ccg_counts(dd) == [before] * 6, "the deleted document no longer counted")
    eq(fresh_hits(dd), [[]] * 6, "the deleted document no longer a hit")
    eq(dd.stop(), 0, "daemon exit")


@test
def stats_and_query_log():
    log = os.path.join(tmpdir(), "queries.log")
    dd = Daemon(indexed_seeds(), "--query-log", log)
    with dd.connect() as c:
        c.ask("PING")
        c.ask("SEARCH Radmore")
        c.ask("SEARCH merger AND")
        c.ask("NOPE")
        s = c.ask("STATS")
    eq(s["requests"]["SEARCH"], 2, "SEARCH counted")
    eq(s["requests"]["PING"], 1, "PING counted")
    eq(s["errors"]["bad_query"], 1, "bad_query counted")
    eq(s["errors"]["unknown_command"], 1, "unknown_command counted")
    check(s["latency_us"]["count"] >= 3 and s["latency_us"]["p99"] >= s["latency_us"]["p50"] > 0,
          repr(s["latency_us"]))
    check(s["uptime_s"] >= 0 and s["workers"] >= 1 and s["index"]["generation"], repr(s))
    eq(dd.stop(), 0, "daemon exit")
    lines = [json.loads(l) for l in open(log)]
    eq([l["verb"] for l in lines], ["PING", "SEARCH", "SEARCH", "NOPE", "STATS"],
       "one line each, the verb as sent")
    eq(lines[1]["query"], "Radmore", "query")
    eq(lines[1]["hits"], 1, "hits")
    eq(lines[1]["total"], 1, "total")
    eq(lines[2]["error"], "bad_query", "error code")
    check(all("time" in l and l["us"] >= 0 for l in lines), "time and microseconds")


@test
def sigint_finishes_in_flight_requests_and_exits_zero():
    dd = Daemon(indexed_seeds())
    c = dd.connect()
    reqs = [mix(i) for i in range(200)]
    c.send("".join(r + "\n" for r, _ in reqs))
    answers = [json.loads(c.readline())]    # the daemon is at work on them
    dd.proc.send_signal(signal.SIGINT)
    answers += c.answers_until_closed()
    c.close()
    eq(dd.proc.wait(30), 0, "exit status")
    eq(len(answers), len(reqs), "every request read was answered")
    for (r, ok), a in zip(reqs, answers):
        check(ok(a), "%s -> %r" % (r, a))
    check(("signal %d" % signal.SIGINT) in dd.logtext(), "logged")


@test
def unix_socket_serves_too():
    path = os.path.join(tmpdir(), "ccg.sock")
    dd = Daemon(indexed_seeds(), "--unix", path)
    p = subprocess.run([binary("ccg-search"), "--unix", path, "--json", "Radmore"],
                       capture_output=True, text=True)
    eq(p.returncode, 0, p.stderr)
    eq(ids(json.loads(p.stdout)), ["004_7a0772fac955139b"], "over the Unix socket")
    eq(dd.stop(), 0, "daemon exit")
    check(not os.path.exists(path), "socket removed on exit")


@test
def help_lists_every_option_with_its_default():
    p = subprocess.run([binary("ccg-searchd"), "--help"], capture_output=True, text=True)
    eq(p.returncode, 0, "exit status")
    for opt, default in [("--index", None), ("--listen", "127.0.0.1:7700"), ("--unix", "none"),
                         ("--port-file", "none"), ("--workers", "cores"),
                         ("--max-line", "65536"), ("--max-connections", "4096"),
                         ("--idle-timeout", "300"), ("--query-timeout", "2000"),
                         ("--query-log", "none"), ("--log-level", "info"),
                         ("--http", "none"), ("--http-port-file", "none"),
                         ("--http-cors", "no CORS")]:
        check(opt in p.stdout, "lists " + opt)
        if default:
            line = [l for l in p.stdout.splitlines() if opt in l][0]
            nxt = p.stdout.splitlines()[p.stdout.splitlines().index(line) + 1]
            whole = re.compile(r"(?<![\w.])%s(?![\w.])" % re.escape(default))
            check(whole.search(line) or whole.search(nxt), "%s default %s: %s" % (opt, default, line))
    # An index directory whose stub names no database cannot be served
    # (a missing one can: test_faults.py).
    broken = tmpdir()
    with open(os.path.join(broken, "XAPIANDB"), "w") as f:
        f.write("auto db-000404\n")
    p = subprocess.run([binary("ccg-searchd"), "--index", broken, "--listen",
                        "127.0.0.1:0"], capture_output=True, text=True, timeout=30)
    eq(p.returncode, 1, "a startup error exits non-zero")
    check("cannot open index " + broken in p.stderr, p.stderr)


@test
def the_shared_daemon_stops_cleanly():
    eq(d().stop(), 0, "exit status after all the above (no leak, no crash)")


run()
