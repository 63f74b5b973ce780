/* Fuzz target: mcap_recover over arbitrary bytes. Oracle: whenever recovery reports that it
 * kept something (lossless or lossy), its output must be a file doctor finds clean, holding
 * exactly the messages the report counts. Output goes to a tmpfs when there is one, so the
 * writer's fsyncs stay cheap. */
#include "mcap/mcap_doctor.h"
#include "mcap/mcap_reader.h"
#include "mcap/mcap_recover.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char out[256];
    if (!out[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(out, sizeof out, "%s/fuzz_mcap_recover.%d.mcap", dir, (int)getpid());
    }
    unlink(out);
    char err[512];
    mcap_recover_report rep;
    int rc = mcap_recover_mem(data, size, out, NULL, &rep, err, sizeof err);
    if (rc == MCAP_RECOVER_LOSSLESS || rc == MCAP_RECOVER_LOSSY) {
        mcap_reader r;
        if (mcap_reader_open_file(&r, out, err, sizeof err) != 0) __builtin_trap();
        mcap_doctor_report drep;
        if (mcap_doctor(&r, 0, NULL, NULL, &drep) != 0) __builtin_trap();
        if (drep.messages != rep.messages) __builtin_trap();
        mcap_reader_close(&r);
    }
    unlink(out);
    return 0;
}
