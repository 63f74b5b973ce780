/* Unit tests of rdds_typehash: the USER_DATA strings rmw writes (alone, after other entries,
 * NUL-padded), case normalisation, and malformed hashes and lists refused without a result. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dds/rdds_typehash.h"

/* std_msgs/msg/String's RIHS01 hash (rosidl_generator_c output for Jazzy). */
#define H_STRING "RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18"
#define H_OTHER "RIHS01_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Parse a C string's bytes (no NUL) and return the rc; out and why for the caller to check. */
static int parse(const char *s, char *out, const char **why) {
    return rdds_typehash_parse(s, strlen(s), out, why);
}

static void test_rmw_strings(void **state) {
    (void)state;
    char out[RDDS_TYPEHASH_LEN + 1];
    assert_int_equal(parse("typehash=" H_STRING ";", out, NULL), 0);
    assert_string_equal(out, H_STRING);
    assert_int_equal(strlen(out), RDDS_TYPEHASH_LEN);
    /* rmw_cyclonedds puts a service endpoint's own entries first */
    assert_int_equal(parse("serviceid=0a1b2c3d;typehash=" H_STRING ";", out, NULL), 0);
    assert_string_equal(out, H_STRING);
    /* and the entry may come first, or lack its final ';' */
    assert_int_equal(parse("typehash=" H_STRING ";enclave=/;", out, NULL), 0);
    assert_string_equal(out, H_STRING);
    assert_int_equal(parse("typehash=" H_STRING, out, NULL), 0);
    assert_string_equal(out, H_STRING);
    /* NUL padding after the list */
    static const char padded[] = "typehash=" H_STRING ";\0\0\0";
    assert_int_equal(rdds_typehash_parse(padded, sizeof padded, out, NULL), 0);
    assert_string_equal(out, H_STRING);
    /* a later entry of the same key wins, as in rmw's map */
    assert_int_equal(parse("typehash=" H_OTHER ";typehash=" H_STRING ";", out, NULL), 0);
    assert_string_equal(out, H_STRING);
    /* ";;" is a literal ';' in another entry's value, not the end of the list */
    assert_int_equal(parse("note=a;;;typehash=" H_STRING ";", out, NULL), 0);
    assert_string_equal(out, H_STRING);
}

static void test_uppercase_normalised(void **state) {
    (void)state;
    char out[RDDS_TYPEHASH_LEN + 1];
    assert_int_equal(parse("typehash=RIHS01_DF668C740482BBD48FB39D76A70DFD4BD59DB1288021743503259E948F6B1A18;",
                           out, NULL), 0);
    assert_string_equal(out, H_STRING);
}

static void test_absent(void **state) {
    (void)state;
    char out[RDDS_TYPEHASH_LEN + 1] = "x";
    assert_int_equal(rdds_typehash_parse(NULL, 0, out, NULL), -ENOENT);
    assert_string_equal(out, "");
    assert_int_equal(parse("enclave=/;", out, NULL), -ENOENT);
    assert_int_equal(parse("typehash2=" H_STRING ";", out, NULL), -ENOENT);
    assert_int_equal(parse("TYPEHASH=" H_STRING ";", out, NULL), -ENOENT);
    /* not a key=value list: another application's user data, every entry discarded with it */
    const char *lists[] = {"hello world", "=x;", "typehash=;", "typehash=" H_STRING ";bad entry;",
                           "typehash=" H_STRING ";x", "type hash=" H_STRING ";", ";typehash=" H_STRING};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        out[0] = 'x';
        assert_int_equal(parse(lists[i], out, NULL), -ENOENT);
        assert_string_equal(out, "");
    }
    static const unsigned char bin[] = {0xff, 0x00, 0x3d, 0x3b, 0x80};
    assert_int_equal(rdds_typehash_parse(bin, sizeof bin, out, NULL), -ENOENT);
    static const char lead_nul[] = "\0typehash=" H_STRING ";";
    assert_int_equal(rdds_typehash_parse(lead_nul, sizeof lead_nul - 1, out, NULL), -ENOENT);
}

static void expect_bad(const char *ud, const char *phrase) {
    char out[RDDS_TYPEHASH_LEN + 1] = "x";
    const char *why = NULL;
    assert_int_equal(parse(ud, out, &why), -EINVAL);
    assert_string_equal(out, "");
    assert_non_null(why);
    assert_string_equal(why, phrase);
    /* why is optional */
    assert_int_equal(parse(ud, out, NULL), -EINVAL);
}

static void test_malformed(void **state) {
    (void)state;
    /* wrong length: one digit short, one too many */
    expect_bad("typehash=RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a1;", "wrong length");
    expect_bad("typehash=" H_STRING "0;", "wrong length");
    expect_bad("typehash=RIHS01_;", "wrong length");
    /* not hex */
    expect_bad("typehash=RIHS01_dg668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18;", "not hex");
    expect_bad("typehash=RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a1 ;", "not hex");
    /* a ';' inside the hash (escaped) */
    expect_bad("typehash=RIHS01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a1;;", "not hex");
    /* unknown versions */
    expect_bad("typehash=RIHS02_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18;", "unknown RIHS version");
    expect_bad("typehash=RIHS00_;", "unknown RIHS version");
    expect_bad("typehash=RIHSff_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18;", "unknown RIHS version");
    /* not RIHS at all */
    expect_bad("typehash=df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18;", "not a RIHS hash");
    expect_bad("typehash=rihs01_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18;", "not a RIHS hash");
    expect_bad("typehash=RIHSx1_df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18;", "not a RIHS hash");
    expect_bad("typehash=RIHS;", "not a RIHS hash");
    expect_bad("typehash=R;", "not a RIHS hash");
    /* the separator */
    expect_bad("typehash=RIHS01-df668c740482bbd48fb39d76a70dfd4bd59db1288021743503259e948f6b1a18;",
               "no '_' after the version");
    /* the last entry decides, a good earlier one does not rescue a bad later one */
    expect_bad("typehash=" H_STRING ";typehash=RIHS01_00;", "wrong length");
}

/* A bad hash never leaks bytes past the value into the result, whatever follows it. */
static void test_bounds(void **state) {
    (void)state;
    char ud[200], out[RDDS_TYPEHASH_LEN + 1];
    /* the hash cut at every length: only the full one parses */
    const char *full = "typehash=" H_STRING;
    for (size_t n = 0; n <= strlen(full); n++) {
        memcpy(ud, full, n);
        int rc = rdds_typehash_parse(ud, n, out, NULL);
        if (n == strlen(full)) {
            assert_int_equal(rc, 0);
        } else {
            assert_true(rc == -ENOENT || rc == -EINVAL);
            assert_string_equal(out, "");
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmw_strings),
        cmocka_unit_test(test_uppercase_normalised),
        cmocka_unit_test(test_absent),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
