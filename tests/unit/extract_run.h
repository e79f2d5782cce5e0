/* Helpers for the extractor's unit tests (test_extract_*.c): run the pass
 * table of lib/entities/extract.c on a short text up to a named pass, and
 * write what it found as one string to compare.  Header-only: each test
 * program includes it once. */
#ifndef TESTS_EXTRACT_RUN_H
#define TESTS_EXTRACT_RUN_H

#include "entities/internal.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one run found: the extraction, its relations, and the string being
 * written of them. */
typedef struct run {
    ex x;
    cs_entities out;
    cs_buf b;
} run;

/* Run the passes on text up to and including `last` (NULL: all). */
static inline void run_start(run *r, const char *text, const char *last)
{
    memset(r, 0, sizeof *r);
    assert_true(ex_open(&r->x, text, strlen(text), &r->out));
    assert_true(ex_run(&r->x, last));
}

/* Append s to the string, after " | " unless it is the first item. */
static inline void run_item(run *r, const char *s)
{
    if (r->b.len)
        cs_buf_puts(&r->b, " | ");
    cs_buf_puts(&r->b, s);
}

/* Free the run; returns the string written (malloc'd, the caller frees). */
static inline char *run_end(run *r)
{
    ex_close(&r->x);
    cs_entities_free(&r->out);
    char *s = cs_buf_take(&r->b);
    assert_non_null(s);
    return s;
}

/* The values of the mentions of kind k that the passes up to and including
 * `last` found in text, in the order they were found, joined by " | "; a
 * mention without a value (a group of CCGs) is written "#a-b", its tokens.
 * malloc'd (the caller frees), "" when there are none. */
static inline char *found(const char *text, const char *last, enum ex_kind k)
{
    run r;
    run_start(&r, text, last);
    for (size_t i = 0; i < r.x.nm; i++) {
        const ex_mention *m = &r.x.m[i];
        char span[48];
        snprintf(span, sizeof span, "#%zu-%zu", m->a, m->b);
        if (m->kind == k)
            run_item(&r, *m->value ? m->value : span);
    }
    return run_end(&r);
}

/* The relations every pass finds in text, in the order recorded, each
 * "person / role / org" ("-" for no org), joined by " | "; malloc'd. */
static inline char *related(const char *text)
{
    run r;
    run_start(&r, text, NULL);
    for (size_t i = 0; i < r.out.nrel; i++) {
        const cs_person_role *p = &r.out.rel[i];
        char item[512];
        snprintf(item, sizeof item, "%s / %s / %s", p->person, p->role, p->org ? p->org : "-");
        run_item(&r, item);
    }
    return run_end(&r);
}

/* Assert that the mentions of kind k found by the passes up to `last` in
 * text are want (as found() writes them). */
#define assert_found(text, last, k, want)                                    \
    do {                                                                     \
        char *got_ = found((text), (last), (k));                             \
        assert_string_equal(got_, (want));                                   \
        free(got_);                                                          \
    } while (0)

/* Assert that the relations found in text are want (as related() writes
 * them). */
#define assert_related(text, want)                                           \
    do {                                                                     \
        char *got_ = related(text);                                          \
        assert_string_equal(got_, (want));                                   \
        free(got_);                                                          \
    } while (0)

#endif
