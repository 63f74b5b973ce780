/* bench_mcap — the MCAP encoder alone, in MiB/s of message payload, against a plain sequential
 * write of the same payload bytes to the same filesystem with the same buffer size.
 *
 *   bench_mcap DIR [PAYLOAD_MIB] [REPEATS]
 *
 * For each message size (16 B, 1 KiB, 16 KiB, 64 KiB) and compression (none, lz4, zstd):
 * open a writer in DIR (768 KiB chunks, chunk CRCs on, one channel), write PAYLOAD_MIB of
 * messages, close (summary + fsync), and time it all. Two baselines with write(2) in 768 KiB
 * buffers + fsync on the same filesystem: the same payload bytes (what the messages carry),
 * and as many bytes as the MCAP file came to (what the disk had to take). Each figure is the
 * median of REPEATS runs; the three kinds of run alternate so load from elsewhere hits them
 * alike. Payloads come from a 64 MiB pool, each message half pseudo-random,
 * half zero bytes (compressible about 2:1), so compressors find no repeats across messages.
 * Prints a Markdown table on stdout. Files are deleted after each run.
 */
#include "mcap/mcap_writer.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (768 * 1024)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(uint8_t *p, size_t n, uint64_t seed) {
    uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = i < n / 2 ? (uint8_t)x : 0;
    }
}

#define POOL (64u << 20) /* distinct payload bytes */

static const uint8_t *payload_of(const uint8_t *pool, size_t size, uint64_t i) {
    return pool + (i % (POOL / size)) * size;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Seconds to write `count` messages of `size` bytes with the MCAP writer; *file_bytes = size. */
static double run_mcap(const char *dir, size_t size, uint64_t count, mcap_compression comp,
                       const uint8_t *payloads, uint64_t *file_bytes) {
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/bench_%d.mcap", dir, (int)getpid());
    unlink(path);
    mcap_writer_options o;
    mcap_writer_options_default(&o);
    o.compression = comp;
    o.chunk_size = CHUNK;
    o.max_chunk_age_ns = INT64_MAX; /* chunks close by size; durability is timed at close */
    double t0 = now_s();
    mcap_writer *w;
    if (mcap_writer_open(&w, path, &o, err, sizeof err)) {
        fprintf(stderr, "bench_mcap: %s\n", err);
        exit(1);
    }
    uint16_t sid, cid;
    const char *schema = "uint8[] data\n";
    if (mcap_writer_add_schema(w, "bench_msgs/msg/Blob", "ros2msg", schema, strlen(schema), &sid) ||
        mcap_writer_add_channel(w, sid, "/bench", "cdr", NULL, NULL, 0, &cid)) {
        fprintf(stderr, "bench_mcap: setup failed\n");
        exit(1);
    }
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *p = payload_of(payloads, size, i);
        if (mcap_writer_write(w, cid, (uint32_t)i, 1000 + i, 1000 + i, p, size, 0)) {
            fprintf(stderr, "bench_mcap: write: %s\n", mcap_writer_error(w));
            exit(1);
        }
    }
    *file_bytes = mcap_writer_bytes(w);
    if (mcap_writer_close(w)) {
        fprintf(stderr, "bench_mcap: close failed\n");
        exit(1);
    }
    double t = now_s() - t0;
    unlink(path);
    return t;
}

/* Seconds to write count * size bytes of the pool with write(2) in CHUNK-sized buffers, then
 * fsync. */
static double run_plain(const char *dir, size_t size, uint64_t count, const uint8_t *payloads) {
    char path[4096];
    snprintf(path, sizeof path, "%s/bench_plain_%d.bin", dir, (int)getpid());
    unlink(path);
    uint8_t *buf = malloc(CHUNK + size);
    double t0 = now_s();
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || !buf) {
        perror(path);
        exit(1);
    }
    size_t used = 0;
    for (uint64_t i = 0; i < count; i++) {
        memcpy(buf + used, payload_of(payloads, size, i), size);
        used += size;
        if (used >= CHUNK) {
            if (write(fd, buf, used) != (ssize_t)used) exit(1);
            used = 0;
        }
    }
    if (used && write(fd, buf, used) != (ssize_t)used) exit(1);
    fsync(fd);
    close(fd);
    double t = now_s() - t0;
    unlink(path);
    free(buf);
    return t;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_mcap DIR [PAYLOAD_MIB] [REPEATS]\n");
        return 2;
    }
    const char *dir = argv[1];
    double mib = argc > 2 ? atof(argv[2]) : 256;
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    if (reps < 1 || reps > 50 || mib <= 0) return 2;
    static const size_t sizes[] = {16, 1024, 16384, 65536};
    static const struct { mcap_compression c; const char *name; } comps[] = {
        {MCAP_COMPRESSION_NONE, "none"}, {MCAP_COMPRESSION_LZ4, "lz4"}, {MCAP_COMPRESSION_ZSTD, "zstd"}};
    printf("| message | compression | messages | payload MiB | file MiB | MCAP payload MiB/s | msgs/s "
           "| plain write of the payload, MiB/s | ratio | MCAP file MiB/s | plain write of file-size bytes, MiB/s | ratio |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    uint8_t *pool = malloc(POOL);
    if (!pool) return 1;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t size = sizes[s];
        for (size_t i = 0; i < POOL / size; i++) fill(pool + i * size, size, i + 1);
        uint64_t count = (uint64_t)(mib * 1048576.0 / (double)size);
        double payload_mib = (double)count * (double)size / 1048576.0;
        for (size_t c = 0; c < sizeof comps / sizeof comps[0]; c++) {
            /* Runs alternate MCAP / plain / plain-of-file-size, so a burst of load from
             * elsewhere on the machine hits all three alike. */
            double t[50], tp[50], tf[50];
            uint64_t fb = 0, fcount = 1;
            for (int r = 0; r < reps; r++) {
                t[r] = run_mcap(dir, size, count, comps[c].c, pool, &fb);
                tp[r] = run_plain(dir, size, count, pool);
                fcount = fb / size ? fb / size : 1; /* file-size bytes, in message-size pieces */
                tf[r] = run_plain(dir, size, fcount, pool);
            }
            qsort(t, (size_t)reps, sizeof t[0], cmp_d);
            qsort(tp, (size_t)reps, sizeof tp[0], cmp_d);
            qsort(tf, (size_t)reps, sizeof tf[0], cmp_d);
            double rate = payload_mib / t[reps / 2], file_mib = (double)fb / 1048576.0;
            double file_rate = file_mib / t[reps / 2];
            double plain_rate = payload_mib / tp[reps / 2];
            double plain_file_rate = (double)fcount * (double)size / 1048576.0 / tf[reps / 2];
            char sz[32];
            if (size >= 1024) snprintf(sz, sizeof sz, "%zu KiB", size / 1024);
            else snprintf(sz, sizeof sz, "%zu B", size);
            printf("| %s | %s | %llu | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |\n", sz,
                   comps[c].name, (unsigned long long)count, payload_mib, file_mib, rate,
                   (double)count / t[reps / 2], plain_rate, rate / plain_rate, file_rate, plain_file_rate,
                   file_rate / plain_file_rate);
            fflush(stdout);
        }
    }
    free(pool);
    return 0;
}
