/* test_guard_policy — the recovery policy under a fake clock: immediate first restart,
 * exponential backoff up to the cap, the sliding restart budget, and runs that recorded data
 * never counted (immediate restart, no ERROR however many). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "guard/guard_policy.h"

#define S 1000000000LL
#define MS 1000000LL

static guard_policy_cfg defaults(void) {
    guard_policy_cfg c;
    guard_policy_cfg_defaults(&c);
    return c;
}

static void test_defaults_valid(void **st) {
    (void)st;
    guard_policy_cfg c = defaults();
    char err[128] = "";
    assert_int_equal(guard_policy_cfg_check(&c, err, sizeof err), 0);
    assert_int_equal(c.backoff_initial_ns, 1 * S);
    assert_int_equal(c.backoff_cap_ns, 30 * S);
    assert_int_equal(c.budget_starts, 5);
    assert_int_equal(c.budget_window_ns, 60 * S);
    /* the reasoning in the header: the first 5 delays fit in the window, so a loop trips it */
    int64_t sum = 0;
    for (int i = 0; i < 5; i++) sum += i == 0 ? 0 : (c.backoff_initial_ns << (i - 1));
    assert_true(sum < c.budget_window_ns);
}

static void test_cfg_errors(void **st) {
    (void)st;
    char err[128];
    guard_policy_cfg c = defaults();
    c.backoff_initial_ns = 0;
    assert_int_equal(guard_policy_cfg_check(&c, err, sizeof err), -EINVAL);
    assert_string_equal(err, "restart.backoff_initial: must be > 0");
    c = defaults();
    c.backoff_cap_ns = c.backoff_initial_ns - 1;
    assert_int_equal(guard_policy_cfg_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "restart.backoff_cap"));
    c = defaults();
    c.budget_starts = GUARD_POLICY_MAX_BUDGET + 1;
    assert_int_equal(guard_policy_cfg_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "budget_starts"));
    c = defaults();
    c.budget_window_ns = 0;
    assert_int_equal(guard_policy_cfg_check(&c, err, sizeof err), -EINVAL);
}

/* A recorder that dies the moment it starts: restarts at once, then after 1, 2, 4, 8 s; the
 * 6th restart would be the 6th in 60 s: budget spent. */
static void test_crash_loop_spends_budget(void **st) {
    (void)st;
    guard_policy_cfg c = defaults();
    guard_policy p;
    guard_policy_init(&p, &c);
    int64_t now = 1000 * S;
    const int64_t want[] = {0, 1 * S, 2 * S, 4 * S, 8 * S};
    for (int i = 0; i < 5; i++) {
        int64_t d = guard_policy_next(&p, now, 0);
        assert_int_equal(d, want[i]);
        now += d + 10 * MS; /* restarted, died 10 ms later */
    }
    assert_int_equal(guard_policy_next(&p, now, 0), GUARD_POLICY_BUDGET_SPENT);
    /* spending does not count a restart, and asking again still says spent */
    assert_int_equal(p.restarts_total, 5);
    assert_int_equal(guard_policy_next(&p, now + 1 * S, 0), GUARD_POLICY_BUDGET_SPENT);
    /* the operator starts again: everything forgotten, restart immediate */
    guard_policy_reset(&p);
    assert_int_equal(guard_policy_next(&p, now + 2 * S, 0), 0);
    assert_int_equal(p.restarts_total, 6);
}

/* Backoff doubles and stays at the cap; no budget (0 = unlimited) to see the cap. */
static void test_backoff_cap(void **st) {
    (void)st;
    guard_policy_cfg c = defaults();
    c.budget_starts = 0;
    c.backoff_initial_ns = 500 * MS;
    c.backoff_cap_ns = 5 * S;
    guard_policy p;
    guard_policy_init(&p, &c);
    const int64_t want[] = {0, 500 * MS, 1 * S, 2 * S, 4 * S, 5 * S, 5 * S, 5 * S};
    int64_t now = 0;
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        int64_t d = guard_policy_next(&p, now, 0);
        assert_int_equal(d, want[i]);
        now += d;
    }
    /* thousands of failures: the doubling must not overflow */
    for (int i = 0; i < 5000; i++) assert_int_equal(guard_policy_next(&p, now, 0), 5 * S);
}

/* kill -9 sixty times in a minute, every run recording: every restart immediate, never spent
 * (the 6th kill in a minute gave up for good). */
static void test_recording_runs_never_counted(void **st) {
    (void)st;
    guard_policy_cfg c = defaults();
    guard_policy p;
    guard_policy_init(&p, &c);
    int64_t now = 0;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(guard_policy_next(&p, now, 1), 0);
        now += 50 * MS; /* killed 50 ms after each start, having recorded */
    }
    assert_int_equal(p.failures, 0);
    assert_int_equal(p.nplanned, 0);
    assert_int_equal(p.restarts_total, 1000);
}

/* Failures without progress back off and count; one run that records wipes them, so a later
 * failure starts again at an immediate restart with the whole budget. */
static void test_progress_resets_backoff_and_budget(void **st) {
    (void)st;
    guard_policy_cfg c = defaults();
    c.budget_starts = 3;
    guard_policy p;
    guard_policy_init(&p, &c);
    int64_t now = 0;
    assert_int_equal(guard_policy_next(&p, now, 0), 0);
    assert_int_equal(guard_policy_next(&p, now, 0), 1 * S);
    assert_int_equal(guard_policy_next(&p, now + 1 * S, 0), 2 * S);
    assert_int_equal(p.nplanned, 3);
    now += 3 * S;
    assert_int_equal(guard_policy_next(&p, now, 1), 0); /* this run recorded */
    assert_int_equal(p.failures, 0);
    assert_int_equal(p.nplanned, 0);
    /* the same window again: three more failures are allowed before ERROR */
    assert_int_equal(guard_policy_next(&p, now, 0), 0);
    assert_int_equal(guard_policy_next(&p, now, 0), 1 * S);
    assert_int_equal(guard_policy_next(&p, now + 1 * S, 0), 2 * S);
    assert_int_equal(guard_policy_next(&p, now + 3 * S, 0), GUARD_POLICY_BUDGET_SPENT);
    /* even with the budget spent, a recording run (an operator start) is restarted at once */
    assert_int_equal(guard_policy_next(&p, now + 4 * S, 1), 0);
}

/* Interleaved: recording runs between failures keep the failures from ever adding up. */
static void test_interleaved_never_spends(void **st) {
    (void)st;
    guard_policy_cfg c = defaults();
    c.budget_starts = 1;
    guard_policy p;
    guard_policy_init(&p, &c);
    int64_t now = 0;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(guard_policy_next(&p, now, 0), 0);
        assert_int_equal(guard_policy_next(&p, now + 10 * MS, 1), 0);
        now += 20 * MS;
    }
}

/* A recorder that crashes every 40 s after a short stable-less run: restarts spread out over
 * more than the window never spend the budget. */
static void test_window_slides(void **st) {
    (void)st;
    guard_policy_cfg c = defaults();
    c.budget_starts = 3;
    c.budget_window_ns = 10 * S;
    c.backoff_initial_ns = 1 * S;
    c.backoff_cap_ns = 1 * S;
    guard_policy p;
    guard_policy_init(&p, &c);
    int64_t now = 0;
    for (int i = 0; i < 50; i++) {
        int64_t d = guard_policy_next(&p, now, 0);
        assert_true(d >= 0);
        now += d + 4 * S; /* restarts at most every 5 s: 2 per 10 s window */
    }
    /* now crash right after each restart: the window ending at the third quick restart
     * holds the last slow one and two quick ones (3 = the limit); the fourth is refused */
    int64_t d1 = guard_policy_next(&p, now, 0);
    assert_int_equal(d1, 1 * S);
    now += d1;
    int64_t d2 = guard_policy_next(&p, now, 0);
    assert_int_equal(d2, 1 * S);
    now += d2;
    assert_int_equal(guard_policy_next(&p, now, 0), GUARD_POLICY_BUDGET_SPENT);
}

/* Exactly at the window boundary the oldest restart no longer counts. */
static void test_window_boundary(void **st) {
    (void)st;
    guard_policy_cfg c = defaults();
    c.budget_starts = 2;
    c.budget_window_ns = 10 * S;
    c.backoff_initial_ns = 1 * S;
    c.backoff_cap_ns = 1 * S;
    guard_policy p;
    guard_policy_init(&p, &c);
    assert_int_equal(guard_policy_next(&p, 0, 0), 0);           /* planned at 0 */
    assert_int_equal(guard_policy_next(&p, 1 * S, 0), 1 * S);   /* planned at 2 s */
    /* planned at 9.999 s: 3 restarts in (0, 10): spent */
    assert_int_equal(guard_policy_next(&p, 9 * S - 1, 0), GUARD_POLICY_BUDGET_SPENT);
    /* planned at 10 s: the one at 0 is out of the window [10-10, 10) */
    assert_int_equal(guard_policy_next(&p, 9 * S, 0), 1 * S);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_valid),
        cmocka_unit_test(test_cfg_errors),
        cmocka_unit_test(test_crash_loop_spends_budget),
        cmocka_unit_test(test_backoff_cap),
        cmocka_unit_test(test_recording_runs_never_counted),
        cmocka_unit_test(test_progress_resets_backoff_and_budget),
        cmocka_unit_test(test_interleaved_never_spends),
        cmocka_unit_test(test_window_slides),
        cmocka_unit_test(test_window_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
