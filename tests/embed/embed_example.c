/* A complete program embedding ccgsearch through its public client library
 * only (include/ccgsearch/client.h, linked against libccgsearch.so): the
 * way a newsroom tool would.  The integration tests build and run it.
 *
 * Usage: embed_example HOST PORT QUERY
 * Prints the total, then one line per hit: rank, id, date, title; under
 * it the hit's url, author and section, and its CCGs and tags.
 */
#include <ccgsearch/client.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    ccg_client *c = NULL;
    ccg_results *r = NULL;
    ccg_status st;

    if (argc != 4) {
        fprintf(stderr, "usage: embed_example HOST PORT QUERY\n");
        return 2;
    }
    if ((st = ccg_client_connect(argv[1], argv[2], 5000, &c)) != CCG_OK) {
        fprintf(stderr, "connect: %s\n", ccg_status_to_string(st));
        return 3;
    }
    st = ccg_client_search(c, argv[3], &r);
    if (st != CCG_OK) {
        fprintf(stderr, "search: %s: %s %s\n", ccg_status_to_string(st),
                ccg_client_error_code(c), ccg_client_last_error(c));
        ccg_client_close(c);
        return 1;
    }
    printf("total %lu\n", ccg_results_total(r));
    ccg_hit h;
    for (size_t i = 0; ccg_results_hit(r, i, &h) == CCG_OK; i++)
    {
        printf("%u %s %s %s\n", h.rank, h.id, h.date ? h.date : "-", h.title);
        static const char *const fields[] = { "url", "author", "section" };
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
            const char *v = ccg_results_hit_field(r, i, fields[f]);
            printf("  %s %s\n", fields[f], v ? v : "-");
        }
        const char *item;
        for (size_t j = 0; (item = ccg_results_hit_item(r, i, "ccg", j)); j++)
            printf("  ccg %s\n", item);
        for (size_t j = 0; (item = ccg_results_hit_item(r, i, "tags", j)); j++)
            printf("  tag %s\n", item);
    }
    ccg_facet_value v;
    for (size_t i = 0; ccg_results_facet(r, "ccg", i, &v) == CCG_OK; i++)
        printf("facet ccg %s %u\n", v.value, v.count);
    ccg_results_free(r);

    /* Pipelining through the same connection. */
    char *a = NULL, *b = NULL;
    if (ccg_client_send(c, "PING") != CCG_OK || ccg_client_send(c, "PING") != CCG_OK ||
        ccg_client_recv(c, &a) != CCG_OK || ccg_client_recv(c, &b) != CCG_OK) {
        fprintf(stderr, "pipelining failed: %s\n", ccg_client_last_error(c));
        ccg_client_close(c);
        return 1;
    }
    printf("%s %s\n", a, b);
    ccg_free(a);
    ccg_free(b);
    ccg_client_close(c);
    return 0;
}
