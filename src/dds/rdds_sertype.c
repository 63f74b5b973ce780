/* rdds_sertype — raw-CDR sertype for Cyclone DDS 0.10.x (see rdds_sertype.h).
 *
 * Map: serdata (one allocation per sample) · serdata ops · sertype ops · constructors.
 *
 * Which callbacks a reader-only sertype meets in 0.10.2: from_ser (network data, fragment
 * chain), from_ser_iov (local delivery from a writer of another sertype in the same process,
 * via ddsi_serdata_ref_as_type), from_keyhash (dispose/unregister carrying only a key hash),
 * to_untyped + eqkey + hash (instance lookup in the key map; takecdr hands the untyped serdata
 * back for invalid samples), get_size / to_ser* (re-serialisation, e.g. ref_as_type towards
 * another sertype), print (tracing), free. to_sample / from_sample concern typed samples, which
 * this sertype does not have.
 */
#include "dds/rdds_sertype.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dds/dds.h>
#include <dds/ddsi/ddsi_serdata.h>
#include <dds/ddsi/ddsi_sertype.h>
#include <dds/ddsi/q_radmin.h>

#ifndef DDS_NDEBUG
#error "rdds_sertype must be compiled with -DDDS_NDEBUG (pkg-config CycloneDDS): struct nn_rdata's layout depends on it"
#endif

/* ---- serdata --------------------------------------------------------------------------- */

typedef struct rdds_serdata {
    struct ddsi_serdata c;   /* Cyclone's common part; must be first */
    uint32_t size;           /* bytes in cdr[], encapsulation header included */
    unsigned char kh[16];    /* key hash (all zero for keyless topics or when none was sent) */
    int64_t wseq;            /* the writer's RTPS sequence number, 0 = unknown (local delivery) */
    unsigned char wguid[16]; /* the writer's GUID, network byte order; valid when wseq > 0 */
    unsigned char cdr[];     /* the serialized sample */
} rdds_serdata;

typedef struct rdds_sertype {
    struct ddsi_sertype c;   /* Cyclone's common part; must be first */
} rdds_sertype;

static const struct ddsi_serdata_ops rdds_serdata_ops;

static uint32_t kh_hash(const unsigned char kh[16], uint32_t basehash) {
    /* FNV-1a over the key hash: instances only need a well-spread 32-bit value. */
    uint32_t h = 2166136261u;
    for (int i = 0; i < 16; i++) h = (h ^ kh[i]) * 16777619u;
    return h ^ basehash;
}

static rdds_serdata *sd_alloc(const struct ddsi_sertype *type, enum ddsi_serdata_kind kind, size_t size) {
    if (size > UINT32_MAX) return NULL;
    rdds_serdata *d = malloc(sizeof *d + size);
    if (d == NULL) return NULL;
    ddsi_serdata_init(&d->c, type, kind);
    d->size = (uint32_t)size;
    memset(d->kh, 0, sizeof d->kh);
    d->wseq = 0;
    return d;
}

static void sd_set_key(rdds_serdata *d, const ddsi_keyhash_t *kh) {
    const struct ddsi_sertype *type = d->c.type;
    if (!type->typekind_no_key && kh != NULL) memcpy(d->kh, kh->value, sizeof d->kh);
    d->c.hash = type->typekind_no_key ? type->serdata_basehash : kh_hash(d->kh, type->serdata_basehash);
}

/* Which writer sent the sample, and its sequence number: what lets two recorders agree on
 * "the same sample" (the hot standby skips what the primary already wrote). Cyclone keeps the
 * whole datagram behind the fragment chain and has already validated the first fragment's
 * DATA / DATA_FRAG submessage and turned writerSN and writerId into native byte order in place.
 * Both submessages start alike: header (4), extraFlags (2), octetsToInlineQos (2), readerId (4),
 * writerId (4), writerSN (high int32, low uint32). The GUID prefix is the RTPS header's (bytes
 * 8..19): an INFO_SRC submessage could change it, which no DDS implementation we know sends in
 * ordinary traffic. */
static void sd_set_origin(rdds_serdata *d, const struct nn_rdata *frag) {
    if (frag == NULL || frag->submsg_zoff == 0) return;
    const unsigned char *pkt = NN_RMSG_PAYLOAD(frag->rmsg);
    const unsigned char *sm = NN_RMSG_PAYLOADOFF(frag->rmsg, NN_RDATA_SUBMSG_OFF(frag));
    if (memcmp(pkt, "RTPS", 4) != 0 || (sm[0] != 0x15 && sm[0] != 0x16)) return; /* DATA, DATA_FRAG */
    uint32_t wid, lo;
    int32_t hi;
    memcpy(&wid, sm + 12, sizeof wid);
    memcpy(&hi, sm + 16, sizeof hi);
    memcpy(&lo, sm + 20, sizeof lo);
    int64_t seq = (int64_t)((uint64_t)(uint32_t)hi << 32 | lo);
    if (seq <= 0) return;
    memcpy(d->wguid, pkt + 8, 12);
    for (int i = 0; i < 4; i++) d->wguid[12 + i] = (unsigned char)(wid >> (24 - 8 * i));
    d->wseq = seq;
}

static struct ddsi_serdata *sd_from_ser(const struct ddsi_sertype *type, enum ddsi_serdata_kind kind,
                                        const struct nn_rdata *frag, size_t size) {
    rdds_serdata *d = sd_alloc(type, kind, size);
    if (d == NULL) return NULL;
    /* Fragments arrive in order and may overlap; the first starts at 0 and holds the whole
     * encapsulation header. Copy each fragment's bytes beyond what earlier ones covered. */
    size_t off = 0;
    const struct nn_rdata *f = frag;
    while (f != NULL && off < size) {
        size_t maxp1 = f->maxp1 < size ? f->maxp1 : size;
        if (f->min > off) break; /* a hole cannot happen for a complete sample; stop safely */
        if (maxp1 > off) {
            const unsigned char *payload = NN_RMSG_PAYLOADOFF(f->rmsg, NN_RDATA_PAYLOAD_OFF(f));
            memcpy(d->cdr + off, payload + (off - f->min), maxp1 - off);
            off = maxp1;
        }
        f = f->nextfrag;
    }
    if (off < size) {
        free(d);
        return NULL;
    }
    sd_set_key(d, ddsi_serdata_keyhash_from_fragchain(frag));
    sd_set_origin(d, frag);
    return &d->c;
}

static struct ddsi_serdata *sd_from_ser_iov(const struct ddsi_sertype *type, enum ddsi_serdata_kind kind,
                                            ddsrt_msg_iovlen_t niov, const ddsrt_iovec_t *iov, size_t size) {
    rdds_serdata *d = sd_alloc(type, kind, size);
    if (d == NULL) return NULL;
    size_t off = 0;
    for (ddsrt_msg_iovlen_t i = 0; i < niov && off < size; i++) {
        size_t n = iov[i].iov_len < size - off ? iov[i].iov_len : size - off;
        memcpy(d->cdr + off, iov[i].iov_base, n);
        off += n;
    }
    if (off < size) {
        free(d);
        return NULL;
    }
    /* No key hash travels with a local delivery; such samples share one instance. */
    sd_set_key(d, NULL);
    return &d->c;
}

static struct ddsi_serdata *sd_from_keyhash(const struct ddsi_sertype *type, const struct ddsi_keyhash *kh) {
    rdds_serdata *d = sd_alloc(type, SDK_KEY, 0);
    if (d == NULL) return NULL;
    sd_set_key(d, kh);
    return &d->c;
}

static struct ddsi_serdata *sd_from_sample(const struct ddsi_sertype *type, enum ddsi_serdata_kind kind,
                                           const void *sample) {
    (void)type;
    (void)kind;
    (void)sample;
    return NULL; /* no typed samples: writing through this sertype fails cleanly */
}

static struct ddsi_serdata *sd_to_untyped(const struct ddsi_serdata *dcmn) {
    const rdds_serdata *d = (const rdds_serdata *)dcmn;
    rdds_serdata *u = sd_alloc(d->c.type, SDK_KEY, 0);
    if (u == NULL) return NULL;
    memcpy(u->kh, d->kh, sizeof u->kh);
    u->c.hash = d->c.hash;
    u->c.type = NULL; /* untyped: lives in the domain-wide key map, shared across readers */
    return &u->c;
}

static uint32_t sd_get_size(const struct ddsi_serdata *dcmn) {
    return ((const rdds_serdata *)dcmn)->size;
}

static bool sd_eqkey(const struct ddsi_serdata *a, const struct ddsi_serdata *b) {
    return memcmp(((const rdds_serdata *)a)->kh, ((const rdds_serdata *)b)->kh, 16) == 0;
}

static void sd_free(struct ddsi_serdata *dcmn) {
    free(dcmn);
}

static void sd_to_ser(const struct ddsi_serdata *dcmn, size_t off, size_t sz, void *buf) {
    const rdds_serdata *d = (const rdds_serdata *)dcmn;
    /* Bytes past size up to the 4-byte alignment are "undefined" to the protocol: zero them. */
    size_t have = off < d->size ? d->size - off : 0;
    size_t n = sz < have ? sz : have;
    memcpy(buf, d->cdr + off, n);
    memset((char *)buf + n, 0, sz - n);
}

static struct ddsi_serdata *sd_to_ser_ref(const struct ddsi_serdata *dcmn, size_t off, size_t sz, ddsrt_iovec_t *ref) {
    const rdds_serdata *d = (const rdds_serdata *)dcmn;
    if (off > d->size) off = d->size;
    if (sz > d->size - off) sz = d->size - off;
    ref->iov_base = (void *)(d->cdr + off);
    ref->iov_len = (ddsrt_iov_len_t)sz;
    return ddsi_serdata_ref(dcmn);
}

static void sd_to_ser_unref(struct ddsi_serdata *dcmn, const ddsrt_iovec_t *ref) {
    (void)ref;
    ddsi_serdata_unref(dcmn);
}

static bool sd_to_sample(const struct ddsi_serdata *d, void *sample, void **bufptr, void *buflim) {
    (void)d;
    (void)sample;
    (void)bufptr;
    (void)buflim;
    return false;
}

static bool sd_untyped_to_sample(const struct ddsi_sertype *type, const struct ddsi_serdata *d, void *sample,
                                 void **bufptr, void *buflim) {
    (void)type;
    (void)d;
    (void)sample;
    (void)bufptr;
    (void)buflim;
    return false;
}

static size_t sd_print(const struct ddsi_sertype *type, const struct ddsi_serdata *dcmn, char *buf, size_t size) {
    (void)type;
    const rdds_serdata *d = (const rdds_serdata *)dcmn;
    int n = snprintf(buf, size, "raw cdr %u bytes", (unsigned)d->size);
    return n < 0 ? 0 : (size_t)n;
}

static void sd_get_keyhash(const struct ddsi_serdata *dcmn, struct ddsi_keyhash *buf, bool force_md5) {
    /* What the writer sent is already the wire key hash (MD5 when the key is long). */
    (void)force_md5;
    memcpy(buf->value, ((const rdds_serdata *)dcmn)->kh, 16);
}

static const struct ddsi_serdata_ops rdds_serdata_ops = {
    .eqkey = sd_eqkey,
    .get_size = sd_get_size,
    .from_ser = sd_from_ser,
    .from_ser_iov = sd_from_ser_iov,
    .from_keyhash = sd_from_keyhash,
    .from_sample = sd_from_sample,
    .to_ser = sd_to_ser,
    .to_ser_ref = sd_to_ser_ref,
    .to_ser_unref = sd_to_ser_unref,
    .to_sample = sd_to_sample,
    .to_untyped = sd_to_untyped,
    .untyped_to_sample = sd_untyped_to_sample,
    .free = sd_free,
    .print = sd_print,
    .get_keyhash = sd_get_keyhash,
#ifdef DDS_HAS_SHM
    .get_sample_size = NULL,  /* no shared-memory transport: samples are never iceoryx chunks */
    .from_iox_buffer = NULL,
#endif
};

/* ---- sertype --------------------------------------------------------------------------- */

/* Samples of this type (what dds_read would fill) are just the CDR blob descriptor; only the
 * generic loan machinery ever touches them. */
typedef ddsi_sertype_cdr_data_t rdds_sample;

static bool st_equal(const struct ddsi_sertype *a, const struct ddsi_sertype *b) {
    (void)a;
    (void)b;
    return true; /* nothing beyond the common fields, which Cyclone compares itself */
}

static uint32_t st_hash(const struct ddsi_sertype *tp) {
    (void)tp;
    return 0;
}

static void st_free(struct ddsi_sertype *tp) {
    ddsi_sertype_fini(tp);
    free(tp);
}

static void st_zero_samples(const struct ddsi_sertype *tp, void *samples, size_t count) {
    (void)tp;
    memset(samples, 0, count * sizeof(rdds_sample));
}

static void st_realloc_samples(void **ptrs, const struct ddsi_sertype *tp, void *old, size_t oldcount, size_t count) {
    (void)tp;
    char *p = oldcount == count ? old : dds_realloc(old, count * sizeof(rdds_sample));
    if (p != NULL && count > oldcount) memset(p + oldcount * sizeof(rdds_sample), 0, (count - oldcount) * sizeof(rdds_sample));
    for (size_t i = 0; i < count; i++) ptrs[i] = p == NULL ? NULL : p + i * sizeof(rdds_sample);
}

static void st_free_samples(const struct ddsi_sertype *tp, void **ptrs, size_t count, dds_free_op_t op) {
    (void)tp;
    if (count == 0) return;
    for (size_t i = 0; i < count; i++) {
        rdds_sample *s = ptrs[i];
        dds_free(s->data);
        s->data = NULL;
        s->sz = 0;
    }
    if (op & DDS_FREE_ALL_BIT) dds_free(ptrs[0]);
}

static const struct ddsi_sertype_ops rdds_sertype_ops = {
    .version = ddsi_sertype_v0,
    .arg = NULL,
    .free = st_free,
    .zero_samples = st_zero_samples,
    .realloc_samples = st_realloc_samples,
    .free_samples = st_free_samples,
    .equal = st_equal,
    .hash = st_hash,
    /* No type information: matching is by type name only, which is what a recorder that has
     * no type definitions needs. */
    .type_id = NULL,
    .type_map = NULL,
    .type_info = NULL,
    .derive_sertype = NULL,
    .get_serialized_size = NULL,
    .serialize_into = NULL,
};

struct ddsi_sertype *rdds_sertype_new(const char *type_name, int keyed) {
    rdds_sertype *st = calloc(1, sizeof *st);
    if (st == NULL) return NULL;
    uint32_t flags = keyed ? DDSI_SERTYPE_FLAG_REQUEST_KEYHASH : DDSI_SERTYPE_FLAG_TOPICKIND_NO_KEY;
    ddsi_sertype_init_flags(&st->c, type_name, &rdds_sertype_ops, &rdds_serdata_ops, flags);
    return &st->c;
}

const void *rdds_serdata_bytes(const struct ddsi_serdata *d, size_t *len) {
    if (d->ops != &rdds_serdata_ops || d->kind != SDK_DATA) return NULL;
    const rdds_serdata *r = (const rdds_serdata *)d;
    *len = r->size;
    return r->cdr;
}

int rdds_serdata_origin(const struct ddsi_serdata *d, unsigned char guid[16], int64_t *seq) {
    if (d->ops != &rdds_serdata_ops) return 0;
    const rdds_serdata *r = (const rdds_serdata *)d;
    if (r->wseq <= 0) return 0;
    memcpy(guid, r->wguid, 16);
    *seq = r->wseq;
    return 1;
}
