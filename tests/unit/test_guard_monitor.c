/* test_guard_monitor — the monitor child's command line: it leaves the recorder's topics alone,
 * names the daemon as its parent, writes its stats into the state dir, keeps off the recorder's
 * CPUs only when there are some, and a state dir too long for its paths is refused. Its lifecycle
 * is guard_helper's (test_guard_helper, tests/integration/test_hz_daemon.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "guard/guard_monitor.h"

static void test_argv(void **st) {
    (void)st;
    guard_monitor_cmd c;
    char err[256];
    assert_int_equal(guard_monitor_cmd_init(&c, "/usr/bin/recguard", "/run/rg", "/run/rg/ctl.sock", "2-3", 4242,
                                            err, sizeof err),
                     0);
    const char *want[] = {"/usr/bin/recguard", "monitor", "--except-recorded", "--parent", "4242", "--stats",
                          "/run/rg/monitor.stats", "--socket", "/run/rg/ctl.sock", "--avoid-cpus", "2-3", NULL};
    for (size_t i = 0; want[i]; i++) assert_string_equal(c.argv[i], want[i]);
    assert_null(c.argv[11]);
    assert_string_equal(c.log, "/run/rg/monitor.log");
}

static void test_no_cpus(void **st) {
    (void)st;
    guard_monitor_cmd c;
    char err[256];
    const char *none[] = {"", NULL};
    for (size_t n = 0; n < 2; n++) {
        assert_int_equal(guard_monitor_cmd_init(&c, "rg", "/s", "/s/ctl", none[n], 7, err, sizeof err), 0);
        assert_string_equal(c.argv[7], "--socket");
        assert_string_equal(c.argv[8], "/s/ctl");
        assert_null(c.argv[9]);
    }
}

static void test_path_too_long(void **st) {
    (void)st;
    static char dir[PATH_MAX];
    memset(dir, 'd', sizeof dir - 8);
    dir[0] = '/';
    dir[sizeof dir - 8] = '\0';
    guard_monitor_cmd c;
    static char err[PATH_MAX + 64];
    assert_int_equal(guard_monitor_cmd_init(&c, "rg", dir, "/s/ctl", "", 7, err, sizeof err), -ENAMETOOLONG);
    assert_memory_equal(err, "monitor(/ddd", 12);
    assert_non_null(strstr(err, "path too long"));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_argv), cmocka_unit_test(test_no_cpus),
                                       cmocka_unit_test(test_path_too_long)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
