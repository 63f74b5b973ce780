/* test_guard_prio — priority knobs on real processes: applied from outside to every thread
 * of a running multi-threaded child and read back per thread; refused knobs reported in
 * agreement with what really holds; cgroup v2 on this machine (probed, never fatal) and on a
 * fake delegated cgroup2 tree; CPU list parsing; the JSON the daemon puts in status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rg_test.h"
#include "common/rg_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard/guard_prio.h"
#include "guard/guard_proc.h"
#include "guard/guard_spawn.h"

static char tmpdir[256];

static void test_parse_cpus(void **st) {
    (void)st;
    cpu_set_t s;
    char err[128];
    assert_int_equal(guard_prio_parse_cpus("0-1,3", &s, err, sizeof err), 0);
    assert_int_equal(CPU_COUNT(&s), 3);
    assert_true(CPU_ISSET(0, &s) && CPU_ISSET(1, &s) && CPU_ISSET(3, &s));
    assert_int_equal(guard_prio_parse_cpus("7", &s, err, sizeof err), 0);
    assert_true(CPU_ISSET(7, &s));
    assert_int_equal(guard_prio_parse_cpus("0-3,6-7", &s, err, sizeof err), 0);
    assert_int_equal(CPU_COUNT(&s), 6);
    static const char *const bad[] = {"", "a", "1-0", "1,", ",1", "99999", "-1", "1--2", "1 2", "0-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (guard_prio_parse_cpus(bad[i], &s, err, sizeof err) != -EINVAL)
            fail_msg("accepted cpu list '%s'", bad[i]);
    assert_string_equal(err, "cpus(0-): expected a CPU list like \"0-1,3\"");
}

static void test_plan_validation(void **st) {
    (void)st;
    guard_prio_cfg c;
    guard_prio_plan p;
    guard_prio_report r;
    char err[160];
    guard_prio_cfg_defaults(&c);
    c.nice = 20;
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), -EINVAL);
    assert_string_equal(err, "priority.nice(20): must be -20..19");
    guard_prio_cfg_defaults(&c);
    c.oom_score_adj = 1001;
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), -EINVAL);
    guard_prio_cfg_defaults(&c);
    c.iolevel = 8;
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), -EINVAL);
    guard_prio_cfg_defaults(&c);
    c.cgroup_cpu_weight = 10001;
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), -EINVAL);
    guard_prio_cfg_defaults(&c);
    snprintf(c.cpus, sizeof c.cpus, "x");
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), -EINVAL);
    /* nothing requested: everything "not_requested", nothing opened */
    memset(&c, 0, sizeof c);
    c.nice = c.oom_score_adj = GUARD_PRIO_UNSET;
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), 0);
    for (int k = 0; k < GUARD_PRIO__COUNT; k++)
        assert_int_equal(r.knob[k].status, GUARD_PRIO_NOT_REQUESTED);
    assert_int_equal(p.cgroup_procs_fd, -1);
    guard_prio_plan_free(&p);
}

/* ---- a multi-threaded victim ---------------------------------------------------------- */

static void *idle_thread(void *a) {
    (void)a;
    for (;;) pause();
    return NULL;
}

static pid_t start_threaded_child(int nthreads) {
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        for (int i = 0; i < nthreads; i++) {
            pthread_t t;
            pthread_create(&t, NULL, idle_thread, NULL);
        }
        for (;;) pause();
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    for (int tries = 0; tries < 2000; tries++) {
        int n = 0;
        DIR *d = opendir(path);
        for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
        if (d) closedir(d);
        if (n == nthreads + 1) return pid;
        usleep(5000);
    }
    fail_msg("child threads did not start");
    return -1;
}

static void kill_reap(pid_t pid) {
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* The highest CPU we may use (a test machine may have only one). */
static int last_allowed_cpu(void) {
    cpu_set_t s;
    assert_int_equal(sched_getaffinity(0, sizeof s, &s), 0);
    int last = -1;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &s)) last = i;
    return last;
}

static void test_apply_pid_every_thread(void **st) {
    (void)st;
    pid_t pid = start_threaded_child(3);
    int cpu = last_allowed_cpu();
    guard_prio_cfg c;
    guard_prio_cfg_defaults(&c);
    c.nice = 7;
    c.sched = GUARD_SCHED_IDLE;
    c.ioclass = GUARD_IOCLASS_IDLE;
    c.oom_score_adj = 200;
    snprintf(c.cpus, sizeof c.cpus, "%d", cpu);
    guard_prio_plan p;
    guard_prio_report r;
    char err[160];
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), 0);
    assert_int_equal(guard_prio_apply_pid(pid, &p, &r), 0);
    for (int k = 0; k < GUARD_PRIO__COUNT; k++) {
        if (k == GUARD_PRIO_CGROUP) continue;
        if (r.knob[k].status != GUARD_PRIO_APPLIED)
            fail_msg("%s: %s", guard_prio_knob_name((guard_prio_knob)k), r.knob[k].detail);
    }
    assert_string_equal(r.knob[GUARD_PRIO_NICE].detail, "nice 7");
    assert_string_equal(r.knob[GUARD_PRIO_SCHED].detail, "sched idle");
    assert_string_equal(r.knob[GUARD_PRIO_IOPRIO].detail, "ioprio idle");
    /* every thread, not just the main one */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    int threads = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        pid_t tid = atoi(e->d_name);
        guard_prio_effective eff;
        assert_int_equal(guard_prio_read_effective(tid, &eff), 0);
        assert_int_equal(eff.nice, 7);
        assert_int_equal(eff.sched_policy, SCHED_IDLE);
        assert_int_equal(eff.ioclass, GUARD_IOCLASS_IDLE);
        cpu_set_t s;
        assert_int_equal(sched_getaffinity(tid, sizeof s, &s), 0);
        assert_int_equal(CPU_COUNT(&s), 1);
        assert_true(CPU_ISSET(cpu, &s));
        threads++;
    }
    closedir(d);
    assert_int_equal(threads, 4);
    guard_prio_effective eff;
    assert_int_equal(guard_prio_read_effective(pid, &eff), 0);
    assert_int_equal(eff.oom_score_adj, 200);
    char want[16];
    snprintf(want, sizeof want, "%d", cpu);
    assert_string_equal(eff.cpus, want);
    kill_reap(pid);
    assert_int_equal(guard_prio_apply_pid(pid, &p, &r), -ESRCH);
    assert_int_equal(guard_prio_read_effective(pid, &eff), -ESRCH);
    guard_prio_plan_free(&p);
}

/* Knobs this machine may refuse (CAP_SYS_RESOURCE, CAP_SYS_NICE, CAP_SYS_ADMIN for RT I/O):
 * the report and the effective values must agree, whichever way it goes. */
static void test_refusals_agree_with_reality(void **st) {
    (void)st;
    pid_t pid = start_threaded_child(1);
    guard_prio_cfg c;
    guard_prio_cfg_defaults(&c);
    c.nice = -10;
    c.oom_score_adj = -800;
    c.ioclass = GUARD_IOCLASS_REALTIME;
    c.iolevel = 2;
    guard_prio_plan p;
    guard_prio_report r;
    char err[160];
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), 0);
    assert_int_equal(guard_prio_apply_pid(pid, &p, &r), 0);
    guard_prio_effective eff;
    assert_int_equal(guard_prio_read_effective(pid, &eff), 0);
    const guard_prio_outcome *o = &r.knob[GUARD_PRIO_OOM];
    if (o->status == GUARD_PRIO_APPLIED) assert_int_equal(eff.oom_score_adj, -800);
    else {
        assert_int_equal(o->status, GUARD_PRIO_REFUSED);
        assert_int_equal(o->err, EACCES);
        assert_non_null(strstr(o->detail, "oom_score_adj -800: Permission denied"));
        assert_int_not_equal(eff.oom_score_adj, -800);
    }
    o = &r.knob[GUARD_PRIO_NICE];
    if (o->status == GUARD_PRIO_APPLIED) assert_int_equal(eff.nice, -10);
    else assert_int_not_equal(eff.nice, -10);
    o = &r.knob[GUARD_PRIO_IOPRIO];
    if (o->status == GUARD_PRIO_APPLIED) {
        assert_int_equal(eff.ioclass, GUARD_IOCLASS_REALTIME);
        assert_int_equal(eff.iolevel, 2);
    } else {
        assert_int_equal(o->status, GUARD_PRIO_PARTIAL);
        assert_int_equal(eff.ioclass, GUARD_IOCLASS_BEST_EFFORT);
        assert_non_null(strstr(o->detail, "best-effort 2 applied instead"));
    }
    printf("# this machine: nice -10 %s, oom_score_adj -800 %s, ioprio realtime %s\n",
           guard_prio_status_name(r.knob[GUARD_PRIO_NICE].status),
           guard_prio_status_name(r.knob[GUARD_PRIO_OOM].status),
           guard_prio_status_name(r.knob[GUARD_PRIO_IOPRIO].status));
    kill_reap(pid);
    guard_prio_plan_free(&p);
}

/* The real machine: cgroup placement is probed; on a cgroup v1 host it is reported
 * unavailable with the reason, and nothing else fails. */
static void test_cgroup_real_machine(void **st) {
    (void)st;
    guard_prio_cfg c;
    guard_prio_cfg_defaults(&c);
    c.cgroup_memory_min = 64ull << 20;
    c.cgroup_cpu_weight = 500;
    snprintf(c.cgroup_name, sizeof c.cgroup_name, "recguard-test-%d", getpid());
    guard_prio_plan p;
    guard_prio_report r;
    char err[160];
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), 0);
    const guard_prio_outcome *o = &r.knob[GUARD_PRIO_CGROUP];
    printf("# cgroup on this machine: %s: %s\n", guard_prio_status_name(o->status), o->detail);
    if (o->status == GUARD_PRIO_UNAVAILABLE) {
        assert_non_null(strstr(o->detail, "cgroup v2 not available"));
        assert_int_equal(p.cgroup_procs_fd, -1);
    } else if (o->status == GUARD_PRIO_NOT_REQUESTED) {
        /* prepared: the child's move decides; clean up the group we made */
        assert_true(p.cgroup_procs_fd >= 0);
        guard_prio_plan_free(&p);
        rmdir(p.cgroup_path);
    } else {
        assert_int_equal(o->status, GUARD_PRIO_REFUSED);
    }
    guard_prio_plan_free(&p);
}

static void write_file(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void read_file(const char *dir, const char *name, char *buf, size_t len) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* A delegated cgroup2 tree, simulated with plain files: controllers enabled in the parent,
 * values written, the child moved (writes "0" to cgroup.procs) before exec. */
static void test_cgroup_fake_v2_tree(void **st) {
    (void)st;
    char root[300], svc[400], rec[500];
    snprintf(root, sizeof root, "%s/cg", tmpdir);
    snprintf(svc, sizeof svc, "%s/system.slice/recguard.service", root);
    snprintf(rec, sizeof rec, "%s/recguard-recorder", svc);
    char mkerr[256];
    assert_int_equal(rg_fs_mkdir_p(rec, 0755, mkerr, sizeof mkerr), 0);
    write_file(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
    write_file(svc, "cgroup.subtree_control", "");
    write_file(rec, "memory.min", "");
    write_file(rec, "cpu.weight", "100\n");
    write_file(rec, "cgroup.procs", "");
    write_file(tmpdir, "self_cgroup", "12:memory:/x\n0::/system.slice/recguard.service\n");

    guard_prio_cfg c;
    memset(&c, 0, sizeof c);
    c.nice = c.oom_score_adj = GUARD_PRIO_UNSET;
    c.cgroup_memory_min = 256ull << 20;
    c.cgroup_cpu_weight = 1000;
    snprintf(c.cgroup_root, sizeof c.cgroup_root, "%s", root);
    snprintf(c.cgroup_self, sizeof c.cgroup_self, "%s/self_cgroup", tmpdir);
    guard_prio_plan p;
    guard_prio_report r;
    char err[160];
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), 0);
    assert_int_equal(r.knob[GUARD_PRIO_CGROUP].status, GUARD_PRIO_NOT_REQUESTED); /* pending */
    assert_true(p.cgroup_procs_fd >= 0);
    assert_string_equal(p.cgroup_path, rec);
    char buf[128];
    read_file(svc, "cgroup.subtree_control", buf, sizeof buf);
    assert_string_equal(buf, "+memory +cpu");
    read_file(rec, "memory.min", buf, sizeof buf);
    assert_string_equal(buf, "268435456");
    read_file(rec, "cpu.weight", buf, sizeof buf);
    assert_int_equal(atoi(buf), 1000);

    char *argv[] = {"/bin/true", NULL};
    guard_spawn_opts o = {.argv = argv, .log_fd = -1, .prio = &p, .prio_report = &r};
    guard_spawn_result res;
    assert_int_equal(guard_spawn(&o, &res, err, sizeof err), 0);
    struct pollfd pf = {.fd = res.pidfd, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, 20000), 1);
    siginfo_t si;
    assert_int_equal(guard_spawn_reap(res.pidfd, &si, 0), 0);
    close(res.pidfd);
    guard_prio_plan_free(&p);
    assert_int_equal(r.knob[GUARD_PRIO_CGROUP].status, GUARD_PRIO_APPLIED);
    assert_string_equal(r.cgroup_path, rec);
    assert_non_null(strstr(r.knob[GUARD_PRIO_CGROUP].detail, "memory.min 256 MiB cpu.weight 1000"));
    read_file(rec, "cgroup.procs", buf, sizeof buf);
    assert_string_equal(buf, "0"); /* the child wrote it: "move myself" */

    /* the parent lacks the memory controller: unavailable, with the reason */
    write_file(root, "cgroup.controllers", "cpu pids\n");
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), 0);
    assert_int_equal(r.knob[GUARD_PRIO_CGROUP].status, GUARD_PRIO_UNAVAILABLE);
    assert_non_null(strstr(r.knob[GUARD_PRIO_CGROUP].detail, "has no memory controller"));
    guard_prio_plan_free(&p);
    /* no 0:: line: a pure v1 process */
    write_file(root, "cgroup.controllers", "cpu memory\n");
    write_file(tmpdir, "self_cgroup", "4:memory:/x\n");
    assert_int_equal(guard_prio_plan_init(&p, &c, &r, err, sizeof err), 0);
    assert_int_equal(r.knob[GUARD_PRIO_CGROUP].status, GUARD_PRIO_UNAVAILABLE);
    guard_prio_plan_free(&p);
}

static void test_names_json(void **st) {
    (void)st;
    guard_prio_report r;
    memset(&r, 0, sizeof r);
    r.knob[GUARD_PRIO_NICE] = (guard_prio_outcome){GUARD_PRIO_APPLIED, 0, "nice -10"};
    r.knob[GUARD_PRIO_OOM] = (guard_prio_outcome){GUARD_PRIO_REFUSED, EACCES, "oom_score_adj -500: Permission denied"};
    r.knob[GUARD_PRIO_CGROUP] = (guard_prio_outcome){GUARD_PRIO_UNAVAILABLE, ENOTSUP, "cgroup v2 not available"};
    json_t *j = guard_prio_report_json(&r);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "nice"), "status")), "applied");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "oom_score_adj"), "status")), "refused");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "cgroup"), "detail")), "cgroup v2 not available");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "affinity"), "status")), "not_requested");
    assert_string_equal(json_string_value(json_object_get(j, "cgroup_path")), "");
    assert_int_equal(json_object_size(j), GUARD_PRIO__COUNT + 1);
    json_decref(j);
    assert_string_equal(guard_prio_knob_name(GUARD_PRIO_IOPRIO), "ioprio");
    assert_string_equal(guard_prio_status_name(GUARD_PRIO_PARTIAL), "partial");
    assert_string_equal(guard_prio_knob_name((guard_prio_knob)99), "?");
}

int main(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_guard_prio.XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_cpus),
        cmocka_unit_test(test_plan_validation),
        cmocka_unit_test(test_apply_pid_every_thread),
        cmocka_unit_test(test_refusals_agree_with_reality),
        cmocka_unit_test(test_cgroup_real_machine),
        cmocka_unit_test(test_cgroup_fake_v2_tree),
        cmocka_unit_test(test_names_json),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rg_test_rmtree(tmpdir) != 0 && rc == 0) rc = 1;
    return rc;
}
