/* Text analysis: the one place where text becomes terms.
 *
 * The indexer and the query side both call cs_analyze(), so a word in a
 * query is normalised exactly as the same word was in an article.  What it
 * does, in order:
 *   - splits on anything that is not a letter, mark or digit, except an
 *     apostrophe between letters (o’brien), a '.' or ',' between digits
 *     (1.1, 2,000), a '&' between letters (a&e) and a currency sign before a
 *     digit (£850m);
 *   - normalises each token with utf8proc: NFKC, case folding, accents
 *     stripped, curly apostrophes made straight, thousands commas dropped,
 *     a possessive 's dropped (radmore’s -> radmore);
 *   - gives a hyphenated compound (mid-2019, north-west) one position per part
 *     and adds the parts joined (mid2019) as a variant at the first part's
 *     position, so the compound is findable joined and apart;
 *   - adds variants for money and units: £850m also as 850m, 1.1million
 *     also as 1.1 and million.
 * Stemming is not done here: Xapian's stemmer runs in the shim on the terms
 * this produces.
 */
#ifndef CS_ANALYZE_H
#define CS_ANALYZE_H

#include <stddef.h>
#include <stdbool.h>

enum {
    /* Shares the position of the previous primary token (a joined compound
     * or a money/unit variant).  Phrase queries use primary tokens only. */
    CS_TOK_VARIANT = 1,
    /* Holds a digit: numbers are not stemmed. */
    CS_TOK_NUMERIC = 2,
    /* The first part of a hyphenated compound; the parts that follow carry
     * CS_TOK_COMPOUND_CONT.  The query side turns a compound into a phrase. */
    CS_TOK_COMPOUND_START = 4,
    CS_TOK_COMPOUND_CONT = 8,
};

typedef struct cs_token {
    const char *term;   /* normalised, NUL-terminated; valid during the callback */
    size_t len;         /* bytes in term */
    size_t start, end;  /* byte range of the token in the source text */
    unsigned pos;       /* 1-based term position */
    unsigned flags;     /* CCG_TOK_* */
} cs_token;

/* Called once per token, in text order.  A non-zero return stops the
 * analysis and becomes cs_analyze()'s return value. */
typedef int (*cs_token_fn)(void *ctx, const cs_token *tok);

/* Tokenise and normalise text[0..len) (UTF-8; invalid bytes are treated as
 * separators).  Positions start at first_pos (use 1 for a fresh field).
 * Returns 0, or the callback's non-zero value, or -1 when out of memory.
 * If last_pos is not NULL it receives the last position used. */
int cs_analyze(const char *text, size_t len, unsigned first_pos,
                cs_token_fn fn, void *ctx, unsigned *last_pos);

/* The English stem of a normalised word into out (cap bytes, NUL
 * terminated), through Xapian's stemmer, after one rule of our own: an
 * abbreviation in the plural ("ccgs", "gps", "stps": no vowel before the
 * final s) loses the s, which the stemmer would keep.  Returns the stem's
 * length, or 0 when it does not fit. */
size_t cs_stem(const char *word, size_t len, char *out, size_t cap);

/* Normalise a whole phrase for use as a key (facet values, gazetteer
 * look-ups): the tokens of cs_analyze() (primary ones only) joined by single
 * spaces.  "NHS  Leicester City CCG’s" -> "nhs leicester city ccg".
 * Returns a malloc'd string the caller frees, or NULL when out of memory. */
char *cs_normalize_key(const char *text, size_t len);

/* True when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
bool cs_utf8_valid(const char *s, size_t len);
/* Offset of the first byte of s[0..len) that is not valid UTF-8, or len. */
size_t cs_utf8_invalid_at(const char *s, size_t len);

/* The largest n <= max such that s[0..n) does not end inside a multi-byte
 * character; s[0..len) must be valid UTF-8. */
size_t cs_utf8_cut(const char *s, size_t len, size_t max);

#endif
