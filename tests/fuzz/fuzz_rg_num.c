/* fuzz_rg_num — the strict number parser every verb runs on its command line, on arbitrary
 * bytes: never crashes, and what it accepts is exactly a canonical number in range (its printed
 * form, leading zeros aside, is the input; a double lies in its bounds). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rg_num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    long long v;
    int rc = rg_num_ll(s, -1000000, 1000000, &v);
    if (rc == 0) {
        if (v < -1000000 || v > 1000000 || strspn(s, "-0123456789") != strlen(s)) abort();
        if (strtoll(s, NULL, 10) != v) abort();
    } else if (rc != -EINVAL && rc != -ERANGE) {
        abort();
    }
    uint64_t u;
    rc = rg_num_u64(s, 1, UINT64_MAX, &u);
    if (rc == 0 && (u == 0 || strspn(s, "0123456789") != strlen(s))) abort();
    double d;
    rc = rg_num_double(s, -1e9, 1e9, &d);
    if (rc == 0 && (!(d >= -1e9 && d <= 1e9) || strspn(s, "-.0123456789") != strlen(s))) abort();
    free(s);
    return 0;
}
