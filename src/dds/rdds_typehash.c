/* rdds_typehash — see rdds_typehash.h. */
#include "dds/rdds_typehash.h"

#include <errno.h>
#include <string.h>

#define RIHS_PREFIX "RIHS01_"  /* the one version written since Iron */
#define RIHS_PREFIX_LEN 7      /* its length */

/* ASCII only: the C library's isalnum follows the locale, rmw's keys do not. */
static int key_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int hex_val(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A typehash value as raw bytes. The checks go in rosidl's order (prefix, version, length,
 * digits), so the phrase names the first thing a reader of the value would trip on. */
static int hash_check(const unsigned char *v, size_t n, char *out, const char **why) {
    static const char digits[] = "0123456789abcdef";
    char tmp[RDDS_TYPEHASH_LEN + 1];
    const char *bad = NULL;
    if (n < 6 || memcmp(v, "RIHS", 4) != 0 || hex_val(v[4]) < 0 || hex_val(v[5]) < 0)
        bad = "not a RIHS hash";
    else if (hex_val(v[4]) * 16 + hex_val(v[5]) != 1)
        bad = "unknown RIHS version";
    else if (n != RDDS_TYPEHASH_LEN)
        bad = "wrong length";
    else if (v[6] != '_')
        bad = "no '_' after the version";
    for (size_t i = RIHS_PREFIX_LEN; bad == NULL && i < n; i++) {
        int h = hex_val(v[i]);
        if (h < 0) bad = "not hex";
        else tmp[i] = digits[h];
    }
    if (bad != NULL) {
        if (why != NULL) *why = bad;
        return -EINVAL;
    }
    memcpy(tmp, RIHS_PREFIX, RIHS_PREFIX_LEN);
    tmp[RDDS_TYPEHASH_LEN] = '\0';
    memcpy(out, tmp, sizeof tmp);
    return 0;
}

int rdds_typehash_parse(const void *data, size_t len, char *out, const char **why) {
    const unsigned char *p = data;
    const unsigned char *hv = NULL; /* the last typehash value */
    size_t hn = 0, i = 0, entries = 0;
    out[0] = '\0';
    while (i < len) {
        /* rmw pads with NULs: a NUL where a key would start ends the list. */
        if (p[i] == '\0' && entries > 0) break;
        size_t k0 = i;
        while (i < len && key_char(p[i])) i++;
        size_t klen = i - k0;
        if (klen == 0 || i == len || p[i] != '=') return -ENOENT;
        size_t v0 = ++i;
        while (i < len && p[i] != ';') i++;
        size_t vend = i;
        /* ';' ends the value; each further ';' of the same run is a literal one at its end,
         * which is where the raw bytes already hold it: the value is p[v0, vend + run - 1). */
        if (i < len) {
            i++;
            while (i < len && p[i] == ';') {
                i++;
                vend++;
            }
        }
        if (vend == v0) return -ENOENT;
        if (klen == sizeof RDDS_TYPEHASH_KEY - 1 && memcmp(p + k0, RDDS_TYPEHASH_KEY, klen) == 0) {
            hv = p + v0;
            hn = vend - v0;
        }
        entries++;
    }
    if (hv == NULL) return -ENOENT;
    return hash_check(hv, hn, out, why);
}
