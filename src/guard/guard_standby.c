/* guard_standby — see guard_standby.h. */
#include "guard/guard_standby.h"

#include <stdlib.h>
#include <string.h>

guard_standby_state guard_standby_assess(const guard_standby_obs *o, int64_t now_ns) {
    if (!o->alive) return GUARD_STANDBY_OFF;
    /* A heartbeat "in the future" (read racing the write) is fresh, not stale. */
    int fresh = o->have_stats && o->role_standby && now_ns - o->heartbeat_mono_ns < GUARD_STANDBY_FRESH_NS;
    if (o->was_ready) return fresh ? GUARD_STANDBY_READY : GUARD_STANDBY_STALE;
    int settled = o->covered_since_ns > 0 && now_ns - o->covered_since_ns >= GUARD_STANDBY_SETTLE_NS;
    return fresh && settled ? GUARD_STANDBY_READY : GUARD_STANDBY_STARTING;
}

static int topic_cmp(const void *a, const void *b) {
    const rec_stats_topic *x = *(const rec_stats_topic *const *)a, *y = *(const rec_stats_topic *const *)b;
    return strncmp(x->name, y->name, sizeof x->name);
}

int guard_standby_covers(const rec_stats_snapshot *primary, const rec_stats_snapshot *standby) {
    uint32_t n = standby->ntopics < REC_STATS_MAX_TOPICS ? standby->ntopics : REC_STATS_MAX_TOPICS;
    const rec_stats_topic **by_name = malloc((n ? n : 1) * sizeof *by_name);
    if (!by_name) return 0;
    for (uint32_t i = 0; i < n; i++) by_name[i] = &standby->topics[i];
    qsort(by_name, n, sizeof *by_name, topic_cmp);
    int ok = 1;
    uint32_t np = primary->ntopics < REC_STATS_MAX_TOPICS ? primary->ntopics : REC_STATS_MAX_TOPICS;
    for (uint32_t i = 0; i < np && ok; i++) {
        const rec_stats_topic *p = &primary->topics[i];
        if (p->matched == 0) continue;
        const rec_stats_topic *key = p, **hit = bsearch(&key, by_name, n, sizeof *by_name, topic_cmp);
        ok = hit && (*hit)->matched >= p->matched;
    }
    free(by_name);
    return ok;
}

guard_standby_verdict guard_standby_on_primary_end(guard_state st, guard_event exit_ev,
                                                   guard_standby_state sb) {
    /* A full disk would fail the standby's writes just the same; the fsm pauses instead. */
    if (exit_ev == GUARD_EV_DISK_FULL) return GUARD_STANDBY_STOP_TOO;
    switch (st) {
    case GUARD_ST_STARTING:
    case GUARD_ST_RECORDING:
    case GUARD_ST_RECOVERING:
        return sb == GUARD_STANDBY_READY ? GUARD_STANDBY_PROMOTE : GUARD_STANDBY_PLAIN;
    case GUARD_ST_STOPPING: /* operator stop, split or disk: both end, the fsm goes on */
    case GUARD_ST_IDLE:
    case GUARD_ST_ERROR:
    case GUARD_ST_DISK_LOW:
    case GUARD_ST__COUNT:
        break;
    }
    return GUARD_STANDBY_STOP_TOO;
}

int guard_standby_kill_at_once(guard_standby_state sb) { return sb == GUARD_STANDBY_READY; }

int guard_standby_wanted(guard_state st, int primary_alive) {
    if (!primary_alive) return 0;
    return st == GUARD_ST_STARTING || st == GUARD_ST_RECORDING || st == GUARD_ST_RECOVERING;
}

int64_t guard_standby_backoff_ns(unsigned fails) {
    int64_t d = GUARD_STANDBY_BACKOFF_INITIAL_NS;
    for (unsigned i = 1; i < fails && d < GUARD_STANDBY_BACKOFF_CAP_NS; i++) d *= 2;
    return d < GUARD_STANDBY_BACKOFF_CAP_NS ? d : GUARD_STANDBY_BACKOFF_CAP_NS;
}

const char *guard_standby_state_name(guard_standby_state s) {
    static const char *const n[GUARD_STANDBY__COUNT] = {"off", "starting", "ready", "stale", "stopping", "backoff"};
    return (unsigned)s < GUARD_STANDBY__COUNT ? n[s] : "?";
}
