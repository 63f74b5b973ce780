/* test_web_ctl — the dashboard's control-socket client over a socketpair standing in for the
 * daemon: the request line it sends, lines split across reads, several lines in one read, a
 * line that is not JSON, EOF; and the error when no daemon listens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "web/web_ctl.h"

static web_ctl *pair(int *peer) {
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    web_ctl *c = calloc(1, sizeof *c);
    c->fd = sv[0];
    *peer = sv[1];
    return c;
}

static void put(int fd, const char *s) {
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_lines(void **st) {
    (void)st;
    int peer;
    web_ctl *c = pair(&peer);
    assert_int_equal(web_ctl_send(c, "stop", "dashboard: end of shift"), 0);
    char got[256] = "";
    assert_true(read(peer, got, sizeof got - 1) > 0);
    json_t *req = json_loads(got, JSON_DISABLE_EOF_CHECK, NULL);
    assert_string_equal(json_string_value(json_object_get(req, "cmd")), "stop");
    assert_string_equal(json_string_value(json_object_get(req, "reason")), "dashboard: end of shift");
    assert_non_null(strchr(got, '\n'));
    json_decref(req);

    json_t *o = NULL;
    assert_int_equal(web_ctl_read(c, 0, &o), 0); /* nothing yet */
    assert_null(o);
    put(peer, "{\"ok\":true,\"sta");
    assert_int_equal(web_ctl_read(c, 1000, &o), 0); /* half a line */
    assert_null(o);
    put(peer, "te\":\"IDLE\"}\n{\"event\":\"health\"}\n");
    assert_int_equal(web_ctl_read(c, 1000, &o), 0);
    assert_string_equal(json_string_value(json_object_get(o, "state")), "IDLE");
    json_decref(o);
    assert_int_equal(web_ctl_read(c, 0, &o), 0); /* second line already buffered */
    assert_string_equal(json_string_value(json_object_get(o, "event")), "health");
    json_decref(o);
    put(peer, "not json\n");
    assert_int_equal(web_ctl_read(c, 1000, &o), -EBADMSG);
    assert_null(o);
    close(peer);
    assert_int_equal(web_ctl_read(c, 1000, &o), -EPIPE);
    web_ctl_close(c);
    web_ctl_close(c); /* idempotent */
    free(c);
}

static void test_no_daemon(void **st) {
    (void)st;
    json_t *reply = (json_t *)1;
    char err[256] = "";
    assert_true(web_ctl_request("/nonexistent/recguard.sock", "status", NULL, 1000, &reply, err, sizeof err) < 0);
    assert_null(reply);
    assert_non_null(strstr(err, "/nonexistent/recguard.sock"));
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_lines), cmocka_unit_test(test_no_daemon)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
