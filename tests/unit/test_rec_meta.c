/* test_rec_meta — metadata.yaml in rosbag2's version 9 layout: parsed back with libfyaml,
 * key order as rosbag2 writes it, the MCAP record variant, atomic replacement, loading. */
#include "recorder/rec_meta.h"

#include "common/rg_fs.h"
#include "common/rg_sys.h"

#include <errno.h>
#include <libfyaml.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rg_test.h"

static const char *QOS =
    "- history: keep_last\n  depth: 10\n  reliability: reliable\n  durability: volatile\n"
    "  deadline:\n    sec: 9223372036\n    nsec: 854775807\n  lifespan:\n    sec: 9223372036\n"
    "    nsec: 854775807\n  liveliness: automatic\n  liveliness_lease_duration:\n"
    "    sec: 9223372036\n    nsec: 854775807\n  avoid_ros_namespace_conventions: false\n"
    "- history: keep_all\n  depth: 0\n  reliability: best_effort\n  durability: transient_local\n"
    "  deadline:\n    sec: 0\n    nsec: 0\n  lifespan:\n    sec: 0\n    nsec: 0\n"
    "  liveliness: automatic\n  liveliness_lease_duration:\n    sec: 0\n    nsec: 0\n"
    "  avoid_ros_namespace_conventions: false";

static void build(rec_meta *m) {
    rec_meta_init(m);
    assert_int_equal(rec_meta_topic_set(m, "/chatter", "std_msgs/msg/String", "cdr", QOS, ""), 0);
    assert_int_equal(rec_meta_topic_set(m, "DDSPerfRDataKS", "KeyedSeq", "cdr", "", NULL), 1);
    /* Same name again: same index, QoS updated. */
    assert_int_equal(rec_meta_topic_set(m, "/chatter", NULL, NULL, QOS, NULL), 0);
    m->topics[0].count = 7;
    m->topics[1].count = 3;
    assert_int_equal(rec_meta_file_add(m, "bag_0.mcap"), 0);
    assert_int_equal(rec_meta_file_add(m, "bag_1.mcap"), 1);
    assert_int_equal(rec_meta_file_add(m, "bag_0.mcap"), 0);
    rec_meta_file_span(m, 0, 1000, 2000, 4);
    rec_meta_file_span(m, 0, 1500, 2500, 2);
    rec_meta_file_span(m, 1, 3000, 5000, 4);
    assert_int_equal(rec_meta_set_distro(m, "jazzy"), 0);
}

static const char *get(struct fy_node *root, const char *path) {
    struct fy_node *n = fy_node_by_path(root, path, FY_NT, FYNWF_DONT_FOLLOW);
    return n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
}

static void check_doc(const char *text, const char *prefix) {
    struct fy_document *d = fy_document_build_from_string(NULL, text, FY_NT);
    assert_non_null(d);
    struct fy_node *r = fy_document_root(d);
    char p[256];
#define AT(rel) (snprintf(p, sizeof p, "%s%s", prefix, rel), get(r, p))
    assert_string_equal(AT("/version"), "9");
    assert_string_equal(AT("/storage_identifier"), "mcap");
    assert_string_equal(AT("/starting_time/nanoseconds_since_epoch"), "1000");
    assert_string_equal(AT("/duration/nanoseconds"), "4000");
    assert_string_equal(AT("/message_count"), "10");
    assert_string_equal(AT("/topics_with_message_count/0/topic_metadata/name"), "/chatter");
    assert_string_equal(AT("/topics_with_message_count/0/topic_metadata/type"), "std_msgs/msg/String");
    assert_string_equal(AT("/topics_with_message_count/0/topic_metadata/serialization_format"), "cdr");
    assert_string_equal(AT("/topics_with_message_count/0/topic_metadata/offered_qos_profiles/0/history"), "keep_last");
    assert_string_equal(AT("/topics_with_message_count/0/topic_metadata/offered_qos_profiles/0/deadline/nsec"), "854775807");
    assert_string_equal(AT("/topics_with_message_count/0/topic_metadata/offered_qos_profiles/1/durability"), "transient_local");
    assert_string_equal(AT("/topics_with_message_count/0/topic_metadata/offered_qos_profiles/1/avoid_ros_namespace_conventions"), "false");
    assert_string_equal(AT("/topics_with_message_count/0/topic_metadata/type_description_hash"), "");
    assert_string_equal(AT("/topics_with_message_count/0/message_count"), "7");
    assert_string_equal(AT("/topics_with_message_count/1/topic_metadata/name"), "DDSPerfRDataKS");
    assert_string_equal(AT("/topics_with_message_count/1/message_count"), "3");
    assert_string_equal(AT("/compression_format"), "");
    assert_string_equal(AT("/compression_mode"), "");
    assert_string_equal(AT("/relative_file_paths/1"), "bag_1.mcap");
    assert_string_equal(AT("/files/0/path"), "bag_0.mcap");
    assert_string_equal(AT("/files/0/starting_time/nanoseconds_since_epoch"), "1000");
    assert_string_equal(AT("/files/0/duration/nanoseconds"), "1500");
    assert_string_equal(AT("/files/0/message_count"), "6");
    assert_string_equal(AT("/files/1/duration/nanoseconds"), "2000");
    assert_string_equal(AT("/ros_distro"), "jazzy");
    /* An empty QoS list is a list, as version 9 readers expect. */
    snprintf(p, sizeof p, "%s/topics_with_message_count/1/topic_metadata/offered_qos_profiles", prefix);
    struct fy_node *q = fy_node_by_path(r, p, FY_NT, FYNWF_DONT_FOLLOW);
    assert_non_null(q);
    assert_true(fy_node_is_sequence(q));
    assert_int_equal(fy_node_sequence_item_count(q), 0);
#undef AT
    fy_document_destroy(d);
}

static void test_render(void **state) {
    (void)state;
    rec_meta m;
    build(&m);
    char *text;
    size_t len;
    assert_int_equal(rec_meta_render(&m, 1, &text, &len), 0);
    assert_int_equal(strlen(text), len);
    check_doc(text, "/rosbag2_bagfile_information");
    /* Keys in the order rosbag2's encoder writes them. */
    const char *order[] = {"version:", "storage_identifier:", "duration:", "starting_time:",
                           "message_count:", "topics_with_message_count:", "compression_format:",
                           "compression_mode:", "relative_file_paths:", "files:", "custom_data:",
                           "ros_distro:"};
    const char *at = text;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        char key[64];
        snprintf(key, sizeof key, "\n  %s", order[i]);
        const char *f = strstr(at, key);
        if (!f) fail_msg("key %s missing or out of order", order[i]);
        at = f + 1;
    }
    free(text);
    /* The MCAP record variant: the same document without the top-level key. */
    assert_int_equal(rec_meta_render(&m, 0, &text, &len), 0);
    assert_null(strstr(text, "rosbag2_bagfile_information"));
    assert_true(strncmp(text, "version: 9\n", 11) == 0);
    check_doc(text, "");
    free(text);
    rec_meta_free(&m);
}

static void test_quoting(void **state) {
    (void)state;
    rec_meta m;
    rec_meta_init(&m);
    /* Names that YAML would otherwise read as other types or structure. */
    assert_int_equal(rec_meta_topic_set(&m, "true", "a: b", "cdr", "", ""), 0);
    assert_int_equal(rec_meta_topic_set(&m, "123", "x\"y\\z", "cdr", "", ""), 1);
    assert_int_equal(rec_meta_topic_set(&m, "- x", "#c", "cdr", "", ""), 2);
    char *text;
    size_t len;
    assert_int_equal(rec_meta_render(&m, 0, &text, &len), 0);
    struct fy_document *d = fy_document_build_from_string(NULL, text, FY_NT);
    assert_non_null(d);
    struct fy_node *r = fy_document_root(d);
    assert_string_equal(get(r, "/topics_with_message_count/0/topic_metadata/name"), "true");
    assert_string_equal(get(r, "/topics_with_message_count/0/topic_metadata/type"), "a: b");
    assert_string_equal(get(r, "/topics_with_message_count/1/topic_metadata/name"), "123");
    assert_string_equal(get(r, "/topics_with_message_count/1/topic_metadata/type"), "x\"y\\z");
    assert_string_equal(get(r, "/topics_with_message_count/2/topic_metadata/name"), "- x");
    assert_string_equal(get(r, "/topics_with_message_count/2/topic_metadata/type"), "#c");
    /* No file yet: zero counts and empty lists. */
    assert_string_equal(get(r, "/message_count"), "0");
    assert_true(fy_node_is_sequence(fy_node_by_path(r, "/files", FY_NT, FYNWF_DONT_FOLLOW)));
    fy_document_destroy(d);
    free(text);
    rec_meta_free(&m);
}

static void test_write_load(void **state) {
    (void)state;
    char dir[] = "/tmp/test_rec_meta.XXXXXX";
    assert_non_null(mkdtemp(dir));
    rec_meta m;
    build(&m);
    char err[512], path[600];
    assert_int_equal(rec_meta_write(&m, dir, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/metadata.yaml", dir);
    char *disk;
    size_t len;
    assert_int_equal(rg_fs_read_file(path, 1 << 20, &disk, &len), 0);
    check_doc(disk, "/rosbag2_bagfile_information");

    /* A failed rewrite (rename fails) leaves the previous file intact. */
    m.topics[0].count = 99;
    rg_sys_fail_nth(RG_SYS_RENAME, 1, EIO, 0);
    assert_int_equal(rec_meta_write(&m, dir, err, sizeof err), -EIO);
    rg_sys_reset();
    assert_non_null(strstr(err, "metadata.yaml"));
    char *again;
    assert_int_equal(rg_fs_read_file(path, 1 << 20, &again, &len), 0);
    assert_string_equal(again, disk);
    free(again);
    m.topics[0].count = 7;

    /* Load: a later run in the same directory starts from what is on disk. */
    rec_meta l;
    rec_meta_init(&l);
    assert_int_equal(rec_meta_load(&l, path, err, sizeof err), 0);
    assert_int_equal(l.nfiles, 2);
    assert_int_equal(l.ntopics, 2);
    assert_int_equal(l.topics[0].count, 7);
    assert_string_equal(l.topics[1].type, "KeyedSeq");
    char *re;
    assert_int_equal(rec_meta_set_distro(&l, "jazzy"), 0);
    assert_int_equal(rec_meta_render(&l, 1, &re, &len), 0);
    check_doc(re, "/rosbag2_bagfile_information");
    free(re);
    /* Append a third file as the next run would. */
    assert_int_equal(rec_meta_file_add(&l, "bag_2.mcap"), 2);
    rec_meta_free(&l);

    /* Errors: absent, and not rosbag2 metadata. */
    rec_meta_init(&l);
    snprintf(path, sizeof path, "%s/none.yaml", dir);
    assert_int_equal(rec_meta_load(&l, path, err, sizeof err), -ENOENT);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs("hello: [world\n", f);
    fclose(f);
    assert_int_equal(rec_meta_load(&l, path, err, sizeof err), -EBADMSG);
    assert_non_null(strstr(err, "bad.yaml"));
    /* A directive line with malformed UTF-8 makes libfyaml 0.7.12 loop forever: refused first. */
    f = fopen(path, "w");
    fputs("%x\xec\n", f);
    fclose(f);
    assert_int_equal(rec_meta_load(&l, path, err, sizeof err), -EBADMSG);
    assert_non_null(strstr(err, "not UTF-8"));
    rec_meta_free(&l);

    free(disk);
    rec_meta_free(&m);
    assert_int_equal(rg_test_rmtree(dir), 0);
}

/* Loss in custom_data: totals and the per-topic JSON; a later run adds to the earlier runs'. */
static void test_loss_custom_data(void **state) {
    (void)state;
    char dir[] = "/tmp/test_rec_meta.XXXXXX";
    assert_non_null(mkdtemp(dir));
    rec_meta m;
    build(&m);
    m.topics[0].loss = (rec_meta_loss){.lost = 5, .rejected = 1, .drops = 2};
    char err[512], path[600];
    assert_int_equal(rec_meta_write(&m, dir, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/metadata.yaml", dir);
    rec_meta l;
    rec_meta_init(&l);
    assert_int_equal(rec_meta_load(&l, path, err, sizeof err), 0);
    assert_int_equal(l.topics[0].loss_before.lost, 5);
    assert_int_equal(l.topics[0].loss_before.rejected, 1);
    assert_int_equal(l.topics[0].loss_before.drops, 2);
    assert_int_equal(l.topics[1].loss_before.lost, 0);
    l.topics[1].loss.drops = 4; /* this run */
    char *text;
    size_t len;
    assert_int_equal(rec_meta_render(&l, 1, &text, &len), 0);
    struct fy_document *d = fy_document_build_from_string(NULL, text, FY_NT);
    assert_non_null(d);
    struct fy_node *r = fy_document_root(d);
    assert_string_equal(get(r, "/rosbag2_bagfile_information/custom_data/recguard_lost"), "5");
    assert_string_equal(get(r, "/rosbag2_bagfile_information/custom_data/recguard_rejected"), "1");
    assert_string_equal(get(r, "/rosbag2_bagfile_information/custom_data/recguard_drops"), "6");
    assert_string_equal(get(r, "/rosbag2_bagfile_information/custom_data/recguard_loss"),
                        "{\"/chatter\":{\"drops\":2,\"lost\":5,\"rejected\":1},"
                        "\"DDSPerfRDataKS\":{\"drops\":4,\"lost\":0,\"rejected\":0}}");
    fy_document_destroy(d);
    free(text);
    rec_meta_free(&l);
    /* Without loss the keys are still there, at zero: "nothing lost" is a statement too. */
    rec_meta_free(&m);
    build(&m);
    assert_int_equal(rec_meta_render(&m, 0, &text, &len), 0);
    assert_non_null(strstr(text, "  recguard_loss: \"{}\"\n"));
    assert_non_null(strstr(text, "  recguard_drops: \"0\"\n"));
    free(text);
    rec_meta_free(&m);
    assert_int_equal(rg_test_rmtree(dir), 0);
}

/* rosbag2's own files load too (versions 4 and 7: QoS as a string, which we drop). */
static void test_load_fixtures(void **state) {
    (void)state;
    const char *fx = getenv("RG_FIXTURES");
    if (!fx) skip();
    char path[1024], err[512];
    rec_meta m;
    rec_meta_init(&m);
    snprintf(path, sizeof path, "%s/cdr_test/metadata.yaml", fx);
    assert_int_equal(rec_meta_load(&m, path, err, sizeof err), 0);
    assert_int_equal(m.nfiles, 1);
    assert_int_equal(m.files[0].count, 7);
    assert_int_equal(m.ntopics, 2);
    assert_string_equal(m.topics[0].name, "/array_topic");
    assert_int_equal(m.topics[0].count, 4);
    rec_meta_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_write_load),
        cmocka_unit_test(test_loss_custom_data),
        cmocka_unit_test(test_load_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
