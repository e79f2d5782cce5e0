/* The daemon's main loop; see server.h. */
#define _GNU_SOURCE
#include "server.h"
#include "listen.h"
#include "log.h"
#include "stats.h"
#include "thread.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    struct event_base *base = arg;
    (void)what;
    log_msg(CS_LOG_INFO, "signal %d: finishing in-flight requests and exiting", (int)sig);
    listen_stop();
    event_base_loopbreak(base);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    (void)arg;
    log_msg(CS_LOG_INFO, "SIGHUP: reopening the index and the query log");
    /* logrotate moves the log away and sends SIGHUP: from now on the lines
     * go to a new file at the configured path. */
    querylog_reopen();
    threads_reopen();
}

int server_run(const server_config *cfg)
{
    int status = 1;
    struct event *sig_term = NULL, *sig_int = NULL, *sig_hup = NULL;
    struct event_base *base = NULL;
    int http_fd = -1;

    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();
    stats_init(cfg->workers);

    /* Bound before the workers are made: each accepts HTTP on it. */
    if (cfg->http && (http_fd = listen_http(cfg)) < 0)
        goto out;
    if (threads_init(cfg, http_fd) != 0)
        goto out;
    if (!(base = event_base_new()))
        goto out;
    int port = listen_start(base, cfg);
    if (port < 0)
        goto out;
    sig_term = evsignal_new(base, SIGTERM, on_stop_signal, base);
    sig_int = evsignal_new(base, SIGINT, on_stop_signal, base);
    sig_hup = evsignal_new(base, SIGHUP, on_hup, NULL);
    if (!sig_term || !sig_int || !sig_hup || evsignal_add(sig_term, NULL) ||
        evsignal_add(sig_int, NULL) || evsignal_add(sig_hup, NULL))
        goto out;

    /* Workers must not take the signals the main loop handles. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int started = threads_start();
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started != 0)
        goto out;

    log_msg(CS_LOG_INFO, "listening on %s (port %d)%s%s, %u workers, index %s",
            cfg->listen, port, cfg->unix_path ? " and " : "",
            cfg->unix_path ? cfg->unix_path : "", cfg->workers, cfg->index_dir);
    if (cfg->http) {
        /* The URL names the bound port, not a :0 asked for. */
        const char *colon = strrchr(cfg->http, ':');
        int hostlen = colon ? (int)(colon - cfg->http) : (int)strlen(cfg->http);
        log_msg(CS_LOG_INFO, "HTTP on %s (port %d): http://%.*s:%d/", cfg->http,
                listen_http_port, hostlen, cfg->http, listen_http_port);
    }
    event_base_dispatch(base);
    status = 0;
out:
    listen_stop();
    threads_shutdown();
    if (http_fd >= 0)
        close(http_fd);
    if (sig_term)
        event_free(sig_term);
    if (sig_int)
        event_free(sig_int);
    if (sig_hup)
        event_free(sig_hup);
    if (base)
        event_base_free(base);
    if (status == 0)
        log_msg(CS_LOG_INFO, "stopped");
    return status;
}
