#!/usr/bin/env python3
"""Every example command in README.md, run.

The commands are read from README's code blocks (indented lines that
start with `bin/` or `cat `), so an example added to README is run here
without anyone remembering to add it.  They run in a scratch folder that
holds what the examples name: `bin` (the binaries under test), `archive/`
(the seed articles), `exports/` and `new.jsonl` (JSON Lines records),
`saved-pages/` (the HTML pages of tests/integration/html).
Three things are adapted, and only these:
  - `../shared` becomes the real path of the shared corpora;
  - ccg-search gets `-p PORT` of a daemon started on the scratch index,
    because README's examples assume one on the default port;
  - a daemon example without `--listen` gets `--listen 127.0.0.1:0`, so
    the test never takes the default port from a real daemon, and one with
    `--http` serves HTTP on an ephemeral port (its `curl` examples are run
    by test_http.py).
Daemon examples are started, must come up (answer PING), and are stopped
with SIGTERM, which must exit 0.  `make demo` runs scripts/demo.
README's Python example and install commands are run by
test_python_client.py, against the client installed into a venv.
"""
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time

from harness import (BIN, CORPORA, ROOT, SEEDS, Daemon, check, eq, run, test, tmpdir)


def examples():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    cmds = []
    for line in text.splitlines():
        m = re.match(r"^ {4,}((?:bin/|cat )\S.*)$", line)
        if m:
            # A trailing "# comment" is README's, not the shell's business.
            cmds.append(re.sub(r"\s+#.*$", "", m.group(1)))
    return cmds


def scratch():
    d = tmpdir()
    os.symlink(BIN, os.path.join(d, "bin"))
    shutil.copytree(SEEDS, os.path.join(d, "archive"))
    shutil.copytree(os.path.join(ROOT, "tests", "integration", "html"),
                    os.path.join(d, "saved-pages"))
    os.mkdir(os.path.join(d, "exports"))
    with open(os.path.join(CORPORA, "ccg_dev.jsonl"), encoding="utf-8") as f:
        lines = f.readlines()
    with open(os.path.join(d, "exports", "dev.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(lines[:10])
    with open(os.path.join(d, "new.jsonl"), "w", encoding="utf-8") as f:
        f.writelines(lines[10:12])
    return d


def pings(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"PING\n")
            return b'"ok":true' in s.recv(4096)
    except OSError:
        return False


def run_daemon(cmd, cwd):
    argv = shlex.split(cmd)
    if "--listen" not in argv:
        argv += ["--listen", "127.0.0.1:0"]
    if "--port-file" not in argv:
        argv += ["--port-file", "readme-port"]
    # An HTTP address is a listen address too: never the fixed port.
    if "--http" in argv:
        argv[argv.index("--http") + 1] = "127.0.0.1:0"
    port_file = os.path.join(cwd, argv[argv.index("--port-file") + 1])
    if os.path.exists(port_file):
        os.unlink(port_file)
    p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while not (os.path.exists(port_file) and os.path.getsize(port_file) > 0):
        if p.poll() is not None or time.time() > deadline:
            p.kill()
            raise AssertionError("%s did not start: %s" % (cmd, p.stderr.read().decode()))
        time.sleep(0.02)
    with open(port_file) as f:
        port = int(f.read())
    up = pings(port)
    p.send_signal(signal.SIGTERM)
    rc = p.wait(30)
    check(up, cmd + ": no answer to PING")
    eq(rc, 0, cmd + ": exit status after SIGTERM")


@test
def every_example_command_runs():
    cmds = examples()
    # The README has examples of all three programs; if this finds fewer,
    # the pattern above no longer reads README.
    for prog in ("ccg-indexer", "ccg-searchd", "ccg-search "):
        check(any(prog in c for c in cmds), "no %s example found in README" % prog.strip())
    cwd = scratch()
    shared = os.path.abspath(os.path.join(CORPORA, ".."))
    daemon = None
    ran = 0
    for cmd in cmds:
        cmd = cmd.replace("../shared", shared)
        if "ccg-searchd" in cmd:
            run_daemon(cmd, cwd)
        else:
            if "bin/ccg-search " in cmd:
                if daemon is None:
                    daemon = Daemon(os.path.join(cwd, "index"))
                cmd = cmd.replace("bin/ccg-search ", "bin/ccg-search -p %d " % daemon.port)
            p = subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True,
                               timeout=300)
            eq(p.returncode, 0, "%s\n%s" % (cmd, p.stderr[-1000:]))
            if "bin/ccg-search " in cmd:
                check(p.stdout.strip(), cmd + ": printed nothing")
        ran += 1
    check(ran >= 15, "only %d examples found" % ran)
    if daemon:
        eq(daemon.stop(), 0, "daemon exit status")


@test
def make_demo_runs():
    # README's first command.  scripts/demo is what `make demo` runs after
    # the dependency check and the build, which make check has done.
    p = subprocess.run([os.path.join(ROOT, "scripts", "demo")], cwd=ROOT, capture_output=True,
                       text=True, timeout=300, env=dict(os.environ, CCG_BIN=BIN))
    eq(p.returncode, 0, "scripts/demo: " + p.stderr[-1000:])
    check("listening on 127.0.0.1:" in p.stdout and p.stdout.rstrip().endswith("done"),
          p.stdout[-500:])
    # It serves HTTP too, prints the page's URL and asks it a question.
    m = re.search(r"search page: http://127\.0\.0\.1:(\d+)/", p.stdout)
    check(m, "no search page URL in: " + p.stdout[:500])
    answer = [l for l in p.stdout.splitlines() if l.startswith('{"ok":true')]
    eq(len(answer), 1, "HTTP answers in the demo")
    eq(json.loads(answer[0])["limit"], 1, "the demo's HTTP search")
    check("Toby Sanders, accountable officer" in p.stdout, "the demo's WHO question")


run()
