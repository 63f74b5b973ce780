/* test_guard_spawn — spawns real processes. The test binary is its own helper (libuv's
 * spawn_helper): run as `test_guard_spawn --child MODE`, it reports from inside the child what
 * the isolation must guarantee (session, signal mask and ignored signals, open fds, stdin,
 * parent-death signal, priority), and the test checks it. Exec and fork failures, pidfd
 * signalling and reaping, re-adoption; every test ends with no child and no extra fd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rg_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/rg_sys.h"
#include "guard/guard_fsm.h"
#include "guard/guard_prio.h"
#include "guard/guard_proc.h"
#include "guard/guard_spawn.h"

static char self_exe[4096];
static char tmpdir[256];

/* ---- the helper (runs in the spawned child) -------------------------------------------- */

static void fd_target(int fd, char *buf, size_t len) {
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, buf, len - 1);
    buf[n < 0 ? 0 : n] = '\0';
}

static int child_main(const char *mode) {
    if (strcmp(mode, "sleep") == 0) {
        printf("ready\n");
        fflush(stdout);
        for (;;) pause();
    }
    if (strcmp(mode, "exit3") == 0) return 3;
    guard_proc_status st;
    if (guard_proc_read_status(getpid(), &st) < 0) return 90;
    int pdeath = -1;
    prctl(PR_GET_PDEATHSIG, &pdeath);
    char fds[512] = "";
    DIR *d = opendir("/proc/self/fd");
    if (!d) return 91;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d)) continue;
        snprintf(fds + strlen(fds), sizeof fds - strlen(fds), "%s%s", fds[0] ? "," : "", e->d_name);
    }
    closedir(d);
    char t0[256], t1[256], t2[256], cwd[256];
    fd_target(0, t0, sizeof t0);
    fd_target(1, t1, sizeof t1);
    fd_target(2, t2, sizeof t2);
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
    guard_prio_effective eff;
    if (guard_prio_read_effective(getpid(), &eff) < 0) return 92;
    const char *var = getenv("RG_TEST_VAR");
    printf("pid=%d\nsid=%d\npgid=%d\nsigblk=%llx\nsigign=%llx\npdeath=%d\nfds=%s\nfd0=%s\n"
           "fd1=%s\nfd2=%s\ncwd=%s\nnice=%d\noom=%d\ncpus=%s\nioclass=%d\niolevel=%d\nsched=%d\n"
           "var=%s\n",
           getpid(), getsid(0), getpgid(0), (unsigned long long)st.sig_blk,
           (unsigned long long)st.sig_ign, pdeath, fds, t0, t1, t2, cwd, eff.nice, eff.oom_score_adj,
           eff.cpus, eff.ioclass, eff.iolevel, eff.sched_policy, var ? var : "(unset)");
    fprintf(stderr, "stderr-line\n");
    return 0;
}

/* ---- test utilities -------------------------------------------------------------------- */

static int count_fds(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own fd */
}

static void assert_no_children(void) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
    assert_int_equal(rc, -1);
    assert_int_equal(errno, ECHILD);
}

/* Wait (bounded) for the child behind pidfd to end, then reap it. */
static void wait_reap(int pidfd, siginfo_t *si) {
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 20000), 1);
    assert_int_equal(guard_spawn_reap(pidfd, si, 0), 0);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Value of "key=" in a report (static buffer). */
static const char *field(const char *report, const char *key) {
    static char val[512];
    char pat[64];
    snprintf(pat, sizeof pat, "%s=", key);
    for (const char *p = report; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, pat, strlen(pat)) == 0) {
            const char *v = p + strlen(pat), *e = strchr(v, '\n');
            size_t n = e ? (size_t)(e - v) : strlen(v);
            snprintf(val, sizeof val, "%.*s", (int)n, v);
            return val;
        }
    }
    fail_msg("no %s in report:\n%s", key, report);
    return NULL;
}

static int open_log(const char *name, char *path, size_t len) {
    snprintf(path, len, "%s/%s", tmpdir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    return fd;
}

static int fds_before;

static int setup(void **st) {
    (void)st;
    rg_sys_reset();
    fds_before = count_fds();
    return 0;
}

static int teardown(void **st) {
    (void)st;
    assert_no_children();
    assert_int_equal(count_fds(), fds_before);
    return 0;
}

/* ---- tests ----------------------------------------------------------------------------- */

/* The daemon's own state must not leak into the recorder: blocked and ignored signals, an
 * fd without O_CLOEXEC, the session, a parent-death signal of its own. */
static void test_isolation(void **st) {
    (void)st;
    sigset_t blk, old;
    sigemptyset(&blk);
    sigaddset(&blk, SIGUSR1);
    sigaddset(&blk, SIGTERM);
    sigprocmask(SIG_BLOCK, &blk, &old);
    struct sigaction ign = {.sa_handler = SIG_IGN}, oldint, oldpipe;
    sigaction(SIGINT, &ign, &oldint);
    sigaction(SIGPIPE, &ign, &oldpipe);
    int leak = open("/dev/zero", O_RDONLY); /* deliberately inheritable */
    assert_true(leak >= 0);
    char logpath[512];
    int log = open_log("isolation.log", logpath, sizeof logpath);

    char *argv[] = {self_exe, "--child", "report", NULL};
    guard_spawn_opts o = {.argv = argv, .log_fd = log, .cwd = tmpdir};
    guard_spawn_result r;
    char err[256];
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), 0);
    assert_true(r.pid > 0);
    assert_true(r.pidfd >= 0);
    assert_int_equal(r.failed_step, GUARD_SPAWN_STEP_NONE);
    assert_int_equal(r.id.pid, r.pid);
    assert_true(r.id.starttime_ticks > 0);
    assert_true(fcntl(r.pidfd, F_GETFD) & FD_CLOEXEC);
    siginfo_t si;
    wait_reap(r.pidfd, &si);
    assert_int_equal(si.si_code, CLD_EXITED);
    assert_int_equal(si.si_status, 0);
    close(r.pidfd);
    close(log);
    close(leak);
    sigprocmask(SIG_SETMASK, &old, NULL);
    sigaction(SIGINT, &oldint, NULL);
    sigaction(SIGPIPE, &oldpipe, NULL);

    const char *rep = slurp(logpath);
    assert_non_null(rep);
    char pid[32];
    snprintf(pid, sizeof pid, "%d", r.pid);
    assert_string_equal(field(rep, "pid"), pid);
    assert_string_equal(field(rep, "sid"), pid);  /* session leader of its own session */
    assert_string_equal(field(rep, "pgid"), pid);
    assert_int_not_equal(getsid(0), r.pid);
    assert_string_equal(field(rep, "sigblk"), "0");
    assert_string_equal(field(rep, "sigign"), "0");
    assert_string_equal(field(rep, "pdeath"), "0");
    assert_string_equal(field(rep, "fds"), "0,1,2");
    assert_string_equal(field(rep, "fd0"), "/dev/null");
    assert_string_equal(field(rep, "fd1"), logpath);
    assert_string_equal(field(rep, "fd2"), logpath);
    assert_string_equal(field(rep, "cwd"), tmpdir);
    assert_string_equal(field(rep, "var"), "(unset)");
    assert_non_null(strstr(rep, "stderr-line\n"));
}

/* A parent-death signal set on the daemon is not inherited either (checked explicitly). */
static void test_pdeathsig_of_parent_not_inherited(void **st) {
    (void)st;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char logpath[512];
    int log = open_log("pdeath.log", logpath, sizeof logpath);
    char *argv[] = {self_exe, "--child", "report", NULL};
    char *env[] = {"RG_TEST_VAR=hello world", NULL};
    guard_spawn_opts o = {.argv = argv, .log_fd = log, .env_add = env};
    guard_spawn_result r;
    char err[256];
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), 0);
    prctl(PR_SET_PDEATHSIG, 0);
    siginfo_t si;
    wait_reap(r.pidfd, &si);
    close(r.pidfd);
    close(log);
    const char *rep = slurp(logpath);
    assert_string_equal(field(rep, "pdeath"), "0");
    assert_string_equal(field(rep, "var"), "hello world");
}

static void test_exec_failures(void **st) {
    (void)st;
    char err[256];
    guard_spawn_result r;
    char *missing[] = {"/nonexistent/recorder", "{segment}", NULL};
    guard_spawn_opts o = {.argv = missing, .log_fd = -1};
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), -ENOENT);
    assert_int_equal(r.failed_step, GUARD_SPAWN_STEP_EXEC);
    assert_int_equal(r.err, ENOENT);
    assert_int_equal(r.pid, 0);
    assert_int_equal(r.pidfd, -1);
    assert_string_equal(err, "spawn(/nonexistent/recorder): exec: No such file or directory");
    assert_no_children();

    /* PATH search, nothing found */
    char *bare[] = {"recguard-no-such-program-4711", NULL};
    o.argv = bare;
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), -ENOENT);
    assert_int_equal(r.failed_step, GUARD_SPAWN_STEP_EXEC);

    /* a file that is not executable */
    char path[512];
    snprintf(path, sizeof path, "%s/not-exec", tmpdir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    char *noexec[] = {path, NULL};
    o.argv = noexec;
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), -EACCES);
    assert_int_equal(r.failed_step, GUARD_SPAWN_STEP_EXEC);

    /* chdir into a missing directory fails at that step, before exec */
    char *ok[] = {self_exe, "--child", "report", NULL};
    o.argv = ok;
    o.cwd = "/nonexistent-dir";
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), -ENOENT);
    assert_int_equal(r.failed_step, GUARD_SPAWN_STEP_CHDIR);
    assert_non_null(strstr(err, ": chdir: "));

    /* empty argv */
    char *empty[] = {NULL};
    o.argv = empty;
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), -EINVAL);
    assert_int_equal(r.failed_step, GUARD_SPAWN_STEP_PREPARE);
}

/* PATH search finds a program by its bare name (sh is everywhere). */
static void test_path_search(void **st) {
    (void)st;
    char *argv[] = {"sh", "-c", "exit 7", NULL};
    guard_spawn_opts o = {.argv = argv, .log_fd = -1};
    guard_spawn_result r;
    char err[256];
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), 0);
    siginfo_t si;
    wait_reap(r.pidfd, &si);
    assert_int_equal(si.si_code, CLD_EXITED);
    assert_int_equal(si.si_status, 7);
    char d[64];
    assert_string_equal(guard_spawn_describe_exit(&si, d, sizeof d), "exited with status 7");
    assert_int_equal(guard_fsm_exit_event(si.si_code, si.si_status), GUARD_EV_CRASHED);
    close(r.pidfd);
}

static void test_fork_and_pidfd_failures(void **st) {
    (void)st;
    char *argv[] = {self_exe, "--child", "report", NULL};
    guard_spawn_opts o = {.argv = argv, .log_fd = -1};
    guard_spawn_result r;
    char err[256];
    rg_sys_fail_nth(RG_SYS_FORK, 1, EAGAIN, 0);
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), -EAGAIN);
    assert_int_equal(r.failed_step, GUARD_SPAWN_STEP_FORK);
    assert_non_null(strstr(err, ": fork: Resource temporarily unavailable"));
    rg_sys_fail_nth(RG_SYS_PIDFD_OPEN, 1, EMFILE, 0);
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), -EMFILE);
    assert_int_equal(r.failed_step, GUARD_SPAWN_STEP_PIDFD);
    assert_int_equal(r.pidfd, -1);
    /* the child that did get forked was killed and reaped: teardown checks it */
    rg_sys_reset();
    /* with the faults gone it works again */
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), 0);
    siginfo_t si;
    wait_reap(r.pidfd, &si);
    close(r.pidfd);
}

/* Signals through the pidfd; a dead child gives ESRCH, a reaped one ECHILD on reap. */
static void test_signal_and_reap(void **st) {
    (void)st;
    char logpath[512];
    int log = open_log("sleep.log", logpath, sizeof logpath);
    char *argv[] = {self_exe, "--child", "sleep", NULL};
    guard_spawn_opts o = {.argv = argv, .log_fd = log};
    guard_spawn_result r;
    char err[256];
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), 0);
    close(log);
    siginfo_t si;
    assert_int_equal(guard_spawn_reap(r.pidfd, &si, WNOHANG), 1); /* still running */
    assert_int_equal(guard_spawn_signal(r.pidfd, SIGTERM), 0);
    wait_reap(r.pidfd, &si);
    assert_int_equal(si.si_code, CLD_KILLED);
    assert_int_equal(si.si_status, SIGTERM);
    char d[64];
    assert_string_equal(guard_spawn_describe_exit(&si, d, sizeof d), "killed by SIGTERM");
    assert_int_equal(guard_spawn_signal(r.pidfd, SIGTERM), -ESRCH);
    assert_int_equal(guard_spawn_reap(r.pidfd, &si, WNOHANG), -ECHILD);
    close(r.pidfd);
    siginfo_t fake = {.si_code = CLD_DUMPED, .si_status = SIGSEGV};
    assert_string_equal(guard_spawn_describe_exit(&fake, d, sizeof d), "killed by SIGSEGV (core dumped)");
}

/* Adoption: identity checked after the pidfd is open; a wrong start time is a reused pid. */
static void test_adopt(void **st) {
    (void)st;
    char *argv[] = {self_exe, "--child", "sleep", NULL};
    guard_spawn_opts o = {.argv = argv, .log_fd = -1};
    guard_spawn_result r;
    char err[256];
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), 0);
    int fd;
    assert_int_equal(guard_spawn_adopt(&r.id, &fd, err, sizeof err), 0);
    assert_true(fd >= 0);
    guard_proc_identity wrong = r.id;
    wrong.starttime_ticks += 1;
    int fd2 = 123;
    assert_int_equal(guard_spawn_adopt(&wrong, &fd2, err, sizeof err), -ESTALE);
    assert_int_equal(fd2, -1);
    assert_non_null(strstr(err, "start time differs"));
    /* signalling through the adopted pidfd works like through our own */
    assert_int_equal(guard_spawn_signal(fd, SIGKILL), 0);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 20000), 1);
    /* a zombie is a dead recorder */
    assert_int_equal(guard_spawn_adopt(&r.id, &fd2, err, sizeof err), -ESRCH);
    siginfo_t si;
    wait_reap(r.pidfd, &si);
    assert_int_equal(si.si_status, SIGKILL);
    assert_int_equal(guard_spawn_adopt(&r.id, &fd2, err, sizeof err), -ESRCH);
    close(fd);
    close(r.pidfd);
}

/* Priority applied in the child before exec, as the child sees it; refused knobs reported
 * consistently with what really holds. */
static void test_priority_in_child(void **st) {
    (void)st;
    guard_prio_cfg cfg;
    guard_prio_cfg_defaults(&cfg);
    cfg.nice = 5;                 /* lowering priority is always allowed */
    cfg.ioclass = GUARD_IOCLASS_BEST_EFFORT;
    cfg.iolevel = 4;
    snprintf(cfg.cpus, sizeof cfg.cpus, "0");
    cfg.oom_score_adj = 300;      /* raising is always allowed */
    guard_prio_plan plan;
    guard_prio_report rep;
    char err[256];
    assert_int_equal(guard_prio_plan_init(&plan, &cfg, &rep, err, sizeof err), 0);
    char logpath[512];
    int log = open_log("prio.log", logpath, sizeof logpath);
    char *argv[] = {self_exe, "--child", "report", NULL};
    guard_spawn_opts o = {.argv = argv, .log_fd = log, .prio = &plan, .prio_report = &rep};
    guard_spawn_result r;
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), 0);
    siginfo_t si;
    wait_reap(r.pidfd, &si);
    close(r.pidfd);
    close(log);
    guard_prio_plan_free(&plan);
    const char *out = slurp(logpath);
    assert_string_equal(field(out, "nice"), "5");
    assert_string_equal(field(out, "oom"), "300");
    assert_string_equal(field(out, "cpus"), "0");
    assert_string_equal(field(out, "ioclass"), "2");
    assert_string_equal(field(out, "iolevel"), "4");
    assert_int_equal(rep.knob[GUARD_PRIO_NICE].status, GUARD_PRIO_APPLIED);
    assert_string_equal(rep.knob[GUARD_PRIO_NICE].detail, "nice 5");
    assert_int_equal(rep.knob[GUARD_PRIO_OOM].status, GUARD_PRIO_APPLIED);
    assert_int_equal(rep.knob[GUARD_PRIO_AFFINITY].status, GUARD_PRIO_APPLIED);
    assert_int_equal(rep.knob[GUARD_PRIO_IOPRIO].status, GUARD_PRIO_APPLIED);
    assert_string_equal(rep.knob[GUARD_PRIO_IOPRIO].detail, "ioprio best-effort 4");
    assert_int_equal(rep.knob[GUARD_PRIO_SCHED].status, GUARD_PRIO_NOT_REQUESTED);
    assert_int_equal(rep.knob[GUARD_PRIO_CGROUP].status, GUARD_PRIO_NOT_REQUESTED);

    /* lowering oom_score_adj below the inherited minimum needs CAP_SYS_RESOURCE: whatever
     * this machine allows, the report must agree with what the child really got */
    guard_prio_cfg_defaults(&cfg);
    cfg.oom_score_adj = -900;
    assert_int_equal(guard_prio_plan_init(&plan, &cfg, &rep, err, sizeof err), 0);
    log = open_log("prio2.log", logpath, sizeof logpath);
    o = (guard_spawn_opts){.argv = argv, .log_fd = log, .prio = &plan, .prio_report = &rep};
    assert_int_equal(guard_spawn(&o, &r, err, sizeof err), 0);
    wait_reap(r.pidfd, &si);
    close(r.pidfd);
    close(log);
    guard_prio_plan_free(&plan);
    out = slurp(logpath);
    if (rep.knob[GUARD_PRIO_OOM].status == GUARD_PRIO_APPLIED) {
        assert_string_equal(field(out, "oom"), "-900");
    } else {
        assert_int_equal(rep.knob[GUARD_PRIO_OOM].status, GUARD_PRIO_REFUSED);
        assert_int_equal(rep.knob[GUARD_PRIO_OOM].err, EACCES);
        assert_non_null(strstr(rep.knob[GUARD_PRIO_OOM].detail, "CAP_SYS_RESOURCE"));
        assert_string_not_equal(field(out, "oom"), "-900");
    }
    /* nice -10 likewise (CAP_SYS_NICE) */
    char nice_want[8];
    snprintf(nice_want, sizeof nice_want, "%d", -10);
    if (rep.knob[GUARD_PRIO_NICE].status == GUARD_PRIO_APPLIED)
        assert_string_equal(field(out, "nice"), nice_want);
    else
        assert_string_not_equal(field(out, "nice"), nice_want);
    printf("# this machine: oom_score_adj -900 %s, nice -10 %s\n",
           guard_prio_status_name(rep.knob[GUARD_PRIO_OOM].status),
           guard_prio_status_name(rep.knob[GUARD_PRIO_NICE].status));
}

/* The recorder outlives its daemon: a "daemon" process spawns it, then the daemon's whole
 * process group gets SIGHUP and SIGINT (a closed terminal, a Ctrl-C) and finally SIGKILL. The
 * recorder, in its own session, sees none of it and keeps running. We are the subreaper, so the
 * orphan comes back to us to be reaped. */
static void test_outlives_daemon(void **st) {
    (void)st;
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    int pfd[2];
    assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
    pid_t daemon_pid = fork();
    assert_true(daemon_pid >= 0);
    if (daemon_pid == 0) {
        setpgid(0, 0); /* the "terminal's" process group */
        char *argv[] = {self_exe, "--child", "sleep", NULL};
        guard_spawn_opts o = {.argv = argv, .log_fd = -1};
        guard_spawn_result r;
        char err[256];
        pid_t got = guard_spawn(&o, &r, err, sizeof err) == 0 ? r.pid : -1;
        if (write(pfd[1], &got, sizeof got) != sizeof got) _exit(1);
        for (;;) pause();
    }
    close(pfd[1]);
    pid_t rec = 0;
    assert_int_equal(read(pfd[0], &rec, sizeof rec), (ssize_t)sizeof rec);
    close(pfd[0]);
    assert_true(rec > 0);
    setpgid(daemon_pid, daemon_pid); /* both sides set it: no race with the child */
    assert_int_equal(kill(-daemon_pid, SIGHUP), 0);
    assert_int_equal(kill(-daemon_pid, SIGINT), 0);
    assert_int_equal(kill(-daemon_pid, SIGKILL), 0);
    assert_int_equal(waitpid(daemon_pid, NULL, 0), daemon_pid);
    /* the recorder: alive, now our child (subreaper), still its own session, not stopped */
    int rfd = (int)syscall(SYS_pidfd_open, rec, 0);
    assert_true(rfd >= 0);
    guard_proc_stat ps;
    for (int i = 0; i < 2000; i++) { /* reparenting is immediate, but be generous */
        assert_int_equal(guard_proc_read_stat(rec, &ps), 0);
        if (ps.ppid == getpid()) break;
        usleep(5000);
    }
    assert_int_equal(ps.ppid, getpid());
    assert_int_equal(ps.session, rec);
    assert_true(ps.state == 'S' || ps.state == 'R');
    struct pollfd p = {.fd = rfd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0); /* not exited */
    assert_int_equal(guard_spawn_signal(rfd, SIGKILL), 0);
    siginfo_t si;
    wait_reap(rfd, &si);
    assert_int_equal(si.si_status, SIGKILL);
    close(rfd);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void test_expand(void **st) {
    (void)st;
    char *argv[] = {"rec", "-o", "{segment}", "--log={segment}.log", "{seg}", "{segment}{segment}",
                    NULL};
    char **out;
    assert_int_equal(guard_spawn_expand(argv, "/bags/b/b_3.mcap", &out), 0);
    assert_string_equal(out[0], "rec");
    assert_string_equal(out[1], "-o");
    assert_string_equal(out[2], "/bags/b/b_3.mcap");
    assert_string_equal(out[3], "--log=/bags/b/b_3.mcap.log");
    assert_string_equal(out[4], "{seg}");
    assert_string_equal(out[5], "/bags/b/b_3.mcap/bags/b/b_3.mcap");
    assert_null(out[6]);
    guard_spawn_argv_free(out);
    char *none[] = {NULL};
    assert_int_equal(guard_spawn_expand(none, "x", &out), -EINVAL);
    assert_null(out);
    assert_string_equal(guard_spawn_step_name(GUARD_SPAWN_STEP_EXEC), "exec");
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "--child") == 0) return child_main(argv[2]);
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n < 0) return 1;
    self_exe[n] = '\0';
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_guard_spawn.XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_isolation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pdeathsig_of_parent_not_inherited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_and_pidfd_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signal_and_reap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adopt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_in_child, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outlives_daemon, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expand, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rg_test_rmtree(tmpdir) != 0) rc = rc ? rc : 1;
    return rc;
}
