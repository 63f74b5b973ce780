/* test_guard_helper — the daemon's kept-alive helper child: started at once at nice 10 in its
 * own session with its output in the log (or at the daemon's own priority when the child lowers
 * its own, as the monitor does), stopped and reaped by guard_helper_stop, including a child that
 * ignores SIGTERM (SIGKILL after GUARD_HELPER_STOP_NS); its exit and a failed spawn are reported
 * through on_event with the restart announced. The restart itself is covered by
 * tests/integration/test_web_helper.sh and test_hz_daemon.sh (it takes GUARD_HELPER_RESTART_NS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/rg_time.h"
#include "guard/guard_helper.h"
#include "guard/guard_proc.h"

static int gone(pid_t pid) {
    return kill(pid, 0) < 0 && errno == ESRCH;
}

static void temp_log(char *path, size_t len) {
    snprintf(path, len, "/tmp/test_guard_helper.XXXXXX");
    int lfd = mkstemp(path);
    assert_true(lfd >= 0);
    close(lfd);
}

static void run(char *const *argv, int self_prio, int64_t min_stop_ns) {
    sd_event *ev;
    assert_int_equal(sd_event_new(&ev), 0);
    char log[64];
    temp_log(log, sizeof log);
    errno = 0;
    int own_nice = getpriority(PRIO_PROCESS, 0);
    assert_int_equal(errno, 0);
    guard_helper *h;
    char err[256];
    guard_helper_opts o = {.argv = argv, .log_path = log, .what = "test helper", .self_prio = self_prio};
    assert_int_equal(guard_helper_start(ev, &o, &h, err, sizeof err), 0);
    pid_t pid = guard_helper_pid(h);
    assert_true(pid > 0);
    guard_proc_stat ps;
    /* The child applies its priority before exec: wait (bounded) until it has exec'd. */
    int64_t until = rg_time_mono_ns() + 5 * RG_NS_PER_S;
    while (rg_time_mono_ns() < until && (guard_proc_read_stat(pid, &ps) != 0 || strcmp(ps.comm, "sleep") != 0))
        usleep(10000);
    assert_string_equal(ps.comm, "sleep");
    assert_int_equal(ps.nice, self_prio ? own_nice : GUARD_HELPER_NICE);
    assert_int_equal(ps.session, pid);
    int64_t t0 = rg_time_mono_ns();
    guard_helper_stop(h);
    assert_true(rg_time_mono_ns() - t0 >= min_stop_ns);
    assert_true(gone(pid)); /* reaped, not a zombie */
    guard_helper_stop(NULL);
    unlink(log);
    sd_event_unref(ev);
}

static void test_start_stop(void **st) {
    (void)st;
    char *argv[] = {"sleep", "30", NULL};
    run(argv, 0, 0);
}

static void test_self_prio(void **st) {
    (void)st;
    char *argv[] = {"sleep", "30", NULL};
    run(argv, 1, 0);
}

static void test_stubborn(void **st) {
    (void)st;
    /* exec keeps the ignored disposition: sleep itself ignores SIGTERM */
    char *argv[] = {"sh", "-c", "trap '' TERM; exec sleep 30", NULL};
    run(argv, 0, GUARD_HELPER_STOP_NS);
}

/* A helper whose reports are recorded, on its own loop and log. */
typedef struct {
    sd_event *ev;    /* its loop */
    char log[64];    /* its log file */
    guard_helper *h; /* the helper */
    int n;           /* reports so far */
    char last[512];  /* the last one */
} reported;

static void record(void *ctx, const char *what) {
    reported *f = ctx;
    f->n++;
    snprintf(f->last, sizeof f->last, "%s", what);
}

static void reported_start(reported *f, char *const *argv) {
    memset(f, 0, sizeof *f);
    assert_int_equal(sd_event_new(&f->ev), 0);
    temp_log(f->log, sizeof f->log);
    char err[256];
    guard_helper_opts o = {.argv = argv, .log_path = f->log, .what = "test helper", .on_event = record, .ctx = f};
    assert_int_equal(guard_helper_start(f->ev, &o, &f->h, err, sizeof err), 0);
}

static void reported_end(reported *f) {
    guard_helper_stop(f->h); /* with only the restart timer pending */
    unlink(f->log);
    sd_event_unref(f->ev);
}

static void test_exit_reported(void **st) {
    (void)st;
    reported f;
    char *argv[] = {"sh", "-c", "exit 3", NULL};
    reported_start(&f, argv);
    pid_t pid = guard_helper_pid(f.h);
    assert_true(pid > 0);
    int64_t until = rg_time_mono_ns() + 5 * RG_NS_PER_S;
    while (f.n == 0 && rg_time_mono_ns() < until) assert_true(sd_event_run(f.ev, 100000) >= 0);
    assert_int_equal(f.n, 1);
    char want[128];
    snprintf(want, sizeof want, "test helper pid %d exited with status 3; starting it again in 5 s", (int)pid);
    assert_string_equal(f.last, want);
    assert_int_equal(guard_helper_pid(f.h), 0);
    assert_true(gone(pid)); /* reaped when it ended */
    reported_end(&f);
}

static void test_spawn_failure_reported(void **st) {
    (void)st;
    reported f;
    char *argv[] = {"/nonexistent/recguard-test-helper", NULL};
    reported_start(&f, argv);
    assert_int_equal(guard_helper_pid(f.h), 0);
    assert_int_equal(f.n, 1);
    assert_non_null(strstr(f.last, "test helper: "));
    assert_non_null(strstr(f.last, "; trying again in 5 s"));
    reported_end(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_start_stop), cmocka_unit_test(test_self_prio),
                                       cmocka_unit_test(test_stubborn), cmocka_unit_test(test_exit_reported),
                                       cmocka_unit_test(test_spawn_failure_reported)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
