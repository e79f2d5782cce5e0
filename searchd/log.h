/* Logging to stderr with levels, and the optional query log. */
#ifndef CS_SEARCHD_LOG_H
#define CS_SEARCHD_LOG_H

#include <stddef.h>

/* Levels, most severe first.  Not LOG_*: <syslog.h> defines those. */
enum { CS_LOG_ERROR, CS_LOG_WARN, CS_LOG_INFO, CS_LOG_DEBUG };

extern int log_level;

/* Parse "error", "warn", "info" or "debug"; -1 if none of them. */
int log_level_parse(const char *s);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copy s[0..len) into out (cap bytes) printable: control bytes escaped,
 * cut with "..." when longer; for logging what clients sent. */
void log_sanitize(const char *s, size_t len, char *out, size_t cap);

/* Open the query log (append); returns 0 or -1 with errno. */
int querylog_open(const char *path);
/* Open the query log's path again and write there from now on (SIGHUP,
 * after logrotate has moved the file away); 0, or -1 logged and counted,
 * when the daemon goes on writing to the file it had.  A no-op without
 * a query log.  Safe while other threads write. */
int querylog_reopen(void);

/* What a request found, for its log line: the hits (or documents) it
 * returned, and all it matched over every page (SEARCH's total). */
typedef struct querylog_counts {
    unsigned long hits, total;
} querylog_counts;

/* One JSON line: time, the verb as the client sent it (verb[0..verb_len):
 * a protocol verb by its name, anything else sanitised and cut), query,
 * hits, total, microseconds, error code or NULL.  n may be NULL (nothing
 * found).  Thread-safe (one write(2) per line on an O_APPEND file).  A
 * line that cannot be written (a full disk) is counted in STATS and
 * reported on stderr once, when writing starts to fail. */
void querylog_write(const char *verb, size_t verb_len, const char *arg, size_t arg_len,
                    const querylog_counts *n, long long us, const char *error);
void querylog_close(void);

#endif
