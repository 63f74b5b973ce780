/* guard_monitor — see guard_monitor.h. */
#include "guard/guard_monitor.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int guard_monitor_cmd_init(guard_monitor_cmd *c, const char *exe, const char *state_dir,
                           const char *socket, const char *avoid_cpus, pid_t parent, char *err,
                           size_t errlen) {
    if (snprintf(c->stats, sizeof c->stats, "%s/%s", state_dir, GUARD_MONITOR_STATS) >= (int)sizeof c->stats ||
        snprintf(c->log, sizeof c->log, "%s/%s", state_dir, GUARD_MONITOR_LOG) >= (int)sizeof c->log) {
        snprintf(err, errlen, "monitor(%s): path too long", state_dir);
        return -ENAMETOOLONG;
    }
    snprintf(c->parent, sizeof c->parent, "%d", (int)parent);
    size_t k = 0;
    c->argv[k++] = (char *)exe;
    c->argv[k++] = "monitor";
    c->argv[k++] = "--except-recorded";
    c->argv[k++] = "--parent";
    c->argv[k++] = c->parent;
    c->argv[k++] = "--stats";
    c->argv[k++] = c->stats;
    c->argv[k++] = "--socket";
    c->argv[k++] = (char *)socket;
    if (avoid_cpus && avoid_cpus[0]) {
        c->argv[k++] = "--avoid-cpus";
        c->argv[k++] = (char *)avoid_cpus;
    }
    c->argv[k] = NULL;
    return 0;
}

int guard_monitor_start(guard_helper **out, sd_event *ev, const char *exe, const char *state_dir,
                        const char *socket, const char *avoid_cpus, guard_helper_event_fn on_event,
                        void *ctx, char *err, size_t errlen) {
    *out = NULL;
    guard_monitor_cmd c;
    int rc = guard_monitor_cmd_init(&c, exe, state_dir, socket, avoid_cpus, getpid(), err, errlen);
    if (rc < 0) return rc;
    guard_helper_opts o = {.argv = c.argv, .log_path = c.log, .what = "monitor", .self_prio = 1,
                           .on_event = on_event, .ctx = ctx};
    return guard_helper_start(ev, &o, out, err, errlen);
}
