/* What the libFuzzer targets of tests/fuzz share (README.md there): the
 * entry points' declarations, a NUL-terminated copy of an input and, for a
 * target that defines FUZZ_WANT_INDEX before including this, the tiny
 * index the query compiler and the snippets need.  Each target is one
 * translation unit, so the helpers are static.
 */
#ifndef CS_FUZZ_H
#define CS_FUZZ_H

#include "index/xapian_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A malloc'd copy of data[0..size) with a NUL after it; aborts when out of
 * memory (a fuzzer has no better answer). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#ifdef FUZZ_WANT_INDEX
#include "docbuild.h"
#include "entities/extract.h"
#include "index/schema.h"
#include "text/article.h"

#include <dirent.h>
#include <unistd.h>

/* A reader of a small index built once per process, in a temporary
 * directory removed at exit, from a few made-up articles run through the
 * indexer's own path (article parser, extractor, document builder), so
 * wildcards, spelling and the entity vocabulary have something to find.
 * Aborts when it cannot be built. */
static const char *const fuzz_articles[] = {
    "Four CCGs appoint single accountable officer\n\n"
    "12 March 2018 | Health Service Journal\n\n"
    "Nottingham City, Nottingham North East, Nottingham West and Rushcliffe CCGs have "
    "appointed a joint accountable officer. Sam Walters, chief officer of Nottingham North "
    "East CCG, will take up the post. The merger of commissioning groups was approved by "
    "NHS England.\n",
    "Leicester City CCG names clinical chair\n\n"
    "2 May 2019 | Leicester Mercury\n\n"
    "Azhar Farooqi, clinical chair of Leicester City CCG, said the mergers in Leicestershire "
    "would save money. West Leicestershire CCG and East Leicestershire and Rutland CCG agreed.\n",
    "Essex groups merge\n\n"
    "1 April 2020\n\n"
    "Mid Essex, Basildon and Brentwood CCGs merged. Toby Sanders, the interim accountable "
    "officer, welcomed the decision of the governing bodies. Merging saves management costs.\n",
};

static char fuzz_dir[] = "/tmp/ccg-fuzz-index-XXXXXX";
static cs_xs_reader *fuzz_r;

static void fuzz_cleanup(void)
{
    cs_xs_reader_close(fuzz_r);
    fuzz_r = NULL;
    /* A Xapian database is a flat directory of files. */
    DIR *d = opendir(fuzz_dir);
    struct dirent *de;
    char path[sizeof fuzz_dir + 256];
    while (d && (de = readdir(d))) {
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, de->d_name);
        if (de->d_name[0] != '.')
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(fuzz_dir);
}

static cs_xs_reader *fuzz_reader(void)
{
    if (fuzz_r)
        return fuzz_r;
    cs_xs_writer *w = NULL;
    if (!mkdtemp(fuzz_dir) ||
        cs_xs_writer_open(fuzz_dir, CS_XS_OVERWRITE, CS_PREFIX_ID, &w, NULL) != CS_XS_OK) {
        fprintf(stderr, "fuzz: cannot make the index in %s\n", fuzz_dir);
        abort();
    }
    for (size_t i = 0; i < sizeof fuzz_articles / sizeof fuzz_articles[0]; i++) {
        char id[16];
        snprintf(id, sizeof id, "doc%zu", i);
        cs_article a;
        cs_entities e = { 0 };
        const char *why = NULL;
        cs_xs_doc *d = NULL;
        if (!cs_article_from_text(id, fuzz_articles[i], strlen(fuzz_articles[i]), &a, NULL) ||
            !cs_extract(&a, &e) || !(d = cs_docbuild(&a, &e, NULL, &why)) ||
            cs_xs_writer_replace(w, d) != CS_XS_OK) {
            fprintf(stderr, "fuzz: cannot index article %zu (%s)\n", i, why ? why : "");
            abort();
        }
        cs_xs_doc_free(d);
        cs_entities_free(&e);
        cs_article_clear(&a);
    }
    if (cs_xs_writer_close(w) != CS_XS_OK ||
        cs_xs_reader_open(fuzz_dir, CS_PREFIX_ID, &fuzz_r, NULL) != CS_XS_OK) {
        fprintf(stderr, "fuzz: cannot open the index in %s\n", fuzz_dir);
        abort();
    }
    atexit(fuzz_cleanup);
    return fuzz_r;
}
#endif

#endif
