"""Test harness for the integration tests: real binaries, real protocol.

Each test file registers functions with @test and calls run() at the end;
results are printed as TAP ("ok 3 - name" / "not ok 3 - name") so that
scripts/check can count them.  The binaries come from $CCG_BIN (default
bin/), so the same tests run against the sanitizer build.
"""
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(os.path.join(ROOT, os.environ.get("CCG_BIN", "bin")))
SHARED = os.path.abspath(os.path.join(ROOT, "..", "shared"))
SEEDS = os.path.join(SHARED, "corpora", "seeds")
CORPORA = os.path.join(SHARED, "corpora")

_tests = []


def test(fn):
    _tests.append(fn)
    return fn


def main_c_constant(name):
    """The value of a numeric #define in indexer/main.c, so a test that
    crosses a limit follows the limit when it moves."""
    with open(os.path.join(ROOT, "indexer", "main.c")) as f:
        return int(re.search(r'#define %s "?(\d+)"?' % name, f.read()).group(1))


def binary(name):
    return os.path.join(BIN, name)


class Failure(Exception):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise Failure(msg)


def eq(got, want, what="value"):
    if got != want:
        raise Failure("%s: got %r, want %r" % (what, got, want))


def tmpdir():
    d = tempfile.mkdtemp(prefix="ccgtest-")
    _cleanup.append(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


_cleanup = []


def run_indexer(*args, stdin=None, check_status=True, timeout=300):
    """Run ccg-indexer; returns CompletedProcess with text stdout/stderr."""
    p = subprocess.run([binary("ccg-indexer")] + list(args), input=stdin,
                       capture_output=True, timeout=timeout)
    p.out = p.stdout.decode("utf-8", "replace")
    p.err = p.stderr.decode("utf-8", "replace")
    if check_status and p.returncode != 0:
        raise Failure("ccg-indexer %s exited %d: %s" % (" ".join(args), p.returncode, p.err[-2000:]))
    return p


def extract(*paths):
    """ccg-indexer --extract: one dict per document, by id."""
    p = run_indexer("--extract", *paths)
    docs = {}
    for line in p.out.splitlines():
        d = json.loads(line)
        docs[d["id"]] = d
    return docs


class Daemon:
    """ccg-searchd on an ephemeral port, read from its port file."""

    def __init__(self, index, *extra, env=None):
        self.dir = tmpdir()
        self.port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "searchd.log")
        self.log = open(self.log_path, "wb")
        args = [binary("ccg-searchd"), "--index", index, "--listen", "127.0.0.1:0",
                "--port-file", self.port_file] + list(extra)
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log,
                                     env=dict(os.environ, **(env or {})))
        deadline = time.time() + 30
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None:
                raise Failure("ccg-searchd exited %d at start: %s" % (self.proc.returncode, self.logtext()))
            if time.time() > deadline:
                self.proc.kill()
                raise Failure("ccg-searchd did not start")
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.port = int(f.read().strip())
        _cleanup.append(self.kill)

    def logtext(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def connect(self, timeout=30):
        return Conn(self.port, timeout)

    def ask(self, line, timeout=30):
        with self.connect(timeout) as c:
            return c.ask(line)

    def line(self, request):
        """The line protocol's answer line to request, without its LF."""
        with self.connect() as c:
            c.send(request + "\n")
            return c.readline()

    def stop(self, timeout=30):
        """SIGTERM; returns the exit status (0 expected: clean, no leaks)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("ccg-searchd did not stop on SIGTERM")

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Conn:
    """One protocol connection with line buffering."""

    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def close(self):
        self.sock.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sock.sendall(data)

    def readline(self):
        """One answer line (bytes, without LF); b"" when the server closed."""
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                rest, self.buf = self.buf, b""
                return rest
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def answer(self):
        line = self.readline()
        check(line, "connection closed without an answer")
        return json.loads(line)

    def ask(self, line):
        self.send(line + "\n")
        return self.answer()

    def answers_until_closed(self):
        """Every answer the server sends until it closes, parsed."""
        out = []
        while True:
            line = self.readline()
            if not line:
                return out
            out.append(json.loads(line))

    def closed(self, wait=5):
        """True when the server has closed the connection."""
        self.sock.settimeout(wait)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def limit(name):
    """A constant of lib/core/limits.h (a number, or a product of two)."""
    with open(os.path.join(ROOT, "lib", "core", "limits.h")) as f:
        text = f.read()
    consts = dict(re.findall(r"#define (CS_\w+) (.+)", text))

    def value(expr):
        expr = expr.strip()
        m = re.fullmatch(r"\((\d+) \* (\d+)\)", expr)
        if m:
            return int(m.group(1)) * int(m.group(2))
        if expr in consts:
            return value(consts[expr])
        return int(expr)
    return value(consts[name])


def rss_kb(pid):
    """The resident memory of process pid, in kB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def send_without_reading(port, data, seconds):
    """Connect to port and send as much of data as the server takes within
    seconds, reading nothing; the socket (non-blocking) and the bytes sent."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    sent = 0
    deadline = time.time() + seconds
    while sent < len(data) and time.time() < deadline:
        try:
            sent += s.send(data[sent:sent + 65536])
        except BlockingIOError:
            time.sleep(0.01)
    return s, sent


def search(d, query):
    a = d.ask("SEARCH " + query if isinstance(query, str) else "SEARCH " + json.dumps(query))
    check(a.get("ok"), "search failed: %r" % a)
    return a


def ids(answer):
    return [h["id"] for h in answer["hits"]]


def shared_daemon():
    """One daemon over the seed index for a whole test file."""
    global _shared
    if _shared is None:
        _shared = Daemon(indexed_seeds())
    return _shared


_shared = None


def run_on_tty(args, env=None):
    """Run a program with stdout and stderr on a pseudo-terminal; its output."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen(args, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait()
    os.close(master)
    return out.decode("utf-8", "replace")


def unused_port():
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Listener:
    """A socket that listens on an ephemeral port and never answers: a
    client that must send nothing is pointed at it, and connections()
    counts the connections it made (the kernel accepts them for us)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.seen = 0
        _cleanup.append(self.sock.close)

    def connections(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except BlockingIOError:
                return self.seen
            c.close()
            self.seen += 1


def news_head(n):
    """A fresh directory holding the first n articles of the news corpus."""
    src = tmpdir()
    with open(os.path.join(CORPORA, "news.jsonl")) as f, \
            open(os.path.join(src, "n.jsonl"), "w") as out:
        for i, line in enumerate(f):
            if i >= n:
                break
            out.write(line)
    return src


@contextlib.contextmanager
def tmpfs(size):
    """A tmpfs of the given size, mounted for the block (tests run as root,
    as CI does; a test that cannot mount fails and says why)."""
    mnt = os.path.join(tmpdir(), "m")
    os.mkdir(mnt)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mnt],
                       capture_output=True)
    if p.returncode != 0:
        raise Failure("this test needs root to mount a tmpfs (mount -t tmpfs): %s"
                      % p.stderr.decode("utf-8", "replace").strip())
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", mnt], capture_output=True)


def indexed_news(n):
    """A fresh index of the first n articles of the news corpus."""
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, news_head(n))
    return ix


def indexed_seeds():
    """A fresh index of the seed corpus (made once per test file)."""
    global _seed_index
    if _seed_index is None:
        _seed_index = os.path.join(tmpdir(), "index")
        run_indexer("--index", _seed_index, SEEDS)
    return _seed_index


_seed_index = None


def run():
    """Run the registered tests and print TAP."""
    print("1..%d" % len(_tests), flush=True)
    failed = 0
    for n, fn in enumerate(_tests, 1):
        name = fn.__name__
        t0 = time.time()
        try:
            fn()
            print("ok %d - %s (%.2fs)" % (n, name, time.time() - t0), flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported
            failed += 1
            print("not ok %d - %s" % (n, name), flush=True)
            detail = str(e) if isinstance(e, Failure) else traceback.format_exc()
            for line in detail.splitlines()[-30:]:
                print("#   " + line, flush=True)
    for fn in reversed(_cleanup):
        try:
            fn()
        except Exception:  # noqa: BLE001
            pass
    sys.exit(1 if failed else 0)
