/* Entity extraction; see extract.h.
 *
 * The text is cut into tokens that keep their case, then recognisers run
 * in order of confidence, each claiming the tokens it uses so later ones
 * cannot reuse them:
 *   1. CCGs: a gazetteer name followed by "CCG(s)" / "Clinical
 *      Commissioning Group(s)", lists before a plural ("Nene and Corby
 *      CCGs", "North, South and West Norfolk CCGs"), lists after one ("the
 *      CCGs of Erewash, Hardwick, ..."), and "NHS <name>" where the
 *      sentence speaks of CCGs;
 *   2. organisations: the known-organisation gazetteer, then capitalised
 *      names ending in a head word (Trust, Council, Hospital, Committee...);
 *   3. people: capitalised names with a title (Dr, Professor...), a known
 *      given name, or a role right beside them;
 *   4. roles: the vocabulary, qualifiers dropped, and patterns ("director
 *      of X", "X director", "chief X officer");
 *   5. places: the place gazetteer on the tokens nobody claimed.
 * Then relations: who holds which role where, from the patterns a
 * sentence states them in ("X, clinical chair of Y CCG", "Y CCG chief
 * executive X", "X ... as the accountable officer for Y").
 *
 * For rule development, CCG_EXTRACT_TRACE=1 in the environment prints
 * every mention (kind, tokens, value, sentence) to stderr.
 */
#include "entities/extract.h"
#include "entities/bounds.h"
#include "text/analyze.h"
#include "vocab/gazetteer.h"
#include "index/schema.h"
#include "core/util.h"
#include "vocab/words.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    T_WORD = 1 << 0,
    T_CAP = 1 << 1,         /* first letter upper case */
    T_UPPER = 1 << 2,       /* every letter upper case, two or more letters */
    T_DIGIT = 1 << 3,
    T_HYPHEN = 1 << 4,      /* a hyphen joining two words */
    T_POSS = 1 << 5,        /* a possessive 's or ' */
    T_PUNCT = 1 << 6,
    T_SENT = 1 << 7,        /* first token of its sentence */
    T_LINE = 1 << 8,        /* first token of its line */
};

typedef struct tok {
    size_t a, b;            /* bytes of the text */
    char norm[NORM_MAX];    /* lower-case word, or the punctuation mark */
    unsigned f;
    int sent;               /* sentence number */
    int owner;              /* mention that claimed it, or -1 */
} tok;

/* M_GROUP claims words that name no entity of their own ("Kent and Medway
 * CCGs" is a group of CCGs, and its places are not places here). */
enum mkind { M_CCG, M_ORG, M_PERSON, M_ROLE, M_PLACE, M_GROUP };

typedef struct mention {
    enum mkind kind;
    size_t a, b;            /* tokens [a, b) */
    char *value;            /* canonical display value (owned) */
    int list;               /* a CCG named in a list of CCGs: the list's number, else 0 */
} mention;

typedef struct ex {
    const cs_gaz *g;
    const char *text;
    size_t len;
    tok *t;
    size_t n, cap;
    mention *m;
    size_t nm, capm;
    int lists;              /* CCG lists found so far */
    bool groups;            /* CCGs named only as a group ("Staffordshire ... CCGs") */
    bool oom;
} ex;

/* --- tokens --------------------------------------------------------------- */

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

static tok *add_tok(ex *x, size_t a, size_t b, unsigned f)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 512;
        tok *t = realloc(x->t, cap * sizeof *t);
        if (!t) {
            x->oom = true;
            return NULL;
        }
        x->t = t;
        x->cap = cap;
    }
    tok *t = &x->t[x->n++];
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

static void word_norm(ex *x, tok *t)
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

static void tokenize(ex *x)
{
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
            tok *t = add_tok(x, a, i, T_WORD);
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
                    t->f |= T_DIGIT;
            }
            if (isupper(f0) || (f0 >= 0x80 && t->norm[0] && strncmp(x->text + a, t->norm, 1) != 0))
                t->f |= T_CAP;
            if (letters >= 2 && upper == letters)
                t->f |= T_UPPER;
            t->sent = sent;
            if (new_sent)
                t->f |= T_SENT;
            if (new_line)
                t->f |= T_LINE;
            new_sent = new_line = false;
            /* A possessive right after the word. */
            size_t ap = apostrophe(s + i, len - i);
            if (ap && i + ap < len && (s[i + ap] == 's' || s[i + ap] == 'S') &&
                (i + ap + 1 == len || !is_word_byte((unsigned char)s[i + ap + 1]))) {
                tok *q = add_tok(x, i, i + ap + 1, T_POSS);
                if (!q)
                    return;
                strcpy(q->norm, "'s");
                q->sent = sent;
                i += ap + 1;
            } else if (ap && i > a && (s[i - 1] == 's' || s[i - 1] == 'S') &&
                       (i + ap == len || !is_word_byte((unsigned char)s[i + ap]))) {
                tok *q = add_tok(x, i, i + ap, T_POSS);          /* CCGs’ */
                if (!q)
                    return;
                strcpy(q->norm, "'s");
                q->sent = sent;
                i += ap;
            }
            continue;
        }
        if ((pl = punct(s + i, len - i, p))) {
            unsigned f = T_PUNCT;
            /* A hyphen between two words joins them. */
            if (p[0] == '-' && p[1] == '\0' && i > 0 && is_word_byte((unsigned char)s[i - 1]) &&
                i + 1 < len && is_word_byte((unsigned char)s[i + 1]))
                f |= T_HYPHEN;
            tok *t = add_tok(x, i, i + pl, f);
            if (!t)
                return;
            strcpy(t->norm, p);
            t->sent = sent;
            i += pl;
            /* Sentence ends: . ! ? followed by a blank. */
            if ((p[0] == '.' || p[0] == '!' || p[0] == '?') && (i >= len || s[i] == ' ' || s[i] == '\n')) {
                bool ab = p[0] == '.' && x->n >= 2 && (x->t[x->n - 2].f & T_WORD) &&
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
}

static bool word(const ex *x, size_t i)
{
    return i < x->n && (x->t[i].f & T_WORD);
}

/* A word that qualifies a role without changing it: "interim", "joint". */
static bool qualifier(const ex *x, size_t i)
{
    return word(x, i) &&
           cs_strmap_get(&x->g->qualifiers, x->t[i].norm, strlen(x->t[i].norm)) >= 0;
}

/* Two capital letters or more: "NHS", "GPs", "CCGs". */
static bool acronym(const ex *x, size_t i)
{
    if (!word(x, i))
        return false;
    int caps = 0;
    for (size_t k = x->t[i].a; k < x->t[i].b; k++)
        caps += isupper((unsigned char)x->text[k]) != 0;
    return caps >= 2;
}

/* A possessive at token i ("'s", "'"); false past the last token. */
static bool poss_at(const ex *x, size_t i)
{
    return i < x->n && (x->t[i].f & T_POSS);
}

static bool is(const ex *x, size_t i, const char *norm)
{
    return i < x->n && strcmp(x->t[i].norm, norm) == 0;
}

static bool cap(const ex *x, size_t i)
{
    return word(x, i) && (x->t[i].f & T_CAP);
}

static bool free_tok(const ex *x, size_t i)
{
    return i < x->n && x->t[i].owner < 0;
}

static bool span_free(const ex *x, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (x->t[i].owner >= 0)
            return false;
    return true;
}

/* Tokens a name may contain without them being words of its key. */
static bool skippable(const tok *t)
{
    return (t->f & (T_HYPHEN | T_POSS)) != 0 || strcmp(t->norm, "/") == 0;
}

/* The key of tokens [a, b): words joined by spaces, "&" as "and",
 * hyphens and possessives skipped, commas skipped when allowed.  False
 * when another token is in the way or the key is too long. */
static bool span_key(const ex *x, size_t a, size_t b, bool commas, char *key, size_t cap)
{
    size_t n = 0;
    key[0] = '\0';
    for (size_t i = a; i < b; i++) {
        const tok *t = &x->t[i];
        const char *w = t->norm;
        if (skippable(t))
            continue;
        /* An acronym in brackets inside a name: "North East and West (NEW)
         * Devon". */
        if (strcmp(w, "(") == 0 && i + 2 < b && (x->t[i + 1].f & T_UPPER) &&
            strcmp(x->t[i + 2].norm, ")") == 0) {
            i += 2;
            continue;
        }
        if (t->f & T_PUNCT) {
            if (strcmp(w, "&") == 0)
                w = "and";
            else if (commas && strcmp(w, ",") == 0)
                continue;
            else
                return false;
        }
        size_t wl = strlen(w);
        if (n + wl + 2 > cap)
            return false;
        if (n)
            key[n++] = ' ';
        memcpy(key + n, w, wl + 1);
        n += wl;
    }
    return n > 0 && !skippable(&x->t[a]) && !skippable(&x->t[b - 1]);
}

/* The longest name of table t starting at token i and ending by limit;
 * returns its end (exclusive), or i when none, and the name index. */
static size_t match_at(const ex *x, const cs_table *t, size_t i, size_t limit, int *idx)
{
    char key[KEY_MAX];
    size_t n = 0, best = i;
    if (!word(x, i))
        return i;
    key[0] = '\0';
    for (size_t j = i; j < limit && j < i + MAX_SPAN; j++) {
        const tok *k = &x->t[j];
        const char *w = k->norm;
        if (skippable(k))
            continue;
        if (k->f & T_PUNCT) {
            if (strcmp(w, "&") != 0)
                break;
            w = "and";
        }
        size_t wl = strlen(w);
        if (n + wl + 2 > sizeof key)
            break;
        if (n)
            key[n++] = ' ';
        memcpy(key + n, w, wl + 1);
        n += wl;
        int v = cs_strmap_get(&t->keys, key, n);
        if (v >= 0) {
            best = j + 1;
            *idx = v;
        }
        if (cs_strmap_get(&t->prefixes, key, n) < 0)
            break;
    }
    return best;
}

/* The name of table t spanning exactly tokens [a, b), or -1. */
static int match_exact(const ex *x, const cs_table *t, size_t a, size_t b, bool commas)
{
    char key[KEY_MAX];
    if (!span_key(x, a, b, commas, key, sizeof key))
        return -1;
    return cs_strmap_get(&t->keys, key, strlen(key));
}

/* --- mentions -------------------------------------------------------------- */

static int add_mention(ex *x, enum mkind kind, size_t a, size_t b, const char *value, size_t vlen)
{
    if (x->nm == x->capm) {
        size_t cap = x->capm ? x->capm * 2 : 64;
        mention *m = realloc(x->m, cap * sizeof *m);
        if (!m) {
            x->oom = true;
            return -1;
        }
        x->m = m;
        x->capm = cap;
    }
    /* Values are shown on one line: a name broken across lines of the
     * text ("High\nCourt") is one name; an organisation named with its
     * article ("the Treasury") is named without it. */
    if (kind == M_ORG && vlen > 4 && strncasecmp(value, "the ", 4) == 0) {
        value += 4;
        vlen -= 4;
    }
    char *v = malloc(vlen + 1);
    if (!v) {
        x->oom = true;
        return -1;
    }
    size_t o = 0;
    for (size_t k = 0; k < vlen; k++) {
        char ch = value[k];
        if (ch == '\n' || ch == '\r' || ch == '\t')
            ch = ' ';
        if (ch == ' ' && (o == 0 || v[o - 1] == ' '))
            continue;
        v[o++] = ch;
    }
    while (o > 0 && v[o - 1] == ' ')
        o--;
    v[o] = '\0';
    int id = (int)x->nm++;
    x->m[id] = (mention){ kind, a, b, v, 0 };
    for (size_t i = a; i < b; i++)
        if (x->t[i].owner < 0)
            x->t[i].owner = id;
    return id;
}

static int add_ccg(ex *x, size_t a, size_t b, int idx)
{
    const char *name = x->g->ccg.names[idx];
    return add_mention(x, M_CCG, a, b, name, strlen(name));
}

/* A CCG named in a list: "the four CCGs" later means those listed.  The
 * caller starts each list by bumping x->lists. */
static void add_listed_ccg(ex *x, size_t a, size_t b, int idx)
{
    int id = add_ccg(x, a, b, idx);
    if (id >= 0)
        x->m[id].list = x->lists;
}

static bool in_list(const char *const *list, const char *w)
{
    for (int k = 0; list[k]; k++)
        if (strcmp(list[k], w) == 0)
            return true;
    return false;
}

static bool role_at(const ex *x, size_t i);
static bool civic_role_at(const ex *x, size_t i);

/* --- 1. CCGs ------------------------------------------------------------- */

/* Is there a CCG suffix at token i?  Returns its length in tokens (0: no)
 * and whether it is plural. */
static size_t cs_suffix(const ex *x, size_t i, bool *plural)
{
    if (is(x, i, "ccg") || is(x, i, "ccgs")) {
        *plural = is(x, i, "ccgs");
        if (is(x, i + 1, "'s") && *plural)
            return 2;
        return 1;
    }
    if (is(x, i, "clinical") && is(x, i + 1, "commissioning") &&
        (is(x, i + 2, "group") || is(x, i + 2, "groups"))) {
        *plural = is(x, i + 2, "groups");
        return 3;
    }
    return 0;
}

/* The longest CCG name ending exactly at token e (exclusive); sets *start. */
static int cs_ending_at(const ex *x, size_t e, bool commas, size_t *start)
{
    size_t lo = e > MAX_SPAN ? e - MAX_SPAN : 0;
    for (size_t a = lo; a < e; a++) {
        if (!word(x, a) || !free_tok(x, a))
            continue;
        int idx = match_exact(x, &x->g->ccg, a, e, commas);
        if (idx >= 0) {
            *start = a;
            return idx;
        }
    }
    return -1;
}

/* The last words of CCG idx's core name after its first word ("West
 * Norfolk" -> "norfolk"), for "North, South and West Norfolk". */
static const char *cs_tail(const ex *x, size_t a, size_t b, char *buf, size_t cap)
{
    char key[KEY_MAX];
    if (!span_key(x, a, b, false, key, sizeof key))
        return NULL;
    const char *sp = strchr(key, ' ');
    if (!sp)
        return NULL;
    snprintf(buf, cap, "%s", sp + 1);
    return buf;
}

/* A list item that is only a direction ("North" in "North and South
 * Norfolk") completed with the tail of another item of the list. */
static int cs_with_tail(const ex *x, size_t a, size_t b, const char *tail)
{
    char key[KEY_MAX];
    if (!tail || !span_key(x, a, b, false, key, sizeof key))
        return -1;
    size_t n = strlen(key);
    snprintf(key + n, sizeof key - n, " %s", tail);
    return cs_table_find(&x->g->ccg, key);
}

/* Separator before token e in a list ("," / "and" / "&" / ", and");
 * returns the index where it starts, or e when there is none. */
static size_t list_sep_before(const ex *x, size_t e)
{
    if (e >= 2 && is(x, e - 1, "and") && is(x, e - 2, ","))
        return e - 2;
    if (e >= 1 && (is(x, e - 1, ",") || is(x, e - 1, "and") || is(x, e - 1, "&") ||
                   is(x, e - 1, ";") || is(x, e - 1, "/")))
        return e - 1;
    return e;
}

/* Names before a CCG suffix at token s: one for "X CCG", a list for
 * "X, Y and Z CCGs". */
static bool cs_list_before(ex *x, size_t s, size_t slen, bool commas);

static void ccgs_before_suffix(ex *x, size_t s, size_t slen, bool plural)
{
    /* "our two northern Staffordshire (North Staffs and Stoke) CCGs" */
    if (plural && s > 0 && is(x, s - 1, ")")) {
        s--;
        slen++;
    }
    size_t e = s, a;
    if (plural) {
        /* A merged CCG's name may hold commas ("Eastbourne, Hailsham and
         * Seaford"); read the list that way first, else comma-separated. */
        if (cs_list_before(x, s, slen, true) || cs_list_before(x, s, slen, false))
            return;
        /* No list: one CCG's name before "CCGs" names a group ("Kent and
         * Medway CCGs"), whose places are not places here.  (Places before
         * "CCGs" that name no CCG, "Leicester, Leicestershire and Rutland
         * CCGs", stay places.) */
        int idx = cs_ending_at(x, e, true, &a);
        if (idx < 0)
            return;
        /* "Staffordshire and Stoke-on-Trent CCGs": a county's CCGs and one
         * named CCG (a place of up to three words before the "and"). */
        if (a >= 2 && is(x, a - 1, "and"))
            for (size_t w = 1; w <= 3 && w < a; w++)
                if (match_exact(x, &x->g->place, a - 1 - w, a - 1, false) >= 0) {
                    add_ccg(x, a, s + slen, idx);
                    x->groups = true;
                    return;
                }
        add_mention(x, M_GROUP, a, s + slen, "", 0);
        return;
    }
    /* "Berkshire West CCG Federation" is another body's name. */
    if (cap(x, s + slen) && cs_words_has(&x->g->org_heads, x->t[s + slen].norm))
        return;
    if (e > 0 && is(x, e - 1, "nhs"))
        e--;                                    /* "X NHS Clinical Commissioning Group" */
    int idx = cs_ending_at(x, e, true, &a);
    if (idx < 0)
        return;
    if (a > 0 && is(x, a - 1, "nhs"))
        a--;
    /* "as a Cheshire CCG": a CCG that does not exist (yet). */
    if (a > 0 && (is(x, a - 1, "a") || is(x, a - 1, "an"))) {
        add_mention(x, M_GROUP, a, s + slen, "", 0);
        return;
    }
    add_ccg(x, a, s + slen, idx);
}

/* The list of names before a plural suffix at s ("Nene and Corby CCGs");
 * false (and nothing added) when it has fewer than two names: one name
 * before "CCGs" names a group ("Kent and Medway CCGs"), not a CCG. */
static bool cs_list_before(ex *x, size_t s, size_t slen, bool commas)
{
    size_t e = s, a;
    int idx = cs_ending_at(x, e, commas, &a);
    if (idx < 0)
        return false;
    if (a > 0 && is(x, a - 1, "nhs"))
        a--;
    size_t starts[MAX_LIST_NAMES], ends[MAX_LIST_NAMES];
    int idxs[MAX_LIST_NAMES], n = 0;
    char tailbuf[256];
    const char *tail = cs_tail(x, a, e, tailbuf, sizeof tailbuf);
    starts[n] = a;
    ends[n] = e;
    idxs[n++] = idx;
    while (n < MAX_LIST_NAMES) {
        size_t sep = list_sep_before(x, starts[n - 1]);
        if (sep == starts[n - 1])
            break;
        size_t b;
        int j = cs_ending_at(x, sep, commas, &b);
        if (j < 0) {
            /* "North, South and West Norfolk": a bare direction. */
            for (b = sep; b > 0 && sep - b < 2 && cap(x, b - 1); b--) {
                j = cs_with_tail(x, b - 1, sep, tail);
                if (j >= 0) {
                    b--;
                    break;
                }
            }
            if (j < 0)
                break;
        }
        if (b > 0 && is(x, b - 1, "nhs"))
            b--;
        starts[n] = b;
        ends[n] = sep;
        idxs[n++] = j;
    }
    if (n < 2)
        return false;
    x->lists++;
    for (int k = n - 1; k >= 0; k--)
        add_listed_ccg(x, starts[k], k == 0 ? s + slen : ends[k], idxs[k]);
    return true;
}

/* Words that may complete a bare item of a CCG list: the tails of the
 * list's other names ("Norfolk" of "West Norfolk") and the last words of
 * places named shortly before ("London" of "North West London", for the
 * "Central" and "West" of a north-west London list). */
typedef struct tails {
    char w[MAX_TAILS][NORM_MAX];
    int n;
} tails;

static void add_tail(tails *t, const char *w)
{
    if (!w || !*w || t->n == MAX_TAILS)
        return;
    for (int k = 0; k < t->n; k++)
        if (strcmp(t->w[k], w) == 0)
            return;
    snprintf(t->w[t->n++], sizeof t->w[0], "%s", w);
}

static void place_tails(const ex *x, size_t i, tails *t)
{
    size_t lo = i > TAIL_REACH ? i - TAIL_REACH : 0;
    for (size_t k = i; k > lo && t->n < MAX_TAILS; k--) {
        int idx;
        size_t e = match_at(x, &x->g->place, k - 1, i, &idx);
        if (e > k && cap(x, k - 1) && e - (k - 1) >= 2)
            add_tail(t, x->t[e - 1].norm);
    }
}

/* A list of CCG names from token i on, separated by "," ";" "and" "&" "/".
 * strict: stop at the first item that is not a name; otherwise skip a
 * single unknown word.  Returns the number of names stored. */
static int cs_list_after(const ex *x, size_t i, bool strict, size_t *starts, size_t *ends,
                          int *idxs, int max)
{
    int n = 0;
    int sent = i < x->n ? x->t[i].sent : -1;
    tails pt = { .n = 0 };
    bool have_pt = false;
    while (i < x->n && n < max && x->t[i].sent == sent) {
        size_t a = i;
        if (is(x, i, "nhs"))
            i++;
        int idx = -1;
        size_t e = free_tok(x, i) && cap(x, i) ? match_at(x, &x->g->ccg, i, x->n, &idx) : i;
        if (e == i) {
            /* A bare word or two: complete them with a tail. */
            size_t k = i;
            while (k < x->n && k - i < 2 && cap(x, k) && free_tok(x, k))
                k++;
            if (k == i)
                break;
            tails t = { .n = 0 };
            size_t nx = k;
            if (is(x, nx, ",") || is(x, nx, "and") || is(x, nx, "&") || is(x, nx, "/"))
                nx++;
            int j;
            size_t e2 = match_at(x, &x->g->ccg, nx, x->n, &j);
            char buf[256];
            if (e2 > nx)
                add_tail(&t, cs_tail(x, nx, e2, buf, sizeof buf));
            if (n > 0)
                add_tail(&t, cs_tail(x, starts[n - 1], ends[n - 1], buf, sizeof buf));
            if (!strict) {
                if (!have_pt) {
                    place_tails(x, a, &pt);
                    have_pt = true;
                }
                for (int q = 0; q < pt.n; q++)
                    add_tail(&t, pt.w[q]);
            }
            for (int q = 0; q < t.n && idx < 0; q++)
                idx = cs_with_tail(x, i, k, t.w[q]);
            if (idx < 0 && (strict || k - i > 1))
                break;
            e = k;
        }
        if (idx >= 0) {
            starts[n] = a;
            ends[n] = e;
            idxs[n++] = idx;
        }
        i = e;
        if (is(x, i, ",") && is(x, i + 1, "and"))
            i += 2;
        else if (is(x, i, ",") || is(x, i, ";") || is(x, i, "and") || is(x, i, "&") ||
                 is(x, i, "/"))
            i++;
        else
            break;
    }
    return n;
}

/* Names after a plural CCG phrase: "the CCGs of A, B and C", "Clinical
 * Commissioning Groups covering: A; B; C", "CCGs which include A, B". */
static void ccgs_after_phrase(ex *x, size_t i)
{
    if (is(x, i, "(") && is(x, i + 1, "ccgs") && is(x, i + 2, ")"))
        i += 3;
    if (is(x, i, "--") || is(x, i, "-") || is(x, i, "("))
        i++;
    if (is(x, i, "which") || is(x, i, "that"))
        i++;
    if (!(is(x, i, "of") || is(x, i, "covering") || is(x, i, ":") || is(x, i, "include") ||
          is(x, i, "includes") || is(x, i, "including") || is(x, i, "are") ||
          is(x, i, "were") || is(x, i, "namely") || (i > 0 && (is(x, i - 1, "--") ||
                                                               is(x, i - 1, "(")))))
        return;
    if (!cap(x, i) || is(x, i, "nhs"))
        i++;
    if (is(x, i, ":"))
        i++;
    size_t starts[MAX_LIST_NAMES], ends[MAX_LIST_NAMES];
    int idxs[MAX_LIST_NAMES];
    int n = cs_list_after(x, i, false, starts, ends, idxs, MAX_LIST_NAMES);
    if (n < 2)
        return;
    x->lists++;
    for (int k = 0; k < n; k++)
        add_listed_ccg(x, starts[k], ends[k], idxs[k]);
}

/* A list of CCG names with no "CCG" wording at all ("three of them -
 * East Surrey, Crawley and Horsham and Mid Sussex"): three names or more,
 * or two in a sentence that speaks of CCGs. */
static bool cs_sentence(const ex *x, size_t i);

static void ccgs_bare_lists(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if (!cap(x, i) || !free_tok(x, i) || (i > 0 && cap(x, i - 1)))
            continue;
        size_t starts[MAX_LIST_NAMES], ends[MAX_LIST_NAMES];
        int idxs[MAX_LIST_NAMES];
        int n = cs_list_after(x, i, true, starts, ends, idxs, MAX_LIST_NAMES);
        /* Towns that share their names with CCGs ("in Warrington, Halton
         * and St Helens") are places: one name at least must be a CCG's
         * own, not a place's. */
        bool own = false;
        for (int k = 0; k < n && !own; k++)
            own = match_exact(x, &x->g->place, starts[k], ends[k], false) < 0;
        if (own && (n >= 3 || (n == 2 && cs_sentence(x, i)))) {
            x->lists++;
            for (int k = 0; k < n; k++)
                add_listed_ccg(x, starts[k], ends[k], idxs[k]);
            i = ends[n - 1];
        }
    }
}

/* Is token i in a sentence that speaks of CCGs? */
static bool cs_sentence(const ex *x, size_t i)
{
    int s = x->t[i].sent;
    for (size_t k = i; k > 0 && x->t[k - 1].sent == s; k--)
        if (is(x, k - 1, "ccg") || is(x, k - 1, "ccgs"))
            return true;
    for (size_t k = i; k < x->n && x->t[k].sent == s; k++) {
        bool pl;
        if (cs_suffix(x, k, &pl))
            return true;
    }
    return false;
}

static void find_ccgs(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        bool plural;
        size_t sl = cs_suffix(x, i, &plural);
        if (!sl || !free_tok(x, i))
            continue;
        ccgs_before_suffix(x, i, sl, plural);
        if (plural)
            ccgs_after_phrase(x, i + sl);
    }
    ccgs_bare_lists(x);
    /* "NHS <name>" without a suffix, where the sentence speaks of CCGs and
     * nothing marks it as another body ("NHS Wiltshire Trust"). */
    for (size_t i = 0; i + 1 < x->n; i++) {
        if (!is(x, i, "nhs") || !free_tok(x, i) || !cap(x, i + 1))
            continue;
        int idx;
        size_t e = match_at(x, &x->g->ccg, i + 1, x->n, &idx);
        if (e == i + 1 || !span_free(x, i, e))
            continue;
        int org;
        if (match_at(x, &x->g->org, i, x->n, &org) > i)
            continue;                           /* NHS England */
        if (cap(x, e) || is(x, e, "trust") || is(x, e, "icb"))
            continue;
        if (cs_sentence(x, i))
            add_ccg(x, i, e, idx);
    }
    /* Once a CCG is named, its name alone refers to it ("accountable officer
     * at Corby"): claim those words too, so they are not read as places. */
    bool *found = calloc(x->g->ccg.n ? x->g->ccg.n : 1, sizeof *found);
    if (!found) {
        x->oom = true;
        return;
    }
    size_t nm = x->nm;
    for (size_t k = 0; k < nm; k++)
        if (x->m[k].kind == M_CCG) {
            int idx = cs_strmap_get(&x->g->ccg.byname, x->m[k].value, strlen(x->m[k].value));
            if (idx >= 0)
                found[idx] = true;
        }
    for (size_t i = 0; i < x->n; i++) {
        int idx;
        if (!cap(x, i) || !free_tok(x, i))
            continue;
        size_t e = match_at(x, &x->g->ccg, i, x->n, &idx);
        if (e == i || !span_free(x, i, e))
            continue;
        if (!found[idx]) {
            /* Not named before, but a CCG's own name (no place's) right
             * before its officer: "Lancashire North's current chief
             * officer". */
            size_t r = e;
            if (poss_at(x, r))
                r++;
            while (qualifier(x, r) && free_tok(x, r))
                r++;
            if (e - i < 2 || match_exact(x, &x->g->place, i, e, false) >= 0 || !role_at(x, r) ||
                civic_role_at(x, r))
                continue;                       /* "Leeds West MP Rachel Reeves" */
            add_ccg(x, i, e, idx);
            i = e - 1;
            continue;
        }
        /* A one-word name is usually the place ("Wiltshire"); it is the
         * CCG only beside a role: "Corby chief officer", "accountable
         * officer ... at Corby". */
        bool words = false, lower = false;
        for (size_t k = i + 1; k < e; k++) {
            words = words || word(x, k);
            lower = lower || (word(x, k) && !cap(x, k) && !is(x, k, "and") && !is(x, k, "of"));
        }
        /* A name that is also a place's ("East Surrey") is the place,
         * unless a role says otherwise. */
        if (words && (lower || match_exact(x, &x->g->place, i, e, false) >= 0))
            words = false;
        /* "Wigan Council" is the council, whatever stands around it. */
        if (cap(x, e) && cs_words_has(&x->g->org_heads, x->t[e].norm))
            continue;
        bool role_near = role_at(x, e);
        /* ...within the clause: "chief executive of the trust, said the
         * waits in the north of Wiltshire" is the place. */
        for (size_t k = i; !role_near && k > 0 && i - k < ROLE_REACH &&
                           x->t[k - 1].sent == x->t[i].sent &&
                           !cs_words_has(&x->g->speech_verbs, x->t[k - 1].norm);
             k--)
            role_near = role_at(x, k - 1) && (is(x, i - 1, "at") || is(x, i - 1, "of") ||
                                              is(x, i - 1, "for"));
        if (words || role_near) {
            add_ccg(x, i, e, idx);
            i = e - 1;
        }
    }
    free(found);
}

/* --- 2. organisations ----------------------------------------------------- */

/* Words that may stand inside an organisation's name in lower case. */
static bool org_connector(const ex *x, const char *w)
{
    return cs_words_has(&x->g->org_connectors, w);
}


static void find_known_orgs(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        int idx;
        if (!free_tok(x, i))
            continue;
        size_t e = match_at(x, &x->g->org, i, x->n, &idx);
        if (e == i || !span_free(x, i, e))
            continue;
        /* A name is written with capitals: "NHS providers" is a kind of
         * body, "NHS Providers" the organisation. */
        bool caps = true;
        for (size_t k = i; k < e; k++)
            if (word(x, k) && !cap(x, k) && !org_connector(x, x->t[k].norm))
                caps = false;
        if (!caps)
            continue;
        /* Organisations keep the text's wording; only a few
         * abbreviations newsrooms use everywhere are written out. */
        const char *name = x->g->org.names[idx];
        /* "Healthwatch Suffolk", "NHS England Lancashire and South
         * Cumbria": a known body's local branch. */
        int pidx;
        size_t pe = cap(x, e) ? match_at(x, &x->g->place, e, x->n, &pidx) : e;
        if (!span_free(x, e, pe))
            pe = e;
        while (pe > e && is(x, pe, "and") && cap(x, pe + 1)) {
            size_t pe2 = match_at(x, &x->g->place, pe + 1, x->n, &pidx);
            if (pe2 == pe + 1 || !span_free(x, pe, pe2))
                break;
            pe = pe2;
        }
        if (pe > e) {
            const char *s = x->text + x->t[i].a;
            add_mention(x, M_ORG, i, pe, s, x->t[pe - 1].b - x->t[i].a);
        } else if (cs_words_has(&x->g->org_full_names, name)) {
            add_mention(x, M_ORG, i, e, name, strlen(name));
        } else {
            const char *s = x->text + x->t[i].a;
            add_mention(x, M_ORG, i, e, s, x->t[e - 1].b - x->t[i].a);
        }
        i = e - 1;
    }
}

static void add_org_span(ex *x, size_t a, size_t end)
{
    const char *s = x->text + x->t[a].a;
    add_mention(x, M_ORG, a, end, s, x->t[end - 1].b - x->t[a].a);
}

/* "NHS Wiltshire", "NHS Southampton City": primary care trusts and other
 * NHS bodies named after their area (the CCG pass has taken "NHS X" where
 * it was a CCG). */
static void find_nhs_places(ex *x)
{
    for (size_t i = 0; i + 1 < x->n; i++) {
        if (!is(x, i, "nhs") || !free_tok(x, i) || !cap(x, i + 1) || !free_tok(x, i + 1))
            continue;
        int idx;
        size_t e = match_at(x, &x->g->place, i + 1, x->n, &idx);
        size_t e2 = match_at(x, &x->g->ccg, i + 1, x->n, &idx);
        if (e2 > e)
            e = e2;
        if (e == i + 1 || !span_free(x, i, e) || cap(x, e))
            continue;
        add_org_span(x, i, e);
        i = e - 1;
    }
}

static bool org_word(const ex *x, size_t p)
{
    const tok *t = &x->t[p];
    /* "on" in "Stoke-on-Trent" belongs to the name. */
    if (word(x, p) && !cap(x, p) && p > 0 && p + 1 < x->n && (x->t[p - 1].f & T_HYPHEN) &&
        (x->t[p + 1].f & T_HYPHEN))
        return true;
    if (!cap(x, p))
        return false;
    /* A role is not part of the name: "the Chief Executive of Ipswich
     * Hospital NHS Trust". */
    size_t nl = strlen(t->norm);
    if (cs_strmap_get(&x->g->role.keys, t->norm, nl) >= 0 || cs_words_has(&x->g->role_starts, t->norm))
        return false;
    /* "Berkshire West CCG Federation": a CCG's name inside another's. */
    if (strcmp(t->norm, "ccg") == 0 || strcmp(t->norm, "ccgs") == 0)
        return cap(x, p + 1) && cs_words_has(&x->g->org_heads, x->t[p + 1].norm);
    return !(t->f & T_SENT && cs_words_has(&x->g->not_name_words, t->norm)) &&
           !cs_words_has(&x->g->calendar, t->norm);
}

/* Walk back from token h (the head) over the words of a name; returns its
 * first token. */
static size_t org_start(const ex *x, size_t h)
{
    size_t a = h;
    while (a > 0) {
        size_t p = a - 1;
        const tok *t = &x->t[p];
        if (t->sent != x->t[h].sent)
            break;
        if (t->owner >= 0 && x->m[t->owner].kind != M_PLACE)
            break;
        if (org_word(x, p)) {
            a = p;
            continue;
        }
        /* "Adur and Worthing Councils", "University Hospitals of
         * Leicester" -- but "Kent County Council and Medway Council" is
         * two: an "and" right after a head ends the name before it. */
        if (word(x, p) && org_connector(x, t->norm) && strcmp(t->norm, "the") != 0 && p > 0 &&
            org_word(x, p - 1) && !((strcmp(t->norm, "and") == 0 || strcmp(t->norm, "&") == 0) &&
                                    cs_words_has(&x->g->org_heads, x->t[p - 1].norm))) {
            a = p;
            continue;
        }
        /* "Wrightington, Wigan and Leigh": a comma between proper words
         * inside a name that goes on to an "and". */
        if (is(x, p, ",") && p > 0 && org_word(x, p - 1) && a < h && is(x, a + 1, "and") &&
            !cs_words_has(&x->g->org_heads, x->t[p - 1].norm)) {
            a = p;
            continue;
        }
        if (skippable(t) && p > 0 && word(x, p - 1)) {
            a = p;
            continue;
        }
        break;
    }
    while (a < h && (!word(x, a) || cs_words_has(&x->g->name_determiners, x->t[a].norm) ||
                     org_connector(x, x->t[a].norm)))
        a++;
    return a;
}

static bool generic_span(const ex *x, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (word(x, i) && !cs_words_has(&x->g->org_generic_words, x->t[i].norm))
            return false;
    return true;
}


/* Organisations by their head word: walk back from the head over
 * capitalised words and connectors. */
static void find_pattern_orgs(ex *x)
{
    for (size_t h = 0; h < x->n; h++) {
        if (!free_tok(x, h))
            continue;
        if (!cap(x, h)) {
            /* A lower-case head after a proper name. */
            if (!word(x, h) || !cs_words_has(&x->g->org_heads_lower, x->t[h].norm))
                continue;
            size_t k = h;
            while (k > 0 && h - k < 4 && word(x, k - 1) && !cap(x, k - 1) && free_tok(x, k - 1) &&
                   cs_words_has(&x->g->org_generic_words, x->t[k - 1].norm) && !is(x, k - 1, "and") &&
                   !is(x, k - 1, "the") && !is(x, k - 1, "of"))
                k--;
            /* At least one word says what kind of body it is: "Kent
             * committee" or "Lincolnshire health system" name none. */
            bool kind = false;
            for (size_t q = k; q < h; q++)
                kind = kind || !is(x, q, "health");
            if (!kind || k == 0 || !org_word(x, k - 1) || !free_tok(x, k - 1))
                continue;
            /* The last lower-case head: "system transformation steering
             * group". */
            size_t end = h + 1;
            for (size_t q = h + 1; q < x->n && q < h + 5 && word(x, q) && !cap(x, q) &&
                                   cs_words_has(&x->g->org_generic_words, x->t[q].norm); q++)
                if (cs_words_has(&x->g->org_heads_lower, x->t[q].norm))
                    end = q + 1;
            size_t a = org_start(x, k);
            if (a < k && !generic_span(x, a, end) && span_free(x, a, end))
                add_org_span(x, a, end);
            h = end - 1;
            continue;
        }
        if (!cs_words_has(&x->g->org_heads, x->t[h].norm))
            continue;
        /* The last head of a run: "University Hospitals of Leicester NHS
         * Trust"; an "and" after a head starts another name. */
        size_t end = h + 1;
        /* "Joint Committee of Clinical Commissioning Groups" */
        if (is(x, h + 1, "of") && is(x, h + 2, "clinical") && is(x, h + 3, "commissioning") &&
            is(x, h + 4, "groups") && cap(x, h + 2))
            end = h + 5;
        else if (is(x, h + 1, "of") && is(x, h + 2, "ccgs"))
            end = h + 3;
        for (size_t k = end; k < x->n && k < h + 8 && x->t[k].sent == x->t[h].sent; k++) {
            if (cap(x, k) && free_tok(x, k)) {
                if (cs_words_has(&x->g->org_heads, x->t[k].norm))
                    end = k + 1;
                continue;
            }
            if (word(x, k) && org_connector(x, x->t[k].norm) && cap(x, k + 1) &&
                !((is(x, k, "and") || is(x, k, "&")) && cs_words_has(&x->g->org_heads, x->t[k - 1].norm)))
                continue;
            if (skippable(&x->t[k]))
                continue;
            break;
        }
        size_t a = org_start(x, h);
        /* "University of Central Lancashire": a head that comes first. */
        if (a == h && cs_words_has(&x->g->org_heads_first, x->t[h].norm) && is(x, h + 1, "of") &&
            org_word(x, h + 2) && x->t[h + 2].owner < 0) {
            size_t k = h + 2;
            while (k < x->n && (org_word(x, k) || (is(x, k, "and") && org_word(x, k + 1))) &&
                   x->t[k].owner < 0 && x->t[k].sent == x->t[h].sent)
                k++;
            if (k > end)
                end = k;
        }
        /* A head alone is generic ("the Trust"), and so is a name made
         * only of generic words ("Joint Committee"). */
        if ((a == h && end <= h + 1) || !span_free(x, a, end) || generic_span(x, a, end)) {
            h = end - 1;
            continue;
        }
        add_org_span(x, a, end);
        h = end - 1;
    }
}

/* --- 3. people ------------------------------------------------------------ */

/* A word that can be part of a person's name. */
static bool name_word(const ex *x, size_t i)
{
    if (!cap(x, i) || !free_tok(x, i) || (x->t[i].f & T_DIGIT))
        return false;
    if ((x->t[i].f & T_UPPER) && x->t[i].b - x->t[i].a > 1)
        return false;                           /* CBE, NHS */
    const char *w = x->t[i].norm;
    size_t wl = strlen(w);
    return !cs_words_has(&x->g->not_name_words, w) && !cs_words_has(&x->g->calendar, w) &&
           !cs_words_has(&x->g->org_heads, w) &&
           cs_strmap_get(&x->g->role.keys, w, wl) < 0 &&
           cs_strmap_get(&x->g->role.prefixes, w, wl) < 0 &&
           strcmp(w, "ccg") != 0 && strcmp(w, "ccgs") != 0 && strcmp(w, "nhs") != 0;
}

/* Does a role start at token i (after qualifiers)? */
static bool role_at(const ex *x, size_t i)
{
    int idx;
    while (qualifier(x, i))
        i++;
    return match_at(x, &x->g->role, i, x->n, &idx) > i ||
           (is(x, i, "director") || is(x, i, "chief") || is(x, i, "head"));
}

/* Roles held outside any CCG: a relation with them never defaults to the
 * document's CCG. */
static bool civic_role(const ex *x, const char *r)
{
    return cs_words_has(&x->g->civic_roles, r);
}

/* A role held outside any CCG at token i ("MP", "councillor"). */
static bool civic_role_at(const ex *x, size_t i)
{
    int idx;
    while (qualifier(x, i))
        i++;
    return match_at(x, &x->g->role, i, x->n, &idx) > i && civic_role(x, x->g->role.names[idx]);
}


static void find_people(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        bool title = false;
        size_t a = i;
        if (word(x, i) && in_list(cs_honorifics, x->t[i].norm) && cap(x, i)) {
            title = true;
            a = i + 1;
            if (is(x, a, "."))
                a++;
            while (word(x, a) && in_list(cs_honorifics, x->t[a].norm))
                a++;
        }
        size_t b = a;
        while (b < x->n && b - a < MAX_NAME_WORDS + 2 && x->t[b].sent == x->t[a].sent &&
               (name_word(x, b) ||
                (skippable(&x->t[b]) && (x->t[b].f & T_HYPHEN) && name_word(x, b + 1))))
            b++;
        /* A single initial and its full stop: "J. Smith" is not handled;
         * names are two words or more, or one with a title. */
        size_t words = 0;
        for (size_t k = a; k < b; k++)
            if (word(x, k))
                words++;
        if (words == 0 || words > MAX_NAME_WORDS)
            continue;
        bool known = cs_strmap_get(&x->g->first_names, x->t[a].norm, strlen(x->t[a].norm)) >= 0;
        bool role_near = (b + 1 < x->n && is(x, b, ",") && role_at(x, b + 1)) ||
                         (a > 0 && i == a && role_at(x, a - 1 > 0 ? a - 1 : 0) &&
                          (x->t[a - 1].owner >= 0 && x->m[x->t[a - 1].owner].kind == M_ROLE));
        bool speaks = word(x, b) && cs_words_has(&x->g->speech_verbs, x->t[b].norm);
        if (words == 1 && !title)
            continue;
        if (!(title || known || ((role_near || speaks) && words >= 2)))
            continue;
        /* A place or organisation name is not a person ("Great Yarmouth"). */
        int idx;
        if (!title && match_at(x, &x->g->place, a, b, &idx) == b) {
            i = b - 1;
            continue;
        }
        const char *s = x->text + x->t[a].a;
        size_t len = x->t[b - 1].b - x->t[a].a;
        add_mention(x, M_PERSON, i, b, s, len);
        /* "Councillor Adele Williams" states a role as well as a name. */
        if (title && is(x, i, "councillor"))
            add_mention(x, M_ROLE, i, i + 1, "councillor", 10);
        i = b - 1;
    }
}

/* --- 4. roles ------------------------------------------------------------- */

/* Words that end a "director of ..." complement. */
static bool complement_word(const ex *x, size_t i)
{
    if (!word(x, i) || !free_tok(x, i))
        return false;
    return !cs_words_has(&x->g->complement_stops, x->t[i].norm) && !(x->t[i].f & T_DIGIT);
}

/* "director of operations and corporate affairs": the complement after
 * "of"/"for" at i; returns its end. */
static size_t complement(const ex *x, size_t i)
{
    size_t e = i;
    while (e < x->n && e - i < 8 && x->t[e].sent == x->t[i].sent) {
        if (complement_word(x, e)) {
            e++;
            continue;
        }
        /* "quality and nursing", but not "safeguarding and executive
         * director for ...": a role after "and" is another role. */
        if ((is(x, e, "and") || is(x, e, "&")) && complement_word(x, e + 1) &&
            !role_at(x, e + 1)) {
            e++;
            continue;
        }
        break;
    }
    while (e > i && (is(x, e - 1, "and") || is(x, e - 1, "&") || is(x, e - 1, ",")))
        e--;
    return e;
}

/* The role text of tokens [a, b) in canonical form: lower case, "&" as
 * "and", hyphens kept for "co-chair" style words. */
static char *role_text(const ex *x, size_t a, size_t b)
{
    cs_buf o = { 0 };
    for (size_t i = a; i < b; i++) {
        const tok *t = &x->t[i];
        if (t->f & T_POSS)
            continue;
        if (t->f & T_HYPHEN) {
            cs_buf_putc(&o, '-');
            continue;
        }
        if (t->f & T_PUNCT) {
            if (strcmp(t->norm, "&") == 0) {
                cs_buf_puts(&o, " and");
                continue;
            }
            if (strcmp(t->norm, ",") == 0)
                continue;
        }
        if (o.len && !(i > a && (x->t[i - 1].f & T_HYPHEN)))
            cs_buf_putc(&o, ' ');
        cs_buf_puts(&o, t->norm);
    }
    return cs_buf_take(&o);
}

/* Add a mention whose value was just made (and free it); NULL is oom. */
static void add_made(ex *x, enum mkind kind, size_t a, size_t b, char *value)
{
    if (!value) {
        x->oom = true;
        return;
    }
    add_mention(x, kind, a, b, value, strlen(value));
    free(value);
}

static void add_role_text(ex *x, size_t a, size_t b, size_t ta, size_t tb)
{
    add_made(x, M_ROLE, a, b, role_text(x, ta, tb));
}

static void find_roles(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if (!word(x, i) || !free_tok(x, i))
            continue;
        size_t q = i;       /* after qualifiers */
        while (free_tok(x, q) && qualifier(x, q))
            q++;
        int idx;
        size_t e = match_at(x, &x->g->role, q, x->n, &idx);
        /* "chief X officer", "chief X and Y officer" */
        if (is(x, q, "chief")) {
            size_t k = q + 1;
            while (k < x->n && k - q < 5 && (complement_word(x, k) || is(x, k, "and") ||
                                              is(x, k, "&")) && !is(x, k, "officer"))
                k++;
            if (is(x, k, "officer") && k > q + 1 && k + 1 > e) {
                add_role_text(x, i, k + 1, q, k + 1);
                i = k;
                continue;
            }
        }
        /* "director of X" / "head of X" / "executive director for X" */
        if ((is(x, q, "director") || is(x, q, "head") ||
             (is(x, q, "executive") && is(x, q + 1, "director"))) && e <= q + 2) {
            size_t d = is(x, q, "executive") ? q + 2 : q + 1;
            if (is(x, d, "of") || is(x, d, "for")) {
                size_t c = complement(x, d + 1);
                if (c > d + 1) {
                    add_role_text(x, i, c, q, c);
                    i = c - 1;
                    continue;
                }
                /* "the director of another region": a director. */
                if (is(x, q, "director") && q + 1 == d) {
                    add_mention(x, M_ROLE, i, q + 1, "director", 8);
                    continue;
                }
            }
        }
        /* "X director": one to three lower-case words before "director". */
        if (is(x, q, "director") && e <= q + 1 && q == i) {
            /* Modifiers match the title's case: "locality director",
             * "Corporate Services and Governance Director". */
            bool title_case = cap(x, q);
            size_t a = q;
            while (a > 0 && q - a < 5) {
                size_t p = a - 1;
                bool ok = word(x, p) && free_tok(x, p) && complement_word(x, p) && !(x->t[p].f & T_UPPER) &&
                          (title_case ? cap(x, p) : !cap(x, p)) && !qualifier(x, p);
                /* "Services and Governance" inside a title-case title. */
                if (!ok && title_case && (is(x, p, "and") || is(x, p, "&")) && p > 0 &&
                    cap(x, p - 1) && a < q)
                    ok = true;
                if (!ok)
                    break;
                a = p;
            }
            while (a < q && (is(x, a, "and") || is(x, a, "&")))
                a++;
            if (a < q) {
                add_role_text(x, a, q + 1, a, q + 1);
                continue;
            }
        }
        if (e == q)
            continue;
        /* "Leader of X Council" */
        const char *name = x->g->role.names[idx];
        add_mention(x, M_ROLE, i, e, name, strlen(name));
        i = e - 1;
    }
    /* "Leader of North Devon Council", "North Devon Council Leader": a
     * council leader. */
    for (size_t i = 0; i + 2 < x->n; i++) {
        if (!is(x, i, "leader") || !free_tok(x, i))
            continue;
        bool before = i > 0 && x->t[i - 1].owner >= 0 && x->m[x->t[i - 1].owner].kind == M_ORG &&
                      (is(x, i - 1, "council") || is(x, i - 1, "councils"));
        bool after = is(x, i + 1, "of") && x->t[i + 2].owner >= 0 &&
                     x->m[x->t[i + 2].owner].kind == M_ORG;
        if (before || after)
            add_mention(x, M_ROLE, i, i + 1, "council leader", 14);
    }
}

/* --- 5. places ------------------------------------------------------------ */


/* A place as the text writes it, with the words capitalised when the text
 * is in capitals, and hyphens between directions read as spaces
 * ("north-west London" -> "North West London"). */
static char *place_text(const ex *x, size_t a, size_t name, size_t b, const char *canonical)
{
    cs_buf o = { 0 };
    bool upper = true;
    for (size_t i = a; i < b; i++)
        if (word(x, i) && !(x->t[i].f & T_UPPER))
            upper = false;
    if (upper)
        return cs_strdup(canonical);
    /* An abbreviation ("NW London", "Staffs") is written out; a short form
     * that begins the full name ("Newcastle") stays as written. */
    char key[KEY_MAX], *ck = cs_gaz_key(canonical, strlen(canonical));
    bool prefix = ck && span_key(x, name, b, false, key, sizeof key) &&
                  strncmp(ck, key, strlen(key)) == 0 &&
                  (ck[strlen(key)] == '\0' || ck[strlen(key)] == ' ');
    free(ck);
    if (!prefix)
        b = name;           /* the directions as written, then the name */
    for (size_t i = a; i < b; i++) {
        const tok *t = &x->t[i];
        const char *s = x->text + t->a;
        size_t n = t->b - t->a;
        if (t->f & T_HYPHEN) {
            bool dirs = i > a && i + 1 < b && cs_words_has(&x->g->directions, x->t[i - 1].norm) &&
                        cs_words_has(&x->g->directions, x->t[i + 1].norm);
            cs_buf_putc(&o, dirs ? ' ' : '-');
            continue;
        }
        if (i > a && !(x->t[i - 1].f & T_HYPHEN) && !(t->f & T_POSS))
            cs_buf_putc(&o, ' ');
        if (word(x, i) && cs_words_has(&x->g->directions, t->norm)) {
            cs_buf_putc(&o, (char)toupper((unsigned char)s[0]));
            cs_buf_add(&o, s + 1, n - 1);
        } else {
            cs_buf_add(&o, s, n);
        }
    }
    if (!prefix) {
        if (o.len)
            cs_buf_putc(&o, ' ');
        cs_buf_puts(&o, canonical);
    }
    return cs_buf_take(&o);
}

/* A place over tokens [a, e) whose name (place idx) starts at token name. */
static void add_place(ex *x, size_t a, size_t name, size_t e, int idx)
{
    add_made(x, M_PLACE, a, e, place_text(x, a, name, e, x->g->place.names[idx]));
}

/* A party's name or adjective, which may follow a place it represents. */
static bool party_at(const ex *x, size_t i)
{
    return word(x, i) && cs_words_has(&x->g->parties, x->t[i].norm);
}

static void find_places(ex *x)
{
    for (size_t i = 0; i < x->n; i++) {
        if (!word(x, i) || !free_tok(x, i))
            continue;
        int idx;
        size_t e = match_at(x, &x->g->place, i, x->n, &idx);
        if (e > i && span_free(x, i, e) && cap(x, i)) {
            /* A place that runs on into another capitalised word is part
             * of a name: "Surrey Heartlands", "Central Surrey Health" (but
             * "Rutland CCGs" and "Sandwell GPs" are the places). */
            bool plural;
            if (cap(x, e) && free_tok(x, e) && !(x->t[e].f & (T_SENT | T_LINE)) &&
                !cs_suffix(x, e, &plural) && !acronym(x, e) && !role_at(x, e) &&
                !party_at(x, e) &&              /* "Kent Conservative councillor" */
                match_at(x, &x->g->place, e, x->n, &(int){ 0 }) == e) {
                i = e - 1;
                continue;
            }
            add_place(x, i, i, e, idx);
            i = e - 1;
            continue;
        }
        /* "west Hertfordshire", "north-west London": a lower-case
         * direction before a county or city. */
        if (!cs_words_has(&x->g->directions, x->t[i].norm) || cap(x, i))
            continue;
        size_t k = i + 1;
        /* "north-west London", "north east Essex" */
        if (is(x, k, "-") && word(x, k + 1) && cs_words_has(&x->g->directions, x->t[k + 1].norm))
            k += 2;
        else if (word(x, k) && !cap(x, k) && cs_words_has(&x->g->directions, x->t[k].norm))
            k++;
        e = match_at(x, &x->g->place, k, x->n, &idx);
        if (e == k || !cap(x, k) || !span_free(x, k, e))
            continue;
        int kind = x->g->place_kind[idx];
        if (kind != PLACE_COUNTY && kind != PLACE_CITY && kind != PLACE_SUBREGION &&
            kind != PLACE_REGION)
            continue;
        add_place(x, i, k, e, idx);
        i = e - 1;
    }
}

/* --- relations ------------------------------------------------------------ */

static const mention *owner(const ex *x, size_t i)
{
    return i < x->n && x->t[i].owner >= 0 ? &x->m[x->t[i].owner] : NULL;
}

static bool is_kind(const mention *m, enum mkind k)
{
    return m && m->kind == k;
}

static bool is_body(const mention *m)
{
    return m && (m->kind == M_CCG || m->kind == M_ORG);
}

/* What a relation may name as its organisation: named bodies, or every
 * CCG of the document for "the three CCGs". */
typedef struct orgset {
    const mention *m[MAX_REL_ORGS];
    size_t n;
    bool all_ccgs;          /* a group of the document's CCGs... */
    int count;              /* ...of this many (0: unsaid)... */
    bool every;             /* ...said to be all of them ("all eight CCGs") */
    bool them;              /* "for them": the bodies named just before */
    bool unresolved;        /* "for a planned partnership": a body we cannot name */
} orgset;

static void orgset_add(orgset *o, const mention *m)
{
    for (size_t k = 0; k < o->n; k++)
        if (strcmp(o->m[k]->value, m->value) == 0)
            return;
    if (o->n < MAX_REL_ORGS)
        o->m[o->n++] = m;
}

/* Named bodies starting at token i, as a list ("Nene and Corby CCGs",
 * "Swale, Medway, and Dartford, Gravesham and Swanley CCGs"); returns the
 * token after them, or i when there are none. */
static size_t bodies_at(const ex *x, size_t i, orgset *o)
{
    size_t end = i;
    while (i < x->n) {
        const mention *m = owner(x, i);
        if (!is_body(m))
            break;
        orgset_add(o, m);
        i = end = m->b;
        if (is(x, i, ",") && is(x, i + 1, "and") && is_body(owner(x, i + 2)))
            i += 2;
        else if ((is(x, i, ",") || is(x, i, "and") || is(x, i, "&")) && is_body(owner(x, i + 1)))
            i++;
        else
            break;
    }
    return end;
}

/* "the three CCGs", "all eight CCGs", "both CCGs", "the county's four
 * CCGs": a group of CCGs, not named here.  Returns the token after it, the
 * number it gives (0 when none) and whether it says "all". */
static size_t cs_group_at(const ex *x, size_t i, int *count, bool *every)
{
    size_t k = i;
    bool placed = false;
    *count = 0;
    *every = false;
    /* Words of the group: lower case, a place, or an acronym ("all five
     * CSESCA CCGs"). */
    while (k < x->n && k - i < 6 && !is(x, k, "ccgs") && !is(x, k, "clinical") &&
           !is(x, k, "organisations") && !is(x, k, "groups") &&
           (!owner(x, k) || is_kind(owner(x, k), M_PLACE) || is_kind(owner(x, k), M_GROUP)) &&
           ((word(x, k) && (!cap(x, k) || owner(x, k) || (x->t[k].f & T_UPPER))) ||
            (x->t[k].f & T_POSS) || (x->t[k].f & T_DIGIT))) {
        if (cap(x, k))
            placed = true;
        if (is(x, k, "all"))
            *every = true;
        for (int d = 0; cs_number_words[d]; d++)
            if (is(x, k, cs_number_words[d]))
                *count = d;
        if (is(x, k, "both"))
            *count = 2;
        if (x->t[k].f & T_DIGIT) {
            /* Any number past the CCGs a story can name resolves nothing. */
            long v = strtol(x->t[k].norm, NULL, 10);
            *count = v > 999 ? 999 : (int)v;
        }
        if (is(x, k, "and") || is(x, k, "or") || is(x, k, "of"))
            return i;
        k++;
    }
    /* "the Suffolk CCGs" names no number, and not every CCG of the story
     * may be in Suffolk: not a group we can resolve. */
    if (placed && *count == 0)
        return i;
    if (is(x, k, "ccgs") && (!owner(x, k) || is_kind(owner(x, k), M_GROUP)))
        return k + 1;
    if (is(x, k, "clinical") && is(x, k + 1, "commissioning") && is(x, k + 2, "groups") &&
        (!owner(x, k) || is_kind(owner(x, k), M_GROUP)))
        return k + 3;
    /* "the four organisations", "all three groups": only with a number,
     * which says which organisations they are. */
    if ((is(x, k, "organisations") || is(x, k, "groups")) && *count > 1)
        return k + 1;
    return i;
}

/* The CCG named last before token i ("the CCG" refers to it). */
static const mention *last_ccg_before(const ex *x, size_t i)
{
    /* One CCG named on its own: a member of a list ("the four old CCGs of
     * Vale Royal, ... and West Cheshire") is not "the CCG". */
    const mention *best = NULL;
    for (int pass = 0; pass < 2 && !best; pass++)
        for (size_t k = 0; k < x->nm; k++)
            if (x->m[k].kind == M_CCG && x->m[k].a < i && (pass || !x->m[k].list) &&
                (!best || x->m[k].a > best->a))
                best = &x->m[k];
    if (best)
        return best;
    /* Nothing named yet ("Dr Paul Williams, CCG Chair" in a byline): the
     * CCG the document names most. */
    size_t most = 0;
    for (size_t k = 0; k < x->nm; k++) {
        if (x->m[k].kind != M_CCG)
            continue;
        size_t n = 0;
        for (size_t j = 0; j < x->nm; j++)
            n += x->m[j].kind == M_CCG && strcmp(x->m[j].value, x->m[k].value) == 0;
        if (n > most) {
            most = n;
            best = &x->m[k];
        }
    }
    return best;
}

/* The organisation after a role at token i: "of/for/at/with ORG", "of the
 * three CCGs", "of the CCG". */
static bool org_preposition(const ex *x, size_t i)
{
    return is(x, i, "of") || is(x, i, "for") || is(x, i, "at") || is(x, i, "to") ||
           is(x, i, "with") || is(x, i, "in");
}

/* The bodies after "of/for/at" at token i; false when there is none. */
static bool orgs_after_prep(const ex *x, size_t i, orgset *o)
{
    size_t k = i + 1;
    int count;
    bool every;
    size_t e = cs_group_at(x, k, &count, &every);
    if (e > k) {
        o->all_ccgs = true;
        o->count = count;
        o->every = every;
        /* "all five CSESCA CCGs plus Coastal West Sussex CCG" */
        if (is(x, e, "plus"))
            bodies_at(x, e + 1, o);
        return true;
    }
    if (is(x, k, "them")) {
        o->them = true;
        return true;
    }
    if (is(x, k, "the") || is(x, k, "both"))
        k++;
    if (is(x, k, "ccg") && !owner(x, k)) {
        const mention *m = last_ccg_before(x, k);
        if (m)
            orgset_add(o, m);
        return m != NULL;
    }
    return bodies_at(x, k, o) > k;
}

/* The organisations of a role ending at token i: "of/for/at ORG" right
 * after it, or after a few words that qualify the post ("accountable
 * officer on a permanent basis at Corby, and on an interim basis at
 * Nene"), within the clause. */
static void orgs_after_role(const ex *x, size_t i, orgset *o)
{
    if (org_preposition(x, i)) {
        if (!orgs_after_prep(x, i, o) && (is(x, i, "for") || is(x, i, "of") || is(x, i, "at")))
            o->unresolved = true;
        if (o->n || o->all_ccgs || !is(x, i, "on"))
            return;
    }
    int sent = i < x->n ? x->t[i].sent : -1;
    for (size_t k = i; k < x->n && k < i + ROLE_REACH && x->t[k].sent == sent; k++) {
        const mention *m = owner(x, k);
        if (is_kind(m, M_ROLE) || is_kind(m, M_PERSON) || is(x, k, "said") ||
            is(x, k, "says") || is(x, k, "to") || is(x, k, "who") || is(x, k, "which"))
            break;
        if (m)
            break;                  /* a body not introduced by a preposition */
        if ((is(x, k, "at") || is(x, k, "of")) && k > i && orgs_after_prep(x, k, o)) {
            size_t e = k + 1;
            while (e < x->n && owner(x, e))
                e = owner(x, e)->b;
            k = e - 1;
        }
    }
}

/* The organisation just before a role starting at token a: "Oxfordshire
 * CCG chief executive", "the CCG's clinical chair", "NHS England's". */
static void orgs_before_role(const ex *x, size_t a, orgset *o)
{
    size_t k = a;
    if (k > 0 && poss_at(x, k - 1))
        k--;
    const mention *m = k > 0 ? owner(x, k - 1) : NULL;
    if (is_body(m)) {
        /* and the list it ends: "Nene and Corby CCGs' accountable officer" */
        size_t s = m->a;
        while (s >= 2 && (is(x, s - 1, "and") || is(x, s - 1, ",") || is(x, s - 1, "&")) &&
               is_body(owner(x, s - 2)))
            s = owner(x, s - 2)->a;
        bodies_at(x, s, o);
        return;
    }
    if (k >= 2 && is(x, k - 1, "ccg") && !owner(x, k - 1)) {
        m = last_ccg_before(x, k - 1);
        if (m)
            orgset_add(o, m);
        return;
    }
    /* "the four CCGs' accountable officer", and a group that is the
     * subject: "The CCGs already share an accountable officer, X". */
    size_t v = k;
    while (v > 0 && k - v < 3 && word(x, v - 1) && !cap(x, v - 1) && !owner(x, v - 1) &&
           !is(x, v - 1, "ccgs"))
        v--;
    for (size_t end = v; end <= k; end++)
        for (size_t s = end > 6 ? end - 6 : 0; s < end; s++) {
            int count;
            bool every;
            if (cs_group_at(x, s, &count, &every) == end) {
                o->all_ccgs = true;
                o->count = count;
                o->every = every;
                return;
            }
        }
}

typedef struct relctx {
    ex *x;
    cs_entities *out;
    size_t nccgs;               /* distinct CCGs of the document */
    const char *ccgs[MAX_STORY_CCGS];
    const orgset *taken;        /* bodies the current person holds a role at */
    orgset recent;              /* the bodies of the last relation that named any... */
    int recent_sent;            /* ...its sentence (-1: none yet)... */
    size_t recent_at;           /* ...and its person's first token */
} relctx;

/* The CCGs a group before token at means.  "All the CCGs", or all of more
 * CCGs than the story names: every CCG of the story.  Otherwise with no
 * number ("the CCGs") the last list of CCGs before it; with a number, the
 * last list before it of that length, else every CCG of the story if there
 * are that many, counting the bodies named beside the group ("all five
 * CSESCA CCGs plus Coastal West Sussex CCG"). */
static size_t resolve_group(const relctx *c, size_t at, const orgset *o, const char **out,
                            size_t max)
{
    const ex *x = c->x;
    size_t count = (size_t)o->count;
    if (o->every && (count == 0 || (count + o->n >= c->nccgs && count <= MAX_LOCAL_GROUP)))
        count = c->nccgs;
    else if (count > 0)
        count += o->n;
    for (int l = x->lists; l >= 1; l--) {
        size_t n = 0;
        bool before = false;
        for (size_t k = 0; k < x->nm && n < max; k++) {
            const mention *m = &x->m[k];
            if (m->kind != M_CCG || m->list != l)
                continue;
            before = before || m->a < at;
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = strcmp(out[j], m->value) == 0;
            if (!dup)
                out[n++] = m->value;
        }
        if (before && n > 0 && (count == 0 || count == n))
            return n;
    }
    if (count == 0 || count == c->nccgs) {
        for (size_t k = 0; k < c->nccgs && k < max; k++)
            out[k] = c->ccgs[k];
        return c->nccgs < max ? c->nccgs : max;
    }
    return 0;
}

/* Record person p holding role r at the organisations of o (or, with none
 * named, at the document's only CCG when the sentence names no other
 * body). */
static void relate(relctx *c, const mention *p, const mention *r, const orgset *o)
{
    ex *x = c->x;
    bool ok = true;
    /* A group is the document's CCGs when its number, if it gives one,
     * is theirs: "for two CCGs" in a story naming five is not all five. */
    const char *group[MAX_STORY_CCGS];
    size_t ngroup = 0;
    if (o->all_ccgs)
        ngroup = resolve_group(c, p->a, o, group, MAX_STORY_CCGS);
    if (ngroup > 0 || o->n > 0) {
        c->recent = *o;
        c->recent_sent = x->t[p->a].sent;
        c->recent_at = p->a;
        for (size_t k = 0; k < ngroup; k++)
            ok = ok && cs_entities_add_relation(c->out, p->value, r->value, group[k]);
        for (size_t k = 0; k < o->n; k++)
            ok = ok && cs_entities_add_relation(c->out, p->value, r->value, o->m[k]->value);
    } else if (civic_role(x, r->value) && !o->unresolved) {
        /* A council role: the one council the sentence, or else the story,
         * names ("Council leader David Molyneux"). */
        const char *org = NULL;
        int sent = x->t[p->a].sent;
        for (int pass = 0; pass < 2 && !org; pass++) {
            size_t found = 0;
            const char *cand = NULL;
            for (size_t k = 0; k < x->nm; k++) {
                const mention *m = &x->m[k];
                size_t vl = strlen(m->value);
                if (m->kind != M_ORG || vl < 8 || (pass == 0 && x->t[m->a].sent != sent))
                    continue;
                if (strcmp(m->value + vl - 7, "Council") == 0 &&
                    (!cand || strcmp(cand, m->value) != 0)) {
                    cand = m->value;
                    found++;
                }
            }
            if (found == 1)
                org = cand;
        }
        if (strcmp(r->value, "mp") == 0 || strcmp(r->value, "councillor") == 0)
            org = NULL;             /* an MP's seat is not an organisation */
        ok = cs_entities_add_relation(c->out, p->value, r->value, org);
    } else {
        const char *org = NULL;
        if (c->nccgs == 1 && !x->groups && !civic_role(x, r->value) && !o->all_ccgs &&
            !o->unresolved) {
            bool other = false;
            int sent = x->t[p->a].sent;
            /* ...other than one the person's other role is at, in a
             * sentence about the CCG: "The CCG is also proposing that Alex
             * Bailey, chief executive of Adur and Worthing Councils, will be
             * seconded ... to be director of innovation". */
            bool about_ccg = false;
            for (size_t k = p->a; k > 0 && x->t[k - 1].sent == sent && !about_ccg; k--)
                about_ccg = (is(x, k - 1, "ccg") && !owner(x, k - 1)) ||
                            is_kind(owner(x, k - 1), M_CCG);
            for (size_t k = 0; k < x->nm && !other; k++) {
                other = x->m[k].kind == M_ORG && x->t[x->m[k].a].sent == sent;
                for (size_t j = 0; other && about_ccg && c->taken && j < c->taken->n; j++)
                    other = strcmp(c->taken->m[j]->value, x->m[k].value) != 0;
            }
            if (!other)
                org = c->ccgs[0];
        }
        ok = cs_entities_add_relation(c->out, p->value, r->value, org);
    }
    if (!ok)
        x->oom = true;
}

/* A chain of roles from token i ("executive nurse, director of
 * safeguarding and executive director for commissioning at X"): stores
 * the roles and the organisation that follows the chain; returns how many
 * roles. */
static size_t role_chain(const ex *x, size_t i, const mention **roles, size_t max, orgset *o)
{
    size_t n = 0;
    const mention *r = owner(x, i);
    while (is_kind(r, M_ROLE) && n < max) {
        roles[n++] = r;
        size_t k = r->b;
        orgs_after_role(x, k, o);
        /* A title and its body, as signed: "Chief Operating Officer, NHS
         * England & NHS Improvement". */
        if (!o->n && !o->all_ccgs && !o->unresolved && is(x, k, ",") && cap(x, r->a) &&
            is_body(owner(x, k + 1)) && !poss_at(x, owner(x, k + 1)->b))
            orgset_add(o, owner(x, k + 1));
        if (o->n || o->all_ccgs)
            break;
        if (is(x, k, ",") && is(x, k + 1, "and"))
            k += 2;
        else if (is(x, k, ",") || is(x, k, "and") || is(x, k, "&"))
            k++;
        else
            break;
        while (qualifier(x, k) && !owner(x, k))
            k++;
        r = owner(x, k);
    }
    /* "joined CCG chair Dr Mark Shenton": the role is the next person's. */
    if (n && is_kind(owner(x, roles[n - 1]->b), M_PERSON) && !o->n && !o->all_ccgs)
        return 0;
    return n;
}

/* A word before a role: "the", "its", "new" (determiners.tsv, "role"). */
static bool determiner_at(const ex *x, size_t j)
{
    return j < x->n && cs_words_has(&x->g->role_determiners, x->t[j].norm);
}

/* Adverbs between a verb and its role: "is now the accountable officer",
 * "was previously chief executive". */
static bool adverb_at(const ex *x, size_t j)
{
    return word(x, j) && cs_words_has(&x->g->adverbs, x->t[j].norm);
}

/* Skip determiners, adverbs and qualifiers before a role. */
static size_t to_role(const ex *x, size_t j)
{
    bool qual = false;
    while (j < x->n && !owner(x, j)) {
        if (determiner_at(x, j) || adverb_at(x, j)) {
            j++;
        } else if (qualifier(x, j)) {
            qual = true;
            j++;
        } else if (qual && is(x, j, "and")) {
            j++;                    /* "GP and clinical chairman of ..." */
        } else {
            break;
        }
    }
    return j;
}

/* The bodies named before a role, "[the] ORG['s] ROLE" or "the CCG's ROLE",
 * go to pre; returns where the role starts.  With bare, an ORG without 's
 * counts too ("Jane Smith, Oxfordshire CCG chief executive"). */
static size_t role_after_bodies(const ex *x, size_t i, bool bare, orgset *pre)
{
    size_t j = to_role(x, i);
    size_t e = bodies_at(x, j, pre);
    bool poss = e > j && poss_at(x, e);
    if (poss || (e > j && bare))
        return to_role(x, poss ? e + 1 : e);
    /* "the CCG's clinical chair", "Dr Paul Williams, CCG Chair" -- but "a
     * former CCG chair" was chair of some CCG. */
    bool indefinite = false;
    for (size_t q = i; q < j; q++)
        indefinite = indefinite || is(x, q, "a") || is(x, q, "an") || is(x, q, "another");
    if (is(x, j, "ccg") && !owner(x, j) && !indefinite &&
        (is(x, j + 1, "'s") || is_kind(owner(x, to_role(x, j + 1)), M_ROLE))) {
        const mention *m = last_ccg_before(x, j);
        if (m)
            orgset_add(pre, m);
        return to_role(x, is(x, j + 1, "'s") ? j + 2 : j + 1);
    }
    /* "the CCGs' chief officer", "the four CCGs' accountable officer" */
    int count;
    bool every;
    e = cs_group_at(x, j, &count, &every);
    if (e > j && poss_at(x, e)) {
        pre->all_ccgs = true;
        pre->count = count;
        pre->every = every;
        return to_role(x, e + 1);
    }
    return j;
}

/* Each role of a chain, with the bodies after it ("of ORG") when it names
 * any, else those before it; "for them" means the bodies of the person's
 * last relation in the sentence, kept in last. */
static void relate_chain(relctx *c, const mention *p, const mention *const *roles, size_t n,
                         const orgset *o, const orgset *pre, orgset *last)
{
    const orgset *by = (o->n || o->all_ccgs || (o->unresolved && !pre->n)) ? o : pre;
    const orgset unnamed = { .unresolved = true };
    if (o->them)
        by = last->n || last->all_ccgs ? last : &unnamed;
    for (size_t k = 0; k < n; k++)
        relate(c, p, roles[k], by);
    if (n && (by->n || by->all_ccgs))
        *last = *by;
}

/* The body a "where" clause ending at token k refers to: "ORG, where he
 * works as ...", "ORG, where she is ...". */
static const mention *where_body(const ex *x, size_t k)
{
    for (size_t w = k; w > 0 && k - w < 4; w--)
        if (is(x, w - 1, "where"))
            return w >= 3 && is(x, w - 2, ",") && is_body(owner(x, w - 3)) ? owner(x, w - 3)
                                                                             : NULL;
    return NULL;
}

/* Where the phrase of a role starting at token a starts: back over
 * determiners and qualifiers ("the current interim chief officer"). */
static size_t role_start(const ex *x, size_t a)
{
    while (a > 0 && (determiner_at(x, a - 1) || (qualifier(x, a - 1) && !owner(x, a - 1))))
        a--;
    return a;
}

/* Does the phrase starting at token a open its sentence, perhaps after its
 * owner ("The committee's chairman", "Nene and Corby CCGs' accountable
 * officer"), a fronting "as" ("Taking over as chief officer of X") or a
 * linking adverb ("Meanwhile the chief officer of X")? */
static bool opens_sentence(const ex *x, size_t a)
{
    if (a >= 2 && poss_at(x, a - 1)) {
        a--;
        for (size_t n = 0; a > 0 && n < MAX_OWNER_TOKENS; n++) {
            const mention *m = owner(x, a - 1);
            if (is_body(m))
                a = m->a;
            else if ((word(x, a - 1) && !cap(x, a - 1)) || is(x, a - 1, "ccgs") ||
                     is(x, a - 1, "ccg") || (x->t[a - 1].f & T_DIGIT) || is(x, a - 1, ","))
                a--;
            else
                break;
        }
        while (a > 0 && determiner_at(x, a - 1))
            a--;
    }
    if (a == 0 || (x->t[a].f & T_SENT))
        return true;
    return is(x, a - 1, "as") ||
           ((x->t[a - 1].f & T_SENT) && (adverb_at(x, a - 1) || is(x, a - 1, "meanwhile")));
}

/* No body other than those of o stands in tokens [a, b). */
static bool no_other_body(const ex *x, const orgset *o, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++) {
        const mention *m = owner(x, k);
        if (!is_body(m))
            continue;
        bool in = false;
        for (size_t j = 0; j < o->n && !in; j++)
            in = o->m[j] == m || strcmp(o->m[j]->value, m->value) == 0;
        if (!in)
            return false;
    }
    return true;
}

static void relations_of(relctx *c, const mention *p)
{
    ex *x = c->x;
    const mention *roles[MAX_CHAIN_ROLES];
    int sent = x->t[p->a].sent;
    orgset last = { .n = 0 };
    c->taken = &last;

    /* "Councillor Adele Williams": the title is the role. */
    if (is(x, p->a, "councillor")) {
        const mention *r = NULL;
        for (size_t k = 0; k < x->nm && !r; k++)
            if (x->m[k].kind == M_ROLE && x->m[k].a == p->a)
                r = &x->m[k];
        orgset none = { .n = 0 };
        if (r)
            relate(c, p, r, &none);
    }

    /* PERSON, [the] [ORG['s]] ROLE... [of ORG], and a title straight
     * after the name: "John Turner / Chief Executive". */
    bool titled = is_kind(owner(x, p->b), M_ROLE) && cap(x, p->b);
    if (is(x, p->b, ",") || is(x, p->b, "(") || is(x, p->b, "--") || titled) {
        orgset pre = { .n = 0 };
        size_t j = titled ? p->b : role_after_bodies(x, p->b + 1, true, &pre);
        orgset o = { .n = 0 };
        size_t n = role_chain(x, j, roles, MAX_CHAIN_ROLES, &o);
        /* A title that runs on into another name is that one's: "Tributes
         * to Dr Jane Smith / Chief Executive of X Tom Jones said". */
        if (titled && n) {
            size_t end = roles[n - 1]->b;
            for (size_t q = 0; q < o.n; q++)
                end = o.m[q]->b > end ? o.m[q]->b : end;
            if (is_kind(owner(x, end), M_PERSON) && !(x->t[end].f & T_LINE))
                n = 0;
        }
        relate_chain(c, p, roles, n, &o, &pre, &last);
    }

    /* [ORG['s]] ROLE [of ORG][,] PERSON: "Oxfordshire CCG chief executive
     * David Smith", "The CCG's clinical chair, Joe McManners". */
    if (p->a > 0) {
        size_t k = p->a;
        /* "... ROLE, PERSON", and "the ROLE for ORG is PERSON" */
        bool copula = is(x, k - 1, "is") || is(x, k - 1, "was");
        if (is(x, k - 1, ",") || is(x, k - 1, ":") || is(x, k - 1, "-") || is(x, k - 1, "--") ||
            copula)
            k--;
        /* The role ends right before; walk back over "of [the] ORG", or
         * "for PLACE" ("MP for North Devon, Peter Heaton-Jones"). */
        const mention *r = k > 0 ? owner(x, k - 1) : NULL;
        orgset o = { .n = 0 };
        bool through = is_kind(r, M_PLACE) || is_body(r);
        if (through) {
            size_t s = r->a;
            while (is_body(r) && s > 0 && is_body(owner(x, s - 1)))
                s = owner(x, s - 1)->a;
            size_t body = s;
            if (is_body(r) && s > 0 && is(x, s - 1, "the"))
                s--;
            bool place = is_kind(r, M_PLACE);
            r = s >= 2 && (is(x, s - 1, "of") || is(x, s - 1, "for") || (!place && is(x, s - 1, "at"))) &&
                        is_kind(owner(x, s - 2), M_ROLE)
                    ? owner(x, s - 2)
                    : NULL;
            if (r && !place)
                bodies_at(x, body, &o);
        }
        if (is_kind(r, M_ROLE) && x->t[r->a].sent == sent) {
            size_t before = role_start(x, r->a);
            bool after_comma = before > 0 && (is(x, before - 1, ",") || is(x, before - 1, "and"));
            /* "Joe, clinical chair of X, Ian ..." and "Sarah Wollaston, MP
             * for Totnes, Dr Jane Smith": a list of people, the role is
             * the one's before it.  "The chief officer of X is Y": the
             * role must be the sentence's subject ("Also at the meeting
             * with the chief officer of X was Y" names a guest). */
            bool ok = !(through && after_comma) &&
                      !(copula && !after_comma && !opens_sentence(x, before));
            if (ok && o.n == 0)
                orgs_before_role(x, r->a, &o);
            /* "X was appointed chief executive to oversee the four
             * organisations, alongside chief finance officer Y": Y's post
             * is at the same bodies, when no other body stands between. */
            if (ok && !o.n && !o.all_ccgs && before > 0 && is(x, before - 1, "alongside") &&
                c->recent_sent == sent && no_other_body(x, &c->recent, c->recent_at, before))
                o = c->recent;
            if (ok)
                relate(c, p, r, &o);
        }
    }

    /* PERSON ... (as | become | appointed | is | was | to be) [the] ROLE
     * [of ORG] -- in the person's own clause of the sentence. */
    for (size_t k = p->b; k < x->n && x->t[k].sent == sent; k++) {
        const mention *q = owner(x, k);
        if (is_kind(q, M_PERSON))
            break;
        if (is(x, k, "said") || is(x, k, "says") || is(x, k, "added"))
            break;
        if (!(is(x, k, "as") || is(x, k, "become") || is(x, k, "becomes") ||
              is(x, k, "became") || is(x, k, "becoming") || is(x, k, "appointed") ||
              is(x, k, "named") || is(x, k, "is") || is(x, k, "was") || is(x, k, "elected") ||
              is(x, k, "be") || is(x, k, "been") || is(x, k, "remain") || is(x, k, "remains") ||
              is(x, k, "joins") || is(x, k, "joined") || is(x, k, "replace") ||
              is(x, k, "replaces") || is(x, k, "being")))
            continue;
        orgset pre = { .n = 0 };
        size_t j = role_after_bodies(x, k + 1, false, &pre);
        orgset o = { .n = 0 };
        size_t n = role_chain(x, j, roles, MAX_CHAIN_ROLES, &o);
        /* "North Cumbria CCG appoints Jon Rush as chair": the body that
         * appoints. */
        if (n && !o.n && !o.all_ccgs && !o.unresolved && pre.n == 0 && is(x, k, "as") &&
            p->a >= 2) {
            size_t v = p->a;
            if (is(x, v - 1, "has") || is(x, v - 1, "have"))
                v--;
            if (is(x, v - 1, "appoints") || is(x, v - 1, "appointed") || is(x, v - 1, "names") ||
                is(x, v - 1, "named") || is(x, v - 1, "elects") || is(x, v - 1, "elected")) {
                v--;
                if (v > 0 && (is(x, v - 1, "has") || is(x, v - 1, "have")))
                    v--;
                if (v > 0 && is_body(owner(x, v - 1)))
                    orgset_add(&pre, owner(x, v - 1));
            }
        }
        /* "from ORG, where he works as ROLE" */
        if (n && !o.n && !o.all_ccgs && !o.unresolved && pre.n == 0) {
            const mention *w = where_body(x, k);
            if (w)
                orgset_add(&pre, w);
        }
        relate_chain(c, p, roles, n, &o, &pre, &last);
        if (n)
            k = roles[n - 1]->b;
    }
    c->taken = NULL;            /* last goes out of scope */
}

static void find_relations(ex *x, cs_entities *out)
{
    relctx c = { .x = x, .out = out, .nccgs = 0, .recent_sent = -1 };
    for (size_t k = 0; k < x->nm; k++) {
        if (x->m[k].kind != M_CCG)
            continue;
        bool seen = false;
        for (size_t j = 0; j < c.nccgs && !seen; j++)
            seen = strcmp(c.ccgs[j], x->m[k].value) == 0;
        if (!seen && c.nccgs < MAX_STORY_CCGS)
            c.ccgs[c.nccgs++] = x->m[k].value;
    }
    for (size_t mi = 0; mi < x->nm && !x->oom; mi++)
        if (x->m[mi].kind == M_PERSON)
            relations_of(&c, &x->m[mi]);
}

/* --- the whole -------------------------------------------------------------- */

static int by_position(const void *a, const void *b)
{
    const mention *x = a, *y = b;
    return x->a < y->a ? -1 : x->a > y->a ? 1 : 0;
}

static const cs_facet kind_facet[] = {
    [M_CCG] = CS_FACET_CCG, [M_ORG] = CS_FACET_ORG, [M_PERSON] = CS_FACET_PERSON,
    [M_ROLE] = CS_FACET_ROLE, [M_PLACE] = CS_FACET_PLACE, [M_GROUP] = CS_FACET_CCG,
};

/* A person named by surname alone ("Dr Armstrong") is the person named in
 * full elsewhere in the text, when there is one. */
static const char *full_name(const ex *x, const mention *p)
{
    if (strchr(p->value, ' '))
        return p->value;
    size_t sl = strlen(p->value);
    for (size_t k = 0; k < x->nm; k++) {
        const mention *q = &x->m[k];
        size_t ql = strlen(q->value);
        if (q->kind == M_PERSON && q != p && ql > sl + 1 &&
            strcmp(q->value + ql - sl, p->value) == 0 && q->value[ql - sl - 1] == ' ')
            return q->value;
    }
    return p->value;
}

/* Every letter upper case. */
static bool shouting(const char *s)
{
    bool any = false;
    for (; *s; s++) {
        if (islower((unsigned char)*s))
            return false;
        any = any || isupper((unsigned char)*s);
    }
    return any;
}

bool cs_extract(const cs_article *a, cs_entities *out)
{
    ex x = { 0 };
    x.g = cs_gaz_get();
    if (!x.g)
        return false;
    /* The text as its author wrote it: a headline that the parser took out
     * of the body is part of it. */
    cs_buf text = { 0 };
    if (a->title_in_text) {
        cs_buf_puts(&text, a->title);
        cs_buf_puts(&text, "\n\n");
    }
    cs_buf_add(&text, a->body, a->body_len);
    if (text.oom) {
        cs_buf_free(&text);
        return false;
    }
    x.text = text.s;
    x.len = text.len;
    tokenize(&x);
    if (!x.oom) {
        find_ccgs(&x);
        find_known_orgs(&x);
        find_pattern_orgs(&x);
        find_nhs_places(&x);
        find_people(&x);
        find_places(&x);
        find_roles(&x);
    }
    /* Surnames alone take the full name (for values and relations). */
    for (size_t k = 0; k < x.nm && !x.oom; k++) {
        if (x.m[k].kind != M_PERSON)
            continue;
        const char *full = full_name(&x, &x.m[k]);
        if (full != x.m[k].value) {
            char *v = cs_strdup(full);
            if (!v) {
                x.oom = true;
                break;
            }
            free(x.m[k].value);
            x.m[k].value = v;
        }
    }
    if (getenv("CCG_EXTRACT_TRACE"))
        for (size_t k = 0; k < x.nm; k++)
            fprintf(stderr, "%s %zu-%zu sent %d: %s\n",
                    (const char *[]){ "ccg", "org", "person", "role", "place", "group" }[x.m[k].kind],
                    x.m[k].a, x.m[k].b, x.t[x.m[k].a].sent, x.m[k].value);
    if (!x.oom)
        find_relations(&x, out);
    /* Facet values in order of first mention.  Sorting a copy keeps the
     * mention ids of the tokens valid above. */
    mention *sorted = x.oom ? NULL : malloc((x.nm ? x.nm : 1) * sizeof *sorted);
    if (sorted) {
        if (x.nm)
            memcpy(sorted, x.m, x.nm * sizeof *sorted);
        qsort(sorted, x.nm, sizeof *sorted, by_position);
        for (size_t k = 0; k < x.nm; k++) {
            if (sorted[k].kind == M_GROUP)
                continue;
            /* A name in a heading's capitals ("JOINT HEALTH OVERVIEW AND
             * SCRUTINY COMMITTEE") is the name the text also writes
             * normally: keep that one. */
            if (sorted[k].kind == M_ORG && shouting(sorted[k].value)) {
                bool twin = false;
                for (size_t j = 0; j < x.nm && !twin; j++)
                    twin = j != k && sorted[j].kind == M_ORG && !shouting(sorted[j].value) &&
                           strcasecmp(sorted[j].value, sorted[k].value) == 0;
                if (twin)
                    continue;
            }
            cs_facet f = kind_facet[sorted[k].kind];
            if (!cs_entities_add(out, f, sorted[k].value, strlen(sorted[k].value)))
                x.oom = true;
        }
        /* A relation's role is one of the document's roles. */
        free(sorted);
    } else {
        x.oom = true;
    }
    for (size_t k = 0; k < x.nm; k++)
        free(x.m[k].value);
    free(x.m);
    free(x.t);
    cs_buf_free(&text);
    return !x.oom;
}
