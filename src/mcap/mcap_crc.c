/* mcap_crc — see mcap_crc.h.
 *
 * Two engines, same answer: slice-by-8 tables (eight 256-entry tables consume 8 bytes per step
 * with independent lookups), and on x86-64 with PCLMULQDQ, carry-less-multiply folding of 64
 * bytes per step (Intel's "Fast CRC Computation Using PCLMULQDQ" method, about 5x faster),
 * used for the bulk of long buffers. The unit test checks both against a bitwise reference.
 */
#include "mcap/mcap_crc.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define MCAP_CRC_FOLD 1
#endif

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static int have_fold; /* the CPU has PCLMULQDQ and SSE4.1 */
static uint32_t multmodp(uint32_t a, uint32_t b);
static uint32_t x2n_table[32]; /* x^(2^k) mod P, reflected */

static void table_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int s = 1; s < 8; s++) table[s][i] = (table[s - 1][i] >> 8) ^ table[0][table[s - 1][i] & 0xff];
    uint32_t p = 1u << 30; /* x^1 */
    x2n_table[0] = p;
    for (int n = 1; n < 32; n++) x2n_table[n] = p = multmodp(p, p);
#ifdef MCAP_CRC_FOLD
    __builtin_cpu_init();
    have_fold = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#endif
}

#ifdef MCAP_CRC_FOLD
/* x * x^(n) folded onto y: the 128-bit x is multiplied by two constants x^(k) mod P (one per
 * 64-bit half) so that the result is congruent to x shifted past y. */
__attribute__((target("pclmul,sse4.1"))) static inline __m128i fold(__m128i x, __m128i y, __m128i k) {
    __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), y);
}

/* Raw (non-inverted) CRC state after `len` bytes (len >= 64, a multiple of 16) from state c.
 * The state is XORed into the first bytes, the data folded to one 128-bit block congruent to
 * the whole message, and that block finished with the byte table. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc_fold(uint32_t c, const uint8_t *p, size_t len) {
    const __m128i k4 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL); /* fold across 512 bits */
    const __m128i k1 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL); /* fold across 128 bits */
    __m128i x0 = _mm_loadu_si128((const __m128i *)p), x1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32)), x3 = _mm_loadu_si128((const __m128i *)(p + 48));
    x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)c));
    p += 64;
    len -= 64;
    for (; len >= 64; p += 64, len -= 64) {
        x0 = fold(x0, _mm_loadu_si128((const __m128i *)p), k4);
        x1 = fold(x1, _mm_loadu_si128((const __m128i *)(p + 16)), k4);
        x2 = fold(x2, _mm_loadu_si128((const __m128i *)(p + 32)), k4);
        x3 = fold(x3, _mm_loadu_si128((const __m128i *)(p + 48)), k4);
    }
    x0 = fold(fold(fold(x0, x1, k1), x2, k1), x3, k1);
    for (; len >= 16; p += 16, len -= 16) x0 = fold(x0, _mm_loadu_si128((const __m128i *)p), k1);
    uint8_t last[16];
    _mm_storeu_si128((__m128i *)last, x0);
    uint32_t r = 0;
    for (int i = 0; i < 16; i++) r = table[0][(r ^ last[i]) & 0xff] ^ (r >> 8);
    return r;
}
#endif

uint32_t mcap_crc32(uint32_t crc, const void *data, size_t len) {
    pthread_once(&table_once, table_init);
    const uint8_t *p = data;
    uint32_t c = ~crc;
#ifdef MCAP_CRC_FOLD
    if (have_fold && len >= 64) {
        size_t bulk = len & ~(size_t)15;
        c = crc_fold(c, p, bulk);
        p += bulk;
        len -= bulk;
    }
#endif
    /* Align to 8 bytes is not needed for correctness: memcpy loads are unaligned-safe. */
    while (len >= 8) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + 4, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo);
        hi = __builtin_bswap32(hi);
#endif
        lo ^= c;
        c = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
            table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
            table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--) c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

/* Combining: crc(A ++ B) = crc(A) * x^(8 len(B)) mod P  xor  crc(B), in the reflected bit
 * order. x^(2^k) mod P is tabulated once, so a combine costs O(log len) 32-bit carry-less
 * multiplications (zlib's multmodp/x2nmodp method) instead of O(log len) 32x32 matrix squarings. */
static uint32_t multmodp(uint32_t a, uint32_t b) {
    uint32_t m = 1u << 31, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) break;
        }
        m >>= 1;
        b = b & 1 ? (b >> 1) ^ 0xEDB88320u : b >> 1;
    }
    return p;
}

/* x^(n * 2^k) mod P */
static uint32_t x2nmodp(uint64_t n, unsigned k) {
    uint32_t p = 1u << 31; /* x^0 */
    for (; n; n >>= 1, k++)
        if (n & 1) p = multmodp(x2n_table[k & 31], p);
    return p;
}

uint32_t mcap_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) {
    pthread_once(&table_once, table_init);
    return multmodp(x2nmodp(len_b, 3), crc_a) ^ crc_b;
}
