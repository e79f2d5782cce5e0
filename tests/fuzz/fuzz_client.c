/* libFuzzer target: the client library's answer parser.  The parser sits
 * inside ccg_client_search() (lib/client/client.c), behind the socket, so
 * the target plays the server: for each input it accepts a client's
 * connection on a Unix socket, sends the input as the server's bytes and
 * closes its side, and the client searches until the connection runs dry
 * (each answer line is read, parsed and every accessor asked), as an
 * embedding program would. */
#include "fuzz.h"

#include <ccgsearch/client.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static char dir[] = "/tmp/ccg-fuzz-client-XXXXXX";
static char path[sizeof dir + 8];
static int listener = -1;

static void cleanup(void)
{
    close(listener);
    unlink(path);
    rmdir(dir);
}

static void setup(void)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/sock", dir);
    snprintf(un.sun_path, sizeof un.sun_path, "%s", path);
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&un, sizeof un) != 0 ||
        listen(listener, 4) != 0)
        abort();
    atexit(cleanup);
}

static const char *const facet_names[] = { "ccg", "role", "person", "org", "place", "nope" };

static void read_results(const ccg_results *r)
{
    (void)ccg_results_total(r);
    (void)ccg_results_corrected(r);
    (void)ccg_results_json(r);
    size_t n = ccg_results_count(r);
    ccg_hit h;
    for (size_t i = 0; i <= n; i++)
    {
        if (ccg_results_hit(r, i, &h) == CCG_OK && h.id)
            (void)strlen(h.id);
        const char *v = ccg_results_hit_field(r, i, "url");
        if (v)
            (void)strlen(v);
        for (size_t f = 0; f < sizeof facet_names / sizeof facet_names[0]; f++)
            for (size_t j = 0; (v = ccg_results_hit_item(r, i, facet_names[f], j)); j++)
                (void)strlen(v);
        for (size_t j = 0; (v = ccg_results_hit_item(r, i, "tags", j)); j++)
            (void)strlen(v);
    }
    for (size_t f = 0; f < sizeof facet_names / sizeof facet_names[0]; f++) {
        ccg_facet_value v;
        for (size_t i = 0; ccg_results_facet(r, facet_names[f], i, &v) != CCG_ERR_END; i++)
            ;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (listener < 0)
        setup();
    ccg_client *c = NULL;
    if (ccg_client_connect_unix(path, 5000, &c) != CCG_OK)
        abort();
    int s = accept(listener, NULL, NULL);
    if (s < 0)
        abort();
    /* The socket buffer holds a whole input (-max_len is far below it), so
     * this write does not wait for the client. */
    for (size_t off = 0; off < size;) {
        ssize_t w = write(s, data + off, size - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    shutdown(s, SHUT_WR);
    /* A few answers per input: the line splitting is the parser's too. */
    for (int i = 0; i < 8; i++) {
        ccg_results *r = NULL;
        ccg_status st = ccg_client_search(c, "merger", &r);
        if (st == CCG_OK)
            read_results(r);
        ccg_results_free(r);
        (void)ccg_client_last_error(c);
        (void)ccg_client_error_code(c);
        if (st == CCG_ERR_IO || st == CCG_ERR_NO_MEMORY)
            break;
    }
    ccg_client_close(c);
    close(s);
    return 0;
}
