/* guard_daemon — see guard_daemon.h.
 *
 * Map: state & helpers | events out (journal, watchers, alerts) | aux children (hooks, alerts) |
 *      recorder (spawn, exit, adopt) | hot standby | stop ladder | fsm driving (feed, actions) |
 *      health timer | status object | control requests | signals, setup, run.
 */
#include "guard/guard_daemon.h"

#include "guard/guard_fsm.h"

#include "common/rg_bag.h"
#include "common/rg_fs.h"
#include "common/rg_sys.h"
#include "common/rg_time.h"
#include "guard/guard_alertlim.h"
#include "guard/guard_ctl.h"
#include "guard/guard_helper.h"
#include "guard/guard_fsm.h"
#include "guard/guard_expect.h"
#include "guard/guard_health.h"
#include "guard/guard_monitor.h"
#include "guard/guard_journal.h"
#include "guard/guard_policy.h"
#include "guard/guard_prio.h"
#include "guard/guard_proc.h"
#include "guard/guard_spawn.h"
#include "guard/guard_standby.h"
#include "guard/guard_state.h"
#include "guard/guard_tree.h"
#include "recorder/rec_stats.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/signalfd.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>
#include <unistd.h>

#define GUARD_DAEMON_ALERT_TIMEOUT_NS (10LL * RG_NS_PER_S) /* a hung alert command is killed */
#define GUARD_DAEMON_HOOK_TIMEOUT_NS (300LL * RG_NS_PER_S) /* a hung post-crash hook is killed */
#define GUARD_DAEMON_MAX_AUX 16        /* alert/hook children at once; more alerts are dropped */
/* sd-event's default timer accuracy (0 = 250 ms) would delay an immediate restart by up to a
 * quarter second to coalesce wakeups; a recorder restart is worth the precise wakeup. */
#define GUARD_DAEMON_TIMER_ACCURACY_US 1
#define GUARD_DAEMON_QUEUE 8           /* follow-up events produced by one step's actions */
#define GUARD_DAEMON_JOURNAL "journal.jsonl" /* the daemon's own journal, in the state dir */
#define GUARD_DAEMON_STATS RG_BAG_STATS     /* the built-in recorder's stats file */
/* The built-in recorder's --max-chunk-age under the daemon: what a kill -9 loses is the
 * unflushed chunk plus the restart and the new recorder's DDS discovery; at the recorder's
 * own 1 s default that sum could pass the 1 s promised per kill (docs/RELIABILITY.md). */
#define GUARD_DAEMON_CHUNK_AGE_MS "500"
#define GUARD_DAEMON_TREE_POLL_US 20000 /* while an ended recorder's other processes die */
#define GUARD_DAEMON_TREE_MAX 64        /* tree members measured between scans */
#define GUARD_DAEMON_RUN_CGROUP "recguard-run." /* run groups: recguard-run.<daemon pid>.<n> */
/* A /proc scan costs milliseconds: the health check measures the members the last scan found,
 * and scans again to find new ones after as long as the recorder has run, at most this long
 * (children a wrapper starts at once are found within a second or two, a later child's
 * memory is counted within 10 s). */
#define GUARD_DAEMON_TREE_RESCAN_NS (10LL * RG_NS_PER_S)
/* Free space a full disk must regain before recording resumes, besides the configured stop
 * level (which may be off): 1 % of the disk, at least 1 MiB, at most 256 MiB (the default
 * stop level's size: beyond it a deletion of old bags must count). */
#define GUARD_DAEMON_DISK_RESUME_MIN (1ull << 20)
#define GUARD_DAEMON_DISK_RESUME_MAX (256ull << 20)
#define GUARD_DAEMON_STATS_FRESH_NS (3LL * RG_NS_PER_S) /* older monitor figures are ignored */
/* With a standby the recorder's stats file alternates between these two names: a promoted
 * standby keeps the file it was started with, the next standby takes the other one. */
#define GUARD_DAEMON_STATS_ALT "recorder.1.stats"
#define GUARD_DAEMON_POSITIONS "positions." /* positions.<daemon pid>.<n>, one per run */
#define GUARD_DAEMON_STANDBY_LOG "standby.log" /* a standby's log, in the state dir: it has no
                                                * segment until promoted */
#define GUARD_DAEMON_STANDBY_POLL_NS (100LL * 1000000LL) /* readiness/promotion checks while
                                                          * something is pending */
#define GUARD_DAEMON_STANDBY_STOP_NS (3LL * RG_NS_PER_S) /* SIGTERM -> SIGKILL for a standby */

/* ---- state & helpers ---------------------------------------------------------------------- */

typedef struct aux_child {
    int used;                   /* slot in use */
    int is_alert;               /* alert command (else post-crash hook) */
    pid_t pid;                  /* its pid */
    int pidfd;                  /* its pidfd */
    sd_event_source *io;        /* pidfd readable = it ended */
    sd_event_source *timer;     /* kill deadline */
    char what[96];              /* "alert crashed", "post_crash_hook /x/y_2.mcap" */
    struct guard_daemon *d;     /* owner */
} aux_child;

/* The hot standby (redundancy: standby, guard_standby.h): a second built-in recorder run that
 * holds samples and writes nothing until promoted. */
typedef struct standby_proc {
    pid_t pid;                  /* 0 = none */
    int pidfd;                  /* -1 = none */
    sd_event_source *io;        /* pidfd readable = it ended */
    guard_proc_identity id;     /* identity for the state file */
    int log_fd;                 /* its stdout/stderr log, -1 none */
    char segment[PATH_MAX];     /* the segment it opens when promoted */
    int seg_index;              /* that segment's index */
    char stats_path[PATH_MAX];  /* its --stats (the recorder's other name) */
    char positions[PATH_MAX];   /* its own --positions */
    char cgroup[PATH_MAX];      /* its run's cgroup, "" = none */
    int cgroup_own;             /* that group was made for it: removed when it ends */
    guard_standby_state state;  /* as status shows it */
    unsigned fails;             /* ends by itself in a row, for the respawn backoff */
    int64_t start_mono;         /* when it was spawned */
    int64_t start_real;         /* same, realtime */
    int64_t respawn_at_mono;    /* no spawn before this (backoff) */
    int64_t stop_at_mono;       /* STOPPING: SIGKILL at this time */
    rec_stats_reader *stats;    /* its stats file, NULL until it appears */
    rec_stats_snapshot *snap;   /* its last snapshot (heap), NULL until read */
    int have_snap;              /* snap is this standby's */
    int64_t covered_since;      /* monotonic time since when it covers the recorder's topics, 0 = not */
} standby_proc;

typedef struct guard_daemon {
    const guard_config *cfg;    /* configuration (read-only) */
    guard_daemon_opts opts;     /* options */
    sd_event *ev;               /* the loop */
    char output_dir[PATH_MAX];  /* bags go here; absolute, so paths in status and hooks are */
    char state_dir[PATH_MAX];   /* state file, lock, daemon journal, recorder.stats; absolute */
    char state_path[PATH_MAX];  /* state file */
    char stats_path[PATH_MAX];  /* built-in recorder's stats file */
    char self_exe[PATH_MAX];    /* our binary */
    uint64_t page_size;         /* bytes per page, for /proc's rss in pages */
    char **rec_argv;            /* recorder argv template ({segment} unexpanded), owned */
    char **hook_argv;           /* post-crash hook template, owned; NULL = none */
    int builtin;                /* the built-in recorder (has a stats heartbeat) */
    int lock_fd;                /* daemon lock */
    guard_journal journal;      /* daemon + session journals */
    guard_ctl_server *ctl;      /* control socket */
    guard_fsm fsm;              /* the state machine */
    guard_policy policy;        /* restart policy */
    guard_health_cfg hcfg;      /* health thresholds, memory resolved */
    guard_health health;        /* health history of the current recorder */
    guard_health_report report; /* last health report */
    uint64_t disk_total;        /* bytes of the output filesystem, last sample (0 unknown) */
    uint64_t pause_free;        /* free bytes when DISK_LOW began: resuming needs more */
    int have_report;            /* report is valid */
    char logged_verdict[16];    /* verdict of the last health line in the journal, "" none */
    guard_alertlim alertlim;    /* alert.command de-dup and rate limit */
    guard_helper *web;          /* the dashboard server (config web.listen), NULL = none */
    int64_t logged_health_ns;   /* when it was written */
    guard_prio_plan plan;       /* priority plan, prepared once */
    int plan_ok;                /* plan is valid */
    guard_prio_report prio;     /* outcome of the last application */
    int have_prio;              /* prio is valid */
    char reason[256];           /* why the last transition happened */
    char stop_cause[256];       /* why the current/last stop began (operator, disk, signal) */
    int64_t state_since_real;   /* when the current state began */

    /* session */
    int session_open;           /* a bag dir is in use; closed on reaching IDLE */
    char bag_name[NAME_MAX + 1];/* <bag name> */
    char bag_dir[PATH_MAX];     /* <output>/<bag name> */
    int seg_index;              /* index of the current/last segment, -1 before the first */
    char segment[PATH_MAX];     /* current segment path */
    char ended_segment[PATH_MAX]; /* segment of the recorder that just ended (for the hook) */
    unsigned restarts;          /* automatic restarts in this session */
    int64_t session_start_real; /* when it began */

    /* recorder */
    pid_t pid;                  /* 0 = none */
    int pidfd;                  /* -1 = none */
    sd_event_source *pid_io;    /* pidfd readable */
    guard_proc_identity id;     /* identity for the state file */
    int adopted;                /* not our child: exit status may be unknown */
    int log_fd;                 /* its stdout/stderr log, -1 none */
    int64_t rec_start_mono;     /* when it started (or was adopted) */
    int64_t rec_start_real;     /* same, realtime */
    rec_stats_reader *stats;    /* built-in recorder's stats, NULL until it appears */
    int run_progressed;         /* the run that just ended recorded data (restart policy) */
    rec_stats_snapshot *snap;   /* its last snapshot (heap: ~1 MiB), NULL until read */
    int have_snap;              /* snap is this recorder's */
    rec_stats_snapshot *msnap;  /* the monitor's last snapshot, NULL until read */
    guard_expect_state expect;  /* data health history (no data, expect: rules) */
    char expect_topics[512];    /* breached topics at the last evaluation, for change events */
    guard_helper *monitor;      /* `recguard monitor` child (monitor.enabled), NULL = none */
    json_t *last_exit;          /* how the last recorder ended, or NULL */
    size_t tree_procs;          /* live processes in its tree at the last check */
    guard_proc_identity tree[GUARD_DAEMON_TREE_MAX]; /* its members at the last scan */
    size_t ntree;               /* valid entries in tree */
    int64_t tree_scan_mono;     /* when that scan was, 0 = never (rescan at the next check) */
    char cgroup[PATH_MAX];      /* the run's cgroup v2 group, holding its whole tree; "" = none
                                 * (the tree is found in /proc) */
    int cgroup_own;             /* that group was made for this run: removed when it ends */
    unsigned cgroup_seq;        /* runs given a group so far (their names) */
    int exit_pending;           /* the leader was reaped, the rest of its tree not yet gone */
    guard_event exit_event;     /* what to feed once it is (EXITED or CRASHED) */
    char exit_reason[320];      /* and why */
    sd_event_source *tree_timer; /* polls the rest of the tree while exit_pending */

    /* stop ladder and restart */
    int ladder;                 /* 0 none; 1 SIGINT sent; 2 SIGTERM sent; 3 SIGKILL sent */
    sd_event_source *ladder_timer; /* STOP_TIMEOUT */
    sd_event_source *restart_timer; /* BACKOFF_ELAPSED */
    int64_t restart_at_mono;    /* when the armed restart fires */
    sd_event_source *health_timer; /* periodic health check */

    /* follow-up events of the current step */
    guard_event queue[GUARD_DAEMON_QUEUE]; /* pending events */
    char queue_reason[GUARD_DAEMON_QUEUE][256]; /* their reasons */
    int nqueue;                 /* how many */
    int feeding;                /* inside feed(): queue instead of recursing */

    aux_child aux[GUARD_DAEMON_MAX_AUX]; /* alert and hook children */
    int exiting;                /* SIGINT/SIGTERM: stop, then exit */
    int exit_code;              /* process exit code */

    /* pause (the built-in recorder) */
    int want_paused;            /* the state the daemon keeps: operator's pause/resume, else
                                 * record.start_paused; -1 = take the adopted recorder's */
    int rec_paused;             /* the recorder's state as its stats last said, -1 unknown */
    int pause_pending;          /* asked, not yet seen in the stats: the signal is resent */
    char pause_reason[GUARD_CTL_REASON_MAX + 32]; /* why, for the paused/resumed event */
    /* hot standby */
    standby_proc sb;            /* the standby, if any */
    sd_event_source *sb_timer;  /* standby checks while something is pending */
    char positions[PATH_MAX];   /* the recorder's --positions, "" = none */
    char retired_positions[PATH_MAX]; /* a dead recorder's positions, kept until the standby
                                 * that took over says it has read them (role recorder) */
    unsigned positions_seq;     /* positions files named so far */
    int promote_pending;        /* SIGUSR1 sent, the promoted recorder not yet writing */
} guard_daemon;

static void upper(char *dst, size_t cap, const char *src) {
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++) dst[i] = (char)toupper((unsigned char)src[i]);
    dst[i] = '\0';
}

static const char *state_name(guard_state st) {
    /* Upper case in every output: "RECORDING" reads as a state, not a word. */
    static char buf[GUARD_ST__COUNT][16];
    upper(buf[st], sizeof buf[st], guard_fsm_state_name(st));
    return buf[st];
}

static int recorder_alive(const guard_daemon *d) { return d->pidfd >= 0; }

/* Copy src into dst[cap], truncating: for reasons and messages, where a cut is harmless. */
static void copy_str(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n > cap - 1) n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *signame(int sig) {
    static char buf[32];
    const char *a = sigabbrev_np(sig);
    if (a) snprintf(buf, sizeof buf, "SIG%s", a);
    else snprintf(buf, sizeof buf, "signal %d", sig);
    return buf;
}

static void save_state(guard_daemon *d) {
    guard_state_rec s;
    memset(&s, 0, sizeof s);
    s.daemon_pid = (int)getpid();
    snprintf(s.state, sizeof s.state, "%s", state_name(d->fsm.state));
    s.recorder_pid = d->pid;
    s.recorder_starttime = d->pid ? d->id.starttime_ticks : 0;
    s.recorder_start_ns = d->pid ? d->rec_start_real : 0;
    if (d->session_open) {
        snprintf(s.bag_dir, sizeof s.bag_dir, "%s", d->bag_dir);
        snprintf(s.segment, sizeof s.segment, "%s", d->segment);
    }
    if (d->fsm.state == GUARD_ST_STOPPING) {
        snprintf(s.then, sizeof s.then, "%s", guard_fsm_then_name(d->fsm.then));
        snprintf(s.stop_cause, sizeof s.stop_cause, "%s", d->stop_cause);
    }
    s.segment_index = d->seg_index;
    s.restarts = d->restarts;
    s.session_start_ns = d->session_open ? d->session_start_real : 0;
    if (d->builtin) snprintf(s.stats_path, sizeof s.stats_path, "%s", d->stats_path);
    snprintf(s.positions, sizeof s.positions, "%s", d->positions);
    s.standby_pid = d->sb.pid;
    s.standby_starttime = d->sb.pid ? d->sb.id.starttime_ticks : 0;
    char err[512];
    if (guard_state_save(d->state_path, &s, err, sizeof err) < 0)
        fprintf(stderr, "recguard daemon: %s\n", err); /* next change retries; recording goes on */
}

/* ---- events out: journal, watchers, stderr, alerts ---------------------------------------- */

static void run_alert(guard_daemon *d, const char *event_name, const json_t *ev);

/* Journal `ev`, send it to watchers, and print a short line on stderr (the daemon's log). */
static void emit(guard_daemon *d, json_t *ev) {
    guard_journal_write(&d->journal, ev);
    if (d->ctl) guard_ctl_broadcast(d->ctl, ev);
    const char *r = json_string_value(json_object_get(ev, "reason"));
    fprintf(stderr, "%s %s %s%s%s\n", json_string_value(json_object_get(ev, "time")),
            json_string_value(json_object_get(ev, "event")), state_name(d->fsm.state),
            r ? ": " : "", r ? r : "");
}

static json_t *event_new(guard_daemon *d, const char *name) {
    json_t *ev = guard_journal_event(name, rg_time_real_ns());
    json_object_set_new(ev, "state", json_string(state_name(d->fsm.state)));
    return ev;
}

/* An alert-worthy event that is not a transition (unkillable recorder, hook failure). */
static void emit_alert(guard_daemon *d, const char *name, const char *reason) {
    json_t *ev = event_new(d, name);
    json_object_set_new(ev, "reason", json_string(reason));
    json_object_set_new(ev, "alert", json_true());
    emit(d, ev);
    run_alert(d, name, ev);
    json_decref(ev);
}

/* ---- aux children: alert commands and post-crash hooks ------------------------------------- */

static void aux_free(aux_child *a) {
    sd_event_source_disable_unref(a->io);
    sd_event_source_disable_unref(a->timer);
    if (a->pidfd >= 0) close(a->pidfd);
    memset(a, 0, sizeof *a);
    a->pidfd = -1;
}

static int aux_ended(sd_event_source *s, int fd, uint32_t revents, void *ud) {
    (void)s;
    (void)fd;
    (void)revents;
    aux_child *a = ud;
    guard_daemon *d = a->d;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    char how[96] = "ended (status unknown)";
    if (guard_spawn_reap(a->pidfd, &si, WNOHANG) == 0) guard_spawn_describe_exit(&si, how, sizeof how);
    int ok = si.si_code == CLD_EXITED && si.si_status == 0;
    json_t *ev = event_new(d, a->is_alert ? "alert_done" : "hook_done");
    char reason[256];
    snprintf(reason, sizeof reason, "%s %s", a->what, how);
    json_object_set_new(ev, "reason", json_string(reason));
    json_object_set_new(ev, "ok", json_boolean(ok));
    emit(d, ev);
    json_decref(ev);
    aux_free(a);
    return 0;
}

static int aux_timeout(sd_event_source *s, uint64_t usec, void *ud) {
    (void)s;
    (void)usec;
    aux_child *a = ud;
    /* The pidfd stays watched: aux_ended reaps it once SIGKILL lands. */
    guard_spawn_signal(a->pidfd, SIGKILL);
    char reason[160];
    snprintf(reason, sizeof reason, "%s did not finish in time: killed", a->what);
    json_t *ev = event_new(a->d, "aux_timeout");
    json_object_set_new(ev, "reason", json_string(reason));
    emit(a->d, ev);
    json_decref(ev);
    return 0;
}

static aux_child *aux_track(guard_daemon *d, pid_t pid, int pidfd, int is_alert, const char *what,
                            int64_t timeout_ns) {
    aux_child *a = NULL;
    for (int i = 0; i < GUARD_DAEMON_MAX_AUX && !a; i++)
        if (!d->aux[i].used) a = &d->aux[i];
    assert(a); /* callers check aux_free_slot first */
    a->used = 1;
    a->is_alert = is_alert;
    a->pid = pid;
    a->pidfd = pidfd;
    a->d = d;
    snprintf(a->what, sizeof a->what, "%s", what);
    sd_event_add_io(d->ev, &a->io, pidfd, EPOLLIN, aux_ended, a);
    sd_event_add_time_relative(d->ev, &a->timer, CLOCK_MONOTONIC, (uint64_t)(timeout_ns / 1000), 0,
                               aux_timeout, a);
    return a;
}

static int aux_free_slot(guard_daemon *d) {
    for (int i = 0; i < GUARD_DAEMON_MAX_AUX; i++)
        if (!d->aux[i].used) return 1;
    return 0;
}

/* The alert command gets the event on stdin. guard_spawn gives children /dev/null as stdin,
 * so this uses posix_spawn with a pipe: setsid and default signals like every child, argv
 * only, never a shell. The JSON is written whole into the pipe (far below its 64 KiB buffer),
 * then the pipe is closed: a command that never reads cannot block the daemon. */
/* Health warnings are keyed by verdict and the kinds of trouble (flags), so the same warning
 * flapping is sent once per de-dup window; failures are all sent, within the rate limit. */
static int alert_allowed(guard_daemon *d, const char *event_name, const json_t *ev, unsigned *held) {
    char key[GUARD_ALERTLIM_KEY_LEN];
    int health = strcmp(event_name, "health") == 0;
    snprintf(key, sizeof key, "%s:%s", event_name, health ? json_string_value(json_object_get(ev, "verdict")) : "");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(json_object_get(ev, "health"), "flags"), i, f) {
        const char *name = json_string_value(f);
        /* progress comes and goes with every sample: not a kind of trouble */
        if (name && strcmp(name, guard_health_flag_name(GUARD_HEALTH_PROGRESS)) != 0)
            snprintf(key + strlen(key), sizeof key - strlen(key), ",%s", name);
    }
    guard_alertlim_verdict v = guard_alertlim_check(&d->alertlim, key, health, rg_time_mono_ns(), held);
    if (v == GUARD_ALERTLIM_SEND) return 1;
    fprintf(stderr, "recguard daemon: alert for %s held back (%s)\n", event_name, guard_alertlim_verdict_name(v));
    return 0;
}

static void run_alert(guard_daemon *d, const char *event_name, const json_t *ev) {
    if (!d->cfg->alert_argv) return;
    guard_event e;
    /* fsm events alert when selected; the daemon's own alarms (unkillable, hook_failed,
     * state_unreadable) always do. */
    if (guard_fsm_event_from_name(event_name, &e) == 0 && !(d->cfg->alert_events & (1u << e))) return;
    unsigned held = 0;
    if (!alert_allowed(d, event_name, ev, &held)) return;
    if (!aux_free_slot(d)) {
        fprintf(stderr, "recguard daemon: alert for %s dropped: too many alert commands running\n",
                event_name);
        return;
    }
    char *line = NULL;
    size_t len = 0;
    int p[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
    pid_t pid = 0;
    int rc = -1;
    json_t *sent = json_copy((json_t *)ev);
    if (sent && held) json_object_set_new(sent, "alerts_held", json_integer(held));
    line = sent ? guard_journal_line(sent, &len) : NULL;
    json_decref(sent);
    if (!line || pipe2(p, O_CLOEXEC) < 0) goto done;
    posix_spawn_file_actions_adddup2(&fa, p[0], 0);
    /* Its stdout is not ours to print (tee and friends echo stdin); stderr stays in the
     * daemon's log, where a failing alert command says why. */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    rc = posix_spawnp(&pid, d->cfg->alert_argv[0], &fa, &at, d->cfg->alert_argv, environ);
    if (rc != 0) {
        /* Journaled, not alerted: an alert about the alert command could only fail again. */
        char why[256];
        snprintf(why, sizeof why, "alert(%s) for %s: %s", d->cfg->alert_argv[0], event_name, strerror(rc));
        json_t *fe = event_new(d, "alert_failed");
        json_object_set_new(fe, "reason", json_string(why));
        emit(d, fe);
        json_decref(fe);
        goto done;
    }
    close(p[0]);
    p[0] = -1;
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    ssize_t w = write(p[1], line, len); /* partial or refused: the command gets less, not us stuck */
    (void)w;
    int pidfd = rg_sys_pidfd_open(pid);
    if (pidfd < 0) { /* cannot happen for our own unreaped child; reap blocking as a last resort */
        waitpid(pid, NULL, 0);
        goto done;
    }
    char what[96];
    snprintf(what, sizeof what, "alert(%s) for %s", d->cfg->alert_argv[0], event_name);
    aux_track(d, pid, pidfd, 1, what, GUARD_DAEMON_ALERT_TIMEOUT_NS);
done:
    if (p[0] >= 0) close(p[0]);
    if (p[1] >= 0) close(p[1]);
    free(line);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
}

static void run_post_crash_hook(guard_daemon *d) {
    if (!d->hook_argv || !d->ended_segment[0]) return;
    struct stat st;
    if (stat(d->ended_segment, &st) < 0) return; /* nothing was written: nothing to recover */
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        /* Killed before its first byte (a standby killed as it was promoted, a recorder killed
         * at its start): no data and no MCAP file, which bag readers would refuse. */
        if (unlink(d->ended_segment) == 0) {
            json_t *ev = event_new(d, "segment_removed");
            json_object_set_new(ev, "segment", json_string(d->ended_segment));
            json_object_set_new(ev, "reason", json_string("the recorder ended before writing a byte: the empty file is removed"));
            emit(d, ev);
            json_decref(ev);
        }
        return;
    }
    if (!aux_free_slot(d)) {
        emit_alert(d, "hook_failed", "post-crash hook not run: too many children running");
        return;
    }
    char **argv = NULL;
    if (guard_spawn_expand(d->hook_argv, d->ended_segment, &argv) < 0) return;
    char logp[PATH_MAX + 16], err[PATH_MAX + 128];
    rg_bag_hook_log_path(logp, sizeof logp, d->ended_segment);
    int log_fd = rg_sys_open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
    guard_spawn_opts o = {.argv = argv, .log_fd = log_fd};
    guard_spawn_result r;
    if (guard_spawn(&o, &r, err, sizeof err) < 0) {
        emit_alert(d, "hook_failed", err);
    } else {
        char what[96];
        snprintf(what, sizeof what, "post_crash_hook(%s)", argv[0]);
        aux_track(d, r.pid, r.pidfd, 0, what, GUARD_DAEMON_HOOK_TIMEOUT_NS);
        json_t *ev = event_new(d, "hook_started");
        json_object_set_new(ev, "segment", json_string(d->ended_segment));
        json_object_set_new(ev, "pid", json_integer(r.pid));
        emit(d, ev);
        json_decref(ev);
    }
    if (log_fd >= 0) close(log_fd);
    guard_spawn_argv_free(argv);
}

/* ---- fsm driving -------------------------------------------------------------------------- */

static void feed(guard_daemon *d, guard_event e, const char *reason, guard_fsm_step *out);

static void enqueue(guard_daemon *d, guard_event e, const char *reason) {
    assert(d->nqueue < GUARD_DAEMON_QUEUE); /* one step produces at most a few follow-ups */
    d->queue[d->nqueue] = e;
    copy_str(d->queue_reason[d->nqueue], sizeof d->queue_reason[0], reason ? reason : "");
    d->nqueue++;
}

/* ---- pause (built-in recorder) ------------------------------------------------------------ */

/* The state to keep; the recorder argv follows it, so a restarted recorder starts in it. */
static void pause_want(guard_daemon *d, int paused) {
    d->want_paused = paused;
    if (d->builtin && guard_record_argv_paused(&d->rec_argv, paused) < 0)
        fprintf(stderr, "recguard daemon: out of memory: the next recorder starts %s\n",
                paused ? "recording, not paused" : "recording");
}

/* Send the wanted state: two signals, not a toggle, so a repeat is harmless. Only to a recorder
 * whose stats file was read (it blocks the signals before creating the file). */
static void pause_signal(guard_daemon *d) {
    if (d->pidfd < 0 || d->exit_pending || !d->have_snap || d->want_paused < 0) return;
    guard_spawn_signal(d->pidfd, d->want_paused ? RG_RECOPTS_SIG_PAUSE : RG_RECOPTS_SIG_RESUME);
}

/* ---- recorder: segments, spawn, exit ------------------------------------------------------ */

static int open_session(guard_daemon *d, char *err, size_t errlen) {
    char stamp[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "recguard_%Y_%m_%d-%H_%M_%S", &tm);
    int rc = rg_fs_mkdir_p(d->output_dir, 0755, err, errlen);
    if (rc < 0) return rc;
    /* A new bag directory every session, never an existing one: mkdir fails on EEXIST. */
    for (int n = 0; n < 100; n++) {
        if (n == 0) snprintf(d->bag_name, sizeof d->bag_name, "%s", stamp);
        else snprintf(d->bag_name, sizeof d->bag_name, "%s-%d", stamp, n);
        /* Room for "/<name>_<index>.mcap" after it, so segment paths never truncate. */
        if (snprintf(d->bag_dir, sizeof d->bag_dir, "%s/%s", d->output_dir, d->bag_name) >=
            (int)(sizeof d->bag_dir - sizeof d->bag_name - 32)) {
            snprintf(err, errlen, "output(%s): path too long", d->output_dir);
            return -ENAMETOOLONG;
        }
        if (mkdir(d->bag_dir, 0755) == 0) {
            d->session_open = 1;
            d->seg_index = -1;
            d->restarts = 0;
            d->session_start_real = rg_time_real_ns();
            pause_want(d, guard_record_start_paused(&d->cfg->record));
            d->pause_pending = 0;
            d->rec_paused = -1; /* the session journal says so when it starts paused */
            guard_journal_set_bag(&d->journal, d->bag_dir, err, errlen);
            /* The session journal opens with why it began (the transition that led here went
             * to the daemon journal before the bag existed). */
            json_t *ev = event_new(d, "session_start");
            json_object_set_new(ev, "bag_dir", json_string(d->bag_dir));
            json_object_set_new(ev, "reason", json_string(d->reason));
            emit(d, ev);
            json_decref(ev);
            return 0;
        }
        if (errno != EEXIST) {
            rc = -errno;
            snprintf(err, errlen, "mkdir(%s): %s", d->bag_dir, strerror(errno));
            return rc;
        }
    }
    snprintf(err, errlen, "mkdir(%s): no free bag name", d->bag_dir);
    return -EEXIST;
}

/* The first segment above *index whose name no file has: its index into *index, its path
 * into path (PATH_MAX bytes). */
static void free_segment_above(const guard_daemon *d, int *index, char *path) {
    struct stat st;
    do {
        (*index)++;
        if (rg_bag_segment_path(path, PATH_MAX, d->bag_dir, d->bag_name, (unsigned)*index) < 0)
            abort(); /* bag_dir was checked to leave room when the session was opened */
    } while (lstat(path, &st) == 0);
}

/* The next segment path: index strictly above every earlier one, and a name no file has. */
static void next_segment(guard_daemon *d) { free_segment_above(d, &d->seg_index, d->segment); }

static int recorder_exited(sd_event_source *s, int fd, uint32_t revents, void *ud);

/* The built-in recorder splits by itself (record: max_bag_size, max_bag_duration): the segment
 * it reports writing is the current one, for status, the journal, the state file and the
 * post-crash hook (only the segment being written can be cut short). */
static void follow_segment(guard_daemon *d, const rec_stats_snapshot *snap) {
    if (!snap->segment[0] || strcmp(snap->segment, d->segment) == 0) return;
    if (snprintf(d->segment, sizeof d->segment, "%s", snap->segment) >= (int)sizeof d->segment) return;
    d->seg_index = (int)snap->segment_index;
    json_t *ev = event_new(d, "segment");
    json_object_set_new(ev, "segment", json_string(d->segment));
    json_object_set_new(ev, "segment_index", json_integer(d->seg_index));
    json_object_set_new(ev, "reason", json_string("the recorder split"));
    emit(d, ev);
    json_decref(ev);
    save_state(d);
}

/* Map the built-in recorder's stats file if it exists (the recorder creates it at start). */
static void open_stats(guard_daemon *d) {
    char err[256];
    if (!d->stats) rec_stats_reader_open(&d->stats, d->stats_path, err, sizeof err);
}

/* The built-in recorder's snapshot into d->snap (on the heap: ~1.2 MiB, too big for a stack
 * frame under ASan). 1 when it was read and is `pid`'s. */
static int read_snap(guard_daemon *d, pid_t pid) {
    if (!d->builtin) return 0;
    open_stats(d);
    if (!d->snap && !(d->snap = calloc(1, sizeof *d->snap))) return 0;
    return d->stats && rec_stats_reader_read(d->stats, d->snap) == 0 && d->snap->pid == pid;
}

static void watch_recorder(guard_daemon *d) {
    sd_event_add_io(d->ev, &d->pid_io, d->pidfd, EPOLLIN, recorder_exited, d);
    guard_health_init(&d->health, &d->hcfg, rg_time_mono_ns());
    guard_expect_init(&d->expect, rg_time_mono_ns());
    d->have_snap = 0;
    d->have_report = 0;
    d->ntree = 0;
    d->tree_scan_mono = 0;
    d->logged_verdict[0] = '\0';
    if (d->adopted) d->want_paused = -1; /* its stats say whether it is paused */
    rec_stats_reader_close(d->stats);
    d->stats = NULL;
    if (d->builtin) open_stats(d); /* an adopted recorder's file is there already */
}

static void forget_recorder(guard_daemon *d) {
    d->pid_io = sd_event_source_disable_unref(d->pid_io);
    if (d->pidfd >= 0) close(d->pidfd);
    if (d->log_fd >= 0) close(d->log_fd);
    d->pidfd = d->log_fd = -1;
    d->pid = 0;
    d->adopted = 0;
    d->exit_pending = 0;
    d->tree_procs = 0;
    d->ntree = 0;
    d->tree_scan_mono = 0;
    d->cgroup[0] = '\0';
    d->cgroup_own = 0;
    d->tree_timer = sd_event_source_disable_unref(d->tree_timer);
    d->ladder = 0;
    d->ladder_timer = sd_event_source_disable_unref(d->ladder_timer);
}

/* Use the cgroup `pid` is in as its run's group (into out[PATH_MAX], *own) when it is one of
 * ours: the leaf made for this run (`leaf`), another daemon's run group (adoption), or the
 * priority group. */
static void adopt_cgroup(guard_daemon *d, pid_t pid, const char *leaf, char *out, int *own) {
    char cg[PATH_MAX];
    out[0] = '\0';
    *own = 0;
    if (guard_tree_cgroup_of(pid, cg, sizeof cg) < 0) {
        if (leaf) guard_tree_cgroup_remove(leaf);
        return;
    }
    const char *base = strrchr(cg, '/');
    base = base ? base + 1 : cg;
    if ((leaf && strcmp(cg, leaf) == 0) ||
        (!leaf && strncmp(base, GUARD_DAEMON_RUN_CGROUP, strlen(GUARD_DAEMON_RUN_CGROUP)) == 0)) {
        copy_str(out, PATH_MAX, cg);
        *own = 1;
    } else if (d->plan_ok && d->plan.cgroup_path[0] && strcmp(cg, d->plan.cgroup_path) == 0) {
        copy_str(out, PATH_MAX, cg);
    } else if (leaf) {
        guard_tree_cgroup_remove(leaf); /* the child could not join it */
    }
}

static int standby_on(const guard_daemon *d) {
    return d->builtin && d->cfg->redundancy == GUARD_REDUNDANCY_STANDBY;
}

/* A new positions file name for a run: positions.<daemon pid>.<n>, never one in use. */
static void new_positions(guard_daemon *d, char *out) {
    if (snprintf(out, PATH_MAX, "%s/%s%d.%u", d->state_dir, GUARD_DAEMON_POSITIONS, (int)getpid(),
                 d->positions_seq++) >= PATH_MAX)
        out[0] = '\0'; /* state_dir was checked at setup to leave room for its file names */
}

/* The argv of a built-in recorder run: the template with {segment} and its stats file, then
 * with a standby its positions file, and for the standby itself what it follows. NULL on
 * ENOMEM. */
static char **run_argv(const guard_daemon *d, const char *segment, const char *stats,
                       const char *positions, const char *follow) {
    char **argv = NULL;
    if (guard_spawn_expand(d->rec_argv, segment, &argv) < 0) return NULL;
    if (!d->builtin) return argv;
    char win[32], mem[32];
    snprintf(win, sizeof win, "%.3f", (double)d->cfg->standby_window_ns / 1e9); /* seconds */
    snprintf(mem, sizeof mem, "%llu", (unsigned long long)d->cfg->standby_memory);
    const char *extra[8];
    size_t n = 0, na = 0;
    for (; argv[na]; na++) {
        if (strcmp(argv[na], "--stats") != 0 || !argv[na + 1]) continue;
        char *v = strdup(stats);
        if (!v) {
            guard_spawn_argv_free(argv);
            return NULL;
        }
        free(argv[++na]);
        argv[na] = v;
    }
    if (positions && positions[0]) {
        extra[n++] = "--positions";
        extra[n++] = positions;
    }
    if (follow) {
        extra[n++] = "--standby";
        extra[n++] = follow;
        extra[n++] = "--standby-window";
        extra[n++] = win;
        extra[n++] = "--standby-memory";
        extra[n++] = mem;
    }
    char **v = realloc(argv, (na + n + 1) * sizeof *v);
    if (!v) {
        guard_spawn_argv_free(argv);
        return NULL;
    }
    v[na] = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!(v[na + i] = strdup(extra[i]))) {
            guard_spawn_argv_free(v);
            return NULL;
        }
        v[na + i + 1] = NULL;
    }
    return v;
}

/* Spawn argv as a run of its own: its own cgroup where the machine allows it (a configured
 * priority group holds the recorder instead), `plan` applied (NULL none) with its outcome in
 * `rep`. 0 with r and the run's group in cg[PATH_MAX] and `own`, or -errno with err. */
static int spawn_run(guard_daemon *d, char **argv, int log_fd, const guard_prio_plan *plan,
                     guard_prio_report *rep, guard_spawn_result *r, char *cg, int *own, char *err,
                     size_t errlen) {
    guard_spawn_opts o = {.argv = argv, .log_fd = log_fd, .prio = plan, .prio_report = rep};
    char leaf[PATH_MAX];
    int leaf_fd = -1;
    cg[0] = '\0';
    *own = 0;
    if (!(plan && plan->cgroup_path[0])) {
        /* A group of its own for the run, where the machine allows it (else the /proc way). A
         * priority group, when configured, holds the recorder's run already. */
        char name[64];
        snprintf(name, sizeof name, "%s%d.%u", GUARD_DAEMON_RUN_CGROUP, (int)getpid(), d->cgroup_seq++);
        if (guard_tree_cgroup_create(name, leaf, sizeof leaf, &leaf_fd) == 0) {
            o.join_cgroup = 1;
            o.cgroup_fd = leaf_fd;
        }
    }
    int rc = guard_spawn(&o, r, err, errlen);
    if (leaf_fd >= 0) close(leaf_fd);
    if (rc == 0) adopt_cgroup(d, r->pid, leaf_fd >= 0 ? leaf : NULL, cg, own);
    else if (leaf_fd >= 0) guard_tree_cgroup_remove(leaf);
    return rc;
}

static void standby_check(guard_daemon *d);

static void act_spawn(guard_daemon *d) {
    char err[PATH_MAX + 256];
    d->run_progressed = 0;
    if (!d->session_open && open_session(d, err, sizeof err) < 0) {
        enqueue(d, GUARD_EV_SPAWN_FAILED, err);
        return;
    }
    next_segment(d);
    if (standby_on(d)) new_positions(d, d->positions);
    else d->positions[0] = '\0';
    /* On disk before the fork: a daemon killed between the fork and the next save leaves a
     * state file naming this segment, by which the next daemon finds the recorder it started. */
    save_state(d);
    char logp[PATH_MAX + 8];
    rg_bag_log_path(logp, sizeof logp, d->segment);
    d->log_fd = rg_sys_open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
    char **argv = run_argv(d, d->segment, d->stats_path, d->positions, NULL);
    if (!argv) {
        enqueue(d, GUARD_EV_SPAWN_FAILED, "spawn: out of memory");
        return;
    }
    if (d->builtin) unlink(d->stats_path); /* a stale file must not look like a heartbeat */
    guard_spawn_result r;
    int rc = spawn_run(d, argv, d->log_fd, d->plan_ok ? &d->plan : NULL, &d->prio, &r, d->cgroup,
                       &d->cgroup_own, err, sizeof err);
    guard_spawn_argv_free(argv);
    if (rc < 0) {
        if (d->log_fd >= 0) close(d->log_fd);
        d->log_fd = -1;
        enqueue(d, GUARD_EV_SPAWN_FAILED, err);
        return;
    }
    d->have_prio = d->plan_ok;
    d->pid = r.pid;
    d->pidfd = r.pidfd;
    d->id = r.id;
    d->adopted = 0;
    d->rec_start_mono = rg_time_mono_ns();
    d->rec_start_real = rg_time_real_ns();
    watch_recorder(d);
    char why[PATH_MAX + 64];
    snprintf(why, sizeof why, "recorder pid %d writing %s", (int)r.pid, d->segment);
    enqueue(d, GUARD_EV_SPAWNED, why);
    if (d->have_prio) {
        json_t *ev = event_new(d, "priority");
        json_object_set_new(ev, "pid", json_integer(r.pid));
        json_object_set_new(ev, "priority", guard_prio_report_json(&d->prio));
        emit(d, ev);
        json_decref(ev);
    }
}

/* ---- hot standby (redundancy: standby) ----------------------------------------------------- */
/* The standby is a second built-in recorder run following the recorder's positions file; the
 * rules are guard_standby's. It is spawned once the recorder runs (and after a promotion once
 * the promoted recorder writes), ended with the recorder's session (stop, split, disk, a plain
 * restart), respawned with backoff when it ends by itself, and never counted against the
 * recorder's restart budget. */

static void standby_arm(guard_daemon *d, int64_t delay_ns);

/* The stats name the recorder does not use: the standby's, the promoted recorder's next. */
static void other_stats(const guard_daemon *d, char *out) {
    const char *base = strrchr(d->stats_path, '/');
    int alt = base && strcmp(base + 1, GUARD_DAEMON_STATS_ALT) == 0;
    if (snprintf(out, PATH_MAX, "%s/%s", d->state_dir, alt ? GUARD_DAEMON_STATS : GUARD_DAEMON_STATS_ALT) >= PATH_MAX)
        out[0] = '\0'; /* state_dir was checked at setup to leave room for its file names */
}

/* Remove the positions files no run needs any more (the state dir is ours alone: the lock). */
static void sweep_positions(guard_daemon *d) {
    DIR *dir = opendir(d->state_dir);
    if (!dir) return;
    for (struct dirent *e; (e = readdir(dir));) {
        char p[PATH_MAX];
        if (strncmp(e->d_name, GUARD_DAEMON_POSITIONS, strlen(GUARD_DAEMON_POSITIONS)) != 0) continue;
        if (snprintf(p, sizeof p, "%s/%s", d->state_dir, e->d_name) >= (int)sizeof p) continue;
        if (strcmp(p, d->positions) == 0 || strcmp(p, d->sb.positions) == 0 ||
            strcmp(p, d->retired_positions) == 0)
            continue;
        unlink(p);
    }
    closedir(dir);
}

static void standby_event(guard_daemon *d, const char *name, const char *reason) {
    json_t *ev = event_new(d, name);
    json_object_set_new(ev, "reason", json_string(reason));
    if (d->sb.pid) json_object_set_new(ev, "standby_pid", json_integer(d->sb.pid));
    if (d->pid) json_object_set_new(ev, "pid", json_integer(d->pid));
    emit(d, ev);
    json_decref(ev);
}

/* Its state from its stats file now (a fresh read: the promotion decision uses it). */
static guard_standby_state standby_observe(guard_daemon *d) {
    standby_proc *sb = &d->sb;
    if (!sb->pid) return GUARD_STANDBY_OFF;
    if (sb->state == GUARD_STANDBY_STOPPING) return sb->state;
    /* Dead but not yet reaped (killed together with the recorder): not promotable. */
    struct pollfd pf = {.fd = sb->pidfd, .events = POLLIN};
    if (poll(&pf, 1, 0) > 0) return GUARD_STANDBY_OFF;
    char err[256];
    if (!sb->stats) rec_stats_reader_open(&sb->stats, sb->stats_path, err, sizeof err);
    if (!sb->snap && !(sb->snap = calloc(1, sizeof *sb->snap))) return sb->state;
    sb->have_snap = sb->stats && rec_stats_reader_read(sb->stats, sb->snap) == 0 && sb->snap->pid == sb->pid;
    int was_ready = sb->state == GUARD_STANDBY_READY || sb->state == GUARD_STANDBY_STALE;
    int64_t t = rg_time_mono_ns();
    if (!was_ready) { /* coverage matters only on the way to READY (guard_standby.h) */
        int covers = sb->have_snap && read_snap(d, d->pid) && guard_standby_covers(d->snap, sb->snap);
        if (!covers) sb->covered_since = 0;
        else if (!sb->covered_since) sb->covered_since = t;
    }
    guard_standby_obs o = {.alive = 1, .have_stats = sb->have_snap,
                           .role_standby = sb->have_snap && sb->snap->role == REC_STATS_ROLE_STANDBY,
                           .heartbeat_mono_ns = sb->have_snap ? sb->snap->heartbeat_mono_ns : 0,
                           .was_ready = was_ready, .covered_since_ns = sb->covered_since};
    guard_standby_state now = guard_standby_assess(&o, t);
    if (now == GUARD_STANDBY_READY && sb->state != GUARD_STANDBY_READY) {
        sb->state = now;
        sb->fails = 0;
        char why[160];
        snprintf(why, sizeof why, "standby pid %d holds the recorded topics and can take over", (int)sb->pid);
        standby_event(d, "standby_ready", why);
    }
    sb->state = now;
    return now;
}

/* Forget the standby's process (its end was reaped or it was handed over as the recorder). */
static void standby_forget(standby_proc *sb, int close_fds) {
    sb->io = sd_event_source_disable_unref(sb->io);
    if (close_fds) {
        if (sb->pidfd >= 0) close(sb->pidfd);
        if (sb->log_fd >= 0) close(sb->log_fd);
        if (sb->cgroup_own && sb->cgroup[0]) guard_tree_cgroup_remove(sb->cgroup);
    }
    rec_stats_reader_close(sb->stats);
    sb->stats = NULL;
    sb->have_snap = 0;
    sb->covered_since = 0;
    sb->pid = 0;
    sb->pidfd = sb->log_fd = -1;
    sb->cgroup[0] = sb->segment[0] = sb->positions[0] = '\0';
    sb->cgroup_own = 0;
    sb->state = GUARD_STANDBY_OFF;
}

/* End the standby: SIGTERM (it writes nothing and exits 0), SIGKILL after a while. */
static void standby_stop(guard_daemon *d, int sig, const char *why) {
    standby_proc *sb = &d->sb;
    if (!sb->pid) return;
    if (sb->state == GUARD_STANDBY_STOPPING && sig != SIGKILL) return;
    guard_spawn_signal(sb->pidfd, sig);
    guard_spawn_signal(sb->pidfd, SIGCONT);
    if (sb->state != GUARD_STANDBY_STOPPING) {
        char reason[320];
        snprintf(reason, sizeof reason, "stopping standby pid %d (%s): %s", (int)sb->pid, signame(sig), why);
        standby_event(d, "standby_stop", reason);
    }
    sb->state = GUARD_STANDBY_STOPPING;
    sb->stop_at_mono = rg_time_mono_ns() + GUARD_DAEMON_STANDBY_STOP_NS;
    standby_arm(d, GUARD_DAEMON_STANDBY_POLL_NS);
}

static int standby_exited(sd_event_source *s, int fd, uint32_t revents, void *ud) {
    (void)s;
    (void)fd;
    (void)revents;
    guard_daemon *d = ud;
    standby_proc *sb = &d->sb;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc = guard_spawn_reap(sb->pidfd, &si, WNOHANG);
    if (rc == 1) return 0;
    char how[128] = "ended (status unknown)";
    if (rc == 0) guard_spawn_describe_exit(&si, how, sizeof how);
    int asked = sb->state == GUARD_STANDBY_STOPPING;
    char why[256];
    snprintf(why, sizeof why, "standby pid %d %s%s", (int)sb->pid, how, asked ? "" : " (not asked to stop)");
    json_t *ev = event_new(d, "standby_exit");
    json_object_set_new(ev, "reason", json_string(why));
    json_object_set_new(ev, "standby_pid", json_integer(sb->pid));
    json_object_set_new(ev, "expected", json_boolean(asked));
    emit(d, ev);
    json_decref(ev);
    standby_forget(sb, 1);
    if (!asked) {
        /* A crash loop of the standby backs off on its own; the recorder is not touched. */
        int64_t delay = guard_standby_backoff_ns(++sb->fails);
        sb->respawn_at_mono = rg_time_mono_ns() + delay;
        sb->state = GUARD_STANDBY_BACKOFF;
    }
    save_state(d);
    standby_check(d);
    if (d->exiting && (d->fsm.state == GUARD_ST_IDLE || d->fsm.state == GUARD_ST_ERROR) && !recorder_alive(d) &&
        !d->sb.pid)
        sd_event_exit(d->ev, d->exit_code);
    return 0;
}

/* Spawn a standby following the recorder's positions, with the recorder's argv, priority and
 * a run of its own (a priority group would put it in the recorder's tree: it joins that group
 * only when promoted). Its segment is the one the next recorder would get. */
static void standby_spawn(guard_daemon *d) {
    standby_proc *sb = &d->sb;
    char err[PATH_MAX + 256];
    sb->seg_index = d->seg_index;
    free_segment_above(d, &sb->seg_index, sb->segment);
    other_stats(d, sb->stats_path);
    new_positions(d, sb->positions);
    sweep_positions(d);
    unlink(sb->stats_path); /* a stale file must not look like a heartbeat */
    char logp[PATH_MAX + 32];
    snprintf(logp, sizeof logp, "%s/%s", d->state_dir, GUARD_DAEMON_STANDBY_LOG);
    sb->log_fd = rg_sys_open(logp, O_WRONLY | O_CREAT | O_APPEND, 0644);
    char **argv = run_argv(d, sb->segment, sb->stats_path, sb->positions, d->positions);
    guard_prio_plan plan;
    guard_prio_report rep = d->prio; /* the standby's outcome; status reports the recorder's */
    if (d->plan_ok) {
        plan = d->plan; /* a shallow copy without the group: the fd stays the daemon's */
        plan.cgroup_procs_fd = -1;
        plan.cgroup_path[0] = '\0';
    }
    guard_spawn_result r;
    int rc = argv ? spawn_run(d, argv, sb->log_fd, d->plan_ok ? &plan : NULL, &rep, &r, sb->cgroup,
                              &sb->cgroup_own, err, sizeof err)
                  : -ENOMEM;
    if (!argv) snprintf(err, sizeof err, "standby spawn: out of memory");
    guard_spawn_argv_free(argv);
    if (rc < 0) {
        standby_forget(sb, 1);
        sb->respawn_at_mono = rg_time_mono_ns() + guard_standby_backoff_ns(++sb->fails);
        sb->state = GUARD_STANDBY_BACKOFF;
        standby_event(d, "standby_exit", err);
        return;
    }
    sb->pid = r.pid;
    sb->pidfd = r.pidfd;
    sb->id = r.id;
    sb->start_mono = rg_time_mono_ns();
    sb->start_real = rg_time_real_ns();
    sb->state = GUARD_STANDBY_STARTING;
    sd_event_add_io(d->ev, &sb->io, sb->pidfd, EPOLLIN, standby_exited, d);
    char why[PATH_MAX + 96];
    snprintf(why, sizeof why, "standby pid %d follows recorder pid %d, would write %s", (int)r.pid,
             (int)d->pid, sb->segment);
    standby_event(d, "standby_started", why);
    save_state(d);
}

/* What the standby needs now: stop it with its recorder's session, spawn one beside a running
 * recorder, see it become ready, see a promoted recorder take over (then its predecessor's
 * positions can go), enforce a stop's SIGKILL deadline. Polls while something is pending. */
static void standby_check(guard_daemon *d) {
    standby_proc *sb = &d->sb;
    if (!standby_on(d)) return;
    int64_t now = rg_time_mono_ns();
    int pending = 0;
    if (sb->pid && sb->state != GUARD_STANDBY_STOPPING && !guard_standby_wanted(d->fsm.state, 1))
        standby_stop(d, SIGTERM, "the recording is stopping");
    if (sb->pid && sb->state == GUARD_STANDBY_STOPPING) {
        if (now >= sb->stop_at_mono) {
            guard_spawn_signal(sb->pidfd, SIGKILL);
            sb->stop_at_mono = now + GUARD_DAEMON_STANDBY_STOP_NS;
        }
        pending = 1;
    }
    if (d->promote_pending) {
        if (!recorder_alive(d) || (read_snap(d, d->pid) && d->snap->role != REC_STATS_ROLE_STANDBY)) {
            d->promote_pending = 0; /* it has read its predecessor's positions, or is gone */
            d->retired_positions[0] = '\0';
            sweep_positions(d);
        } else {
            pending = 1;
        }
    }
    if (!recorder_alive(d) && !sb->pid && !guard_standby_wanted(d->fsm.state, 1) && d->positions[0]) {
        /* The recording stopped: no run will read these positions again. */
        d->positions[0] = d->retired_positions[0] = '\0';
        sweep_positions(d);
    }
    int primary = recorder_alive(d) && !d->exit_pending && !d->ladder;
    if (!sb->pid && !d->promote_pending && d->session_open && d->positions[0] &&
        guard_standby_wanted(d->fsm.state, primary)) {
        if (now >= sb->respawn_at_mono) standby_spawn(d);
        pending = 1;
    }
    if (sb->pid && sb->state != GUARD_STANDBY_STOPPING) {
        standby_observe(d);
        if (sb->state != GUARD_STANDBY_READY) pending = 1;
    }
    if (pending) standby_arm(d, GUARD_DAEMON_STANDBY_POLL_NS);
}

static int standby_timer_fired(sd_event_source *s, uint64_t usec, void *ud) {
    (void)s;
    (void)usec;
    standby_check(ud);
    return 0;
}

static void standby_arm(guard_daemon *d, int64_t delay_ns) {
    if (!d->sb_timer) {
        sd_event_add_time_relative(d->ev, &d->sb_timer, CLOCK_MONOTONIC, (uint64_t)(delay_ns / 1000),
                                   GUARD_DAEMON_TIMER_ACCURACY_US, standby_timer_fired, d);
        return;
    }
    sd_event_source_set_time_relative(d->sb_timer, (uint64_t)(delay_ns / 1000));
    sd_event_source_set_enabled(d->sb_timer, SD_EVENT_ONESHOT);
}

/* The recorder's whole tree is gone (`e`, `reason`): promote the standby when the rules say
 * so. 1 when it took over (PROMOTED was fed), 0 for the fsm's plain course (the standby is
 * ended then: it follows a dead recorder, or the recording stops). */
static int standby_take_over(guard_daemon *d, guard_event e, const char *reason) {
    standby_proc *sb = &d->sb;
    if (!sb->pid) return 0;
    guard_standby_state now = standby_observe(d);
    guard_standby_verdict v = guard_standby_on_primary_end(d->fsm.state, e, now);
    if (v == GUARD_STANDBY_PLAIN)
        standby_stop(d, SIGKILL, now == GUARD_STANDBY_OFF ? "it ended with its recorder"
                                                          : "its recorder ended before it was ready");
    if (v == GUARD_STANDBY_STOP_TOO) standby_stop(d, SIGTERM, "the recording stops");
    if (v != GUARD_STANDBY_PROMOTE) return 0;
    /* The old tree is gone (tree_check): the standby reads final positions and a final segment. */
    if (guard_spawn_signal(sb->pidfd, SIGUSR1) < 0) {
        standby_stop(d, SIGKILL, "it could not be signalled to take over");
        return 0;
    }
    pid_t old = (pid_t)json_integer_value(json_object_get(d->last_exit, "pid"));
    if (e != GUARD_EV_CRASHED) d->ended_segment[0] = '\0'; /* a clean end left a whole file */
    copy_str(d->retired_positions, sizeof d->retired_positions, d->positions);
    copy_str(d->positions, sizeof d->positions, sb->positions);
    copy_str(d->stats_path, sizeof d->stats_path, sb->stats_path);
    copy_str(d->segment, sizeof d->segment, sb->segment);
    d->seg_index = sb->seg_index;
    d->pid = sb->pid;
    d->pidfd = sb->pidfd;
    d->id = sb->id;
    d->log_fd = sb->log_fd;
    d->adopted = 0;
    d->rec_start_mono = sb->start_mono;
    d->rec_start_real = sb->start_real;
    copy_str(d->cgroup, sizeof d->cgroup, sb->cgroup);
    d->cgroup_own = sb->cgroup_own;
    standby_forget(sb, 0); /* its fds are the recorder's now */
    sb->fails = 0;
    watch_recorder(d);
    if (d->plan_ok && d->plan.cgroup_path[0] && guard_prio_apply_pid(d->pid, &d->plan, &d->prio) == 0) {
        /* The priority group holds the recorder: the promoted one moves in, its own group goes. */
        char own[PATH_MAX];
        copy_str(own, sizeof own, d->cgroup);
        int was_own = d->cgroup_own;
        adopt_cgroup(d, d->pid, NULL, d->cgroup, &d->cgroup_own);
        if (was_own && own[0] && strcmp(own, d->cgroup) != 0) guard_tree_cgroup_remove(own);
    }
    d->promote_pending = 1;
    char why[sizeof d->exit_reason + 64];
    snprintf(why, sizeof why, "standby pid %d took over: %s", (int)d->pid, reason);
    json_t *ev = event_new(d, "promoted");
    json_object_set_new(ev, "reason", json_string(why));
    json_object_set_new(ev, "pid", json_integer(d->pid));
    json_object_set_new(ev, "old_pid", json_integer(old));
    json_object_set_new(ev, "segment", json_string(d->segment));
    if (d->last_exit) json_object_set(ev, "exit", d->last_exit);
    emit(d, ev);
    json_decref(ev);
    feed(d, GUARD_EV_PROMOTED, why, NULL);
    standby_arm(d, GUARD_DAEMON_STANDBY_POLL_NS);
    return 1;
}

/* The daemon exits: its standby goes with it (it holds only copies; a daemon that finds the
 * recorder again starts a fresh one following it). SIGKILL and reap: no wait on a stop. */
static void standby_final(guard_daemon *d) {
    standby_proc *sb = &d->sb;
    if (sb->pid) {
        guard_spawn_signal(sb->pidfd, SIGKILL);
        siginfo_t si;
        guard_spawn_reap(sb->pidfd, &si, 0);
        standby_forget(sb, 1);
    }
    free(sb->snap);
    sb->snap = NULL;
}

/* A standby the previous daemon left (a crash, kill -9): end it, identity checked first. It
 * followed the recorder through that daemon's files; a fresh one is simpler to trust than an
 * adopted one whose start we did not see, and costs only its ring's warm-up. */
static void standby_end_orphan(guard_daemon *d, const guard_state_rec *s) {
    if (s->standby_pid <= 0) return;
    guard_proc_identity id = {.pid = s->standby_pid, .starttime_ticks = s->standby_starttime};
    int pidfd = -1;
    char err[256], why[320];
    if (guard_spawn_adopt(&id, &pidfd, err, sizeof err) < 0) return; /* gone already, or reused */
    guard_spawn_signal(pidfd, SIGKILL);
    close(pidfd);
    snprintf(why, sizeof why, "killed the previous daemon's standby pid %d: a fresh one follows the recorder",
             s->standby_pid);
    standby_event(d, "standby_exit", why);
}

/* The standby as status shows it; null without redundancy. */
static json_t *standby_json(guard_daemon *d) {
    const standby_proc *sb = &d->sb;
    if (!standby_on(d)) return json_null();
    json_t *o = json_pack("{s:i, s:s, s:i}", "pid", (int)sb->pid, "state",
                          d->promote_pending && !sb->pid ? "promoted" : guard_standby_state_name(sb->state),
                          "fails", (int)sb->fails);
    if (sb->pid) {
        json_object_set_new(o, "segment", json_string(sb->segment));
        json_object_set_new(o, "stats_path", json_string(sb->stats_path));
        json_object_set_new(o, "uptime_s", json_real((double)(rg_time_mono_ns() - sb->start_mono) / 1e9));
    }
    if (sb->pid && sb->have_snap) {
        /* What its stats say it takes in (the stats file carries no ring figures). */
        json_object_set_new(o, "topics", json_integer((json_int_t)(sb->snap->ntopics + sb->snap->overflow_topics)));
        json_object_set_new(o, "messages_received", json_integer((json_int_t)sb->snap->messages_received));
        json_object_set_new(o, "drops", json_integer((json_int_t)sb->snap->drops));
        json_object_set_new(o, "lost", json_integer((json_int_t)sb->snap->lost));
    }
    if (!sb->pid && sb->state == GUARD_STANDBY_BACKOFF)
        json_object_set_new(o, "respawn_in_s", json_real((double)(sb->respawn_at_mono - rg_time_mono_ns()) / 1e9));
    return o;
}

static const char *ladder_name(int step) {
    static const char *const n[] = {"none", "SIGINT", "SIGTERM", "SIGKILL"};
    return n[step >= 0 && step <= 3 ? step : 0];
}

static uint64_t output_size(const char *path);
static void sample_disk(guard_daemon *d, guard_health_sample *s);
static void disk_levels(guard_daemon *d, const guard_health_sample *s, guard_health_report *r);
static int disk_full_now(const guard_health_sample *s, const guard_health_report *r,
                         uint64_t above, char *why, size_t len);
static void feed(guard_daemon *d, guard_event e, const char *reason, guard_fsm_step *out);

/* The daemon's other children (hooks, alert commands, the standby): never part of the
 * recorder's tree, reaped by their owners. out[] holds GUARD_DAEMON_MAX_AUX + 1. */
static size_t aux_pids(const guard_daemon *d, pid_t *out) {
    size_t n = 0;
    for (int i = 0; i < GUARD_DAEMON_MAX_AUX; i++)
        if (d->aux[i].used) out[n++] = d->aux[i].pid;
    if (d->sb.pid) out[n++] = d->sb.pid;
    return n;
}

/* Walk the recorder's tree: its cgroup where it has one, else a /proc scan. */
static int tree_walk(guard_daemon *d, int sig, guard_tree_sum *sum, guard_proc_identity *members,
                     size_t cap, size_t *nmembers) {
    if (d->cgroup[0] && guard_tree_walk_cgroup(d->cgroup, d->pid, sig, sum, members, cap, nmembers) == 0)
        return 0;
    pid_t skip[GUARD_DAEMON_MAX_AUX + 1];
    return guard_tree_walk(d->pid, skip, aux_pids(d, skip), sig, sum, members, cap, nmembers);
}

/* Signal every process of the recorder's tree but the leader; the live count. */
static size_t tree_signal(guard_daemon *d, int sig) {
    guard_tree_sum sum;
    if (tree_walk(d, sig, &sum, NULL, 0, NULL) < 0) return 0;
    return sum.others;
}

static int tree_poll(sd_event_source *s, uint64_t usec, void *ud);

/* The leader was reaped. The run ends only when no process of its tree is left: no child
 * may go on appending to a segment reported closed, nor run beside the next recorder. On
 * the stop ladder the rest got the leader's signals and the ladder escalates for them too;
 * a leader that ended by itself leaves a failed run, whose rest is killed at once (the next
 * recorder starts as soon as it is gone, and the post-crash hook repairs what it cut). */
static void tree_check(guard_daemon *d) {
    size_t left = tree_signal(d, d->ladder ? 0 : SIGKILL);
    if (left > 0 && !d->ladder && d->exit_event == GUARD_EV_EXITED) d->exit_event = GUARD_EV_CRASHED;
    if (left == 0) {
        guard_event e = d->exit_event;
        char reason[sizeof d->exit_reason];
        copy_str(reason, sizeof reason, d->exit_reason);
        pid_t keep[GUARD_DAEMON_MAX_AUX + 1];
        guard_tree_reap_orphans(keep, aux_pids(d, keep));
        if (d->cgroup_own) guard_tree_cgroup_remove(d->cgroup);
        forget_recorder(d);
        if (standby_take_over(d, e, reason)) return;
        feed(d, e, reason, NULL);
        return;
    }
    d->tree_procs = left;
    if (!d->tree_timer)
        sd_event_add_time_relative(d->ev, &d->tree_timer, CLOCK_MONOTONIC, GUARD_DAEMON_TREE_POLL_US,
                                   GUARD_DAEMON_TIMER_ACCURACY_US, tree_poll, d);
    else
        sd_event_source_set_time_relative(d->tree_timer, GUARD_DAEMON_TREE_POLL_US);
    sd_event_source_set_enabled(d->tree_timer, SD_EVENT_ONESHOT);
}

static int tree_poll(sd_event_source *s, uint64_t usec, void *ud) {
    (void)s;
    (void)usec;
    guard_daemon *d = ud;
    pid_t keep[GUARD_DAEMON_MAX_AUX + 1];
    guard_tree_reap_orphans(keep, aux_pids(d, keep)); /* killed orphans die as our zombies */
    tree_check(d);
    return 0;
}

/* Did the run that just ended record data? What the health checks saw while it ran, or, for a
 * run killed before the next check, what it left: messages in its stats (built-in recorder) or
 * a non-empty segment (any other recorder; its segment is new at every start). */
static int run_progressed(const guard_daemon *d, const rec_stats_snapshot *snap) {
    if (d->health.progressed) return 1;
    if (d->builtin) return snap && snap->messages_received > 0;
    return output_size(d->segment) > 0;
}

static int recorder_exited(sd_event_source *s, int fd, uint32_t revents, void *ud) {
    (void)s;
    (void)fd;
    (void)revents;
    guard_daemon *d = ud;
    siginfo_t si;
    int rc = guard_state_exit_status(d->pidfd, &si);
    if (rc == 1) return 0; /* spurious wakeup: still running */
    char how[128];
    int known = rc == 0;
    if (known) guard_spawn_describe_exit(&si, how, sizeof how);
    else snprintf(how, sizeof how, "ended (exit status unknown: adopted process)");
    guard_event e = guard_fsm_exit_event(known ? si.si_code : 0, known ? si.si_status : 0);
    int have_snap = read_snap(d, d->pid);
    if (!known && have_snap && d->snap->state == REC_STATS_STOPPED) {
        /* An adopted built-in recorder: no exit status, but it said itself that it finished
         * its files cleanly, which is what a clean exit would have proved. */
        e = GUARD_EV_EXITED;
        snprintf(how, sizeof how, "ended cleanly (its stats say stopped; exit status unknown: adopted)");
    }
    int64_t ran_ns = rg_time_mono_ns() - d->rec_start_mono;
    json_decref(d->last_exit);
    char iso[RG_TIME_ISO_LEN];
    d->last_exit = json_pack("{s:i, s:s, s:s, s:s, s:s, s:f}", "pid", d->pid, "summary", how,
                             "ended_by", ladder_name(d->ladder), "time",
                             rg_time_iso(rg_time_real_ns(), iso), "segment", d->segment,
                             "ran_s", (double)ran_ns / 1e9);
    if (known && si.si_code == CLD_EXITED) json_object_set_new(d->last_exit, "exit_code", json_integer(si.si_status));
    if (known && si.si_code != CLD_EXITED) json_object_set_new(d->last_exit, "signal", json_string(signame(si.si_status)));
    char reason[320];
    if (d->ladder) snprintf(reason, sizeof reason, "recorder pid %d %s after %s", (int)d->pid, how, ladder_name(d->ladder));
    else snprintf(reason, sizeof reason, "recorder pid %d %s", (int)d->pid, how);
    snprintf(d->ended_segment, sizeof d->ended_segment, "%s", d->segment);
    d->run_progressed = run_progressed(d, have_snap ? d->snap : NULL);
    if (have_snap && d->snap->state == REC_STATS_DISK_FULL) { /* the built-in recorder says why */
        e = GUARD_EV_DISK_FULL;
        snprintf(reason + strlen(reason), sizeof reason - strlen(reason), " (recorder reported disk full)");
    } else if (!d->ladder) {
        /* Any other recorder: an end nobody asked for, on a disk too full to record, is the
         * disk's doing; a restart would meet the same wall. */
        guard_health_sample ds = {.now_ns = rg_time_mono_ns()};
        guard_health_report dr;
        char why[160];
        sample_disk(d, &ds);
        disk_levels(d, &ds, &dr);
        if (disk_full_now(&ds, &dr, 0, why, sizeof why)) {
            e = GUARD_EV_DISK_FULL;
            snprintf(reason + strlen(reason), sizeof reason - strlen(reason), " (%s)", why);
        }
    }
    /* Reaped: nothing more to read on the pidfd; the pidfd itself stays (recorder_alive) until
     * the rest of the tree is gone, so a stop meanwhile still runs the ladder against it. */
    d->pid_io = sd_event_source_disable_unref(d->pid_io);
    d->exit_event = e;
    copy_str(d->exit_reason, sizeof d->exit_reason, reason);
    d->exit_pending = 1;
    tree_check(d);
    return 0;
}

/* The previous daemon died in the middle of a stop, a split, a pause for disk space or a
 * replacement (the state file says which): the adopted recorder is not taken back as
 * RECORDING, the new daemon carries on what was begun. */
static void resume_transition(guard_daemon *d, const guard_state_rec *s) {
    guard_fsm_then then = GUARD_THEN_IDLE;
    if (s->then[0] && guard_fsm_then_from_name(s->then, &then) < 0) then = GUARD_THEN_IDLE;
    const char *cause = s->stop_cause[0] ? s->stop_cause : "no cause recorded";
    char why[400];
    if (strcmp(s->state, state_name(GUARD_ST_STOPPING)) == 0) {
        static const char *const what[GUARD_THEN__COUNT] = {"stop", "split", "pause for disk space"};
        static const guard_event ev[GUARD_THEN__COUNT] = {GUARD_EV_STOP, GUARD_EV_SPLIT, GUARD_EV_DISK_LOW};
        snprintf(why, sizeof why, "resuming the previous daemon's %s (%.300s)", what[then], cause);
        feed(d, ev[then], why, NULL);
    } else if (strcmp(s->state, state_name(GUARD_ST_RECOVERING)) == 0) {
        feed(d, GUARD_EV_UNHEALTHY, "resuming the previous daemon's replacement of the recorder", NULL);
    }
}

/* Re-adopt the recorder the state file names. 1 when the daemon must not start recording by
 * itself (a recorder was adopted, or the previous daemon was stopping and its recorder has
 * ended meanwhile: the stop stands), 0 otherwise (journaled why). */
static int try_adopt(guard_daemon *d) {
    guard_state_rec s;
    char err[PATH_MAX + 256];
    int rc = guard_state_load(d->state_path, &s, err, sizeof err);
    if (rc == -ENOENT) return 0;
    if (rc < 0) {
        emit_alert(d, "state_unreadable", err);
        return 0;
    }
    /* Continue the old session's numbering in any case: never reuse a segment index. */
    struct stat st;
    if (s.bag_dir[0] && stat(s.bag_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(d->bag_dir, sizeof d->bag_dir, "%s", s.bag_dir);
        const char *slash = strrchr(s.bag_dir, '/');
        copy_str(d->bag_name, sizeof d->bag_name, slash ? slash + 1 : s.bag_dir);
        snprintf(d->segment, sizeof d->segment, "%s", s.segment);
        d->seg_index = s.segment_index;
        d->restarts = s.restarts;
        d->session_start_real = s.session_start_ns;
        d->session_open = 1;
        guard_journal_set_bag(&d->journal, d->bag_dir, err, sizeof err);
    }
    standby_end_orphan(d, &s);
    /* The recorder's files alternate with a standby's: take its own back (checked: ours). */
    size_t sdl = strlen(d->state_dir);
    if (d->builtin && strlen(s.stats_path) > sdl + 1 && strncmp(s.stats_path, d->state_dir, sdl) == 0 &&
        s.stats_path[sdl] == '/' && !strchr(s.stats_path + sdl + 1, '/'))
        copy_str(d->stats_path, sizeof d->stats_path, s.stats_path);
    if (standby_on(d) && s.positions[0]) copy_str(d->positions, sizeof d->positions, s.positions);
    if (s.recorder_pid <= 0) {
        /* No pid saved, but perhaps a recorder started just before the previous daemon died:
         * its argv holds the segment path. */
        guard_proc_identity id;
        if (!s.segment[0] || guard_proc_find_by_arg(s.segment, getpid(), &id) < 0) return 0;
        s.recorder_pid = id.pid;
        s.recorder_starttime = id.starttime_ticks;
        s.recorder_start_ns = rg_time_real_ns();
    }
    int pidfd = guard_state_adopt(&s, err, sizeof err);
    if (pidfd < 0) {
        json_t *ev = event_new(d, "adopt_failed");
        json_object_set_new(ev, "reason", json_string(err));
        json_object_set_new(ev, "pid", json_integer(s.recorder_pid));
        emit(d, ev);
        json_decref(ev);
        /* It ended while no daemon watched: its segment may be cut short, unless the built-in
         * recorder's stats say it closed it (a stop it finished alone, a full disk). */
        int closed = read_snap(d, s.recorder_pid) &&
                     (d->snap->state == REC_STATS_STOPPED || d->snap->state == REC_STATS_DISK_FULL);
        if (d->session_open && s.segment[0] && !closed) {
            snprintf(d->ended_segment, sizeof d->ended_segment, "%s", s.segment);
            run_post_crash_hook(d);
        }
        if (strcmp(s.state, state_name(GUARD_ST_STOPPING)) == 0 &&
            (!s.then[0] || strcmp(s.then, guard_fsm_then_name(GUARD_THEN_IDLE)) == 0)) {
            d->session_open = 0; /* the stopped session is over: a start opens a new bag */
            guard_journal_set_bag(&d->journal, NULL, NULL, 0);
            copy_str(d->reason, sizeof d->reason,
                     "the previous daemon was stopping and its recorder has ended: staying idle");
            return 1;
        }
        return 0;
    }
    if (!d->session_open) { /* recorder alive but its bag dir is gone: keep watching anyway */
        snprintf(d->segment, sizeof d->segment, "%s", s.segment);
        d->seg_index = s.segment_index;
    }
    d->pid = s.recorder_pid;
    d->pidfd = pidfd;
    d->id.pid = s.recorder_pid;
    d->id.starttime_ticks = s.recorder_starttime;
    d->adopted = 1;
    d->log_fd = -1;
    d->rec_start_mono = rg_time_mono_ns() - (rg_time_real_ns() - s.recorder_start_ns);
    d->rec_start_real = s.recorder_start_ns;
    watch_recorder(d);
    adopt_cgroup(d, d->pid, NULL, d->cgroup, &d->cgroup_own);
    if (d->plan_ok && guard_prio_apply_pid(d->pid, &d->plan, &d->prio) == 0) d->have_prio = 1;
    char why[PATH_MAX + 96];
    snprintf(why, sizeof why, "re-adopted recorder pid %d (identity verified) writing %s", (int)d->pid,
             d->segment);
    feed(d, GUARD_EV_ADOPTED, why, NULL);
    resume_transition(d, &s);
    return 1;
}

/* ---- stop ladder -------------------------------------------------------------------------- */

static int ladder_fired(sd_event_source *s, uint64_t usec, void *ud) {
    (void)s;
    (void)usec;
    guard_daemon *d = ud;
    d->ladder_timer = sd_event_source_disable_unref(d->ladder_timer);
    char why[96];
    snprintf(why, sizeof why, "no exit %s after %s", d->ladder == 3 ? "yet" : "in time", ladder_name(d->ladder));
    feed(d, GUARD_EV_STOP_TIMEOUT, why, NULL);
    return 0;
}

static void ladder_step(guard_daemon *d, int step) {
    int64_t wait_ns = step == 1 ? d->cfg->flush_timeout_ns
                    : step == 2 ? d->cfg->term_timeout_ns : d->cfg->kill_timeout_ns;
    /* SIGCONT with every signal: a stopped (hung) process must run to act on it. */
    /* Every process of the tree gets the step's signal, as a terminal's Ctrl-C reaches a whole
     * pipeline: a wrapper shell alone would wait for its child and never pass SIGINT on. */
    int sig = step == 1 ? SIGINT : step == 2 ? SIGTERM : SIGKILL;
    guard_spawn_signal(d->pidfd, sig);
    tree_signal(d, sig);
    if (sig != SIGKILL) {
        guard_spawn_signal(d->pidfd, SIGCONT);
        tree_signal(d, SIGCONT);
    }
    /* A child that needed SIGKILL after its leader had gone may have cut its segment. */
    if (d->exit_pending && sig == SIGKILL && d->exit_event == GUARD_EV_EXITED) d->exit_event = GUARD_EV_CRASHED;
    d->ladder = step;
    json_t *ev = event_new(d, "signal");
    json_object_set_new(ev, "signal", json_string(ladder_name(step)));
    json_object_set_new(ev, "pid", json_integer(d->pid));
    emit(d, ev);
    json_decref(ev);
    d->ladder_timer = sd_event_source_disable_unref(d->ladder_timer);
    sd_event_add_time_relative(d->ev, &d->ladder_timer, CLOCK_MONOTONIC, (uint64_t)(wait_ns / 1000),
                               GUARD_DAEMON_TIMER_ACCURACY_US, ladder_fired, d);
}

static void act_signal_stop(guard_daemon *d) {
    if (!recorder_alive(d)) {
        enqueue(d, GUARD_EV_EXITED, "no recorder running");
        return;
    }
    if (d->ladder) return; /* already on the ladder: a hung recorder must still reach SIGKILL */
    /* A replacement with a ready standby: the standby takes over from the positions the
     * recorder made durable, so its flush gains nothing, and a hung one would cost the whole
     * flush timeout. */
    if (d->fsm.state == GUARD_ST_RECOVERING && standby_on(d) && guard_standby_kill_at_once(standby_observe(d))) {
        ladder_step(d, 3);
        return;
    }
    ladder_step(d, 1);
}

static void act_escalate(guard_daemon *d) {
    if (!recorder_alive(d)) {
        enqueue(d, GUARD_EV_EXITED, "no recorder running");
        return;
    }
    if (d->ladder >= 3) {
        char why[128];
        snprintf(why, sizeof why, "recorder pid %d survives SIGKILL (uninterruptible sleep?)", (int)d->pid);
        emit_alert(d, "unkillable", why);
        ladder_step(d, 3);
        return;
    }
    ladder_step(d, d->ladder + 1);
}

/* ---- restart timer ------------------------------------------------------------------------ */

static int restart_fired(sd_event_source *s, uint64_t usec, void *ud) {
    (void)s;
    (void)usec;
    guard_daemon *d = ud;
    d->restart_timer = sd_event_source_disable_unref(d->restart_timer);
    feed(d, GUARD_EV_BACKOFF_ELAPSED, "backoff elapsed: restarting into a new segment", NULL);
    return 0;
}

static void act_schedule_restart(guard_daemon *d) {
    int64_t now = rg_time_mono_ns();
    int64_t delay = guard_policy_next(&d->policy, now, d->run_progressed);
    d->run_progressed = 0; /* a spawn failure that follows has no run behind it */
    if (delay == GUARD_POLICY_BUDGET_SPENT) {
        char why[160];
        snprintf(why, sizeof why, "restart budget spent: %u restarts within %.0f s, none of them recorded anything",
                 d->cfg->restart.budget_starts, (double)d->cfg->restart.budget_window_ns / 1e9);
        enqueue(d, GUARD_EV_BUDGET_SPENT, why);
        return;
    }
    d->restart_timer = sd_event_source_disable_unref(d->restart_timer);
    d->restart_at_mono = now + delay;
    /* A 0 delay still goes through the loop: the restart runs after this step is journaled. */
    sd_event_add_time_relative(d->ev, &d->restart_timer, CLOCK_MONOTONIC, (uint64_t)(delay / 1000),
                               GUARD_DAEMON_TIMER_ACCURACY_US, restart_fired, d);
    json_t *ev = event_new(d, "restart_scheduled");
    json_object_set_new(ev, "delay_s", json_real((double)delay / 1e9));
    emit(d, ev);
    json_decref(ev);
}

/* ---- the fsm step ------------------------------------------------------------------------- */

static void notify_status(guard_daemon *d) {
    sd_notifyf(0, "STATUS=%s%s%s", state_name(d->fsm.state), d->reason[0] ? ": " : "", d->reason);
}

static void run_actions(guard_daemon *d, const guard_fsm_step *st) {
    for (unsigned bit = 1; bit < (1u << GUARD_ACT__COUNT); bit <<= 1) {
        if (!(st->actions & bit)) continue;
        switch (bit) {
        case GUARD_ACT_CANCEL_RESTART:
            d->restart_timer = sd_event_source_disable_unref(d->restart_timer);
            break;
        case GUARD_ACT_SIGNAL_STOP: act_signal_stop(d); break;
        case GUARD_ACT_ESCALATE: act_escalate(d); break;
        case GUARD_ACT_RUN_POST_CRASH_HOOK: run_post_crash_hook(d); break;
        case GUARD_ACT_RESET_BUDGET: guard_policy_reset(&d->policy); break;
        case GUARD_ACT_SCHEDULE_RESTART: act_schedule_restart(d); break;
        case GUARD_ACT_SPAWN: act_spawn(d); break;
        case GUARD_ACT_ALERT: break; /* done in feed, with the transition's event object */
        default: assert(!"unknown action bit");
        }
    }
}

static void step_one(guard_daemon *d, guard_event e, const char *reason, guard_fsm_step *out) {
    guard_fsm_step st;
    guard_fsm_feed(&d->fsm, e, &st);
    if (out) *out = st;
    if (st.verdict != GUARD_FSM_ACCEPTED) return;
    if (e == GUARD_EV_BACKOFF_ELAPSED || e == GUARD_EV_PROMOTED) d->restarts++;
    const char *why = reason && reason[0] ? reason : st.why;
    if (st.to == GUARD_ST_STOPPING && st.from != GUARD_ST_STOPPING)
        copy_str(d->stop_cause, sizeof d->stop_cause, why);
    if (st.from == GUARD_ST_STOPPING && (st.to == GUARD_ST_IDLE || st.to == GUARD_ST_DISK_LOW) &&
        d->stop_cause[0])
        /* "disk nearly full ...; recorder pid 7 exited with status 0 after SIGINT": IDLE says
         * both why recording stopped and how the recorder ended. */
        snprintf(d->reason, sizeof d->reason, "%.120s; %.120s", d->stop_cause, why);
    else
        copy_str(d->reason, sizeof d->reason, why);
    if (st.from != st.to) d->state_since_real = rg_time_real_ns();
    if (st.to == GUARD_ST_DISK_LOW && st.from != GUARD_ST_DISK_LOW) {
        guard_health_sample ds = {.now_ns = rg_time_mono_ns()};
        sample_disk(d, &ds);
        d->pause_free = ds.disk_free_bytes;
    }
    if (st.to == GUARD_ST_IDLE && st.from != GUARD_ST_IDLE) {
        /* The session ends here: the next start opens a new bag. */
        d->session_open = 0;
    }
    json_t *ev = event_new(d, "transition");
    json_object_set_new(ev, "from", json_string(state_name(st.from)));
    json_object_set_new(ev, "trigger", json_string(guard_fsm_event_name(e)));
    json_object_set_new(ev, "reason", json_string(d->reason));
    if (reason && reason[0] && strcmp(reason, st.why) != 0) json_object_set_new(ev, "rule", json_string(st.why));
    if (d->segment[0]) json_object_set_new(ev, "segment", json_string(d->segment));
    if (d->pid) json_object_set_new(ev, "pid", json_integer(d->pid));
    if ((e == GUARD_EV_EXITED || e == GUARD_EV_CRASHED || e == GUARD_EV_PROMOTED) && d->last_exit)
        json_object_set(ev, "exit", d->last_exit);
    char acts[160];
    guard_fsm_actions_str(st.actions, acts, sizeof acts);
    if (acts[0]) json_object_set_new(ev, "actions", json_string(acts));
    if (st.actions & GUARD_ACT_ALERT) json_object_set_new(ev, "alert", json_true());
    emit(d, ev);
    if (st.actions & GUARD_ACT_ALERT) run_alert(d, guard_fsm_event_name(e), ev);
    json_decref(ev);
    run_actions(d, &st);
    if (st.to == GUARD_ST_IDLE && !d->session_open) guard_journal_set_bag(&d->journal, NULL, NULL, 0);
    standby_check(d);
    save_state(d);
    notify_status(d);
}

/* Feed an event and every follow-up its actions produce, in order. */
static void feed(guard_daemon *d, guard_event e, const char *reason, guard_fsm_step *out) {
    if (d->feeding) { /* an action's callback fed us: run it after the current step */
        assert(!out); /* only internal follow-ups arrive here; clients and signals never nest */
        enqueue(d, e, reason);
        return;
    }
    d->feeding = 1;
    step_one(d, e, reason, out);
    for (int i = 0; i < d->nqueue; i++) step_one(d, d->queue[i], d->queue_reason[i], NULL);
    d->nqueue = 0;
    d->feeding = 0;
    if (d->exiting && (d->fsm.state == GUARD_ST_IDLE || d->fsm.state == GUARD_ST_ERROR) &&
        !recorder_alive(d) && !d->sb.pid)
        sd_event_exit(d->ev, d->exit_code);
}

/* ---- health ------------------------------------------------------------------------------- */

static uint64_t output_size(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) return 0;
    if (!S_ISDIR(st.st_mode)) return (uint64_t)st.st_size;
    /* An external recorder may treat {segment} as a directory (ros2 bag record -o). */
    uint64_t sum = 0;
    DIR *dir = opendir(path);
    if (!dir) return 0;
    for (struct dirent *e; (e = readdir(dir));) {
        char p[PATH_MAX];
        if (e->d_name[0] == '.') continue;
        if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) >= (int)sizeof p) continue;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) sum += (uint64_t)st.st_size;
    }
    closedir(dir);
    return sum;
}

static void sample_disk(guard_daemon *d, guard_health_sample *s) {
    struct statvfs vfs;
    const char *path = d->session_open ? d->bag_dir : d->output_dir;
    if (rg_sys_statvfs(path, &vfs) == 0) {
        s->has_disk = 1;
        s->disk_free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
        s->disk_total_bytes = (uint64_t)vfs.f_blocks * vfs.f_frsize;
        d->disk_total = s->disk_total_bytes;
    }
}

static void health_line(guard_daemon *d, const guard_health_report *r, int64_t now);

/* The disk levels alone (a fresh history: no write rate, so no time-to-full). */
static void disk_levels(guard_daemon *d, const guard_health_sample *s, guard_health_report *r) {
    guard_health h;
    guard_health_init(&h, &d->hcfg, s->now_ns);
    guard_health_eval(&h, s, r);
    r->flags &= GUARD_HEALTH_DISK_WARN | GUARD_HEALTH_DISK_STOP;
}

/* Is the output disk too full to record on? Past the stop level, or short of the resume
 * minimum (which holds even with the stop levels off: restarting onto a disk a recorder
 * just filled would fill it again at once), or, for a pause, not `above` bytes free: space
 * must come back, or a pause that a time-to-full estimate began would end at the next check
 * and begin again a moment later. 1 or 0, with a sentence in why. */
static int disk_full_now(const guard_health_sample *s, const guard_health_report *r,
                         uint64_t above, char *why, size_t len) {
    char fb[32], mb[32];
    if (!s->has_disk) {
        snprintf(why, len, "disk space unknown (statvfs failed)");
        return 1;
    }
    uint64_t floor = s->disk_total_bytes / 100;
    if (floor < GUARD_DAEMON_DISK_RESUME_MIN) floor = GUARD_DAEMON_DISK_RESUME_MIN;
    if (floor > GUARD_DAEMON_DISK_RESUME_MAX) floor = GUARD_DAEMON_DISK_RESUME_MAX;
    uint64_t min = above > UINT64_MAX - floor ? UINT64_MAX : above + floor;
    guard_health_fmt_bytes(s->disk_free_bytes, fb, sizeof fb);
    if (r->flags & GUARD_HEALTH_DISK_STOP) {
        snprintf(why, len, "%s", r->nreasons ? r->reasons[0] : "disk past the stop level");
        return 1;
    }
    if (s->disk_free_bytes < min) {
        snprintf(why, len, "disk full: %s free, below %s", fb, guard_health_fmt_bytes(min, mb, sizeof mb));
        return 1;
    }
    snprintf(why, len, "disk space is back: %s free", fb);
    return 0;
}

/* The monitor's snapshot when it is alive and fresh: its topics count for `expect:` too. */
static int read_monitor(guard_daemon *d) {
    char path[PATH_MAX + 32], err[PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/%s", d->state_dir, GUARD_MONITOR_STATS);
    if (!d->msnap && !(d->msnap = calloc(1, sizeof *d->msnap))) return 0;
    if (rec_stats_read(path, d->msnap, err, sizeof err) < 0) return 0;
    return d->msnap->state == REC_STATS_RECORDING &&
           rg_time_mono_ns() - d->msnap->heartbeat_mono_ns < GUARD_DAEMON_STATS_FRESH_NS;
}

static void add_obs(guard_expect_obs *o, const rec_stats_snapshot *snap, int64_t now) {
    for (uint32_t i = 0; i < snap->ntopics; i++) {
        const rec_stats_topic *t = &snap->topics[i];
        o[i] = (guard_expect_obs){.name = t->name, .publishers = t->publishers, .messages = t->messages,
                                  .rate_hz = t->rate_hz,
                                  .age_s = t->last_recv_mono_ns ? (double)(now - t->last_recv_mono_ns) / 1e9 : -1};
        if (o[i].age_s < -1e-9 && t->last_recv_mono_ns) o[i].age_s = 0;
    }
}

/* 1 when `name` is an item of the comma-separated `list`. */
static int in_list(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
    return 0;
}

static void expect_events(guard_daemon *d, const guard_expect_report *rules);

/* Health from data: no data while publishers flow (critical: replace the recorder, like a
 * hang), and `expect:` breaches (warnings, journaled and alerted when the set changes). */
static void expect_tick(guard_daemon *d, guard_health_report *r, int64_t now) {
    int mon = d->cfg->expect.n > 0 && read_monitor(d);
    size_t n = d->snap->ntopics, nm = mon ? d->msnap->ntopics : 0;
    guard_expect_obs *o = calloc(n + nm + 1, sizeof *o);
    if (!o) return;
    add_obs(o, d->snap, now);
    if (mon) add_obs(o + n, d->msnap, now);
    int64_t window = n && d->snap->topics[0].window_ns ? d->snap->topics[0].window_ns : 4 * RG_NS_PER_S;
    guard_expect_report er;
    /* The no-data check looks at the recorder's topics only (n), rules at all of them. */
    guard_expect_eval(&d->expect, NULL, d->cfg->no_data_timeout_ns, window, o, n, now, &er);
    guard_expect_report rules;
    memset(&rules, 0, sizeof rules);
    guard_expect_check_rules(&d->cfg->expect, d->expect.start_ns, window, o, n + nm, now, &rules);
    free(o);
    if (er.no_data) {
        r->flags |= GUARD_HEALTH_NO_DATA;
        r->verdict = GUARD_HEALTH_CRITICAL;
        memmove(r->reasons[1], r->reasons[0], sizeof r->reasons[0] * (GUARD_HEALTH_MAX_REASONS - 1));
        snprintf(r->reasons[0], sizeof r->reasons[0], "%s", er.no_data_reason);
        if (r->nreasons < GUARD_HEALTH_MAX_REASONS) r->nreasons++;
    }
    for (unsigned i = 0; i < rules.nreasons && r->nreasons < GUARD_HEALTH_MAX_REASONS; i++)
        snprintf(r->reasons[r->nreasons++], sizeof r->reasons[0], "%s", rules.reasons[i]);
    if (rules.nreasons) {
        r->flags |= GUARD_HEALTH_EXPECT;
        if (r->verdict == GUARD_HEALTH_OK) r->verdict = GUARD_HEALTH_WARNING;
    }
    expect_events(d, &rules);
}

/* The set of breaching topics changed: an alert per topic newly in breach, a journal line for
 * those back within their rules. */
static void expect_events(guard_daemon *d, const guard_expect_report *rules) {
    char topics[sizeof d->expect_topics] = "";
    for (unsigned i = 0; i < rules->nreasons; i++)
        snprintf(topics + strlen(topics), sizeof topics - strlen(topics), "%s%s", i ? "," : "", rules->topics[i]);
    if (strcmp(topics, d->expect_topics) == 0) return;
    for (unsigned i = 0; i < rules->nreasons; i++)
        if (!in_list(d->expect_topics, rules->topics[i])) emit_alert(d, "expect", rules->reasons[i]);
    char cleared[sizeof d->expect_topics] = "";
    for (char *save = NULL, *tok = strtok_r(d->expect_topics, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (!in_list(topics, tok))
            snprintf(cleared + strlen(cleared), sizeof cleared - strlen(cleared), "%s%s", cleared[0] ? ", " : "", tok);
    if (cleared[0]) {
        json_t *ev = event_new(d, "expect_cleared");
        char why[sizeof cleared + 40];
        snprintf(why, sizeof why, "%s back within the expected rate", cleared);
        json_object_set_new(ev, "reason", json_string(why));
        emit(d, ev);
        json_decref(ev);
    }
    snprintf(d->expect_topics, sizeof d->expect_topics, "%s", topics);
}

/* The recorder's pause state from its stats: resend what is asked until it shows, follow a
 * change made around the daemon (SIGUSR2 by hand), and journal each change. A resume starts
 * the data health afresh: the silence of a pause was no failure. */
static void pause_tick(guard_daemon *d, int64_t now) {
    int paused = d->snap->paused != 0;
    if (d->want_paused < 0) pause_want(d, paused);
    if (paused != d->want_paused) {
        if (d->pause_pending) {
            pause_signal(d);
            return;
        }
        pause_want(d, paused);
        snprintf(d->pause_reason, sizeof d->pause_reason, "the recorder was %s around the daemon (SIGUSR2)",
                 paused ? "paused" : "resumed");
    }
    d->pause_pending = 0;
    int was = d->rec_paused;
    d->rec_paused = paused;
    if (was == paused || (was < 0 && !paused)) {
        d->pause_reason[0] = '\0'; /* asked for the state it was in: nothing to journal */
        return;
    }
    if (!paused) guard_expect_init(&d->expect, now);
    const char *why = d->pause_reason[0] ? d->pause_reason
                      : d->adopted       ? "the re-adopted recorder is paused"
                                         : "record.start_paused: the recorder starts paused";
    json_t *ev = event_new(d, paused ? "paused" : "resumed");
    json_object_set_new(ev, "pid", json_integer(d->pid));
    json_object_set_new(ev, "segment", json_string(d->segment));
    json_object_set_new(ev, "reason", json_string(why));
    emit(d, ev);
    json_decref(ev);
    d->pause_reason[0] = '\0';
}

/* The recorder's /proc figures: memory and CPU of its whole tree (a wrapper's children are the
 * recorder too), the leader's state and CPU from the same walk. Each /proc file is read once
 * per check: the tick is most of what the daemon costs when idle. */
static void sample_proc(guard_daemon *d, guard_health_sample *s, int64_t now) {
    guard_tree_sum sum;
    int have_sum = 0;
    int64_t every = now - d->rec_start_mono;
    if (every > GUARD_DAEMON_TREE_RESCAN_NS) every = GUARD_DAEMON_TREE_RESCAN_NS;
    if (d->cgroup[0] || !d->tree_scan_mono || now - d->tree_scan_mono >= every) {
        /* a cgroup is read whole at every check: it costs a few reads, not a scan */
        have_sum = tree_walk(d, 0, &sum, d->tree, GUARD_DAEMON_TREE_MAX, &d->ntree) == 0;
        d->tree_scan_mono = now;
    } else {
        guard_tree_measure(d->tree, d->ntree, d->pid, &sum);
        have_sum = 1;
    }
    guard_proc_stat ps;
    if (have_sum && sum.has_leader) ps = sum.leader;
    else if (guard_proc_read_stat(d->pid, &ps) < 0) return;
    s->has_proc = 1;
    s->state = ps.state;
    s->cpu_ns = guard_proc_cpu_ns(&ps);
    /* RSS from stat, the same counter as status's VmRSS: one /proc file less per tick
     * (status is the costliest to generate). */
    s->has_rss = ps.state != 'Z';
    s->rss_bytes = ps.rss_pages * d->page_size;
    guard_proc_io io;
    if (guard_proc_read_io(d->pid, &io) == 0) {
        s->has_io = 1;
        s->write_bytes = io.write_bytes;
    }
    if (have_sum && sum.procs > 0) {
        s->has_rss = 1;
        s->rss_bytes = sum.rss_bytes;
        s->cpu_ns = sum.cpu_ns;
        d->tree_procs = sum.procs;
    }
}

static int health_tick(sd_event_source *src, uint64_t usec, void *ud) {
    guard_daemon *d = ud;
    int64_t now = rg_time_mono_ns();
    sd_event_source_set_time(src, usec + (uint64_t)(d->cfg->check_interval_ns / 1000));
    if (d->ctl) guard_ctl_sweep(d->ctl, now);
    guard_health_sample s;
    memset(&s, 0, sizeof s);
    s.now_ns = now;
    sample_disk(d, &s);
    pid_t keep[GUARD_DAEMON_MAX_AUX + 2];
    size_t nkeep = aux_pids(d, keep);
    if (d->pid) keep[nkeep++] = d->pid;
    guard_tree_reap_orphans(keep, nkeep);
    standby_check(d);
    if (!recorder_alive(d) || d->exit_pending) {
        /* No recorder: keep the disk figures fresh for status; a pause for disk space ends
         * here when the space is back. */
        guard_health_report r;
        disk_levels(d, &s, &r);
        d->report = r;
        d->have_report = 1;
        char why[160];
        if (d->fsm.state == GUARD_ST_DISK_LOW && !disk_full_now(&s, &r, d->pause_free, why, sizeof why))
            feed(d, GUARD_EV_DISK_OK, why, NULL);
        return 0;
    }
    sample_proc(d, &s, now);
    s.has_output = 1;
    s.output_bytes = output_size(d->segment);
    if (d->builtin) {
        d->have_snap = read_snap(d, d->pid);
        if (d->have_snap) {
            s.has_heartbeat = 1;
            s.heartbeat = (uint64_t)d->snap->heartbeat_mono_ns;
            follow_segment(d, d->snap);
            pause_tick(d, now);
            /* Every segment of this run: a split starts a small file, which is progress. */
            s.output_bytes = d->snap->bytes_written;
        }
    }
    guard_health_report r;
    guard_health_eval(&d->health, &s, &r);
    if (d->have_snap && !d->snap->paused) expect_tick(d, &r, now); /* paused: no data on purpose */
    guard_health_verdict old = d->have_report ? d->report.verdict : GUARD_HEALTH_OK;
    d->report = r;
    d->have_report = 1;
    health_line(d, &r, now);
    if (r.verdict != old) notify_status(d);
    if (r.flags & GUARD_HEALTH_PROGRESS) feed(d, GUARD_EV_READY, "recorder making progress", NULL);
    if (r.flags & GUARD_HEALTH_DISK_STOP)
        feed(d, GUARD_EV_DISK_LOW, r.nreasons ? r.reasons[0] : "disk nearly full", NULL);
    else if (r.flags & GUARD_HEALTH_RESTART_MASK)
        feed(d, GUARD_EV_UNHEALTHY, r.nreasons ? r.reasons[0] : "recorder unhealthy", NULL);
    return 0;
}

static json_t *health_json(const guard_daemon *d) {
    json_t *h = json_object();
    json_t *reasons = json_array();
    const char *verdict = "ok";
    if (d->fsm.state == GUARD_ST_ERROR || d->fsm.state == GUARD_ST_DISK_LOW) {
        verdict = "critical";
        json_array_append_new(reasons, json_string(d->reason));
    } else if (d->have_report) {
        verdict = guard_health_verdict_name(d->report.verdict);
        for (unsigned i = 0; i < d->report.nreasons; i++)
            json_array_append_new(reasons, json_string(d->report.reasons[i]));
    }
    json_object_set_new(h, "verdict", json_string(verdict));
    json_object_set_new(h, "reasons", reasons);
    if (d->have_report && recorder_alive(d)) {
        json_t *flags = json_array();
        for (unsigned b = 1; b <= GUARD_HEALTH_EXPECT; b <<= 1)
            if (d->report.flags & b) json_array_append_new(flags, json_string(guard_health_flag_name(b)));
        json_object_set_new(h, "flags", flags);
        json_object_set_new(h, "rss_bytes", json_integer((json_int_t)d->report.rss_bytes));
        json_object_set_new(h, "processes", json_integer((json_int_t)d->tree_procs));
        json_object_set_new(h, "cgroup", d->cgroup[0] ? json_string(d->cgroup) : json_null());
        json_object_set_new(h, "cpu_pct", json_real(d->report.cpu_pct));
        json_object_set_new(h, "output_bytes", json_integer((json_int_t)d->health.prev.output_bytes));
        json_object_set_new(h, "since_progress_s", json_real((double)d->report.since_progress_ns / 1e9));
    }
    return h;
}

static void health_line(guard_daemon *d, const guard_health_report *r, int64_t now) {
    const char *v = guard_health_verdict_name(r->verdict);
    if (!guard_journal_health_due(d->logged_verdict[0] ? d->logged_verdict : NULL,
                                  d->logged_health_ns, v, now))
        return;
    int changed = strcmp(d->logged_verdict, v) != 0;
    snprintf(d->logged_verdict, sizeof d->logged_verdict, "%s", v);
    d->logged_health_ns = now;
    json_t *ev = event_new(d, "health");
    json_object_set_new(ev, "verdict", json_string(v));
    json_t *h = health_json(d);
    json_object_set(ev, "reasons", json_object_get(h, "reasons"));
    json_object_set_new(ev, "health", h);
    if (r->disk_free_bytes) json_object_set_new(ev, "disk_free_bytes", json_integer((json_int_t)r->disk_free_bytes));
    if (changed && r->verdict != GUARD_HEALTH_OK) {
        json_t *rs = json_object_get(ev, "reasons");
        const char *first = json_string_value(json_array_get(rs, 0));
        json_object_set_new(ev, "reason", json_string(first ? first : v));
    }
    emit(d, ev);
    if (r->verdict != GUARD_HEALTH_OK && (d->cfg->alert_events & GUARD_CONFIG_ALERT_WARNINGS)) run_alert(d, "health", ev);
    json_decref(ev);
}

/* ---- status ------------------------------------------------------------------------------- */

/* What the expect: rules ask of each topic's rate (guard_expect_min_rate), for the topics the
 * recorder or the monitor last reported and for rules naming one topic: shown beside the rate by
 * the dashboard and /metrics all the time, not only while a topic breaks its rule. */
static json_t *expected_rates_json(const guard_daemon *d) {
    json_t *o = json_object();
    const guard_expect_rules *r = &d->cfg->expect;
    for (size_t i = 0; i < r->n; i++)
        if (!r->v[i].is_re && r->v[i].min_rate > 0)
            json_object_set_new(o, r->v[i].topic, json_real(guard_expect_min_rate(r, r->v[i].topic)));
    const rec_stats_snapshot *snaps[] = {d->have_snap ? d->snap : NULL, r->n ? d->msnap : NULL};
    for (size_t k = 0; k < 2; k++) {
        const rec_stats_snapshot *s = snaps[k];
        uint32_t n = s ? (s->ntopics < REC_STATS_MAX_TOPICS ? s->ntopics : REC_STATS_MAX_TOPICS) : 0;
        for (uint32_t i = 0; i < n; i++) {
            char name[sizeof s->topics[i].name + 1];
            snprintf(name, sizeof name, "%.*s", (int)sizeof s->topics[i].name, s->topics[i].name);
            double hz = guard_expect_min_rate(r, name);
            if (hz > 0) json_object_set_new(o, name, json_real(hz));
        }
    }
    return o;
}

static json_t *status_json(guard_daemon *d) {
    char iso[RG_TIME_ISO_LEN];
    json_t *st = json_object();
    json_object_set_new(st, "state", json_string(state_name(d->fsm.state)));
    json_object_set_new(st, "since", json_string(rg_time_iso(d->state_since_real, iso)));
    json_object_set_new(st, "reason", json_string(d->reason));
    json_object_set_new(st, "pid", json_integer(d->pid));
    json_object_set_new(st, "adopted", json_boolean(d->adopted));
    json_object_set_new(st, "uptime_s", json_real(d->pid ? (double)(rg_time_mono_ns() - d->rec_start_mono) / 1e9 : 0));
    json_object_set_new(st, "segment", json_string(d->pid || d->session_open ? d->segment : ""));
    json_object_set_new(st, "segment_index", json_integer(d->seg_index));
    json_object_set_new(st, "bag_dir", json_string(d->session_open ? d->bag_dir : ""));
    json_object_set_new(st, "restarts", json_integer(d->restarts));
    json_object_set_new(st, "restarts_total", json_integer(d->policy.restarts_total));
    json_object_set_new(st, "health", health_json(d));
    json_object_set_new(st, "expected_rates", expected_rates_json(d));
    /* What the recorder says while it runs and has said it, else what the next one will do. */
    int paused = recorder_alive(d) && d->rec_paused >= 0 ? d->rec_paused : d->want_paused > 0;
    json_object_set_new(st, "paused", json_boolean(d->builtin && paused));
    if (d->have_snap && recorder_alive(d)) {
        /* What the recorder received and what it lost, by where (see rec_stats.h). */
        const rec_stats_snapshot *sn = d->snap;
        json_object_set_new(st, "data", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "topics",
            (json_int_t)(sn->ntopics + sn->overflow_topics), "messages_received",
            (json_int_t)sn->messages_received, "messages_written", (json_int_t)sn->messages_written,
            "drops", (json_int_t)sn->drops, "lost", (json_int_t)sn->lost, "rejected",
            (json_int_t)sn->rejected, "untracked_topics", (json_int_t)sn->untracked_topics,
            "snapshots", (json_int_t)sn->snapshots));
    }
    json_object_set_new(st, "priority", d->have_prio ? guard_prio_report_json(&d->prio) : json_null());
    if (d->have_report && d->report.disk_used_pct >= 0) {
        json_t *disk = json_pack("{s:s, s:I, s:I, s:f}", "path",
                                 d->session_open ? d->bag_dir : d->output_dir, "free_bytes",
                                 (json_int_t)d->report.disk_free_bytes, "total_bytes",
                                 (json_int_t)d->disk_total,
                                 "used_pct", d->report.disk_used_pct);
        json_object_set_new(disk, "write_rate_bps", json_real(d->report.write_rate_bps));
        json_object_set_new(disk, "time_to_full_s", json_real(d->report.ttf_ns >= 0 ? (double)d->report.ttf_ns / 1e9 : -1));
        json_object_set_new(st, "disk", disk);
    }
    if (d->ladder) json_object_set_new(st, "stop_step", json_string(ladder_name(d->ladder)));
    if (d->stop_cause[0]) json_object_set_new(st, "stop_cause", json_string(d->stop_cause));
    if (d->fsm.state == GUARD_ST_RECOVERING && d->restart_timer)
        json_object_set_new(st, "next_restart_in_s", json_real((double)(d->restart_at_mono - rg_time_mono_ns()) / 1e9));
    if (d->fsm.state == GUARD_ST_ERROR) json_object_set_new(st, "error", json_string(d->reason));
    json_object_set_new(st, "last_exit", d->last_exit ? json_incref(d->last_exit) : json_null());
    json_t *argv = json_array();
    for (char **a = d->rec_argv; *a; a++) json_array_append_new(argv, json_string(*a));
    json_object_set_new(st, "recorder", json_pack("{s:o, s:b}", "argv", argv, "builtin", d->builtin));
    json_object_set_new(st, "daemon_pid", json_integer(getpid()));
    json_object_set_new(st, "standby", standby_json(d));
    pid_t mp = guard_helper_pid(d->monitor);
    json_object_set_new(st, "monitor", d->monitor ? json_pack("{s:i}", "pid", (int)mp) : json_null());
    json_object_set_new(st, "state_dir", json_string(d->state_dir));
    json_object_set_new(st, "output", json_string(d->output_dir));
    json_object_set_new(st, "stats_path", json_string(d->builtin ? d->stats_path : ""));
    json_object_set_new(st, "socket", json_string(d->cfg->socket_path));
    json_object_set_new(st, "journal_errno", json_integer(d->journal.last_errno));
    if (d->ctl) {
        json_object_set_new(st, "clients", json_integer(guard_ctl_clients(d->ctl)));
        json_object_set_new(st, "clients_dropped", json_integer((json_int_t)guard_ctl_dropped(d->ctl)));
    }
    return st;
}

/* ---- control requests --------------------------------------------------------------------- */

/* `snapshot`: the built-in recorder in snapshot mode writes what it holds on SIGUSR1; no state
 * changes (a split would restart the recorder and lose the ring). */
static json_t *snapshot_request(guard_daemon *d, const guard_ctl_req *req) {
    const char *why = NULL;
    if (!d->builtin || !guard_record_snapshot(&d->cfg->record))
        why = "snapshot: the built-in recorder is not in snapshot mode (record: {snapshot_mode: true})";
    else if (d->fsm.state != GUARD_ST_RECORDING || d->pidfd < 0)
        why = "snapshot: no recorder is recording";
    else if (guard_spawn_signal(d->pidfd, SIGUSR1) < 0)
        why = "snapshot: the recorder could not be signalled";
    if (why) return json_pack("{s:b, s:s, s:s}", "ok", 0, "error", why, "state", state_name(d->fsm.state));
    json_t *ev = event_new(d, "snapshot");
    json_object_set_new(ev, "segment", json_string(d->segment));
    json_object_set_new(ev, "reason", json_string(req->reason[0] ? req->reason : "operator: snapshot"));
    emit(d, ev);
    json_decref(ev);
    return json_pack("{s:b, s:s, s:s}", "ok", 1, "state", state_name(d->fsm.state), "message",
                     "snapshot requested: the recorder writes what it holds into its segment");
}

/* `pause` / `resume`: the built-in recorder is kept in the asked state (the signal is resent
 * until its stats show it, the next recorder starts in it); the paused/resumed event follows
 * from the stats. "done": the recorder is in that state already. */
static json_t *pause_request(guard_daemon *d, const guard_ctl_req *req) {
    int paused = req->cmd == GUARD_CTL_PAUSE;
    const char *verb = guard_ctl_cmd_name(req->cmd);
    char why[768];
    if (!d->builtin) {
        snprintf(why, sizeof why, "%s: only recguard's built-in recorder can be paused and resumed; the "
                 "guarded recorder is another program. ros2 bag record has its own services for it, "
                 "which recguard does not call: ros2 service call /rosbag2_recorder/%s "
                 "rosbag2_interfaces/srv/%s (and --start-paused on its command line)", verb, verb,
                 paused ? "Pause" : "Resume");
        return json_pack("{s:b, s:s, s:s}", "ok", 0, "error", why, "state", state_name(d->fsm.state));
    }
    if (d->fsm.state == GUARD_ST_IDLE || d->fsm.state == GUARD_ST_ERROR) {
        snprintf(why, sizeof why, "%s: not recording (%s); `recguard start` records, paused from the "
                 "start with record: {start_paused: true}", verb, state_name(d->fsm.state));
        return json_pack("{s:b, s:s, s:s}", "ok", 0, "error", why, "state", state_name(d->fsm.state));
    }
    int done = d->pidfd >= 0 && d->have_snap && d->rec_paused == paused;
    pause_want(d, paused);
    d->pause_pending = 1;
    snprintf(d->pause_reason, sizeof d->pause_reason, "operator: %s%s%s", verb, req->reason[0] ? ": " : "",
             req->reason);
    pause_signal(d);
    if (done) snprintf(why, sizeof why, "already %s", paused ? "paused" : "recording (not paused)");
    else if (d->pidfd >= 0 && d->have_snap)
        snprintf(why, sizeof why, "%s requested: recorder pid %d %s", verb, (int)d->pid,
                 paused ? "stops writing" : "writes again");
    else
        snprintf(why, sizeof why, "%s requested: the next recorder starts %s", verb,
                 paused ? "paused" : "recording");
    return json_pack("{s:b, s:s, s:b, s:b, s:s}", "ok", 1, "state", state_name(d->fsm.state), "paused",
                     paused, "done", done, "message", why);
}

static void on_request(void *ud, guard_ctl_client *c, const guard_ctl_req *req) {
    guard_daemon *d = ud;
    json_t *r = NULL;
    guard_event e;
    switch (req->cmd) {
    case GUARD_CTL_STATUS:
        r = json_pack("{s:b, s:o}", "ok", 1, "status", status_json(d));
        break;
    case GUARD_CTL_WATCH:
        r = json_pack("{s:b, s:b, s:o}", "ok", 1, "watching", 1, "status", status_json(d));
        break;
    case GUARD_CTL_SNAPSHOT:
        r = snapshot_request(d, req);
        break;
    case GUARD_CTL_PAUSE:
    case GUARD_CTL_RESUME:
        r = pause_request(d, req);
        break;
    case GUARD_CTL_START:
    case GUARD_CTL_STOP:
    case GUARD_CTL_SPLIT: {
        e = req->cmd == GUARD_CTL_START ? GUARD_EV_START : req->cmd == GUARD_CTL_STOP ? GUARD_EV_STOP : GUARD_EV_SPLIT;
        char why[GUARD_CTL_REASON_MAX + 32];
        snprintf(why, sizeof why, "operator: %s%s%s", guard_ctl_cmd_name(req->cmd),
                 req->reason[0] ? ": " : "", req->reason);
        guard_fsm_step st;
        feed(d, e, why, &st);
        if (st.verdict == GUARD_FSM_ACCEPTED)
            r = json_pack("{s:b, s:s, s:s}", "ok", 1, "state", state_name(d->fsm.state), "message", st.why);
        else
            r = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", st.why, "state", state_name(d->fsm.state));
        break;
    }
    }
    if (r) guard_ctl_reply(c, req, r);
    json_decref(r);
}

/* ---- signals, setup, run ------------------------------------------------------------------ */

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *ud) {
    (void)s;
    guard_daemon *d = ud;
    char why[96];
    if (si->ssi_signo == SIGQUIT) {
        /* Leave the recorder running for the next daemon, exactly as after a crash. */
        sd_event_exit(d->ev, 0);
        return 0;
    }
    if (d->exiting) return 0; /* the stop ladder is already under way */
    d->exiting = 1;
    snprintf(why, sizeof why, "daemon received %s: stopping recording", signame((int)si->ssi_signo));
    sd_notify(0, "STOPPING=1");
    if (d->fsm.state == GUARD_ST_IDLE || d->fsm.state == GUARD_ST_ERROR) {
        sd_event_exit(d->ev, d->exit_code);
        return 0;
    }
    guard_fsm_step st;
    feed(d, GUARD_EV_STOP, why, &st);
    if (st.verdict != GUARD_FSM_ACCEPTED) sd_event_exit(d->ev, d->exit_code); /* nothing to stop */
    return 0;
}

static int find_self(guard_daemon *d, char *err, size_t errlen) {
    if (d->opts.self_exe) {
        snprintf(d->self_exe, sizeof d->self_exe, "%s", d->opts.self_exe);
        return 0;
    }
    ssize_t n = readlink("/proc/self/exe", d->self_exe, sizeof d->self_exe - 1);
    if (n < 0) {
        snprintf(err, errlen, "readlink(/proc/self/exe): %s", strerror(errno));
        return -errno;
    }
    d->self_exe[n] = '\0';
    return 0;
}

static char **argv_dup(char *const *src) {
    size_t n = 0;
    while (src[n]) n++;
    char **v = calloc(n + 1, sizeof *v);
    for (size_t i = 0; v && i < n; i++) v[i] = strdup(src[i]);
    return v;
}

/* The built-in recorder's argv: base, then the `record:` options. NULL on ENOMEM. */
static char **argv_with_record(char *const *base, const guard_record *r) {
    char **frag;
    size_t nf, nb = 0;
    if (guard_record_argv(r, &frag, &nf) < 0) return NULL;
    while (base[nb]) nb++;
    char **v = calloc(nb + nf + 1, sizeof *v);
    for (size_t i = 0; v && i < nb; i++) v[i] = strdup(base[i]);
    for (size_t i = 0; v && i < nf; i++) v[nb + i] = frag[i];
    if (!v) {
        for (size_t i = 0; i < nf; i++) free(frag[i]);
    }
    free(frag);
    return v;
}

/* `web:` in the config: the dashboard server as a helper child, a client of our own socket. */
static int start_web(guard_daemon *d, char *err, size_t errlen) {
    const guard_config *c = d->cfg;
    char log[PATH_MAX + 16];
    snprintf(log, sizeof log, "%s/web.log", d->state_dir);
    char parent[16];
    snprintf(parent, sizeof parent, "%d", (int)getpid());
    char *argv[] = {d->self_exe, "web", "--listen", c->web_listen, "--socket", c->socket_path, "--parent", parent,
                    c->web_token_file ? "--token-file" : NULL, c->web_token_file, NULL};
    guard_helper_opts o = {.argv = argv, .log_path = log, .what = "dashboard (recguard web)"};
    return guard_helper_start(d->ev, &o, &d->web, err, errlen);
}

static void argv_free(char **v) {
    for (size_t i = 0; v && v[i]; i++) free(v[i]);
    free(v);
}

static int setup(guard_daemon *d, char *err, size_t errlen) {
    const guard_config *c = d->cfg;
    int rc;
    const char *sd = c->state_dir ? c->state_dir : c->output_dir;
    if ((rc = rg_fs_mkdir_p(sd, 0755, err, errlen)) < 0) return rc;
    if ((rc = rg_fs_mkdir_p(c->output_dir, 0755, err, errlen)) < 0) return rc;
    /* Absolute paths: the recorder, hooks and clients do not share the daemon's cwd. */
    if (!realpath(sd, d->state_dir) || !realpath(c->output_dir, d->output_dir)) {
        rc = -errno;
        snprintf(err, errlen, "realpath(%s): %s", c->output_dir, strerror(errno));
        return rc;
    }
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/%s", d->state_dir, GUARD_STATE_LOCK);
    if ((d->lock_fd = guard_state_lock(p, err, errlen)) < 0) return d->lock_fd;
    if (snprintf(d->state_path, sizeof d->state_path, "%s/%s", d->state_dir, GUARD_STATE_FILE) >=
            (int)sizeof d->state_path ||
        snprintf(d->stats_path, sizeof d->stats_path, "%s/%s", d->state_dir, GUARD_DAEMON_STATS) >=
            (int)sizeof d->stats_path ||
        /* room for the longest name the daemon puts there: positions.<pid>.<n> */
        strlen(d->state_dir) + 64 >= PATH_MAX) {
        snprintf(err, errlen, "state_dir(%s): path too long", d->state_dir);
        return -ENAMETOOLONG;
    }
    snprintf(p, sizeof p, "%s/%s", d->state_dir, GUARD_DAEMON_JOURNAL);
    if ((rc = guard_journal_open(&d->journal, p, err, errlen)) < 0) return rc;
    if ((rc = find_self(d, err, errlen)) < 0) return rc;
    long page = sysconf(_SC_PAGESIZE);
    d->page_size = page > 0 ? (uint64_t)page : 4096;
    if (c->recorder_argv) {
        d->rec_argv = argv_dup(c->recorder_argv);
        d->hook_argv = c->post_crash_hook_argv ? argv_dup(c->post_crash_hook_argv) : NULL;
    } else {
        char lease[32];
        snprintf(lease, sizeof lease, "%lld", (long long)(c->lease_duration_ns / 1000000));
        /* `-a` is also what `recguard hz/topics/monitor` leave alone (cli_topics.c,
         * recorder_filter): change both together. */
        /* With a standby, --stats alternates between the recorder and its standby and
         * --positions is added at each spawn (run_argv). */
        char *rec[] = {d->self_exe, "record", "-a", "-o", GUARD_SPAWN_SEGMENT, "--stats", d->stats_path,
                       "--lease", lease, "--max-chunk-age", GUARD_DAEMON_CHUNK_AGE_MS, NULL};
        char *hook[] = {d->self_exe, "recover", GUARD_SPAWN_SEGMENT, NULL};
        /* `record:` selects topics itself, or -a stays the default. */
        if (guard_record_selects(&c->record))
            memmove(&rec[2], &rec[3], (sizeof rec / sizeof rec[0] - 3) * sizeof rec[0]);
        d->rec_argv = argv_with_record(rec, &c->record);
        d->hook_argv = argv_dup(c->post_crash_hook_argv ? c->post_crash_hook_argv : hook);
        d->builtin = 1;
    }
    if (!d->rec_argv) return -ENOMEM;
    guard_config_health_cfg(c, guard_config_mem_total(), &d->hcfg);
    guard_policy_init(&d->policy, &c->restart);
    guard_alertlim_init(&d->alertlim);
    char perr[256];
    if (guard_prio_plan_init(&d->plan, &c->priority, &d->prio, perr, sizeof perr) == 0) d->plan_ok = 1;
    else fprintf(stderr, "recguard daemon: priority not applied: %s\n", perr);

    if ((rc = sd_event_new(&d->ev)) < 0) {
        snprintf(err, errlen, "sd_event_new: %s", strerror(-rc));
        return rc;
    }
    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGINT);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGQUIT);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN); /* a closing terminal must not take the daemon down */
    /* Orphans of the recorder's tree (a child that double-forked) become our children, not
     * init's, so they stay in reach of stop and kill (guard_tree). */
    guard_tree_cgroup_sweep(GUARD_DAEMON_RUN_CGROUP);
    if ((rc = guard_tree_subreaper()) < 0)
        fprintf(stderr, "recguard daemon: PR_SET_CHILD_SUBREAPER: %s (escaped recorder children "
                        "are found only in its session)\n", strerror(-rc));
    sd_event_add_signal(d->ev, NULL, SIGINT, on_signal, d);
    sd_event_add_signal(d->ev, NULL, SIGTERM, on_signal, d);
    sd_event_add_signal(d->ev, NULL, SIGQUIT, on_signal, d);
    /* WATCHDOG=1 pings at half of WATCHDOG_USEC when systemd asks for them (no-op otherwise). */
    sd_event_set_watchdog(d->ev, 1);
    if ((rc = guard_ctl_server_open(d->ev, c->socket_path, on_request, d, &d->ctl, err, errlen)) < 0)
        return rc;
    if (c->web_listen && (rc = start_web(d, err, errlen)) < 0) return rc;
    rc = sd_event_add_time_relative(d->ev, &d->health_timer, CLOCK_MONOTONIC,
                                    (uint64_t)(c->check_interval_ns / 1000),
                                    GUARD_DAEMON_TIMER_ACCURACY_US, health_tick, d);
    if (rc < 0) {
        snprintf(err, errlen, "health timer: %s", strerror(-rc));
        return rc;
    }
    sd_event_source_set_enabled(d->health_timer, SD_EVENT_ON);
    return 0;
}

/* The monitor child's news (ended, restarting, could not start): a journal line. */
static void monitor_event(void *ctx, const char *what) {
    guard_daemon *d = ctx;
    json_t *ev = event_new(d, "monitor");
    json_object_set_new(ev, "reason", json_string(what));
    emit(d, ev);
    json_decref(ev);
}

int guard_daemon_run(const guard_config *cfg, const guard_daemon_opts *opts, char *err,
                     size_t errlen) {
    guard_daemon *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "daemon: out of memory");
        return 1;
    }
    d->cfg = cfg;
    d->opts = *opts;
    d->lock_fd = d->pidfd = d->log_fd = -1;
    d->sb.pidfd = d->sb.log_fd = -1;
    d->seg_index = -1;
    d->want_paused = guard_record_start_paused(&cfg->record);
    d->rec_paused = -1;
    for (int i = 0; i < GUARD_DAEMON_MAX_AUX; i++) d->aux[i].pidfd = -1;
    guard_journal_init(&d->journal);
    guard_fsm_init(&d->fsm);
    d->state_since_real = rg_time_real_ns();
    int code = 1;
    if (setup(d, err, errlen) < 0) goto out;

    json_t *ev = event_new(d, "daemon_start");
    char why[PATH_MAX + 64];
    snprintf(why, sizeof why, "recguard daemon pid %d on %s", (int)getpid(), cfg->socket_path);
    json_object_set_new(ev, "reason", json_string(why));
    json_object_set_new(ev, "config", guard_config_json(cfg));
    emit(d, ev);
    json_decref(ev);
    if (!try_adopt(d) && !opts->idle) {
        feed(d, GUARD_EV_START, "daemon start", NULL);
    } else if (d->fsm.state == GUARD_ST_IDLE) {
        if (!d->reason[0]) copy_str(d->reason, sizeof d->reason, "waiting for `recguard start` (--idle)");
        save_state(d);
    }
    if (cfg->monitor_enabled && d->builtin &&
        guard_monitor_start(&d->monitor, d->ev, d->self_exe, d->state_dir, cfg->socket_path,
                            cfg->priority.cpus, monitor_event, d, err, errlen) < 0)
        goto out;
    sd_notify(0, "READY=1");
    notify_status(d);
    int rc = sd_event_loop(d->ev);
    code = rc < 0 ? 1 : rc;
    ev = event_new(d, "daemon_exit");
    json_object_set_new(ev, "reason", json_string(recorder_alive(d) ? "recorder left running for re-adoption"
                                                                     : "clean exit"));
    if (d->pid) json_object_set_new(ev, "pid", json_integer(d->pid));
    emit(d, ev);
    json_decref(ev);
out:
    guard_helper_stop(d->web);
    guard_helper_stop(d->monitor);
    guard_ctl_server_close(d->ctl);
    for (int i = 0; i < GUARD_DAEMON_MAX_AUX; i++)
        if (d->aux[i].used) aux_free(&d->aux[i]); /* alert/hook children finish on their own */
    d->pid_io = sd_event_source_disable_unref(d->pid_io);
    if (d->pidfd >= 0) close(d->pidfd);
    if (d->log_fd >= 0) close(d->log_fd);
    sd_event_source_disable_unref(d->ladder_timer);
    sd_event_source_disable_unref(d->restart_timer);
    sd_event_source_disable_unref(d->health_timer);
    sd_event_source_disable_unref(d->tree_timer);
    standby_final(d);
    sd_event_source_disable_unref(d->sb_timer);
    rec_stats_reader_close(d->stats);
    free(d->snap);
    free(d->msnap);
    guard_expect_fini(&d->expect);
    json_decref(d->last_exit);
    if (d->plan_ok) guard_prio_plan_free(&d->plan);
    sd_event_unref(d->ev);
    guard_journal_close(&d->journal);
    if (d->lock_fd >= 0) close(d->lock_fd);
    argv_free(d->rec_argv);
    argv_free(d->hook_argv);
    free(d);
    return code;
}
