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

from harness import (SEEDS, Conn, Daemon, Failure, binary, check, eq, ids, indexed_seeds, run,
                     run_indexer, run_on_tty, test, tmpdir)

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


# --- addresses and ports -------------------------------------------------------

@test
def listen_and_http_ports_out_of_range_are_usage_errors():
    for opt in ["--listen", "--http"]:
        for bad in ["127.0.0.1:65536", "127.0.0.1:99999", "127.0.0.1:-1", "127.0.0.1:7x",
                    "127.0.0.1:", "127.0.0.1", "[::1]:70000", "127.0.0.1:+80"]:
            rc, err = start_daemon(opt, bad)
            eq(rc, 2, "%s %s: %s" % (opt, bad, err))
            check("%s wants HOST:PORT" % opt in err and bad in err, err)
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


run()
