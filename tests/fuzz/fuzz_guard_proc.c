/* fuzz_guard_proc — the /proc parsers (stat, status, io, cmdline) on arbitrary bytes: they read only
 * within len, never crash, and what they accept is self-consistent. The daemon parses what
 * a recorder controls (its comm name), so these parsers face hostile text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/guard_proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* an exact-size copy, so ASan flags any read past len */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    guard_proc_stat st;
    if (guard_proc_parse_stat(buf, size, &st) == 0) {
        if (st.pid <= 0 || strlen(st.comm) >= sizeof st.comm) abort();
    }
    guard_proc_status ss;
    if (guard_proc_parse_status(buf, size, &ss) == 0) {
        if (strlen(ss.cpus_allowed_list) >= sizeof ss.cpus_allowed_list) abort();
        if (ss.has_vm != 0 && ss.has_vm != 1) abort();
    }
    guard_proc_io io;
    (void)guard_proc_parse_io(buf, size, &io);
    /* a cmdline is the recorder's own argv: a match means the needle is in the buffer */
    static const char needle[] = "/b/x_1.mcap";
    if (guard_proc_cmdline_has(buf, size, needle) && !memmem(buf, size, needle, sizeof needle - 1))
        abort();
    free(buf);
    return 0;
}
