/* guard_policy — see guard_policy.h. */
#include "guard/guard_policy.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void guard_policy_cfg_defaults(guard_policy_cfg *cfg) {
    cfg->backoff_initial_ns = GUARD_POLICY_DEFAULT_BACKOFF_INITIAL_NS;
    cfg->backoff_cap_ns = GUARD_POLICY_DEFAULT_BACKOFF_CAP_NS;
    cfg->budget_starts = GUARD_POLICY_DEFAULT_BUDGET_STARTS;
    cfg->budget_window_ns = GUARD_POLICY_DEFAULT_BUDGET_WINDOW_NS;
}

int guard_policy_cfg_check(const guard_policy_cfg *cfg, char *err, unsigned errlen) {
    const char *key = NULL, *why = NULL;
    if (cfg->backoff_initial_ns <= 0) key = "backoff_initial", why = "must be > 0";
    else if (cfg->backoff_cap_ns < cfg->backoff_initial_ns)
        key = "backoff_cap", why = "must be >= restart.backoff_initial";
    else if (cfg->budget_starts > GUARD_POLICY_MAX_BUDGET)
        key = "budget_starts", why = "must be at most 64 (0 = unlimited)";
    else if (cfg->budget_window_ns <= 0) key = "budget_window", why = "must be > 0";
    if (!key) return 0;
    snprintf(err, errlen, "restart.%s: %s", key, why);
    return -EINVAL;
}

void guard_policy_init(guard_policy *p, const guard_policy_cfg *cfg) {
    char err[128];
    (void)err;
    assert(guard_policy_cfg_check(cfg, err, sizeof err) == 0);
    memset(p, 0, sizeof *p);
    p->cfg = *cfg;
}

void guard_policy_reset(guard_policy *p) {
    p->failures = 0;
    p->nplanned = 0;
    p->head = 0;
}

/* Delay for the (failures+1)-th consecutive failure: 0, initial, 2*initial, ... cap. */
static int64_t backoff(const guard_policy_cfg *cfg, unsigned failures) {
    if (failures == 0) return 0;
    int64_t d = cfg->backoff_initial_ns;
    /* doubling stops at the cap, so it cannot overflow however many failures there were */
    for (unsigned i = 1; i < failures && d < cfg->backoff_cap_ns; i++) d *= 2;
    return d < cfg->backoff_cap_ns ? d : cfg->backoff_cap_ns;
}

int64_t guard_policy_next(guard_policy *p, int64_t now_ns, int progressed) {
    if (progressed) {
        /* It recorded: whatever ended it (kill -9, OOM, a bug on one message), giving up or
         * waiting would lose data, and a run that records is not a loop that wastes effort. */
        guard_policy_reset(p);
        p->restarts_total++;
        return 0;
    }
    int64_t delay = backoff(&p->cfg, p->failures);
    int64_t when = now_ns + delay;
    unsigned n = p->cfg.budget_starts;
    if (n > 0 && p->nplanned == n) {
        /* The ring holds the last n planned restarts; the oldest is at head. If it still lies
         * inside the window that ends at this restart, this one would be restart n+1. */
        int64_t oldest = p->planned[p->head];
        if (when - oldest < p->cfg.budget_window_ns) return GUARD_POLICY_BUDGET_SPENT;
    }
    if (n > 0) {
        p->planned[p->head] = when;
        p->head = (p->head + 1) % n;
        if (p->nplanned < n) p->nplanned++;
    }
    p->failures++;
    p->restarts_total++;
    return delay;
}
