/* guard_policy — the recovery policy: how long to wait before the next automatic restart, and
 * when to give up. Pure: every function takes the time (CLOCK_MONOTONIC ns) as an argument.
 *
 * Rules (issue 2 "Recovery", issue 8 "the guardian never gives up on data"):
 *   - a run that recorded data since it started (the daemon saw progress: heartbeat, messages,
 *     output growth) is never counted: its restart is immediate, and the backoff and the
 *     budget start afresh. Only runs that fail before making progress count below, so the
 *     daemon never reaches ERROR while its runs record, however often they are killed;
 *   - the first restart after a failure is immediate (delay 0);
 *   - consecutive failures then wait backoff_initial, x2 each time, capped at backoff_cap;
 *   - at most budget_starts automatic restarts within any budget_window (a sliding window over
 *     the planned restart times); one more = GUARD_POLICY_BUDGET_SPENT (-> ERROR state);
 *   - an operator START resets everything (guard_policy_reset).
 *
 * Defaults (GUARD_POLICY_DEFAULT_*): 1 s initial, 30 s cap, 5 restarts in 60 s.
 * Why not systemd's 5 starts per 10 s: systemd restarts every 100 ms, so 5 starts fill 10 s
 * quickly. With exponential backoff the first five delays already add up to 0+1+2+4+8 = 15 s: a
 * 10 s window could never hold 6 restarts and the budget would never trip. A 60 s window holds
 * them: a recorder that dies before recording anything is given up after ~15 s and 5 attempts
 * (an alert, no storm).
 *
 * Daemon usage: on the SCHEDULE_RESTART action call guard_policy_next(now, progressed) and arm
 * a timer of the returned delay (0 = restart at once) or feed GUARD_EV_BUDGET_SPENT; on
 * RESET_BUDGET call guard_policy_reset().
 */
#ifndef GUARD_POLICY_H
#define GUARD_POLICY_H

#include <stdint.h>

#define GUARD_POLICY_BUDGET_SPENT (-1)                      /* guard_policy_next: give up */
#define GUARD_POLICY_MAX_BUDGET 64                          /* largest budget_starts accepted */
#define GUARD_POLICY_DEFAULT_BACKOFF_INITIAL_NS 1000000000LL /* 1 s */
#define GUARD_POLICY_DEFAULT_BACKOFF_CAP_NS 30000000000LL    /* 30 s */
#define GUARD_POLICY_DEFAULT_BUDGET_STARTS 5                /* restarts ... */
#define GUARD_POLICY_DEFAULT_BUDGET_WINDOW_NS 60000000000LL  /* ... within 60 s */

typedef struct guard_policy_cfg {
    int64_t backoff_initial_ns; /* delay before the 2nd consecutive restart (> 0) */
    int64_t backoff_cap_ns;     /* largest delay (>= backoff_initial_ns) */
    unsigned budget_starts;     /* restarts allowed per window, 1..GUARD_POLICY_MAX_BUDGET;
                                 * 0 = unlimited (never BUDGET_SPENT) */
    int64_t budget_window_ns;   /* sliding window for budget_starts (> 0) */
} guard_policy_cfg;

/* Policy state. Fields are readable (status JSON: restarts, next delay), written only here. */
typedef struct guard_policy {
    guard_policy_cfg cfg;                      /* copy of the configuration */
    unsigned failures;                         /* consecutive runs that failed without
                                                * progress since the last reset */
    unsigned restarts_total;                   /* automatic restarts planned since daemon start
                                                * (never reset; "restarts" in status) */
    int64_t planned[GUARD_POLICY_MAX_BUDGET];  /* ring: times of the last counted restarts */
    unsigned nplanned;                         /* valid entries in planned (<= budget_starts) */
    unsigned head;                             /* ring index of the next write */
} guard_policy;

/* Fill cfg with the defaults above. */
void guard_policy_cfg_defaults(guard_policy_cfg *cfg);
/* Check a configuration; 0, or -EINVAL with "restart.<key>: why" in err. */
int guard_policy_cfg_check(const guard_policy_cfg *cfg, char *err, unsigned errlen);
/* Start with a valid cfg (asserted), nothing counted. */
void guard_policy_init(guard_policy *p, const guard_policy_cfg *cfg);
/* Operator START: forget failures and the budget window (restarts_total is kept). */
void guard_policy_reset(guard_policy *p);
/* The recorder ended at now_ns and should be restarted. `progressed`: the run recorded data
 * since it started. Returns the delay in ns (>= 0) before the restart, or
 * GUARD_POLICY_BUDGET_SPENT (nothing counted). A progressed run resets failures and budget
 * and returns 0: it is never counted and never spends the budget. Otherwise the restart is
 * counted in the budget at now_ns + delay. */
int64_t guard_policy_next(guard_policy *p, int64_t now_ns, int progressed);

#endif
