/* Unit tests for mcap_crc: published CRC-32 check values and chaining. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mcap/mcap_crc.h"

#include <stdlib.h>
#include <string.h>

static void test_vectors(void **state) {
    (void)state;
    assert_int_equal(mcap_crc32(0, "", 0), 0);
    assert_int_equal(mcap_crc32(0, "123456789", 9), 0xCBF43926u); /* the CRC-32 check value */
    assert_int_equal(mcap_crc32(0, "a", 1), 0xE8B7BE43u);
    const char *fox = "The quick brown fox jumps over the lazy dog";
    assert_int_equal(mcap_crc32(0, fox, strlen(fox)), 0x414FA339u);
}

/* Slice-by-8 vs a bytewise reference, at every length and alignment up to 64 + chained. */
static uint32_t ref_crc(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}

static void test_against_reference_and_chaining(void **state) {
    (void)state;
    uint8_t buf[300];
    srand(7);
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)rand();
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n + off <= 200; n++) {
            uint32_t want = ref_crc(buf + off, n);
            assert_int_equal(mcap_crc32(0, buf + off, n), want);
            size_t cut = n / 3;
            assert_int_equal(mcap_crc32(mcap_crc32(0, buf + off, cut), buf + off + cut, n - cut), want);
        }
}

/* Long buffers take the folding engine where the CPU has one: every length from 64 to 5000
 * (all remainders mod 16 and 64) and chained starts must agree with the reference. */
static void test_long_buffers(void **state) {
    (void)state;
    static uint8_t buf[5100];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(rand() >> 7);
    for (size_t n = 60; n < 5000; n += 13)
        for (size_t off = 0; off < 3; off++) {
            uint32_t want = ref_crc(buf + off, n);
            assert_int_equal(mcap_crc32(0, buf + off, n), want);
            assert_int_equal(mcap_crc32(mcap_crc32(0, buf + off, 5), buf + off + 5, n - 5), want);
        }
}

static void test_combine(void **state) {
    (void)state;
    static uint8_t buf[5000];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 131 + 7);
    const size_t cuts[] = {0, 1, 7, 8, 100, 2047, 4999, 5000};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        size_t a = cuts[i];
        uint32_t ca = mcap_crc32(0, buf, a), cb = mcap_crc32(0, buf + a, sizeof buf - a);
        assert_int_equal(mcap_crc32_combine(ca, cb, sizeof buf - a), mcap_crc32(0, buf, sizeof buf));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_against_reference_and_chaining),
        cmocka_unit_test(test_combine),
        cmocka_unit_test(test_long_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
