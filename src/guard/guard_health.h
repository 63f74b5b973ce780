/* guard_health — health evaluation of the running recorder. Pure: the daemon gathers a sample
 * every check interval (its time, /proc values, output progress, disk statvfs) and this module
 * keeps a small history and turns it into a verdict (ok / warning / critical), a list of
 * human-readable reasons, and flags the daemon acts on:
 *
 *   flags & GUARD_HEALTH_PROGRESS     -> feed GUARD_EV_READY (meaningful in STARTING)
 *   flags & GUARD_HEALTH_RESTART_MASK -> feed GUARD_EV_UNHEALTHY (hang, stall, memory critical)
 *   flags & GUARD_HEALTH_DISK_STOP    -> feed GUARD_EV_DISK_LOW
 *
 * Progress means: the recorder's heartbeat value changed, or its output grew. Before the first
 * progress the recorder gets start_timeout (it may be loading, discovering); after it,
 * stall_timeout without progress is a STALL. A timeout of 0 disables that check (use it for an
 * external recorder with neither heartbeat nor growing output, e.g. no traffic at all).
 *
 * Hang: process state T/t (stopped or traced) or D (uninterruptible sleep) continuously for
 * hang_timeout. Short D sleeps are normal under fsync, hence the timeout; and a D period
 * during which progress was seen is slow storage (a STUCK warning), not a hang.
 *
 * Disk: free below the stop level (percent used and/or bytes free) or time-to-full below
 * ttf_limit = DISK_STOP; below the warning level = DISK_WARN. Time-to-full = free bytes / write
 * rate, where the rate is an exponentially smoothed rate of the disk's free-space decrease (all
 * writers count, not just the recorder: the disk fills either way). The time-to-full stops
 * recording only once GUARD_HEALTH_TTF_MIN_SAMPLES rates were seen (the levels act at once).
 *
 * Usage: guard_health_init() at spawn or adoption, then guard_health_eval() per sample. Sample
 * times must not go backwards (monotonic clock).
 */
#ifndef GUARD_HEALTH_H
#define GUARD_HEALTH_H

#include <stdint.h>

#define GUARD_HEALTH_MAX_REASONS 8    /* reasons kept per report */
#define GUARD_HEALTH_REASON_LEN 128   /* bytes per reason, NUL included */
#define GUARD_HEALTH_RATE_ALPHA 0.3   /* EWMA weight of the newest disk write-rate sample */
#define GUARD_HEALTH_TTF_MIN_SAMPLES 3 /* rate samples before time-to-full may stop recording:
                                        * one burst right after start is not a trend */
#define GUARD_HEALTH_MIN_FILL_RATE 4096.0 /* bytes/s below which the disk counts as not filling
                                           * (the EWMA decays towards 0 but never reaches it) */

/* Flags (bits of guard_health_report.flags). */
#define GUARD_HEALTH_PROGRESS (1u << 0)     /* progress seen in this sample */
#define GUARD_HEALTH_HANG (1u << 1)         /* stopped / D-state >= hang_timeout (critical) */
#define GUARD_HEALTH_STALL (1u << 2)        /* no progress >= stall/start timeout (critical) */
#define GUARD_HEALTH_MEM_CRITICAL (1u << 3) /* rss >= mem_critical (critical) */
#define GUARD_HEALTH_MEM_WARN (1u << 4)     /* rss >= mem_warning (warning) */
#define GUARD_HEALTH_DISK_STOP (1u << 5)    /* below stop level or ttf < limit (critical) */
#define GUARD_HEALTH_DISK_WARN (1u << 6)    /* below warning level (warning) */
#define GUARD_HEALTH_ZOMBIE (1u << 7)       /* state Z: leader exited, exit event imminent (warn) */
#define GUARD_HEALTH_STUCK (1u << 8)        /* stopped / D-state, not yet hang_timeout (warn) */
#define GUARD_HEALTH_NO_DATA (1u << 9)      /* publishers flow, recorder receives nothing (critical;
                                             * set by the daemon from guard_expect) */
#define GUARD_HEALTH_EXPECT (1u << 10)      /* an `expect:` rule is breached (warning; daemon) */
#define GUARD_HEALTH_RESTART_MASK (GUARD_HEALTH_HANG | GUARD_HEALTH_STALL | GUARD_HEALTH_MEM_CRITICAL | \
                                   GUARD_HEALTH_NO_DATA)

typedef enum guard_health_verdict {
    GUARD_HEALTH_OK,       /* nothing to report */
    GUARD_HEALTH_WARNING,  /* look at it; nothing done automatically */
    GUARD_HEALTH_CRITICAL  /* the daemon acts (restart or stop) */
} guard_health_verdict;

/* Thresholds; 0 disables a check (unless said otherwise). */
typedef struct guard_health_cfg {
    int64_t start_timeout_ns;     /* no first progress this long after init = STALL */
    int64_t stall_timeout_ns;     /* no progress this long after the last one = STALL */
    int64_t hang_timeout_ns;      /* T/t/D state this long = HANG */
    uint64_t mem_warning_bytes;   /* rss at or above = MEM_WARN */
    uint64_t mem_critical_bytes;  /* rss at or above = MEM_CRITICAL */
    double disk_warning_pct;      /* used percent at or above = DISK_WARN (0 = off) */
    uint64_t disk_warning_free;   /* free bytes below = DISK_WARN */
    double disk_stop_pct;         /* used percent at or above = DISK_STOP (0 = off) */
    uint64_t disk_stop_free;      /* free bytes below = DISK_STOP */
    int64_t disk_ttf_limit_ns;    /* time-to-full below = DISK_STOP */
} guard_health_cfg;

/* One observation. Fields with a has_ flag are ignored when the flag is 0. */
typedef struct guard_health_sample {
    int64_t now_ns;           /* CLOCK_MONOTONIC time of the sample */
    int has_proc;             /* /proc/PID/stat was read */
    char state;               /* stat state char (R S D Z T t ...) */
    uint64_t cpu_ns;          /* utime+stime in ns (guard_proc_cpu_ns) */
    int has_rss;              /* rss_bytes valid */
    uint64_t rss_bytes;       /* VmRSS in bytes */
    int has_io;               /* /proc/PID/io was readable */
    uint64_t write_bytes;     /* io write_bytes (reported, not used for progress) */
    int has_output;           /* output_bytes valid (segment file size, or sum of them) */
    uint64_t output_bytes;    /* size of what the recorder has written to its segment */
    int has_heartbeat;        /* heartbeat valid (the recorder exports one) */
    uint64_t heartbeat;       /* the recorder's heartbeat counter or timestamp: any change
                               * counts as progress */
    int has_disk;             /* disk values valid (statvfs of the output directory) */
    uint64_t disk_free_bytes; /* f_bavail * f_frsize */
    uint64_t disk_total_bytes;/* f_blocks * f_frsize */
} guard_health_sample;

/* The history this module keeps between samples. Readable; written only here. */
typedef struct guard_health {
    guard_health_cfg cfg;       /* thresholds */
    int64_t init_ns;            /* when monitoring began (spawn or adoption) */
    int have_prev;              /* a previous sample exists */
    guard_health_sample prev;   /* previous sample (for deltas) */
    int progressed;             /* any progress seen since init */
    int64_t last_progress_ns;   /* time of the last progress (init_ns before the first) */
    char stuck_state;           /* T/t/D while stuck, 0 otherwise */
    int64_t stuck_since_ns;     /* first sample seen in stuck_state */
    int have_rate;              /* rate samples taken so far (0 = write_rate_bps unset) */
    double write_rate_bps;      /* smoothed disk fill rate, bytes/s (>= 0) */
    double cpu_pct;             /* CPU % over the last interval (100 = one core) */
} guard_health;

/* Outcome of one evaluation. */
typedef struct guard_health_report {
    guard_health_verdict verdict;  /* worst level among the flags */
    unsigned flags;                /* GUARD_HEALTH_* bits */
    unsigned nreasons;             /* valid entries in reasons */
    char reasons[GUARD_HEALTH_MAX_REASONS][GUARD_HEALTH_REASON_LEN]; /* e.g. "rss 812 MiB >
                                    * critical 800 MiB", worst first */
    double cpu_pct;                /* CPU %, -1 when unknown (first sample) */
    double io_write_bps;           /* /proc io write_bytes rate over the last interval, bytes/s;
                                    * -1 when unknown */
    double output_bps;             /* growth rate of the output over the last interval, bytes/s
                                    * (0 when it shrank: a new segment); -1 when unknown */
    uint64_t rss_bytes;            /* from the sample, 0 if unknown */
    double disk_used_pct;          /* -1 when unknown */
    uint64_t disk_free_bytes;      /* 0 when unknown */
    double write_rate_bps;         /* smoothed disk fill rate, -1 when unknown */
    int64_t ttf_ns;                /* estimated time to a full disk, -1 when unknown/not filling */
    int64_t since_progress_ns;     /* time since the last progress (or since init) */
} guard_health_report;

/* Fill cfg with defaults: start 30 s, stall 10 s, hang 10 s, memory off, disk warning 90 % or
 * < 2 GiB, stop 98 % or < 256 MiB, ttf limit 30 s. */
void guard_health_cfg_defaults(guard_health_cfg *cfg);
/* Begin monitoring a (new or adopted) recorder at now_ns. */
void guard_health_init(guard_health *h, const guard_health_cfg *cfg, int64_t now_ns);
/* Evaluate one sample and update the history. */
void guard_health_eval(guard_health *h, const guard_health_sample *s, guard_health_report *out);
/* "ok" / "warning" / "critical". */
const char *guard_health_verdict_name(guard_health_verdict v);
/* Name of one flag bit ("hang", "stall", "mem_critical", ...), "?" otherwise. */
const char *guard_health_flag_name(unsigned flag_bit);
/* Human size: "812 MiB", "1.2 GiB", "512 B" into buf; returns buf. */
char *guard_health_fmt_bytes(uint64_t bytes, char *buf, unsigned buflen);

#endif
