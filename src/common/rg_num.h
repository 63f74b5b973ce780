/* rg_num — strict parsing of numbers from the command line and the environment.
 *
 * strtol and friends accept what no operator meant: leading spaces, a '+', trailing garbage
 * ("10s" read as 10), "" read as 0, "-1" wrapped to a huge unsigned, hex and "inf" for doubles.
 * Every verb parses numbers through here, so `--timeout abc` is a usage error everywhere rather
 * than 0 somewhere. The whole string must be the number, in range.
 */
#ifndef RG_NUM_H
#define RG_NUM_H

#include <stdint.h>

/* Decimal integer in [lo, hi]: optional '-' (only when lo < 0), digits, nothing else.
 * 0, -EINVAL (not such a number) or -ERANGE (a number outside [lo, hi]). */
int rg_num_ll(const char *s, long long lo, long long hi, long long *out);
/* Unsigned decimal integer in [lo, hi] up to UINT64_MAX: digits only. 0, -EINVAL or -ERANGE. */
int rg_num_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
/* Decimal number in [lo, hi]: optional '-' (only when lo < 0), digits with at most one '.',
 * at least one digit; no exponent, hex, inf or nan. 0, -EINVAL or -ERANGE. */
int rg_num_double(const char *s, double lo, double hi, double *out);

#endif
