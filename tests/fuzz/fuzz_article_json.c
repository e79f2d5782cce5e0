/* libFuzzer target: the JSON Lines article parser.  An input is one record
 * line (any bytes: cs_article_from_json() checks them itself), read with
 * a fallback id as the indexer reads a JSON Lines file. */
#include "fuzz.h"

#include "text/article.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size ? size : 1);
    if (!line)
        abort();
    memcpy(line, data, size);
    cs_article a;
    cs_err err = { 0 };
    if (cs_article_from_json(line, size, &a, &err))
        cs_article_clear(&a);
    free(line);
    return 0;
}
