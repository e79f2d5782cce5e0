"""The client library as an embedding tool sees it: only the public header,
only the symbols it declares, against the real daemon."""
import os
import re
import json
import subprocess

from harness import (Daemon, ROOT, check, eq, indexed_seeds, run, run_indexer, shared_daemon,
                     test, tmpdir)

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
    eq(lines[2:5], ["  url -", "  author -", "  section -"], "a text file's hit has none")
    check("  ccg NHS Mid Essex CCG" in lines, p.stdout)
    eq(lines[-1], '{"ok":true,"pong":true} {"ok":true,"pong":true}', "pipelined answers")


@test
def embedded_program_reads_a_hits_other_fields_by_name():
    src = os.path.join(tmpdir(), "recs.jsonl")
    rec = {"id": "fields-1", "title": "Radmore joins Mid Essex CCG",
           "url": "https://example.org/radmore", "author": ["Holly Brandreth", "Sam Jones"],
           "section": "Health", "tags": ["NHS", "mergers"],
           "body": "Radmore was appointed accountable officer of NHS Mid Essex CCG."}
    with open(src, "w") as f:
        f.write(json.dumps(rec) + "\n")
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, src)
    dd = Daemon(ix)
    p = subprocess.run([os.path.join(BUILD, "tests", "embed_example"), "127.0.0.1",
                        str(dd.port), "Radmore"], capture_output=True, text=True, timeout=60)
    eq(p.returncode, 0, "exit status (stderr: %s)" % p.stderr)
    lines = p.stdout.splitlines()
    eq(lines[2:8], ["  url https://example.org/radmore", "  author Holly Brandreth, Sam Jones",
                    "  section Health", "  ccg NHS Mid Essex CCG", "  tag NHS", "  tag mergers"],
       "the hit's fields: " + p.stdout)
    eq(dd.stop(), 0, "daemon exit")


@test
def readmes_c_example_compiles_and_runs():
    """README's C snippet, as written, inside a main(): built against the
    header and the shared library, run against the daemon."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    block = text[text.index("a complete program that uses it:"):text.index("## Install")]
    code = "\n".join(l[4:] for l in block.splitlines() if l.startswith("    "))
    check("ccg_results_hit_field" in code, code)
    code = code.replace('"7700"', '"%d"' % d().port)
    work = tmpdir()
    src, exe = os.path.join(work, "readme.c"), os.path.join(work, "readme")
    with open(src, "w") as f:
        f.write("#include <ccgsearch/client.h>\n#include <stdio.h>\n"
                "int main(void)\n{\n" + code + "\n    return 0;\n}\n")
    # The sanitizer pass's library needs the sanitizers' runtime linked in.
    san = ["-fsanitize=address,undefined"] if os.path.basename(BUILD) == "asan" else []
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror"] + san + ["-I",
                    os.path.join(ROOT, "include"), src, "-L", BUILD, "-lccgsearch",
                    "-Wl,-rpath," + BUILD, "-o", exe], check=True, timeout=120)
    p = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    eq(p.returncode, 0, p.stderr)
    lines = p.stdout.splitlines()
    check(len(lines) >= 1 and lines[0].startswith("1 "), p.stdout)
    check(any(l.endswith(" - NHS Mid Essex CCG") for l in lines), p.stdout)


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
