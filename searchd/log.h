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
/* One JSON line: time, verb, query, hits, microseconds, error code or
 * NULL.  Thread-safe (one write(2) per line on an O_APPEND file). */
void querylog_write(const char *verb, const char *arg, size_t arg_len,
                    unsigned hits, long long us, const char *error);
void querylog_close(void);

#endif
