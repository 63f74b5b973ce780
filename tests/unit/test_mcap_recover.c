/* Unit tests for mcap_recover: a file cut at many points recovers with the right result code
 * (lossless only once DataEnd is whole, lossy before it, nothing when a cut inside a record
 * leaves no message) and exactly the messages of the complete chunks, into a file doctor finds clean;
 * a corrupt chunk is skipped and counted (lossy); garbage tails; never overwrites; the real
 * rosbag2 fixtures recover losslessly. */
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
#include "mcap/mcap_recover.h"
#include "mcap/mcap_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char err[512];

static int setup(void **state) {
    (void)state;
    /* tmpfs when there is one: these tests fsync thousands of small files. */
    snprintf(dir, sizeof dir, "%s/test_mcap_recover.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state) {
    (void)state;
    assert_int_equal(rg_test_rmtree(dir), 0);
    return 0;
}

static uint8_t *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)len + 1);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void spit(const char *path, const uint8_t *b, size_t n) {
    unlink(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    fclose(f);
}

/* A file with schema, 2 channels, metadata, ~20 chunks of 40 messages each. */
static void write_sample(const char *path, mcap_compression comp) {
    mcap_writer_options o;
    mcap_writer_options_default(&o);
    o.compression = comp;
    o.chunk_size = 1 << 20;
    mcap_writer *w;
    assert_int_equal(mcap_writer_open(&w, path, &o, err, sizeof err), 0);
    uint16_t s, c1, c2;
    assert_int_equal(mcap_writer_add_schema(w, "std_msgs/msg/String", "ros2msg", "string data\n", 12, &s), 0);
    const char *k[] = {"offered_qos_profiles"}, *v[] = {"- depth: 5\n"};
    assert_int_equal(mcap_writer_add_channel(w, s, "/a", "cdr", k, v, 1, &c1), 0);
    assert_int_equal(mcap_writer_add_channel(w, s, "/b", "cdr", NULL, NULL, 0, &c2), 0);
    const char *mk[] = {"/a"}, *mv[] = {"3"};
    assert_int_equal(mcap_writer_add_metadata(w, "recguard_drops", mk, mv, 1), 0);
    uint8_t buf[200];
    for (uint32_t i = 0; i < 800; i++) {
        memset(buf, (int)(i & 0xff), sizeof buf);
        assert_int_equal(mcap_writer_write(w, i % 3 ? c1 : c2, i, 100 + i, 100 + i, buf, 20 + i % 150, 0), 0);
        if (i % 40 == 39) assert_int_equal(mcap_writer_flush(w), 0);
    }
    assert_int_equal(mcap_writer_close(w), 0);
}

/* Where each top-level record of a valid file is, and how many messages precede its end. */
typedef struct layout {
    uint64_t data_start;     /* first record after the header */
    uint64_t data_end;       /* DataEnd offset */
    size_t n;                /* records in the data section */
    uint64_t off[4096];      /* record start */
    uint64_t end[4096];      /* record end */
    uint8_t op[4096];        /* opcode */
    uint64_t msgs_before[4096]; /* messages in chunks that end at or before end[i] */
} layout;

static void layout_of(const char *path, layout *L) {
    mcap_reader r;
    assert_int_equal(mcap_reader_open_file(&r, path, err, sizeof err), 0);
    memset(L, 0, sizeof *L);
    L->data_start = r.data_start;
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r.data + r.data_start, r.size - r.data_start, r.data_start);
    uint64_t msgs = 0;
    uint8_t *buf = NULL;
    size_t cap = 0;
    while (mcap_cursor_next(&cur, &rec) == 1) {
        assert_true(L->n < 4096);
        if (rec.op == MCAP_OP_CHUNK) {
            mcap_chunk c;
            mcap_bytes recs;
            assert_int_equal(mcap_parse_chunk(rec.body, &c), 0);
            assert_int_equal(mcap_chunk_decompress(&c, 1 << 24, 1, &buf, &cap, &recs, err, sizeof err), 0);
            mcap_cursor in;
            mcap_record ir;
            mcap_cursor_init(&in, recs.p, recs.len, 0);
            while (mcap_cursor_next(&in, &ir) == 1) msgs += ir.op == MCAP_OP_MESSAGE;
        }
        L->off[L->n] = rec.offset;
        L->end[L->n] = rec.offset + MCAP_RECORD_HDR + rec.body.len;
        L->op[L->n] = rec.op;
        L->msgs_before[L->n] = msgs;
        L->n++;
        if (rec.op == MCAP_OP_DATA_END) {
            L->data_end = rec.offset;
            break;
        }
    }
    free(buf);
    mcap_reader_close(&r);
}

static int doctor_defects(const char *path) {
    mcap_reader r;
    assert_int_equal(mcap_reader_open_file(&r, path, err, sizeof err), 0);
    mcap_doctor_report rep;
    int n = mcap_doctor(&r, 0, NULL, NULL, &rep);
    mcap_reader_close(&r);
    return n;
}

static uint64_t count_messages(const char *path) {
    mcap_reader r;
    assert_int_equal(mcap_reader_open_file(&r, path, err, sizeof err), 0);
    mcap_iter it;
    mcap_record rec;
    int in_chunk, rc;
    uint64_t n = 0;
    mcap_iter_init(&it, &r);
    while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) != 0) {
        assert_true(rc > 0);
        n += rec.op == MCAP_OP_MESSAGE;
    }
    mcap_iter_free(&it);
    mcap_reader_close(&r);
    return n;
}

/* Expected (result, messages) for the file cut to `cut` bytes. Before DataEnd's end nothing
 * proves the data section complete: lossy, or nothing when no message or metadata survives a
 * cut inside a record (a cut at a record boundary may have lost nothing: an empty, valid output). */
static void expect_for_cut(const layout *L, uint64_t cut, int *result, uint64_t *msgs) {
    if (cut < L->data_start) {
        *result = MCAP_RECOVER_NOTHING;
        *msgs = 0;
        return;
    }
    if (cut >= L->data_end + MCAP_RECORD_HDR + MCAP_DATA_END_LEN) {
        *result = MCAP_RECOVER_LOSSLESS;
        *msgs = 800;
        return;
    }
    uint64_t done = 0;
    int inside = 0, kept_metadata = 0;
    for (size_t i = 0; i < L->n; i++) {
        if (L->end[i] <= cut) {
            done = L->msgs_before[i];
            kept_metadata |= L->op[i] == MCAP_OP_METADATA;
            continue;
        }
        inside = L->off[i] < cut;
        break;
    }
    *msgs = done;
    *result = done || kept_metadata || !inside ? MCAP_RECOVER_LOSSY : MCAP_RECOVER_NOTHING;
}

static void cut_points(mcap_compression comp) {
    char path[128], cutp[128], outp[128];
    snprintf(path, sizeof path, "%s/full.mcap", dir);
    snprintf(cutp, sizeof cutp, "%s/cut.mcap", dir);
    snprintf(outp, sizeof outp, "%s/out.mcap", dir);
    write_sample(path, comp);
    static layout L;
    layout_of(path, &L);
    assert_true(L.n > 40);
    size_t size;
    uint8_t *full = slurp(path, &size);
    /* Every record boundary, one byte either side of it, the middle of every record, a
     * stride through everything, and the whole file (summary and footer cuts included). */
    uint64_t cuts[20000];
    size_t nc = 0;
    for (size_t i = 0; i < L.n; i++) {
        cuts[nc++] = L.off[i];
        cuts[nc++] = L.off[i] + 1;
        cuts[nc++] = L.off[i] + 9;
        cuts[nc++] = (L.off[i] + L.end[i]) / 2;
        cuts[nc++] = L.end[i] - 1;
    }
    for (uint64_t c = 0; c < size && nc < 19990; c += 97) cuts[nc++] = c;
    cuts[nc++] = size - 1;
    cuts[nc++] = size;
    int seen[4] = {0};
    for (size_t i = 0; i < nc; i++) {
        uint64_t cut = cuts[i];
        if (cut > size) continue;
        spit(cutp, full, (size_t)cut);
        unlink(outp);
        int want;
        uint64_t want_msgs;
        expect_for_cut(&L, cut, &want, &want_msgs);
        mcap_recover_report rep;
        int rc = mcap_recover(cutp, outp, NULL, &rep, err, sizeof err);
        if (rc != want) fprintf(stderr, "cut %llu: result %d, expected %d (%s)\n", (unsigned long long)cut, rc, want, rep.first_loss);
        assert_int_equal(rc, want);
        seen[rc]++;
        if (rc == MCAP_RECOVER_NOTHING) {
            assert_int_equal(access(outp, F_OK), -1); /* no output left behind */
            continue;
        }
        assert_int_equal(rep.messages, want_msgs);
        assert_int_equal(count_messages(outp), want_msgs);
        assert_int_equal(doctor_defects(outp), 0);
    }
    assert_true(seen[MCAP_RECOVER_LOSSLESS] > 10);
    assert_true(seen[MCAP_RECOVER_LOSSY] > 10);
    assert_true(seen[MCAP_RECOVER_NOTHING] > 3);
    free(full);
}

static void test_cut_points_none(void **s) { (void)s; cut_points(MCAP_COMPRESSION_NONE); }
static void test_cut_points_zstd(void **s) { (void)s; cut_points(MCAP_COMPRESSION_ZSTD); }
static void test_cut_points_lz4(void **s) { (void)s; cut_points(MCAP_COMPRESSION_LZ4); }

/* One byte flipped inside the 5th chunk's records: that chunk (and only it) is lost. */
static void corrupt_chunk(mcap_compression comp) {
    char path[128], badp[128], outp[128];
    snprintf(path, sizeof path, "%s/good.mcap", dir);
    snprintf(badp, sizeof badp, "%s/bad.mcap", dir);
    snprintf(outp, sizeof outp, "%s/bad.recovered.mcap", dir);
    write_sample(path, comp);
    static layout L;
    layout_of(path, &L);
    size_t size, chunks = 0, i;
    uint8_t *b = slurp(path, &size);
    uint64_t before = 0;
    for (i = 0; i < L.n; i++) {
        if (L.op[i] != MCAP_OP_CHUNK) continue;
        if (++chunks == 5) break;
        before = L.msgs_before[i];
    }
    assert_true(i < L.n);
    uint64_t lost = L.msgs_before[i] - before;
    b[L.end[i] - 20] ^= 0x5a;
    spit(badp, b, size);
    mcap_recover_report rep;
    assert_int_equal(mcap_recover(badp, outp, NULL, &rep, err, sizeof err), MCAP_RECOVER_LOSSY);
    assert_int_equal(rep.chunks_lost, 1);
    assert_int_equal(rep.messages_lost, lost);
    assert_int_equal(rep.messages, 800 - lost);
    assert_non_null(strstr(rep.first_loss, "chunk at"));
    assert_int_equal(count_messages(outp), 800 - lost);
    assert_int_equal(doctor_defects(outp), 0);
    assert_int_equal(rep.metadata, 1);
    free(b);
}

static void test_corrupt_chunk_none(void **s) { (void)s; corrupt_chunk(MCAP_COMPRESSION_NONE); }
static void test_corrupt_chunk_zstd(void **s) { (void)s; corrupt_chunk(MCAP_COMPRESSION_ZSTD); }
static void test_corrupt_chunk_lz4(void **s) { (void)s; corrupt_chunk(MCAP_COMPRESSION_LZ4); }

/* Zeros after the last complete record (what a power loss can leave): lossy, data kept. */
static void test_zero_tail(void **state) {
    (void)state;
    char path[128], badp[128], outp[128];
    snprintf(path, sizeof path, "%s/good.mcap", dir);
    snprintf(badp, sizeof badp, "%s/zeros.mcap", dir);
    snprintf(outp, sizeof outp, "%s/zeros.out.mcap", dir);
    write_sample(path, MCAP_COMPRESSION_NONE);
    static layout L;
    layout_of(path, &L);
    size_t size;
    uint8_t *b = slurp(path, &size);
    size_t i = L.n / 2;
    uint64_t keep = L.end[i];
    memset(b + keep, 0, 4096);
    spit(badp, b, (size_t)keep + 4096);
    mcap_recover_report rep;
    assert_int_equal(mcap_recover(badp, outp, NULL, &rep, err, sizeof err), MCAP_RECOVER_LOSSY);
    assert_int_equal(rep.cut_at, keep);
    assert_int_equal(rep.messages, L.msgs_before[i]);
    assert_int_equal(doctor_defects(outp), 0);
    free(b);
}

static void test_never_overwrites(void **state) {
    (void)state;
    char path[128], outp[128];
    snprintf(path, sizeof path, "%s/in.mcap", dir);
    snprintf(outp, sizeof outp, "%s/taken.mcap", dir);
    write_sample(path, MCAP_COMPRESSION_NONE);
    spit(outp, (const uint8_t *)"mine", 4);
    mcap_recover_report rep;
    assert_int_equal(mcap_recover(path, outp, NULL, &rep, err, sizeof err), -EEXIST);
    assert_non_null(strstr(err, outp));
    struct stat st;
    assert_int_equal(stat(outp, &st), 0);
    assert_int_equal(st.st_size, 4);
    /* Nor the input itself. */
    assert_true(mcap_recover(path, path, NULL, &rep, err, sizeof err) < 0);
    assert_int_equal(doctor_defects(path), 0);
}

static void test_not_mcap(void **state) {
    (void)state;
    char path[128], outp[128];
    snprintf(path, sizeof path, "%s/text.mcap", dir);
    snprintf(outp, sizeof outp, "%s/text.out.mcap", dir);
    spit(path, (const uint8_t *)"hello, this is not an mcap file at all", 38);
    mcap_recover_report rep;
    assert_int_equal(mcap_recover(path, outp, NULL, &rep, err, sizeof err), MCAP_RECOVER_NOTHING);
    assert_non_null(strstr(err, "magic"));
    assert_int_equal(access(outp, F_OK), -1);
}

/* Append one record (opcode, u64 length, body) to b at *n. */
static void put_rec(uint8_t *b, size_t *n, uint8_t op, const void *body, size_t len) {
    uint64_t l = len;
    b[(*n)++] = op;
    memcpy(b + *n, &l, 8);
    memcpy(b + *n + 8, body, len);
    *n += 8 + len;
}

/* An unchunked file, as other writers make them: header, schema 1, channel 1, three messages
 * outside any chunk, DataEnd with the data-section CRC, a Footer without summary. Returns its
 * size; *msg2 is the offset of the second message. */
static size_t unchunked(uint8_t *b, size_t *msg2) {
    size_t n = 0;
    memcpy(b, MCAP_MAGIC, MCAP_MAGIC_LEN);
    n = MCAP_MAGIC_LEN;
    uint8_t hdr[8] = {0};
    put_rec(b, &n, MCAP_OP_HEADER, hdr, sizeof hdr);
    uint8_t sch[] = {1, 0, 3, 0, 0, 0, 'A', 'b', 'c', 1, 0, 0, 0, 'c', 2, 0, 0, 0, 4, 5};
    put_rec(b, &n, MCAP_OP_SCHEMA, sch, sizeof sch);
    uint8_t ch[] = {1, 0, 1, 0, 2, 0, 0, 0, '/', 't', 1, 0, 0, 0, 'a', 0, 0, 0, 0};
    put_rec(b, &n, MCAP_OP_CHANNEL, ch, sizeof ch);
    for (uint32_t seq = 0; seq < 3; seq++) {
        uint8_t m[22 + 3] = {1, 0};
        memcpy(m + 2, &seq, 4);
        m[6] = (uint8_t)(10 + seq);  /* log time */
        m[14] = (uint8_t)(10 + seq); /* publish time */
        m[22] = 1, m[23] = 2, m[24] = (uint8_t)seq;
        if (seq == 1) *msg2 = n;
        put_rec(b, &n, MCAP_OP_MESSAGE, m, sizeof m);
    }
    uint32_t crc = mcap_crc32(0, b, n);
    put_rec(b, &n, MCAP_OP_DATA_END, &crc, 4);
    uint8_t ft[20] = {0};
    put_rec(b, &n, MCAP_OP_FOOTER, ft, sizeof ft);
    memcpy(b + n, MCAP_MAGIC, MCAP_MAGIC_LEN);
    return n + MCAP_MAGIC_LEN;
}

/* Lossless needs proof; a data-section CRC mismatch is reported with every record it cannot
 * vouch for named, and a changed record is never passed off as intact under a fresh CRC. */
static void test_data_crc_evidence(void **state) {
    (void)state;
    char in[128], outp[128];
    snprintf(in, sizeof in, "%s/u.mcap", dir);
    snprintf(outp, sizeof outp, "%s/u.out.mcap", dir);
    uint8_t b[512];
    size_t msg2 = 0, n = unchunked(b, &msg2);
    spit(in, b, n);
    mcap_recover_report rep;
    assert_int_equal(mcap_recover(in, outp, NULL, &rep, err, sizeof err), MCAP_RECOVER_LOSSLESS);
    assert_int_equal(rep.messages, 3);
    assert_int_equal(rep.data_crc, MCAP_RECOVER_CRC_OK);
    assert_non_null(strstr(rep.proof, "data-section CRC"));

    b[msg2 + MCAP_RECORD_HDR + 2] ^= 0x40; /* the second message's sequence number */
    spit(in, b, n);
    unlink(outp);
    assert_int_equal(mcap_recover(in, outp, NULL, &rep, err, sizeof err), MCAP_RECOVER_LOSSY);
    assert_int_equal(rep.data_crc, MCAP_RECOVER_CRC_BAD);
    assert_false(rep.unproven);
    assert_int_equal(rep.unverified, 5); /* schema, channel, three messages */
    assert_non_null(strstr(rep.unverified_what, "Schema 1 at "));
    assert_non_null(strstr(rep.unverified_what, "Message (channel 1, sequence 65) at "));
    assert_non_null(strstr(rep.first_loss, "data-section CRC"));
    assert_int_equal(rep.proof[0], '\0');

    /* The same file without a data-section CRC: nothing is seen lost, nothing is proven. */
    b[msg2 + MCAP_RECORD_HDR + 2] ^= 0x40;
    size_t de = n - MCAP_TAIL_LEN - (MCAP_RECORD_HDR + MCAP_DATA_END_LEN);
    assert_int_equal(b[de], MCAP_OP_DATA_END);
    memset(b + de + MCAP_RECORD_HDR, 0, 4);
    spit(in, b, n);
    unlink(outp);
    assert_int_equal(mcap_recover(in, outp, NULL, &rep, err, sizeof err), MCAP_RECOVER_LOSSY);
    assert_true(rep.unproven);
    assert_int_equal(rep.messages, 3);

    /* Cut right after the header: not "lossless" (nothing proves nothing followed). */
    spit(in, b, MCAP_MAGIC_LEN + MCAP_RECORD_HDR + 8);
    unlink(outp);
    assert_int_equal(mcap_recover(in, outp, NULL, &rep, err, sizeof err), MCAP_RECOVER_LOSSY);
    assert_int_equal(rep.messages, 0);
    assert_non_null(strstr(rep.first_loss, "DataEnd"));
}

/* Attachments and metadata are data: carried over, and the result can still be lossless. */
static void test_attachments_carried(void **state) {
    (void)state;
    char in[128], outp[128];
    snprintf(in, sizeof in, "%s/a.mcap", dir);
    snprintf(outp, sizeof outp, "%s/a.out.mcap", dir);
    mcap_writer_options o;
    mcap_writer_options_default(&o);
    mcap_writer *w;
    assert_int_equal(mcap_writer_open(&w, in, &o, err, sizeof err), 0);
    uint16_t s, c;
    assert_int_equal(mcap_writer_add_schema(w, "T", "ros2msg", "int32 x\n", 8, &s), 0);
    assert_int_equal(mcap_writer_add_channel(w, s, "/x", "cdr", NULL, NULL, 0, &c), 0);
    assert_int_equal(mcap_writer_add_attachment(w, "calib.yaml", "text/yaml", 5, 4, "k: 1\n", 5), 0);
    assert_int_equal(mcap_writer_write(w, c, 1, 10, 10, "\0\1\0\0\7\0\0\0", 8, 0), 0);
    const char *k[] = {"a"}, *v[] = {"b"};
    assert_int_equal(mcap_writer_add_metadata(w, "m", k, v, 1), 0);
    assert_int_equal(mcap_writer_close(w), 0);
    assert_int_equal(doctor_defects(in), 0);
    mcap_recover_report rep;
    assert_int_equal(mcap_recover(in, outp, NULL, &rep, err, sizeof err), MCAP_RECOVER_LOSSLESS);
    assert_int_equal(rep.attachments, 1);
    assert_int_equal(rep.metadata, 1);
    assert_int_equal(rep.messages, 1);
    /* The copy carries the attachment whole, with a CRC that matches. */
    mcap_reader r;
    assert_int_equal(mcap_reader_open_file(&r, outp, err, sizeof err), 0);
    assert_int_equal(mcap_reader_read_summary(&r, err, sizeof err), 0);
    assert_int_equal(r.statistics.attachment_count, 1);
    mcap_iter it;
    mcap_record rec;
    int in_chunk, rc, found = 0;
    mcap_iter_init(&it, &r);
    while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) == 1) {
        mcap_attachment a;
        if (rec.op != MCAP_OP_ATTACHMENT) continue;
        assert_int_equal(mcap_parse_attachment(rec.body, &a), 0);
        assert_true(mcap_bytes_eq(a.name, "calib.yaml") && mcap_bytes_eq(a.media_type, "text/yaml"));
        assert_true(a.data.len == 5 && memcmp(a.data.p, "k: 1\n", 5) == 0);
        assert_int_equal(a.log_time, 5);
        assert_int_equal(a.create_time, 4);
        assert_int_equal(mcap_crc32(0, rec.body.p, (size_t)a.crc_len), a.crc);
        found++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(found, 1);
    mcap_iter_free(&it);
    mcap_reader_close(&r);
    assert_int_equal(doctor_defects(outp), 0);
}

/* rosbag2's own files are complete: recovery keeps every message, loses nothing. */
static void test_fixtures_lossless(void **state) {
    (void)state;
    const char *fx = getenv("RG_FIXTURES");
    if (!fx) skip();
    /* rosbag2's writer computes chunk CRCs and statistics but no data-section CRC: lossless
     * is proven by those. Two fixtures carry no CRC at all: every message is kept, but
     * nothing proves them unchanged, so the result is "unproven" (lossy), never lossless. */
    const char *files[] = {"talker/talker.mcap", "wbag/wbag_0.mcap", "wbag/wbag_4.mcap",
                           "multiple_files/multiple_files_1.mcap", "cdr_test/cdr_test_0.mcap",
                           "only_topics.mcap"};
    const size_t proven = 4;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char in[512], outp[128];
        snprintf(in, sizeof in, "%s/%s", fx, files[i]);
        snprintf(outp, sizeof outp, "%s/fx%zu.mcap", dir, i);
        mcap_reader r;
        assert_int_equal(mcap_reader_open_file(&r, in, err, sizeof err), 0);
        assert_int_equal(mcap_reader_read_summary(&r, err, sizeof err), 0);
        uint64_t want = r.statistics.message_count;
        mcap_reader_close(&r);
        mcap_recover_report rep;
        int rc = mcap_recover(in, outp, NULL, &rep, err, sizeof err);
        assert_int_equal(rc, i < proven ? MCAP_RECOVER_LOSSLESS : MCAP_RECOVER_LOSSY);
        assert_int_equal(rep.unproven, i >= proven);
        assert_int_equal(rep.messages, want);
        assert_int_equal(count_messages(outp), want);
        assert_int_equal(doctor_defects(outp), 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cut_points_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_points_zstd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_points_lz4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_chunk_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_chunk_zstd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_chunk_lz4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_overwrites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_mcap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_crc_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attachments_carried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fixtures_lossless, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
