/* Dates: the one parser of the dates articles and requests write. */
#ifndef CS_DATE_H
#define CS_DATE_H

#include <stddef.h>

/* Parse a date written the ways articles write them: "2019-01-21",
 * "21/01/2019", "21 January 2019", "21st Jan 2019", "January 21, 2019",
 * each optionally after a weekday.  On success writes "YYYY-MM-DD" and a NUL
 * to out (11 bytes) and returns the number of bytes of s consumed; returns 0
 * when s does not start with a valid date. */
size_t cs_parse_date(const char *s, size_t len, char out[11]);

/* A date written one of those ways whose day does not exist ("2019-02-29",
 * "31 June 2019", a month 13, a year outside 1900-2100): writes it as
 * "YYYY-MM-DD" (as written, so not a valid date) to out and returns the
 * bytes consumed, so that a caller can say what it did not read; returns 0
 * for a valid date and for text that is no date at all. */
size_t cs_parse_impossible_date(const char *s, size_t len, char out[11]);

#endif
