/* libFuzzer target: the entity extractor.  An input is an article (plain
 * text, valid UTF-8, as the indexer reads one; a JSON record when it starts
 * with '{'), parsed and then run through every pass of cs_extract(), its
 * entities written as the indexer's --extract writes them. */
#include "fuzz.h"

#include "entities/extract.h"
#include "text/analyze.h"
#include "text/article.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    cs_article a;
    bool ok;
    if (size > 0 && s[0] == '{') {
        ok = cs_article_from_json(s, size, &a, NULL);
    } else {
        if (!cs_utf8_valid(s, size))
            return -1;
        ok = cs_article_from_text("fuzz", s, size, &a, NULL);
    }
    if (!ok)
        return 0;
    cs_entities e = { 0 };
    if (cs_extract(&a, &e)) {
        json_decref(cs_entities_json(&e));
        json_decref(cs_entities_relations_json(&e));
    }
    cs_entities_free(&e);
    cs_article_clear(&a);
    return 0;
}
