/* test_guard_tree — the recorder's process tree on real processes: a leader with a child in
 * its session and a grandchild that escaped (setsid + double fork) and was adopted by this
 * process as subreaper. The walk finds all of them, a signal reaches all but the leader, the
 * cheap measure sums the members a walk found, and the adopted orphan is reaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard/guard_tree.h"

static pid_t g_leader, g_esc; /* for the teardown: a failed assert must not leave them running */

static int teardown(void **st) {
    (void)st;
    if (g_leader > 0) kill(-g_leader, SIGKILL); /* the leader's process group: it and its child */
    if (g_esc > 0) kill(g_esc, SIGKILL);
    while (waitpid(-1, NULL, 0) > 0) {
    }
    return 0;
}

static void nap_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The leader: a child that stays in its session, and an escapee that leaves it and is
 * orphaned (its parent exits at once). Writes the escapee's pid to `fd`, then waits. */
static void leader_main(int fd) {
    setsid();
    if (fork() == 0) {
        pause();
        _exit(0);
    }
    pid_t mid = fork();
    if (mid == 0) {
        setsid();
        pid_t esc = fork();
        if (esc == 0) {
            pause();
            _exit(0);
        }
        if (write(fd, &esc, sizeof esc) != (ssize_t)sizeof esc) _exit(1);
        _exit(0); /* the escapee is orphaned: re-parented to the subreaper */
    }
    waitpid(mid, NULL, 0);
    for (;;) pause();
}

/* Bounded wait for a condition on the tree (processes start and die asynchronously). */
static size_t others_now(pid_t leader, int sig) {
    guard_tree_sum sum;
    assert_int_equal(guard_tree_walk(leader, NULL, 0, sig, &sum, NULL, 0, NULL), 0);
    return sum.others;
}

static void test_tree_walk_signal_reap(void **st) {
    (void)st;
    assert_int_equal(guard_tree_subreaper(), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t leader = fork();
    assert_true(leader >= 0);
    if (leader == 0) {
        close(p[0]);
        leader_main(p[1]);
    }
    g_leader = leader;
    close(p[1]);
    pid_t esc;
    assert_int_equal(read(p[0], &esc, sizeof esc), (ssize_t)sizeof esc);
    g_esc = esc;
    close(p[0]);
    /* the escapee is ours now, and the tree holds leader + child + escapee (once the
     * intermediate process that orphaned it has gone) */
    size_t others = 0;
    for (int i = 0; i < 500 && (others = others_now(leader, 0)) != 2; i++) nap_ms(10);
    assert_int_equal(others, 2);
    guard_tree_sum sum;
    guard_proc_identity m[8];
    size_t nm = 0;
    assert_int_equal(guard_tree_walk(leader, NULL, 0, 0, &sum, m, 8, &nm), 0);
    assert_int_equal(sum.procs, 3);
    /* the leader's own stat comes with the walk: the health check reads it once */
    assert_true(sum.has_leader);
    assert_int_equal(sum.leader.pid, leader);
    assert_int_equal(nm, 3);
    assert_true(sum.rss_bytes > 0);
    int found = 0;
    for (size_t i = 0; i < nm; i++) found += m[i].pid == esc || m[i].pid == leader;
    assert_int_equal(found, 2);
    guard_tree_sum cheap;
    guard_tree_measure(m, nm, leader, &cheap);
    assert_int_equal(cheap.procs, 3);
    assert_true(cheap.has_leader);
    assert_int_equal(cheap.leader.pid, leader);
    assert_int_equal(cheap.leader.starttime_ticks, sum.leader.starttime_ticks);
    guard_tree_measure(m, nm, 0, &cheap); /* no leader asked for: none given */
    assert_false(cheap.has_leader);
    /* skipping a child of ours (a hook) keeps it and its descendants out */
    pid_t skip[] = {esc};
    assert_int_equal(guard_tree_walk(leader, skip, 1, 0, &sum, NULL, 0, NULL), 0);
    assert_int_equal(sum.others, 1);
    /* SIGKILL to the rest: the leader is untouched, the others die */
    assert_int_equal(guard_tree_walk(leader, NULL, 0, SIGKILL, &sum, NULL, 0, NULL), 0);
    assert_int_equal(sum.signalled, 2);
    for (int i = 0; i < 200 && others_now(leader, 0) > 0; i++) nap_ms(10);
    assert_int_equal(others_now(leader, 0), 0);
    assert_int_equal(kill(leader, 0), 0);
    /* the escapee died as our zombie: reaped without touching the leader we keep */
    pid_t keep[] = {leader};
    guard_tree_reap_orphans(keep, 1);
    assert_int_equal(waitpid(esc, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    /* measuring members that are gone counts nothing for them */
    guard_tree_measure(m, nm, leader, &cheap);
    assert_int_equal(cheap.procs, 1);
    kill(leader, SIGKILL);
    assert_int_equal(waitpid(leader, NULL, 0), leader);
    g_leader = g_esc = 0;
    /* the leader reaped: its session is empty, nothing is left */
    assert_int_equal(others_now(leader, 0), 0);
    guard_tree_reap_orphans(NULL, 0);
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no child left at all */
}

/* The cgroup way (where the machine allows it: skipped otherwise): a leader that joined a run
 * group, with the same child and escapee; the group's members are the tree, the leader
 * included, whatever session they are in; the group goes once empty. */
static void test_tree_cgroup(void **st) {
    (void)st;
    char cg[4096], name[64];
    int fd;
    snprintf(name, sizeof name, "recguard-test.%d", (int)getpid());
    if (guard_tree_cgroup_create(name, cg, sizeof cg, &fd) < 0) skip();
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t leader = fork();
    assert_true(leader >= 0);
    if (leader == 0) {
        close(p[0]);
        if (write(fd, "0", 1) != 1) _exit(1);
        leader_main(p[1]);
    }
    g_leader = leader;
    close(fd);
    close(p[1]);
    pid_t esc;
    assert_int_equal(read(p[0], &esc, sizeof esc), (ssize_t)sizeof esc);
    g_esc = esc;
    close(p[0]);
    char mine[4096];
    assert_int_equal(guard_tree_cgroup_of(esc, mine, sizeof mine), 0);
    assert_string_equal(mine, cg);
    guard_tree_sum sum;
    for (int i = 0; i < 500; i++) {
        assert_int_equal(guard_tree_walk_cgroup(cg, leader, 0, &sum, NULL, 0, NULL), 0);
        if (sum.others == 2) break;
        nap_ms(10);
    }
    assert_int_equal(sum.procs, 3);
    assert_int_equal(sum.others, 2);
    assert_true(sum.has_leader);
    assert_int_equal(sum.leader.pid, leader);
    assert_int_equal(guard_tree_cgroup_remove(cg), -EBUSY); /* populated */
    assert_int_equal(guard_tree_walk_cgroup(cg, leader, SIGKILL, &sum, NULL, 0, NULL), 0);
    assert_int_equal(sum.signalled, 2);
    kill(leader, SIGKILL);
    assert_int_equal(waitpid(leader, NULL, 0), leader);
    for (int i = 0; i < 500; i++) {
        guard_tree_reap_orphans(NULL, 0);
        assert_int_equal(guard_tree_walk_cgroup(cg, 0, 0, &sum, NULL, 0, NULL), 0);
        if (sum.procs == 0 && guard_tree_cgroup_remove(cg) == 0) break;
        nap_ms(10);
    }
    assert_int_equal(sum.procs, 0);
    assert_int_equal(guard_tree_walk_cgroup(cg, 0, 0, &sum, NULL, 0, NULL), -ENOENT); /* removed */
    g_leader = g_esc = 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_tree_walk_signal_reap, teardown),
        cmocka_unit_test_teardown(test_tree_cgroup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
