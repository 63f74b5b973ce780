/* Fuzz target: the raw-CDR sertype's handling of bytes from the network (rdds_sertype.c).
 *
 * The input chooses a sample (size up to SIZE_MAX_FUZZ, bytes), a type name (it comes from
 * discovery), keyed or keyless, whether the packet carries a key hash, and a received fragment
 * chain over the sample: each fragment's [min, maxp1) range (overlaps, holes, out-of-order,
 * ranges past the sample's end) and where its bytes sit in its packet. Every fragment lives in
 * its own exactly-sized packet allocation, so ASan reports any read outside the bytes the
 * fragment describes. Then the serdata goes through what Cyclone does with it: size, slices of
 * its re-serialisation (to_ser, to_ser_ref), key hash, untyped form, key equality and hash
 * against from_keyhash, print into a small buffer; and the same bytes arrive once more through
 * from_ser_iov (local delivery) with a fuzzer-chosen iovec split.
 *
 * Oracles: a serdata returned from the chain holds exactly the sample's bytes; a chain whose
 * fragments do not cover [0, size) yields NULL; a chain sorted by min that covers it yields a
 * serdata; keyed samples report the packet's key hash, keyless ones all share one instance. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dds/dds.h>
#include <dds/ddsi/ddsi_serdata.h>
#include <dds/ddsi/ddsi_sertype.h>
#include <dds/ddsi/q_radmin.h>

#include "dds/rdds_sertype.h"

#define SIZE_MAX_FUZZ 16384 /* largest sample tried */
#define FRAGS_MAX 12        /* longest fragment chain tried */
#define NAME_MAX_FUZZ 64    /* longest type name taken from the input */

/* Checks stay active in release builds (the replay test runs there too). */
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t take8(input *in) {
    if (in->n == 0) return 0;
    in->n--;
    return *in->p++;
}

static uint16_t take16(input *in) {
    uint16_t hi = take8(in);
    return (uint16_t)(hi << 8 | take8(in));
}

/* The sample's byte at position i: the input's remaining bytes, repeated, or a pattern. */
static unsigned char sample_byte(const input *bytes, size_t i) {
    return bytes->n ? bytes->p[i % bytes->n] : (unsigned char)(i * 131 + 7);
}

static size_t round4(size_t n) { return (n + 3) & ~(size_t)3; }

typedef struct frag_spec {
    uint32_t min, maxp1; /* byte range of the sample this fragment carries */
    uint16_t zoff;       /* where those bytes start in the packet */
} frag_spec;

/* Does the union of the fragments cover [0, size)? (Independent of the chain order.) */
static int covers(const frag_spec *fs, size_t n, size_t size) {
    size_t reach = 0;
    for (int progress = 1; progress && reach < size;) {
        progress = 0;
        for (size_t i = 0; i < n; i++)
            if (fs[i].min <= reach && fs[i].maxp1 > reach) {
                reach = fs[i].maxp1;
                progress = 1;
            }
    }
    return reach >= size;
}

static void check_serdata(struct ddsi_sertype *st, struct ddsi_serdata *d, const unsigned char *want,
                          size_t size, int keyed, const unsigned char *kh, input *in) {
    size_t len = 0;
    const unsigned char *bytes = rdds_serdata_bytes(d, &len);
    if (d->kind == SDK_DATA) {
        CHECK(bytes != NULL && len == size);
        CHECK(size == 0 || memcmp(bytes, want, size) == 0);
    } else {
        CHECK(bytes == NULL);
    }
    CHECK(ddsi_serdata_size(d) == size);

    /* Re-serialisation slices, as Cyclone asks them: within the size rounded up to 4, the
     * bytes past the size reading as zero. */
    size_t lim = round4(size);
    size_t off = lim ? take16(in) % (lim + 1) : 0;
    size_t sz = take16(in) % (lim - off + 1);
    unsigned char *buf = malloc(sz ? sz : 1);
    CHECK(buf != NULL);
    ddsi_serdata_to_ser(d, off, sz, buf);
    for (size_t i = 0; i < sz; i++) CHECK(buf[i] == (off + i < size ? want[off + i] : 0));
    free(buf);
    ddsrt_iovec_t ref;
    struct ddsi_serdata *r = ddsi_serdata_to_ser_ref(d, off, sz, &ref);
    CHECK(r == d);
    size_t reflen = off < size ? (sz < size - off ? sz : size - off) : 0;
    CHECK(ref.iov_len == reflen);
    CHECK(reflen == 0 || memcmp(ref.iov_base, want + off, reflen) == 0);
    ddsi_serdata_to_ser_unref(r, &ref);

    /* Instance identity. */
    struct ddsi_keyhash got;
    ddsi_serdata_get_keyhash(d, &got, take8(in) & 1);
    static const unsigned char zero[16];
    CHECK(memcmp(got.value, keyed && kh ? kh : zero, 16) == 0);
    struct ddsi_serdata *u = ddsi_serdata_to_untyped(d);
    CHECK(u != NULL && u->type == NULL && u->hash == d->hash && ddsi_serdata_eqkey(u, d));
    CHECK(rdds_serdata_bytes(u, &len) == NULL);
    struct ddsi_keyhash other;
    memcpy(other.value, got.value, 16);
    other.value[take8(in) % 16] ^= (unsigned char)(1 + take8(in) % 255);
    struct ddsi_serdata *same = ddsi_serdata_from_keyhash(st, &got);
    struct ddsi_serdata *diff = ddsi_serdata_from_keyhash(st, &other);
    CHECK(same != NULL && diff != NULL);
    CHECK(ddsi_serdata_eqkey(same, d) && same->hash == d->hash);
    CHECK(ddsi_serdata_eqkey(diff, d) == !keyed); /* keyless: a single instance */

    /* Tracing into a buffer of any size, exactly allocated. */
    size_t plen = take8(in) % 40;
    char *pbuf = malloc(plen ? plen : 1);
    CHECK(pbuf != NULL);
    ddsi_serdata_print(d, pbuf, plen);
    if (plen) CHECK(memchr(pbuf, '\0', plen) != NULL);
    free(pbuf);

    ddsi_serdata_unref(same);
    ddsi_serdata_unref(diff);
    ddsi_serdata_unref(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size_in) {
    input in = {data, size_in};
    uint8_t flags = take8(&in);
    int keyed = flags & 1;
    int has_kh = (flags >> 1) & 1;
    enum ddsi_serdata_kind kind = (flags >> 2) & 1 ? SDK_KEY : SDK_DATA;
    size_t size = take16(&in) % (SIZE_MAX_FUZZ + 1);
    size_t nfrags = 1 + take8(&in) % FRAGS_MAX;
    unsigned char kh[16];
    for (int i = 0; i < 16; i++) kh[i] = take8(&in);
    char name[NAME_MAX_FUZZ + 1];
    size_t namelen = take8(&in) % (NAME_MAX_FUZZ + 1);
    for (size_t i = 0; i < namelen; i++) name[i] = (char)take8(&in);
    name[namelen] = '\0'; /* a NUL inside just shortens it, as a C string from discovery would */

    frag_spec fs[FRAGS_MAX];
    for (size_t i = 0; i < nfrags; i++) {
        /* min anywhere up to just past the sample, length up to a bit more than the sample:
         * holes, overlaps, out-of-order and overlong fragments all occur, and the work per
         * input stays proportional to the sample size. */
        fs[i].min = (uint32_t)(take16(&in) % (size + 2));
        fs[i].maxp1 = fs[i].min + (uint32_t)(take16(&in) % (size + 65));
        /* Cyclone keeps payload offsets 4-aligned and below 64 KiB. */
        fs[i].zoff = (uint16_t)(4 * (take8(&in) % 64));
    }
    input bytes = in; /* everything left: the sample's bytes */

    unsigned char *want = malloc(size ? size : 1);
    CHECK(want != NULL);
    for (size_t i = 0; i < size; i++) want[i] = sample_byte(&bytes, i);

    struct ddsi_sertype *st = rdds_sertype_new(name, keyed);
    CHECK(st != NULL);

    /* The chain: every fragment in its own packet, the key hash (if any) in the first one,
     * placed before the payload as the inline QoS is. */
    struct nn_rdata frag[FRAGS_MAX];
    struct nn_rmsg *msg[FRAGS_MAX];
    for (size_t i = 0; i < nfrags; i++) {
        size_t flen = fs[i].maxp1 - fs[i].min;
        size_t zoff = fs[i].zoff;
        if (i == 0 && has_kh && zoff < 20) zoff = 20;
        msg[i] = malloc(sizeof *msg[i] + zoff + flen);
        CHECK(msg[i] != NULL);
        memset(msg[i], 0xa5, sizeof *msg[i] + zoff);
        unsigned char *pkt = NN_RMSG_PAYLOAD(msg[i]);
        /* Bytes past the sample's end are whatever else the packet held. */
        for (size_t k = 0; k < flen; k++) {
            size_t at = fs[i].min + k;
            pkt[zoff + k] = at < size ? want[at] : (unsigned char)~sample_byte(&bytes, at);
        }
        memset(&frag[i], 0, sizeof frag[i]);
        frag[i].rmsg = msg[i];
        frag[i].nextfrag = i + 1 < nfrags ? &frag[i + 1] : NULL;
        frag[i].min = fs[i].min;
        frag[i].maxp1 = fs[i].maxp1;
        frag[i].payload_zoff = (uint16_t)zoff;
        if (i == 0 && has_kh) {
            memcpy(pkt + 4, kh, 16);
            frag[i].keyhash_zoff = 4;
        }
    }

    struct ddsi_serdata *d = ddsi_serdata_from_ser(st, kind, &frag[0], size);
    int sorted = 1;
    for (size_t i = 1; i < nfrags; i++) sorted &= fs[i - 1].min <= fs[i].min;
    int covered = covers(fs, nfrags, size);
    if (!covered) CHECK(d == NULL);
    if (covered && sorted) CHECK(d != NULL);
    if (d != NULL) {
        check_serdata(st, d, want, size, keyed, has_kh ? kh : NULL, &in);
        ddsi_serdata_unref(d);
    }
    for (size_t i = 0; i < nfrags; i++) free(msg[i]);

    /* The same sample by local delivery: an iovec split at fuzzer-chosen points. */
    ddsrt_iovec_t iov[FRAGS_MAX];
    size_t niov = nfrags, at = 0;
    for (size_t i = 0; i < niov; i++) {
        size_t n = i + 1 < niov ? fs[i].maxp1 - fs[i].min : size - at;
        if (n > size - at) n = size - at;
        iov[i].iov_base = want + at;
        iov[i].iov_len = (ddsrt_iov_len_t)n;
        at += n;
    }
    d = ddsi_serdata_from_ser_iov(st, SDK_DATA, (ddsrt_msg_iovlen_t)niov, iov, size);
    CHECK(d != NULL);
    check_serdata(st, d, want, size, keyed, NULL, &in);
    ddsi_serdata_unref(d);
    /* An iovec that holds less than the size is refused. */
    if (size > 0) {
        iov[0].iov_base = want;
        iov[0].iov_len = (ddsrt_iov_len_t)(size - 1);
        CHECK(ddsi_serdata_from_ser_iov(st, SDK_DATA, 1, iov, size) == NULL);
    }

    ddsi_sertype_unref(st);
    free(want);
    return 0;
}
