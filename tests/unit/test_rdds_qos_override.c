/* Unit tests: rdds_qos_override, rosbag2's QoS override YAML: every key and enum, names with
 * and without the leading slash, system_default keeps the adapted policy, unknown keys and
 * bad values refused naming the topic and key, application over an adapted reader QoS. */
#include "dds/rdds_qos_override.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static int parse(rdds_qos_overrides *o, const char *text, char *err, size_t errlen) {
    return rdds_qos_override_parse(o, "q.yaml", text, strlen(text), err, errlen);
}

static void test_parse_apply(void **st) {
    (void)st;
    rdds_qos_overrides o;
    char err[512];
    assert_int_equal(parse(&o,
                           "/a:\n  history: keep_last\n  depth: 7\n  reliability: best_effort\n"
                           "  durability: volatile\n  deadline: {sec: 1, nsec: 5}\n"
                           "  lifespan:\n    sec: 0\n    nsec: 0\n  liveliness: automatic\n"
                           "  liveliness_lease_duration: {sec: 2, nsec: 0}\n"
                           "  avoid_ros_namespace_conventions: false\n"
                           "b:\n  reliability: system_default\n  durability: transient_local\n"
                           "  history: keep_all\n",
                           err, sizeof err),
                     0);
    assert_int_equal(o.n, 2);
    rdds_reader_qos q = {.reliable = 1, .transient_local = 1, .keep_all = 1, .depth = 100};
    assert_int_equal(rdds_qos_override_apply(&o, "/a", &q), 1);
    assert_int_equal(q.reliable, 0);
    assert_int_equal(q.transient_local, 0);
    assert_int_equal(q.keep_all, 0);
    assert_int_equal(q.depth, 7);
    q = (rdds_reader_qos){.reliable = 1, .transient_local = 0, .keep_all = 0, .depth = 100};
    assert_int_equal(rdds_qos_override_apply(&o, "/b", &q), 1); /* "b" names "/b" */
    assert_int_equal(q.reliable, 1);                            /* system_default: kept */
    assert_int_equal(q.transient_local, 1);
    assert_int_equal(q.keep_all, 1);
    assert_int_equal(rdds_qos_override_apply(&o, "/c", &q), 0);
    assert_int_equal(rdds_qos_override_apply(NULL, "/a", &q), 0);
    rdds_qos_override_free(&o);
}

static void test_refusals(void **st) {
    (void)st;
    rdds_qos_overrides o;
    char err[512];
    assert_int_equal(parse(&o, "/a:\n  reliability: sometimes\n", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "q.yaml: topic /a: reliability: expected reliable"));
    assert_int_equal(parse(&o, "/a:\n  colour: red\n", err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "colour: unknown QoS key"));
    assert_int_equal(parse(&o, "/a:\n  depth: -1\n", err, sizeof err), -EINVAL);
    assert_int_equal(parse(&o, "/a:\n  deadline: 5\n", err, sizeof err), -EINVAL);
    assert_int_equal(parse(&o, "/a: reliable\n", err, sizeof err), -EINVAL);
    assert_int_equal(parse(&o, "- /a\n", err, sizeof err), -EINVAL);
    assert_int_equal(parse(&o, "/a: [\n", err, sizeof err), -EINVAL);
    assert_int_equal(rdds_qos_override_parse(&o, "q.yaml", "/a:\n  depth: \xff\n", 14, err, sizeof err), -EINVAL);
    assert_int_equal(parse(&o, "", err, sizeof err), 0);
    assert_int_equal(o.n, 0);
    rdds_qos_override_free(&o);
    assert_int_equal(rdds_qos_override_load(&o, "/nonexistent/q.yaml", err, sizeof err), -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/q.yaml"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_apply),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
