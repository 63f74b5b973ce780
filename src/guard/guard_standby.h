/* guard_standby — the hot standby recorder's rules (`redundancy: standby`), pure: what the
 * daemon does with the standby when the primary ends or is replaced, when a standby counts as
 * ready, and how fast a standby that keeps dying is started again. The daemon (guard_daemon.c)
 * owns the processes; this module only decides, from figures passed in, so every rule is
 * unit-tested with an injected clock (tests/unit/test_guard_standby.c).
 *
 * The standby is the built-in recorder started with `--standby <primary's positions file>`:
 * matched to every recorded topic, it holds recent samples in a bounded ring and writes
 * nothing. SIGUSR1 promotes it: it writes from its ring what follows the dead primary's last
 * durable positions, then records live. The daemon sends SIGUSR1 only once the old primary's
 * whole tree is gone.
 */
#ifndef GUARD_STANDBY_H
#define GUARD_STANDBY_H

#include <stdint.h>

#include "guard/guard_fsm.h"
#include "recorder/rec_stats.h"

/* A standby's heartbeat older than this is not ready: its writer (ring) thread is stuck. Five
 * heartbeat periods of the recorder (REC_STATS_HEARTBEAT_MS), room for a loaded machine. */
#define GUARD_STANDBY_FRESH_NS (1000LL * 1000000LL)
/* A new standby counts as ready only once its readers have been matched to every publisher the
 * primary's are matched to for this long: by then its ring reaches back past everything the
 * primary has not yet made durable (its chunk age, 500 ms under the daemon). Before, a takeover
 * would leave a hole between the primary's last durable sample and the standby's first. */
#define GUARD_STANDBY_SETTLE_NS (1000LL * 1000000LL)
#define GUARD_STANDBY_BACKOFF_INITIAL_NS (1000LL * 1000000LL) /* first respawn delay */
#define GUARD_STANDBY_BACKOFF_CAP_NS (30LL * 1000000000LL)    /* longest respawn delay */

/* Where the standby is, as status and the journal show it. */
typedef enum guard_standby_state {
    GUARD_STANDBY_OFF,      /* none running (redundancy none, no primary, or between runs) */
    GUARD_STANDBY_STARTING, /* spawned; its stats do not yet say "standby" with a fresh heartbeat */
    GUARD_STANDBY_READY,    /* holding samples, can take over at once */
    GUARD_STANDBY_STALE,    /* was ready, its heartbeat stopped: not promotable until it moves */
    GUARD_STANDBY_STOPPING, /* being stopped with its primary (stop, split, disk) */
    GUARD_STANDBY_BACKOFF,  /* ended by itself; started again after a delay */
    GUARD_STANDBY__COUNT
} guard_standby_state;

/* What the standby's stats file said at the last look. */
typedef struct guard_standby_obs {
    int alive;                 /* its pidfd says it runs */
    int have_stats;            /* its stats file was read and names its pid */
    int role_standby;          /* the stats' role is standby (not yet promoted) */
    int64_t heartbeat_mono_ns; /* the stats' heartbeat */
    int was_ready;             /* it was READY before (STALE rather than STARTING) */
    int64_t covered_since_ns;  /* since when guard_standby_covers has held, 0 = it does not */
} guard_standby_obs;

/* What to do when the primary's whole tree has gone. */
typedef enum guard_standby_verdict {
    GUARD_STANDBY_PROMOTE,     /* SIGUSR1 to the standby, feed PROMOTED */
    GUARD_STANDBY_PLAIN,       /* no ready standby: the fsm's plain restart (EXITED/CRASHED) */
    GUARD_STANDBY_STOP_TOO,    /* a stop, split or full disk: stop the standby, feed the exit */
} guard_standby_verdict;

/* READY, STALE or STARTING from an observation at `now` (OFF when not alive). A standby
 * becomes READY only when covered for GUARD_STANDBY_SETTLE_NS; once ready, coverage is not
 * asked again (a topic both discover later is matched by each on its own). */
guard_standby_state guard_standby_assess(const guard_standby_obs *o, int64_t now_ns);

/* The primary's tree is gone, the fsm is in `st` (then: STOPPING's `then`), it ended with
 * `exit_ev` (EXITED, CRASHED or DISK_FULL), the standby is in `sb`. Promote only an
 * unplanned end (STARTING, RECORDING) or a replacement (RECOVERING), never onto a full disk,
 * and only a READY standby. */
guard_standby_verdict guard_standby_on_primary_end(guard_state st, guard_event exit_ev,
                                                   guard_standby_state sb);

/* A replacement (UNHEALTHY: hang, stall, memory, no data) with the standby in `sb`: 1 to kill
 * the primary's tree at once (the standby takes over from its durable positions, so a
 * graceful flush gains nothing and a hung process would cost the flush timeout), 0 for the
 * graceful stop ladder. */
int guard_standby_kill_at_once(guard_standby_state sb);

/* Should a standby run beside a primary the fsm has in `st`? 1 in STARTING and RECORDING, and
 * in RECOVERING while the replaced primary is still on its way out; 0 elsewhere (stopping,
 * idle, error, disk). `primary_alive`: the primary's pidfd is open and its exit not pending. */
int guard_standby_wanted(guard_state st, int primary_alive);

/* Delay before starting a standby that ended by itself for the `fails`-th time in a row
 * (1, 2, ...): GUARD_STANDBY_BACKOFF_INITIAL_NS doubling up to the cap. A standby that got
 * READY resets the count (the caller's). Never touches the primary's restart budget. */
int64_t guard_standby_backoff_ns(unsigned fails);

/* 1 when, topic by topic, the standby's reader is matched to at least as many publishers as
 * the primary's (topics the primary has no matched publisher for do not count). */
int guard_standby_covers(const rec_stats_snapshot *primary, const rec_stats_snapshot *standby);

/* "off", "starting", "ready", "stale", "stopping", "backoff". */
const char *guard_standby_state_name(guard_standby_state s);

#endif
