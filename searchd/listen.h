/* Listening and accepting: the TCP socket (and optionally a Unix one),
 * run by the main thread's event loop.  Each accepted client is admitted
 * against the connection limit and handed to a worker (thread.h), or
 * refused with one overloaded answer.
 */
#ifndef CS_SEARCHD_LISTEN_H
#define CS_SEARCHD_LISTEN_H

#include "server.h"

#include <stdbool.h>
#include <stddef.h>

struct event_base;

/* Out of descriptors even for the spare one: how long a listener stops
 * accepting before it tries again (connections closing meanwhile give
 * descriptors back).  Without the pause a listening socket with clients
 * waiting stays readable, and accept() failing with EMFILE would spin the
 * acceptor at 100% CPU.  Both the main thread's listeners and each
 * worker's HTTP listener (http.c) pause so. */
#define ACCEPT_PAUSE_MS 100

/* Listen on cfg->listen (and cfg->unix_path) in base and write
 * cfg->port_file.  Returns the bound TCP port, or -1 logged. */
int listen_start(struct event_base *base, const server_config *cfg);
/* Bind and listen on cfg->http for the workers' evhttp (http.h), set
 * listen_http_port and write cfg->http_port_file.  Returns the listening
 * socket (non-blocking; the caller closes it), or -1 logged. */
int listen_http(const server_config *cfg);
/* The bound HTTP port, or 0 without --http; set before the workers start
 * and only read after. */
extern int listen_http_port;

/* A port as written on the command line: 0..65535 in decimal digits only
 * (0: any free port); -1 for anything else. */
int listen_port_parse(const char *s);
/* Check spec for --listen and --http: 0 when it is "HOST:PORT" or
 * "[V6]:PORT" with such a port and HOST resolves; -1 when it is not of
 * that form; -2 when HOST does not resolve, with why (cap bytes) saying
 * what the resolver said. */
int listen_addr_check(const char *spec, char *why, size_t cap);

/* Stop accepting: close the listeners and remove the Unix socket (only if
 * the file at its path is still the socket this daemon made).
 * Harmless when not listening. */
void listen_stop(void);

/* "HOST:PORT", "[V6]:PORT" or "unix" for the peer of fd, for the log. */
void peer_name(int fd, char *out, size_t cap);

#endif
