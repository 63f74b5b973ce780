/* guard_fsm — see guard_fsm.h. The whole life cycle is the `rules` table below: read a row to
 * know everything a state does. */
#include "guard/guard_fsm.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

typedef enum cell_kind { CELL_IGNORE, CELL_REJECT, CELL_ACCEPT } cell_kind;

typedef struct cell {
    cell_kind kind;
    guard_state next;    /* ACCEPT only */
    unsigned actions;    /* ACCEPT only */
    guard_fsm_then then; /* ACCEPT only: the new `then`; IGNORE/REJECT cells never change it */
    const char *why;
} cell;

/* STOPPING for a split or for disk space behaves differently on a few events (an exit starts
 * the next segment, or waits for space), so each has its own row rather than conditions
 * hidden in code. */
enum { ROW_SPLITTING = GUARD_ST__COUNT, ROW_DISK_STOPPING, ROW__COUNT };

#define IGN(w) {CELL_IGNORE, 0, 0, GUARD_THEN_IDLE, (w)}
#define REJ(w) {CELL_REJECT, 0, 0, GUARD_THEN_IDLE, (w)}
#define ACC(n, a, w) {CELL_ACCEPT, (n), (a), GUARD_THEN_IDLE, (w)}
#define ACC_SPLIT(n, a, w) {CELL_ACCEPT, (n), (a), GUARD_THEN_SPLIT, (w)}
#define ACC_DISK(n, a, w) {CELL_ACCEPT, (n), (a), GUARD_THEN_DISK, (w)}

#define A_CANCEL GUARD_ACT_CANCEL_RESTART
#define A_STOP GUARD_ACT_SIGNAL_STOP
#define A_ESC GUARD_ACT_ESCALATE
#define A_HOOK GUARD_ACT_RUN_POST_CRASH_HOOK
#define A_RESET GUARD_ACT_RESET_BUDGET
#define A_RESTART GUARD_ACT_SCHEDULE_RESTART
#define A_SPAWN GUARD_ACT_SPAWN
#define A_ALERT GUARD_ACT_ALERT

#define ST(x) GUARD_ST_##x

/* rules[row][event]. Every cell is spelled out: no default, no fallthrough. */
static const cell rules[ROW__COUNT][GUARD_EV__COUNT] = {
    [GUARD_ST_IDLE] = {
        [GUARD_EV_START] = ACC(ST(STARTING), A_RESET | A_SPAWN, "operator start"),
        [GUARD_EV_STOP] = REJ("not recording"),
        [GUARD_EV_SPLIT] = REJ("not recording"),
        [GUARD_EV_SPAWNED] = IGN("no spawn pending"),
        [GUARD_EV_SPAWN_FAILED] = IGN("no spawn pending"),
        [GUARD_EV_READY] = IGN("no recorder running"),
        [GUARD_EV_EXITED] = IGN("no recorder running"),
        [GUARD_EV_CRASHED] = IGN("no recorder running"),
        [GUARD_EV_UNHEALTHY] = IGN("no recorder running"),
        [GUARD_EV_DISK_LOW] = IGN("no recorder running"),
        [GUARD_EV_BACKOFF_ELAPSED] = IGN("no restart scheduled"),
        [GUARD_EV_BUDGET_SPENT] = IGN("no restart scheduled"),
        [GUARD_EV_STOP_TIMEOUT] = IGN("no stop in progress"),
        [GUARD_EV_ADOPTED] = ACC(ST(RECORDING), 0, "re-adopted a running recorder"),
        [GUARD_EV_DISK_FULL] = IGN("no recorder running"),
        [GUARD_EV_DISK_OK] = IGN("not waiting for disk space"),
        [GUARD_EV_PROMOTED] = IGN("no recorder running"),
    },
    [GUARD_ST_STARTING] = {
        [GUARD_EV_START] = REJ("already starting"),
        [GUARD_EV_STOP] = ACC(ST(STOPPING), A_STOP, "operator stop"),
        [GUARD_EV_SPLIT] = REJ("recorder still starting: nothing to split yet"),
        [GUARD_EV_SPAWNED] = ACC(ST(STARTING), 0, "recorder spawned, waiting for progress"),
        [GUARD_EV_SPAWN_FAILED] = ACC(ST(RECOVERING), A_RESTART | A_ALERT,
                                      "recorder could not be spawned"),
        [GUARD_EV_READY] = ACC(ST(RECORDING), 0, "recorder is making progress"),
        [GUARD_EV_EXITED] = ACC(ST(RECOVERING), A_RESTART | A_ALERT,
                                "recorder exited during start"),
        [GUARD_EV_CRASHED] = ACC(ST(RECOVERING), A_HOOK | A_RESTART | A_ALERT,
                                 "recorder crashed during start"),
        [GUARD_EV_UNHEALTHY] = ACC(ST(RECOVERING), A_STOP | A_ALERT,
                                   "recorder unhealthy during start, replacing it"),
        [GUARD_EV_DISK_LOW] = ACC_DISK(ST(STOPPING), A_STOP | A_ALERT,
                                       "disk nearly full, pausing until space returns"),
        [GUARD_EV_BACKOFF_ELAPSED] = IGN("stale restart timer"),
        [GUARD_EV_BUDGET_SPENT] = IGN("no restart being scheduled"),
        [GUARD_EV_STOP_TIMEOUT] = IGN("stale stop timer"),
        [GUARD_EV_ADOPTED] = IGN("adoption happens only at daemon start"),
        [GUARD_EV_DISK_FULL] = ACC(ST(DISK_LOW), A_ALERT,
                                   "recorder stopped on a full disk, waiting for space"),
        [GUARD_EV_DISK_OK] = IGN("not waiting for disk space"),
        [GUARD_EV_PROMOTED] = ACC(ST(RECORDING), A_HOOK | A_ALERT, "recorder ended during start, the standby took over"),
    },
    [GUARD_ST_RECORDING] = {
        [GUARD_EV_START] = REJ("already recording"),
        [GUARD_EV_STOP] = ACC(ST(STOPPING), A_STOP, "operator stop"),
        [GUARD_EV_SPLIT] = ACC_SPLIT(ST(STOPPING), A_STOP, "operator split, ending this segment"),
        [GUARD_EV_SPAWNED] = IGN("no spawn pending"),
        [GUARD_EV_SPAWN_FAILED] = IGN("no spawn pending"),
        [GUARD_EV_READY] = IGN("already recording"),
        [GUARD_EV_EXITED] = ACC(ST(RECOVERING), A_RESTART | A_ALERT,
                                "recorder exited unexpectedly"),
        [GUARD_EV_CRASHED] = ACC(ST(RECOVERING), A_HOOK | A_RESTART | A_ALERT, "recorder crashed"),
        [GUARD_EV_UNHEALTHY] = ACC(ST(RECOVERING), A_STOP | A_ALERT,
                                   "recorder unhealthy, replacing it"),
        [GUARD_EV_DISK_LOW] = ACC_DISK(ST(STOPPING), A_STOP | A_ALERT,
                                       "disk nearly full, pausing until space returns"),
        [GUARD_EV_BACKOFF_ELAPSED] = IGN("stale restart timer"),
        [GUARD_EV_BUDGET_SPENT] = IGN("no restart being scheduled"),
        [GUARD_EV_STOP_TIMEOUT] = IGN("stale stop timer"),
        [GUARD_EV_ADOPTED] = IGN("adoption happens only at daemon start"),
        [GUARD_EV_DISK_FULL] = ACC(ST(DISK_LOW), A_ALERT,
                                   "recorder stopped on a full disk, waiting for space"),
        [GUARD_EV_DISK_OK] = IGN("not waiting for disk space"),
        [GUARD_EV_PROMOTED] = ACC(ST(RECORDING), A_HOOK | A_ALERT, "recorder ended, the standby took over"),
    },
    [GUARD_ST_STOPPING] = {
        [GUARD_EV_START] = REJ("stop in progress; start again when idle"),
        [GUARD_EV_STOP] = REJ("already stopping"),
        [GUARD_EV_SPLIT] = REJ("stop in progress"),
        [GUARD_EV_SPAWNED] = IGN("no spawn pending"),
        [GUARD_EV_SPAWN_FAILED] = IGN("no spawn pending"),
        [GUARD_EV_READY] = IGN("stopping"),
        [GUARD_EV_EXITED] = ACC(ST(IDLE), 0, "recorder stopped"),
        /* The ladder ended in SIGKILL (or the recorder died of something else while
         * flushing): its last segment may lack its index. */
        [GUARD_EV_CRASHED] = ACC(ST(IDLE), A_HOOK, "recorder stopped uncleanly"),
        [GUARD_EV_UNHEALTHY] = IGN("already stopping"),
        [GUARD_EV_DISK_LOW] = IGN("already stopping"),
        [GUARD_EV_BACKOFF_ELAPSED] = IGN("stale restart timer"),
        [GUARD_EV_BUDGET_SPENT] = IGN("no restart being scheduled"),
        [GUARD_EV_STOP_TIMEOUT] = ACC(ST(STOPPING), A_ESC, "recorder did not stop in time, escalating"),
        [GUARD_EV_ADOPTED] = IGN("adoption happens only at daemon start"),
        /* The operator's stop stands: IDLE, not DISK_LOW (no automatic resume). */
        [GUARD_EV_DISK_FULL] = ACC(ST(IDLE), 0, "recorder stopped on a full disk"),
        [GUARD_EV_DISK_OK] = IGN("stopping"),
        [GUARD_EV_PROMOTED] = IGN("stopping: the standby is not promoted"),
    },
    [ROW_SPLITTING] = {
        [GUARD_EV_START] = REJ("split in progress"),
        /* The operator's stop wins over the split; the ladder already runs. */
        [GUARD_EV_STOP] = ACC(ST(STOPPING), 0, "operator stop, the split becomes a stop"),
        [GUARD_EV_SPLIT] = REJ("split already in progress"),
        [GUARD_EV_SPAWNED] = IGN("no spawn pending"),
        [GUARD_EV_SPAWN_FAILED] = IGN("no spawn pending"),
        [GUARD_EV_READY] = IGN("stopping"),
        [GUARD_EV_EXITED] = ACC(ST(STARTING), A_SPAWN, "segment ended, starting the next one"),
        [GUARD_EV_CRASHED] = ACC(ST(STARTING), A_HOOK | A_SPAWN,
                                 "segment ended uncleanly, starting the next one"),
        [GUARD_EV_UNHEALTHY] = IGN("already stopping"),
        [GUARD_EV_DISK_LOW] = ACC_DISK(ST(STOPPING), A_ALERT,
                                       "disk nearly full, the split becomes a pause"),
        [GUARD_EV_BACKOFF_ELAPSED] = IGN("stale restart timer"),
        [GUARD_EV_BUDGET_SPENT] = IGN("no restart being scheduled"),
        [GUARD_EV_STOP_TIMEOUT] = ACC_SPLIT(ST(STOPPING), A_ESC,
                                            "recorder did not stop in time, escalating"),
        [GUARD_EV_ADOPTED] = IGN("adoption happens only at daemon start"),
        [GUARD_EV_DISK_FULL] = ACC(ST(DISK_LOW), A_ALERT,
                                   "segment ended on a full disk, waiting for space"),
        [GUARD_EV_DISK_OK] = IGN("stopping"),
        [GUARD_EV_PROMOTED] = IGN("splitting: the standby is not promoted"),
    },
    [ROW_DISK_STOPPING] = {
        [GUARD_EV_START] = REJ("stopping for disk space; start again when it is back"),
        /* The operator's stop wins: IDLE after the exit, no resume when space returns. */
        [GUARD_EV_STOP] = ACC(ST(STOPPING), 0, "operator stop, no resume when space returns"),
        [GUARD_EV_SPLIT] = REJ("stopping for disk space"),
        [GUARD_EV_SPAWNED] = IGN("no spawn pending"),
        [GUARD_EV_SPAWN_FAILED] = IGN("no spawn pending"),
        [GUARD_EV_READY] = IGN("stopping"),
        [GUARD_EV_EXITED] = ACC(ST(DISK_LOW), 0, "recorder stopped, waiting for disk space"),
        [GUARD_EV_CRASHED] = ACC(ST(DISK_LOW), A_HOOK,
                                 "recorder stopped uncleanly, waiting for disk space"),
        [GUARD_EV_UNHEALTHY] = IGN("already stopping"),
        [GUARD_EV_DISK_LOW] = IGN("already stopping for disk space"),
        [GUARD_EV_BACKOFF_ELAPSED] = IGN("stale restart timer"),
        [GUARD_EV_BUDGET_SPENT] = IGN("no restart being scheduled"),
        [GUARD_EV_STOP_TIMEOUT] = ACC_DISK(ST(STOPPING), A_ESC,
                                           "recorder did not stop in time, escalating"),
        [GUARD_EV_ADOPTED] = IGN("adoption happens only at daemon start"),
        [GUARD_EV_DISK_FULL] = ACC(ST(DISK_LOW), 0, "recorder stopped on a full disk, waiting for space"),
        [GUARD_EV_DISK_OK] = IGN("stopping"),
        [GUARD_EV_PROMOTED] = IGN("stopping for disk space: the standby is not promoted"),
    },
    [GUARD_ST_RECOVERING] = {
        [GUARD_EV_START] = REJ("recovering: a restart is already scheduled"),
        [GUARD_EV_STOP] = ACC(ST(STOPPING), A_CANCEL | A_STOP, "operator stop"),
        [GUARD_EV_SPLIT] = REJ("recovering: the next segment starts by itself"),
        [GUARD_EV_SPAWNED] = IGN("no spawn pending"),
        [GUARD_EV_SPAWN_FAILED] = IGN("no spawn pending"),
        [GUARD_EV_READY] = IGN("recorder being replaced"),
        /* The unhealthy recorder ended (alerted when it was found unhealthy). */
        [GUARD_EV_EXITED] = ACC(ST(RECOVERING), A_RESTART, "replaced recorder ended"),
        [GUARD_EV_CRASHED] = ACC(ST(RECOVERING), A_HOOK | A_RESTART,
                                 "replaced recorder ended uncleanly"),
        [GUARD_EV_UNHEALTHY] = IGN("recorder already being replaced"),
        [GUARD_EV_DISK_LOW] = ACC_DISK(ST(STOPPING), A_CANCEL | A_STOP | A_ALERT,
                                       "disk nearly full, not restarting until space returns"),
        [GUARD_EV_BACKOFF_ELAPSED] = ACC(ST(STARTING), A_SPAWN, "restarting in a new segment"),
        [GUARD_EV_BUDGET_SPENT] = ACC(ST(ERROR), A_ALERT, "restart budget spent, giving up"),
        [GUARD_EV_STOP_TIMEOUT] = ACC(ST(RECOVERING), A_ESC,
                                      "recorder did not stop in time, escalating"),
        [GUARD_EV_ADOPTED] = IGN("adoption happens only at daemon start"),
        [GUARD_EV_DISK_FULL] = ACC(ST(DISK_LOW), A_CANCEL | A_ALERT,
                                   "replaced recorder ended on a full disk, waiting for space"),
        [GUARD_EV_DISK_OK] = IGN("not waiting for disk space"),
        [GUARD_EV_PROMOTED] = ACC(ST(RECORDING), A_CANCEL | A_HOOK, "replaced recorder ended, the standby took over"),
    },
    [GUARD_ST_ERROR] = {
        [GUARD_EV_START] = ACC(ST(STARTING), A_RESET | A_SPAWN, "operator start after error"),
        [GUARD_EV_STOP] = ACC(ST(IDLE), 0, "operator acknowledged the error"),
        [GUARD_EV_SPLIT] = REJ("not recording (error state)"),
        [GUARD_EV_SPAWNED] = IGN("no spawn pending"),
        [GUARD_EV_SPAWN_FAILED] = IGN("no spawn pending"),
        [GUARD_EV_READY] = IGN("no recorder running"),
        [GUARD_EV_EXITED] = IGN("no recorder running"),
        [GUARD_EV_CRASHED] = IGN("no recorder running"),
        [GUARD_EV_UNHEALTHY] = IGN("no recorder running"),
        [GUARD_EV_DISK_LOW] = IGN("no recorder running"),
        [GUARD_EV_BACKOFF_ELAPSED] = IGN("stale restart timer"),
        [GUARD_EV_BUDGET_SPENT] = IGN("already given up"),
        [GUARD_EV_STOP_TIMEOUT] = IGN("no stop in progress"),
        [GUARD_EV_ADOPTED] = IGN("adoption happens only at daemon start"),
        [GUARD_EV_DISK_FULL] = IGN("no recorder running"),
        [GUARD_EV_DISK_OK] = IGN("not waiting for disk space"),
        [GUARD_EV_PROMOTED] = IGN("no recorder running"),
    },
    [GUARD_ST_DISK_LOW] = {
        [GUARD_EV_START] = ACC(ST(STARTING), A_RESET | A_SPAWN, "operator start while disk space is low"),
        [GUARD_EV_STOP] = ACC(ST(IDLE), 0, "operator stop, no resume when space returns"),
        [GUARD_EV_SPLIT] = REJ("not recording: waiting for disk space"),
        [GUARD_EV_SPAWNED] = IGN("no spawn pending"),
        [GUARD_EV_SPAWN_FAILED] = IGN("no spawn pending"),
        [GUARD_EV_READY] = IGN("no recorder running"),
        [GUARD_EV_EXITED] = IGN("no recorder running"),
        [GUARD_EV_CRASHED] = IGN("no recorder running"),
        [GUARD_EV_UNHEALTHY] = IGN("no recorder running"),
        [GUARD_EV_DISK_LOW] = IGN("already waiting for disk space"),
        [GUARD_EV_BACKOFF_ELAPSED] = IGN("stale restart timer"),
        [GUARD_EV_BUDGET_SPENT] = IGN("no restart being scheduled"),
        [GUARD_EV_STOP_TIMEOUT] = IGN("no stop in progress"),
        [GUARD_EV_ADOPTED] = IGN("adoption happens only at daemon start"),
        [GUARD_EV_DISK_FULL] = IGN("no recorder running"),
        [GUARD_EV_DISK_OK] = ACC(ST(STARTING), A_SPAWN, "disk space is back, resuming in a new segment"),
        [GUARD_EV_PROMOTED] = IGN("no recorder running"),
    },
};

static const char *const state_names[GUARD_ST__COUNT] = {
    "idle", "starting", "recording", "stopping", "recovering", "error", "disk_low",
};

static const char *const event_names[GUARD_EV__COUNT] = {
    "start", "stop", "split", "spawned", "spawn_failed", "ready", "exited", "crashed",
    "unhealthy", "disk_low", "backoff_elapsed", "budget_spent", "stop_timeout", "adopted",
    "disk_full", "disk_ok", "promoted",
};

static const char *const then_names[GUARD_THEN__COUNT] = {"idle", "split", "disk"};

static const char *const action_names[GUARD_ACT__COUNT] = {
    "cancel_restart", "signal_stop", "escalate", "run_post_crash_hook",
    "reset_budget", "schedule_restart", "spawn", "alert",
};

void guard_fsm_init(guard_fsm *fsm) {
    fsm->state = GUARD_ST_IDLE;
    fsm->then = GUARD_THEN_IDLE;
}

static int row_of(guard_state st, guard_fsm_then then) {
    if (st != GUARD_ST_STOPPING || then == GUARD_THEN_IDLE) return (int)st;
    return then == GUARD_THEN_SPLIT ? ROW_SPLITTING : ROW_DISK_STOPPING;
}

void guard_fsm_rule(guard_state st, guard_event ev, guard_fsm_then then, guard_fsm_step *step,
                    guard_fsm_then *then_after) {
    assert((unsigned)st < GUARD_ST__COUNT && (unsigned)ev < GUARD_EV__COUNT);
    assert((unsigned)then < GUARD_THEN__COUNT);
    /* a pending split or disk pause outside STOPPING would be a broken invariant of feed() */
    assert(then == GUARD_THEN_IDLE || st == GUARD_ST_STOPPING);
    const cell *c = &rules[row_of(st, then)][ev];
    assert(c->why != NULL); /* every cell is spelled out */
    step->from = st;
    step->event = ev;
    step->why = c->why;
    step->verdict = c->kind == CELL_ACCEPT   ? GUARD_FSM_ACCEPTED
                    : c->kind == CELL_REJECT ? GUARD_FSM_REJECTED
                                             : GUARD_FSM_IGNORED;
    step->to = c->kind == CELL_ACCEPT ? c->next : st;
    step->actions = c->kind == CELL_ACCEPT ? c->actions : 0;
    if (then_after) *then_after = c->kind == CELL_ACCEPT ? c->then : then;
}

void guard_fsm_feed(guard_fsm *fsm, guard_event ev, guard_fsm_step *step) {
    guard_fsm_then after;
    guard_fsm_rule(fsm->state, ev, fsm->then, step, &after);
    fsm->state = step->to;
    fsm->then = after;
    assert(fsm->then == GUARD_THEN_IDLE || fsm->state == GUARD_ST_STOPPING);
}

const char *guard_fsm_then_name(guard_fsm_then then) {
    return (unsigned)then < GUARD_THEN__COUNT ? then_names[then] : "?";
}

int guard_fsm_then_from_name(const char *name, guard_fsm_then *out) {
    for (int i = 0; i < GUARD_THEN__COUNT; i++)
        if (strcmp(then_names[i], name) == 0) {
            *out = (guard_fsm_then)i;
            return 0;
        }
    return -EINVAL;
}

const char *guard_fsm_state_name(guard_state st) {
    return (unsigned)st < GUARD_ST__COUNT ? state_names[st] : "?";
}

const char *guard_fsm_event_name(guard_event ev) {
    return (unsigned)ev < GUARD_EV__COUNT ? event_names[ev] : "?";
}

const char *guard_fsm_action_name(unsigned action_bit) {
    for (unsigned i = 0; i < GUARD_ACT__COUNT; i++)
        if (action_bit == (1u << i)) return action_names[i];
    return "?";
}

int guard_fsm_state_from_name(const char *name, guard_state *out) {
    for (int i = 0; i < GUARD_ST__COUNT; i++)
        if (strcmp(state_names[i], name) == 0) {
            *out = (guard_state)i;
            return 0;
        }
    return -EINVAL;
}

int guard_fsm_event_from_name(const char *name, guard_event *out) {
    for (int i = 0; i < GUARD_EV__COUNT; i++)
        if (strcmp(event_names[i], name) == 0) {
            *out = (guard_event)i;
            return 0;
        }
    return -EINVAL;
}

void guard_fsm_actions_str(unsigned actions, char *buf, unsigned buflen) {
    assert(buflen > 0);
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < GUARD_ACT__COUNT; i++) {
        if (!(actions & (1u << i))) continue;
        int n = snprintf(buf + used, buflen - used, "%s%s", used ? "," : "", action_names[i]);
        if (n < 0 || (size_t)n >= buflen - used) return; /* truncated, still NUL-terminated */
        used += (size_t)n;
    }
}

bool guard_fsm_event_is_operator(guard_event ev) {
    return ev == GUARD_EV_START || ev == GUARD_EV_STOP || ev == GUARD_EV_SPLIT;
}

guard_event guard_fsm_exit_event(int code, int status) {
    if (code == CLD_EXITED && status == 0) return GUARD_EV_EXITED;
    if (code == CLD_KILLED && (status == SIGINT || status == SIGTERM))
        return GUARD_EV_EXITED;
    return GUARD_EV_CRASHED;
}
