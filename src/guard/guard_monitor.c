/* guard_monitor — see guard_monitor.h. */
#include "guard/guard_monitor.h"

#include "common/rg_time.h"
#include "guard/guard_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

struct guard_monitor {
    sd_event *ev;               /* the daemon's loop */
    char *argv[12];             /* monitor argv (strings below or literals) */
    char stats[PATH_MAX];       /* --stats */
    char log[PATH_MAX];         /* its log file */
    char parent[24];            /* --parent: the daemon's pid */
    pid_t pid;                  /* 0 = not running */
    int pidfd;                  /* -1 = none */
    sd_event_source *io;        /* pidfd readable = it ended */
    sd_event_source *timer;     /* restart delay */
    void (*on_event)(void *ctx, const char *what); /* daemon's journal line */
    void *ctx;                  /* for on_event */
};

static void say(guard_monitor *m, const char *fmt, const char *a) {
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, a);
    if (m->on_event) m->on_event(m->ctx, msg);
}

static int spawn_now(guard_monitor *m);

static int restart_due(sd_event_source *s, uint64_t usec, void *ud) {
    (void)usec;
    guard_monitor *m = ud;
    m->timer = sd_event_source_disable_unref(s);
    (void)spawn_now(m);
    return 0;
}

static void schedule(guard_monitor *m) {
    if (m->timer) return;
    sd_event_add_time_relative(m->ev, &m->timer, CLOCK_MONOTONIC,
                               (uint64_t)(GUARD_MONITOR_RESTART_NS / 1000), 0, restart_due, m);
}

static int ended(sd_event_source *s, int fd, uint32_t revents, void *ud) {
    (void)s;
    (void)fd;
    (void)revents;
    guard_monitor *m = ud;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (guard_spawn_reap(m->pidfd, &si, WNOHANG) == 1) return 0; /* not yet */
    char how[128];
    guard_spawn_describe_exit(&si, how, sizeof how);
    say(m, "monitor %s; restarting it in 5 s", how);
    m->io = sd_event_source_disable_unref(m->io);
    close(m->pidfd);
    m->pidfd = -1;
    m->pid = 0;
    schedule(m);
    return 0;
}

static int spawn_now(guard_monitor *m) {
    char err[256];
    int log_fd = open(m->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    guard_spawn_opts o = {.argv = m->argv, .log_fd = log_fd};
    guard_spawn_result r;
    int rc = guard_spawn(&o, &r, err, sizeof err);
    if (log_fd >= 0) close(log_fd);
    if (rc < 0) {
        say(m, "%s; retrying in 5 s", err);
        schedule(m);
        return rc;
    }
    m->pid = r.pid;
    m->pidfd = r.pidfd;
    sd_event_add_io(m->ev, &m->io, m->pidfd, EPOLLIN, ended, m);
    return 0;
}

int guard_monitor_start(guard_monitor **out, sd_event *ev, const char *exe, const char *state_dir,
                        const char *socket, const char *avoid_cpus,
                        void (*on_event)(void *ctx, const char *what), void *ctx, char *err,
                        size_t errlen) {
    *out = NULL;
    guard_monitor *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "monitor: out of memory");
        return -ENOMEM;
    }
    m->ev = ev;
    m->pidfd = -1;
    m->on_event = on_event;
    m->ctx = ctx;
    if (snprintf(m->stats, sizeof m->stats, "%s/%s", state_dir, GUARD_MONITOR_STATS) >= (int)sizeof m->stats ||
        snprintf(m->log, sizeof m->log, "%s/%s", state_dir, GUARD_MONITOR_LOG) >= (int)sizeof m->log) {
        snprintf(err, errlen, "monitor(%s): path too long", state_dir);
        free(m);
        return -ENAMETOOLONG;
    }
    snprintf(m->parent, sizeof m->parent, "%d", (int)getpid());
    size_t k = 0;
    m->argv[k++] = (char *)exe;
    m->argv[k++] = "monitor";
    m->argv[k++] = "--except-recorded";
    m->argv[k++] = "--parent";
    m->argv[k++] = m->parent;
    m->argv[k++] = "--stats";
    m->argv[k++] = m->stats;
    m->argv[k++] = "--socket";
    m->argv[k++] = (char *)socket;
    if (avoid_cpus && avoid_cpus[0]) {
        m->argv[k++] = "--avoid-cpus";
        m->argv[k++] = (char *)avoid_cpus;
    }
    m->argv[k] = NULL;
    (void)spawn_now(m); /* a failure is retried on the loop */
    *out = m;
    return 0;
}

pid_t guard_monitor_pid(const guard_monitor *m) { return m ? m->pid : 0; }

void guard_monitor_stop(guard_monitor *m) {
    if (!m) return;
    m->io = sd_event_source_disable_unref(m->io);
    m->timer = sd_event_source_disable_unref(m->timer);
    if (m->pidfd >= 0) {
        siginfo_t si;
        (void)guard_spawn_signal(m->pidfd, SIGTERM);
        struct pollfd p = {.fd = m->pidfd, .events = POLLIN};
        /* A monitor flushes nothing that matters: a short grace, then SIGKILL. */
        if (poll(&p, 1, GUARD_MONITOR_STOP_MS) <= 0) (void)guard_spawn_signal(m->pidfd, SIGKILL);
        (void)guard_spawn_reap(m->pidfd, &si, 0);
        close(m->pidfd);
    }
    free(m);
}
