/* Unit tests: rec_mcapcfg, rosbag2_storage_mcap's presets and writer options YAML mapped onto
 * our writer: each preset's compression, level, chunk size and CRC choice; the YAML keys we map;
 * the no* switches accepted as false and refused as true; unknown keys refused by name; a bad
 * file changes nothing. */
#include "recorder/rec_mcapcfg.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_presets(void **st) {
    (void)st;
    mcap_writer_options mo;
    char err[512];
    mcap_writer_options_default(&mo);
    assert_int_equal(rec_mcapcfg_preset("none", &mo, err, sizeof err), 0);
    assert_int_equal(mo.compression, MCAP_COMPRESSION_NONE);
    assert_int_equal(mo.chunk_crc, 1);
    assert_int_equal(rec_mcapcfg_preset("fastwrite", &mo, err, sizeof err), 0);
    assert_int_equal(mo.compression, MCAP_COMPRESSION_NONE);
    assert_int_equal(mo.chunk_crc, 0);
    mcap_writer_options_default(&mo);
    assert_int_equal(rec_mcapcfg_preset("zstd_fast", &mo, err, sizeof err), 0);
    assert_int_equal(mo.compression, MCAP_COMPRESSION_ZSTD);
    assert_int_equal(mo.compression_level, 1);
    assert_int_equal(mo.chunk_crc, 0);
    mcap_writer_options_default(&mo);
    assert_int_equal(rec_mcapcfg_preset("zstd_small", &mo, err, sizeof err), 0);
    assert_int_equal(mo.compression, MCAP_COMPRESSION_ZSTD);
    assert_int_equal(mo.compression_level, REC_MCAPCFG_ZSTD_SLOWEST);
    assert_true(mo.chunk_size == 4u << 20);
    assert_int_equal(mo.chunk_crc, 1);
    assert_int_equal(rec_mcapcfg_preset("tiny", &mo, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "tiny"));
}

static int parse(const char *text, mcap_writer_options *mo, char *err, size_t errlen) {
    return rec_mcapcfg_parse("w.yaml", text, strlen(text), mo, err, errlen);
}

static void test_yaml(void **st) {
    (void)st;
    mcap_writer_options mo;
    char err[512];
    mcap_writer_options_default(&mo);
    assert_int_equal(parse("noCRC: true\nnoChunking: false\nnoMessageIndex: false\nnoSummary: false\n"
                           "chunkSize: 65536\ncompression: \"Zstd\"\ncompressionLevel: \"Slowest\"\n"
                           "forceCompression: true\n",
                           &mo, err, sizeof err),
                     0);
    assert_int_equal(mo.chunk_crc, 0);
    assert_true(mo.chunk_size == 65536);
    assert_int_equal(mo.compression, MCAP_COMPRESSION_ZSTD);
    assert_int_equal(mo.compression_level, REC_MCAPCFG_ZSTD_SLOWEST);
    mcap_writer_options before = mo;
    assert_int_equal(parse("compression: Lz4\nnoChunking: true\n", &mo, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "w.yaml: noChunking: recguard always writes chunks"));
    assert_memory_equal(&mo, &before, sizeof mo); /* all or nothing */
    assert_int_equal(parse("noSummary: true\n", &mo, err, sizeof err), -EINVAL);
    assert_int_equal(parse("chunkSize: 12\n", &mo, err, sizeof err), -EINVAL);
    assert_int_equal(parse("compression: Brotli\n", &mo, err, sizeof err), -EINVAL);
    assert_int_equal(parse("compressionLevel: Quick\n", &mo, err, sizeof err), -EINVAL);
    assert_int_equal(parse("frobnicate: 1\n", &mo, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "frobnicate: unknown key"));
    assert_int_equal(parse("- a\n", &mo, err, sizeof err), -EINVAL);
    assert_int_equal(parse("", &mo, err, sizeof err), 0);
    assert_int_equal(rec_mcapcfg_load("/nonexistent/w.yaml", &mo, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/w.yaml"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
