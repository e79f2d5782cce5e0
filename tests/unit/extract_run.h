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

/* The values of the mentions of kind k that the passes up to and including
 * `last` found in text, in the order they were found, joined by " | "; a
 * mention without a value (a group of CCGs) is written "#a-b", its tokens.
 * malloc'd (the caller frees), "" when there are none. */
static inline char *found(const char *text, const char *last, enum ex_kind k)
{
    ex x;
    cs_entities out = { 0 };
    assert_true(ex_open(&x, text, strlen(text), &out));
    assert_true(ex_run(&x, last));
    cs_buf b = { 0 };
    for (size_t i = 0; i < x.nm; i++) {
        if (x.m[i].kind != k)
            continue;
        if (b.len)
            cs_buf_puts(&b, " | ");
        if (*x.m[i].value) {
            cs_buf_puts(&b, x.m[i].value);
        } else {
            char span[48];
            snprintf(span, sizeof span, "#%zu-%zu", x.m[i].a, x.m[i].b);
            cs_buf_puts(&b, span);
        }
    }
    ex_close(&x);
    cs_entities_free(&out);
    char *s = cs_buf_take(&b);
    assert_non_null(s);
    return s;
}

/* Assert that the mentions of kind k found by the passes up to `last` in
 * text are want (as found() writes them). */
#define assert_found(text, last, k, want)                                    \
    do {                                                                     \
        char *got_ = found((text), (last), (k));                             \
        assert_string_equal(got_, (want));                                   \
        free(got_);                                                          \
    } while (0)

/* The relations every pass finds in text, in the order recorded, each
 * "person / role / org" ("-" for no org), joined by " | "; malloc'd. */
static inline char *related(const char *text)
{
    ex x;
    cs_entities out = { 0 };
    assert_true(ex_open(&x, text, strlen(text), &out));
    assert_true(ex_run(&x, NULL));
    cs_buf b = { 0 };
    for (size_t i = 0; i < out.nrel; i++) {
        if (b.len)
            cs_buf_puts(&b, " | ");
        cs_buf_puts(&b, out.rel[i].person);
        cs_buf_puts(&b, " / ");
        cs_buf_puts(&b, out.rel[i].role);
        cs_buf_puts(&b, " / ");
        cs_buf_puts(&b, out.rel[i].org ? out.rel[i].org : "-");
    }
    ex_close(&x);
    cs_entities_free(&out);
    char *s = cs_buf_take(&b);
    assert_non_null(s);
    return s;
}

#define assert_related(text, want)                                           \
    do {                                                                     \
        char *got_ = related(text);                                          \
        assert_string_equal(got_, (want));                                   \
        free(got_);                                                          \
    } while (0)

#endif
