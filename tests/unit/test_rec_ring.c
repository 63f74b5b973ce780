/* Unit tests: rec_ring, the snapshot buffer: order kept, the oldest evicted to fit the byte
 * budget (and counted), a sample larger than the budget refused, clear and reuse, growth past
 * the first slot array while wrapped. */
#include "recorder/rec_ring.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static int push(rec_ring *r, uint32_t topic, uint32_t seq, int64_t src, int64_t recv, const void *data, size_t len) {
    rec_queue_item it = {.topic_id = topic, .seq = seq, .source_ts_ns = src, .recv_ts_ns = recv,
                         .origin = {.seq = seq + 1000}, .data = data, .len = len};
    it.origin.writer[15] = (unsigned char)topic;
    return rec_ring_push(r, &it);
}

static void test_evict_order(void **st) {
    (void)st;
    rec_ring *r;
    assert_int_equal(rec_ring_create(&r, 0), -EINVAL);
    assert_int_equal(rec_ring_create(&r, 10), 0);
    char buf[16] = "0123456789abcde";
    for (uint32_t i = 0; i < 5; i++) assert_int_equal(push(r, 1, i, 100 + i, 200 + i, buf, 3), 0);
    /* 5 x 3 bytes into 10: the first two are gone. */
    assert_int_equal(rec_ring_count(r), 3);
    assert_int_equal(rec_ring_bytes(r), 9);
    assert_int_equal(rec_ring_evicted(r), 2);
    for (size_t i = 0; i < 3; i++) {
        const rec_ring_item *it = rec_ring_at(r, i);
        assert_int_equal(it->seq, i + 2);
        assert_true(it->recv_ts_ns == (int64_t)(202 + i));
        assert_memory_equal(it->data, "012", 3);
    }
    assert_null(rec_ring_at(r, 3));
    assert_int_equal(push(r, 1, 9, 0, 0, buf, 11), -E2BIG);
    assert_int_equal(rec_ring_count(r), 3); /* untouched */
    assert_int_equal(push(r, 2, 10, 0, 0, buf, 10), 0); /* exactly the budget: alone */
    assert_int_equal(rec_ring_count(r), 1);
    assert_int_equal(rec_ring_at(r, 0)->topic_id, 2);
    rec_ring_clear(r);
    assert_int_equal(rec_ring_count(r), 0);
    assert_int_equal(rec_ring_bytes(r), 0);
    rec_ring_destroy(r);
    rec_ring_destroy(NULL);
}

static void test_growth_wrapped(void **st) {
    (void)st;
    rec_ring *r;
    assert_int_equal(rec_ring_create(&r, 1000), 0);
    uint32_t seq = 0;
    for (int i = 0; i < 50; i++) assert_int_equal(push(r, 0, seq++, 0, 0, "x", 1), 0);
    for (int i = 0; i < 1500; i++) assert_int_equal(push(r, 0, seq++, 0, 0, "yy", 2), 0);
    assert_int_equal(rec_ring_count(r), 500);
    for (size_t i = 0; i < rec_ring_count(r); i++) assert_int_equal(rec_ring_at(r, i)->seq, seq - 500 + i);
    rec_ring_destroy(r);
}

/* The standby's time window: everything received before the cut goes, the origin is kept. */
static void test_trim_origin(void **st) {
    (void)st;
    rec_ring *r;
    assert_int_equal(rec_ring_create(&r, 1000), 0);
    for (uint32_t i = 0; i < 10; i++) assert_int_equal(push(r, 3, i, 0, 100 * i, "ab", 2), 0);
    rec_ring_trim(r, 450);
    assert_int_equal(rec_ring_count(r), 5);
    assert_int_equal(rec_ring_evicted(r), 5);
    assert_true(rec_ring_at(r, 0)->recv_ts_ns == 500);
    assert_true(rec_ring_at(r, 0)->origin.seq == 1005);
    assert_int_equal(rec_ring_at(r, 0)->origin.writer[15], 3);
    rec_ring_trim(r, 0); /* nothing older */
    assert_int_equal(rec_ring_count(r), 5);
    rec_ring_trim(r, 10000);
    assert_int_equal(rec_ring_count(r), 0);
    assert_int_equal(rec_ring_bytes(r), 0);
    rec_ring_destroy(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evict_order),
        cmocka_unit_test(test_growth_wrapped),
        cmocka_unit_test(test_trim_origin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
