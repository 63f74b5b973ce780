/* Unit tests: rg_recopts, `recguard record`'s command line as ros2 bag record (Jazzy) spells
 * it: lists up to the next option (argparse's nargs='+'), short and long forms, --opt=value,
 * values checked, the rules between options, refusals naming what to use, config keys. */
#include "common/rg_recopts.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define ARGV(...) ((char *[]){"record", __VA_ARGS__, NULL})
#define ARGC(v) ((int)(sizeof(v) / sizeof(v[0])) - 1)
#define PARSE(o, err, ...)                                                                        \
    rg_recopts_parse(ARGC(ARGV(__VA_ARGS__)), ARGV(__VA_ARGS__), (o), (err), sizeof(err))

static void test_lists_and_positionals(void **st) {
    (void)st;
    rg_recopts o;
    char err[512] = "";
    assert_int_equal(PARSE(&o, err, "/a", "--topics", "b", "c", "-o", "out", "/d", "--exclude-topics",
                           "/x", "--custom-data", "k=v", "k2=v=2", "-b", "1M", "-d", "30"),
                     -EINVAL); /* --exclude-topics without -a / --topic-types / -e */
    assert_non_null(strstr(err, "--exclude-topics"));
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "/a", "--topics", "b", "c", "-o", "out", "/d", "--custom-data",
                           "k=v", "k2=v=2", "-b", "1M", "-d", "30", "--topic-types", "std_msgs/msg/String"),
                     0);
    assert_int_equal(o.topics.n, 4);
    assert_string_equal(o.topics.v[0], "/a");
    assert_string_equal(o.topics.v[1], "b");
    assert_string_equal(o.topics.v[2], "c");
    assert_string_equal(o.topics.v[3], "/d");
    assert_string_equal(o.out, "out");
    assert_int_equal(o.custom_data.n, 2);
    assert_string_equal(o.custom_data.v[1], "k2=v=2");
    assert_true(o.max_bag_size == (1u << 20));
    assert_true(o.max_bag_duration == 30.0);
    assert_int_equal(o.topic_types.n, 1);
    rg_recopts_free(&o);
}

static void test_short_long_equals(void **st) {
    (void)st;
    rg_recopts o;
    char err[512] = "";
    assert_int_equal(PARSE(&o, err, "-a", "-e", "^/x", "-x", "y$", "-b2048", "--max-bag-duration=1.5",
                           "-p", "250", "-s", "mcap", "--log-level", "error", "--node-name", "n1",
                           "--max-cache-size", "0", "-f", "cdr", "--disable-keyboard-controls"),
                     0);
    assert_true(o.all_topics && o.all_services);
    assert_string_equal(o.regex, "^/x");
    assert_string_equal(o.exclude_regex, "y$");
    assert_true(o.max_bag_size == 2048);
    assert_true(o.max_bag_duration == 1.5);
    assert_int_equal(o.polling_ms, 250);
    assert_int_equal(o.log_level, RG_RECOPTS_LOG_ERROR);
    assert_string_equal(o.node_name, "n1");
    assert_true(o.max_queue == RG_RECOPTS_MIN_QUEUE); /* 0 = "direct": the smallest queue */
    assert_true(o.nnotes >= 1);
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "--all-topics"), 0);
    assert_true(o.all_topics && !o.all_services);
    rg_recopts_free(&o);
}

static void test_compression(void **st) {
    (void)st;
    rg_recopts o;
    char err[512] = "";
    assert_int_equal(PARSE(&o, err, "-a", "--compression-mode", "file"), -EINVAL);
    assert_non_null(strstr(err, "needs --compression-format"));
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-a", "--compression-mode", "message", "--compression-format", "zstd"), 0);
    assert_int_equal(o.comp_mode, RG_RECOPTS_COMP_MESSAGE);
    assert_string_equal(o.comp_format, "zstd");
    rg_recopts_free(&o);
    /* recguard's own shorthand: a format alone means chunk compression. */
    assert_int_equal(PARSE(&o, err, "-a", "--compression-format", "lz4"), 0);
    assert_int_equal(o.comp_mode, RG_RECOPTS_COMP_MESSAGE);
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-a", "--compression-format", "bz2"), -EINVAL);
    rg_recopts_free(&o);
}

static void test_refusals(void **st) {
    (void)st;
    rg_recopts o;
    char err[512] = "";
    assert_int_equal(PARSE(&o, err, "-a", "-s", "sqlite3"), -EINVAL);
    assert_non_null(strstr(err, "use -s mcap"));
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-a", "--frob"), -EINVAL);
    assert_string_equal(err, "unknown option --frob");
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-o", "x"), -EINVAL);
    assert_non_null(strstr(err, "no topics selected"));
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-a", "--custom-data", "=v"), -EINVAL);
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-a", "-b"), -EINVAL);
    assert_non_null(strstr(err, "needs a value"));
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "--topics", "-a"), -EINVAL);
    assert_non_null(strstr(err, "at least one"));
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-a", "--use-sim-time", "--no-discovery"), -EINVAL);
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-a", "--snapshot-mode", "-b", "1M"), -EINVAL);
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "--all-services", "--exclude-services", "s"), 0);
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "--all-topics", "--exclude-services", "s"), -EINVAL);
    rg_recopts_free(&o);
    assert_int_equal(PARSE(&o, err, "-a", "--all=1"), -EINVAL);
    rg_recopts_free(&o);
}

static void test_config_keys(void **st) {
    (void)st;
    const rg_recopts_def *d = rg_recopts_config_key("max_bag_size");
    assert_non_null(d);
    assert_string_equal(d->name, "max-bag-size");
    assert_non_null(rg_recopts_config_key("qos_profile_overrides_path"));
    assert_non_null(rg_recopts_config_key("exclude_regex"));
    assert_non_null(rg_recopts_config_key("topics"));
    assert_null(rg_recopts_config_key("output"));  /* the daemon's */
    assert_null(rg_recopts_config_key("stats"));
    assert_null(rg_recopts_config_key("max-bag-size")); /* underscores only */
    assert_null(rg_recopts_config_key("max_bag"));
    assert_null(rg_recopts_config_key("max_bag_size_x"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_and_positionals),
        cmocka_unit_test(test_short_long_equals),
        cmocka_unit_test(test_compression),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_config_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
