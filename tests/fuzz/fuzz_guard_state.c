/* fuzz_guard_state — the state file decoder on arbitrary bytes. A new daemon reads what an
 * older or crashed one left (and, with a standby, a pid it will signal): it never crashes, and
 * what it accepts holds no negative pid or index and only terminated strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/guard_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    guard_state_rec r;
    char err[512];
    if (guard_state_decode(buf, &r, err, sizeof err) == 0) {
        if (r.recorder_pid < 0 || r.standby_pid < 0 || r.segment_index < -1) abort();
        if (strnlen(r.stats_path, sizeof r.stats_path) == sizeof r.stats_path ||
            strnlen(r.positions, sizeof r.positions) == sizeof r.positions ||
            strnlen(r.segment, sizeof r.segment) == sizeof r.segment)
            abort();
        /* what it accepts, it writes back and reads again the same */
        char *txt = guard_state_encode(&r);
        guard_state_rec again;
        if (txt && (guard_state_decode(txt, &again, err, sizeof err) != 0 || memcmp(&r, &again, sizeof r) != 0))
            abort();
        free(txt);
    }
    free(buf);
    return 0;
}
