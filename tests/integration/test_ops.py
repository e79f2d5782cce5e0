"""ccg-searchd in operation (issue 15): the Unix socket (what it may remove,
its mode, whose it is), address and port validation, the query log's lines
for requests that are not UTF-8, failed reopens and refusals in STATS, the
drain on SIGTERM, and text from the index made safe for a terminal."""
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time

from harness import (SEEDS, Conn, Daemon, Failure, binary, check, eq, ids, indexed_news,
                     indexed_seeds, run, run_indexer, run_on_tty, test, tmpdir)

SEED_IDS = sorted(os.path.splitext(f)[0] for f in os.listdir(SEEDS))


def start_daemon(*args, umask=None):
    """ccg-searchd with args, expected to fail at start: (status, stderr)."""
    p = subprocess.run([binary("ccg-searchd"), "--index", indexed_seeds(),
                        "--listen", "127.0.0.1:0"] + list(args), capture_output=True,
                       text=True, timeout=30,
                       preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    return p.returncode, p.stderr


def unix_ask(path, line):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall(line.encode() + b"\n")
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf)


# --- the Unix socket -----------------------------------------------------------

@test
def unix_path_that_is_a_regular_file_is_refused_and_kept():
    path = os.path.join(tmpdir(), "notes.txt")
    with open(path, "w") as f:
        f.write("precious\n")
    rc, err = start_daemon("--unix", path)
    eq(rc, 1, "a start-up failure: " + err)
    check("is not a socket" in err, err)
    eq(open(path).read(), "precious\n", "the file left as it was")


@test
def a_running_daemons_socket_is_not_taken_over():
    path = os.path.join(tmpdir(), "ccg.sock")
    first = Daemon(indexed_seeds(), "--unix", path)
    ino = os.stat(path).st_ino
    rc, err = start_daemon("--unix", path)
    eq(rc, 1, "the second daemon refuses to start: " + err)
    check("another daemon is listening on " + path in err, err)
    eq(os.stat(path).st_ino, ino, "the first daemon's socket is still there")
    eq(unix_ask(path, "PING"), {"ok": True, "pong": True}, "the first daemon still answers on it")
    eq(first.stop(), 0, "exit")
    check(not os.path.exists(path), "the first daemon removes its own socket on exit")


@test
def a_stale_socket_is_replaced():
    path = os.path.join(tmpdir(), "ccg.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()                       # the file stays; nobody listens: stale
    check(stat.S_ISSOCK(os.lstat(path).st_mode), "a stale socket")
    dd = Daemon(indexed_seeds(), "--unix", path)
    eq(ids(unix_ask(path, "SEARCH Radmore")), ["004_7a0772fac955139b"], "served on it")
    eq(dd.stop(), 0, "exit")
    check(not os.path.exists(path), "removed on exit")


@test
def a_socket_that_is_no_longer_ours_is_left_on_exit():
    path = os.path.join(tmpdir(), "ccg.sock")
    dd = Daemon(indexed_seeds(), "--unix", path)
    os.unlink(path)
    other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    other.bind(path)                # someone else's socket at the path now
    other.listen(1)
    eq(dd.stop(), 0, "exit")
    check(os.path.exists(path), "the other socket is not removed")
    other.close()


@test
def unix_socket_mode_is_0660_whatever_the_umask():
    for umask, args, want in [(0o000, [], 0o660), (0o077, [], 0o660),
                              (0o000, ["--unix-mode", "0600"], 0o600),
                              (0o022, ["--unix-mode", "666"], 0o666)]:
        path = os.path.join(tmpdir(), "ccg.sock")
        old = os.umask(umask)
        try:
            dd = Daemon(indexed_seeds(), "--unix", path, *args)
        finally:
            os.umask(old)
        eq(stat.S_IMODE(os.stat(path).st_mode), want, "mode with umask %03o %r" % (umask, args))
        eq(dd.stop(), 0, "exit")
    for bad in ["999", "0o660", "-1", "1777", ""]:
        rc, err = start_daemon("--unix", os.path.join(tmpdir(), "s"), "--unix-mode", bad)
        eq(rc, 2, "--unix-mode %r is a usage error: %s" % (bad, err))
        check("--unix-mode wants octal" in err, err)


# --- addresses and ports -------------------------------------------------------

@test
def listen_and_http_ports_out_of_range_are_usage_errors():
    for opt in ["--listen", "--http"]:
        for bad in ["127.0.0.1:65536", "127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:7x",
                    "127.0.0.1:", "127.0.0.1", "[::1]:70000", "127.0.0.1:+80",
                    "0.0.0.0:99999"]:
            rc, err = start_daemon(opt, bad)
            eq(rc, 2, "%s %s: %s" % (opt, bad, err))
            check("%s wants HOST:PORT" % opt in err and bad in err, err)
        # A host that is no name nor address: a usage error too, saying so.
        rc, err = start_daemon(opt, "no-such-host.invalid:7700")
        eq(rc, 2, "%s with an unknown host: %s" % (opt, err))
        check("does not resolve" in err or "nor a name that resolves" in err, err)
    # 0 written as 0 is any free port (the harness starts every daemon so).
    dd = Daemon(indexed_seeds(), "--http", "127.0.0.1:0")
    check(dd.port > 0, "a free port")
    eq(dd.stop(), 0, "exit")


@test
def cli_port_out_of_range_is_a_usage_error():
    for bad in ["65536", "0", "-5", "80x", ""]:
        p = subprocess.run([binary("ccg-search"), "-p", bad, "Radmore"], capture_output=True,
                           text=True, timeout=30)
        eq(p.returncode, 2, "-p %r: %s" % (bad, p.stderr))
        check("--port wants a number from 1 to 65535" in p.stderr, p.stderr)


# --- the query log -------------------------------------------------------------

@test
def query_log_has_a_line_for_every_request_even_not_utf8():
    log = os.path.join(tmpdir(), "queries.log")
    dd = Daemon(indexed_seeds(), "--query-log", log)
    bad = [b"SEARCH caf\xe9", b"SEARCH \xff\xfe", b"GET \xc3(\\x41"]
    with dd.connect() as c:
        for i in range(10):
            c.send(b"PING\n" if i % 2 else b"SEARCH Radmore\n")
            c.answer()
        for line in bad:
            c.send(line + b"\n")
            eq(c.answer()["error"]["code"], "bad_request", "invalid UTF-8 refused")
        s = c.ask("STATS")
    eq(dd.stop(), 0, "exit")
    counted = sum(s["requests"].values())
    lines = [json.loads(l) for l in open(log, encoding="utf-8")]
    eq(len(lines), counted, "one log line per request STATS counted")
    eq(len(lines), 14, "13 requests and the STATS")
    flagged = [l for l in lines if l.get("query_invalid_utf8")]
    eq(len(flagged), 3, "the three not UTF-8 flagged")
    eq([l["query"] for l in flagged],
       ["SEARCH caf\\xe9", "SEARCH \\xff\\xfe", "GET \\xc3(\\\\x41"],
       "their bytes escaped (and a backslash doubled)")
    check(not any(l.get("query_invalid_utf8") for l in lines if l not in flagged), "others not")


# --- failed reopens and refusals in STATS --------------------------------------

def copy_of_seed_index():
    ix = os.path.join(tmpdir(), "index")
    shutil.copytree(indexed_seeds(), ix)
    return ix


def until(cond, what, seconds=10):
    deadline = time.time() + seconds
    while not cond():
        if time.time() > deadline:
            raise Failure("timed out waiting for: " + what)
        time.sleep(0.05)


@test
def a_failed_reopen_is_logged_counted_and_the_old_index_served():
    ix = copy_of_seed_index()
    dd = Daemon(ix, "--workers", "2")
    eq(dd.ask("STATS")["index"]["reopen_failures"], 0, "none yet")
    eq(dd.ask("STATS")["index"]["last_reopen_error"], None, "no reason yet")
    # A swap to a database that is not there (a stub pointing elsewhere).
    stub = os.path.join(ix, "XAPIANDB")
    with open(stub + ".new", "w") as f:
        f.write("auto db-999999\n")
    os.rename(stub + ".new", stub)
    # Workers look for changes before a request.
    until(lambda: dd.ask("PING") and "cannot reopen the index" in dd.logtext(), "the WARN line")
    check(" warn: worker " in dd.logtext(), dd.logtext()[-500:])
    for _ in range(4):              # each worker refreshes before answering
        eq(ids(dd.ask("SEARCH Radmore")), ["004_7a0772fac955139b"], "the old index served")
    time.sleep(0.3)
    s = dd.ask("STATS")["index"]
    # Each engine (two workers' and their four query threads') counts it
    # once at most, not at every retry.
    check(1 <= s["reopen_failures"] <= 6, "each engine counts the failure once: %r" % s)
    check(s["last_reopen_error"] and "db-999999" in s["last_reopen_error"], repr(s))
    eq(s["documents"], 5, "the old index's documents")
    # Asked for with SIGHUP, a failure always counts.
    before = s["reopen_failures"]
    dd.proc.send_signal(signal.SIGHUP)
    until(lambda: dd.ask("STATS")["index"]["reopen_failures"] >= before + 2, "SIGHUP's failures")
    # The index deleted altogether.
    shutil.rmtree(ix)
    until(lambda: dd.ask("PING") and "no XAPIANDB stub" in dd.logtext(),
          "the deleted index logged")
    eq(ids(dd.ask("SEARCH Radmore")), ["004_7a0772fac955139b"], "still the old index")
    eq(dd.stop(), 0, "exit")


@test
def stats_counts_refusals_by_limit():
    dd = Daemon(indexed_seeds(), "--max-line", "64", "--max-connections", "2")
    with dd.connect() as c:
        c.send("SEARCH " + "x" * 100 + "\n")
        eq(c.answer()["error"]["code"], "line_too_long", "CS_MAX_LINE_DEFAULT crossed (--max-line)")
    # The closed connection is let go once its close is seen.
    until(lambda: dd.ask("STATS")["connections"]["open"] == 1, "the first connection gone")
    # The last STATS connection's place is given back when its worker sees
    # it close, which may be after the next connect: take two places,
    # trying again while one of them is refused for that reason.
    early = 0
    for _ in range(50):
        a, b = dd.connect(), dd.connect()
        refused = [not c.ask("PING").get("ok") for c in (a, b)]
        if not any(refused):
            break
        early += sum(refused)
        a.close()
        b.close()
        time.sleep(0.1)
    with a, b:
        with dd.connect() as third:
            eq(third.answer()["error"]["code"], "overloaded", "the third of two refused")
    time.sleep(0.2)
    s = dd.ask("STATS")
    eq(s["refused"]["line_too_long"], 1, "line_too_long by limit: %r" % s["refused"])
    eq(s["refused"]["connections"], 1 + early, "connections by limit: %r" % s["refused"])
    eq(s["refused"]["connections"], s["connections"]["refused"], "the same count")
    for key in ["query_timeout", "http_body_too_large", "http_headers_too_large"]:
        eq(s["refused"][key], 0, key)
    eq(dd.stop(), 0, "exit")


@test
def stats_counts_http_refusals_by_limit():
    hpf = os.path.join(tmpdir(), "hp")
    dd = Daemon(indexed_seeds(), "--http", "127.0.0.1:0", "--http-port-file", hpf)
    hp = int(open(hpf).read())
    body = b'{"q":"x"' + b" " * (64 * 1024 + 10) + b"}"     # past CS_HTTP_MAX_BODY_BYTES
    s = socket.create_connection(("127.0.0.1", hp), timeout=10)
    s.sendall(b"POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    s.close()
    check(got.startswith(b"HTTP/1.1 413"), got[:60])
    eq(dd.ask("STATS")["refused"]["http_body_too_large"], 1, "413 counted by limit")
    eq(dd.stop(), 0, "exit")


@test
def stats_counts_each_request_limit_it_refused():
    # Each limit of lib/core/limits.h that refuses a request, crossed once
    # (twice for CS_MAX_QUERY_TERMS: words and filter values), over the
    # line protocol and HTTP; its counter in STATS "refused" moves, and no
    # other does.  2,000 news articles so that CS_MAX_POSITIONAL_WORK and
    # CS_MAX_WILDCARD_EXPANSION can be crossed.
    hpf = os.path.join(tmpdir(), "hp")
    dd = Daemon(indexed_news(2000), "--http", "127.0.0.1:0", "--http-port-file", hpf,
                "--request-timeout", "1")
    hp = int(open(hpf).read())
    crossings = [
        ("query_terms", "SEARCH " + " ".join("w%d" % i for i in range(65)), "bad_query"),   # CS_MAX_QUERY_TERMS
        ("query_terms", 'SEARCH {"filter":{"place":[%s]}}'
         % ",".join('"p%d"' % i for i in range(65)), "bad_request"),
        ("query_depth", "SEARCH " + "(" * 33 + "nhs" + ")" * 33, "bad_query"),      # CS_MAX_QUERY_DEPTH
        ("near_window", "SEARCH nhs NEAR/1001 merger", "bad_query"),             # CS_MAX_NEAR_WINDOW
        ("wildcard_expansion", "SEARCH c*", "bad_query"),                       # CS_MAX_WILDCARD_EXPANSION
        ("positional_work", 'SEARCH "' + " ".join(["the"] * 64) + '"', "bad_query"),  # CS_MAX_POSITIONAL_WORK
        ("result_limit", 'SEARCH {"limit":101}', "bad_request"),                 # CS_MAX_RESULT_LIMIT
        ("result_offset", 'SEARCH {"offset":10001}', "bad_request"),             # CS_MAX_RESULT_OFFSET
        ("facet_limit", 'SEARCH {"facet_limit":1001}', "bad_request"),           # CS_MAX_FACET_LIMIT
        ("snippet_chars", 'SEARCH {"snippet_chars":19}', "bad_request"),         # CS_MIN_SNIPPET_CHARS
        ("snippet_chars", 'SEARCH {"snippet_chars":2001}', "bad_request"),       # CS_MAX_SNIPPET_CHARS
    ]
    before = dd.ask("STATS")["refused"]
    for key, line, code in crossings:
        a = dd.ask(line)
        eq(a.get("error", {}).get("code"), code, "%s: %r" % (line[:60], a))
    # Not refused by a limit: a type error, a syntax error.
    eq(dd.ask('SEARCH {"limit":"ten"}')["error"]["code"], "bad_request", "a type error")
    eq(dd.ask("SEARCH merger AND")["error"]["code"], "bad_query", "a syntax error")
    # CS_REQUEST_TIMEOUT_DEFAULT (--request-timeout): a line begun, never ended.
    with dd.connect() as c:
        c.send("SEARCH mer")
        eq(c.answer()["error"]["code"], "timeout", "the request line's deadline")
    # Over HTTP too.
    s = socket.create_connection(("127.0.0.1", hp), timeout=10)
    s.sendall(b"GET /search?q=nhs&limit=101 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    got = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    s.close()
    check(got.startswith(b"HTTP/1.1 400"), got[:80])
    after = dd.ask("STATS")["refused"]
    want = dict(before)
    for key, _, _ in crossings:
        want[key] += 1
    want["request_timeout"] += 1
    want["result_limit"] += 1               # the HTTP one
    eq(after, want, "each limit counted once per refusal, nothing else")
    eq(dd.stop(), 0, "exit")


# --- the drain on SIGTERM ------------------------------------------------------

def big_pipeline(n):
    """n requests whose text passes what the daemon reads ahead (one
    --max-line) and whose answers pass its output high-water mark."""
    reqs = []
    for i in range(n):
        if i % 2:
            reqs.append(("GET " + SEED_IDS[i % 5],
                         lambda a, d=SEED_IDS[i % 5]: a["document"]["id"] == d))
        else:
            pad = " " * 1500
            reqs.append(('SEARCH {"q":"accountable officer","limit":5%s}' % pad,
                         lambda a: a["total"] == 5 and len(a["hits"]) == 5))
    return reqs


@test
def sigterm_answers_all_200_pipelined_requests():
    dd = Daemon(indexed_seeds(), "--workers", "1")
    reqs = big_pipeline(200)
    data = "".join(r + "\n" for r, _ in reqs).encode()
    check(len(data) > 2 * 64 * 1024, "more than the daemon reads ahead")
    c = dd.connect()
    eq(c.ask("PING"), {"ok": True, "pong": True}, "connected")
    # All sent, and SIGTERM while the daemon is at work on them (it reads
    # one --max-line ahead: most still wait in its socket).
    c.send(data)
    dd.proc.send_signal(signal.SIGTERM)
    answers = c.answers_until_closed()
    c.close()
    eq(dd.proc.wait(30), 0, "exit status")
    eq(len(answers), len(reqs), "every request sent before SIGTERM answered")
    for (r, ok), a in zip(reqs, answers):
        check(ok(a), "%s -> %r" % (r[:40], a))


@test
def past_the_drain_timeout_the_connection_closes_after_a_whole_answer():
    dd = Daemon(indexed_seeds(), "--workers", "1", "--drain-timeout", "1")
    c = dd.connect()
    stop = threading.Event()

    def keep_sending():
        try:
            while not stop.is_set():
                c.sock.sendall(b"GET " + SEED_IDS[0].encode() + b"\n")
        except OSError:
            pass
    t = threading.Thread(target=keep_sending, daemon=True)
    t.start()
    eq(json.loads(c.readline())["document"]["id"], SEED_IDS[0], "served")
    t0 = time.time()
    dd.proc.send_signal(signal.SIGTERM)
    got = c.buf
    try:
        while True:
            chunk = c.sock.recv(65536)
            if not chunk:
                break
            got += chunk
    except ConnectionResetError:
        raise Failure("reset mid-answer after %d bytes" % len(got))
    stop.set()
    took = time.time() - t0
    check(got.endswith(b"\n"), "the last answer is whole: ...%r" % got[-40:])
    for line in got.split(b"\n")[:-1]:
        if line:
            eq(json.loads(line)["document"]["id"], SEED_IDS[0], "a whole answer")
    # It answers what it had received and may stop at any moment the kernel
    # holds nothing more from the client (which keeps sending), but never
    # later than the drain timeout and the linger after it.
    check(took <= 1 + 3 + 1, "closed by the drain timeout (CS_DRAIN_TIMEOUT_DEFAULT): %.2f s"
          % took)
    eq(dd.proc.wait(30), 0, "exit status")
    check(time.time() - t0 < 10, "and then exits")
    check("drain timeout (1 s)" in dd.logtext(), dd.logtext()[-400:])
    c.close()


@test
def help_documents_the_new_options():
    p = subprocess.run([binary("ccg-searchd"), "--help"], capture_output=True, text=True)
    for opt, default in [("--unix-mode", "0660"), ("--drain-timeout", "10")]:
        line = [l for l in p.stdout.splitlines() if opt in l]
        check(line and "(default %s" % default in p.stdout, "%s default %s" % (opt, default))


# --- terminal safety -----------------------------------------------------------

HOSTILE_TITLE = "Merger \x1b]0;pwned\x07news \x1b[2J\x1b[31mred\x9b31m"
HOSTILE_BODY = ("Radmore said the \x1b[2Jmerger\x1b]2;x\x07 was agreed.\n"
                "Second line\twith a tab and a C1 \u0085 and DEL \x7f end.")


@test
def ccg_search_never_prints_the_index_text_raw_escapes():
    src = tmpdir()
    with open(os.path.join(src, "h.jsonl"), "w") as f:
        f.write(json.dumps({"id": "hostile-1", "title": HOSTILE_TITLE, "date": "2019-03-01",
                            "source": "Src\x1b[5m", "body": HOSTILE_BODY}) + "\n")
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, src)
    dd = Daemon(ix)
    port = str(dd.port)
    for args in (["Radmore"], ["--get", "hostile-1"], ["--facets", "merger"]):
        p = subprocess.run([binary("ccg-search"), "-p", port] + args, capture_output=True,
                           timeout=30, env=dict(os.environ, NO_COLOR="1"))
        eq(p.returncode, 0, p.stderr)
        out = p.stdout
        for raw in [b"\x1b", b"\x07", b"\x7f", b"\xc2\x85", b"\xc2\x9b"]:
            check(raw not in out, "%r printed raw by %r: %r" % (raw, args, out[:300]))
        check(b"\\x1b" in out, "the escape shown visibly: %r" % out[:300])
    p = subprocess.run([binary("ccg-search"), "-p", port, "--get", "hostile-1"],
                       capture_output=True, timeout=30, env=dict(os.environ, NO_COLOR="1"))
    out = p.stdout.decode("utf-8")
    check("Merger \\x1b]0;pwned\\x07news" in out, out[:300])
    check("agreed.\nSecond line" in out, "the body keeps its lines: %r" % out)
    check("C1 \\xc2\\x85 and DEL \\x7f end" in out, out)
    # On a terminal with colour: only our own highlight escapes.
    tty = run_on_tty([binary("ccg-search"), "-p", port, "Radmore"],
                     env=dict({k: v for k, v in os.environ.items() if k != "NO_COLOR"}, TERM="xterm"))
    check("\x1b]" not in tty and "\x1b[2J" not in tty and "\x1b[31m" not in tty, repr(tty[:400]))
    # --json stays the server's JSON, escaped there.
    p = subprocess.run([binary("ccg-search"), "-p", port, "--json", "--get", "hostile-1"],
                       capture_output=True, timeout=30)
    check(b"\x1b" not in p.stdout, "JSON escapes it")
    eq(json.loads(p.stdout)["document"]["title"], HOSTILE_TITLE, "as stored")
    eq(dd.stop(), 0, "exit")


@test
def the_indexer_prints_hostile_file_names_safely():
    src = tmpdir()
    name = "evil\x1b]0;pwned\x07\x1b[2J-\xff.txt"
    path = os.path.join(src.encode(), name.encode("latin-1"))
    with open(path, "wb") as f:
        f.write(b"Title\n\nbody \x00 with a NUL byte\n")
    p = run_indexer("--index", os.path.join(tmpdir(), "index"), src, check_status=False)
    err = p.stderr
    check(b"\x1b" not in err and b"\x07" not in err, "no raw escape on stderr: %r" % err)
    check(b"evil\\x1b]0;pwned\\x07\\x1b[2J-\\xff.txt" in err, "the name shown escaped: %r" % err)


# --- the documentation ------------------------------------------------------

@test
def security_doc_names_every_limit_and_option():
    import re
    from harness import ROOT
    doc = open(os.path.join(ROOT, "docs", "security.md")).read()
    limits = open(os.path.join(ROOT, "lib", "core", "limits.h")).read()
    names = re.findall(r"^#define (CS_[A-Z0-9_]+) ", limits, re.M)
    check(len(names) > 20, "limits found")
    for name in names:
        if not name.startswith("CS_STR"):
            check("`%s`" % name in doc, "docs/security.md names " + name)
    p = subprocess.run([binary("ccg-searchd"), "--help"], capture_output=True, text=True)
    for opt in re.findall(r"^\s+(?:-\w, )?(--[a-z-]+)", p.stdout, re.M):
        if opt != "--help":
            check(opt in doc, "docs/security.md names " + opt)
    check("docs/security.md" in open(os.path.join(ROOT, "README.md")).read(), "README links it")


run()
