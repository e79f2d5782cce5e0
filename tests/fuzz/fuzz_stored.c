/* libFuzzer target: the stored-document reader.  An input is the data of a
 * document slot as the index holds it, read by cs_doc_read() (its own
 * reader of the indexer's shape, jansson for anything else) and by
 * cs_doc_read_json() (jansson alone): both must accept the same inputs and
 * agree on every field, so the hand-written reader can never read a
 * document otherwise than jansson would. */
#include "fuzz.h"

#include "serve/stored.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_doc a, b;
    bool ok_a = cs_doc_read((const char *)data, size, &a);
    bool ok_b = cs_doc_read_json((const char *)data, size, &b);
    if (ok_a != ok_b || (ok_a && !cs_doc_equal(&a, &b)))
        abort();
    cs_doc_free(&a);
    cs_doc_free(&b);
    return 0;
}
