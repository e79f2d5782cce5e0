/* libFuzzer target: the plain-text article parser.  An input is an article
 * file's bytes; the indexer hands cs_article_from_text() only valid UTF-8
 * (it reports other files), so only such inputs are read. */
#include "fuzz.h"

#include "text/analyze.h"
#include "text/article.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cs_utf8_valid((const char *)data, size))
        return -1;
    /* An exact-size copy, so that a read past the end is caught. */
    char *text = malloc(size ? size : 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    cs_article a;
    cs_err err = { 0 };
    if (cs_article_from_text("fuzz", text, size, &a, &err))
        cs_article_clear(&a);
    free(text);
    return 0;
}
