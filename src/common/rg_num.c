/* rg_num — see rg_num.h. */
#include "common/rg_num.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* s after an optional '-' (when allowed) must be digits, with at most one '.' when dot_ok and
 * at least one digit. */
static int well_formed(const char *s, int neg_ok, int dot_ok) {
    if (neg_ok && *s == '-') s++;
    int digits = 0, dots = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') digits++;
        else if (*s == '.' && dot_ok && !dots) dots++;
        else return 0;
    }
    return digits > 0;
}

int rg_num_ll(const char *s, long long lo, long long hi, long long *out) {
    if (!s || !well_formed(s, lo < 0, 0)) return -EINVAL;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE || v < lo || v > hi) return -ERANGE;
    *out = v;
    return 0;
}

int rg_num_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
    if (!s || !well_formed(s, 0, 0)) return -EINVAL;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v < lo || v > hi) return -ERANGE;
    *out = v;
    return 0;
}

int rg_num_double(const char *s, double lo, double hi, double *out) {
    if (!s || !well_formed(s, lo < 0, 1)) return -EINVAL;
    double v = strtod(s, NULL);
    if (!(v >= lo && v <= hi)) return -ERANGE;
    *out = v;
    return 0;
}
