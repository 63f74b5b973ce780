/* test_web_check — the dashboard server's request rules: routes and methods, the single-name
 * rule that keeps URLs inside the asset and bag folders, token, Origin and Host checks, and
 * which listen addresses count as loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "web/web_check.h"

static void test_routes(void **st) {
    (void)st;
    assert_int_equal(web_check_route("GET", "/").route, WEB_R_PAGE);
    assert_int_equal(web_check_route("HEAD", "/").route, WEB_R_PAGE);
    assert_int_equal(web_check_route("GET", "/api/status").route, WEB_R_STATUS);
    assert_int_equal(web_check_route("GET", "/api/topics").route, WEB_R_TOPICS);
    assert_int_equal(web_check_route("GET", "/api/bags").route, WEB_R_BAGS);
    assert_int_equal(web_check_route("GET", "/api/events").route, WEB_R_EVENTS);
    assert_int_equal(web_check_route("GET", "/metrics").route, WEB_R_METRICS);
    assert_int_equal(web_check_route("POST", "/api/start").route, WEB_R_START);
    assert_int_equal(web_check_route("POST", "/api/stop").route, WEB_R_STOP);
    assert_int_equal(web_check_route("POST", "/api/split").route, WEB_R_SPLIT);
    /* state changes only by POST, reads never by POST */
    assert_int_equal(web_check_route("GET", "/api/stop").route, WEB_R_BAD_METHOD);
    assert_int_equal(web_check_route("PUT", "/api/start").route, WEB_R_BAD_METHOD);
    assert_int_equal(web_check_route("POST", "/api/status").route, WEB_R_BAD_METHOD);
    assert_int_equal(web_check_route("DELETE", "/assets/app.js").route, WEB_R_BAD_METHOD);
    assert_int_equal(web_check_route("GET", "/api/status/").route, WEB_R_NOT_FOUND);
    assert_int_equal(web_check_route("GET", "/nope").route, WEB_R_NOT_FOUND);
    assert_true(web_check_mutating(WEB_R_START) && web_check_mutating(WEB_R_STOP) && web_check_mutating(WEB_R_SPLIT));
    assert_int_equal(web_check_route("POST", "/api/pause").route, WEB_R_PAUSE);
    assert_int_equal(web_check_route("POST", "/api/resume").route, WEB_R_RESUME);
    assert_int_equal(web_check_route("GET", "/api/pause").route, WEB_R_BAD_METHOD);
    assert_true(web_check_mutating(WEB_R_PAUSE) && web_check_mutating(WEB_R_RESUME));
    assert_false(web_check_mutating(WEB_R_STATUS) || web_check_mutating(WEB_R_METRICS));
}

static void test_files(void **st) {
    (void)st;
    web_target t = web_check_route("GET", "/assets/app.js");
    assert_int_equal(t.route, WEB_R_ASSET);
    assert_string_equal(t.name, "app.js");
    t = web_check_route("GET", "/bags/recguard_2026_11_27-10_00_00/recguard_2026_11_27-10_00_00_0.mcap");
    assert_int_equal(t.route, WEB_R_BAG_FILE);
    assert_string_equal(t.name, "recguard_2026_11_27-10_00_00");
    assert_string_equal(t.file, "recguard_2026_11_27-10_00_00_0.mcap");
    /* traversal in every shape a decoded URL can take */
    static const char *const bad[] = {
        "/assets/../recguard", "/assets/..", "/assets/.hidden", "/assets/a/b", "/assets/", "/assets/a\\b",
        "/bags/../etc/passwd", "/bags/x/../../etc/passwd", "/bags/x/.", "/bags/./x", "/bags/x", "/bags/x/",
        "/bags//x", "/bags/x/y/z", "/bags/x/y/", "/assets/%2e%2e", "/assets/a b", "/bags/\xc3\xa9/x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        t = web_check_route("GET", bad[i]);
        if (t.route != WEB_R_NOT_FOUND) fail_msg("%s routed to %d", bad[i], t.route);
        assert_string_equal(t.name, "");
        assert_string_equal(t.file, "");
    }
    char longname[300];
    memset(longname, 'a', sizeof longname);
    longname[WEB_CHECK_NAME_MAX] = '\0';
    assert_true(web_check_name(longname));
    longname[WEB_CHECK_NAME_MAX] = 'a';
    longname[WEB_CHECK_NAME_MAX + 1] = '\0';
    assert_false(web_check_name(longname));
    assert_false(web_check_name(""));
    assert_false(web_check_name(NULL));
}

static void test_token(void **st) {
    (void)st;
    const char *tok = "0123456789abcdef";
    assert_true(web_check_token(NULL, NULL, NULL));
    assert_true(web_check_token("", NULL, NULL));
    assert_false(web_check_token(tok, NULL, NULL));
    assert_true(web_check_token(tok, "Bearer 0123456789abcdef", NULL));
    assert_true(web_check_token(tok, NULL, "0123456789abcdef"));
    assert_false(web_check_token(tok, "Bearer 0123456789abcde", NULL));
    assert_false(web_check_token(tok, "Bearer 0123456789abcdefg", NULL));
    assert_false(web_check_token(tok, "0123456789abcdef", NULL)); /* no scheme */
    assert_false(web_check_token(tok, "Basic 0123456789abcdef", NULL));
    assert_false(web_check_token(tok, NULL, ""));
    assert_true(web_check_token_ok(tok));
    assert_false(web_check_token_ok("short"));
    assert_false(web_check_token_ok("0123456789 abcdef"));
}

static void test_origin_host(void **st) {
    (void)st;
    assert_true(web_check_origin("http://127.0.0.1:8088", "127.0.0.1:8088"));
    assert_true(web_check_origin("https://robot.local:8443", "robot.local:8443"));
    assert_false(web_check_origin(NULL, "127.0.0.1:8088"));
    assert_false(web_check_origin("null", "127.0.0.1:8088"));
    assert_false(web_check_origin("http://evil.example", "127.0.0.1:8088"));
    assert_false(web_check_origin("http://127.0.0.1:8089", "127.0.0.1:8088"));
    assert_false(web_check_origin("http://127.0.0.1:8088.evil.example", "127.0.0.1:8088"));
    assert_false(web_check_origin("http://127.0.0.1:8088", NULL));
    assert_true(web_check_host_loopback("localhost:8088"));
    assert_true(web_check_host_loopback("127.0.0.1:8088"));
    assert_true(web_check_host_loopback("127.1.2.3"));
    assert_true(web_check_host_loopback("[::1]:8088"));
    assert_true(web_check_host_loopback("[::1]"));
    assert_false(web_check_host_loopback("evil.example:8088"));
    assert_false(web_check_host_loopback("localhost.evil.example"));
    assert_false(web_check_host_loopback("10.0.0.1:8088"));
    assert_false(web_check_host_loopback("[::2]:8088"));
    assert_false(web_check_host_loopback("[::1]x"));
    assert_false(web_check_host_loopback("127.0.0.1:99999"));
    assert_false(web_check_host_loopback(NULL));
}

static void test_listen(void **st) {
    (void)st;
    web_listen l;
    char err[256];
    assert_int_equal(web_check_listen("127.0.0.1:8088", &l, err, sizeof err), 0);
    assert_true(l.loopback);
    assert_int_equal(l.addr.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&l.addr)->sin_port), 8088);
    assert_int_equal(web_check_listen("127.9.9.9:1", &l, err, sizeof err), 0);
    assert_true(l.loopback);
    assert_int_equal(web_check_listen("[::1]:8088", &l, err, sizeof err), 0);
    assert_true(l.loopback);
    assert_int_equal(l.addr.ss_family, AF_INET6);
    assert_int_equal(web_check_listen("0.0.0.0:8088", &l, err, sizeof err), 0);
    assert_false(l.loopback);
    assert_int_equal(web_check_listen("[::]:8088", &l, err, sizeof err), 0);
    assert_false(l.loopback);
    assert_int_equal(web_check_listen("192.168.1.5:0", &l, err, sizeof err), 0);
    assert_false(l.loopback);
    static const char *const bad[] = {"localhost:8088", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                                      "127.0.0.1:80a", ":8088", "[::1:8088", "::1:8088", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (web_check_listen(bad[i], &l, err, sizeof err) == 0) fail_msg("%s accepted", bad[i]);
        assert_non_null(strstr(err, "--listen("));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes), cmocka_unit_test(test_files), cmocka_unit_test(test_token),
        cmocka_unit_test(test_origin_host), cmocka_unit_test(test_listen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
