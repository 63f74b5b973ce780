/* Unit tests: state file round trip and rejection of damaged files, atomic replacement, the
 * daemon lock (a second holder is refused with the first one's pid), and re-adoption's identity
 * check on real processes: the right process is adopted, a wrong start time (a reused pid) and
 * a dead pid are not. */
#include "guard/guard_state.h"

#include "common/rg_sys.h"
#include "guard/guard_proc.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "rg_test.h"

static char dir[64];

static int setup(void **st) {
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/rg_state_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st) {
    (void)st;
    return rg_test_rmtree(dir);
}

static void sample(guard_state_rec *s) {
    memset(s, 0, sizeof *s);
    s->daemon_pid = 4242;
    snprintf(s->state, sizeof s->state, "RECORDING");
    s->recorder_pid = 777;
    s->recorder_starttime = 123456789012ULL;
    s->recorder_start_ns = 1795772323123000000LL;
    snprintf(s->bag_dir, sizeof s->bag_dir, "/data/bags/rg_2026 \"quoted\"");
    snprintf(s->segment, sizeof s->segment, "/data/bags/rg_2026 \"quoted\"/rg_3.mcap");
    s->segment_index = 3;
    s->restarts = 2;
    s->session_start_ns = 1795772000000000000LL;
}

static void test_round_trip(void **st) {
    (void)st;
    guard_state_rec a, b;
    char path[128], err[512];
    sample(&a);
    snprintf(path, sizeof path, "%s/%s", dir, GUARD_STATE_FILE);
    assert_int_equal(guard_state_load(path, &b, err, sizeof err), -ENOENT);
    assert_int_equal(guard_state_save(path, &a, err, sizeof err), 0);
    assert_int_equal(guard_state_load(path, &b, err, sizeof err), 0);
    assert_memory_equal(&a, &b, sizeof a);
    /* a failing save (disk full at fsync) leaves the previous file whole */
    guard_state_rec c = a;
    c.segment_index = 9;
    rg_sys_fail_nth(RG_SYS_FSYNC, 1, ENOSPC, 0);
    assert_int_equal(guard_state_save(path, &c, err, sizeof err), -ENOSPC);
    rg_sys_reset();
    assert_non_null(strstr(err, path));
    assert_int_equal(guard_state_load(path, &b, err, sizeof err), 0);
    assert_int_equal(b.segment_index, 3);
    /* a stop in progress keeps where it leads and why it began */
    snprintf(a.state, sizeof a.state, "STOPPING");
    snprintf(a.then, sizeof a.then, "split");
    snprintf(a.stop_cause, sizeof a.stop_cause, "operator: split");
    assert_int_equal(guard_state_save(path, &a, err, sizeof err), 0);
    assert_int_equal(guard_state_load(path, &b, err, sizeof err), 0);
    assert_memory_equal(&a, &b, sizeof a);
    /* a file of an older daemon has neither: "" (the reader takes it as idle) */
    a.then[0] = a.stop_cause[0] = '\0';
    char *txt = guard_state_encode(&a);
    assert_null(strstr(txt, "then"));
    assert_int_equal(guard_state_decode(txt, &b, err, sizeof err), 0);
    assert_string_equal(b.then, "");
    free(txt);
    /* a standby beside the recorder (redundancy: standby): its pid and the alternating files */
    memset(a.then, 0, sizeof a.then);
    memset(a.stop_cause, 0, sizeof a.stop_cause);
    a.standby_pid = 4242;
    a.standby_starttime = 99;
    snprintf(a.stats_path, sizeof a.stats_path, "/s/recorder.1.stats");
    snprintf(a.positions, sizeof a.positions, "/s/positions.7.3");
    assert_int_equal(guard_state_save(path, &a, err, sizeof err), 0);
    assert_int_equal(guard_state_load(path, &b, err, sizeof err), 0);
    assert_memory_equal(&a, &b, sizeof a);
    /* a negative standby pid never reaches pidfd_open either */
    txt = guard_state_encode(&a);
    char *p = strstr(txt, "\"standby_pid\": 4242");
    assert_non_null(p);
    memcpy(p + strlen("\"standby_pid\": "), "-424", 4);
    assert_int_equal(guard_state_decode(txt, &b, err, sizeof err), -EINVAL);
    free(txt);
}

static void test_decode_rejects(void **st) {
    (void)st;
    guard_state_rec r;
    char err[256];
    assert_int_equal(guard_state_decode("", &r, err, sizeof err), -EINVAL);
    assert_int_equal(guard_state_decode("[]", &r, err, sizeof err), -EINVAL);
    assert_int_equal(guard_state_decode("{\"daemon_pid\":1}", &r, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "state"));
    /* a negative pid must never reach kill() or pidfd_open() */
    guard_state_rec s;
    sample(&s);
    char *txt = guard_state_encode(&s);
    char *p = strstr(txt, "\"recorder_pid\": 777");
    assert_non_null(p);
    memcpy(p, "\"recorder_pid\": -77", 19);
    assert_int_equal(guard_state_decode(txt, &r, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "recorder_pid"));
    free(txt);
    /* unknown keys are fine (a newer daemon wrote the file) */
    txt = guard_state_encode(&s);
    txt[strlen(txt) - 1] = '\0'; /* drop the closing brace */
    char *ext = malloc(strlen(txt) + 32);
    sprintf(ext, "%s, \"future\": true}", txt);
    assert_int_equal(guard_state_decode(ext, &r, err, sizeof err), 0);
    assert_int_equal(r.segment_index, 3);
    free(ext);
    free(txt);
}

static void test_lock(void **st) {
    (void)st;
    char path[128], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, GUARD_STATE_LOCK);
    int fd = guard_state_lock(path, err, sizeof err);
    assert_true(fd >= 0);
    /* flock belongs to the open file: a second open, even in this process, is refused */
    assert_int_equal(guard_state_lock(path, err, sizeof err), -EWOULDBLOCK);
    char pid[32];
    snprintf(pid, sizeof pid, "pid %d", (int)getpid());
    assert_non_null(strstr(err, pid));
    close(fd);
    fd = guard_state_lock(path, err, sizeof err);
    assert_true(fd >= 0);
    close(fd);
}

static pid_t child_sleeping(void) {
    pid_t p = fork();
    if (p == 0) {
        pause();
        _exit(0);
    }
    return p;
}

static void test_adopt_identity(void **st) {
    (void)st;
    pid_t p = child_sleeping();
    assert_true(p > 0);
    guard_proc_identity id;
    assert_int_equal(guard_proc_identity_of(p, &id), 0);
    guard_state_rec s;
    sample(&s);
    s.recorder_pid = p;
    s.recorder_starttime = id.starttime_ticks;
    char err[256];
    int pidfd = guard_state_adopt(&s, err, sizeof err);
    assert_true(pidfd >= 0);
    siginfo_t si;
    assert_int_equal(guard_state_exit_status(pidfd, &si), 1); /* still running */
    /* same pid, other start time: what a reused pid looks like. Never adopted. */
    s.recorder_starttime = id.starttime_ticks + 1;
    assert_int_equal(guard_state_adopt(&s, err, sizeof err), -ESTALE);
    assert_true(strstr(err, "reuse") || strstr(err, "another process"));
    /* exit seen through the pidfd, with its status */
    kill(p, SIGKILL);
    int rc;
    while ((rc = guard_state_exit_status(pidfd, &si)) == 1) usleep(1000);
    assert_int_equal(rc, 0);
    assert_int_equal(si.si_code, CLD_KILLED);
    assert_int_equal(si.si_status, SIGKILL);
    close(pidfd);
    /* the dead (reaped) pid is not adopted */
    s.recorder_starttime = id.starttime_ticks;
    assert_int_equal(guard_state_adopt(&s, err, sizeof err), -ESRCH);
    s.recorder_pid = 0;
    assert_int_equal(guard_state_adopt(&s, err, sizeof err), -ESRCH);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test(test_decode_rejects),
        cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
        cmocka_unit_test(test_adopt_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
