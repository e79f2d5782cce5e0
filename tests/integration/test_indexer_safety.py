"""ccg-indexer on hostile trees and failing disks (issue 15): symlink loops,
links read once, the walk's limits, FIFOs, names that are not UTF-8,
impossible dates, a full disk, and SIGKILL at random points."""
import json
import os
import random
import signal
import subprocess
import time

from harness import (SEEDS, Daemon, Failure, binary, check, eq, ids,
                     main_c_constant, run, run_indexer, search, test, tmpdir, tmpfs)

ARTICLE = "A headline about a merger\n\nTwo CCGs in Leicester agreed to merge today.\n"

WALK_DEPTH = 32            # CS_MAX_WALK_DEPTH
WALK_INODES = 65536        # CS_MAX_WALK_INODES
DIR_BATCH = 8192           # CS_MAX_DIR_BATCH


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def lines_with(err, *parts):
    return [l for l in err.splitlines() if all(p in l for p in parts)]



@test
def symlink_loops_end_and_each_file_is_read_once():
    base = tmpdir()
    src = os.path.join(base, "in")
    os.mkdir(src)
    os.mkdir(os.path.join(base, "outside"))
    write(os.path.join(src, "a.txt"), ARTICLE)
    write(os.path.join(base, "outside", "ext.txt"), ARTICLE.replace("Leicester", "Derby"))
    os.symlink(".", os.path.join(src, "loop"))
    os.symlink(".", os.path.join(src, "loop2"))
    os.symlink("..", os.path.join(src, "up"))                    # walks base, then in again
    os.symlink("a.txt", os.path.join(src, "b.txt"))              # a second name for a.txt
    os.link(os.path.join(src, "a.txt"), os.path.join(src, "h.txt"))   # a hard link
    os.symlink("../outside/ext.txt", os.path.join(src, "e1.txt"))
    os.symlink("../outside/ext.txt", os.path.join(src, "e2.txt"))     # the same file again
    os.symlink("y", os.path.join(src, "x"))                      # x -> y -> x
    os.symlink("x", os.path.join(src, "y"))
    ix = os.path.join(tmpdir(), "index")
    t0 = time.time()
    p = run_indexer("--index", ix, src, timeout=60)
    check(time.time() - t0 < 30, "took %.1f s" % (time.time() - t0))
    summary = p.err.splitlines()[-1]
    check(summary.startswith("indexed 2, unchanged 0, skipped 0, errors 0"), p.err)
    for name in ("loop", "loop2", "up/in", "x", "y"):
        check(lines_with(p.err, os.path.join(src, name) + ": symlink loop, skipped"),
              "no loop warning for %s in:\n%s" % (name, p.err))
    check(len(p.err.splitlines()) < 20, "a few warnings, not one per turn of a loop:\n" + p.err)
    dd = Daemon(ix)
    eq(dd.ask("STATS")["index"]["documents"], 2, "a.txt and ext.txt, once each")
    for i in ("a", "e1"):
        check(dd.ask("GET " + i)["ok"], i + " indexed")
    for i in ("b", "h", "e2"):
        eq(dd.ask("GET " + i)["error"]["code"], "not_found", i + ": a link to a file read already")
    eq(dd.stop(), 0, "daemon exit")


def nest(root, levels):
    """root/d1/d2/.../dN; returns the deepest directory."""
    d = root
    for i in range(1, levels + 1):
        d = os.path.join(d, "d%d" % i)
    os.makedirs(d)
    return d


@test
def walk_depth_limit():
    # A directory CS_MAX_WALK_DEPTH levels below the input is walked; one
    # level deeper is reported and skipped, and the exit status says so.
    src = tmpdir()
    deepest = nest(src, WALK_DEPTH + 1)
    write(os.path.join(os.path.dirname(deepest), "at_limit.txt"), ARTICLE)
    write(os.path.join(deepest, "past_limit.txt"), ARTICLE)
    p = run_indexer("--extract", src, check_status=False)
    eq(sorted(json.loads(l)["id"] for l in p.out.splitlines()), ["at_limit"], "ids")
    check(lines_with(p.err, "d%d: more than %d directory levels" % (WALK_DEPTH + 1, WALK_DEPTH),
                     "CS_MAX_WALK_DEPTH"), p.err)
    eq(p.returncode, 1, "exit status: input left unread")


@test
def directory_of_more_entries_than_a_batch():
    # CS_MAX_DIR_BATCH entries are held at a time; a bigger directory is read
    # in sorted batches, each file exactly once, and the run says so.
    with tmpfs("64m") as mnt:
        src = os.path.join(mnt, "big")
        os.mkdir(src)
        n = DIR_BATCH + 8
        for i in range(n):
            write(os.path.join(src, "f%05d.txt" % i), "Headline %d\n\nBody %d.\n" % (i, i))
        p = run_indexer("--extract", src)
        got = [json.loads(l)["id"] for l in p.out.splitlines()]
        eq(len(got), n, "documents")
        eq(sorted(got), ["f%05d" % i for i in range(n)], "each file once")
        check(lines_with(p.err, "more than %d entries" % DIR_BATCH, "CS_MAX_DIR_BATCH"),
              p.err[-500:])
        # A directory of exactly one batch is read sorted, without a note.
        small = os.path.join(mnt, "small")
        os.mkdir(small)
        for i in range(DIR_BATCH):
            os.symlink(os.path.join(src, "f%05d.txt" % i), os.path.join(small, "l%05d.txt" % i))
        p = run_indexer("--extract", small)
        got = [json.loads(l)["id"] for l in p.out.splitlines()]
        eq(got, ["l%05d" % i for i in range(DIR_BATCH)], "sorted, once each")
        eq(lines_with(p.err, "CS_MAX_DIR_BATCH"), [], "no batch note")


@test
def walk_records_at_most_the_inode_limit():
    # More directories than CS_MAX_WALK_INODES in one run: the ones past the
    # limit are reported and skipped; the walk ends; the exit status is 1.
    # (On a tmpfs: 65,000 directories on a disk take minutes to remove.)
    with tmpfs("64m") as src:
        for i in range(257):
            top = os.path.join(src, "t%03d" % i)
            os.mkdir(top)
            for j in range(256):
                os.mkdir(os.path.join(top, "s%03d" % j))
        write(os.path.join(src, "t000", "s000", "first.txt"), ARTICLE)
        p = run_indexer("--extract", src, check_status=False)
    eq([json.loads(l)["id"] for l in p.out.splitlines()], ["first"], "ids")
    over = lines_with(p.err, "more than %d directories" % WALK_INODES, "CS_MAX_WALK_INODES")
    # The input, t000..t254 and their 255 * 256 subdirectories are the first
    # 65536 recorded; t255 and t256 are past the limit (and not entered).
    eq(1 + 255 + 255 * 256, WALK_INODES, "the arithmetic of this test")
    eq([l.split(":")[0] for l in over], [os.path.join(src, "t255"), os.path.join(src, "t256")],
       "directories past the limit")
    eq(p.returncode, 1, "exit status")


@test
def fifos_and_devices_are_skipped_not_read():
    src = tmpdir()
    write(os.path.join(src, "a.txt"), ARTICLE)
    os.mkfifo(os.path.join(src, "pipe.txt"))
    os.mkfifo(os.path.join(src, "pipe.jsonl"))
    os.symlink("/dev/zero", os.path.join(src, "zero.txt"))
    named = os.path.join(tmpdir(), "named.jsonl")
    os.mkfifo(named)
    ix = os.path.join(tmpdir(), "index")
    t0 = time.time()
    p = run_indexer("--index", ix, src, named, timeout=30)
    check(time.time() - t0 < 15, "took %.1f s" % (time.time() - t0))
    for path, kind in ((os.path.join(src, "pipe.txt"), "a FIFO"),
                       (os.path.join(src, "pipe.jsonl"), "a FIFO"),
                       (os.path.join(src, "zero.txt"), "a character device"),
                       (named, "a FIFO")):
        check(lines_with(p.err, path + ": " + kind + ", not a regular file; skipped"),
              "%s in:\n%s" % (path, p.err))
    check("indexed 1, unchanged 0, skipped 4, errors 0" in p.err, p.err)
    # "-" is still standard input.
    p = run_indexer("--extract", "-", stdin=b'{"id":"s","body":"Piped."}\n')
    eq([json.loads(l)["id"] for l in p.out.splitlines()], ["s"], "stdin")


@test
def file_name_not_utf8_gets_an_escaped_id():
    src = tmpdir()
    write(os.path.join(os.fsencode(src), b"caf\xe9 report.txt"), ARTICLE)   # Latin-1
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, src)
    check("out of memory" not in p.err, p.err)
    check(lines_with(p.err, "file name is not valid UTF-8; indexed as id caf%E9 report"), p.err)
    check("indexed 1, unchanged 0, skipped 0, errors 0" in p.err, p.err)
    dd = Daemon(ix)
    eq(dd.ask("GET caf%E9 report")["document"]["title"], "A headline about a merger", "GET")
    eq(dd.stop(), 0, "daemon exit")
    # The same name gets the same id: indexing again changes nothing.
    p = run_indexer("--index", ix, src)
    check("indexed 0, unchanged 1" in p.err, p.err)


@test
def impossible_dates_are_reported():
    src = tmpdir()
    recs = [{"id": "leap-2019", "date": "2019-02-29", "body": "Not a leap year."},
            {"id": "leap-2020", "date": "2020-02-29", "body": "A leap year."},
            {"id": "words", "date": "next week", "body": "No date at all."},
            {"id": "escape", "date": "\x1b[2J2019", "body": "A terminal escape."}]
    write(os.path.join(src, "recs.jsonl"), "\n".join(json.dumps(r) for r in recs) + "\n")
    write(os.path.join(src, "june.txt"),
          "A headline about June\n\nDate: 31 June 2019\n\nThe story of the day.\n")
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, src)
    for where, date in (("recs.jsonl:1:", "2019-02-29"), ("recs.jsonl:3:", "next week"),
                        ("recs.jsonl:4:", "?[2J2019"), ("june.txt:", "2019-06-31")):
        check(lines_with(p.err, where, 'date "%s" is not a valid date' % date), p.err)
    check(not lines_with(p.err, "recs.jsonl:2:"), p.err)
    check("\x1b" not in p.err, "no control character reaches stderr")
    check("indexed 5, unchanged 0, skipped 0, errors 0" in p.err, p.err)
    dd = Daemon(ix)
    for i, want in (("leap-2019", None), ("leap-2020", "2020-02-29"), ("words", None),
                    ("june", None)):
        eq(dd.ask("GET " + i)["document"]["date"], want, i + " date")
    eq(dd.ask("GET june")["document"]["title"], "A headline about June", "title, not the date line")
    eq(dd.stop(), 0, "daemon exit")


@test
def a_missing_path_writes_nothing():
    """A mistyped archive path: no index made on a first run, and under
    --rebuild the live index is not swapped for one without it."""
    top = tmpdir()
    ix = os.path.join(top, "index")
    gone = os.path.join(top, "archvie")
    p = run_indexer("--index", ix, gone, check_status=False)
    eq(p.returncode, 1, "exit status, nothing to read")
    check(lines_with(p.err, gone + ": cannot open: No such file or directory"), p.err)
    check("nothing to index; the index is unchanged" in p.err, p.err)
    check(not os.path.exists(ix), "no index directory was made")
    run_indexer("--index", ix, SEEDS)
    before = sorted(os.listdir(ix))
    p = run_indexer("--index", ix, "--rebuild", SEEDS, gone, check_status=False)
    eq(p.returncode, 1, "exit status, --rebuild with a missing PATH")
    check(lines_with(p.err, gone + ": cannot open"), p.err)
    check("nothing was rebuilt; the live index is unchanged" in p.err, p.err)
    eq(sorted(os.listdir(ix)), before, "the index directory is as it was")
    dd = Daemon(ix)
    eq(documents(dd), 5, "documents still live")
    eq(dd.stop(), 0, "daemon exit")
    # Beside a path that is there, a missing one is reported, the rest read.
    p = run_indexer("--index", ix, gone, SEEDS, check_status=False)
    eq(p.returncode, 1, "exit status, one PATH missing")
    check("unchanged 5, skipped 0, errors 1" in p.err, p.err)
    eq(len(lines_with(p.err, gone + ": cannot open")), 1, "reported once: " + p.err)


def live_db(ix):
    """The live database's directory, from the stub file."""
    with open(os.path.join(ix, "XAPIANDB")) as f:
        name = f.read().split()[-1]
    return name if os.path.isabs(name) else os.path.join(ix, name)


def xapian_check(ix):
    p = subprocess.run(["xapian-check", live_db(ix)], capture_output=True, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    eq(p.returncode, 0, "xapian-check exit status: " + out[-1000:])
    check("No errors found" in out, out[-1000:])


@test
def full_disk_summary_tells_the_truth():
    # A 4 MB tmpfs holds the index, then is filled so the next run's writes
    # fail with ENOSPC.
    dd = None
    with tmpfs("4m") as mnt:
        try:
            ix = os.path.join(mnt, "index")
            run_indexer("--index", ix, SEEDS)
            st = os.statvfs(mnt)
            with open(os.path.join(mnt, "fill"), "wb") as f:
                try:
                    f.write(b"\0" * (st.f_bavail * st.f_frsize - 8192))
                except OSError:
                    pass
            dev = os.path.join(os.path.dirname(SEEDS), "ccg_dev.jsonl")
            p = run_indexer("--index", ix, dev, check_status=False)
            eq(p.returncode, 1, "exit status")
            check("No space left on device" in p.err, p.err)
            summary = p.err.splitlines()[-1]
            check(summary.startswith("indexed 0, unchanged 0, skipped 0, errors 1, "
                                     "not committed "), summary)
            check(lines_with(p.err, "documents were not committed",
                             "the index holds what its last successful commit wrote"), p.err)
            # Nothing lost: the previous commit is the live index, whole.
            xapian_check(ix)
            dd = Daemon(ix)
            eq(dd.ask("STATS")["index"]["documents"], 5, "documents")
            eq(ids(search(dd, "Radmore")), ["004_7a0772fac955139b"], "search")
            # With room again, the same run completes.
            os.unlink(os.path.join(mnt, "fill"))
            p = run_indexer("--index", ix, dev)
            check("indexed 78, unchanged 0, skipped 0, errors 0" in p.err, p.err)
            time.sleep(1.5)
            eq(dd.ask("STATS")["index"]["documents"], 83, "documents after the rerun")
            eq(dd.stop(), 0, "daemon exit")
            dd = None
        finally:
            if dd:
                dd.kill()


def fault_corpus(n):
    path = os.path.join(tmpdir(), "fault.jsonl")
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"id": "f%05d" % i, "title": "Fault record %d" % i,
                                "body": "Record %d: NHS Leicester City CCG and NHS West "
                                        "Leicestershire CCG discuss a merger. " % i * 3}) + "\n")
    return path


def documents(dd):
    return dd.ask("STATS")["index"]["documents"]


@test
def sigkill_at_random_points_leaves_a_sound_index():
    seed = int(os.environ.get("CCG_FAULT_SEED", time.time()))
    rnd = random.Random(seed)
    where = "(CCG_FAULT_SEED=%d)" % seed
    # A kill leaves the page cache whole, so a tmpfs is as good as a disk
    # here, and much quicker.
    with tmpfs("512m") as mnt:
        try:
            kill_at_random_points(os.path.join(mnt, "index"), rnd, where,
                                  os.path.join(mnt, "timing"))
        finally:
            for d in _daemons:
                d.kill()


_daemons = []


def kill_at_random_points(ix, rnd, where, scratch):
    run_indexer("--index", ix, SEEDS)
    corpus = fault_corpus(12000)      # commits every COMMIT_EVERY documents in place
    every = main_c_constant("COMMIT_EVERY")
    dd = Daemon(ix)
    _daemons.append(dd)

    def kill_after(args, secs):
        """Run the indexer, SIGKILL it after secs; True when it ended first."""
        proc = subprocess.Popen([binary("ccg-indexer"), "--index", ix] + args,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(secs)
        ended = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return ended

    # How long a whole run takes here (the sanitizer build is slower): the
    # kills fall anywhere inside it.
    t0 = time.time()
    run_indexer("--index", scratch, corpus)
    whole = time.time() - t0
    last = 5
    for k in range(3):
        secs = rnd.uniform(0.05, 0.95) * whole
        ended = kill_after([corpus], secs)
        xapian_check(ix)
        time.sleep(1.5)                    # the daemon sees commits within a second
        now = documents(dd)
        d2 = Daemon(ix)
        _daemons.append(d2)
        eq(documents(d2), now, "a new reader sees what the running daemon serves %s" % where)
        eq(d2.stop(), 0, "daemon exit")
        # Committed states: every COMMIT_EVERY (Xapian's flush threshold
        # too) new documents, and the end.
        check(now >= last and (now - 5) % every == 0 and now <= 12005,
              "in-place run killed after %.2f s: %d documents, not a committed state %s"
              % (secs, now, where))
        eq(ids(search(dd, "Radmore")), ["004_7a0772fac955139b"], "seeds still searchable")
        last = now
    for k in range(2):
        secs = rnd.uniform(0.05, 0.95) * whole
        ended = kill_after(["--rebuild", corpus, SEEDS], secs)
        xapian_check(ix)
        time.sleep(1.5)
        now = documents(dd)
        if ended:                          # it finished first: swapped in, whole
            eq(now, 12005, "completed rebuild %s" % where)
        else:
            # Killed before its swap: the live index unchanged; or after the
            # swap but before it exited: the whole new index.  Never between.
            check(now in (last, 12005), "rebuild killed after %.2f s: %d documents, neither "
                  "the live index (%d) nor the whole rebuild %s" % (secs, now, last, where))
        last = now
    # A rerun converges: every record indexed once, then nothing left to do.
    p = run_indexer("--index", ix, corpus)
    check(p.err.splitlines()[-1].startswith("indexed %d, unchanged %d," % (12005 - last, last - 5)),
          p.err[-300:] + " " + where)
    p = run_indexer("--index", ix, corpus)
    check("indexed 0, unchanged 12000, skipped 0, errors 0" in p.err, p.err)
    xapian_check(ix)
    time.sleep(1.5)
    eq(documents(dd), 12005, "documents")
    eq(dd.stop(), 0, "daemon exit")


run()
