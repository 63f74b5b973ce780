/* test_guard_expect — expected-rate rules and the no-data check on synthetic figures: rate and
 * silence breaches with their wording, regex rules, never-seen topics, the start-up grace, the
 * recovery, and no data while publishers remain (but not for topics that publish rarely). */
#include "guard/guard_expect.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define S 1000000000LL
#define WIN (4 * S)

static void test_add_errors(void **state) {
    (void)state;
    guard_expect_rules r = {0};
    char err[256];
    assert_int_equal(guard_expect_add(&r, "^(", 1, 0, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "expect(^(): bad regex"));
    assert_int_equal(guard_expect_add(&r, "/imu", 0, 0, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "min_rate"));
    assert_int_equal(guard_expect_add(&r, "", 1, 0, err, sizeof err), -EINVAL);
    assert_int_equal(guard_expect_add(&r, "/imu", -1, 0, err, sizeof err), -EINVAL);
    assert_int_equal(guard_expect_add(&r, "/imu", 190, S, err, sizeof err), 0);
    assert_int_equal(guard_expect_add(&r, "^/camera/", 0, 2 * S, err, sizeof err), 0);
    assert_int_equal(r.n, 2);
    assert_true(guard_expect_matches(&r.v[0], "/imu"));
    assert_false(guard_expect_matches(&r.v[0], "/imu2"));
    assert_true(guard_expect_matches(&r.v[1], "/camera/image_raw"));
    assert_false(guard_expect_matches(&r.v[1], "/other/camera/x"));
    /* the rate a topic must meet: the strictest matching rule's; none for a silence rule */
    assert_true(guard_expect_min_rate(&r, "/imu") == 190);
    assert_true(guard_expect_min_rate(&r, "/camera/image_raw") == 0);
    assert_int_equal(guard_expect_add(&r, "^/im", 250, 0, err, sizeof err), 0);
    assert_true(guard_expect_min_rate(&r, "/imu") == 250);
    assert_true(guard_expect_min_rate(&r, "/image") == 250);
    assert_true(guard_expect_min_rate(NULL, "/imu") == 0);
    guard_expect_rules_free(&r);
}

static void test_rules(void **state) {
    (void)state;
    guard_expect_rules r = {0};
    char err[256];
    assert_int_equal(guard_expect_add(&r, "/imu", 190, 0, err, sizeof err), 0);
    assert_int_equal(guard_expect_add(&r, "^/camera/", 0, 1 * S, err, sizeof err), 0);
    assert_int_equal(guard_expect_add(&r, "/gps", 0, 2 * S, err, sizeof err), 0);
    guard_expect_state s = {0};
    guard_expect_init(&s, 100 * S);
    guard_expect_obs obs[] = {
        {"/imu", 1, 100, 12.0, 0.01},
        {"/camera/image_raw", 1, 50, 30.0, 3.2},
        {"/camera/info", 1, 50, 30.0, 0.01},
    };
    guard_expect_report rep;
    /* During the first window only silence counts; /gps has 2 s of grace. */
    guard_expect_eval(&s, &r, 0, WIN, obs, 3, 101 * S, &rep);
    assert_int_equal(rep.nreasons, 1);
    assert_string_equal(rep.reasons[0], "/camera/image_raw silent for 3.2 s");
    guard_expect_eval(&s, &r, 0, WIN, obs, 3, 105 * S, &rep);
    assert_int_equal(rep.nreasons, 3);
    assert_string_equal(rep.reasons[0], "/imu 12.0 Hz, expected >= 190 Hz");
    assert_string_equal(rep.topics[0], "/imu");
    assert_string_equal(rep.reasons[1], "/camera/image_raw silent for 3.2 s");
    assert_string_equal(rep.reasons[2], "/gps silent for 5.0 s"); /* never seen */
    assert_false(rep.no_data);
    /* Recovery clears. */
    obs[0].rate_hz = 200.0;
    obs[1].age_s = 0.03;
    guard_expect_obs all[] = {obs[0], obs[1], obs[2], {"/gps", 1, 10, 5.0, 0.1}};
    guard_expect_eval(&s, &r, 0, WIN, all, 4, 106 * S, &rep);
    assert_int_equal(rep.nreasons, 0);
    guard_expect_fini(&s);
    guard_expect_rules_free(&r);
}

static void test_reason_cap(void **state) {
    (void)state;
    guard_expect_rules r = {0};
    char err[256];
    assert_int_equal(guard_expect_add(&r, "^/t", 0, S, err, sizeof err), 0);
    guard_expect_obs obs[20];
    char names[20][16];
    for (int i = 0; i < 20; i++) {
        snprintf(names[i], sizeof names[i], "/t%d", i);
        obs[i] = (guard_expect_obs){names[i], 1, 1, 0, 9.0};
    }
    guard_expect_state s = {0};
    guard_expect_init(&s, 0);
    guard_expect_report rep;
    guard_expect_eval(&s, &r, 0, WIN, obs, 20, 10 * S, &rep);
    assert_int_equal(rep.nreasons, GUARD_EXPECT_MAX_REASONS);
    guard_expect_fini(&s);
    guard_expect_rules_free(&r);
}

static void test_no_data(void **state) {
    (void)state;
    guard_expect_state s = {0};
    guard_expect_init(&s, 0);
    guard_expect_report rep;
    guard_expect_obs obs[] = {{"/chatter", 1, 0, 0, -1}, {"/rosout", 2, 0, 0, -1}};
    /* Nothing ever flowed: quiet publishers are not a broken recorder. */
    for (int64_t t = 0; t <= 20 * S; t += S) {
        guard_expect_eval(&s, NULL, 5 * S, WIN, obs, 2, t, &rep);
        assert_false(rep.no_data);
    }
    /* /chatter flows at 10 Hz, /rosout rarely. */
    for (int64_t t = 21 * S; t <= 30 * S; t += S) {
        obs[0].messages += 10;
        obs[0].rate_hz = 10;
        obs[1].messages += (t % (5 * S)) == 0;
        obs[1].rate_hz = 0.2;
        guard_expect_eval(&s, NULL, 5 * S, WIN, obs, 2, t, &rep);
        assert_false(rep.no_data);
    }
    /* Cut off: counts stop, the rate window decays, publishers are still known. */
    obs[0].rate_hz = 0;
    guard_expect_eval(&s, NULL, 5 * S, WIN, obs, 2, 34 * S, &rep);
    assert_false(rep.no_data);
    guard_expect_eval(&s, NULL, 5 * S, WIN, obs, 2, 35 * S, &rep);
    assert_true(rep.no_data);
    assert_string_equal(rep.no_data_reason, "no data for 5.0 s while /chatter has 1 publisher");
    /* Off when the timeout is 0. */
    guard_expect_eval(&s, NULL, 0, WIN, obs, 2, 36 * S, &rep);
    assert_false(rep.no_data);
    /* Publishers gone (the stack stopped): nothing to blame the recorder for. */
    obs[0].publishers = 0;
    guard_expect_eval(&s, NULL, 5 * S, WIN, obs, 2, 37 * S, &rep);
    assert_false(rep.no_data);
    /* A new recorder starts afresh. */
    obs[0].publishers = 1;
    guard_expect_init(&s, 40 * S);
    guard_expect_eval(&s, NULL, 5 * S, WIN, obs, 2, 41 * S, &rep);
    assert_false(rep.no_data);
    guard_expect_fini(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_errors),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_reason_cap),
        cmocka_unit_test(test_no_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
