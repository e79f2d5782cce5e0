"""One client's cost is not paid by the others (issue 15, defects 2 and 5):
clients pipelining the costliest queries the language allows while another
client's PINGs and cheap searches keep a p99 under 50 ms; the time limit
honoured under that load; phrases and NEARs past CS_MAX_POSITIONAL_WORK
refused; a request line (or HTTP request) dribbled past --request-timeout
answered with timeout and closed; connections past
--max-connections-per-address refused with overloaded while other
addresses are served."""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (Conn, Daemon, check, eq, indexed_news, run, test,  # noqa: E402
                     tmpdir)

_news = None


def news():
    """2,000 news articles: enough for a NEAR of stopwords to cost a lot
    (and 64 "the" to be past CS_MAX_POSITIONAL_WORK)."""
    global _news
    if _news is None:
        _news = indexed_news(2000)
    return _news


def near(words):
    return " NEAR/1000 ".join(words)


STOP = ("a about after all also an and any are as at be been being but by can could did do "
        "does done for from had has have how if in into is it its may might more most must no "
        "not of on or other out over should so some such than that the their them then there "
        "these they this those to under").split()
FACETS = '"facets":["ccg","role","person","org","place"],"facet_limit":1000'

# The costliest queries the language allows: CS_MAX_QUERY_TERMS (64) words,
# NEAR windows of CS_MAX_NEAR_WINDOW (1000), phrases of stopwords, every
# facet with CS_MAX_FACET_LIMIT, CS_MAX_RESULT_LIMIT hits with the longest
# snippets.  Some are now refused as too costly (CS_MAX_POSITIONAL_WORK);
# the rest are answered, or time out.
COSTLY = [
    "SEARCH " + near(["the"] * 64),
    "SEARCH " + near(["the", "of", "and", "to"] * 16),
    'SEARCH "' + " ".join(["the"] * 64) + '"',
    "SEARCH " + near(["the"] * 8),
    'SEARCH {"q":"%s",%s,"limit":100,"snippet_chars":2000}' % (" OR ".join(STOP[:64]), FACETS),
    'SEARCH {"q":"%s",%s}' % (" OR ".join(near(["the", w]) for w in STOP[1:33]), FACETS),
    'SEARCH {"q":"%s","match":"any",%s,"limit":100}' % (" ".join(STOP[:64]), FACETS),
    "SEARCH " + near(["the", "of", "and", "to", "a", "in", "is", "that"]),
]


# docs/protocol.md's 50 ms for a bystander's p99; doubled for the sanitizer
# build, which is two to ten times slower at everything (as in
# test_malicious).
LATENCY_P99 = 0.100 if "asan" in harness.BIN else 0.050


def p99(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.99))]


@test
def costly_pipelined_queries_do_not_stall_other_clients():
    costly_load_leaves_others_served(fresh=False)


@test
def costly_queries_each_on_a_new_connection_do_not_stall_other_clients():
    # A client that opens a connection per costly query has no history
    # for the slow lane to go by: its queries' estimated cost must send
    # them there.
    costly_load_leaves_others_served(fresh=True)


def costly_load_leaves_others_served(fresh):
    # The time limit (CS_QUERY_TIMEOUT_MS_DEFAULT, 2 s) is set by
    # --query-timeout; 1 s here, to keep the test short.  (Xapian cannot
    # stop a phrase or a NEAR: what bounds them is CS_MAX_POSITIONAL_WORK,
    # which keeps them well inside a limit of this order.)
    timeout_ms = 1000
    dd = Daemon(news(), "--workers", "2", "--query-timeout", str(timeout_ms))
    seconds = 8
    stop = time.time() + seconds
    answers = []                    # (seconds since the previous answer, code)
    failures = []

    def pipeliner(k):
        try:
            with Conn(dd.port, timeout=60) as c:
                n = 0
                while time.time() < stop:
                    batch = [COSTLY[(k + n + i) % len(COSTLY)] for i in range(8)]
                    n += 8
                    t0 = time.time()
                    c.send("".join(q + "\n" for q in batch))
                    for q in batch:
                        a = c.answer()
                        t1 = time.time()
                        code = "ok" if a["ok"] else a["error"]["code"]
                        answers.append((t1 - t0, code, q[:60]))
                        t0 = t1
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(repr(e))

    def one_per_connection(k):
        try:
            n = 0
            while time.time() < stop:
                q = COSTLY[(k + n) % len(COSTLY)]
                n += 1
                with Conn(dd.port, timeout=60) as c:
                    t0 = time.time()
                    a = c.ask(q)
                    code = "ok" if a["ok"] else a["error"]["code"]
                    answers.append((time.time() - t0, code, q[:60]))
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(repr(e))

    threads = [threading.Thread(target=one_per_connection if fresh else pipeliner, args=(k,))
               for k in range(4 if fresh else 2)]
    for t in threads:
        t.start()
    time.sleep(0.5)                 # the pipeliners are busy
    lat = {"PING": [], "SEARCH merger": [], 'SEARCH {"q":"health","limit":3}': []}
    with Conn(dd.port) as c:
        while time.time() < stop:
            for q in lat:
                t0 = time.time()
                a = c.ask(q)
                lat[q].append(time.time() - t0)
                check(a["ok"], "%s answered: %r" % (q, a))
            time.sleep(0.01)
    for t in threads:
        t.join(120)
    eq(failures, [], "the pipeliners' connections")
    codes = {}
    for _, code, _ in answers:
        codes[code] = codes.get(code, 0) + 1
    print("# costly answers: %r" % codes)
    for q, xs in lat.items():
        print("# %s: %d answers, p50 %.1f ms, p99 %.1f ms, max %.1f ms"
              % (q[:20], len(xs), sorted(xs)[len(xs) // 2] * 1e3, p99(xs) * 1e3, max(xs) * 1e3))
        check(len(xs) >= 50, "%s asked often enough: %d" % (q, len(xs)))
        check(p99(xs) < LATENCY_P99, "%s p99 under %d ms while others send costly queries: %.1f ms"
              % (q, LATENCY_P99 * 1e3, p99(xs) * 1e3))
    check(set(codes) <= {"ok", "timeout", "bad_query"}, "costly answers: %r" % codes)
    check(codes.get("ok", 0) > 0, "some costly queries are answered: %r" % codes)
    # Each pipelined answer comes once the one before it is sent, so the
    # time between two answers is what one request cost: the time limit
    # holds within 10 % (and a little for the answer's way back).
    slowest = max(answers)
    print("# slowest costly answer %.0f ms (%s, %s)" % (slowest[0] * 1e3, slowest[1], slowest[2]))
    check(slowest[0] < timeout_ms * 1.1 / 1000 + 0.05,
          "the %d ms time limit honoured under load: %.0f ms for %s"
          % (timeout_ms, slowest[0] * 1e3, slowest[2]))
    eq(dd.ask("PING")["pong"], True, "still serving")
    eq(dd.stop(), 0, "daemon exit")


@test
def phrases_and_nears_past_cs_max_positional_work_are_refused():
    dd = Daemon(news())
    for q in (COSTLY[0], COSTLY[2]):
        a = dd.ask(q)
        check(not a["ok"] and a["error"]["code"] == "bad_query" and
              "too costly" in a["error"]["message"], "%s... refused: %r" % (q[:40], a))
    # Below it: phrases and NEARs of real words, and short ones of stopwords.
    for q in ['SEARCH "of the"', "SEARCH the NEAR/3 of", 'SEARCH "the prime minister"',
              "SEARCH " + near(["the", "of", "and"]), "SEARCH chief NEAR/1000 executive"]:
        a = dd.ask(q)
        check(a["ok"], "%s answered: %r" % (q, a))
    eq(dd.stop(), 0, "daemon exit")


def dribble(sock, data, every, until):
    """Send data a byte at a time, every seconds apart, until the server
    answers or closes; returns (what it sent back, seconds taken)."""
    t0 = time.time()
    sock.settimeout(every)
    got = b""
    for i in range(len(data)):
        try:
            sock.sendall(data[i:i + 1])
        except OSError:
            break
        try:
            chunk = sock.recv(4096)
            if not chunk:
                break
            got += chunk
            if got.endswith(b"\n"):
                break
        except socket.timeout:
            pass
        if time.time() - t0 > until:
            break
    return got, time.time() - t0


@test
def a_request_line_dribbled_past_the_deadline_gets_timeout_and_is_closed():
    # CS_REQUEST_TIMEOUT_DEFAULT (10 s) is set by --request-timeout; 1 s
    # here.  The idle timeout alone would never end this: every byte comes
    # well inside it.
    dd = Daemon(news(), "--request-timeout", "1", "--idle-timeout", "60")
    with Conn(dd.port) as good:
        with socket.create_connection(("127.0.0.1", dd.port)) as slow:
            got, took = dribble(slow, b"SEARCH " + b"x" * 100, 0.2, 10)
            a = json.loads(got.decode())
            eq(a["error"]["code"], "timeout", "the dribbled line's answer")
            check("request line" in a["error"]["message"], "it says why: %r" % a)
            check(0.9 < took < 3, "at the deadline: %.2f s" % took)
            slow.settimeout(5)
            try:
                rest = slow.recv(100)
            except ConnectionResetError:
                rest = b""
            eq(rest, b"", "then closed")
        eq(good.ask("PING")["pong"], True, "the other client is served")
        # A line finished within the deadline is answered, and each line
        # has its own: two lines of 0.6 s each take longer than one
        # deadline in all.
        for _ in range(2):
            good.send("PI")
            time.sleep(0.6)
            good.send("NG\n")
            eq(good.answer()["pong"], True, "a slow line within the deadline")
    s = dd.ask("STATS")
    check(s["errors"].get("timeout", 0) >= 1, "counted: %r" % s["errors"])
    eq(dd.stop(), 0, "daemon exit")


def http_daemon(*extra):
    pf = os.path.join(tmpdir(), "http-port")
    dd = Daemon(news(), "--http", "127.0.0.1:0", "--http-port-file", pf, *extra)
    with open(pf) as f:
        dd.http_port = int(f.read().strip())
    return dd


def http_get(sock, path):
    """One keep-alive GET on sock; (status, body)."""
    sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(4096)
        check(chunk, "an HTTP answer")
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    length = int([h.split(b":")[1] for h in head.split(b"\r\n")
                  if h.lower().startswith(b"content-length:")][0])
    while len(body) < length:
        body += sock.recv(4096)
    return int(head.split(b" ")[1]), json.loads(body)


@test
def an_http_request_dribbled_past_the_deadline_is_closed():
    dd = http_daemon("--request-timeout", "1", "--idle-timeout", "60")
    with socket.create_connection(("127.0.0.1", dd.http_port)) as slow:
        got, took = dribble(slow, b"GET /health HTTP/1.1\r\nX-Slow: " + b"x" * 100, 0.2, 10)
        eq(got, b"", "no answer to a request never finished")
        check(0.9 < took < 3, "closed at the deadline: %.2f s" % took)
    # A keep-alive connection idle between requests is not a request late:
    # only the idle timeout closes it.
    with socket.create_connection(("127.0.0.1", dd.http_port), timeout=10) as ka:
        eq(http_get(ka, "/health")[0], 200, "first request")
        time.sleep(1.5)
        eq(http_get(ka, "/search?q=merger&limit=1")[0], 200, "after idling past the deadline")
    eq(dd.stop(), 0, "daemon exit")


def connect_from(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    s.bind((addr, 0))
    s.connect(("127.0.0.1", port))
    return s


def line_ask(s, req):
    s.sendall((req + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return json.loads(buf) if buf else None


@test
def connections_past_the_per_address_cap_are_refused_and_others_served():
    # CS_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT (1024) is set by
    # --max-connections-per-address; 3 here.  HTTP connections count too.
    dd = http_daemon("--max-connections-per-address", "3", "--workers", "2")
    mine = [connect_from("127.0.0.1", dd.port) for _ in range(2)]
    for s in mine:
        eq(line_ask(s, "PING")["pong"], True, "within the cap")
    web = connect_from("127.0.0.1", dd.http_port)
    eq(http_get(web, "/health")[0], 200, "an HTTP connection, the third")
    over = connect_from("127.0.0.1", dd.port)
    a = json.loads(over.makefile("rb").readline())
    eq(a["error"]["code"], "overloaded", "a fourth line connection")
    check("address" in a["error"]["message"], "it says why: %r" % a)
    over.close()
    web2 = connect_from("127.0.0.1", dd.http_port)
    status, body = http_get(web2, "/health")
    eq((status, body["error"]["code"]), (503, "overloaded"), "a fourth, HTTP")
    web2.close()
    # Another address is served, up to its own cap.
    other = [connect_from("127.0.0.2", dd.port) for _ in range(3)]
    for s in other:
        eq(line_ask(s, "PING")["pong"], True, "another address")
    # A place given back is taken again.
    mine[0].close()
    web.close()
    for _ in range(100):
        time.sleep(0.05)
        again = connect_from("127.0.0.1", dd.port)
        a = line_ask(again, "PING")
        again.close()
        if a and a.get("ok"):
            break
    eq(a, {"ok": True, "pong": True}, "after one closed")
    s = line_ask(other[0], "STATS")
    check(s["connections"]["refused"] >= 2, "refusals counted: %r" % s["connections"])
    for x in other + mine[1:]:
        x.close()
    eq(dd.stop(), 0, "daemon exit")


@test
def help_names_the_new_options_and_their_defaults():
    import subprocess
    from harness import binary
    out = subprocess.run([binary("ccg-searchd"), "--help"], capture_output=True, text=True).stdout
    for opt, default in (("--max-connections-per-address", "1024"), ("--request-timeout", "10"),
                         ("--query-threads", "per worker")):
        line = out[out.index(opt):].split("\n\n")[0]
        check(default in line, "%s shows its default %s: %r" % (opt, default, line[:200]))


if __name__ == "__main__":
    run()
