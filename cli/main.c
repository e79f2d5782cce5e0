/* ccg-search: the command-line client.  Built on the public client library
 * (include/ccgsearch/client.h), as any newsroom tool would be. */
#define _GNU_SOURCE
#include "ccgsearch/client.h"
#include "core/limits.h"
#include "core/termsafe.h"
#include "text/date.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Exit statuses. */
enum { EXIT_OK = 0, EXIT_SERVER = 1, EXIT_USAGE = 2, EXIT_CONNECT = 3 };

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT "7700"
#define DEFAULT_TIMEOUT_MS 30000

static const char *const facet_names[] = { "ccg", "role", "person", "org", "place" };
#define NFACETS 5
/* The filter keys of --ccg ... --tag, in the order of their getopt codes. */
static const char *const filter_keys[] = { "ccg", "role", "person", "org", "place",
                                           "author", "section", "tag" };

static bool colour;

static void usage(FILE *f)
{
    fprintf(f,
"Usage: ccg-search [options] [--] QUERY...\n"
"       ccg-search [options] --get ID | --similar ID | --who QUESTION | --stats\n"
"\n"
"Search a running ccg-searchd and print the ranked hits (rank, title, date,\n"
"id, score and the best passage with the matches highlighted).\n"
"QUERY uses the query language of docs/query-language.md, e.g.\n"
"  ccg-search joint accountable officer\n"
"  ccg-search --ccg \"Leicester City\" --role \"clinical chair\" --facets\n"
"  ccg-search 'merger place:Essex date:2019'\n"
"Options may come before or after QUERY; '--' ends them, so that a word\n"
"that begins with '-' is searched: ccg-search -- merger -essex.  A search\n"
"needs a QUERY or a filter (--ccg ... --to); '' matches every document.\n"
"\n"
"Connection (every request):\n"
"  -H, --host HOST      server host (default $CCGSEARCH_HOST, else " DEFAULT_HOST ")\n"
"  -p, --port PORT      server port (default $CCGSEARCH_PORT, else " DEFAULT_PORT ")\n"
"      --unix PATH      connect over a Unix socket instead\n"
"      --timeout MS     give up after MS milliseconds (default %d; 0: never)\n"
"Search (a search only):\n"
"      --ccg NAME       only articles naming this CCG (repeatable; OR-ed)\n"
"      --role ROLE      ... this role        --person NAME  ... this person\n"
"      --org NAME       ... this organisation --place NAME  ... this place\n"
"      --author NAME    ... by this author    --section NAME ... in this section\n"
"      --tag TAG        ... tagged TAG (each repeatable, OR-ed; the kinds AND-ed)\n"
"      --from DATE      published on or after DATE (YYYY-MM-DD)\n"
"      --to DATE        published on or before DATE\n"
"      --sort ORDER     relevance (default), date (newest first) or date_asc\n"
"      --any            match any of the words, not all of them\n"
"      --plain          search the words as typed: no query-language operators\n"
"  -n, --limit N        hits per page, 0.." CS_STR(CS_MAX_RESULT_LIMIT) " (default "
                         CS_STR(CS_DEFAULT_RESULT_LIMIT) ")\n"
"      --page N         which page of hits (default 1); the pages before it\n"
"                       may hold at most " CS_STR(CS_MAX_RESULT_OFFSET) " hits\n"
"  -f, --facets         also show the facet counts\n"
"      --no-correct     when QUERY matches nothing, show that, not the results\n"
"                       of its spelling correction (which is still suggested)\n"
"      --no-snippets    leave out the passages (also with --similar)\n"
"Other requests (one at a time, with no QUERY):\n"
"      --get ID         show one stored document with its entities\n"
"      --similar ID     articles most like document ID\n"
"      --who QUESTION   who held a role where: \"accountable officer at Corby\",\n"
"                       \"clinical chair\", a person: \"Toby Sanders\", or\n"
"                       everyone named at an organisation: \"NHS Corby CCG\"\n"
"      --stats          server and index figures\n"
"Output (every request):\n"
"      --json           print the server's JSON answer as it came\n"
"  -h, --help           this help\n"
"      --version        print the version and exit\n"
"An option given with a request it does not go with is a usage error.\n"
"\n"
"Matches are highlighted in colour on a terminal, unless NO_COLOR is set or\n"
"TERM is dumb or unset.\n"
"Exit status: 0 success (even with no hits), 1 the server refused the\n"
"request, 2 usage error (nothing is sent), 3 the server could not be\n"
"reached (a host name that does not resolve, nothing listening, a\n"
"connection lost or timed out).\n",
            DEFAULT_TIMEOUT_MS);
}

/* Print HTML-escaped text with <mark> as highlight (or nothing). */
static void print_html(const char *s)
{
    while (*s) {
        if (strncmp(s, "<mark>", 6) == 0) {
            if (colour)
                fputs("\033[1;33m", stdout);
            s += 6;
        } else if (strncmp(s, "</mark>", 7) == 0) {
            if (colour)
                fputs("\033[0m", stdout);
            s += 7;
        } else if (*s == '&') {
            static const struct { const char *ent; char c; } ents[] = {
                { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
                { "&quot;", '"' }, { "&#39;", '\'' },
            };
            size_t k;
            for (k = 0; k < sizeof ents / sizeof ents[0]; k++)
                if (strncmp(s, ents[k].ent, strlen(ents[k].ent)) == 0) {
                    putchar(ents[k].c);
                    s += strlen(ents[k].ent);
                    break;
                }
            if (k == sizeof ents / sizeof ents[0])
                putchar(*s++);
        } else {
            putchar(*s++);
        }
    }
}

/* The terminal-safe copies str() has made, freed at exit. */
static char **safe_copies;
static size_t nsafe_copies;

/* s as it may be printed: the index's text is anybody's (an article's
 * title can hold an escape sequence that retitles the window or clears
 * the screen), so control characters are shown as \xNN, never sent to
 * the terminal; flags as cs_term_safe()'s.  NULL only for NULL. */
static const char *term_text(const char *s, unsigned flags)
{
    if (!s || cs_term_is_safe(s, strlen(s), flags))
        return s;
    char **grown = realloc(safe_copies, (nsafe_copies + 1) * sizeof *grown);
    char *copy = cs_term_safe_dup(s, flags);
    if (grown)
        safe_copies = grown;
    if (!grown || !copy) {
        free(copy);
        return "(out of memory)";
    }
    safe_copies[nsafe_copies++] = copy;
    return copy;
}

static void free_safe_copies(void)
{
    for (size_t i = 0; i < nsafe_copies; i++)
        free(safe_copies[i]);
    free(safe_copies);
}

/* The string o[key], terminal-safe, or dflt. */
static const char *str(json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? term_text(s, 0) : dflt;
}

static void print_bold(const char *s)
{
    printf(colour ? "\033[1m%s\033[0m" : "%s", s);
}

static void print_entities(json_t *ents, const char *indent)
{
    for (int f = 0; f < NFACETS; f++) {
        json_t *a = json_object_get(ents, facet_names[f]);
        if (json_array_size(a) == 0)
            continue;
        printf("%s%s: ", indent, facet_names[f]);
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v) printf("%s%s", i ? ", " : "", term_text(json_string_value(v), 0));
        putchar('\n');
    }
}

/* What the spelling suggester did.  When the query as typed matched
 * nothing, the server answers its correction instead, and says so. */
static void print_correction(json_t *ans, const char *typed)
{
    const char *corrected = str(ans, "corrected", NULL);
    if (!corrected)
        return;
    if (json_is_true(json_object_get(ans, "corrected_results")))
        printf("Showing results for %s (search instead for %s with --no-correct)\n", corrected,
               typed ? term_text(typed, 0) : "");
    else
        printf("Did you mean: %s\n", corrected);
}

static void print_hits(json_t *ans, bool facets, const char *typed)
{
    json_t *hits = json_object_get(ans, "hits");
    json_int_t total = json_integer_value(json_object_get(ans, "total"));
    json_int_t offset = json_integer_value(json_object_get(ans, "offset"));
    size_t n = json_array_size(hits);
    print_correction(ans, typed);
    if (json_object_get(ans, "total")) {
        if (n)
            printf("%lld result%s, showing %lld-%lld", (long long)total, total == 1 ? "" : "s",
                   (long long)offset + 1, (long long)offset + (long long)n);
        else
            printf("%lld result%s", (long long)total, total == 1 ? "" : "s");
        printf(" (%.1f ms)\n", (double)json_integer_value(json_object_get(ans, "took_us")) / 1000.0);
    }
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h) {
        printf("\n%3lld. ", (long long)json_integer_value(json_object_get(h, "rank")));
        print_bold(str(h, "title", "(untitled)"));
        printf("\n     %s  %s  score %.3f", str(h, "date", "----------"), str(h, "id", "?"),
               json_number_value(json_object_get(h, "score")));
        const char *src = str(h, "source", NULL);
        if (src)
            printf("  %s", src);
        const char *by = str(h, "author", NULL);
        if (by)
            printf("  by %s", by);
        putchar('\n');
        const char *snip = str(h, "snippet", NULL);
        if (snip && *snip) {
            fputs("     ", stdout);
            print_html(snip);
            putchar('\n');
        }
    }
    if (!facets)
        return;
    json_t *fj = json_object_get(ans, "facets");
    printf("\n");
    for (int f = 0; f < NFACETS; f++) {
        json_t *a = json_object_get(fj, facet_names[f]);
        if (!a)
            continue;
        printf("%-7s ", facet_names[f]);
        if (json_array_size(a) == 0)
            printf("-");
        json_t *v;
        json_array_foreach(a, i, v) {
            printf("%s%s (%lld)", i ? ", " : "", str(v, "value", "?"),
                   (long long)json_integer_value(json_object_get(v, "count")));
        }
        putchar('\n');
    }
}

static void print_document(json_t *doc)
{
    print_bold(str(doc, "title", "(untitled)"));
    printf("\nid: %s\ndate: %s\n", str(doc, "id", "?"), str(doc, "date", "-"));
    if (str(doc, "source", NULL))
        printf("source: %s\n", str(doc, "source", ""));
    if (str(doc, "url", NULL))
        printf("url: %s\n", str(doc, "url", ""));
    if (str(doc, "author", NULL))
        printf("author: %s\n", str(doc, "author", ""));
    if (str(doc, "section", NULL))
        printf("section: %s\n", str(doc, "section", ""));
    json_t *tags = json_object_get(doc, "tags");
    size_t t;
    json_t *tag;
    json_array_foreach(tags, t, tag) {
        const char *tv = term_text(json_string_value(tag), 0);
        printf("%s%s", t ? ", " : "tags: ", tv ? tv : "?");
    }
    if (json_array_size(tags))
        putchar('\n');
    print_entities(json_object_get(doc, "entities"), "");
    json_t *rel = json_object_get(doc, "person_role");
    size_t i;
    json_t *r;
    json_array_foreach(rel, i, r) {
        printf("holds: %s, %s", str(r, "person", "?"), str(r, "role", "?"));
        if (str(r, "org", NULL))
            printf(", %s", str(r, "org", ""));
        putchar('\n');
    }
    const char *body = term_text(json_string_value(json_object_get(doc, "body")),
                                 CS_TS_KEEP_NEWLINES);
    printf("\n%s\n", body ? body : "");
}

static void print_who(json_t *ans)
{
    json_t *answers = json_object_get(ans, "answers");
    size_t i, j;
    json_t *a, *d;
    if (json_array_size(answers) == 0)
        printf("Nothing found.\n");
    json_array_foreach(answers, i, a) {
        print_bold(str(a, "person", "?"));
        printf(", %s", str(a, "role", "?"));
        if (str(a, "org", NULL))
            printf(", %s", str(a, "org", ""));
        putchar('\n');
        json_array_foreach(json_object_get(a, "documents"), j, d)
            printf("    %s  %s  %s\n", str(d, "date", "----------"), str(d, "id", "?"),
                   str(d, "title", ""));
    }
    if (json_is_true(json_object_get(ans, "truncated")))
        printf("(only the newest documents were read)\n");
}

/* The requests ccg-search can make; an option belongs to some of them. */
enum mode { M_SEARCH = 1, M_GET = 2, M_SIMILAR = 4, M_WHO = 8, M_STATS = 16 };
#define M_ALL (M_SEARCH | M_GET | M_SIMILAR | M_WHO | M_STATS)

static const char *mode_option(int m)
{
    return m == M_GET ? "--get" : m == M_SIMILAR ? "--similar" : m == M_WHO ? "--who"
         : m == M_STATS ? "--stats" : "a search";
}

/* A TCP port as typed: digits only, 1..65535.  getaddrinfo() would take
 * "65536" as port 0 or another port, and connect somewhere unasked. */
static bool valid_port(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 5 && strspn(s, "0123456789") == n && atol(s) >= 1 && atol(s) <= 65535;
}

/* A date as the server reads date_from and date_to: a real day written
 * YYYY-MM-DD (the same parser, so the CLI refuses exactly what it would). */
static bool valid_date(const char *s)
{
    char tmp[11];
    return strlen(s) == 10 && cs_parse_date(s, 10, tmp) == 10 && strcmp(tmp, s) == 0;
}

/* The number in s, whole, into *out: false for anything else. */
static bool whole_number(const char *s, long *out)
{
    char *end;
    errno = 0;
    *out = strtol(s, &end, 10);
    return end != s && !*end && errno == 0;
}

/* Text sent on the request line as it is (an id, a WHO question): a line
 * break would end the request there and send the rest as another. */
static bool one_line(const char *s)
{
    return !strpbrk(s, "\r\n");
}

static int usage_error(json_t *filter, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(json_t *filter, const char *fmt, ...)
{
    va_list ap;
    fputs("ccg-search: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    json_decref(filter);
    return EXIT_USAGE;
}

/* Why the connection to host:port failed, on stderr: a name that does not
 * resolve is not a server that is down. */
static void connect_failed(const char *host, const char *port)
{
    struct addrinfo hints = { 0 }, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "ccg-search: cannot resolve host '%s': %s\n", host,
                rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return;
    }
    freeaddrinfo(res);
    fprintf(stderr, "ccg-search: cannot connect to %s:%s: is ccg-searchd running on %s:%s? "
                    "(start it with: ccg-searchd --index DIR)\n", host, port, host, port);
}

int main(int argc, char **argv)
{
    enum { O_UNIX = 256, O_TIMEOUT, O_CCG, O_ROLE, O_PERSON, O_ORG, O_PLACE, O_AUTHOR,
           O_SECTION, O_TAG, O_FROM, O_TO,
           O_SORT, O_ANY, O_PLAIN, O_PAGE, O_NOSNIP, O_NOCORRECT, O_GET, O_SIMILAR, O_STATS,
           O_JSON, O_WHO };
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' }, { "port", required_argument, NULL, 'p' },
        { "unix", required_argument, NULL, O_UNIX }, { "timeout", required_argument, NULL, O_TIMEOUT },
        { "ccg", required_argument, NULL, O_CCG }, { "role", required_argument, NULL, O_ROLE },
        { "person", required_argument, NULL, O_PERSON }, { "org", required_argument, NULL, O_ORG },
        { "place", required_argument, NULL, O_PLACE }, { "author", required_argument, NULL, O_AUTHOR },
        { "section", required_argument, NULL, O_SECTION }, { "tag", required_argument, NULL, O_TAG },
        { "from", required_argument, NULL, O_FROM },
        { "to", required_argument, NULL, O_TO }, { "sort", required_argument, NULL, O_SORT },
        { "any", no_argument, NULL, O_ANY }, { "plain", no_argument, NULL, O_PLAIN },
        { "limit", required_argument, NULL, 'n' },
        { "page", required_argument, NULL, O_PAGE }, { "facets", no_argument, NULL, 'f' },
        { "no-snippets", no_argument, NULL, O_NOSNIP },
        { "no-correct", no_argument, NULL, O_NOCORRECT }, { "get", required_argument, NULL, O_GET },
        { "similar", required_argument, NULL, O_SIMILAR }, { "stats", no_argument, NULL, O_STATS },
        { "who", required_argument, NULL, O_WHO },
        { "json", no_argument, NULL, O_JSON }, { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    const char *host = NULL, *port = NULL, *unix_path = NULL;
    const char *get_id = NULL, *similar_id = NULL, *sort = NULL, *who = NULL;
    const char *from = NULL, *to = NULL;
    const char *page_arg = NULL;
    int timeout = DEFAULT_TIMEOUT_MS, c, modes = 0;
    long limit = CS_DEFAULT_RESULT_LIMIT, page = 1, n;
    bool json_out = false, facets = false, any = false, plain = false, snippets = true;
    bool correct = true, filtered = false;
    /* The requests each option given goes with, by its getopt code. */
    int takes_of[O_WHO + 1];
    bool seen[O_WHO + 1] = { false };
    json_t *filter = json_object();

    while ((c = getopt_long(argc, argv, "H:p:n:fh", opts, NULL)) != -1) {
        int takes = M_ALL;          /* the requests this option goes with */
        switch (c) {
        case 'H': host = optarg; break;
        case 'p':
            if (!valid_port(optarg))
                return usage_error(filter, "--port wants a number from 1 to 65535, not '%s'",
                                   optarg);
            port = optarg;
            break;
        case O_UNIX: unix_path = optarg; break;
        case O_TIMEOUT:
            if (!whole_number(optarg, &n) || n < 0 || n > INT_MAX)
                return usage_error(filter, "--timeout wants milliseconds, 0 (no limit) to %d, "
                                           "not '%s'", INT_MAX, optarg);
            timeout = (int)n;
            break;
        case O_CCG: case O_ROLE: case O_PERSON: case O_ORG: case O_PLACE:
        case O_AUTHOR: case O_SECTION: case O_TAG: {
            const char *name = filter_keys[c - O_CCG];
            json_t *a = json_object_get(filter, name);
            if (!a) {
                a = json_array();
                json_object_set_new(filter, name, a);
            }
            json_array_append_new(a, json_string(optarg));
            filtered = true;
            takes = M_SEARCH;
            break;
        }
        case O_FROM: case O_TO:
            if (!valid_date(optarg))
                return usage_error(filter, "--%s wants a date written YYYY-MM-DD, not '%s'",
                                   c == O_FROM ? "from" : "to", optarg);
            *(c == O_FROM ? &from : &to) = optarg;
            filtered = true;
            takes = M_SEARCH;
            break;
        case O_SORT:
            if (strcmp(optarg, "relevance") && strcmp(optarg, "date") && strcmp(optarg, "date_asc"))
                return usage_error(filter, "--sort wants relevance, date or date_asc, not '%s'",
                                   optarg);
            sort = optarg;
            takes = M_SEARCH;
            break;
        case O_ANY: any = true; takes = M_SEARCH; break;
        case O_PLAIN: plain = true; takes = M_SEARCH; break;
        case 'n':
            if (!whole_number(optarg, &limit) || limit < 0 || limit > CS_MAX_RESULT_LIMIT)
                return usage_error(filter, "--limit wants a number from 0 to %d, not '%s'",
                                   CS_MAX_RESULT_LIMIT, optarg);
            takes = M_SEARCH;
            break;
        case O_PAGE:
            if (!whole_number(optarg, &page) || page < 1)
                return usage_error(filter, "--page wants a number from 1, not '%s'", optarg);
            page_arg = optarg;
            takes = M_SEARCH;
            break;
        case 'f': facets = true; takes = M_SEARCH; break;
        case O_NOSNIP: snippets = false; takes = M_SEARCH | M_SIMILAR; break;
        case O_NOCORRECT: correct = false; takes = M_SEARCH; break;
        case O_GET: get_id = optarg; modes |= M_GET; break;
        case O_SIMILAR: similar_id = optarg; modes |= M_SIMILAR; break;
        case O_STATS: modes |= M_STATS; break;
        case O_WHO: who = optarg; modes |= M_WHO; break;
        case O_JSON: json_out = true; break;
        case 'h': usage(stdout); json_decref(filter); return EXIT_OK;
        case 'v': puts("ccg-search (ccgsearch) " CCGSEARCH_VERSION); json_decref(filter); return EXIT_OK;
        default:
            /* getopt_long() has said which option it did not know. */
            return usage_error(filter, "a query word that begins with '-' goes after '--' "
                                       "(ccg-search -- merger -essex); 'ccg-search --help' "
                                       "lists the options");
        }
        seen[c] = true;
        takes_of[c] = takes;
    }

    /* Which request, and whether every option given goes with it. */
    if (modes & (modes - 1))
        return usage_error(filter, "--get, --similar, --who and --stats are one request each: "
                                   "give one of them");
    int mode = modes ? modes : M_SEARCH;
    if (mode != M_SEARCH && optind < argc)
        return usage_error(filter, "%s takes no QUERY (got '%s')", mode_option(mode), argv[optind]);
    for (const struct option *o = opts; o->name; o++)
        if (o->val <= O_WHO && seen[o->val] && !(takes_of[o->val] & mode))
            return usage_error(filter, "--%s goes with %s, not with %s", o->name,
                               takes_of[o->val] == M_SEARCH ? "a search" : "a search or --similar",
                               mode_option(mode));
    const char *arg = get_id ? get_id : similar_id ? similar_id : who;
    if (arg && (!*arg || !one_line(arg)))
        return usage_error(filter, "%s wants %s%s", mode_option(mode),
                           who ? "a question" : "a document id", *arg ? " on one line" : "");
    if (mode == M_SEARCH && optind == argc && !filtered)
        return usage_error(filter, "no QUERY: give the words to search for, or a filter "
                                   "(--ccg, --role, --person, --org, --place, --author, "
                                   "--section, --tag, --from, --to) to list what it selects; "
                                   "'' matches every document");
    if (from && to && strcmp(from, to) > 0)
        return usage_error(filter, "--from %s is after --to %s", from, to);
    /* The server pages no deeper than CS_MAX_RESULT_OFFSET hits. */
    if (page > 1 && limit > 0 && page - 1 > CS_MAX_RESULT_OFFSET / limit)
        return usage_error(filter, "--page %s with --limit %ld would skip more than the %d "
                                   "hits the server skips at most: with --limit %ld, --page "
                                   "goes up to %ld", page_arg, limit, CS_MAX_RESULT_OFFSET,
                           limit, CS_MAX_RESULT_OFFSET / limit + 1);

    /* Where: the flags, else the environment, else the defaults. */
    if (unix_path && (host || port))
        return usage_error(filter, "--unix connects over a Unix socket: give it or --host/--port, "
                                   "not both");
    const char *env_host = getenv("CCGSEARCH_HOST"), *env_port = getenv("CCGSEARCH_PORT");
    if (!host)
        host = env_host && *env_host ? env_host : DEFAULT_HOST;
    if (!port && env_port && *env_port) {
        if (!valid_port(env_port))
            return usage_error(filter, "CCGSEARCH_PORT wants a number from 1 to 65535, not '%s'",
                               env_port);
        port = env_port;
    }
    if (!port)
        port = DEFAULT_PORT;

    /* Colour only for a terminal that shows it (https://no-color.org). */
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    colour = isatty(STDOUT_FILENO) && !(nc && *nc) && term && *term && strcmp(term, "dumb") != 0;

    /* The request line. */
    char *line = NULL, *query = NULL;
    if (mode != M_SEARCH) {
        if (asprintf(&line, "%s%s", get_id ? "GET " : similar_id ? "SIMILAR " : who ? "WHO " : "STATS",
                     arg ? arg : "") < 0)
            line = NULL;
    } else {
        size_t qlen = 0;
        for (int i = optind; i < argc; i++)
            qlen += strlen(argv[i]) + 1;
        query = calloc(1, qlen + 1);
        for (int i = optind; query && i < argc; i++) {
            if (i > optind)
                strcat(query, " ");
            strcat(query, argv[i]);
        }
        json_t *req = json_pack("{s:s, s:I, s:I, s:b}", "q", query ? query : "",
                                "offset", (json_int_t)((page - 1) * limit),
                                "limit", (json_int_t)limit, "snippets", snippets);
        if (json_object_size(filter))
            json_object_set(req, "filter", filter);
        if (from)
            json_object_set_new(req, "date_from", json_string(from));
        if (to)
            json_object_set_new(req, "date_to", json_string(to));
        if (sort)
            json_object_set_new(req, "sort", json_string(sort));
        if (any)
            json_object_set_new(req, "match", json_string("any"));
        if (plain)
            json_object_set_new(req, "syntax", json_string("plain"));
        if (!correct)
            json_object_set_new(req, "correct", json_false());
        json_t *fl = json_array();
        for (int f = 0; facets && f < NFACETS; f++)
            json_array_append_new(fl, json_string(facet_names[f]));
        json_object_set_new(req, "facets", fl);
        char *body = json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(req);
        if (body && asprintf(&line, "SEARCH %s", body) < 0)
            line = NULL;
        free(body);
    }
    json_decref(filter);
    if (!line) {
        fprintf(stderr, "ccg-search: out of memory\n");
        free(query);
        return EXIT_SERVER;
    }

    ccg_client *cl = NULL;
    ccg_status st = unix_path ? ccg_client_connect_unix(unix_path, timeout, &cl)
                              : ccg_client_connect(host, port, timeout, &cl);
    if (st != CCG_OK) {
        if (unix_path)
            fprintf(stderr, "ccg-search: cannot connect to %s: is ccg-searchd listening on that "
                            "socket?\n", unix_path);
        else
            connect_failed(host, port);
        free(line);
        free(query);
        return EXIT_CONNECT;
    }
    char *answer = NULL;
    st = ccg_client_request(cl, line, &answer);
    free(line);
    if (st != CCG_OK) {
        fprintf(stderr, "ccg-search: %s: %s\n", ccg_status_to_string(st),
                ccg_client_last_error(cl));
        ccg_client_close(cl);
        free(query);
        return st == CCG_ERR_IO ? EXIT_CONNECT : EXIT_SERVER;
    }
    ccg_client_close(cl);

    json_t *ans = json_loads(answer, 0, NULL);
    int status = EXIT_OK;
    /* SIMILAR has no snippets switch: --no-snippets drops them here. */
    bool edited = false;
    if (mode == M_SIMILAR && !snippets && json_is_object(ans)) {
        size_t i;
        json_t *h;
        json_array_foreach(json_object_get(ans, "hits"), i, h)
            edited |= json_object_del(h, "snippet") == 0;
    }
    if (!json_is_object(ans)) {
        fprintf(stderr, "ccg-search: the server's answer is not JSON\n");
        status = EXIT_SERVER;
    } else if (!json_is_true(json_object_get(ans, "ok"))) {
        json_t *e = json_object_get(ans, "error");
        if (json_out)
            puts(answer);
        else
            fprintf(stderr, "ccg-search: %s: %s\n", str(e, "code", "error"), str(e, "message", ""));
        status = EXIT_SERVER;
    } else if (json_out) {
        char *out = edited ? json_dumps(ans, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        puts(out ? out : answer);
        free(out);
    } else if (get_id) {
        print_document(json_object_get(ans, "document"));
    } else if (who) {
        print_who(ans);
    } else if (mode == M_STATS) {
        char *pretty = json_dumps(ans, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (pretty)
            puts(pretty);
        free(pretty);
    } else {
        print_hits(ans, facets, query);
    }
    json_decref(ans);
    ccg_free(answer);
    free_safe_copies();
    free(query);
    return status;
}
