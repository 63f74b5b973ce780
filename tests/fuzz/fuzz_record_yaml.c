/* Fuzz target: the YAML files `recguard record` reads from users — rosbag2's QoS profile
 * overrides (rdds_qos_override) and the MCAP storage config (rec_mcapcfg).
 *
 * Input: byte 0 picks the parser (even: QoS overrides, odd: storage config); the rest is the
 * file's text.
 *
 * Oracles: no crash, leak or hang; a failure leaves an error sentence naming the file and, for
 * the storage config, the writer options untouched; a parsed override has a '/'-prefixed topic
 * and policies within their enums, and applying it keeps the reader QoS's fields in range. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dds/rdds_qos_override.h"
#include "recorder/rec_mcapcfg.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char err[512] = "";
    if (data[0] % 2 == 0) {
        rdds_qos_overrides o;
        int rc = rdds_qos_override_parse(&o, "f.yaml", text, len, err, sizeof err);
        if (rc < 0) {
            CHECK(strncmp(err, "f.yaml", 6) == 0);
            CHECK(o.n == 0);
            return 0;
        }
        for (size_t i = 0; i < o.n; i++) {
            const rdds_qos_override *x = &o.v[i];
            CHECK(x->topic[0] == '/');
            CHECK(x->reliable >= -1 && x->reliable <= 1);
            CHECK(x->transient_local >= -1 && x->transient_local <= 1);
            CHECK(x->keep_all >= -1 && x->keep_all <= 1);
            CHECK(x->depth >= 0);
            rdds_reader_qos q = {.reliable = 1, .transient_local = 0, .keep_all = 1, .depth = 100};
            CHECK(rdds_qos_override_apply(&o, x->topic, &q) == 1);
            CHECK(q.depth > 0 && (q.reliable == 0 || q.reliable == 1));
        }
        rdds_qos_override_free(&o);
    } else {
        mcap_writer_options mo, before;
        mcap_writer_options_default(&mo);
        before = mo;
        int rc = rec_mcapcfg_parse("f.yaml", text, len, &mo, err, sizeof err);
        if (rc < 0) {
            CHECK(strncmp(err, "f.yaml", 6) == 0);
            CHECK(memcmp(&mo, &before, sizeof mo) == 0);
        } else {
            CHECK(mo.chunk_size >= 1024 && mo.chunk_size <= (1ull << 30));
            CHECK(mo.compression <= MCAP_COMPRESSION_ZSTD);
        }
    }
    return 0;
}
