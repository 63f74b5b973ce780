/* Unit tests: the control request parser (pure) and the default socket path rule. */
#include "guard/guard_ctl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static int parse(const char *s, guard_ctl_req *r, char *err) {
    return guard_ctl_parse(s, strlen(s), r, err, 256);
}

static void test_every_command(void **st) {
    (void)st;
    const char *names[] = {"status", "start", "stop", "split", "watch"};
    guard_ctl_cmd cmds[] = {GUARD_CTL_STATUS, GUARD_CTL_START, GUARD_CTL_STOP, GUARD_CTL_SPLIT,
                            GUARD_CTL_WATCH};
    for (int i = 0; i < 5; i++) {
        char line[64], err[256];
        guard_ctl_req r;
        snprintf(line, sizeof line, "{\"cmd\":\"%s\"}", names[i]);
        assert_int_equal(parse(line, &r, err), 0);
        assert_int_equal(r.cmd, cmds[i]);
        assert_string_equal(guard_ctl_cmd_name(r.cmd), names[i]);
        assert_string_equal(r.id, "");
    }
}

static void test_id_and_reason(void **st) {
    (void)st;
    guard_ctl_req r;
    char err[256];
    assert_int_equal(parse("{\"cmd\":\"stop\",\"id\":42,\"reason\":\"shift over\"}", &r, err), 0);
    assert_string_equal(r.id, "42");
    assert_string_equal(r.reason, "shift over");
    assert_int_equal(parse("{\"id\":\"a\\\"b\",\"cmd\":\"status\"}\r", &r, err), 0);
    assert_string_equal(r.id, "\"a\\\"b\"");
}

static void test_rejects(void **st) {
    (void)st;
    guard_ctl_req r;
    char err[256];
    const char *bad[] = {
        "",                                   /* empty */
        "status",                             /* not JSON */
        "{\"cmd\":\"status\"",                /* half */
        "[\"status\"]",                       /* not an object */
        "{}",                                 /* no cmd */
        "{\"cmd\":5}",                        /* cmd not a string */
        "{\"cmd\":\"reboot\"}",               /* unknown */
        "{\"cmd\":\"status\",\"cmd\":\"stop\"}", /* duplicate key */
        "{\"cmd\":\"status\"} {\"cmd\":\"stop\"}", /* two objects on a line */
        "{\"cmd\":\"status\",\"id\":[1]}",    /* id not scalar */
        "{\"cmd\":\"status\",\"id\":1.5}",    /* id not integer */
        "{\"cmd\":\"stop\",\"reason\":3}",    /* reason not string */
        "{\"cmd\":\"st\\u0000op\"}",          /* NUL inside */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(parse(bad[i], &r, err), -22);
        assert_true(strncmp(err, "request: ", 9) == 0);
    }
    /* an over-long id is refused rather than truncated (it is echoed back) */
    char line[256];
    snprintf(line, sizeof line, "{\"cmd\":\"status\",\"id\":\"%0100d\"}", 0);
    assert_int_equal(parse(line, &r, err), -22);
    assert_non_null(strstr(err, "id"));
    /* the unknown command is quoted, but never at length */
    char big[2048];
    memset(big, 0, sizeof big);
    strcpy(big, "{\"cmd\":\"");
    memset(big + 8, 'x', 1500);
    strcat(big, "\"}");
    assert_int_equal(parse(big, &r, err), -22);
    assert_true(strlen(err) < 80);
}

static void test_length_is_explicit(void **st) {
    (void)st;
    guard_ctl_req r;
    char err[256];
    const char *two = "{\"cmd\":\"stop\"}{\"cmd\":\"start\"}";
    assert_int_equal(guard_ctl_parse(two, 14, &r, err, sizeof err), 0);
    assert_int_equal(r.cmd, GUARD_CTL_STOP);
}

static void test_default_path(void **st) {
    (void)st;
    char buf[256];
    setenv("RECGUARD_SOCKET", "/x/y.sock", 1);
    guard_ctl_default_path(buf, sizeof buf);
    assert_string_equal(buf, "/x/y.sock");
    unsetenv("RECGUARD_SOCKET");
    setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    guard_ctl_default_path(buf, sizeof buf);
    assert_string_equal(buf, "/run/user/1000/recguard/control.sock");
    unsetenv("XDG_RUNTIME_DIR");
    guard_ctl_default_path(buf, sizeof buf);
    if (geteuid() == 0)
        assert_string_equal(buf, "/run/recguard/control.sock");
    else
        assert_non_null(strstr(buf, "/tmp/recguard-"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command), cmocka_unit_test(test_id_and_reason),
        cmocka_unit_test(test_rejects), cmocka_unit_test(test_length_is_explicit),
        cmocka_unit_test(test_default_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
