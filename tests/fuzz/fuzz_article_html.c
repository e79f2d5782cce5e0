/* libFuzzer target: the HTML article reader.  An input is an HTML file's
 * bytes, any bytes: the indexer hands cs_article_from_html() every file
 * named .html (or whose content starts like a page) that holds no NUL
 * byte, whatever its encoding, so only inputs with a NUL are skipped. */
#include "fuzz.h"

#include "text/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size))
        return -1;
    /* An exact-size copy, so that a read past the end is caught. */
    char *text = malloc(size ? size : 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    cs_article a;
    cs_err err = { 0 };
    (void)cs_html_sniff(text, size);
    if (cs_article_from_html("fuzz", text, size, &a, &err))
        cs_article_clear(&a);
    free(text);
    return 0;
}
