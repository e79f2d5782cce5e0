/* Unit tests for lib/index/indexdir.c: the writer lock, the stub that names
 * the live generation, rebuild generations and the atomic swap, on real
 * directories under a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/indexdir.h"
#include "index/schema.h"
#include "index/xapian_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static int make_root(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/ccg-indexdir-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int remove_root(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* root/name; each call's string lives until the end of the test run. */
static const char *at(const char *name)
{
    static char p[64][256];
    static unsigned k;
    assert_true(k < 64);
    snprintf(p[k], sizeof p[k], "%s/%s", root, name);
    return p[k++];
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The stub's one line. */
static const char *stub_of(const char *dir)
{
    static char line[128];
    char path[300];
    snprintf(path, sizeof path, "%s/XAPIANDB", dir);
    FILE *f = fopen(path, "r");
    line[0] = '\0';
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    return line;
}

/* A Xapian database with one document at path. */
static void write_db(const char *path)
{
    cs_xs_writer *w;
    assert_int_equal(cs_xs_writer_open(path, CS_XS_OVERWRITE, CS_PREFIX_ID, &w, NULL), CS_XS_OK);
    cs_xs_doc *d = cs_xs_doc_new(CS_PREFIX_ID, "one");
    assert_non_null(d);
    assert_int_equal(cs_xs_writer_replace(w, d), CS_XS_OK);
    cs_xs_doc_free(d);
    assert_int_equal(cs_xs_writer_close(w), CS_XS_OK);
}

static void one_writer_holds_the_lock(void **state)
{
    (void)state;
    cs_err err;
    const char *dir = at("locked");
    int fd = cs_indexdir_lock(dir, &err);
    assert_true(fd >= 0);
    assert_int_equal(err.code, CS_OK);
    assert_true(exists(dir));                   /* created on the way */
    /* flock is per open file: a second open in the same process is refused
     * as another process would be. */
    assert_int_equal(cs_indexdir_lock(dir, &err), -1);
    assert_int_equal(err.code, CS_E_IO);
    assert_non_null(strstr(err.msg, "another ccg-indexer is writing to this index"));
    close(fd);
    fd = cs_indexdir_lock(dir, &err);
    assert_true(fd >= 0);
    close(fd);
}

static void a_lock_that_cannot_be_made_says_where(void **state)
{
    (void)state;
    cs_err err;
    assert_int_equal(cs_indexdir_lock("/proc/ccg-no-such/index", &err), -1);
    assert_int_equal(err.code, CS_E_IO);
    assert_non_null(strstr(err.msg, "cannot create /proc/ccg-no-such/index"));
}

static void a_new_index_gets_a_first_generation(void **state)
{
    (void)state;
    cs_err err;
    const char *dir = at("fresh");
    assert_int_equal(mkdir(dir, 0777), 0);
    char *live = cs_indexdir_live(dir, &err);
    assert_non_null(live);
    assert_string_equal(live, at("fresh/db-000000"));
    assert_string_equal(stub_of(dir), "auto db-000000\n");
    /* Asking again names the same generation. */
    char *again = cs_indexdir_live(dir, &err);
    assert_string_equal(again, live);
    free(again);
    free(live);
}

static void a_rebuild_swaps_the_stub_and_keeps_one_before(void **state)
{
    (void)state;
    cs_err err;
    const char *dir = at("swap");
    assert_int_equal(mkdir(dir, 0777), 0);
    char *live = cs_indexdir_live(dir, &err);
    write_db(live);
    ino_t ino0, ino1;
    long long ct0, ct1;
    assert_true(cs_indexdir_stamp(dir, &ino0, &ct0));

    /* A leftover of a rebuild that died is removed by the next one. */
    assert_int_equal(mkdir(at("swap/db-000007"), 0777), 0);
    char *next = cs_indexdir_next(dir, &err);
    assert_non_null(next);
    assert_false(exists(at("swap/db-000007")));
    assert_string_equal(next, at("swap/db-000001"));
    assert_false(exists(next));                 /* not created: the writer does */
    write_db(next);
    assert_string_equal(stub_of(dir), "auto db-000000\n");   /* not live yet */

    assert_int_equal(cs_indexdir_swap(dir, next, &err), 0);
    assert_string_equal(stub_of(dir), "auto db-000001\n");
    assert_true(cs_indexdir_stamp(dir, &ino1, &ct1));
    assert_true(ino0 != ino1 || ct0 != ct1);
    assert_true(exists(live));                  /* the one before stays for its readers */

    /* The swap after that removes the one before the live one. */
    char *third = cs_indexdir_next(dir, &err);
    assert_string_equal(third, at("swap/db-000002"));
    write_db(third);
    assert_int_equal(cs_indexdir_swap(dir, third, &err), 0);
    assert_string_equal(stub_of(dir), "auto db-000002\n");
    assert_false(exists(live));
    assert_true(exists(next));

    /* Readers follow the stub. */
    cs_xs_reader *r;
    assert_int_equal(cs_xs_reader_open(dir, CS_PREFIX_ID, &r, NULL), CS_XS_OK);
    const char *data;
    size_t len;
    assert_int_equal(cs_xs_reader_get(r, "one", &data, &len), CS_XS_OK);
    cs_xs_reader_close(r);
    free(live);
    free(next);
    free(third);
}

static void a_plain_xapian_database_is_used_as_it_is(void **state)
{
    (void)state;
    cs_err err;
    const char *dir = at("plain");
    write_db(dir);
    char *live = cs_indexdir_live(dir, &err);
    assert_string_equal(live, dir);
    free(live);
    assert_null(cs_indexdir_next(dir, &err));
    assert_int_equal(err.code, CS_E_INPUT);
    assert_non_null(strstr(err.msg, "is a plain Xapian database; --rebuild needs an index"));
    ino_t ino;
    long long ct;
    assert_false(cs_indexdir_stamp(dir, &ino, &ct));
}

/* The shards' scratch directory starts empty, whatever a build that died
 * left in it, is no generation (a rebuild never prunes or swaps it), and
 * goes when cleared. */
static void the_scratch_directory_starts_empty_and_goes(void **state)
{
    (void)state;
    cs_err err;
    const char *dir = at("scratch");
    int fd = cs_indexdir_lock(dir, &err);
    assert_true(fd >= 0);
    char *s = cs_indexdir_scratch(dir, &err);
    assert_non_null(s);
    assert_string_equal(s, at("scratch/shards"));
    write_db(at("scratch/shards/00"));
    free(s);
    s = cs_indexdir_scratch(dir, &err);
    assert_non_null(s);
    assert_false(exists(at("scratch/shards/00")));
    assert_true(exists(s));
    write_db(at("scratch/shards/01"));
    char *next = cs_indexdir_next(dir, &err);
    assert_non_null(next);
    assert_null(strstr(next, "shards"));
    assert_true(exists(at("scratch/shards/01")));
    free(next);
    cs_indexdir_clear_scratch(dir);
    assert_false(exists(s));
    cs_indexdir_clear_scratch(dir);     /* nothing left: a no-op */
    free(s);
    close(fd);
    /* A directory that cannot be made is an error with the path. */
    assert_null(cs_indexdir_scratch("/nonexistent/ix", &err));
    assert_int_equal(err.code, CS_E_IO);
    assert_non_null(strstr(err.msg, "/nonexistent/ix/shards"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_writer_holds_the_lock),
        cmocka_unit_test(a_lock_that_cannot_be_made_says_where),
        cmocka_unit_test(a_new_index_gets_a_first_generation),
        cmocka_unit_test(a_rebuild_swaps_the_stub_and_keeps_one_before),
        cmocka_unit_test(a_plain_xapian_database_is_used_as_it_is),
        cmocka_unit_test(the_scratch_directory_starts_empty_and_goes),
    };
    return cmocka_run_group_tests(tests, make_root, remove_root);
}
