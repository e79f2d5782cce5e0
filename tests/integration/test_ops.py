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
