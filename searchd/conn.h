/* A client connection: a state machine, after memcached's drive_machine.
 *
 *   READ     reading and answering requests, at most CS_REQUEST_BUDGET or
 *            CS_TURN_BUDGET_US per turn of the event loop; a request line
 *            begun must end within --request-timeout (else timeout, FLUSH)
 *   PAUSED   its unsent answers passed the output high-water mark: not read
 *            until the client has taken half of them
 *   WAIT     a query thread answers its request (pool.h): not read until
 *            the answer is back
 *   FLUSH    sending its last answers (after QUIT, line_too_long, EOF or
 *            a stop), reading nothing more
 *   LINGER   answers sent and writing shut down: what the client still
 *            sends is discarded until it closes or CS_LINGER_TIMEOUT_S
 *   CLOSED   freed
 *
 * Events only record what happened (input, output drained, EOF, an error,
 * the timer, a stop) and call conn_drive(), whose one switch makes every
 * transition through conn_set_state().
 */
#ifndef CS_SEARCHD_CONN_H
#define CS_SEARCHD_CONN_H

#include "thread.h"

/* Serve the accepted connection fd in worker w (w's thread only).  On
 * failure fd is closed and its count given back. */
void conn_new(worker *w, int fd, const peer_key *key);
/* Close an accepted connection nobody will serve, and give its counts
 * back (its place, and its address's, key). */
void conn_drop(int fd, const peer_key *key);
/* The server is stopping: answer what c has sent, then close.  May free c. */
void conn_stop(conn *c);
/* The drain deadline has passed: answer nothing more, send the answers
 * already made, then close (without a reset).  May free c. */
void conn_deadline(conn *c);
/* The connection after c in its worker's list. */
conn *conn_next(const conn *c);
/* Free every connection of w (its loop has ended). */
void conn_free_all(worker *w);

#endif
