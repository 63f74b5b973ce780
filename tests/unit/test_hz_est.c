/* test_hz_est — the rate estimators on synthetic arrival times: steady rates from 10 Hz to
 * 100 kHz, jitter, bursts, a topic that pauses and resumes, clocks that jump both ways,
 * counters that wrap, and the count window like `ros2 topic hz --window`. */
#include "hz/hz_est.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define S 1000000000LL /* ns per second */
#define WIN (4 * S)    /* the recorder's window */

static void feed(hz_win *w, int64_t *t, int64_t period, int n, uint64_t size) {
    for (int i = 0; i < n; i++) {
        hz_win_add(w, *t, size);
        *t += period;
    }
}

static void near(double got, double want, double rel) {
    if (fabs(got - want) > rel * fabs(want) + 1e-12) fail_msg("got %.9g, want %.9g (rel %g)", got, want, rel);
}

static void test_steady_rates(void **state) {
    (void)state;
    const int64_t periods[] = {S / 10, S / 1000, S / 10000, S / 100000};
    for (size_t k = 0; k < sizeof periods / sizeof periods[0]; k++) {
        hz_win w;
        hz_win_init(&w, WIN);
        int64_t t = 5 * S;
        int n = (int)(6 * S / periods[k]);
        feed(&w, &t, periods[k], n, 100);
        hz_stats st;
        int64_t last = t - periods[k];
        hz_win_query(&w, last + periods[k] / 2, &st);
        double want = (double)S / (double)periods[k];
        near(st.rate_hz, want, 1e-9);
        near(st.period_min_s, (double)periods[k] / S, 1e-12);
        near(st.period_max_s, (double)periods[k] / S, 1e-12);
        assert_true(st.period_std_s < 1e-9);
        near(st.bandwidth_bps, 100.0 * want, 1e-9);
        near(st.mean_size, 100.0, 1e-12);
        near(st.age_s, (double)periods[k] / 2 / S, 1e-9);
        assert_int_equal(st.total_msgs, (uint64_t)n);
        assert_int_equal(st.total_bytes, (uint64_t)n * 100);
        /* Only the window is held: about 4 s of messages, never all 6 s. */
        assert_true(st.msgs <= (uint64_t)(WIN / periods[k]) + 1);
        assert_true(st.msgs >= (uint64_t)((WIN - WIN / HZ_WIN_BUCKETS) / periods[k]));
    }
}

static void test_jitter_and_sizes(void **state) {
    (void)state;
    hz_win w;
    hz_win_init(&w, WIN);
    int64_t t = S;
    for (int i = 0; i < 400; i++) { /* 9 ms, 11 ms alternating: 100 Hz, std dev 1 ms */
        hz_win_add(&w, t, i % 2 ? 300 : 100);
        t += i % 2 ? 9 * S / 1000 : 11 * S / 1000;
    }
    hz_stats st;
    hz_win_query(&w, t - 5 * S / 1000, &st);
    near(st.rate_hz, 100.0, 1e-3);
    near(st.period_min_s, 0.009, 1e-9);
    near(st.period_max_s, 0.011, 1e-9);
    near(st.period_std_s, 0.001, 1e-3);
    near(st.mean_size, 200.0, 1e-2);
    assert_int_equal(st.size_min, 100);
    assert_int_equal(st.size_max, 300);
    near(st.bandwidth_bps, 20000.0, 1e-2);
}

static void test_bursts(void **state) {
    (void)state;
    /* 10 messages 1 us apart, once per 100 ms: 100 messages/s on average. */
    hz_win w;
    hz_win_init(&w, WIN);
    hz_cwin c;
    assert_int_equal(hz_cwin_init(&c, 1000), 0);
    int64_t t0 = S;
    for (int b = 0; b < 100; b++)
        for (int i = 0; i < 10; i++) {
            hz_win_add(&w, t0 + b * S / 10 + i * 1000, 50);
            hz_cwin_add(&c, t0 + b * S / 10 + i * 1000, 50);
        }
    int64_t last = t0 + 99 * S / 10 + 9000;
    hz_stats st;
    hz_win_query(&w, last + 1000, &st);
    near(st.rate_hz, 100.0, 0.01);
    near(st.period_min_s, 1e-6, 1e-9);
    near(st.period_max_s, 0.1 - 9e-6, 1e-9);
    assert_true(st.period_std_s > 0.02);
    hz_cwin_query(&c, last + 1000, &st);
    assert_int_equal(st.msgs, 1000);
    assert_int_equal(st.periods, 999);
    near(st.rate_hz, 999.0 / ((double)(last - t0) / S), 1e-9);
    near(st.period_min_s, 1e-6, 1e-9);
    hz_cwin_fini(&c);
}

static void test_pause_and_resume(void **state) {
    (void)state;
    hz_win w;
    hz_win_init(&w, WIN);
    int64_t t = 10 * S;
    feed(&w, &t, S / 100, 500, 10); /* 5 s at 100 Hz */
    int64_t last = t - S / 100;
    hz_stats st;
    hz_win_query(&w, last + S / 100, &st);
    near(st.rate_hz, 100.0, 1e-9); /* one period of silence is normal */
    hz_win_query(&w, last + S, &st);
    assert_true(st.rate_hz < 90.0 && st.rate_hz > 10.0); /* slowing down visibly */
    near(st.age_s, 1.0, 1e-9);
    double r1 = st.rate_hz;
    hz_win_query(&w, last + 3 * S, &st);
    assert_true(st.rate_hz < r1);
    hz_win_query(&w, last + WIN + S, &st);
    assert_int_equal(st.msgs, 0);
    assert_true(st.rate_hz == 0.0);
    assert_true(st.bandwidth_bps == 0.0);
    near(st.age_s, 5.0, 1e-9);
    assert_int_equal(st.total_msgs, 500);
    /* Resume: the 5 s gap is one period (as ros2 topic hz counts it) until it leaves the window. */
    t = last + 5 * S;
    feed(&w, &t, S / 100, 100, 10);
    hz_win_query(&w, t - S / 200, &st);
    assert_true(st.period_max_s >= 5.0);
    assert_true(st.rate_hz < 100.0);
    feed(&w, &t, S / 100, 500, 10);
    hz_win_query(&w, t - S / 200, &st);
    near(st.rate_hz, 100.0, 1e-9);
    near(st.period_max_s, 0.01, 1e-9);
}

static void test_never_seen(void **state) {
    (void)state;
    hz_win w;
    hz_win_init(&w, WIN);
    hz_stats st;
    hz_win_query(&w, 123 * S, &st);
    assert_true(st.age_s < 0);
    assert_int_equal(st.msgs, 0);
    assert_true(st.rate_hz == 0.0);
    hz_win_add(&w, 124 * S, 7); /* one message: an age, no rate */
    hz_win_query(&w, 125 * S, &st);
    near(st.age_s, 1.0, 1e-12);
    assert_int_equal(st.msgs, 1);
    assert_int_equal(st.periods, 0);
    assert_true(st.rate_hz == 0.0);
    near(st.mean_size, 7.0, 1e-12);
}

static void test_clock_jumps(void **state) {
    (void)state;
    hz_win w;
    hz_win_init(&w, WIN);
    int64_t t = 1000 * S;
    feed(&w, &t, S / 100, 300, 1);
    /* Stepped back by 900 s: no negative period, the window restarts. */
    t -= 900 * S;
    feed(&w, &t, S / 100, 300, 1);
    hz_stats st;
    hz_win_query(&w, t, &st);
    assert_int_equal(st.jumps, 1);
    near(st.rate_hz, 100.0, 1e-9);
    assert_true(st.period_min_s > 0);
    near(st.period_max_s, 0.01, 1e-9);
    assert_int_equal(st.total_msgs, 600);
    /* A query from before the last arrival reads age 0, not a negative one. */
    hz_win_query(&w, t - 10 * S, &st);
    assert_true(st.age_s == 0.0);
    /* Stepped forward by an hour: that hour is silence, then the window refills. */
    t += 3600 * S;
    feed(&w, &t, S / 100, 100, 1);
    hz_win_query(&w, t, &st);
    assert_true(st.rate_hz < 1.0);
    feed(&w, &t, S / 100, 500, 1);
    hz_win_query(&w, t, &st);
    near(st.rate_hz, 100.0, 1e-9);
    assert_int_equal(st.jumps, 1);
}

static void test_negative_times(void **state) {
    (void)state;
    hz_win w;
    hz_win_init(&w, WIN);
    int64_t t = -3 * S; /* a clock with an arbitrary epoch may start below zero */
    feed(&w, &t, S / 50, 300, 1);
    hz_stats st;
    hz_win_query(&w, t, &st);
    near(st.rate_hz, 50.0, 1e-9);
    assert_true(st.msgs >= 180 && st.msgs <= 201);
}

static void test_counter_wrap(void **state) {
    (void)state;
    hz_win w;
    hz_win_init(&w, WIN);
    w.total_msgs = UINT64_MAX - 1;
    w.total_bytes = UINT64_MAX - 100;
    int64_t t = S;
    feed(&w, &t, S / 10, 3, 100);
    hz_stats st;
    hz_win_query(&w, t, &st);
    assert_int_equal(st.total_msgs, 1);
    assert_int_equal(st.total_bytes, 199);
    assert_int_equal(hz_u64_delta(st.total_msgs, UINT64_MAX - 1), 3);
    assert_int_equal(hz_u64_delta(st.total_bytes, UINT64_MAX - 100), 300);
    assert_int_equal(hz_u64_delta(10, 4), 6);
    near(st.rate_hz, 10.0, 1e-9); /* the windowed figures never look at the totals */
    hz_cwin c;
    assert_int_equal(hz_cwin_init(&c, 4), 0);
    c.total_msgs = UINT64_MAX;
    hz_cwin_add(&c, S, 1);
    hz_cwin_query(&c, S, &st);
    assert_int_equal(st.total_msgs, 0);
    hz_cwin_fini(&c);
}

static void test_count_window(void **state) {
    (void)state;
    hz_cwin c;
    assert_int_equal(hz_cwin_init(&c, 0), -EINVAL);
    assert_int_equal(hz_cwin_init(&c, 1), -EINVAL);
    assert_int_equal(hz_cwin_init(&c, HZ_CWIN_MAX + 1), -EINVAL);
    assert_int_equal(hz_cwin_init(&c, 100), 0);
    hz_stats st;
    hz_cwin_query(&c, S, &st);
    assert_true(st.age_s < 0);
    int64_t t = S;
    for (int i = 0; i < 1000; i++) { /* 9 / 11 ms alternating */
        hz_cwin_add(&c, t, 8);
        t += i % 2 ? 9 * S / 1000 : 11 * S / 1000;
    }
    hz_cwin_query(&c, t, &st);
    assert_int_equal(st.msgs, 100);
    assert_int_equal(st.periods, 99);
    near(st.rate_hz, 100.0, 2e-3);
    near(st.period_min_s, 0.009, 1e-9);
    near(st.period_max_s, 0.011, 1e-9);
    near(st.period_std_s, 0.001, 1e-2);
    near(st.bandwidth_bps, 800.0, 2e-3);
    assert_int_equal(st.total_msgs, 1000);
    /* A paused topic keeps its last window (ros2 topic hz); the age grows. */
    hz_cwin_query(&c, t + 10 * S, &st);
    near(st.rate_hz, 100.0, 2e-3);
    assert_true(st.age_s > 10.0);
    /* A backward jump restarts the ring. */
    hz_cwin_add(&c, S, 8);
    hz_cwin_add(&c, S + S / 10, 8);
    hz_cwin_query(&c, S + S / 10, &st);
    assert_int_equal(st.jumps, 1);
    assert_int_equal(st.msgs, 2);
    near(st.rate_hz, 10.0, 1e-9);
    hz_cwin_fini(&c);
}

static void test_classify(void **state) {
    (void)state;
    assert_int_equal(hz_classify(0, 0, -1, 0, 4), HZ_NEVER_SEEN);
    assert_int_equal(hz_classify(100, 40, 0.005, 0.01, 4), HZ_ACTIVE);
    assert_int_equal(hz_classify(100, 40, 0.05, 0.01, 4), HZ_SLOW);     /* 5 periods late, < 1 s */
    assert_int_equal(hz_classify(100, 40, 1.5, 0.01, 4), HZ_SILENT);
    assert_int_equal(hz_classify(100, 0, 0.5, 0.0, 4), HZ_SILENT);      /* window emptied */
    assert_int_equal(hz_classify(10, 2, 12.0, 5.0, 4), HZ_SLOW);        /* 0.2 Hz topic */
    assert_int_equal(hz_classify(10, 2, 26.0, 5.0, 4), HZ_SILENT);
    assert_int_equal(hz_classify(1, 1, 3.0, 0.0, 4), HZ_ACTIVE);        /* one message: window */
    assert_string_equal(hz_state_name(HZ_NEVER_SEEN), "never seen");
    assert_string_equal(hz_state_name(HZ_SILENT), "silent");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady_rates),    cmocka_unit_test(test_jitter_and_sizes),
        cmocka_unit_test(test_bursts),          cmocka_unit_test(test_pause_and_resume),
        cmocka_unit_test(test_never_seen),      cmocka_unit_test(test_clock_jumps),
        cmocka_unit_test(test_negative_times),  cmocka_unit_test(test_counter_wrap),
        cmocka_unit_test(test_count_window),    cmocka_unit_test(test_classify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
