/* test_rec_queue — order, budget, drops and the two-producer / one-consumer accounting. */
#include "recorder/rec_queue.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* Payload of sample `seq` on `topic`: a deterministic byte pattern of a size that varies. */
static size_t payload_len(uint32_t topic, uint32_t seq) { return (seq * 37u + topic * 11u) % 700; }
static void payload(uint32_t topic, uint32_t seq, unsigned char *buf, size_t len) {
    for (size_t i = 0; i < len; i++) buf[i] = (unsigned char)(seq * 7u + topic + i);
}
static int payload_ok(uint32_t topic, uint32_t seq, const unsigned char *buf, size_t len) {
    if (len != payload_len(topic, seq)) return 0;
    for (size_t i = 0; i < len; i++)
        if (buf[i] != (unsigned char)(seq * 7u + topic + i)) return 0;
    return 1;
}

static void test_fifo_and_fields(void **state) {
    (void)state;
    rec_queue *q;
    assert_int_equal(rec_queue_create(&q, 1 << 20, 4), 0);
    rec_queue_item it;
    assert_int_equal(rec_queue_peek(q, &it), 0);
    unsigned char buf[1024];
    for (uint32_t i = 0; i < 1000; i++) {
        size_t n = payload_len(1, i);
        payload(1, i, buf, n);
        assert_int_equal(rec_queue_push(q, 1, i, buf, n, 100 + i, 200 + i, NULL), 0);
    }
    for (uint32_t i = 0; i < 1000; i++) {
        assert_int_equal(rec_queue_peek(q, &it), 1);
        assert_int_equal(it.topic_id, 1);
        assert_int_equal(it.seq, i);
        assert_int_equal(it.source_ts_ns, 100 + i);
        assert_int_equal(it.recv_ts_ns, 200 + i);
        assert_true(payload_ok(1, i, it.data, it.len));
        rec_queue_release(q);
    }
    assert_int_equal(rec_queue_peek(q, &it), 0);
    assert_int_equal(rec_queue_drops_total(q), 0);
    rec_queue_destroy(q);
}

static void test_budget_drops_and_reuse(void **state) {
    (void)state;
    rec_queue *q;
    const size_t cap = 256 << 10;
    assert_int_equal(rec_queue_create(&q, cap, 2), 0);
    unsigned char *big = calloc(1, cap);
    /* Larger than the budget: dropped at once, counted for its topic. */
    assert_int_equal(rec_queue_push(q, 0, 0, big, cap, 0, 0, NULL), -ENOBUFS);
    assert_int_equal(rec_queue_drops(q, 0), 1);
    /* Fill until the budget is spent; the queue never holds more than its capacity. */
    unsigned pushed = 0, dropped = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        int rc = rec_queue_push(q, 1, i, big, 1000, 0, 0, NULL);
        if (rc == 0) pushed++;
        else {
            assert_int_equal(rc, -ENOBUFS);
            dropped++;
        }
        assert_true(rec_queue_bytes(q) <= cap);
    }
    assert_true(pushed > 100);
    assert_true(dropped > 0);
    assert_int_equal(rec_queue_drops(q, 1), dropped);
    /* An id beyond max_topics is counted in the shared overflow slot. */
    assert_int_equal(rec_queue_push(q, 99, 0, big, 1000, 0, 0, NULL), -ENOBUFS);
    assert_int_equal(rec_queue_drops(q, 99), 1);
    assert_int_equal(rec_queue_drops_total(q), 1 + dropped + 1);
    /* Drain: everything pushed comes out, in order. */
    rec_queue_item it;
    for (unsigned i = 0; i < pushed; i++) {
        assert_int_equal(rec_queue_peek(q, &it), 1);
        assert_int_equal(it.seq, i);
        rec_queue_release(q);
    }
    assert_int_equal(rec_queue_peek(q, &it), 0);
    /* Room again: a sample bigger than a slab (its own slab) goes through. */
    assert_int_equal(rec_queue_push(q, 1, 5000, big, 100 << 10, 0, 0, NULL), 0);
    assert_int_equal(rec_queue_peek(q, &it), 1);
    assert_int_equal(it.len, 100 << 10);
    rec_queue_release(q);
    assert_int_equal(rec_queue_peek(q, &it), 0);
    free(big);
    rec_queue_destroy(q);
}

enum { NPROD = 2, PER_PRODUCER = 200000 };

typedef struct prod_arg {
    rec_queue *q;
    uint32_t topic;
    unsigned ok;
} prod_arg;

static void *producer(void *p) {
    prod_arg *a = p;
    unsigned char buf[1024];
    for (uint32_t i = 0; i < PER_PRODUCER; i++) {
        size_t n = payload_len(a->topic, i);
        payload(a->topic, i, buf, n);
        if (rec_queue_push(a->q, a->topic, i, buf, n, i, i, NULL) == 0) a->ok++;
    }
    return NULL;
}

/* Two producers, one consumer: every sample is either received intact, in per-producer order,
 * or counted as a drop for its topic; the sums are exact. A small budget forces both paths. */
static void test_two_producers_one_consumer(void **state) {
    (void)state;
    rec_queue *q;
    assert_int_equal(rec_queue_create(&q, 512 << 10, 4), 0);
    prod_arg a[NPROD];
    pthread_t t[NPROD];
    for (int i = 0; i < NPROD; i++) {
        a[i] = (prod_arg){.q = q, .topic = (uint32_t)i + 1};
        assert_int_equal(pthread_create(&t[i], NULL, producer, &a[i]), 0);
    }
    /* Hold the consumer back until the budget has overflowed once, so the drop path is taken
     * for sure (producers push ~76 MB into 512 KiB), then consume concurrently. */
    while (rec_queue_drops_total(q) == 0) sched_yield();
    uint64_t got[NPROD + 1] = {0};
    int64_t last[NPROD + 1];
    for (int i = 0; i <= NPROD; i++) last[i] = -1;
    int done = 0, bad = 0, joined[NPROD] = {0};
    while (!bad) {
        rec_queue_item it;
        if (rec_queue_peek(q, &it)) {
            if (it.topic_id < 1 || it.topic_id > NPROD || (int64_t)it.seq <= last[it.topic_id] ||
                !payload_ok(it.topic_id, it.seq, it.data, it.len))
                bad = 1;
            else {
                last[it.topic_id] = it.seq;
                got[it.topic_id]++;
            }
            rec_queue_release(q);
            continue;
        }
        if (done) break;
        /* Producers finished and the queue looked empty: one more pass drains the tail. */
        int alive = 0;
        for (int i = 0; i < NPROD; i++) {
            if (!joined[i] && pthread_tryjoin_np(t[i], NULL) == 0) joined[i] = 1;
            alive |= !joined[i];
        }
        if (!alive) done = 1;
        else rec_queue_wait(q, 1000000);
    }
    assert_false(bad);
    for (int i = 0; i < NPROD; i++)
        if (!joined[i]) pthread_join(t[i], NULL);
    uint64_t drops = 0;
    for (int i = 0; i < NPROD; i++) {
        uint32_t topic = a[i].topic;
        assert_int_equal(got[topic], a[i].ok);
        assert_int_equal(got[topic] + rec_queue_drops(q, topic), PER_PRODUCER);
        drops += rec_queue_drops(q, topic);
    }
    assert_int_equal(rec_queue_drops_total(q), drops);
    assert_true(drops > 0);
    rec_queue_destroy(q);
}

static void *late_push(void *p) {
    struct timespec d = {.tv_sec = 0, .tv_nsec = 50 * 1000000};
    nanosleep(&d, NULL);
    rec_queue_push(p, 0, 1, "y", 1, 0, 0, NULL);
    return NULL;
}

static void test_wake(void **state) {
    (void)state;
    rec_queue *q;
    assert_int_equal(rec_queue_create(&q, 1 << 20, 1), 0);
    /* A wake before the wait makes the wait return at once (no lost stop request). */
    rec_queue_wake(q);
    rec_queue_wait(q, 60LL * 1000000000); /* would hang the test for a minute if lost */
    /* A committed sample makes it return at once too. */
    assert_int_equal(rec_queue_push(q, 0, 0, "x", 1, 0, 0, NULL), 0);
    rec_queue_wait(q, 60LL * 1000000000);
    rec_queue_item it;
    assert_int_equal(rec_queue_peek(q, &it), 1);
    rec_queue_release(q);
    /* Idle: the naps run out, then a sample pushed later by another thread ends the long
     * wait (the producer's wake-up), far before its 60 s timeout. */
    for (int i = 0; i < REC_QUEUE_NAPS; i++) rec_queue_wait(q, 1000);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, late_push, q), 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    rec_queue_wait(q, 60LL * 1000000000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(t, NULL);
    assert_true(b.tv_sec - a.tv_sec < 30);
    assert_int_equal(rec_queue_peek(q, &it), 1);
    rec_queue_release(q);
    rec_queue_destroy(q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_fields),
        cmocka_unit_test(test_budget_drops_and_reuse),
        cmocka_unit_test(test_two_producers_one_consumer),
        cmocka_unit_test(test_wake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
