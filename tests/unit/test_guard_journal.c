/* Unit tests: journal lines (shape, order, one line per event), appending to both files, the
 * health-summary rate rule, and a failing write reported without losing the other copy. */
#include "guard/guard_journal.h"

#include "common/rg_sys.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rg_test.h"

static char dir[64];

static int setup(void **st) {
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/rg_journal_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **st) {
    (void)st;
    return rg_test_rmtree(dir);
}

static void test_line_shape(void **st) {
    (void)st;
    /* 2026-11-27T09:38:43.123Z */
    int64_t t = 1795772323123000000LL;
    json_t *ev = guard_journal_event("transition", t);
    json_object_set_new(ev, "state", json_string("RECORDING"));
    json_object_set_new(ev, "from", json_string("STARTING"));
    json_object_set_new(ev, "reason", json_string("recorder \"up\"\n"));
    size_t len;
    char *line = guard_journal_line(ev, &len);
    assert_non_null(line);
    assert_int_equal(strlen(line), len);
    assert_true(line[len - 1] == '\n');
    assert_null(memchr(line, '\n', len - 1)); /* one line: the reason's newline is escaped */
    assert_true(strncmp(line, "{\"time\":\"2026-11-27T09:38:43.123Z\",\"ts_ns\":1795772323123000000,"
                              "\"event\":\"transition\",\"state\":\"RECORDING\"",
                        85) == 0);
    json_t *back = json_loads(line, 0, NULL);
    assert_non_null(back);
    assert_string_equal(json_string_value(json_object_get(back, "reason")), "recorder \"up\"\n");
    json_decref(back);
    free(line);
    json_decref(ev);
}

static int count_lines(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    int n = 0;
    for (int ch; (ch = fgetc(f)) != EOF;) n += ch == '\n';
    fclose(f);
    return n;
}

static void test_both_files(void **st) {
    (void)st;
    guard_journal j;
    guard_journal_init(&j);
    char path[128], bag[128], bagj[160], err[256];
    snprintf(path, sizeof path, "%s/journal.jsonl", dir);
    snprintf(bag, sizeof bag, "%s/bag", dir);
    mkdir(bag, 0755);
    assert_int_equal(guard_journal_open(&j, path, err, sizeof err), 0);
    json_t *ev = guard_journal_event("daemon_start", 1);
    assert_int_equal(guard_journal_write(&j, ev), 0);
    assert_int_equal(guard_journal_set_bag(&j, bag, err, sizeof err), 0);
    assert_int_equal(guard_journal_write(&j, ev), 0);
    assert_int_equal(guard_journal_write(&j, ev), 0);
    assert_int_equal(guard_journal_set_bag(&j, NULL, err, sizeof err), 0);
    assert_int_equal(guard_journal_write(&j, ev), 0);
    snprintf(bagj, sizeof bagj, "%s/recguard.jsonl", bag);
    assert_int_equal(count_lines(path), 4);
    assert_int_equal(count_lines(bagj), 2);
    /* a second open appends, never truncates */
    guard_journal_close(&j);
    assert_int_equal(guard_journal_open(&j, path, err, sizeof err), 0);
    assert_int_equal(guard_journal_write(&j, ev), 0);
    assert_int_equal(count_lines(path), 5);
    /* a failing write (disk full) is reported; the other file still gets its line */
    assert_int_equal(guard_journal_set_bag(&j, bag, err, sizeof err), 0);
    rg_sys_fail_nth(RG_SYS_WRITE, 1, ENOSPC, 0);
    assert_int_equal(guard_journal_write(&j, ev), -ENOSPC);
    assert_int_equal(j.last_errno, ENOSPC);
    rg_sys_reset();
    assert_int_equal(count_lines(path), 5);
    assert_int_equal(count_lines(bagj), 3);
    assert_int_equal(guard_journal_set_bag(&j, "/nonexistent/dir", err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/dir/recguard.jsonl"));
    guard_journal_close(&j);
    json_decref(ev);
}

static void test_health_due(void **st) {
    (void)st;
    int64_t s = 1000000000LL;
    assert_true(guard_journal_health_due(NULL, 0, "ok", 5 * s));
    assert_false(guard_journal_health_due("ok", 5 * s, "ok", 6 * s));
    assert_false(guard_journal_health_due("ok", 5 * s, "ok", 64 * s));
    assert_true(guard_journal_health_due("ok", 5 * s, "ok", 65 * s));
    assert_true(guard_journal_health_due("ok", 5 * s, "warning", 6 * s));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_shape),
        cmocka_unit_test_setup_teardown(test_both_files, setup, teardown),
        cmocka_unit_test(test_health_due),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
