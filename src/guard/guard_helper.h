/* guard_helper — a long-running helper process the daemon keeps alive beside the recorder: the
 * dashboard server (`recguard web`, config `web:`).
 *
 * Owns its spawn (guard_spawn: own session, stdio to a log, low priority: nice 10 and idle
 * I/O), its pidfd watch on the daemon's event loop, a restart GUARD_HELPER_RESTART_NS after it
 * ends, and its stop (SIGTERM, then SIGKILL after GUARD_HELPER_STOP_NS, reaped). A helper is
 * not the recorder: its failures never touch the state machine, they are logged and it is
 * started again.
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

/* Start `argv` (copied) now and keep it running on `ev`; output appended to log_path.
 * 0 or -errno with err (the first spawn failing is not an error: it is retried). */
int guard_helper_start(sd_event *ev, char *const *argv, const char *log_path, const char *what,
                       guard_helper **out, char *err, size_t errlen);
/* Stop it (SIGTERM, bounded wait, SIGKILL), reap, free. NULL is fine. */
void guard_helper_stop(guard_helper *h);
/* Its pid now, 0 while it is not running. */
int guard_helper_pid(const guard_helper *h);

#endif
