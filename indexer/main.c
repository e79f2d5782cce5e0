/* ccg-indexer: read article files, understand them, index them.
 *
 * Inputs are plain-text articles, HTML pages (text/html.h), JSON Lines
 * files (.jsonl, .ndjson, .json), directories (walked recursively, hidden
 * entries skipped) and "-" (JSON Lines on stdin); other files are skipped
 * with a warning (kind_by_name(), then the content).  A bad record is
 * reported as "file:line: reason" and skipped; the run goes on.  The walk follows links but reads each
 * directory and file once, ends loops, reads only regular files (never a
 * FIFO, which would block) and holds bounded memory (lib/core/limits.h).  The exit status is non-zero only when an
 * input could not be read at all or the index could not be written.
 */
#define _GNU_SOURCE
#include "text/article.h"
#include "text/html.h"
#include "text/analyze.h"
#include "docbuild.h"
#include "entities/entities.h"
#include "entities/extract.h"
#include "index/indexdir.h"
#include "core/limits.h"
#include "index/schema.h"
#include "core/termsafe.h"
#include "core/util.h"
#include "index/xapian_shim.h"
#include <ccgsearch/version.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Commit an in-place update every this many changed documents, so readers
 * see progress and a crash loses little.  The same as FLUSH_THRESHOLD:
 * Xapian's automatic flush is a commit, so the summary's count of what was
 * committed stays true (unless XAPIAN_FLUSH_THRESHOLD is set otherwise). */
#define COMMIT_EVERY 250
/* Articles waiting for one shard's writer thread, at most; the reader
 * waits when a shard's queue is full, so memory stays bounded. */
#define SHARD_QUEUE 64
/* Xapian flushes a writer's buffered changes every this many documents
 * (XAPIAN_FLUSH_THRESHOLD; its default is 10,000) when nothing commits
 * sooner.  Smaller batches keep its in-memory posting maps small enough
 * to stay in cache.  On news.jsonl (22,004 articles, 2 cores, jemalloc,
 * unsynced shards) two shards took, in wall and CPU seconds, 9.5-9.6 and
 * 17.6-18.0 at 1,000; 9.1 and 16.7-16.9 at 500; 8.8-9.2 and 16.1-17.2 at
 * 250; 8.9 and 16.5 at 175; 9.2-9.4 and 17.3 at 100 (more, smaller
 * flushes: system time grows); synced, 10.6 s wall at 2,000 and 11.6 s at
 * 4,000.  One synced writer (--jobs 1) took 19.0 s wall at both 250 and
 * 1,000, with 1.1 s less CPU and 35 MB of RSS instead of 87 MB at 250.
 * A value set in the environment wins. */
#define FLUSH_THRESHOLD "250"
/* Read JSON Lines input in chunks of this size. */
#define READ_CHUNK (64 * 1024)
/* Characters of the body --extract prints. */
#define EXTRACT_BODY_CHARS 200

enum mode { MODE_INDEX, MODE_EXTRACT, MODE_DELETE, MODE_CHECK };

struct shard;

typedef struct run {
    enum mode mode;
    bool rebuild, quiet, progress;
    const char *index_dir;
    cs_xs_writer *w;            /* the one writer, when not sharded */
    struct shard *shards;       /* a parallel build's shards, or NULL */
    unsigned nshards;
    /* counts for the summary */
    unsigned long indexed, unchanged, skipped, unreadable, deleted, missing;
    unsigned long since_commit, queued;
    unsigned merged;            /* shards merged into the new index */
    double merge_secs;          /* closing and merging them took */
    /* documents written but not yet committed; those a failed commit lost */
    unsigned long pending, uncommitted;
    /* progress */
    unsigned long long bytes_total, bytes_done;
    long long started_us, last_draw_us;
    bool failed;            /* the index could not be written: stop */
} run;

/* One article handed to a shard's writer thread, which then owns it. */
typedef struct item {
    cs_article a;
    char hash[17];
    char *file;
    unsigned long lineno;
} item;

/* A shard of a parallel build: a writer thread with its own database and
 * a FIFO queue.  The reader sends every article with the same id to the
 * same shard, in input order, so a later record replaces an earlier one
 * exactly as one writer would. */
typedef struct shard {
    run *r;
    pthread_t thread;
    bool started;
    char *path;
    cs_xs_writer *w;
    pthread_mutex_t mu;
    pthread_cond_t more, room;
    item q[SHARD_QUEUE];
    size_t head, n;
    bool done;                  /* the reader sends no more */
    /* written by the thread, read after it is joined */
    unsigned long indexed, skipped;
    bool failed;
    bool flush_failed;          /* its writer's last flush failed */
} shard;

static volatile sig_atomic_t interrupted;
/* Reports and the progress bar, from the reader and the shards' threads. */
static pthread_mutex_t report_mu = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
"Usage: ccg-indexer --index DIR [options] PATH...\n"
"       ccg-indexer --extract PATH...\n"
"       ccg-indexer --index DIR --delete ID...\n"
"       ccg-indexer --index DIR --check\n"
"\n"
"Index article files into the ccgsearch index at DIR.\n"
"PATH is a plain-text article (.txt, .text, no or another extension), an\n"
"HTML page (.html, .htm, .xhtml, or content starting <!doctype html or\n"
"<html), a JSON Lines file (.jsonl, .ndjson, .json), a directory (walked\n"
"recursively; hidden entries skipped) or - for JSON Lines on standard input.\n"
"Other files (.csv, .bin, .pdf, images, archives..., or content with a NUL\n"
"byte or invalid UTF-8) are skipped with a warning.  An article file's id\n"
"is its name without the extension; a JSON record's id is its \"id\" field,\n"
"a string; a record without one gets an id made from its url (or title,\n"
"date and body) and a warning.  Fields author, section and tags (and an\n"
"HTML page's meta tags for them) are kept.  Symbolic\n"
"links are followed, each file and directory read once however many links\n"
"lead to it; a link back into the walk (a loop) or into an input directory\n"
"(read there under its own name) is skipped with a warning, as are FIFOs,\n"
"sockets and devices (only regular files are read) and directories more\n"
"than " CS_STR(CS_MAX_WALK_DEPTH) " levels below an input.  A byte of a file name that is not\n"
"UTF-8 is %%XX in its id; a date that cannot be read is reported, left empty.\n"
"\n"
"  -i, --index DIR   the index directory (created if missing)\n"
"      --rebuild     build a complete new index from PATHs beside the live\n"
"                    one and swap it in atomically when done (not begun\n"
"                    when a PATH is missing)\n"
"  -j, --jobs N      build a new index (a first run, or --rebuild) as N\n"
"                    shards in parallel threads, merged into one database\n"
"                    before it is swapped in (default: the number of cores,\n"
"                    at most " CS_STR(CS_MAX_INDEX_JOBS) "); updates of an existing index\n"
"                    and --delete use one writer\n"
"      --delete      the arguments are document ids to remove\n"
"      --extract     print what is understood of each document as JSON\n"
"                    (one object per line); write no index\n"
"      --check       check the live index at DIR with xapian-check\n"
"                    (xapian-tools): every table's structure, the postings\n"
"                    against the termlists; print what is wrong, write nothing\n"
"  -q, --quiet       no progress bar and no summary line\n"
"  -h, --help        this help\n"
"      --version     print the version and exit\n"
"\n"
"Documents are replaced by id; unchanged documents (same content hash) are\n"
"skipped.  Bad records are reported as FILE:LINE: REASON and skipped.\n"
"The summary counts a document as indexed once it is committed; when the\n"
"index cannot be written (a full disk) it says how many were not committed,\n"
"and the index keeps its last successful commit.\n"
"Exit status: 0 when every input could be read, 1 when some input could\n"
"not be read, the index could not be written or the run was interrupted\n"
"(SIGINT, SIGTERM), or --check found the index damaged, found no index at\n"
"DIR or could not check it (an indexer writing, xapian-check missing), 2\n"
"for a usage error.\n");
}

/* --- reporting ---------------------------------------------------------- */

static void clear_progress(run *r)
{
    if (r->progress && r->last_draw_us)
        fputs("\r\033[K", stderr);
}

static void report(run *r, const char *file, unsigned long lineno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(run *r, const char *file, unsigned long lineno, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&report_mu);
    clear_progress(r);
    /* A file name is anybody's bytes: one holding an escape sequence must
     * not reach the terminal as one. */
    char *shown = cs_term_safe_dup(file, CS_TS_ESCAPE_BACKSLASH);
    if (lineno)
        fprintf(stderr, "%s:%lu: ", shown ? shown : "(a file)", lineno);
    else
        fprintf(stderr, "%s: ", shown ? shown : "(a file)");
    free(shown);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    pthread_mutex_unlock(&report_mu);
}

static void draw_progress(run *r, bool force)
{
    long long now = cs_now_us();
    if (!r->progress || (!force && now - r->last_draw_us < 100000))
        return;
    pthread_mutex_lock(&report_mu);
    r->last_draw_us = now;
    double secs = (double)(now - r->started_us) / 1e6;
    unsigned long docs = r->indexed + r->unchanged + r->queued;
    double rate = secs > 0 ? (double)docs / secs : 0;
    int pct = r->bytes_total ? (int)(100.0 * (double)r->bytes_done / (double)r->bytes_total) : 0;
    if (pct > 100)
        pct = 100;
    char bar[31];
    int fill = pct * 30 / 100;
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r\033[K[%s] %3d%% %lu docs  %.0f docs/s", bar, pct, docs, rate);
    pthread_mutex_unlock(&report_mu);
}

/* --- one record ------------------------------------------------------------- */

/* FNV-1a, 64 bits, over the index format and the record: a changed parser
 * or schema re-indexes everything, an unchanged record is skipped. */
static void content_hash(const char *s, size_t len, char out[17])
{
    uint64_t h = 1469598103934665603ULL;
    const char *fmt = CS_INDEX_FORMAT "\n";
    for (const char *p = fmt; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    snprintf(out, 17, "%016" PRIx64, h);
}

/* Ids become terms and protocol arguments: no control characters, no
 * whitespace at the ends, bounded length. */
static const char *bad_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0)
        return "empty id";
    if (n > CS_MAX_ID_BYTES)
        return "id longer than the limit";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
            return "id holds a control character";
    if (!cs_utf8_valid(id, n))
        return "id is not valid UTF-8";
    if (id[0] == ' ' || id[n - 1] == ' ')
        return "id starts or ends with a space";
    return NULL;
}

static void print_extract(const cs_article *a, const cs_entities *e)
{
    /* The first EXTRACT_BODY_CHARS characters, cut on a character. */
    size_t n = 0, chars = 0;
    while (n < a->body_len && chars < EXTRACT_BODY_CHARS) {
        n++;
        while (n < a->body_len && ((unsigned char)a->body[n] & 0xC0) == 0x80)
            n++;
        chars++;
    }
    size_t total_chars = 0;
    for (size_t i = 0; i < a->body_len; i++)
        if (((unsigned char)a->body[i] & 0xC0) != 0x80)
            total_chars++;
    json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:s%}",
                          "id", a->id, "title", a->title,
                          "date", a->date ? json_string(a->date) : json_null(),
                          "source", a->source ? json_string(a->source) : json_null(),
                          "url", a->url ? json_string(a->url) : json_null(),
                          "body_length", (json_int_t)total_chars,
                          "body_start", a->body, n);
    json_t *tags = json_array();
    for (size_t i = 0; tags && i < a->ntags; i++)
        json_array_append_new(tags, json_string(a->tags[i]));
    if (o && tags) {
        json_object_set_new(o, "author", a->author ? json_string(a->author) : json_null());
        json_object_set_new(o, "section", a->section ? json_string(a->section) : json_null());
        json_object_set(o, "tags", tags);
    }
    json_decref(tags);
    json_t *ents = cs_entities_json(e);
    json_t *rel = cs_entities_relations_json(e);
    if (o && ents && rel) {
        json_object_update(o, ents);
        json_object_set(o, "person_role", rel);
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (s) {
            puts(s);
            free(s);
        }
    }
    json_decref(ents);
    json_decref(rel);
    json_decref(o);
}

/* Extract the entities of one article, build its document and add it
 * through w; counts into *indexed and *skipped, sets *failed when the
 * index cannot be written.  Called by the reader (one writer) or by a
 * shard's thread. */
static void add_article(run *r, cs_xs_writer *w, const cs_article *a, const char *hash,
                        const char *file, unsigned long lineno,
                        unsigned long *indexed, unsigned long *skipped, bool *failed)
{
    cs_entities e = { 0 };
    const char *why;
    if (!cs_extract(a, &e)) {
        report(r, file, lineno, "out of memory extracting entities");
        (*skipped)++;
        return;
    }
    cs_xs_doc *doc = cs_docbuild(a, &e, hash, &why);
    cs_entities_free(&e);
    if (!doc) {
        report(r, file, lineno, "%s", why);
        (*skipped)++;
        return;
    }
    cs_xs_status st = cs_xs_writer_replace(w, doc);
    cs_xs_doc_free(doc);
    if (st != CS_XS_OK) {
        report(r, file, lineno, "cannot index: %s", cs_xs_writer_last_error(w));
        *failed = true;
        return;
    }
    (*indexed)++;
}

/* The shard an id goes to: FNV-1a of the id, so that every record with
 * one id meets the same writer. */
static unsigned shard_of(const char *id, unsigned n)
{
    uint32_t h = 2166136261u;
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % n;
}

/* Hand article a (moved: *a is left empty) to its shard, waiting while
 * the shard's queue is full, and count it queued; out of memory, it is
 * reported and skipped.  False when that shard has failed. */
static bool send_to_shard(run *r, cs_article *a, const char *hash, const char *file,
                          unsigned long lineno)
{
    shard *sh = &r->shards[shard_of(a->id, r->nshards)];
    char *f = cs_strdup(file);
    if (!f) {
        report(r, file, lineno, "out of memory");
        r->skipped++;
        return true;
    }
    pthread_mutex_lock(&sh->mu);
    while (sh->n == SHARD_QUEUE && !sh->failed)
        pthread_cond_wait(&sh->room, &sh->mu);
    bool ok = !sh->failed;
    if (ok) {
        item *it = &sh->q[(sh->head + sh->n) % SHARD_QUEUE];
        it->a = *a;
        memset(a, 0, sizeof *a);
        memcpy(it->hash, hash, sizeof it->hash);
        it->file = f;
        it->lineno = lineno;
        sh->n++;
        pthread_cond_signal(&sh->more);
    }
    pthread_mutex_unlock(&sh->mu);
    if (ok)
        r->queued++;
    else
        free(f);
    return ok;
}

/* A shard's thread: add what the reader sends until it sends no more.
 * After a failure it keeps taking (and dropping) articles so that the
 * reader never waits on it. */
static void *shard_main(void *arg)
{
    shard *sh = arg;
    for (;;) {
        pthread_mutex_lock(&sh->mu);
        while (sh->n == 0 && !sh->done)
            pthread_cond_wait(&sh->more, &sh->mu);
        if (sh->n == 0) {
            pthread_mutex_unlock(&sh->mu);
            break;
        }
        item it = sh->q[sh->head];
        sh->head = (sh->head + 1) % SHARD_QUEUE;
        sh->n--;
        bool failed = sh->failed;
        pthread_cond_signal(&sh->room);
        pthread_mutex_unlock(&sh->mu);
        if (!failed && !interrupted) {
            bool f = false;
            add_article(sh->r, sh->w, &it.a, it.hash, it.file, it.lineno,
                        &sh->indexed, &sh->skipped, &f);
            if (f) {
                pthread_mutex_lock(&sh->mu);
                sh->failed = true;
                pthread_cond_signal(&sh->room);
                pthread_mutex_unlock(&sh->mu);
            }
        }
        cs_article_clear(&it.a);
        free(it.file);
    }
    /* The last flush (the postings still in memory) here, so that the
     * shards write theirs in parallel, not one by one.  The writer stays
     * open with its spelling words, which merge_shards() passes on. */
    sh->flush_failed = cs_xs_writer_commit(sh->w) != CS_XS_OK;
    return NULL;
}

/* Documents written since the last commit count as indexed (or deleted) only
 * once a commit has made them durable; when it fails they are reported as
 * not committed, so the summary never counts what the index does not hold. */
static void settle(run *r, bool committed)
{
    if (r->mode == MODE_DELETE) {
        r->pending = r->deleted;
        r->deleted = 0;
    }
    if (committed) {
        if (r->mode == MODE_DELETE)
            r->deleted = r->pending;
        else
            r->indexed += r->pending;
    } else {
        r->uncommitted += r->pending;
    }
    r->pending = 0;
}

/* Index (or print) one parsed article.  raw is the record's input text,
 * hashed to skip unchanged documents.  The article may be moved out of
 * *a (to a shard); the caller still clears it. */
static void take_article(run *r, cs_article *a, const char *raw, size_t rawlen,
                         const char *file, unsigned long lineno)
{
    const char *why = bad_id(a->id);
    if (r->failed)
        return;                     /* the index cannot be written: stop */
    if (a->bad_date && !a->date)
        report(r, file, lineno, "date \"%s\" is not a valid date; the date is left empty",
               a->bad_date);
    if (why) {
        report(r, file, lineno, "%s", why);
        r->skipped++;
        return;
    }
    if (r->mode == MODE_EXTRACT) {
        cs_entities e = { 0 };
        if (!cs_extract(a, &e)) {
            report(r, file, lineno, "out of memory extracting entities");
            r->skipped++;
            return;
        }
        print_extract(a, &e);
        r->indexed++;
        cs_entities_free(&e);
        return;
    }
    char hash[17];
    content_hash(raw, rawlen, hash);
    if (r->shards) {
        /* A new database: nothing to compare with. */
        if (!send_to_shard(r, a, hash, file, lineno))
            r->failed = true;
        return;
    }
    if (!r->rebuild) {
        /* Before extracting: an unchanged record costs a look-up only. */
        char *old = NULL;
        if (cs_xs_writer_get_value(r->w, a->id, CS_SLOT_HASH, &old, NULL) == CS_XS_OK &&
            strcmp(old, hash) == 0) {
            free(old);
            r->unchanged++;
            return;
        }
        free(old);
    }
    unsigned long before = r->pending;
    add_article(r, r->w, a, hash, file, lineno, &r->pending, &r->skipped, &r->failed);
    if (r->failed)
        r->uncommitted++;           /* the one that could not be written */
    if (r->pending == before)
        return;
    if (++r->since_commit >= COMMIT_EVERY && !r->rebuild) {
        if (cs_xs_writer_commit(r->w) != CS_XS_OK) {
            report(r, r->index_dir, 0, "commit failed: %s", cs_xs_writer_last_error(r->w));
            r->failed = true;
        }
        settle(r, !r->failed);
        r->since_commit = 0;
    }
}

/* The 1-based line of byte offset off in s. */
static unsigned long line_of(const char *s, size_t off)
{
    unsigned long n = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n')
            n++;
    return n;
}

/* --- JSON Lines --------------------------------------------------------------- */

static void take_json_line(run *r, const char *file, unsigned long lineno,
                           const char *line, size_t len)
{
    cs_article a;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    size_t skip = 0;
    while (skip < len && (line[skip] == ' ' || line[skip] == '\t'))
        skip++;
    if (skip == len)
        return;                                 /* blank lines are not records */
    if (memchr(line, '\0', len)) {
        report(r, file, lineno, "NUL byte in record (binary data?)");
        r->skipped++;
        return;
    }
    if (!cs_utf8_valid(line, len)) {
        report(r, file, lineno, "invalid UTF-8 at byte %zu of the line",
               cs_utf8_invalid_at(line, len) + 1);
        r->skipped++;
        return;
    }
    cs_err err;
    if (!cs_article_from_json(line, len, &a, &err)) {
        report(r, file, lineno, "%s", err.msg);
        r->skipped++;
        return;
    }
    if (a.id_derived)
        report(r, file, lineno, "no \"id\"; indexed as id %s, made from its %s", a.id,
               a.url ? "url" : "title, date and body");
    take_article(r, &a, line, len, file, lineno);
    cs_article_clear(&a);
}

static void skip_long_record(run *r, const char *file, unsigned long lineno)
{
    report(r, file, lineno, "record longer than the limit of %d bytes; skipped",
           CS_MAX_RECORD_BYTES);
    r->skipped++;
}

/* Read JSON Lines from fd in chunks; a line over the record limit is
 * reported and skipped without ever being held whole in memory. */
static bool read_jsonl(run *r, const char *file, int fd)
{
    char *buf = malloc(CS_MAX_RECORD_BYTES + READ_CHUNK);
    size_t have = 0;
    unsigned long lineno = 1;
    bool discarding = false, ok = true;

    if (!buf) {
        report(r, file, 0, "out of memory");
        return false;
    }
    for (;;) {
        if (interrupted || r->failed)
            break;
        ssize_t n = read(fd, buf + have, READ_CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            report(r, file, lineno, "read error: %s", strerror(errno));
            ok = false;
            break;
        }
        r->bytes_done += (unsigned long long)n;
        size_t end = have + (size_t)n, start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', end - start);
            if (!nl)
                break;
            size_t llen = (size_t)(nl - (buf + start));
            if (discarding) {
                discarding = false;
            } else if (llen > CS_MAX_RECORD_BYTES) {
                skip_long_record(r, file, lineno);
            } else {
                take_json_line(r, file, lineno, buf + start, llen);
                draw_progress(r, false);
            }
            lineno++;
            start += llen + 1;
        }
        /* Keep the unfinished line, unless it is already over the limit. */
        memmove(buf, buf + start, end - start);
        have = end - start;
        if (have > CS_MAX_RECORD_BYTES) {
            if (!discarding)
                skip_long_record(r, file, lineno);
            discarding = true;
            have = 0;
        }
        if (n == 0) {
            if (have > 0 && !discarding)
                take_json_line(r, file, lineno, buf, have);
            break;
        }
    }
    free(buf);
    return ok;
}

/* --- plain text ------------------------------------------------------------- */

static bool read_whole(int fd, size_t size_hint, char **out, size_t *len)
{
    size_t cap = size_hint + 1, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return false;
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > CS_MAX_RECORD_BYTES + 1)
                break;
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                return false;
            }
            buf = b;
            cap *= 2;
        }
        ssize_t k = read(fd, buf + n, cap - n - 1);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            return false;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return true;
}

/* The id of a plain-text file: its name without directory or extension.
 * A name that is not UTF-8 (an old Latin-1 archive) keeps its valid
 * characters and gets each invalid byte as %XX, so the id is a valid term
 * and protocol argument and the same name always gets the same id;
 * *escaped says so, for a warning. */
static char *id_from_path(const char *path, bool *escaped)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
    *escaped = !cs_utf8_valid(base, n);
    if (!*escaped)
        return cs_strndup(base, n);
    cs_buf b = { 0 };
    while (n > 0) {
        size_t ok = cs_utf8_invalid_at(base, n);
        cs_buf_add(&b, base, ok);
        if (ok < n) {
            cs_buf_printf(&b, "%%%02X", (unsigned char)base[ok]);
            ok++;
        }
        base += ok;
        n -= ok;
    }
    return cs_buf_take(&b);
}

/* What a file is read as: by its extension, then by its content. */
enum file_kind { FK_TEXT, FK_JSONL, FK_HTML, FK_OTHER };

/* Extensions of files that are never articles: data, documents, images,
 * archives, programs.  They are skipped with a warning, unread. */
static const char *const other_exts[] = {
    ".csv", ".tsv", ".xls", ".xlsx", ".ods", ".bin", ".dat", ".pdf", ".doc", ".docx",
    ".odt", ".rtf", ".ppt", ".pptx", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp",
    ".tif", ".tiff", ".svg", ".ico", ".mp3", ".mp4", ".wav", ".avi", ".mov", ".zip",
    ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".tar", ".rar", ".exe", ".dll", ".so",
    ".o", ".a", ".db", ".sqlite", ".xml", ".css", ".js", NULL,
};

static enum file_kind kind_by_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return FK_TEXT;                     /* decided by content */
    if (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".ndjson") || !strcasecmp(dot, ".json"))
        return FK_JSONL;
    if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm") || !strcasecmp(dot, ".xhtml"))
        return FK_HTML;
    for (int k = 0; other_exts[k]; k++)
        if (!strcasecmp(dot, other_exts[k]))
            return FK_OTHER;
    return FK_TEXT;
}

/* Read a plain-text or HTML article file; html when its name says so,
 * else when its content starts like a page. */
static bool read_article_file(run *r, const char *path, int fd, off_t size, bool html)
{
    if (size > CS_MAX_RECORD_BYTES) {
        report(r, path, 1, "file larger than the limit of %d bytes; skipped",
               CS_MAX_RECORD_BYTES);
        r->skipped++;
        r->bytes_done += (unsigned long long)size;
        return true;
    }
    char *text = NULL;
    size_t len = 0;
    if (!read_whole(fd, (size_t)size, &text, &len)) {
        report(r, path, 0, "cannot read: %s", strerror(errno ? errno : ENOMEM));
        return false;
    }
    r->bytes_done += len;
    if (!html)
        html = cs_html_sniff(text, len);
    const char *nul = memchr(text, '\0', len);
    size_t bad;
    bool escaped = false;
    char *id = NULL;
    cs_article a;
    if (len > CS_MAX_RECORD_BYTES) {
        report(r, path, 1, "file larger than the limit of %d bytes; skipped",
               CS_MAX_RECORD_BYTES);
        r->skipped++;
    } else if (nul) {
        report(r, path, line_of(text, (size_t)(nul - text)),
               "binary file (NUL byte); skipped");
        r->skipped++;
    } else if (!html && (bad = cs_utf8_invalid_at(text, len)) < len) {
        report(r, path, line_of(text, bad), "invalid UTF-8; skipped");
        r->skipped++;
    } else if (!(id = id_from_path(path, &escaped))) {
        report(r, path, 0, "out of memory");
        r->skipped++;
    } else {
        if (escaped)
            report(r, path, 0, "file name is not valid UTF-8; indexed as id %s", id);
        cs_err err;
        bool ok = html ? cs_article_from_html(id, text, len, &a, &err)
                       : cs_article_from_text(id, text, len, &a, &err);
        if (!ok) {
            report(r, path, html ? 0 : 1, "%s; skipped", err.msg);
            r->skipped++;
        } else {
            take_article(r, &a, text, len, path, 0);
            cs_article_clear(&a);
        }
    }
    free(id);
    free(text);
    draw_progress(r, false);
    return true;
}

/* --- walking ------------------------------------------------------------------ */

/* What one run has walked.  Directories, and files reached through a link
 * or having several hard links, are recorded by (device, inode) in a fixed
 * open-addressing table, so each is read once however many links lead to
 * it; the chain of directories being walked names a loop; and a link that
 * points back inside an input directory is skipped, its target being read
 * under its own path.  Nothing here follows a link without this record. */
typedef struct walk_key {
    dev_t dev;
    ino_t ino;
    bool used;
} walk_key;

/* Twice the entries, a power of two: probes stay short and always end. */
#define WALK_SLOTS (2 * CS_MAX_WALK_INODES)
_Static_assert((WALK_SLOTS & (WALK_SLOTS - 1)) == 0, "WALK_SLOTS must be a power of two");

static struct {
    walk_key *seen;                       /* WALK_SLOTS, allocated on first use */
    size_t nseen;
    walk_key chain[CS_MAX_WALK_DEPTH + 1];
    int depth;
    char **roots;                         /* real paths of the input directories */
    size_t nroots;
} walk;

static size_t walk_slot(dev_t dev, ino_t ino)
{
    uint64_t h = (uint64_t)dev * 0x9E3779B97F4A7C15ULL ^ (uint64_t)ino * 0xC2B2AE3D27D4EB4FULL;
    return (size_t)(h ^ (h >> 31)) & (WALK_SLOTS - 1);
}

/* Record st's (device, inode): 1 when it was recorded before, 0 when it is
 * recorded now, -1 when the table is full (or cannot be allocated). */
static int walk_record(const struct stat *st)
{
    if (!walk.seen && !(walk.seen = calloc(WALK_SLOTS, sizeof *walk.seen)))
        return -1;
    size_t h = walk_slot(st->st_dev, st->st_ino);
    for (; walk.seen[h].used; h = (h + 1) & (WALK_SLOTS - 1))
        if (walk.seen[h].dev == st->st_dev && walk.seen[h].ino == st->st_ino)
            return 1;
    if (walk.nseen >= CS_MAX_WALK_INODES)
        return -1;
    walk.seen[h] = (walk_key){ st->st_dev, st->st_ino, true };
    walk.nseen++;
    return 0;
}

static bool walk_in_chain(const struct stat *st)
{
    for (int i = 0; i < walk.depth; i++)
        if (walk.chain[i].dev == st->st_dev && walk.chain[i].ino == st->st_ino)
            return true;
    return false;
}

/* Remember the real path of every input directory, before walking. */
static void walk_init(char **paths, int n)
{
    walk.roots = calloc((size_t)n, sizeof *walk.roots);
    for (int i = 0; walk.roots && i < n; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode) &&
            (walk.roots[walk.nroots] = realpath(paths[i], NULL)))
            walk.nroots++;
    }
}

static void walk_free(void)
{
    for (size_t i = 0; i < walk.nroots; i++)
        free(walk.roots[i]);
    free(walk.roots);
    free(walk.seen);
    memset(&walk, 0, sizeof walk);
}

/* Does the link at path resolve to somewhere inside an input directory that
 * the walk reaches by itself (no hidden component on the way)? */
static bool walk_links_inside(const char *path)
{
    char *rp = realpath(path, NULL);
    bool inside = false;
    for (size_t i = 0; rp && i < walk.nroots && !inside; i++) {
        const char *root = walk.roots[i];
        size_t rl = strlen(root);
        if (rl == 1)
            rl = 0;                                     /* the root "/" */
        if (strncmp(rp, root, rl) == 0 && (rp[rl] == '/' || rp[rl] == '\0'))
            inside = !strstr(rp + rl, "/.");
    }
    free(rp);
    return inside;
}

static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" :
           S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
           "not a regular file";
}

static bool take_entry(run *r, const char *path, int level, bool via_link);

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk a directory at the given level below its input.  Entries are read,
 * sorted and taken CS_MAX_DIR_BATCH at a time, so runs are repeatable (ids
 * that clash resolve the same way every time) and memory stays bounded
 * however many entries the directory holds. */
static bool take_dir(run *r, const char *path, int level, bool via_link)
{
    DIR *d = opendir(path);
    if (!d) {
        report(r, path, 0, "cannot open directory: %s", strerror(errno));
        r->unreadable++;
        return false;
    }
    char **names = malloc(CS_MAX_DIR_BATCH * sizeof *names);
    bool ok = names != NULL, more = names != NULL;
    if (!names) {
        report(r, path, 0, "out of memory");
        r->unreadable++;
    }
    for (int batch = 0; more && !interrupted && !r->failed; batch++) {
        size_t n = 0;
        struct dirent *e;
        while (n < CS_MAX_DIR_BATCH) {
            errno = 0;
            if (!(e = readdir(d))) {
                if (errno) {
                    report(r, path, 0, "cannot read directory: %s", strerror(errno));
                    r->unreadable++;
                    ok = false;
                }
                more = false;
                break;
            }
            if (e->d_name[0] == '.')
                continue;
            if (!(names[n] = cs_strdup(e->d_name))) {
                report(r, path, 0, "out of memory");
                r->unreadable++;
                ok = more = false;
                break;
            }
            n++;
        }
        if (batch == 1 && n > 0)
            report(r, path, 0, "more than %d entries: sorted and indexed %d at a time "
                   "(CS_MAX_DIR_BATCH)", CS_MAX_DIR_BATCH, CS_MAX_DIR_BATCH);
        qsort(names, n, sizeof *names, cmp_names);
        for (size_t i = 0; i < n; i++) {
            cs_buf p = { 0 };
            cs_buf_printf(&p, "%s/%s", path, names[i]);
            if (p.oom) {
                report(r, path, 0, "out of memory");
                r->unreadable++;
                ok = false;
            } else if (!interrupted && !r->failed && !take_entry(r, p.s, level + 1, via_link)) {
                ok = false;
            }
            cs_buf_free(&p);
            free(names[i]);
        }
    }
    free(names);
    closedir(d);
    return ok;
}

/* Read one regular file.  Opened without blocking and checked again after
 * opening, so a file swapped for a FIFO after lstat cannot hang the run. */
static bool take_file(run *r, const char *path, const struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        report(r, path, 0, "cannot open: %s", strerror(errno));
        r->unreadable++;
        return false;
    }
    struct stat fst;
    bool ok;
    if (fstat(fd, &fst) != 0) {
        report(r, path, 0, "cannot stat: %s", strerror(errno));
        ok = false;
    } else if (!S_ISREG(fst.st_mode) || fst.st_dev != st->st_dev || fst.st_ino != st->st_ino) {
        report(r, path, 0, "changed while being opened; skipped");
        r->skipped++;
        close(fd);
        return true;
    } else {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        enum file_kind k = kind_by_name(path);
        if (k == FK_OTHER) {
            report(r, path, 0, "not an article file (text, JSON Lines or HTML), by its "
                   "extension; skipped");
            r->skipped++;
            r->bytes_done += (unsigned long long)fst.st_size;  /* the progress bar's */
            close(fd);
            return true;
        }
        ok = k == FK_JSONL ? read_jsonl(r, path, fd)
                           : read_article_file(r, path, fd, fst.st_size, k == FK_HTML);
    }
    if (!ok)
        r->unreadable++;
    close(fd);
    return ok;
}

/* One path of the walk, at level 0 when named on the command line.
 * via_link: reached through a symlinked directory. */
static bool take_entry(run *r, const char *path, int level, bool via_link)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        report(r, path, 0, "cannot open: %s", strerror(errno));
        r->unreadable++;
        return false;
    }
    bool link = S_ISLNK(st.st_mode);
    if (link && stat(path, &st) != 0) {
        if (errno == ELOOP) {
            report(r, path, 0, "symlink loop, skipped");
            return true;
        }
        report(r, path, 0, "cannot open: %s", strerror(errno));
        r->unreadable++;
        return false;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
        report(r, path, 0, "%s, not a regular file; skipped", file_kind(st.st_mode));
        r->skipped++;
        return true;
    }
    if (S_ISDIR(st.st_mode) && walk_in_chain(&st)) {
        report(r, path, 0, "symlink loop, skipped");
        return true;
    }
    if (link && level > 0 && walk_links_inside(path)) {
        report(r, path, 0, "symlink to a %s inside the input, skipped (read under its own path)",
               S_ISDIR(st.st_mode) ? "directory" : "file");
        return true;
    }
    if (S_ISDIR(st.st_mode) && level > CS_MAX_WALK_DEPTH) {
        report(r, path, 0, "more than %d directory levels below the input "
               "(CS_MAX_WALK_DEPTH); skipped", CS_MAX_WALK_DEPTH);
        r->unreadable++;
        return false;
    }
    if (S_ISDIR(st.st_mode) || link || via_link || st.st_nlink > 1) {
        int seen = walk_record(&st);
        if (seen > 0) {
            report(r, path, 0, "%s already read through another path; skipped",
                   S_ISDIR(st.st_mode) ? "directory" : "file");
            return true;
        }
        if (seen < 0) {
            report(r, path, 0, "more than %d directories and linked files in one run "
                   "(CS_MAX_WALK_INODES); skipped", CS_MAX_WALK_INODES);
            r->unreadable++;
            return false;
        }
    }
    if (S_ISREG(st.st_mode))
        return take_file(r, path, &st);
    walk.chain[walk.depth++] = (walk_key){ st.st_dev, st.st_ino, true };
    bool ok = take_dir(r, path, level, via_link || link);
    walk.depth--;
    return ok;
}

/* One input named on the command line; "-" is standard input. */
static bool take_path(run *r, const char *path)
{
    if (strcmp(path, "-") == 0)
        return read_jsonl(r, "<stdin>", STDIN_FILENO);
    return take_entry(r, path, 0, false);
}

/* Bytes of input, for the progress bar: regular files under path, to the
 * walk's depth limit.  Links below the inputs are not followed here (the
 * bar may reach 100% early), so no loop can make this walk endless. */
static unsigned long long input_size(const char *path, int level)
{
    struct stat st;
    if (level > CS_MAX_WALK_DEPTH + 1 || strcmp(path, "-") == 0 ||
        (level == 0 ? stat(path, &st) : lstat(path, &st)) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return (unsigned long long)st.st_size;
    if (!S_ISDIR(st.st_mode) || level > CS_MAX_WALK_DEPTH)
        return 0;
    unsigned long long total = 0;
    DIR *d = opendir(path);
    struct dirent *e;
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        cs_buf p = { 0 };
        cs_buf_printf(&p, "%s/%s", path, e->d_name);
        if (!p.oom)
            total += input_size(p.s, level + 1);
        cs_buf_free(&p);
    }
    closedir(d);
    return total;
}

/* --- the index ----------------------------------------------------------------- */

static bool bump_generation(run *r)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%lld", (long long)time(NULL));
    return cs_xs_writer_set_metadata(r->w, CS_META_GENERATION, buf) == CS_XS_OK &&
           cs_xs_writer_set_metadata(r->w, CS_META_FORMAT, CS_INDEX_FORMAT) == CS_XS_OK;
}

/* After the last commit: say plainly what a failed one lost and what the
 * index still holds. */
static void report_uncommitted(const run *r)
{
    if (!r->uncommitted)
        return;
    fprintf(stderr, "ccg-indexer: %s: %lu %s not committed; %s\n", r->index_dir,
            r->uncommitted, r->mode == MODE_DELETE ? "deletions were" : "documents were",
            r->rebuild ? "the live index is unchanged"
                       : "the index holds what its last successful commit wrote");
}

/* "not committed N, " for the summary line, or "". */
static const char *uncommitted_note(const run *r)
{
    static char buf[64];
    if (!r->uncommitted)
        return "";
    snprintf(buf, sizeof buf, "not committed %lu, ", r->uncommitted);
    return buf;
}

static int run_deletes(run *r, char **ids, int n)
{
    for (int i = 0; i < n; i++) {
        cs_xs_status st = cs_xs_writer_delete(r->w, ids[i]);
        if (st == CS_XS_OK) {
            r->deleted++;
        } else if (st == CS_XS_NOT_FOUND) {
            report(r, ids[i], 0, "no such document");
            r->missing++;
        } else {
            report(r, ids[i], 0, "cannot delete: %s", cs_xs_writer_last_error(r->w));
            r->failed = true;
            break;
        }
    }
    return 0;
}

/* The default of --jobs: one shard per core. */
static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > CS_MAX_INDEX_JOBS ? CS_MAX_INDEX_JOBS : (unsigned)n;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Open n shards' databases in scratch (00, 01, ...) and start their
 * threads.  On failure the shards started so far are left for
 * finish_shards(). */
static bool start_shards(run *r, unsigned n, const char *scratch, cs_err *err)
{
    r->shards = calloc(n, sizeof *r->shards);
    if (!r->shards)
        return cs_err_nomem(err);
    r->nshards = n;
    for (unsigned k = 0; k < n; k++) {
        shard *sh = &r->shards[k];
        sh->r = r;
        pthread_mutex_init(&sh->mu, NULL);
        pthread_cond_init(&sh->more, NULL);
        pthread_cond_init(&sh->room, NULL);
    }
    for (unsigned k = 0; k < n; k++) {
        shard *sh = &r->shards[k];
        cs_buf p = { 0 };
        cs_buf_printf(&p, "%s/%02u", scratch, k);
        if (!(sh->path = cs_buf_take(&p)))
            return cs_err_nomem(err);
        if (cs_xs_writer_open(sh->path, CS_XS_SCRATCH, CS_PREFIX_ID, &sh->w, err) != CS_XS_OK)
            return false;
        if (pthread_create(&sh->thread, NULL, shard_main, sh) != 0)
            return cs_err_set(err, CS_E_INTERNAL, "cannot start a shard's thread");
        sh->started = true;
    }
    return true;
}

/* Tell the shards there is no more, wait for them to commit their
 * databases, and add their counts to the run's.  False when a shard
 * could not be written. */
static bool finish_shards(run *r)
{
    bool ok = true;
    for (unsigned k = 0; k < r->nshards; k++) {
        shard *sh = &r->shards[k];
        pthread_mutex_lock(&sh->mu);
        sh->done = true;
        pthread_cond_signal(&sh->more);
        pthread_mutex_unlock(&sh->mu);
    }
    for (unsigned k = 0; k < r->nshards; k++) {
        shard *sh = &r->shards[k];
        if (sh->started)
            pthread_join(sh->thread, NULL);
        if (sh->flush_failed || !sh->w) {
            report(r, sh->path, 0, "cannot write the shard");
            sh->failed = true;
        }
        r->pending += sh->indexed;      /* indexed once merged and swapped in */
        r->skipped += sh->skipped;
        if (sh->failed || !sh->path)
            ok = false;
    }
    r->queued = 0;
    return ok;
}

static void free_shards(run *r)
{
    for (unsigned k = 0; k < r->nshards; k++) {
        shard *sh = &r->shards[k];
        cs_xs_writer_close(sh->w);
        pthread_mutex_destroy(&sh->mu);
        pthread_cond_destroy(&sh->more);
        pthread_cond_destroy(&sh->room);
        free(sh->path);
    }
    free(r->shards);
    r->shards = NULL;
    r->nshards = 0;
}

/* Merge the shards into the new generation at dest and open it as the
 * run's writer, for the spelling words, the metadata and the final
 * commit.  The shards hold no spelling: Xapian's compactor merges
 * spelling tables word by word, which on news.jsonl took half of the
 * merge (0.6 of 1.2 s), more than writing the words once into dest. */
static bool merge_shards(run *r, const char *dest, cs_err *err)
{
    const char **srcs = calloc(r->nshards, sizeof *srcs);
    if (!srcs)
        return cs_err_nomem(err);
    for (unsigned k = 0; k < r->nshards; k++)
        srcs[k] = r->shards[k].path;
    bool ok = cs_xs_compact(srcs, r->nshards, dest, err) == CS_XS_OK &&
              cs_xs_writer_open(dest, CS_XS_CREATE_OR_OPEN, CS_PREFIX_ID, &r->w, err) == CS_XS_OK;
    for (unsigned k = 0; ok && k < r->nshards; k++)
        if (cs_xs_writer_pass_spelling(r->shards[k].w, r->w) != CS_XS_OK)
            ok = cs_err_set(err, CS_E_NOMEM, "out of memory for the spelling words");
    free(srcs);
    return ok;
}

extern char **environ;

/* The table Xapian's check was on when it stopped: the last "name:" line
 * of its output ("position:"), or "" (into buf). */
static const char *last_table(const char *out, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (const char *p = out; *p;) {
        size_t n = strcspn(p, "\n");
        if (n > 1 && n < cap && p[n - 1] == ':' && !memchr(p, ' ', n))
            snprintf(buf, cap, "%.*s", (int)(n - 1), p);
        p += n + (p[n] == '\n');
    }
    return buf;
}

/* Run argv[0] (looked up in PATH) with argv, its standard output and error
 * both into *out, and wait for it: 0 with its wait status in *status, or
 * the errno of what failed (the pipe, or starting it: ENOENT when it is
 * not installed). */
static int run_captured(char *const argv[], cs_buf *out, int *status)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return errno;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    /* dup2() leaves the child's copies open across its exec. */
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            cs_buf_add(out, chunk, (size_t)n);
    close(fds[0]);
    if (rc == 0)
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
            ;
    return rc;
}

/* --check: the live generation of dir, checked by Xapian's own xapian-check
 * (xapian-tools) under the index's lock taken shared (a commit under way
 * would look like damage; other checks may run beside it).  Run apart, not
 * through Xapian::Database::check(): that frees its table checkers with
 * the wrong size, which AddressSanitizer stops on.  Prints its one line
 * unless quiet.  Exit status as main()'s. */
static int check_index(const char *dir, bool quiet)
{
    cs_err err = { 0 };
    /* Whether there is an index at all, before the lock; the generation
     * again once it is held (a swap may have come between). */
    char *db = cs_indexdir_current(dir, &err);
    int lockfd = db ? cs_indexdir_lock_shared(dir, &err) : -1;
    if (lockfd != -1) {
        free(db);
        db = cs_indexdir_current(dir, &err);
    }
    if (lockfd == -1 || !db) {
        fprintf(stderr, "ccg-indexer: %s\n", err.msg);
        free(db);
        if (lockfd >= 0)
            close(lockfd);
        return 1;
    }
    const char *gen = strrchr(db, '/') ? strrchr(db, '/') + 1 : db;
    char *args[] = { "xapian-check", db, NULL };
    cs_buf out = { 0 };
    int status = 0;
    int spawn_errno = run_captured(args, &out, &status);
    int rc = 1;
    unsigned docs = 0;
    cs_xs_reader *rd = NULL;
    char table[64];
    if (spawn_errno || (WIFEXITED(status) && WEXITSTATUS(status) == 127)) {
        if (!spawn_errno || spawn_errno == ENOENT)
            fprintf(stderr, "ccg-indexer: --check runs xapian-check, which is not installed "
                            "(Debian package xapian-tools)\n");
        else
            fprintf(stderr, "ccg-indexer: cannot run xapian-check: %s\n", strerror(spawn_errno));
    } else if (out.oom) {
        fprintf(stderr, "ccg-indexer: out of memory\n");
    } else if (WIFSIGNALED(status)) {
        fprintf(stderr, "ccg-indexer: %s: xapian-check was killed by signal %d before it "
                        "finished; the index was not checked\n", dir, WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0) {
        const char *t = last_table(out.len ? out.s : "", table, sizeof table);
        if (out.len)
            fwrite(out.s, 1, out.len, stderr);
        fprintf(stderr, "ccg-indexer: %s: %s is damaged%s%s%s\n", dir, gen, *t ? " in the " : "",
                t, *t ? " table" : "");
        fprintf(stderr, "ccg-indexer: rebuild it from the articles: ccg-indexer --index %s "
                        "--rebuild PATH...\n", dir);
    } else if (cs_xs_reader_open(db, CS_PREFIX_ID, &rd, &err) != CS_XS_OK) {
        fprintf(stderr, "ccg-indexer: %s: %s: %s\n", dir, gen, err.msg);
    } else if (cs_xs_reader_doccount(rd, &docs) != CS_XS_OK) {
        fprintf(stderr, "ccg-indexer: %s: %s: %s\n", dir, gen, cs_xs_reader_last_error(rd));
    } else {
        if (!quiet)
            printf("%s: %s: %u documents, no errors found\n", dir, gen, docs);
        rc = 0;
    }
    if (rd)
        cs_xs_reader_close(rd);
    cs_buf_free(&out);
    free(db);
    if (lockfd >= 0)
        close(lockfd);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "rebuild", no_argument, NULL, 'R' },
        { "jobs", required_argument, NULL, 'j' },
        { "delete", no_argument, NULL, 'D' },
        { "extract", no_argument, NULL, 'E' },
        { "check", no_argument, NULL, 'K' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    run r = { 0 };
    int c;
    unsigned jobs = default_jobs();
    int modes = 0;
    char *end;

    r.mode = MODE_INDEX;
    while ((c = getopt_long(argc, argv, "i:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': r.index_dir = optarg; break;
        case 'j': {
            errno = 0;
            unsigned long n = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || n < 1 ||
                n > CS_MAX_INDEX_JOBS) {
                fprintf(stderr, "ccg-indexer: --jobs must be a whole number from 1 to %d\n",
                        CS_MAX_INDEX_JOBS);
                return 2;
            }
            jobs = (unsigned)n;
            break;
        }
        case 'R': r.rebuild = true; break;
        case 'D': r.mode = MODE_DELETE; modes |= 1; break;
        case 'E': r.mode = MODE_EXTRACT; modes |= 2; break;
        case 'K': r.mode = MODE_CHECK; modes |= 4; break;
        case 'q': r.quiet = true; break;
        case 'h': usage(stdout); return 0;
        case 'v': puts("ccg-indexer (ccgsearch) " CCGSEARCH_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (modes & (modes - 1)) {
        fprintf(stderr, "ccg-indexer: use one of --delete, --extract and --check\n");
        return 2;
    }
    if (r.mode != MODE_EXTRACT && !r.index_dir) {
        fprintf(stderr, "ccg-indexer: --index DIR is required (see --help)\n");
        return 2;
    }
    if (r.mode == MODE_CHECK) {
        if (optind < argc || r.rebuild) {
            fprintf(stderr, "ccg-indexer: --check takes no PATH and no --rebuild (see --help)\n");
            return 2;
        }
        return check_index(r.index_dir, r.quiet);
    }
    if (optind == argc) {
        fprintf(stderr, "ccg-indexer: nothing to %s (see --help)\n",
                r.mode == MODE_DELETE ? "delete" : "index");
        return 2;
    }
    if (r.rebuild && r.mode != MODE_INDEX) {
        fprintf(stderr, "ccg-indexer: --rebuild cannot be combined with --delete or --extract\n");
        return 2;
    }
    /* A PATH that is not there is known before anything is written: a
     * --rebuild would swap in an index without it (an empty one, for a
     * mistyped archive path), and a first run with nothing to read would
     * leave an empty index behind. */
    if (r.mode == MODE_INDEX) {
        int missing = 0;
        struct stat st;
        for (int i = optind; i < argc; i++)
            missing += strcmp(argv[i], "-") != 0 && lstat(argv[i], &st) != 0;
        if (missing && (r.rebuild || missing == argc - optind)) {
            for (int i = optind; i < argc; i++)
                if (strcmp(argv[i], "-") != 0 && lstat(argv[i], &st) != 0)
                    fprintf(stderr, "%s: cannot open: %s\n", argv[i], strerror(errno));
            fprintf(stderr, "ccg-indexer: %s\n",
                    r.rebuild ? "a PATH is missing, so nothing was rebuilt; the live index is unchanged"
                              : "nothing to index; the index is unchanged");
            return 1;
        }
    }

    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    r.started_us = cs_now_us();
    r.progress = !r.quiet && r.mode != MODE_EXTRACT && isatty(STDERR_FILENO);

    /* Read by every writer Xapian opens; before any thread starts. */
    setenv("XAPIAN_FLUSH_THRESHOLD", FLUSH_THRESHOLD, 0);

    int lockfd = -1;
    cs_err err = { 0 };
    char *db_path = NULL, *scratch = NULL;
    bool swap_in = r.rebuild;
    if (r.mode != MODE_EXTRACT) {
        if ((lockfd = cs_indexdir_lock(r.index_dir, &err)) < 0)
            goto fatal;
        /* What a parallel build that died left behind. */
        cs_indexdir_clear_scratch(r.index_dir);
        db_path = r.rebuild ? cs_indexdir_next(r.index_dir, &err)
                            : cs_indexdir_live(r.index_dir, &err);
        if (!db_path)
            goto fatal;
        /* A new database (a first run or a rebuild) is built as shards in
         * parallel, merged and swapped in; an existing one is updated in
         * place by one writer, which skips unchanged documents. */
        bool fresh = r.rebuild || !is_dir(db_path);
        if (r.mode == MODE_INDEX && jobs > 1 && fresh) {
            if (!r.rebuild) {
                free(db_path);
                if (!(db_path = cs_indexdir_next(r.index_dir, &err)))
                    goto fatal;
            }
            swap_in = true;
            if (!(scratch = cs_indexdir_scratch(r.index_dir, &err)) ||
                !start_shards(&r, jobs, scratch, &err))
                goto fatal;
        } else {
            cs_xs_status st = cs_xs_writer_open(db_path, r.rebuild ? CS_XS_OVERWRITE
                                                                  : CS_XS_CREATE_OR_OPEN,
                                               CS_PREFIX_ID, &r.w, &err);
            if (st != CS_XS_OK)
                goto fatal;
        }
    }

    if (r.mode == MODE_DELETE) {
        run_deletes(&r, argv + optind, argc - optind);
    } else {
        walk_init(argv + optind, argc - optind);
        if (r.progress)
            for (int i = optind; i < argc; i++)
                r.bytes_total += input_size(argv[i], 0);
        for (int i = optind; i < argc && !interrupted && !r.failed; i++)
            take_path(&r, argv[i]);
        draw_progress(&r, true);
        clear_progress(&r);
        walk_free();
    }

    if (interrupted) {
        fprintf(stderr, "ccg-indexer: interrupted; %s\n",
                r.rebuild ? "the live index is unchanged"
                : swap_in ? "no index was made"
                          : "documents indexed so far are kept");
    }
    if (r.shards) {
        long long merge_us = cs_now_us();
        bool ok = finish_shards(&r);
        if (ok && !r.failed && !interrupted && !merge_shards(&r, db_path, &err)) {
            fprintf(stderr, "ccg-indexer: %s: cannot merge the shards: %s\n", r.index_dir,
                    err.msg);
            ok = false;
        }
        if (!ok)
            r.failed = true;
        else if (!interrupted)
            r.merged = r.nshards;
        r.merge_secs = (double)(cs_now_us() - merge_us) / 1e6;
        free_shards(&r);
        cs_indexdir_clear_scratch(r.index_dir);
    }
    if (r.w) {
        bool ok = !r.failed && bump_generation(&r) && cs_xs_writer_commit(r.w) == CS_XS_OK;
        if (!ok && !r.failed)
            fprintf(stderr, "ccg-indexer: %s: commit failed: %s\n", r.index_dir,
                    cs_xs_writer_last_error(r.w));
        if (!ok)
            r.failed = true;
        /* Closing commits what is pending: after a failed commit it may
         * still succeed, and then those documents are in the index. */
        bool closed = cs_xs_writer_close(r.w) == CS_XS_OK;
        if (!closed)
            r.failed = true;
        r.w = NULL;
        if (swap_in && !r.failed && !interrupted &&
            cs_indexdir_swap(r.index_dir, db_path, &err) != 0)
            goto fatal;
        settle(&r, r.rebuild || swap_in ? !r.failed && !interrupted : ok || closed);
    } else if (r.pending) {
        settle(&r, false);          /* the shards could not be merged */
    }
    if (r.mode != MODE_EXTRACT)
        report_uncommitted(&r);

    if (!r.quiet) {
        double secs = (double)(cs_now_us() - r.started_us) / 1e6;
        if (r.mode == MODE_DELETE)
            fprintf(stderr, "deleted %lu, not found %lu, %s%.2f s\n", r.deleted, r.missing,
                    uncommitted_note(&r), secs);
        else if (r.mode == MODE_EXTRACT)
            fprintf(stderr, "extracted %lu, skipped %lu, errors %lu, %.2f s\n",
                    r.indexed, r.skipped, r.unreadable, secs);
        else {
            bool done = !r.failed && !interrupted;
            char shards[96] = "";
            if (r.merged && done)
                snprintf(shards, sizeof shards, "%u shards merged in %.2f s; ", r.merged,
                         r.merge_secs);
            fprintf(stderr, "indexed %lu, unchanged %lu, skipped %lu, errors %lu, %s%.2f s%s%s%s\n",
                    r.indexed, r.unchanged, r.skipped, r.unreadable + r.failed,
                    uncommitted_note(&r), secs, done && (r.rebuild || r.merged) ? " (" : "",
                    shards, done && r.rebuild ? "rebuilt and swapped in)"
                    : done && r.merged ? "a new index)" : "");
        }
    }
    free(db_path);
    free(scratch);
    if (lockfd >= 0)
        close(lockfd);
    return (r.unreadable || r.failed || interrupted) ? 1 : 0;

fatal:
    fprintf(stderr, "ccg-indexer: %s\n", err.msg);
    if (r.shards) {
        finish_shards(&r);
        free_shards(&r);
        cs_indexdir_clear_scratch(r.index_dir);
    }
    free(db_path);
    free(scratch);
    cs_xs_writer_close(r.w);
    if (lockfd >= 0)
        close(lockfd);
    return 1;
}
