/* guard_spawn — starting the recorder (and the hooks/alert commands) as isolated processes,
 * in the order of libuv's uv__process_child_init:
 *
 *   parent: build argv/envp, open the status pipe (O_CLOEXEC), block ALL signals, fork
 *           (rg_sys_fork, so tests can fail it), restore the mask.
 *   child:  (async-signal-safe steps only; each failure writes {step, errno} to the pipe and
 *           _exit(127))
 *           1. every signal disposition to SIG_DFL (ignored ones too: SIG_IGN survives exec),
 *           2. setsid (own session: a terminal hangup or the daemon's group signal misses it),
 *           3. PR_SET_PDEATHSIG 0 (the recorder must outlive the daemon),
 *           4. priority plan (guard_prio_plan_apply_self; non-fatal: results go to the pipe),
 *              then the run's own cgroup (join_cgroup; non-fatal, checked by the caller),
 *           5. stdin from /dev/null, stdout+stderr to the log fd,
 *           6. chdir (optional),
 *           7. close every fd >= 3 except the status pipe (close_range, fallback: a loop to
 *              the fd limit); the pipe itself is close-on-exec, so exec closes it = EOF,
 *           8. signal mask emptied (last: no handler can run in the child before exec),
 *           9. execvpe.
 *   parent: close the write end, read the pipe until EOF. EOF without a fatal record = exec
 *           worked; a fatal record = it did not (child reaped, error says which step and why).
 *
 * A pidfd (pidfd_open via rg_sys_pidfd_open, O_CLOEXEC by the kernel) is opened right after
 * fork, before the child can possibly be reaped, so it always refers to our child.
 */
#ifndef GUARD_SPAWN_H
#define GUARD_SPAWN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard/guard_prio.h"
#include "guard/guard_proc.h"

#define GUARD_SPAWN_SEGMENT "{segment}" /* placeholder expanded in argv by guard_spawn_expand */
#define GUARD_SPAWN_EXIT_CHILD_FAILED 127 /* child's exit status when a setup step failed */

/* Child setup steps, as reported in guard_spawn_result.failed_step. */
typedef enum guard_spawn_step {
    GUARD_SPAWN_STEP_NONE,      /* no failure */
    GUARD_SPAWN_STEP_PREPARE,   /* parent: argv/envp, pipe, /dev/null */
    GUARD_SPAWN_STEP_FORK,      /* parent: fork */
    GUARD_SPAWN_STEP_PIDFD,     /* parent: pidfd_open (child killed and reaped) */
    GUARD_SPAWN_STEP_SIGNALS,   /* child: reset dispositions */
    GUARD_SPAWN_STEP_SETSID,    /* child: setsid */
    GUARD_SPAWN_STEP_PDEATHSIG, /* child: prctl(PR_SET_PDEATHSIG, 0) */
    GUARD_SPAWN_STEP_STDIO,     /* child: dup2 of stdin/stdout/stderr */
    GUARD_SPAWN_STEP_CHDIR,     /* child: chdir */
    GUARD_SPAWN_STEP_CLOSE_FDS, /* child: close fds >= 3 */
    GUARD_SPAWN_STEP_MASK,      /* child: sigprocmask empty */
    GUARD_SPAWN_STEP_EXEC,      /* child: execvpe (ENOENT: no such program, EACCES...) */
    GUARD_SPAWN_STEP__COUNT
} guard_spawn_step;

typedef struct guard_spawn_opts {
    char *const *argv;           /* NULL-terminated; argv[0] searched on PATH like execvp */
    char *const *env_add;        /* NULL or NULL-terminated "KEY=VALUE" entries added to (or
                                  * replacing in) the daemon's environment */
    int log_fd;                  /* stdout+stderr of the child; -1 = /dev/null */
    const char *cwd;             /* working directory of the child; NULL = inherit */
    const guard_prio_plan *prio; /* priority to apply in the child; NULL = none */
    int join_cgroup;             /* the child moves itself into the cgroup whose cgroup.procs
                                  * is cgroup_fd, right after setsid and the priority: before
                                  * the program, or any child of it, runs. Not fatal: the
                                  * caller checks /proc/PID/cgroup */
    int cgroup_fd;               /* with join_cgroup: O_WRONLY fd of <cgroup>/cgroup.procs */
    guard_prio_report *prio_report; /* out: outcomes (required when prio != NULL) */
} guard_spawn_opts;

typedef struct guard_spawn_result {
    pid_t pid;                   /* child pid (>0 on success; 0 on failure) */
    int pidfd;                   /* pidfd of the child, O_CLOEXEC; -1 on failure; caller closes */
    guard_proc_identity id;      /* (pid, starttime) for the state file / re-adoption */
    guard_spawn_step failed_step;/* GUARD_SPAWN_STEP_NONE on success */
    int err;                     /* positive errno of the failed step, 0 on success */
} guard_spawn_result;

/* Spawn per opts. 0 with r->pid/pidfd/id set; or -errno with r->failed_step/err set and a
 * sentence in err: "spawn(<argv0>): <step>: <strerror>" (e.g. "spawn(nope): exec: No such file
 * or directory"). On failure nothing is left behind: no child, no zombie, no fd. */
int guard_spawn(const guard_spawn_opts *o, guard_spawn_result *r, char *err, size_t errlen);

/* Copy argv replacing every occurrence of "{segment}" inside each argument by `segment` (also
 * inside longer arguments: "--out={segment}"). *out is a NULL-terminated malloc'd vector; free
 * with guard_spawn_argv_free. 0 or -ENOMEM / -EINVAL (empty argv). */
int guard_spawn_expand(char *const *argv, const char *segment, char ***out);
void guard_spawn_argv_free(char **argv);

/* Name of a step: "fork", "setsid", "exec", ... */
const char *guard_spawn_step_name(guard_spawn_step s);

/* Send sig through the pidfd (pidfd_send_signal: no pid-reuse race). 0 or -errno (-ESRCH when
 * the process already exited). */
int guard_spawn_signal(int pidfd, int sig);

/* Reap our child via its pidfd (waitid(P_PIDFD, WEXITED | extra_flags)). With WNOHANG and the
 * child still running: 1 and si untouched. 0 with si filled when reaped; -ECHILD for a process
 * that is not our child (adopted); -errno otherwise. */
int guard_spawn_reap(int pidfd, siginfo_t *si, int extra_flags);

/* "exited with status 3", "killed by SIGKILL", "killed by SIGSEGV (core dumped)" from a waitid
 * siginfo into buf; returns buf. */
char *guard_spawn_describe_exit(const siginfo_t *si, char *buf, size_t buflen);

/* Re-adoption: open a pidfd to id->pid and THEN verify the identity (an identity that still
 * matches after the pidfd is open means the pidfd names that process, not a pid reuse).
 * 0 with *pidfd set; -ESRCH gone; -ESTALE pid reused; -errno otherwise; err gets a sentence. */
int guard_spawn_adopt(const guard_proc_identity *id, int *pidfd, char *err, size_t errlen);

#endif
