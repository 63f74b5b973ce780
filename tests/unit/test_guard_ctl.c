/* Unit tests: the control request parser (pure), the default socket path rule, and the server's
 * socket rules on a real loop in a temp dir: directory ownership and mode, one server per
 * socket (lock before bind), close leaves another's socket alone, a slot for a newcomer when
 * full, blank lines are not activity, idle sweep. */
#include "guard/guard_ctl.h"

#include "common/rg_time.h"

#include "rg_test.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
    const char *names[] = {"status", "start", "stop", "split", "watch", "snapshot", "pause", "resume"};
    guard_ctl_cmd cmds[] = {GUARD_CTL_STATUS, GUARD_CTL_START, GUARD_CTL_STOP, GUARD_CTL_SPLIT,
                            GUARD_CTL_WATCH, GUARD_CTL_SNAPSHOT, GUARD_CTL_PAUSE, GUARD_CTL_RESUME};
    for (int i = 0; i < 8; i++) {
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

/* ---- server ----------------------------------------------------------------------------- */

typedef struct srv_fix {
    char dir[64];       /* temp dir (0700) */
    char path[100];     /* socket path in dir/run */
    sd_event *ev;       /* loop */
    guard_ctl_server *s;/* server under test */
} srv_fix;

static void on_req(void *ud, guard_ctl_client *c, const guard_ctl_req *req) {
    (void)ud;
    json_t *o = json_pack("{s:b, s:s}", "ok", 1, "cmd", guard_ctl_cmd_name(req->cmd));
    guard_ctl_reply(c, req, o);
    json_decref(o);
}

static void fix_init(srv_fix *f) {
    snprintf(f->dir, sizeof f->dir, "/tmp/rg_ctl_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/run/ctl.sock", f->dir);
    assert_int_equal(sd_event_new(&f->ev), 0);
    f->s = NULL;
}

static void fix_done(srv_fix *f) {
    guard_ctl_server_close(f->s);
    sd_event_unref(f->ev);
    assert_int_equal(rg_test_rmtree(f->dir), 0);
}

static void pump(srv_fix *f) {
    for (int i = 0; i < 50; i++) sd_event_run(f->ev, 0);
}

/* One line from fd, pumping the server between tries; "" on EOF. */
static void read_line(srv_fix *f, int fd, char *buf, size_t cap) {
    size_t n = 0;
    for (int tries = 0; tries < 2000; tries++) {
        pump(f);
        ssize_t r = recv(fd, buf + n, cap - 1 - n, MSG_DONTWAIT);
        if (r == 0) break;
        if (r > 0) n += (size_t)r;
        buf[n] = '\0';
        if (memchr(buf, '\n', n)) return;
    }
    buf[n] = '\0';
}

static void send_str(int fd, const char *s) {
    assert_int_equal(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

static void test_dir_rules(void **st) {
    (void)st;
    srv_fix f;
    fix_init(&f);
    char err[512], run[128];
    snprintf(run, sizeof run, "%s/run", f.dir);
    /* missing: created 0700 */
    assert_int_equal(guard_ctl_server_open(f.ev, f.path, on_req, NULL, &f.s, err, sizeof err), 0);
    struct stat sb;
    assert_int_equal(stat(run, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0700);
    guard_ctl_server_close(f.s);
    f.s = NULL;
    /* opened up: refused, naming the dir, its owner and its mode */
    assert_int_equal(chmod(run, 0755), 0);
    assert_int_equal(guard_ctl_server_open(f.ev, f.path, on_req, NULL, &f.s, err, sizeof err), -EPERM);
    assert_non_null(strstr(err, run));
    assert_non_null(strstr(err, "mode 0755"));
    char owner[64];
    snprintf(owner, sizeof owner, "owned by uid %u", (unsigned)geteuid());
    assert_non_null(strstr(err, owner));
    /* a symlink to a good directory: refused too */
    assert_int_equal(chmod(run, 0700), 0);
    char link[160], lpath[200];
    snprintf(link, sizeof link, "%s/link", f.dir);
    snprintf(lpath, sizeof lpath, "%s/ctl.sock", link);
    assert_int_equal(symlink(run, link), 0);
    assert_int_equal(guard_ctl_server_open(f.ev, lpath, on_req, NULL, &f.s, err, sizeof err), -ELOOP);
    assert_non_null(strstr(err, "symlink"));
    fix_done(&f);
}

static void test_one_server_per_socket(void **st) {
    (void)st;
    srv_fix f;
    fix_init(&f);
    char err[512], line[512];
    assert_int_equal(guard_ctl_server_open(f.ev, f.path, on_req, NULL, &f.s, err, sizeof err), 0);
    guard_ctl_server *second = NULL;
    assert_int_equal(guard_ctl_server_open(f.ev, f.path, on_req, NULL, &second, err, sizeof err),
                     -EWOULDBLOCK);
    char pid[32];
    snprintf(pid, sizeof pid, "(pid %d)", (int)getpid());
    assert_non_null(strstr(err, pid));
    assert_null(second);
    /* the first still serves */
    int fd = guard_ctl_connect(f.path, err, sizeof err);
    assert_true(fd >= 0);
    send_str(fd, "{\"cmd\":\"status\"}\n");
    read_line(&f, fd, line, sizeof line);
    assert_non_null(strstr(line, "\"ok\":true"));
    close(fd);
    /* a path that names another socket by the time we close is left alone */
    assert_int_equal(unlink(f.path), 0);
    int other = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", f.path);
    assert_int_equal(bind(other, (struct sockaddr *)&sa, sizeof sa), 0);
    guard_ctl_server_close(f.s);
    f.s = NULL;
    struct stat sb;
    assert_int_equal(lstat(f.path, &sb), 0);
    assert_true(S_ISSOCK(sb.st_mode));
    close(other);
    /* the lock went with the first server: a new one takes over the stale path */
    assert_int_equal(guard_ctl_server_open(f.ev, f.path, on_req, NULL, &f.s, err, sizeof err), 0);
    fix_done(&f);
}

static void test_full_keeps_a_slot(void **st) {
    (void)st;
    srv_fix f;
    fix_init(&f);
    char err[512], line[512];
    assert_int_equal(guard_ctl_server_open(f.ev, f.path, on_req, NULL, &f.s, err, sizeof err), 0);
    int fds[GUARD_CTL_MAX_CLIENTS];
    for (int i = 0; i < GUARD_CTL_MAX_CLIENTS; i++) {
        fds[i] = guard_ctl_connect(f.path, err, sizeof err);
        assert_true(fds[i] >= 0);
        pump(&f);
    }
    assert_int_equal(guard_ctl_clients(f.s), GUARD_CTL_MAX_CLIENTS);
    /* every client but the newest makes a request; the newest only sends blank lines, which
     * are not activity: it is the one idle longest */
    int last = GUARD_CTL_MAX_CLIENTS - 1;
    for (int i = 0; i < last; i++) {
        send_str(fds[i], "{\"cmd\":\"watch\"}\n");
        read_line(&f, fds[i], line, sizeof line);
        assert_non_null(strstr(line, "\"ok\":true"));
    }
    send_str(fds[last], "\n\r\n\n");
    pump(&f);
    int owner = guard_ctl_connect(f.path, err, sizeof err);
    assert_true(owner >= 0);
    send_str(owner, "{\"cmd\":\"stop\"}\n");
    read_line(&f, owner, line, sizeof line);
    assert_non_null(strstr(line, "\"cmd\":\"stop\""));
    read_line(&f, fds[last], line, sizeof line);
    assert_non_null(strstr(line, "too many clients"));
    assert_int_equal(guard_ctl_clients(f.s), GUARD_CTL_MAX_CLIENTS);
    assert_int_equal(guard_ctl_watchers(f.s), GUARD_CTL_MAX_CLIENTS - 1);
    close(owner);
    for (int i = 0; i < GUARD_CTL_MAX_CLIENTS; i++) close(fds[i]);
    fix_done(&f);
}

static void test_idle_sweep(void **st) {
    (void)st;
    srv_fix f;
    fix_init(&f);
    char err[512], line[512];
    assert_int_equal(guard_ctl_server_open(f.ev, f.path, on_req, NULL, &f.s, err, sizeof err), 0);
    int watcher = guard_ctl_connect(f.path, err, sizeof err), keepalive = guard_ctl_connect(f.path, err, sizeof err);
    assert_true(watcher >= 0 && keepalive >= 0);
    send_str(watcher, "{\"cmd\":\"watch\"}\n");
    read_line(&f, watcher, line, sizeof line);
    send_str(keepalive, "\n");
    pump(&f);
    assert_int_equal(guard_ctl_clients(f.s), 2);
    /* an idle period later: the watcher (nothing queued) stays, the keepalive goes */
    guard_ctl_sweep(f.s, rg_time_mono_ns() + GUARD_CTL_IDLE_NS + RG_NS_PER_S);
    assert_int_equal(guard_ctl_clients(f.s), 1);
    assert_int_equal(guard_ctl_watchers(f.s), 1);
    /* a watcher that stops reading: once its queued output has not moved for the stall
     * period, it goes too (the socket buffer fills first, then the queue holds the rest) */
    size_t big = 256 * 1024;
    char *blob = malloc(big + 1);
    assert_non_null(blob);
    memset(blob, 'x', big);
    blob[big] = '\0';
    json_t *ev = json_pack("{s:s, s:s}", "event", "test", "blob", blob);
    for (int i = 0; i < 3; i++) guard_ctl_broadcast(f.s, ev);
    json_decref(ev);
    free(blob);
    assert_int_equal(guard_ctl_clients(f.s), 1);
    guard_ctl_sweep(f.s, rg_time_mono_ns() + GUARD_CTL_STALL_NS / 2);
    assert_int_equal(guard_ctl_clients(f.s), 1);
    guard_ctl_sweep(f.s, rg_time_mono_ns() + GUARD_CTL_STALL_NS + RG_NS_PER_S);
    assert_int_equal(guard_ctl_clients(f.s), 0);
    fix_done(&f);
    close(watcher);
    close(keepalive);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command), cmocka_unit_test(test_id_and_reason),
        cmocka_unit_test(test_rejects), cmocka_unit_test(test_length_is_explicit),
        cmocka_unit_test(test_default_path), cmocka_unit_test(test_dir_rules),
        cmocka_unit_test(test_one_server_per_socket), cmocka_unit_test(test_full_keeps_a_slot),
        cmocka_unit_test(test_idle_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
