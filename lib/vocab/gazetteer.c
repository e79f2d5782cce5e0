/* Gazetteers; see gazetteer.h.  The data files are described in their own
 * header comments (data/). */
#include "vocab/gazetteer.h"
#include "text/analyze.h"
#include "vocab/data.h"
#include "core/limits.h"
#include "core/util.h"
#include "index/xapian_shim.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static cs_gaz gaz;
static bool gaz_ok;
static pthread_once_t gaz_once = PTHREAD_ONCE_INIT;

char *cs_gaz_key(const char *text, size_t len)
{
    /* A standalone '&' is "and"; the analyser would drop it. */
    cs_buf b = { 0 };
    for (size_t i = 0; i < len; i++) {
        bool lone = text[i] == '&' && (i == 0 || text[i - 1] == ' ') &&
                    (i + 1 == len || text[i + 1] == ' ');
        if (lone)
            cs_buf_puts(&b, "and");
        else
            cs_buf_putc(&b, text[i]);
    }
    if (b.oom) {
        cs_buf_free(&b);
        return NULL;
    }
    char *key = cs_normalize_key(b.s ? b.s : "", b.len);
    cs_buf_free(&b);
    return key;
}

int cs_table_find(const cs_table *t, const char *key)
{
    return cs_strmap_get(&t->keys, key, strlen(key));
}

/* The index of display name `name` in t, adding it if new; -1 on oom. */
static int table_name(cs_table *t, const char *name, size_t len)
{
    int i = cs_strmap_get(&t->byname, name, len);
    if (i >= 0)
        return i;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        char **v = realloc(t->names, cap * sizeof *v);
        if (!v)
            return -1;
        t->names = v;
        t->cap = cap;
    }
    if (!(t->names[t->n] = cs_strndup(name, len)) ||
        !cs_strmap_put(&t->byname, name, len, (int)t->n))
        return -1;
    return (int)t->n++;
}

/* Map the key of alias[0..len) to name index idx (later entries win). */
static bool table_alias(cs_table *t, const char *alias, size_t len, int idx)
{
    char *key = cs_gaz_key(alias, len);
    if (!key)
        return false;
    bool ok = true;
    if (*key) {
        ok = cs_strmap_put(&t->keys, key, strlen(key), idx);
        unsigned words = 1;
        for (char *p = key; ok && *p; p++)
            if (*p == ' ') {
                ok = cs_strmap_put(&t->prefixes, key, (size_t)(p - key), 1);
                words++;
            }
        if (words > t->maxwords)
            t->maxwords = words;
    }
    free(key);
    return ok;
}

/* Split line[0..len) at tabs into at most max fields. */
static int fields(const char *line, size_t len, const char **f, size_t *fl, int max)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len && n < max; i++) {
        if (i == len || line[i] == '\t') {
            f[n] = line + start;
            fl[n] = i - start;
            n++;
            start = i + 1;
        }
    }
    return n;
}

/* Call fn for every non-comment, non-blank line of a data file. */
static bool each_line(const char *data, bool (*fn)(const char *, size_t, void *), void *ctx)
{
    const char *p = data;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        size_t l = len;
        while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' '))
            l--;
        if (l > 0 && p[0] != '#' && !fn(p, l, ctx))
            return false;
        p += len + (e ? 1 : 0);
    }
    return true;
}

/* Each '|'-separated alias of s[0..len) into table t for name idx. */
static bool aliases(cs_table *t, const char *s, size_t len, int idx)
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++)
        if (i == len || s[i] == '|') {
            if (i > start && !table_alias(t, s + start, i - start, idx))
                return false;
            start = i + 1;
        }
    return true;
}

static bool cs_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    const char *f[5];
    size_t fl[5];
    if (fields(line, len, f, fl, 5) < 5)
        return true;
    int idx = table_name(&gaz.ccg, f[0], fl[0]);
    return idx >= 0 && aliases(&gaz.ccg, f[4], fl[4], idx);
}

static bool cs_alias_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    const char *f[3];
    size_t fl[3];
    if (fields(line, len, f, fl, 3) < 2)
        return true;
    int idx = table_name(&gaz.ccg, f[0], fl[0]);
    return idx >= 0 && table_alias(&gaz.ccg, f[1], fl[1], idx);
}

static bool role_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    const char *f[3];
    size_t fl[3];
    int n = fields(line, len, f, fl, 3);
    if (n < 2)
        return true;
    if (fl[0] == 9 && memcmp(f[0], "qualifier", 9) == 0) {
        size_t start = 0;
        for (size_t i = 0; n == 3 && i <= fl[2]; i++)
            if (i == fl[2] || f[2][i] == '|') {
                char *key = cs_gaz_key(f[2] + start, i - start);
                bool ok = key && cs_strmap_put(&gaz.qualifiers, key, strlen(key), 1);
                free(key);
                if (!ok)
                    return false;
                start = i + 1;
            }
        return true;
    }
    int idx = table_name(&gaz.role, f[1], fl[1]);
    return idx >= 0 && table_alias(&gaz.role, f[1], fl[1], idx) &&
           (n < 3 || aliases(&gaz.role, f[2], fl[2], idx));
}

static int place_kind(const char *s, size_t len)
{
    static const char *const kinds[] = { "country", "region", "subregion", "county",
                                         "city", "town", "borough" };
    for (int k = 0; k < 7; k++)
        if (strlen(kinds[k]) == len && memcmp(kinds[k], s, len) == 0)
            return k;
    return PLACE_TOWN;
}

static bool place_line(const char *line, size_t len, void *ctx)
{
    size_t *cap = ctx;
    const char *f[3];
    size_t fl[3];
    int n = fields(line, len, f, fl, 3);
    if (n < 2)
        return true;
    int idx = table_name(&gaz.place, f[0], fl[0]);
    if (idx < 0)
        return false;
    if ((size_t)idx >= *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        int *k = realloc(gaz.place_kind, c * sizeof *k);
        if (!k)
            return false;
        gaz.place_kind = k;
        *cap = c;
    }
    gaz.place_kind[idx] = place_kind(f[1], fl[1]);
    return table_alias(&gaz.place, f[0], fl[0], idx) && (n < 3 || aliases(&gaz.place, f[2], fl[2], idx));
}

static bool org_line(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    const char *f[2];
    size_t fl[2];
    int n = fields(line, len, f, fl, 2);
    int idx = table_name(&gaz.org, f[0], fl[0]);
    return idx >= 0 && table_alias(&gaz.org, f[0], fl[0], idx) &&
           (n < 2 || aliases(&gaz.org, f[1], fl[1], idx));
}

/* One word per line into the map ctx. */
static bool word_line(const char *line, size_t len, void *ctx)
{
    char *key = cs_gaz_key(line, len);
    bool ok = key && cs_strmap_put(ctx, key, strlen(key), 1);
    free(key);
    return ok;
}

static int stem_token(void *ctx, const cs_token *t)
{
    cs_buf *b = ctx;
    char stem[CS_MAX_TERM_BYTES + 8];
    if (t->flags & CS_TOK_VARIANT)
        return 0;
    size_t n = (t->flags & CS_TOK_NUMERIC) ? 0 : cs_stem(t->term, t->len, stem, sizeof stem);
    if (b->len)
        cs_buf_putc(b, ' ');
    if (n)
        cs_buf_add(b, stem, n);
    else
        cs_buf_add(b, t->term, t->len);
    return 0;
}

char *cs_gaz_stem_key(const char *text, size_t len)
{
    cs_buf b = { 0 };
    if (cs_analyze(text, len, 1, stem_token, &b, NULL) != 0) {
        cs_buf_free(&b);
        return NULL;
    }
    return cs_buf_take(&b);
}

/* An alternative of synonym group g as written and with its last word
 * plural ("ccgs", "clinical commissioning groups", "authorities"), for
 * gaz.syn_forms. */
static bool synonym_forms(const char *alt, size_t len, int g)
{
    cs_buf b = { 0 };
    if (len && alt[len - 1] == 'y') {
        cs_buf_add(&b, alt, len - 1);
        cs_buf_puts(&b, "ies");
    } else {
        cs_buf_add(&b, alt, len);
        cs_buf_puts(&b, "s");
    }
    bool ok = !b.oom && table_alias(&gaz.syn_forms, alt, len, g) &&
              table_alias(&gaz.syn_forms, b.s, b.len, g);
    cs_buf_free(&b);
    return ok;
}

/* "ccg | clinical commissioning group": one synonym group. */
static bool synonym_line(const char *line, size_t len, void *ctx)
{
    size_t *cap = ctx;
    int g = table_name(&gaz.synonyms, line, len);
    if (g < 0)
        return false;
    if ((size_t)g >= *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        char ***v = realloc(gaz.syn_alts, c * sizeof *v);
        if (!v)
            return false;
        gaz.syn_alts = v;
        *cap = c;
    }
    char **alts = calloc(len / 2 + 2, sizeof *alts);
    size_t n = 0, start = 0;
    if (!alts)
        return false;
    gaz.syn_alts[g] = alts;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != '|')
            continue;
        size_t a = start, b = i;
        while (a < b && line[a] == ' ')
            a++;
        while (b > a && line[b - 1] == ' ')
            b--;
        start = i + 1;
        if (a == b)
            continue;
        char *key = cs_gaz_stem_key(line + a, b - a);
        if (!key || !(alts[n] = cs_strndup(line + a, b - a))) {
            free(key);
            return false;
        }
        n++;
        bool ok = *key == '\0' || cs_strmap_put(&gaz.synonyms.keys, key, strlen(key), g);
        unsigned words = 1;
        for (char *p = key; ok && *p; p++)
            if (*p == ' ') {
                ok = cs_strmap_put(&gaz.synonyms.prefixes, key, (size_t)(p - key), 1);
                words++;
            }
        if (words > gaz.synonyms.maxwords)
            gaz.synonyms.maxwords = words;
        free(key);
        if (!ok || !synonym_forms(line + a, b - a, g))
            return false;
    }
    return true;
}

/* One entry per line into the map ctx, as written. */
static bool entry_line(const char *line, size_t len, void *ctx)
{
    return cs_strmap_put(ctx, line, len, 1);
}

/* A list whose lines are "entry <TAB> use|use...": every entry into all
 * (when not NULL), and into map[k] the entries that list use name[k]. */
typedef struct uses {
    cs_strmap *all;
    const char *name[3];    /* NULL past the last */
    cs_strmap *map[3];
} uses;

static bool uses_line(const char *line, size_t len, void *ctx)
{
    const uses *u = ctx;
    const char *f[2];
    size_t fl[2];
    int n = fields(line, len, f, fl, 2);
    if (fl[0] == 0)
        return true;
    if (u->all && !cs_strmap_put(u->all, f[0], fl[0], 1))
        return false;
    size_t start = 0;
    for (size_t i = 0; n == 2 && i <= fl[1]; i++) {
        if (i < fl[1] && f[1][i] != '|')
            continue;
        for (int k = 0; k < 3 && u->name[k]; k++)
            if (strlen(u->name[k]) == i - start &&
                memcmp(u->name[k], f[1] + start, i - start) == 0 &&
                !cs_strmap_put(u->map[k], f[0], fl[0], 1))
                return false;
        start = i + 1;
    }
    return true;
}

/* The extractor's word lists (see gazetteer.h). */
static bool load_words(void)
{
    static const struct {
        const char *data;
        cs_strmap *set;
    } lists[] = {
        { cs_data_abbreviations, &gaz.abbreviations },
        { cs_data_adverbs, &gaz.adverbs },
        { cs_data_appointing_verbs, &gaz.appointing_verbs },
        { cs_data_calendar, &gaz.calendar },
        { cs_data_civic_roles, &gaz.civic_roles },
        { cs_data_complement_stops, &gaz.complement_stops },
        { cs_data_directions, &gaz.directions },
        { cs_data_name_ends, &gaz.name_ends },
        { cs_data_not_name_words, &gaz.not_name_words },
        { cs_data_org_connectors, &gaz.org_connectors },
        { cs_data_org_full_names, &gaz.org_full_names },
        { cs_data_org_generic_words, &gaz.org_generic_words },
        { cs_data_parties, &gaz.parties },
        { cs_data_team_words, &gaz.team_words },
        { cs_data_team_words_before, &gaz.team_words_before },
        { cs_data_body_plurals, &gaz.body_plurals },
        { cs_data_role_starts, &gaz.role_starts },
        { cs_data_role_modifiers, &gaz.role_modifiers },
        { cs_data_place_prepositions, &gaz.place_prepositions },
        { cs_data_role_verbs, &gaz.role_verbs },
        { cs_data_speech_verbs, &gaz.speech_verbs },
        { cs_data_post_nouns, &gaz.post_nouns },
        { cs_data_post_verbs, &gaz.post_verbs },
        { cs_data_joint_words, &gaz.joint_words },
        { cs_data_joining_verbs, &gaz.joining_verbs },
    };
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        if (!each_line(lists[k].data, entry_line, lists[k].set))
            return false;
    uses heads = { &gaz.org_heads, { "lower", "first" },
                   { &gaz.org_heads_lower, &gaz.org_heads_first } };
    uses determiners = { NULL, { "name", "role" },
                         { &gaz.name_determiners, &gaz.role_determiners } };
    uses role_heads = { &gaz.role_heads, { "portfolio", "alone", "plural" },
                        { &gaz.role_heads_portfolio, &gaz.role_heads_alone,
                          &gaz.role_heads_plural } };
    return each_line(cs_data_org_heads, uses_line, &heads) &&
           each_line(cs_data_role_heads, uses_line, &role_heads) &&
           each_line(cs_data_determiners, uses_line, &determiners);
}

/* A memo bit (cs_strmap.memo) for each map the extractor asks of one
 * token at a time: each token then looks a word up in each map once. */
static void number_maps(void)
{
    cs_strmap *maps[] = {
        &gaz.ccg.keys, &gaz.ccg.prefixes, &gaz.role.keys, &gaz.role.prefixes,
        &gaz.place.keys, &gaz.place.prefixes, &gaz.org.keys, &gaz.org.prefixes,
        &gaz.synonyms.keys, &gaz.synonyms.prefixes, &gaz.syn_forms.keys,
        &gaz.syn_forms.prefixes, &gaz.qualifiers, &gaz.first_names,
        &gaz.abbreviations, &gaz.adverbs, &gaz.appointing_verbs, &gaz.calendar,
        &gaz.civic_roles, &gaz.complement_stops, &gaz.name_determiners,
        &gaz.role_determiners, &gaz.directions, &gaz.name_ends, &gaz.not_name_words,
        &gaz.org_connectors, &gaz.org_full_names, &gaz.org_generic_words, &gaz.org_heads,
        &gaz.org_heads_lower, &gaz.org_heads_first, &gaz.parties, &gaz.role_starts,
        &gaz.role_heads, &gaz.role_heads_portfolio, &gaz.role_heads_alone,
        &gaz.role_heads_plural, &gaz.role_modifiers, &gaz.place_prepositions,
        &gaz.role_verbs, &gaz.speech_verbs, &gaz.post_nouns, &gaz.post_verbs,
        &gaz.joint_words, &gaz.joining_verbs, &gaz.team_words,
        &gaz.team_words_before, &gaz.body_plurals,
    };
    _Static_assert(sizeof maps / sizeof maps[0] < 64, "a memo bit each");
    for (size_t k = 0; k < sizeof maps / sizeof maps[0]; k++)
        maps[k]->memo = (unsigned)k + 1;
}

static void load(void)
{
    size_t place_cap = 0, syn_cap = 0;
    gaz_ok = each_line(cs_data_ccg_gazetteer, cs_line, NULL) &&
             each_line(cs_data_ccg_aliases, cs_alias_line, NULL) &&
             each_line(cs_data_roles, role_line, NULL) &&
             each_line(cs_data_places, place_line, &place_cap) &&
             each_line(cs_data_orgs, org_line, NULL) &&
             each_line(cs_data_first_names, word_line, &gaz.first_names) &&
             each_line(cs_data_stopwords, word_line, &gaz.stopwords) &&
             each_line(cs_data_synonyms, synonym_line, &syn_cap) && load_words();
    number_maps();
}

const cs_gaz *cs_gaz_get(void)
{
    pthread_once(&gaz_once, load);
    return gaz_ok ? &gaz : NULL;
}

bool cs_gaz_stopword(const char *word)
{
    const cs_gaz *g = cs_gaz_get();
    return g && cs_strmap_get(&g->stopwords, word, strlen(word)) >= 0;
}

bool cs_words_has(const cs_strmap *set, const char *word)
{
    return cs_strmap_get(set, word, strlen(word)) >= 0;
}
