/* guard_policy — the recovery policy: how long to wait before the next automatic restart, and
 * when to give up. Pure: every function takes the time (CLOCK_MONOTONIC ns) as an argument.
 *
 * Rules (issue 2, "Recovery"):
 *   - the first restart after a failure is immediate (delay 0);
 *   - consecutive failures then wait backoff_initial, x2 each time, capped at backoff_cap;
 *   - at most budget_starts automatic restarts within any budget_window (a sliding window over
 *     the planned restart times); one more = GUARD_POLICY_BUDGET_SPENT (-> ERROR state);
 *   - a recorder that ran (was READY) for at least stable_period before it failed counts as a
 *     fresh start: the backoff and the budget reset;
 *   - an operator START resets everything (guard_policy_reset).
 *
 * Defaults (GUARD_POLICY_DEFAULT_*): 1 s initial, 30 s cap, 5 restarts in 60 s, stable 30 s.
 * Why not systemd's 5 starts per 10 s: systemd restarts every 100 ms, so 5 starts fill 10 s
 * quickly. With exponential backoff the first five delays already add up to 0+1+2+4+8 = 15 s: a
 * 10 s window could never hold 6 restarts and the budget would never trip. A 60 s window holds
 * them: a recorder that dies at once is given up after ~15 s and 5 attempts (an alert, no
 * storm), while one that records for 30 s between crashes keeps being restarted without delay.
 *
 * Daemon usage: on every entry into RECORDING (READY or ADOPTED) call guard_policy_note_ready(now);
 * on the SCHEDULE_RESTART action call
 * guard_policy_next(now) and arm a timer of the returned delay (0 = restart at once) or feed
 * GUARD_EV_BUDGET_SPENT; on RESET_BUDGET call guard_policy_reset().
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
#define GUARD_POLICY_DEFAULT_STABLE_NS 30000000000LL         /* 30 s READY resets the budget */

typedef struct guard_policy_cfg {
    int64_t backoff_initial_ns; /* delay before the 2nd consecutive restart (> 0) */
    int64_t backoff_cap_ns;     /* largest delay (>= backoff_initial_ns) */
    unsigned budget_starts;     /* restarts allowed per window, 1..GUARD_POLICY_MAX_BUDGET;
                                 * 0 = unlimited (never BUDGET_SPENT) */
    int64_t budget_window_ns;   /* sliding window for budget_starts (> 0) */
    int64_t stable_ns;          /* READY this long before failing = reset (> 0) */
} guard_policy_cfg;

/* Policy state. Fields are readable (status JSON: restarts, next delay), written only here. */
typedef struct guard_policy {
    guard_policy_cfg cfg;                      /* copy of the configuration */
    unsigned failures;                         /* consecutive failures since last reset */
    unsigned restarts_total;                   /* automatic restarts planned since daemon start
                                                * (never reset; "restarts" in status) */
    int64_t planned[GUARD_POLICY_MAX_BUDGET];  /* ring: times of the last planned restarts */
    unsigned nplanned;                         /* valid entries in planned (<= budget_starts) */
    unsigned head;                             /* ring index of the next write */
    int64_t ready_since_ns;                    /* when the current run became READY; -1 none */
} guard_policy;

/* Fill cfg with the defaults above. */
void guard_policy_cfg_defaults(guard_policy_cfg *cfg);
/* Check a configuration; 0, or -EINVAL with "restart.<key>: why" in err. */
int guard_policy_cfg_check(const guard_policy_cfg *cfg, char *err, unsigned errlen);
/* Start with a valid cfg (asserted), nothing counted. */
void guard_policy_init(guard_policy *p, const guard_policy_cfg *cfg);
/* Operator START: forget failures and the budget window (restarts_total is kept). */
void guard_policy_reset(guard_policy *p);
/* The current run showed progress (READY accepted) at now_ns; starts its stable clock. */
void guard_policy_note_ready(guard_policy *p, int64_t now_ns);
/* The recorder failed at now_ns and should be restarted: returns the delay in ns (>= 0) before
 * the restart, and counts that restart in the budget at now_ns + delay; or returns
 * GUARD_POLICY_BUDGET_SPENT (nothing counted). A run that was READY for >= stable_ns resets
 * failures and budget first. Clears the READY mark (the next run must become READY again). */
int64_t guard_policy_next(guard_policy *p, int64_t now_ns);
/* True when the current run has been READY for at least stable_ns at now_ns (status info). */
int guard_policy_is_stable(const guard_policy *p, int64_t now_ns);

#endif
