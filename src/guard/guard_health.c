/* guard_health — see guard_health.h. */
#include "guard/guard_health.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000.0
#define MIB (1024ull * 1024)
#define GIB (1024ull * MIB)

void guard_health_cfg_defaults(guard_health_cfg *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->start_timeout_ns = 30000000000LL;
    cfg->stall_timeout_ns = 10000000000LL;
    cfg->hang_timeout_ns = 10000000000LL;
    cfg->disk_warning_pct = 90.0;
    cfg->disk_warning_free = 2 * GIB;
    cfg->disk_stop_pct = 98.0;
    cfg->disk_stop_free = 256 * MIB;
    cfg->disk_ttf_limit_ns = 30000000000LL;
}

void guard_health_init(guard_health *h, const guard_health_cfg *cfg, int64_t now_ns) {
    memset(h, 0, sizeof *h);
    h->cfg = *cfg;
    h->init_ns = now_ns;
    h->last_progress_ns = now_ns;
}

char *guard_health_fmt_bytes(uint64_t bytes, char *buf, unsigned buflen) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;
    unsigned u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    if (u == 0) snprintf(buf, buflen, "%llu B", (unsigned long long)bytes);
    else if (v < 9.95) snprintf(buf, buflen, "%.1f %s", v, units[u]);
    else snprintf(buf, buflen, "%.0f %s", v, units[u]);
    return buf;
}

/* "3.0 s", "12 min", "2.5 h" */
static char *fmt_dur(int64_t ns, char *buf, size_t len) {
    double s = (double)ns / NS_PER_S;
    if (s < 120) snprintf(buf, len, "%.1f s", s);
    else if (s < 7200) snprintf(buf, len, "%.0f min", s / 60);
    else snprintf(buf, len, "%.1f h", s / 3600);
    return buf;
}

/* Reasons are gathered in two lists (critical, then warning) so the report lists the worst
 * first whatever order the checks ran in. */
typedef struct reasons {
    unsigned n;
    char text[GUARD_HEALTH_MAX_REASONS][GUARD_HEALTH_REASON_LEN];
} reasons;

__attribute__((format(printf, 2, 3))) static void add(reasons *r, const char *fmt, ...) {
    if (r->n >= GUARD_HEALTH_MAX_REASONS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->text[r->n++], GUARD_HEALTH_REASON_LEN, fmt, ap);
    va_end(ap);
}

static int progressed_since(const guard_health *h, const guard_health_sample *s) {
    /* Before the first sample, "previous" is nothing: a stats file or an output that exists
     * at all is the first sign of life. */
    const guard_health_sample *p = h->have_prev ? &h->prev : NULL;
    if (s->has_heartbeat && (!p || !p->has_heartbeat || s->heartbeat != p->heartbeat)) return 1;
    if (s->has_output && s->output_bytes > (p && p->has_output ? p->output_bytes : 0)) return 1;
    return 0;
}

static void check_progress(guard_health *h, const guard_health_sample *s, unsigned *flags,
                           reasons *crit) {
    if (progressed_since(h, s)) {
        *flags |= GUARD_HEALTH_PROGRESS;
        h->progressed = 1;
        h->last_progress_ns = s->now_ns;
        return;
    }
    int64_t limit = h->progressed ? h->cfg.stall_timeout_ns : h->cfg.start_timeout_ns;
    int64_t idle = s->now_ns - h->last_progress_ns;
    if (limit <= 0 || idle < limit) return;
    *flags |= GUARD_HEALTH_STALL;
    char a[32], b[32];
    if (h->progressed)
        add(crit, "no output for %s (stall timeout %s)", fmt_dur(idle, a, sizeof a),
            fmt_dur(limit, b, sizeof b));
    else
        add(crit, "no progress %s after start (start timeout %s)", fmt_dur(idle, a, sizeof a),
            fmt_dur(limit, b, sizeof b));
}

static const char *stuck_what(char state) {
    switch (state) {
    case 'T': return "stopped (SIGSTOP)";
    case 't': return "stopped by a tracer";
    default: return "in uninterruptible sleep (D)";
    }
}

static void check_state(guard_health *h, const guard_health_sample *s, unsigned *flags,
                        reasons *crit, reasons *warn) {
    if (!s->has_proc) return;
    char st = s->state;
    if (st == 'T' || st == 't' || st == 'D') {
        if (h->stuck_state != st) {
            h->stuck_state = st;
            h->stuck_since_ns = s->now_ns;
        }
        int64_t dur = s->now_ns - h->stuck_since_ns;
        char a[32], b[32];
        if (st == 'D') {
            /* /proc/PID/stat shows the main thread only: a recorder whose main thread writes
             * through slow storage can be seen in D at every sample while it keeps writing.
             * That is not a hang; D with no progress for hang_timeout is. */
            int64_t since = h->stuck_since_ns;
            if (h->progressed && h->last_progress_ns > since) since = h->last_progress_ns;
            int64_t idle = s->now_ns - since;
            if (h->cfg.hang_timeout_ns > 0 && idle >= h->cfg.hang_timeout_ns) {
                *flags |= GUARD_HEALTH_HANG;
                add(crit, "%s for %s without progress (hang timeout %s)", stuck_what(st),
                    fmt_dur(idle, a, sizeof a), fmt_dur(h->cfg.hang_timeout_ns, b, sizeof b));
            } else {
                *flags |= GUARD_HEALTH_STUCK;
                add(warn, "%s for %s%s", stuck_what(st), fmt_dur(dur, a, sizeof a),
                    since > h->stuck_since_ns ? ", still making progress" : "");
            }
        } else if (h->cfg.hang_timeout_ns > 0 && dur >= h->cfg.hang_timeout_ns) {
            *flags |= GUARD_HEALTH_HANG;
            add(crit, "%s for %s (hang timeout %s)", stuck_what(st), fmt_dur(dur, a, sizeof a),
                fmt_dur(h->cfg.hang_timeout_ns, b, sizeof b));
        } else {
            *flags |= GUARD_HEALTH_STUCK;
            add(warn, "%s for %s", stuck_what(st), fmt_dur(dur, a, sizeof a));
        }
        return;
    }
    h->stuck_state = 0;
    if (st == 'Z') {
        *flags |= GUARD_HEALTH_ZOMBIE;
        add(warn, "zombie: main thread exited, exit not yet reported");
    }
}

/* Rate of a counter between two samples, bytes/s; a counter that went back (new process,
 * new segment) counts as 0. */
static double rate(uint64_t now, uint64_t before, int64_t dt_ns) {
    return now >= before ? (double)(now - before) * 1e9 / (double)dt_ns : 0.0;
}

static void check_rates(guard_health *h, const guard_health_sample *s, guard_health_report *out) {
    if (!h->have_prev) return;
    const guard_health_sample *p = &h->prev;
    int64_t dt = s->now_ns - p->now_ns;
    if (dt <= 0) return;
    if (s->has_proc && p->has_proc) {
        h->cpu_pct = rate(s->cpu_ns, p->cpu_ns, dt) * 100.0 / 1e9;
        out->cpu_pct = h->cpu_pct;
    }
    if (s->has_io && p->has_io) out->io_write_bps = rate(s->write_bytes, p->write_bytes, dt);
    if (s->has_output && p->has_output) out->output_bps = rate(s->output_bytes, p->output_bytes, dt);
}

static void check_mem(const guard_health *h, const guard_health_sample *s, unsigned *flags,
                      reasons *crit, reasons *warn) {
    if (!s->has_rss) return;
    char a[32], b[32];
    guard_health_fmt_bytes(s->rss_bytes, a, sizeof a);
    if (h->cfg.mem_critical_bytes && s->rss_bytes >= h->cfg.mem_critical_bytes) {
        *flags |= GUARD_HEALTH_MEM_CRITICAL;
        add(crit, "rss %s > critical %s", a,
            guard_health_fmt_bytes(h->cfg.mem_critical_bytes, b, sizeof b));
    } else if (h->cfg.mem_warning_bytes && s->rss_bytes >= h->cfg.mem_warning_bytes) {
        *flags |= GUARD_HEALTH_MEM_WARN;
        add(warn, "rss %s > warning %s", a,
            guard_health_fmt_bytes(h->cfg.mem_warning_bytes, b, sizeof b));
    }
}

static void check_disk(guard_health *h, const guard_health_sample *s, guard_health_report *out,
                       unsigned *flags, reasons *crit, reasons *warn) {
    if (!s->has_disk || s->disk_total_bytes == 0) return;
    uint64_t free_b = s->disk_free_bytes < s->disk_total_bytes ? s->disk_free_bytes
                                                                : s->disk_total_bytes;
    double used = (double)(s->disk_total_bytes - free_b) * 100.0 / (double)s->disk_total_bytes;
    out->disk_used_pct = used;
    out->disk_free_bytes = free_b;

    if (h->have_prev && h->prev.has_disk && s->now_ns > h->prev.now_ns) {
        double dt = (double)(s->now_ns - h->prev.now_ns) / NS_PER_S;
        /* Space freed by someone else is not negative writing: clamp, so one deletion does
         * not hide a fast fill for the next samples. */
        double inst = h->prev.disk_free_bytes > free_b
                          ? (double)(h->prev.disk_free_bytes - free_b) / dt : 0.0;
        h->write_rate_bps = h->have_rate ? GUARD_HEALTH_RATE_ALPHA * inst +
                                               (1 - GUARD_HEALTH_RATE_ALPHA) * h->write_rate_bps
                                         : inst;
        if (h->have_rate < GUARD_HEALTH_TTF_MIN_SAMPLES) h->have_rate++;
    }
    int64_t ttf = -1;
    if (h->have_rate) {
        out->write_rate_bps = h->write_rate_bps;
        if (h->write_rate_bps >= GUARD_HEALTH_MIN_FILL_RATE) {
            double secs = (double)free_b / h->write_rate_bps;
            ttf = secs > 9.2e9 ? INT64_MAX : (int64_t)(secs * NS_PER_S);
        }
    }
    out->ttf_ns = ttf;

    const guard_health_cfg *c = &h->cfg;
    const char *stop = NULL, *warning = NULL;
    char lvl[64], tmp[32];
    if (c->disk_stop_pct > 0 && used >= c->disk_stop_pct) {
        snprintf(lvl, sizeof lvl, "stop level %.0f%%", c->disk_stop_pct);
        stop = lvl;
    } else if (c->disk_stop_free && free_b < c->disk_stop_free) {
        snprintf(lvl, sizeof lvl, "stop level %s free",
                 guard_health_fmt_bytes(c->disk_stop_free, tmp, sizeof tmp));
        stop = lvl;
    } else if (c->disk_ttf_limit_ns > 0 && ttf >= 0 && ttf < c->disk_ttf_limit_ns &&
               h->have_rate >= GUARD_HEALTH_TTF_MIN_SAMPLES) {
        snprintf(lvl, sizeof lvl, "time to full under %s",
                 fmt_dur(c->disk_ttf_limit_ns, tmp, sizeof tmp));
        stop = lvl;
    } else if (c->disk_warning_pct > 0 && used >= c->disk_warning_pct) {
        snprintf(lvl, sizeof lvl, "warning level %.0f%%", c->disk_warning_pct);
        warning = lvl;
    } else if (c->disk_warning_free && free_b < c->disk_warning_free) {
        snprintf(lvl, sizeof lvl, "warning level %s free",
                 guard_health_fmt_bytes(c->disk_warning_free, tmp, sizeof tmp));
        warning = lvl;
    }
    if (!stop && !warning) return;
    char fb[32], rb[32], tb[32], eta[96] = "";
    if (ttf >= 0)
        snprintf(eta, sizeof eta, ", ~%s to full at %s/s", fmt_dur(ttf, tb, sizeof tb),
                 guard_health_fmt_bytes((uint64_t)h->write_rate_bps, rb, sizeof rb));
    add(stop ? crit : warn, "disk %.0f%% full, %s free%s (%s)", used,
        guard_health_fmt_bytes(free_b, fb, sizeof fb), eta, stop ? stop : warning);
    *flags |= stop ? GUARD_HEALTH_DISK_STOP : GUARD_HEALTH_DISK_WARN;
}

void guard_health_eval(guard_health *h, const guard_health_sample *s, guard_health_report *out) {
    assert(!h->have_prev || s->now_ns >= h->prev.now_ns);
    memset(out, 0, sizeof *out);
    out->cpu_pct = -1;
    out->io_write_bps = -1;
    out->output_bps = -1;
    out->disk_used_pct = -1;
    out->write_rate_bps = -1;
    out->ttf_ns = -1;
    unsigned flags = 0;
    reasons crit = {0}, warn = {0};

    check_progress(h, s, &flags, &crit); /* first: the state check asks about progress */
    check_state(h, s, &flags, &crit, &warn);
    check_mem(h, s, &flags, &crit, &warn);
    check_disk(h, s, out, &flags, &crit, &warn);
    check_rates(h, s, out);

    out->flags = flags;
    out->verdict = crit.n ? GUARD_HEALTH_CRITICAL : warn.n ? GUARD_HEALTH_WARNING : GUARD_HEALTH_OK;
    for (unsigned i = 0; i < crit.n && out->nreasons < GUARD_HEALTH_MAX_REASONS; i++)
        memcpy(out->reasons[out->nreasons++], crit.text[i], GUARD_HEALTH_REASON_LEN);
    for (unsigned i = 0; i < warn.n && out->nreasons < GUARD_HEALTH_MAX_REASONS; i++)
        memcpy(out->reasons[out->nreasons++], warn.text[i], GUARD_HEALTH_REASON_LEN);
    out->rss_bytes = s->has_rss ? s->rss_bytes : 0;
    out->since_progress_ns = s->now_ns - h->last_progress_ns;
    h->prev = *s;
    h->have_prev = 1;
}

const char *guard_health_verdict_name(guard_health_verdict v) {
    switch (v) {
    case GUARD_HEALTH_OK: return "ok";
    case GUARD_HEALTH_WARNING: return "warning";
    case GUARD_HEALTH_CRITICAL: return "critical";
    }
    return "?";
}

const char *guard_health_flag_name(unsigned flag_bit) {
    static const char *const names[] = {"progress", "hang", "stall", "mem_critical", "mem_warning",
                                        "disk_stop", "disk_warning", "zombie", "stuck", "no_data",
                                        "expect"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flag_bit == (1u << i)) return names[i];
    return "?";
}
