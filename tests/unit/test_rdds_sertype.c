/* Unit tests of rdds_sertype: the raw serdata built from a hand-made received fragment chain
 * (several fragments, overlapping ones, a key hash in the message) through Cyclone's own
 * ddsi_serdata_* entry points, instance identity for keyed and keyless topics, untyped key
 * samples, re-serialisation and reference counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dds/dds.h>
#include <dds/ddsi/ddsi_serdata.h>
#include <dds/ddsi/ddsi_sertype.h>
#include <dds/ddsi/q_radmin.h>

#include "dds/rdds_sertype.h"

#define PAYLOAD 3000 /* sample size, encapsulation header included */
#define KH_OFF 8     /* where the key hash sits in the fake packet */
#define DATA_OFF 32  /* where the sample bytes start in the fake packet */

typedef struct fake_msg {
    struct nn_rmsg *m;       /* the "received packet": nn_rmsg header, then payload bytes */
    struct nn_rdata frag[3]; /* fragment chain over it */
    unsigned char sample[PAYLOAD]; /* the bytes the chain describes */
} fake_msg;

/* Three fragments [0,1200) [1000,2100) [2100,3000): the middle one overlaps the first, as
 * DDSI allows. Each fragment's payload offset points at its own bytes in the packet. */
static void fake_init(fake_msg *f, const unsigned char kh[16]) {
    for (int i = 0; i < PAYLOAD; i++) f->sample[i] = (unsigned char)(i * 7 + 3);
    f->sample[0] = 0; f->sample[1] = 1; f->sample[2] = 0; f->sample[3] = 0;
    f->m = calloc(1, sizeof *f->m + DATA_OFF + 3 * PAYLOAD);
    assert_non_null(f->m);
    unsigned char *pkt = NN_RMSG_PAYLOAD(f->m);
    if (kh != NULL) memcpy(pkt + KH_OFF, kh, 16);
    const uint32_t mins[3] = {0, 1000, 2100}, maxs[3] = {1200, 2100, 3000};
    size_t at = DATA_OFF;
    for (int i = 0; i < 3; i++) {
        memcpy(pkt + at, f->sample + mins[i], maxs[i] - mins[i]);
        memset(&f->frag[i], 0, sizeof f->frag[i]);
        f->frag[i].rmsg = f->m;
        f->frag[i].nextfrag = i < 2 ? &f->frag[i + 1] : NULL;
        f->frag[i].min = mins[i];
        f->frag[i].maxp1 = maxs[i];
        f->frag[i].payload_zoff = (uint16_t)at;
        f->frag[i].keyhash_zoff = kh != NULL ? KH_OFF : 0;
        at += maxs[i] - mins[i];
    }
}

static void test_from_ser_fragments(void **state) {
    (void)state;
    struct ddsi_sertype *st = rdds_sertype_new("Test::Raw", 1);
    assert_non_null(st);
    assert_int_equal(st->typekind_no_key, 0);
    assert_int_equal(st->request_keyhash, 1);
    const unsigned char kh[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    fake_msg f;
    fake_init(&f, kh);
    struct ddsi_serdata *d = ddsi_serdata_from_ser(st, SDK_DATA, &f.frag[0], PAYLOAD);
    assert_non_null(d);
    size_t len = 0;
    const unsigned char *bytes = rdds_serdata_bytes(d, &len);
    assert_non_null(bytes);
    assert_int_equal(len, PAYLOAD);
    assert_memory_equal(bytes, f.sample, PAYLOAD);
    assert_int_equal(ddsi_serdata_size(d), PAYLOAD);

    struct ddsi_keyhash got;
    ddsi_serdata_get_keyhash(d, &got, false);
    assert_memory_equal(got.value, kh, 16);

    /* to_ser of a slice, and the 4-byte alignment tail zeroed */
    unsigned char buf[64];
    ddsi_serdata_to_ser(d, 1990, 20, buf);
    assert_memory_equal(buf, f.sample + 1990, 20);
    ddsi_serdata_to_ser(d, PAYLOAD - 2, 4, buf);
    assert_memory_equal(buf, f.sample + PAYLOAD - 2, 2);
    assert_int_equal(buf[2], 0);
    ddsrt_iovec_t ref;
    struct ddsi_serdata *r = ddsi_serdata_to_ser_ref(d, 4, 100, &ref);
    assert_ptr_equal(r, d);
    assert_int_equal(ref.iov_len, 100);
    assert_memory_equal(ref.iov_base, f.sample + 4, 100);
    ddsi_serdata_to_ser_unref(r, &ref);

    /* the untyped (key-only) form carries the same instance identity */
    struct ddsi_serdata *u = ddsi_serdata_to_untyped(d);
    assert_non_null(u);
    assert_null(u->type);
    assert_int_equal(u->hash, d->hash);
    assert_true(ddsi_serdata_eqkey(u, d));
    assert_null(rdds_serdata_bytes(u, &len)); /* not data: what takecdr gives for invalid samples */

    /* a different key hash is a different instance; the same one (from_keyhash) is not */
    unsigned char kh2[16];
    memcpy(kh2, kh, 16);
    kh2[15] ^= 0xff;
    struct ddsi_keyhash k2, k1;
    memcpy(k2.value, kh2, 16);
    memcpy(k1.value, kh, 16);
    struct ddsi_serdata *o = ddsi_serdata_from_keyhash(st, &k2);
    struct ddsi_serdata *s = ddsi_serdata_from_keyhash(st, &k1);
    assert_false(ddsi_serdata_eqkey(o, d));
    assert_true(ddsi_serdata_eqkey(s, d));
    assert_int_equal(s->hash, d->hash);
    assert_int_equal(s->kind, SDK_KEY);

    char text[64];
    ddsi_serdata_print(d, text, sizeof text);
    assert_non_null(strstr(text, "3000"));

    /* typed samples are not supported: writes through this sertype fail cleanly */
    assert_null(ddsi_serdata_from_sample(st, SDK_DATA, "x"));

    ddsi_serdata_unref(o);
    ddsi_serdata_unref(s);
    ddsi_serdata_unref(u);
    ddsi_serdata_ref(d);
    ddsi_serdata_unref(d); /* still alive: one reference left */
    assert_int_equal(rdds_serdata_bytes(d, &len) != NULL, 1);
    ddsi_serdata_unref(d);
    free(f.m);
    ddsi_sertype_unref(st); /* never registered: unref frees it through ops->free */
}

static void test_keyless(void **state) {
    (void)state;
    struct ddsi_sertype *st = rdds_sertype_new("Test::Keyless", 0);
    assert_int_equal(st->typekind_no_key, 1);
    assert_int_equal(st->request_keyhash, 0);
    const unsigned char kh[16] = {9};
    fake_msg a, b;
    fake_init(&a, kh);
    fake_init(&b, NULL);
    struct ddsi_serdata *da = ddsi_serdata_from_ser(st, SDK_DATA, &a.frag[0], PAYLOAD);
    struct ddsi_serdata *db = ddsi_serdata_from_ser(st, SDK_DATA, &b.frag[0], PAYLOAD);
    /* one instance whatever the packet carries */
    assert_true(ddsi_serdata_eqkey(da, db));
    assert_int_equal(da->hash, db->hash);
    /* a chain that ends early (hole at the end) is refused, not padded with garbage */
    b.frag[2].maxp1 = 2500;
    assert_null(ddsi_serdata_from_ser(st, SDK_DATA, &b.frag[0], PAYLOAD));
    /* from an iovec (local delivery) */
    ddsrt_iovec_t iov[2] = {{.iov_base = a.sample, .iov_len = 100}, {.iov_base = a.sample + 100, .iov_len = PAYLOAD - 100}};
    struct ddsi_serdata *dc = ddsi_serdata_from_ser_iov(st, SDK_DATA, 2, iov, PAYLOAD);
    size_t len;
    assert_memory_equal(rdds_serdata_bytes(dc, &len), a.sample, PAYLOAD);
    ddsi_serdata_unref(da);
    ddsi_serdata_unref(db);
    ddsi_serdata_unref(dc);
    free(a.m);
    free(b.m);
    ddsi_sertype_unref(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_ser_fragments),
        cmocka_unit_test(test_keyless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
