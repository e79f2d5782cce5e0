/* The version of ccgsearch: the one place it is written.
 *
 * The programs print it for --version, the daemon reports it in STATS and
 * HELP, the client library returns it from ccg_version(), and the Makefile
 * reads CCGSEARCH_VERSION from this file for ccgsearch.pc.  The shared
 * library's soname (libccgsearch.so.1) is versioned separately: it changes
 * only when the client API breaks. */
#ifndef CCGSEARCH_VERSION_H
#define CCGSEARCH_VERSION_H

#define CCGSEARCH_VERSION "0.9.0"

#endif
