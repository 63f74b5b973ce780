/* test_web_bags — the bag list and downloads on real rosbag2 bags (tests/fixtures/rosbag2)
 * copied into a temporary output dir: sizes, segments, durations and per-topic counts from the
 * MCAP summaries, a cut-short segment (indexed: false), recover output (recovered: true),
 * folders without MCAP and symlinks left out, and downloads that cannot leave a bag folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/rg_fs.h"
#include "rg_test.h"
#include "web/web_bags.h"

static char dir[PATH_MAX];

static void copy(const char *from, const char *to, size_t cut) {
    char *data;
    size_t len;
    assert_int_equal(rg_fs_read_file(from, 1 << 24, &data, &len), 0);
    char err[256];
    assert_int_equal(rg_fs_write_atomic(to, data, cut && cut < len ? cut : len, 0644, err, sizeof err), 0);
    free(data);
}

static void path(char *out, const char *a, const char *b) {
    int n = snprintf(out, PATH_MAX, "%.200s/%.100s%s%.100s", dir, a, b ? "/" : "", b ? b : "");
    assert_true(n > 0 && n < PATH_MAX);
}

static int setup(void **st) {
    (void)st;
    const char *fx = getenv("RG_FIXTURES");
    assert_non_null(fx);
    snprintf(dir, sizeof dir, "/tmp/test_web_bags.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char p[PATH_MAX], src[PATH_MAX + 64];
    path(p, "multi", NULL);
    mkdir(p, 0755);
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "multiple_files_%d.mcap", i);
        snprintf(src, sizeof src, "%s/multiple_files/%s", fx, name);
        path(p, "multi", name);
        copy(src, p, 0);
    }
    /* a bag whose second segment was cut short, and recovered */
    path(p, "cut", NULL);
    mkdir(p, 0755);
    snprintf(src, sizeof src, "%s/wbag/wbag_0.mcap", fx);
    path(p, "cut", "wbag_0.mcap");
    copy(src, p, 0);
    snprintf(src, sizeof src, "%s/wbag/wbag_1.mcap", fx);
    path(p, "cut", "wbag_1.mcap");
    copy(src, p, 20000);
    path(p, "cut", "wbag_1.recovered.mcap");
    copy(src, p, 0);
    path(p, "notabag", NULL);
    mkdir(p, 0755);
    path(p, "notabag", "notes.txt");
    copy("/etc/hostname", p, 0);
    /* symlinks: to a bag outside, and to a file outside, inside a bag */
    snprintf(src, sizeof src, "%s/talker", fx);
    path(p, "linked", NULL);
    assert_int_equal(symlink(src, p), 0);
    path(p, "multi", "passwd");
    assert_int_equal(symlink("/etc/passwd", p), 0);
    return 0;
}

static int teardown(void **st) {
    (void)st;
    rg_test_rmtree(dir);
    return 0;
}

static json_t *bag(json_t *list, const char *name) {
    size_t i;
    json_t *b;
    json_array_foreach(list, i, b) if (strcmp(json_string_value(json_object_get(b, "name")), name) == 0) return b;
    return NULL;
}

static void test_list(void **st) {
    (void)st;
    char err[256];
    json_t *l = web_bags_list(dir, err, sizeof err);
    assert_non_null(l);
    assert_int_equal(json_array_size(l), 2); /* notabag and the symlinked bag left out */
    json_t *m = bag(l, "multi");
    assert_non_null(m);
    assert_int_equal(json_integer_value(json_object_get(m, "segments")), 3);
    assert_int_equal(json_integer_value(json_object_get(m, "messages")), 3177);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "topics"), "/chatter")), 3177);
    double dur = json_real_value(json_object_get(m, "duration_s"));
    assert_true(dur > 6.35 && dur < 6.36);
    assert_true(json_is_true(json_object_get(m, "indexed")));
    assert_true(json_is_false(json_object_get(m, "recovered")));
    assert_int_equal(json_integer_value(json_object_get(m, "size_bytes")), 32605 + 32609 + 13926);
    assert_int_equal(json_array_size(json_object_get(m, "files")), 3); /* the symlink is not a file */
    json_t *c = bag(l, "cut");
    assert_non_null(c);
    assert_int_equal(json_integer_value(json_object_get(c, "segments")), 2);
    assert_true(json_is_false(json_object_get(c, "indexed")));
    assert_true(json_is_true(json_object_get(c, "recovered")));
    json_decref(l);
    assert_null(web_bags_list("/nonexistent/recguard", err, sizeof err));
    assert_non_null(strstr(err, "output(/nonexistent/recguard)"));
}

static void test_open(void **st) {
    (void)st;
    int fd = web_bags_open(dir, "multi", "multiple_files_1.mcap");
    assert_true(fd >= 0);
    struct stat s;
    assert_int_equal(fstat(fd, &s), 0);
    assert_int_equal(s.st_size, 32609);
    close(fd);
    assert_int_equal(web_bags_open(dir, "multi", "passwd"), -ENOENT);      /* symlink inside */
    assert_int_equal(web_bags_open(dir, "linked", "talker.mcap"), -ENOENT); /* symlinked bag */
    assert_int_equal(web_bags_open(dir, "multi", "nope.mcap"), -ENOENT);
    assert_int_equal(web_bags_open(dir, "..", "passwd"), -EINVAL);
    assert_int_equal(web_bags_open(dir, "multi", "../cut/wbag_0.mcap"), -EINVAL);
    assert_int_equal(web_bags_open(dir, "multi", ".hidden"), -EINVAL);
    assert_int_equal(web_bags_open(dir, "", "x"), -EINVAL);
    assert_int_equal(web_bags_open(dir, "multi", ""), -EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_list), cmocka_unit_test(test_open)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
