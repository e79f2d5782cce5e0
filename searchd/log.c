/* Logging; see log.h. */
#define _GNU_SOURCE
#include "log.h"
#include "core/termsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int log_level = CS_LOG_INFO;
static int qlog_fd = -1;

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
    return qlog_fd < 0 ? -1 : 0;
}

void querylog_write(const char *verb, const char *arg, size_t arg_len,
                    unsigned hits, long long us, const char *error)
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
    json_t *o = json_pack("{s:s, s:s, s:o, s:I, s:I}", "time", ts, "verb", verb,
                          "query", query, "hits", (json_int_t)hits, "us", (json_int_t)us);
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
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) {
        free(s);
        return;
    }
    line[n] = '\n';
    ssize_t w = write(qlog_fd, line, n + 1);
    (void)w;
    free(line);
}

void querylog_close(void)
{
    if (qlog_fd >= 0)
        close(qlog_fd);
    qlog_fd = -1;
}
