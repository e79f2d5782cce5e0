/* The query threads; see pool.h. */
#define _GNU_SOURCE
#include "pool.h"
#include "log.h"
#include "stats.h"
#include "core/limits.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct qthread {
    pthread_t tid;
    bool slow;                  /* answers slow jobs first */
    cs_engine *engine;
    unsigned index_epoch;
    long long last_refresh_us;
    unsigned reopened;          /* the reopen generation it has seen */
} qthread;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t fast_more, slow_more;   /* a job for the fast threads, for the slow ones */
    job *fast_head, *fast_tail, *slow_head, *slow_tail;
    bool stopping;
    qthread *threads;
    unsigned n, nstarted;
    bool has_slow;
    unsigned query_timeout_ms;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER, .fast_more = PTHREAD_COND_INITIALIZER,
         .slow_more = PTHREAD_COND_INITIALIZER };

static atomic_uint reopen_gen;

static void push(job **head, job **tail, job *j)
{
    j->next = NULL;
    if (*tail)
        (*tail)->next = j;
    else
        *head = j;
    *tail = j;
}

static job *pop(job **head, job **tail)
{
    job *j = *head;
    if (j && !(*head = j->next))
        *tail = NULL;
    return j;
}

void pool_job_init(job *j, worker *w, void (*run)(job *, cs_engine *), void (*done)(job *),
                   void (*drop)(job *), long long queued_us, unsigned *spell)
{
    j->it.what = ITEM_DONE;
    j->it.fd = -1;
    j->w = w;
    j->run = run;
    j->done = done;
    j->drop = drop;
    j->queued_us = queued_us;
    j->slow = spell && *spell > 0;
    if (j->slow)
        (*spell)--;
}

void pool_job_cost(const job *j, unsigned *spell)
{
    if (j->took_us > CS_SLOW_QUERY_US)
        *spell = CS_SLOW_QUERY_SPELL;
}

void pool_slice_deferred(const cs_engine *e, unsigned *thread_spell, unsigned *slow_spell)
{
    bool costly = cs_engine_slice_costly(e), overran = cs_engine_slice_overran(e);
    stats_slice(overran  ? STATS_SLICE_OVERRAN
                : costly ? STATS_SLICE_COSTLY
                         : STATS_SLICE_DEFERRED);
    /* A slice that overran, or one its estimates make slow, wasted its
     * loop's time or foretells more like it; one deferred only for its
     * bounds (more matches or hits than a slice takes) cost an estimate,
     * and the connection's next search may well be cheap. */
    if (overran || costly)
        *thread_spell = CS_SLICE_SPELL;
    if (costly && !*slow_spell)
        *slow_spell = 1;
}

void pool_submit(job *j)
{
    pthread_mutex_lock(&pool.lock);
    if (j->slow)
        push(&pool.slow_head, &pool.slow_tail, j);
    else
        push(&pool.fast_head, &pool.fast_tail, j);
    /* One thread of each kind that may take it looks. */
    if (!j->slow || !pool.has_slow)
        pthread_cond_signal(&pool.fast_more);
    if (j->slow || pool.has_slow)
        pthread_cond_signal(&pool.slow_more);
    pthread_mutex_unlock(&pool.lock);
}

/* The next job thread t may take, or NULL when stopping.  Called locked.
 * A fast thread takes fast jobs only (slow ones too when the pool has no
 * slow thread), so that however many clients pipeline costly queries the
 * fast threads stay free for cheap ones; a slow thread takes slow jobs
 * first and helps with fast ones when it has none. */
static job *next_job(const qthread *t)
{
    for (;;) {
        if (pool.stopping)
            return NULL;
        job *j = NULL;
        if (t->slow && (j = pop(&pool.slow_head, &pool.slow_tail)))
            return j;
        if ((j = pop(&pool.fast_head, &pool.fast_tail)))
            return j;
        if (!pool.has_slow && (j = pop(&pool.slow_head, &pool.slow_tail)))
            return j;
        pthread_cond_wait(t->slow ? &pool.slow_more : &pool.fast_more, &pool.lock);
    }
}

static long long cpu_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return cs_now_us();
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void answer(qthread *t, job *j)
{
    unsigned gen = atomic_load(&reopen_gen);
    char who[32];
    snprintf(who, sizeof who, "query thread %u", (unsigned)(t - pool.threads));
    if (gen != t->reopened) {
        cs_engine_reopen(t->engine);
        engine_reopen_failed(t->engine, who);
        t->reopened = gen;
        t->last_refresh_us = cs_now_us();
    }
    engine_refresh(t->engine, &t->index_epoch, &t->last_refresh_us, who);
    /* The time limit counts from when the request was read: time spent
     * queued for a thread is part of it. */
    if (pool.query_timeout_ms)
        cs_engine_set_deadline(t->engine, j->queued_us + (long long)pool.query_timeout_ms * 1000);
    /* What it cost is the thread's CPU time, not the time it took: on a
     * busy machine a cheap query can take long without being costly. */
    long long t0 = cpu_us();
    j->run(j, t->engine);
    j->took_us = cpu_us() - t0;
}

static void *qthread_main(void *arg)
{
    qthread *t = arg;
    pthread_mutex_lock(&pool.lock);
    for (job *j; (j = next_job(t));) {
        pthread_mutex_unlock(&pool.lock);
        answer(t, j);
        /* j belongs to its worker once posted: not touched after this. */
        worker_post(j->w, &j->it);
        pthread_mutex_lock(&pool.lock);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

int pool_start(const server_config *cfg, unsigned n)
{
    assert(n > 0);
    pool.n = n;
    pool.query_timeout_ms = cfg->query_timeout_ms;
    if (!(pool.threads = calloc(n, sizeof *pool.threads)))
        return -1;
    /* A quarter of them (at least one, when there are two or more) for
     * slow jobs: costly queries get at most that share of the threads
     * (with the defaults, one core's worth of a two-core machine), and
     * the rest of the CPU stays with the loops and the cheap queries.
     * One thread alone is a fast one that takes every job. */
    unsigned nslow = n < 2 ? 0 : n / 4 ? n / 4 : 1;
    for (unsigned i = 0; i < nslow; i++)
        pool.threads[i].slow = pool.has_slow = true;
    /* The thread's own deadline replaces the engine's time limit. */
    cs_engine_opts eo = { .query_timeout_ms = cfg->query_timeout_ms };
    for (unsigned i = 0; i < n; i++) {
        cs_err err;
        qthread *t = &pool.threads[i];
        if (!(t->engine = cs_engine_open(cfg->index_dir, &eo, &err))) {
            log_msg(CS_LOG_ERROR, "cannot open index %s: %s", cfg->index_dir, err.msg);
            return -1;
        }
        t->last_refresh_us = cs_now_us();
        t->reopened = atomic_load(&reopen_gen);
    }
    for (; pool.nstarted < n; pool.nstarted++)
        if (pthread_create(&pool.threads[pool.nstarted].tid, NULL, qthread_main,
                           &pool.threads[pool.nstarted]) != 0) {
            log_msg(CS_LOG_ERROR, "cannot start query threads");
            return -1;
        }
    return 0;
}

void pool_reopen(void)
{
    atomic_fetch_add(&reopen_gen, 1);
}

void pool_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stopping = true;
    pthread_cond_broadcast(&pool.fast_more);
    pthread_cond_broadcast(&pool.slow_more);
    pthread_mutex_unlock(&pool.lock);
    for (unsigned i = 0; i < pool.nstarted; i++)
        pthread_join(pool.threads[i].tid, NULL);
    /* Jobs never started: their connections are gone with their workers. */
    for (job *j; (j = pop(&pool.fast_head, &pool.fast_tail));)
        j->drop(j);
    for (job *j; (j = pop(&pool.slow_head, &pool.slow_tail));)
        j->drop(j);
    for (unsigned i = 0; pool.threads && i < pool.n; i++)
        cs_engine_close(pool.threads[i].engine);
    free(pool.threads);
    pool.threads = NULL;
    pool.n = pool.nstarted = 0;
    pool.stopping = false;
}
