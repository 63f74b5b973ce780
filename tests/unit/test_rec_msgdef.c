/* test_rec_msgdef — schema text from .msg files, checked byte-for-byte against the schema
 * rosbag2 itself wrote into a fixture bag, plus the parsing rules one by one. */
#include "recorder/rec_msgdef.h"

#include "common/rg_fs.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rg_test.h"

static char tmp[256];

static void write_file(const char *root, const char *rel, const char *text) {
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(rg_fs_mkdir_p(dir, 0755, err, sizeof err), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/test_rec_msgdef.XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    return rg_test_rmtree(tmp) == 0 ? 0 : -1;
}

static uint32_t u32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t u64(const unsigned char *p) { return u32(p) | (uint64_t)u32(p + 4) << 32; }

/* The data of Schema record `name` in an MCAP file whose schemas sit outside chunks, as
 * rosbag2 writes them. malloc'd, NUL-terminated; NULL when absent. */
static char *fixture_schema(const char *file, const char *name) {
    char *buf;
    size_t len;
    if (rg_fs_read_file(file, 16 << 20, &buf, &len) < 0) return NULL;
    const unsigned char *d = (const unsigned char *)buf;
    char *found = NULL;
    for (size_t p = 8; p + 9 <= len && !found;) {
        uint8_t op = d[p];
        uint64_t rl = u64(d + p + 1);
        const unsigned char *b = d + p + 9;
        if (p + 9 + rl > len) break;
        if (op == 0x03) {
            uint32_t nl = u32(b + 2);
            const unsigned char *q = b + 6 + nl;
            uint32_t el = u32(q);
            q += 4 + el;
            uint32_t dl = u32(q);
            if (nl == strlen(name) && memcmp(b + 6, name, nl) == 0) {
                found = malloc(dl + 1);
                memcpy(found, q + 4, dl);
                found[dl] = '\0';
            }
        }
        p += 9 + rl;
    }
    free(buf);
    return found;
}

/* Split a rosbag2 schema back into the .msg files it was built from, write them under root,
 * rebuild it with rec_msgdef and require the very same bytes. */
static void check_roundtrip(const char *fixture, const char *type) {
    char *want = fixture_schema(fixture, type);
    if (!want) {
        print_message("fixture %s lacks schema %s\n", fixture, type);
        fail();
    }
    const char *sep = "\n================================================================================\nMSG: ";
    char root[512], rel[512];
    snprintf(root, sizeof root, "%s/fixture", tmp);
    char pkg[128], name[128];
    sscanf(type, "%127[^/]/msg/%127s", pkg, name);
    char *copy = strdup(want);
    char *part = copy, *next;
    int first = 1;
    int parts = 0;
    do {
        next = strstr(part, sep);
        if (next) *next = '\0';
        if (first) {
            snprintf(rel, sizeof rel, "%s/msg/%s.msg", pkg, name);
            write_file(root, rel, part);
        } else {
            char *nl = strchr(part, '\n');
            *nl = '\0';
            char dpkg[128], dname[128];
            assert_int_equal(sscanf(part, "%127[^/]/%127s", dpkg, dname), 2);
            snprintf(rel, sizeof rel, "%s/msg/%s.msg", dpkg, dname);
            write_file(root, rel, nl + 1);
        }
        parts++;
        first = 0;
        if (next) part = next + strlen(sep);
    } while (next);
    assert_true(parts > 1); /* the fixture does exercise dependencies */

    rec_msgdef *m;
    assert_int_equal(rec_msgdef_open(&m), 0);
    assert_int_equal(rec_msgdef_add_root(m, root), 0);
    const char *text;
    size_t len;
    char warn[512];
    assert_int_equal(rec_msgdef_get(m, type, &text, &len, warn, sizeof warn), 0);
    assert_string_equal(warn, "");
    assert_int_equal(len, strlen(want));
    assert_string_equal(text, want);
    rec_msgdef_close(m);
    free(copy);
    free(want);
}

static void test_rosbag2_fixture(void **state) {
    (void)state;
    const char *fx = getenv("RG_FIXTURES");
    if (!fx) skip();
    char file[1024];
    snprintf(file, sizeof file, "%s/cdr_test/cdr_test_0.mcap", fx);
    check_roundtrip(file, "test_msgs/msg/Arrays");
}

#define SEP "\n================================================================================\nMSG: "

static void test_rules(void **state) {
    (void)state;
    char root[512], ament[512];
    snprintf(root, sizeof root, "%s/msgpath", tmp);
    snprintf(ament, sizeof ament, "%s/prefix", tmp);
    /* Root: a Header, a bare type of its own package, arrays of all kinds, constants, a
     * default value, a bounded string, a comment that looks like a field. */
    write_file(root, "demo_msgs/msg/Root.msg",
               "# Zeta z  (a comment, not a field)\n"
               "Header header\n"
               "uint8 KIND=3\n"
               "string NAME=\"x # y\"\n"
               "Zeta[] zs\n"
               "Alpha[3] alphas\n"
               "geometry_msgs/Vector3[<=4] vs\n"
               "string<=8 short_name\n"
               "wstring w\n"
               "int32 count 7\n");
    write_file(root, "demo_msgs/msg/Zeta.msg", "Alpha a\nbuiltin_interfaces/Time t\n");
    write_file(root, "demo_msgs/msg/Alpha.msg", "float64 x\n");
    /* std_msgs and geometry_msgs from an AMENT prefix (PREFIX/share/<pkg>/msg). */
    write_file(ament, "share/std_msgs/msg/Header.msg",
               "builtin_interfaces/Time stamp\nstring frame_id\n");
    write_file(ament, "share/builtin_interfaces/msg/Time.msg", "int32 sec\nuint32 nanosec\n");
    write_file(ament, "share/geometry_msgs/msg/Vector3.msg", "float64 x\nfloat64 y\nfloat64 z\n");
    /* A shadowed copy in the AMENT prefix: the --msg-path root comes first and wins. */
    write_file(ament, "share/demo_msgs/msg/Alpha.msg", "float32 WRONG\n");

    rec_msgdef *m;
    assert_int_equal(rec_msgdef_open(&m), 0);
    assert_int_equal(rec_msgdef_add_root(m, root), 0);
    char list[1200];
    snprintf(list, sizeof list, "/nonexistent::%s", ament);
    assert_int_equal(rec_msgdef_add_ament(m, list), 0);
    const char *text;
    size_t len;
    char warn[512];
    assert_int_equal(rec_msgdef_get(m, "demo_msgs/msg/Root", &text, &len, warn, sizeof warn), 0);
    /* Dependencies of Root, sorted: demo_msgs/Alpha, demo_msgs/Zeta, geometry_msgs/Vector3,
     * std_msgs/Header; depth first (Zeta's Time comes right after Zeta), each once. */
    const char *want =
        "# Zeta z  (a comment, not a field)\nHeader header\nuint8 KIND=3\nstring NAME=\"x # y\"\n"
        "Zeta[] zs\nAlpha[3] alphas\ngeometry_msgs/Vector3[<=4] vs\nstring<=8 short_name\n"
        "wstring w\nint32 count 7\n"
        SEP "demo_msgs/Alpha\nfloat64 x\n"
        SEP "demo_msgs/Zeta\nAlpha a\nbuiltin_interfaces/Time t\n"
        SEP "builtin_interfaces/Time\nint32 sec\nuint32 nanosec\n"
        SEP "geometry_msgs/Vector3\nfloat64 x\nfloat64 y\nfloat64 z\n"
        SEP "std_msgs/Header\nbuiltin_interfaces/Time stamp\nstring frame_id\n";
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
    assert_string_equal(warn, "");
    /* Cached: the same pointer the second time. */
    const char *again;
    assert_int_equal(rec_msgdef_get(m, "demo_msgs/msg/Root", &again, &len, warn, sizeof warn), 0);
    assert_ptr_equal(again, text);
    /* "pkg/Type" is accepted as well as "pkg/msg/Type". */
    assert_int_equal(rec_msgdef_get(m, "std_msgs/Header", &text, &len, warn, sizeof warn), 0);
    assert_non_null(strstr(text, SEP "builtin_interfaces/Time\n"));
    rec_msgdef_close(m);
}

static void test_missing(void **state) {
    (void)state;
    char root[512];
    snprintf(root, sizeof root, "%s/msgpath", tmp);
    write_file(root, "a_msgs/msg/HasMissing.msg", "b_msgs/Gone g\nint32 x\n");
    rec_msgdef *m;
    assert_int_equal(rec_msgdef_open(&m), 0);
    assert_int_equal(rec_msgdef_add_root_list(m, root), 0);
    const char *text;
    size_t len;
    char warn[512];
    /* A missing dependency: empty schema and a warning naming the missing file. */
    assert_int_equal(rec_msgdef_get(m, "a_msgs/msg/HasMissing", &text, &len, warn, sizeof warn),
                     -ENOENT);
    assert_int_equal(len, 0);
    assert_string_equal(text, "");
    assert_non_null(strstr(warn, "b_msgs/msg/Gone.msg"));
    assert_non_null(strstr(warn, "a_msgs/msg/HasMissing"));
    /* ... and says how to provide it. */
    assert_non_null(strstr(warn, "--msg-path"));
    assert_non_null(strstr(warn, "RECGUARD_MSG_PATH"));
    assert_non_null(strstr(warn, "AMENT_PREFIX_PATH"));
    /* A missing root type; a name that is not a ROS type (a DDS type name). */
    assert_int_equal(rec_msgdef_get(m, "x_msgs/msg/Nope", &text, &len, warn, sizeof warn),
                     -ENOENT);
    assert_int_equal(len, 0);
    assert_int_equal(rec_msgdef_get(m, "DDSPerf::KeyedSeq", &text, &len, warn, sizeof warn),
                     -EINVAL);
    assert_int_equal(len, 0);
    assert_non_null(strstr(warn, "DDSPerf::KeyedSeq"));
    /* The cached failure repeats its warning. */
    warn[0] = '\0';
    assert_int_equal(rec_msgdef_get(m, "x_msgs/msg/Nope", &text, &len, warn, sizeof warn),
                     -ENOENT);
    assert_non_null(strstr(warn, "x_msgs/msg/Nope"));
    rec_msgdef_close(m);
}

static void test_project_dir(void **state) {
    (void)state;
    char exe[512], msgs[512];
    snprintf(exe, sizeof exe, "%s/build/recguard", tmp);
    snprintf(msgs, sizeof msgs, "%s/msgs", tmp);
    write_file(tmp, "msgs/p_msgs/msg/T.msg", "int8 v\n");
    write_file(tmp, "build/recguard", "");
    rec_msgdef *m;
    assert_int_equal(rec_msgdef_open(&m), 0);
    assert_int_equal(rec_msgdef_add_project(m, exe), 1);
    const char *text;
    size_t len;
    char warn[256];
    assert_int_equal(rec_msgdef_get(m, "p_msgs/msg/T", &text, &len, warn, sizeof warn), 0);
    assert_string_equal(text, "int8 v\n");
    rec_msgdef_close(m);
    /* Installed layout: PREFIX/bin/recguard and PREFIX/share/recguard/msgs. */
    snprintf(exe, sizeof exe, "%s/inst/bin/recguard", tmp);
    write_file(tmp, "inst/share/recguard/msgs/q_msgs/msg/U.msg", "int16 w\n");
    write_file(tmp, "inst/bin/recguard", "");
    assert_int_equal(rec_msgdef_open(&m), 0);
    assert_int_equal(rec_msgdef_add_project(m, exe), 1);
    assert_int_equal(rec_msgdef_get(m, "q_msgs/msg/U", &text, &len, warn, sizeof warn), 0);
    assert_string_equal(text, "int16 w\n");
    rec_msgdef_close(m);
    snprintf(exe, sizeof exe, "%s/nowhere/bin/recguard", tmp);
    assert_int_equal(rec_msgdef_open(&m), 0);
    assert_int_equal(rec_msgdef_add_project(m, exe), 0);
    rec_msgdef_close(m);
}

/* The definitions shipped in msgs/ (installed as share/recguard/msgs): each listed interface
 * package is there, and every type in it builds a complete schema from msgs/ alone, so no
 * dependency of a bundled type is missing. */
static void test_bundled_msgs(void **state) {
    (void)state;
    const char *src = getenv("RG_SOURCE_DIR");
    if (!src) skip();
    static const char *const pkgs[] = {
        "builtin_interfaces", "std_msgs",        "geometry_msgs",          "sensor_msgs",
        "nav_msgs",           "tf2_msgs",        "diagnostic_msgs",        "visualization_msgs",
        "shape_msgs",         "trajectory_msgs", "action_msgs",            "unique_identifier_msgs",
        "rcl_interfaces",     "rosgraph_msgs",   "statistics_msgs",        "stereo_msgs",
        "service_msgs",       "type_description_interfaces"};
    char root[1024];
    snprintf(root, sizeof root, "%s/msgs", src);
    rec_msgdef *m;
    assert_int_equal(rec_msgdef_open(&m), 0);
    assert_int_equal(rec_msgdef_add_root(m, root), 0);
    int types = 0;
    for (size_t i = 0; i < sizeof pkgs / sizeof pkgs[0]; i++) {
        char dir[1200];
        snprintf(dir, sizeof dir, "%s/%s/msg", root, pkgs[i]);
        DIR *d = opendir(dir);
        if (!d) {
            print_message("no package %s in %s\n", pkgs[i], root);
            fail();
        }
        int in_pkg = 0;
        for (struct dirent *e; (e = readdir(d));) {
            size_t n = strlen(e->d_name);
            if (n < 5 || strcmp(e->d_name + n - 4, ".msg") != 0) continue;
            char type[512];
            snprintf(type, sizeof type, "%s/msg/%.*s", pkgs[i], (int)(n - 4), e->d_name);
            const char *text;
            size_t len;
            char warn[1024];
            int rc = rec_msgdef_get(m, type, &text, &len, warn, sizeof warn);
            if (rc != 0) print_message("%s: %s\n", type, warn);
            assert_int_equal(rc, 0);
            assert_string_equal(warn, "");
            in_pkg++;
        }
        closedir(d);
        assert_true(in_pkg > 0);
        types += in_pkg;
    }
    assert_true(types >= 150);
    /* A type with nested dependencies three levels down carries all of them. */
    const char *text;
    size_t len;
    char warn[256];
    assert_int_equal(rec_msgdef_get(m, "nav_msgs/msg/Odometry", &text, &len, warn, sizeof warn), 0);
    assert_non_null(strstr(text, SEP "geometry_msgs/PoseWithCovariance\n"));
    assert_non_null(strstr(text, SEP "builtin_interfaces/Time\n"));
    rec_msgdef_close(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rosbag2_fixture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_project_dir, setup, teardown),
        cmocka_unit_test(test_bundled_msgs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
