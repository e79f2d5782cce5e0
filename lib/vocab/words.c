/* The word lists of words.h. */
#include "vocab/words.h"

#include <stddef.h>

const char *const cs_honorifics[] = {
    "dr", "doctor", "professor", "prof", "sir", "dame", "mr", "mrs", "ms", "miss", "cllr",
    "councillor", "lord", "lady", "rev", "reverend", "baroness", NULL,
};

const char *const cs_number_words[] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", NULL,
};
