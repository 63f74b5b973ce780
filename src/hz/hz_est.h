/* hz_est — message rate, period and bandwidth of one topic, from arrival times.
 *
 * Pure: every time is an argument (nanoseconds of one clock, normally CLOCK_MONOTONIC), no
 * clock is read and nothing is allocated per message. Two estimators:
 *
 *   hz_win   windowed by time (the recorder, the monitor, `expect:` rules): HZ_WIN_BUCKETS
 *            buckets of window/HZ_WIN_BUCKETS each; a fixed-size struct to embed per topic.
 *            hz_win_add is O(1) (it may clear at most HZ_WIN_BUCKETS stale buckets).
 *   hz_cwin  windowed by count, like `ros2 topic hz --window N`: a ring of the last N arrivals,
 *            allocated once at init; add is O(1), a query walks the ring (O(N)) so that
 *            min/max/std dev are exact.
 *
 * Rate = periods in the window / their summed length (the mean period's inverse, as ros2 topic
 * hz computes it), so a steady topic reads exactly its rate whatever the window. In hz_win a
 * topic that stops decays to 0: once the silence since its last message exceeds
 * HZ_SILENT_PERIODS mean periods, that open interval counts as a period in progress, and
 * messages older than the window drop out. hz_cwin keeps its last N arrivals as ros2 topic hz
 * does (the caller says "no new messages"). Bandwidth = mean message size x rate.
 *
 * Clock jumps: an arrival earlier than the previous one (a clock stepped back, or a caller
 * mixing clocks) cannot be a period; the window restarts from it and `jumps` counts it. A jump
 * forward looks like silence, which is what it is to an observer on that clock. A query time
 * before the last arrival reads age 0.
 *
 * Totals (messages, bytes) are free-running uint64 counters: they may wrap, and hz_u64_delta
 * gives the difference of two readings across a wrap.
 */
#ifndef HZ_EST_H
#define HZ_EST_H

#include <stddef.h>
#include <stdint.h>

#define HZ_WIN_BUCKETS 16          /* time-window granularity: window / 16 per bucket */
#define HZ_SILENT_PERIODS 2.0      /* silence longer than this many mean periods lowers the rate */
#define HZ_CWIN_DEFAULT 10000      /* count window when none is given (ros2 topic hz's default) */
#define HZ_CWIN_MAX 1000000        /* largest count window accepted */
#define HZ_NS_PER_S 1000000000.0   /* nanoseconds per second, as a double */

/* Figures over the window at the query time. Periods and ages in seconds. */
typedef struct hz_stats {
    uint64_t msgs;         /* messages in the window */
    uint64_t periods;      /* intervals between consecutive messages ending in the window */
    double rate_hz;        /* 0 when fewer than 2 messages (or silent past the window) */
    double period_mean_s;  /* mean period, 0 when no period */
    double period_min_s;   /* shortest period, 0 when no period */
    double period_max_s;   /* longest period, 0 when no period */
    double period_std_s;   /* standard deviation of the period, 0 when < 2 periods */
    double mean_size;      /* bytes per message in the window, 0 when none */
    uint64_t size_min;     /* smallest message in the window, bytes */
    uint64_t size_max;     /* largest message in the window, bytes */
    double bandwidth_bps;  /* bytes per second: mean_size x rate_hz */
    double age_s;          /* time since the last message; -1 when never seen */
    uint64_t total_msgs;   /* messages since init (wraps) */
    uint64_t total_bytes;  /* bytes since init (wraps) */
    uint64_t jumps;        /* backward clock jumps seen (each restarted the window) */
} hz_stats;

/* One time bucket: the messages whose arrival falls in [idx*width, (idx+1)*width). */
typedef struct hz_bucket {
    int64_t idx;           /* bucket number on the time axis; INT64_MIN = empty */
    uint64_t msgs;         /* messages */
    uint64_t bytes;        /* their bytes */
    uint64_t size_min;     /* smallest message */
    uint64_t size_max;     /* largest message */
    uint64_t periods;      /* periods ending here */
    double per_sum;        /* sum of those periods, ns */
    double per_sq;         /* sum of (period - ref)^2, ns^2; ref = hz_win.ref_ns */
    double per_lin;        /* sum of (period - ref), ns */
    int64_t per_min;       /* shortest period, ns */
    int64_t per_max;       /* longest period, ns */
} hz_bucket;

/* Time-window estimator; plain data, embed it (no allocation). */
typedef struct hz_win {
    int64_t window_ns;     /* window length */
    int64_t width_ns;      /* bucket width = window_ns / HZ_WIN_BUCKETS */
    int have_last;         /* a message was seen since init or the last jump */
    int64_t last_ns;       /* its arrival */
    int64_t ref_ns;        /* first period seen: the shift that keeps per_sq well conditioned */
    int have_ref;          /* ref_ns is set */
    int ever;              /* any message since init (age stays known across a jump) */
    uint64_t total_msgs;   /* messages since init (wraps) */
    uint64_t total_bytes;  /* bytes since init (wraps) */
    uint64_t jumps;        /* backward jumps */
    hz_bucket b[HZ_WIN_BUCKETS]; /* ring indexed by idx % HZ_WIN_BUCKETS */
} hz_win;

/* window_ns >= HZ_WIN_BUCKETS (smaller is raised to it). */
void hz_win_init(hz_win *w, int64_t window_ns);
/* One message of `size` bytes arrived at t_ns. */
void hz_win_add(hz_win *w, int64_t t_ns, uint64_t size);
/* Figures over (now_ns - window, now_ns]; the window is const. */
void hz_win_query(const hz_win *w, int64_t now_ns, hz_stats *out);

/* Count-window estimator: the last `cap` arrivals. */
typedef struct hz_cwin {
    int64_t *t;            /* arrival times, ring of cap */
    uint64_t *size;        /* sizes, same ring */
    size_t cap;            /* window in messages */
    size_t n;              /* entries held (<= cap) */
    size_t head;           /* next slot to write */
    uint64_t total_msgs;   /* messages since init (wraps) */
    uint64_t total_bytes;  /* bytes since init (wraps) */
    uint64_t jumps;        /* backward jumps */
} hz_cwin;

/* 0, -EINVAL (cap < 2 or > HZ_CWIN_MAX) or -ENOMEM. */
int hz_cwin_init(hz_cwin *c, size_t cap);
void hz_cwin_fini(hz_cwin *c);
void hz_cwin_add(hz_cwin *c, int64_t t_ns, uint64_t size);
/* Figures over the ring; age from now_ns. */
void hz_cwin_query(const hz_cwin *c, int64_t now_ns, hz_stats *out);

/* What an operator should make of a topic (`recguard topics`). */
typedef enum hz_state {
    HZ_NEVER_SEEN, /* publishers known, no message yet */
    HZ_ACTIVE,     /* messages arrive about as often as they did */
    HZ_SLOW,       /* late: silent for more than HZ_SILENT_PERIODS mean periods */
    HZ_SILENT,     /* silent for HZ_SILENT_FACTOR periods (at least HZ_SILENT_MIN_S), or nothing
                    * left in the window */
} hz_state;

#define HZ_SILENT_FACTOR 5.0 /* periods of silence that make a topic silent */
#define HZ_SILENT_MIN_S 1.0  /* ...but never less than this, s */

/* total_msgs since start, window_msgs in the window, age_s (-1 never), the window's mean period
 * (0 when unknown: then the window length stands for it). */
hz_state hz_classify(uint64_t total_msgs, uint64_t window_msgs, double age_s,
                     double period_mean_s, double window_s);
/* "active", "slow", "silent", "never seen". */
const char *hz_state_name(hz_state s);

/* later - earlier of a free-running counter, correct across one wrap. */
uint64_t hz_u64_delta(uint64_t later, uint64_t earlier);

#endif
