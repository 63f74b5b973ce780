/* test_guard_standby — the hot standby's rules: readiness from its stats under a fake clock,
 * promotion only of a ready standby after an unplanned end or a replacement (never on a stop,
 * a split or a full disk), the kill-at-once replacement, and the respawn backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/guard_standby.h"

#define MS 1000000LL
#define S 1000000000LL

static void test_assess(void **st) {
    (void)st;
    int64_t now = 100 * S;
    guard_standby_obs o = {.alive = 1, .have_stats = 1, .role_standby = 1, .heartbeat_mono_ns = now - 200 * MS};
    /* fresh but not (long enough) matched to the recorder's publishers: not ready yet */
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_STARTING);
    o.covered_since_ns = now - GUARD_STANDBY_SETTLE_NS + 1;
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_STARTING);
    o.covered_since_ns = now - GUARD_STANDBY_SETTLE_NS;
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_READY);
    /* a heartbeat read just after the writer stamped it may lie ahead of our clock read */
    o.heartbeat_mono_ns = now + 1;
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_READY);
    /* stale heartbeat: starting before it was ever ready, stale after */
    o.heartbeat_mono_ns = now - GUARD_STANDBY_FRESH_NS;
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_STARTING);
    o.was_ready = 1;
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_STALE);
    /* fresh, but the stats say recorder: promoted already, not a standby any more */
    o.heartbeat_mono_ns = now;
    o.role_standby = 0;
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_STALE);
    o.role_standby = 1;
    o.covered_since_ns = 0; /* once ready, coverage is not asked again */
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_READY);
    o.was_ready = 0;
    o.have_stats = 0; /* no stats file yet, or another process's */
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_STARTING);
    o.alive = 0;
    o.have_stats = 1;
    assert_int_equal(guard_standby_assess(&o, now), GUARD_STANDBY_OFF);
}

static rec_stats_snapshot *snap(void) { return calloc(1, sizeof(rec_stats_snapshot)); }

static void topic(rec_stats_snapshot *s, const char *name, uint32_t matched) {
    rec_stats_topic *t = &s->topics[s->ntopics++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->matched = matched;
}

/* Coverage: topic by topic, by name, in any order; topics without matched publishers on the
 * recorder's side do not count. */
static void test_covers(void **st) {
    (void)st;
    rec_stats_snapshot *p = snap(), *s = snap();
    assert_true(guard_standby_covers(p, s)); /* nothing recorded yet */
    topic(p, "/a", 1);
    topic(p, "/b", 2);
    topic(p, "/gone", 0);
    assert_false(guard_standby_covers(p, s));
    topic(s, "/b", 1);
    topic(s, "/a", 1);
    assert_false(guard_standby_covers(p, s)); /* /b: one of two publishers */
    s->topics[0].matched = 2;
    assert_true(guard_standby_covers(p, s));
    topic(s, "/extra", 3); /* the standby may know more */
    assert_true(guard_standby_covers(p, s));
    free(p);
    free(s);
}

static void test_on_primary_end(void **st) {
    (void)st;
    static const guard_event ends[] = {GUARD_EV_EXITED, GUARD_EV_CRASHED};
    for (size_t i = 0; i < 2; i++) {
        guard_event e = ends[i];
        /* unplanned ends and replacements promote a ready standby */
        assert_int_equal(guard_standby_on_primary_end(GUARD_ST_RECORDING, e, GUARD_STANDBY_READY), GUARD_STANDBY_PROMOTE);
        assert_int_equal(guard_standby_on_primary_end(GUARD_ST_STARTING, e, GUARD_STANDBY_READY), GUARD_STANDBY_PROMOTE);
        assert_int_equal(guard_standby_on_primary_end(GUARD_ST_RECOVERING, e, GUARD_STANDBY_READY), GUARD_STANDBY_PROMOTE);
        /* any other standby: the plain restart */
        for (int s = 0; s < GUARD_STANDBY__COUNT; s++) {
            if (s == GUARD_STANDBY_READY) continue;
            assert_int_equal(guard_standby_on_primary_end(GUARD_ST_RECORDING, e, (guard_standby_state)s), GUARD_STANDBY_PLAIN);
            assert_int_equal(guard_standby_on_primary_end(GUARD_ST_RECOVERING, e, (guard_standby_state)s), GUARD_STANDBY_PLAIN);
        }
        /* planned ends (stop, split, disk pause) stop the standby too */
        assert_int_equal(guard_standby_on_primary_end(GUARD_ST_STOPPING, e, GUARD_STANDBY_READY), GUARD_STANDBY_STOP_TOO);
    }
    /* a full disk never promotes: the standby would meet the same wall */
    for (int st2 = 0; st2 < GUARD_ST__COUNT; st2++)
        assert_int_equal(guard_standby_on_primary_end((guard_state)st2, GUARD_EV_DISK_FULL, GUARD_STANDBY_READY),
                         GUARD_STANDBY_STOP_TOO);
    /* every verdict matches what the fsm accepts: PROMOTE only where PROMOTED is accepted */
    for (int st2 = 0; st2 < GUARD_ST__COUNT; st2++) {
        guard_fsm fsm = {.state = (guard_state)st2};
        guard_fsm_step step;
        guard_fsm_feed(&fsm, GUARD_EV_PROMOTED, &step);
        int promotes = guard_standby_on_primary_end((guard_state)st2, GUARD_EV_CRASHED, GUARD_STANDBY_READY) ==
                       GUARD_STANDBY_PROMOTE;
        assert_int_equal(promotes, step.verdict == GUARD_FSM_ACCEPTED);
        if (promotes) assert_int_equal(step.to, GUARD_ST_RECORDING);
    }
}

static void test_kill_and_wanted(void **st) {
    (void)st;
    assert_true(guard_standby_kill_at_once(GUARD_STANDBY_READY));
    assert_false(guard_standby_kill_at_once(GUARD_STANDBY_STARTING));
    assert_false(guard_standby_kill_at_once(GUARD_STANDBY_STALE));
    assert_false(guard_standby_kill_at_once(GUARD_STANDBY_OFF));
    assert_true(guard_standby_wanted(GUARD_ST_RECORDING, 1));
    assert_true(guard_standby_wanted(GUARD_ST_STARTING, 1));
    assert_true(guard_standby_wanted(GUARD_ST_RECOVERING, 1));
    assert_false(guard_standby_wanted(GUARD_ST_RECORDING, 0));
    assert_false(guard_standby_wanted(GUARD_ST_STOPPING, 1));
    assert_false(guard_standby_wanted(GUARD_ST_IDLE, 1));
    assert_false(guard_standby_wanted(GUARD_ST_ERROR, 1));
    assert_false(guard_standby_wanted(GUARD_ST_DISK_LOW, 1));
}

static void test_backoff(void **st) {
    (void)st;
    assert_int_equal(guard_standby_backoff_ns(1), GUARD_STANDBY_BACKOFF_INITIAL_NS);
    assert_int_equal(guard_standby_backoff_ns(2), 2 * GUARD_STANDBY_BACKOFF_INITIAL_NS);
    assert_int_equal(guard_standby_backoff_ns(3), 4 * GUARD_STANDBY_BACKOFF_INITIAL_NS);
    int64_t prev = 0;
    for (unsigned f = 1; f < 100; f++) { /* monotonic, capped, no overflow */
        int64_t d = guard_standby_backoff_ns(f);
        assert_true(d >= prev);
        assert_true(d <= GUARD_STANDBY_BACKOFF_CAP_NS);
        prev = d;
    }
    assert_int_equal(prev, GUARD_STANDBY_BACKOFF_CAP_NS);
    assert_int_equal(guard_standby_backoff_ns(0), GUARD_STANDBY_BACKOFF_INITIAL_NS);
}

static void test_names(void **st) {
    (void)st;
    for (int s = 0; s < GUARD_STANDBY__COUNT; s++)
        assert_string_not_equal(guard_standby_state_name((guard_standby_state)s), "?");
    assert_string_equal(guard_standby_state_name(GUARD_STANDBY_READY), "ready");
    assert_string_equal(guard_standby_state_name(GUARD_STANDBY__COUNT), "?");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assess),
        cmocka_unit_test(test_covers),
        cmocka_unit_test(test_on_primary_end),
        cmocka_unit_test(test_kill_and_wanted),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
