/* guard_state — what the daemon must find again after its own crash.
 *
 * Owns: the state file (JSON, rewritten atomically on every change: a reader or a restarted
 * daemon sees the old or the new content, never a torn one), the lock file that keeps a second
 * daemon off the same state dir (flock: released by the kernel when the holder dies, even by
 * kill -9, so a crashed daemon never leaves a stale lock), and re-adoption: given the state a
 * dead daemon left, find its recorder again with pidfd_open and prove it is the same process
 * (its start time in /proc/PID/stat matches the recorded one) before trusting it. A reused pid
 * is never adopted. Also reads a non-child's exit status through PIDFD_GET_INFO where the
 * kernel has it (Linux >= 6.15, and only once the process was reaped by its new parent).
 */
#ifndef GUARD_STATE_H
#define GUARD_STATE_H

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GUARD_STATE_FILE "state.json"  /* in the state dir */
#define GUARD_STATE_LOCK "daemon.lock" /* in the state dir; holds the owner's pid as text */

typedef struct guard_state_rec {
    int daemon_pid;              /* the daemon that wrote the file */
    char state[16];              /* state machine state name, e.g. "RECORDING" */
    char then[8];                /* STOPPING: what follows the exit, "idle" / "split" / "disk"
                                  * (guard_fsm_then_name); absent in older files = "idle" */
    char stop_cause[256];        /* why the current stop began ("" none): a new daemon that
                                  * takes the stop over says why it goes on stopping */
    int recorder_pid;            /* current recorder, 0 = none */
    uint64_t recorder_starttime; /* its /proc/PID/stat starttime (clock ticks since boot) */
    int64_t recorder_start_ns;   /* when it started (CLOCK_REALTIME) */
    char bag_dir[PATH_MAX];      /* session directory <output>/<bag name>, "" = no session */
    char segment[PATH_MAX];      /* segment file the recorder writes, "" = none */
    int segment_index;           /* N of <bag>_<N>.mcap; the next segment uses N+1 */
    unsigned restarts;           /* recoveries in this session */
    int64_t session_start_ns;    /* when the session began (CLOCK_REALTIME) */
    /* redundancy: standby (optional keys, absent in older files and without a standby) */
    char stats_path[PATH_MAX];   /* the built-in recorder's stats file, "" = the default name */
    char positions[PATH_MAX];    /* the recorder's --positions file, "" = none */
    int standby_pid;             /* the hot standby, 0 = none */
    uint64_t standby_starttime;  /* its /proc/PID/stat starttime */
} guard_state_rec;

/* JSON text of `s` (malloc'd, NULL on allocation failure). */
char *guard_state_encode(const guard_state_rec *s);
/* Parse state file text. Unknown keys are ignored (a newer daemon may add some). 0 or -EINVAL. */
int guard_state_decode(const char *text, guard_state_rec *out, char *err, size_t errlen);
/* Atomically write / read `path`. load: -ENOENT when there is no file. */
int guard_state_save(const char *path, const guard_state_rec *s, char *err, size_t errlen);
int guard_state_load(const char *path, guard_state_rec *out, char *err, size_t errlen);

/* Take the daemon lock at `path` (created 0600): fd kept open for the daemon's life, or
 * -EWOULDBLOCK with err naming the holder's pid, or another -errno. */
int guard_state_lock(const char *path, char *err, size_t errlen);

/* Re-adopt the recorder `s` names: pidfd (close-on-exec) of the very process recorded, or
 * -ESRCH (no such process / already exited) or -ESTALE (the pid belongs to another process
 * now), with err saying which. */
int guard_state_adopt(const guard_state_rec *s, char *err, size_t errlen);

/* How the process behind `pidfd` ended, child or not: 0 with si_code (CLD_EXITED, CLD_KILLED,
 * CLD_DUMPED) and si_status set (a child is reaped by this); 1 when a child still runs;
 * -ENODATA when the kernel cannot say for a non-child (older than 6.15, or its new parent has
 * not reaped it yet: on a machine whose init never reaps, that is forever). */
int guard_state_exit_status(int pidfd, siginfo_t *si);

#endif
