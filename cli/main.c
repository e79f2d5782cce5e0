/* ccg-search: the command-line client.  Built on the public client library
 * (include/ccgsearch/client.h), as any newsroom tool would be. */
#define _GNU_SOURCE
#include "ccgsearch/client.h"
#include "core/limits.h"
#include "core/termsafe.h"

#include <getopt.h>
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

static bool colour;

static void usage(FILE *f)
{
    fprintf(f,
"Usage: ccg-search [options] QUERY...\n"
"       ccg-search [options] --get ID | --similar ID | --who QUESTION | --stats\n"
"\n"
"Search a running ccg-searchd and print the ranked hits (rank, title, date,\n"
"id, score and the best passage with the matches highlighted).\n"
"QUERY uses the query language of docs/query-language.md, e.g.\n"
"  ccg-search joint accountable officer\n"
"  ccg-search --ccg \"Leicester City\" --role \"clinical chair\" --facets\n"
"  ccg-search 'merger place:Essex date:2019'\n"
"\n"
"Connection:\n"
"  -H, --host HOST      server host (default " DEFAULT_HOST ")\n"
"  -p, --port PORT      server port (default " DEFAULT_PORT ")\n"
"      --unix PATH      connect over a Unix socket instead\n"
"      --timeout MS     give up after MS milliseconds (default %d)\n"
"Search:\n"
"      --ccg NAME       only articles naming this CCG (repeatable; OR-ed)\n"
"      --role ROLE      ... this role        --person NAME  ... this person\n"
"      --org NAME       ... this organisation --place NAME  ... this place\n"
"      --from DATE      published on or after DATE (YYYY-MM-DD)\n"
"      --to DATE        published on or before DATE\n"
"      --sort ORDER     relevance (default), date (newest first) or date_asc\n"
"      --any            match any of the words, not all of them\n"
"      --plain          search the words as typed: no query-language operators\n"
"  -n, --limit N        hits per page, 0.." CS_STR(CS_MAX_RESULT_LIMIT) " (default "
                         CS_STR(CS_DEFAULT_RESULT_LIMIT) ")\n"
"      --page N         which page of hits (default 1)\n"
"  -f, --facets         also show the facet counts\n"
"      --no-snippets    leave out the passages\n"
"Other requests:\n"
"      --get ID         show one stored document with its entities\n"
"      --similar ID     articles most like document ID\n"
"      --who QUESTION   who held a role where: \"accountable officer at Corby\",\n"
"                       \"clinical chair\", a person: \"Toby Sanders\", or\n"
"                       everyone named at an organisation: \"NHS Corby CCG\"\n"
"      --stats          server and index figures\n"
"Output:\n"
"      --json           print the server's JSON answer as it came\n"
"  -h, --help           this help\n"
"      --version        print the version and exit\n"
"\n"
"Matches are highlighted in colour on a terminal unless NO_COLOR is set.\n"
"Exit status: 0 success (even with no hits), 1 the server refused the\n"
"request, 2 usage error, 3 the server could not be reached.\n",
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

static void print_hits(json_t *ans, bool facets)
{
    json_t *hits = json_object_get(ans, "hits");
    json_int_t total = json_integer_value(json_object_get(ans, "total"));
    json_int_t offset = json_integer_value(json_object_get(ans, "offset"));
    size_t n = json_array_size(hits);
    if (json_object_get(ans, "total")) {
        if (n)
            printf("%lld result%s, showing %lld-%lld", (long long)total, total == 1 ? "" : "s",
                   (long long)offset + 1, (long long)offset + (long long)n);
        else
            printf("%lld result%s", (long long)total, total == 1 ? "" : "s");
        printf(" (%.1f ms)\n", (double)json_integer_value(json_object_get(ans, "took_us")) / 1000.0);
    }
    const char *corrected = str(ans, "corrected", NULL);
    if (corrected)
        printf("Did you mean: %s\n", corrected);
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

int main(int argc, char **argv)
{
    enum { O_UNIX = 256, O_TIMEOUT, O_CCG, O_ROLE, O_PERSON, O_ORG, O_PLACE, O_FROM, O_TO,
           O_SORT, O_ANY, O_PLAIN, O_PAGE, O_NOSNIP, O_GET, O_SIMILAR, O_STATS, O_JSON, O_WHO };
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' }, { "port", required_argument, NULL, 'p' },
        { "unix", required_argument, NULL, O_UNIX }, { "timeout", required_argument, NULL, O_TIMEOUT },
        { "ccg", required_argument, NULL, O_CCG }, { "role", required_argument, NULL, O_ROLE },
        { "person", required_argument, NULL, O_PERSON }, { "org", required_argument, NULL, O_ORG },
        { "place", required_argument, NULL, O_PLACE }, { "from", required_argument, NULL, O_FROM },
        { "to", required_argument, NULL, O_TO }, { "sort", required_argument, NULL, O_SORT },
        { "any", no_argument, NULL, O_ANY }, { "plain", no_argument, NULL, O_PLAIN },
        { "limit", required_argument, NULL, 'n' },
        { "page", required_argument, NULL, O_PAGE }, { "facets", no_argument, NULL, 'f' },
        { "no-snippets", no_argument, NULL, O_NOSNIP }, { "get", required_argument, NULL, O_GET },
        { "similar", required_argument, NULL, O_SIMILAR }, { "stats", no_argument, NULL, O_STATS },
        { "who", required_argument, NULL, O_WHO },
        { "json", no_argument, NULL, O_JSON }, { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    const char *host = DEFAULT_HOST, *port = DEFAULT_PORT, *unix_path = NULL;
    const char *get_id = NULL, *similar_id = NULL, *sort = NULL, *who = NULL;
    const char *from = NULL, *to = NULL;
    int timeout = DEFAULT_TIMEOUT_MS, c;
    long limit = CS_DEFAULT_RESULT_LIMIT, page = 1;
    bool json_out = false, facets = false, any = false, plain = false, snippets = true;
    bool stats = false;
    json_t *filter = json_object();

    while ((c = getopt_long(argc, argv, "H:p:n:fh", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'H': host = optarg; break;
        case 'p':
            /* Digits only, 1..65535: getaddrinfo() would take "65536" as
             * port 0 or another port, and connect somewhere unasked. */
            port = optarg;
            if (strlen(port) == 0 || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port) ||
                atol(port) < 1 || atol(port) > 65535) {
                fprintf(stderr, "ccg-search: --port wants a number from 1 to 65535, not '%s'\n",
                        optarg);
                json_decref(filter);
                return EXIT_USAGE;
            }
            break;
        case O_UNIX: unix_path = optarg; break;
        case O_TIMEOUT:
            timeout = (int)strtol(optarg, &end, 10);
            if (*end || timeout < 0) {
                fprintf(stderr, "ccg-search: --timeout wants milliseconds\n");
                json_decref(filter);
                return EXIT_USAGE;
            }
            break;
        case O_CCG: case O_ROLE: case O_PERSON: case O_ORG: case O_PLACE: {
            const char *name = facet_names[c - O_CCG];
            json_t *a = json_object_get(filter, name);
            if (!a) {
                a = json_array();
                json_object_set_new(filter, name, a);
            }
            json_array_append_new(a, json_string(optarg));
            break;
        }
        case O_FROM: from = optarg; break;
        case O_TO: to = optarg; break;
        case O_SORT: sort = optarg; break;
        case O_ANY: any = true; break;
        case O_PLAIN: plain = true; break;
        case 'n':
            limit = strtol(optarg, &end, 10);
            if (end == optarg || *end || limit < 0 || limit > CS_MAX_RESULT_LIMIT) {
                fprintf(stderr, "ccg-search: --limit wants a number from 0 to %d\n",
                        CS_MAX_RESULT_LIMIT);
                json_decref(filter);
                return EXIT_USAGE;
            }
            break;
        case O_PAGE:
            page = strtol(optarg, &end, 10);
            if (end == optarg || *end || page < 1) {
                fprintf(stderr, "ccg-search: --page wants a number from 1\n");
                json_decref(filter);
                return EXIT_USAGE;
            }
            break;
        case 'f': facets = true; break;
        case O_NOSNIP: snippets = false; break;
        case O_GET: get_id = optarg; break;
        case O_SIMILAR: similar_id = optarg; break;
        case O_STATS: stats = true; break;
        case O_WHO: who = optarg; break;
        case O_JSON: json_out = true; break;
        case 'h': usage(stdout); json_decref(filter); return EXIT_OK;
        case 'v': puts("ccg-search (ccgsearch) " CCGSEARCH_VERSION); json_decref(filter); return EXIT_OK;
        default: usage(stderr); json_decref(filter); return EXIT_USAGE;
        }
    }
    const char *nc = getenv("NO_COLOR");
    colour = isatty(STDOUT_FILENO) && !(nc && *nc);

    /* The request line. */
    char *line = NULL;
    if (get_id || similar_id || stats || who) {
        if (optind < argc || (!!get_id + !!similar_id + stats + !!who) > 1) {
            fprintf(stderr, "ccg-search: --get, --similar, --who and --stats take no query\n");
            json_decref(filter);
            return EXIT_USAGE;
        }
        if (asprintf(&line, "%s%s", get_id ? "GET " : similar_id ? "SIMILAR " : who ? "WHO " : "STATS",
                     get_id ? get_id : similar_id ? similar_id : who ? who : "") < 0)
            line = NULL;
    } else {
        size_t qlen = 0;
        for (int i = optind; i < argc; i++)
            qlen += strlen(argv[i]) + 1;
        char *q = calloc(1, qlen + 1);
        for (int i = optind; q && i < argc; i++) {
            if (i > optind)
                strcat(q, " ");
            strcat(q, argv[i]);
        }
        json_t *req = json_pack("{s:s, s:I, s:I, s:b}", "q", q ? q : "",
                                "offset", (json_int_t)((page - 1) * limit),
                                "limit", (json_int_t)limit, "snippets", snippets);
        free(q);
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
        return EXIT_SERVER;
    }

    ccg_client *cl = NULL;
    ccg_status st = unix_path ? ccg_client_connect_unix(unix_path, timeout, &cl)
                              : ccg_client_connect(host, port, timeout, &cl);
    if (st != CCG_OK) {
        if (unix_path)
            fprintf(stderr, "ccg-search: cannot connect to ccg-searchd at %s (is it running?)\n",
                    unix_path);
        else
            fprintf(stderr, "ccg-search: cannot connect to ccg-searchd at %s:%s "
                            "(is it running? start it with: ccg-searchd --index DIR)\n",
                    host, port);
        free(line);
        return EXIT_CONNECT;
    }
    char *answer = NULL;
    st = ccg_client_request(cl, line, &answer);
    free(line);
    if (st != CCG_OK) {
        fprintf(stderr, "ccg-search: %s: %s\n", ccg_status_to_string(st),
                ccg_client_last_error(cl));
        ccg_client_close(cl);
        return st == CCG_ERR_IO ? EXIT_CONNECT : EXIT_SERVER;
    }
    ccg_client_close(cl);

    json_t *ans = json_loads(answer, 0, NULL);
    int status = EXIT_OK;
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
        puts(answer);
    } else if (get_id) {
        print_document(json_object_get(ans, "document"));
    } else if (who) {
        print_who(ans);
    } else if (stats) {
        char *pretty = json_dumps(ans, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (pretty)
            puts(pretty);
        free(pretty);
    } else {
        print_hits(ans, facets);
    }
    json_decref(ans);
    ccg_free(answer);
    free_safe_copies();
    return status;
}
