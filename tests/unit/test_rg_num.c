/* Unit tests: rg_num, the strict number parser every verb uses: what strtol would let through
 * (spaces, '+', trailing garbage, empty, a wrapped negative, hex, exponents, inf, nan) is
 * refused; ranges are inclusive and reported apart from malformed text. */
#include "common/rg_num.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void test_ll(void **st) {
    (void)st;
    long long v = 7;
    assert_int_equal(rg_num_ll("60", 1, 100, &v), 0);
    assert_int_equal(v, 60);
    assert_int_equal(rg_num_ll("-5", -10, 10, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(rg_num_ll("1", 1, 1, &v), 0);
    static const char *const bad[] = {"", "abc", " 5", "5 ", "+5", "5s", "0x10", "1e3", "1.5",
                                      "-", "--5", "5-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(rg_num_ll(bad[i], -100, 100, &v), -EINVAL);
    assert_int_equal(rg_num_ll("-5", 0, 10, &v), -EINVAL); /* no sign where none can be */
    assert_int_equal(rg_num_ll("0", 1, 10, &v), -ERANGE);
    assert_int_equal(rg_num_ll("11", 1, 10, &v), -ERANGE);
    assert_int_equal(rg_num_ll("99999999999999999999", 0, INT64_MAX, &v), -ERANGE);
    assert_int_equal(rg_num_ll(NULL, 0, 1, &v), -EINVAL);
    assert_int_equal(v, 1); /* untouched by the failures */
}

static void test_u64(void **st) {
    (void)st;
    uint64_t v;
    assert_int_equal(rg_num_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(rg_num_u64("18446744073709551616", 0, UINT64_MAX, &v), -ERANGE);
    assert_int_equal(rg_num_u64("-1", 0, UINT64_MAX, &v), -EINVAL);
    assert_int_equal(rg_num_u64("0", 1, 10, &v), -ERANGE);
    assert_int_equal(rg_num_u64(" 1", 0, 10, &v), -EINVAL);
}

static void test_double(void **st) {
    (void)st;
    double v;
    assert_int_equal(rg_num_double("1.5", 0, 10, &v), 0);
    assert_true(v == 1.5);
    assert_int_equal(rg_num_double(".5", 0, 10, &v), 0);
    assert_int_equal(rg_num_double("2.", 0, 10, &v), 0);
    assert_int_equal(rg_num_double("-2.5", -10, 10, &v), 0);
    assert_true(v == -2.5);
    static const char *const bad[] = {"", ".", "abc", "1e3", "0x1p3", "inf", "nan", "1.2.3",
                                      " 1", "1 ", "+1", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(rg_num_double(bad[i], -100, 100, &v), -EINVAL);
    assert_int_equal(rg_num_double("0", 0.001, 10, &v), -ERANGE);
    assert_int_equal(rg_num_double("10.5", 0, 10, &v), -ERANGE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ll), cmocka_unit_test(test_u64), cmocka_unit_test(test_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
