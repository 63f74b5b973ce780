/* test_guard_proc — /proc parsers on recorded text (hostile comm names, truncated lines,
 * zombies without Vm lines) and the readers on real processes: ourselves and a forked child
 * that we stop, let die and reap, checking the identity at each step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard/guard_proc.h"

/* Recorded from a real recorder process (Linux 6.x), 52 fields. */
static const char STAT_REAL[] =
    "4242 (ros2) S 1 4242 4242 0 -1 4194560 15244 0 0 0 311 57 0 0 20 -10 9 0 "
    "8812345 1089777664 30123 18446744073709551615 94558880092160 94558880095261 "
    "140724542946512 0 0 0 0 16781312 1073775864 0 0 0 17 1 0 0 0 0 0 94558880105528 "
    "94558880106504 94558884069376 140724542952217 140724542952295 140724542952295 "
    "140724542955487 0\n";

static void test_stat_real(void **st) {
    (void)st;
    guard_proc_stat s;
    assert_int_equal(guard_proc_parse_stat(STAT_REAL, strlen(STAT_REAL), &s), 0);
    assert_int_equal(s.pid, 4242);
    assert_string_equal(s.comm, "ros2");
    assert_int_equal(s.state, 'S');
    assert_int_equal(s.ppid, 1);
    assert_int_equal(s.pgrp, 4242);
    assert_int_equal(s.session, 4242);
    assert_int_equal(s.utime_ticks, 311);
    assert_int_equal(s.stime_ticks, 57);
    assert_int_equal(s.priority, 20);
    assert_int_equal(s.nice, -10);
    assert_int_equal(s.num_threads, 9);
    assert_int_equal(s.starttime_ticks, 8812345);
    assert_int_equal(s.vsize_bytes, 1089777664ull);
    assert_int_equal(s.rss_pages, 30123);
}

/* comm is whatever the program put in prctl(PR_SET_NAME) or argv[0]: parentheses, spaces,
 * a fake field list. Only the LAST ')' ends it. */
static void test_stat_nasty_comm(void **st) {
    (void)st;
    static const char *const comms[] = {"a) b (c", ") R 1 2 3 (", "((", "x y z", "", ")))"};
    for (size_t i = 0; i < sizeof comms / sizeof comms[0]; i++) {
        char line[600];
        snprintf(line, sizeof line,
                 "77 (%s) T 5 77 70 0 -1 0 0 0 0 0 12 34 0 0 20 3 1 0 999 4096 17 0 0 0\n",
                 comms[i]);
        guard_proc_stat s;
        assert_int_equal(guard_proc_parse_stat(line, strlen(line), &s), 0);
        assert_string_equal(s.comm, comms[i]);
        assert_int_equal(s.state, 'T');
        assert_int_equal(s.ppid, 5);
        assert_int_equal(s.session, 70);
        assert_int_equal(s.utime_ticks, 12);
        assert_int_equal(s.stime_ticks, 34);
        assert_int_equal(s.nice, 3);
        assert_int_equal(s.starttime_ticks, 999);
        assert_int_equal(s.rss_pages, 17);
    }
}

static void test_stat_malformed(void **st) {
    (void)st;
    guard_proc_stat s;
    static const char *const bad[] = {
        "",
        "77 (x",                                       /* no ')' */
        "77 x) S 1",                                   /* no '(' */
        "(x) S 1 2 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 6 7\n", /* no pid */
        "77 (x) S 1 2 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 6\n", /* field 24 missing */
        "77 (x) SS 1 2 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 6 7\n", /* state not one char */
        "77 (x) S 1 2 3 0 -1 0 0 0 0 0 1x 2 0 0 20 0 1 0 5 6 7\n", /* utime not a number */
        "77 (x) S 1 2 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 99999999999999999999 6 7\n", /* overflow */
        "-5 (x) S 1 2 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 6 7\n", /* negative pid */
        "4844674407370242 (x) S 1 2 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 6 7\n", /* pid > int (fuzz) */
        "5 (x) S 1 4294967301 3 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 6 7\n", /* pgrp > int */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (guard_proc_parse_stat(bad[i], strlen(bad[i]), &s) != -EINVAL)
            fail_msg("accepted bad stat #%zu: %s", i, bad[i]);
    /* a length shorter than the text: the parser must not read past len */
    size_t cut = strlen("77 (x) S 1 2 3");
    assert_int_equal(guard_proc_parse_stat(STAT_REAL, cut, &s), -EINVAL);
}

static const char STATUS_REAL[] =
    "Name:\trecguard\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nPid:\t4242\n"
    "VmPeak:\t 1064240 kB\nVmSize:\t 1064240 kB\nVmHWM:\t  131072 kB\nVmRSS:\t  120496 kB\n"
    "Threads:\t9\nSigQ:\t0/96365\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
    "SigBlk:\t0000000000010000\nSigIgn:\t0000000000001000\nSigCgt:\t0000000180004202\n"
    "Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed_list:\t0\n";

static void test_status(void **st) {
    (void)st;
    guard_proc_status s;
    assert_int_equal(guard_proc_parse_status(STATUS_REAL, strlen(STATUS_REAL), &s), 0);
    assert_true(s.has_vm);
    assert_int_equal(s.vm_rss_bytes, 120496ull * 1024);
    assert_int_equal(s.vm_hwm_bytes, 131072ull * 1024);
    assert_true(s.has_sig);
    assert_int_equal(s.sig_blk, 1ull << (SIGCHLD - 1));
    assert_int_equal(s.sig_ign, 1ull << (SIGPIPE - 1));
    assert_int_equal(s.sig_cgt, 0x180004202ull);
    assert_true(s.has_cpus);
    assert_string_equal(s.cpus_allowed_list, "0-1");
    assert_int_equal(s.threads, 9);

    /* a zombie has no Vm lines: not an error, has_vm says so */
    static const char zombie[] = "Name:\tx\nState:\tZ (zombie)\nThreads:\t1\n";
    assert_int_equal(guard_proc_parse_status(zombie, strlen(zombie), &s), 0);
    assert_false(s.has_vm);
    assert_false(s.has_sig);
    assert_false(s.has_cpus);
    /* a present but malformed line is an error */
    static const char bad1[] = "VmRSS:\t12x kB\n";
    static const char bad2[] = "VmRSS:\t12 MB\n";
    static const char bad3[] = "SigBlk:\t00000000000000000\n"; /* 17 digits */
    assert_int_equal(guard_proc_parse_status(bad1, strlen(bad1), &s), -EINVAL);
    assert_int_equal(guard_proc_parse_status(bad2, strlen(bad2), &s), -EINVAL);
    assert_int_equal(guard_proc_parse_status(bad3, strlen(bad3), &s), -EINVAL);
    /* no trailing newline, and a length that cuts the last line */
    static const char cut[] = "VmRSS:\t 8 kB\nVmHWM:\t 9 kB";
    assert_int_equal(guard_proc_parse_status(cut, strlen(cut), &s), 0);
    assert_true(s.has_vm);
    assert_int_equal(s.vm_hwm_bytes, 9 * 1024);
}

static void test_io(void **st) {
    (void)st;
    static const char io[] = "rchar: 323934931\nwchar: 323929600\nsyscr: 632687\nsyscw: 632675\n"
                             "read_bytes: 0\nwrite_bytes: 323932160\ncancelled_write_bytes: 0\n";
    guard_proc_io s;
    assert_int_equal(guard_proc_parse_io(io, strlen(io), &s), 0);
    assert_int_equal(s.rchar, 323934931ull);
    assert_int_equal(s.wchar, 323929600ull);
    assert_int_equal(s.read_bytes, 0);
    assert_int_equal(s.write_bytes, 323932160ull);
    static const char missing[] = "rchar: 1\nwchar: 2\nread_bytes: 3\n";
    assert_int_equal(guard_proc_parse_io(missing, strlen(missing), &s), -EINVAL);
    static const char neg[] = "rchar: 1\nwchar: -2\nread_bytes: 3\nwrite_bytes: 4\n";
    assert_int_equal(guard_proc_parse_io(neg, strlen(neg), &s), -EINVAL);
}

static void test_read_self(void **st) {
    (void)st;
    guard_proc_stat s;
    assert_int_equal(guard_proc_read_stat(getpid(), &s), 0);
    assert_int_equal(s.pid, getpid());
    assert_int_equal(s.ppid, getppid());
    assert_int_equal(s.state, 'R');
    guard_proc_status ss;
    assert_int_equal(guard_proc_read_status(getpid(), &ss), 0);
    assert_true(ss.has_vm);
    assert_true(ss.vm_rss_bytes > 0);
    assert_true(ss.vm_hwm_bytes >= ss.vm_rss_bytes);
    assert_true(ss.has_cpus);
    guard_proc_io io;
    assert_int_equal(guard_proc_read_io(getpid(), &io), 0);
    assert_true(io.rchar > 0);
    char wchan[64];
    assert_int_equal(guard_proc_read_wchan(getpid(), wchan, sizeof wchan), 0);
    /* burn a little CPU: cpu_ns must be monotonic and follow the ticks */
    uint64_t before = guard_proc_cpu_ns(&s);
    volatile uint64_t x = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    do {
        for (int i = 0; i < 1000000; i++) x += (uint64_t)i;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    } while (t1.tv_sec - t0.tv_sec < 1 && (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec < 200000000L);
    (void)x; /* the sum only exists to burn CPU; this read keeps clang from calling it unused */
    guard_proc_stat s2;
    assert_int_equal(guard_proc_read_stat(getpid(), &s2), 0);
    assert_true(guard_proc_cpu_ns(&s2) > before);
    guard_proc_stat fake = {.utime_ticks = 150, .stime_ticks = 50};
    assert_int_equal(guard_proc_cpu_ns(&fake), 200ull * 1000000000ull / (uint64_t)guard_proc_clk_tck());
}

/* Wait (bounded) until pid's state char is one of `want`. */
static char wait_state(pid_t pid, const char *want) {
    for (int i = 0; i < 2000; i++) {
        guard_proc_stat s;
        if (guard_proc_read_stat(pid, &s) == 0 && strchr(want, s.state)) return s.state;
        usleep(5000);
    }
    return 0;
}

static void test_identity_life(void **st) {
    (void)st;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (;;) pause();
    }
    guard_proc_identity id;
    assert_int_equal(guard_proc_identity_of(pid, &id), 0);
    assert_int_equal(id.pid, pid);
    assert_int_equal(guard_proc_identity_check(&id), 0);
    /* same pid, other start time: a reused pid is not our process */
    guard_proc_identity other = id;
    other.starttime_ticks++;
    assert_int_equal(guard_proc_identity_check(&other), -ESTALE);
    /* stopped: state T, still the same identity */
    kill(pid, SIGSTOP);
    assert_int_equal(wait_state(pid, "T"), 'T');
    assert_int_equal(guard_proc_identity_check(&id), 0);
    kill(pid, SIGKILL);
    assert_int_equal(wait_state(pid, "Z"), 'Z');
    assert_int_equal(guard_proc_identity_check(&id), -ECHILD);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(guard_proc_identity_check(&id), -ESRCH);
    guard_proc_stat s;
    assert_int_equal(guard_proc_read_stat(pid, &s), -ESRCH);
    guard_proc_status ss;
    assert_int_equal(guard_proc_read_status(pid, &ss), -ESRCH);
    assert_int_equal(guard_proc_identity_of(pid, &id), -ESRCH);
}

/* A recorder's tree in a table of (pid, ppid, pgrp, session): the daemon is 10, the recorder
 * 100 (its own session), a hook 50; 101 its child, 102 a grandchild in a new session, 103 a
 * child in its own process group; 200 an orphan the daemon adopted (double fork), 201 its
 * child; 51 the hook's child; 300 and 301 unrelated. */
static void test_tree_select(void **st) {
    (void)st;
    static const struct { pid_t pid, ppid, pgrp, sid; } rows[] = {
        {1, 0, 1, 1},       {10, 1, 10, 10},    {50, 10, 50, 50},   {51, 50, 50, 50},
        {100, 10, 100, 100}, {101, 100, 100, 100}, {102, 101, 102, 102}, {103, 100, 103, 100},
        {200, 10, 200, 200}, {201, 200, 200, 200}, {300, 1, 300, 300}, {301, 300, 300, 300},
    };
    enum { N = sizeof rows / sizeof rows[0] };
    guard_proc_stat tab[N];
    memset(tab, 0, sizeof tab);
    for (int i = 0; i < N; i++) {
        tab[i].pid = rows[i].pid;
        tab[i].ppid = rows[i].ppid;
        tab[i].pgrp = rows[i].pgrp;
        tab[i].session = rows[i].sid;
    }
    const pid_t skip[] = {50};
    size_t idx[N];
    size_t n = guard_proc_tree_select(tab, N, 100, 10, skip, 1, idx, N);
    pid_t want[] = {100, 101, 102, 103, 200, 201};
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) assert_int_equal(tab[idx[i]].pid, want[i]);
    /* the leader reaped: its session and the adopted orphans remain (101 is now the daemon's) */
    tab[4].pid = 999; /* slot reused by an unrelated process, not in the session */
    tab[4].session = 999;
    tab[4].pgrp = 999;
    tab[4].ppid = 1;
    tab[5].ppid = 10;
    n = guard_proc_tree_select(tab, N, 100, 10, skip, 1, idx, N);
    pid_t want2[] = {101, 102, 103, 200, 201};
    assert_int_equal(n, sizeof want2 / sizeof want2[0]);
    for (size_t i = 0; i < n; i++) assert_int_equal(tab[idx[i]].pid, want2[i]);
    /* cap: the count is still the whole tree */
    assert_int_equal(guard_proc_tree_select(tab, N, 100, 10, skip, 1, idx, 2), 5);
    /* no subreaper: the session alone */
    n = guard_proc_tree_select(tab, N, 100, 0, NULL, 0, idx, N);
    assert_int_equal(n, 3); /* 101, 102 (child of 101), 103 */
}

/* cmdline: NUL-separated arguments; a match inside one argument, never across two. */
static void test_cmdline_has(void **st) {
    (void)st;
    static const char cmd[] = "bash\0-c\0run --out=/b/x_1.mcap\0/b/x_2.mcap";
    size_t len = sizeof cmd; /* the kernel's text ends with a NUL too */
    assert_true(guard_proc_cmdline_has(cmd, len, "/b/x_1.mcap"));
    assert_true(guard_proc_cmdline_has(cmd, len, "/b/x_2.mcap"));
    assert_false(guard_proc_cmdline_has(cmd, len, "/b/x_3.mcap"));
    assert_false(guard_proc_cmdline_has(cmd, len, "bash-c")); /* never across a NUL */
    assert_false(guard_proc_cmdline_has(cmd, len, "c run"));
    assert_false(guard_proc_cmdline_has(cmd, len, ""));
    assert_false(guard_proc_cmdline_has(cmd, 4, "/b/x_2.mcap")); /* bounded by len */
    /* the scan finds this very test by an argument of its own: argv[0] */
    guard_proc_identity id;
    assert_int_equal(guard_proc_find_by_arg("test_guard_proc", 0, &id), 0);
    assert_int_equal(guard_proc_find_by_arg("no such argument anywhere \x01", 0, &id), -ESRCH);
}

/* The live scan finds this process with its real parent. */
static void test_scan_self(void **st) {
    (void)st;
    guard_proc_stat *tab;
    size_t n;
    assert_int_equal(guard_proc_scan(&tab, &n), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (tab[i].pid == getpid()) found = tab[i].ppid == getppid();
    free(tab);
    assert_true(found);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_real),
        cmocka_unit_test(test_stat_nasty_comm),
        cmocka_unit_test(test_stat_malformed),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_io),
        cmocka_unit_test(test_read_self),
        cmocka_unit_test(test_identity_life),
        cmocka_unit_test(test_tree_select),
        cmocka_unit_test(test_scan_self),
        cmocka_unit_test(test_cmdline_has),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
