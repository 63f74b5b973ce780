/* guard_fsm — the guardian's state machine: ONE table state x event -> (next state, actions,
 * reason). Every rule of the daemon's life cycle is a cell of that table (guard_fsm.c), in the
 * style of s6-supervise; nothing else decides transitions. Pure: no I/O, no clock, no signals.
 *
 * How the daemon drives it (the contract):
 *   1. Something happens (operator command, pidfd readable, timer, health verdict): the daemon
 *      calls guard_fsm_feed(&fsm, event, &step).
 *   2. step.verdict says ACCEPTED (state changed or actions to run), IGNORED (event has no
 *      meaning in this state, e.g. a stale timer; step.why says why; journal it at most at debug
 *      level) or REJECTED (an operator command that cannot be obeyed now; send step.why back to
 *      the client as the error text, e.g. "already recording").
 *   3. On ACCEPTED the daemon journals the transition (from, to, event, why) and then executes
 *      step.actions in increasing bit order (the GUARD_ACT_* values below are listed in that
 *      order). Executing an action may produce a new event (SPAWN -> SPAWNED or SPAWN_FAILED,
 *      SCHEDULE_RESTART -> BUDGET_SPENT); feed it AFTER the current step's actions are done.
 *
 * Rules the daemon keeps (the table relies on them):
 *   - SIGNAL_STOP / ESCALATE aimed at a child that is no longer alive (e.g. STOP while
 *     RECOVERING waits for its backoff timer): the daemon feeds GUARD_EV_EXITED at once instead.
 *   - SIGNAL_STOP while a stop ladder is already running keeps the current ladder step (never
 *     restart the ladder from SIGINT: a hung recorder must still reach SIGKILL).
 *   - The stop ladder: SIGNAL_STOP = SIGCONT+SIGINT and arm a timer of flush_timeout; each
 *     STOP_TIMEOUT -> ESCALATE: step 1 = SIGCONT+SIGTERM and a timer of term_timeout, step 2 =
 *     SIGKILL (and a last timer; a process in D state may take a while to die).
 *   - A process exit is classified with guard_fsm_exit_event(): clean (GUARD_EV_EXITED) or not
 *     (GUARD_EV_CRASHED). A crash runs the post-crash hook on the segment that just ended.
 *
 * A split (operator SPLIT) is a graceful stop followed by a start of the next segment: the fsm
 * remembers it in `then` (GUARD_THEN_SPLIT), so that STOPPING x EXITED leads to STARTING
 * instead of IDLE. A stop for disk space (GUARD_THEN_DISK) leads to DISK_LOW, which starts the
 * next segment by itself when the space is back (DISK_OK). A recorder that ends saying the
 * disk is full (DISK_FULL) goes to DISK_LOW directly: no post-crash hook on a file it closed
 * validly, no restarts onto a full disk.
 */
#ifndef GUARD_FSM_H
#define GUARD_FSM_H

#include <stdbool.h>

typedef enum guard_state {
    GUARD_ST_IDLE,       /* no recorder; waits for START (or ADOPTED at daemon start) */
    GUARD_ST_STARTING,   /* recorder spawned, no progress seen yet */
    GUARD_ST_RECORDING,  /* recorder running and making progress; carries a health verdict */
    GUARD_ST_STOPPING,   /* graceful stop ladder running (operator stop, disk low, or split) */
    GUARD_ST_RECOVERING, /* recorder failed: being stopped and/or waiting for the backoff timer */
    GUARD_ST_ERROR,      /* restart budget spent; no recorder; waits for the operator */
    GUARD_ST_DISK_LOW,   /* no recorder: the disk is (nearly) full; resumes when space returns */
    GUARD_ST__COUNT
} guard_state;

typedef enum guard_event {
    GUARD_EV_START,           /* operator: start recording */
    GUARD_EV_STOP,            /* operator: stop recording (or acknowledge ERROR) */
    GUARD_EV_SPLIT,           /* operator: end this segment, continue in the next one */
    GUARD_EV_SPAWNED,         /* SPAWN action succeeded (exec worked) */
    GUARD_EV_SPAWN_FAILED,    /* SPAWN action failed (fork, exec, log file...) */
    GUARD_EV_READY,           /* first sign of progress (heartbeat moved or output grew) */
    GUARD_EV_EXITED,          /* recorder ended cleanly (see guard_fsm_exit_event) */
    GUARD_EV_CRASHED,         /* recorder ended otherwise: nonzero exit, signal, SIGKILL */
    GUARD_EV_UNHEALTHY,       /* health: HANG, STALL or MEM_CRITICAL (replace the recorder) */
    GUARD_EV_DISK_LOW,        /* health: DISK_STOP (stop cleanly before the disk is full) */
    GUARD_EV_BACKOFF_ELAPSED, /* the restart timer armed by SCHEDULE_RESTART fired */
    GUARD_EV_BUDGET_SPENT,    /* SCHEDULE_RESTART: guard_policy_next said the budget is spent */
    GUARD_EV_STOP_TIMEOUT,    /* a stop-ladder timer fired: escalate */
    GUARD_EV_ADOPTED,         /* daemon start: a still-running recorder was re-adopted */
    GUARD_EV_DISK_FULL,       /* recorder ended saying the disk is full (its stats, or an
                               * unclean end on a disk past the stop level) */
    GUARD_EV_DISK_OK,         /* health: free space back above the stop level (DISK_LOW) */
    GUARD_EV_PROMOTED,        /* the recorder's tree is gone and the hot standby took over
                               * (redundancy: standby, guard_standby.h): it is the recorder now */
    GUARD_EV__COUNT
} guard_event;

/* Actions, as bits; the daemon executes them in this (increasing) order. */
#define GUARD_ACT_NONE 0u                  /* nothing to do (state change only) */
#define GUARD_ACT_CANCEL_RESTART (1u << 0) /* disarm the backoff timer, if armed */
#define GUARD_ACT_SIGNAL_STOP (1u << 1)    /* begin the stop ladder: SIGCONT+SIGINT, timer */
#define GUARD_ACT_ESCALATE (1u << 2)       /* next ladder step: SIGTERM, then SIGKILL */
#define GUARD_ACT_RUN_POST_CRASH_HOOK (1u << 3) /* run post_crash_hook on the ended segment */
#define GUARD_ACT_RESET_BUDGET (1u << 4)   /* operator start: guard_policy_reset() */
#define GUARD_ACT_SCHEDULE_RESTART (1u << 5) /* guard_policy_next(): arm timer or BUDGET_SPENT */
#define GUARD_ACT_SPAWN (1u << 6)          /* new segment path, spawn; feed SPAWNED/SPAWN_FAILED */
#define GUARD_ACT_ALERT (1u << 7)          /* notable: run the alert command if event selected */
#define GUARD_ACT__COUNT 8                 /* number of action bits */

typedef enum guard_fsm_verdict {
    GUARD_FSM_ACCEPTED, /* rule applied: journal it and run step.actions */
    GUARD_FSM_IGNORED,  /* no meaning here (stale timer, duplicate); state unchanged */
    GUARD_FSM_REJECTED  /* operator command refused; step.why is the answer to the client */
} guard_fsm_verdict;

/* Where STOPPING leads once the recorder has ended. */
typedef enum guard_fsm_then {
    GUARD_THEN_IDLE,  /* operator stop (or the daemon's SIGTERM): IDLE */
    GUARD_THEN_SPLIT, /* operator split: STARTING the next segment */
    GUARD_THEN_DISK,  /* disk nearly full: DISK_LOW until the space is back */
    GUARD_THEN__COUNT
} guard_fsm_then;

/* The machine. Initialise with guard_fsm_init(); fields are readable, written only by feed. */
typedef struct guard_fsm {
    guard_state state;   /* current state */
    guard_fsm_then then; /* STOPPING only (GUARD_THEN_IDLE elsewhere): what follows the exit */
} guard_fsm;

/* The outcome of one event. */
typedef struct guard_fsm_step {
    guard_state from;          /* state before the event */
    guard_state to;            /* state after (== from unless ACCEPTED with a transition) */
    guard_event event;         /* the event fed */
    guard_fsm_verdict verdict; /* accepted / ignored / rejected */
    unsigned actions;          /* GUARD_ACT_* bits to execute (0 unless ACCEPTED) */
    const char *why;           /* static sentence: the rule's reason, or why ignored/rejected */
} guard_fsm_step;

/* Put the machine in IDLE, nothing pending. */
void guard_fsm_init(guard_fsm *fsm);
/* Apply `ev` to the machine: look up the cell, update fsm, describe it in *step. Never fails;
 * an out-of-range state/event is a programming error (assert). */
void guard_fsm_feed(guard_fsm *fsm, guard_event ev, guard_fsm_step *step);
/* Pure lookup of the rule for (state, event, then) without changing anything; what feed would
 * do. For tests, `status` introspection and docs. *then_after (NULL = not wanted) gets what
 * `then` becomes. */
void guard_fsm_rule(guard_state st, guard_event ev, guard_fsm_then then, guard_fsm_step *step,
                    guard_fsm_then *then_after);
/* "idle", "split", "disk": for the state file. */
const char *guard_fsm_then_name(guard_fsm_then then);
int guard_fsm_then_from_name(const char *name, guard_fsm_then *out);

/* Lower-case names for the journal and JSON ("idle", "recording", "backoff_elapsed",
 * "spawn", "run_post_crash_hook"...). Never NULL; "?" for an out-of-range value. */
const char *guard_fsm_state_name(guard_state st);
const char *guard_fsm_event_name(guard_event ev);
const char *guard_fsm_action_name(unsigned action_bit); /* exactly one bit */
/* Reverse lookups: 0 and *out set, or -EINVAL for an unknown name. Used by the config's alert
 * event list and by the state file. */
int guard_fsm_state_from_name(const char *name, guard_state *out);
int guard_fsm_event_from_name(const char *name, guard_event *out);
/* Write "signal_stop,alert" (comma separated, in execution order) into buf; "" for none. */
void guard_fsm_actions_str(unsigned actions, char *buf, unsigned buflen);
/* True for the operator's commands (START, STOP, SPLIT): those are REJECTED, not IGNORED. */
bool guard_fsm_event_is_operator(guard_event ev);

/* Classify how the recorder ended from waitid()'s siginfo (si_code CLD_EXITED / CLD_KILLED /
 * CLD_DUMPED and si_status): GUARD_EV_EXITED for exit status 0 or death by SIGINT or SIGTERM
 * (the graceful signals: the recorder had its chance to flush), GUARD_EV_CRASHED for anything
 * else (nonzero status, SIGKILL, SIGSEGV, a core dump). For an adopted (non-child) recorder
 * whose status is unknown pass code 0: CRASHED, because nothing proves it flushed. */
guard_event guard_fsm_exit_event(int code, int status);

#endif
