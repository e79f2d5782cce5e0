/* ccg-indexer: read article files, understand them, index them.
 *
 * Inputs are plain-text articles, JSON Lines files (.jsonl, .ndjson,
 * .json), directories (walked recursively, hidden entries skipped) and "-"
 * (JSON Lines on stdin).  A bad record is reported as "file:line: reason"
 * and skipped; the run goes on.  The exit status is non-zero only when an
 * input could not be read at all or the index could not be written.
 */
#define _GNU_SOURCE
#include "text/article.h"
#include "text/analyze.h"
#include "docbuild.h"
#include "entities/entities.h"
#include "entities/extract.h"
#include "index/indexdir.h"
#include "core/limits.h"
#include "index/schema.h"
#include "core/util.h"
#include "index/xapian_shim.h"
#include <ccgsearch/version.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Commit an in-place update every this many changed documents, so readers
 * see progress and a crash loses little. */
#define COMMIT_EVERY 5000
/* Read JSON Lines input in chunks of this size. */
#define READ_CHUNK (64 * 1024)
/* Characters of the body --extract prints. */
#define EXTRACT_BODY_CHARS 200

enum mode { MODE_INDEX, MODE_EXTRACT, MODE_DELETE };

typedef struct run {
    enum mode mode;
    bool rebuild, quiet, progress;
    const char *index_dir;
    cs_xs_writer *w;
    /* counts for the summary */
    unsigned long indexed, unchanged, skipped, unreadable, deleted, missing;
    unsigned long since_commit;
    /* progress */
    unsigned long long bytes_total, bytes_done;
    long long started_us, last_draw_us;
    bool failed;            /* the index could not be written: stop */
} run;

static volatile sig_atomic_t interrupted;

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
"\n"
"Index article files into the ccgsearch index at DIR.\n"
"PATH is a plain-text article, a JSON Lines file (.jsonl, .ndjson, .json),\n"
"a directory (walked recursively; hidden entries skipped) or - for JSON\n"
"Lines on standard input.  A plain-text article's id is its file name\n"
"without the extension; a JSON record's id is its \"id\" field.\n"
"\n"
"  -i, --index DIR   the index directory (created if missing)\n"
"      --rebuild     build a complete new index from PATHs beside the live\n"
"                    one and swap it in atomically when done\n"
"      --delete      the arguments are document ids to remove\n"
"      --extract     print what is understood of each document as JSON\n"
"                    (one object per line); write no index\n"
"  -q, --quiet       no progress bar and no summary line\n"
"  -h, --help        this help\n"
"      --version     print the version and exit\n"
"\n"
"Documents are replaced by id; unchanged documents (same content hash) are\n"
"skipped.  Bad records are reported as FILE:LINE: REASON and skipped.\n"
"Exit status: 0 when every input could be read, 1 when some input could\n"
"not be read, the index could not be written or the run was interrupted\n"
"(SIGINT, SIGTERM), 2 for a usage error.\n");
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
    clear_progress(r);
    if (lineno)
        fprintf(stderr, "%s:%lu: ", file, lineno);
    else
        fprintf(stderr, "%s: ", file);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void draw_progress(run *r, bool force)
{
    long long now = cs_now_us();
    if (!r->progress || (!force && now - r->last_draw_us < 100000))
        return;
    r->last_draw_us = now;
    double secs = (double)(now - r->started_us) / 1e6;
    unsigned long docs = r->indexed + r->unchanged;
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

/* Index (or print) one parsed article.  raw is the record's input text,
 * hashed to skip unchanged documents. */
static void take_article(run *r, cs_article *a, const char *raw, size_t rawlen,
                         const char *file, unsigned long lineno)
{
    const char *why = bad_id(a->id);
    cs_entities e = { 0 };
    if (why) {
        report(r, file, lineno, "%s", why);
        r->skipped++;
        return;
    }
    if (!cs_extract(a, &e)) {
        report(r, file, lineno, "out of memory extracting entities");
        r->skipped++;
        return;
    }
    if (r->mode == MODE_EXTRACT) {
        print_extract(a, &e);
        r->indexed++;
        cs_entities_free(&e);
        return;
    }
    char hash[17];
    content_hash(raw, rawlen, hash);
    if (!r->rebuild) {
        char *old = NULL;
        if (cs_xs_writer_get_value(r->w, a->id, CS_SLOT_HASH, &old, NULL) == CS_XS_OK &&
            strcmp(old, hash) == 0) {
            free(old);
            r->unchanged++;
            cs_entities_free(&e);
            return;
        }
        free(old);
    }
    cs_xs_doc *doc = cs_docbuild(a, &e, hash, &why);
    cs_entities_free(&e);
    if (!doc) {
        report(r, file, lineno, "%s", why);
        r->skipped++;
        return;
    }
    cs_xs_status st = cs_xs_writer_replace(r->w, doc);
    cs_xs_doc_free(doc);
    if (st != CS_XS_OK) {
        report(r, file, lineno, "cannot index: %s", cs_xs_writer_last_error(r->w));
        r->failed = true;
        return;
    }
    r->indexed++;
    if (++r->since_commit >= COMMIT_EVERY && !r->rebuild) {
        if (cs_xs_writer_commit(r->w) != CS_XS_OK) {
            report(r, r->index_dir, 0, "commit failed: %s", cs_xs_writer_last_error(r->w));
            r->failed = true;
        }
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
    char fallback[64];
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
    snprintf(fallback, sizeof fallback, "line-%lu", lineno);
    cs_err err;
    if (!cs_article_from_json(line, len, fallback, &a, &err)) {
        report(r, file, lineno, "%s", err.msg);
        r->skipped++;
        return;
    }
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

/* The id of a plain-text file: its name without directory or extension. */
static char *id_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
    return cs_strndup(base, n);
}

static bool read_text_file(run *r, const char *path, int fd, off_t size)
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
    const char *nul = memchr(text, '\0', len);
    size_t bad;
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
    } else if ((bad = cs_utf8_invalid_at(text, len)) < len) {
        report(r, path, line_of(text, bad), "invalid UTF-8; skipped");
        r->skipped++;
    } else if (!(id = id_from_path(path))) {
        report(r, path, 0, "out of memory");
        r->skipped++;
    } else {
        cs_err err;
        if (!cs_article_from_text(id, text, len, &a, &err)) {
            report(r, path, 1, "%s; skipped", err.msg);
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

static bool is_jsonl_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (strcmp(dot, ".jsonl") == 0 || strcmp(dot, ".ndjson") == 0 ||
                   strcmp(dot, ".json") == 0);
}

/* --- walking ------------------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool take_path(run *r, const char *path);

static bool take_dir(run *r, const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        report(r, path, 0, "cannot open directory: %s", strerror(errno));
        return false;
    }
    /* Sorted, so that runs are repeatable and ids that clash resolve the
     * same way every time. */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    bool ok = true;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **v = realloc(names, cap * sizeof *v);
            if (!v)
                break;
            names = v;
        }
        cs_buf p = { 0 };
        cs_buf_printf(&p, "%s/%s", path, e->d_name);
        char *s = cs_buf_take(&p);
        if (!s)
            break;
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        if (!interrupted && !r->failed && !take_path(r, names[i]))
            ok = false;
        free(names[i]);
    }
    free(names);
    return ok;
}

static bool take_path(run *r, const char *path)
{
    if (strcmp(path, "-") == 0)
        return read_jsonl(r, "<stdin>", STDIN_FILENO);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report(r, path, 0, "cannot open: %s", strerror(errno));
        r->unreadable++;
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        report(r, path, 0, "cannot stat: %s", strerror(errno));
        close(fd);
        r->unreadable++;
        return false;
    }
    bool ok;
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return take_dir(r, path);
    } else if (!S_ISREG(st.st_mode)) {
        report(r, path, 0, "not a regular file; skipped");
        r->skipped++;
        ok = true;
    } else if (is_jsonl_name(path)) {
        ok = read_jsonl(r, path, fd);
    } else {
        ok = read_text_file(r, path, fd, st.st_size);
    }
    if (!ok)
        r->unreadable++;
    close(fd);
    return ok;
}

/* Bytes of input, for the progress bar. */
static unsigned long long input_size(const char *path, int depth)
{
    struct stat st;
    if (depth > 32 || strcmp(path, "-") == 0 || stat(path, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return (unsigned long long)st.st_size;
    if (!S_ISDIR(st.st_mode))
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
            total += input_size(p.s, depth + 1);
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

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "rebuild", no_argument, NULL, 'R' },
        { "delete", no_argument, NULL, 'D' },
        { "extract", no_argument, NULL, 'E' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    run r = { 0 };
    int c;

    r.mode = MODE_INDEX;
    while ((c = getopt_long(argc, argv, "i:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': r.index_dir = optarg; break;
        case 'R': r.rebuild = true; break;
        case 'D': r.mode = MODE_DELETE; break;
        case 'E': r.mode = MODE_EXTRACT; break;
        case 'q': r.quiet = true; break;
        case 'h': usage(stdout); return 0;
        case 'v': puts("ccg-indexer (ccgsearch) " CCGSEARCH_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (r.mode != MODE_EXTRACT && !r.index_dir) {
        fprintf(stderr, "ccg-indexer: --index DIR is required (see --help)\n");
        return 2;
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

    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    r.started_us = cs_now_us();
    r.progress = !r.quiet && r.mode != MODE_EXTRACT && isatty(STDERR_FILENO);

    int lockfd = -1;
    cs_err err = { CS_OK, "" };
    char *db_path = NULL;
    if (r.mode != MODE_EXTRACT) {
        if ((lockfd = cs_indexdir_lock(r.index_dir, &err)) < 0)
            goto fatal;
        db_path = r.rebuild ? cs_indexdir_next(r.index_dir, &err)
                            : cs_indexdir_live(r.index_dir, &err);
        if (!db_path)
            goto fatal;
        cs_xs_status st = cs_xs_writer_open(db_path, r.rebuild ? CS_XS_OVERWRITE : CS_XS_CREATE_OR_OPEN,
                                           CS_PREFIX_ID, &r.w, &err);
        if (st != CS_XS_OK)
            goto fatal;
    }

    if (r.mode == MODE_DELETE) {
        run_deletes(&r, argv + optind, argc - optind);
    } else {
        if (r.progress)
            for (int i = optind; i < argc; i++)
                r.bytes_total += input_size(argv[i], 0);
        for (int i = optind; i < argc && !interrupted && !r.failed; i++)
            take_path(&r, argv[i]);
        draw_progress(&r, true);
        clear_progress(&r);
    }

    if (interrupted) {
        fprintf(stderr, "ccg-indexer: interrupted; %s\n",
                r.rebuild ? "the live index is unchanged"
                          : "documents indexed so far are kept");
    }
    if (r.w) {
        bool ok = !r.failed && bump_generation(&r) && cs_xs_writer_commit(r.w) == CS_XS_OK;
        if (!ok && !r.failed)
            fprintf(stderr, "ccg-indexer: %s: commit failed: %s\n", r.index_dir,
                    cs_xs_writer_last_error(r.w));
        if (!ok)
            r.failed = true;
        if (cs_xs_writer_close(r.w) != CS_XS_OK)
            r.failed = true;
        r.w = NULL;
        if (r.rebuild && !r.failed && !interrupted &&
            cs_indexdir_swap(r.index_dir, db_path, &err) != 0)
            goto fatal;
    }

    if (!r.quiet) {
        double secs = (double)(cs_now_us() - r.started_us) / 1e6;
        if (r.mode == MODE_DELETE)
            fprintf(stderr, "deleted %lu, not found %lu, %.2f s\n", r.deleted, r.missing, secs);
        else if (r.mode == MODE_EXTRACT)
            fprintf(stderr, "extracted %lu, skipped %lu, errors %lu, %.2f s\n",
                    r.indexed, r.skipped, r.unreadable, secs);
        else
            fprintf(stderr, "indexed %lu, unchanged %lu, skipped %lu, errors %lu, %.2f s%s\n",
                    r.indexed, r.unchanged, r.skipped, r.unreadable, secs,
                    r.rebuild && !r.failed && !interrupted ? " (rebuilt and swapped in)" : "");
    }
    free(db_path);
    if (lockfd >= 0)
        close(lockfd);
    return (r.unreadable || r.failed || interrupted) ? 1 : 0;

fatal:
    fprintf(stderr, "ccg-indexer: %s\n", err.msg);
    free(db_path);
    cs_xs_writer_close(r.w);
    if (lockfd >= 0)
        close(lockfd);
    return 1;
}
