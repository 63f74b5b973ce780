/* cli_topics — `recguard hz`, `bw`, `topics` and `monitor`: topic rates that cost the recording
 * nothing.
 *
 * Where the figures come from (one rule for the three verbs):
 *   - a daemon answers and records with the built-in recorder: topics it records are read from
 *     its stats file (<state_dir>/recorder.stats, rates measured in its listener path): no
 *     subscription of ours. Topics it does not record come from a running `recguard monitor`
 *     (<state_dir>/monitor.stats); without one, hz/bw subscribe to them here, never to a
 *     recorded one (the rdds filter's `except` is the recorder's selection);
 *   - no daemon (or one guarding another recorder): we subscribe ourselves, like ros2 topic hz.
 * `monitor` is the low-priority process for the first case: nice 19, SCHED_IDLE, idle I/O
 * class, off the recorder's CPUs, rec_writer in monitor mode writing a stats file of the same
 * format (role monitor).
 *
 * Map: options · sources (daemon, stats files) · self subscription (hz/bw) · output · verbs.
 */
#include "cli/cli.h"

#include "common/rg_time.h"
#include "dds/rdds.h"
#include "guard/guard_ctl.h"
#include "guard/guard_prio.h"
#include "hz/hz_est.h"
#include "recorder/rec_stats.h"
#include "recorder/rec_topics.h"
#include "recorder/rec_writer.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define TOPICS_TICK_NS (1000 * 1000000LL)     /* print period (ros2 topic hz prints every second) */
#define TOPICS_SETTLE_NS (2500 * 1000000LL)   /* one-shot `topics` measuring itself waits this long */
#define TOPICS_DAEMON_MS 2000                 /* wait for the daemon's status reply */
#define TOPICS_MONITOR_STATS "monitor.stats"  /* the monitor's stats file in the state dir */
#define TOPICS_RECORDER_STATS "recorder.stats" /* the daemon's recorder stats file */
#define HZ_DEFAULT_WINDOW HZ_CWIN_DEFAULT     /* hz -w default (ros2 topic hz: 10000) */
#define BW_DEFAULT_WINDOW 100                 /* bw -w default (ros2 topic bw: 100) */
#define IOPRIO_CLASS_IDLE 3                   /* linux/ioprio.h, not exported by glibc */
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

/* ---- options ------------------------------------------------------------------------------ */

typedef struct tp_opts {
    const char *verb;           /* "hz", "bw", "topics", "monitor" */
    char **topics;              /* TOPIC... as given: "/x", "x" (= "/x") or a DDS name (malloc'd) */
    size_t ntopics;             /* entries */
    long window;                /* -w N */
    int json;                   /* --json */
    int watch;                  /* --watch (topics) */
    char socket[PATH_MAX];      /* --socket */
    const char *stats;          /* --stats (monitor) */
    const char *avoid_cpus;     /* --avoid-cpus (monitor) */
    const char *exclude;        /* --exclude (monitor): POSIX ERE of names left alone */
    int except_recorded;        /* --except-recorded (monitor): leave the built-in recorder's
                                 * topics alone even when the daemon does not answer yet */
    long parent;                /* --parent PID (monitor): end with that process (0 = no) */
} tp_opts;

static int usage(const tp_opts *o, const char *fmt, const char *arg) {
    static const struct {
        const char *verb; /* argv[0] */
        const char *text; /* its usage lines */
    } text[] = {
        {"hz", "usage: recguard hz TOPIC... [-w N] [--json] [--socket PATH]\n"},
        {"bw", "usage: recguard bw TOPIC... [-w N] [--json] [--socket PATH]\n"},
        {"topics", "usage: recguard topics [--watch] [--json] [--socket PATH]\n"},
        {"monitor", "usage: recguard monitor [--stats FILE] [--avoid-cpus LIST] [--exclude RE] [--except-recorded]\n"
                    "                        [--parent PID] [--socket PATH]\n"},
    };
    if (fmt) {
        fprintf(stderr, "recguard %s: ", o->verb);
        fprintf(stderr, fmt, arg);
        fprintf(stderr, "\n");
    }
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        if (strcmp(text[i].verb, o->verb) == 0) fputs(text[i].text, fmt ? stderr : stdout);
    return fmt ? CLI_EXIT_USAGE : -1;
}

static void opts_free(tp_opts *o) {
    for (size_t i = 0; i < o->ntopics; i++) free(o->topics[i]);
    free(o->topics);
}

/* 0 ok, -1 --help shown, CLI_EXIT_USAGE / CLI_EXIT_FAIL. */
static int parse(int argc, char **argv, tp_opts *o) {
    memset(o, 0, sizeof *o);
    o->verb = argv[0];
    o->window = strcmp(o->verb, "bw") == 0 ? BW_DEFAULT_WINDOW : HZ_DEFAULT_WINDOW;
    guard_ctl_default_path(o->socket, sizeof o->socket);
    o->topics = calloc((size_t)argc, sizeof *o->topics);
    if (!o->topics) return CLI_EXIT_FAIL;
    int takes_topics = strcmp(o->verb, "hz") == 0 || strcmp(o->verb, "bw") == 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return usage(o, NULL, NULL);
        if (strcmp(a, "--json") == 0 && strcmp(o->verb, "monitor") != 0) {
            o->json = 1;
        } else if (strcmp(a, "--watch") == 0 && strcmp(o->verb, "topics") == 0) {
            o->watch = 1;
        } else if ((strcmp(a, "-w") == 0 || strcmp(a, "--window") == 0) && takes_topics) {
            char *end;
            if (!v) return usage(o, "%s needs a value", a);
            errno = 0;
            o->window = strtol(v, &end, 10);
            if (errno || end == v || *end || o->window < 2 || o->window > HZ_CWIN_MAX)
                return usage(o, "-w %s: expected a window of 2..1000000 messages", v);
            i++;
        } else if (strcmp(a, "--socket") == 0) {
            if (!v) return usage(o, "%s needs a value", a);
            snprintf(o->socket, sizeof o->socket, "%s", v);
            i++;
        } else if (strcmp(a, "--stats") == 0 && strcmp(o->verb, "monitor") == 0) {
            if (!v) return usage(o, "%s needs a value", a);
            o->stats = v;
            i++;
        } else if (strcmp(a, "--except-recorded") == 0 && strcmp(o->verb, "monitor") == 0) {
            o->except_recorded = 1;
        } else if (strcmp(a, "--parent") == 0 && strcmp(o->verb, "monitor") == 0) {
            char *end;
            if (!v || (o->parent = strtol(v, &end, 10)) <= 0 || *end) return usage(o, "--parent %s: expected a pid", v ? v : "");
            i++;
        } else if (strcmp(a, "--exclude") == 0 && strcmp(o->verb, "monitor") == 0) {
            if (!v) return usage(o, "%s needs a value", a);
            o->exclude = v;
            i++;
        } else if (strcmp(a, "--avoid-cpus") == 0 && strcmp(o->verb, "monitor") == 0) {
            if (!v) return usage(o, "%s needs a value", a);
            o->avoid_cpus = v;
            i++;
        } else if (a[0] == '-' || !takes_topics) {
            return usage(o, "unknown argument '%s'", a);
        } else if (!(o->topics[o->ntopics++] = strdup(a))) {
            return CLI_EXIT_FAIL;
        }
    }
    if (takes_topics && o->ntopics == 0) return usage(o, "%sno topic given", "");
    return 0;
}

/* Signals are taken synchronously; blocked before any thread exists so none of DDS's gets them. */
static void block_signals(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* Sleep up to ns; 1 when a stop signal arrived (Ctrl-C: a clean exit 0). */
static int wait_stop(const sigset_t *set, int64_t ns) {
    struct timespec ts = {.tv_sec = ns / RG_NS_PER_S, .tv_nsec = ns % RG_NS_PER_S};
    int sig = sigtimedwait(set, NULL, &ts);
    return sig == SIGINT || sig == SIGTERM || sig == SIGHUP;
}

static int domain_from_env(uint32_t *domain) {
    const char *d = getenv("ROS_DOMAIN_ID");
    *domain = 0;
    if (!d || !*d) return 0;
    char *end;
    long v = strtol(d, &end, 10);
    if (*end || v < 0 || v > 232) {
        fprintf(stderr, "recguard: ROS_DOMAIN_ID=%s: expected an integer 0..232\n", d);
        return -1;
    }
    *domain = (uint32_t)v;
    return 0;
}

/* ---- sources: the daemon and the stats files ---------------------------------------------- */

typedef struct tp_sources {
    int daemon;                  /* a daemon answered */
    int builtin;                 /* ...recording with the built-in recorder */
    pid_t rec_pid;               /* its recorder, 0 none */
    char rec_path[PATH_MAX];     /* recorder.stats */
    char mon_path[PATH_MAX];     /* monitor.stats */
    rec_stats_snapshot *rec;     /* last recorder snapshot (heap: ~1 MiB) */
    rec_stats_snapshot *mon;     /* last monitor snapshot */
    int have_rec, have_mon;      /* the snapshots are fresh */
    json_t *status;              /* the daemon's STATUS (its expect: breaches), NULL none */
} tp_sources;

static int sources_init(tp_sources *s, const char *socket) {
    memset(s, 0, sizeof *s);
    s->rec = calloc(1, sizeof *s->rec);
    s->mon = calloc(1, sizeof *s->mon);
    if (!s->rec || !s->mon) return -ENOMEM;
    json_t *st = cli_ctl_status_quiet(socket, TOPICS_DAEMON_MS);
    if (!st) return 0;
    s->daemon = 1;
    s->builtin = json_is_true(json_object_get(json_object_get(st, "recorder"), "builtin"));
    s->rec_pid = (pid_t)json_integer_value(json_object_get(st, "pid"));
    const char *dir = json_string_value(json_object_get(st, "state_dir"));
    /* The recorder's stats file as the daemon names it: with a standby it alternates between
     * two names (a promoted standby keeps its own). */
    const char *rec = json_string_value(json_object_get(st, "stats_path"));
    if (dir) {
        snprintf(s->rec_path, sizeof s->rec_path, "%s/%s", dir, TOPICS_RECORDER_STATS);
        snprintf(s->mon_path, sizeof s->mon_path, "%s/%s", dir, TOPICS_MONITOR_STATS);
    }
    if (rec && rec[0]) snprintf(s->rec_path, sizeof s->rec_path, "%s", rec);
    s->status = st;
    return 0;
}

/* A new STATUS for the rows' expect: breaches: `topics --watch` outlives the first one. */
static void sources_restatus(tp_sources *s, const char *socket) {
    json_decref(s->status);
    s->status = cli_ctl_status_quiet(socket, TOPICS_DAEMON_MS);
}

static void sources_free(tp_sources *s) {
    json_decref(s->status);
    free(s->rec);
    free(s->mon);
}

/* A stats file counts only while its writer is alive and publishing. Read whole each time: a
 * new recorder replaces the file, and an old mapping would show the old one. */
static int read_fresh(const char *path, rec_stats_snapshot *snap) {
    char err[PATH_MAX + 128];
    if (!path[0] || rec_stats_read(path, snap, err, sizeof err) < 0) return 0;
    return rec_topics_fresh(snap, rg_time_mono_ns()) && kill(snap->pid, 0) == 0;
}

static void sources_read(tp_sources *s) {
    s->have_rec = s->builtin && read_fresh(s->rec_path, s->rec);
    s->have_mon = read_fresh(s->mon_path, s->mon);
}

/* A name as given on the command line against a topic's name: "chatter" is "/chatter" (as for
 * `record`), and a DDS topic ("DDSPerfRDataKS") is itself. */
static int name_is(const char *want, const char *have) {
    if (strcmp(want, have) == 0) return 1;
    return have[0] == '/' && want[0] != '/' && strcmp(have + 1, want) == 0;
}

static const rec_stats_topic *snap_find(const rec_stats_snapshot *snap, const char *name) {
    for (uint32_t i = 0; i < snap->ntopics; i++)
        if (name_is(name, snap->topics[i].name)) return &snap->topics[i];
    return NULL;
}

/* The entry for `name` and whether it is recorded; NULL when no stats file knows it. */
static const rec_stats_topic *sources_find(const tp_sources *s, const char *name, int *recorded) {
    const rec_stats_topic *e = s->have_rec ? snap_find(s->rec, name) : NULL;
    *recorded = e != NULL;
    if (!e && s->have_mon) e = snap_find(s->mon, name);
    return e;
}

/* The built-in recorder's selection: what a measuring subscription of ours must leave alone
 * while a daemon records with it. It mirrors the argv guard_daemon.c gives the built-in
 * recorder (`record -a`): change both together. */
static const rdds_filter recorder_filter = {.all = 1};

/* ---- self subscription (hz / bw without a stats file) ------------------------------------- */

typedef struct self_topic {
    const char *name;           /* requested name */
    pthread_mutex_t mu;         /* cw: the listener adds, the main thread queries */
    hz_cwin cw;                 /* count window */
    int known;                  /* discovered (on_topic) */
    uint32_t publishers;        /* discovered publishers */
    uint64_t lost;              /* SAMPLE_LOST + SAMPLE_REJECTED */
} self_topic;

typedef struct self_ctx {
    self_topic *t;              /* one per requested topic */
    size_t n;                   /* entries */
    int *slot_of;               /* rdds topic id -> index in t, -1 = none; written by on_topic
                                 * before the first on_sample of that id */
    size_t nslots;              /* entries in slot_of */
    rdds_session *dds;          /* NULL until opened */
} self_ctx;

static void self_on_topic(void *ctx, const rdds_topic *tp) {
    self_ctx *c = ctx;
    if (tp->id >= c->nslots) return;
    for (size_t i = 0; i < c->n; i++) {
        if (!name_is(c->t[i].name, tp->name)) continue;
        pthread_mutex_lock(&c->t[i].mu);
        c->t[i].known = 1;
        c->t[i].publishers = tp->publishers;
        pthread_mutex_unlock(&c->t[i].mu);
        __atomic_store_n(&c->slot_of[tp->id], (int)i, __ATOMIC_RELEASE);
        return;
    }
}

static void self_on_sample(void *ctx, uint32_t id, const void *data, size_t len, int64_t src_ns,
                           int64_t recv_ns, const rdds_origin *origin) {
    (void)data;
    (void)origin;
    (void)src_ns;
    (void)recv_ns;
    self_ctx *c = ctx;
    int k = id < c->nslots ? __atomic_load_n(&c->slot_of[id], __ATOMIC_ACQUIRE) : -1;
    if (k < 0) return;
    int64_t now = rg_time_mono_ns();
    pthread_mutex_lock(&c->t[k].mu);
    hz_cwin_add(&c->t[k].cw, now, len);
    pthread_mutex_unlock(&c->t[k].mu);
}

static void self_on_event(void *ctx, uint32_t id, int ev, int64_t value) {
    self_ctx *c = ctx;
    int k = id < c->nslots ? __atomic_load_n(&c->slot_of[id], __ATOMIC_ACQUIRE) : -1;
    if (k < 0 || (ev != RDDS_EV_LOST && ev != RDDS_EV_REJECTED)) return;
    pthread_mutex_lock(&c->t[k].mu);
    c->t[k].lost += (uint64_t)value;
    pthread_mutex_unlock(&c->t[k].mu);
}

static void self_warn(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "recguard: warning: %s\n", msg);
}

static int self_init(self_ctx *c, char **names, size_t n, long window) {
    memset(c, 0, sizeof *c);
    c->t = calloc(n, sizeof *c->t);
    c->nslots = 4 * n + 16; /* a name may come with several types: a few ids per name */
    c->slot_of = malloc(c->nslots * sizeof *c->slot_of);
    if (!c->t || !c->slot_of) return -ENOMEM;
    for (size_t i = 0; i < c->nslots; i++) c->slot_of[i] = -1;
    for (size_t i = 0; i < n; i++) {
        c->t[i].name = names[i];
        pthread_mutex_init(&c->t[i].mu, NULL);
        int rc = hz_cwin_init(&c->t[i].cw, (size_t)window);
        c->n = i + 1;
        if (rc < 0) return rc;
    }
    return 0;
}

/* Subscribe to the requested topics that no stats file covers (recorded ones never). */
static int self_open(self_ctx *c, const tp_sources *s, char **names, size_t n) {
    uint32_t domain;
    if (domain_from_env(&domain) < 0) return CLI_EXIT_USAGE;
    /* Leave the recorder's topics alone only while it runs: an idle daemon records nothing. */
    rdds_filter f = {.topics = (const char *const *)names, .ntopics = n, .include_dds = 1,
                     .best_effort = 1, .except = s->have_rec ? &recorder_filter : NULL};
    rdds_callbacks cb = {.ctx = c, .on_topic = self_on_topic, .on_sample = self_on_sample,
                         .on_error = self_warn, .on_event = self_on_event};
    char err[1024];
    if (rdds_session_open(&c->dds, domain, &f, &cb, err, sizeof err) < 0) {
        fprintf(stderr, "recguard: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    return 0;
}

static void self_free(self_ctx *c) {
    rdds_session_close(c->dds); /* no callback after this */
    for (size_t i = 0; i < c->n; i++) {
        hz_cwin_fini(&c->t[i].cw);
        pthread_mutex_destroy(&c->t[i].mu);
    }
    free(c->t);
    free(c->slot_of);
}

/* ---- one measurement, whatever its source --------------------------------------------------- */

typedef struct tp_fig {
    int known;              /* the topic is known (discovered or in a stats file) */
    const char *source;     /* "recorder", "monitor", "self" */
    hz_stats st;            /* rate, periods, sizes, age, totals */
    uint64_t window;        /* messages the figures are over */
} tp_fig;

static void fig_from_entry(const rec_stats_topic *e, int recorded, tp_fig *f) {
    memset(f, 0, sizeof *f);
    f->known = 1;
    f->source = recorded ? "recorder" : "monitor";
    f->st.rate_hz = e->rate_hz;
    f->st.period_min_s = e->period_min_s;
    f->st.period_max_s = e->period_max_s;
    f->st.period_std_s = e->period_std_s;
    f->st.period_mean_s = e->rate_hz > 0 ? 1.0 / e->rate_hz : 0;
    f->st.mean_size = e->mean_size;
    f->st.size_min = e->size_min;
    f->st.size_max = e->size_max;
    f->st.bandwidth_bps = e->bandwidth_bps;
    f->st.msgs = e->window_msgs;
    f->st.total_msgs = e->messages;
    f->st.total_bytes = e->bytes;
    int64_t now = rg_time_mono_ns();
    f->st.age_s = e->last_recv_mono_ns ? (double)(now > e->last_recv_mono_ns ? now - e->last_recv_mono_ns : 0) / 1e9
                                       : -1.0;
    f->window = e->window_msgs;
}

static void fig_get(const tp_sources *s, self_ctx *c, size_t i, tp_fig *f) {
    int recorded;
    const rec_stats_topic *e = sources_find(s, c->t[i].name, &recorded);
    if (e) {
        fig_from_entry(e, recorded, f);
        return;
    }
    memset(f, 0, sizeof *f);
    f->source = "self";
    pthread_mutex_lock(&c->t[i].mu);
    f->known = c->t[i].known;
    hz_cwin_query(&c->t[i].cw, rg_time_mono_ns(), &f->st);
    pthread_mutex_unlock(&c->t[i].mu);
    f->window = f->st.msgs;
}

/* ---- output -------------------------------------------------------------------------------- */

/* ros2 topic bw's units: B, KB, MB (powers of 1000). */
static void fmt_bytes(double b, const char *suffix, char *buf, size_t len) {
    if (b < 1000) snprintf(buf, len, "%.2f B%s", b, suffix);
    else if (b < 1000000) snprintf(buf, len, "%.2f KB%s", b / 1000, suffix);
    else snprintf(buf, len, "%.2f MB%s", b / 1000000, suffix);
}

static void print_json(json_t *o) {
    char *txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (txt) printf("%s\n", txt);
    free(txt);
    json_decref(o);
}

static void print_hz(const tp_opts *o, const char *name, const tp_fig *f) {
    if (o->json) {
        print_json(json_pack("{s:s, s:f, s:f, s:f, s:f, s:I, s:s}", "topic", name, "rate_hz",
                             f->st.rate_hz, "min_s", f->st.period_min_s, "max_s", f->st.period_max_s,
                             "std_dev_s", f->st.period_std_s, "window", (json_int_t)f->window,
                             "source", f->source));
        return;
    }
    if (o->ntopics > 1) printf("topic: %s\n", name);
    printf("average rate: %.3f\n\tmin: %.3fs max: %.3fs std dev: %.5fs window: %llu\n",
           f->st.rate_hz, f->st.period_min_s, f->st.period_max_s, f->st.period_std_s,
           (unsigned long long)f->window);
}

static void print_bw(const tp_opts *o, const char *name, const tp_fig *f) {
    if (o->json) {
        print_json(json_pack("{s:s, s:f, s:I, s:f, s:I, s:I, s:s}", "topic", name, "bandwidth_bps",
                             f->st.bandwidth_bps, "messages", (json_int_t)f->window, "mean_size",
                             f->st.mean_size, "min_size", (json_int_t)f->st.size_min, "max_size",
                             (json_int_t)f->st.size_max, "source", f->source));
        return;
    }
    char bw[32], mean[32], mn[32], mx[32];
    fmt_bytes(f->st.bandwidth_bps, "/s", bw, sizeof bw);
    fmt_bytes(f->st.mean_size, "", mean, sizeof mean);
    fmt_bytes((double)f->st.size_min, "", mn, sizeof mn);
    fmt_bytes((double)f->st.size_max, "", mx, sizeof mx);
    if (o->ntopics > 1) printf("topic: %s\n", name);
    printf("%s from %llu messages\n\tMessage size mean: %s min: %s max: %s\n", bw,
           (unsigned long long)f->window, mean, mn, mx);
}

/* ---- hz / bw ------------------------------------------------------------------------------- */

typedef struct rate_state {
    uint64_t last_total;  /* total messages at the last print */
    int printed;          /* printed figures at least once */
    int warned;           /* said "not published yet" */
} rate_state;

/* One topic's report of this second, as ros2 topic hz / bw would print it. */
static void rate_report(const tp_opts *o, const tp_sources *s, self_ctx *c, size_t i, rate_state *rs,
                        int is_bw) {
    tp_fig f;
    fig_get(s, c, i, &f);
    if (!f.known && f.st.total_msgs == 0) {
        if (!rs->warned && !o->json)
            printf("WARNING: topic [%s] does not appear to be published yet\n", o->topics[i]);
        rs->warned = 1;
        return;
    }
    if (f.st.total_msgs == rs->last_total) {
        if (rs->printed && !o->json)
            printf("no new messages%s%s\n", o->ntopics > 1 ? ": " : "", o->ntopics > 1 ? o->topics[i] : "");
        return;
    }
    rs->last_total = f.st.total_msgs;
    if (f.window < 2 && !is_bw) return; /* no period yet */
    rs->printed = 1;
    if (is_bw) print_bw(o, o->topics[i], &f);
    else print_hz(o, o->topics[i], &f);
}

static int rate_main(int argc, char **argv, int is_bw) {
    tp_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) {
        opts_free(&o);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    sigset_t sigs;
    block_signals(&sigs);
    tp_sources s = {0};
    self_ctx c = {0};
    rate_state *rs = calloc(o.ntopics, sizeof *rs);
    rc = CLI_EXIT_FAIL;
    if (sources_init(&s, o.socket) < 0 || self_init(&c, o.topics, o.ntopics, o.window) < 0 || !rs) {
        fprintf(stderr, "recguard %s: out of memory\n", o.verb);
        goto out;
    }
    sources_read(&s);
    /* The monitor covers what the recorder does not; without it, we measure those here. */
    if (!s.have_mon && (rc = self_open(&c, &s, o.topics, o.ntopics)) != 0) goto out;
    if (!o.json) {
        for (size_t i = 0; i < o.ntopics; i++) printf("Subscribed to [%s]\n", o.topics[i]);
        fflush(stdout);
    }
    while (!wait_stop(&sigs, TOPICS_TICK_NS)) {
        sources_read(&s);
        for (size_t i = 0; i < o.ntopics; i++) rate_report(&o, &s, &c, i, &rs[i], is_bw);
        fflush(stdout);
    }
    rc = CLI_EXIT_OK;
out:
    self_free(&c);
    sources_free(&s);
    free(rs);
    opts_free(&o);
    return rc;
}

int cli_hz_main(int argc, char **argv) { return rate_main(argc, argv, 0); }
int cli_bw_main(int argc, char **argv) { return rate_main(argc, argv, 1); }

/* ---- topics -------------------------------------------------------------------------------- */

/* What did not fit: topics past the caps, counted rather than lost silently. */
static void overflow_line(const rec_stats_snapshot *snap, const char *who) {
    if (!snap->overflow_topics && !snap->untracked_topics) return;
    printf("%s: %llu more topics beyond the stats file (%llu messages, %llu drops, %llu lost); "
           "%llu beyond the recorder's cap (not recorded)\n",
           who, (unsigned long long)snap->overflow_topics, (unsigned long long)snap->overflow_messages,
           (unsigned long long)snap->overflow_drops, (unsigned long long)snap->overflow_lost,
           (unsigned long long)snap->untracked_topics);
}

static void print_table(json_t *rows) {
    printf("%-40s %-36s %4s %10s %12s %10s %-10s %-8s %8s %8s\n", "NAME", "TYPE", "PUBS", "RATE(Hz)",
           "BANDWIDTH", "LAST SEEN", "STATUS", "RECORDED", "DROPS", "LOST");
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        char bw[32], seen[32];
        fmt_bytes(json_real_value(json_object_get(r, "bandwidth_bps")), "/s", bw, sizeof bw);
        json_t *age = json_object_get(r, "age_s");
        if (json_is_null(age)) snprintf(seen, sizeof seen, "-");
        else snprintf(seen, sizeof seen, "%.1fs ago", json_real_value(age));
        printf("%-40s %-36s %4d %10.2f %12s %10s %-10s %-8s %8lld %8lld\n",
               json_string_value(json_object_get(r, "name")), json_string_value(json_object_get(r, "type")),
               (int)json_integer_value(json_object_get(r, "publishers")),
               json_real_value(json_object_get(r, "rate_hz")), bw, seen,
               json_string_value(json_object_get(r, "status")),
               json_is_true(json_object_get(r, "recorded")) ? "yes" : "no",
               (long long)json_integer_value(json_object_get(r, "drops")),
               (long long)(json_integer_value(json_object_get(r, "lost")) +
                           json_integer_value(json_object_get(r, "rejected"))));
    }
}

/* In-process monitor for `topics` without a daemon: rdds + rec_writer in monitor mode writing a
 * private stats file, read back like any other. */
typedef struct own_mon {
    char path[PATH_MAX];        /* its stats file */
    rec_writer *w;              /* monitor-mode writer */
    rdds_session *dds;          /* its DDS session */
    rec_stats_snapshot *snap;   /* last read */
} own_mon;

static int own_open(own_mon *m, const rdds_filter *f, const char *stats_path, const char *who) {
    uint32_t domain;
    char err[1024];
    if (domain_from_env(&domain) < 0) return CLI_EXIT_USAGE;
    if (stats_path) snprintf(m->path, sizeof m->path, "%s", stats_path);
    else snprintf(m->path, sizeof m->path, "%s/recguard-topics.%d.stats",
                  getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    rec_writer_options wo = {.monitor = 1, .max_queue = 64 << 10, .stats_path = m->path,
                             .on_warn = self_warn};
    if (rec_writer_start(&m->w, &wo, err, sizeof err) < 0) {
        fprintf(stderr, "recguard %s: %s\n", who, err);
        return CLI_EXIT_FAIL;
    }
    rdds_callbacks cb = {.ctx = m->w, .on_topic = rec_writer_on_topic, .on_sample = rec_writer_on_sample,
                         .on_error = self_warn, .on_event = rec_writer_on_event};
    if (rdds_session_open(&m->dds, domain, f, &cb, err, sizeof err) < 0) {
        fprintf(stderr, "recguard %s: %s\n", who, err);
        return CLI_EXIT_FAIL;
    }
    return 0;
}

static void own_close(own_mon *m, int keep_file) {
    rdds_session_close(m->dds);
    m->dds = NULL;
    if (m->w) {
        rec_writer_summary sum;
        char err[256];
        (void)rec_writer_stop(m->w, &sum, err, sizeof err);
        rec_writer_free(m->w);
        m->w = NULL;
        if (!keep_file) unlink(m->path);
    }
    free(m->snap);
    m->snap = NULL;
}

/* Every known topic (rec_topics.h): the recorder's, then the monitor's and our own measurements
 * for the rest. A new reference. */
static json_t *topics_rows(const tp_sources *s, own_mon *m, int *have_own) {
    char err[PATH_MAX + 128];
    *have_own = m && rec_stats_read(m->path, m->snap, err, sizeof err) == 0;
    rec_topics_in in = {.rec = s->have_rec ? s->rec : NULL, .mon = s->have_mon ? s->mon : NULL,
                        .own = *have_own ? m->snap : NULL, .status = s->status, .now_mono_ns = rg_time_mono_ns()};
    return rec_topics_json(&in);
}

/* One `topics` output: the JSON array, or the table with the overflow lines. */
static void topics_print(const tp_opts *o, const tp_sources *s, own_mon *m, int64_t start) {
    int have_own;
    json_t *rows = topics_rows(s, m, &have_own);
    if (o->watch && !o->json && isatty(STDOUT_FILENO)) printf("\033[H\033[2J");
    if (o->json) {
        char *txt = json_dumps(rows, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (txt) printf("%s\n", txt);
        free(txt);
    } else {
        print_table(rows);
        if (s->have_rec) overflow_line(s->rec, "recorder");
        if (s->have_mon) overflow_line(s->mon, "monitor");
        if (have_own) overflow_line(m->snap, "topics");
        if (o->watch)
            printf("(%s, %.0f s; Ctrl-C to stop)\n", m ? "measured here" : "from the recorder's figures",
                   (double)(rg_time_mono_ns() - start) / 1e9);
    }
    json_decref(rows);
    fflush(stdout);
}

int cli_topics_main(int argc, char **argv) {
    tp_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) {
        opts_free(&o);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    sigset_t sigs;
    block_signals(&sigs);
    tp_sources s = {0};
    own_mon m = {0};
    rc = CLI_EXIT_FAIL;
    m.snap = calloc(1, sizeof *m.snap);
    if (sources_init(&s, o.socket) < 0 || !m.snap) goto out;
    /* With the built-in recorder its stats file covers every topic it records; anything else is
     * measured here unless a monitor runs. */
    sources_read(&s);
    int own = !s.have_rec; /* no daemon, another recorder, or nothing recording right now */
    rdds_filter all = {.all = 1, .best_effort = 1};
    if (own && (rc = own_open(&m, &all, NULL, o.verb)) != 0) goto out;
    int64_t start = rg_time_mono_ns();
    int stop = 0;
    if (own && !o.watch) stop = wait_stop(&sigs, TOPICS_SETTLE_NS);
    while (!stop) {
        if (o.watch && s.daemon) sources_restatus(&s, o.socket);
        sources_read(&s);
        topics_print(&o, &s, own ? &m : NULL, start);
        if (!o.watch) break;
        stop = wait_stop(&sigs, TOPICS_TICK_NS);
    }
    rc = CLI_EXIT_OK;
out:
    own_close(&m, 0);
    sources_free(&s);
    opts_free(&o);
    return rc;
}

/* ---- monitor ------------------------------------------------------------------------------- */

/* Lowest priority for this process and every thread it starts later (called before DDS starts
 * its threads; the knobs are per thread and inherited). Refusals are reported, not fatal. */
static void lower_priority(const char *avoid) {
    if (setpriority(PRIO_PROCESS, 0, 19) < 0) fprintf(stderr, "recguard monitor: nice 19: %s\n", strerror(errno));
    struct sched_param sp = {0};
    if (sched_setscheduler(0, SCHED_IDLE, &sp) < 0)
        fprintf(stderr, "recguard monitor: SCHED_IDLE: %s\n", strerror(errno));
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT) < 0)
        fprintf(stderr, "recguard monitor: idle I/O class: %s\n", strerror(errno));
    if (!avoid || !*avoid) return;
    cpu_set_t bad, set;
    char err[256];
    if (guard_prio_parse_cpus(avoid, &bad, err, sizeof err) < 0) {
        fprintf(stderr, "recguard monitor: --avoid-cpus: %s\n", err);
        return;
    }
    if (sched_getaffinity(0, sizeof set, &set) < 0) return;
    cpu_set_t keep;
    CPU_ZERO(&keep);
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &set) && !CPU_ISSET(i, &bad)) CPU_SET(i, &keep);
    /* Every CPU is the recorder's: stay where we are (SCHED_IDLE yields to it anyway). */
    if (CPU_COUNT(&keep) == 0) return;
    if (sched_setaffinity(0, sizeof keep, &keep) < 0)
        fprintf(stderr, "recguard monitor: affinity: %s\n", strerror(errno));
}

int cli_monitor_main(int argc, char **argv) {
    tp_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) {
        opts_free(&o);
        return rc < 0 ? CLI_EXIT_OK : rc;
    }
    sigset_t sigs;
    block_signals(&sigs);
    /* Spawned by the daemon: end with it (SIGTERM, taken below like Ctrl-C), and not start at
     * all if it is already gone. */
    if (o.parent && (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != (pid_t)o.parent)) {
        opts_free(&o);
        return CLI_EXIT_OK;
    }
    tp_sources s = {0};
    own_mon m = {0};
    rc = CLI_EXIT_FAIL;
    if (sources_init(&s, o.socket) < 0) goto out;
    const char *stats = o.stats ? o.stats : s.mon_path[0] ? s.mon_path : NULL;
    if (!stats) {
        fprintf(stderr, "recguard monitor: no daemon at %s: give --stats FILE\n", o.socket);
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    lower_priority(o.avoid_cpus);
    /* Everything the built-in recorder does not record: hidden topics, plain DDS topics. With
     * no daemon or another recorder, every topic. */
    rdds_filter f = {.all = 1, .include_hidden = 1, .include_dds = 1, .exclude = o.exclude, .best_effort = 1,
                     .except = o.except_recorded || (s.daemon && s.builtin) ? &recorder_filter : NULL};
    if ((rc = own_open(&m, &f, stats, o.verb)) != 0) goto out;
    printf("recguard monitor: measuring topics %s, stats %s\n",
           f.except ? "the recorder does not record" : "of the domain", stats);
    fflush(stdout);
    while (!wait_stop(&sigs, TOPICS_TICK_NS)) {
    }
    rc = CLI_EXIT_OK;
out:
    own_close(&m, 1);
    sources_free(&s);
    opts_free(&o);
    return rc;
}
