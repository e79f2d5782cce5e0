"""make install and make uninstall as a packager and an operator use them.

The build is installed into a temporary DESTDIR with PREFIX=/usr/local;
a program is built against the installed library with pkg-config only,
shared and static, and run against the installed daemon; every man page is
rendered and holds every long option of its program's --help; the systemd
unit passes systemd-analyze verify; make uninstall leaves no file behind.
The plain build only (scripts/check): nobody installs the sanitizer build,
and a static link cannot take the sanitizer runtimes.
"""
import os
import re
import shutil
import subprocess

import harness
from harness import Daemon, ROOT, SEEDS, check, eq, run, test, tmpdir

BUILD = os.environ.get("CCG_BUILD", "build")
BIN = os.environ.get("CCG_BIN", "bin")
PREFIX = "/usr/local"
PROGRAMS = ("ccg-indexer", "ccg-searchd", "ccg-search")
MAN_OF = {"ccg-indexer": "man1/ccg-indexer.1", "ccg-search": "man1/ccg-search.1",
          "ccg-searchd": "man8/ccg-searchd.8"}
MAN_PAGES = ("man1/ccg-indexer.1", "man1/ccg-search.1", "man3/ccgsearch.3",
             "man7/ccgsearch-protocol.7", "man8/ccg-searchd.8")
EMBED = os.path.join(ROOT, "tests", "embed", "embed_example.c")


def version():
    with open(os.path.join(ROOT, "include", "ccgsearch", "version.h")) as f:
        return re.search(r'^#define CCGSEARCH_VERSION "([^"]*)"$', f.read(), re.M).group(1)


def make(*args, **kw):
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "BUILD=" + BUILD, "BIN=" + BIN]
                       + list(args), capture_output=True, text=True, timeout=600, **kw)
    check(p.returncode == 0, "make %s exited %d:\n%s%s" % (" ".join(args), p.returncode,
                                                            p.stdout[-3000:], p.stderr[-3000:]))
    return p


def files_under(root):
    """Every file and symlink under root, as paths relative to it."""
    out = set()
    for d, dirs, names in os.walk(root):
        for n in names + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            out.add(os.path.relpath(os.path.join(d, n), root))
    return out


_dest = None


def dest():
    """The DESTDIR install, made once for the tests that use it."""
    global _dest
    if _dest is None:
        _dest = os.path.join(tmpdir(), "stage")
        make("install", "DESTDIR=" + _dest, "PREFIX=" + PREFIX)
    return _dest


def staged(*parts):
    return os.path.join(dest(), PREFIX.lstrip("/"), *parts)


def pkg_config(*args, sysroot=True):
    env = dict(os.environ, PKG_CONFIG_PATH=staged("lib", "pkgconfig"))
    env.pop("PKG_CONFIG_LIBDIR", None)
    if sysroot:
        env["PKG_CONFIG_SYSROOT_DIR"] = dest()
    else:
        env.pop("PKG_CONFIG_SYSROOT_DIR", None)
    p = subprocess.run(["pkg-config"] + list(args) + ["ccgsearch"], capture_output=True,
                       text=True, env=env, timeout=60)
    check(p.returncode == 0, "pkg-config %s: %s" % (" ".join(args), p.stderr))
    return p.stdout.split()


def expected_layout():
    docs = sorted(n for n in os.listdir(os.path.join(ROOT, "docs")) if n.endswith(".md"))
    rel = ["bin/" + p for p in PROGRAMS]
    rel += ["lib/libccgsearch.so.1", "lib/libccgsearch.so", "lib/libccgsearch.a",
            "lib/pkgconfig/ccgsearch.pc", "lib/systemd/system/ccg-searchd.service",
            "include/ccgsearch/client.h", "include/ccgsearch/version.h"]
    rel += ["share/man/" + m for m in MAN_PAGES]
    rel += ["share/doc/ccgsearch/" + n for n in ("README.md", "LICENSE", "CHANGELOG.md")]
    rel += ["share/doc/ccgsearch/docs/" + n for n in docs]
    return {os.path.join(PREFIX.lstrip("/"), r) for r in rel}


def readelf_dynamic(path):
    return subprocess.run(["readelf", "-d", path], capture_output=True, text=True,
                          check=True).stdout


@test
def install_writes_the_layout_and_nothing_else():
    eq(sorted(files_under(dest())), sorted(expected_layout()), "installed files")
    eq(os.readlink(staged("lib", "libccgsearch.so")), "libccgsearch.so.1", "the dev symlink")
    check("(SONAME)             Library soname: [libccgsearch.so.1]"
          in readelf_dynamic(staged("lib", "libccgsearch.so.1")), "soname libccgsearch.so.1")
    for rel in expected_layout():
        path = os.path.join(dest(), rel)
        if os.path.islink(path):
            continue
        mode = os.stat(path).st_mode & 0o777
        want = 0o755 if "/bin/" in rel or rel.endswith(".so.1") else 0o644
        eq(oct(mode), oct(want), "mode of " + rel)
    for name in ("client.h", "version.h"):
        with open(staged("include", "ccgsearch", name)) as a, \
                open(os.path.join(ROOT, "include", "ccgsearch", name)) as b:
            eq(a.read(), b.read(), "installed " + name)


@test
def installed_programs_need_nothing_of_the_source_tree():
    # Run from an empty folder: the vocabularies are built in, not read.
    cwd = tmpdir()
    for prog in PROGRAMS:
        p = subprocess.run([staged("bin", prog), "--version"], capture_output=True, text=True,
                           cwd=cwd, timeout=30)
        eq((p.returncode, p.stdout), (0, "%s (ccgsearch) %s\n" % (prog, version())), prog)
    p = subprocess.run([staged("bin", "ccg-indexer"), "--extract", SEEDS], capture_output=True,
                       text=True, cwd=cwd, timeout=300)
    eq(p.returncode, 0, "installed ccg-indexer --extract (stderr: %s)" % p.stderr[-500:])
    check("NHS Leicester City CCG" in p.stdout, "the gazetteer is in the installed program")


@test
def the_pkg_config_file_names_the_prefix():
    eq(pkg_config("--modversion", sysroot=False), [version()], "Version")
    eq(pkg_config("--cflags", "--libs", sysroot=False),
       ["-I/usr/local/include", "-L/usr/local/lib", "-lccgsearch"], "as installed")
    eq(pkg_config("--variable=libdir", sysroot=False), ["/usr/local/lib"], "libdir")
    static = pkg_config("--static", "--libs", sysroot=False)
    check(static[:2] == ["-L/usr/local/lib", "-lccgsearch"] and "-ljansson" in static,
          "--static adds jansson: %r" % static)
    staged_flags = pkg_config("--cflags", "--libs")
    check("-I" + staged("include") in staged_flags and "-L" + staged("lib") in staged_flags,
          "PKG_CONFIG_SYSROOT_DIR points into DESTDIR: %r" % staged_flags)


_daemon = None


def installed_daemon():
    """The installed ccg-searchd over an index the installed indexer built."""
    global _daemon
    if _daemon is None:
        ix = os.path.join(tmpdir(), "index")
        p = subprocess.run([staged("bin", "ccg-indexer"), "--quiet", "--index", ix, SEEDS],
                           capture_output=True, text=True, timeout=300)
        eq(p.returncode, 0, "installed ccg-indexer (stderr: %s)" % p.stderr[-500:])
        saved, harness.BIN = harness.BIN, staged("bin")
        try:
            _daemon = Daemon(ix)
        finally:
            harness.BIN = saved
        eq(_daemon.proc.args[0], staged("bin", "ccg-searchd"), "the installed daemon runs")
    return _daemon


def cc(out, *args):
    p = subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", out] + list(args),
                       capture_output=True, text=True, timeout=120)
    eq(p.returncode, 0, "cc %s: %s" % (" ".join(args), p.stderr))


def run_embed(exe, env=None):
    p = subprocess.run([exe, "127.0.0.1", str(installed_daemon().port), "Radmore"],
                       capture_output=True, text=True, timeout=60, env=env)
    eq(p.returncode, 0, "%s exit status (stderr: %s)" % (exe, p.stderr))
    lines = p.stdout.splitlines()
    eq(lines[0], "total 1", "total")
    check(lines[1].startswith("1 004_7a0772fac955139b - Wanted: single executive"), lines[1])
    eq(lines[-1], '{"ok":true,"pong":true} {"ok":true,"pong":true}', "pipelined answers")


@test
def a_program_built_with_pkg_config_links_the_installed_shared_library():
    exe = os.path.join(tmpdir(), "embed_shared")
    cc(exe, EMBED, *pkg_config("--cflags", "--libs"))
    check("Shared library: [libccgsearch.so.1]" in readelf_dynamic(exe), "needs the soname")
    # The library is not installed system-wide, so the loader is told where
    # DESTDIR holds it; ldd shows that copy is the one loaded.
    env = dict(os.environ, LD_LIBRARY_PATH=staged("lib"))
    ldd = subprocess.run(["ldd", exe], capture_output=True, text=True, env=env).stdout
    check("libccgsearch.so.1 => %s " % staged("lib", "libccgsearch.so.1") in ldd, ldd)
    run_embed(exe, env)
    # The header's version and the library's agree.
    src = os.path.join(tmpdir(), "v.c")
    with open(src, "w") as f:
        f.write('#include <ccgsearch/client.h>\n#include <stdio.h>\n'
                'int main(void) { printf("%s %s\\n", CCGSEARCH_VERSION, ccg_version()); return 0; }\n')
    vexe = os.path.join(tmpdir(), "v")
    cc(vexe, src, *pkg_config("--cflags", "--libs"))
    p = subprocess.run([vexe], capture_output=True, text=True, env=env, timeout=30)
    eq(p.stdout, "%s %s\n" % (version(), version()), "CCGSEARCH_VERSION and ccg_version()")


@test
def a_program_built_with_pkg_config_static_needs_no_shared_library():
    exe = os.path.join(tmpdir(), "embed_static")
    cc(exe, "-static", EMBED, *pkg_config("--static", "--cflags", "--libs"))
    check("There is no dynamic section" in readelf_dynamic(exe), "a static executable")
    run_embed(exe)


def long_options(prog):
    p = subprocess.run([staged("bin", prog), "--help"], capture_output=True, text=True, timeout=30)
    eq(p.returncode, 0, prog + " --help")
    opts = set(re.findall(r"(?:^|[\s,|])--([a-z][a-z0-9-]*)", p.stdout, re.M))
    check(len(opts) >= 5 and "help" in opts and "version" in opts, "%s options: %r" % (prog, opts))
    return opts


def missing_from_man(opts, roff):
    return sorted(o for o in opts if "\\-\\-" + o.replace("-", "\\-") not in roff)


@test
def every_long_option_of_each_help_is_in_its_man_page():
    for prog, page in MAN_OF.items():
        with open(staged("share", "man", page)) as f:
            roff = f.read()
        opts = long_options(prog)
        eq(missing_from_man(opts, roff), [], "options of %s --help missing from %s" % (prog, page))
        # The check itself can fail: a page without one option is caught.
        gone = sorted(opts)[0]
        eq(missing_from_man(opts, roff.replace("\\-\\-" + gone.replace("-", "\\-"), "")), [gone],
           "an option removed from the page is found missing")


@test
def every_man_page_renders_without_warnings():
    v = version()
    for page in MAN_PAGES:
        path = staged("share", "man", page)
        with open(path) as f:
            roff = f.read()
        th = re.search(r'^\.TH (\S+) (\d) \S+ "ccgsearch ([^"]+)"', roff, re.M)
        check(th, page + ": a .TH line naming the version")
        eq((th.group(2), th.group(3)), (page[3], v), page + ": section and version")
        for section in ("NAME", "SYNOPSIS" if page[3] in "138" else "DESCRIPTION", "SEE ALSO"):
            check("\n.SH %s\n" % section in roff, "%s has %s" % (page, section))
        if page[3] in "18":
            for section in ("OPTIONS", "EXIT STATUS", "FILES", "EXAMPLES"):
                check("\n.SH %s\n" % section in roff, "%s has %s" % (page, section))
        g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", path], capture_output=True,
                           text=True, timeout=60)
        eq((g.returncode, g.stderr), (0, ""), "groff -ww " + page)
        m = subprocess.run(["man", "-l", path], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0"))
        eq((m.returncode, m.stderr), (0, ""), "man -l " + page)
        text = re.sub(".\b", "", m.stdout)          # grotty's overstrike bold
        name = os.path.basename(page).rsplit(".", 1)[0]
        check(re.search(r"^NAME\n\s+%s[ ,]" % re.escape(name), text, re.M), text[:300])
    # Installed where man looks: MANPATH into DESTDIR finds each by name.
    for page in MAN_PAGES:
        name, sect = os.path.basename(page).rsplit(".", 1)
        w = subprocess.run(["man", "-w", sect, name], capture_output=True, text=True,
                           env=dict(os.environ, MANPATH=staged("share", "man")), timeout=60)
        eq(w.stdout.strip(), staged("share", "man", page), "man -w %s %s" % (sect, name))


def unit_lines(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


@test
def the_systemd_unit_is_hardened_and_verifies():
    lines = unit_lines(staged("lib", "systemd", "system", "ccg-searchd.service"))
    for want in ("ExecStart=/usr/local/bin/ccg-searchd --index /var/lib/ccgsearch/index",
                 "ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure",
                 "User=ccgsearch", "DynamicUser=yes", "ReadOnlyPaths=/var/lib/ccgsearch/index",
                 "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
                 "PrivateTmp=yes", "WantedBy=multi-user.target"):
        check(want in lines, "the unit has " + want)
    if not shutil.which("systemd-analyze"):
        print("# systemd-analyze is not installed: the unit is not verified")
        return
    # verify needs ExecStart's program where the unit says: a real install
    # under a temporary PREFIX (the loader's cache left alone).
    prefix = tmpdir()
    make("install", "PREFIX=" + prefix, "LDCONFIG=true")
    unit = os.path.join(prefix, "lib", "systemd", "system", "ccg-searchd.service")
    ulines = unit_lines(unit)
    start = [l for l in ulines if l.startswith("ExecStart=")]
    eq(start, ["ExecStart=%s/bin/ccg-searchd --index /var/lib/ccgsearch/index" % prefix],
       "ExecStart under PREFIX")
    # The daemon accepts ExecStart's options (--help after them exits 0 only
    # when getopt took every option before it).
    argv = start[0][len("ExecStart="):].split()
    p = subprocess.run(argv + ["--help"], capture_output=True, text=True, timeout=30)
    eq(p.returncode, 0, "ExecStart's options: %s" % p.stderr)
    env = dict(os.environ, MANPATH=os.path.join(prefix, "share", "man"))
    v = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True,
                       env=env, timeout=120)
    eq((v.returncode, v.stderr.strip()), (0, ""), "systemd-analyze verify")
    # The verification can fail: a unit whose program is missing does.
    bad = os.path.join(tmpdir(), "ccg-searchd.service")
    with open(unit) as f, open(bad, "w") as out:
        out.write(f.read().replace(prefix + "/bin/ccg-searchd", prefix + "/bin/no-such-program"))
    v = subprocess.run(["systemd-analyze", "verify", bad], capture_output=True, text=True,
                       env=env, timeout=120)
    check(v.returncode != 0 and "no-such-program" in v.stderr, "a broken unit fails: %s" % v.stderr)
    s = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"Overall exposure level for ccg-searchd.service: ([\d.]+)", s.stdout)
    check(m, "systemd-analyze security: %s%s" % (s.stdout[-500:], s.stderr[-500:]))
    check(float(m.group(1)) <= 2.0, "exposure %s (at most 2.0, 'OK')" % m.group(1))
    make("uninstall", "PREFIX=" + prefix)
    eq(sorted(files_under(prefix)), [], "nothing left of the PREFIX install")


@test
def uninstall_removes_exactly_what_install_wrote():
    eq(installed_daemon().stop(), 0, "the installed daemon stops cleanly")
    d = dest()
    other = staged("bin", "not-ours")
    with open(other, "w") as f:
        f.write("kept\n")
    make("uninstall", "DESTDIR=" + d, "PREFIX=" + PREFIX)
    eq(sorted(files_under(d)), [os.path.relpath(other, d)], "only the file install did not write")
    check(not os.path.exists(staged("include", "ccgsearch")), "include/ccgsearch removed")
    check(not os.path.exists(staged("share", "doc", "ccgsearch")), "share/doc/ccgsearch removed")
    os.unlink(other)
    make("uninstall", "DESTDIR=" + d, "PREFIX=" + PREFIX)   # twice is harmless


run()
