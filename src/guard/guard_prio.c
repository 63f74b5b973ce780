/* guard_prio — see guard_prio.h.
 *
 * Map: defaults and cpu lists; plan preparation (validation, ioprio encoding, cgroup v2
 * probing and group creation); the async-signal-safe child side; the parent-side report;
 * applying to a running pid; reading back effective values; names and JSON. */
#include "guard/guard_prio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guard/guard_health.h"
#include "guard/guard_proc.h"

#define IOPRIO_CLASS_SHIFT 13                         /* linux/ioprio.h */
#define IOPRIO_VALUE(cls, lvl) (((cls) << IOPRIO_CLASS_SHIFT) | (lvl))
#define IOPRIO_WHO_PROCESS 1                          /* linux/ioprio.h: one thread (tid) */
#define DEFAULT_CGROUP_ROOT "/sys/fs/cgroup"
#define HYBRID_CGROUP_ROOT "/sys/fs/cgroup/unified"   /* systemd's hybrid layout */
#define DEFAULT_CGROUP_NAME "recguard-recorder"
#define DAEMON_LEAF_NAME "recguard-daemon"

/* snprintf for texts that may be cut: paths and sentences here have fixed buffers, and a cut
 * detail is better than a failed report. (Through vsnprintf, so -Wformat-truncation, right
 * about snprintf in general, does not flag these deliberate cuts.) */
static void fmt(char *buf, size_t len, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *buf, size_t len, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, len, f, ap);
    va_end(ap);
}

/* ---- defaults, cpu lists --------------------------------------------------------------- */

void guard_prio_cfg_defaults(guard_prio_cfg *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->nice = -10;
    cfg->sched = GUARD_SCHED_KEEP;
    cfg->ioclass = GUARD_IOCLASS_BEST_EFFORT;
    cfg->iolevel = 0;
    cfg->oom_score_adj = -500;
}

int guard_prio_parse_cpus(const char *s, cpu_set_t *set, char *err, size_t errlen) {
    CPU_ZERO(set);
    const char *p = s;
    int any = 0;
    while (*p) {
        char *end;
        errno = 0;
        long a = strtol(p, &end, 10);
        if (end == p || a < 0 || a >= CPU_SETSIZE || errno) goto bad;
        long b = a;
        p = end;
        if (*p == '-') {
            p++;
            b = strtol(p, &end, 10);
            if (end == p || b < a || b >= CPU_SETSIZE || errno) goto bad;
            p = end;
        }
        for (long c = a; c <= b; c++) CPU_SET((int)c, set);
        any = 1;
        if (*p == ',') {
            p++;
            if (!*p) goto bad;
        } else if (*p) {
            goto bad;
        }
    }
    if (any) return 0;
bad:
    snprintf(err, errlen, "cpus(%s): expected a CPU list like \"0-1,3\"", s);
    return -EINVAL;
}

/* ---- plan ------------------------------------------------------------------------------- */

static void outcome(guard_prio_report *rep, guard_prio_knob k, guard_prio_status st, int err,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void outcome(guard_prio_report *rep, guard_prio_knob k, guard_prio_status st, int err,
                    const char *fmt, ...) {
    guard_prio_outcome *o = &rep->knob[k];
    o->status = st;
    o->err = err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->detail, sizeof o->detail, fmt, ap);
    va_end(ap);
}

/* Read a small text file into buf (NUL-terminated, trailing newline kept). 0 or -errno. */
static int read_small(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t n;
    do n = read(fd, buf, cap - 1);
    while (n < 0 && errno == EINTR);
    int e = errno;
    close(fd);
    if (n < 0) return -e;
    buf[n] = '\0';
    return 0;
}

static int write_small(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    ssize_t n;
    do n = write(fd, text, strlen(text));
    while (n < 0 && errno == EINTR);
    int e = errno;
    close(fd);
    return n < 0 ? -e : 0;
}

/* Is the word `ctl` in the space-separated list `list`? */
static int has_word(const char *list, const char *ctl) {
    size_t n = strlen(ctl);
    for (const char *p = list; (p = strstr(p, ctl)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

/* The daemon's own cgroup v2 path ("/a/b") from a /proc/self/cgroup text. */
static int own_cgroup(const char *selfpath, char *out, size_t cap) {
    char buf[4096];
    int rc = read_small(selfpath, buf, sizeof buf);
    if (rc < 0) return rc;
    for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (strncmp(line, "0::", 3) == 0) {
            snprintf(out, cap, "%s", line + 3);
            return 0;
        }
    }
    return -ENOENT;
}

/* Prepare the cgroup: find a cgroup2 mount that has the controllers, create our group
 * beside the daemon, enable controllers, set the values, open cgroup.procs. Outcome goes to
 * the report only when it is final here (UNAVAILABLE / REFUSED). */
static void plan_cgroup(guard_prio_plan *plan, guard_prio_report *rep) {
    const guard_prio_cfg *c = &plan->cfg;
    int want_mem = c->cgroup_memory_min > 0, want_cpu = c->cgroup_cpu_weight > 0;
    const char *roots[2] = {c->cgroup_root[0] ? c->cgroup_root : DEFAULT_CGROUP_ROOT,
                            c->cgroup_root[0] ? NULL : HYBRID_CGROUP_ROOT};
    const char *root = NULL;
    char why[GUARD_PRIO_DETAIL_LEN] = "";
    for (int i = 0; i < 2 && roots[i] && !root; i++) {
        char path[GUARD_PRIO_PATH_MAX + 32], ctls[512];
        snprintf(path, sizeof path, "%s/cgroup.controllers", roots[i]);
        if (read_small(path, ctls, sizeof ctls) < 0) {
            if (!why[0]) fmt(why, sizeof why, "%s is not cgroup v2 (cgroup v1 hierarchy)", roots[i]);
            continue;
        }
        if ((want_mem && !has_word(ctls, "memory")) || (want_cpu && !has_word(ctls, "cpu"))) {
            fmt(why + strlen(why), sizeof why - strlen(why), "%s%s has no %s controller",
                     why[0] ? "; " : "", roots[i], want_mem && !has_word(ctls, "memory") ? "memory" : "cpu");
            continue;
        }
        root = roots[i];
    }
    if (!root) {
        outcome(rep, GUARD_PRIO_CGROUP, GUARD_PRIO_UNAVAILABLE, ENOTSUP,
                "cgroup v2 not available: %s", why);
        return;
    }
    char self[GUARD_PRIO_PATH_MAX];
    int rc = own_cgroup(c->cgroup_self[0] ? c->cgroup_self : "/proc/self/cgroup", self, sizeof self);
    if (rc < 0) {
        outcome(rep, GUARD_PRIO_CGROUP, GUARD_PRIO_UNAVAILABLE, -rc,
                "cgroup v2 not available: no 0:: line in /proc/self/cgroup");
        return;
    }
    char parent[GUARD_PRIO_PATH_MAX], path[GUARD_PRIO_PATH_MAX + 64];
    fmt(parent, sizeof parent, "%s%s", root, strcmp(self, "/") == 0 ? "" : self);
    const char *enable = want_mem && want_cpu ? "+memory +cpu" : want_mem ? "+memory" : "+cpu";
    snprintf(path, sizeof path, "%s/cgroup.subtree_control", parent);
    rc = write_small(path, enable);
    if (rc == -EBUSY) {
        /* cgroup v2's "no internal processes" rule: controllers can only be handed down
         * from a group without member processes. The daemon leaves for a leaf of its own
         * (what systemd's Delegate= expects), then the parent can delegate. */
        char leaf[GUARD_PRIO_PATH_MAX + 64];
        snprintf(leaf, sizeof leaf, "%s/%s", parent, DAEMON_LEAF_NAME);
        if (mkdir(leaf, 0755) < 0 && errno != EEXIST) rc = -errno;
        else {
            snprintf(leaf, sizeof leaf, "%s/%s/cgroup.procs", parent, DAEMON_LEAF_NAME);
            rc = write_small(leaf, "0");
            if (rc == 0) rc = write_small(path, enable);
        }
    }
    if (rc < 0) {
        outcome(rep, GUARD_PRIO_CGROUP, GUARD_PRIO_REFUSED, -rc, "cgroup %s: enabling %s: %s%s",
                parent, enable, strerror(-rc),
                rc == -EACCES || rc == -EPERM ? " (cgroup not delegated to this user)" : "");
        return;
    }
    fmt(plan->cgroup_path, sizeof plan->cgroup_path, "%s/%s", parent,
             c->cgroup_name[0] ? c->cgroup_name : DEFAULT_CGROUP_NAME);
    if (mkdir(plan->cgroup_path, 0755) < 0 && errno != EEXIST) {
        int e = errno;
        outcome(rep, GUARD_PRIO_CGROUP, GUARD_PRIO_REFUSED, e, "cgroup %s: mkdir: %s",
                plan->cgroup_path, strerror(e));
        plan->cgroup_path[0] = '\0';
        return;
    }
    struct { int on; const char *file; char val[32]; } knobs[2] = {
        {want_mem, "memory.min", ""}, {want_cpu, "cpu.weight", ""}};
    snprintf(knobs[0].val, sizeof knobs[0].val, "%llu", (unsigned long long)c->cgroup_memory_min);
    snprintf(knobs[1].val, sizeof knobs[1].val, "%u", c->cgroup_cpu_weight);
    for (int i = 0; i < 2; i++) {
        if (!knobs[i].on) continue;
        snprintf(path, sizeof path, "%s/%s", plan->cgroup_path, knobs[i].file);
        rc = write_small(path, knobs[i].val);
        if (rc < 0) {
            outcome(rep, GUARD_PRIO_CGROUP, GUARD_PRIO_REFUSED, -rc, "cgroup %s: %s %s: %s",
                    plan->cgroup_path, knobs[i].file, knobs[i].val, strerror(-rc));
            plan->cgroup_path[0] = '\0';
            return;
        }
    }
    snprintf(path, sizeof path, "%s/cgroup.procs", plan->cgroup_path);
    plan->cgroup_procs_fd = open(path, O_WRONLY | O_CLOEXEC);
    if (plan->cgroup_procs_fd < 0) {
        int e = errno;
        outcome(rep, GUARD_PRIO_CGROUP, GUARD_PRIO_REFUSED, e, "cgroup %s: cgroup.procs: %s",
                plan->cgroup_path, strerror(e));
        plan->cgroup_path[0] = '\0';
        return;
    }
}

int guard_prio_plan_init(guard_prio_plan *plan, const guard_prio_cfg *cfg, guard_prio_report *rep,
                         char *err, size_t errlen) {
    memset(plan, 0, sizeof *plan);
    memset(rep, 0, sizeof *rep);
    plan->cgroup_procs_fd = -1;
    plan->cfg = *cfg;
    for (int k = 0; k < GUARD_PRIO__COUNT; k++)
        outcome(rep, (guard_prio_knob)k, GUARD_PRIO_NOT_REQUESTED, 0, "left as inherited");

    if (cfg->nice != GUARD_PRIO_UNSET && (cfg->nice < -20 || cfg->nice > 19)) {
        snprintf(err, errlen, "priority.nice(%d): must be -20..19", cfg->nice);
        return -EINVAL;
    }
    if (cfg->oom_score_adj != GUARD_PRIO_UNSET &&
        (cfg->oom_score_adj < -1000 || cfg->oom_score_adj > 1000)) {
        snprintf(err, errlen, "priority.oom_score_adj(%d): must be -1000..1000", cfg->oom_score_adj);
        return -EINVAL;
    }
    if (cfg->iolevel < 0 || cfg->iolevel > 7) {
        snprintf(err, errlen, "priority.io_level(%d): must be 0..7", cfg->iolevel);
        return -EINVAL;
    }
    if ((unsigned)cfg->ioclass > GUARD_IOCLASS_IDLE || (unsigned)cfg->sched > GUARD_SCHED_IDLE) {
        snprintf(err, errlen, "priority: unknown io_class or sched value");
        return -EINVAL;
    }
    if (cfg->cgroup_cpu_weight > 10000) {
        snprintf(err, errlen, "priority.cgroup_cpu_weight(%u): must be 1..10000",
                 cfg->cgroup_cpu_weight);
        return -EINVAL;
    }
    if (cfg->cpus[0]) {
        if (guard_prio_parse_cpus(cfg->cpus, &plan->cpus, err, errlen) < 0) return -EINVAL;
        plan->has_cpus = 1;
    }
    if (cfg->ioclass != GUARD_IOCLASS_KEEP) {
        int lvl = cfg->ioclass == GUARD_IOCLASS_IDLE ? 0 : cfg->iolevel;
        plan->ioprio = IOPRIO_VALUE((int)cfg->ioclass, lvl);
        if (cfg->ioclass == GUARD_IOCLASS_REALTIME)
            plan->ioprio_fallback = IOPRIO_VALUE(GUARD_IOCLASS_BEST_EFFORT, cfg->iolevel);
    }
    if (cfg->oom_score_adj != GUARD_PRIO_UNSET)
        snprintf(plan->oom_text, sizeof plan->oom_text, "%d", cfg->oom_score_adj);
    if (cfg->cgroup_memory_min || cfg->cgroup_cpu_weight) plan_cgroup(plan, rep);
    return 0;
}

void guard_prio_plan_free(guard_prio_plan *plan) {
    if (plan->cgroup_procs_fd >= 0) close(plan->cgroup_procs_fd);
    plan->cgroup_procs_fd = -1;
}

/* ---- child side: syscalls only ---------------------------------------------------------- */

static int sched_policy_of(guard_prio_sched s) {
    return s == GUARD_SCHED_IDLE ? SCHED_IDLE : s == GUARD_SCHED_BATCH ? SCHED_BATCH : SCHED_OTHER;
}

/* Apply the per-thread knobs to thread `tid` (0 = the caller). Async-signal-safe. */
static void apply_thread(const guard_prio_plan *plan, pid_t tid, guard_prio_child_result *res) {
    const guard_prio_cfg *c = &plan->cfg;
    /* scheduling policy first: nice is kept by sched_setscheduler for normal policies, and
     * setting nice last makes the intent obvious */
    if (c->sched != GUARD_SCHED_KEEP) {
        struct sched_param sp = {.sched_priority = 0};
        if (sched_setscheduler(tid, sched_policy_of(c->sched), &sp) < 0 && !res->err[GUARD_PRIO_SCHED])
            res->err[GUARD_PRIO_SCHED] = errno;
    }
    if (c->nice != GUARD_PRIO_UNSET && setpriority(PRIO_PROCESS, (id_t)tid, c->nice) < 0 &&
        !res->err[GUARD_PRIO_NICE])
        res->err[GUARD_PRIO_NICE] = errno;
    if (plan->ioprio) {
        if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, plan->ioprio) < 0) {
            int e = errno;
            if (plan->ioprio_fallback && e == EPERM &&
                syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, plan->ioprio_fallback) == 0)
                res->ioprio_fell_back = 1;
            else if (!res->err[GUARD_PRIO_IOPRIO])
                res->err[GUARD_PRIO_IOPRIO] = e;
        }
    }
    if (plan->has_cpus && sched_setaffinity(tid, sizeof plan->cpus, &plan->cpus) < 0 &&
        !res->err[GUARD_PRIO_AFFINITY])
        res->err[GUARD_PRIO_AFFINITY] = errno;
}

static int write_oom(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    size_t len = 0;
    while (text[len]) len++; /* no strlen guarantee of async-signal-safety: count by hand */
    ssize_t n = write(fd, text, len);
    int e = n < 0 ? errno : 0;
    close(fd);
    return e;
}

void guard_prio_plan_apply_self(const guard_prio_plan *plan, guard_prio_child_result *res) {
    for (int k = 0; k < GUARD_PRIO__COUNT; k++) res->err[k] = 0;
    res->ioprio_fell_back = 0;
    /* into the cgroup first: whatever the recorder allocates is charged to its group */
    if (plan->cgroup_procs_fd >= 0 && write(plan->cgroup_procs_fd, "0", 1) < 0)
        res->err[GUARD_PRIO_CGROUP] = errno;
    if (plan->oom_text[0]) res->err[GUARD_PRIO_OOM] = write_oom("/proc/self/oom_score_adj", plan->oom_text);
    apply_thread(plan, 0, res);
}

/* ---- parent side: report ---------------------------------------------------------------- */

static int requested(const guard_prio_plan *plan, guard_prio_knob k) {
    switch (k) {
    case GUARD_PRIO_NICE: return plan->cfg.nice != GUARD_PRIO_UNSET;
    case GUARD_PRIO_SCHED: return plan->cfg.sched != GUARD_SCHED_KEEP;
    case GUARD_PRIO_IOPRIO: return plan->ioprio != 0;
    case GUARD_PRIO_AFFINITY: return plan->has_cpus;
    case GUARD_PRIO_OOM: return plan->oom_text[0] != '\0';
    case GUARD_PRIO_CGROUP: return plan->cgroup_procs_fd >= 0;
    case GUARD_PRIO__COUNT: break;
    }
    return 0;
}

static const char *ioclass_name(int cls) {
    static const char *const n[] = {"none", "realtime", "best-effort", "idle"};
    return cls >= 0 && cls <= 3 ? n[cls] : "?";
}

static const char *sched_name(guard_prio_sched s) {
    return s == GUARD_SCHED_IDLE ? "idle" : s == GUARD_SCHED_BATCH ? "batch" : "other";
}

/* What the knob was asked to do, for the detail sentence. */
static void describe(const guard_prio_plan *plan, guard_prio_knob k, char *buf, size_t len) {
    const guard_prio_cfg *c = &plan->cfg;
    char sz[32];
    switch (k) {
    case GUARD_PRIO_NICE: snprintf(buf, len, "nice %d", c->nice); break;
    case GUARD_PRIO_SCHED: snprintf(buf, len, "sched %s", sched_name(c->sched)); break;
    case GUARD_PRIO_IOPRIO:
        if (c->ioclass == GUARD_IOCLASS_IDLE) snprintf(buf, len, "ioprio idle");
        else snprintf(buf, len, "ioprio %s %d", ioclass_name((int)c->ioclass), c->iolevel);
        break;
    case GUARD_PRIO_AFFINITY: snprintf(buf, len, "cpus %s", c->cpus); break;
    case GUARD_PRIO_OOM: snprintf(buf, len, "oom_score_adj %d", c->oom_score_adj); break;
    case GUARD_PRIO_CGROUP:
        fmt(buf, len, "cgroup %s", plan->cgroup_path);
        if (c->cgroup_memory_min)
            snprintf(buf + strlen(buf), len - strlen(buf), " memory.min %s",
                     guard_health_fmt_bytes(c->cgroup_memory_min, sz, sizeof sz));
        if (c->cgroup_cpu_weight)
            snprintf(buf + strlen(buf), len - strlen(buf), " cpu.weight %u", c->cgroup_cpu_weight);
        break;
    case GUARD_PRIO__COUNT: buf[0] = '\0'; break;
    }
}

/* Why the kernel says no, in the words an operator needs. */
static const char *hint(guard_prio_knob k, int e) {
    if (k == GUARD_PRIO_OOM && e == EACCES)
        return " (lowering below the inherited minimum needs CAP_SYS_RESOURCE)";
    if ((k == GUARD_PRIO_NICE || k == GUARD_PRIO_SCHED) && (e == EACCES || e == EPERM))
        return " (raising priority needs CAP_SYS_NICE or RLIMIT_NICE)";
    if (k == GUARD_PRIO_AFFINITY && e == EINVAL) return " (no usable CPU in the list)";
    return "";
}

void guard_prio_report_from_child(guard_prio_report *rep, const guard_prio_plan *plan,
                                  const guard_prio_child_result *res) {
    for (int i = 0; i < GUARD_PRIO__COUNT; i++) {
        guard_prio_knob k = (guard_prio_knob)i;
        if (!requested(plan, k)) continue;
        char what[GUARD_PRIO_DETAIL_LEN];
        describe(plan, k, what, sizeof what);
        int e = res->err[k];
        if (k == GUARD_PRIO_IOPRIO && !e && res->ioprio_fell_back)
            outcome(rep, k, GUARD_PRIO_PARTIAL, EPERM, "%s: %s, best-effort %d applied instead",
                    what, strerror(EPERM), plan->cfg.iolevel);
        else if (e)
            outcome(rep, k, GUARD_PRIO_REFUSED, e, "%s: %s%s", what, strerror(e), hint(k, e));
        else
            outcome(rep, k, GUARD_PRIO_APPLIED, 0, "%s", what);
    }
    if (requested(plan, GUARD_PRIO_CGROUP) && !res->err[GUARD_PRIO_CGROUP])
        snprintf(rep->cgroup_path, sizeof rep->cgroup_path, "%s", plan->cgroup_path);
}

/* ---- applying to a running process ------------------------------------------------------ */

int guard_prio_apply_pid(pid_t pid, const guard_prio_plan *plan, guard_prio_report *rep) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d) return errno == ENOENT ? -ESRCH : -errno;
    guard_prio_child_result res = {{0}, 0};
    int threads = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        /* threads created while we iterate inherit from their creator, which we may already
         * have set: good enough for a re-adopted recorder (a fresh spawn uses apply_self) */
        apply_thread(plan, (pid_t)atoi(e->d_name), &res);
        threads++;
    }
    closedir(d);
    if (threads == 0) return -ESRCH;
    if (plan->oom_text[0]) {
        snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int)pid);
        res.err[GUARD_PRIO_OOM] = write_oom(path, plan->oom_text);
    }
    if (plan->cgroup_procs_fd >= 0) {
        char num[24];
        int n = snprintf(num, sizeof num, "%d", (int)pid);
        if (write(plan->cgroup_procs_fd, num, (size_t)n) < 0) res.err[GUARD_PRIO_CGROUP] = errno;
    }
    /* a process that vanished mid-way shows as ESRCH on every knob: say so instead */
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    if (stat(path, &st) < 0) return -ESRCH;
    guard_prio_report_from_child(rep, plan, &res);
    return 0;
}

/* ---- reading back ----------------------------------------------------------------------- */

int guard_prio_read_effective(pid_t pid, guard_prio_effective *out) {
    memset(out, 0, sizeof *out);
    guard_proc_stat st;
    int rc = guard_proc_read_stat(pid, &st);
    if (rc < 0) return rc;
    out->nice = (int)st.nice;
    out->sched_policy = sched_getscheduler(pid);
    if (out->sched_policy < 0) return errno == ESRCH ? -ESRCH : -errno;
    long io = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, pid);
    if (io < 0) return -errno;
    out->ioclass = (int)(io >> IOPRIO_CLASS_SHIFT) & 7;
    out->iolevel = (int)(io & 7);
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int)pid);
    rc = read_small(path, buf, sizeof buf);
    if (rc < 0) return rc == -ENOENT ? -ESRCH : rc;
    out->oom_score_adj = atoi(buf);
    guard_proc_status ps;
    rc = guard_proc_read_status(pid, &ps);
    if (rc < 0) return rc;
    fmt(out->cpus, sizeof out->cpus, "%s", ps.cpus_allowed_list);
    snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
    char cg[GUARD_PRIO_PATH_MAX];
    if (own_cgroup(path, cg, sizeof cg) == 0) snprintf(out->cgroup, sizeof out->cgroup, "%s", cg);
    return 0;
}

/* ---- names, JSON ------------------------------------------------------------------------ */

const char *guard_prio_knob_name(guard_prio_knob k) {
    static const char *const n[GUARD_PRIO__COUNT] = {"nice", "sched", "ioprio", "affinity",
                                                     "oom_score_adj", "cgroup"};
    return (unsigned)k < GUARD_PRIO__COUNT ? n[k] : "?";
}

const char *guard_prio_status_name(guard_prio_status s) {
    static const char *const n[] = {"not_requested", "applied", "partial", "refused",
                                    "unavailable"};
    return (unsigned)s <= GUARD_PRIO_UNAVAILABLE ? n[s] : "?";
}

json_t *guard_prio_report_json(const guard_prio_report *rep) {
    json_t *o = json_object();
    if (!o) return NULL;
    for (int i = 0; i < GUARD_PRIO__COUNT; i++) {
        const guard_prio_outcome *k = &rep->knob[i];
        json_t *v = json_pack("{s:s, s:s}", "status", guard_prio_status_name(k->status), "detail",
                              k->detail);
        if (!v || json_object_set_new(o, guard_prio_knob_name((guard_prio_knob)i), v) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    if (json_object_set_new(o, "cgroup_path", json_string(rep->cgroup_path)) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
