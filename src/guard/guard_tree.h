/* guard_tree — the recorder's whole process tree as the unit the daemon stops, replaces, kills
 * and measures (issue 8): a wrapper recorder (`bash -c "source setup.bash && ros2 bag record"`)
 * must not leave children appending to a segment reported closed, nor a second recorder beside
 * the next one, and its memory is the sum over its processes.
 *
 * Where the machine allows it (cgroup v2 mounted, the daemon's cgroup writable: root, or a
 * systemd unit with Delegate=yes), each run has a cgroup of its own, and its tree is exactly
 * the processes in it: no process leaves a cgroup by setsid, double fork, or a daemon crash in
 * between. Elsewhere, membership is guard_proc_tree_select over a /proc scan: the leader's
 * session and process group, their descendants, and the orphans the daemon adopts as their
 * subreaper (a child that left the session with setsid and double-forked). Either way each
 * signal goes through a pidfd opened after reading and checked against the start time read
 * (guard_spawn_adopt), so a pid reused in between is never hit.
 *
 * Limits of the /proc way: an escapee orphaned while no daemon ran (between a daemon's crash
 * and the next daemon's adoption) was reparented to init, not to us: it is found only while it
 * stays in the recorder's session or process group. Orphans of the daemon's other children
 * (hooks, alert commands) adopted by the daemon count as the recorder's.
 */
#ifndef GUARD_TREE_H
#define GUARD_TREE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard/guard_proc.h"

/* What one walk saw. */
typedef struct guard_tree_sum {
    size_t procs;       /* live members, leader included (zombies are not live) */
    size_t others;      /* live members other than the leader */
    size_t signalled;   /* members other than the leader that were sent the signal */
    uint64_t rss_bytes; /* resident memory summed over the live members */
    uint64_t cpu_ns;    /* CPU time (user + system) summed over the live members */
    int has_leader;     /* leader holds the leader's stat, read by this walk (zombie too) */
    guard_proc_stat leader; /* so the health check needs no second read of the leader's stat */
} guard_tree_sum;

/* Make the calling process the subreaper of its descendants' orphans. 0 or -errno. */
int guard_tree_subreaper(void);

/* Scan the tree of `leader` (<= 0: only adopted orphans; a reaped leader's pid still names its
 * session), with the daemon as adopter and skip[] its other children. When sig > 0, send sig to
 * every live member but the leader (the caller signals the leader through its own pidfd).
 * Fills *sum, and members[0..*nmembers) (at most cap; NULL/0 = not wanted) with the live
 * members' identities. 0 or -errno (/proc unreadable).
 * Cost: one read of /proc/PID/stat per process on the machine (milliseconds on a loaded
 * machine with a few hundred processes): for stops and exits, and a periodic refresh. */
int guard_tree_walk(pid_t leader, const pid_t *skip, size_t nskip, int sig, guard_tree_sum *sum,
                    guard_proc_identity *members, size_t cap, size_t *nmembers);
/* The same over the processes of a run's cgroup (`cgroup`: its directory): one read of its
 * cgroup.procs and of each member's stat, no scan. -errno when cgroup.procs is unreadable (the
 * caller falls back to guard_tree_walk). */
int guard_tree_walk_cgroup(const char *cgroup, pid_t leader, int sig, guard_tree_sum *sum,
                           guard_proc_identity *members, size_t cap, size_t *nmembers);

/* Create <cgroup v2 mount><the daemon's cgroup>/<name> (path filled) and open its
 * cgroup.procs for guard_spawn's join_cgroup (*procs_fd, O_CLOEXEC). 0 or -errno: no cgroup v2
 * mount (-ENOENT), not writable (-EACCES/-EPERM/-EROFS)... */
int guard_tree_cgroup_create(const char *name, char *path, size_t len, int *procs_fd);
/* The directory of `pid`'s cgroup v2 group: 0 or -errno. */
int guard_tree_cgroup_of(pid_t pid, char *path, size_t len);
/* Remove a run's cgroup once empty (rmdir; EBUSY while populated). 0 or -errno. */
int guard_tree_cgroup_remove(const char *path);
/* Remove the empty run groups "<prefix><pid>.<n>" beside the daemon whose daemon <pid> is
 * gone (a daemon killed with -9 leaves its last one; a populated one stays, rmdir refuses). */
void guard_tree_cgroup_sweep(const char *prefix);

/* Sum memory and CPU over known members (from the last walk): one /proc/PID/stat read each, a
 * member gone or replaced (other start time) is left out; the member `leader` also fills
 * sum->leader. The cheap per-check measure. */
void guard_tree_measure(const guard_proc_identity *members, size_t n, pid_t leader, guard_tree_sum *sum);

/* Reap the daemon's exited children that nobody else waits for: orphans adopted as subreaper.
 * Peeks with WNOWAIT and stops at the first child in keep[] (the recorder, hooks: their owners
 * reap them through their pidfds). One syscall when there is nothing to do. */
void guard_tree_reap_orphans(const pid_t *keep, size_t nkeep);

#endif
