#!/usr/bin/env python3
"""The search page at GET / in a real headless Chromium: builds an index of
ccg_dev, the seeds and one hostile record, starts ccg-searchd with --http
on ephemeral ports and runs tests/browser/test_page.js (puppeteer-core
driving Debian's chromium over the DevTools protocol), passing its TAP
through; then checks that the daemon stops cleanly.  Screenshots go to
$CCG_BUILD/page.png and page-phone.png.  A missing chromium, node or
puppeteer-core is a failure, never a skip: scripts/install-deps installs
them."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import CORPORA, ROOT, SEEDS, Daemon, run_indexer, tmpdir  # noqa: E402

BROWSER = os.path.join(ROOT, "tests", "browser")
OUT = os.path.abspath(os.path.join(ROOT, os.environ.get("CCG_BUILD", "build")))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Every field a page shows, written to be read as HTML if the page ever
# inserted it as HTML; a url the page must not make a link.
HOSTILE = {
    "id": "zz_hostile",
    "title": "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">",
    "date": "2021-03-04",
    "source": "<b>Hostile Gazette</b>",
    "url": "javascript:window.pwned=3",
    "text": "A hostile record. Its text has <b>markup</b> & <img src=y onerror=\"window.pwned=4\"> "
            "in it, about the merger of NHS Corby CCG.\n\nJane Hostileton, accountable officer "
            "of NHS Corby CCG, said the merger would go ahead.",
}


def main():
    src = tmpdir()
    extra = os.path.join(src, "hostile.jsonl")
    with open(extra, "w") as f:
        f.write(json.dumps(HOSTILE) + "\n")
    index = os.path.join(tmpdir(), "index")
    run_indexer("--index", index, os.path.join(CORPORA, "ccg_dev.jsonl"), SEEDS, extra)
    port_file = os.path.join(tmpdir(), "http-port")
    d = Daemon(index, "--http", "127.0.0.1:0", "--http-port-file", port_file)
    with open(port_file) as f:
        base = "http://127.0.0.1:%d" % int(f.read().strip())
    os.makedirs(OUT, exist_ok=True)

    # Our own test after the browser's: numbered after them, in the plan.
    planned = None
    failed = False
    try:
        p = subprocess.Popen(["node", os.path.join(BROWSER, "test_page.js"), base, OUT, CHROMIUM],
                             cwd=BROWSER, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    except OSError as e:
        print("1..2\nnot ok 1 - node runs the browser test: %s" % e, flush=True)
        planned, failed = 1, True
        p = None
    if p:
        for line in p.stdout:
            line = line.rstrip("\n")
            if planned is None and line.startswith("1.."):
                planned = int(line[3:])
                print("1..%d" % (planned + 1), flush=True)
            elif line.startswith("ok ") or line.startswith("not ok ") or line.startswith("#"):
                print(line, flush=True)
            else:
                print("# " + line, flush=True)
        try:
            rc = p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = -1
        if planned is None:
            print("1..2\nnot ok 1 - the browser test runs (exit %d)" % rc, flush=True)
            planned = 1
        failed = rc != 0
    status = d.stop()
    if status == 0:
        print("ok %d - the daemon exits 0 after serving the page" % (planned + 1), flush=True)
    else:
        print("not ok %d - the daemon exits 0 after serving the page (exit %d)\n#   %s"
              % (planned + 1, status, d.logtext()[-2000:].replace("\n", "\n#   ")), flush=True)
        failed = True
    for fn in reversed(harness._cleanup):
        fn()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
