/* guard_monitor — what is particular to the daemon's `recguard monitor` child (config
 * `monitor.enabled`): its command line and its files in the state dir. Its lifecycle (spawn,
 * pidfd watch, restart, stop) is a guard_helper's.
 *
 * The monitor is told to leave the built-in recorder's topics alone (--except-recorded), to keep
 * off the recorder's CPUs (--avoid-cpus), and to end with the daemon (--parent: a monitor must not
 * outlive the daemon it measures for, or a restarted daemon would run two). It lowers its own
 * priority before DDS starts (nice 19, SCHED_IDLE, idle I/O): the helper applies no plan.
 */
#ifndef GUARD_MONITOR_H
#define GUARD_MONITOR_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "guard/guard_helper.h"

#define GUARD_MONITOR_STATS "monitor.stats" /* its stats file in the state dir */
#define GUARD_MONITOR_LOG "monitor.log"     /* its stdout/stderr in the state dir */
#define GUARD_MONITOR_ARGC 12               /* room for the longest argv and its NULL */

typedef struct guard_monitor_cmd {
    char *argv[GUARD_MONITOR_ARGC]; /* NULL-terminated; points into this struct and the inputs */
    char stats[PATH_MAX];           /* --stats: <state_dir>/monitor.stats */
    char log[PATH_MAX];             /* its log: <state_dir>/monitor.log */
    char parent[24];                /* --parent: the daemon's pid */
} guard_monitor_cmd;

/* The monitor's command line for daemon `parent`. exe: our binary; avoid_cpus: the recorder's
 * CPU list ("" or NULL = none). c keeps pointers to exe, socket and avoid_cpus. 0 or
 * -ENAMETOOLONG with err. */
int guard_monitor_cmd_init(guard_monitor_cmd *c, const char *exe, const char *state_dir,
                           const char *socket, const char *avoid_cpus, pid_t parent, char *err,
                           size_t errlen);

/* Start the monitor now as a helper kept alive on `ev` (stop it with guard_helper_stop); its
 * spawn failures and exits go to on_event(ctx, what). 0 or -errno with a sentence in err. */
int guard_monitor_start(guard_helper **out, sd_event *ev, const char *exe, const char *state_dir,
                        const char *socket, const char *avoid_cpus, guard_helper_event_fn on_event,
                        void *ctx, char *err, size_t errlen);

#endif
