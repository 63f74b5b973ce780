/* helper_mcap_write — writes a small ros2-profile MCAP file with our writer, for tests that
 * check it with independent readers (tests/e2e/validate_mcap.mjs).
 *
 *   helper_mcap_write OUT.mcap [--compression none|lz4|zstd] [--count N] [--chunk-size BYTES]
 *                     [--fill]
 *
 * Topics /chatter and /chatter2, type std_msgs/msg/String; message i on /chatter carries
 * "hello <i>" (i = 0..N-1), on /chatter2 "second <i>" for every third i. CDR payloads are
 * built by hand: XCDR1 little-endian encapsulation, u32 length (with NUL), bytes, NUL,
 * padding to a multiple of 4. log_time = 1700000000000000000 + i ms, publish = log - 1 us.
 * A `recguard_drops` metadata record says /chatter dropped 7, and a `recguard_loss` record that
 * it also lost 3 in DDS and had 1 rejected.
 *
 * --fill: write 1 KiB messages on /chatter until a write fails (a full disk), flushing every
 * 50 messages, then close; print "flushed=F accepted=A error=E close=C" (E, C: errno names or
 * 0) and exit 0 if the failure was the expected kind (ENOSPC/EDQUOT/EFBIG).
 */
#include "mcap/mcap_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *errname(int rc) {
    switch (-rc) {
    case 0: return "0";
    case ENOSPC: return "ENOSPC";
    case EDQUOT: return "EDQUOT";
    case EFBIG: return "EFBIG";
    case EIO: return "EIO";
    default: return "other";
    }
}

/* Fill the disk: see the header comment. */
static int fill(mcap_writer *w, uint16_t ch) {
    static uint8_t big[1024];
    memset(big, 'x', sizeof big);
    big[0] = 0, big[1] = 1, big[2] = 0, big[3] = 0; /* CDR header, then a u32 length */
    uint32_t n = sizeof big - 8;
    memcpy(big + 4, &n, 4);
    big[sizeof big - 1] = 0;
    unsigned long accepted = 0, flushed = 0;
    int rc = 0;
    for (uint64_t i = 0; rc == 0 && i < 100000000; i++) {
        uint64_t t = 1700000000000000000ULL + i;
        rc = mcap_writer_write(w, ch, (uint32_t)i, t, t, big, sizeof big, 0);
        if (rc) break;
        accepted++;
        if (accepted % 50 == 0) {
            rc = mcap_writer_flush(w);
            if (rc == 0) flushed = accepted;
        }
    }
    int crc = mcap_writer_close(w);
    printf("flushed=%lu accepted=%lu error=%s close=%s\n", flushed, accepted, errname(rc), errname(crc));
    return rc == -ENOSPC || rc == -EDQUOT || rc == -EFBIG ? 0 : 1;
}

static size_t cdr_string(uint8_t *out, const char *s) {
    size_t n = strlen(s) + 1, len = 4 + 4 + n;
    out[0] = 0x00, out[1] = 0x01, out[2] = 0x00, out[3] = 0x00;
    for (int i = 0; i < 4; i++) out[4 + i] = (uint8_t)(n >> (8 * i));
    memcpy(out + 8, s, n);
    while (len % 4) out[len++] = 0;
    return len;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: helper_mcap_write OUT.mcap [--compression none|lz4|zstd] [--count N] [--chunk-size B]\n");
        return 2;
    }
    mcap_writer_options o;
    mcap_writer_options_default(&o);
    o.library = "recguard helper_mcap_write";
    unsigned long count = 100;
    int fill_mode = 0;
    for (int i = 2; i < argc; i += 2) {
        if (!strcmp(argv[i], "--fill")) {
            fill_mode = 1;
            i--;
            continue;
        }
        if (i + 1 >= argc) return 2;
        if (!strcmp(argv[i], "--compression")) {
            if (!strcmp(argv[i + 1], "lz4")) o.compression = MCAP_COMPRESSION_LZ4;
            else if (!strcmp(argv[i + 1], "zstd")) o.compression = MCAP_COMPRESSION_ZSTD;
            else if (!strcmp(argv[i + 1], "none")) o.compression = MCAP_COMPRESSION_NONE;
            else return 2;
        } else if (!strcmp(argv[i], "--count")) {
            count = strtoul(argv[i + 1], NULL, 10);
        } else if (!strcmp(argv[i], "--chunk-size")) {
            o.chunk_size = strtoull(argv[i + 1], NULL, 10);
        } else {
            fprintf(stderr, "helper_mcap_write: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    char err[512];
    mcap_writer *w;
    if (mcap_writer_open(&w, argv[1], &o, err, sizeof err)) {
        fprintf(stderr, "helper_mcap_write: %s\n", err);
        return 1;
    }
    const char *schema = "# This was originally provided as an example message.\nstring data\n";
    uint16_t sid, c1, c2;
    const char *k[] = {"offered_qos_profiles"};
    const char *v[] = {"- history: 3\n  depth: 0\n  reliability: 1\n  durability: 2\n"};
    int rc = mcap_writer_add_schema(w, "std_msgs/msg/String", "ros2msg", schema, strlen(schema), &sid);
    if (!rc) rc = mcap_writer_add_channel(w, sid, "/chatter", "cdr", k, v, 1, &c1);
    if (!rc) rc = mcap_writer_add_channel(w, sid, "/chatter2", "cdr", k, v, 1, &c2);
    if (fill_mode) {
        if (rc) {
            mcap_writer_close(w);
            return 1;
        }
        return fill(w, c1);
    }
    uint8_t buf[128];
    char text[64];
    const uint64_t t0 = 1700000000000000000ULL;
    for (unsigned long i = 0; i < count && !rc; i++) {
        uint64_t t = t0 + i * 1000000ULL;
        snprintf(text, sizeof text, "hello %lu", i);
        rc = mcap_writer_write(w, c1, (uint32_t)i, t, t - 1000, buf, cdr_string(buf, text), 0);
        if (!rc && i % 3 == 0) {
            snprintf(text, sizeof text, "second %lu", i);
            rc = mcap_writer_write(w, c2, (uint32_t)(i / 3), t, t - 1000, buf, cdr_string(buf, text), 0);
        }
    }
    const char *dk[] = {"/chatter"}, *dv[] = {"7"};
    if (!rc) rc = mcap_writer_add_metadata(w, "recguard_drops", dk, dv, 1);
    const char *lv[] = {"lost=3 rejected=1 drops=7"};
    if (!rc) rc = mcap_writer_add_metadata(w, "recguard_loss", dk, lv, 1);
    if (rc) fprintf(stderr, "helper_mcap_write: %s (%d)\n", mcap_writer_error(w), rc);
    int crc = mcap_writer_close(w);
    if (crc && !rc) fprintf(stderr, "helper_mcap_write: close: %d\n", crc);
    return rc || crc ? 1 : 0;
}
