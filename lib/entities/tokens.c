/* The extractor's tokeniser: the text cut into words that keep their case,
 * punctuation marks, possessives and hyphens, each with its sentence; see
 * internal.h.  (Not the indexer's analyser, which folds case and drops
 * punctuation that the recognisers read.) */
#include "entities/internal.h"
#include "text/analyze.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* Length of a curly or straight apostrophe at s (0 if none). */
static size_t apostrophe(const char *s, size_t len)
{
    if (len >= 1 && s[0] == '\'')
        return 1;
    if (len >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0x99 || (unsigned char)s[2] == 0x98))
        return 3;
    return 0;
}

/* Punctuation we keep as tokens, by its UTF-8 bytes: returns its length and
 * writes the ASCII stand-in. */
static size_t punct(const char *s, size_t len, char *out)
{
    unsigned char c = (unsigned char)s[0];
    if (c < 0x80) {
        if (strchr(",.;:()[]\"&/!?|-", c)) {
            out[0] = (char)c;
            out[1] = '\0';
            return 1;
        }
        return 0;
    }
    if (len >= 3 && c == 0xE2 && (unsigned char)s[1] == 0x80) {
        switch ((unsigned char)s[2]) {
        case 0x93: case 0x94: strcpy(out, "--"); return 3;      /* – — */
        case 0x9C: case 0x9D: strcpy(out, "\""); return 3;      /* “ ” */
        case 0x98: case 0x99: strcpy(out, "'"); return 3;       /* ‘ ’ */
        case 0xA2: strcpy(out, "*"); return 3;                  /* • */
        default: return 0;
        }
    }
    return 0;
}

static ex_tok *add_tok(ex *x, size_t a, size_t b, unsigned f)
{
    assert(a < b && b <= x->len);
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 512;
        ex_tok *t = realloc(x->t, cap * sizeof *t);
        if (!t) {
            x->oom = true;
            return NULL;
        }
        x->t = t;
        x->cap = cap;
    }
    ex_tok *t = &x->t[x->n++];
    memset(t, 0, sizeof *t);
    t->a = a;
    t->b = b;
    t->f = f;
    t->owner = -1;
    return t;
}

/* Abbreviations whose full stop does not end a sentence. */
static bool abbrev(const ex *x, const char *norm)
{
    return cs_words_has(&x->g->abbreviations, norm) || strlen(norm) == 1;  /* "J. Smith" */
}

static void word_norm(ex *x, ex_tok *t)
{
    const char *s = x->text + t->a;
    size_t n = t->b - t->a;
    bool ascii = true;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            ascii = false;
    if (ascii && n < NORM_MAX) {
        for (size_t i = 0; i < n; i++)
            t->norm[i] = (char)tolower((unsigned char)s[i]);
        t->norm[n] = '\0';
        return;
    }
    char *k = cs_normalize_key(s, n);
    if (!k) {
        x->oom = true;
        return;
    }
    size_t kl = cs_utf8_cut(k, strlen(k), NORM_MAX - 1);
    memcpy(t->norm, k, kl);
    t->norm[kl] = '\0';
    free(k);
}

void ex_tokenize(ex *x)
{
    assert(x->n == 0 && x->nm == 0);        /* the first pass, run once */
    const char *s = x->text;
    size_t len = x->len, i = 0;
    int sent = 0;
    bool new_sent = true, new_line = true;

    while (i < len && !x->oom) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            sent++;
            new_sent = new_line = true;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        char p[4];
        size_t pl;
        if (is_word_byte(c) && !(c >= 0xE2 && punct(s + i, len - i, p))) {
            size_t a = i;
            while (i < len) {
                unsigned char d = (unsigned char)s[i];
                size_t ap;
                if (d >= 0x80 && punct(s + i, len - i, p) && !apostrophe(s + i, len - i))
                    break;
                if (is_word_byte(d) && !(d >= 0x80 && apostrophe(s + i, len - i))) {
                    /* Caption text run together: "BROWNAndy" is "BROWN"
                     * then "Andy". */
                    if (i >= a + 2 && isupper(d) && i + 2 < len && islower((unsigned char)s[i + 1]) &&
                        islower((unsigned char)s[i + 2]) &&
                        isupper((unsigned char)s[i - 1]) && isupper((unsigned char)s[i - 2]))
                        break;
                    i++;
                    continue;
                }
                /* An apostrophe between letters belongs to the word
                 * (O’Brien), except a possessive 's at its end. */
                if ((ap = apostrophe(s + i, len - i)) && i + ap < len &&
                    is_word_byte((unsigned char)s[i + ap]) &&
                    !((s[i + ap] == 's' || s[i + ap] == 'S') &&
                      (i + ap + 1 == len || !is_word_byte((unsigned char)s[i + ap + 1])))) {
                    i += ap;
                    continue;
                }
                break;
            }
            ex_tok *t = add_tok(x, a, i, EX_T_WORD);
            if (!t)
                return;
            word_norm(x, t);
            unsigned char f0 = (unsigned char)s[a];
            int letters = 0, upper = 0;
            for (size_t k = a; k < i; k++) {
                if (isalpha((unsigned char)s[k])) {
                    letters++;
                    if (isupper((unsigned char)s[k]))
                        upper++;
                }
                if (isdigit((unsigned char)s[k]))
                    t->f |= EX_T_DIGIT;
            }
            if (isupper(f0) || (f0 >= 0x80 && t->norm[0] && strncmp(x->text + a, t->norm, 1) != 0))
                t->f |= EX_T_CAP;
            if (letters >= 2 && upper == letters)
                t->f |= EX_T_UPPER;
            t->sent = sent;
            if (new_sent)
                t->f |= EX_T_SENT;
            if (new_line)
                t->f |= EX_T_LINE;
            new_sent = new_line = false;
            /* A possessive right after the word. */
            size_t ap = apostrophe(s + i, len - i);
            if (ap && i + ap < len && (s[i + ap] == 's' || s[i + ap] == 'S') &&
                (i + ap + 1 == len || !is_word_byte((unsigned char)s[i + ap + 1]))) {
                ex_tok *q = add_tok(x, i, i + ap + 1, EX_T_POSS);
                if (!q)
                    return;
                strcpy(q->norm, "'s");
                q->sent = sent;
                i += ap + 1;
            } else if (ap && i > a && (s[i - 1] == 's' || s[i - 1] == 'S') &&
                       (i + ap == len || !is_word_byte((unsigned char)s[i + ap]))) {
                ex_tok *q = add_tok(x, i, i + ap, EX_T_POSS);          /* CCGs’ */
                if (!q)
                    return;
                strcpy(q->norm, "'s");
                q->sent = sent;
                i += ap;
            }
            continue;
        }
        if ((pl = punct(s + i, len - i, p))) {
            unsigned f = EX_T_PUNCT;
            /* A hyphen between two words joins them. */
            if (p[0] == '-' && p[1] == '\0' && i > 0 && is_word_byte((unsigned char)s[i - 1]) &&
                i + 1 < len && is_word_byte((unsigned char)s[i + 1]))
                f |= EX_T_HYPHEN;
            ex_tok *t = add_tok(x, i, i + pl, f);
            if (!t)
                return;
            strcpy(t->norm, p);
            t->sent = sent;
            i += pl;
            /* Sentence ends: . ! ? followed by a blank. */
            if ((p[0] == '.' || p[0] == '!' || p[0] == '?') && (i >= len || s[i] == ' ' || s[i] == '\n')) {
                bool ab = p[0] == '.' && x->n >= 2 && (x->t[x->n - 2].f & EX_T_WORD) &&
                          abbrev(x, x->t[x->n - 2].norm);
                if (!ab) {
                    sent++;
                    new_sent = true;
                }
            }
            continue;
        }
        i++;        /* other symbols: skip */
    }
    /* Each token's length and hash, once, for the look-ups of every pass
     * (ex_in()). */
    for (size_t k = 0; k < x->n; k++) {
        x->t[k].len = strlen(x->t[k].norm);
        x->t[k].h = cs_strmap_hash(CS_STRMAP_HASH0, x->t[k].norm, x->t[k].len);
    }
}
