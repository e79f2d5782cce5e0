/* The index directory; see indexdir.h. */
#define _GNU_SOURCE
#include "index/indexdir.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STUB "XAPIANDB"
#define GEN_PREFIX "db-"
#define SCRATCH "shards"

static char *join(const char *dir, const char *name)
{
    cs_buf p = { 0 };
    cs_buf_printf(&p, "%s/%s", dir, name);
    return cs_buf_take(&p);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A directory that Xapian itself made (a glass or chert database). */
static bool plain_xapian_db(const char *dir)
{
    char *g = join(dir, "iamglass"), *c = join(dir, "iamchert");
    bool yes = (g && exists(g)) || (c && exists(c));
    free(g);
    free(c);
    return yes;
}

/* Open dir's lock file with flags and take it as how (LOCK_EX or LOCK_SH),
 * not waiting; returns the descriptor, CS_INDEXDIR_NO_LOCK when it is not
 * there and flags do not create it, or -1 with *err set. */
static int take_lock(const char *dir, int flags, int how, cs_err *err)
{
    char *path = join(dir, "lock");
    if (!path) {
        cs_err_nomem(err);
        return -1;
    }
    int fd = open(path, flags | O_CLOEXEC, 0666);
    if (fd < 0 && errno == ENOENT && !(flags & O_CREAT)) {
        fd = CS_INDEXDIR_NO_LOCK;
    } else if (fd < 0) {
        cs_err_set(err, CS_E_IO, "cannot open %s: %s", path, strerror(errno));
    } else if (flock(fd, how | LOCK_NB) != 0) {
        cs_err_set(err, CS_E_IO, "%s: %s", dir,
                   errno == EWOULDBLOCK ? "another ccg-indexer is writing to this index"
                                        : strerror(errno));
        close(fd);
        fd = -1;
    }
    free(path);
    return fd;
}

int cs_indexdir_lock(const char *dir, cs_err *err)
{
    cs_err_clear(err);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cs_err_set(err, CS_E_IO, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    return take_lock(dir, O_RDWR | O_CREAT, LOCK_EX, err);
}

int cs_indexdir_lock_shared(const char *dir, cs_err *err)
{
    cs_err_clear(err);
    return take_lock(dir, O_RDONLY, LOCK_SH, err);
}

/* The generation the stub names ("auto db-000002" -> "db-000002"), or
 * NULL.  malloc'd. */
static char *stub_target(const char *dir)
{
    char *path = join(dir, STUB), line[256];
    FILE *f = path ? fopen(path, "r") : NULL;
    char *target = NULL;
    free(path);
    if (!f)
        return NULL;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *t = strncmp(line, "auto ", 5) == 0 ? line + 5 : line;
        if (strncmp(t, GEN_PREFIX, 3) == 0 && !strchr(t, '/'))
            target = cs_strdup(t);
    }
    fclose(f);
    return target;
}

static int write_stub(const char *dir, const char *gen, cs_err *err)
{
    char *tmp = join(dir, STUB ".tmp"), *path = join(dir, STUB);
    int rc = -1;
    if (!tmp || !path) {
        cs_err_nomem(err);
        goto out;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        cs_err_set(err, CS_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    cs_buf line = { 0 };
    cs_buf_printf(&line, "auto %s\n", gen);
    bool ok = !line.oom && write(fd, line.s, line.len) == (ssize_t)line.len && fsync(fd) == 0;
    cs_buf_free(&line);
    if (close(fd) != 0 || !ok) {
        cs_err_set(err, CS_E_IO, "cannot write %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        cs_err_set(err, CS_E_IO, "cannot rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    /* Make the rename itself durable. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    free(tmp);
    free(path);
    return rc;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Generation number of a name like "db-000012", or -1. */
static long gen_number(const char *name)
{
    if (strncmp(name, GEN_PREFIX, 3) != 0)
        return -1;
    char *end;
    long n = strtol(name + 3, &end, 10);
    return (*end == '\0' && end != name + 3 && n >= 0) ? n : -1;
}

/* Highest generation number present in dir (-1 if none). */
static long highest_generation(const char *dir)
{
    DIR *d = opendir(dir);
    long best = -1;
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (gen_number(e->d_name) > best)
            best = gen_number(e->d_name);
    closedir(d);
    return best;
}

/* Remove generations other than keep1 and keep2 (either may be NULL). */
static void prune(const char *dir, const char *keep1, const char *keep2)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (gen_number(e->d_name) < 0)
            continue;
        if ((keep1 && strcmp(e->d_name, keep1) == 0) || (keep2 && strcmp(e->d_name, keep2) == 0))
            continue;
        char *p = join(dir, e->d_name);
        if (p)
            remove_tree(p);
        free(p);
    }
    closedir(d);
}

/* The live database of dir: dir itself when it is a plain Xapian
 * database, else the generation its stub names; with none, an empty first
 * generation behind a new stub if create, else NULL with *err set. */
static char *live_path(const char *dir, bool create, cs_err *err)
{
    cs_err_clear(err);
    if (plain_xapian_db(dir))
        return cs_strdup(dir);
    char *gen = stub_target(dir);
    if (!gen && !create) {
        cs_err_set(err, CS_E_INPUT, "%s: no index here (no %s stub naming a generation)", dir,
                   STUB);
        return NULL;
    }
    if (!gen) {
        /* A new index: an empty first generation behind a stub.  The
         * database itself is created by the writer that opens it. */
        char name[32];
        snprintf(name, sizeof name, GEN_PREFIX "%06ld", highest_generation(dir) + 1);
        if (write_stub(dir, name, err) != 0)
            return NULL;
        gen = cs_strdup(name);
    }
    char *path = gen ? join(dir, gen) : NULL;
    free(gen);
    if (!path)
        cs_err_nomem(err);
    return path;
}

char *cs_indexdir_live(const char *dir, cs_err *err)
{
    return live_path(dir, true, err);
}

char *cs_indexdir_current(const char *dir, cs_err *err)
{
    return live_path(dir, false, err);
}

char *cs_indexdir_next(const char *dir, cs_err *err)
{
    cs_err_clear(err);
    if (plain_xapian_db(dir)) {
        cs_err_set(err, CS_E_INPUT,
                   "%s is a plain Xapian database; --rebuild needs an index made by ccg-indexer",
                   dir);
        return NULL;
    }
    char *live = stub_target(dir);
    /* Whatever is neither live nor just before it is a leftover of a
     * rebuild that did not finish. */
    long lg = live ? gen_number(live) : -1;
    char prev[32];
    snprintf(prev, sizeof prev, GEN_PREFIX "%06ld", lg - 1);
    prune(dir, live, lg > 0 ? prev : NULL);
    char name[32];
    long next = highest_generation(dir) + 1;
    snprintf(name, sizeof name, GEN_PREFIX "%06ld", next);
    free(live);
    char *path = join(dir, name);
    if (!path)
        cs_err_nomem(err);
    else if (is_dir(path))
        remove_tree(path);
    return path;
}

int cs_indexdir_swap(const char *dir, const char *db_path, cs_err *err)
{
    cs_err_clear(err);
    const char *slash = strrchr(db_path, '/');
    const char *gen = slash ? slash + 1 : db_path;
    char *old = stub_target(dir);
    int rc = write_stub(dir, gen, err);
    if (rc == 0)
        prune(dir, gen, old);
    free(old);
    return rc;
}

char *cs_indexdir_scratch(const char *dir, cs_err *err)
{
    cs_err_clear(err);
    char *path = join(dir, SCRATCH);
    if (!path) {
        cs_err_nomem(err);
        return NULL;
    }
    if (exists(path))
        remove_tree(path);
    if (mkdir(path, 0777) != 0) {
        cs_err_set(err, CS_E_IO, "cannot create %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

void cs_indexdir_clear_scratch(const char *dir)
{
    char *path = join(dir, SCRATCH);
    if (path && exists(path))
        remove_tree(path);
    free(path);
}

bool cs_indexdir_stamp(const char *dir, ino_t *ino, long long *ctime_ns)
{
    char *path = join(dir, STUB);
    struct stat st;
    bool ok = path && stat(path, &st) == 0;
    free(path);
    if (!ok)
        return false;
    *ino = st.st_ino;
    *ctime_ns = (long long)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
    return true;
}
