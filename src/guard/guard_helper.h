/* guard_helper — a long-running child the daemon keeps alive beside the recorder: the dashboard
 * server (`recguard web`, config `web:`) and the topic monitor (`recguard monitor`, config
 * `monitor.enabled`, whose argv guard_monitor builds). The one owner of that lifecycle.
 *
 * Owns its spawn (guard_spawn: own session, stdio to a log, and unless the child lowers its own
 * priority: nice GUARD_HELPER_NICE and idle I/O), its pidfd watch on the daemon's event loop, a
 * restart GUARD_HELPER_RESTART_NS after it ends, and its stop (SIGTERM, then SIGKILL after
 * GUARD_HELPER_STOP_NS, reaped). A helper is not the recorder: its failures never touch the
 * state machine, they are reported and it is started again.
 */
#ifndef GUARD_HELPER_H
#define GUARD_HELPER_H

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#define GUARD_HELPER_RESTART_NS (5LL * 1000000000LL) /* pause before starting it again */
#define GUARD_HELPER_STOP_NS (3LL * 1000000000LL)    /* SIGTERM -> SIGKILL at daemon exit */
#define GUARD_HELPER_NICE 10                          /* below the recorder and the daemon */

typedef struct guard_helper guard_helper;

/* A sentence about the helper ("monitor pid 12 exited with status 1; starting it again in 5 s"). */
typedef void (*guard_helper_event_fn)(void *ctx, const char *what);

typedef struct guard_helper_opts {
    char *const *argv;              /* what to run (copied) */
    const char *log_path;           /* its stdout/stderr, appended (copied) */
    const char *what;               /* its name in messages: "dashboard (recguard web)" */
    int self_prio;                  /* 1: it lowers its own priority, no plan is applied here */
    guard_helper_event_fn on_event; /* spawn failures and exits; NULL = a line on stderr */
    void *ctx;                      /* for on_event */
} guard_helper_opts;

/* Start o->argv now and keep it running on `ev`. 0 or -errno with err (the first spawn failing
 * is not an error: it is reported and retried). */
int guard_helper_start(sd_event *ev, const guard_helper_opts *o, guard_helper **out, char *err,
                       size_t errlen);
/* Stop it (SIGTERM, bounded wait, SIGKILL), reap, free. NULL is fine. */
void guard_helper_stop(guard_helper *h);
/* Its pid now, 0 while it is not running. */
int guard_helper_pid(const guard_helper *h);

#endif
