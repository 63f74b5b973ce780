/* guard_proc — /proc parsing. The parsers are pure functions over a text buffer (so unit tests
 * feed them recorded text, including hostile comm names); the guard_proc_read_* functions are
 * thin readers that read /proc/PID/<file> into a buffer and call the parser.
 *
 * Also the process identity used for re-adoption: (pid, starttime). A pid can be reused by an
 * unrelated process after the recorder died; starttime (clock ticks after boot, field 22 of
 * /proc/PID/stat) cannot repeat for the same pid, so the pair names one process for good.
 */
#ifndef GUARD_PROC_H
#define GUARD_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GUARD_PROC_COMM_MAX 64   /* comm is at most 15 bytes today (TASK_COMM_LEN 16); margin */
#define GUARD_PROC_CPULIST_MAX 256 /* Cpus_allowed_list text kept (truncated beyond) */

/* /proc/PID/stat, the fields the guardian uses (proc(5) numbering in brackets). */
typedef struct guard_proc_stat {
    pid_t pid;                        /* [1] */
    char comm[GUARD_PROC_COMM_MAX];   /* [2] without the parentheses; may hold ')' and spaces */
    char state;                       /* [3] R running, S sleeping, D disk sleep, Z zombie,
                                       *     T stopped (signal), t tracing stop, X/x dead, I idle */
    pid_t ppid;                       /* [4] */
    pid_t pgrp;                       /* [5] */
    pid_t session;                    /* [6] session id (setsid makes it == pid) */
    uint64_t utime_ticks;             /* [14] user CPU, clock ticks */
    uint64_t stime_ticks;             /* [15] system CPU, clock ticks */
    long priority;                    /* [18] kernel priority */
    long nice;                        /* [19] nice value -20..19 */
    long num_threads;                 /* [20] */
    uint64_t starttime_ticks;         /* [22] start time after boot, clock ticks (identity) */
    uint64_t vsize_bytes;             /* [23] virtual size, bytes */
    uint64_t rss_pages;               /* [24] resident set, pages */
} guard_proc_stat;

/* /proc/PID/status, selected lines. A line that is absent leaves its has_ flag 0. */
typedef struct guard_proc_status {
    int has_vm;                       /* VmRSS/VmHWM present (absent for zombies, kthreads) */
    uint64_t vm_rss_bytes;            /* VmRSS (kB in the file, converted to bytes) */
    uint64_t vm_hwm_bytes;            /* VmHWM: peak RSS, bytes */
    int has_sig;                      /* SigBlk/SigIgn/SigCgt present */
    uint64_t sig_blk;                 /* SigBlk mask: bit (n-1) = signal n blocked */
    uint64_t sig_ign;                 /* SigIgn mask: bit (n-1) = signal n ignored */
    uint64_t sig_cgt;                 /* SigCgt mask: bit (n-1) = signal n caught */
    int has_cpus;                     /* Cpus_allowed_list present */
    char cpus_allowed_list[GUARD_PROC_CPULIST_MAX]; /* e.g. "0-1,3" */
    long threads;                     /* Threads; -1 if absent */
} guard_proc_status;

/* /proc/PID/io (needs ptrace-read permission on the process: same user or root). */
typedef struct guard_proc_io {
    uint64_t rchar;       /* bytes passed to read-like syscalls */
    uint64_t wchar;       /* bytes passed to write-like syscalls (page cache included) */
    uint64_t read_bytes;  /* bytes really fetched from storage */
    uint64_t write_bytes; /* bytes sent (or to be sent) to storage */
} guard_proc_io;

/* One process, for good: see the comment on top. */
typedef struct guard_proc_identity {
    pid_t pid;                /* process id */
    uint64_t starttime_ticks; /* /proc/PID/stat field 22 */
} guard_proc_identity;

/* Parsers. buf need not be NUL-terminated; len bytes are read. 0, or -EINVAL when a required
 * field is missing or malformed (out is then unspecified). stat is parsed from the LAST ')' so
 * a comm such as "a) b (c" cannot shift the fields. */
int guard_proc_parse_stat(const char *buf, size_t len, guard_proc_stat *out);
/* status: never fails on missing lines (has_ flags say what was seen); -EINVAL only when a
 * present line is malformed. */
int guard_proc_parse_status(const char *buf, size_t len, guard_proc_status *out);
/* io: all four fields required. */
int guard_proc_parse_io(const char *buf, size_t len, guard_proc_io *out);

/* Thin readers of /proc/<pid>/<file>. 0, -ESRCH when the process is gone (however the kernel
 * says it), -EACCES when not permitted, -EINVAL when unparsable, other -errno from open/read. */
int guard_proc_read_stat(pid_t pid, guard_proc_stat *out);
int guard_proc_read_status(pid_t pid, guard_proc_status *out);
int guard_proc_read_io(pid_t pid, guard_proc_io *out);
/* /proc/PID/wchan: kernel function the task sleeps in ("0" or "" when running). Optional
 * diagnostic: 0 with buf filled (NUL-terminated, truncated to buflen), or -errno. */
int guard_proc_read_wchan(pid_t pid, char *buf, size_t buflen);

/* CPU time of a stat sample in ns (utime+stime, converted with sysconf(_SC_CLK_TCK)). */
uint64_t guard_proc_cpu_ns(const guard_proc_stat *st);
/* Clock ticks per second (sysconf(_SC_CLK_TCK), cached). */
long guard_proc_clk_tck(void);

/* Process trees. A recorder may be a wrapper (`bash -c "source setup.bash && ros2 bag record"`)
 * whose children do the writing, and children may leave its session (setsid) or be orphaned
 * (double fork). The daemon is their subreaper (PR_SET_CHILD_SUBREAPER), so an orphan becomes
 * the daemon's child instead of init's. A recorder's tree is then, among the processes in
 * tab[0..n): the leader; every process in its session or process group (descendants that did
 * not leave it, even once the leader is gone); every child of `adopter` (the daemon) that is
 * not in skip[] (the daemon's own other children: hooks, alert commands); and every descendant
 * of those. Pure: writes the indexes of the members into idx (at most cap) and returns how
 * many there are (which may exceed cap). leader <= 0: no leader (it was reaped already);
 * adopter <= 0: no subreaper. */
size_t guard_proc_tree_select(const guard_proc_stat *tab, size_t n, pid_t leader, pid_t adopter,
                              const pid_t *skip, size_t nskip, size_t *idx, size_t cap);
/* Read /proc/<pid>/stat of every process into a malloc'd array (*tab, *n; free() it).
 * Processes that vanish during the scan are left out. 0 or -errno (opendir /proc, ENOMEM). */
int guard_proc_scan(guard_proc_stat **tab, size_t *n);

/* Does a /proc/PID/cmdline text (NUL-separated arguments, len bytes) hold an argument that
 * contains `needle`? Pure. */
int guard_proc_cmdline_has(const char *buf, size_t len, const char *needle);
/* The live process (not `self`, not a zombie) with an argument containing `needle` that
 * started first (a wrapper before its children): 0 with *out, -ESRCH none, -errno. A recorder's
 * argv holds its segment path, so a recorder whose pid never reached the state file (a daemon
 * killed between spawn and save) is still found. */
int guard_proc_find_by_arg(const char *needle, pid_t self, guard_proc_identity *out);

/* The identity of a live pid: 0, or -ESRCH when there is no such process. */
int guard_proc_identity_of(pid_t pid, guard_proc_identity *out);
/* Is `id` still the same live process? 0 yes; -ESRCH gone; -ESTALE the pid now belongs to
 * another process (different starttime); -ECHILD it is a zombie (dead, not yet reaped);
 * -EINVAL /proc/PID/stat was unparsable (should not happen). */
int guard_proc_identity_check(const guard_proc_identity *id);

#endif
