"""HTML pages, other files and JSON records without a usable id: what the
indexer reads, skips and warns about, and the descriptive fields (author,
section, tags) through the daemon.

The two pages in tests/integration/html/ are written for these tests: a
newspaper story (cookie banner, navigation, share buttons, related links,
a newsletter box, comments, JSON-LD and og: tags) and a CCG news page in
the NHS style (skip link, header, breadcrumbs, main, related cards,
footer).
"""
import http.client
import json
import os
import subprocess
import sys
import urllib.parse

from harness import ROOT, Daemon, binary, check, eq, extract, run_indexer, test, tmpdir, run

sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
from ccgsearch import Client  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PAGES = os.path.join(HERE, "html")
NEWS = os.path.join(PAGES, "chronicle-merger.html")
NHS = os.path.join(PAGES, "corby-ccg-news.html")


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


_index = None


def pages_index():
    """Both pages indexed once."""
    global _index
    if _index is None:
        _index = os.path.join(tmpdir(), "index")
        p = run_indexer("--index", _index, PAGES)
        check("indexed 2, unchanged 0, skipped 0, errors 0" in p.err, p.err)
    return _index


def absent(body, words, what):
    for w in words:
        check(w not in body, "%s: %r should not be in the body:\n%s" % (what, w, body))


@test
def newspaper_page_metadata():
    d = extract(NEWS)["chronicle-merger"]
    # og:title, not <title> with its " | The Fenshire Chronicle".
    eq(d["title"], "Nene and Corby CCGs agree to merge next April", "title")
    eq(d["date"], "2019-03-12", "article:published_time")
    eq(d["source"], "The Fenshire Chronicle", "og:site_name")
    eq(d["url"], "https://www.fenshire-chronicle.example/news/health/ccg-merger-123", "canonical")
    # meta author; article:author is a profile URL and is not an author.
    eq(d["author"], "Holly Brandreth", "author")
    eq(d["section"], "Health", "article:section")
    eq(d["tags"], ["NHS", "Mergers", "Fenshire", "clinical commissioning groups"],
       "article:tag, then keywords, repeats dropped")
    eq(d["ccg"], ["NHS Nene CCG", "NHS Corby CCG"], "entities of the story text")
    check(d["body_start"].startswith("The governing bodies of NHS Nene CCG"), d["body_start"])


@test
def newspaper_page_body_without_chrome():
    dd = Daemon(pages_index())
    doc = dd.ask("GET chronicle-merger")["document"]
    body = doc["body"]
    paras = body.split("\n\n")
    eq(paras[0], "The governing bodies of NHS Nene CCG and NHS Corby CCG voted on Tuesday to "
       "merge into a single clinical commissioning group from next April.", "first paragraph")
    check("\u201cend a great deal of duplication\u201d and save about \u00a31.2m" in paras[1],
          "entities decoded: " + paras[1])
    eq(paras[2], "Patients consulted", "a subheading is a paragraph")
    eq(paras[3], "A twelve-week consultation drew 1,400 responses, most of them in favour.\n"
       "Critics said rural practices had not been heard.", "<br> is a line break")
    eq(paras[-1], "NHS England must still approve the merger before it takes effect.", "last")
    eq(len(paras), 5, "paragraphs: %r" % paras)
    absent(body, ["cookies", "Accept all", "Skip to content", "News", "Sport", "Search the",
                  "morning briefing", "Share on", "Email this story", "Photo:", "Related stories",
                  "car parking", "inbox", "Log in", "Most read", "Bypass", "rights reserved",
                  "Privacy", "track", "dataLayer", "Health Reporter", "By Holly",
                  "agree to merge next April"], "newspaper")
    eq(doc["author"], "Holly Brandreth", "GET author")
    eq(doc["tags"][:2], ["NHS", "Mergers"], "GET tags")
    # The CLI shows them, modestly.
    cli = subprocess.run([binary("ccg-search"), "-p", str(dd.port), "--get", "chronicle-merger"],
                         capture_output=True, text=True, timeout=30)
    for line in ("author: Holly Brandreth", "section: Health",
                 "tags: NHS, Mergers, Fenshire, clinical commissioning groups"):
        check(line in cli.stdout.splitlines(), "ccg-search --get: %r in\n%s" % (line, cli.stdout))
    cli = subprocess.run([binary("ccg-search"), "-p", str(dd.port), "duplication"],
                         capture_output=True, text=True, timeout=30)
    check("The Fenshire Chronicle  by Holly Brandreth" in cli.stdout, cli.stdout)
    eq(dd.stop(), 0, "daemon exit")


@test
def nhs_page():
    d = extract(NHS)["corby-ccg-news"]
    # No og:title: the <h1> of <main>.
    eq(d["title"], "Governing body backs a single accountable officer for Corby and Nene", "h1")
    eq(d["date"], "2018-11-07", "DC.date")
    eq(d["source"], "NHS Corby CCG", "og:site_name")
    eq(d["url"], None, "no canonical link")
    eq((d["author"], d["section"], d["tags"]),
       ("Communications Team", None, ["governing body", "accountable officer"]), "fields")
    eq(d["ccg"], ["NHS Corby CCG", "NHS Nene CCG"], "ccg")
    dd = Daemon(pages_index())
    body = dd.ask("GET corby-ccg-news")["document"]["body"]
    paras = body.split("\n\n")
    check(paras[0].startswith("At its meeting in public on Tuesday"), paras[0])
    check("The post will be advertised in December." in paras, "list items are paragraphs")
    absent(body, ["cookies", "analytics", "Skip to main", "homepage", "Search this", "About us",
                  "Your health", "Home", "Related news", "flu jab", "Share on", "Accessibility",
                  "Freedom of information", "js-enabled", "Governing body backs",
                  "Published 7 November"], "NHS page")
    eq(dd.stop(), 0, "daemon exit")


@test
def title_from_title_element_without_the_site_name():
    src = tmpdir()
    head = '<!DOCTYPE html><html><head><meta property="og:site_name" content="Marshton Echo">'
    write(os.path.join(src, "a.html"), head + "<title>Clinic hours cut | Marshton Echo</title>"
          "</head><body><p>The clinic will close at four.</p></body></html>")
    # Another site's name stays: only og:site_name is cut.
    write(os.path.join(src, "b.htm"), head + "<title>Clinic hours cut - Fenshire Live</title>"
          "</head><body><p>The clinic will close at four.</p></body></html>")
    # An icon's SVG <title> is not the page's.
    write(os.path.join(src, "c.html"), '<html><body><svg><title>Facebook icon</title></svg>'
          '<p>The clinic will close at four.</p></body></html>')
    docs = extract(src)
    eq(docs["c"]["title"], "The clinic will close at four", "first line, not the icon")
    eq(docs["a"]["title"], "Clinic hours cut", "site suffix cut")
    eq(docs["b"]["title"], "Clinic hours cut - Fenshire Live", "other suffix kept")


@test
def html_dates_json_ld_time_and_bad_ones():
    src = tmpdir()
    body = "<body><article><p>Story text of the day.</p></article></body></html>"
    write(os.path.join(src, "ld.html"), '<html><head><script type="application/ld+json">'
          '{"@graph":[{"@type":"WebSite","name":"x"},{"@type":"NewsArticle","headline":"H",'
          '"datePublished":"2020-05-04T08:00:00Z","author":[{"name":"Ann Lee"},{"name":"Bo Chan"}],'
          '"articleSection":"Politics","keywords":["budget","nhs"],'
          '"publisher":{"name":"Echo Media"}}]}</script></head>' + body)
    write(os.path.join(src, "time.html"), '<html><head></head><body><article><h1>T</h1>'
          '<time datetime="2017-01-02">Monday</time><p>Story text of the day.</p></article>'
          '<time datetime="2001-01-01">old</time></body></html>')
    write(os.path.join(src, "bad.html"), '<html><head><meta property="article:published_time" '
          'content="yesterday"></head>' + body)
    p = run_indexer("--extract", src)
    docs = {json.loads(l)["id"]: json.loads(l) for l in p.out.splitlines()}
    ld = docs["ld"]
    eq((ld["date"], ld["author"], ld["section"], ld["tags"], ld["source"]),
       ("2020-05-04", "Ann Lee, Bo Chan", "Politics", ["budget", "nhs"], "Echo Media"), "JSON-LD")
    eq(docs["time"]["date"], "2017-01-02", "the article's <time>, not the page's")
    eq(docs["bad"]["date"], None, "no date")
    check('bad.html: date "yesterday" is not a valid date' in p.err, p.err)
    check("extracted 3, skipped 0, errors 0" in p.err, p.err)


@test
def class_names_are_read_by_their_parts():
    src = tmpdir()
    write(os.path.join(src, "c.html"), '<html><body><main>'
          '<div class="article-commentary"><p>Commentary stays.</p></div>'
          '<div id="shared-care-record"><p>Shared care stays.</p></div>'
          '<div class="ShareBar social_icons"><p>Share icons go.</p></div>'
          '<div class="nhsuk-cookie-banner"><p>Cookie text goes.</p></div>'
          '<div class="user-comments"><p>Comment text goes.</p></div>'
          '<section hidden><p>Hidden text goes.</p></section>'
          '<div role="navigation"><p>Landmark text goes.</p></div>'
          '</main></body></html>')
    eq(extract(src)["c"]["body_start"], "Commentary stays.\n\nShared care stays.", "kept")


@test
def html_depth_limit():
    # CS_MAX_HTML_DEPTH is 256: text nested deeper is dropped, the rest read.
    src = tmpdir()
    for name, n in (("under", 200), ("over", 300), ("far", 100000)):
        write(os.path.join(src, name + ".html"),
              "<!doctype html><html><body><p>Shallow words here.</p>" + "<div>" * n +
              "Deep words here." + "</div>" * n + "</body></html>")
    docs = extract(src)
    eq(docs["under"]["body_start"], "Shallow words here.\n\nDeep words here.", "under the limit")
    eq(docs["over"]["body_start"], "Shallow words here.", "over the limit")
    eq(docs["far"]["body_start"], "Shallow words here.", "far over the limit")


@test
def html_encodings():
    src = tmpdir()
    write(os.path.join(src, "cp.html"), b'<html><head><meta charset="windows-1252">'
          b'<title>Caf\xe9 reopens</title></head><body><p>It\x92s a caf\xe9 again.</p></body></html>')
    # Valid UTF-8 is read as UTF-8 whatever the page declares.
    write(os.path.join(src, "u8.html"), '<html><head><meta charset="iso-8859-1">'
          '<title>Caf\u00e9 reopens</title></head><body><p>Caf\u00e9 \u2013 again.</p></body></html>')
    # Neither UTF-8 nor declared: Windows-1252, as browsers read it.
    write(os.path.join(src, "undeclared.html"), b"<html><body><p>It\x92s caf\xe9</p></body></html>")
    docs = extract(src)
    eq(docs["undeclared"]["body_start"], "It\u2019s caf\u00e9", "undeclared")
    eq((docs["cp"]["title"], docs["cp"]["body_start"]), ("Caf\u00e9 reopens", "It\u2019s a caf\u00e9 again."),
       "windows-1252")
    eq((docs["u8"]["title"], docs["u8"]["body_start"]), ("Caf\u00e9 reopens", "Caf\u00e9 \u2013 again."),
       "utf-8")


@test
def files_that_are_not_articles_are_skipped_with_a_warning():
    src = tmpdir()
    write(os.path.join(src, "table.csv"), "id,title\n1,Merger\n")
    write(os.path.join(src, "blob.bin"), "looks like text but is a .bin")
    write(os.path.join(src, "report.pdf"), b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    write(os.path.join(src, "photo.JPG"), b"\xff\xd8\xff\xe0\x00\x10JFIF")
    write(os.path.join(src, "dump.xyz"), b"\x00\x01\x02binary")
    write(os.path.join(src, "latin1"), b"Caf\xe9 headline\n\nBody \xe9.\n")
    # Read by content: a page without an extension, and a text file.
    write(os.path.join(src, "saved-page"), "<!DOCTYPE html>\n<html><head><title>Saved page</title>"
          "</head><body><nav>Menu</nav><p>The saved story.</p></body></html>")
    write(os.path.join(src, "plain"), "A plain headline\n\nA plain story about a merger.\n")
    write(os.path.join(src, "empty.html"), "<html><body><nav>Only a menu</nav></body></html>")
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, src)      # exit 0: skipping is not an error
    for name, why in [("table.csv", "not an article file"), ("blob.bin", "not an article file"),
                      ("report.pdf", "not an article file"), ("photo.JPG", "not an article file"),
                      ("dump.xyz", "binary file"), ("latin1", "invalid UTF-8"),
                      ("empty.html", "no article text")]:
        check(any(name + ":" in l and why in l for l in p.err.splitlines()),
              "expected %s: ... %s in:\n%s" % (name, why, p.err))
    check("indexed 2, unchanged 0, skipped 7, errors 0" in p.err, p.err.splitlines()[-1])
    dd = Daemon(ix)
    saved = dd.ask("GET saved-page")["document"]
    eq((saved["title"], saved["body"]), ("Saved page", "The saved story."), "sniffed as HTML")
    eq(dd.ask("GET plain")["document"]["title"], "A plain headline", "text by content")
    eq(dd.ask("GET table")["error"]["code"], "not_found", "csv not indexed")
    eq(dd.stop(), 0, "daemon exit")


@test
def json_records_ids_and_dates():
    src = tmpdir()
    recs = [
        {"title": "No id", "date": "2019-05-01", "body": "A record without an id."},
        {"id": 42, "body": "A number is not an id."},
        {"id": "y1", "date": "yesterday", "body": "A date nobody can read."},
        {"url": "https://example.org/s/9", "body": "Identified by its url."},
    ]
    path = os.path.join(src, "recs.jsonl")
    write(path, "\n".join(json.dumps(r) for r in recs) + "\n")
    ix = os.path.join(tmpdir(), "index")
    p = run_indexer("--index", ix, path)
    err = p.err.splitlines()
    warned = [l for l in err if l.startswith(path + ":1: no \"id\"; indexed as id h")]
    check(len(warned) == 1, p.err)
    hid = warned[0].split("indexed as id ")[1].split(",")[0]
    check(any(l.startswith(path + ':2: field "id" is not a string') for l in err), p.err)
    check(any(l.startswith(path + ':3: date "yesterday" is not a valid date') for l in err), p.err)
    check(any(l.startswith(path + ":4: no \"id\"") and "from its url" in l for l in err), p.err)
    check("indexed 3, unchanged 0, skipped 1, errors 0" in p.err, p.err)
    # A line inserted above them moves no id: the second run finds the same
    # documents unchanged and adds the new one, duplicating nothing.
    write(path, json.dumps({"id": "new", "body": "Inserted first."}) + "\n" +
          "\n".join(json.dumps(r) for r in recs) + "\n")
    p = run_indexer("--index", ix, path)
    check(any(l.startswith(path + ":2: no \"id\"; indexed as id " + hid) for l in p.err.splitlines()),
          p.err)
    check("indexed 1, unchanged 3, skipped 1, errors 0" in p.err, p.err)
    dd = Daemon(ix)
    eq(dd.ask("STATS")["index"]["documents"], 4, "no duplicates")
    eq(dd.ask("GET " + hid)["document"]["title"], "No id", "derived id")
    eq(dd.ask("GET y1")["document"]["date"], None, "indexed with no date")
    eq(dd.ask("GET 42")["error"]["code"], "not_found", "number id refused")
    eq(dd.stop(), 0, "daemon exit")


@test
def author_section_and_tag_filters_line_and_http():
    src = tmpdir()
    recs = [
        {"id": "a1", "author": "Holly Brandreth", "section": "Health", "tags": ["NHS", "Mergers"],
         "body": "The merger of two groups was approved."},
        {"id": "a2", "author": ["Sam Ode", "Holly  Brandreth"], "section": "Politics",
         "tags": "budget, NHS", "body": "The council debated the merger budget."},
        {"id": "a3", "body": "A merger with no descriptive fields."},
    ]
    write(os.path.join(src, "f.jsonl"), "\n".join(json.dumps(r) for r in recs) + "\n")
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, src)
    pf = os.path.join(tmpdir(), "http-port")
    dd = Daemon(ix, "--http", "127.0.0.1:0", "--http-port-file", pf)

    def ids(a):
        check(a.get("ok"), a)
        return sorted(h["id"] for h in a["hits"])

    def q(obj):
        return ids(dd.ask("SEARCH " + json.dumps(obj)))

    eq(q({"q": "merger", "filter": {"author": "holly brandreth"}}), ["a1", "a2"], "author, any case")
    eq(q({"q": "merger", "filter": {"section": "Health"}}), ["a1"], "section")
    eq(q({"q": "merger", "filter": {"tag": ["budget", "mergers"]}}), ["a1", "a2"], "tags OR-ed")
    eq(q({"q": "merger", "filter": {"tag": "nhs", "section": "politics"}}), ["a2"], "AND-ed")
    eq(q({"q": "merger", "filter": {"author": "Sam Ode", "ccg": "Corby"}}), [], "with a facet")
    eq(ids(dd.ask('SEARCH merger author:"Sam Ode"')), ["a2"], "author: in the query language")
    eq(ids(dd.ask("SEARCH merger tag:nhs -section:health")), ["a2"], "tag: and section:")
    a = dd.ask('SEARCH {"q":"merger","filter":{"writer":"x"}}')
    eq(a["error"]["code"], "bad_request", "unknown filter")
    hits = {h["id"]: h for h in dd.ask("SEARCH merger")["hits"]}
    eq((hits["a2"]["author"], hits["a2"]["section"], hits["a2"]["tags"]),
       ("Sam Ode, Holly Brandreth", "Politics", ["budget", "NHS"]), "hit fields")
    eq((hits["a3"]["author"], hits["a3"]["section"], hits["a3"]["tags"]), (None, None, []),
       "no fields")
    with open(pf) as f:
        hp = int(f.read().strip())
    c = http.client.HTTPConnection("127.0.0.1", hp, timeout=30)
    c.request("GET", "/search?" + urllib.parse.urlencode(
        [("q", "merger"), ("author", "Holly Brandreth"), ("tag", "budget")]))
    r = c.getresponse()
    body = r.read()
    eq(r.status, 200, "HTTP status")
    eq(ids(json.loads(body)), ["a2"], "HTTP filter parameters")
    with Client("127.0.0.1", dd.port) as cl:
        r = cl.search("merger", author="holly brandreth", tag=["budget"])
        eq([(h.id, h.author, h.section, h.tags) for h in r.hits],
           [("a2", "Sam Ode, Holly Brandreth", "Politics", ["budget", "NHS"])], "Python client")
        d = cl.get("a1")
        eq((d.author, d.section, d.tags), ("Holly Brandreth", "Health", ["NHS", "Mergers"]),
           "Python Document")

    def cli(*args):
        p = subprocess.run([binary("ccg-search"), "-p", str(dd.port), "--json"] + list(args),
                           capture_output=True, text=True, timeout=30)
        eq(p.returncode, 0, p.stderr)
        return ids(json.loads(p.stdout))

    eq(cli("--author", "holly brandreth", "--tag", "budget", "merger"), ["a2"], "CLI --author --tag")
    eq(cli("--tag", "budget", "--tag", "mergers", "merger"), ["a1", "a2"], "CLI --tag OR-ed")
    eq(cli("--section", "Health"), ["a1"], "CLI --section, no QUERY")
    eq(dd.stop(), 0, "daemon exit")


run()
