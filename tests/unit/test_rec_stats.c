/* test_rec_stats — the stats file's layout, the seqlock under a concurrent writer, bad files. */
#include "recorder/rec_stats.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cmocka.h>

static char dir[256];
static char path[512];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_rec_stats.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/recorder.stats", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

/* Every field of snapshot k is derived from k, so a torn copy shows as a mismatch. */
static void fill(rec_stats_snapshot *s, uint64_t k) {
    memset(s, 0, sizeof *s);
    s->pid = 4242;
    s->state = REC_STATS_RECORDING;
    s->heartbeat_mono_ns = (int64_t)k;
    s->bytes_written = k * 3;
    s->messages_written = k * 5;
    s->drops = k * 7;
    s->ntopics = 1 + (uint32_t)(k % 5);
    snprintf(s->segment, sizeof s->segment, "/bag/bag_%llu.mcap", (unsigned long long)k);
    for (uint32_t i = 0; i < s->ntopics; i++) {
        snprintf(s->topics[i].name, sizeof s->topics[i].name, "/t%u_%llu", i,
                 (unsigned long long)k);
        s->topics[i].messages = k + i;
        s->topics[i].last_recv_real_ns = (int64_t)(k * 11);
    }
}

static void check(const rec_stats_snapshot *s) {
    uint64_t k = (uint64_t)s->heartbeat_mono_ns;
    assert_int_equal(s->bytes_written, k * 3);
    assert_int_equal(s->messages_written, k * 5);
    assert_int_equal(s->drops, k * 7);
    assert_int_equal(s->ntopics, 1 + (uint32_t)(k % 5));
    char want[64];
    snprintf(want, sizeof want, "/bag/bag_%llu.mcap", (unsigned long long)k);
    assert_string_equal(s->segment, want);
    for (uint32_t i = 0; i < s->ntopics; i++) {
        snprintf(want, sizeof want, "/t%u_%llu", i, (unsigned long long)k);
        assert_string_equal(s->topics[i].name, want);
        assert_int_equal(s->topics[i].messages, k + i);
        assert_int_equal(s->topics[i].last_recv_real_ns, (int64_t)(k * 11));
    }
    for (uint32_t i = s->ntopics; i < REC_STATS_MAX_TOPICS; i++)
        assert_int_equal(s->topics[i].name[0], 0);
}

static void test_layout(void **state) {
    (void)state;
    /* The daemon may be built separately from the recorder: offsets are part of the format. */
    assert_int_equal(offsetof(rec_stats_file, seq), 16);
    assert_int_equal(offsetof(rec_stats_file, snap), 24);
    assert_int_equal(REC_STATS_FILE_SIZE, sizeof(rec_stats_file));
    assert_true(REC_STATS_FILE_SIZE % 8 == 0);
}

static void test_roundtrip(void **state) {
    (void)state;
    char err[256];
    rec_stats_snapshot s, r;
    fill(&s, 12);
    rec_stats_writer *w;
    assert_int_equal(rec_stats_writer_open(&w, path, &s, err, sizeof err), 0);
    assert_int_equal(rec_stats_read(path, &r, err, sizeof err), 0);
    check(&r);
    assert_int_equal(r.heartbeat_mono_ns, 12);
    fill(&s, 13);
    rec_stats_writer_publish(w, &s);
    assert_int_equal(rec_stats_read(path, &r, err, sizeof err), 0);
    assert_int_equal(r.heartbeat_mono_ns, 13);
    check(&r);
    rec_stats_writer_close(w);
    /* The final state stays readable after the writer is gone. */
    assert_int_equal(rec_stats_read(path, &r, err, sizeof err), 0);
    assert_int_equal(r.heartbeat_mono_ns, 13);
    assert_string_equal(rec_stats_state_name(r.state), "recording");
}

typedef struct writer_arg {
    rec_stats_writer *w;
    atomic_int stop;
    uint64_t published;
} writer_arg;

static void *writer_thread(void *p) {
    writer_arg *a = p;
    rec_stats_snapshot *s = malloc(sizeof *s);
    for (uint64_t k = 1; !atomic_load(&a->stop); k++) {
        fill(s, k);
        rec_stats_writer_publish(a->w, s);
        a->published = k;
    }
    free(s);
    return NULL;
}

static void test_seqlock_concurrent(void **state) {
    (void)state;
    char err[256];
    rec_stats_snapshot *s = malloc(sizeof *s), *r = malloc(sizeof *r);
    fill(s, 0);
    writer_arg a = {.stop = 0};
    assert_int_equal(rec_stats_writer_open(&a.w, path, s, err, sizeof err), 0);
    rec_stats_reader *rd;
    assert_int_equal(rec_stats_reader_open(&rd, path, err, sizeof err), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer_thread, &a), 0);
    int ok = 0, distinct = 0;
    int64_t last = -1;
    /* At least 20000 reads and several distinct snapshots; bounded by time on a loaded machine. */
    time_t deadline = time(NULL) + 20;
    for (int i = 0; (i < 20000 || distinct < 3) && time(NULL) < deadline; i++) {
        int rc = rec_stats_reader_read(rd, r);
        if (rc == -EAGAIN) continue; /* bounded retry may lose against a tight writer loop */
        assert_int_equal(rc, 0);
        check(r);
        assert_true(r->heartbeat_mono_ns >= last); /* never goes back */
        if (r->heartbeat_mono_ns != last) distinct++;
        last = r->heartbeat_mono_ns;
        ok++;
    }
    atomic_store(&a.stop, 1);
    pthread_join(t, NULL);
    assert_true(ok > 0);
    assert_true(distinct >= 3); /* the reads really overlapped with writes */
    rec_stats_reader_close(rd);
    rec_stats_writer_close(a.w);
    free(s);
    free(r);
}

static void test_bad_files(void **state) {
    (void)state;
    char err[256];
    rec_stats_snapshot r;
    assert_int_equal(rec_stats_read(path, &r, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, path));
    FILE *f = fopen(path, "w");
    fputs("not a stats file", f);
    fclose(f);
    assert_int_equal(rec_stats_read(path, &r, err, sizeof err), -EPROTO);
    /* Right size, wrong magic. */
    f = fopen(path, "w");
    for (size_t i = 0; i < REC_STATS_FILE_SIZE; i++) fputc(0, f);
    fclose(f);
    assert_int_equal(rec_stats_read(path, &r, err, sizeof err), -EPROTO);
    assert_non_null(strstr(err, "not a recguard stats file"));
}

/* A stats dir others can write: the writer's temp file and the reader's path never go through
 * a planted symlink, and a planted FIFO does not block the reader. */
static void test_planted_links(void **state) {
    (void)state;
    char err[256], target[600], tmp[600];
    snprintf(target, sizeof target, "%s/target", dir);
    FILE *f = fopen(target, "w");
    fputs("precious", f);
    fclose(f);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    assert_int_equal(symlink(target, tmp), 0);
    rec_stats_snapshot s, r;
    fill(&s, 3);
    rec_stats_writer *w;
    assert_int_equal(rec_stats_writer_open(&w, path, &s, err, sizeof err), 0);
    rec_stats_writer_close(w);
    struct stat sb;
    assert_int_equal(stat(target, &sb), 0);
    assert_int_equal(sb.st_size, 8);
    assert_int_equal(lstat(path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(rec_stats_read(path, &r, err, sizeof err), -ELOOP);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(rec_stats_read(path, &r, err, sizeof err), -EPROTO);
    unlink(target);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seqlock_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_planted_links, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
