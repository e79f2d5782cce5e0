/* The HTTP/1.1 transport (docs/http.md), on libevent's evhttp.
 *
 * The main thread binds one listening socket (listen_http(), listen.h);
 * every worker gives its own event_base an evhttp that accepts on its own
 * dup() of that socket (evhttp_accept_socket_with_handle), so an HTTP
 * request is answered on the thread that accepted it, by that worker's
 * engine, with no hand-over.  Handing accepted fds over the worker queues,
 * as the line protocol does, is not possible with evhttp 2.1, which has no
 * call to adopt an accepted socket; instead each worker accepts one
 * connection at a time, counts it against --max-connections as the
 * acceptor counts line clients, and accepts again only while no other
 * worker has fewer HTTP connections open (http.c explains how).
 *
 * A request is decoded into the line protocol's typed requests (the
 * codec's decoders, query parameters through cs_search_req_field()),
 * answered by handle_request() and encoded by the same encoders, so the
 * body is byte for byte the line protocol's answer without its LF.
 */
#ifndef CS_SEARCHD_HTTP_H
#define CS_SEARCHD_HTTP_H

#include "thread.h"

/* Give w an evhttp accepting on a dup() of the listening socket fd.
 * 0, or -1 logged. */
int http_worker_start(worker *w, int fd);
/* Stop accepting (the server is stopping); open connections stay until
 * http_worker_free().  Harmless without HTTP. */
void http_worker_stop(worker *w);
/* Accept again if w no longer has more HTTP connections than another
 * worker (workers_http_changed() asked it to look). */
void http_accept_again(worker *w);
/* Close w's HTTP connections and free its evhttp.  Harmless without HTTP. */
void http_worker_free(worker *w);

#endif
