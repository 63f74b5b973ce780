/* Unit tests for mcap_writer: round trip through mcap_reader for each compression, chunking
 * by size and by age with an injected clock, summary contents, O_EXCL, and ENOSPC/EIO
 * injected through rg_sys at many points leaving a valid file with every flushed message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rg_test.h"

#include "common/rg_sys.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_doctor.h"
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
static char errbuf[512];

static int setup(void **state) {
    (void)state;
    /* tmpfs when there is one: these tests fsync thousands of small files. */
    snprintf(dir, sizeof dir, "%s/test_mcap_writer.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    assert_non_null(mkdtemp(dir));
    rg_sys_reset();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    rg_sys_reset();
    assert_int_equal(rg_test_rmtree(dir), 0);
    return 0;
}

static void path_of(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

/* What a file holds, read back with the reader: summary and a full linear scan. */
typedef struct readback {
    int summary_ok;            /* summary read without error */
    uint64_t stat_messages;    /* statistics message_count */
    uint64_t stat_chunks;      /* statistics chunk_count */
    uint64_t scanned;          /* messages seen by the iterator */
    uint64_t chunks;           /* chunk records seen */
    uint64_t msg_indexes;      /* message index records seen */
    uint64_t per_chan[8];      /* scanned messages per channel id */
    uint64_t stat_chan[8];     /* statistics per-channel counts */
    int errors;                /* iterator errors */
    int payload_bad;           /* a payload differs from what make_payload gives */
    int seq_bad;               /* sequences not increasing per channel */
} readback;

static void make_payload(uint8_t *p, size_t n, uint32_t seq) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(seq * 31 + i);
}

static readback read_back(const char *path) {
    readback rb = {0};
    mcap_reader r;
    int rc = mcap_reader_open_file(&r, path, errbuf, sizeof errbuf);
    if (rc) {
        rb.errors++;
        return rb;
    }
    rb.summary_ok = mcap_reader_read_summary(&r, errbuf, sizeof errbuf) == 0;
    if (rb.summary_ok && r.has_statistics) {
        rb.stat_messages = r.statistics.message_count;
        rb.stat_chunks = r.statistics.chunk_count;
        mcap_bytes m = r.statistics.channel_counts;
        uint16_t k;
        uint64_t v;
        while (mcap_map_next_u16u64(&m, &k, &v) == 1)
            if (k < 8) rb.stat_chan[k] = v;
    }
    mcap_iter it;
    mcap_iter_init(&it, &r);
    mcap_record rec;
    int in_chunk;
    uint32_t last_seq[8];
    memset(last_seq, 0xff, sizeof last_seq);
    uint8_t expect[70000];
    while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) != 0) {
        if (rc < 0) {
            rb.errors++;
            continue;
        }
        if (rec.op == MCAP_OP_CHUNK) rb.chunks++;
        if (rec.op == MCAP_OP_MESSAGE_INDEX) rb.msg_indexes++;
        if (rec.op != MCAP_OP_MESSAGE) continue;
        mcap_message m;
        assert_int_equal(mcap_parse_message(rec.body, &m), 0);
        assert_true(m.channel_id < 8);
        rb.scanned++;
        rb.per_chan[m.channel_id]++;
        if (last_seq[m.channel_id] != UINT32_MAX && m.sequence <= last_seq[m.channel_id]) rb.seq_bad++;
        last_seq[m.channel_id] = m.sequence;
        if (m.data.len > sizeof expect) {
            rb.payload_bad++;
            continue;
        }
        make_payload(expect, (size_t)m.data.len, m.sequence);
        if (memcmp(expect, m.data.p, (size_t)m.data.len) != 0) rb.payload_bad++;
        if (m.publish_time != m.log_time + 5) rb.payload_bad++;
    }
    mcap_iter_free(&it);
    mcap_reader_close(&r);
    return rb;
}

static mcap_writer *open_writer(const char *path, mcap_compression comp, uint64_t chunk_size,
                                int64_t age_ns, uint16_t *chans) {
    mcap_writer_options o;
    mcap_writer_options_default(&o);
    o.compression = comp;
    o.chunk_size = chunk_size;
    o.max_chunk_age_ns = age_ns;
    o.library = "test";
    mcap_writer *w = NULL;
    int rc = mcap_writer_open(&w, path, &o, errbuf, sizeof errbuf);
    if (rc) return NULL;
    uint16_t sid;
    const char *text = "string data\n";
    assert_int_equal(mcap_writer_add_schema(w, "std_msgs/msg/String", "ros2msg", text, strlen(text), &sid), 0);
    const char *k[] = {"offered_qos_profiles"}, *v[] = {"- history: 3\n"};
    assert_int_equal(mcap_writer_add_channel(w, sid, "/a", "cdr", k, v, 1, &chans[0]), 0);
    assert_int_equal(mcap_writer_add_channel(w, sid, "/b", "cdr", NULL, NULL, 0, &chans[1]), 0);
    return w;
}

/* Message i: channel alternates, size cycles through small and medium. */
static int write_msg(mcap_writer *w, const uint16_t *chans, uint32_t i, int64_t now) {
    static uint8_t buf[70000];
    size_t n = (i * 37) % 700;
    make_payload(buf, n, i);
    return mcap_writer_write(w, chans[i % 2], i, 1000 + i, 1005 + i, buf, n, now);
}

static void roundtrip(mcap_compression comp) {
    char path[128];
    path_of(path, sizeof path, "rt.mcap");
    uint16_t ch[2];
    mcap_writer *w = open_writer(path, comp, 16 * 1024, 1000000000LL, ch);
    assert_non_null(w);
    const uint32_t n = 5000;
    for (uint32_t i = 0; i < n; i++) assert_int_equal(write_msg(w, ch, i, 0), 0);
    assert_int_equal(mcap_writer_message_count(w), n);
    assert_int_equal(mcap_writer_channel_count(w, ch[0]), n / 2);
    assert_int_equal(mcap_writer_start_time(w), 1000);
    assert_int_equal(mcap_writer_end_time(w), 1000 + n - 1);
    const char *mk[] = {"/a"}, *mv[] = {"0"};
    assert_int_equal(mcap_writer_add_metadata(w, "recguard_drops", mk, mv, 1), 0);
    assert_int_equal(mcap_writer_close(w), 0);

    readback rb = read_back(path);
    assert_int_equal(rb.errors, 0);
    assert_true(rb.summary_ok);
    assert_int_equal(rb.scanned, n);
    assert_int_equal(rb.stat_messages, n);
    assert_int_equal(rb.per_chan[ch[0]], n / 2);
    assert_int_equal(rb.per_chan[ch[1]], n / 2);
    assert_int_equal(rb.stat_chan[ch[0]], n / 2);
    assert_int_equal(rb.stat_chan[ch[1]], n / 2);
    assert_int_equal(rb.payload_bad, 0);
    assert_int_equal(rb.seq_bad, 0);
    /* ~1.75 MB of records in 16 KiB chunks: many chunks, two message indexes each. */
    assert_true(rb.chunks > 50);
    assert_int_equal(rb.chunks, rb.stat_chunks);
    assert_int_equal(rb.msg_indexes, 2 * rb.chunks);
}

static void test_roundtrip_none(void **s) { (void)s; roundtrip(MCAP_COMPRESSION_NONE); }

/* Whole 4 KiB blocks go O_DIRECT, a group's partial first and last blocks through the page
 * cache: after every write the file must end exactly at the last whole record group (no
 * padding a kill -9 would leave behind), and the bytes must read back intact. */
static void test_file_ends_at_pos(void **state) {
    (void)state;
    char path[128];
    path_of(path, sizeof path, "dio.mcap");
    uint16_t ch[2];
    mcap_writer *w = open_writer(path, MCAP_COMPRESSION_NONE, 16 * 1024, 1000000000LL, ch);
    assert_non_null(w);
    static uint8_t buf[70000];
    const uint32_t n = 400;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = (i * 7919u) % 60000u; /* from empty to many blocks, odd sizes */
        make_payload(buf, len, i);
        assert_int_equal(mcap_writer_write(w, ch[i % 2], i, 1000 + i, 1005 + i, buf, len, 0), 0);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal((uint64_t)st.st_size, mcap_writer_bytes(w));
    }
    assert_int_equal(mcap_writer_close(w), 0);
    readback rb = read_back(path);
    assert_int_equal(rb.errors, 0);
    assert_true(rb.summary_ok);
    assert_int_equal(rb.scanned, n);
    assert_int_equal(rb.payload_bad, 0);
    assert_true(rb.chunks > 100);
}
static void test_roundtrip_lz4(void **s) { (void)s; roundtrip(MCAP_COMPRESSION_LZ4); }
static void test_roundtrip_zstd(void **s) { (void)s; roundtrip(MCAP_COMPRESSION_ZSTD); }

static void test_summary_contents(void **state) {
    (void)state;
    char path[128];
    path_of(path, sizeof path, "sum.mcap");
    uint16_t ch[2];
    mcap_writer *w = open_writer(path, MCAP_COMPRESSION_ZSTD, 4096, 1000000000LL, ch);
    assert_non_null(w);
    for (uint32_t i = 0; i < 300; i++) assert_int_equal(write_msg(w, ch, i, 0), 0);
    assert_int_equal(mcap_writer_close(w), 0);

    mcap_reader r;
    assert_int_equal(mcap_reader_open_file(&r, path, errbuf, sizeof errbuf), 0);
    assert_true(mcap_bytes_eq(r.header.profile, "ros2"));
    assert_true(mcap_bytes_eq(r.header.library, "test"));
    assert_int_equal(mcap_reader_read_summary(&r, errbuf, sizeof errbuf), 0);
    assert_true(r.data_end_offset > 0);
    assert_true(r.has_statistics);
    assert_int_equal(r.statistics.schema_count, 1);
    assert_int_equal(r.statistics.channel_count, 2);
    assert_int_equal(r.statistics.start, 1000);
    assert_int_equal(r.statistics.end, 1299);
    const mcap_channel *c = mcap_reader_channel(&r, ch[0]);
    assert_non_null(c);
    assert_true(mcap_bytes_eq(c->topic, "/a"));
    assert_true(mcap_bytes_eq(c->message_encoding, "cdr"));
    mcap_bytes md = c->metadata, k, v;
    assert_int_equal(mcap_map_next_str(&md, &k, &v), 1);
    assert_true(mcap_bytes_eq(k, "offered_qos_profiles"));
    assert_true(mcap_bytes_eq(v, "- history: 3\n"));
    const mcap_schema *s = mcap_reader_schema(&r, c->schema_id);
    assert_non_null(s);
    assert_true(mcap_bytes_eq(s->name, "std_msgs/msg/String"));
    assert_true(mcap_bytes_eq(s->encoding, "ros2msg"));

    /* Every chunk index points at a Chunk whose message indexes point at its messages. */
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r.chunk_indexes.p, r.chunk_indexes.len, r.chunk_indexes_off);
    uint64_t nidx = 0, indexed_msgs = 0;
    uint8_t *buf = NULL;
    size_t cap = 0;
    while (mcap_cursor_next(&cur, &rec) == 1) {
        mcap_chunk_index ci;
        assert_int_equal(mcap_parse_chunk_index(rec.body, &ci), 0);
        nidx++;
        mcap_cursor cc;
        mcap_record crec;
        mcap_cursor_init(&cc, r.data + ci.chunk_offset, ci.chunk_length, ci.chunk_offset);
        assert_int_equal(mcap_cursor_next(&cc, &crec), 1);
        assert_int_equal(crec.op, MCAP_OP_CHUNK);
        assert_int_equal(MCAP_RECORD_HDR + crec.body.len, ci.chunk_length);
        mcap_chunk chunk;
        assert_int_equal(mcap_parse_chunk(crec.body, &chunk), 0);
        assert_true(mcap_bytes_eq(chunk.compression, "zstd"));
        assert_int_equal(chunk.records.len, ci.compressed_size);
        mcap_bytes recs;
        assert_int_equal(mcap_chunk_decompress(&chunk, 1 << 20, 1, &buf, &cap, &recs, errbuf, sizeof errbuf), 0);
        mcap_bytes offs = ci.index_offsets;
        uint16_t cid;
        uint64_t ioff;
        while (mcap_map_next_u16u64(&offs, &cid, &ioff) == 1) {
            mcap_cursor ic;
            mcap_record irec;
            mcap_cursor_init(&ic, r.data + ioff, r.size - ioff, ioff);
            assert_int_equal(mcap_cursor_next(&ic, &irec), 1);
            assert_int_equal(irec.op, MCAP_OP_MESSAGE_INDEX);
            mcap_message_index mi;
            assert_int_equal(mcap_parse_message_index(irec.body, &mi), 0);
            assert_int_equal(mi.channel_id, cid);
            uint64_t t, o;
            while (mcap_index_next(&mi.entries, &t, &o) == 1) {
                mcap_cursor mc;
                mcap_record mrec;
                assert_true(o < recs.len);
                mcap_cursor_init(&mc, recs.p + o, recs.len - o, o);
                assert_int_equal(mcap_cursor_next(&mc, &mrec), 1);
                mcap_message m;
                assert_int_equal(mcap_parse_message(mrec.body, &m), 0);
                assert_int_equal(m.log_time, t);
                assert_int_equal(m.channel_id, cid);
                indexed_msgs++;
            }
        }
    }
    free(buf);
    assert_int_equal(nidx, r.statistics.chunk_count);
    assert_int_equal(indexed_msgs, 300);
    mcap_reader_close(&r);
}

/* A chunk closes once its records reach chunk_size; none closes early. */
static void test_chunk_by_size(void **state) {
    (void)state;
    char path[128];
    path_of(path, sizeof path, "size.mcap");
    uint16_t ch[2];
    mcap_writer *w = open_writer(path, MCAP_COMPRESSION_NONE, 10000, INT64_MAX, ch);
    assert_non_null(w);
    uint8_t buf[969];
    memset(buf, 1, sizeof buf);
    /* Each message record is 9 + 22 + 969 = 1000 bytes: 10 make a chunk. */
    uint64_t before = mcap_writer_bytes(w);
    for (uint32_t i = 0; i < 9; i++) assert_int_equal(mcap_writer_write(w, ch[0], i, i, i, buf, sizeof buf, 0), 0);
    assert_int_equal(mcap_writer_bytes(w), before); /* still in memory */
    assert_int_equal(mcap_writer_write(w, ch[0], 9, 9, 9, buf, sizeof buf, 0), 0);
    assert_true(mcap_writer_bytes(w) > before + 10000); /* chunk written */
    for (uint32_t i = 10; i < 25; i++) assert_int_equal(mcap_writer_write(w, ch[0], i, i, i, buf, sizeof buf, 0), 0);
    assert_int_equal(mcap_writer_close(w), 0);
    readback rb = read_back(path);
    assert_int_equal(rb.errors, 0);
    assert_int_equal(rb.chunks, 3); /* 10 + 10 + 5 (closed by close) */
    assert_int_equal(rb.scanned, 25);
}

/* With an injected clock: no chunk before max age, a chunk (and fdatasync) once it passes,
 * and a chunk closed by size is also synced within the age of its first message. */
static void test_chunk_by_age(void **state) {
    (void)state;
    char path[128];
    path_of(path, sizeof path, "age.mcap");
    uint16_t ch[2];
    const int64_t age = 100 * 1000000LL;
    mcap_writer *w = open_writer(path, MCAP_COMPRESSION_LZ4, 1 << 20, age, ch);
    assert_non_null(w);
    uint64_t before = mcap_writer_bytes(w);
    int64_t t0 = 5 * 1000000000LL;
    assert_int_equal(write_msg(w, ch, 0, t0), 0);
    assert_int_equal(write_msg(w, ch, 1, t0 + age / 2), 0);
    assert_int_equal(mcap_writer_tick(w, t0 + age - 1), 0);
    assert_int_equal(mcap_writer_bytes(w), before);
    assert_int_equal(mcap_writer_tick(w, t0 + age), 0);
    uint64_t after = mcap_writer_bytes(w);
    assert_true(after > before);
    /* Nothing new: further ticks write nothing. */
    assert_int_equal(mcap_writer_tick(w, t0 + 10 * age), 0);
    assert_int_equal(mcap_writer_bytes(w), after);
    /* A write far later than the last starts a fresh age window at its own now. */
    assert_int_equal(write_msg(w, ch, 2, t0 + 20 * age), 0);
    assert_int_equal(mcap_writer_bytes(w), after);
    assert_int_equal(write_msg(w, ch, 3, t0 + 21 * age), 0); /* write itself ticks */
    assert_true(mcap_writer_bytes(w) > after);
    assert_int_equal(mcap_writer_close(w), 0);
    readback rb = read_back(path);
    assert_int_equal(rb.errors, 0);
    assert_int_equal(rb.chunks, 2);
    assert_int_equal(rb.scanned, 4);
}

/* A topic that appears while a chunk is open (a late joiner) and a schema added late: their
 * records land in the data section before the chunk that uses them; the file is clean. */
static void test_late_channel(void **state) {
    (void)state;
    char path[128];
    path_of(path, sizeof path, "late.mcap");
    uint16_t ch[2], s2, late;
    mcap_writer *w = open_writer(path, MCAP_COMPRESSION_ZSTD, 1 << 20, INT64_MAX, ch);
    assert_non_null(w);
    for (uint32_t i = 0; i < 10; i++) assert_int_equal(write_msg(w, ch, i, 0), 0);
    assert_int_equal(mcap_writer_add_schema(w, "geometry_msgs/msg/Point", "ros2msg", "float64 x\n", 10, &s2), 0);
    assert_int_equal(mcap_writer_add_channel(w, s2, "/late", "cdr", NULL, NULL, 0, &late), 0);
    uint8_t p[12] = {0, 1, 0, 0};
    for (uint32_t i = 0; i < 5; i++) assert_int_equal(mcap_writer_write(w, late, i, 2000 + i, 2000 + i, p, 12, 0), 0);
    const char *k[] = {"/late"}, *v[] = {"2"};
    assert_int_equal(mcap_writer_add_metadata(w, "recguard_drops", k, v, 1), 0);
    assert_int_equal(mcap_writer_close(w), 0);
    mcap_reader r;
    assert_int_equal(mcap_reader_open_file(&r, path, errbuf, sizeof errbuf), 0);
    mcap_doctor_report rep;
    assert_int_equal(mcap_doctor(&r, 0, NULL, NULL, &rep), 0);
    assert_int_equal(rep.messages, 15);
    assert_int_equal(rep.chunks, 1);
    mcap_reader_close(&r);
}

static void test_never_overwrites(void **state) {
    (void)state;
    char path[128];
    path_of(path, sizeof path, "exists.mcap");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("precious", f);
    fclose(f);
    mcap_writer *w = NULL;
    assert_int_equal(mcap_writer_open(&w, path, NULL, errbuf, sizeof errbuf), -EEXIST);
    assert_null(w);
    assert_non_null(strstr(errbuf, path));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 8);
}

/* ENOSPC (and EIO) on the Nth write, for many N: the writer poisons itself, close still
 * leaves a file whose summary reads back, and every message flushed before the failure is
 * in it. Flushes happen every 50 messages. */
static void enospc_at(unsigned nth, int err, int sticky, mcap_compression comp) {
    char path[128];
    snprintf(path, sizeof path, "%s/fail_%u_%d_%d_%d.mcap", dir, nth, err, sticky, (int)comp);
    uint16_t ch[2];
    rg_sys_reset();
    mcap_writer *w = open_writer(path, comp, 8192, INT64_MAX, ch);
    assert_non_null(w);
    rg_sys_fail_nth(RG_SYS_WRITE, nth, err, sticky);
    uint64_t flushed = 0, accepted = 0;
    int failed = 0;
    for (uint32_t i = 0; i < 400 && !failed; i++) {
        int rc = write_msg(w, ch, i, 0);
        if (rc) {
            assert_int_equal(rc, -err);
            failed = 1;
            break;
        }
        accepted++;
        if (i % 50 == 49) {
            rc = mcap_writer_flush(w);
            if (rc) {
                assert_int_equal(rc, -err);
                failed = 1;
            } else {
                flushed = accepted;
            }
        }
    }
    if (failed) {
        assert_int_equal(write_msg(w, ch, 999, 0), -err); /* poisoned */
        assert_non_null(strstr(mcap_writer_error(w), "write("));
    }
    int rc = mcap_writer_close(w);
    if (failed) assert_int_equal(rc, -err);
    rg_sys_reset();
    readback rb = read_back(path);
    mcap_reader r;
    assert_int_equal(mcap_reader_open_file(&r, path, errbuf, sizeof errbuf), 0);
    mcap_doctor_report drep;
    int defects = mcap_doctor(&r, 0, NULL, NULL, &drep);
    mcap_reader_close(&r);
    if (!sticky || !failed) {
        /* The tail got written: a valid indexed file. */
        assert_true(rb.summary_ok);
        assert_int_equal(rb.errors, 0);
        assert_int_equal(rb.stat_messages, rb.scanned);
        assert_int_equal(defects, 0);
    } else {
        /* Every write fails, the tail's too (an injected failure can't be reserved against):
         * the file ends at a record boundary without DataEnd, so recover rebuilds it, keeps
         * every whole chunk, and calls it lossy: nothing proves nothing followed. */
        char out[160];
        snprintf(out, sizeof out, "%s.rec", path);
        mcap_recover_report rrep;
        assert_int_equal(mcap_recover(path, out, NULL, &rrep, errbuf, sizeof errbuf), MCAP_RECOVER_LOSSY);
        assert_int_equal(rrep.messages, rb.scanned);
    }
    assert_int_equal(rb.payload_bad, 0);
    assert_true(rb.scanned >= flushed);
    assert_true(rb.scanned <= accepted);
}

static void test_enospc_many_points(void **state) {
    (void)state;
    for (unsigned nth = 1; nth < 70; nth += 3) {
        enospc_at(nth, ENOSPC, 0, MCAP_COMPRESSION_NONE);
        enospc_at(nth, EIO, 0, MCAP_COMPRESSION_ZSTD);
        enospc_at(nth, ENOSPC, 1, MCAP_COMPRESSION_LZ4);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roundtrip_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_ends_at_pos, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_lz4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_zstd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summary_contents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunk_by_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunk_by_age, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_overwrites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enospc_many_points, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
