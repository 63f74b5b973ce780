/* guard_monitor — the daemon's `recguard monitor` child (config `monitor.enabled`).
 *
 * Owns the monitor process: spawned through guard_spawn (own session, clean fds and signals),
 * told to leave the built-in recorder's topics alone (--except-recorded) and to end with the
 * daemon (--parent: a monitor must not outlive the daemon it measures for, or a restarted daemon
 * would run two), watched through its pidfd on the daemon's sd-event loop, restarted
 * GUARD_MONITOR_RESTART_NS after it ends, and stopped (SIGTERM, then SIGKILL) when the daemon
 * exits. The monitor lowers its own priority before DDS starts (nice 19, SCHED_IDLE, idle I/O,
 * off the recorder's CPUs): no priority plan is applied here.
 */
#ifndef GUARD_MONITOR_H
#define GUARD_MONITOR_H

#include <stddef.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#define GUARD_MONITOR_RESTART_NS (5LL * 1000000000LL) /* delay before a new monitor */
#define GUARD_MONITOR_STOP_MS 3000                    /* SIGTERM -> SIGKILL at daemon exit */
#define GUARD_MONITOR_STATS "monitor.stats"           /* its stats file in the state dir */
#define GUARD_MONITOR_LOG "monitor.log"               /* its stdout/stderr in the state dir */

typedef struct guard_monitor guard_monitor;

/* Start the monitor now and keep it running. exe: our binary; avoid_cpus: the recorder's CPU list
 * ("" = none). Failures to spawn are retried later, reported through on_event(ctx, what). 0 or
 * -ENOMEM / -errno of the first setup step, with a sentence in err. */
int guard_monitor_start(guard_monitor **out, sd_event *ev, const char *exe, const char *state_dir,
                        const char *socket, const char *avoid_cpus,
                        void (*on_event)(void *ctx, const char *what), void *ctx, char *err,
                        size_t errlen);
/* Its pid, 0 while none runs. */
pid_t guard_monitor_pid(const guard_monitor *m);
/* Stop it (SIGTERM, SIGKILL after GUARD_MONITOR_STOP_MS), reap it, free everything. NULL ok. */
void guard_monitor_stop(guard_monitor *m);

#endif
