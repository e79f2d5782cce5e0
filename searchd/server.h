/* The network side of ccg-searchd, after memcached's design: the main
 * thread listens and accepts (listen.c) and hands each new connection
 * round-robin to one of N worker threads (thread.c); every worker runs its
 * own event_base and its own engine (Xapian reader), so workers share
 * nothing on the request path.  A connection is a state machine (conn.c)
 * whose requests the handler (handler.c) answers through the codec and the
 * engine; stats.c keeps the figures STATS reports.
 */
#ifndef CS_SEARCHD_SERVER_H
#define CS_SEARCHD_SERVER_H

#include <stddef.h>

/* The Unix socket's permissions unless --unix-mode says otherwise: the
 * protocol has no authentication, so whoever may connect may query (and
 * STATS) the index; the owner and its group, not everyone. */
#define SEARCHD_UNIX_MODE_DEFAULT 0660

typedef struct server_config {
    const char *index_dir;
    const char *listen;         /* "HOST:PORT" or "[V6]:PORT"; port 0: any */
    const char *unix_path;      /* an extra Unix socket, or NULL */
    unsigned unix_mode;         /* its permission bits (--unix-mode) */
    const char *port_file;      /* write the bound TCP port here, or NULL */
    unsigned workers;
    size_t max_line;
    unsigned idle_timeout_s;
    unsigned max_conns;
    unsigned max_conns_per_addr;    /* 0: no per-address cap */
    unsigned request_timeout_s;
    unsigned query_threads;
    unsigned query_timeout_ms;
    unsigned drain_timeout_s;   /* SIGTERM: most seconds to go on answering */
    const char *http;           /* serve HTTP on "HOST:PORT", or NULL */
    const char *http_port_file; /* write the bound HTTP port here, or NULL */
    const char *http_cors;      /* Access-Control-Allow-Origin, or NULL */
} server_config;

/* Run until SIGTERM or SIGINT; returns the process exit status. */
int server_run(const server_config *cfg);

#endif
