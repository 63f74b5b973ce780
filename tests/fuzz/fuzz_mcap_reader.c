/* Fuzz target: everything that reads untrusted MCAP bytes — header, footer and summary,
 * the linear iterator with chunk decompression, and doctor's full validation. Any crash,
 * overflow, leak or unbounded allocation is a bug. */
#include "mcap/mcap_doctor.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[256];
    mcap_reader r;
    if (mcap_reader_open_mem(&r, data, size, err, sizeof err) != 0) return 0;
    r.max_chunk = 4u << 20; /* a fuzzer input never needs more; keeps RSS bounded */
    (void)mcap_reader_read_summary(&r, err, sizeof err);
    uint32_t pos = 0;
    for (const mcap_channel *c; (c = mcap_reader_next_channel(&r, &pos));) {
        mcap_bytes m = c->metadata, k, v;
        while (mcap_map_next_str(&m, &k, &v) == 1) {}
    }
    mcap_iter it;
    mcap_record rec;
    int in_chunk, rc;
    mcap_iter_init(&it, &r);
    while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) != 0) {
        mcap_message msg;
        if (rc > 0 && rec.op == MCAP_OP_MESSAGE) (void)mcap_parse_message(rec.body, &msg);
    }
    mcap_iter_free(&it);
    mcap_reader_close(&r);

    if (mcap_reader_open_mem(&r, data, size, err, sizeof err) != 0) __builtin_trap(); /* opened once */
    r.max_chunk = 4u << 20;
    mcap_doctor_report rep;
    (void)mcap_doctor(&r, 0, NULL, NULL, &rep);
    mcap_reader_close(&r);
    return 0;
}
