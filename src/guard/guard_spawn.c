/* guard_spawn — see guard_spawn.h for the order of the steps and why.
 *
 * Map: argv expansion; parent-side preparation (envp, PATH candidates, fds); the child
 * (async-signal-safe only); guard_spawn itself; signals, reaping, adoption. */
#include "guard/guard_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/rg_sys.h"

extern char **environ;

/* ---- argv ------------------------------------------------------------------------------- */

void guard_spawn_argv_free(char **argv) {
    if (!argv) return;
    for (char **a = argv; *a; a++) free(*a);
    free(argv);
}

/* arg with every "{segment}" replaced; malloc'd, NULL on ENOMEM. */
static char *expand_one(const char *arg, const char *segment) {
    size_t plen = strlen(GUARD_SPAWN_SEGMENT), slen = strlen(segment), n = 0;
    for (const char *p = arg; (p = strstr(p, GUARD_SPAWN_SEGMENT)); p += plen) n++;
    size_t len = strlen(arg) + n * slen - n * plen;
    char *out = malloc(len + 1), *w = out;
    if (!out) return NULL;
    for (const char *p = arg;;) {
        const char *hit = strstr(p, GUARD_SPAWN_SEGMENT);
        size_t chunk = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(w, p, chunk);
        w += chunk;
        if (!hit) break;
        memcpy(w, segment, slen);
        w += slen;
        p = hit + plen;
    }
    *w = '\0';
    return out;
}

int guard_spawn_expand(char *const *argv, const char *segment, char ***out) {
    *out = NULL;
    if (!argv || !argv[0]) return -EINVAL;
    size_t n = 0;
    while (argv[n]) n++;
    char **v = calloc(n + 1, sizeof *v);
    if (!v) return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(v[i] = expand_one(argv[i], segment ? segment : ""))) {
            guard_spawn_argv_free(v);
            return -ENOMEM;
        }
    *out = v;
    return 0;
}

const char *guard_spawn_step_name(guard_spawn_step s) {
    static const char *const n[GUARD_SPAWN_STEP__COUNT] = {
        "none", "prepare", "fork", "pidfd_open", "signal reset", "setsid", "pdeathsig",
        "stdio", "chdir", "close fds", "signal mask", "exec"};
    return (unsigned)s < GUARD_SPAWN_STEP__COUNT ? n[s] : "?";
}

/* ---- parent-side preparation ------------------------------------------------------------ */

/* Everything the child needs, built before fork so the child allocates nothing. */
typedef struct prep {
    char **envp;       /* environment for exec (environ, or a malloc'd merged copy) */
    int envp_owned;    /* envp must be freed (the strings belong to environ / env_add) */
    char **paths;      /* candidate program paths (PATH search done here), NULL-terminated */
    int null_fd;       /* /dev/null, read-write */
    int log_fd;        /* stdout/stderr target (>= 3) */
    int log_dup;       /* log_fd is our own dup: close it */
    unsigned max_fd;   /* highest fd to close when close_range is missing */
} prep;

/* Merged environment: environ minus the keys in add, plus add. */
static char **merge_env(char *const *add) {
    size_t n = 0, k = 0;
    while (environ && environ[n]) n++;
    while (add[k]) k++;
    char **env = calloc(n + k + 1, sizeof *env);
    if (!env) return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(environ[i], '=');
        size_t kl = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
        int replaced = 0;
        for (size_t j = 0; j < k && !replaced; j++)
            replaced = strncmp(add[j], environ[i], kl) == 0 && add[j][kl] == '=';
        if (!replaced) env[w++] = environ[i];
    }
    for (size_t j = 0; j < k; j++) env[w++] = add[j];
    return env;
}

/* execvp's search, done in the parent: argv0 with a '/' is used as is; otherwise one
 * candidate per PATH entry (empty entry = current directory). */
static char **path_candidates(const char *argv0, char *const *envp) {
    if (strchr(argv0, '/')) {
        char **v = calloc(2, sizeof *v);
        if (v && !(v[0] = strdup(argv0))) { free(v); v = NULL; }
        return v;
    }
    const char *path = NULL;
    for (char *const *e = envp; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    if (!path) path = "/usr/local/bin:/usr/bin:/bin";
    size_t n = 1;
    for (const char *p = path; *p; p++) n += *p == ':';
    char **v = calloc(n + 1, sizeof *v);
    if (!v) return NULL;
    size_t i = 0;
    for (const char *p = path;; p++) {
        const char *c = strchr(p, ':');
        size_t dl = c ? (size_t)(c - p) : strlen(p);
        if (asprintf(&v[i], "%.*s%s%s", (int)dl, p, dl ? "/" : "", argv0) < 0) {
            v[i] = NULL;
            guard_spawn_argv_free(v);
            return NULL;
        }
        i++;
        if (!c) break;
        p = c;
    }
    return v;
}

static void prep_free(prep *p) {
    if (p->envp_owned) free(p->envp);
    guard_spawn_argv_free(p->paths);
    if (p->null_fd >= 0) rg_sys_close(p->null_fd);
    if (p->log_dup && p->log_fd >= 0) rg_sys_close(p->log_fd);
}

static int prep_init(prep *p, const guard_spawn_opts *o) {
    memset(p, 0, sizeof *p);
    p->null_fd = p->log_fd = -1;
    p->envp = environ;
    if (o->env_add) {
        if (!(p->envp = merge_env(o->env_add))) return -ENOMEM;
        p->envp_owned = 1;
    }
    if (!(p->paths = path_candidates(o->argv[0], p->envp))) return -ENOMEM;
    int fd = rg_sys_open("/dev/null", O_RDWR, 0);
    if (fd < 0) return fd;
    /* stdio is rebuilt on 0..2 in the child: every fd it copies from must live above them,
     * or one dup2 would overwrite the source of the next */
    if (fd < 3) {
        int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        rg_sys_close(fd);
        if (hi < 0) return -errno;
        fd = hi;
    }
    p->null_fd = fd;
    if (o->log_fd < 0) {
        p->log_fd = p->null_fd;
    } else if (o->log_fd < 3) {
        p->log_fd = fcntl(o->log_fd, F_DUPFD_CLOEXEC, 3);
        if (p->log_fd < 0) return -errno;
        p->log_dup = 1;
    } else {
        p->log_fd = o->log_fd;
    }
    struct rlimit rl;
    p->max_fd = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
                        rl.rlim_cur < 1u << 20 ? (unsigned)rl.rlim_cur : 65536;
    return 0;
}

/* ---- the child -------------------------------------------------------------------------- */

/* One record on the status pipe. step 0 carries the priority results (non-fatal); any other
 * step is a fatal failure followed by _exit(127). */
typedef struct child_msg {
    int step;                      /* guard_spawn_step, 0 = priority results */
    int err;                       /* errno of the failed step */
    guard_prio_child_result prio;  /* step 0 only */
} child_msg;

static void child_send(int fd, const child_msg *m) {
    /* < PIPE_BUF: atomic; nothing useful to do if it fails, the exit status still says 127 */
    ssize_t n;
    do n = write(fd, m, sizeof *m);
    while (n < 0 && errno == EINTR);
}

__attribute__((noreturn)) static void child_fail(int fd, guard_spawn_step step, int err) {
    child_msg m;
    memset(&m, 0, sizeof m);
    m.step = (int)step;
    m.err = err;
    child_send(fd, &m);
    _exit(GUARD_SPAWN_EXIT_CHILD_FAILED);
}

static void close_from(unsigned first, unsigned last, unsigned max_fd) {
    if (first > last) return;
    if (syscall(SYS_close_range, first, last, 0) == 0) return;
    /* close_range missing (kernel < 5.9): close by hand up to the fd limit */
    for (unsigned fd = first; fd <= last && fd < max_fd; fd++) close((int)fd);
}

/* glibc keeps two real-time signals for itself (thread cancellation, set*id broadcast) and
 * refuses them in sigaction() with EINVAL. An ancestor can still leave them ignored (GNU make
 * 4.3 does: seen in `make test`), and an ignored set*id broadcast signal would hang a recorder
 * that calls setuid(). The raw syscall resets them; it is async-signal-safe. */
static int reset_reserved_signal(int sig) {
    struct {
        void (*handler)(int);  /* SIG_DFL */
        unsigned long flags;   /* none: no handler, so no SA_RESTORER */
        void (*restorer)(void);
        uint64_t mask;         /* the kernel's sigset_t: 64 signals */
    } k = {SIG_DFL, 0, NULL, 0};
    return (int)syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof k.mask);
}

/* Runs between fork and exec: async-signal-safe calls only (no malloc, no stdio, no locks:
 * another thread of the daemon may have held any lock at the moment of fork). */
__attribute__((noreturn)) static void child_init(const guard_spawn_opts *o, const prep *p,
                                                 int wfd, const sigset_t *empty) {
    /* 1. default dispositions: SIG_IGN would survive exec and, e.g., an ignored SIGINT makes
     *    the graceful stop impossible */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (sigaction(sig, &dfl, NULL) == 0) continue;
        if (errno != EINVAL || reset_reserved_signal(sig) < 0)
            child_fail(wfd, GUARD_SPAWN_STEP_SIGNALS, errno);
    }
    /* 2. own session: out of the daemon's terminal and process group */
    if (setsid() < 0) child_fail(wfd, GUARD_SPAWN_STEP_SETSID, errno);
    /* 3. no parent-death signal: the recorder outlives the daemon (fork clears it already;
     *    explicit, because recording must never depend on that detail) */
    if (prctl(PR_SET_PDEATHSIG, 0) < 0) child_fail(wfd, GUARD_SPAWN_STEP_PDEATHSIG, errno);
    /* 4. priority, before the program runs a single instruction of its own */
    if (o->prio) {
        child_msg m;
        memset(&m, 0, sizeof m);
        guard_prio_plan_apply_self(o->prio, &m.prio);
        child_send(wfd, &m);
    }
    /* 4b. the run's own cgroup: every process the program will start is born in it */
    if (o->join_cgroup) {
        ssize_t w = write(o->cgroup_fd, "0", 1);
        (void)w;
    }
    /* 5. stdio (dup2 clears close-on-exec on the copies) */
    if (dup2(p->null_fd, 0) < 0 || dup2(p->log_fd, 1) < 0 || dup2(p->log_fd, 2) < 0)
        child_fail(wfd, GUARD_SPAWN_STEP_STDIO, errno);
    /* 6. */
    if (o->cwd && chdir(o->cwd) < 0) child_fail(wfd, GUARD_SPAWN_STEP_CHDIR, errno);
    /* 7. every inherited fd except the status pipe (close-on-exec: closed by exec) */
    close_from(3, (unsigned)wfd - 1, p->max_fd);
    close_from((unsigned)wfd + 1, ~0U, p->max_fd);
    /* 8. last: from here a signal is delivered with default action, which is what the
     *    program would get anyway */
    if (sigprocmask(SIG_SETMASK, empty, NULL) < 0) child_fail(wfd, GUARD_SPAWN_STEP_MASK, errno);
    /* 9. like execvp: try each candidate; EACCES from one is remembered over a later ENOENT */
    int err = ENOENT;
    for (char **c = p->paths; *c; c++) {
        execve(*c, o->argv, p->envp);
        if (errno == EACCES) err = EACCES;
        else if (errno != ENOENT && errno != ENOTDIR) {
            err = errno;
            break;
        }
    }
    child_fail(wfd, GUARD_SPAWN_STEP_EXEC, err);
}

/* ---- guard_spawn ------------------------------------------------------------------------ */

static int fail(guard_spawn_result *r, guard_spawn_step step, int e, const char *argv0,
                char *err, size_t errlen) {
    r->pid = 0;
    r->pidfd = -1;
    r->failed_step = step;
    r->err = e;
    snprintf(err, errlen, "spawn(%s): %s: %s", argv0, guard_spawn_step_name(step), strerror(e));
    return -e;
}

/* Read exactly one record or EOF. 1 record, 0 EOF, -errno. */
static int read_msg(int fd, child_msg *m) {
    size_t got = 0;
    while (got < sizeof *m) {
        ssize_t n = read(fd, (char *)m + got, sizeof *m - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        if (n == 0) return got == 0 ? 0 : -EPROTO;
        got += (size_t)n;
    }
    return 1;
}

int guard_spawn(const guard_spawn_opts *o, guard_spawn_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    r->pidfd = -1;
    const char *argv0 = o->argv && o->argv[0] ? o->argv[0] : "";
    if (!o->argv || !o->argv[0] || (o->prio && !o->prio_report))
        return fail(r, GUARD_SPAWN_STEP_PREPARE, EINVAL, argv0, err, errlen);

    prep p;
    int rc = prep_init(&p, o);
    if (rc < 0) {
        prep_free(&p);
        return fail(r, GUARD_SPAWN_STEP_PREPARE, -rc, argv0, err, errlen);
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        rc = errno;
        prep_free(&p);
        return fail(r, GUARD_SPAWN_STEP_PREPARE, rc, argv0, err, errlen);
    }
    /* a daemon started with closed stdio gets its pipe on 0..2, where the child's stdio goes */
    for (int i = 0; i < 2; i++) {
        if (pfd[i] >= 3) continue;
        int hi = fcntl(pfd[i], F_DUPFD_CLOEXEC, 3);
        rc = errno;
        rg_sys_close(pfd[i]);
        pfd[i] = hi;
        if (hi < 0) {
            if (pfd[1 - i] >= 0) rg_sys_close(pfd[1 - i]);
            prep_free(&p);
            return fail(r, GUARD_SPAWN_STEP_PREPARE, rc, argv0, err, errlen);
        }
    }
    sigset_t all, old, empty;
    sigfillset(&all);
    sigemptyset(&empty);
    /* Blocked across fork: a handler of the daemon must never run in the child, where it
     * could touch the daemon's state or write to its fds before the reset in step 1. */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = rg_sys_fork();
    if (pid == 0) child_init(o, &p, pfd[1], &empty);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    rg_sys_close(pfd[1]);
    prep_free(&p);
    if (pid < 0) {
        rg_sys_close(pfd[0]);
        return fail(r, GUARD_SPAWN_STEP_FORK, -pid, argv0, err, errlen);
    }
    /* The child cannot have been reaped yet (only we reap it), so this pidfd is ours. */
    int pidfd = rg_sys_pidfd_open(pid);

    child_msg m, fatal = {0};
    guard_prio_child_result prio = {{0}, 0};
    int got_prio = 0;
    while ((rc = read_msg(pfd[0], &m)) == 1) {
        if (m.step == 0) {
            prio = m.prio;
            got_prio = 1;
        } else {
            fatal = m;
        }
    }
    rg_sys_close(pfd[0]);
    if (rc < 0 && !fatal.step) fatal = (child_msg){.step = GUARD_SPAWN_STEP_PREPARE, .err = -rc};
    if (pidfd < 0 && !fatal.step) {
        kill(pid, SIGKILL);
        fatal = (child_msg){.step = GUARD_SPAWN_STEP_PIDFD, .err = -pidfd};
    }
    if (fatal.step) {
        if (fatal.step == GUARD_SPAWN_STEP_PREPARE) kill(pid, SIGKILL);
        /* the child has _exit()ed or is being killed: reap it now, leave no zombie */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        if (pidfd >= 0) rg_sys_close(pidfd);
        return fail(r, (guard_spawn_step)fatal.step, fatal.err ? fatal.err : EIO, argv0, err,
                    errlen);
    }
    if (o->prio && got_prio) guard_prio_report_from_child(o->prio_report, o->prio, &prio);
    r->pid = pid;
    r->pidfd = pidfd;
    /* starttime is fixed at fork and survives exec; even a child that already exited is
     * still readable (a zombie) until it is reaped */
    if (guard_proc_identity_of(pid, &r->id) < 0) r->id = (guard_proc_identity){.pid = pid};
    return 0;
}

/* ---- signals, reaping, adoption --------------------------------------------------------- */

int guard_spawn_signal(int pidfd, int sig) {
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) return -errno;
    return 0;
}

int guard_spawn_reap(int pidfd, siginfo_t *si, int extra_flags) {
    siginfo_t tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc;
    do rc = waitid(P_PIDFD, (id_t)pidfd, &tmp, WEXITED | extra_flags);
    while (rc < 0 && errno == EINTR);
    if (rc < 0) return -errno;
    if (tmp.si_pid == 0) return 1; /* WNOHANG and still running */
    *si = tmp;
    return 0;
}

char *guard_spawn_describe_exit(const siginfo_t *si, char *buf, size_t buflen) {
    const char *abbrev = sigabbrev_np(si->si_status);
    switch (si->si_code) {
    case CLD_EXITED: snprintf(buf, buflen, "exited with status %d", si->si_status); break;
    case CLD_KILLED: snprintf(buf, buflen, "killed by SIG%s", abbrev ? abbrev : "?"); break;
    case CLD_DUMPED:
        snprintf(buf, buflen, "killed by SIG%s (core dumped)", abbrev ? abbrev : "?");
        break;
    default: snprintf(buf, buflen, "ended (code %d, status %d)", si->si_code, si->si_status);
    }
    return buf;
}

int guard_spawn_adopt(const guard_proc_identity *id, int *pidfd, char *err, size_t errlen) {
    *pidfd = -1;
    int fd = rg_sys_pidfd_open(id->pid);
    if (fd < 0) {
        snprintf(err, errlen, "adopt(%d): pidfd_open: %s", (int)id->pid, strerror(-fd));
        return fd;
    }
    int rc = guard_proc_identity_check(id);
    if (rc == -ECHILD) rc = -ESRCH; /* a zombie is a dead recorder */
    if (rc < 0) {
        rg_sys_close(fd);
        snprintf(err, errlen, "adopt(%d): %s", (int)id->pid,
                 rc == -ESTALE ? "pid now belongs to another process (start time differs)"
                 : rc == -ESRCH ? "process is gone"
                                : strerror(-rc));
        return rc;
    }
    *pidfd = fd;
    return 0;
}
