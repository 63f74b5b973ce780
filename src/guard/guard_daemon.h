/* guard_daemon — the guardian process: one sd-event loop that owns the recorder's life.
 *
 * Owns: wiring the building blocks together — guard_fsm decides, this module acts. Sources on
 * the loop: the recorder's pidfd (exit seen at once, child or adopted), a health timer every
 * check interval (/proc via guard_proc, statvfs of the bag dir, segment growth, the built-in
 * recorder's stats heartbeat -> guard_health), the stop-ladder and restart timers, SIGINT /
 * SIGTERM / SIGQUIT as events, the control socket (guard_ctl), alert and hook children.
 * Every transition goes to the journal (guard_journal), the state file (guard_state), watch
 * subscribers and, for selected events, the alert command.
 *
 * Lifetime rules (docs/ARCHITECTURE.md):
 *   - SIGINT/SIGTERM (Ctrl-C, systemctl stop): stop recording gracefully, then exit.
 *   - SIGQUIT: exit at once and leave the recorder running (daemon upgrade); like a crash or
 *     kill -9, the next daemon re-adopts it from the state file.
 *   - At start: a recorder named by the state file is re-adopted when its identity holds
 *     (no duplicate is started), else a new one is started unless opts.idle.
 */
#ifndef GUARD_DAEMON_H
#define GUARD_DAEMON_H

#include <stddef.h>

#include "guard/guard_config.h"

typedef struct guard_daemon_opts {
    int idle;              /* do not start recording at daemon start (wait for `start`) */
    const char *self_exe;  /* our own binary, for the built-in recorder; NULL = /proc/self/exe */
} guard_daemon_opts;

/* Run the daemon with a checked configuration until it is told to exit. Returns the process
 * exit code (0 clean, 1 failure); on a setup failure err says why. */
int guard_daemon_run(const guard_config *cfg, const guard_daemon_opts *opts, char *err,
                     size_t errlen);

#endif
