/* Speed of the entity extractor alone, on one core: parse the given JSON
 * Lines files into articles (not timed), then run cs_extract() over all
 * of them repeatedly for at least a second and report MB/s of body text.
 *
 * Usage: extract_speed FILE.jsonl...
 */
#include "text/article.h"
#include "entities/entities.h"
#include "entities/extract.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Measure for at least this long. */
#define MIN_SECONDS 1.0

int main(int argc, char **argv)
{
    cs_article *arts = NULL;
    size_t n = 0, cap = 0;
    unsigned long long bytes = 0;

    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        char *line = NULL;
        size_t lcap = 0;
        ssize_t len;
        while ((len = getline(&line, &lcap, f)) > 0) {
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                arts = realloc(arts, cap * sizeof *arts);
                if (!arts)
                    return 1;
            }
            if (cs_article_from_json(line, (size_t)len, &arts[n], NULL)) {
                bytes += arts[n].body_len;
                n++;
            }
        }
        free(line);
        fclose(f);
    }
    if (n == 0) {
        fprintf(stderr, "usage: extract_speed FILE.jsonl...\n");
        return 2;
    }
    long long t0 = cs_now_us(), t;
    unsigned rounds = 0;
    unsigned long found = 0;
    do {
        for (size_t i = 0; i < n; i++) {
            cs_entities e = { 0 };
            if (!cs_extract(&arts[i], &e))
                return 1;
            for (int f = 0; f < CS_NFACETS; f++)
                found += e.n[f];
            cs_entities_free(&e);
        }
        rounds++;
        t = cs_now_us() - t0;
    } while (t < MIN_SECONDS * 1e6);
    double secs = (double)t / 1e6;
    printf("extractor: %zu articles, %.2f MB of text x %u rounds in %.2f s: %.1f MB/s "
           "(%lu entities per round)\n",
           n, (double)bytes / 1e6, rounds, secs, (double)bytes * rounds / 1e6 / secs,
           found / rounds);
    for (size_t i = 0; i < n; i++)
        cs_article_clear(&arts[i]);
    free(arts);
    return 0;
}
