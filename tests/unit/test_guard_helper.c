/* test_guard_helper — the daemon's kept-alive helper child: started at once at nice 10 in its
 * own session with its output in the log, stopped and reaped by guard_helper_stop, including a
 * child that ignores SIGTERM (SIGKILL after GUARD_HELPER_STOP_NS). Restart after an exit is
 * covered by tests/integration/test_web_helper.sh (it takes GUARD_HELPER_RESTART_NS). */
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
#include <unistd.h>

#include "common/rg_time.h"
#include "guard/guard_helper.h"
#include "guard/guard_proc.h"

static int gone(pid_t pid) {
    return kill(pid, 0) < 0 && errno == ESRCH;
}

static void run(char *const *argv, int64_t min_stop_ns) {
    sd_event *ev;
    assert_int_equal(sd_event_new(&ev), 0);
    char log[] = "/tmp/test_guard_helper.XXXXXX";
    int lfd = mkstemp(log);
    assert_true(lfd >= 0);
    close(lfd);
    guard_helper *h;
    char err[256];
    assert_int_equal(guard_helper_start(ev, argv, log, "test helper", &h, err, sizeof err), 0);
    pid_t pid = guard_helper_pid(h);
    assert_true(pid > 0);
    guard_proc_stat ps;
    /* The child applies its priority before exec: wait (bounded) until it has exec'd. */
    int64_t until = rg_time_mono_ns() + 5 * RG_NS_PER_S;
    while (rg_time_mono_ns() < until && (guard_proc_read_stat(pid, &ps) != 0 || strcmp(ps.comm, "sleep") != 0))
        usleep(10000);
    assert_string_equal(ps.comm, "sleep");
    assert_int_equal(ps.nice, GUARD_HELPER_NICE);
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
    run(argv, 0);
}

static void test_stubborn(void **st) {
    (void)st;
    /* exec keeps the ignored disposition: sleep itself ignores SIGTERM */
    char *argv[] = {"sh", "-c", "trap '' TERM; exec sleep 30", NULL};
    run(argv, GUARD_HELPER_STOP_NS);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_start_stop), cmocka_unit_test(test_stubborn)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
