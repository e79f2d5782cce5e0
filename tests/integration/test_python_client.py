#!/usr/bin/env python3
"""The Python client (clients/python/) against the real daemon: every
method beside the raw protocol answer to the same request, error codes,
transport failures, pipelining, the documented pip install into a venv,
and the Python examples of README.md and clients/python/README.md, run."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ROOT, Daemon, check, eq, indexed_seeds, run, test,  # noqa: E402
                     tmpdir)

CLIENT_SRC = os.path.join(ROOT, "clients", "python")
sys.path.insert(0, CLIENT_SRC)
import ccgsearch  # noqa: E402
from ccgsearch import CCGConnectionError, CCGError, Client  # noqa: E402

# The documented install is for Debian's interpreter, which install-deps
# equips with venv, pip, setuptools and wheel; python3 on PATH may be
# another one (pyenv) that lacks them.
DEBIAN_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

_d = None
_unix = None


def d():
    global _d, _unix
    if _d is None:
        _unix = os.path.join(tmpdir(), "ccg.sock")
        _d = Daemon(indexed_seeds(), "--unix", _unix)
    return _d


def client(**kw):
    return Client("127.0.0.1", d().port, **kw)


def raw(line):
    """The daemon's answer to one line, parsed, over a plain socket."""
    with d().connect() as c:
        return c.ask(line)


def untimed(a):
    """An answer without its took_us, the one field that differs between
    two runs of the same request."""
    return {k: v for k, v in a.items() if k != "took_us"}


@test
def search_answers_as_the_raw_protocol():
    with client() as c:
        r = c.search("accountable officer", ccg="Leicester City", role=["accountable officer"],
                     facets=["ccg", "person"], facet_limit=3, limit=2)
    want = raw('SEARCH {"q":"accountable officer","filter":{"ccg":["Leicester City"],'
               '"role":["accountable officer"]},"limit":2,"facets":["ccg","person"],'
               '"facet_limit":3}')
    eq(untimed(r.raw), untimed(want), "answer")
    check(r.total >= 2 and len(r.hits) == 2, "hits: %r" % r)
    eq(r.total, want["total"], "total")
    eq([h.id for h in r.hits], [h["id"] for h in want["hits"]], "hit ids")
    eq([(h.rank, h.title, h.date, h.source, h.snippet, h.entities, h.person_role)
        for h in r.hits],
       [(h["rank"], h["title"], h["date"], h["source"], h["snippet"], h["entities"],
         h.get("person_role", [])) for h in want["hits"]], "hit fields")
    eq(list(r.facets), ["ccg", "person"], "facets in the server's order")
    eq([(f.value, f.count) for f in r.facets["ccg"]],
       [(f["value"], f["count"]) for f in want["facets"]["ccg"]], "ccg counts")
    check(r.facets["ccg"][0].value.startswith("NHS "), "canonical names: %r" % r.facets)


@test
def search_sends_only_what_is_given_and_every_field_reaches_the_server():
    eq(ccgsearch.search_request("x"), {"q": "x"}, "defaults are the server's")
    obj = ccgsearch.search_request(
        "merger", ccg="Corby", role=["chief executive", "accountable officer"], person="P",
        org="O", place="Essex", date_from="2018-01-01", date_to="2019-12-31", sort="date",
        match="any", limit=5, offset=1, facets=[], facet_limit=2, snippets=False,
        snippet_chars=50)
    eq(obj["filter"], {"ccg": ["Corby"], "role": ["chief executive", "accountable officer"],
                       "person": ["P"], "org": ["O"], "place": ["Essex"]}, "filter")
    check("syntax" not in obj and "prefix" not in obj, "None is not sent: %r" % obj)
    # syntax and prefix go through as given: a daemon that knows them
    # answers, one that does not names the field it refused.
    with client() as c:
        for kw in ({"syntax": "plain"}, {"prefix": True}):
            eq(ccgsearch.search_request("x", **kw), dict(q="x", **kw), "sent")
            try:
                c.search("merger", **kw)
            except CCGError as e:
                eq(e.code, "bad_request", "code")
                check(list(kw)[0] in e.message, "names the field: " + e.message)
    # The server refuses an unknown field, so each field sent is one it knows.
    with client() as c:
        r = c.search("merger", date_from="2018-01-01", date_to="2019-12-31", sort="date",
                     match="any", limit=5, offset=0, facets=[], facet_limit=2,
                     snippets=False, snippet_chars=50)
        eq(r.facets, {}, "facets=[] counts none")
        check(all(h.snippet is None for h in r.hits), "snippets=False: %r" % r.hits)
        eq(untimed(r.raw), untimed(raw("SEARCH " + json.dumps(ccgsearch.search_request(
            "merger", date_from="2018-01-01", date_to="2019-12-31", sort="date", match="any",
            limit=5, offset=0, facets=[], facet_limit=2, snippets=False,
            snippet_chars=50)))), "answer")
        every = c.search("", limit=0)
        eq(every.hits, [], "limit 0")
        eq(every.total, 5, "an empty q matches every seed article")
        two = c.search("", ccg=["Corby", "West Leicestershire"], limit=0).total
        one = c.search("", ccg="Corby", limit=0).total
        check(0 < one < two <= 5, "values of one facet are OR-ed: %d, %d" % (one, two))


@test
def get_similar_who_stats_ping_help_answer_as_the_raw_protocol():
    with client() as c:
        doc = c.get("004_7a0772fac955139b")
        want = raw("GET 004_7a0772fac955139b")
        eq(doc.raw, want, "GET")
        eq((doc.id, doc.title, doc.body, doc.entities), (
            want["document"]["id"], want["document"]["title"], want["document"]["body"],
            want["document"]["entities"]), "Document fields")
        check(doc.title.startswith("Wanted: single executive"), doc.title)

        s = c.similar("002_384a417d6ab5e7e1")
        eq(untimed(s.raw), untimed(raw("SIMILAR 002_384a417d6ab5e7e1")), "SIMILAR")
        eq(s.hits[0].id, "003_0ecb9dfa299ccda2", "the near duplicate first")

        for kw, line in [({"text": "Toby Sanders"}, "WHO Toby Sanders"),
                         ({"person": "Toby Sanders"}, 'WHO {"person":"Toby Sanders"}'),
                         ({"role": "accountable officer", "org": "West Leicestershire"},
                          'WHO {"role":"accountable officer","org":"West Leicestershire"}'),
                         ({"org": "NHS Corby CCG"}, 'WHO {"org":"NHS Corby CCG"}')]:
            text = kw.pop("text", None)
            w = c.who(text, **kw)
            want = raw(line)
            eq(untimed(w.raw), untimed(want), line)
            eq([(a.person, a.role, a.org, [x.id for x in a.documents]) for a in w.answers],
               [(a["person"], a["role"], a["org"], [x["id"] for x in a["documents"]])
                for a in want["answers"]], line + ": answers")
            check(w.answers, line + ": no answers")
        w = c.who(role="accountable officer", org="West Leicestershire")
        eq(w.who["org"], "NHS West Leicestershire CCG", "canonicalised")
        eq(w.answers[0].person, "Toby Sanders", "who held it")

        before = c.stats()
        check(c.ping() is True, "PING")
        after = c.stats()
        eq(after["requests"]["PING"], before["requests"]["PING"] + 1, "STATS counts the PING")
        eq(after["index"]["documents"], 5, "STATS index")
        eq(sorted(after), sorted(raw("STATS")), "STATS fields")
        eq(c.help(), raw("HELP"), "HELP")
        eq(c.request("PING"), {"ok": True, "pong": True}, "request()")


@test
def refusals_are_ccgerror_with_the_code_and_the_connection_stays_open():
    with client() as c:
        for call, code in [(lambda: c.search("merger AND"), "bad_query"),
                           (lambda: c.search("x", sort="sideways"), "bad_request"),
                           (lambda: c.search("x", limit=101), "bad_request"),
                           (lambda: c.search("x", facets=["colour"]), "bad_request"),
                           (lambda: c.get("no-such-id"), "not_found"),
                           (lambda: c.similar("no-such-id"), "not_found"),
                           (lambda: c.who(person="x" * 300), "bad_request"),
                           (lambda: c.request("FROBNICATE"), "unknown_command")]:
            try:
                call()
                raise AssertionError("no CCGError for the %s case" % code)
            except CCGError as e:
                eq(e.code, code, "code")
                check(e.message and e.raw["error"]["code"] == code, repr(e.raw))
                check(str(e).startswith(code + ": "), str(e))
        err = None
        try:
            c.search("merger AND")
        except CCGError as e:
            err = e
        eq(err.message, raw("SEARCH merger AND")["error"]["message"], "the server's message")
        check("column" in err.message, err.message)
        check(c.ping() and not c.closed, "still connected after every refusal")
        for bad in ["a\nPING", "a\r", " "]:
            try:
                c.get(bad)
                raise AssertionError("%r was sent" % bad)
            except ValueError:
                pass
        try:
            c.search("\ud800")     # a lone surrogate is no UTF-8
            raise AssertionError("a string UTF-8 cannot hold was sent")
        except UnicodeEncodeError:
            pass
        with c.pipeline() as p:
            try:
                p.get("\ud800")
                p.execute()
                raise AssertionError("a pipelined string UTF-8 cannot hold was sent")
            except UnicodeEncodeError:
                pass
        check(not c.closed, "nothing was sent, so the connection is still in step")
        try:
            c.who("Toby Sanders", person="Toby Sanders")
            raise AssertionError("text and person together were sent")
        except ValueError:
            pass
        eq(c.stats()["requests"]["GET"] >= 1, True, "still in step after the ValueErrors")


@test
def line_too_long_closes_and_later_calls_raise_connection_errors():
    with client() as c:
        try:
            c.search("x" * (64 * 1024 + 10))
            raise AssertionError("a line over the limit was answered")
        except CCGError as e:
            eq(e.code, "line_too_long", "code")
        check(c.closed, "the client closed its side too")
        try:
            c.ping()
            raise AssertionError("a closed client sent")
        except CCGConnectionError:
            pass
    check(isinstance(CCGConnectionError("x"), ConnectionError), "a ConnectionError")


@test
def transport_failures_are_oserrors():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    try:
        Client("127.0.0.1", port)
        raise AssertionError("connected to a closed port")
    except ConnectionRefusedError:
        pass
    # A server that accepts and never answers: the read timeout, for one
    # request and for a pipeline.
    mute = socket.socket()
    mute.bind(("127.0.0.1", 0))
    mute.listen(8)
    try:
        for call in (lambda c: c.ping(), lambda c: c.search_many(["a", "b"])):
            c = Client("127.0.0.1", mute.getsockname()[1], timeout=0.3)
            try:
                call(c)
                raise AssertionError("no timeout")
            except socket.timeout:
                pass
            check(c.closed, "closed after a timeout")
    finally:
        mute.close()
    # A server that closes without answering.
    shut = socket.socket()
    shut.bind(("127.0.0.1", 0))
    shut.listen(1)
    try:
        c = Client("127.0.0.1", shut.getsockname()[1], timeout=5)
        conn, _ = shut.accept()
        conn.close()
        try:
            c.ping()
            raise AssertionError("an answer from nowhere")
        except ConnectionError:     # CCGConnectionError, or a reset
            pass
        check(c.closed, "closed after the server went")
    finally:
        shut.close()


@test
def unix_socket_serves_the_same_answers():
    d()
    with Client(unix=_unix) as u, client() as t:
        eq(u.get("000_a0141472471f05fe").raw, t.get("000_a0141472471f05fe").raw, "GET")
        eq(untimed(u.search("merger").raw), untimed(t.search("merger").raw), "SEARCH")


@test
def five_hundred_pipelined_requests_come_back_in_order_on_one_connection():
    queries = ["merger", "accountable officer", "Leicester", "Radmore", "clinical chair",
               "merger AND", "", "Essex", "single executive", "joint"]
    want = {}
    for q in queries:
        want[q] = untimed(raw("SEARCH " + json.dumps({"q": q, "limit": 3})))
    order = [queries[(i * 7) % len(queries)] for i in range(500)]
    with client() as c:
        before = c.stats()
        p = c.pipeline()
        pend = [p.search(q, limit=3) for q in order]
        eq(len(p), 500, "queued")
        check(500 > ccgsearch.PIPELINE_WINDOW, "more requests than the window")
        done = p.execute()
        eq(len(p), 0, "the queue is emptied")
        check(done == pend, "execute() returns the Pendings in order")
        for i, (q, x) in enumerate(zip(order, pend)):
            if want[q]["ok"]:
                eq(untimed(x.result().raw), want[q], "answer %d (%r)" % (i, q))
                check(x.error is None, "no error")
            else:
                eq(x.error.code, "bad_query", "answer %d (%r)" % (i, q))
        after = c.stats()
        eq(after["requests"]["SEARCH"] - before["requests"]["SEARCH"], 500, "SEARCHes served")
        eq(after["connections"]["total"], before["connections"]["total"], "on this connection")

        mixed = c.pipeline()
        with mixed as m:
            a = m.ping()
            b = m.get("004_7a0772fac955139b")
            e = m.get("nope")
            w = m.who("Toby Sanders")
            s = m.similar("002_384a417d6ab5e7e1")
            st = m.stats()
            r = m.request("HELP")
        eq(a.result(), True, "ping")
        eq(b.result().id, "004_7a0772fac955139b", "get")
        eq(e.error.code, "not_found", "error in the middle")
        try:
            e.result()
            raise AssertionError("result() of a refusal returned")
        except CCGError as x:
            eq(x.code, "not_found", "raised")
        eq(w.result().answers[0].person, "Toby Sanders", "who")
        eq(s.result().hits[0].id, "003_0ecb9dfa299ccda2", "similar")
        check(st.result()["ok"] and r.result()["protocol"] == "ccgsearch/1", "stats, help")

        many = c.search_many(["merger", {"q": "", "ccg": "Corby", "limit": 0}] * 100)
        eq(len(many), 200, "search_many")
        eq([m.total for m in many[:2]], [want["merger"]["total"], 1], "in order")
        try:
            c.search_many(["merger", "merger AND", "joint"])
            raise AssertionError("search_many hid a refusal")
        except CCGError as x:
            eq(x.code, "bad_query", "the first refusal")
        eq(c.ping(), True, "in step after search_many raised")


@test
def pipelining_large_requests_and_answers_does_not_block_either_side():
    # 600 requests of 60 KB (JSON padded with blanks) whose answers are
    # 17 KB each: the server stops reading this client once 1 MiB of
    # answers wait unsent, so a client that wrote everything before
    # reading would block forever (with this size, 400 already do); only
    # interleaved writing and reading get through.
    line = 'SEARCH {"q":"","limit":5,"snippet_chars":2000' + " " * 60000 + "}"
    with client(timeout=20) as c:
        want = untimed(c.request(line))
        check(len(json.dumps(want)) > 10000, "large answers")
        p = c.pipeline()
        pend = [p.request(line) for _ in range(600)]
        done = []
        t = threading.Thread(target=lambda: done.append(p.execute()))
        t.start()
        t.join(120)
        check(not t.is_alive(), "the pipeline did not finish in 120 s")
        eq(len(done), 1, "execute() returned")
        for i, x in enumerate(pend):
            eq(untimed(x.result()), want, "answer %d" % i)


_venv = None


def venv():
    """A venv made and filled as README documents, from a copy of
    clients/python (pip builds in the source tree; the copy keeps the
    work tree clean): the venv's python."""
    global _venv
    if _venv is None:
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            cmds = [m.group(1) for m in (re.match(r"^ {4}((?:python3 -m venv|venv/bin/pip) .*)$",
                                                  line) for line in f) if m]
        eq(len(cmds), 2, "README's install commands: %r" % cmds)
        work = tmpdir()
        src = os.path.join(work, "clients", "python")
        shutil.copytree(CLIENT_SRC, src,
                        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        for cmd in cmds:
            if cmd.startswith("python3 "):
                cmd = DEBIAN_PYTHON + cmd[len("python3"):]
            p = subprocess.run(cmd, shell=True, cwd=work, capture_output=True, text=True,
                               timeout=300)
            eq(p.returncode, 0, "%s\n%s" % (cmd, (p.stdout + p.stderr)[-2000:]))
        _venv = os.path.join(work, "venv", "bin", "python")
    return _venv


def run_in_venv(code, env=None):
    # cwd and PYTHONPATH away from the work tree, so ccgsearch can only
    # come from the venv.
    e = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    e.update(env or {})
    return subprocess.run([venv(), "-c", code], cwd=tmpdir(), capture_output=True, text=True,
                          timeout=60, env=e)


@test
def pip_install_into_a_venv_works_and_the_installed_package_searches():
    p = run_in_venv(
        "import sys, ccgsearch, os\n"
        "print(ccgsearch.__file__)\n"
        "print(os.path.exists(os.path.join(os.path.dirname(ccgsearch.__file__), 'py.typed')))\n"
        "with ccgsearch.Client('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else %d) as c:\n"
        "    r = c.search('Radmore')\n"
        "    print(r.total, r.hits[0].id)\n" % d().port)
    eq(p.returncode, 0, "stderr: " + p.stderr[-2000:])
    lines = p.stdout.splitlines()
    check("/venv/lib/" in lines[0] and "site-packages" in lines[0],
          "imported from the venv: %s" % lines[0])
    eq(lines[1], "True", "py.typed installed")
    eq(lines[2], "1 004_7a0772fac955139b", "the installed client's search")


def python_blocks(path):
    """The indented code blocks of a Markdown file that import ccgsearch."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    blocks = []
    for block in re.findall(r"(?:^(?: {4}.*)?\n)+", text, re.M):
        lines = [line[4:] for line in block.splitlines()]
        code = "\n".join(lines).strip("\n") + "\n"
        if "from ccgsearch import" in code:
            blocks.append(code)
    return blocks


@test
def readme_python_example_runs_against_the_daemon():
    blocks = python_blocks(os.path.join(ROOT, "README.md"))
    eq(len(blocks), 1, "README's Python examples")
    p = run_in_venv(blocks[0], env={"CCG_HOST": "127.0.0.1", "CCG_PORT": str(d().port)})
    eq(p.returncode, 0, "stderr: " + p.stderr[-2000:])
    want = raw('SEARCH {"q":"accountable officer","filter":{"role":["accountable officer"]},'
               '"facets":["ccg","person"],"limit":3}')
    who = raw("WHO Toby Sanders")
    expect = ["%d articles" % want["total"]]
    expect += ["%d %s %s" % (h["rank"], h["id"], h["title"]) for h in want["hits"]]
    expect += ["  ccg: %s %d" % (f["value"], f["count"]) for f in want["facets"]["ccg"]]
    expect += ["who: %s | %s | %s | %d" % (a["person"], a["role"], a["org"] or "-",
                                           len(a["documents"])) for a in who["answers"]]
    expect += ["error: bad_query"]
    eq(p.stdout.splitlines(), expect, "the example's output")
    check(len(want["hits"]) == 3 and who["answers"], "the example has something to show")


@test
def client_readme_example_runs_against_the_daemon():
    blocks = python_blocks(os.path.join(CLIENT_SRC, "README.md"))
    eq(len(blocks), 1, "clients/python/README.md's Python examples")
    code = blocks[0].replace('Client("127.0.0.1", 7700)', 'Client("127.0.0.1", %d)' % d().port)
    check(str(d().port) in code, "the example's address was found")
    p = run_in_venv(code)
    eq(p.returncode, 0, "stderr: " + p.stderr[-2000:])
    check(p.stdout.splitlines()[-1] == "5 True", "ends with STATS and PING: %r" % p.stdout)


@test
def the_daemon_stops_cleanly():
    eq(d().stop(), 0, "exit status after all the above (no leak, no crash)")


run()
