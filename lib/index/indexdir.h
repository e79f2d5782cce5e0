/* The index directory: how a live index is swapped without readers ever
 * seeing half of one.
 *
 *   DIR/XAPIANDB     a Xapian stub file, "auto db-000002": the live database
 *   DIR/db-000002/   the live database (glass)
 *   DIR/db-000001/   the previous one, kept until the next swap so that
 *                    readers still holding it can finish
 *   DIR/lock         held (flock) by the one indexer writing to DIR
 *   DIR/shards/      only while a parallel build runs: its shards, merged
 *                    into a new db-NNNNNN that is then swapped in
 *
 * Readers open DIR and Xapian follows the stub.  A rebuild writes a new
 * db-NNNNNN beside the live one and renames a new stub over the old one,
 * which is atomic; a rebuild that dies midway leaves the stub, and so the
 * live index, as it was.  A DIR that is itself a Xapian database (made by
 * other tools) is used as it is, but cannot be rebuilt in place.
 */
#ifndef CS_INDEXDIR_H
#define CS_INDEXDIR_H

#include "core/err.h"

#include <stdbool.h>
#include <sys/types.h>

/* Take the writer lock on dir, creating dir if needed; returns a file
 * descriptor to close when done, or -1 with *err set. */
int cs_indexdir_lock(const char *dir, cs_err *err);

/* The path of the live database in dir, creating an empty first
 * generation when dir has none.  malloc'd; NULL with *err set. */
char *cs_indexdir_live(const char *dir, cs_err *err);

/* Take dir's lock shared, as a reader that must not overlap a writer
 * (ccg-indexer --check): the lock file is opened read-only and never
 * created, so a read-only copy can be checked.  Returns a descriptor to
 * close when done; CS_INDEXDIR_NO_LOCK when dir has no lock file (no
 * writer ever ran there); -1 with *err set when a writer holds it or the
 * file cannot be opened. */
#define CS_INDEXDIR_NO_LOCK (-2)
int cs_indexdir_lock_shared(const char *dir, cs_err *err);

/* The path of the live database in dir, or NULL with *err set when dir
 * has none (nothing is created).  malloc'd. */
char *cs_indexdir_current(const char *dir, cs_err *err);

/* A path for a new generation (not yet created): malloc'd; NULL with *err.
 * Leftover generations of failed rebuilds are removed first. */
char *cs_indexdir_next(const char *dir, cs_err *err);

/* Make db_path (a generation inside dir) the live database: write a new
 * stub and rename it into place, then remove generations older than the
 * one it replaces.  Returns 0, or -1 with *err set. */
int cs_indexdir_swap(const char *dir, const char *db_path, cs_err *err);

/* A new empty directory, DIR/shards, for the shards of a parallel build
 * (ccg-indexer --jobs) before they are merged into a generation; what a
 * build that died left there is removed first.  malloc'd path; NULL with
 * *err set. */
char *cs_indexdir_scratch(const char *dir, cs_err *err);

/* Remove DIR/shards and everything in it, if it exists. */
void cs_indexdir_clear_scratch(const char *dir);

/* Identity of the live stub (its inode and change time); changes whenever
 * a swap happens.  Returns false if dir has no stub. */
bool cs_indexdir_stamp(const char *dir, ino_t *ino, long long *ctime_ns);

#endif
