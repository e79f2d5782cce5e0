"""A client for ccg-searchd's line protocol (docs/protocol.md).

One request is one line; one answer is one line holding one JSON object,
and answers come back in request order.  Client keeps one connection and
a read buffer; every call writes a line and reads its answer, and a
Pipeline writes many lines before reading their answers.

Two kinds of failure, kept apart on purpose:
  - the server answered ``{"ok":false,"error":{...}}``: CCGError, with the
    protocol's error code; the connection stays usable (except after
    ``line_too_long`` and ``overloaded``, which the server closes);
  - the conversation itself failed: the built-in OSError family
    (ConnectionRefusedError and the other ConnectionErrors, socket.timeout
    (TimeoutError from Python 3.10), CCGConnectionError when the server
    closes without answering).  After such a failure the
    connection is closed, because requests and answers can no longer be
    paired; make a new Client.
"""
from __future__ import annotations

import json
import select
import socket
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7700
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_TIMEOUT = 30.0

# Requests a Pipeline keeps in flight before it reads an answer.  The
# server answers a pipelining client at most 32 requests at a time and
# pauses a client whose unread answers pass 1 MiB; 64 keeps its queue
# full without piling up more answers than that.
PIPELINE_WINDOW = 64

READ_CHUNK = 65536

FACETS = ("ccg", "role", "person", "org", "place")

# Codes after which the server closes the connection (docs/protocol.md).
_CLOSING_CODES = ("line_too_long", "overloaded")

StrOrList = Union[str, Sequence[str], None]


class CCGError(Exception):
    """The server refused a request: ``code`` is the protocol's error code
    (``bad_request``, ``bad_query``, ``not_found``, ``unknown_command``,
    ``line_too_long``, ``timeout``, ``overloaded``, ``internal``),
    ``message`` its explanation and ``raw`` the whole answer."""

    def __init__(self, code: str, message: str, raw: Optional[Dict[str, Any]] = None) -> None:
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.raw = raw if raw is not None else {
            "ok": False, "error": {"code": code, "message": message}}


class CCGConnectionError(ConnectionError):
    """The server closed the connection before answering, or the Client
    was already closed (after close() or an earlier transport failure)."""


@dataclass
class FacetCount:
    """One value of a facet and the number of matching documents with it."""
    value: str
    count: int


@dataclass
class Hit:
    """One ranked article.  ``date`` is ``YYYY-MM-DD`` or None; ``snippet``
    is HTML-safe with matches in ``<mark>``; ``entities`` maps each facet
    name to the canonical values the article names; ``author``,
    ``section`` (None when the article gives none) and ``tags`` are its
    descriptive fields (an extension: None, None and [] from a server
    without them); ``raw`` is the hit's JSON object as the server sent it."""
    rank: int
    id: str
    score: float
    title: str
    date: Optional[str]
    source: Optional[str]
    snippet: Optional[str]
    entities: Dict[str, List[str]]
    person_role: List[Dict[str, Optional[str]]]
    raw: Dict[str, Any] = field(repr=False)
    author: Optional[str] = None
    section: Optional[str] = None
    tags: List[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, h: Dict[str, Any]) -> "Hit":
        return cls(rank=h["rank"], id=h["id"], score=h["score"], title=h["title"],
                   date=h.get("date"), source=h.get("source"), snippet=h.get("snippet"),
                   entities=h.get("entities", {}), person_role=h.get("person_role", []),
                   raw=h, author=h.get("author"), section=h.get("section"),
                   tags=h.get("tags", []))


@dataclass
class SearchResult:
    """A SEARCH answer.  ``total`` counts every match over all pages;
    ``facets`` maps each requested facet to its counts, in the server's
    order; ``corrected`` is the spelling suggester's query, if any, and
    ``corrected_results`` says the hits are for it; ``raw`` is the whole
    answer."""
    total: int
    total_exact: bool
    offset: int
    limit: int
    took_us: Optional[int]
    hits: List[Hit]
    facets: Dict[str, List[FacetCount]]
    corrected: Optional[str]
    corrected_results: bool
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, a: Dict[str, Any]) -> "SearchResult":
        return cls(total=a["total"], total_exact=a.get("total_exact", True),
                   offset=a.get("offset", 0), limit=a.get("limit", 0),
                   took_us=a.get("took_us"),
                   hits=[Hit.from_json(h) for h in a.get("hits", [])],
                   facets={name: [FacetCount(v["value"], v["count"]) for v in values]
                           for name, values in a.get("facets", {}).items()},
                   corrected=a.get("corrected"),
                   corrected_results=bool(a.get("corrected_results", False)), raw=a)


@dataclass
class SimilarResult:
    """A SIMILAR answer: the articles most like ``id`` (itself excluded)."""
    id: str
    took_us: Optional[int]
    hits: List[Hit]
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, a: Dict[str, Any]) -> "SimilarResult":
        return cls(id=a["id"], took_us=a.get("took_us"),
                   hits=[Hit.from_json(h) for h in a.get("hits", [])], raw=a)


@dataclass
class Document:
    """A GET answer: the stored article with its entities and its
    descriptive fields (``author``, ``section``, ``tags``, as in Hit)."""
    id: str
    title: str
    date: Optional[str]
    source: Optional[str]
    url: Optional[str]
    body: str
    entities: Dict[str, List[str]]
    person_role: List[Dict[str, Optional[str]]]
    raw: Dict[str, Any] = field(repr=False)
    author: Optional[str] = None
    section: Optional[str] = None
    tags: List[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, a: Dict[str, Any]) -> "Document":
        d = a["document"]
        return cls(id=d["id"], title=d["title"], date=d.get("date"), source=d.get("source"),
                   url=d.get("url"), body=d.get("body", ""), entities=d.get("entities", {}),
                   person_role=d.get("person_role", []), raw=a, author=d.get("author"),
                   section=d.get("section"), tags=d.get("tags", []))


@dataclass
class WhoDocument:
    """An article that states a WHO answer."""
    id: str
    title: str
    date: Optional[str]


@dataclass
class WhoAnswer:
    """One (person, role, organisation) and the documents that state it,
    newest first.  ``org`` is None when no single organisation is named."""
    person: Optional[str]
    role: Optional[str]
    org: Optional[str]
    documents: List[WhoDocument]


@dataclass
class WhoResult:
    """A WHO answer.  ``who`` is the question as the server read it
    (``person``, ``role``, ``org``, canonicalised, None where not asked);
    ``documents`` counts every document stating an answer and
    ``truncated`` says when not all of them were read."""
    who: Dict[str, Optional[str]]
    documents: int
    truncated: bool
    took_us: Optional[int]
    answers: List[WhoAnswer]
    raw: Dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, a: Dict[str, Any]) -> "WhoResult":
        return cls(who=a["who"], documents=a["documents"], truncated=a["truncated"],
                   took_us=a.get("took_us"),
                   answers=[WhoAnswer(x.get("person"), x.get("role"), x.get("org"),
                                      [WhoDocument(d["id"], d["title"], d.get("date"))
                                       for d in x.get("documents", [])])
                            for x in a.get("answers", [])],
                   raw=a)


def _line_arg(verb: str, arg: str) -> str:
    """VERB SP ARG, refusing what would break the framing: a newline in
    ARG would end the request early and send the rest as another one."""
    if not isinstance(arg, str):
        raise TypeError("%s takes a string, not %s" % (verb, type(arg).__name__))
    if "\n" in arg or "\r" in arg:
        raise ValueError("%s argument contains a line break" % verb)
    if not arg.strip():
        raise ValueError("%s needs a non-empty argument" % verb)
    return "%s %s" % (verb, arg)


def _as_list(name: str, v: StrOrList) -> Optional[List[str]]:
    if v is None:
        return None
    if isinstance(v, str):
        return [v]
    values = list(v)
    for x in values:
        if not isinstance(x, str):
            raise TypeError("%s values must be strings, not %s" % (name, type(x).__name__))
    return values


def _compact(obj: Mapping[str, Any]) -> str:
    # ensure_ascii=False: the protocol is UTF-8, so names travel as they
    # are written; compact separators keep lines short.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def search_request(q: str = "", *, ccg: StrOrList = None, role: StrOrList = None,
                   person: StrOrList = None, org: StrOrList = None, place: StrOrList = None,
                   date_from: Optional[str] = None, date_to: Optional[str] = None,
                   sort: Optional[str] = None, match: Optional[str] = None,
                   limit: Optional[int] = None, offset: Optional[int] = None,
                   facets: Optional[Sequence[str]] = None, facet_limit: Optional[int] = None,
                   snippets: Optional[bool] = None, snippet_chars: Optional[int] = None,
                   syntax: Optional[str] = None, prefix: Optional[bool] = None,
                   author: StrOrList = None, section: StrOrList = None,
                   tag: StrOrList = None) -> Dict[str, Any]:
    """The SEARCH JSON object for these arguments (see Client.search).
    Arguments left at None are not sent, so the server's defaults apply."""
    obj: Dict[str, Any] = {"q": q}
    filt = {}
    for name, v in (("ccg", ccg), ("role", role), ("person", person), ("org", org),
                    ("place", place), ("author", author), ("section", section), ("tag", tag)):
        values = _as_list(name, v)
        if values is not None:
            filt[name] = values
    if filt:
        obj["filter"] = filt
    for name, v in (("date_from", date_from), ("date_to", date_to), ("sort", sort),
                    ("offset", offset), ("limit", limit), ("facet_limit", facet_limit),
                    ("snippets", snippets), ("snippet_chars", snippet_chars),
                    ("match", match), ("syntax", syntax), ("prefix", prefix)):
        if v is not None:
            obj[name] = v
    if facets is not None:
        obj["facets"] = [facets] if isinstance(facets, str) else list(facets)
    return obj


def _who_line(text: Optional[str], person: Optional[str], role: Optional[str],
              org: Optional[str]) -> str:
    if text is not None:
        if person is not None or role is not None or org is not None:
            raise ValueError("who() takes either text or person/role/org, not both")
        return _line_arg("WHO", text)
    obj = {k: v for k, v in (("person", person), ("role", role), ("org", org)) if v is not None}
    if not obj:
        raise ValueError("who() needs text, person, role or org")
    return "WHO " + _compact(obj)


def _ok(answer: Dict[str, Any]) -> Dict[str, Any]:
    return answer


class Client:
    """One connection to ccg-searchd.

    ``Client(host, port)`` connects over TCP at once; ``Client(unix=PATH)``
    over a Unix socket (``ccg-searchd --unix PATH``).  ``connect_timeout``
    bounds the connection, ``timeout`` each wait for the server during a
    request (seconds; None waits forever).  Use it as a context manager,
    or call close().  A Client is not thread-safe: give each thread its
    own (the server serves many connections in parallel)."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                 unix: Optional[str] = None,
                 connect_timeout: Optional[float] = DEFAULT_CONNECT_TIMEOUT,
                 timeout: Optional[float] = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self._buf = bytearray()
        self._sock: Optional[socket.socket]
        if unix is not None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.settimeout(connect_timeout)
                s.connect(unix)
            except BaseException:
                s.close()
                raise
        else:
            s = socket.create_connection((host, port), timeout=connect_timeout)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(timeout)
        self._sock = s

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; closing twice is a harmless no-op."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    @property
    def closed(self) -> bool:
        return self._sock is None

    # -- the wire ---------------------------------------------------------

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise CCGConnectionError("the connection is closed")
        return self._sock

    def _fail(self) -> None:
        # Requests and answers can no longer be paired: drop the connection.
        self.close()

    def _take_line(self) -> Optional[bytes]:
        i = self._buf.find(b"\n")
        if i < 0:
            return None
        line = bytes(self._buf[:i])
        del self._buf[:i + 1]
        return line

    def _read_answer(self) -> Dict[str, Any]:
        sock = self._socket()
        try:
            while True:
                line = self._take_line()
                if line is not None:
                    break
                chunk = sock.recv(READ_CHUNK)
                if not chunk:
                    raise CCGConnectionError("the server closed the connection without answering")
                self._buf += chunk
            return json.loads(line.decode("utf-8"))
        except BaseException:
            self._fail()
            raise

    def _check(self, answer: Dict[str, Any]) -> Dict[str, Any]:
        if answer.get("ok") is True:
            return answer
        err = answer.get("error") or {}
        code = err.get("code", "internal")
        if code in _CLOSING_CODES:
            self._fail()
        raise CCGError(code, err.get("message", ""), answer)

    def request(self, line: str) -> Dict[str, Any]:
        """Send one raw protocol request (without the LF) and return its
        answer as a dict; raises CCGError if the server refused it."""
        if "\n" in line or "\r" in line:
            raise ValueError("a request is one line")
        data = line.encode("utf-8") + b"\n"   # a bad string fails before anything is sent
        sock = self._socket()
        try:
            sock.sendall(data)
        except BaseException:
            self._fail()
            raise
        return self._check(self._read_answer())

    # -- the verbs --------------------------------------------------------

    def ping(self) -> bool:
        """PING: True when the server answers."""
        return bool(self.request("PING").get("pong"))

    def search(self, q: str = "", *, ccg: StrOrList = None, role: StrOrList = None,
               person: StrOrList = None, org: StrOrList = None, place: StrOrList = None,
               date_from: Optional[str] = None, date_to: Optional[str] = None,
               sort: Optional[str] = None, match: Optional[str] = None,
               limit: Optional[int] = None, offset: Optional[int] = None,
               facets: Optional[Sequence[str]] = None, facet_limit: Optional[int] = None,
               snippets: Optional[bool] = None, snippet_chars: Optional[int] = None,
               syntax: Optional[str] = None, prefix: Optional[bool] = None,
               author: StrOrList = None, section: StrOrList = None,
               tag: StrOrList = None) -> SearchResult:
        """SEARCH: ranked, faceted hits for ``q`` (the query language of
        docs/query-language.md; "" matches every document).

        ``ccg``, ``role``, ``person``, ``org`` and ``place`` filter by a
        value or a list of values (OR-ed within a facet, AND-ed across
        facets; "Leicester City" selects NHS Leicester City CCG);
        ``author``, ``section`` and ``tag`` filter the same way by the
        descriptive fields (exact values, case aside; an extension).
        ``date_from``/``date_to`` are ``YYYY-MM-DD``, inclusive; ``sort`` is
        ``relevance``, ``date`` or ``date_asc``; ``match`` ``all`` or
        ``any``; ``limit`` 0..100, ``offset`` 0..10000; ``facets`` names
        the facets to count ([] for none); ``facet_limit`` values per
        facet; ``snippets``/``snippet_chars`` shape the snippets.
        ``syntax`` and ``prefix`` are passed through for servers that
        know them.  Arguments left at None are not sent, so the server's
        defaults apply.  A bad field raises CCGError ``bad_request``, a
        query the language rejects ``bad_query``."""
        obj = search_request(q, ccg=ccg, role=role, person=person, org=org, place=place,
                             date_from=date_from, date_to=date_to, sort=sort, match=match,
                             limit=limit, offset=offset, facets=facets,
                             facet_limit=facet_limit, snippets=snippets,
                             snippet_chars=snippet_chars, syntax=syntax, prefix=prefix,
                             author=author, section=section, tag=tag)
        return SearchResult.from_json(self.request("SEARCH " + _compact(obj)))

    def get(self, id: str) -> Document:
        """GET: the stored document ``id``; CCGError ``not_found`` if none."""
        return Document.from_json(self.request(_line_arg("GET", id)))

    def similar(self, id: str) -> SimilarResult:
        """SIMILAR: the articles most like document ``id``."""
        return SimilarResult.from_json(self.request(_line_arg("SIMILAR", id)))

    def who(self, text: Optional[str] = None, *, person: Optional[str] = None,
            role: Optional[str] = None, org: Optional[str] = None) -> WhoResult:
        """WHO: who held a role where, a person's posts, or everyone named
        at an organisation.  ``text`` is read as the server reads plain
        text ("accountable officer at West Leicestershire", "Toby
        Sanders", "NHS Corby CCG"); or ask exactly with ``person=``,
        ``role=`` (with an optional ``org=``) or ``org=`` alone."""
        return WhoResult.from_json(self.request(_who_line(text, person, role, org)))

    def stats(self) -> Dict[str, Any]:
        """STATS: the server's figures as the JSON object it sends
        (docs/protocol.md lists them)."""
        return self.request("STATS")

    def help(self) -> Dict[str, Any]:
        """HELP: the protocol version and every verb with its usage."""
        return self.request("HELP")

    # -- pipelining -------------------------------------------------------

    def pipeline(self) -> "Pipeline":
        """A Pipeline on this connection: queue requests, then send them
        all and read their answers in order (see Pipeline)."""
        return Pipeline(self)

    def search_many(self, queries: Iterable[Union[str, Mapping[str, Any]]]) -> List[SearchResult]:
        """Many SEARCHes pipelined: each query is a string (``q``) or a
        mapping of search() keyword arguments.  Returns the results in
        order; if any was refused, raises the first one's CCGError after
        reading every answer (so the connection stays usable)."""
        p = self.pipeline()
        pending = [p.search(x) if isinstance(x, str) else p.search(**x) for x in queries]
        p.execute()
        return [x.result() for x in pending]

    def _exchange(self, lines: List[str]) -> List[Dict[str, Any]]:
        """Send lines and read one answer each, at most PIPELINE_WINDOW
        unanswered at a time.  Writing and reading are interleaved with
        select(), so neither side can block the other however large the
        requests or answers are."""
        data = [line.encode("utf-8") + b"\n" for line in lines]
        sock = self._socket()
        answers: List[Dict[str, Any]] = []
        out = bytearray()
        sent = 0            # requests wholly or partly moved into `out`
        try:
            sock.setblocking(False)
            while len(answers) < len(lines):
                while sent < len(lines) and sent - len(answers) < PIPELINE_WINDOW:
                    out += data[sent]
                    sent += 1
                line = self._take_line()
                if line is not None:
                    answers.append(json.loads(line.decode("utf-8")))
                    continue
                r, w, _ = select.select([sock], [sock] if out else [], [], self.timeout)
                if not r and not w:
                    raise socket.timeout("no answer from the server within %ss" % self.timeout)
                if w:
                    n = sock.send(out)
                    del out[:n]
                if r:
                    chunk = sock.recv(READ_CHUNK)
                    if not chunk:
                        raise CCGConnectionError(
                            "the server closed the connection after %d of %d answers"
                            % (len(answers), len(lines)))
                    self._buf += chunk
            sock.settimeout(self.timeout)
            return answers
        except BaseException:
            self._fail()
            raise


class Pending:
    """The answer to one request queued in a Pipeline, once it has run."""

    def __init__(self, decode: Callable[[Dict[str, Any]], Any]) -> None:
        self._decode = decode
        self._done = False
        self._value: Any = None
        self._error: Optional[CCGError] = None

    def _set(self, client: Client, answer: Dict[str, Any]) -> None:
        self._done = True
        try:
            self._value = self._decode(client._check(answer))
        except CCGError as e:
            self._error = e

    def result(self) -> Any:
        """The decoded answer (what the Client method of the same name
        returns), or raises its CCGError."""
        if not self._done:
            raise RuntimeError("the pipeline has not run yet (call execute() or leave its with)")
        if self._error is not None:
            raise self._error
        return self._value

    @property
    def error(self) -> Optional[CCGError]:
        """The CCGError the server answered, or None."""
        if not self._done:
            raise RuntimeError("the pipeline has not run yet")
        return self._error


class Pipeline:
    """Requests queued on one connection and sent together.

    Each method takes the arguments of the Client method of the same name
    and returns a Pending; execute() (or the end of a ``with`` block that
    raised nothing) sends every queued request, reads every answer in
    order and fills the Pendings:

        with client.pipeline() as p:
            a = p.search("merger", limit=3)
            b = p.who("Toby Sanders")
        print(a.result().total, len(b.result().answers))

    A refused request fills its Pending with the CCGError and the others
    still get their answers."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._queued: List[tuple] = []

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.execute()

    def __len__(self) -> int:
        return len(self._queued)

    def _add(self, line: str, decode: Callable[[Dict[str, Any]], Any]) -> Pending:
        if "\n" in line or "\r" in line:
            raise ValueError("a request is one line")
        p = Pending(decode)
        self._queued.append((line, p))
        return p

    def request(self, line: str) -> Pending:
        """A raw request line; its result is the answer dict."""
        return self._add(line, _ok)

    def ping(self) -> Pending:
        return self._add("PING", lambda a: bool(a.get("pong")))

    def search(self, q: str = "", **kwargs: Any) -> Pending:
        return self._add("SEARCH " + _compact(search_request(q, **kwargs)),
                         SearchResult.from_json)

    def get(self, id: str) -> Pending:
        return self._add(_line_arg("GET", id), Document.from_json)

    def similar(self, id: str) -> Pending:
        return self._add(_line_arg("SIMILAR", id), SimilarResult.from_json)

    def who(self, text: Optional[str] = None, *, person: Optional[str] = None,
            role: Optional[str] = None, org: Optional[str] = None) -> Pending:
        return self._add(_who_line(text, person, role, org), WhoResult.from_json)

    def stats(self) -> Pending:
        return self._add("STATS", _ok)

    def execute(self) -> List[Pending]:
        """Send every queued request and read the answers; returns the
        Pendings in order and empties the queue."""
        queued, self._queued = self._queued, []
        if not queued:
            return []
        answers = self._client._exchange([line for line, _ in queued])
        for (_, p), a in zip(queued, answers):
            p._set(self._client, a)
        return [p for _, p in queued]
