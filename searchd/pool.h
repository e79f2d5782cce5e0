/* The query threads: where the line protocol's costly requests (SEARCH,
 * SIMILAR, WHO) run, off the workers' event loops.
 *
 * A Xapian query cannot be pre-empted, so a worker that ran one itself
 * would keep every other client of its loop waiting for as long as the
 * query takes (up to its time limit).  Instead the worker hands the
 * request line to this pool as a job and stops reading that connection
 * (conn.c's WAIT state); a query thread answers it with its own engine
 * and posts the job back to the worker's queue (thread.c, ITEM_DONE),
 * whose loop sends the answer and goes on with the connection.  One job
 * per connection at a time keeps answers in request order; PING, GET,
 * STATS and the rest stay on the loop, as they cost microseconds.
 *
 * A SEARCH is first tried on the loop as a slice (cs_engine_set_slice()):
 * the worker's engine answers it there when it is cheap before it runs
 * and done within CS_SLICE_US, and defers it otherwise, unanswered, to
 * this pool (limits.h, CS_SLICE_*).  A hop here and back costs two
 * wake-ups, more than a cheap search.
 *
 * Jobs wait in two FIFO queues, fast and slow: a connection that ran a
 * query costing more CPU time than CS_SLOW_QUERY_US sends its next CS_SLOW_QUERY_SPELL
 * queries to the slow one.  A quarter of the threads (at least one)
 * answer slow jobs first and help with fast ones when they have none; the
 * others answer fast jobs only.  Costly queries thus use at most a quarter
 * of the threads, and queue behind each other, not before cheap ones.  So however many clients pipeline the costliest queries, a
 * cheap query finds a thread of its own.  (Their scheduling priority is
 * left alone: a costly query given less CPU would take longer than its
 * time limit, which Xapian cannot enforce inside a phrase or a NEAR.)
 */
#ifndef CS_SEARCHD_POOL_H
#define CS_SEARCHD_POOL_H

#include "server.h"
#include "thread.h"
#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>

/* A job: the transport's own struct begins with it (conn.c's line jobs,
 * http.c's calls). */
typedef struct job job;
struct job {
    item it;                    /* how it is posted back (ITEM_DONE) */
    worker *w;                  /* the worker it is posted back to */
    /* On a query thread: answer with engine e. */
    void (*run)(job *j, cs_engine *e);
    /* On w's thread, once posted back: send the answer and free the job. */
    void (*done)(job *j);
    /* Free the job unanswered (the daemon is stopping, w is gone). */
    void (*drop)(job *j);
    bool slow;                  /* queue with the slow connections */
    long long queued_us;        /* when the request was read: its time limit counts from then */
    long long took_us;          /* the CPU time it took (the next job's lane) */
    job *next;
};

/* Fill in j's fields for worker w; it goes to the slow lane while *spell
 * (the connection's count of slow jobs to come; NULL: none) lasts, and
 * uses one of it up. */
void pool_job_init(job *j, worker *w, void (*run)(job *, cs_engine *), void (*done)(job *),
                   void (*drop)(job *), long long queued_us, unsigned *spell);
/* Once j is posted back: a job that cost more CPU time than
 * CS_SLOW_QUERY_US sends its connection's next CS_SLOW_QUERY_SPELL jobs to
 * the slow lane. */
void pool_job_cost(const job *j, unsigned *spell);
/* A slice of e (cs_engine_set_slice()) was not answered: count how it went
 * (STATS slices); when it overran its time or its estimates make it a
 * slow query, send the connection's next CS_SLICE_SPELL searches straight
 * to the query threads (*thread_spell), and when slow, this one to the
 * slow lane (*slow_spell). */
void pool_slice_deferred(const cs_engine *e, unsigned *thread_spell, unsigned *slow_spell);

/* Start n query threads, each with its own engine on cfg's index; 0, or
 * -1 logged. */
int pool_start(const server_config *cfg, unsigned n);
/* Queue j; a query thread will post it back to j->w. */
void pool_submit(job *j);
/* Ask every query thread to reopen its index before its next job. */
void pool_reopen(void);
/* Stop the threads once their running jobs are done (each posted back),
 * drop the jobs still queued, and free everything.  Call after the
 * workers' loops have ended. */
void pool_stop(void);

#endif
