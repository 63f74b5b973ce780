/* guard_config — see guard_config.h.
 *
 * Map: value parsers (duration, size, percent); the key table (one row per documented key:
 * the only list of keys there is); applying one YAML node to one key; walking a document;
 * files, overrides, checks; defaults and derived values; JSON. */
#include "guard/guard_config.h"

#include "guard/guard_ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <libfyaml.h>

#include "common/rg_fs.h"
#include "common/rg_text.h"
#include "guard/guard_fsm.h"
#include "guard/guard_spawn.h"

#define NS_PER_S 1000000000LL

/* ---- value parsers --------------------------------------------------------------------- */

/* A non-negative decimal number at the start of s ("12", "1.5"); *end after it. Rejects
 * signs, exponents, hex, inf and nan, which strtod would accept. */
static int parse_number(const char *s, double *v, const char **end) {
    const char *p = s;
    int digits = 0;
    while (*p >= '0' && *p <= '9') p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, digits++;
    }
    if (!digits) return -EINVAL;
    char buf[64];
    if ((size_t)(p - s) >= sizeof buf) return -EINVAL;
    memcpy(buf, s, (size_t)(p - s));
    buf[p - s] = '\0';
    *v = strtod(buf, NULL);
    *end = p;
    return 0;
}

typedef struct unit {
    const char *name;
    double mult;
} unit;

static int parse_with_units(const char *s, const unit *units, int bare_ok, double max, double *out) {
    double v;
    const char *u;
    if (parse_number(s, &v, &u) < 0) return -EINVAL;
    if (!*u) {
        if (!bare_ok && v != 0) return -EINVAL;
        *out = v;
        return 0;
    }
    for (const unit *x = units; x->name; x++)
        if (strcmp(u, x->name) == 0) {
            double r = v * x->mult;
            if (!(r <= max)) return -ERANGE;
            *out = r;
            return 0;
        }
    return -EINVAL;
}

int guard_config_parse_duration(const char *s, int64_t *ns) {
    static const unit units[] = {{"ns", 1},     {"us", 1e3},  {"ms", 1e6},   {"s", 1e9},
                                 {"m", 60e9},   {"min", 60e9}, {"h", 3600e9}, {NULL, 0}};
    if (strcmp(s, "off") == 0) {
        *ns = 0;
        return 0;
    }
    double v;
    /* a bare number would be ambiguous (seconds? ms?): only 0 may go without a unit */
    int rc = parse_with_units(s, units, 0, 1e18, &v);
    if (rc < 0) return rc;
    *ns = (int64_t)(v + 0.5); /* v >= 0: rounds to nearest without libm */
    return 0;
}

int guard_config_parse_size(const char *s, uint64_t *bytes) {
    static const unit units[] = {
        {"B", 1},      {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
        {"TiB", 1099511627776.0}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
        {NULL, 0}};
    if (strcmp(s, "off") == 0) {
        *bytes = 0;
        return 0;
    }
    double v;
    int rc = parse_with_units(s, units, 1, 1.8e19, &v);
    if (rc < 0) return rc;
    *bytes = (uint64_t)(v + 0.5);
    return 0;
}

int guard_config_parse_percent(const char *s, double *pct) {
    double v;
    const char *u;
    if (parse_number(s, &v, &u) < 0 || strcmp(u, "%") != 0 || v > 100) return -EINVAL;
    *pct = v;
    return 0;
}

/* ---- the key table --------------------------------------------------------------------- */

typedef enum kind {
    K_STRING,   /* char * */
    K_ARGV,     /* char ** (sequence of strings, or null) */
    K_DURATION, /* int64_t ns; NONZERO flag: 0 refused */
    K_SIZE,     /* uint64_t bytes */
    K_PERCENT,  /* double, "90%" or off */
    K_MEM,      /* guard_config_mem: size or percent of RAM */
    K_UINT,     /* unsigned in [lo, hi] */
    K_INT,      /* int in [lo, hi], or "inherit" = GUARD_PRIO_UNSET when INHERIT flag */
    K_SCHED,    /* guard_prio_sched */
    K_IOCLASS,  /* guard_prio_ioclass */
    K_CPUS,     /* char[GUARD_PRIO_CPUS_MAX] cpu list */
    K_EVENTS,   /* uint32_t bitmask of guard_event */
    K_EXPECT,   /* guard_expect_rules: a list of {topic, min_rate, max_silence} */
    K_BOOL,     /* bool: true/false, yes/no, on/off */
    K_REDUNDANCY /* guard_config_redundancy: none or standby */
} kind;

#define NONZERO 1u /* value 0 / off refused */
#define INHERIT 2u /* "inherit" accepted (GUARD_PRIO_UNSET) */
#define NULLABLE 4u /* K_STRING: null resets it to unset */

typedef struct key_def {
    const char *path; /* dotted key */
    kind kind;
    size_t off;       /* offset in guard_config */
    long lo, hi;      /* K_UINT / K_INT range; K_DURATION: lo = smallest value in ms other
                       * than off (a 1ns check interval or timer would spin a core) */
    unsigned flags;
} key_def;

#define OFF(f) offsetof(guard_config, f)

static const key_def keys[] = {
    {"output", K_STRING, OFF(output_dir), 0, 0, 0},
    {"socket", K_STRING, OFF(socket_path), 0, 0, 0},
    {"state_dir", K_STRING, OFF(state_dir), 0, 0, NULLABLE},
    {"recorder", K_ARGV, OFF(recorder_argv), 0, 0, 0},
    {"post_crash_hook", K_ARGV, OFF(post_crash_hook_argv), 0, 0, 0},
    {"check_interval", K_DURATION, OFF(check_interval_ns), 50, 0, NONZERO},
    {"lease_duration", K_DURATION, OFF(lease_duration_ns), 0, 0, NONZERO}, /* range checked in validate */
    {"stop.flush_timeout", K_DURATION, OFF(flush_timeout_ns), 100, 0, NONZERO},
    {"stop.term_timeout", K_DURATION, OFF(term_timeout_ns), 100, 0, NONZERO},
    {"stop.kill_timeout", K_DURATION, OFF(kill_timeout_ns), 100, 0, NONZERO},
    {"health.start_timeout", K_DURATION, OFF(health.start_timeout_ns), 100, 0, 0},
    {"health.stall_timeout", K_DURATION, OFF(health.stall_timeout_ns), 100, 0, 0},
    {"health.hang_timeout", K_DURATION, OFF(health.hang_timeout_ns), 100, 0, 0},
    {"health.memory_warning", K_MEM, OFF(mem_warning), 0, 0, 0},
    {"health.memory_critical", K_MEM, OFF(mem_critical), 0, 0, 0},
    {"disk.warning_used", K_PERCENT, OFF(health.disk_warning_pct), 0, 0, 0},
    {"disk.warning_free", K_SIZE, OFF(health.disk_warning_free), 0, 0, 0},
    {"disk.stop_used", K_PERCENT, OFF(health.disk_stop_pct), 0, 0, 0},
    {"disk.stop_free", K_SIZE, OFF(health.disk_stop_free), 0, 0, 0},
    {"disk.ttf_limit", K_DURATION, OFF(health.disk_ttf_limit_ns), 1000, 0, 0},
    {"restart.backoff_initial", K_DURATION, OFF(restart.backoff_initial_ns), 10, 0, NONZERO},
    {"restart.backoff_cap", K_DURATION, OFF(restart.backoff_cap_ns), 10, 0, NONZERO},
    {"restart.budget_starts", K_UINT, OFF(restart.budget_starts), 0, GUARD_POLICY_MAX_BUDGET, 0},
    {"restart.budget_window", K_DURATION, OFF(restart.budget_window_ns), 1000, 0, NONZERO},
    {"priority.nice", K_INT, OFF(priority.nice), -20, 19, INHERIT},
    {"priority.sched", K_SCHED, OFF(priority.sched), 0, 0, 0},
    {"priority.io_class", K_IOCLASS, OFF(priority.ioclass), 0, 0, 0},
    {"priority.io_level", K_INT, OFF(priority.iolevel), 0, 7, 0},
    {"priority.cpus", K_CPUS, OFF(priority.cpus), 0, 0, 0},
    {"priority.oom_score_adj", K_INT, OFF(priority.oom_score_adj), -1000, 1000, INHERIT},
    {"priority.cgroup_memory_min", K_SIZE, OFF(priority.cgroup_memory_min), 0, 0, 0},
    {"priority.cgroup_cpu_weight", K_UINT, OFF(priority.cgroup_cpu_weight), 0, 10000, 0},
    {"alert.command", K_ARGV, OFF(alert_argv), 0, 0, 0},
    {"alert.events", K_EVENTS, OFF(alert_events), 0, 0, 0},
    {"web.listen", K_STRING, OFF(web_listen), 0, 0, NULLABLE},
    {"web.token_file", K_STRING, OFF(web_token_file), 0, 0, NULLABLE},
    {"health.no_data_timeout", K_DURATION, OFF(no_data_timeout_ns), 100, 0, 0},
    {"expect", K_EXPECT, OFF(expect), 0, 0, 0},
    {"monitor.enabled", K_BOOL, OFF(monitor_enabled), 0, 0, 0},
    {"redundancy", K_REDUNDANCY, OFF(redundancy), 0, 0, 0},
    {"standby.window", K_DURATION, OFF(standby_window_ns), 100, 0, NONZERO},
    {"standby.memory", K_SIZE, OFF(standby_memory), 0, 0, 0}, /* floor checked in validate */
};

static const char *const sections[] = {"stop", "health", "disk", "restart", "priority", "alert", "web", "monitor",
                                       "standby"};

#define NKEYS (sizeof keys / sizeof keys[0])

static const key_def *find_key(const char *path) {
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].path, path) == 0) return &keys[i];
    return NULL;
}

static int is_section(const char *name) {
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (strcmp(sections[i], name) == 0) return 1;
    return 0;
}

/* ---- applying a node to a key ---------------------------------------------------------- */

/* Where an error is reported: "<name>:<line>: <key>: " or "--set <key>: ". */
typedef struct ctx {
    const char *name; /* file name, or NULL for an override */
    int line;         /* 1-based line of the key, 0 unknown */
    char *err;
    size_t errlen;
} ctx;

static int fail(const ctx *x, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(const ctx *x, const char *key, const char *fmt, ...) {
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (!x->name) snprintf(x->err, x->errlen, "--set %s: %s", key, why);
    else if (x->line > 0) snprintf(x->err, x->errlen, "%s:%d: %s: %s", x->name, x->line, key, why);
    else snprintf(x->err, x->errlen, "%s: %s: %s", x->name, key, why);
    return -EINVAL;
}

static int node_line(struct fy_node *n) {
    struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
    const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
    return m ? m->line + 1 : 0;
}

/* A scalar's text as a C string (malloc'd), or NULL when the node is not a plain usable
 * scalar (sequence, mapping, alias, embedded NUL). */
static char *scalar_dup(struct fy_node *n) {
    if (!n || fy_node_is_alias(n) || fy_node_get_type(n) != FYNT_SCALAR) return NULL;
    size_t len;
    const char *s = fy_node_get_scalar(n, &len);
    if (!s || memchr(s, '\0', len)) return NULL;
    return strndup(s, len);
}

/* YAML null: "~", "null", or nothing at all ("key:"), in plain style only. */
static int is_null(struct fy_node *n) {
    if (!n) return 1;
    if (fy_node_is_alias(n) || fy_node_get_type(n) != FYNT_SCALAR) return 0;
    if (fy_node_get_style(n) != FYNS_PLAIN) return 0;
    size_t len;
    const char *s = fy_node_get_scalar(n, &len);
    return !s || len == 0 || (len == 1 && s[0] == '~') || (len == 4 && memcmp(s, "null", 4) == 0);
}

static void argv_free(char **argv) {
    if (!argv) return;
    for (char **a = argv; *a; a++) free(*a);
    free(argv);
}

static char **argv_dup(char *const *argv, int argc) {
    char **v = calloc((size_t)argc + 1, sizeof *v);
    if (!v) return NULL;
    for (int i = 0; i < argc; i++)
        if (!(v[i] = strdup(argv[i]))) {
            argv_free(v);
            return NULL;
        }
    return v;
}

/* The recorder must be told where each run writes: without {segment} every restart would
 * write to the same place (or nowhere the daemon knows), and a recovery could overwrite. */
static int has_segment(const key_def *k, char *const *argv) {
    if (strcmp(k->path, "recorder") != 0) return 1;
    for (; *argv; argv++)
        if (strstr(*argv, GUARD_SPAWN_SEGMENT)) return 1;
    return 0;
}

static int fail_no_segment(const ctx *x, const key_def *k) {
    return fail(x, k->path, "no argument holds %s, the path of each run's segment file "
                            "(e.g. [ros2, bag, record, -a, -o, \"%s\"])",
                GUARD_SPAWN_SEGMENT, GUARD_SPAWN_SEGMENT);
}

static int apply_argv(const ctx *x, const key_def *k, struct fy_node *v, char ***dst) {
    if (is_null(v)) {
        argv_free(*dst);
        *dst = NULL;
        return 0;
    }
    if (fy_node_get_type(v) != FYNT_SEQUENCE)
        return fail(x, k->path, "expected a list of strings (argv), e.g. [prog, \"--flag\"]");
    int n = fy_node_sequence_item_count(v);
    if (n <= 0) return fail(x, k->path, "empty list: give at least the program");
    char **argv = calloc((size_t)n + 1, sizeof *argv);
    if (!argv) return -ENOMEM;
    void *it = NULL;
    int i = 0;
    for (struct fy_node *e; i < n && (e = fy_node_sequence_iterate(v, &it)); i++) {
        if (!(argv[i] = scalar_dup(e))) {
            argv_free(argv);
            return fail(x, k->path, "item %d is not a string", i + 1);
        }
    }
    if (i != n || !argv[0][0]) {
        argv_free(argv);
        return fail(x, k->path, "the program (first item) is empty");
    }
    if (!has_segment(k, argv)) {
        argv_free(argv);
        return fail_no_segment(x, k);
    }
    argv_free(*dst);
    *dst = argv;
    return 0;
}

static int apply_events(const ctx *x, const key_def *k, struct fy_node *v, uint32_t *dst) {
    if (is_null(v)) {
        *dst = 0;
        return 0;
    }
    if (fy_node_is_alias(v) || fy_node_get_type(v) != FYNT_SEQUENCE)
        return fail(x, k->path, "expected a list of event names, e.g. [crashed, disk_low]");
    uint32_t mask = 0;
    void *it = NULL;
    for (struct fy_node *e; (e = fy_node_sequence_iterate(v, &it));) {
        char *s = scalar_dup(e);
        guard_event ev;
        if (s && strcmp(s, "all") == 0) {
            mask |= (1u << GUARD_EV__COUNT) - 1;
        } else if (s && strcmp(s, "warnings") == 0) {
            mask |= GUARD_CONFIG_ALERT_WARNINGS;
        } else if (!s || guard_fsm_event_from_name(s, &ev) < 0) {
            char names[512] = "";
            for (int i = 0; i < GUARD_EV__COUNT; i++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                         i ? ", " : "", guard_fsm_event_name((guard_event)i));
            int rc = fail(x, k->path, "unknown event '%s' (known: all, warnings, %s)", s ? s : "?", names);
            free(s);
            return rc;
        } else {
            mask |= 1u << ev;
        }
        free(s);
    }
    *dst = mask;
    return 0;
}

static int apply_scalar(const ctx *x, const key_def *k, const char *s, void *dst) {
    switch (k->kind) {
    case K_STRING: {
        if (!s[0]) return fail(x, k->path, "empty string");
        char *d = strdup(s);
        if (!d) return -ENOMEM;
        free(*(char **)dst);
        *(char **)dst = d;
        return 0;
    }
    case K_DURATION: {
        int64_t ns;
        if (guard_config_parse_duration(s, &ns) < 0)
            return fail(x, k->path, "'%s' is not a duration (e.g. 15s, 500ms, 2m%s)", s,
                        k->flags & NONZERO ? "" : ", off");
        if ((k->flags & NONZERO) && ns <= 0) return fail(x, k->path, "must be > 0");
        if (ns > 0 && ns < k->lo * 1000000LL)
            return fail(x, k->path, "'%s' is below the minimum of %ldms%s", s, k->lo,
                        k->flags & NONZERO ? "" : " (or off)");
        *(int64_t *)dst = ns;
        return 0;
    }
    case K_SIZE: {
        uint64_t b;
        if (guard_config_parse_size(s, &b) < 0)
            return fail(x, k->path, "'%s' is not a size (e.g. 800MiB, 2GiB, 4096, off)", s);
        *(uint64_t *)dst = b;
        return 0;
    }
    case K_PERCENT: {
        double p;
        if (strcmp(s, "off") == 0) p = 0;
        else if (guard_config_parse_percent(s, &p) < 0)
            return fail(x, k->path, "'%s' is not a percentage (e.g. 90%%, off)", s);
        *(double *)dst = p;
        return 0;
    }
    case K_MEM: {
        guard_config_mem m = {0, 0};
        if (strchr(s, '%')) {
            if (guard_config_parse_percent(s, &m.pct) < 0 || m.pct <= 0)
                return fail(x, k->path, "'%s' is not a percentage of RAM (e.g. 60%%)", s);
        } else if (guard_config_parse_size(s, &m.bytes) < 0) {
            return fail(x, k->path, "'%s' is not a size or a percentage of RAM (e.g. 800MiB, 60%%, off)", s);
        }
        *(guard_config_mem *)dst = m;
        return 0;
    }
    case K_UINT:
    case K_INT: {
        if ((k->flags & INHERIT) && strcmp(s, "inherit") == 0) {
            *(int *)dst = GUARD_PRIO_UNSET;
            return 0;
        }
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (!s[0] || *end || errno || v < k->lo || v > k->hi)
            return fail(x, k->path, "'%s' is not an integer in %ld..%ld%s", s, k->lo, k->hi,
                        k->flags & INHERIT ? " or 'inherit'" : "");
        if (k->kind == K_UINT) *(unsigned *)dst = (unsigned)v;
        else *(int *)dst = (int)v;
        return 0;
    }
    case K_SCHED: {
        static const char *const n[] = {"keep", "other", "batch", "idle"};
        for (int i = 0; i < 4; i++)
            if (strcmp(s, n[i]) == 0) {
                *(guard_prio_sched *)dst = (guard_prio_sched)i;
                return 0;
            }
        return fail(x, k->path, "'%s': expected keep, other, batch or idle", s);
    }
    case K_IOCLASS: {
        static const struct { const char *n; guard_prio_ioclass c; } n[] = {
            {"keep", GUARD_IOCLASS_KEEP}, {"none", GUARD_IOCLASS_KEEP},
            {"realtime", GUARD_IOCLASS_REALTIME}, {"rt", GUARD_IOCLASS_REALTIME},
            {"best-effort", GUARD_IOCLASS_BEST_EFFORT}, {"be", GUARD_IOCLASS_BEST_EFFORT},
            {"idle", GUARD_IOCLASS_IDLE}};
        for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
            if (strcmp(s, n[i].n) == 0) {
                *(guard_prio_ioclass *)dst = n[i].c;
                return 0;
            }
        return fail(x, k->path, "'%s': expected keep, realtime, best-effort or idle", s);
    }
    case K_CPUS: {
        char e[128];
        cpu_set_t set;
        if (s[0] && guard_prio_parse_cpus(s, &set, e, sizeof e) < 0)
            return fail(x, k->path, "'%s' is not a CPU list (e.g. \"0-1,3\")", s);
        if (strlen(s) >= GUARD_PRIO_CPUS_MAX) return fail(x, k->path, "CPU list too long");
        snprintf((char *)dst, GUARD_PRIO_CPUS_MAX, "%s", s);
        return 0;
    }
    case K_BOOL: {
        static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
        for (int i = 0; i < 3; i++) {
            if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
                *(bool *)dst = strcmp(s, yes[i]) == 0;
                return 0;
            }
        }
        return fail(x, k->path, "'%s': expected true or false", s);
    }
    case K_REDUNDANCY:
        for (int i = 0; i < GUARD_REDUNDANCY__COUNT; i++)
            if (strcmp(s, guard_config_redundancy_name((guard_config_redundancy)i)) == 0) {
                *(guard_config_redundancy *)dst = (guard_config_redundancy)i;
                return 0;
            }
        return fail(x, k->path, "'%s': expected none or standby", s);
    case K_ARGV:
    case K_EVENTS:
    case K_EXPECT:
        break;
    }
    return fail(x, k->path, "internal: kind %d is not a scalar", (int)k->kind);
}

/* expect: a list of rules; the list replaces the previous one (file, then overrides). */
static int apply_expect(const ctx *x, const key_def *k, struct fy_node *v, guard_expect_rules *dst) {
    guard_expect_rules r = {0};
    if (!is_null(v) && (fy_node_is_alias(v) || fy_node_get_type(v) != FYNT_SEQUENCE))
        return fail(x, k->path, "expected a list of {topic, min_rate, max_silence}");
    void *it = NULL;
    int i = 0, rc = 0;
    for (struct fy_node *e; !is_null(v) && (e = fy_node_sequence_iterate(v, &it)); i++) {
        if (fy_node_is_alias(e) || fy_node_get_type(e) != FYNT_MAPPING) {
            rc = fail(x, k->path, "item %d: expected a mapping {topic, min_rate, max_silence}", i + 1);
            break;
        }
        char *topic = NULL, *rate = NULL, *silence = NULL;
        void *it2 = NULL;
        for (struct fy_node_pair *p; rc == 0 && (p = fy_node_mapping_iterate(e, &it2));) {
            char *key = scalar_dup(fy_node_pair_key(p));
            char **slot = !key ? NULL : strcmp(key, "topic") == 0 ? &topic
                        : strcmp(key, "min_rate") == 0 ? &rate : strcmp(key, "max_silence") == 0 ? &silence : NULL;
            if (!slot) rc = fail(x, k->path, "item %d: unknown key '%s' (topic, min_rate, max_silence)", i + 1, key ? key : "?");
            else if (!(*slot = scalar_dup(fy_node_pair_value(p)))) rc = fail(x, k->path, "item %d: %s: expected a value", i + 1, key);
            free(key);
        }
        double hz = 0;
        int64_t ns = 0;
        char *end = NULL, why[256];
        if (rc == 0 && rate && (hz = strtod(rate, &end), end == rate || *end || !(hz > 0)))
            rc = fail(x, k->path, "item %d: min_rate '%s' is not a rate in Hz > 0", i + 1, rate);
        if (rc == 0 && silence && (guard_config_parse_duration(silence, &ns) < 0 || ns <= 0))
            rc = fail(x, k->path, "item %d: max_silence '%s' is not a duration > 0 (e.g. 1s)", i + 1, silence);
        if (rc == 0 && (rc = guard_expect_add(&r, topic ? topic : "", hz, ns, why, sizeof why)) < 0 && rc != -ENOMEM)
            rc = fail(x, k->path, "item %d: %s", i + 1, why);
        free(topic);
        free(rate);
        free(silence);
        if (rc < 0) break;
    }
    if (rc < 0) {
        guard_expect_rules_free(&r);
        return rc;
    }
    guard_expect_rules_free(dst);
    *dst = r;
    return 0;
}

static int apply_node(guard_config *c, const ctx *x, const key_def *k, struct fy_node *v) {
    void *dst = (char *)c + k->off;
    if (v && fy_node_is_alias(v)) return fail(x, k->path, "YAML aliases are not supported");
    if (k->kind == K_ARGV) return apply_argv(x, k, v, (char ***)dst);
    if (k->kind == K_EVENTS) return apply_events(x, k, v, (uint32_t *)dst);
    if (k->kind == K_EXPECT) return apply_expect(x, k, v, (guard_expect_rules *)dst);
    if (k->kind == K_STRING && is_null(v)) {
        /* only optional strings may be reset to "unset" (state_dir: = the output directory) */
        if (!(k->flags & NULLABLE)) return fail(x, k->path, "a value is required");
        free(*(char **)dst);
        *(char **)dst = NULL;
        return 0;
    }
    if (k->kind == K_CPUS && is_null(v)) {
        ((char *)dst)[0] = '\0';
        return 0;
    }
    char *s = scalar_dup(v);
    if (!s) return fail(x, k->path, "expected a single value, not a list or mapping");
    int rc = apply_scalar(x, k, s, dst);
    free(s);
    return rc;
}

/* ---- walking a document ---------------------------------------------------------------- */

/* `record:` has its own key table: the recorder's options (guard_record). */
static int walk_record(guard_config *c, ctx *x, struct fy_node *map) {
    if (is_null(map)) return 0;
    if (fy_node_is_alias(map) || fy_node_get_type(map) != FYNT_MAPPING)
        return fail(x, "record", "expected a mapping of recorder options");
    void *it = NULL;
    for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(map, &it));) {
        x->line = node_line(fy_node_pair_key(p));
        char *key = scalar_dup(fy_node_pair_key(p));
        if (!key) return fail(x, "record", "keys must be plain strings");
        char why[256], full[128];
        snprintf(full, sizeof full, "record.%s", key);
        int rc = guard_record_set(&c->record, key, fy_node_pair_value(p), why, sizeof why);
        free(key);
        if (rc == -EINVAL) return fail(x, full, "%s", why);
        if (rc < 0) return rc;
    }
    return 0;
}

static int walk(guard_config *c, ctx *x, struct fy_node *map, const char *section) {
    if (is_null(map)) return 0; /* empty file, or "stop:" with nothing under it */
    if (fy_node_is_alias(map) || fy_node_get_type(map) != FYNT_MAPPING)
        return fail(x, section ? section : "(top level)", "expected a mapping of keys");
    void *it = NULL;
    for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(map, &it));) {
        struct fy_node *kn = fy_node_pair_key(p), *vn = fy_node_pair_value(p);
        x->line = node_line(kn);
        char *key = scalar_dup(kn);
        if (!key) return fail(x, section ? section : "(top level)", "keys must be plain strings");
        char full[128];
        snprintf(full, sizeof full, "%s%s%s", section ? section : "", section ? "." : "", key);
        int rc;
        const key_def *k = find_key(full);
        if (!section && strcmp(key, "record") == 0) rc = walk_record(c, x, vn);
        else if (!section && is_section(key)) rc = walk(c, x, vn, key);
        else if (k) rc = apply_node(c, x, k, vn);
        else rc = fail(x, full, "unknown key (see docs/CONFIG.md)");
        free(key);
        if (rc < 0) return rc;
    }
    return 0;
}

/* libfyaml reports through a diag object; we collect the errors and print none. */
static void diag_sink(struct fy_diag *diag, void *user, const char *buf, size_t len) {
    (void)diag, (void)user, (void)buf, (void)len;
}

/* Line of a document's first key or item (1-based), 0 unknown. */
static int doc_line(struct fy_document *d) {
    struct fy_node *r = fy_document_root(d);
    void *it = NULL;
    if (r && fy_node_get_type(r) == FYNT_MAPPING) {
        struct fy_node_pair *p = fy_node_mapping_iterate(r, &it);
        return p ? node_line(fy_node_pair_key(p)) : 0;
    }
    if (r && fy_node_get_type(r) == FYNT_SEQUENCE) return node_line(fy_node_sequence_iterate(r, &it));
    return node_line(r);
}

/* A parsed document and the parser that owns it (its tokens give error lines). */
typedef struct yaml_doc {
    struct fy_diag *diag;    /* error collector of fyp */
    struct fy_parser *fyp;   /* owner of doc */
    struct fy_document *doc; /* NULL for a stream without a document */
} yaml_doc;

static void yaml_doc_free(yaml_doc *y) {
    if (y->doc) fy_parse_document_destroy(y->fyp, y->doc);
    fy_parser_destroy(y->fyp);
    fy_diag_destroy(y->diag);
    y->doc = NULL;
    y->fyp = NULL;
    y->diag = NULL;
}

/* Parse text into *y: 0 (with y->doc NULL for a stream without any document, e.g. only
 * comments), or -EINVAL with err filled on a YAML error or a second document. Release with
 * yaml_doc_free either way. */
static int parse(const char *text, size_t len, const char *name, yaml_doc *y, char *err,
                 size_t errlen) {
    y->fyp = NULL;
    y->doc = NULL;
    y->diag = NULL;
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = diag_sink;
    dcfg.colorize = false;
    struct fy_diag *diag = y->diag = fy_diag_create(&dcfg);
    if (!diag) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -ENOMEM;
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET, .diag = diag};
    struct fy_parser *fyp = y->fyp = fy_parser_create(&pcfg);
    if (!fyp || fy_parser_set_string(fyp, text, len) < 0) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -ENOMEM;
    }
    struct fy_document *d = fy_parse_load_document(fyp);
    /* A second document ("---" again) would be silently ignored by a one-document reader,
     * and which of two configs is meant cannot be guessed. */
    struct fy_document *more = d ? fy_parse_load_document(fyp) : NULL;
    int rc = 0;
    void *it = NULL;
    struct fy_diag_error *e = fy_diag_errors_iterate(diag, &it);
    /* A stream without a document (empty, only comments) yields no document and an error
     * flag but no message: that is an empty config, not a syntax error. */
    if (e) {
        /* libfyaml's diag lines are 1-based already (marks are 0-based) */
        snprintf(err, errlen, "%s:%d: YAML syntax: %s", name, e->line, e->msg);
        rc = -EINVAL;
    } else if (more) {
        int line = doc_line(more);
        if (line > 0)
            snprintf(err, errlen, "%s:%d: a second YAML document: a config is one document", name, line);
        else
            snprintf(err, errlen, "%s: a second YAML document: a config is one document", name);
        rc = -EINVAL;
    }
    fy_parse_document_destroy(fyp, more);
    if (rc < 0) {
        fy_parse_document_destroy(fyp, d);
        d = NULL;
    }
    y->doc = d;
    return rc;
}

int guard_config_load_buffer(guard_config *c, const char *text, size_t len, const char *name,
                             char *err, size_t errlen) {
    if (memchr(text, '\0', len)) {
        snprintf(err, errlen, "%s: contains a NUL byte: not a text file", name);
        return -EINVAL;
    }
    /* Checked here, not left to libfyaml: 0.7.12 loops forever on a directive followed by a
     * malformed UTF-8 byte ("%\x9c", found by fuzz_guard_config). A config is text. */
    size_t bad = rg_text_utf8_bad_at((const unsigned char *)text, len);
    if (bad < len) {
        int line = 1;
        for (size_t i = 0; i < bad; i++) line += text[i] == '\n';
        snprintf(err, errlen, "%s:%d: not valid UTF-8 (byte 0x%02x)", name, line,
                 (unsigned char)text[bad]);
        return -EINVAL;
    }
    yaml_doc y;
    int rc = parse(text, len, name, &y, err, errlen);
    if (rc == 0 && y.doc) {
        ctx x = {.name = name, .line = 0, .err = err, .errlen = errlen};
        rc = walk(c, &x, fy_document_root(y.doc), NULL);
    }
    yaml_doc_free(&y);
    return rc;
}

int guard_config_load_file(guard_config *c, const char *path, bool optional, char *err,
                           size_t errlen) {
    char *buf = NULL;
    size_t len = 0;
    int rc = rg_fs_read_file(path, GUARD_CONFIG_MAX_FILE, &buf, &len);
    if (rc == -ENOENT && optional) return 0;
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path,
                 rc == -EFBIG ? "larger than 1 MiB: not a config file" : strerror(-rc));
        return rc;
    }
    rc = guard_config_load_buffer(c, buf, len, path, err, errlen);
    free(buf);
    if (rc < 0) return rc;
    char *p = strdup(path);
    if (!p) return -ENOMEM;
    free(c->path);
    c->path = p;
    return 0;
}

/* ---- overrides ------------------------------------------------------------------------- */

int guard_config_set(guard_config *c, const char *key, const char *value, char *err,
                     size_t errlen) {
    ctx x = {.name = NULL, .line = 0, .err = err, .errlen = errlen};
    if (strncmp(key, "record.", 7) == 0) {
        char why[256];
        int rc = guard_record_set_text(&c->record, key + 7, value, why, sizeof why);
        return rc == -EINVAL ? fail(&x, key, "%s", why) : rc;
    }
    const key_def *k = find_key(key);
    if (!k) return fail(&x, key, "unknown key (see docs/CONFIG.md)");
    if (k->kind != K_ARGV && k->kind != K_EVENTS && k->kind != K_EXPECT)
        /* the raw text: a path with '#' or ': ' must not be read as YAML */
        return apply_scalar(&x, k, value, (char *)c + k->off);
    char perr[256];
    yaml_doc y;
    int rc = parse(value, strlen(value), "value", &y, perr, sizeof perr);
    if (rc < 0) rc = fail(&x, key, "%s", perr);
    else if (!y.doc) rc = fail(&x, key, "a value is required");
    else rc = apply_node(c, &x, k, fy_document_root(y.doc));
    yaml_doc_free(&y);
    return rc;
}

int guard_config_set_argv(guard_config *c, const char *key, char *const *argv, int argc,
                          char *err, size_t errlen) {
    ctx x = {.name = NULL, .line = 0, .err = err, .errlen = errlen};
    const key_def *k = find_key(key);
    if (!k || k->kind != K_ARGV) return fail(&x, key, "not an argv key");
    if (argc < 1 || !argv[0] || !argv[0][0]) return fail(&x, key, "the program is missing");
    char **v = argv_dup(argv, argc);
    if (!v) return -ENOMEM;
    if (!has_segment(k, v)) {
        argv_free(v);
        return fail_no_segment(&x, k);
    }
    char ***dst = (char ***)((char *)c + k->off);
    argv_free(*dst);
    *dst = v;
    return 0;
}

/* ---- checks ---------------------------------------------------------------------------- */

static uint64_t resolve_mem(const guard_config_mem *m, uint64_t total);

/* "40% (3.1 GiB of RAM)" or "2.0 GiB". */
static void fmt_mem(const guard_config_mem *m, uint64_t total, char *buf, size_t len) {
    char b[32];
    if (m->pct > 0)
        snprintf(buf, len, "%g%% = %s of RAM", m->pct,
                 guard_health_fmt_bytes(resolve_mem(m, total), b, sizeof b));
    else
        snprintf(buf, len, "%s", guard_health_fmt_bytes(m->bytes, b, sizeof b));
}

int guard_config_check_mem(const guard_config *c, uint64_t mem_total_bytes, char *err,
                           size_t errlen) {
    const guard_config_mem *w = &c->mem_warning, *k = &c->mem_critical;
    int off_w = w->pct == 0 && w->bytes == 0, off_k = k->pct == 0 && k->bytes == 0;
    if (off_w || off_k) return 0;
    int same = (w->pct > 0) == (k->pct > 0);
    /* Mixed forms compare in bytes, which needs the RAM size; unknown RAM: nothing to say. */
    if (!same && mem_total_bytes == 0) return 0;
    int bad = w->pct > 0 && k->pct > 0 ? w->pct >= k->pct
                                       : resolve_mem(w, mem_total_bytes) >= resolve_mem(k, mem_total_bytes);
    if (!bad) return 0;
    char a[64], b[64];
    fmt_mem(w, mem_total_bytes, a, sizeof a);
    fmt_mem(k, mem_total_bytes, b, sizeof b);
    snprintf(err, errlen, "health.memory_warning (%s) must be below health.memory_critical (%s)",
             a, b);
    return -EINVAL;
}

int guard_config_check(const guard_config *c, char *err, size_t errlen) {
    char sub[200], a[32], b[32];
    if (guard_policy_cfg_check(&c->restart, sub, sizeof sub) < 0) {
        snprintf(err, errlen, "%s", sub);
        return -EINVAL;
    }
    int rc = guard_config_check_mem(c, guard_config_mem_total(), err, errlen);
    if (rc < 0) return rc;
    const guard_health_cfg *h = &c->health;
    if (h->disk_warning_pct > 0 && h->disk_stop_pct > 0 && h->disk_warning_pct >= h->disk_stop_pct) {
        snprintf(err, errlen, "disk.warning_used (%g%%) must be below disk.stop_used (%g%%)",
                 h->disk_warning_pct, h->disk_stop_pct);
        return -EINVAL;
    }
    if (h->disk_warning_free && h->disk_stop_free && h->disk_warning_free <= h->disk_stop_free) {
        snprintf(err, errlen, "disk.warning_free (%s) must be above disk.stop_free (%s)",
                 guard_health_fmt_bytes(h->disk_warning_free, a, sizeof a),
                 guard_health_fmt_bytes(h->disk_stop_free, b, sizeof b));
        return -EINVAL;
    }
    if (c->check_interval_ns <= 0 || c->flush_timeout_ns <= 0 || c->term_timeout_ns <= 0 ||
        c->kill_timeout_ns <= 0) {
        snprintf(err, errlen, "check_interval and stop.*_timeout must be > 0");
        return -EINVAL;
    }
    if (c->lease_duration_ns < GUARD_CONFIG_LEASE_MIN_NS || c->lease_duration_ns > GUARD_CONFIG_LEASE_MAX_NS) {
        snprintf(err, errlen, "lease_duration: must be 100ms..600s");
        return -EINVAL;
    }
    if (!c->output_dir || !c->output_dir[0] || !c->socket_path || !c->socket_path[0]) {
        snprintf(err, errlen, "output and socket must be set");
        return -EINVAL;
    }
    if (strlen(c->socket_path) >= 108) { /* sizeof(sockaddr_un.sun_path) */
        snprintf(err, errlen, "socket: path longer than 107 bytes, a Unix socket cannot bind it");
        return -EINVAL;
    }
    if (c->record.n && c->recorder_argv) {
        snprintf(err, errlen, "record: configures the built-in recorder; with recorder: set, put "
                              "the options in that command line instead");
        return -EINVAL;
    }
    if ((rc = guard_record_check(&c->record, err, errlen)) < 0) return rc;
    if (c->redundancy == GUARD_REDUNDANCY_STANDBY && c->recorder_argv) {
        snprintf(err, errlen, "redundancy: standby needs the built-in recorder (recorder: unset): "
                              "a standby must hold samples without writing and take over from the "
                              "last message the old recorder made durable, which %s cannot tell "
                              "(docs/RELIABILITY.md)", c->recorder_argv[0]);
        return -EINVAL;
    }
    if (c->standby_memory < GUARD_CONFIG_STANDBY_MEMORY_MIN) {
        snprintf(err, errlen, "standby.memory: %s is below the minimum of 1MiB",
                 guard_health_fmt_bytes(c->standby_memory, a, sizeof a));
        return -EINVAL;
    }
    const guard_prio_cfg *p = &c->priority;
    cpu_set_t set;
    if ((p->nice != GUARD_PRIO_UNSET && (p->nice < -20 || p->nice > 19)) ||
        (p->oom_score_adj != GUARD_PRIO_UNSET && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000)) ||
        p->iolevel < 0 || p->iolevel > 7 || p->cgroup_cpu_weight > 10000 ||
        (p->cpus[0] && guard_prio_parse_cpus(p->cpus, &set, sub, sizeof sub) < 0)) {
        snprintf(err, errlen, "priority: a value is out of range (see docs/CONFIG.md)");
        return -EINVAL;
    }
    return 0;
}

/* ---- defaults, derived values ---------------------------------------------------------- */

const char *guard_config_redundancy_name(guard_config_redundancy r) {
    static const char *const n[GUARD_REDUNDANCY__COUNT] = {"none", "standby"};
    return r < GUARD_REDUNDANCY__COUNT ? n[r] : "?";
}

int guard_config_default_path(char *buf, size_t buflen) {
    const char *env = getenv("RECGUARD_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME"),
               *home = getenv("HOME");
    int n;
    if (env && env[0]) n = snprintf(buf, buflen, "%s", env);
    else if (getuid() == 0) n = snprintf(buf, buflen, "/etc/recguard/recguard.yaml");
    else if (xdg && xdg[0]) n = snprintf(buf, buflen, "%s/recguard/recguard.yaml", xdg);
    else n = snprintf(buf, buflen, "%s/.config/recguard/recguard.yaml", home ? home : "");
    return n < 0 || (size_t)n >= buflen ? -ENAMETOOLONG : 0;
}

int guard_config_init(guard_config *c) {
    memset(c, 0, sizeof *c);
    /* The clients compute the same default, so daemon and CLI agree without a config file. */
    char sock[4096];
    guard_ctl_default_path(sock, sizeof sock);
    c->output_dir = strdup(GUARD_CONFIG_DEFAULT_OUTPUT);
    c->socket_path = strdup(sock);
    if (!c->output_dir || !c->socket_path) {
        guard_config_free(c);
        return -ENOMEM;
    }
    c->check_interval_ns = 1 * NS_PER_S;
    c->lease_duration_ns = 1 * NS_PER_S;
    c->flush_timeout_ns = 15 * NS_PER_S;
    c->term_timeout_ns = 5 * NS_PER_S;
    c->kill_timeout_ns = 5 * NS_PER_S;
    guard_health_cfg_defaults(&c->health);
    c->mem_warning = (guard_config_mem){.bytes = 0, .pct = 40};
    c->mem_critical = (guard_config_mem){.bytes = 0, .pct = 60};
    guard_policy_cfg_defaults(&c->restart);
    guard_prio_cfg_defaults(&c->priority);
    c->alert_events = 1u << GUARD_EV_SPAWN_FAILED | 1u << GUARD_EV_EXITED | 1u << GUARD_EV_CRASHED |
                      1u << GUARD_EV_UNHEALTHY | 1u << GUARD_EV_DISK_LOW |
                      1u << GUARD_EV_BUDGET_SPENT | 1u << GUARD_EV_DISK_FULL | GUARD_CONFIG_ALERT_WARNINGS;
    c->no_data_timeout_ns = 5 * NS_PER_S; /* below Cyclone's 10 s lease: see guard_expect.h */
    c->standby_window_ns = 10 * NS_PER_S;
    c->standby_memory = 256ull << 20;
    return 0;
}

void guard_config_free(guard_config *c) {
    free(c->path);
    free(c->output_dir);
    free(c->socket_path);
    free(c->state_dir);
    argv_free(c->recorder_argv);
    argv_free(c->post_crash_hook_argv);
    argv_free(c->alert_argv);
    free(c->web_listen);
    free(c->web_token_file);
    guard_expect_rules_free(&c->expect);
    guard_record_free(&c->record);
    memset(c, 0, sizeof *c);
}

static uint64_t resolve_mem(const guard_config_mem *m, uint64_t total) {
    if (m->pct <= 0) return m->bytes;
    double r = (double)total * m->pct / 100.0;
    /* (double)UINT64_MAX rounds up to 2^64, which no uint64_t holds */
    return r >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)r;
}

void guard_config_health_cfg(const guard_config *c, uint64_t mem_total_bytes,
                             guard_health_cfg *out) {
    *out = c->health;
    out->mem_warning_bytes = resolve_mem(&c->mem_warning, mem_total_bytes);
    out->mem_critical_bytes = resolve_mem(&c->mem_critical, mem_total_bytes);
}

uint64_t guard_config_mem_total(void) {
    struct sysinfo si;
    if (sysinfo(&si) < 0) return 0;
    return (uint64_t)si.totalram * si.mem_unit;
}

/* ---- JSON ------------------------------------------------------------------------------ */

/* "15s", "500ms", "off": a form the config file accepts back. */
static void fmt_duration(int64_t ns, char *buf, size_t len) {
    if (ns == 0) snprintf(buf, len, "off");
    else if (ns % NS_PER_S == 0) snprintf(buf, len, "%llds", (long long)(ns / NS_PER_S));
    else if (ns % 1000000 == 0) snprintf(buf, len, "%lldms", (long long)(ns / 1000000));
    else if (ns % 1000 == 0) snprintf(buf, len, "%lldus", (long long)(ns / 1000));
    else snprintf(buf, len, "%lldns", (long long)ns);
}

static json_t *argv_json(char *const *argv) {
    if (!argv) return json_null();
    json_t *a = json_array();
    for (; a && *argv; argv++) json_array_append_new(a, json_string(*argv));
    return a;
}

static json_t *key_json(const guard_config *c, const key_def *k) {
    const void *src = (const char *)c + k->off;
    char buf[64];
    switch (k->kind) {
    case K_STRING: return *(char *const *)src ? json_string(*(char *const *)src) : json_null();
    case K_ARGV: return argv_json(*(char **const *)src);
    case K_DURATION: fmt_duration(*(const int64_t *)src, buf, sizeof buf); return json_string(buf);
    case K_SIZE: return json_integer((json_int_t) * (const uint64_t *)src);
    case K_PERCENT: {
        double p = *(const double *)src;
        if (p == 0) return json_string("off");
        snprintf(buf, sizeof buf, "%g%%", p);
        return json_string(buf);
    }
    case K_MEM: {
        const guard_config_mem *m = src;
        if (m->pct > 0) {
            snprintf(buf, sizeof buf, "%g%%", m->pct);
            return json_string(buf);
        }
        return m->bytes ? json_integer((json_int_t)m->bytes) : json_string("off");
    }
    case K_UINT: return json_integer(*(const unsigned *)src);
    case K_INT: {
        int v = *(const int *)src;
        return v == GUARD_PRIO_UNSET ? json_string("inherit") : json_integer(v);
    }
    case K_SCHED: {
        static const char *const n[] = {"keep", "other", "batch", "idle"};
        return json_string(n[*(const guard_prio_sched *)src]);
    }
    case K_IOCLASS: {
        static const char *const n[] = {"keep", "realtime", "best-effort", "idle"};
        return json_string(n[*(const guard_prio_ioclass *)src]);
    }
    case K_CPUS: return json_string((const char *)src);
    case K_EVENTS: {
        json_t *a = json_array();
        for (int i = 0; a && i < GUARD_EV__COUNT; i++)
            if (*(const uint32_t *)src & (1u << i))
                json_array_append_new(a, json_string(guard_fsm_event_name((guard_event)i)));
        if (a && *(const uint32_t *)src & GUARD_CONFIG_ALERT_WARNINGS) json_array_append_new(a, json_string("warnings"));
        return a;
    }
    case K_BOOL: return json_boolean(*(const bool *)src);
    case K_REDUNDANCY: return json_string(guard_config_redundancy_name(*(const guard_config_redundancy *)src));
    case K_EXPECT: {
        const guard_expect_rules *r = src;
        json_t *a = json_array();
        for (size_t i = 0; a && i < r->n; i++) {
            fmt_duration(r->v[i].max_silence_ns, buf, sizeof buf);
            json_array_append_new(a, json_pack("{s:s, s:f, s:s}", "topic", r->v[i].topic, "min_rate",
                                               r->v[i].min_rate, "max_silence", buf));
        }
        return a;
    }
    }
    return json_null();
}

json_t *guard_config_json(const guard_config *c) {
    json_t *root = json_object();
    if (!root) return NULL;
    if (json_object_set_new(root, "file", c->path ? json_string(c->path) : json_null()) < 0)
        goto fail;
    for (size_t i = 0; i < NKEYS; i++) {
        const key_def *k = &keys[i];
        json_t *v = key_json(c, k);
        if (!v) goto fail;
        const char *dot = strchr(k->path, '.');
        if (!dot) {
            if (json_object_set_new(root, k->path, v) < 0) goto fail;
            continue;
        }
        char sec[32];
        snprintf(sec, sizeof sec, "%.*s", (int)(dot - k->path), k->path);
        json_t *s = json_object_get(root, sec);
        if (!s) {
            s = json_object();
            if (!s || json_object_set_new(root, sec, s) < 0) {
                json_decref(v);
                goto fail;
            }
        }
        if (json_object_set_new(s, dot + 1, v) < 0) goto fail;
    }
    json_t *rec = guard_record_json(&c->record);
    if (!rec || json_object_set_new(root, "record", rec) < 0) goto fail;
    return root;
fail:
    json_decref(root);
    return NULL;
}
