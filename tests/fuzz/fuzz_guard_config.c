/* fuzz_guard_config — the daemon's YAML config loader on arbitrary bytes: it must answer
 * 0 or -EINVAL with a NUL-terminated sentence, never crash, leak or read out of bounds; and
 * whatever it accepted must dump to JSON and pass or fail the cross-field check cleanly. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/guard_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    guard_config c;
    if (guard_config_init(&c) < 0) return 0;
    char err[512];
    memset(err, 'x', sizeof err);
    int rc = guard_config_load_buffer(&c, (const char *)data, size, "fuzz.yaml", err, sizeof err);
    if (rc < 0) {
        if (rc != -EINVAL && rc != -ENOMEM) abort();
        if (!memchr(err, '\0', sizeof err) || err[0] == '\0') abort(); /* a sentence, always */
    } else {
        char cerr[512];
        (void)guard_config_check(&c, cerr, sizeof cerr);
        /* mixed memory forms against RAM sizes from unknown to huge */
        static const uint64_t rams[] = {0, 1, 4ull << 30, UINT64_MAX};
        for (size_t i = 0; i < sizeof rams / sizeof rams[0]; i++)
            if (guard_config_check_mem(&c, rams[i], cerr, sizeof cerr) < 0 && !memchr(cerr, '\0', sizeof cerr))
                abort();
        json_t *j = guard_config_json(&c);
        if (!j) abort();
        json_decref(j);
    }
    guard_config_free(&c);
    return 0;
}
