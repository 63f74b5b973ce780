/* fuzz_rec_stats — the stats file reader (`recguard hz/bw/topics`, the daemon) on a file whose
 * snapshot (and, when the first byte is odd, header too) holds arbitrary bytes: it rejects a bad
 * header, never reads past the file, caps the topic count, and every name it returns ends
 * inside its field. The file is shared memory, so its content is not to be trusted. */
#ifndef _GNU_SOURCE /* CMake already passes -D_GNU_SOURCE; -Werror rejects a redefinition */
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "recorder/rec_stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static rec_stats_file *f;
    static rec_stats_snapshot *out;
    if (!f && !(f = malloc(sizeof *f))) return 0;
    if (!out && !(out = malloc(sizeof *out))) return 0;
    memset(f, 0, sizeof *f);
    f->magic = REC_STATS_MAGIC;
    f->version = REC_STATS_VERSION;
    f->file_size = (uint32_t)REC_STATS_FILE_SIZE;
    f->max_topics = REC_STATS_MAX_TOPICS;
    size_t at = size && (data[0] & 1) ? 0 : offsetof(rec_stats_file, snap);
    size_t n = size < sizeof *f - at ? size : sizeof *f - at;
    memcpy((char *)f + at, data, n);
    f->seq &= ~1ull; /* an odd sequence only makes the reader retry */
    int fd = memfd_create("fuzz_rec_stats", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (write(fd, f, sizeof *f) == (ssize_t)sizeof *f) {
        char path[64], err[256];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (rec_stats_read(path, out, err, sizeof err) == 0) {
            if (out->ntopics > REC_STATS_MAX_TOPICS) abort();
            if (strlen(out->segment) >= REC_STATS_PATH_LEN) abort();
            for (uint32_t i = 0; i < out->ntopics; i++)
                if (strlen(out->topics[i].name) >= REC_STATS_NAME_LEN ||
                    strlen(out->topics[i].type) >= REC_STATS_TYPE_LEN)
                    abort();
        } else if (!err[0]) {
            abort(); /* every refusal says why */
        }
    }
    close(fd);
    return 0;
}
