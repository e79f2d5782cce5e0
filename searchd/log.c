/* Logging; see log.h. */
#define _GNU_SOURCE
#include "log.h"
#include "serve/protocol.h"
#include "stats.h"
#include "core/limits.h"
#include "core/termsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int log_level = CS_LOG_INFO;

/* The query log: its descriptor, which querylog_reopen() replaces in
 * place with dup3() (atomic: a writer writes to the old file or the new
 * one, never to a closed descriptor), and its path for that.  failing is
 * set while writes fail, so that a full disk is logged once when it starts
 * and once when it ends, not at every request; dropped counts the lines
 * lost meanwhile. */
static int qlog_fd = -1;
static char *qlog_path;
static atomic_bool qlog_failing;
static atomic_ulong qlog_dropped;
/* A line was cut short (part of it written when the disk filled): the
 * next write ends it first, so that the lines after it are whole. */
static atomic_bool qlog_cut;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

static void timestamp(char *buf, size_t cap)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

void log_msg(int level, const char *fmt, ...)
{
    char line[1024], ts[40];
    va_list ap;
    if (level > log_level)
        return;
    timestamp(ts, sizeof ts);
    int n = snprintf(line, sizeof line, "%s ccg-searchd %s: ", ts, level_names[level]);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    if (len + 1 < sizeof line)
        line[len++] = '\n';
    /* One write per line, so threads' lines do not interleave. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

void log_sanitize(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o + 8 >= cap) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (c < 0x20 || c == 0x7f || c >= 0x80)
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

int querylog_open(const char *path)
{
    qlog_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (qlog_fd < 0)
        return -1;
    free(qlog_path);
    if (!(qlog_path = strdup(path))) {
        close(qlog_fd);
        qlog_fd = -1;
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

int querylog_reopen(void)
{
    if (qlog_fd < 0)
        return 0;
    int fd = open(qlog_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        log_msg(CS_LOG_WARN, "cannot reopen the query log %s: %s; still writing to the "
                "file it had open", qlog_path, strerror(e));
        stats_fault(CS_FAULT_QUERY_LOG_REOPEN);
        errno = e;
        return -1;
    }
    /* Moved over the old descriptor, so no writer ever sees it closed. */
    if (dup3(fd, qlog_fd, O_CLOEXEC) < 0) {
        int e = errno;
        close(fd);
        log_msg(CS_LOG_WARN, "cannot reopen the query log %s: %s", qlog_path, strerror(e));
        stats_fault(CS_FAULT_QUERY_LOG_REOPEN);
        errno = e;
        return -1;
    }
    close(fd);
    log_msg(CS_LOG_INFO, "reopened the query log %s", qlog_path);
    return 0;
}

/* Write one whole line to the query log, or count and report why not. */
static void qlog_put(const char *line, size_t len)
{
    ssize_t w;
    if (atomic_load_explicit(&qlog_cut, memory_order_relaxed) && atomic_exchange(&qlog_cut, false) &&
        write(qlog_fd, "\n", 1) != 1)
        atomic_store(&qlog_cut, true);
    while ((w = write(qlog_fd, line, len)) < 0 && errno == EINTR)
        ;
    if (w == (ssize_t)len) {
        if (atomic_load_explicit(&qlog_failing, memory_order_relaxed) &&
            atomic_exchange(&qlog_failing, false))
            log_msg(CS_LOG_WARN, "the query log %s is written again (%lu lines were lost)",
                    qlog_path, atomic_exchange(&qlog_dropped, 0));
        return;
    }
    /* A full disk (ENOSPC), a quota, an I/O error, or part of the line
     * written: the request was answered all the same, and only its line is
     * lost. */
    int e = w < 0 ? errno : ENOSPC;
    if (w > 0)
        atomic_store(&qlog_cut, true);
    stats_fault(CS_FAULT_QUERY_LOG_WRITE);
    atomic_fetch_add(&qlog_dropped, 1);
    if (!atomic_exchange(&qlog_failing, true))
        log_msg(CS_LOG_ERROR, "cannot write the query log %s: %s%s; still answering "
                "requests, their log lines are lost until it can be written (STATS "
                "faults.query_log_write_failures counts them)", qlog_path, strerror(e),
                w >= 0 ? " (a line cut short)" : "");
}

/* The log's "verb": the one the client sent, a verb of the protocol by its
 * name whatever its case (a GET without its argument is "GET"), anything
 * else as sent, cut at CS_QUERY_LOG_VERB_BYTES and made safe. */
static json_t *verb_as_sent(const char *verb, size_t len)
{
    char name[CS_QUERY_LOG_VERB_BYTES + 1];
    for (int v = 0; v < CS_VERB_UNKNOWN; v++) {
        const char *known = cs_verb_name((cs_verb)v);
        if (strlen(known) == len && strncasecmp(known, verb, len) == 0)
            return json_string(known);
    }
    bool cut = len > CS_QUERY_LOG_VERB_BYTES;
    if (cut)
        len = CS_QUERY_LOG_VERB_BYTES;
    memcpy(name, verb, len);
    name[len] = '\0';
    cs_buf esc = { 0 };
    cs_term_safe(&esc, name, len, CS_TS_ESCAPE_BACKSLASH);
    if (cut)
        cs_buf_puts(&esc, "...");
    json_t *j = json_string(esc.oom ? "" : esc.s);
    cs_buf_free(&esc);
    return j;
}

void querylog_write(const char *verb, size_t verb_len, const char *arg, size_t arg_len,
                    const querylog_counts *n, long long us, const char *error)
{
    char ts[40];
    if (qlog_fd < 0)
        return;
    timestamp(ts, sizeof ts);
    /* jansson refuses a string that is not UTF-8, and the line would be
     * lost: such a query is logged with its bad bytes (and its backslashes)
     * escaped as \xNN and \\, and flagged, so that the log has one line
     * per request. */
    json_t *query = json_stringn(arg ? arg : "", arg ? arg_len : 0);
    bool bad = !query;
    if (bad) {
        cs_buf esc = { 0 };
        cs_term_safe(&esc, arg, arg_len, CS_TS_KEEP_NEWLINES | CS_TS_ESCAPE_BACKSLASH);
        query = json_string(esc.oom ? "" : esc.s);
        cs_buf_free(&esc);
    }
    json_t *o = json_pack("{s:s, s:o, s:o, s:I, s:I, s:I}", "time", ts, "verb",
                          verb_as_sent(verb ? verb : "", verb ? verb_len : 0), "query", query,
                          "hits", (json_int_t)(n ? n->hits : 0),
                          "total", (json_int_t)(n ? n->total : 0), "us", (json_int_t)us);
    if (!o)
        return;
    if (bad)
        json_object_set_new(o, "query_invalid_utf8", json_true());
    if (error)
        json_object_set_new(o, "error", json_string(error));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return;
    size_t len = strlen(s);
    char *line = realloc(s, len + 2);
    if (!line) {
        free(s);
        return;
    }
    line[len] = '\n';
    qlog_put(line, len + 1);
    free(line);
}

void querylog_close(void)
{
    if (qlog_fd >= 0)
        close(qlog_fd);
    qlog_fd = -1;
    free(qlog_path);
    qlog_path = NULL;
}
