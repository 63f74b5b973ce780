/* Unit tests: rg_bag, the bag directory layout: segment names made and parsed back, recovered
 * and log names, the numeric segment order, and the listing in which a recovered file stands in
 * for its cut original while unrelated files stay out. */
#include "common/rg_bag.h"

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

static void test_names(void **st) {
    (void)st;
    char p[64], dir[64], name[64];
    unsigned idx;
    int has;
    assert_int_equal(rg_bag_segment_path(p, sizeof p, "/b/bag", "bag", 12), 0);
    assert_string_equal(p, "/b/bag/bag_12.mcap");
    assert_int_equal(rg_bag_segment_path(p, 10, "/b/bag", "bag", 12), -ENAMETOOLONG);
    assert_int_equal(rg_bag_segment_parse("/b/bag/bag_12.mcap", dir, sizeof dir, name, sizeof name, &idx, &has), 0);
    assert_string_equal(dir, "/b/bag");
    assert_string_equal(name, "bag");
    assert_int_equal(idx, 12);
    assert_int_equal(has, 1);
    assert_int_equal(rg_bag_segment_parse("x.mcap", dir, sizeof dir, name, sizeof name, &idx, &has), 0);
    assert_string_equal(dir, ".");
    assert_string_equal(name, "x");
    assert_int_equal(has, 0);
    assert_int_equal(rg_bag_segment_parse("/x_a.mcap", dir, sizeof dir, name, sizeof name, &idx, &has), 0);
    assert_string_equal(dir, "/");
    assert_string_equal(name, "x_a");
    assert_int_equal(rg_bag_segment_parse("/d/_3.mcap", dir, sizeof dir, name, sizeof name, &idx, &has), 0);
    assert_string_equal(name, "_3"); /* no name before the index: the whole stem is the name */
    assert_int_equal(has, 0);
    assert_int_equal(rg_bag_segment_parse("/d/.mcap", dir, sizeof dir, name, sizeof name, &idx, &has), -EINVAL);
    assert_int_equal(rg_bag_segment_parse("/d/x.bag", dir, sizeof dir, name, sizeof name, &idx, &has), -EINVAL);
    assert_int_equal(rg_bag_recovered_path(p, sizeof p, "/b/bag_3.mcap"), 0);
    assert_string_equal(p, "/b/bag_3.recovered.mcap");
    assert_int_equal(rg_bag_log_path(p, sizeof p, "/b/bag_3.mcap"), 0);
    assert_string_equal(p, "/b/bag_3.log");
    assert_int_equal(rg_bag_hook_log_path(p, sizeof p, "/b/bag_3.mcap"), 0);
    assert_string_equal(p, "/b/bag_3.mcap.hook.log");
    assert_int_equal(rg_bag_file_path(p, sizeof p, "/b", RG_BAG_METADATA), 0);
    assert_string_equal(p, "/b/metadata.yaml");
    assert_true(rg_bag_is_segment("a.recovered.mcap") && rg_bag_is_recovered("a.recovered.mcap"));
    assert_true(rg_bag_is_segment("a.mcap") && !rg_bag_is_recovered("a.mcap"));
    assert_false(rg_bag_is_segment("a.mcap.hook.log"));
}

static void touch(const char *dir, const char *name) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
}

static void test_list(void **st) {
    (void)st;
    char dir[] = "/tmp/rg_bag_test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *names[] = {"bag_10.mcap", "bag_2.mcap", "bag_0.mcap", "bag_1.mcap", "bag_1.recovered.mcap",
                           "bag_0.log", "metadata.yaml", "recguard.jsonl", "bag_1.mcap.hook.log", ".hidden.mcap"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) touch(dir, names[i]);
    rg_bag_file *f;
    size_t n;
    assert_int_equal(rg_bag_list(dir, &f, &n), 0);
    const char *want[] = {"bag_0.mcap", "bag_1.recovered.mcap", "bag_2.mcap", "bag_10.mcap"};
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) assert_string_equal(f[i].name, want[i]);
    assert_int_equal(f[1].index, 1);
    assert_string_equal(f[1].stem, "bag_1");
    rg_bag_list_free(f, n);
    assert_int_equal(rg_test_rmtree(dir), 0);
    assert_int_equal(rg_bag_list(dir, &f, &n), -ENOENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
