"""--version of every program, and the version in STATS and HELP: all the
one in include/ccgsearch/version.h."""
import os
import re
import subprocess

from harness import ROOT, binary, check, eq, run, shared_daemon, test

PROGRAMS = ("ccg-indexer", "ccg-searchd", "ccg-search")


def header_version():
    with open(os.path.join(ROOT, "include", "ccgsearch", "version.h")) as f:
        m = re.search(r'^#define CCGSEARCH_VERSION "([^"]*)"$', f.read(), re.M)
    check(m, "version.h defines CCGSEARCH_VERSION")
    check(re.fullmatch(r"\d+\.\d+\.\d+", m.group(1)), "a MAJOR.MINOR.PATCH version: %r" % m.group(1))
    return m.group(1)


@test
def every_program_prints_the_version_and_exits_0():
    v = header_version()
    for prog in PROGRAMS:
        p = subprocess.run([binary(prog), "--version"], capture_output=True, text=True, timeout=30)
        eq(p.returncode, 0, prog + " --version exit status")
        eq(p.stdout, "%s (ccgsearch) %s\n" % (prog, v), prog + " --version")
        eq(p.stderr, "", prog + " --version stderr")


@test
def every_help_documents_version():
    for prog in PROGRAMS:
        p = subprocess.run([binary(prog), "--help"], capture_output=True, text=True, timeout=30)
        eq(p.returncode, 0, prog + " --help")
        check(re.search(r"^ +--version +print the version and exit$", p.stdout, re.M),
              prog + " --help lists --version:\n" + p.stdout)


@test
def stats_and_help_carry_the_version():
    v = header_version()
    d = shared_daemon()
    eq(d.ask("STATS")["version"], v, "STATS version")
    h = d.ask("HELP")
    eq(h["version"], v, "HELP version")
    eq(h["protocol"], "ccgsearch/1", "HELP protocol (unchanged)")
    eq(d.stop(), 0, "the daemon stops cleanly")


run()
