/* Unit tests of rdds_nodes: ros_discovery_info payloads built by hand in both byte orders and
 * both Gid sizes (24 up to Iron, 16 from Jazzy), namespaces joined into node names, and
 * truncated, garbled or ambiguous payloads rejected. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dds/rdds_nodes.h"

typedef struct buf {
    uint8_t b[4096];
    size_t n;   /* bytes written, header included */
    int be;     /* 1: big endian */
    unsigned gid;
} buf;

static void b_init(buf *b, int be, unsigned gid) {
    memset(b, 0, sizeof *b);
    b->be = be;
    b->gid = gid;
    b->b[1] = be ? 0x00 : 0x01;
    b->n = 4;
}

static void b_u32(buf *b, uint32_t v) {
    while ((b->n - 4) % 4) b->b[b->n++] = 0;
    for (int i = 0; i < 4; i++) b->b[b->n++] = (uint8_t)(v >> (b->be ? 24 - 8 * i : 8 * i));
}

static void b_str(buf *b, const char *s) {
    uint32_t l = (uint32_t)strlen(s) + 1;
    b_u32(b, l);
    memcpy(b->b + b->n, s, l);
    b->n += l;
}

/* A GID whose 16-byte GUID is `tag` repeated with a distinct last byte; the tail (Humble) is 0. */
static void b_gid(buf *b, uint8_t tag) {
    for (unsigned i = 0; i < b->gid; i++) b->b[b->n++] = i < 15 ? tag : i == 15 ? 0x03 : 0;
}

/* participant 0x50; node "/talker" (root ns) with writers 0x11, 0x12 and one reader; node
 * "/ns/camera" with writer 0x21. */
static void build_two(buf *b, int be, unsigned gid) {
    b_init(b, be, gid);
    b_gid(b, 0x50);
    b_u32(b, 2);
    b_str(b, "/");
    b_str(b, "talker");
    b_u32(b, 1);
    b_gid(b, 0x99);
    b_u32(b, 2);
    b_gid(b, 0x11);
    b_gid(b, 0x12);
    b_str(b, "/ns");
    b_str(b, "camera");
    b_u32(b, 0);
    b_u32(b, 1);
    b_gid(b, 0x21);
}

static void check_two(const rdds_nodes_msg *m, unsigned gid) {
    assert_int_equal(m->gid_size, gid);
    assert_int_equal(m->participant[0], 0x50);
    assert_int_equal(m->nnodes, 2);
    assert_string_equal(m->fqn[0], "/talker");
    assert_string_equal(m->fqn[1], "/ns/camera");
    assert_int_equal(m->nwriters, 3);
    assert_int_equal(m->writers[0].guid[0], 0x11);
    assert_int_equal(m->writers[0].guid[15], 0x03);
    assert_int_equal(m->writers[0].node, 0);
    assert_int_equal(m->writers[1].guid[0], 0x12);
    assert_int_equal(m->writers[1].node, 0);
    assert_int_equal(m->writers[2].guid[0], 0x21);
    assert_int_equal(m->writers[2].node, 1);
}

static void test_all_layouts(void **st) {
    (void)st;
    const unsigned gids[] = {16, 24};
    for (int be = 0; be <= 1; be++)
        for (int g = 0; g < 2; g++) {
            buf b;
            rdds_nodes_msg m;
            build_two(&b, be, gids[g]);
            assert_int_equal(rdds_nodes_parse(b.b, b.n, &m), 0);
            check_two(&m, gids[g]);
            rdds_nodes_free(&m);
            /* XCDR2 encapsulation ids encode this final type identically. */
            b.b[1] = be ? 0x06 : 0x07;
            assert_int_equal(rdds_nodes_parse(b.b, b.n, &m), 0);
            check_two(&m, gids[g]);
            rdds_nodes_free(&m);
            /* Trailing alignment padding (up to 3 bytes) is accepted. */
            assert_int_equal(rdds_nodes_parse(b.b, b.n + 3, &m), 0);
            rdds_nodes_free(&m);
        }
}

static void test_empty_participant(void **st) {
    (void)st;
    const unsigned gids[] = {16, 24};
    for (int g = 0; g < 2; g++) {
        buf b;
        rdds_nodes_msg m;
        b_init(&b, 0, gids[g]);
        b_gid(&b, 0x50);
        b_u32(&b, 0);
        assert_int_equal(rdds_nodes_parse(b.b, b.n, &m), 0);
        assert_int_equal(m.gid_size, gids[g]);
        assert_int_equal(m.nnodes, 0);
        assert_int_equal(m.nwriters, 0);
        rdds_nodes_free(&m);
    }
}

static void test_namespaces(void **st) {
    (void)st;
    const char *ns[] = {"/", "/a/b", "/a/", ""}, *want[] = {"/n", "/a/b/n", "/a/n", "/n"};
    for (int i = 0; i < 4; i++) {
        buf b;
        rdds_nodes_msg m;
        b_init(&b, 1, 16);
        b_gid(&b, 0x50);
        b_u32(&b, 1);
        b_str(&b, ns[i]);
        b_str(&b, "n");
        b_u32(&b, 0);
        b_u32(&b, 0);
        assert_int_equal(rdds_nodes_parse(b.b, b.n, &m), 0);
        assert_string_equal(m.fqn[0], want[i]);
        rdds_nodes_free(&m);
    }
}

static void test_truncated(void **st) {
    (void)st;
    buf b;
    rdds_nodes_msg m;
    for (unsigned gid = 16; gid <= 24; gid += 8) {
        build_two(&b, 0, gid);
        /* Every proper prefix beyond the padding allowance fails, and leaves nothing to free. One
         * exception is the format's own: a Humble GID's zero tail makes its first 20..23 payload
         * bytes a well-formed Jazzy message (16-byte GID, zero nodes). */
        for (size_t n = 0; n + 3 < b.n; n++) {
            int rc = rdds_nodes_parse(b.b, n, &m);
            if (gid == 24 && n >= 4 + 20 && n <= 4 + 23 && rc == 0) {
                assert_int_equal(m.gid_size, 16);
                assert_int_equal(m.nnodes, 0);
                rdds_nodes_free(&m);
                continue;
            }
            assert_int_equal(rc, -EPROTO);
            assert_null(m.fqn);
            assert_null(m.writers);
        }
    }
    /* Four bytes of trailing junk are not padding. */
    assert_int_equal(rdds_nodes_parse(b.b, b.n + 4, &m), -EPROTO);
}

static void test_garbage(void **st) {
    (void)st;
    buf b;
    rdds_nodes_msg m;
    build_two(&b, 0, 16);
    buf c = b;
    c.b[1] = 0x02; /* PL_CDR_BE: not this type's encoding */
    assert_int_equal(rdds_nodes_parse(c.b, c.n, &m), -EPROTO);
    c = b;
    c.b[4 + 16] = 0xff; /* node count 255: the bytes are not there */
    assert_int_equal(rdds_nodes_parse(c.b, c.n, &m), -EPROTO);
    c = b;
    c.b[4 + 16 + 4 + 4 + 1] = 'x'; /* namespace "/" loses its NUL */
    assert_int_equal(rdds_nodes_parse(c.b, c.n, &m), -EPROTO);
    c = b;
    memset(c.b + 4 + 16 + 4, 0xff, 4); /* string length 2^32-1 */
    assert_int_equal(rdds_nodes_parse(c.b, c.n, &m), -EPROTO);
    assert_int_equal(rdds_nodes_parse(NULL, 0, &m), -EPROTO);
    /* An empty node name is not a node. */
    b_init(&c, 0, 16);
    b_gid(&c, 0x50);
    b_u32(&c, 1);
    b_str(&c, "/");
    b_str(&c, "");
    b_u32(&c, 0);
    b_u32(&c, 0);
    assert_int_equal(rdds_nodes_parse(c.b, c.n, &m), -EPROTO);
}

/* Humble's 24-byte GID ends in zeros: its bytes 16..19 read as a node count of 0 under the
 * 16-byte layout, which then leaves 8 unexplained bytes, so only 24 fits. */
static void test_gid_size_detect(void **st) {
    (void)st;
    buf b;
    rdds_nodes_msg m;
    b_init(&b, 0, 24);
    b_gid(&b, 0x50);
    b_u32(&b, 0);
    assert_int_equal(rdds_nodes_parse(b.b, b.n, &m), 0);
    assert_int_equal(m.gid_size, 24);
    rdds_nodes_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_layouts),
        cmocka_unit_test(test_empty_participant),
        cmocka_unit_test(test_namespaces),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_gid_size_detect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
