/* test_guard_alertlim — alert de-dup and rate limit under an injected clock: the same key is
 * held within the window and sent after it, different keys pass, the bucket empties after the
 * burst and refills one per period, failures skip de-dup but not the bucket, and the count of
 * held alerts reaches the next one sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "guard/guard_alertlim.h"

#define S 1000000000LL

static void test_dedup(void **st) {
    (void)st;
    guard_alertlim l;
    guard_alertlim_init(&l);
    unsigned held = 99;
    assert_int_equal(guard_alertlim_check(&l, "health:warning:memory", 1, 10 * S, &held), GUARD_ALERTLIM_SEND);
    assert_int_equal(held, 0);
    /* a flapping verdict: the same key again and again within 10 min */
    for (int i = 1; i <= 50; i++)
        assert_int_equal(guard_alertlim_check(&l, "health:warning:memory", 1, 10 * S + i * S, NULL), GUARD_ALERTLIM_DUP);
    assert_int_equal(guard_alertlim_check(&l, "health:warning:disk", 1, 70 * S, &held), GUARD_ALERTLIM_SEND);
    assert_int_equal(held, 50);
    assert_int_equal(guard_alertlim_check(&l, "health:warning:memory", 1, 10 * S + GUARD_ALERTLIM_DEDUP_NS, &held),
                     GUARD_ALERTLIM_SEND);
    assert_int_equal(held, 0);
    assert_string_equal(guard_alertlim_verdict_name(GUARD_ALERTLIM_DUP), "duplicate");
}

static void test_rate(void **st) {
    (void)st;
    guard_alertlim l;
    guard_alertlim_init(&l);
    char key[32];
    int64_t t = 100 * S;
    for (unsigned i = 0; i < GUARD_ALERTLIM_BURST; i++) {
        snprintf(key, sizeof key, "k%u", i);
        assert_int_equal(guard_alertlim_check(&l, key, 1, t, NULL), GUARD_ALERTLIM_SEND);
    }
    assert_int_equal(guard_alertlim_check(&l, "other", 1, t, NULL), GUARD_ALERTLIM_RATE);
    /* failures skip de-dup but share the bucket */
    assert_int_equal(guard_alertlim_check(&l, "crashed", 0, t + S, NULL), GUARD_ALERTLIM_RATE);
    assert_int_equal(guard_alertlim_check(&l, "crashed", 0, t + GUARD_ALERTLIM_REFILL_NS - 1, NULL), GUARD_ALERTLIM_RATE);
    unsigned held;
    assert_int_equal(guard_alertlim_check(&l, "crashed", 0, t + GUARD_ALERTLIM_REFILL_NS, &held), GUARD_ALERTLIM_SEND);
    assert_int_equal(held, 3);
    assert_int_equal(guard_alertlim_check(&l, "crashed", 0, t + GUARD_ALERTLIM_REFILL_NS + 1, NULL), GUARD_ALERTLIM_RATE);
    /* a long quiet time refills the whole bucket, and no more */
    int64_t later = t + 100 * GUARD_ALERTLIM_REFILL_NS;
    for (unsigned i = 0; i < GUARD_ALERTLIM_BURST; i++)
        assert_int_equal(guard_alertlim_check(&l, "crashed", 0, later, NULL), GUARD_ALERTLIM_SEND);
    assert_int_equal(guard_alertlim_check(&l, "crashed", 0, later, NULL), GUARD_ALERTLIM_RATE);
}

static void test_many_keys(void **st) {
    (void)st;
    guard_alertlim l;
    guard_alertlim_init(&l);
    l.burst = l.tokens = 1000;
    char key[32];
    /* more keys than slots: the oldest is forgotten, so it may alert again */
    for (int i = 0; i <= GUARD_ALERTLIM_KEYS; i++) {
        snprintf(key, sizeof key, "topic%d", i);
        assert_int_equal(guard_alertlim_check(&l, key, 1, (int64_t)(i + 1) * S, NULL), GUARD_ALERTLIM_SEND);
    }
    assert_int_equal(guard_alertlim_check(&l, "topic0", 1, 40 * S, NULL), GUARD_ALERTLIM_SEND);
    assert_int_equal(guard_alertlim_check(&l, "topic5", 1, 41 * S, NULL), GUARD_ALERTLIM_DUP);
    /* a key longer than a slot is compared on what is kept */
    char lng[300];
    memset(lng, 'x', sizeof lng - 1);
    lng[sizeof lng - 1] = '\0';
    assert_int_equal(guard_alertlim_check(&l, lng, 1, 50 * S, NULL), GUARD_ALERTLIM_SEND);
    assert_int_equal(guard_alertlim_check(&l, lng, 1, 51 * S, NULL), GUARD_ALERTLIM_DUP);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dedup), cmocka_unit_test(test_rate),
                                       cmocka_unit_test(test_many_keys)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
