/* Every limit a client or an input can reach, in one place (Xapian's own
 * term length limit, CS_XS_MAX_TERM_BYTES, stays with the shim).
 *
 * Each limit here has a test that crosses it; the test names the constant,
 * so `grep -rn NAME tests/` finds it.  A limit that a
 * command-line option can change is named *_DEFAULT; the option overrides it
 * at start-up and the enforcing code reads the configured value.
 */
#ifndef CS_LIMITS_H
#define CS_LIMITS_H

/* CS_STR(CS_MAX_QUERY_TERMS) is "64": limits quoted in messages. */
#define CS_STR_(x) #x
#define CS_STR(x) CS_STR_(x)

/* --- protocol (searchd) -------------------------------------------------- */

/* Longest request line, LF excluded; longer lines get line_too_long and the
 * connection is closed, because we cannot tell where the next request starts
 * without buffering the whole oversized one.  --max-line. */
#define CS_MAX_LINE_DEFAULT (64 * 1024)

/* Largest `limit` a SEARCH may ask for. */
#define CS_MAX_RESULT_LIMIT 100

/* Largest `offset` a SEARCH may ask for: deep paging makes Xapian rank
 * offset+limit documents, so an unbounded offset is a cheap way to make the
 * server do a lot of work. */
#define CS_MAX_RESULT_OFFSET 10000

/* Largest facet_limit (values returned per facet). */
#define CS_MAX_FACET_LIMIT 1000

/* Most memory the daemon's hit summaries take (each document's stored
 * data without its body, held in memory so that a hit costs no B-tree
 * lookup: the values and 4 bytes of offset per document id); an index
 * whose summaries need more has its hits read from disk instead.  About
 * 330 bytes per news article: 256 MiB holds some 800,000.  While a commit
 * extends the table a second copy exists for a moment, and the values of
 * documents deleted or changed since they were read stay until they
 * outnumber the live ones (CS_XS_TABLE_STALE_SLACK, index/xapian_shim.h). */
#define CS_MAX_HIT_MEMORY ((size_t)256 << 20)

/* Default number of hits and facet values when a request names none. */
#define CS_DEFAULT_RESULT_LIMIT 10
#define CS_DEFAULT_FACET_LIMIT 10

/* Most terms (words, phrase words, filters) one query may hold; past this the
 * query is refused with bad_query rather than run slowly.  Text searched with
 * "syntax":"plain" is never refused: its words past the limit are dropped.
 * With "match":"any" the plain words that are alternatives do not count
 * here but towards CS_MAX_ANY_TERMS. */
#define CS_MAX_QUERY_TERMS 64

/* Most distinct words searched as alternatives ("match":"any": the plain
 * words of the query's top level, or all the words of "syntax":"plain"),
 * Lucene's default clause limit: a pasted page of text is searched whole.
 * A repeated word counts once (and weighs more); stopwords do not count.
 * Past it the new words are dropped, never refused: pasted text should just
 * work.  Repeats of a word already searched are bounded by the line. */
#define CS_MAX_ANY_TERMS 1024

/* Alternatives past this many (after merging repeats and dropping
 * stopwords) are searched as Xapian's ELITE_SET of this many: the ones of
 * highest maximum weight, that is the rarest words.  The common words of a
 * pasted page add little to its ranking and would make it match, and
 * score, nearly every document. */
#define CS_ANY_ELITE_TERMS 100

/* Pseudo-relevance feedback ("match":"any", docs/ranking.md) runs only for
 * queries of at most this many terms (alternatives included): it lifts the
 * ranking of short queries, which say little, while a pasted page is its
 * own description, and feedback would double its cost. */
#define CS_MAX_FEEDBACK_TERMS 64

/* Deepest nesting of parentheses in a query; bounds the parser's recursion. */
#define CS_MAX_QUERY_DEPTH 32

/* Largest n of NEAR/n: wider than any article's sentence structure, and a
 * bound on the positions Xapian's NEAR has to consider. */
#define CS_MAX_NEAR_WINDOW 1000

/* Most word positions the phrases and NEARs of one query may make Xapian
 * read, as the shim estimates it before running the query (the documents
 * holding each phrase's rarest word, times the positions of all its words
 * each of them holds on average); past it the query is refused with
 * bad_query.  Xapian's time limit cannot stop a phrase or a NEAR, so this
 * is what bounds them: 64 "the" joined by NEAR/1000 is far past it,
 * "the nhs" or a pasted sentence with one rare word far below it. */
#define CS_MAX_POSITIONAL_WORK 2000000

/* Most index terms a trailing-* wildcard may expand to.  Past it the query
 * is refused with bad_query ("more than 200 words start with ...; make the
 * wildcard longer"). */
#define CS_MAX_WILDCARD_EXPANSION 200

/* "prefix": the last word of a query is also matched as the beginning of
 * longer words (as-you-type search).  At most this many of the words it
 * begins are searched, the most frequent ones; the rest are left out, never
 * refused, so typing "co" cannot make a query slow or fail. */
#define CS_MAX_PREFIX_EXPANSION 100

/* A last word shorter than this many bytes (normalised) is matched as the
 * exact word only, never as a prefix: one letter begins too many words to
 * say anything. */
#define CS_MIN_PREFIX_BYTES 2

/* Most requests handled for one connection per event-loop turn before the
 * worker moves on to other connections: a pipelining client cannot starve
 * the rest. */
#define CS_REQUEST_BUDGET 32

/* ... and the most time: past it (after the request that crossed it), the
 * worker moves on too.  The loop answers only cheap requests itself (the
 * queries run on the query threads), so a turn stays well under the 50 ms
 * another client of the worker may wait. */
#define CS_TURN_BUDGET_US 5000

/* After its loop has served a request, a worker polls for the next one
 * without sleeping (yielding the CPU to any thread that wants it) for this
 * long before it blocks in epoll_wait.  A lone client's next request then
 * finds the worker awake: waking a thread whose CPU has halted costs tens
 * of microseconds, a good part of a cheap search.  An idle daemon spins
 * this long after its last request and no more (searchd/thread.c). */
#define CS_WORKER_SPIN_US 200

/* Query threads (SEARCH, SIMILAR, WHO run on them, off the event loops):
 * by default twice the workers.  --query-threads. */
#define CS_QUERY_THREADS_PER_WORKER 2

/* A query that costs more CPU time than this is slow: the next
 * CS_SLOW_QUERY_SPELL queries of its connection wait for the query threads
 * kept for slow ones (searchd/pool.h), never for those of cheap queries. */
#define CS_SLOW_QUERY_US 20000
#define CS_SLOW_QUERY_SPELL 16

/* A SEARCH is first tried on the worker's own loop as a slice
 * (searchd/pool.h), when it is cheap before it runs: at most
 * CS_SLICE_MAX_HITS hits asked for, CS_SLICE_MAX_TERMS terms, at most
 * CS_SLICE_MAX_MATCHES documents it may
 * match and CS_SLICE_POSITIONAL_WORK word positions its phrases and NEARs
 * may read (the shim's estimates from the index's statistics: Xapian's
 * time limit stops neither a phrase nor the visit of every match that
 * facets need).  It must then be done within CS_SLICE_US.  Otherwise it
 * is handed to the query threads and run again there; when it overran
 * CS_SLICE_US or is a slow query (CS_SLOW_POSTINGS below), the
 * connection's next CS_SLICE_SPELL searches go straight to them.  A
 * thread hop costs two wake-ups, more than a cheap search itself; a
 * slice costs the loop's other clients a few milliseconds at most (a
 * search visiting CS_SLICE_MAX_MATCHES documents with five facets takes
 * about 2 ms on the news corpus). */
#define CS_SLICE_US 5000
#define CS_SLICE_MAX_HITS 20
#define CS_SLICE_MAX_TERMS 16
#define CS_SLICE_MAX_MATCHES 10000
#define CS_SLICE_POSITIONAL_WORK 20000
#define CS_SLICE_SPELL 16

/* A search the slice deferred because of its estimates is costly, and goes
 * to the query threads kept for slow queries from the start, when its
 * terms' posting lists hold more than CS_SLOW_POSTINGS entries, its
 * phrases and NEARs may read more than CS_SLOW_POSITIONAL_WORK positions,
 * or its hits times their snippets' length pass CS_SLOW_SNIPPET_CHARS:
 * each of these is of the order of CS_SLOW_QUERY_US of work.  A client
 * that opens a new connection per costly query has no history for the
 * slow lane to go by; the estimates are that history. */
#define CS_SLOW_POSTINGS 100000
#define CS_SLOW_POSITIONAL_WORK 100000
#define CS_SLOW_SNIPPET_CHARS 50000

/* Seconds a client has to finish a request line once its first byte has
 * arrived (and an HTTP client a request, head and body): past it the
 * answer is timeout and the connection is closed.  The idle timeout alone
 * is reset by every byte, so without this a client sending a byte every
 * few seconds (slowloris) could hold its connection for ever.
 * --request-timeout. */
#define CS_REQUEST_TIMEOUT_DEFAULT 10

/* Once this many bytes of answers wait unsent for one client, the server stops
 * reading that client's requests until the client drains them, so a client
 * that never reads cannot make the server's memory grow without bound. */
#define CS_OUTPUT_HIGH_WATER (1024 * 1024)

/* Seconds a closing connection (after line_too_long, QUIT or shutdown)
 * goes on discarding what its client sends, so the client's kernel does not
 * reset the connection before the last answer is read; a deadline, so a
 * client that keeps sending cannot hold the connection open. */
#define CS_LINGER_TIMEOUT_S 2

/* Seconds a connection may stay idle before it is closed.  --idle-timeout. */
#define CS_IDLE_TIMEOUT_DEFAULT 300

/* Seconds a stopping daemon (SIGTERM, SIGINT) goes on answering the
 * requests its clients had already sent; past it, each connection is closed
 * after the last answer it has made whole, and the daemon exits.
 * --drain-timeout. */
#define CS_DRAIN_TIMEOUT_DEFAULT 10

/* Most simultaneous client connections.  --max-connections. */
#define CS_MAX_CONNECTIONS_DEFAULT 4096

/* Most simultaneous connections (line protocol and HTTP together) from one
 * IP address, so that one host cannot take every place of
 * --max-connections; past it the connection gets overloaded.  A quarter of
 * the default --max-connections: loopback is an address like any other,
 * and local benchmarks and tests open up to a thousand connections.  An
 * operator who lowers --max-connections lowers this too.  Unix-socket
 * clients have no address and count only under --max-connections.
 * --max-connections-per-address. */
#define CS_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT 1024

/* Per-query time limit in milliseconds (Xapian's Enquire time limit; the
 * answer is `timeout` when it is hit).  --query-timeout. */
#define CS_QUERY_TIMEOUT_MS_DEFAULT 2000

/* Most documents a WHO answer reads (newest first); the answer says when
 * there were more. */
#define CS_MAX_WHO_DOCUMENTS 200

/* Longest verb the query log writes as the client sent it (one that is no
 * verb of the protocol); a longer one is cut, with "...".  The whole line
 * is in the log's "query" all the same. */
#define CS_QUERY_LOG_VERB_BYTES 32

/* --- HTTP (searchd --http) ------------------------------------------------- */

/* Largest request body (POST /search, POST /who), as long as the longest
 * request line: a JSON request costs the same on either transport.  Past it
 * the answer is 413 and the connection is closed. */
#define CS_HTTP_MAX_BODY_BYTES CS_MAX_LINE_DEFAULT

/* Most bytes of request headers (names, values and their separators).
 * Past it the answer is 431 and the connection is closed. */
#define CS_HTTP_MAX_HEADERS_BYTES (16 * 1024)

/* libevent 2.1's evhttp answers input over its own caps itself, with an
 * HTML body and status 413 even for headers.  So its caps are set this many
 * times above ours and our limits are checked first: a request between the
 * two gets our JSON 413 or 431; one past evhttp's cap gets evhttp's 413 and
 * is never buffered beyond it, so memory stays bounded either way. */
#define CS_HTTP_EVHTTP_CAP_FACTOR 4

/* --- documents (indexer) --------------------------------------------------- */

/* Largest article (one file, or one JSON Lines record) the indexer accepts.
 * Bigger input is reported and skipped: no real article is this long, and a
 * line this long is almost always a corrupt or binary file. */
#define CS_MAX_RECORD_BYTES (8 * 1024 * 1024)

/* Most shards --jobs may build at once.  Each is a writer thread holding
 * up to Xapian's flush threshold of documents in memory, and the merge
 * reads them all at once; past this many the memory and the merge cost
 * more than any machine's cores give back. */
#define CS_MAX_INDEX_JOBS 64

/* Longest document id in bytes; Xapian terms are limited to 245 bytes and
 * the id becomes a term with a one-byte prefix. */
#define CS_MAX_ID_BYTES 200

/* Longest indexed term in bytes.  Longer tokens are URLs, hashes or garbage;
 * they are skipped rather than truncated so that they cannot collide. */
#define CS_MAX_TERM_BYTES 64

/* Longest title kept, in bytes (cut on a character boundary). */
#define CS_MAX_TITLE_BYTES 512

/* Longest author, section or tag kept, in bytes (cut on a character
 * boundary): each becomes a filter term (a two-byte prefix and its key)
 * that must stay under Xapian's term limit of 245 bytes. */
#define CS_MAX_FIELD_BYTES 200

/* Most tags (and, separately, authors) kept per article; later ones are
 * dropped.  A page's keywords meta can list hundreds for search engines. */
#define CS_MAX_TAGS 32

/* Deepest element nesting of an HTML page that the HTML reader walks for
 * text and metadata; what lies deeper is dropped.  libxml2's HTML parser
 * builds the tree without recursion (and without XML_PARSE_HUGE keeps its
 * own limits on names and text); this bounds our walk's recursion, and no
 * real page nests a paragraph this deep. */
#define CS_MAX_HTML_DEPTH 256

/* --- walking input directories (indexer) ---------------------------------- */

/* Deepest directory level below an input directory that the indexer walks
 * (and sizes for its progress bar).  Deeper directories are reported and
 * skipped: no archive nests this deep, and a chain of links could otherwise
 * make paths grow until PATH_MAX. */
#define CS_MAX_WALK_DEPTH 32

/* Most directories (and files reached through a link or with several hard
 * links) one run records by device and inode, so that each is read once
 * and a symlink loop ends.  Past it a directory or linked file is reported
 * and skipped: the record stays a fixed, small table (about 4 MB). */
#define CS_MAX_WALK_INODES 65536

/* Most entries of one directory held in memory at a time.  Entries are
 * read, sorted and indexed in batches of this many, so a directory of a
 * million files costs the memory of one batch; a directory that has no more
 * is indexed in fully sorted order. */
#define CS_MAX_DIR_BATCH 8192

/* --- results -------------------------------------------------------------- */

/* Default snippet length in characters, and the least and most a request
 * may ask for. */
#define CS_SNIPPET_CHARS_DEFAULT 300
#define CS_MIN_SNIPPET_CHARS 20
#define CS_MAX_SNIPPET_CHARS 2000

#endif
