/* Fuzz target: the USER_DATA type-hash parser (rdds_typehash.c), fed a publication's user data
 * as it arrives from the network.
 *
 * Oracles: the result is one of 0, -ENOENT, -EINVAL; on 0 the hash is "RIHS01_" and 64
 * lowercase hex digits and the input holds a "typehash=" entry; otherwise the output is empty
 * and -EINVAL names what is wrong; a found hash, written back as rmw writes it, parses to
 * itself; parsing is deterministic. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dds/rdds_typehash.h"

/* Checks stay active in release builds (the replay test runs there too). */
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int contains(const uint8_t *d, size_t n, const char *s) {
    size_t l = strlen(s);
    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(d + i, s, l) == 0) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char out[RDDS_TYPEHASH_LEN + 1], again[RDDS_TYPEHASH_LEN + 1];
    const char *why = NULL;
    int rc = rdds_typehash_parse(data, size, out, &why);
    CHECK(rc == 0 || rc == -ENOENT || rc == -EINVAL);
    CHECK(rdds_typehash_parse(data, size, again, NULL) == rc);
    CHECK(strcmp(out, again) == 0);
    if (rc != 0) {
        CHECK(out[0] == '\0');
        CHECK(rc != -EINVAL || (why != NULL && why[0] != '\0'));
        return 0;
    }
    CHECK(strlen(out) == RDDS_TYPEHASH_LEN && memcmp(out, "RIHS01_", 7) == 0);
    for (size_t i = 7; i < RDDS_TYPEHASH_LEN; i++)
        CHECK((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'));
    CHECK(contains(data, size, "typehash="));
    char ud[sizeof "typehash=;" + RDDS_TYPEHASH_LEN];
    snprintf(ud, sizeof ud, "typehash=%s;", out);
    CHECK(rdds_typehash_parse(ud, strlen(ud), again, NULL) == 0 && strcmp(again, out) == 0);
    return 0;
}
