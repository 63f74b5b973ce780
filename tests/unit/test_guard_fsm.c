/* test_guard_fsm — walks every cell of the guardian's state table against an independent
 * spec written out below, checks the table's global properties (operator commands are never
 * silently ignored, every state can get back to IDLE, ERROR only from a spent budget), and
 * plays the life cycles the daemon goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "guard/guard_fsm.h"

#define I 'I' /* ignored */
#define R 'R' /* rejected */
#define A 'A' /* accepted */

typedef struct spec {
    guard_state st;
    int then;       /* guard_fsm_then before: 0 idle, 1 split, 2 disk (STOPPING only) */
    guard_event ev;
    char verdict;
    guard_state next;
    unsigned actions;
    int then_after; /* guard_fsm_then after */
} spec;

#define S(x) GUARD_ST_##x
#define E(x) GUARD_EV_##x
#define STOPA GUARD_ACT_SIGNAL_STOP
#define ESC GUARD_ACT_ESCALATE
#define HOOK GUARD_ACT_RUN_POST_CRASH_HOOK
#define RESET GUARD_ACT_RESET_BUDGET
#define RESTART GUARD_ACT_SCHEDULE_RESTART
#define SPAWN GUARD_ACT_SPAWN
#define ALERT GUARD_ACT_ALERT
#define CANCEL GUARD_ACT_CANCEL_RESTART

/* The rules, as the issue and ARCHITECTURE.md state them, cell by cell. */
static const spec specs[] = {
    {S(IDLE), 0, E(START), A, S(STARTING), RESET | SPAWN, 0},
    {S(IDLE), 0, E(STOP), R, S(IDLE), 0, 0},
    {S(IDLE), 0, E(SPLIT), R, S(IDLE), 0, 0},
    {S(IDLE), 0, E(SPAWNED), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(SPAWN_FAILED), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(READY), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(EXITED), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(CRASHED), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(UNHEALTHY), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(DISK_LOW), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(BACKOFF_ELAPSED), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(BUDGET_SPENT), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(STOP_TIMEOUT), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(ADOPTED), A, S(RECORDING), 0, 0},
    {S(IDLE), 0, E(DISK_FULL), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(DISK_OK), I, S(IDLE), 0, 0},
    {S(IDLE), 0, E(PROMOTED), I, S(IDLE), 0, 0},

    {S(STARTING), 0, E(START), R, S(STARTING), 0, 0},
    {S(STARTING), 0, E(STOP), A, S(STOPPING), STOPA, 0},
    {S(STARTING), 0, E(SPLIT), R, S(STARTING), 0, 0},
    {S(STARTING), 0, E(SPAWNED), A, S(STARTING), 0, 0},
    {S(STARTING), 0, E(SPAWN_FAILED), A, S(RECOVERING), RESTART | ALERT, 0},
    {S(STARTING), 0, E(READY), A, S(RECORDING), 0, 0},
    {S(STARTING), 0, E(EXITED), A, S(RECOVERING), RESTART | ALERT, 0},
    {S(STARTING), 0, E(CRASHED), A, S(RECOVERING), HOOK | RESTART | ALERT, 0},
    {S(STARTING), 0, E(UNHEALTHY), A, S(RECOVERING), STOPA | ALERT, 0},
    {S(STARTING), 0, E(DISK_LOW), A, S(STOPPING), STOPA | ALERT, 2},
    {S(STARTING), 0, E(BACKOFF_ELAPSED), I, S(STARTING), 0, 0},
    {S(STARTING), 0, E(BUDGET_SPENT), I, S(STARTING), 0, 0},
    {S(STARTING), 0, E(STOP_TIMEOUT), I, S(STARTING), 0, 0},
    {S(STARTING), 0, E(ADOPTED), I, S(STARTING), 0, 0},
    {S(STARTING), 0, E(DISK_FULL), A, S(DISK_LOW), ALERT, 0},
    {S(STARTING), 0, E(DISK_OK), I, S(STARTING), 0, 0},
    {S(STARTING), 0, E(PROMOTED), A, S(RECORDING), HOOK | ALERT, 0},

    {S(RECORDING), 0, E(START), R, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(STOP), A, S(STOPPING), STOPA, 0},
    {S(RECORDING), 0, E(SPLIT), A, S(STOPPING), STOPA, 1},
    {S(RECORDING), 0, E(SPAWNED), I, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(SPAWN_FAILED), I, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(READY), I, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(EXITED), A, S(RECOVERING), RESTART | ALERT, 0},
    {S(RECORDING), 0, E(CRASHED), A, S(RECOVERING), HOOK | RESTART | ALERT, 0},
    {S(RECORDING), 0, E(UNHEALTHY), A, S(RECOVERING), STOPA | ALERT, 0},
    {S(RECORDING), 0, E(DISK_LOW), A, S(STOPPING), STOPA | ALERT, 2},
    {S(RECORDING), 0, E(BACKOFF_ELAPSED), I, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(BUDGET_SPENT), I, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(STOP_TIMEOUT), I, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(ADOPTED), I, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(DISK_FULL), A, S(DISK_LOW), ALERT, 0},
    {S(RECORDING), 0, E(DISK_OK), I, S(RECORDING), 0, 0},
    {S(RECORDING), 0, E(PROMOTED), A, S(RECORDING), HOOK | ALERT, 0},

    {S(STOPPING), 0, E(START), R, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(STOP), R, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(SPLIT), R, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(SPAWNED), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(SPAWN_FAILED), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(READY), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(EXITED), A, S(IDLE), 0, 0},
    {S(STOPPING), 0, E(CRASHED), A, S(IDLE), HOOK, 0},
    {S(STOPPING), 0, E(UNHEALTHY), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(DISK_LOW), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(BACKOFF_ELAPSED), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(BUDGET_SPENT), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(STOP_TIMEOUT), A, S(STOPPING), ESC, 0},
    {S(STOPPING), 0, E(ADOPTED), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(DISK_FULL), A, S(IDLE), 0, 0},
    {S(STOPPING), 0, E(DISK_OK), I, S(STOPPING), 0, 0},
    {S(STOPPING), 0, E(PROMOTED), I, S(STOPPING), 0, 0},

    {S(STOPPING), 1, E(START), R, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(STOP), A, S(STOPPING), 0, 0},
    {S(STOPPING), 1, E(SPLIT), R, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(SPAWNED), I, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(SPAWN_FAILED), I, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(READY), I, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(EXITED), A, S(STARTING), SPAWN, 0},
    {S(STOPPING), 1, E(CRASHED), A, S(STARTING), HOOK | SPAWN, 0},
    {S(STOPPING), 1, E(UNHEALTHY), I, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(DISK_LOW), A, S(STOPPING), ALERT, 2},
    {S(STOPPING), 1, E(BACKOFF_ELAPSED), I, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(BUDGET_SPENT), I, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(STOP_TIMEOUT), A, S(STOPPING), ESC, 1},
    {S(STOPPING), 1, E(ADOPTED), I, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(DISK_FULL), A, S(DISK_LOW), ALERT, 0},
    {S(STOPPING), 1, E(DISK_OK), I, S(STOPPING), 0, 1},
    {S(STOPPING), 1, E(PROMOTED), I, S(STOPPING), 0, 1},

    {S(STOPPING), 2, E(START), R, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(STOP), A, S(STOPPING), 0, 0},
    {S(STOPPING), 2, E(SPLIT), R, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(SPAWNED), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(SPAWN_FAILED), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(READY), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(EXITED), A, S(DISK_LOW), 0, 0},
    {S(STOPPING), 2, E(CRASHED), A, S(DISK_LOW), HOOK, 0},
    {S(STOPPING), 2, E(UNHEALTHY), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(DISK_LOW), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(BACKOFF_ELAPSED), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(BUDGET_SPENT), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(STOP_TIMEOUT), A, S(STOPPING), ESC, 2},
    {S(STOPPING), 2, E(ADOPTED), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(DISK_FULL), A, S(DISK_LOW), 0, 0},
    {S(STOPPING), 2, E(DISK_OK), I, S(STOPPING), 0, 2},
    {S(STOPPING), 2, E(PROMOTED), I, S(STOPPING), 0, 2},

    {S(RECOVERING), 0, E(START), R, S(RECOVERING), 0, 0},
    {S(RECOVERING), 0, E(STOP), A, S(STOPPING), CANCEL | STOPA, 0},
    {S(RECOVERING), 0, E(SPLIT), R, S(RECOVERING), 0, 0},
    {S(RECOVERING), 0, E(SPAWNED), I, S(RECOVERING), 0, 0},
    {S(RECOVERING), 0, E(SPAWN_FAILED), I, S(RECOVERING), 0, 0},
    {S(RECOVERING), 0, E(READY), I, S(RECOVERING), 0, 0},
    {S(RECOVERING), 0, E(EXITED), A, S(RECOVERING), RESTART, 0},
    {S(RECOVERING), 0, E(CRASHED), A, S(RECOVERING), HOOK | RESTART, 0},
    {S(RECOVERING), 0, E(UNHEALTHY), I, S(RECOVERING), 0, 0},
    {S(RECOVERING), 0, E(DISK_LOW), A, S(STOPPING), CANCEL | STOPA | ALERT, 2},
    {S(RECOVERING), 0, E(BACKOFF_ELAPSED), A, S(STARTING), SPAWN, 0},
    {S(RECOVERING), 0, E(BUDGET_SPENT), A, S(ERROR), ALERT, 0},
    {S(RECOVERING), 0, E(STOP_TIMEOUT), A, S(RECOVERING), ESC, 0},
    {S(RECOVERING), 0, E(ADOPTED), I, S(RECOVERING), 0, 0},
    {S(RECOVERING), 0, E(DISK_FULL), A, S(DISK_LOW), CANCEL | ALERT, 0},
    {S(RECOVERING), 0, E(DISK_OK), I, S(RECOVERING), 0, 0},
    {S(RECOVERING), 0, E(PROMOTED), A, S(RECORDING), CANCEL | HOOK, 0},

    {S(ERROR), 0, E(START), A, S(STARTING), RESET | SPAWN, 0},
    {S(ERROR), 0, E(STOP), A, S(IDLE), 0, 0},
    {S(ERROR), 0, E(SPLIT), R, S(ERROR), 0, 0},
    {S(ERROR), 0, E(SPAWNED), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(SPAWN_FAILED), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(READY), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(EXITED), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(CRASHED), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(UNHEALTHY), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(DISK_LOW), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(BACKOFF_ELAPSED), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(BUDGET_SPENT), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(STOP_TIMEOUT), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(ADOPTED), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(DISK_FULL), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(DISK_OK), I, S(ERROR), 0, 0},
    {S(ERROR), 0, E(PROMOTED), I, S(ERROR), 0, 0},

    {S(DISK_LOW), 0, E(START), A, S(STARTING), RESET | SPAWN, 0},
    {S(DISK_LOW), 0, E(STOP), A, S(IDLE), 0, 0},
    {S(DISK_LOW), 0, E(SPLIT), R, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(SPAWNED), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(SPAWN_FAILED), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(READY), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(EXITED), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(CRASHED), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(UNHEALTHY), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(DISK_LOW), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(BACKOFF_ELAPSED), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(BUDGET_SPENT), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(STOP_TIMEOUT), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(ADOPTED), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(DISK_FULL), I, S(DISK_LOW), 0, 0},
    {S(DISK_LOW), 0, E(DISK_OK), A, S(STARTING), SPAWN, 0},
    {S(DISK_LOW), 0, E(PROMOTED), I, S(DISK_LOW), 0, 0},
};

#define NSPECS (sizeof specs / sizeof specs[0])

static char verdict_char(guard_fsm_verdict v) {
    return v == GUARD_FSM_ACCEPTED ? A : v == GUARD_FSM_REJECTED ? R : I;
}

/* Each (state, then, event) combination appears exactly once in the spec, and every one of
 * them (7 states x 16 events + the split and disk rows of STOPPING) is covered. */
static void test_spec_covers_every_cell(void **st) {
    (void)st;
    int seen[GUARD_ST__COUNT][GUARD_THEN__COUNT][GUARD_EV__COUNT] = {{{0}}};
    for (size_t i = 0; i < NSPECS; i++) seen[specs[i].st][specs[i].then][specs[i].ev]++;
    for (int s = 0; s < GUARD_ST__COUNT; s++)
        for (int e = 0; e < GUARD_EV__COUNT; e++) {
            assert_int_equal(seen[s][0][e], 1);
            for (int t = 1; t < GUARD_THEN__COUNT; t++)
                assert_int_equal(seen[s][t][e], s == GUARD_ST_STOPPING ? 1 : 0);
        }
    assert_int_equal(NSPECS, (GUARD_ST__COUNT + 2) * GUARD_EV__COUNT);
}

static const char *then_tag(int then) {
    return then == GUARD_THEN_SPLIT ? " (split pending)" : then == GUARD_THEN_DISK ? " (disk pending)" : "";
}

/* Every cell: feed the event to a machine in that state and compare with the spec. */
static void test_every_cell_matches_spec(void **st) {
    (void)st;
    for (size_t i = 0; i < NSPECS; i++) {
        const spec *sp = &specs[i];
        guard_fsm fsm = {.state = sp->st, .then = (guard_fsm_then)sp->then};
        guard_fsm_step step;
        guard_fsm_feed(&fsm, sp->ev, &step);
        if (verdict_char(step.verdict) != sp->verdict || step.to != sp->next ||
            step.actions != sp->actions || (int)fsm.then != sp->then_after)
            fail_msg("cell %s%s x %s: got %c -> %s%s actions %#x (%s), want %c -> %s%s actions %#x",
                     guard_fsm_state_name(sp->st), then_tag(sp->then),
                     guard_fsm_event_name(sp->ev), verdict_char(step.verdict),
                     guard_fsm_state_name(step.to), then_tag(fsm.then), step.actions, step.why,
                     sp->verdict, guard_fsm_state_name(sp->next), then_tag(sp->then_after),
                     sp->actions);
        assert_int_equal(step.from, sp->st);
        assert_int_equal(step.event, sp->ev);
        assert_non_null(step.why);
        assert_true(strlen(step.why) > 3);
        assert_int_equal(fsm.state, step.to);
        /* a pending split or pause survives only inside STOPPING; only SPLIT sets a split,
         * only DISK_LOW a pause */
        if (fsm.then != GUARD_THEN_IDLE) assert_int_equal(fsm.state, GUARD_ST_STOPPING);
        if (step.verdict != GUARD_FSM_ACCEPTED) assert_int_equal(fsm.then, sp->then);
        if (fsm.then == GUARD_THEN_SPLIT && sp->then != GUARD_THEN_SPLIT)
            assert_int_equal(sp->ev, GUARD_EV_SPLIT);
        if (fsm.then == GUARD_THEN_DISK && sp->then != GUARD_THEN_DISK)
            assert_int_equal(sp->ev, GUARD_EV_DISK_LOW);
        /* guard_fsm_rule is the side-effect-free twin of feed */
        guard_fsm_step look;
        guard_fsm_then after;
        guard_fsm_rule(sp->st, sp->ev, (guard_fsm_then)sp->then, &look, &after);
        assert_int_equal(after, fsm.then);
        assert_int_equal(look.verdict, step.verdict);
        assert_int_equal(look.to, step.to);
        assert_int_equal(look.actions, step.actions);
        assert_string_equal(look.why, step.why);
    }
}

/* Global rules of the table, checked cell by cell. */
static void test_table_properties(void **st) {
    (void)st;
    for (size_t i = 0; i < NSPECS; i++) {
        guard_fsm_step s;
        guard_fsm_rule(specs[i].st, specs[i].ev, (guard_fsm_then)specs[i].then, &s, NULL);
        bool op = guard_fsm_event_is_operator(specs[i].ev);
        /* an operator always gets an answer: accepted or rejected with a reason */
        if (op) assert_int_not_equal(s.verdict, GUARD_FSM_IGNORED);
        else assert_int_not_equal(s.verdict, GUARD_FSM_REJECTED);
        if (s.verdict != GUARD_FSM_ACCEPTED) continue;
        /* a spawn always lands in STARTING, and only a spawn enters it from elsewhere */
        if (s.actions & GUARD_ACT_SPAWN) assert_int_equal(s.to, GUARD_ST_STARTING);
        if (s.to == GUARD_ST_STARTING && s.from != GUARD_ST_STARTING)
            assert_true(s.actions & GUARD_ACT_SPAWN);
        /* ERROR is entered only when the budget is spent, always with an alert */
        if (s.to == GUARD_ST_ERROR) {
            assert_int_equal(s.event, GUARD_EV_BUDGET_SPENT);
            assert_true(s.actions & GUARD_ACT_ALERT);
        }
        /* a stop ladder only begins towards a state that waits for the exit */
        if (s.actions & (GUARD_ACT_SIGNAL_STOP | GUARD_ACT_ESCALATE))
            assert_true(s.to == GUARD_ST_STOPPING || s.to == GUARD_ST_RECOVERING);
        /* every unclean end runs the post-crash hook, a clean one never does; a promotion
         * follows a primary that crashed or was killed for a replacement */
        if (s.event == GUARD_EV_CRASHED || s.event == GUARD_EV_PROMOTED) assert_true(s.actions & GUARD_ACT_RUN_POST_CRASH_HOOK);
        else assert_false(s.actions & GUARD_ACT_RUN_POST_CRASH_HOOK);
        /* restart scheduling only happens once the old process is gone */
        if (s.actions & GUARD_ACT_SCHEDULE_RESTART)
            assert_true(s.event == GUARD_EV_EXITED || s.event == GUARD_EV_CRASHED ||
                        s.event == GUARD_EV_SPAWN_FAILED);
        /* leaving RECOVERING other than by spawning must cancel the pending restart */
        if (s.from == GUARD_ST_RECOVERING && (s.to == GUARD_ST_STOPPING || s.to == GUARD_ST_DISK_LOW))
            assert_true(s.actions & GUARD_ACT_CANCEL_RESTART);
        /* a recorder that said the disk is full: no hook on its valid file, no restart */
        if (s.event == GUARD_EV_DISK_FULL)
            assert_false(s.actions & (GUARD_ACT_RUN_POST_CRASH_HOOK | GUARD_ACT_SCHEDULE_RESTART |
                                      GUARD_ACT_SPAWN));
        /* DISK_LOW waits without a recorder and without restarts; only space or the operator
         * ends it */
        if (s.to == GUARD_ST_DISK_LOW)
            assert_false(s.actions & (GUARD_ACT_SCHEDULE_RESTART | GUARD_ACT_SPAWN));
        if (s.from == GUARD_ST_DISK_LOW && s.to != GUARD_ST_DISK_LOW)
            assert_true(s.event == GUARD_EV_DISK_OK || guard_fsm_event_is_operator(s.event));
    }
}

/* Every state is reachable from IDLE, and IDLE is reachable from every state (and split
 * variant): no trap states. Breadth-first search over the table. */
static void test_reachability(void **st) {
    (void)st;
    enum { T = GUARD_THEN__COUNT, N = GUARD_ST__COUNT * T };
    int reach[N] = {0}, queue[N], qh = 0, qt = 0;
    reach[GUARD_ST_IDLE * T] = 1;
    queue[qt++] = GUARD_ST_IDLE * T;
    while (qh < qt) {
        int node = queue[qh++];
        for (int e = 0; e < GUARD_EV__COUNT; e++) {
            guard_fsm fsm = {.state = (guard_state)(node / T), .then = (guard_fsm_then)(node % T)};
            guard_fsm_step s;
            guard_fsm_feed(&fsm, (guard_event)e, &s);
            int to = (int)fsm.state * T + (int)fsm.then;
            if (!reach[to]) { reach[to] = 1; queue[qt++] = to; }
        }
    }
    for (int s = 0; s < GUARD_ST__COUNT; s++) assert_true(reach[s * T]);
    assert_true(reach[GUARD_ST_STOPPING * T + GUARD_THEN_SPLIT]);
    assert_true(reach[GUARD_ST_STOPPING * T + GUARD_THEN_DISK]);
    /* back to IDLE from every reachable node */
    for (int start = 0; start < N; start++) {
        if (!reach[start]) continue;
        int seen[N] = {0}, q[N], h = 0, t = 0, found = 0;
        seen[start] = 1;
        q[t++] = start;
        while (h < t && !found) {
            int node = q[h++];
            if (node == GUARD_ST_IDLE * T) found = 1;
            for (int e = 0; e < GUARD_EV__COUNT; e++) {
                guard_fsm fsm = {.state = (guard_state)(node / T), .then = (guard_fsm_then)(node % T)};
                guard_fsm_step s;
                guard_fsm_feed(&fsm, (guard_event)e, &s);
                int to = (int)fsm.state * T + (int)fsm.then;
                if (!seen[to]) { seen[to] = 1; q[t++] = to; }
            }
        }
        assert_true(found);
    }
}

static void feed_expect(guard_fsm *fsm, guard_event ev, guard_state to, unsigned actions) {
    guard_fsm_step s;
    guard_fsm_feed(fsm, ev, &s);
    if (s.to != to || s.actions != actions)
        fail_msg("%s: got %s actions %#x, want %s actions %#x", guard_fsm_event_name(ev),
                 guard_fsm_state_name(s.to), s.actions, guard_fsm_state_name(to), actions);
    assert_int_equal(fsm->state, to);
}

/* Operator start, crash, immediate restart, hang, ladder, restart, split, stop. */
static void test_life_cycle(void **st) {
    (void)st;
    guard_fsm fsm;
    guard_fsm_init(&fsm);
    assert_int_equal(fsm.state, GUARD_ST_IDLE);
    feed_expect(&fsm, GUARD_EV_START, GUARD_ST_STARTING, RESET | SPAWN);
    feed_expect(&fsm, GUARD_EV_SPAWNED, GUARD_ST_STARTING, 0);
    feed_expect(&fsm, GUARD_EV_READY, GUARD_ST_RECORDING, 0);
    feed_expect(&fsm, GUARD_EV_CRASHED, GUARD_ST_RECOVERING, HOOK | RESTART | ALERT);
    feed_expect(&fsm, GUARD_EV_BACKOFF_ELAPSED, GUARD_ST_STARTING, SPAWN);
    feed_expect(&fsm, GUARD_EV_SPAWNED, GUARD_ST_STARTING, 0);
    feed_expect(&fsm, GUARD_EV_READY, GUARD_ST_RECORDING, 0);
    feed_expect(&fsm, GUARD_EV_UNHEALTHY, GUARD_ST_RECOVERING, STOPA | ALERT);
    feed_expect(&fsm, GUARD_EV_STOP_TIMEOUT, GUARD_ST_RECOVERING, ESC);
    feed_expect(&fsm, GUARD_EV_STOP_TIMEOUT, GUARD_ST_RECOVERING, ESC);
    feed_expect(&fsm, GUARD_EV_CRASHED, GUARD_ST_RECOVERING, HOOK | RESTART);
    feed_expect(&fsm, GUARD_EV_BACKOFF_ELAPSED, GUARD_ST_STARTING, SPAWN);
    feed_expect(&fsm, GUARD_EV_SPAWNED, GUARD_ST_STARTING, 0);
    feed_expect(&fsm, GUARD_EV_READY, GUARD_ST_RECORDING, 0);
    feed_expect(&fsm, GUARD_EV_SPLIT, GUARD_ST_STOPPING, STOPA);
    assert_int_equal(fsm.then, GUARD_THEN_SPLIT);
    feed_expect(&fsm, GUARD_EV_EXITED, GUARD_ST_STARTING, SPAWN);
    assert_int_equal(fsm.then, GUARD_THEN_IDLE);
    feed_expect(&fsm, GUARD_EV_SPAWNED, GUARD_ST_STARTING, 0);
    feed_expect(&fsm, GUARD_EV_READY, GUARD_ST_RECORDING, 0);
    feed_expect(&fsm, GUARD_EV_STOP, GUARD_ST_STOPPING, STOPA);
    feed_expect(&fsm, GUARD_EV_EXITED, GUARD_ST_IDLE, 0);
}

/* The disk: a stop for space waits in DISK_LOW and resumes by itself; a recorder that ended
 * on a full disk goes there at once (no hook, no restart); the operator's stop is final. */
static void test_disk_cycle(void **st) {
    (void)st;
    guard_fsm fsm = {.state = GUARD_ST_RECORDING};
    feed_expect(&fsm, GUARD_EV_DISK_LOW, GUARD_ST_STOPPING, STOPA | ALERT);
    assert_int_equal(fsm.then, GUARD_THEN_DISK);
    feed_expect(&fsm, GUARD_EV_EXITED, GUARD_ST_DISK_LOW, 0);
    feed_expect(&fsm, GUARD_EV_DISK_LOW, GUARD_ST_DISK_LOW, 0);
    feed_expect(&fsm, GUARD_EV_DISK_OK, GUARD_ST_STARTING, SPAWN);
    feed_expect(&fsm, GUARD_EV_READY, GUARD_ST_RECORDING, 0);
    feed_expect(&fsm, GUARD_EV_DISK_FULL, GUARD_ST_DISK_LOW, ALERT);
    feed_expect(&fsm, GUARD_EV_STOP, GUARD_ST_IDLE, 0);
    /* an operator stop during the pause's stop: IDLE, no resume */
    fsm = (guard_fsm){.state = GUARD_ST_RECORDING};
    feed_expect(&fsm, GUARD_EV_DISK_LOW, GUARD_ST_STOPPING, STOPA | ALERT);
    feed_expect(&fsm, GUARD_EV_STOP, GUARD_ST_STOPPING, 0);
    assert_int_equal(fsm.then, GUARD_THEN_IDLE);
    feed_expect(&fsm, GUARD_EV_EXITED, GUARD_ST_IDLE, 0);
}

/* A crash loop ends in ERROR (the policy says so), and the operator can start again. */
static void test_crash_loop_to_error(void **st) {
    (void)st;
    guard_fsm fsm;
    guard_fsm_init(&fsm);
    feed_expect(&fsm, GUARD_EV_START, GUARD_ST_STARTING, RESET | SPAWN);
    feed_expect(&fsm, GUARD_EV_SPAWN_FAILED, GUARD_ST_RECOVERING, RESTART | ALERT);
    feed_expect(&fsm, GUARD_EV_BACKOFF_ELAPSED, GUARD_ST_STARTING, SPAWN);
    feed_expect(&fsm, GUARD_EV_SPAWNED, GUARD_ST_STARTING, 0);
    feed_expect(&fsm, GUARD_EV_CRASHED, GUARD_ST_RECOVERING, HOOK | RESTART | ALERT);
    feed_expect(&fsm, GUARD_EV_BUDGET_SPENT, GUARD_ST_ERROR, ALERT);
    guard_fsm_step s;
    guard_fsm_feed(&fsm, GUARD_EV_SPLIT, &s);
    assert_int_equal(s.verdict, GUARD_FSM_REJECTED);
    feed_expect(&fsm, GUARD_EV_START, GUARD_ST_STARTING, RESET | SPAWN);
}

/* Operator answers are the sentences the client sees. */
static void test_rejections_say_why(void **st) {
    (void)st;
    guard_fsm fsm = {.state = GUARD_ST_RECORDING};
    guard_fsm_step s;
    guard_fsm_feed(&fsm, GUARD_EV_START, &s);
    assert_int_equal(s.verdict, GUARD_FSM_REJECTED);
    assert_string_equal(s.why, "already recording");
    fsm.state = GUARD_ST_IDLE;
    guard_fsm_feed(&fsm, GUARD_EV_STOP, &s);
    assert_string_equal(s.why, "not recording");
    /* a split that turns into a stop, then the exit leads to IDLE, not to a new segment */
    fsm = (guard_fsm){.state = GUARD_ST_STOPPING, .then = GUARD_THEN_SPLIT};
    guard_fsm_feed(&fsm, GUARD_EV_STOP, &s);
    assert_int_equal(s.verdict, GUARD_FSM_ACCEPTED);
    assert_int_equal(fsm.then, GUARD_THEN_IDLE);
    guard_fsm_feed(&fsm, GUARD_EV_EXITED, &s);
    assert_int_equal(fsm.state, GUARD_ST_IDLE);
}

static void test_names(void **st) {
    (void)st;
    for (int i = 0; i < GUARD_ST__COUNT; i++) {
        guard_state back;
        assert_int_equal(guard_fsm_state_from_name(guard_fsm_state_name((guard_state)i), &back), 0);
        assert_int_equal(back, i);
    }
    for (int i = 0; i < GUARD_EV__COUNT; i++) {
        guard_event back;
        assert_int_equal(guard_fsm_event_from_name(guard_fsm_event_name((guard_event)i), &back), 0);
        assert_int_equal(back, i);
    }
    guard_event ev;
    guard_state sv;
    assert_int_equal(guard_fsm_event_from_name("explode", &ev), -EINVAL);
    for (int i = 0; i < GUARD_THEN__COUNT; i++) {
        guard_fsm_then back;
        assert_int_equal(guard_fsm_then_from_name(guard_fsm_then_name((guard_fsm_then)i), &back), 0);
        assert_int_equal(back, i);
    }
    assert_int_equal(guard_fsm_state_from_name("", &sv), -EINVAL);
    assert_string_equal(guard_fsm_state_name(GUARD_ST_RECOVERING), "recovering");
    assert_string_equal(guard_fsm_event_name(GUARD_EV_BACKOFF_ELAPSED), "backoff_elapsed");
    assert_string_equal(guard_fsm_state_name((guard_state)99), "?");
    assert_string_equal(guard_fsm_action_name(GUARD_ACT_SPAWN), "spawn");
    assert_string_equal(guard_fsm_action_name(GUARD_ACT_SPAWN | GUARD_ACT_ALERT), "?");
    char buf[128];
    guard_fsm_actions_str(GUARD_ACT_ALERT | GUARD_ACT_SIGNAL_STOP | GUARD_ACT_CANCEL_RESTART, buf,
                          sizeof buf);
    assert_string_equal(buf, "cancel_restart,signal_stop,alert");
    guard_fsm_actions_str(0, buf, sizeof buf);
    assert_string_equal(buf, "");
    char small[8];
    guard_fsm_actions_str(GUARD_ACT_SIGNAL_STOP | GUARD_ACT_ALERT, small, sizeof small);
    assert_true(strlen(small) < sizeof small);
}

static void test_exit_classification(void **st) {
    (void)st;
    assert_int_equal(guard_fsm_exit_event(CLD_EXITED, 0), GUARD_EV_EXITED);
    assert_int_equal(guard_fsm_exit_event(CLD_EXITED, 1), GUARD_EV_CRASHED);
    assert_int_equal(guard_fsm_exit_event(CLD_EXITED, 127), GUARD_EV_CRASHED);
    assert_int_equal(guard_fsm_exit_event(CLD_KILLED, SIGINT), GUARD_EV_EXITED);
    assert_int_equal(guard_fsm_exit_event(CLD_KILLED, SIGTERM), GUARD_EV_EXITED);
    assert_int_equal(guard_fsm_exit_event(CLD_KILLED, SIGKILL), GUARD_EV_CRASHED);
    assert_int_equal(guard_fsm_exit_event(CLD_DUMPED, SIGSEGV), GUARD_EV_CRASHED);
    assert_int_equal(guard_fsm_exit_event(CLD_DUMPED, SIGTERM), GUARD_EV_CRASHED);
    assert_int_equal(guard_fsm_exit_event(0, 0), GUARD_EV_CRASHED);
}

/* ---- docs/STATES.md: the table, rendered, checked against the code ---------------------- */

#include <stdio.h>
#include <stdlib.h>

/* Render every rule as markdown (one section per state) into a malloc'd string. */
static char *render_markdown(void) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    fprintf(f, "# recguard guardian: state table\n\n"
               "Generated from the table in `src/guard/guard_fsm.c` by `test_guard_fsm --markdown`;\n"
               "the unit test fails when this file and the code disagree. Actions run in the\n"
               "order listed. *ignored* events change nothing (stale timers, duplicates); "
               "*rejected*\noperator commands get the reason as their answer.\n");
    for (int row = 0; row < GUARD_ST__COUNT + GUARD_THEN__COUNT - 1; row++) {
        guard_state st = row < GUARD_ST__COUNT ? (guard_state)row : GUARD_ST_STOPPING;
        guard_fsm_then then = row < GUARD_ST__COUNT ? GUARD_THEN_IDLE : (guard_fsm_then)(row - GUARD_ST__COUNT + 1);
        fprintf(f, "\n## %s%s\n\n| event | outcome | next state | actions | reason |\n"
                   "|---|---|---|---|---|\n",
                guard_fsm_state_name(st), then_tag(then));
        for (int e = 0; e < GUARD_EV__COUNT; e++) {
            guard_fsm_step s;
            guard_fsm_then after;
            guard_fsm_rule(st, (guard_event)e, then, &s, &after);
            char acts[160];
            guard_fsm_actions_str(s.actions, acts, sizeof acts);
            const char *v = s.verdict == GUARD_FSM_ACCEPTED ? "accepted"
                            : s.verdict == GUARD_FSM_REJECTED ? "rejected" : "ignored";
            fprintf(f, "| %s | %s | %s%s | %s | %s |\n", guard_fsm_event_name((guard_event)e), v,
                    s.verdict == GUARD_FSM_ACCEPTED ? guard_fsm_state_name(s.to) : "—",
                    s.verdict == GUARD_FSM_ACCEPTED ? then_tag(after) : "",
                    acts[0] ? acts : "—", s.why);
        }
    }
    fclose(f);
    return out;
}

static void test_docs_match_table(void **st) {
    (void)st;
    const char *src = getenv("RG_SOURCE_DIR");
    if (!src) skip();
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/STATES.md", src);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("%s missing: regenerate with test_guard_fsm --markdown", path);
    char *doc = calloc(1, 1 << 16);
    size_t n = fread(doc, 1, (1 << 16) - 1, f);
    fclose(f);
    doc[n] = '\0';
    char *gen = render_markdown();
    if (strcmp(doc, gen) != 0)
        fail_msg("docs/STATES.md is stale: regenerate with test_guard_fsm --markdown > docs/STATES.md");
    free(doc);
    free(gen);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
        char *md = render_markdown();
        fputs(md, stdout);
        free(md);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_covers_every_cell),
        cmocka_unit_test(test_every_cell_matches_spec),
        cmocka_unit_test(test_table_properties),
        cmocka_unit_test(test_reachability),
        cmocka_unit_test(test_life_cycle),
        cmocka_unit_test(test_crash_loop_to_error),
        cmocka_unit_test(test_disk_cycle),
        cmocka_unit_test(test_rejections_say_why),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_exit_classification),
        cmocka_unit_test(test_docs_match_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
