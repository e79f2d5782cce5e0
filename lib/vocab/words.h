/* Word lists written in code rather than in data/: short closed lists that
 * belong to the language, not to the NHS.  Each is NULL-terminated. */
#ifndef CS_WORDS_H
#define CS_WORDS_H

/* Titles before a name ("Dr", "Cllr"), normalised. */
extern const char *const cs_honorifics[];
/* The numbers written as words, from "zero": a word's index is its value. */
extern const char *const cs_number_words[];

#endif
