/* Unit tests of rdds's pure logic: ROS 2 name/type mapping, topic selection, QoS adaptation,
 * reader-recreation decision and the offered_qos_profiles YAML. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dds/rdds.h"
#include "dds/rdds_select.h"

static void test_topic_mapping(void **state) {
    (void)state;
    char out[64];
    assert_int_equal(rdds_ros_topic_from_dds("rt/chatter", out, sizeof out), 0);
    assert_string_equal(out, "/chatter");
    assert_int_equal(rdds_ros_topic_from_dds("rt/camera/image_raw", out, sizeof out), 0);
    assert_string_equal(out, "/camera/image_raw");
    assert_int_equal(rdds_ros_topic_from_dds("rq/add_two_intsRequest", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_topic_from_dds("DDSPerfRDataKS", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_topic_from_dds("rt/", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_topic_from_dds("rt//x", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_topic_from_dds("rt/abcdefgh", out, 9), -EINVAL); /* needs 10 */
    assert_int_equal(rdds_ros_topic_from_dds("rt/abcdefgh", out, 10), 0);

    assert_int_equal(rdds_dds_topic_from_ros("/chatter", out, sizeof out), 0);
    assert_string_equal(out, "rt/chatter");
    assert_int_equal(rdds_dds_topic_from_ros("/a/b/c", out, sizeof out), 0);
    assert_string_equal(out, "rt/a/b/c");
    assert_int_equal(rdds_dds_topic_from_ros("chatter", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_dds_topic_from_ros("/", out, sizeof out), -EINVAL);
}

static void test_type_mapping(void **state) {
    (void)state;
    char out[96];
    assert_int_equal(rdds_ros_type_from_dds("std_msgs::msg::dds_::String_", out, sizeof out), 0);
    assert_string_equal(out, "std_msgs/msg/String");
    assert_int_equal(rdds_ros_type_from_dds("example_interfaces::srv::dds_::AddTwoInts_Request_", out, sizeof out), 0);
    assert_string_equal(out, "example_interfaces/srv/AddTwoInts_Request");
    assert_int_equal(rdds_ros_type_from_dds("KeyedSeq", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("std_msgs::msg::String", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("std_msgs::msg::dds_::String", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("::dds_::String_", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("pkg::dds_::T_", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("::pkg::msg::dds_::T_", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("std_msgs::msg::dds_::String_", out, 19), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("std_msgs::msg::dds_::String_", out, 20), 0);

    assert_int_equal(rdds_dds_type_from_ros("std_msgs/msg/String", out, sizeof out), 0);
    assert_string_equal(out, "std_msgs::msg::dds_::String_");
    assert_int_equal(rdds_dds_type_from_ros("sensor_msgs/msg/Imu", out, sizeof out), 0);
    assert_string_equal(out, "sensor_msgs::msg::dds_::Imu_");
    assert_int_equal(rdds_dds_type_from_ros("String", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_dds_type_from_ros("std_msgs/msg/", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_dds_type_from_ros("std_msgs//String", out, sizeof out), -EINVAL);
    /* found by fuzz_rdds_select: names that would not map back to themselves */
    assert_int_equal(rdds_dds_type_from_ros("pkg/String", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("a::msg::dds_::x/T_", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("a/b::msg::dds_::T_", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("a::msg::dds_::X:Y_", out, sizeof out), -EINVAL);
    assert_int_equal(rdds_ros_type_from_dds("d::dds_::dds_::T_", out, sizeof out), 0);
    assert_string_equal(out, "d/dds_/T");
    /* round trip */
    char back[96];
    assert_int_equal(rdds_dds_type_from_ros("recguard_msgs/msg/Sequence", out, sizeof out), 0);
    assert_int_equal(rdds_ros_type_from_dds(out, back, sizeof back), 0);
    assert_string_equal(back, "recguard_msgs/msg/Sequence");
}

static void test_hidden(void **state) {
    (void)state;
    assert_int_equal(rdds_topic_is_hidden("/chatter"), 0);
    assert_int_equal(rdds_topic_is_hidden("/_hidden"), 1);
    assert_int_equal(rdds_topic_is_hidden("/ns/_hidden/x"), 1);
    assert_int_equal(rdds_topic_is_hidden("/ns/not_hidden"), 0);
}

typedef struct sel_case {
    const char *dds_topic; /* discovered DDS topic */
    const char *dds_type;  /* discovered DDS type */
    int selected;          /* expected decision */
    const char *name;      /* expected recorded name when selected */
} sel_case;

static void check(const rdds_filter *f, const sel_case *cases, size_t n) {
    rdds_matcher m;
    char err[128];
    assert_int_equal(rdds_matcher_init(&m, f, err, sizeof err), 0);
    for (size_t i = 0; i < n; i++) {
        rdds_selection s;
        rdds_matcher_select(&m, cases[i].dds_topic, cases[i].dds_type, &s);
        if (s.selected != cases[i].selected) fail_msg("%s: selected %d, expected %d", cases[i].dds_topic, s.selected, cases[i].selected);
        if (cases[i].selected) assert_string_equal(s.name, cases[i].name);
    }
    rdds_matcher_fini(&m);
}

#define STR "std_msgs::msg::dds_::String_"
#define ENTITIES "rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_"

static void test_select_all(void **state) {
    (void)state;
    rdds_filter f = {.all = 1};
    const sel_case c[] = {
        {"rt/chatter", STR, 1, "/chatter"},
        {"rt/_hidden", STR, 0, NULL},
        {"rt/ns/_h/x", STR, 0, NULL},
        {"DDSPerfRDataKS", "KeyedSeq", 0, NULL},            /* non-ROS needs include_dds */
        {"rq/add_two_intsRequest", "example_interfaces::srv::dds_::AddTwoInts_Request_", 0, NULL},
        {"ros_discovery_info", ENTITIES, 0, NULL},
        {"DCPSParticipant", "org::eclipse::cyclonedds::builtin::DCPSParticipant", 0, NULL},
        {"rt/chatter", "KeyedSeq", 0, NULL},                /* rt/ but no ROS type: plain DDS */
    };
    check(&f, c, sizeof c / sizeof c[0]);

    rdds_filter g = {.all = 1, .include_dds = 1, .include_hidden = 1};
    const sel_case d[] = {
        {"rt/chatter", STR, 1, "/chatter"},
        {"rt/_hidden", STR, 1, "/_hidden"},
        {"DDSPerfRDataKS", "KeyedSeq", 1, "DDSPerfRDataKS"},
        {"rq/add_two_intsRequest", "example_interfaces::srv::dds_::AddTwoInts_Request_", 1, "rq/add_two_intsRequest"},
        {"ros_discovery_info", ENTITIES, 0, NULL},          /* only when named */
        {"DCPSPublication", "org::eclipse::cyclonedds::builtin::DCPSPublication", 0, NULL},
        {"rt/chatter", "KeyedSeq", 1, "rt/chatter"},
    };
    check(&g, d, sizeof d / sizeof d[0]);
}

static void test_select_names_regex_exclude(void **state) {
    (void)state;
    const char *names[] = {"/chatter", "imu", "/_secret", "ros_discovery_info", "DDSPerfRDataKS"};
    rdds_filter f = {.topics = names, .ntopics = 5};
    const sel_case c[] = {
        {"rt/chatter", STR, 1, "/chatter"},
        {"rt/imu", "sensor_msgs::msg::dds_::Imu_", 1, "/imu"}, /* relative name given */
        {"rt/chatter2", STR, 0, NULL},
        {"rt/_secret", STR, 1, "/_secret"},                    /* named: hidden rule yields */
        {"ros_discovery_info", ENTITIES, 1, "ros_discovery_info"},
        {"DDSPerfRDataKS", "KeyedSeq", 0, NULL},               /* DDS topic still needs include_dds */
    };
    check(&f, c, sizeof c / sizeof c[0]);

    rdds_filter g = {.regex = "^/cam", .exclude = "compressed$"};
    const sel_case d[] = {
        {"rt/camera/image_raw", "sensor_msgs::msg::dds_::Image_", 1, "/camera/image_raw"},
        {"rt/camera/image_raw/compressed", "sensor_msgs::msg::dds_::CompressedImage_", 0, NULL},
        {"rt/chatter", STR, 0, NULL},
        {"rt/cam/_x", STR, 0, NULL},
    };
    check(&g, d, sizeof d / sizeof d[0]);

    rdds_filter h = {.all = 1, .exclude = "^/(imu|seq)$", .include_dds = 1};
    const sel_case e[] = {
        {"rt/imu", "sensor_msgs::msg::dds_::Imu_", 0, NULL},
        {"rt/imu2", "sensor_msgs::msg::dds_::Imu_", 1, "/imu2"},
        {"rt/seq", "recguard_msgs::msg::dds_::Sequence_", 0, NULL},
        {"DDSPerfRDataKS", "KeyedSeq", 1, "DDSPerfRDataKS"},
    };
    check(&h, e, sizeof e / sizeof e[0]);

    rdds_filter none = {0};
    const sel_case z[] = {{"rt/chatter", STR, 0, NULL}};
    check(&none, z, 1);
}

static void test_bad_regex(void **state) {
    (void)state;
    rdds_matcher m;
    char err[128] = "";
    rdds_filter f = {.regex = "("};
    assert_int_equal(rdds_matcher_init(&m, &f, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "topic regex(()"));
    rdds_filter g = {.all = 1, .exclude = "a{"};
    assert_int_equal(rdds_matcher_init(&m, &g, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "exclude regex(a{)"));
}

static rdds_pub_qos pq(int reliable, int tl, int keep_all, int depth) {
    rdds_pub_qos q = {reliable, tl, keep_all, depth, INT64_MAX, INT64_MAX, 0, INT64_MAX};
    return q;
}

/* The monitor's filter: everything, except what the recorder's filter selects. */
static void test_select_except(void **state) {
    (void)state;
    rdds_filter rec = {.all = 1, .exclude = "^/big"};
    rdds_filter mon = {.all = 1, .include_hidden = 1, .include_dds = 1, .except = &rec};
    rdds_matcher m;
    char err[256];
    assert_int_equal(rdds_matcher_init(&m, &mon, err, sizeof err), 0);
    rdds_selection sel;
    rdds_matcher_select(&m, "rt/chatter", "std_msgs::msg::dds_::String_", &sel);
    assert_false(sel.selected); /* recorded: not the monitor's */
    rdds_matcher_select(&m, "rt/big/cam", "std_msgs::msg::dds_::String_", &sel);
    assert_true(sel.selected); /* excluded from the recording: measured by the monitor */
    rdds_matcher_select(&m, "rt/_hidden", "std_msgs::msg::dds_::String_", &sel);
    assert_true(sel.selected);
    rdds_matcher_select(&m, "Plain", "PlainType", &sel);
    assert_true(sel.selected);
    rdds_matcher_fini(&m);
    assert_null(m.except);
    rdds_filter badex = {.regex = "("};
    rdds_filter mon2 = {.all = 1, .except = &badex};
    assert_int_equal(rdds_matcher_init(&m, &mon2, err, sizeof err), -EINVAL);
}

static void test_qos_adapt(void **state) {
    (void)state;
    rdds_reader_qos r;
    rdds_pub_qos all_rel[] = {pq(1, 0, 0, 10), pq(1, 0, 0, 10)};
    rdds_qos_adapt(all_rel, 2, &r);
    assert_int_equal(r.reliable, 1);
    assert_int_equal(r.transient_local, 0);
    assert_int_equal(r.keep_all, 1);

    rdds_pub_qos mixed[] = {pq(1, 1, 0, 10), pq(0, 1, 0, 5)};
    rdds_qos_adapt(mixed, 2, &r);
    assert_int_equal(r.reliable, 0);
    assert_int_equal(r.transient_local, 1);
    assert_int_equal(r.keep_all, 0);
    assert_int_equal(r.depth, RDDS_MIN_BE_DEPTH);

    rdds_pub_qos deep[] = {pq(0, 0, 0, 1000), pq(1, 1, 1, 1)};
    rdds_qos_adapt(deep, 2, &r);
    assert_int_equal(r.reliable, 0);
    assert_int_equal(r.transient_local, 0);
    assert_int_equal(r.depth, 1000);

    rdds_qos_adapt(NULL, 0, &r);
    assert_int_equal(r.reliable, 0);
    assert_int_equal(r.transient_local, 0);
}

static void test_qos_recreate(void **state) {
    (void)state;
    rdds_reader_qos rel = {1, 0, 1, 100}, be = {0, 0, 0, 100}, be_deeper = {0, 0, 0, 200},
                    be_shallower = {0, 0, 0, 50}, rel_tl = {1, 1, 1, 100};
    assert_int_equal(rdds_qos_needs_new_reader(&rel, &rel), 0);
    assert_int_equal(rdds_qos_needs_new_reader(&rel, &be), 1);     /* BE publisher joined */
    assert_int_equal(rdds_qos_needs_new_reader(&be, &rel), 1);     /* BE publisher left */
    assert_int_equal(rdds_qos_needs_new_reader(&rel, &rel_tl), 1); /* all transient-local now */
    assert_int_equal(rdds_qos_needs_new_reader(&be, &be_deeper), 1);
    assert_int_equal(rdds_qos_needs_new_reader(&be, &be_shallower), 0);
}

static void test_qos_yaml(void **state) {
    (void)state;
    rdds_pub_qos q[] = {pq(1, 0, 0, 10), pq(0, 1, 0, 5)};
    q[1].deadline_ns = 1500000000LL;
    q[1].liveliness = 2;
    char *y = rdds_qos_yaml(q, 2, 0);
    assert_non_null(y);
    const char *want =
        "- history: keep_last\n  depth: 10\n  reliability: reliable\n  durability: volatile\n"
        "  deadline:\n    sec: 9223372036\n    nsec: 854775807\n"
        "  lifespan:\n    sec: 9223372036\n    nsec: 854775807\n"
        "  liveliness: automatic\n"
        "  liveliness_lease_duration:\n    sec: 9223372036\n    nsec: 854775807\n"
        "  avoid_ros_namespace_conventions: false\n"
        "- history: keep_last\n  depth: 5\n  reliability: best_effort\n  durability: transient_local\n"
        "  deadline:\n    sec: 1\n    nsec: 500000000\n"
        "  lifespan:\n    sec: 9223372036\n    nsec: 854775807\n"
        "  liveliness: manual_by_topic\n"
        "  liveliness_lease_duration:\n    sec: 9223372036\n    nsec: 854775807\n"
        "  avoid_ros_namespace_conventions: false";
    assert_string_equal(y, want);
    free(y);
    rdds_pub_qos k = pq(1, 0, 1, 1);
    y = rdds_qos_yaml(&k, 1, 1);
    assert_non_null(strstr(y, "- history: keep_all\n"));
    assert_non_null(strstr(y, "avoid_ros_namespace_conventions: true"));
    free(y);
    y = rdds_qos_yaml(NULL, 0, 0);
    assert_string_equal(y, "");
    free(y);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_mapping),  cmocka_unit_test(test_type_mapping),
        cmocka_unit_test(test_hidden),         cmocka_unit_test(test_select_all),
        cmocka_unit_test(test_select_names_regex_exclude),
        cmocka_unit_test(test_bad_regex),      cmocka_unit_test(test_qos_adapt),
        cmocka_unit_test(test_select_except),
        cmocka_unit_test(test_qos_recreate),   cmocka_unit_test(test_qos_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
