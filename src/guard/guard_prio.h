/* guard_prio — the recorder's priority: nice, scheduling policy, I/O priority, CPU affinity,
 * oom_score_adj and cgroup v2 placement (memory.min, cpu.weight). Each knob is probed and
 * applied where permitted; what is refused or unavailable is REPORTED (status JSON `priority`,
 * journal), never fatal: recording must not fail because the machine is locked down.
 *
 * Where the knobs are applied, and why: nice, scheduling policy, I/O priority and affinity are
 * per-THREAD on Linux and are inherited only by threads created afterwards. Applied from the
 * parent after exec, they would miss every thread the recorder starts at once (DDS starts
 * several). So guard_spawn applies them IN THE CHILD before exec, via a plan prepared in the
 * parent (guard_prio_plan_init: parsing, cgroup preparation, opening cgroup.procs) so that the
 * child only makes async-signal-safe syscalls (guard_prio_plan_apply_self) and reports each
 * knob's errno back through its status pipe. oom_score_adj and the cgroup move are per-process
 * and are done in the child as well (write to /proc/self/oom_score_adj and cgroup.procs), so
 * the recorder never runs a single instruction of its own unprotected.
 * guard_prio_apply_pid() applies the same plan from outside to an already running process
 * (every thread of it), for a re-adopted recorder or other children.
 *
 * This machine: root without CAP_SYS_RESOURCE, so lowering oom_score_adj below
 * its minimum gives EACCES; cgroup v1 only, so cgroup reports "cgroup v2 not available"; I/O
 * scheduler none, so ioprio is accepted by the kernel but has no effect.
 */
#ifndef GUARD_PRIO_H
#define GUARD_PRIO_H

#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define GUARD_PRIO_UNSET INT_MIN   /* nice / oom_score_adj: leave as inherited */
#define GUARD_PRIO_CPUS_MAX 128    /* bytes of a CPU list string like "0-1,3" */
#define GUARD_PRIO_DETAIL_LEN 160  /* bytes of an outcome sentence */
#define GUARD_PRIO_PATH_MAX 512    /* bytes of a cgroup path */

typedef enum guard_prio_knob {
    GUARD_PRIO_NICE,     /* setpriority(PRIO_PROCESS) */
    GUARD_PRIO_SCHED,    /* sched_setscheduler: SCHED_OTHER / BATCH / IDLE */
    GUARD_PRIO_IOPRIO,   /* ioprio_set(IOPRIO_WHO_PROCESS) */
    GUARD_PRIO_AFFINITY, /* sched_setaffinity */
    GUARD_PRIO_OOM,      /* /proc/PID/oom_score_adj */
    GUARD_PRIO_CGROUP,   /* cgroup v2 child group with memory.min / cpu.weight */
    GUARD_PRIO__COUNT
} guard_prio_knob;

typedef enum guard_prio_status {
    GUARD_PRIO_NOT_REQUESTED, /* left as inherited (config did not ask) */
    GUARD_PRIO_APPLIED,       /* done (detail says what, e.g. "nice -10") */
    GUARD_PRIO_PARTIAL,       /* a fallback was applied (e.g. RT refused, best-effort 0 set) */
    GUARD_PRIO_REFUSED,       /* the kernel said no (err, detail with the errno text) */
    GUARD_PRIO_UNAVAILABLE    /* the machine lacks the feature (e.g. no cgroup v2) */
} guard_prio_status;

typedef enum guard_prio_sched {
    GUARD_SCHED_KEEP,  /* leave the inherited policy */
    GUARD_SCHED_OTHER, /* SCHED_OTHER (normal) */
    GUARD_SCHED_BATCH, /* SCHED_BATCH */
    GUARD_SCHED_IDLE   /* SCHED_IDLE: only when nothing else wants the CPU (hz, web) */
} guard_prio_sched;

typedef enum guard_prio_ioclass {
    GUARD_IOCLASS_KEEP = 0,     /* leave as inherited (== kernel IOPRIO_CLASS_NONE) */
    GUARD_IOCLASS_REALTIME = 1, /* IOPRIO_CLASS_RT; falls back to best-effort when refused */
    GUARD_IOCLASS_BEST_EFFORT = 2, /* IOPRIO_CLASS_BE */
    GUARD_IOCLASS_IDLE = 3      /* IOPRIO_CLASS_IDLE */
} guard_prio_ioclass;

/* What to apply (from the config's `priority` section). */
typedef struct guard_prio_cfg {
    int nice;                       /* -20..19, or GUARD_PRIO_UNSET */
    guard_prio_sched sched;         /* scheduling policy */
    guard_prio_ioclass ioclass;     /* I/O class */
    int iolevel;                    /* 0 (highest) .. 7, for realtime / best-effort */
    char cpus[GUARD_PRIO_CPUS_MAX]; /* CPU list "0-1,3"; "" = leave */
    int oom_score_adj;              /* -1000..1000, or GUARD_PRIO_UNSET */
    uint64_t cgroup_memory_min;     /* bytes for memory.min; 0 = do not set */
    unsigned cgroup_cpu_weight;     /* 1..10000 for cpu.weight; 0 = do not set */
    char cgroup_root[GUARD_PRIO_PATH_MAX]; /* cgroup2 mount, "" = /sys/fs/cgroup (tests
                                     * point it at a fake tree) */
    char cgroup_self[GUARD_PRIO_PATH_MAX]; /* /proc/self/cgroup to read, "" = the real one */
    char cgroup_name[64];           /* child group name, "" = "recguard-recorder" */
} guard_prio_cfg;

/* One knob's outcome. */
typedef struct guard_prio_outcome {
    guard_prio_status status;             /* see enum */
    int err;                              /* positive errno for REFUSED/PARTIAL/UNAVAILABLE */
    char detail[GUARD_PRIO_DETAIL_LEN];   /* sentence: "nice -10", "oom_score_adj -500:
                                           * Permission denied (lowering needs
                                           * CAP_SYS_RESOURCE)", "cgroup v2 not available" */
} guard_prio_outcome;

/* All knobs' outcomes, indexed by guard_prio_knob. */
typedef struct guard_prio_report {
    guard_prio_outcome knob[GUARD_PRIO__COUNT]; /* one per knob */
    char cgroup_path[GUARD_PRIO_PATH_MAX];      /* the cgroup the recorder was put in, or "" */
} guard_prio_report;

/* A prepared plan: everything parsed and opened in the parent so that applying it in a forked
 * child needs syscalls only. Fields are private to guard_prio and guard_spawn. */
typedef struct guard_prio_plan {
    guard_prio_cfg cfg;          /* copy of what was asked */
    int ioprio;                  /* encoded ioprio value, 0 = leave */
    int ioprio_fallback;         /* encoded best-effort value tried when RT is refused */
    int has_cpus;                /* cpus is valid */
    cpu_set_t cpus;              /* parsed affinity */
    char oom_text[16];           /* oom_score_adj as text, "" = leave */
    int cgroup_procs_fd;         /* O_WRONLY|O_CLOEXEC fd of <group>/cgroup.procs, -1 none */
    char cgroup_path[GUARD_PRIO_PATH_MAX]; /* the prepared group directory, "" none */
} guard_prio_plan;

/* Per-knob result of applying a plan inside the child (async-signal-safe; no strings). */
typedef struct guard_prio_child_result {
    int err[GUARD_PRIO__COUNT]; /* 0 = applied or not requested, else positive errno */
    int ioprio_fell_back;       /* realtime refused, best-effort applied */
} guard_prio_child_result;

/* Effective values read back from /proc and syscalls, to verify what really holds. */
typedef struct guard_prio_effective {
    int nice;                    /* /proc/PID/stat field 19 */
    int sched_policy;            /* sched_getscheduler(): SCHED_OTHER, SCHED_IDLE, ... */
    int ioclass;                 /* ioprio_get class (0 none, 1 rt, 2 be, 3 idle) */
    int iolevel;                 /* ioprio_get level */
    int oom_score_adj;           /* /proc/PID/oom_score_adj */
    char cpus[GUARD_PRIO_CPUS_MAX]; /* Cpus_allowed_list */
    char cgroup[GUARD_PRIO_PATH_MAX]; /* /proc/PID/cgroup "0::" path, "" if none */
} guard_prio_effective;

/* Defaults for the recorder: nice -10, sched keep, best-effort 0, cpus "", oom_score_adj -500,
 * no cgroup values (all probes on the real machine paths). */
void guard_prio_cfg_defaults(guard_prio_cfg *cfg);
/* Parse a CPU list ("0-1,3", "2", "0-3,6-7") into set. 0, or -EINVAL with "cpus(<s>): why". */
int guard_prio_parse_cpus(const char *s, cpu_set_t *set, char *err, size_t errlen);
/* Prepare a plan. Fills the report's parent-side outcomes (NOT_REQUESTED knobs, cgroup
 * UNAVAILABLE or REFUSED with the reason) and leaves the others for the child's results.
 * Returns 0, or -EINVAL only for an invalid cfg (bad cpus list, out-of-range values) with err.
 * Never fails because of the machine. Free with guard_prio_plan_free.
 * Side effects only when cgroup values are configured and cgroup v2 is delegated: creates
 * <own cgroup>/<cgroup_name> (kept for reuse), enables memory/cpu in <own cgroup>, and, when
 * v2's "no internal processes" rule refuses that (EBUSY), first moves the daemon itself into
 * <own cgroup>/recguard-daemon. Call it once per spawn (cheap when no cgroup is asked). */
int guard_prio_plan_init(guard_prio_plan *plan, const guard_prio_cfg *cfg, guard_prio_report *rep,
                         char *err, size_t errlen);
/* Close the plan's fds (cgroup.procs). Idempotent. */
void guard_prio_plan_free(guard_prio_plan *plan);
/* In the forked child, before exec: apply the plan to the calling process. Async-signal-safe
 * (syscalls only, no allocation, no stdio). */
void guard_prio_plan_apply_self(const guard_prio_plan *plan, guard_prio_child_result *res);
/* In the parent: turn the child's result into report outcomes (knobs requested by the plan and
 * not already decided by plan_init). */
void guard_prio_report_from_child(guard_prio_report *rep, const guard_prio_plan *plan,
                                  const guard_prio_child_result *res);
/* Apply a plan from outside to a running process: every thread in /proc/PID/task for the
 * per-thread knobs, the process for oom_score_adj and cgroup. Fills rep. 0, or -ESRCH when the
 * process is gone (other refusals are in rep, not in the return value). */
int guard_prio_apply_pid(pid_t pid, const guard_prio_plan *plan, guard_prio_report *rep);
/* Read back what holds for pid. 0 or -errno (-ESRCH gone). */
int guard_prio_read_effective(pid_t pid, guard_prio_effective *out);

/* Names for JSON / journal: "nice", "sched", "ioprio", "affinity", "oom_score_adj", "cgroup";
 * "not_requested", "applied", "partial", "refused", "unavailable". */
const char *guard_prio_knob_name(guard_prio_knob k);
const char *guard_prio_status_name(guard_prio_status s);
/* {"nice":{"status":"applied","detail":"nice -10"}, ..., "cgroup_path":"..."}: new reference,
 * NULL only on allocation failure. The daemon puts it under `priority` in status JSON. */
json_t *guard_prio_report_json(const guard_prio_report *rep);

#endif
