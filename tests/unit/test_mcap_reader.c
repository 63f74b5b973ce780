/* Unit tests for mcap_reader: record parsers reject short bodies, the cursor rejects lengths
 * past the end, decompression enforces exact size, limits and CRCs, the real rosbag2 files
 * iterate to their statistics' counts, and thousands of mutated files never crash the reader,
 * the iterator, doctor or recover (run under ASan/UBSan in the sanitizer build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rg_test.h"

#include "mcap/mcap_doctor.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"
#include "mcap/mcap_recover.h"
#include "mcap/mcap_writer.h"

#include <errno.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

static char err[512];

static void test_parsers_reject_short(void **state) {
    (void)state;
    uint8_t body[64];
    memset(body, 0, sizeof body);
    /* A string length that claims more than is there. */
    body[0] = 0xff;
    body[1] = 0xff;
    mcap_header h;
    assert_int_equal(mcap_parse_header((mcap_bytes){body, 8}, &h), -EBADMSG);
    memset(body, 0, sizeof body);
    assert_int_equal(mcap_parse_header((mcap_bytes){body, 8}, &h), 0);
    assert_int_equal(mcap_parse_header((mcap_bytes){body, 7}, &h), -EBADMSG);
    mcap_message m;
    assert_int_equal(mcap_parse_message((mcap_bytes){body, 21}, &m), -EBADMSG);
    assert_int_equal(mcap_parse_message((mcap_bytes){body, 22}, &m), 0);
    assert_int_equal(m.data.len, 0);
    mcap_chunk c;
    assert_int_equal(mcap_parse_chunk((mcap_bytes){body, 39}, &c), -EBADMSG);
    assert_int_equal(mcap_parse_chunk((mcap_bytes){body, 40}, &c), 0);
    /* records length field (at 32) larger than what follows */
    body[32] = 1;
    assert_int_equal(mcap_parse_chunk((mcap_bytes){body, 40}, &c), -EBADMSG);
    body[39] = 0x80; /* 2^63 + 1: no wraparound */
    assert_int_equal(mcap_parse_chunk((mcap_bytes){body, 40}, &c), -EBADMSG);
    mcap_footer f;
    assert_int_equal(mcap_parse_footer((mcap_bytes){body, 19}, &f), -EBADMSG);
    mcap_statistics st;
    assert_int_equal(mcap_parse_statistics((mcap_bytes){body, 45}, &st), -EBADMSG);
    /* Maps: a truncated entry is an error, not an endless loop. */
    uint8_t map[] = {3, 0, 0, 0, 'a', 'b', 'c', 9, 0, 0, 0, 'x'};
    mcap_bytes rest = {map, sizeof map}, k, v;
    assert_int_equal(mcap_map_next_str(&rest, &k, &v), -EBADMSG);
    rest = (mcap_bytes){map, 0};
    assert_int_equal(mcap_map_next_str(&rest, &k, &v), 0);
    uint16_t ck;
    uint64_t cv;
    rest = (mcap_bytes){map, 9};
    assert_int_equal(mcap_map_next_u16u64(&rest, &ck, &cv), -EBADMSG);
}

static void test_cursor_bounds(void **state) {
    (void)state;
    uint8_t b[32] = {MCAP_OP_MESSAGE, 5, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, MCAP_OP_SCHEMA, 0xff, 0xff, 0xff, 0xff,
                     0xff, 0xff, 0xff, 0xff};
    mcap_cursor c;
    mcap_record r;
    mcap_cursor_init(&c, b, 23, 100);
    assert_int_equal(mcap_cursor_next(&c, &r), 1);
    assert_int_equal(r.op, MCAP_OP_MESSAGE);
    assert_int_equal(r.offset, 100);
    assert_int_equal(r.body.len, 5);
    assert_int_equal(mcap_cursor_next(&c, &r), -EBADMSG); /* 2^64-1 long */
    assert_int_equal(c.pos, 14);                         /* stays at the bad record */
    mcap_cursor_init(&c, b, 13, 0);
    assert_int_equal(mcap_cursor_next(&c, &r), -EBADMSG); /* body cut */
    mcap_cursor_init(&c, b, 5, 0);
    assert_int_equal(mcap_cursor_next(&c, &r), -EBADMSG); /* header cut */
    mcap_cursor_init(&c, b, 0, 0);
    assert_int_equal(mcap_cursor_next(&c, &r), 0);
}

static void test_decompress(void **state) {
    (void)state;
    uint8_t src[5000], z[8000];
    for (size_t i = 0; i < sizeof src; i++) src[i] = (uint8_t)(i % 17);
    uint8_t *buf = NULL;
    size_t cap = 0;
    mcap_bytes out;
    /* zstd: right size works, wrong size and garbage fail, limit is enforced before allocating. */
    size_t zn = ZSTD_compress(z, sizeof z, src, sizeof src, 1);
    mcap_chunk c = {.uncompressed_size = sizeof src, .compression = {(const uint8_t *)"zstd", 4}, .records = {z, zn}};
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), 0);
    assert_memory_equal(out.p, src, sizeof src);
    c.uncompressed_size = sizeof src - 1;
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), -EBADMSG);
    c.uncompressed_size = 1ULL << 40;
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), -EFBIG);
    c.uncompressed_size = sizeof src;
    c.records.len = zn / 2;
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), -EBADMSG);
    /* lz4 frame */
    size_t ln = LZ4F_compressFrame(z, sizeof z, src, sizeof src, NULL);
    c = (mcap_chunk){.uncompressed_size = sizeof src, .compression = {(const uint8_t *)"lz4", 3}, .records = {z, ln}};
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), 0);
    assert_memory_equal(out.p, src, sizeof src);
    c.uncompressed_size = sizeof src + 1;
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), -EBADMSG);
    c.uncompressed_size = sizeof src - 1;
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), -EBADMSG);
    c.uncompressed_size = sizeof src;
    c.records.len = ln - 3;
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), -EBADMSG);
    /* CRC is checked when asked. */
    c = (mcap_chunk){.uncompressed_size = sizeof src, .uncompressed_crc = 1234, .records = {src, sizeof src}};
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 0, &buf, &cap, &out, err, sizeof err), 0);
    assert_ptr_equal(out.p, src); /* uncompressed: no copy */
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), -EBADMSG);
    assert_non_null(strstr(err, "CRC"));
    c.compression = (mcap_bytes){(const uint8_t *)"bz2", 3};
    assert_int_equal(mcap_chunk_decompress(&c, 1 << 20, 1, &buf, &cap, &out, err, sizeof err), -ENOTSUP);
    free(buf);
}

static void test_fixtures_iterate(void **state) {
    (void)state;
    const char *fx = getenv("RG_FIXTURES");
    if (!fx) skip();
    const char *files[] = {"talker/talker.mcap", "wbag/wbag_2.mcap", "cdr_test/cdr_test_0.mcap",
                           "multiple_files/multiple_files_0.mcap", "only_topics.mcap"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", fx, files[i]);
        mcap_reader r;
        assert_int_equal(mcap_reader_open_file(&r, path, err, sizeof err), 0);
        assert_true(mcap_bytes_eq(r.header.profile, "ros2"));
        assert_int_equal(mcap_reader_read_summary(&r, err, sizeof err), 0);
        assert_true(r.has_statistics);
        uint64_t want = r.statistics.message_count, got = 0;
        mcap_iter it;
        mcap_record rec;
        int in_chunk, rc;
        mcap_iter_init(&it, &r);
        while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) != 0) {
            assert_true(rc > 0);
            if (rec.op != MCAP_OP_MESSAGE) continue;
            mcap_message m;
            assert_int_equal(mcap_parse_message(rec.body, &m), 0);
            const mcap_channel *c = mcap_reader_channel(&r, m.channel_id);
            assert_non_null(c);
            assert_true(mcap_bytes_eq(c->message_encoding, "cdr"));
            const mcap_schema *s = mcap_reader_schema(&r, c->schema_id);
            assert_non_null(s);
            assert_true(mcap_bytes_eq(s->encoding, "ros2msg"));
            /* CDR payloads start with an encapsulation header. */
            assert_true(m.data.len >= 4);
            assert_int_equal(m.data.p[0], 0);
            got++;
        }
        mcap_iter_free(&it);
        assert_int_equal(got, want);
        mcap_reader_close(&r);
    }
}

/* Everything that reads a file, over one input: must not crash or leak. */
static void read_everything(const uint8_t *b, size_t n, const char *outp) {
    mcap_reader r;
    if (mcap_reader_open_mem(&r, b, n, err, sizeof err) != 0) return;
    r.max_chunk = 1 << 22;
    char serr[256];
    (void)mcap_reader_read_summary(&r, serr, sizeof serr);
    mcap_iter it;
    mcap_record rec;
    int in_chunk, rc, guard = 0;
    mcap_iter_init(&it, &r);
    while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) != 0 && guard++ < 100000) {
        mcap_message m;
        if (rc > 0 && rec.op == MCAP_OP_MESSAGE) (void)mcap_parse_message(rec.body, &m);
    }
    mcap_iter_free(&it);
    mcap_reader_close(&r);
    assert_int_equal(mcap_reader_open_mem(&r, b, n, err, sizeof err), 0);
    r.max_chunk = 1 << 22;
    mcap_doctor_report rep;
    (void)mcap_doctor(&r, 0, NULL, NULL, &rep);
    mcap_reader_close(&r);
    unlink(outp);
    mcap_recover_report rr;
    rc = mcap_recover_mem(b, n, outp, NULL, &rr, err, sizeof err);
    assert_true(rc == MCAP_RECOVER_LOSSLESS || rc == MCAP_RECOVER_LOSSY || rc == MCAP_RECOVER_NOTHING);
    unlink(outp);
}

static void test_mutations_never_crash(void **state) {
    (void)state;
    /* tmpfs when there is one: recover fsyncs every output, and this loop makes thousands. */
    char dir[64];
    snprintf(dir, sizeof dir, "%s/test_mcap_reader.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    assert_non_null(mkdtemp(dir));
    char path[128], outp[128];
    snprintf(path, sizeof path, "%s/seed.mcap", dir);
    snprintf(outp, sizeof outp, "%s/out.mcap", dir);
    static const mcap_compression comps[] = {MCAP_COMPRESSION_NONE, MCAP_COMPRESSION_LZ4, MCAP_COMPRESSION_ZSTD};
    srand(12345);
    for (size_t ci = 0; ci < 3; ci++) {
        unlink(path);
        mcap_writer_options o;
        mcap_writer_options_default(&o);
        o.compression = comps[ci];
        o.chunk_size = 300;
        mcap_writer *w;
        assert_int_equal(mcap_writer_open(&w, path, &o, err, sizeof err), 0);
        uint16_t s, ch;
        assert_int_equal(mcap_writer_add_schema(w, "a/msg/B", "ros2msg", "int32 x\n", 8, &s), 0);
        const char *k[] = {"q"}, *v[] = {"r"};
        assert_int_equal(mcap_writer_add_channel(w, s, "/t", "cdr", k, v, 1, &ch), 0);
        assert_int_equal(mcap_writer_add_metadata(w, "m", k, v, 1), 0);
        uint8_t pl[40] = {0, 1, 0, 0};
        for (uint32_t i = 0; i < 30; i++) assert_int_equal(mcap_writer_write(w, ch, i, i, i, pl, 8 + i, 0), 0);
        assert_int_equal(mcap_writer_close(w), 0);
        FILE *f = fopen(path, "rb");
        uint8_t seed[8192];
        size_t n = fread(seed, 1, sizeof seed, f);
        fclose(f);
        assert_true(n > 500 && n < sizeof seed);
        uint8_t mut[8192];
        for (int iter = 0; iter < 700; iter++) {
            memcpy(mut, seed, n);
            size_t m = n;
            int edits = 1 + rand() % 4;
            for (int e = 0; e < edits; e++) {
                size_t at = (size_t)rand() % m;
                switch (rand() % 4) {
                case 0: mut[at] ^= (uint8_t)(1u << (rand() % 8)); break;
                case 1: mut[at] = (uint8_t)rand(); break;
                case 2: m = at + 1; break; /* truncate */
                default: /* a length field's high byte: huge lengths */
                    mut[at] = 0xff;
                    break;
                }
            }
            read_everything(mut, m, outp);
        }
    }
    assert_int_equal(rg_test_rmtree(dir), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parsers_reject_short),
        cmocka_unit_test(test_cursor_bounds),
        cmocka_unit_test(test_decompress),
        cmocka_unit_test(test_fixtures_iterate),
        cmocka_unit_test(test_mutations_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
