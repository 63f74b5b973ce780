/* guard_helper — a helper process kept alive by the daemon (see guard_helper.h). */
#include "guard/guard_helper.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "guard/guard_prio.h"
#include "guard/guard_spawn.h"

struct guard_helper {
    sd_event *ev;               /* the daemon's loop */
    char **argv;                /* owned copy */
    char *log_path;             /* owned copy */
    char what[64];              /* "dashboard (recguard web)", for messages */
    int self_prio;              /* the child sets its own priority: no plan here */
    guard_helper_event_fn on_event; /* reports; NULL = stderr */
    void *ctx;                  /* for on_event */
    int pidfd;                  /* running helper, -1 when none */
    pid_t pid;                  /* its pid, 0 when none */
    sd_event_source *io;        /* pidfd watch */
    sd_event_source *timer;     /* restart timer */
};

static void schedule(guard_helper *h);

static void say(const guard_helper *h, const char *msg) {
    if (h->on_event)
        h->on_event(h->ctx, msg);
    else
        fprintf(stderr, "recguard daemon: %s\n", msg);
}

static int ended(sd_event_source *s, int fd, uint32_t revents, void *ud) {
    (void)s;
    (void)fd;
    (void)revents;
    guard_helper *h = ud;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    char how[96] = "ended";
    int rc = guard_spawn_reap(h->pidfd, &si, WNOHANG);
    if (rc == 1) return 0; /* readable before waitid sees it: the next wakeup reaps */
    if (rc == 0) guard_spawn_describe_exit(&si, how, sizeof how);
    char msg[256];
    snprintf(msg, sizeof msg, "%s pid %d %s; starting it again in %lld s", h->what, (int)h->pid, how,
             GUARD_HELPER_RESTART_NS / 1000000000LL);
    say(h, msg);
    h->io = sd_event_source_disable_unref(h->io);
    close(h->pidfd);
    h->pidfd = -1;
    h->pid = 0;
    schedule(h);
    return 0;
}

static void spawn(guard_helper *h) {
    char err[512];
    int log = open(h->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    guard_prio_cfg pc;
    guard_prio_cfg_defaults(&pc);
    pc.nice = GUARD_HELPER_NICE;
    pc.ioclass = GUARD_IOCLASS_IDLE;
    guard_prio_report rep;
    guard_prio_plan plan;
    int have_plan = !h->self_prio && guard_prio_plan_init(&plan, &pc, &rep, err, sizeof err) == 0;
    guard_spawn_opts o = {.argv = h->argv, .log_fd = log, .prio = have_plan ? &plan : NULL, .prio_report = &rep};
    guard_spawn_result r;
    int rc = guard_spawn(&o, &r, err, sizeof err);
    if (have_plan) guard_prio_plan_free(&plan);
    if (log >= 0) close(log);
    if (rc < 0) {
        char msg[640];
        snprintf(msg, sizeof msg, "%s: %s; trying again in %lld s", h->what, err,
                 GUARD_HELPER_RESTART_NS / 1000000000LL);
        say(h, msg);
        schedule(h);
        return;
    }
    h->pid = r.pid;
    h->pidfd = r.pidfd;
    sd_event_add_io(h->ev, &h->io, h->pidfd, EPOLLIN, ended, h);
}

static int restart_due(sd_event_source *s, uint64_t usec, void *ud) {
    (void)s;
    (void)usec;
    guard_helper *h = ud;
    h->timer = sd_event_source_disable_unref(h->timer);
    spawn(h);
    return 0;
}

static void schedule(guard_helper *h) {
    if (h->timer) return;
    sd_event_add_time_relative(h->ev, &h->timer, CLOCK_MONOTONIC, (uint64_t)(GUARD_HELPER_RESTART_NS / 1000), 0,
                               restart_due, h);
}

static char **argv_dup(char *const *argv) {
    size_t n = 0;
    while (argv[n]) n++;
    char **out = calloc(n + 1, sizeof *out);
    for (size_t i = 0; out && i < n; i++) {
        if (!(out[i] = strdup(argv[i]))) {
            for (size_t j = 0; j < i; j++) free(out[j]);
            free(out);
            return NULL;
        }
    }
    return out;
}

int guard_helper_start(sd_event *ev, const guard_helper_opts *o, guard_helper **out, char *err,
                       size_t errlen) {
    guard_helper *h = calloc(1, sizeof *h);
    if (!h || !(h->argv = argv_dup(o->argv)) || !(h->log_path = strdup(o->log_path))) {
        if (h) guard_spawn_argv_free(h->argv);
        free(h);
        snprintf(err, errlen, "%s: out of memory", o->what);
        return -ENOMEM;
    }
    h->ev = ev;
    h->pidfd = -1;
    h->self_prio = o->self_prio;
    h->on_event = o->on_event;
    h->ctx = o->ctx;
    snprintf(h->what, sizeof h->what, "%s", o->what);
    spawn(h);
    *out = h;
    return 0;
}

int guard_helper_pid(const guard_helper *h) {
    return h ? (int)h->pid : 0;
}

void guard_helper_stop(guard_helper *h) {
    if (!h) return;
    h->io = sd_event_source_disable_unref(h->io);
    h->timer = sd_event_source_disable_unref(h->timer);
    if (h->pidfd >= 0) {
        /* Bounded: the daemon's own exit must not wait on a helper that ignores SIGTERM. */
        guard_spawn_signal(h->pidfd, SIGTERM);
        struct pollfd pf = {.fd = h->pidfd, .events = POLLIN};
        int pr;
        do pr = poll(&pf, 1, (int)(GUARD_HELPER_STOP_NS / 1000000));
        while (pr < 0 && errno == EINTR);
        if (pr == 0) guard_spawn_signal(h->pidfd, SIGKILL);
        siginfo_t si;
        guard_spawn_reap(h->pidfd, &si, 0);
        close(h->pidfd);
    }
    guard_spawn_argv_free(h->argv);
    free(h->log_path);
    free(h);
}
