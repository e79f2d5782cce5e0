/* ccg-searchd: answer ranked, faceted queries over the ccgsearch line
 * protocol (docs/protocol.md). */
#include "core/limits.h"
#include "listen.h"
#include "log.h"
#include "server.h"
#include <ccgsearch/version.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define DEFAULT_LISTEN "127.0.0.1:7700"

static void usage(FILE *f, unsigned cores)
{
    fprintf(f,
"Usage: ccg-searchd --index DIR [options]\n"
"\n"
"Serve the ccgsearch index at DIR over the line protocol and, when asked,\n"
"over HTTP/JSON.\n"
"\n"
"  -i, --index DIR          the index directory made by ccg-indexer (required);\n"
"                           with none there yet, 0 documents until one is made\n"
"  -l, --listen HOST:PORT   TCP address to listen on; PORT 0 picks a free port\n"
"                           (default " DEFAULT_LISTEN ")\n"
"      --unix PATH          also listen on a Unix socket at PATH (default: none);\n"
"                           refused if PATH exists and is not a stale socket\n"
"      --unix-mode MODE     the socket's permissions, octal (default %04o: the\n"
"                           owner and group may connect; see docs/security.md)\n"
"      --port-file FILE     write the bound TCP port to FILE (default: none)\n"
"      --http HOST:PORT     also serve HTTP/1.1 (docs/http.md) on HOST:PORT, e.g.\n"
"                           127.0.0.1:7701; PORT 0 picks a free port (default: none)\n"
"      --http-port-file FILE  write the bound HTTP port to FILE (default: none)\n"
"      --http-cors ORIGIN   send Access-Control-Allow-Origin: ORIGIN on HTTP answers\n"
"                           (default: no CORS headers)\n"
"  -w, --workers N          worker threads (default: cores, here %u)\n"
"      --max-line BYTES     longest request line (default %d)\n"
"      --max-connections N  most simultaneous clients (default %d)\n"
"      --max-connections-per-address N  most simultaneous clients from one IP\n"
"                           address, line and HTTP together; 0 for no cap (default %d)\n"
"      --idle-timeout SECS  close idle connections after SECS (default %d)\n"
"      --request-timeout SECS  time to finish a request line (HTTP: a request)\n"
"                           once begun (default %d)\n"
"      --query-timeout MS   per-query time limit, 0 for none (default %d)\n"
"      --query-threads N    threads that run SEARCH, SIMILAR and WHO off the\n"
"                           workers' loops (default: %d per worker, here %u)\n"
"      --query-log FILE     append one JSON line per request to FILE (default: none)\n"
"      --drain-timeout SECS on SIGTERM, how long to go on answering the requests\n"
"                           already received before closing (default %d)\n"
"      --log-level LEVEL    error, warn, info or debug (default info)\n"
"  -h, --help               this help\n"
"      --version            print the version and exit\n"
"\n"
"Signals: SIGHUP reopens the index and the query log (log rotation); SIGTERM\n"
"and SIGINT stop accepting, answer\n"
"the requests already received (for at most --drain-timeout) and exit 0.\n"
"A bad option or value exits 2; a start-up failure exits 1.\n",
            SEARCHD_UNIX_MODE_DEFAULT, cores, CS_MAX_LINE_DEFAULT, CS_MAX_CONNECTIONS_DEFAULT,
            CS_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT, CS_IDLE_TIMEOUT_DEFAULT,
            CS_REQUEST_TIMEOUT_DEFAULT, CS_QUERY_TIMEOUT_MS_DEFAULT,
            CS_QUERY_THREADS_PER_WORKER, CS_QUERY_THREADS_PER_WORKER * cores,
            CS_DRAIN_TIMEOUT_DEFAULT);
}

/* A positive integer option within [lo, hi]; exits on a bad value. */
static unsigned long number(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi || s[0] == '-') {
        fprintf(stderr, "ccg-searchd: %s wants a number from %lu to %lu, not '%s'\n",
                opt, lo, hi, s);
        exit(2);
    }
    return v;
}

/* --unix-mode: octal permission bits, 0 to 0777. */
static unsigned unix_mode(const char *s)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 8);
    if (errno || *end || end == s || s[0] == '-' || s[0] == '+' || v > 0777) {
        fprintf(stderr, "ccg-searchd: --unix-mode wants octal permissions such as 0660, "
                "not '%s'\n", s);
        exit(2);
    }
    return (unsigned)v;
}

/* --listen and --http: HOST:PORT with PORT 0..65535 as written. */
static void address(const char *opt, const char *s)
{
    char why[128];
    int rc = listen_addr_check(s, why, sizeof why);
    if (rc == -1) {
        fprintf(stderr, "ccg-searchd: %s wants HOST:PORT or [V6]:PORT with PORT a number "
                "from 0 to 65535 (0: any free port), not '%s'\n", opt, s);
        exit(2);
    }
    if (rc != 0) {
        fprintf(stderr, "ccg-searchd: %s %s: the host is not an address of this machine "
                "nor a name that resolves (%s)\n", opt, s, why);
        exit(2);
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "index", required_argument, NULL, 'i' },
        { "listen", required_argument, NULL, 'l' },
        { "unix", required_argument, NULL, 'U' },
        { "unix-mode", required_argument, NULL, 'm' },
        { "drain-timeout", required_argument, NULL, 'D' },
        { "port-file", required_argument, NULL, 'P' },
        { "workers", required_argument, NULL, 'w' },
        { "max-line", required_argument, NULL, 'M' },
        { "max-connections", required_argument, NULL, 'C' },
        { "idle-timeout", required_argument, NULL, 'T' },
        { "query-timeout", required_argument, NULL, 'Q' },
        { "query-log", required_argument, NULL, 'L' },
        { "log-level", required_argument, NULL, 'V' },
        { "http", required_argument, NULL, 'H' },
        { "http-port-file", required_argument, NULL, 'F' },
        { "http-cors", required_argument, NULL, 'O' },
        { "max-connections-per-address", required_argument, NULL, 'A' },
        { "request-timeout", required_argument, NULL, 'R' },
        { "query-threads", required_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned cores = ncpu > 0 ? (unsigned)ncpu : 1;
    server_config cfg = {
        .listen = DEFAULT_LISTEN,
        .workers = cores,
        .max_line = CS_MAX_LINE_DEFAULT,
        .idle_timeout_s = CS_IDLE_TIMEOUT_DEFAULT,
        .max_conns = CS_MAX_CONNECTIONS_DEFAULT,
        .query_timeout_ms = CS_QUERY_TIMEOUT_MS_DEFAULT,
        .unix_mode = SEARCHD_UNIX_MODE_DEFAULT,
        .drain_timeout_s = CS_DRAIN_TIMEOUT_DEFAULT,
        .max_conns_per_addr = CS_MAX_CONNECTIONS_PER_ADDRESS_DEFAULT,
        .request_timeout_s = CS_REQUEST_TIMEOUT_DEFAULT,
    };
    const char *query_log = NULL;
    int c;

    while ((c = getopt_long(argc, argv, "i:l:w:h", opts, NULL)) != -1) {
        switch (c) {
        case 'i': cfg.index_dir = optarg; break;
        case 'l': cfg.listen = optarg; break;
        case 'U': cfg.unix_path = optarg; break;
        case 'm': cfg.unix_mode = unix_mode(optarg); break;
        case 'D': cfg.drain_timeout_s = (unsigned)number("--drain-timeout", optarg, 0, 3600); break;
        case 'P': cfg.port_file = optarg; break;
        case 'w': cfg.workers = (unsigned)number("--workers", optarg, 1, 256); break;
        case 'M': cfg.max_line = number("--max-line", optarg, 64, 64UL * 1024 * 1024); break;
        case 'C': cfg.max_conns = (unsigned)number("--max-connections", optarg, 1, 1000000); break;
        case 'T': cfg.idle_timeout_s = (unsigned)number("--idle-timeout", optarg, 1, 86400 * 7); break;
        case 'Q': cfg.query_timeout_ms = (unsigned)number("--query-timeout", optarg, 0, 3600000); break;
        case 'L': query_log = optarg; break;
        case 'A': cfg.max_conns_per_addr = (unsigned)number("--max-connections-per-address", optarg, 0, 1000000); break;
        case 'R': cfg.request_timeout_s = (unsigned)number("--request-timeout", optarg, 1, 86400); break;
        case 'q': cfg.query_threads = (unsigned)number("--query-threads", optarg, 1, 1024); break;
        case 'H': cfg.http = optarg; break;
        case 'F': cfg.http_port_file = optarg; break;
        case 'O': cfg.http_cors = optarg; break;
        case 'V':
            if ((log_level = log_level_parse(optarg)) < 0) {
                fprintf(stderr, "ccg-searchd: --log-level wants error, warn, info or debug\n");
                return 2;
            }
            break;
        case 'h': usage(stdout, cores); return 0;
        case 'v': puts("ccg-searchd (ccgsearch) " CCGSEARCH_VERSION); return 0;
        default: usage(stderr, cores); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ccg-searchd: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    if (!cfg.index_dir) {
        fprintf(stderr, "ccg-searchd: --index DIR is required (see --help)\n");
        return 2;
    }
    address("--listen", cfg.listen);
    if (cfg.http)
        address("--http", cfg.http);
    if ((cfg.http_port_file || cfg.http_cors) && !cfg.http) {
        fprintf(stderr, "ccg-searchd: --http-port-file and --http-cors need --http HOST:PORT\n");
        return 2;
    }
    if (!cfg.query_threads)
        cfg.query_threads = CS_QUERY_THREADS_PER_WORKER * cfg.workers;
    if (query_log && querylog_open(query_log) != 0) {
        fprintf(stderr, "ccg-searchd: cannot open query log %s: %s\n", query_log, strerror(errno));
        return 1;
    }

    /* Each client is a descriptor: allow as many as the hard limit does,
     * so that the connection limit, not the descriptor limit, applies. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    int status = server_run(&cfg);
    querylog_close();
    return status;
}
