/* hz_est — see hz_est.h. */
#include "hz/hz_est.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

uint64_t hz_u64_delta(uint64_t later, uint64_t earlier) { return later - earlier; /* mod 2^64 */ }

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b) != 0 && (a < 0) != (b < 0)) q--;
    return q;
}

static double age_of(int ever, int64_t last_ns, int64_t now_ns) {
    if (!ever) return -1.0;
    return now_ns > last_ns ? (double)(now_ns - last_ns) / HZ_NS_PER_S : 0.0;
}

/* ---- time window ---------------------------------------------------------------------------- */

static void win_clear(hz_win *w) {
    for (size_t i = 0; i < HZ_WIN_BUCKETS; i++) w->b[i].idx = INT64_MIN;
    w->have_last = 0;
    w->have_ref = 0;
}

void hz_win_init(hz_win *w, int64_t window_ns) {
    memset(w, 0, sizeof *w);
    if (window_ns < HZ_WIN_BUCKETS) window_ns = HZ_WIN_BUCKETS;
    w->width_ns = window_ns / HZ_WIN_BUCKETS;
    w->window_ns = w->width_ns * HZ_WIN_BUCKETS;
    win_clear(w);
}

/* The bucket for idx, emptied first if its slot still holds an older one. Arrivals never go
 * back in time within a window (a jump clears it), so a slot holding another idx is stale. */
static hz_bucket *bucket_at(hz_win *w, int64_t idx) {
    int64_t slot = idx % HZ_WIN_BUCKETS;
    if (slot < 0) slot += HZ_WIN_BUCKETS;
    hz_bucket *b = &w->b[slot];
    if (b->idx != idx) {
        memset(b, 0, sizeof *b);
        b->idx = idx;
        b->size_min = UINT64_MAX;
        b->per_min = INT64_MAX;
    }
    return b;
}

void hz_win_add(hz_win *w, int64_t t_ns, uint64_t size) {
    if (w->have_last && t_ns < w->last_ns) {
        w->jumps++;
        win_clear(w);
    }
    hz_bucket *b = bucket_at(w, floor_div(t_ns, w->width_ns));
    b->msgs++;
    b->bytes += size;
    if (size < b->size_min) b->size_min = size;
    if (size > b->size_max) b->size_max = size;
    if (w->have_last) {
        int64_t dt = t_ns - w->last_ns;
        if (!w->have_ref) {
            w->ref_ns = dt;
            w->have_ref = 1;
        }
        double d = (double)(dt - w->ref_ns);
        b->periods++;
        b->per_sum += (double)dt;
        b->per_lin += d;
        b->per_sq += d * d;
        if (dt < b->per_min) b->per_min = dt;
        if (dt > b->per_max) b->per_max = dt;
    }
    w->have_last = 1;
    w->last_ns = t_ns;
    w->ever = 1;
    w->total_msgs++;
    w->total_bytes += size;
}

/* Rate and bandwidth from the aggregated sums; the open interval since the last message joins
 * the periods once it is clearly longer than they are (the topic slowed down or stopped). */
static void finish(hz_stats *o, double per_sum_ns, double per_lin, double per_sq, uint64_t bytes,
                   double silence_ns) {
    if (o->msgs) o->mean_size = (double)bytes / (double)o->msgs;
    if (o->periods == 0 || per_sum_ns <= 0) return;
    double n = (double)o->periods;
    double mean = per_sum_ns / n;
    double lin = per_lin / n;
    double var = per_sq / n - lin * lin;
    o->period_mean_s = mean / HZ_NS_PER_S;
    o->period_std_s = o->periods > 1 && var > 0 ? sqrt(var) / HZ_NS_PER_S : 0.0;
    double span = per_sum_ns;
    if (silence_ns > HZ_SILENT_PERIODS * mean) span += silence_ns;
    o->rate_hz = n * HZ_NS_PER_S / span;
    o->bandwidth_bps = o->mean_size * o->rate_hz;
}

void hz_win_query(const hz_win *w, int64_t now_ns, hz_stats *o) {
    memset(o, 0, sizeof *o);
    o->total_msgs = w->total_msgs;
    o->total_bytes = w->total_bytes;
    o->jumps = w->jumps;
    o->age_s = age_of(w->ever, w->last_ns, now_ns);
    int64_t lo = floor_div(now_ns, w->width_ns) - (HZ_WIN_BUCKETS - 1);
    uint64_t bytes = 0, smin = UINT64_MAX, smax = 0;
    int64_t pmin = INT64_MAX, pmax = 0;
    double sum = 0, lin = 0, sq = 0;
    for (size_t i = 0; i < HZ_WIN_BUCKETS; i++) {
        const hz_bucket *b = &w->b[i];
        if (b->idx == INT64_MIN || b->idx < lo) continue;
        o->msgs += b->msgs;
        bytes += b->bytes;
        if (b->size_min < smin) smin = b->size_min;
        if (b->size_max > smax) smax = b->size_max;
        if (b->periods == 0) continue;
        o->periods += b->periods;
        sum += b->per_sum;
        lin += b->per_lin;
        sq += b->per_sq;
        if (b->per_min < pmin) pmin = b->per_min;
        if (b->per_max > pmax) pmax = b->per_max;
    }
    if (o->msgs) {
        o->size_min = smin;
        o->size_max = smax;
    }
    if (o->periods) {
        o->period_min_s = (double)pmin / HZ_NS_PER_S;
        o->period_max_s = (double)pmax / HZ_NS_PER_S;
    }
    double silence = w->have_last && now_ns > w->last_ns ? (double)(now_ns - w->last_ns) : 0.0;
    finish(o, sum, lin, sq, bytes, silence);
}

/* ---- count window --------------------------------------------------------------------------- */

int hz_cwin_init(hz_cwin *c, size_t cap) {
    memset(c, 0, sizeof *c);
    if (cap < 2 || cap > HZ_CWIN_MAX) return -EINVAL;
    c->t = malloc(cap * sizeof *c->t);
    c->size = malloc(cap * sizeof *c->size);
    if (!c->t || !c->size) {
        hz_cwin_fini(c);
        return -ENOMEM;
    }
    c->cap = cap;
    return 0;
}

void hz_cwin_fini(hz_cwin *c) {
    free(c->t);
    free(c->size);
    memset(c, 0, sizeof *c);
}

static size_t cwin_slot(const hz_cwin *c, size_t k) { /* k-th oldest entry */
    return (c->head + c->cap - c->n + k) % c->cap;
}

void hz_cwin_add(hz_cwin *c, int64_t t_ns, uint64_t size) {
    if (c->n > 0 && t_ns < c->t[cwin_slot(c, c->n - 1)]) {
        c->jumps++;
        c->n = 0;
    }
    c->t[c->head] = t_ns;
    c->size[c->head] = size;
    c->head = (c->head + 1) % c->cap;
    if (c->n < c->cap) c->n++;
    c->total_msgs++;
    c->total_bytes += size;
}

void hz_cwin_query(const hz_cwin *c, int64_t now_ns, hz_stats *o) {
    memset(o, 0, sizeof *o);
    o->total_msgs = c->total_msgs;
    o->total_bytes = c->total_bytes;
    o->jumps = c->jumps;
    o->msgs = c->n;
    if (c->n == 0) {
        o->age_s = -1.0;
        return;
    }
    o->age_s = age_of(1, c->t[cwin_slot(c, c->n - 1)], now_ns);
    uint64_t bytes = 0, smin = UINT64_MAX, smax = 0;
    int64_t pmin = INT64_MAX, pmax = 0;
    for (size_t k = 0; k < c->n; k++) {
        uint64_t s = c->size[cwin_slot(c, k)];
        bytes += s;
        if (s < smin) smin = s;
        if (s > smax) smax = s;
        if (k == 0) continue;
        int64_t dt = c->t[cwin_slot(c, k)] - c->t[cwin_slot(c, k - 1)];
        if (dt < pmin) pmin = dt;
        if (dt > pmax) pmax = dt;
    }
    o->size_min = smin;
    o->size_max = smax;
    o->mean_size = (double)bytes / (double)c->n;
    if (c->n < 2) return;
    o->periods = c->n - 1;
    double span = (double)(c->t[cwin_slot(c, c->n - 1)] - c->t[cwin_slot(c, 0)]);
    double mean = span / (double)o->periods;
    double sq = 0;
    for (size_t k = 1; k < c->n; k++) {
        double d = (double)(c->t[cwin_slot(c, k)] - c->t[cwin_slot(c, k - 1)]) - mean;
        sq += d * d;
    }
    o->period_mean_s = mean / HZ_NS_PER_S;
    o->period_min_s = (double)pmin / HZ_NS_PER_S;
    o->period_max_s = (double)pmax / HZ_NS_PER_S;
    o->period_std_s = sqrt(sq / (double)o->periods) / HZ_NS_PER_S;
    if (span > 0) {
        o->rate_hz = HZ_NS_PER_S / mean;
        o->bandwidth_bps = o->mean_size * o->rate_hz;
    }
}

/* ---- classification ------------------------------------------------------------------------ */

hz_state hz_classify(uint64_t total_msgs, uint64_t window_msgs, double age_s,
                     double period_mean_s, double window_s) {
    if (total_msgs == 0 || age_s < 0) return HZ_NEVER_SEEN;
    if (window_msgs == 0) return HZ_SILENT;
    double p = period_mean_s > 0 ? period_mean_s : window_s;
    double silent = HZ_SILENT_FACTOR * p;
    if (silent < HZ_SILENT_MIN_S) silent = HZ_SILENT_MIN_S;
    if (age_s > silent) return HZ_SILENT;
    if (age_s > HZ_SILENT_PERIODS * p) return HZ_SLOW;
    return HZ_ACTIVE;
}

const char *hz_state_name(hz_state s) {
    switch (s) {
    case HZ_NEVER_SEEN: return "never seen";
    case HZ_ACTIVE: return "active";
    case HZ_SLOW: return "slow";
    case HZ_SILENT: return "silent";
    }
    return "?";
}
