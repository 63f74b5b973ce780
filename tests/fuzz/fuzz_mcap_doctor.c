/* Fuzz target: mcap_doctor over arbitrary bytes, with its own oracle. Every finding it
 * reports has a name and a NUL-terminated detail; the defects and notes it reports add up to
 * the counts it returns; and a second run over the same bytes finds exactly the same (the
 * doctor keeps no state between files). Crashes, overflows, leaks and unbounded allocations
 * are bugs as well. */
#include "mcap/mcap_doctor.h"
#include "mcap/mcap_reader.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct tally {
    unsigned defects, notes; /* findings seen through the callback */
    uint32_t hash;           /* of names, offsets and details, in report order */
} tally;

static void seen(void *ctx, const mcap_defect *d) {
    tally *t = ctx;
    if (!d->name || !d->name[0] || !memchr(d->detail, 0, sizeof d->detail)) __builtin_trap();
    if (d->note) t->notes++;
    else t->defects++;
    for (const char *p = d->name; *p; p++) t->hash = t->hash * 31 + (uint8_t)*p;
    for (const char *p = d->detail; *p; p++) t->hash = t->hash * 31 + (uint8_t)*p;
    t->hash = t->hash * 31 + (uint32_t)d->offset;
}

static tally run(const uint8_t *data, size_t size, int *ok) {
    tally t = {0};
    char err[256];
    mcap_reader r;
    *ok = 0;
    if (mcap_reader_open_mem(&r, data, size, err, sizeof err) != 0) return t;
    r.max_chunk = 4u << 20; /* a fuzzer input never needs more; keeps RSS bounded */
    mcap_doctor_report rep;
    int n = mcap_doctor(&r, 0, seen, &t, &rep);
    mcap_reader_close(&r);
    if (n < 0) return t; /* out of memory: nothing to compare */
    if ((unsigned)n != rep.defects || t.defects != rep.defects || t.notes != rep.notes) __builtin_trap();
    *ok = 1;
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int ok1, ok2;
    tally a = run(data, size, &ok1), b = run(data, size, &ok2);
    if (ok1 && ok2 && memcmp(&a, &b, sizeof a) != 0) __builtin_trap();
    return 0;
}
