/* test_guard_config — defaults, a file using every key, the JSON dump read back as config,
 * precise errors (file:line: key: why) for every kind of mistake, command-line overrides,
 * cross-field checks and the value parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rg_test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/guard_config.h"
#include "guard/guard_fsm.h"

#define S 1000000000LL
#define MIB (1024ull * 1024)
#define GIB (1024ull * MIB)

static const char FULL[] =
    "# every key, with values different from the defaults\n"
    "output: /data/bags\n"
    "socket: /run/recguard/ctl.sock\n"
    "state_dir: /var/lib/recguard\n"
    "recorder: [ros2, bag, record, -a, -s, mcap, -o, \"{segment}\"]\n"
    "post_crash_hook: [ros2, bag, reindex, \"{segment}\"]\n"
    "check_interval: 500ms\n"
    "lease_duration: 2s\n"
    "stop:\n"
    "  flush_timeout: 20s\n"
    "  term_timeout: 3s\n"
    "  kill_timeout: 2s\n"
    "health:\n"
    "  start_timeout: 1m\n"
    "  stall_timeout: 12s\n"
    "  hang_timeout: 4s\n"
    "  memory_warning: 600MiB\n"
    "  memory_critical: 800MiB\n"
    "disk:\n"
    "  warning_used: 85%\n"
    "  warning_free: 4GiB\n"
    "  stop_used: 97.5%\n"
    "  stop_free: 1GB\n"
    "  ttf_limit: 45s\n"
    "restart:\n"
    "  backoff_initial: 250ms\n"
    "  backoff_cap: 1m\n"
    "  budget_starts: 8\n"
    "  budget_window: 2m\n"
    "priority:\n"
    "  nice: -5\n"
    "  sched: batch\n"
    "  io_class: realtime\n"
    "  io_level: 3\n"
    "  cpus: \"0-1,3\"\n"
    "  oom_score_adj: inherit\n"
    "  cgroup_memory_min: 256MiB\n"
    "  cgroup_cpu_weight: 1000\n"
    "alert:\n"
    "  command: [/usr/local/bin/notify, --json]\n"
    "  events: [crashed, budget_spent, disk_low]\n";

static void load_ok(guard_config *c, const char *text) {
    char err[512] = "";
    int rc = guard_config_load_buffer(c, text, strlen(text), "t.yaml", err, sizeof err);
    if (rc != 0) fail_msg("load failed: %s", err);
}

static void expect_error(const char *text, const char *want) {
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    char err[512] = "";
    int rc = guard_config_load_buffer(&c, text, strlen(text), "t.yaml", err, sizeof err);
    if (rc != -EINVAL || strstr(err, want) == NULL)
        fail_msg("for:\n%s\nwant -EINVAL and \"%s\", got %d \"%s\"", text, want, rc, err);
    guard_config_free(&c);
}

static void test_defaults(void **st) {
    (void)st;
    unsetenv("RECGUARD_SOCKET");
    setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    char err[256];
    assert_int_equal(guard_config_check(&c, err, sizeof err), 0);
    assert_string_equal(c.output_dir, GUARD_CONFIG_DEFAULT_OUTPUT);
    assert_string_equal(c.socket_path, "/run/user/1000/recguard/control.sock");
    assert_null(c.recorder_argv);
    assert_null(c.state_dir);
    assert_int_equal(c.check_interval_ns, 1 * S);
    assert_int_equal(c.lease_duration_ns, 1 * S);
    assert_int_equal(c.flush_timeout_ns, 15 * S);
    assert_int_equal(c.priority.nice, -10);
    assert_int_equal(c.priority.ioclass, GUARD_IOCLASS_BEST_EFFORT);
    assert_int_equal(c.restart.budget_starts, 5);
    assert_true(c.alert_events & (1u << GUARD_EV_BUDGET_SPENT));
    assert_false(c.alert_events & (1u << GUARD_EV_START));
    guard_config_free(&c);
    /* The socket default is the clients' (guard_ctl_default_path), so both always agree. */
    setenv("RECGUARD_SOCKET", "/tmp/x.sock", 1);
    assert_int_equal(guard_config_init(&c), 0);
    assert_string_equal(c.socket_path, "/tmp/x.sock");
    guard_config_free(&c);
    unsetenv("RECGUARD_SOCKET");
    unsetenv("XDG_RUNTIME_DIR");
    assert_int_equal(guard_config_init(&c), 0);
    char want[64];
    if (geteuid() == 0) snprintf(want, sizeof want, "/run/recguard/control.sock");
    else snprintf(want, sizeof want, "/tmp/recguard-%u/control.sock", (unsigned)geteuid());
    assert_string_equal(c.socket_path, want);
    guard_config_free(&c);
    char buf[256];
    setenv("RECGUARD_CONFIG", "/etc/x.yaml", 1);
    assert_int_equal(guard_config_default_path(buf, sizeof buf), 0);
    assert_string_equal(buf, "/etc/x.yaml");
    unsetenv("RECGUARD_CONFIG");
    assert_int_equal(guard_config_default_path(buf, sizeof buf), 0);
    assert_non_null(strstr(buf, "recguard/recguard.yaml"));
}

static void test_full_file(void **st) {
    (void)st;
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, FULL);
    char err[256];
    assert_int_equal(guard_config_check(&c, err, sizeof err), 0);
    assert_string_equal(c.output_dir, "/data/bags");
    assert_string_equal(c.socket_path, "/run/recguard/ctl.sock");
    assert_string_equal(c.state_dir, "/var/lib/recguard");
    assert_string_equal(c.recorder_argv[0], "ros2");
    assert_string_equal(c.recorder_argv[7], "{segment}");
    assert_null(c.recorder_argv[8]);
    assert_string_equal(c.post_crash_hook_argv[2], "reindex");
    assert_int_equal(c.check_interval_ns, 500000000LL);
    assert_int_equal(c.lease_duration_ns, 2 * S);
    assert_int_equal(c.flush_timeout_ns, 20 * S);
    assert_int_equal(c.term_timeout_ns, 3 * S);
    assert_int_equal(c.kill_timeout_ns, 2 * S);
    assert_int_equal(c.health.start_timeout_ns, 60 * S);
    assert_int_equal(c.health.stall_timeout_ns, 12 * S);
    assert_int_equal(c.health.hang_timeout_ns, 4 * S);
    assert_int_equal(c.mem_warning.bytes, 600 * MIB);
    assert_true(c.mem_warning.pct == 0);
    assert_int_equal(c.mem_critical.bytes, 800 * MIB);
    assert_true(c.health.disk_warning_pct == 85);
    assert_int_equal(c.health.disk_warning_free, 4 * GIB);
    assert_true(c.health.disk_stop_pct == 97.5);
    assert_int_equal(c.health.disk_stop_free, 1000000000ull);
    assert_int_equal(c.health.disk_ttf_limit_ns, 45 * S);
    assert_int_equal(c.restart.backoff_initial_ns, 250000000LL);
    assert_int_equal(c.restart.backoff_cap_ns, 60 * S);
    assert_int_equal(c.restart.budget_starts, 8);
    assert_int_equal(c.restart.budget_window_ns, 120 * S);
    assert_int_equal(c.priority.nice, -5);
    assert_int_equal(c.priority.sched, GUARD_SCHED_BATCH);
    assert_int_equal(c.priority.ioclass, GUARD_IOCLASS_REALTIME);
    assert_int_equal(c.priority.iolevel, 3);
    assert_string_equal(c.priority.cpus, "0-1,3");
    assert_int_equal(c.priority.oom_score_adj, GUARD_PRIO_UNSET);
    assert_int_equal(c.priority.cgroup_memory_min, 256 * MIB);
    assert_int_equal(c.priority.cgroup_cpu_weight, 1000);
    assert_string_equal(c.alert_argv[1], "--json");
    assert_int_equal(c.alert_events, 1u << GUARD_EV_CRASHED | 1u << GUARD_EV_BUDGET_SPENT |
                                         1u << GUARD_EV_DISK_LOW);
    guard_health_cfg h;
    guard_config_health_cfg(&c, 16 * GIB, &h);
    assert_int_equal(h.mem_warning_bytes, 600 * MIB);
    assert_int_equal(h.mem_critical_bytes, 800 * MIB);
    assert_int_equal(h.stall_timeout_ns, 12 * S);
    guard_config_free(&c);
}

/* The JSON dump is valid YAML (flow style) and loads back to the same configuration. */
static void test_json_roundtrip(void **st) {
    (void)st;
    guard_config a, b;
    assert_int_equal(guard_config_init(&a), 0);
    load_ok(&a, FULL);
    json_t *ja = guard_config_json(&a);
    assert_non_null(ja);
    assert_string_equal(json_string_value(json_object_get(json_object_get(ja, "stop"), "flush_timeout")), "20s");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ja, "priority"), "oom_score_adj")), "inherit");
    json_object_del(ja, "file"); /* not a config key */
    char *text = json_dumps(ja, JSON_SORT_KEYS);
    assert_int_equal(guard_config_init(&b), 0);
    load_ok(&b, text);
    json_t *jb = guard_config_json(&b);
    json_object_del(jb, "file");
    char *text2 = json_dumps(jb, JSON_SORT_KEYS);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    json_decref(ja);
    json_decref(jb);
    /* defaults too (null recorder, percent memory levels) */
    guard_config_free(&a);
    guard_config_free(&b);
    assert_int_equal(guard_config_init(&a), 0);
    ja = guard_config_json(&a);
    assert_true(json_is_null(json_object_get(ja, "recorder")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(ja, "health"), "memory_critical")), "60%");
    json_object_del(ja, "file");
    text = json_dumps(ja, JSON_SORT_KEYS);
    assert_int_equal(guard_config_init(&b), 0);
    load_ok(&b, text);
    assert_true(b.mem_critical.pct == 60);
    assert_null(b.recorder_argv);
    free(text);
    json_decref(ja);
    guard_config_free(&a);
    guard_config_free(&b);
}

static void test_files(void **st) {
    (void)st;
    char dir[] = "/tmp/test_guard_config.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/missing.yaml", dir);
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    assert_int_equal(guard_config_load_file(&c, path, true, err, sizeof err), 0);
    assert_null(c.path);
    assert_int_equal(guard_config_load_file(&c, path, false, err, sizeof err), -ENOENT);
    char want[400];
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    assert_string_equal(err, want);
    /* a directory is not "missing": loud even when optional */
    assert_true(guard_config_load_file(&c, dir, true, err, sizeof err) < 0);
    snprintf(path, sizeof path, "%s/good.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs("check_interval: 2s\nrestart:\n  budget_starts: 0\n", f);
    fclose(f);
    assert_int_equal(guard_config_load_file(&c, path, true, err, sizeof err), 0);
    assert_string_equal(c.path, path);
    assert_int_equal(c.check_interval_ns, 2 * S);
    assert_int_equal(c.restart.budget_starts, 0);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    f = fopen(path, "w");
    fputs("# comment\n\nstop:\n  flush_timeout: 15\n", f);
    fclose(f);
    assert_int_equal(guard_config_load_file(&c, path, true, err, sizeof err), -EINVAL);
    snprintf(want, sizeof want, "%s:4: stop.flush_timeout: '15' is not a duration", path);
    if (strncmp(err, want, strlen(want)) != 0) fail_msg("got: %s", err);
    guard_config_free(&c);
    assert_int_equal(rg_test_rmtree(dir), 0);
}

static void test_errors(void **st) {
    (void)st;
    expect_error("output: a\nrestart:\n  backof_initial: 1s\n",
                 "t.yaml:3: restart.backof_initial: unknown key");
    expect_error("outptu: a\n", "t.yaml:1: outptu: unknown key");
    expect_error("check_interval: 1\n", "t.yaml:1: check_interval: '1' is not a duration");
    expect_error("check_interval: 0\n", "t.yaml:1: check_interval: must be > 0");
    expect_error("check_interval: -1s\n", "check_interval: '-1s' is not a duration");
    expect_error("health:\n  stall_timeout: 10 s\n", "t.yaml:2: health.stall_timeout:");
    expect_error("disk:\n  stop_free: 800XB\n", "t.yaml:2: disk.stop_free: '800XB' is not a size");
    expect_error("disk:\n  stop_used: 98\n", "disk.stop_used: '98' is not a percentage");
    expect_error("disk:\n  stop_used: 101%\n", "disk.stop_used: '101%' is not a percentage");
    expect_error("health:\n  memory_critical: lots\n", "health.memory_critical: 'lots' is not a size");
    expect_error("priority:\n  nice: -21\n", "t.yaml:2: priority.nice: '-21' is not an integer in -20..19");
    expect_error("priority:\n  nice: 1.5\n", "priority.nice");
    expect_error("priority:\n  io_class: fast\n", "priority.io_class: 'fast': expected");
    expect_error("priority:\n  sched: fifo\n", "priority.sched: 'fifo'");
    expect_error("priority:\n  cpus: \"0-\"\n", "priority.cpus: '0-' is not a CPU list");
    expect_error("priority:\n  io_level: 8\n", "priority.io_level");
    expect_error("restart:\n  budget_starts: 65\n", "restart.budget_starts");
    expect_error("alert:\n  events: [crashed, explode]\n", "alert.events: unknown event 'explode'");
    expect_error("alert:\n  events: crashed\n", "alert.events: expected a list");
    expect_error("recorder: ros2 bag record\n", "t.yaml:1: recorder: expected a list of strings");
    expect_error("recorder: []\n", "recorder: empty list");
    expect_error("recorder: [\"\", x]\n", "recorder: the program (first item) is empty");
    expect_error("recorder: [a, [b]]\n", "recorder: item 2 is not a string");
    expect_error("stop: 5\n", "t.yaml:1: stop: expected a mapping of keys");
    expect_error("- a\n- b\n", "(top level): expected a mapping");
    expect_error("output: [a]\n", "output: expected a single value");
    expect_error("output:\n", "output: a value is required");
    expect_error("output: ''\n", "output: empty string");
    expect_error("output: a\noutput: b\n", "t.yaml:2: YAML syntax");
    expect_error("a: [1, 2\n", "YAML syntax");
    expect_error("x: &a 1s\ncheck_interval: *a\n", "t.yaml:1: x: unknown key");
    expect_error("check_interval: &a 1s\nstop:\n  flush_timeout: *a\n",
                 "stop.flush_timeout: YAML aliases are not supported");
    expect_error("? [a, b]\n: c\n", "keys must be plain strings");
    expect_error("recorder: [ros2, bag, record, -a]\n",
                 "t.yaml:1: recorder: no argument holds {segment}");
    /* one document per file: a second one is not silently ignored */
    expect_error("output: a\n---\noutput: b\n", "t.yaml:3: a second YAML document");
    expect_error("---\noutput: a\n---\n", "a second YAML document");
    expect_error("output: a\n...\n---\ncheck_interval: 1s\n", "t.yaml:4: a second YAML document");
    /* every interval has a floor, named with the key */
    expect_error("check_interval: 1ns\n", "t.yaml:1: check_interval: '1ns' is below the minimum of 50ms");
    expect_error("check_interval: 49ms\n", "check_interval: '49ms' is below the minimum of 50ms");
    expect_error("stop:\n  flush_timeout: 1us\n", "t.yaml:2: stop.flush_timeout: '1us' is below the minimum of 100ms");
    expect_error("stop:\n  term_timeout: 1ms\n", "stop.term_timeout: '1ms' is below the minimum of 100ms");
    expect_error("stop:\n  kill_timeout: 99ms\n", "stop.kill_timeout: '99ms' is below");
    expect_error("health:\n  start_timeout: 1ms\n", "health.start_timeout: '1ms' is below the minimum of 100ms (or off)");
    expect_error("health:\n  stall_timeout: 1ms\n", "health.stall_timeout: '1ms' is below");
    expect_error("health:\n  hang_timeout: 1ms\n", "health.hang_timeout: '1ms' is below");
    expect_error("disk:\n  ttf_limit: 10ms\n", "disk.ttf_limit: '10ms' is below the minimum of 1000ms");
    expect_error("restart:\n  backoff_initial: 1ns\n", "restart.backoff_initial: '1ns' is below the minimum of 10ms");
    expect_error("restart:\n  backoff_cap: 1ms\n", "restart.backoff_cap: '1ms' is below");
    expect_error("restart:\n  budget_window: 10ms\n", "restart.budget_window: '10ms' is below the minimum of 1000ms");
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    char err[256];
    static const char nul[] = "output: a\0b\n";
    assert_int_equal(guard_config_load_buffer(&c, nul, sizeof nul - 1, "n.yaml", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "NUL byte"));
    /* malformed UTF-8 is refused before the YAML parser sees it (libfyaml 0.7.12 hangs on
     * "%\x9c"); well-formed multi-byte text is fine */
    static const char *const bad_utf8[] = {"%\x9c", "%a\x9c", "a: 1\nb: \xc3", "x: \xc0\xaf\n",
                                           "x: \xed\xa0\x80\n", "x: \xf4\x90\x80\x80\n", "\xff"};
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        assert_int_equal(guard_config_load_buffer(&c, bad_utf8[i], strlen(bad_utf8[i]), "u.yaml", err,
                                                  sizeof err), -EINVAL);
        assert_non_null(strstr(err, "not valid UTF-8"));
    }
    assert_non_null(strstr(err, "u.yaml:1: not valid UTF-8 (byte 0xff)"));
    assert_int_equal(guard_config_load_buffer(&c, "a: 1\nb: \xc3", 9, "u.yaml", err, sizeof err), -EINVAL);
    assert_string_equal(err, "u.yaml:2: not valid UTF-8 (byte 0xc3)");
    load_ok(&c, "output: \"/daten/aufnahmen-\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80\"\n");
    assert_string_equal(c.output_dir, "/daten/aufnahmen-\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80");
    /* an empty file and an empty section are fine */
    load_ok(&c, "");
    load_ok(&c, "# nothing\n");
    load_ok(&c, "stop:\nrestart: {}\n");
    /* null resets what may be unset */
    load_ok(&c, "recorder: [a, \"{segment}\"]\nstate_dir: /x\n");
    load_ok(&c, "recorder: null\nstate_dir: ~\npriority:\n  cpus:\n");
    assert_null(c.recorder_argv);
    assert_null(c.state_dir);
    guard_config_free(&c);
}

static void test_overrides(void **st) {
    (void)st;
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    char err[256];
    assert_int_equal(guard_config_set(&c, "restart.budget_starts", "7", err, sizeof err), 0);
    assert_int_equal(c.restart.budget_starts, 7);
    assert_int_equal(guard_config_set(&c, "output", "/tmp/a #b: c", err, sizeof err), 0);
    assert_string_equal(c.output_dir, "/tmp/a #b: c");
    assert_int_equal(guard_config_set(&c, "recorder", "[rec, '-o{segment}']", err, sizeof err), 0);
    assert_string_equal(c.recorder_argv[0], "rec");
    assert_string_equal(c.recorder_argv[1], "-o{segment}");
    /* a recorder that is not told where to write: refused, by every layer */
    assert_int_equal(guard_config_set(&c, "recorder", "[sleep, '100']", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "--set recorder: no argument holds {segment}"));
    char *nos[] = {"sleep", "100"};
    assert_int_equal(guard_config_set_argv(&c, "recorder", nos, 2, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "no argument holds {segment}"));
    assert_string_equal(c.recorder_argv[0], "rec");
    /* the hook and alert commands need no segment */
    assert_int_equal(guard_config_set(&c, "alert.command", "[notify]", err, sizeof err), 0);
    assert_int_equal(guard_config_set(&c, "priority.nice", "inherit", err, sizeof err), 0);
    assert_int_equal(c.priority.nice, GUARD_PRIO_UNSET);
    assert_int_equal(guard_config_set(&c, "alert.events", "[all]", err, sizeof err), 0);
    assert_int_equal(c.alert_events, (1u << GUARD_EV__COUNT) - 1);
    assert_int_equal(guard_config_set(&c, "health.memory_critical", "50%", err, sizeof err), 0);
    assert_true(c.mem_critical.pct == 50);
    assert_int_equal(guard_config_set(&c, "nope", "1", err, sizeof err), -EINVAL);
    assert_string_equal(err, "--set nope: unknown key (see docs/CONFIG.md)");
    assert_int_equal(guard_config_set(&c, "stop", "1", err, sizeof err), -EINVAL);
    assert_int_equal(guard_config_set(&c, "check_interval", "fast", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "--set check_interval: 'fast' is not a duration"));
    assert_int_equal(guard_config_set(&c, "recorder", "[a, b", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "--set recorder: value:"));
    char *argv[] = {"my-recorder", "--out", "{segment}"};
    assert_int_equal(guard_config_set_argv(&c, "recorder", argv, 3, err, sizeof err), 0);
    assert_string_equal(c.recorder_argv[2], "{segment}");
    assert_null(c.recorder_argv[3]);
    assert_int_equal(guard_config_set_argv(&c, "output", argv, 3, err, sizeof err), -EINVAL);
    assert_int_equal(guard_config_set_argv(&c, "recorder", argv, 0, err, sizeof err), -EINVAL);
    guard_config_free(&c);
}

static void test_checks(void **st) {
    (void)st;
    guard_config c;
    char err[256];
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "health:\n  memory_warning: 800MiB\n  memory_critical: 600MiB\n");
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_string_equal(err, "health.memory_warning (800 MiB) must be below health.memory_critical (600 MiB)");
    guard_config_free(&c);
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "health:\n  memory_warning: 70%\n");
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "health.memory_warning (70% = "));
    guard_config_free(&c);
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "disk:\n  warning_used: 99%\n");
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "disk.warning_used (99%) must be below disk.stop_used (98%)"));
    guard_config_free(&c);
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "disk:\n  warning_free: 100MiB\n");
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "disk.warning_free (100 MiB) must be above disk.stop_free (256 MiB)"));
    guard_config_free(&c);
    const char *const leases[] = {"lease_duration: 50ms\n", "lease_duration: 11m\n"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(guard_config_init(&c), 0);
        load_ok(&c, leases[i]);
        assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
        assert_string_equal(err, "lease_duration: must be 100ms..600s");
        guard_config_free(&c);
    }
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "restart:\n  backoff_initial: 10s\n  backoff_cap: 5s\n");
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "restart.backoff_cap"));
    guard_config_free(&c);
    assert_int_equal(guard_config_init(&c), 0);
    char longsock[200];
    memset(longsock, 'x', sizeof longsock - 1);
    longsock[0] = '/';
    longsock[sizeof longsock - 1] = '\0';
    assert_int_equal(guard_config_set(&c, "socket", longsock, err, sizeof err), 0);
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "socket: path longer than 107 bytes"));
    guard_config_free(&c);
    /* memory percent resolved against RAM, off stays off */
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "health:\n  memory_warning: off\n  memory_critical: 50%\n");
    assert_int_equal(guard_config_check(&c, err, sizeof err), 0);
    guard_health_cfg h;
    guard_config_health_cfg(&c, 1 * GIB, &h);
    assert_int_equal(h.mem_warning_bytes, 0);
    assert_int_equal(h.mem_critical_bytes, 512 * MIB);
    assert_true(guard_config_mem_total() > 0);
    guard_config_free(&c);
    /* mixed forms compare in bytes against the RAM size */
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "health:\n  memory_warning: 3GiB\n  memory_critical: 50%\n");
    assert_int_equal(guard_config_check_mem(&c, 8 * GIB, err, sizeof err), 0);
    assert_int_equal(guard_config_check_mem(&c, 4 * GIB, err, sizeof err), -EINVAL);
    assert_string_equal(err, "health.memory_warning (3.0 GiB) must be below health.memory_critical "
                             "(50% = 2.0 GiB of RAM)");
    load_ok(&c, "health:\n  memory_warning: 50%\n  memory_critical: 3GiB\n");
    assert_int_equal(guard_config_check_mem(&c, 4 * GIB, err, sizeof err), 0);
    assert_int_equal(guard_config_check_mem(&c, 8 * GIB, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "(50% = 4.0 GiB of RAM) must be below health.memory_critical (3.0 GiB)"));
    /* unknown RAM: mixed forms cannot be compared, same forms still are */
    assert_int_equal(guard_config_check_mem(&c, 0, err, sizeof err), 0);
    load_ok(&c, "health:\n  memory_warning: 60%\n  memory_critical: 50%\n");
    assert_int_equal(guard_config_check_mem(&c, 0, err, sizeof err), -EINVAL);
    guard_config_free(&c);
}

/* `record:`: the built-in recorder's options, from the file and from --set, as an argv
 * fragment checked by the recorder's own parser. */
static void test_record_section(void **st) {
    (void)st;
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "record:\n  max_bag_size: 4MiB\n  topics: [/a, b]\n  include_hidden_topics: true\n"
                "  start_paused: false\n  exclude_regex: \"x: y\"\n  custom_data: k=v\n");
    char err[512] = "";
    assert_int_equal(guard_config_set(&c, "record.max_bag_size", "8M", err, sizeof err), 0);
    assert_int_equal(guard_config_set(&c, "record.regex", "^/c#d: e", err, sizeof err), 0);
    assert_int_equal(guard_config_set(&c, "record.exclude_topic_types", "[a/msg/B]", err, sizeof err), 0);
    char **v;
    size_t n;
    assert_int_equal(guard_record_argv(&c.record, &v, &n), 0);
    const char *want[] = {"--max-bag-size", "8M", "--topics", "/a", "b", "--include-hidden-topics",
                          "--exclude-regex", "x: y", "--custom-data", "k=v", "--regex", "^/c#d: e",
                          "--exclude-topic-types", "a/msg/B"};
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) assert_string_equal(v[i], want[i]);
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
    assert_int_equal(guard_record_selects(&c.record), 1);
    assert_int_equal(guard_config_check(&c, err, sizeof err), 0);
    json_t *j = guard_config_json(&c);
    json_t *r = json_object_get(j, "record");
    assert_string_equal(json_string_value(json_object_get(r, "max_bag_size")), "8M");
    assert_true(json_is_false(json_object_get(r, "start_paused")));
    assert_int_equal(json_array_size(json_object_get(r, "topics")), 2);
    json_decref(j);
    /* A value the recorder refuses fails the check with its reason. */
    assert_int_equal(guard_config_set(&c, "record.max_bag_duration", "soon", err, sizeof err), 0);
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "record: --max-bag-duration soon"));
    assert_int_equal(guard_config_set(&c, "record.max_bag_duration", "30", err, sizeof err), 0);
    /* With an external recorder, record: cannot apply. */
    assert_int_equal(guard_config_set(&c, "recorder", "[rec, \"{segment}\"]", err, sizeof err), 0);
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "built-in recorder"));
    assert_int_equal(guard_config_set(&c, "record.output", "x", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "--set record.output: unknown key"));
    assert_int_equal(guard_config_set(&c, "record.all", "maybe", err, sizeof err), -EINVAL);
    guard_config_free(&c);
    expect_error("record:\n  max_bag_sz: 1\n", "t.yaml:2: record.max_bag_sz: unknown key");
    expect_error("record:\n  topics: {a: 1}\n", "record.topics: expected a list");
    expect_error("record: [a]\n", "record: expected a mapping");
}

/* record.start_paused, and the daemon's pause state carried into the next recorder's argv:
 * every --start-paused dropped, one appended when paused. */
static void test_record_pause(void **st) {
    (void)st;
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    assert_int_equal(guard_record_start_paused(&c.record), 0);
    load_ok(&c, "record:\n  start_paused: true\n");
    assert_int_equal(guard_record_start_paused(&c.record), 1);
    assert_int_equal(guard_record_snapshot(&c.record), 0);
    char err[256];
    assert_int_equal(guard_config_set(&c, "record.start_paused", "false", err, sizeof err), 0);
    assert_int_equal(guard_record_start_paused(&c.record), 0);
    guard_config_free(&c);
    const char *in[] = {"rec", "--start-paused", "-o", "x", "--start-paused", NULL};
    char **v = calloc(6, sizeof *v);
    assert_non_null(v);
    for (int i = 0; in[i]; i++) assert_non_null(v[i] = strdup(in[i]));
    assert_int_equal(guard_record_argv_paused(&v, 1), 0);
    const char *paused[] = {"rec", "-o", "x", "--start-paused", NULL};
    for (int i = 0; paused[i]; i++) assert_string_equal(v[i], paused[i]);
    assert_null(v[4]);
    assert_int_equal(guard_record_argv_paused(&v, 1), 0); /* again: still one */
    assert_string_equal(v[3], "--start-paused");
    assert_null(v[4]);
    assert_int_equal(guard_record_argv_paused(&v, 0), 0);
    assert_string_equal(v[2], "x");
    assert_null(v[3]);
    for (int i = 0; v[i]; i++) free(v[i]);
    free(v);
}

static void test_parsers(void **st) {
    (void)st;
    int64_t ns;
    assert_int_equal(guard_config_parse_duration("15s", &ns), 0);
    assert_int_equal(ns, 15 * S);
    assert_int_equal(guard_config_parse_duration("1.5s", &ns), 0);
    assert_int_equal(ns, 1500000000LL);
    assert_int_equal(guard_config_parse_duration("500ms", &ns), 0);
    assert_int_equal(ns, 500000000LL);
    assert_int_equal(guard_config_parse_duration("20us", &ns), 0);
    assert_int_equal(ns, 20000);
    assert_int_equal(guard_config_parse_duration("7ns", &ns), 0);
    assert_int_equal(ns, 7);
    assert_int_equal(guard_config_parse_duration("2m", &ns), 0);
    assert_int_equal(ns, 120 * S);
    assert_int_equal(guard_config_parse_duration("2min", &ns), 0);
    assert_int_equal(guard_config_parse_duration("1h", &ns), 0);
    assert_int_equal(ns, 3600 * S);
    assert_int_equal(guard_config_parse_duration("0", &ns), 0);
    assert_int_equal(ns, 0);
    assert_int_equal(guard_config_parse_duration("off", &ns), 0);
    static const char *const bad_d[] = {"", "s", "15", "-1s", "1e3s", "15 s", "15S", "inf", "nan",
                                        "0x10s", "1..5s", "99999999999h", ".s"};
    for (size_t i = 0; i < sizeof bad_d / sizeof bad_d[0]; i++)
        if (guard_config_parse_duration(bad_d[i], &ns) == 0) fail_msg("accepted duration '%s'", bad_d[i]);
    uint64_t b;
    assert_int_equal(guard_config_parse_size("800MiB", &b), 0);
    assert_int_equal(b, 800 * MIB);
    assert_int_equal(guard_config_parse_size("1.5GiB", &b), 0);
    assert_int_equal(b, 3 * GIB / 2);
    assert_int_equal(guard_config_parse_size("4096", &b), 0);
    assert_int_equal(b, 4096);
    assert_int_equal(guard_config_parse_size("2KB", &b), 0);
    assert_int_equal(b, 2000);
    assert_int_equal(guard_config_parse_size("1TiB", &b), 0);
    static const char *const bad_s[] = {"", "MiB", "-5", "5 MiB", "5mib", "5X", "1e9", "99999999TiB"};
    for (size_t i = 0; i < sizeof bad_s / sizeof bad_s[0]; i++)
        if (guard_config_parse_size(bad_s[i], &b) == 0) fail_msg("accepted size '%s'", bad_s[i]);
    double p;
    assert_int_equal(guard_config_parse_percent("90%", &p), 0);
    assert_true(p == 90);
    assert_int_equal(guard_config_parse_percent("12.5%", &p), 0);
    assert_true(p == 12.5);
    assert_int_equal(guard_config_parse_percent("90", &p), -EINVAL);
    assert_int_equal(guard_config_parse_percent("100.1%", &p), -EINVAL);
    assert_int_equal(guard_config_parse_percent("%", &p), -EINVAL);
}

/* expect: rules with exact names and regexes; health.no_data_timeout; precise errors. */
static void test_expect(void **st) {
    (void)st;
    guard_config c;
    assert_int_equal(guard_config_init(&c), 0);
    assert_int_equal(c.no_data_timeout_ns, 5 * 1000000000LL);
    load_ok(&c, "health:\n  no_data_timeout: 3s\n"
                "expect:\n"
                "  - topic: /imu\n    min_rate: 190\n    max_silence: 1s\n"
                "  - {topic: \"^/camera/\", max_silence: 500ms}\n");
    assert_int_equal(c.no_data_timeout_ns, 3 * 1000000000LL);
    assert_int_equal(c.expect.n, 2);
    assert_string_equal(c.expect.v[0].topic, "/imu");
    assert_true(c.expect.v[0].min_rate == 190.0);
    assert_int_equal(c.expect.v[0].max_silence_ns, 1000000000LL);
    assert_true(c.expect.v[1].is_re);
    assert_int_equal(c.expect.v[1].max_silence_ns, 500000000LL);
    json_t *j = guard_config_json(&c);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "expect"), 1), "topic")),
                        "^/camera/");
    json_decref(j);
    /* A later layer replaces the list. */
    char err[256];
    assert_int_equal(guard_config_set(&c, "expect", "[{topic: /gps, max_silence: 2s}]", err, sizeof err), 0);
    assert_int_equal(c.expect.n, 1);
    assert_int_equal(guard_config_set(&c, "health.no_data_timeout", "off", err, sizeof err), 0);
    assert_int_equal(c.no_data_timeout_ns, 0);
    guard_config_free(&c);
    expect_error("expect: /imu\n", "t.yaml:1: expect: expected a list");
    expect_error("expect:\n  - topic: /imu\n", "expect: item 1: expect(/imu): give min_rate");
    expect_error("expect:\n  - {topic: /imu, min_rate: fast}\n", "item 1: min_rate 'fast'");
    expect_error("expect:\n  - {topic: /imu, max_silence: soon}\n", "item 1: max_silence 'soon'");
    expect_error("expect:\n  - {topic: /imu, rate: 3}\n", "item 1: unknown key 'rate'");
    expect_error("expect:\n  - {topic: \"^(\", min_rate: 3}\n", "bad regex");
    expect_error("expect:\n  - /imu\n", "item 1: expected a mapping");
    /* monitor.enabled: a boolean */
    assert_int_equal(guard_config_init(&c), 0);
    assert_false(c.monitor_enabled);
    load_ok(&c, "monitor: {enabled: yes}\n");
    assert_true(c.monitor_enabled);
    assert_int_equal(guard_config_set(&c, "monitor.enabled", "false", err, sizeof err), 0);
    assert_false(c.monitor_enabled);
    j = guard_config_json(&c);
    assert_true(json_is_false(json_object_get(json_object_get(j, "monitor"), "enabled")));
    json_decref(j);
    guard_config_free(&c);
    expect_error("monitor:\n  enabled: maybe\n", "t.yaml:2: monitor.enabled: 'maybe': expected true or false");
}

/* redundancy: none|standby and the standby's ring; the built-in recorder only */
static void test_redundancy(void **st) {
    (void)st;
    guard_config c;
    char err[512] = "";
    assert_int_equal(guard_config_init(&c), 0);
    assert_int_equal(c.redundancy, GUARD_REDUNDANCY_NONE);
    assert_int_equal(c.standby_window_ns, 10 * S);
    assert_int_equal(c.standby_memory, 256ull << 20);
    load_ok(&c, "redundancy: standby\nstandby: {window: 5s, memory: 64MiB}\n");
    assert_int_equal(c.redundancy, GUARD_REDUNDANCY_STANDBY);
    assert_int_equal(c.standby_window_ns, 5 * S);
    assert_int_equal(c.standby_memory, 64ull << 20);
    assert_int_equal(guard_config_check(&c, err, sizeof err), 0);
    json_t *j = guard_config_json(&c);
    assert_string_equal(json_string_value(json_object_get(j, "redundancy")), "standby");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "standby"), "window")), "5s");
    json_decref(j);
    assert_int_equal(guard_config_set(&c, "redundancy", "none", err, sizeof err), 0);
    assert_int_equal(c.redundancy, GUARD_REDUNDANCY_NONE);
    assert_int_equal(guard_config_set(&c, "redundancy", "standby", err, sizeof err), 0);
    assert_int_equal(c.redundancy, GUARD_REDUNDANCY_STANDBY);
    assert_int_equal(guard_config_set(&c, "redundancy", "twice", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "redundancy: 'twice': expected none or standby"));
    /* a foreign recorder: refused, saying why */
    load_ok(&c, "recorder: [ros2, bag, record, -o, \"{segment}\"]\n");
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "redundancy: standby needs the built-in recorder"));
    assert_non_null(strstr(err, "ros2"));
    assert_non_null(strstr(err, "docs/RELIABILITY.md"));
    guard_config_free(&c);
    /* a ring too small to hold anything */
    assert_int_equal(guard_config_init(&c), 0);
    load_ok(&c, "standby: {memory: 64KiB}\n");
    assert_int_equal(guard_config_check(&c, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "standby.memory"));
    guard_config_free(&c);
    expect_error("redundancy: mirror\n", "t.yaml:1: redundancy: 'mirror': expected none or standby");
    expect_error("standby:\n  window: 10ms\n", "standby.window: '10ms' is below the minimum of 100ms");
    expect_error("standby:\n  window: off\n", "standby.window: must be > 0");
    expect_error("standby:\n  memory: lots\n", "standby.memory: 'lots' is not a size");
    expect_error("standby:\n  ring: 3\n", "standby.ring");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redundancy),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_expect),
        cmocka_unit_test(test_record_section),
        cmocka_unit_test(test_record_pause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
