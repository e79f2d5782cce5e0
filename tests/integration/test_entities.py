"""Entities end to end: what the extractor finds in real articles, the
facets and filters of SEARCH, and the WHO verb, on the real daemon."""
import collections
import json
import os
import re
import subprocess

from harness import (CORPORA, ROOT, SEEDS, Daemon, binary, check, eq, extract,
                     ids, indexed_seeds, run, shared_daemon, run_indexer, search, test, tmpdir)

LEICESTER = ["000_a0141472471f05fe", "001_30771f8563898753", "002_384a417d6ab5e7e1",
             "003_0ecb9dfa299ccda2"]

d = shared_daemon


def holds(person, role, org):
    """A check: the document relates person, role and org."""
    return lambda d: {"person": person, "role": role, "org": org} in d["person_role"]


def lacks(person, role, org):
    """A check: the document does not relate person, role and org."""
    return lambda d: {"person": person, "role": role, "org": org} not in d["person_role"]


def unrelated(person):
    """A check: the document gives person no role at all."""
    return lambda d: not any(r["person"] == person for r in d["person_role"])


def extractor_bounds():
    """The extractor's named bounds, as lib/entities/bounds.h defines them."""
    with open(os.path.join(ROOT, "lib", "entities", "bounds.h"), encoding="utf-8") as f:
        return {m.group(1): int(m.group(2))
                for m in re.finditer(r"^#define\s+(\w+)\s+(\d+)\s*$", f.read(), re.M)}


def extract_texts(cases):
    """ccg-indexer --extract on (id, text, ...) tuples written as JSON Lines."""
    path = os.path.join(tmpdir(), "cases.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps({"id": case[0], "title": "Case", "text": case[1]}) + "\n")
    return extract(path)



@test
def extract_gives_entities_in_the_gold_shape():
    docs = extract(SEEDS)
    d0 = docs["000_a0141472471f05fe"]
    eq(sorted(d0["ccg"]), sorted(["NHS Leicester City CCG", "NHS West Leicestershire CCG",
                                  "NHS East Leicestershire and Rutland CCG", "NHS Nene CCG",
                                  "NHS Corby CCG"]), "CCGs, lists expanded")
    eq(sorted(d0["role"]), ["accountable officer", "chief executive"], "roles, qualifiers dropped")
    for p in ("Toby Sanders", "Karen English", "Sue Lock", "Carole Dehghani"):
        check(p in d0["person"], "person " + p)
    rels = {(r["person"], r["role"], r["org"]) for r in d0["person_role"]}
    for want in [("Toby Sanders", "accountable officer", "NHS West Leicestershire CCG"),
                 ("Toby Sanders", "chief executive", "NHS Nene CCG"),
                 ("Toby Sanders", "chief executive", "NHS Corby CCG")]:
        check(want in rels, "relation %r in %r" % (want, rels))
    d2 = docs["002_384a417d6ab5e7e1"]
    eq(d2["person"], ["Azhar Farooqi", "Mayur Lakhani", "Ursula Montgomery"],
       "titles (Professor, Dr) dropped, first-mention order")
    d4 = docs["004_7a0772fac955139b"]
    check("NHS Castle Point and Rochford CCG" in d4["ccg"], "the misspelling Castlepoint: %r" % d4["ccg"])
    check({"person": "Ann Radmore", "role": "regional director",
           "org": "NHS England and NHS Improvement"} in d4["person_role"], repr(d4["person_role"]))
    # "The Essex CCGs": the group's area, not a place (the seeds gold).
    check("Essex" not in d4["place"], repr(d4["place"]))


@test
def relations_name_the_bodies_the_sentence_means():
    # Each rule on the real article that shows it (ccg_dev.jsonl).
    docs = extract(os.path.join(CORPORA, "ccg_dev.jsonl"))

    def rels(doc_id, person):
        return {(r["role"], r["org"]) for r in docs[doc_id]["person_role"] if r["person"] == person}

    sussex = {"NHS Coastal West Sussex CCG", "NHS Crawley CCG", "NHS Horsham and Mid Sussex CCG",
              "NHS High Weald Lewes Havens CCG", "NHS Eastbourne, Hailsham and Seaford CCG",
              "NHS Hastings and Rother CCG", "NHS Brighton and Hove CCG", "NHS East Surrey CCG"}
    # "who is the accountable officer for all the CCGs": every CCG of the
    # story, not the last list before it.
    got = {o for r, o in rels("p0045", "Adam Doyle") if r == "accountable officer"}
    check(sussex <= got, "all the CCGs: %r" % got)
    # "is now the accountable officer for all five CSESCA CCGs plus X, Y and
    # Z": an adverb before the role, an acronym in the group, and 5 + 3 is
    # the story's eight.
    eq({o for r, o in rels("p0051", "Adam Doyle") if r == "accountable officer"}, sussex,
       "all five CSESCA CCGs plus three")
    # "all eight CCGs" in a story that names two: those two.
    eq({o for r, o in rels("p0047", "Adam Doyle")},
       {"NHS Hastings and Rother CCG", "NHS Eastbourne, Hailsham and Seaford CCG"},
       "all eight CCGs, two named")
    # "chief operating officer for the two CCGs will become managing
    # director for them": them is the same two.
    eq({o for r, o in rels("p0047", "Jessica Britton") if r == "managing director"},
       {"NHS Hastings and Rother CCG", "NHS Eastbourne, Hailsham and Seaford CCG"}, "for them")
    # "Dr Ed Garratt, the CCGs' chief officer": a possessive group.
    eq({o for r, o in rels("p0101", "Ed Garratt")},
       {"NHS Ipswich and East Suffolk CCG", "NHS West Suffolk CCG"}, "the CCGs' chief officer")
    # "joins the CCG from Manchester Health and Care Commissioning, where he
    # works as executive nurse, ...": the body of the where clause.
    eq({o for r, o in rels("p0043", "Craig Harris") if r == "executive nurse"},
       {"Manchester Health and Care Commissioning"}, "where he works as")
    # "held the role alongside being chief executive of Wigan Council"
    check(("chief executive", "Wigan Council") in rels("p0043", "Donna Hall"), "being")
    # "replaces the four old CCGs of Vale Royal, ..., and West Cheshire.
    # Clare Watson, accountable officer for the CCG": the one CCG named on
    # its own, not the last of a list.
    eq(rels("p0119", "Clare Watson"), {("accountable officer", "NHS Cheshire CCG")}, "the CCG")
    # "Dr Chris Clayton was appointed as chief executive officer to oversee
    # the four organisations ..., alongside chief finance officer Louise
    # Bainbridge": her post is at the same four.
    eq({o for r, o in rels("p0083", "Louise Bainbridge")},
       {o for r, o in rels("p0083", "Chris Clayton")}, "alongside")
    eq(len(rels("p0083", "Louise Bainbridge")), 4, "alongside: four CCGs")
    # "The Conflict of Interest Guardian for the Ipswich & East Suffolk CCG
    # is Graham Leaf"
    check(("conflicts of interest guardian", "NHS Ipswich and East Suffolk CCG")
          in rels("p0098", "Graham Leaf"), repr(rels("p0098", "Graham Leaf")))
    # "MP for North Devon, Peter Heaton-Jones, said": a seat, no body.
    eq(rels("p0070", "Peter Heaton-Jones"), {("mp", None)}, "MP for PLACE, PERSON")
    # "Dr Paul Williams, CCG Chair" in a byline: the blog's CCG.
    eq(rels("p0093", "Paul Williams"), {("chair", "NHS West Norfolk CCG")}, "CCG Chair")
    # "Chief transformation officer Richard Watson joined CCG chair Dr Mark
    # Shenton": the chair is Shenton's, not Watson's.
    check(("chair", "NHS Ipswich and East Suffolk CCG") not in rels("p0102", "Richard Watson"),
          repr(rels("p0102", "Richard Watson")))
    # "Alex Bailey, chief executive of Adur and Worthing Councils, will be
    # seconded ... to be director of ...": the councils are his other post,
    # so the story's one CCG is this one's.
    check(("director of innovation and community infrastructure", "NHS Coastal West Sussex CCG")
          in rels("p0010", "Alex Bailey"), repr(rels("p0010", "Alex Bailey")))
    # Titles as signed: "John Turner / Chief Executive, NHS Lincolns" (cut
    # off) and "Amanda Pritchard Chief Operating Officer, NHS England & NHS
    # Improvement wrote".
    eq(rels("p0090", "John Turner"), {("chief executive", None)}, "a title under a name")
    eq(rels("p0145", "Amanda Pritchard"),
       {("chief operating officer", "NHS England and NHS Improvement")}, "title, body")


@test
def relation_rules_stop_where_they_should():
    # Written counter-examples, one per rule above: sentences a rule must
    # not over-read, and a few it must still read.
    cases = [
        ("leeds-west-mp", "Leeds West MP Rachel Reeves visited. NHS Leeds CCG welcomed her.",
         lambda d: "NHS Leeds West CCG" not in d["ccg"]),
        ("its-medical-director", "Nene CCG has a plan. Jane Smith, chief executive of Kettering "
         "General Hospital, is also its medical director.",
         lacks("Jane Smith", "medical director", "NHS Nene CCG")),
        ("three-then-two", "Corby, Nene and Northampton CCGs met. Nene and Corby CCGs will merge. "
         "Jane Smith will be accountable officer on an interim basis at the three CCGs at the end "
         "of March.",
         lambda d: len([r for r in d["person_role"] if r["person"] == "Jane Smith"]) != 2),
        ("all-191", "NHS Nene CCG said so. Jane Smith is clinical director for all 191 CCGs in "
         "England.",
         lacks("Jane Smith", "clinical director", "NHS Nene CCG")),
        ("them-unnamed", "NHS Nene CCG met the trust. The trust's board met. Jane Smith, who has "
         "been chair for them since 2015, spoke.",
         lacks("Jane Smith", "chair", "NHS Nene CCG")),
        ("county-ccgs", "Staffordshire and Stoke-on-Trent CCGs are consulting. Dr Jane Smith, "
         "clinical chair, said it was right.",
         lacks("Jane Smith", "clinical chair", "NHS Stoke-on-Trent CCG")),
        ("copula-guest", "Also at the meeting with the chief officer of Nene CCG was Dr Jane "
         "Smith.",
         unrelated("Jane Smith")),
        ("mp-list", "The letter was signed by Sarah Wollaston, MP for Totnes, Dr Jane Smith and "
         "others.",
         unrelated("Jane Smith")),
        ("alongside-other-body", "Jane Smith, chief officer of Nene CCG, toured Kettering General "
         "Hospital alongside chief executive Tom Jones.",
         lacks("Tom Jones", "chief executive", "NHS Nene CCG")),
        ("a-ccg-chair", "NHS Nene CCG held a meeting. Jane Smith, a former CCG chair from Kent, "
         "spoke.",
         lacks("Jane Smith", "chair", "NHS Nene CCG")),
        ("title-of-another", "Tributes paid to Dr Jane Smith\n\nChief Executive of NHS Nene CCG "
         "Tom Jones said she was loved.",
         unrelated("Jane Smith")),
        ("party-after-place", "A Kent Conservative councillor said no. Surrey Heartlands chief "
         "executive Jane Smith spoke.",
         lambda d: d["place"] == ["Kent"]),
        # ...and the same rules still fire where they should.
        ("plural-owner", "Nene and Corby CCGs' accountable officer is Jane Smith.",
         lambda d: {(r["role"], r["org"]) for r in d["person_role"]} ==
         {("accountable officer", "NHS Nene CCG"), ("accountable officer", "NHS Corby CCG")}),
        ("fronted", "Taking over as chief officer of NHS Nene CCG is Jane Smith.",
         holds("Jane Smith", "chief officer", "NHS Nene CCG")),
        ("sign-offs", "Dr John Turner\nClinical Chair, NHS Nene CCG\n\nJane Smith\n"
         "Accountable Officer, NHS Nene CCG",
         holds("John Turner", "clinical chair", "NHS Nene CCG")),
        ("named-ccg-sentence", "Nene CCG said Alex Bailey, chief executive of Adur and Worthing "
         "Councils, would be seconded to be director of innovation.",
         holds("Alex Bailey", "director of innovation", "NHS Nene CCG")),
        ("green-in-name", "Patients at the Woodford Green surgery were moved. NHS Redbridge CCG "
         "said so.",
         lambda d: "Woodford" not in d["place"]),
        ("said-ends-reach", "NHS Wiltshire CCG met. Jane Smith, chief executive of the trust, "
         "said the waits for patients in the north of Wiltshire had doubled.",
         lambda d: "Wiltshire" in d["place"]),
    ]
    docs = extract_texts(cases)
    bad = [(doc_id, docs[doc_id]["ccg"], docs[doc_id]["place"], docs[doc_id]["person_role"])
           for doc_id, _, ok in cases if not ok(docs[doc_id])]
    eq(bad, [], "rules that over-read")


@test
def extractor_limits_are_crossed():
    # Each named bound of lib/entities/bounds.h read at its value and one past it.
    ROLE_REACH, MAX_OWNER_TOKENS, MAX_LOCAL_GROUP = (
        extractor_bounds()[name] for name in ("ROLE_REACH", "MAX_OWNER_TOKENS", "MAX_LOCAL_GROUP"))
    story = "NHS Corby CCG met. "

    def reach(n):       # "at" lands on token n after the role
        return (story + "Jane Smith, who was accountable officer on a " +
                "very " * (n - 4) + "permanent basis at NHS Nene CCG, left.")

    def owner(n):       # the owner before "accountable officer" is n tokens
        return ("The " + "very " * (n - 2) + "two CCGs' accountable officer is Jane Smith. "
                "NHS Nene CCG and NHS Corby CCG agreed.")

    def group(n):
        return "NHS Nene CCG and NHS Corby CCG met. Jane Smith is clinical director for " \
               "all %d CCGs in the region." % n
    cases = [
        ("reach-in", reach(ROLE_REACH - 1), holds("Jane Smith", "accountable officer",
                                                 "NHS Nene CCG")),
        ("reach-out", reach(ROLE_REACH), holds("Jane Smith", "accountable officer", None)),
        ("owner-in", owner(MAX_OWNER_TOKENS), holds("Jane Smith", "accountable officer",
                                                   "NHS Corby CCG")),
        ("owner-out", owner(MAX_OWNER_TOKENS + 1), unrelated("Jane Smith")),
        ("group-in", group(MAX_LOCAL_GROUP), holds("Jane Smith", "clinical director",
                                                   "NHS Corby CCG")),
        ("group-out", group(MAX_LOCAL_GROUP + 1), holds("Jane Smith", "clinical director", None)),
    ]
    docs = extract_texts(cases)
    eq([doc_id for doc_id, _, ok in cases if not ok(docs[doc_id])], [], "limits")


@test
def places_and_ccgs_read_as_their_names_say():
    docs = extract(os.path.join(CORPORA, "ccg_dev.jsonl"))
    # "Suffolk and north east Essex": both directions belong to the place.
    check("East Essex" not in docs["p0099"]["place"], repr(docs["p0099"]["place"]))
    check("North East Essex" in docs["p0099"]["place"], repr(docs["p0099"]["place"]))
    # "our two northern Staffordshire (North Staffs and Stoke) CCGs"
    eq(sorted(docs["p0128"]["ccg"]), ["NHS North Staffordshire CCG", "NHS Stoke-on-Trent CCG"],
       "a bracketed list of CCGs")
    check("Stoke" not in docs["p0128"]["place"], repr(docs["p0128"]["place"]))
    # "Staffordshire and Stoke-on-Trent CCGs": a county's CCGs and one CCG.
    check("NHS Stoke-on-Trent CCG" in docs["p0129"]["ccg"], repr(docs["p0129"]["ccg"]))
    check("Staffordshire" in docs["p0129"]["place"], repr(docs["p0129"]["place"]))
    # "the Newbury/West-Berks, Wokingham and North-and-West-Reading CCGs"
    check("NHS Newbury and District CCG" in docs["p0138"]["ccg"], repr(docs["p0138"]["ccg"]))
    check("Newbury" not in docs["p0138"]["place"], repr(docs["p0138"]["place"]))
    # A place inside another name is not a place ("Surrey Heartlands"), but
    # before "CCGs" or "GPs" it is ("Sandwell GPs" in p0076).
    check("Surrey" not in docs["p0057"]["place"], repr(docs["p0057"]["place"]))
    check("Sandwell" in docs["p0076"]["place"], repr(docs["p0076"]["place"]))
    # "Lancashire North's current chief officer Andrew Bennett": a CCG's own
    # name before its officer, named nowhere else.
    check("NHS Lancashire North CCG" in docs["p0123"]["ccg"], repr(docs["p0123"]["ccg"]))
    check({"person": "Andrew Bennett", "role": "chief officer", "org": "NHS Lancashire North CCG"}
          in docs["p0123"]["person_role"], repr(docs["p0123"]["person_role"]))
    # The same on general news: "the London Stock Exchange", "Manchester
    # United" and "South East Asia" name no place.
    path = os.path.join(tmpdir(), "news.jsonl")
    with open(os.path.join(CORPORA, "news.jsonl"), encoding="utf-8") as f, \
            open(path, "w", encoding="utf-8") as out:
        for line in f:
            if json.loads(line)["id"] in ("bbc-business-040", "bbc-business-209",
                                          "bbc-business-260"):
                out.write(line)
    news = extract(path)
    eq(len(news), 3, "news articles read")
    for doc_id, name in (("bbc-business-040", "London"), ("bbc-business-209", "Manchester"),
                         ("bbc-business-260", "South East")):
        check(name not in news[doc_id]["place"], "%s: %r" % (doc_id, news[doc_id]["place"]))
    seeds = extract(SEEDS)
    # "accountable officer on a permanent basis at Corby, and on an interim
    # basis at Nene": both bodies, far as Nene stands from the role.
    check({"person": "Carole Dehghani", "role": "accountable officer", "org": "NHS Nene CCG"}
          in seeds["000_a0141472471f05fe"]["person_role"], "ROLE_REACH")
    # "three Leicestershire and Rutland CCGs": the group's area, which the
    # seeds gold no longer lists as a place.
    check("Rutland" not in seeds["000_a0141472471f05fe"]["place"],
          repr(seeds["000_a0141472471f05fe"]["place"]))


@test
def extraction_reads_safely_to_the_last_token():
    # Patterns that look one token past a name, ending the text at every
    # length around the extractor's token-array sizes (512, 1024): under the
    # sanitizer build a read past the last token aborts.
    endings = [("Jane Smith, Chief Executive, NHS England",
                {"person": "Jane Smith", "role": "chief executive", "org": "NHS England"}),
               ("Jane Smith, NHS England", None),
               ("Jane Smith, the CCGs", None)]
    path = os.path.join(tmpdir(), "edges.jsonl")
    want = {}
    with open(path, "w", encoding="utf-8") as f:
        for size in list(range(495, 530)) + list(range(1010, 1040)):
            for k, (ending, rel) in enumerate(endings):
                doc_id = "edge-%d-%d" % (size, k)
                text = " ".join(["word"] * size) + ". " + ending
                f.write(json.dumps({"id": doc_id, "title": "Edge", "text": text}) + "\n")
                want[doc_id] = rel
    docs = extract(path)
    eq(len(docs), len(want), "every edge text extracted")
    for doc_id, rel in want.items():
        if rel:
            check(rel in docs[doc_id]["person_role"], "%s: %r" % (doc_id, docs[doc_id]["person_role"]))


@test
def extraction_survives_shuffled_text():
    # Runs of one to eight words of ccg_dev, as written (possessives,
    # hyphens, brackets and line breaks kept), joined in random order:
    # names, roles, lists and groups in every order and at every end, under
    # the sanitizer build too.  Seeded, so a failure repeats.
    import random
    rng = random.Random(20261125)
    words = []
    with open(os.path.join(CORPORA, "ccg_dev.jsonl"), encoding="utf-8") as f:
        for line in f:
            words += re.findall(r"\S+\s+", json.loads(line)["text"])
    check(any("CCG's" in w or "CCGs\u2019" in w for w in words), "possessives among the words")
    path = os.path.join(tmpdir(), "shuffled.jsonl")
    n = 1500
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            text = ["Shuffled "]
            size = rng.choice((3, 20, 80, 400, 600))
            while len(text) < size:
                at = rng.randrange(len(words))
                text += words[at:at + rng.randint(1, 8)]
            f.write(json.dumps({"id": "shuffle-%d" % i, "title": "Shuffled",
                                "text": "".join(text)}) + "\n")
    docs = extract(path)
    eq(len(docs), n, "every shuffled text extracted")
    check(sum(len(d["person_role"]) for d in docs.values()) > 0, "relations found at all")


@test
def general_news_people_and_places_are_what_they_say():
    # Issue 12: of the 100 commonest person values on general news, at most
    # 3 are not people.  These were, before the people pass stopped at a
    # firm's last word and dropped titles before names.
    docs = extract(os.path.join(CORPORA, "news.jsonl"))
    counts = collections.Counter(v for d in docs.values() for v in d["person"])
    top = [v for v, _ in counts.most_common(100)]
    for wrong in ("Morgan Stanley", "Minister Kiichi Miyazawa", "York Stock Exchange",
                  "Industries Inc", "World Bank", "White House", "General Motors Corp",
                  "Statistics Canada", "United States", "Federal Reserve",
                  "Exchequer Nigel Lawson"):
        check(wrong not in counts, "%r is a person (%d)" % (wrong, counts[wrong]))
    for right in ("Kiichi Miyazawa", "Tony Blair", "Nigel Lawson", "Alan Greenspan"):
        check(right in top, "%r not among the 100 commonest people" % right)
    # And places: "New York" is no York (733 documents before), surnames
    # after a given name or of a person the story names are no places, and
    # the world's countries and cities are places too (before they were in
    # the gazetteer, "Sale", "Hayes", "Stanley", "Fleet" and "Brent" were
    # among the 100).
    places = collections.Counter(v for d in docs.values() for v in d["place"])
    top = [v for v, _ in places.most_common(100)]
    check(places["York"] < 100, "York in %d documents" % places["York"])
    for wrong in ("Eastwood", "Arnold", "Crosby", "Sale", "Hayes", "Stanley", "Fleet", "Brent"):
        check(wrong not in top, "%r among the 100 commonest places" % wrong)
    # Football clubs named after their towns ("Chelsea boss Jose Mourinho",
    # "Liverpool fans"; before team_words.txt, Chelsea was a place in 67
    # documents, 65 of them sport, and Liverpool in 47).
    for club in ("Chelsea", "Liverpool"):
        check(club not in top, "%r among the 100 commonest places (%d)" % (club, places[club]))
    for right in ("London", "Britain", "Birmingham", "New York", "Japan", "United States",
                  "West Germany", "Tokyo"):
        check(right in top, "%r not among the 100 commonest places" % right)


@test
def extraction_scores_stay_at_their_targets():
    # A regression guard: each facet of ccg_dev and of ccg_dev2 stays at
    # issue 12's target for one set (0.03 below the pooled target), or,
    # where that is not met yet (place on ccg_dev2), at today's figure.
    p = subprocess.run([os.path.join(ROOT, "scripts", "eval-entities")], capture_output=True,
                       text=True, env=dict(os.environ), timeout=300)
    eq(p.returncode, 0, "eval-entities exit status: " + p.stderr[-500:])
    floors = {"ccg": 0.94, "role": 0.90, "person": 0.92, "org": 0.85, "place": 0.87,
              "person_role": 0.82}
    for name, below in (("ccg_dev", {}), ("ccg_dev2", {"place": 0.82})):
        table = p.stdout.split("\n%s (" % name)[1].split("\n\n")[0]
        scores = {m.group(1): float(m.group(2))
                  for m in re.finditer(r"^  (\w+) +[\d.]+ +[\d.]+ +([\d.]+)", table, re.M)}
        for facet, floor in floors.items():
            floor = below.get(facet, floor)
            check(scores[facet] >= floor, "%s %s F1 %.3f fell below %.2f" %
                  (name, facet, scores[facet], floor))


@test
def filter_values_are_canonicalised():
    for value in ("Leicester City", "Leicester City CCG", "NHS Leicester City CCG",
                  "leicester city ccg", "NHS  Leicester  City  Clinical Commissioning Group"):
        a = search(d(), {"filter": {"ccg": [value]}, "limit": 10})
        eq(sorted(ids(a)), LEICESTER, "filter ccg %r" % value)
    a = search(d(), 'ccg:"Leicester City"')
    eq(sorted(ids(a)), LEICESTER, "ccg: in the query language")
    a = search(d(), {"filter": {"role": ["joint AO"]}})
    eq(a["total"], 5, "role filter canonicalised through the vocabulary")
    a = search(d(), {"filter": {"person": ["Professor Azhar Farooqi"]}})
    eq(sorted(ids(a)), LEICESTER[1:], "person filter drops titles")


@test
def facets_show_the_name_their_filter_selects():
    # Issue 12: "Tories" is shown (and counted once per document) as
    # "Conservative Party", the name whose filter selects it.
    path = os.path.join(tmpdir(), "parties.jsonl")
    texts = [("tory-1", "The Tories won the seat. The Conservative Party said so."),
             ("tory-2", "The Tories lost the vote on the hospital."),
             ("tory-3", "The Conservative Party chose a candidate.")]
    with open(path, "w", encoding="utf-8") as f:
        for doc_id, text in texts:
            f.write(json.dumps({"id": doc_id, "title": "Parties", "text": text}) + "\n")
    index = os.path.join(tmpdir(), "index")
    run_indexer("--index", index, path)
    dd = Daemon(index)
    a = search(dd, {"q": "", "limit": 0, "facets": ["org"], "facet_limit": 100})
    counts = {f["value"]: f["count"] for f in a["facets"]["org"]}
    eq(counts, {"Conservative Party": 3}, "org facet")
    a = search(dd, {"q": "", "filter": {"org": ["Conservative Party"]}, "limit": 10})
    eq(sorted(ids(a)), ["tory-1", "tory-2", "tory-3"], "the shown value selects them all")
    eq(dd.stop(), 0, "daemon exit status")


@test
def facet_counts_are_exact_and_drill_down():
    a = search(d(), {"q": "", "limit": 0, "facets": ["ccg", "role", "person", "place"],
                     "facet_limit": 100})
    eq(a["total"], 5, "total")
    counts = {f["value"]: f["count"] for f in a["facets"]["ccg"]}
    eq(counts["NHS Leicester City CCG"], 4, "NHS Leicester City CCG count")
    eq(counts["NHS Corby CCG"], 1, "NHS Corby CCG count")
    eq(len(a["hits"]), 0, "limit 0 gives no hits but full facets")
    # Filter on one CCG and one role: the CCG facet ignores its own filter.
    a = search(d(), {"filter": {"ccg": ["Corby"], "role": ["accountable officer"]}, "limit": 10,
                     "facets": ["ccg", "role"]})
    eq(ids(a), ["000_a0141472471f05fe"], "filtered hits")
    ccg_counts = {f["value"]: f["count"] for f in a["facets"]["ccg"]}
    eq(ccg_counts.get("NHS Leicester City CCG"), 4,
       "ccg counts over documents matching the role filter only: %r" % ccg_counts)
    role_counts = {f["value"]: f["count"] for f in a["facets"]["role"]}
    eq(role_counts.get("accountable officer"), 1, "role counts keep the ccg filter")
    # Within a facet values are OR-ed, across facets AND-ed.
    a = search(d(), {"filter": {"ccg": ["Corby", "Mid Essex"]}})
    eq(sorted(ids(a)), ["000_a0141472471f05fe", "004_7a0772fac955139b"], "OR within a facet")
    a = search(d(), {"filter": {"ccg": ["Corby"], "place": ["Essex"]}})
    eq(ids(a), [], "AND across facets")


@test
def hits_carry_entities_and_relations():
    a = search(d(), "Farooqi")
    h = [x for x in a["hits"] if x["id"] == "002_384a417d6ab5e7e1"][0]
    check("Azhar Farooqi" in h["entities"]["person"], repr(h["entities"]))
    check({"person": "Azhar Farooqi", "role": "clinical chair", "org": "NHS Leicester City CCG"}
          in h["person_role"], repr(h["person_role"]))


@test
def who_held_a_role_where():
    a = d().ask("WHO accountable officer at West Leicestershire")
    check(a["ok"], repr(a))
    eq(a["who"]["org"], "NHS West Leicestershire CCG", "org canonicalised")
    people = {x["person"] for x in a["answers"]}
    eq(people, {"Toby Sanders"}, "who")
    eq([doc["id"] for doc in a["answers"][0]["documents"]], ["000_a0141472471f05fe"], "documents")
    a = d().ask('WHO {"role": "clinical chair", "ccg": "Leicester City"}')
    ans = a["answers"]
    eq([x["person"] for x in ans], ["Azhar Farooqi"], "JSON form")
    dates = [doc["date"] for doc in ans[0]["documents"]]
    eq(dates[:2], ["2019-01-21", "2018-12-12"], "newest first")


@test
def which_roles_a_person_held():
    a = d().ask("WHO Toby Sanders")
    held = {(x["role"], x["org"]) for x in a["answers"]}
    for want in [("accountable officer", "NHS West Leicestershire CCG"),
                 ("chief executive", "NHS Nene CCG"), ("chief executive", "NHS Corby CCG")]:
        check(want in held, "%r in %r" % (want, held))
    eq(d().ask("WHO Nobody Atall")["answers"], [], "unknown person")
    eq(d().ask('WHO {"person": "x", "role": "chair"}')["error"]["code"], "bad_request",
       "person and role together")
    eq(d().ask('WHO {"colour": "red"}')["error"]["code"], "bad_request", "unknown field")
    eq(d().ask("WHO")["error"]["code"], "bad_request", "no argument")


@test
def who_keys_roles_as_facets_do():
    # The question and the index agree on a role the vocabulary does not
    # know: "&" reads as "and" and qualifiers such as "interim" drop.
    src = tmpdir()
    with open(os.path.join(src, "roles.jsonl"), "w") as f:
        f.write(json.dumps({"id": "r1", "title": "Corby board", "date": "2019-02-01",
                            "body": "Jane Example, head of quality and safety at Corby CCG, "
                                    "said the plans were sound."}) + "\n")
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, src)
    dd = Daemon(ix)
    want = [("Jane Example", "head of quality and safety", "NHS Corby CCG")]
    for q in ("WHO head of quality and safety at Corby", "WHO head of quality & safety at Corby",
              'WHO {"role": "Interim Head of Quality & Safety", "ccg": "Corby"}',
              'WHO {"role": "head of quality and safety"}'):
        a = dd.ask(q)
        eq([(x["person"], x["role"], x["org"]) for x in a["answers"]], want, q)
    eq(dd.stop(), 0, "daemon exit")


@test
def who_refuses_names_longer_than_a_term():
    # CS_XS_MAX_TERM_BYTES is 240 and the person term is "XHP" + the name's
    # key: a 237-byte name fits, a 238-byte one does not.
    name = " ".join(["Abcdefghi"] * 23) + " Abcdefg"
    eq(len(name), 237, "name length")
    eq(d().ask(json_who(name))["answers"], [], "at the limit")
    a = d().ask(json_who(name + "h"))
    eq(a["error"]["code"], "bad_request", "one byte over")
    check("too long" in a["error"]["message"], repr(a))


def json_who(person):
    return "WHO " + json.dumps({"person": person})


@test
def who_reads_at_most_the_limit_of_documents():
    # CS_MAX_WHO_DOCUMENTS is 200: 201 documents stating one relation.
    src = tmpdir()
    with open(os.path.join(src, "many.jsonl"), "w") as f:
        for i in range(201):
            f.write(json.dumps({"id": "w%03d" % i, "title": "Note %d" % i,
                                "date": "2019-01-%02d" % (i % 28 + 1),
                                "body": "Jane Example, clinical chair of Corby CCG, said "
                                        "the plans were sound (%d)." % i}) + "\n")
    ix = os.path.join(tmpdir(), "index")
    run_indexer("--index", ix, src)
    dd = Daemon(ix)
    a = dd.ask("WHO clinical chair at Corby")
    eq(a["documents"], 201, "documents stating it")
    check(a["truncated"] is True, "says it read only some")
    eq(len(a["answers"][0]["documents"]), 200, "documents listed")
    eq(dd.stop(), 0, "daemon exit")


@test
def cli_shows_facets_and_who():
    port = str(d().port)
    p = subprocess.run([binary("ccg-search"), "-p", port, "--ccg", "Leicester City", "--role",
                        "clinical chair", "--facets"], capture_output=True, text=True)
    eq(p.returncode, 0, p.stderr)
    check(re.search(r"^ccg +NHS .*\(\d+\)", p.stdout, re.M), "ccg facet line: " + p.stdout[-800:])
    check(re.search(r"^person +Azhar Farooqi \(3\)", p.stdout, re.M), p.stdout[-800:])
    p = subprocess.run([binary("ccg-search"), "-p", port, "--who", "Toby Sanders"],
                       capture_output=True, text=True)
    eq(p.returncode, 0, p.stderr)
    check("Toby Sanders, chief executive, NHS Nene CCG" in p.stdout, p.stdout)


def seeds_gold_at(org):
    """The (person, role) pairs that the seeds gold relates to org."""
    with open(os.path.join(CORPORA, "seeds.gold.jsonl"), encoding="utf-8") as f:
        return {(r["person"], r["role"]) for line in f if line.strip()
                for r in json.loads(line).get("person_role", []) if r.get("org") == org}


@test
def who_names_everyone_at_an_organisation():
    org = "NHS Leicester City CCG"
    want = seeds_gold_at(org)
    check(want, "the seeds gold names someone at " + org)
    a = d().ask("WHO " + org)
    check(a["ok"], repr(a))
    eq(a["who"], {"person": None, "role": None, "org": org}, "the question")
    eq({(x["person"], x["role"]) for x in a["answers"]}, want, "the seeds gold's people there")
    check(all(x["org"] == org for x in a["answers"]), repr(a["answers"]))
    dates = [doc["date"] or "" for doc in a["answers"][0]["documents"]]
    eq(dates, sorted(dates, reverse=True), "newest first")
    for q in ('WHO {"org": "NHS Leicester City CCG"}', 'WHO {"ccg": "Leicester City"}',
              "WHO Leicester City CCG"):
        b = d().ask(q)
        b["took_us"] = a["took_us"]
        eq(b, a, q + " answers as the plain form does")
    for q in ('WHO {"org": "NHS Nowhere CCG"}', "WHO NHS Nowhere CCG"):
        b = d().ask(q)
        check(b["ok"], q + ": " + repr(b))
        eq((b["documents"], b["answers"]), (0, []), q + ": an empty answer, not an error")
    # The other readings hold: a role at the CCG, and a person.
    eq([x["person"] for x in d().ask("WHO clinical chair at " + org)["answers"]],
       ["Azhar Farooqi"], "role at org")
    eq(d().ask("WHO Azhar Farooqi")["who"]["person"], "Azhar Farooqi", "a person")


@test
def cli_shows_everyone_at_an_organisation_and_says_so_in_help():
    port = str(d().port)
    p = subprocess.run([binary("ccg-search"), "-p", port, "--who", "NHS Leicester City CCG"],
                       capture_output=True, text=True)
    eq(p.returncode, 0, p.stderr)
    lines = p.stdout.splitlines()
    eq(lines[0], "Azhar Farooqi, clinical chair, NHS Leicester City CCG", p.stdout)
    check(re.match(r"^    2019-01-21  003_0ecb9dfa299ccda2  ", lines[1]), p.stdout)
    p = subprocess.run([binary("ccg-search"), "--help"], capture_output=True, text=True)
    check("everyone named at an organisation" in p.stdout, p.stdout)


@test
def readme_who_examples_run():
    # README's "Entities" examples, as written, against the seeds.
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        examples = re.findall(r'^    bin/ccg-search --who "([^"]+)"$', f.read(), re.M)
    check("NHS Leicester City CCG" in examples, repr(examples))
    port = str(d().port)
    for q in examples:
        p = subprocess.run([binary("ccg-search"), "-p", port, "--who", q],
                           capture_output=True, text=True)
        eq(p.returncode, 0, q + ": " + p.stderr)
        check(p.stdout and "Nothing found." not in p.stdout, q + ": " + p.stdout)


@test
def the_shared_daemon_stops_cleanly():
    eq(d().stop(), 0, "exit status after all the above (no leak, no crash)")


run()
