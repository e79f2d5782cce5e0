"""The client library as an embedding tool sees it: only the public header,
only the symbols it declares, against the real daemon."""
import os
import re
import subprocess

from harness import Daemon, ROOT, check, eq, indexed_seeds, run, shared_daemon, test

BUILD = os.path.join(ROOT, os.environ.get("CCG_BUILD", "build"))
HEADER = os.path.join(ROOT, "include", "ccgsearch", "client.h")

d = shared_daemon


@test
def shared_library_exports_exactly_the_header():
    with open(HEADER) as f:
        text = f.read()
    declared = set(re.findall(r"^[a-z][\w \*]*?\b(ccg_\w+)\(", text, re.M))
    check(len(declared) >= 15, "found the declarations: %r" % sorted(declared))
    out = subprocess.run(["nm", "-D", "--defined-only", os.path.join(BUILD, "libccgsearch.so")],
                         capture_output=True, text=True, check=True).stdout
    exported = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TWDBR":
            exported.add(parts[2].split("@")[0])
    exported = {s for s in exported if not s.startswith("__")}   # sanitizer runtime hooks
    eq(sorted(exported - declared), [], "exported but not in the header")
    eq(sorted(declared - exported), [], "in the header but not exported")


@test
def embedded_program_searches_and_pipelines():
    p = subprocess.run([os.path.join(BUILD, "tests", "embed_example"), "127.0.0.1",
                        str(d().port), "Radmore"], capture_output=True, text=True, timeout=60)
    eq(p.returncode, 0, "exit status (stderr: %s)" % p.stderr)
    lines = p.stdout.splitlines()
    eq(lines[0], "total 1", "total")
    check(lines[1].startswith("1 004_7a0772fac955139b - Wanted: single executive"), lines[1])
    eq(lines[-1], '{"ok":true,"pong":true} {"ok":true,"pong":true}', "pipelined answers")


@test
def embedded_program_gets_server_errors():
    p = subprocess.run([os.path.join(BUILD, "tests", "embed_example"), "127.0.0.1",
                        str(d().port), "merger AND"], capture_output=True, text=True, timeout=60)
    eq(p.returncode, 1, "exit status")
    check("server error: bad_query" in p.stderr and "column" in p.stderr, p.stderr)


@test
def embedded_program_reports_no_server():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.run([os.path.join(BUILD, "tests", "embed_example"), "127.0.0.1",
                        str(port), "x"], capture_output=True, text=True, timeout=60)
    eq(p.returncode, 3, "exit status")
    check("cannot connect" in p.stderr, p.stderr)


@test
def the_shared_daemon_stops_cleanly():
    eq(d().stop(), 0, "exit status after all the above (no leak, no crash)")


run()
