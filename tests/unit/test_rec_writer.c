/* test_rec_writer — the recorder's data path without DDS: samples fed through the rdds
 * callbacks land in real MCAP segments (read back with mcap_reader), metadata.yaml lists every
 * segment, splits never overwrite, drops are counted and leave sequence gaps, the stats file
 * tracks it all, and a disk that fills up (injected ENOSPC) stops the writer with a valid file. */
#include "recorder/rec_writer.h"

#include "common/rg_fs.h"
#include "common/rg_sys.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"
#include "recorder/rec_meta.h"
#include "recorder/rec_stats.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rg_test.h"

static char tmp[256];
static char bag[300];
static char stats[320];
static char msgroot[300];

static int setup(void **state) {
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/test_rec_writer.XXXXXX");
    if (!mkdtemp(tmp)) return -1;
    snprintf(bag, sizeof bag, "%s/bag", tmp);
    snprintf(stats, sizeof stats, "%s/recorder.stats", tmp);
    snprintf(msgroot, sizeof msgroot, "%s/msgs", tmp);
    char err[256], dir[400];
    snprintf(dir, sizeof dir, "%s/std_msgs/msg", msgroot);
    if (rg_fs_mkdir_p(dir, 0755, err, sizeof err) < 0 || rg_fs_mkdir_p(bag, 0755, err, sizeof err) < 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/std_msgs/msg/String.msg", msgroot);
    FILE *f = fopen(dir, "w");
    fputs("string data\n", f);
    fclose(f);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    rg_sys_reset();
    return rg_test_rmtree(tmp) == 0 ? 0 : -1;
}

static char warnings[4096];
static void on_warn(void *ctx, const char *msg) {
    (void)ctx;
    strncat(warnings, msg, sizeof warnings - strlen(warnings) - 2);
    strcat(warnings, "\n");
}

static void options(rec_writer_options *o, rec_msgdef *md) {
    memset(o, 0, sizeof *o);
    o->dir = bag;
    o->name = "bag";
    mcap_writer_options_default(&o->mcap);
    o->mcap.chunk_size = 4096;
    o->max_queue = 4 << 20;
    o->stats_path = stats;
    o->msgdef = md;
    o->ros_distro = "jazzy";
    o->on_warn = on_warn;
    warnings[0] = '\0';
}

static const rdds_topic T_CHATTER = {.id = 0, .dds_topic = "rt/chatter",
    .dds_type = "std_msgs::msg::dds_::String_", .name = "/chatter", .type = "std_msgs/msg/String",
    .is_ros = 1, .qos_yaml = "- history: keep_last\n  depth: 10"};
static const rdds_topic T_RAW = {.id = 1, .dds_topic = "Raw", .dds_type = "RawType",
    .name = "Raw", .type = "RawType", .is_ros = 0, .qos_yaml = ""};

/* CDR of std_msgs/String "hello N": encapsulation, u32 length (with NUL), bytes, padding. */
static size_t cdr_string(unsigned char *buf, uint32_t n) {
    char s[32];
    int l = snprintf(s, sizeof s, "hello %u", n) + 1;
    memcpy(buf, "\x00\x01\x00\x00", 4);
    buf[4] = (unsigned char)l;
    buf[5] = buf[6] = buf[7] = 0;
    memcpy(buf + 8, s, (size_t)l);
    size_t len = 8 + (size_t)l;
    while (len % 4) buf[len++] = 0;
    return len;
}

typedef struct seen {
    uint64_t count[3];      /* messages per topic: 1 /chatter, 2 Raw */
    uint32_t last_seq[3];   /* last sequence per topic */
    int gaps;               /* sequence gaps seen */
    int order_bad;          /* log times out of order in one channel */
    int payload_bad;        /* /chatter payload not "hello <seq>" */
    int has_rosbag2;        /* Metadata "rosbag2" with serialized_metadata */
    int has_drops;          /* Metadata "recguard_drops" */
    char loss[128];         /* /chatter's value in Metadata "recguard_loss" */
    char schema_enc[3][16]; /* schema encodings by topic */
} seen;

/* Walk one segment with the mcap helper's reader; with_summary requires a complete file. */
static void read_segment(const char *path, seen *s, int with_summary) {
    mcap_reader r;
    char err[256];
    assert_int_equal(mcap_reader_open_file(&r, path, err, sizeof err), 0);
    if (with_summary) assert_int_equal(mcap_reader_read_summary(&r, err, sizeof err), 0);
    mcap_iter it;
    mcap_iter_init(&it, &r);
    mcap_record rec;
    int in_chunk, rc;
    uint64_t last_log[3] = {0};
    uint32_t first_seq_seen[3] = {0};
    while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) == 1) {
        if (rec.op == MCAP_OP_MESSAGE) {
            mcap_message m;
            assert_int_equal(mcap_parse_message(rec.body, &m), 0);
            const mcap_channel *ch = mcap_reader_channel(&r, m.channel_id);
            assert_non_null(ch);
            const mcap_schema *sc = mcap_reader_schema(&r, ch->schema_id);
            assert_non_null(sc);
            int chatter = mcap_bytes_eq(ch->topic, "/chatter");
            assert_true(chatter || mcap_bytes_eq(ch->topic, "Raw"));
            int k = chatter ? 1 : 2; /* index by topic: channel ids differ per segment */
            snprintf(s->schema_enc[k], 16, "%.*s", (int)sc->encoding.len, (const char *)sc->encoding.p);
            if (first_seq_seen[k] && m.sequence != s->last_seq[k] + 1) s->gaps++;
            first_seq_seen[k] = 1;
            s->last_seq[k] = m.sequence;
            if (m.log_time < last_log[k]) s->order_bad++;
            last_log[k] = m.log_time;
            if (chatter) {
                unsigned char want[64];
                size_t wl = cdr_string(want, m.sequence);
                if (m.data.len != wl || memcmp(m.data.p, want, wl) != 0) s->payload_bad++;
                if (m.publish_time + 1000 != m.log_time) s->payload_bad++;
            }
            s->count[k]++;
        } else if (rec.op == MCAP_OP_METADATA) {
            mcap_metadata md;
            assert_int_equal(mcap_parse_metadata(rec.body, &md), 0);
            mcap_bytes rest = md.map, k, v;
            if (mcap_bytes_eq(md.name, "rosbag2")) {
                assert_int_equal(mcap_map_next_str(&rest, &k, &v), 1);
                assert_true(mcap_bytes_eq(k, "serialized_metadata"));
                assert_true(v.len > 10 && memcmp(v.p, "version: 9\n", 11) == 0);
                s->has_rosbag2 = 1;
            }
            if (mcap_bytes_eq(md.name, "recguard_drops")) s->has_drops = 1;
            if (mcap_bytes_eq(md.name, "recguard_loss"))
                while (mcap_map_next_str(&rest, &k, &v) == 1)
                    if (mcap_bytes_eq(k, "/chatter"))
                        snprintf(s->loss, sizeof s->loss, "%.*s", (int)v.len, (const char *)v.p);
        }
    }
    assert_int_equal(rc, 0);
    mcap_iter_free(&it);
    mcap_reader_close(&r);
}

static int rc_;
static void feed(rec_writer *w, uint32_t from, uint32_t to) {
    unsigned char buf[64];
    for (uint32_t i = from; i < to; i++) {
        size_t n = cdr_string(buf, i);
        int64_t t = 1700000000000000000LL + (int64_t)i * 1000000;
        rec_writer_on_sample(w, 0, buf, n, t - 1000, t, NULL);
        if (i % 3 == 0) {
            unsigned char raw[200];
            memset(raw, (int)i, sizeof raw);
            rec_writer_on_sample(w, 1, raw, sizeof raw, t, t, NULL);
        }
    }
}

static char *slurp(const char *path) {
    char *t;
    size_t n;
    return rg_fs_read_file(path, 1 << 20, &t, &n) == 0 ? t : NULL;
}

static void test_record_and_split(void **state) {
    (void)state;
    rec_msgdef *md;
    assert_int_equal(rec_msgdef_open(&md), 0);
    assert_int_equal(rec_msgdef_add_root(md, msgroot), 0);
    rec_writer_options o;
    options(&o, md);
    o.max_bag_size = 64 << 10;
    /* A file in the way: the writer must skip index 0, never overwrite it. */
    char path[512];
    snprintf(path, sizeof path, "%s/bag_0.mcap", bag);
    FILE *f = fopen(path, "w");
    fputs("precious", f);
    fclose(f);

    rec_writer *w;
    char err[512];
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/bag_1.mcap", bag);
    assert_string_equal(rec_writer_segment(w), path);
    rec_writer_on_topic(w, &T_CHATTER);
    rec_writer_on_topic(w, &T_RAW);
    feed(w, 0, 3000);
    rec_writer_split(w); /* the daemon's split, on top of the size-based ones */
    feed(w, 3000, 6000);
    rec_writer_summary sum;
    rc_ = rec_writer_stop(w, &sum, err, sizeof err);
    if (rc_) print_message("stop: %s\n", err);
    assert_int_equal(rc_, 0);
    assert_int_equal(sum.messages, 6000 + 2000);
    assert_int_equal(sum.drops, 0);
    assert_true(sum.segments >= 3);
    assert_int_equal(sum.ntopics, 2);
    assert_string_equal(sum.topics[0].name, "/chatter");
    assert_int_equal(sum.topics[0].written, 6000);
    assert_int_equal(sum.topics[1].written, 2000);
    unsigned segments = sum.segments;

    /* The stats file's final state. */
    rec_stats_snapshot *snap = malloc(sizeof *snap);
    assert_int_equal(rec_stats_read(stats, snap, err, sizeof err), 0);
    assert_int_equal(snap->state, REC_STATS_STOPPED);
    assert_int_equal(snap->messages_written, 8000);
    assert_int_equal(snap->messages_received, 8000);
    assert_int_equal(snap->ntopics, 2);
    assert_string_equal(snap->topics[0].name, "/chatter");
    assert_int_equal(snap->topics[0].messages, 6000);
    assert_int_equal(snap->topics[0].written, 6000);
    assert_int_equal(snap->topics[1].bytes, 2000 * 200);
    assert_int_equal(snap->segments, segments);
    assert_int_equal(snap->pid, getpid());
    free(snap);
    rec_writer_free(w);

    /* Every segment is a complete, valid file; together they hold every message once. */
    seen total = {0};
    for (unsigned i = 1; i <= segments; i++) {
        seen s = {0};
        snprintf(path, sizeof path, "%s/bag_%u.mcap", bag, i);
        read_segment(path, &s, 1);
        assert_true(s.has_rosbag2);
        assert_false(s.has_drops);
        assert_int_equal(s.order_bad + s.payload_bad, 0);
        if (s.count[1]) assert_string_equal(s.schema_enc[1], "ros2msg");
        if (s.count[2]) assert_string_equal(s.schema_enc[2], "");
        for (int c = 1; c <= 2; c++) total.count[c] += s.count[c];
        assert_int_equal(s.gaps, 0);
    }
    assert_int_equal(total.count[1], 6000);
    assert_int_equal(total.count[2], 2000);
    snprintf(path, sizeof path, "%s/bag_0.mcap", bag);
    char *pre = slurp(path);
    assert_string_equal(pre, "precious");
    free(pre);

    /* metadata.yaml lists every segment of this run, and the counts. */
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    char *y = slurp(path);
    assert_non_null(y);
    for (unsigned i = 1; i <= segments; i++) {
        char want[64];
        snprintf(want, sizeof want, "    - bag_%u.mcap\n", i);
        assert_non_null(strstr(y, want));
    }
    assert_null(strstr(y, "bag_0.mcap"));
    assert_non_null(strstr(y, "  message_count: 8000\n"));
    assert_non_null(strstr(y, "name: /chatter\n"));
    assert_non_null(strstr(y, "      message_count: 6000\n"));
    assert_non_null(strstr(y, "ros_distro: jazzy"));
    free(y);
    assert_string_equal(warnings, "");
    rec_msgdef_close(md);
}

/* The daemon's {segment}: exactly that file, and metadata.yaml keeps an earlier run's files. */
static void test_exact_segment_and_merge(void **state) {
    (void)state;
    rec_writer_options o;
    rec_msgdef *empty; /* no roots: no definition is found */
    assert_int_equal(rec_msgdef_open(&empty), 0);
    options(&o, empty);
    char err[512], path[512];
    rec_writer *w;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rec_writer_on_topic(w, &T_CHATTER);
    feed(w, 0, 10);
    rec_writer_summary sum;
    rc_ = rec_writer_stop(w, &sum, err, sizeof err);
    if (rc_) print_message("stop: %s\n", err);
    assert_int_equal(rc_, 0);
    rec_writer_free(w);

    /* Make metadata.yaml stale, as a run killed before its next split leaves it: the next run
     * takes the counts from the segment's own summary. */
    rec_meta m;
    rec_meta_init(&m);
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    assert_int_equal(rec_meta_load(&m, path, err, sizeof err), 0);
    m.files[0].count = 0;
    m.topics[0].count = 0;
    assert_int_equal(rec_meta_write(&m, bag, err, sizeof err), 0);
    rec_meta_free(&m);

    snprintf(path, sizeof path, "%s/bag_7.mcap", bag);
    o.first_path = path;
    o.first_index = 7;
    o.merge_metadata = 1;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    assert_string_equal(rec_writer_segment(w), path);
    rec_writer_on_topic(w, &T_CHATTER);
    feed(w, 10, 15);
    rec_writer_split(w);
    /* Let the split happen before the next samples, so they land in bag_8. */
    for (int i = 0; i < 2000 && strstr(rec_writer_segment(w), "bag_8") == NULL; i++) usleep(1000);
    feed(w, 15, 20);
    rc_ = rec_writer_stop(w, &sum, err, sizeof err);
    if (rc_) print_message("stop: %s\n", err);
    assert_int_equal(rc_, 0);
    rec_writer_free(w);
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    char *y = slurp(path);
    assert_non_null(strstr(y, "    - bag_0.mcap\n    - bag_7.mcap\n    - bag_8.mcap\n"));
    assert_non_null(strstr(y, "  message_count: 20\n"));
    free(y);
    /* No schema definitions given: empty schema, one warning for the type. */
    assert_non_null(strstr(warnings, "std_msgs/msg/String"));
    seen s = {0};
    snprintf(path, sizeof path, "%s/bag_8.mcap", bag);
    read_segment(path, &s, 1);
    assert_int_equal(s.count[1], 5);
    assert_string_equal(s.schema_enc[1], "");
    rec_msgdef_close(empty);
}

/* After a crash: the cut-short segment's `.recovered.mcap` (the daemon's recover hook) replaces
 * it in metadata.yaml, with the recovered counts, and topic counts are recomputed. */
static void test_merge_after_crash(void **state) {
    (void)state;
    rec_writer_options o;
    options(&o, NULL);
    char err[512], path[512], rec[512];
    rec_writer *w;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rec_writer_on_topic(w, &T_CHATTER);
    feed(w, 0, 10);
    rec_writer_summary sum;
    assert_int_equal(rec_writer_stop(w, &sum, err, sizeof err), 0);
    rec_writer_free(w);
    /* The crash: metadata.yaml as written at the segment's start, the file cut in half, and
     * what recover made of it beside it. */
    rec_meta m;
    rec_meta_init(&m);
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    assert_int_equal(rec_meta_load(&m, path, err, sizeof err), 0);
    m.files[0].count = 0;
    m.topics[0].count = 0;
    assert_int_equal(rec_meta_write(&m, bag, err, sizeof err), 0);
    rec_meta_free(&m);
    snprintf(path, sizeof path, "%s/bag_0.mcap", bag);
    snprintf(rec, sizeof rec, "%s/bag_0.recovered.mcap", bag);
    char cmd[1700];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s' && truncate -s 200 '%s'", path, rec, path);
    assert_int_equal(system(cmd), 0);

    snprintf(path, sizeof path, "%s/bag_1.mcap", bag);
    o.first_path = path;
    o.first_index = 1;
    o.merge_metadata = 1;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rec_writer_on_topic(w, &T_CHATTER);
    feed(w, 10, 15);
    assert_int_equal(rec_writer_stop(w, &sum, err, sizeof err), 0);
    rec_writer_free(w);
    assert_non_null(strstr(warnings, "cut short"));
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    char *y = slurp(path);
    assert_non_null(strstr(y, "  relative_file_paths:\n    - bag_0.recovered.mcap\n    - bag_1.mcap\n"));
    assert_non_null(strstr(y, "  message_count: 15\n"));
    assert_non_null(strstr(y, "      message_count: 15\n")); /* /chatter */
    assert_non_null(strstr(y, "type: std_msgs/msg/String"));
    free(y);
}

/* A sample bigger than the whole queue is dropped, counted, and shows in the file as a gap in
 * the sequence numbers and in the recguard_drops record. */
/* --use-sim-time reads rosgraph_msgs/Clock from its CDR, either byte order. */
static void test_clock_parse(void **state) {
    (void)state;
    int64_t ns = -1;
    const unsigned char le[] = {0, 1, 0, 0, 0xe8, 3, 0, 0, 5, 0, 0, 0};
    assert_int_equal(rec_writer_clock_ns(le, sizeof le, &ns), 0);
    assert_true(ns == 1000000000005LL);
    const unsigned char be[] = {0, 0, 0, 0, 0, 0, 3, 0xe8, 0, 0, 0, 5};
    assert_int_equal(rec_writer_clock_ns(be, sizeof be, &ns), 0);
    assert_true(ns == 1000000000005LL);
    const unsigned char bad_ns[] = {0, 1, 0, 0, 1, 0, 0, 0, 0, 0xca, 0x9a, 0x3b}; /* 1e9 ns */
    assert_int_equal(rec_writer_clock_ns(bad_ns, sizeof bad_ns, &ns), -EINVAL);
    const unsigned char neg[] = {0, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    assert_int_equal(rec_writer_clock_ns(neg, sizeof neg, &ns), -EINVAL);
    const unsigned char xcdr2[] = {0, 7, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(rec_writer_clock_ns(xcdr2, sizeof xcdr2, &ns), -EINVAL);
    assert_int_equal(rec_writer_clock_ns(le, 11, &ns), -EINVAL);
}

static void test_drops(void **state) {
    (void)state;
    rec_writer_options o;
    options(&o, NULL);
    o.max_queue = 64 << 10;
    char err[512], path[512];
    rec_writer *w;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rec_writer_on_topic(w, &T_CHATTER);
    unsigned char buf[64];
    static unsigned char big[128 << 10];
    for (uint32_t i = 0; i < 10; i++) {
        int64_t t = 1700000000000000000LL + (int64_t)i * 1000000;
        if (i == 4 || i == 5) {
            rec_writer_on_sample(w, 0, big, sizeof big, t - 1000, t, NULL);
            continue;
        }
        size_t n = cdr_string(buf, i);
        rec_writer_on_sample(w, 0, buf, n, t - 1000, t, NULL);
    }
    rec_writer_summary sum;
    rc_ = rec_writer_stop(w, &sum, err, sizeof err);
    if (rc_) print_message("stop: %s\n", err);
    assert_int_equal(rc_, 0);
    assert_int_equal(sum.messages, 8);
    assert_int_equal(sum.drops, 2);
    assert_int_equal(sum.topics[0].drops, 2);
    assert_int_equal(sum.topics[0].received, 10);
    rec_writer_free(w);
    seen s = {0};
    snprintf(path, sizeof path, "%s/bag_0.mcap", bag);
    read_segment(path, &s, 1);
    assert_int_equal(s.count[1], 8);
    assert_int_equal(s.gaps, 1);
    assert_true(s.has_drops);
    assert_int_equal(s.payload_bad, 0);
}

/* Loss counted where it happens (DDS lost / rejected, our queue), the rate figures and the
 * publisher counts: in the stats file, metadata.yaml custom_data and the MCAP file. */
static void test_loss_rates_publishers(void **state) {
    (void)state;
    rec_writer_options o;
    options(&o, NULL);
    o.max_queue = 64 << 10;
    char err[512], path[512];
    rec_writer *w;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rdds_topic t = T_CHATTER;
    t.publishers = 2;
    rec_writer_on_topic(w, &t);
    rec_writer_on_event(w, 0, RDDS_EV_MATCHED, 2);
    rec_writer_on_event(w, 0, RDDS_EV_LOST, 3);
    rec_writer_on_event(w, 0, RDDS_EV_REJECTED, 2);
    rec_writer_on_event(w, 0, RDDS_EV_LOST, 1);
    static unsigned char big[128 << 10];
    unsigned char buf[64];
    for (uint32_t i = 0; i < 10; i++) {
        int64_t ts = 1700000000000000000LL + (int64_t)i * 1000000;
        if (i == 4) rec_writer_on_sample(w, 0, big, sizeof big, ts - 1000, ts, NULL);
        else rec_writer_on_sample(w, 0, buf, cdr_string(buf, i), ts - 1000, ts, NULL);
    }
    /* A topic past the writer's cap: announced, counted as untracked, its sample a drop. */
    rdds_topic far = T_RAW;
    far.id = REC_WRITER_MAX_TOPICS + 4;
    rec_writer_on_topic(w, &far);
    rec_writer_on_topic(w, &far);
    rec_writer_on_sample(w, far.id, buf, 8, 1, 1, NULL);
    assert_non_null(strstr(warnings, "more than"));
    rec_writer_summary sum;
    assert_int_equal(rec_writer_stop(w, &sum, err, sizeof err), 0);
    rec_stats_snapshot *snap = calloc(1, sizeof *snap);
    assert_int_equal(rec_stats_read(stats, snap, err, sizeof err), 0);
    assert_int_equal(snap->role, REC_STATS_ROLE_RECORDER);
    assert_int_equal(snap->ntopics, 1);
    const rec_stats_topic *e = &snap->topics[0];
    assert_int_equal(e->lost, 4);
    assert_int_equal(e->rejected, 2);
    assert_int_equal(e->drops, 1);
    assert_int_equal(e->publishers, 2);
    assert_int_equal(e->matched, 2);
    assert_int_equal(e->messages, 10);
    assert_int_equal(e->window_msgs, 10);
    assert_true(e->mean_size > 8.0);
    assert_true(e->last_recv_mono_ns > 0);
    assert_int_equal(e->window_ns, REC_WRITER_RATE_WINDOW_NS);
    assert_int_equal(snap->lost, 4);
    assert_int_equal(snap->rejected, 2);
    assert_int_equal(snap->untracked_topics, 5);
    assert_int_equal(snap->drops, 2); /* the big sample and the untracked topic's */
    free(snap);
    rec_writer_free(w);
    seen s = {0};
    snprintf(path, sizeof path, "%s/bag_0.mcap", bag);
    read_segment(path, &s, 1);
    assert_string_equal(s.loss, "lost=4 rejected=2 drops=1");
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    char *y = slurp(path);
    assert_non_null(y);
    assert_non_null(strstr(y, "    recguard_lost: \"4\"\n"));
    assert_non_null(strstr(y, "    recguard_rejected: \"2\"\n"));
    assert_non_null(strstr(y, "    recguard_drops: \"1\"\n"));
    assert_non_null(strstr(y, "recguard_loss: \"{\\\"/chatter\\\":{\\\"drops\\\":1,\\\"lost\\\":4,\\\"rejected\\\":2}}\""));
    free(y);
}

/* The value of channel metadata `key` of `topic` in a complete segment, "ABSENT" when the
 * channel or the key is missing. */
static void channel_meta(const char *path, const char *topic, const char *key, char *out, size_t n) {
    mcap_reader r;
    char err[256];
    assert_int_equal(mcap_reader_open_file(&r, path, err, sizeof err), 0);
    assert_int_equal(mcap_reader_read_summary(&r, err, sizeof err), 0);
    snprintf(out, n, "ABSENT");
    uint32_t pos = 0;
    for (const mcap_channel *ch; (ch = mcap_reader_next_channel(&r, &pos)) != NULL;) {
        if (!mcap_bytes_eq(ch->topic, topic)) continue;
        mcap_bytes rest = ch->metadata, k, v;
        while (mcap_map_next_str(&rest, &k, &v) == 1)
            if (mcap_bytes_eq(k, key)) snprintf(out, n, "%.*s", (int)v.len, (const char *)v.p);
    }
    mcap_reader_close(&r);
}

#define HASH_A "RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18"
#define HASH_B "RIHS01_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The type hash rdds announces: in each channel's topic_type_hash ("" when none, as rosbag2's
 * MCAP plugin writes it) as known when the channel opened, and in metadata.yaml's
 * type_description_hash, where a run announcing none keeps an earlier run's hash. */
static void test_type_hash(void **state) {
    (void)state;
    rec_writer_options o;
    options(&o, NULL);
    char err[512], path[512], v[128];
    rec_writer *w;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rdds_topic chatter = T_CHATTER, raw = T_RAW;
    chatter.type_hash = HASH_A;
    rec_writer_on_topic(w, &chatter);
    rec_writer_on_topic(w, &raw); /* type_hash NULL: a caller that knows none */
    feed(w, 0, 10);
    rec_writer_split(w);
    for (int i = 0; i < 2000 && strstr(rec_writer_segment(w), "bag_1") == NULL; i++) usleep(1000);
    raw.type_hash = HASH_B; /* a later publisher announced one */
    rec_writer_on_topic(w, &raw);
    feed(w, 10, 20);
    rec_writer_summary sum;
    assert_int_equal(rec_writer_stop(w, &sum, err, sizeof err), 0);
    rec_writer_free(w);
    snprintf(path, sizeof path, "%s/bag_0.mcap", bag);
    channel_meta(path, "/chatter", "topic_type_hash", v, sizeof v);
    assert_string_equal(v, HASH_A);
    channel_meta(path, "Raw", "topic_type_hash", v, sizeof v);
    assert_string_equal(v, "");
    snprintf(path, sizeof path, "%s/bag_1.mcap", bag);
    channel_meta(path, "Raw", "topic_type_hash", v, sizeof v);
    assert_string_equal(v, HASH_B);
    channel_meta(path, "/chatter", "topic_type_hash", v, sizeof v);
    assert_string_equal(v, HASH_A);

    rec_meta m;
    rec_meta_init(&m);
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    assert_int_equal(rec_meta_load(&m, path, err, sizeof err), 0);
    assert_int_equal(m.ntopics, 2);
    assert_string_equal(m.topics[0].name, "/chatter");
    assert_string_equal(m.topics[0].type_hash, HASH_A);
    assert_string_equal(m.topics[1].type_hash, HASH_B);
    rec_meta_free(&m);

    /* The next run in the bag hears no hash for /chatter: the bag keeps the one it had. */
    snprintf(path, sizeof path, "%s/bag_5.mcap", bag);
    o.first_path = path;
    o.first_index = 5;
    o.merge_metadata = 1;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rec_writer_on_topic(w, &T_CHATTER);
    feed(w, 20, 25);
    assert_int_equal(rec_writer_stop(w, &sum, err, sizeof err), 0);
    rec_writer_free(w);
    channel_meta(path, "/chatter", "topic_type_hash", v, sizeof v);
    assert_string_equal(v, "");
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    char *y = slurp(path);
    assert_non_null(y);
    assert_non_null(strstr(y, "      type_description_hash: " HASH_A "\n      message_count: 25\n"));
    free(y);
}

/* Monitor mode: figures in the stats file (role monitor), no bag files at all. */
static void test_monitor_mode(void **state) {
    (void)state;
    rec_writer_options o;
    options(&o, NULL);
    o.monitor = 1;
    o.dir = NULL;
    o.name = NULL;
    char err[512];
    rec_writer *w;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rec_writer_on_topic(w, &T_CHATTER);
    feed(w, 0, 20);
    rec_writer_summary sum;
    assert_int_equal(rec_writer_stop(w, &sum, err, sizeof err), 0);
    rec_stats_snapshot *snap = calloc(1, sizeof *snap);
    assert_int_equal(rec_stats_read(stats, snap, err, sizeof err), 0);
    assert_int_equal(snap->role, REC_STATS_ROLE_MONITOR);
    assert_int_equal(snap->topics[0].messages, 20);
    assert_int_equal(snap->topics[0].written, 0);
    assert_int_equal(snap->topics[0].window_msgs, 20);
    assert_int_equal(snap->messages_written, 0);
    assert_int_equal(snap->segments, 0);
    free(snap);
    rec_writer_free(w);
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/metadata.yaml", bag);
    assert_int_equal(stat(path, &st), -1);
    snprintf(path, sizeof path, "%s/bag_0.mcap", bag);
    assert_int_equal(stat(path, &st), -1);
}

/* Disk full: every write from the Nth on fails with ENOSPC. The writer stops, reports the file,
 * and what it wrote before is readable. */
static void test_disk_full(void **state) {
    (void)state;
    rec_writer_options o;
    options(&o, NULL);
    o.mcap.chunk_size = 1024;
    char err[512], path[512];
    rec_writer *w;
    assert_int_equal(rec_writer_start(&w, &o, err, sizeof err), 0);
    rec_writer_on_topic(w, &T_CHATTER);
    feed(w, 0, 200);
    /* Wait until some chunks are on disk, then fill the disk. */
    for (int i = 0; i < 5000; i++) {
        rec_stats_snapshot *snap = malloc(sizeof *snap);
        int ok = rec_stats_read(stats, snap, err, sizeof err) == 0 && snap->messages_written == 200;
        free(snap);
        if (ok) break;
        usleep(1000);
    }
    rg_sys_fail_nth(RG_SYS_WRITE, 1, ENOSPC, 1);
    feed(w, 200, 2000);
    for (int i = 0; i < 10000 && !rec_writer_failed(w); i++) usleep(1000);
    if (rec_writer_failed(w) != REC_STATS_DISK_FULL) { rec_writer_summary s2; rec_writer_stop(w, &s2, err, sizeof err); print_message("failed: %s\n", err); }
    assert_int_equal(rec_writer_failed(w), REC_STATS_DISK_FULL);
    rec_writer_summary sum;
    int rc = rec_writer_stop(w, &sum, err, sizeof err);
    rg_sys_reset();
    assert_int_equal(rc, -ENOSPC);
    snprintf(path, sizeof path, "%s/bag_0.mcap", bag);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No space left on device"));
    assert_true(sum.messages < 2000);
    rec_stats_snapshot *snap = malloc(sizeof *snap);
    assert_int_equal(rec_stats_read(stats, snap, err, sizeof err), 0);
    assert_int_equal(snap->state, REC_STATS_DISK_FULL);
    free(snap);
    rec_writer_free(w);
    /* Whatever reached the file before the disk filled reads back cleanly, in order. */
    seen s = {0};
    read_segment(path, &s, 0);
    assert_true(s.count[1] >= 1);
    assert_int_equal(s.gaps + s.payload_bad + s.order_bad, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_and_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exact_segment_and_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_after_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drops, setup, teardown),
        cmocka_unit_test(test_clock_parse),
        cmocka_unit_test_setup_teardown(test_disk_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loss_rates_publishers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_hash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
