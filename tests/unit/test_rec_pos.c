/* Unit tests: rec_pos, the durable positions a standby reads after the primary died. Every
 * instant of a kill is simulated by the segment file's size: before the chunk write (the file
 * ends before the chunk), a write cut short (ends inside it), a write that returned (reaches
 * its end) but no bookkeeping after it, and after the bookkeeping. */
#include "recorder/rec_pos.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

typedef struct fixture {
    char dir[64];
    char pos[128];
    char seg[128];
} fixture;

static int setup(void **st) {
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rg_pos_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->pos, sizeof f->pos, "%s/positions", f->dir);
    snprintf(f->seg, sizeof f->seg, "%s/bag_0.mcap", f->dir);
    *st = f;
    return 0;
}

static int teardown(void **st) {
    fixture *f = *st;
    unlink(f->pos);
    unlink(f->seg);
    rmdir(f->dir);
    free(f);
    return 0;
}

static rdds_origin origin(unsigned char writer, int64_t seq) {
    rdds_origin o;
    memset(o.writer, 0xab, sizeof o.writer);
    o.writer[15] = writer;
    o.seq = seq;
    return o;
}

static void seg_size(const fixture *f, off_t size) {
    int fd = open(f->seg, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

/* The durable number of writer w as a reader sees it right now. */
static int64_t durable(const fixture *f, unsigned char w) {
    rec_pos_table t;
    char err[256];
    assert_int_equal(rec_pos_load(&t, f->pos, err, sizeof err), 0);
    rdds_origin o = origin(w, 0);
    int64_t seq = rec_pos_lookup(&t, o.writer, NULL);
    rec_pos_table_free(&t);
    return seq;
}

static void test_rule(void **st) {
    (void)st;
    assert_int_equal(rec_pos_durable(5, 5, 100, 0), 5);     /* nothing pending */
    assert_int_equal(rec_pos_durable(5, 9, 100, 99), 5);    /* write cut short / not begun */
    assert_int_equal(rec_pos_durable(5, 9, 100, 100), 9);   /* write returned */
    assert_int_equal(rec_pos_durable(5, 9, 100, 4096), 9);
    assert_int_equal(rec_pos_durable(0, 0, 0, 0), 0);       /* a writer noted, never written */
}

static void test_kill_instants(void **st) {
    fixture *f = *st;
    rec_pos *p;
    char err[256];
    assert_int_equal(rec_pos_create(&p, f->pos, err, sizeof err), 0);
    assert_int_equal(durable(f, 1), 0); /* fresh: nothing written */
    for (int64_t s = 1; s <= 5; s++) {
        rdds_origin o = origin(1, s);
        assert_int_equal(rec_pos_note(p, &o), 0);
    }
    seg_size(f, 40);
    assert_int_equal(durable(f, 1), 0); /* noted in the open chunk only */
    rec_pos_chunk(p, f->seg, 100, 0);
    assert_int_equal(durable(f, 1), 0); /* killed before or during the write */
    seg_size(f, 99);
    assert_int_equal(durable(f, 1), 0); /* a write cut one byte short */
    seg_size(f, 100);
    assert_int_equal(durable(f, 1), 5); /* the write returned, bookkeeping never ran */
    rec_pos_chunk(p, f->seg, 100, 1);
    seg_size(f, 0);
    assert_int_equal(durable(f, 1), 5); /* committed: no longer depends on the file */

    /* Two writers in the next chunk; the second is new. */
    for (int64_t s = 6; s <= 8; s++) {
        rdds_origin o = origin(1, s);
        assert_int_equal(rec_pos_note(p, &o), 0);
    }
    rdds_origin b = origin(2, 41);
    assert_int_equal(rec_pos_note(p, &b), 0);
    rec_pos_chunk(p, f->seg, 300, 0);
    seg_size(f, 150);
    assert_int_equal(durable(f, 1), 5);
    assert_int_equal(durable(f, 2), 0);
    seg_size(f, 300);
    assert_int_equal(durable(f, 1), 8);
    assert_int_equal(durable(f, 2), 41);
    rec_pos_chunk(p, f->seg, 300, 1);
    assert_int_equal(rec_pos_writers(p), 2);

    /* A note taken back (the message never reached the chunk) claims nothing. */
    rdds_origin o9 = origin(1, 9);
    assert_int_equal(rec_pos_note(p, &o9), 0);
    rec_pos_unnote(p);
    rec_pos_chunk(p, f->seg, 400, 0);
    seg_size(f, 400);
    assert_int_equal(durable(f, 1), 8);
    rec_pos_chunk(p, f->seg, 400, 1);

    /* A number never moves back, whatever order notes come in. */
    rdds_origin o7 = origin(1, 7);
    assert_int_equal(rec_pos_note(p, &o7), 0);
    rec_pos_chunk(p, f->seg, 500, 0);
    rec_pos_chunk(p, f->seg, 500, 1);
    assert_int_equal(durable(f, 1), 8);
    rec_pos_close(p);
    assert_int_equal(durable(f, 2), 41); /* the file outlives its writer */
}

/* A split: the pending offset belongs to the new segment, not the old one. */
static void test_segment_change(void **st) {
    fixture *f = *st;
    rec_pos *p;
    char err[256], seg2[160];
    snprintf(seg2, sizeof seg2, "%s/bag_1.mcap", f->dir);
    assert_int_equal(rec_pos_create(&p, f->pos, err, sizeof err), 0);
    rdds_origin a = origin(1, 1);
    assert_int_equal(rec_pos_note(p, &a), 0);
    rec_pos_chunk(p, f->seg, 100, 0);
    rec_pos_chunk(p, f->seg, 100, 1);
    seg_size(f, 5000); /* the old segment is long; the new one is empty */
    rdds_origin a2 = origin(1, 2);
    assert_int_equal(rec_pos_note(p, &a2), 0);
    rec_pos_chunk(p, seg2, 200, 0);
    assert_int_equal(durable(f, 1), 1);
    rec_pos_table t;
    assert_int_equal(rec_pos_load(&t, f->pos, err, sizeof err), 0);
    assert_string_equal(t.segment, seg2);
    size_t idx;
    rdds_origin none = origin(9, 0);
    assert_int_equal(rec_pos_lookup(&t, none.writer, &idx), 0);
    assert_int_equal(idx, t.n);
    rec_pos_table_free(&t);
    rec_pos_close(p);
}

static void test_load_errors(void **st) {
    fixture *f = *st;
    rec_pos_table t;
    char err[256];
    assert_int_equal(rec_pos_load(&t, f->pos, err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, f->pos));
    seg_size(f, 10);
    assert_int_equal(rec_pos_load(&t, f->seg, err, sizeof err), -EINVAL); /* not a positions file */
    assert_non_null(strstr(err, "not a recguard positions file"));
    rec_pos *p;
    assert_int_equal(rec_pos_create(&p, f->pos, err, sizeof err), 0);
    rdds_origin a = origin(1, 3);
    assert_int_equal(rec_pos_note(p, &a), 0);
    rec_pos_close(p);
    assert_int_equal(truncate(f->pos, 4140), 0); /* the header survives, the slots don't */
    assert_int_equal(rec_pos_load(&t, f->pos, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "cut short"));
    char link[160];
    snprintf(link, sizeof link, "%s/link", f->dir);
    assert_int_equal(symlink(f->pos, link), 0);
    assert_int_equal(rec_pos_create(&p, link, err, sizeof err), -ELOOP); /* never through a symlink */
    unlink(link);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule),
        cmocka_unit_test_setup_teardown(test_kill_instants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_segment_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
