/* rdds_nodes — ros_discovery_info decoder (see rdds_nodes.h).
 *
 * Two passes over the same walker: the first only validates and counts (no allocation sized by
 * untrusted counts until the bytes are known to exist), the second fills the arrays.
 */
#include "dds/rdds_nodes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct cur {
    const uint8_t *p;   /* payload after the encapsulation header */
    size_t len, off;    /* payload length, read position (alignment is relative to p) */
    int be;             /* 1: big endian */
    unsigned gid;       /* Gid size tried */
} cur;

static int get_u32(cur *c, uint32_t *v) {
    size_t o = (c->off + 3) & ~(size_t)3;
    if (o > c->len || c->len - o < 4) return -EPROTO;
    const uint8_t *b = c->p + o;
    *v = c->be ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]
               : (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
    c->off = o + 4;
    return 0;
}

/* A CDR string: length including the NUL, which must be there, and no NUL inside. */
static int get_str(cur *c, const char **s, uint32_t *n) {
    uint32_t l;
    if (get_u32(c, &l) < 0 || l == 0 || l > c->len - c->off) return -EPROTO;
    const char *b = (const char *)c->p + c->off;
    if (b[l - 1] != '\0' || memchr(b, '\0', l - 1) != NULL) return -EPROTO;
    *s = b;
    *n = l - 1;
    c->off += l;
    return 0;
}

static int get_gid(cur *c, const uint8_t **g) {
    if (c->gid > c->len - c->off) return -EPROTO;
    *g = c->p + c->off;
    c->off += c->gid;
    return 0;
}

/* "/ns" + "name" -> "/ns/name"; the root namespace "/" gives "/name". */
static char *make_fqn(const char *ns, uint32_t nsl, const char *name, uint32_t nl) {
    while (nsl > 0 && ns[nsl - 1] == '/') nsl--;
    char *f = malloc((size_t)nsl + nl + 3);
    if (f == NULL) return NULL;
    size_t k = 0;
    if (nsl == 0 || ns[0] != '/') f[k++] = '/';
    memcpy(f + k, ns, nsl);
    k += nsl;
    if (k > 0 && f[k - 1] != '/') f[k++] = '/';
    memcpy(f + k, name, nl);
    f[k + nl] = '\0';
    return f;
}

/* One walk. With m == NULL: validate and count into *nn / *nw. Otherwise fill m (arrays sized
 * by the counting pass). */
static int walk(cur *c, rdds_nodes_msg *m, size_t *nn, size_t *nw) {
    const uint8_t *g;
    uint32_t nodes;
    *nn = *nw = 0;
    if (get_gid(c, &g) < 0) return -EPROTO;
    if (m != NULL) memcpy(m->participant, g, 16);
    if (get_u32(c, &nodes) < 0) return -EPROTO;
    for (uint32_t i = 0; i < nodes; i++) {
        const char *ns, *name;
        uint32_t nsl, nl, nr, nwr;
        if (get_str(c, &ns, &nsl) < 0 || get_str(c, &name, &nl) < 0) return -EPROTO;
        if (nl == 0) return -EPROTO; /* a node always has a name */
        if (m != NULL && (m->fqn[*nn] = make_fqn(ns, nsl, name, nl)) == NULL) return -ENOMEM;
        if (get_u32(c, &nr) < 0 || nr > (c->len - c->off) / c->gid) return -EPROTO;
        c->off += (size_t)nr * c->gid;
        if (get_u32(c, &nwr) < 0 || nwr > (c->len - c->off) / c->gid) return -EPROTO;
        for (uint32_t k = 0; k < nwr; k++) {
            (void)get_gid(c, &g); /* in bounds: checked above */
            if (m != NULL) {
                memcpy(m->writers[*nw].guid, g, 16);
                m->writers[*nw].node = *nn;
            }
            (*nw)++;
        }
        (*nn)++;
    }
    /* XCDR1 may pad the end to 4; anything more means the layout guess was wrong. */
    return c->len - c->off <= 3 ? 0 : -EPROTO;
}

void rdds_nodes_free(rdds_nodes_msg *m) {
    if (m == NULL) return;
    if (m->fqn != NULL)
        for (size_t i = 0; i < m->nnodes; i++) free(m->fqn[i]);
    free(m->fqn);
    free(m->writers);
    memset(m, 0, sizeof *m);
}

int rdds_nodes_parse(const void *data, size_t len, rdds_nodes_msg *out) {
    memset(out, 0, sizeof *out);
    const uint8_t *b = data;
    if (data == NULL || len < 4 || b[0] != 0) return -EPROTO;
    int be;
    switch (b[1]) {
    case 0x00: case 0x06: be = 1; break; /* CDR_BE, CDR2_BE */
    case 0x01: case 0x07: be = 0; break; /* CDR_LE, CDR2_LE */
    default: return -EPROTO;
    }
    static const unsigned sizes[] = {16, 24};
    unsigned found = 0;
    size_t nn = 0, nw = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        cur c = {b + 4, len - 4, 0, be, sizes[i]};
        size_t a, w;
        if (walk(&c, NULL, &a, &w) < 0) continue;
        if (found) return -EPROTO; /* both layouts explain it: ambiguous */
        found = sizes[i];
        nn = a;
        nw = w;
    }
    if (!found) return -EPROTO;
    /* The counts are bounded by bytes that exist (a node takes >= 16, a writer >= 16). */
    out->fqn = calloc(nn ? nn : 1, sizeof *out->fqn);
    out->writers = calloc(nw ? nw : 1, sizeof *out->writers);
    if (out->fqn == NULL || out->writers == NULL) {
        rdds_nodes_free(out);
        return -ENOMEM;
    }
    out->nnodes = nn;
    out->nwriters = nw;
    out->gid_size = found;
    cur c = {b + 4, len - 4, 0, be, found};
    size_t a, w;
    int rc = walk(&c, out, &a, &w);
    if (rc < 0) {
        rdds_nodes_free(out);
        return rc;
    }
    return 0;
}
