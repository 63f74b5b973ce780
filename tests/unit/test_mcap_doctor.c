/* Unit tests for mcap_doctor: a file from our writer is clean, each kind of damage is named
 * (with the offset it is at), and rosbag2's own files are clean. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rg_test.h"

#include "mcap/mcap_crc.h"
#include "mcap/mcap_doctor.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"
#include "mcap/mcap_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char err[512];
static uint8_t *good;     /* the sample file's bytes */
static size_t good_len;   /* its size */

typedef struct found {
    char names[64][40];   /* defect names in report order */
    uint64_t offsets[64]; /* their offsets */
    int n;                /* defects reported */
    char notes[16][40];   /* note names in report order */
    int nnotes;           /* notes reported */
} found;

static void collect(void *ctx, const mcap_defect *d) {
    found *f = ctx;
    if (d->note) {
        if (f->nnotes < 16) snprintf(f->notes[f->nnotes], sizeof f->notes[0], "%s", d->name);
        f->nnotes++;
        return;
    }
    if (f->n < 64) {
        snprintf(f->names[f->n], sizeof f->names[0], "%s", d->name);
        f->offsets[f->n] = d->offset;
    }
    f->n++;
}

static int has(const found *f, const char *name) {
    for (int i = 0; i < f->n && i < 64; i++)
        if (!strcmp(f->names[i], name)) return 1;
    return 0;
}

static int has_note(const found *f, const char *name) {
    for (int i = 0; i < f->nnotes && i < 16; i++)
        if (!strcmp(f->notes[i], name)) return 1;
    return 0;
}

static found doctor_mem(const uint8_t *b, size_t n) {
    found f = {0};
    mcap_reader r;
    assert_int_equal(mcap_reader_open_mem(&r, b, n, err, sizeof err), 0);
    mcap_doctor_report rep;
    int rc = mcap_doctor(&r, 0, collect, &f, &rep);
    assert_int_equal(rc, f.n);
    mcap_reader_close(&r);
    return f;
}

static int setup(void **state) {
    (void)state;
    /* tmpfs when there is one: these tests fsync thousands of small files. */
    snprintf(dir, sizeof dir, "%s/test_mcap_doctor.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/s.mcap", dir);
    mcap_writer_options o;
    mcap_writer_options_default(&o);
    o.chunk_size = 4096;
    mcap_writer *w;
    assert_int_equal(mcap_writer_open(&w, path, &o, err, sizeof err), 0);
    uint16_t s, c1, c2;
    assert_int_equal(mcap_writer_add_schema(w, "std_msgs/msg/String", "ros2msg", "string data\n", 12, &s), 0);
    assert_int_equal(mcap_writer_add_channel(w, s, "/a", "cdr", NULL, NULL, 0, &c1), 0);
    assert_int_equal(mcap_writer_add_channel(w, s, "/b", "cdr", NULL, NULL, 0, &c2), 0);
    const char *k[] = {"/a"}, *v[] = {"1"};
    assert_int_equal(mcap_writer_add_metadata(w, "recguard_drops", k, v, 1), 0);
    uint8_t buf[100] = {0};
    for (uint32_t i = 0; i < 200; i++)
        assert_int_equal(mcap_writer_write(w, i % 2 ? c1 : c2, i, 10 + i, 10 + i, buf, 100, 0), 0);
    assert_int_equal(mcap_writer_close(w), 0);
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    good_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    good = malloc(good_len);
    assert_int_equal(fread(good, 1, good_len, f), good_len);
    fclose(f);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(good);
    assert_int_equal(rg_test_rmtree(dir), 0);
    return 0;
}

/* Offset of the nth (0-based) top-level record with opcode op, or of the nth in the summary. */
static uint64_t find_op(uint8_t op, int nth, int in_summary) {
    mcap_reader r;
    assert_int_equal(mcap_reader_open_mem(&r, good, good_len, err, sizeof err), 0);
    assert_int_equal(mcap_reader_read_summary(&r, err, sizeof err), 0);
    uint64_t from = in_summary ? r.footer.summary_start : r.data_start;
    mcap_cursor c;
    mcap_record rec;
    mcap_cursor_init(&c, good + from, good_len - from, from);
    uint64_t at = 0;
    while (mcap_cursor_next(&c, &rec) == 1)
        if (rec.op == op && nth-- == 0) {
            at = rec.offset;
            break;
        }
    mcap_reader_close(&r);
    assert_true(at > 0);
    return at;
}

static void test_clean(void **state) {
    (void)state;
    found f = doctor_mem(good, good_len);
    assert_int_equal(f.n, 0);
}

static void test_truncated(void **state) {
    (void)state;
    uint64_t chunk = find_op(MCAP_OP_CHUNK, 3, 0);
    found f = doctor_mem(good, (size_t)chunk + 50);
    assert_true(has(&f, "truncated"));
    assert_true(has(&f, "missing-footer"));
    assert_int_equal(f.offsets[0], chunk);
    /* Cut exactly between records: no DataEnd. */
    f = doctor_mem(good, (size_t)chunk);
    assert_true(has(&f, "missing-data-end"));
}

static void test_chunk_crc(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t chunk = find_op(MCAP_OP_CHUNK, 2, 0);
    b[chunk + 200] ^= 1; /* inside its (uncompressed) records */
    found f = doctor_mem(b, good_len);
    assert_true(has(&f, "chunk-bad-crc"));
    assert_true(has(&f, "bad-data-crc"));
    assert_int_equal(f.offsets[0], chunk);
    free(b);
}

static void test_summary_crc_and_statistics(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t st = find_op(MCAP_OP_STATISTICS, 0, 1);
    b[st + MCAP_RECORD_HDR] ^= 1; /* message_count low byte */
    found f = doctor_mem(b, good_len);
    assert_true(has(&f, "bad-summary-crc"));
    assert_true(has(&f, "statistics-mismatch"));
    free(b);
}

static void test_data_crc(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t sch = find_op(MCAP_OP_SCHEMA, 0, 0);
    /* The last byte of the schema text: the data CRC changes and the summary's copy of the
     * schema no longer matches; nothing else is affected. */
    uint64_t len = 0;
    for (int i = 0; i < 8; i++) len |= (uint64_t)b[sch + 1 + i] << (8 * i);
    b[sch + MCAP_RECORD_HDR + len - 1] ^= 0x20;
    found f = doctor_mem(b, good_len);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.names[0], "bad-data-crc");
    assert_string_equal(f.names[1], "schema-conflict");
    free(b);
}

static void test_message_index(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t mi = find_op(MCAP_OP_MESSAGE_INDEX, 1, 0);
    /* First entry's offset (after opcode, length, channel id, array length, log time). */
    b[mi + MCAP_RECORD_HDR + 2 + 4 + 8] ^= 3;
    found f = doctor_mem(b, good_len);
    assert_true(has(&f, "message-index-bad-entry"));
    free(b);
}

static void test_chunk_index(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t ci = find_op(MCAP_OP_CHUNK_INDEX, 1, 1);
    b[ci + MCAP_RECORD_HDR + 16] ^= 1; /* chunk_start_offset */
    found f = doctor_mem(b, good_len);
    assert_true(has(&f, "chunk-index-bad-offset"));
    assert_true(has(&f, "chunk-index-missing"));
    free(b);
}

static void test_summary_offset(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t so = find_op(MCAP_OP_SUMMARY_OFFSET, 0, 1);
    b[so + MCAP_RECORD_HDR + 1 + 8] ^= 1; /* group_length */
    found f = doctor_mem(b, good_len);
    assert_true(has(&f, "summary-offset-mismatch"));
    free(b);
}

static void test_garbage_and_magic(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t chunk = find_op(MCAP_OP_CHUNK, 1, 0);
    b[chunk] = 0x00; /* not an opcode */
    found f = doctor_mem(b, good_len);
    assert_true(has(&f, "garbage"));
    memcpy(b, good, good_len);
    b[good_len - 1] ^= 1;
    f = doctor_mem(b, good_len);
    assert_true(has(&f, "missing-footer"));
    memcpy(b, good, good_len);
    b[0] = 'X';
    mcap_reader r;
    assert_int_equal(mcap_reader_open_mem(&r, b, good_len, err, sizeof err), -EBADMSG);
    assert_non_null(strstr(err, "magic"));
    free(b);
}

static void test_unknown_channel(void **state) {
    (void)state;
    /* A hand-built file: magic, header, a message on channel 7 never defined, magic. */
    uint8_t b[128];
    size_t n = 0;
    memcpy(b, MCAP_MAGIC, 8);
    n = 8;
    uint8_t hdr[] = {MCAP_OP_HEADER, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(b + n, hdr, sizeof hdr);
    n += sizeof hdr;
    uint8_t msg[9 + 22] = {MCAP_OP_MESSAGE, 22, 0, 0, 0, 0, 0, 0, 0, 7, 0};
    memcpy(b + n, msg, sizeof msg);
    n += sizeof msg;
    uint8_t de[13] = {MCAP_OP_DATA_END, 4};
    uint32_t crc = mcap_crc32(0, b, n);
    memcpy(de + 9, &crc, 4);
    memcpy(b + n, de, sizeof de);
    n += sizeof de;
    uint8_t ft[29] = {MCAP_OP_FOOTER, 20};
    memcpy(b + n, ft, sizeof ft);
    n += sizeof ft;
    memcpy(b + n, MCAP_MAGIC, 8);
    n += 8;
    found f = doctor_mem(b, n);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.names[0], "message-unknown-channel");
    assert_int_equal(f.offsets[0], 8 + sizeof hdr);
    assert_true(has_note(&f, "no-summary")); /* valid, but readers must scan */
}

/* A DataEnd whose length runs into the summary: the CRC still matches and the summary still
 * starts where the Footer says, but every reader that honours the length fails. */
static void test_data_end_length(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t de = find_op(MCAP_OP_DATA_END, 0, 0);
    b[de + 1] = MCAP_DATA_END_LEN + 13;
    found f = doctor_mem(b, good_len);
    assert_true(has(&f, "data-end-bad-length"));
    free(b);
}

/* An attachment and its index from our writer are clean; an index pointing elsewhere is not. */
static void test_attachment_index(void **state) {
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/att.mcap", dir);
    mcap_writer_options o;
    mcap_writer_options_default(&o);
    mcap_writer *w;
    assert_int_equal(mcap_writer_open(&w, path, &o, err, sizeof err), 0);
    assert_int_equal(mcap_writer_add_attachment(w, "a.bin", "application/octet-stream", 1, 2, "xyz", 3), 0);
    assert_int_equal(mcap_writer_close(w), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t b[4096];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    found ok = doctor_mem(b, n);
    assert_int_equal(ok.n, 0);
    mcap_reader r;
    assert_int_equal(mcap_reader_open_mem(&r, b, n, err, sizeof err), 0);
    assert_int_equal(mcap_reader_read_summary(&r, err, sizeof err), 0);
    mcap_cursor c;
    mcap_record rec;
    uint64_t ai = 0;
    mcap_cursor_init(&c, b + r.footer.summary_start, n - r.footer.summary_start, r.footer.summary_start);
    while (mcap_cursor_next(&c, &rec) == 1)
        if (rec.op == MCAP_OP_ATTACHMENT_INDEX) ai = rec.offset;
    mcap_reader_close(&r);
    assert_true(ai > 0);
    b[ai + MCAP_RECORD_HDR] ^= 1; /* its offset */
    /* The summary CRC covers the index: recompute it so only the offset is wrong. */
    uint64_t foot = n - MCAP_TAIL_LEN;
    uint64_t ss;
    memcpy(&ss, b + foot + MCAP_RECORD_HDR, 8);
    uint32_t crc = mcap_crc32(0, b + ss, (size_t)(foot + MCAP_RECORD_HDR + 16 - ss));
    memcpy(b + foot + MCAP_RECORD_HDR + 16, &crc, 4);
    found bad = doctor_mem(b, n);
    assert_true(has(&bad, "attachment-index-mismatch"));
}

/* No data-section CRC (0: not computed) is allowed: a note, no defect. */
static void test_no_data_crc_is_a_note(void **state) {
    (void)state;
    uint8_t *b = malloc(good_len);
    memcpy(b, good, good_len);
    uint64_t de = find_op(MCAP_OP_DATA_END, 0, 0);
    memset(b + de + MCAP_RECORD_HDR, 0, 4);
    found f = doctor_mem(b, good_len);
    assert_int_equal(f.n, 0);
    assert_true(has_note(&f, "no-data-crc"));
    free(b);
}

static void test_fixtures_clean(void **state) {
    (void)state;
    const char *fx = getenv("RG_FIXTURES");
    if (!fx) skip();
    const char *files[] = {"talker/talker.mcap", "wbag/wbag_0.mcap", "wbag/wbag_1.mcap",
                           "wbag/wbag_2.mcap", "wbag/wbag_3.mcap", "wbag/wbag_4.mcap",
                           "cdr_test/cdr_test_0.mcap", "multiple_files/multiple_files_0.mcap",
                           "multiple_files/multiple_files_1.mcap",
                           "multiple_files/multiple_files_2.mcap", "only_topics.mcap"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char in[512];
        snprintf(in, sizeof in, "%s/%s", fx, files[i]);
        mcap_reader r;
        assert_int_equal(mcap_reader_open_file(&r, in, err, sizeof err), 0);
        found f = {0};
        mcap_doctor_report rep;
        int rc = mcap_doctor(&r, 0, collect, &f, &rep);
        if (rc) fprintf(stderr, "%s: %s\n", files[i], f.names[0]);
        assert_int_equal(rc, 0);
        assert_true(rep.messages > 0);
        assert_true(rep.has_summary);
        mcap_reader_close(&r);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_chunk_crc),
        cmocka_unit_test(test_summary_crc_and_statistics),
        cmocka_unit_test(test_data_crc),
        cmocka_unit_test(test_message_index),
        cmocka_unit_test(test_chunk_index),
        cmocka_unit_test(test_summary_offset),
        cmocka_unit_test(test_garbage_and_magic),
        cmocka_unit_test(test_unknown_channel),
        cmocka_unit_test(test_data_end_length),
        cmocka_unit_test(test_attachment_index),
        cmocka_unit_test(test_no_data_crc_is_a_note),
        cmocka_unit_test(test_fixtures_clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
