/* guard_config — the daemon's configuration: built-in defaults, then a YAML file (libfyaml),
 * then command-line overrides, in that order. docs/CONFIG.md documents every key.
 *
 * Errors are loud and precise: a missing OPTIONAL file means the defaults; anything
 * else (unreadable file, YAML syntax, unknown key, wrong type, bad duration/size, out-of-range
 * value) fails with "<file>:<line>: <key>: why" in err. Unknown keys are errors, so a typo
 * never silently means "default".
 *
 * File layout (all keys optional):
 *   output: DIR                  socket: PATH                 state_dir: DIR
 *   recorder: [argv...]          post_crash_hook: [argv...]   check_interval: 1s
 *   lease_duration: 1s
 *   stop:     {flush_timeout: 15s, term_timeout: 5s, kill_timeout: 5s}
 *   health:   {start_timeout: 30s, stall_timeout: 10s, hang_timeout: 10s,
 *              memory_warning: 40%, memory_critical: 60%}      (size like 800MiB, or % of RAM)
 *   disk:     {warning_used: 90%, warning_free: 2GiB, stop_used: 98%, stop_free: 256MiB,
 *              ttf_limit: 30s}
 *   restart:  {backoff_initial: 1s, backoff_cap: 30s, budget_starts: 5, budget_window: 60s}
 *   priority: {nice: -10, sched: keep, io_class: best-effort, io_level: 0, cpus: "0-1,3",
 *              oom_score_adj: -500, cgroup_memory_min: 256MiB, cgroup_cpu_weight: 1000}
 *   alert:    {command: [argv...], events: [crashed, budget_spent, ...]}
 *   health.no_data_timeout: 5s   (see guard_expect.h; off disables)
 *   expect:   [{topic: /imu, min_rate: 190, max_silence: 1s}, {topic: "^/camera/", ...}]
 *   monitor:  {enabled: false}
 *   redundancy: none|standby     standby: {window: 10s, memory: 256MiB} (the hot standby
 *              recorder; built-in recorder only)
 *   record:   {max_bag_size: 4MiB, topics: [/a, /b], compression_format: zstd, ...} (the
 *              built-in recorder's options: `recguard record`'s long options, '_' for '-')
 * Durations: integer + ns|us|ms|s|m|h ("15s", "500ms", "1.5s"); a bare 0 means off where
 * allowed. Every duration has a floor (check_interval 50ms, disk.ttf_limit and
 * restart.budget_window 1s, restart.backoff_* 10ms, the rest 100ms): below it is an error.
 * `recorder` must hold {segment} in some argument. One YAML document per file.
 * Sizes: integer or decimal + B|KiB|MiB|GiB|TiB|KB|MB|GB|TB ("800MiB"); bare = bytes.
 * Percent: "90%". `off` is accepted wherever 0 disables a check.
 * Override keys are the dotted paths ("restart.backoff_initial", "priority.cpus", "recorder");
 * the override value is parsed as a YAML node, so lists work: recorder='[sleep, "100"]'.
 */
#ifndef GUARD_CONFIG_H
#define GUARD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "guard/guard_expect.h"
#include "guard/guard_health.h"
#include "guard/guard_policy.h"
#include "guard/guard_prio.h"
#include "guard/guard_record.h"

#define GUARD_CONFIG_MAX_FILE (1u << 20)   /* largest config file accepted: 1 MiB */
#define GUARD_CONFIG_ALERT_WARNINGS (1u << 31) /* alert.events `warnings`: health warnings too */
#define GUARD_CONFIG_DEFAULT_OUTPUT "recordings" /* output dir, relative to the daemon's cwd */
#define GUARD_CONFIG_LEASE_MIN_NS 100000000LL    /* lease_duration: 100 ms (recorder --lease) */
#define GUARD_CONFIG_LEASE_MAX_NS 600000000000LL /* ... up to 600 s */
#define GUARD_CONFIG_STANDBY_MEMORY_MIN (1ull << 20) /* standby.memory: a ring below this holds
                                                       * less than one chunk of a busy topic */

/* `redundancy`: a hot standby recorder beside the primary, or none. */
typedef enum guard_config_redundancy {
    GUARD_REDUNDANCY_NONE = 0,   /* one recorder; a crash costs its restart */
    GUARD_REDUNDANCY_STANDBY,    /* a standby holds recent samples and takes over (guard_standby.h) */
    GUARD_REDUNDANCY__COUNT
} guard_config_redundancy;

/* A memory threshold: absolute, or a share of physical RAM (resolved at use). */
typedef struct guard_config_mem {
    uint64_t bytes;  /* absolute threshold; used when pct == 0 */
    double pct;      /* percent of RAM (0..100); 0 = use bytes; both 0 = off */
} guard_config_mem;

typedef struct guard_config {
    char *path;                  /* config file that was loaded; NULL = none (defaults) */
    char *output_dir;            /* `output`: where bag directories are created */
    char *socket_path;           /* `socket`: control socket (default guard_ctl_default_path) */
    char *state_dir;             /* `state_dir`: state file, lock, daemon journal; NULL = output */
    char **recorder_argv;        /* `recorder`: NULL-terminated argv with {segment}; NULL = the
                                  * built-in recorder (`recguard record`) */
    char **post_crash_hook_argv; /* `post_crash_hook`: argv with {segment}; NULL = none */
    int64_t check_interval_ns;   /* `check_interval`: health sampling period (> 0) */
    int64_t lease_duration_ns;   /* `lease_duration`: the built-in recorder's DDS participant
                                  * lease (GUARD_CONFIG_LEASE_MIN_NS..MAX_NS) */
    int64_t flush_timeout_ns;    /* `stop.flush_timeout`: SIGINT -> SIGTERM delay */
    int64_t term_timeout_ns;     /* `stop.term_timeout`: SIGTERM -> SIGKILL delay */
    int64_t kill_timeout_ns;     /* `stop.kill_timeout`: after SIGKILL, how long until the
                                  * daemon reports the process as unkillable (D state) */
    guard_health_cfg health;     /* `health.*` timeouts and `disk.*` levels; memory bytes are
                                  * filled by guard_config_health_cfg from mem_* below */
    guard_config_mem mem_warning;  /* `health.memory_warning` */
    guard_config_mem mem_critical; /* `health.memory_critical` */
    guard_policy_cfg restart;    /* `restart.*` */
    guard_prio_cfg priority;     /* `priority.*` */
    char **alert_argv;           /* `alert.command`: argv run with the event JSON on stdin;
                                  * NULL = no alerts */
    uint32_t alert_events;       /* `alert.events`: bit (1u << guard_event) per selected event,
                                  * plus GUARD_CONFIG_ALERT_WARNINGS */
    char *web_listen;            /* `web.listen`: run `recguard web --listen` as a helper; NULL = no */
    char *web_token_file;        /* `web.token_file`: its --token-file; NULL = none (loopback only) */
    int64_t no_data_timeout_ns;  /* `health.no_data_timeout`: recorder silent while publishers
                                  * flow = unhealthy; 0 = off */
    guard_expect_rules expect;   /* `expect`: expected-rate rules */
    bool monitor_enabled;        /* `monitor.enabled`: the daemon runs `recguard monitor` */
    guard_record record;         /* `record:`: the built-in recorder's options (guard_record.h) */
    guard_config_redundancy redundancy; /* `redundancy`: none or a hot standby recorder */
    int64_t standby_window_ns;   /* `standby.window`: the standby's ring holds this much time */
    uint64_t standby_memory;     /* `standby.memory`: ... and at most this many bytes */
} guard_config;

/* Defaults (documented in docs/CONFIG.md). Reads RECGUARD_SOCKET / XDG_RUNTIME_DIR for the
 * socket path. Release with guard_config_free. 0 or -ENOMEM. */
int guard_config_init(guard_config *c);
void guard_config_free(guard_config *c);

/* Merge a YAML file into c. optional: a missing file (ENOENT) is not an error (returns 0, c
 * unchanged). 0 or -errno / -EINVAL with err "<path>:<line>: <key>: why". On error c may hold
 * part of the file's values: discard it. */
int guard_config_load_file(guard_config *c, const char *path, bool optional, char *err,
                           size_t errlen);
/* Same from memory; `name` is used in error messages (tests, fuzzing). */
int guard_config_load_buffer(guard_config *c, const char *text, size_t len, const char *name,
                             char *err, size_t errlen);
/* Command-line override of one dotted key with a YAML value ("restart.budget_starts", "5").
 * 0 or -EINVAL with err "--set <key>: why". */
int guard_config_set(guard_config *c, const char *key, const char *value, char *err,
                     size_t errlen);
/* Override an argv key ("recorder", "post_crash_hook", "alert.command") from an argv vector
 * (the daemon's "-- RECORDER ARGV..."). argc >= 1. 0 or -EINVAL/-ENOMEM. */
int guard_config_set_argv(guard_config *c, const char *key, char *const *argv, int argc,
                          char *err, size_t errlen);
/* Cross-field checks after all layers: warning < critical, backoff cap >= initial, a valid
 * priority (cpus parse), ... 0 or -EINVAL with err naming the keys. */
int guard_config_check(const guard_config *c, char *err, size_t errlen);

/* The memory levels alone, against mem_total_bytes of RAM (0 unknown): warning must be below
 * critical whatever their forms (size or percent; mixed forms compare in bytes). Part of
 * guard_config_check, which passes guard_config_mem_total(). 0 or -EINVAL with err. */
int guard_config_check_mem(const guard_config *c, uint64_t mem_total_bytes, char *err,
                           size_t errlen);
/* Health thresholds with memory levels resolved against mem_total_bytes (physical RAM). */
void guard_config_health_cfg(const guard_config *c, uint64_t mem_total_bytes,
                             guard_health_cfg *out);
/* Physical RAM in bytes (sysinfo), 0 when unknown. */
uint64_t guard_config_mem_total(void);
/* Default config file: $RECGUARD_CONFIG, else /etc/recguard/recguard.yaml for root, else
 * $XDG_CONFIG_HOME (or ~/.config)/recguard/recguard.yaml. Loaded as optional when the
 * operator gave no --config. 0 or -ENAMETOOLONG. */
int guard_config_default_path(char *buf, size_t buflen);
/* Effective configuration as JSON (for `status --json` / journal "config" record). New
 * reference; NULL on allocation failure. */
json_t *guard_config_json(const guard_config *c);

/* "none", "standby". */
const char *guard_config_redundancy_name(guard_config_redundancy r);

/* Value parsers shared by the file, the overrides and the CLI. 0 or -EINVAL. */
int guard_config_parse_duration(const char *s, int64_t *ns);  /* "15s", "500ms", "0", "off" */
int guard_config_parse_size(const char *s, uint64_t *bytes);  /* "800MiB", "1.5GiB", "4096" */
int guard_config_parse_percent(const char *s, double *pct);   /* "90%", "12.5%" */

#endif
