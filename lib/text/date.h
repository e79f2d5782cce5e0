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

#endif
