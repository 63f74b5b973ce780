/* mcap_reader — see mcap_reader.h.
 *
 * Map:
 *   rd_*            a bounds-checked little-endian reader over one record body
 *   mcap_parse_*    one parser per record type
 *   maps/indexes    entry walkers
 *   cursor          record framing with length checks
 *   decompression   none / lz4 frame / zstd, exact-size output, limit, CRC
 *   reader          open (mmap or memory), summary, schema/channel tables
 *   iterator        linear walk with chunks expanded
 */
#include "mcap/mcap_reader.h"

#include "common/rg_sys.h"
#include "mcap/mcap_crc.h"
#include "mcap/mcap_format.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* ---------- rd: bounds-checked field reads; `bad` sticks once anything overruns ---------- */

typedef struct rd {
    const uint8_t *p; /* next byte */
    uint64_t left;    /* bytes left */
    int bad;          /* an overrun happened */
} rd;

static rd rd_of(mcap_bytes b) { return (rd){.p = b.p, .left = b.len, .bad = 0}; }

/* Little-endian load of n (1, 2, 4 or 8) bytes through memcpy: one load, any alignment. */
static inline uint64_t le_load(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    switch (n) {
    case 1: v = *p; break;
    case 2: { uint16_t x; memcpy(&x, p, 2); v = le16toh(x); break; }
    case 4: { uint32_t x; memcpy(&x, p, 4); v = le32toh(x); break; }
    default: memcpy(&v, p, 8); v = le64toh(v); break;
    }
    return v;
}

static uint64_t rd_le(rd *r, unsigned n) {
    if (r->bad || r->left < n) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = le_load(r->p, n);
    r->p += n;
    r->left -= n;
    return v;
}
static uint8_t rd_u8(rd *r) { return (uint8_t)rd_le(r, 1); }
static uint16_t rd_u16(rd *r) { return (uint16_t)rd_le(r, 2); }
static uint32_t rd_u32(rd *r) { return (uint32_t)rd_le(r, 4); }
static uint64_t rd_u64(rd *r) { return rd_le(r, 8); }

static mcap_bytes rd_take(rd *r, uint64_t n) {
    if (r->bad || r->left < n) {
        r->bad = 1;
        return (mcap_bytes){0};
    }
    mcap_bytes b = {.p = r->p, .len = n};
    r->p += n;
    r->left -= n;
    return b;
}
static mcap_bytes rd_str(rd *r) { return rd_take(r, rd_u32(r)); } /* also u32-prefixed maps/arrays */
static mcap_bytes rd_rest(rd *r) { return rd_take(r, r->left); }

/* ---------- parsers (extra trailing fields are allowed: records may grow) ---------- */

#define PARSED(r) ((r).bad ? -EBADMSG : 0)

int mcap_parse_header(mcap_bytes body, mcap_header *o) {
    rd r = rd_of(body);
    o->profile = rd_str(&r);
    o->library = rd_str(&r);
    return PARSED(r);
}

int mcap_parse_footer(mcap_bytes body, mcap_footer *o) {
    rd r = rd_of(body);
    o->summary_start = rd_u64(&r);
    o->summary_offset_start = rd_u64(&r);
    o->summary_crc = rd_u32(&r);
    return PARSED(r);
}

int mcap_parse_schema(mcap_bytes body, mcap_schema *o) {
    rd r = rd_of(body);
    o->id = rd_u16(&r);
    o->name = rd_str(&r);
    o->encoding = rd_str(&r);
    o->data = rd_str(&r);
    return PARSED(r);
}

int mcap_parse_channel(mcap_bytes body, mcap_channel *o) {
    rd r = rd_of(body);
    o->id = rd_u16(&r);
    o->schema_id = rd_u16(&r);
    o->topic = rd_str(&r);
    o->message_encoding = rd_str(&r);
    o->metadata = rd_str(&r);
    return PARSED(r);
}

int mcap_parse_message(mcap_bytes body, mcap_message *o) {
    rd r = rd_of(body);
    o->channel_id = rd_u16(&r);
    o->sequence = rd_u32(&r);
    o->log_time = rd_u64(&r);
    o->publish_time = rd_u64(&r);
    o->data = rd_rest(&r);
    return PARSED(r);
}

int mcap_parse_chunk(mcap_bytes body, mcap_chunk *o) {
    rd r = rd_of(body);
    o->start = rd_u64(&r);
    o->end = rd_u64(&r);
    o->uncompressed_size = rd_u64(&r);
    o->uncompressed_crc = rd_u32(&r);
    o->compression = rd_str(&r);
    o->records = rd_take(&r, rd_u64(&r));
    return PARSED(r);
}

int mcap_parse_message_index(mcap_bytes body, mcap_message_index *o) {
    rd r = rd_of(body);
    o->channel_id = rd_u16(&r);
    o->entries = rd_str(&r);
    return PARSED(r);
}

int mcap_parse_chunk_index(mcap_bytes body, mcap_chunk_index *o) {
    rd r = rd_of(body);
    o->start = rd_u64(&r);
    o->end = rd_u64(&r);
    o->chunk_offset = rd_u64(&r);
    o->chunk_length = rd_u64(&r);
    o->index_offsets = rd_str(&r);
    o->index_length = rd_u64(&r);
    o->compression = rd_str(&r);
    o->compressed_size = rd_u64(&r);
    o->uncompressed_size = rd_u64(&r);
    return PARSED(r);
}

int mcap_parse_statistics(mcap_bytes body, mcap_statistics *o) {
    rd r = rd_of(body);
    o->message_count = rd_u64(&r);
    o->schema_count = rd_u16(&r);
    o->channel_count = rd_u32(&r);
    o->attachment_count = rd_u32(&r);
    o->metadata_count = rd_u32(&r);
    o->chunk_count = rd_u32(&r);
    o->start = rd_u64(&r);
    o->end = rd_u64(&r);
    o->channel_counts = rd_str(&r);
    return PARSED(r);
}

int mcap_parse_metadata(mcap_bytes body, mcap_metadata *o) {
    rd r = rd_of(body);
    o->name = rd_str(&r);
    o->map = rd_str(&r);
    return PARSED(r);
}

int mcap_parse_metadata_index(mcap_bytes body, mcap_metadata_index *o) {
    rd r = rd_of(body);
    o->offset = rd_u64(&r);
    o->length = rd_u64(&r);
    o->name = rd_str(&r);
    return PARSED(r);
}

int mcap_parse_attachment(mcap_bytes body, mcap_attachment *o) {
    rd r = rd_of(body);
    o->log_time = rd_u64(&r);
    o->create_time = rd_u64(&r);
    o->name = rd_str(&r);
    o->media_type = rd_str(&r);
    o->data = rd_take(&r, rd_u64(&r));
    o->crc_len = body.len - r.left;
    o->crc = rd_u32(&r);
    return PARSED(r);
}

int mcap_parse_attachment_index(mcap_bytes body, mcap_attachment_index *o) {
    rd r = rd_of(body);
    o->offset = rd_u64(&r);
    o->length = rd_u64(&r);
    o->log_time = rd_u64(&r);
    o->create_time = rd_u64(&r);
    o->data_size = rd_u64(&r);
    o->name = rd_str(&r);
    o->media_type = rd_str(&r);
    return PARSED(r);
}

int mcap_parse_summary_offset(mcap_bytes body, mcap_summary_offset *o) {
    rd r = rd_of(body);
    o->op = rd_u8(&r);
    o->start = rd_u64(&r);
    o->length = rd_u64(&r);
    return PARSED(r);
}

int mcap_parse_data_end(mcap_bytes body, uint32_t *crc) {
    rd r = rd_of(body);
    *crc = rd_u32(&r);
    return PARSED(r);
}

/* End of a view, as an offset from the body's start. */
static uint64_t end_of(mcap_bytes body, mcap_bytes field) {
    return (uint64_t)(field.p - body.p) + field.len;
}

uint64_t mcap_record_extra(const mcap_record *rec) {
    mcap_bytes b = rec->body;
    uint64_t known = 0;
    union {
        mcap_header h; mcap_schema s; mcap_channel c; mcap_chunk k; mcap_message_index mi;
        mcap_chunk_index ci; mcap_statistics st; mcap_metadata md; mcap_metadata_index mdi;
        mcap_attachment a; mcap_attachment_index ai; uint32_t crc; mcap_summary_offset so;
        mcap_footer f;
    } u;
    switch (rec->op) {
    case MCAP_OP_HEADER: if (mcap_parse_header(b, &u.h)) return 0; known = end_of(b, u.h.library); break;
    case MCAP_OP_FOOTER: if (mcap_parse_footer(b, &u.f)) return 0; known = MCAP_FOOTER_LEN; break;
    case MCAP_OP_SCHEMA: if (mcap_parse_schema(b, &u.s)) return 0; known = end_of(b, u.s.data); break;
    case MCAP_OP_CHANNEL: if (mcap_parse_channel(b, &u.c)) return 0; known = end_of(b, u.c.metadata); break;
    case MCAP_OP_CHUNK: if (mcap_parse_chunk(b, &u.k)) return 0; known = end_of(b, u.k.records); break;
    case MCAP_OP_MESSAGE_INDEX: if (mcap_parse_message_index(b, &u.mi)) return 0; known = end_of(b, u.mi.entries); break;
    case MCAP_OP_CHUNK_INDEX: if (mcap_parse_chunk_index(b, &u.ci)) return 0; known = end_of(b, u.ci.compression) + 16; break;
    case MCAP_OP_STATISTICS: if (mcap_parse_statistics(b, &u.st)) return 0; known = end_of(b, u.st.channel_counts); break;
    case MCAP_OP_METADATA: if (mcap_parse_metadata(b, &u.md)) return 0; known = end_of(b, u.md.map); break;
    case MCAP_OP_METADATA_INDEX: if (mcap_parse_metadata_index(b, &u.mdi)) return 0; known = end_of(b, u.mdi.name); break;
    case MCAP_OP_ATTACHMENT: if (mcap_parse_attachment(b, &u.a)) return 0; known = u.a.crc_len + 4; break;
    case MCAP_OP_ATTACHMENT_INDEX: if (mcap_parse_attachment_index(b, &u.ai)) return 0; known = end_of(b, u.ai.media_type); break;
    case MCAP_OP_SUMMARY_OFFSET: if (mcap_parse_summary_offset(b, &u.so)) return 0; known = 17; break;
    case MCAP_OP_DATA_END: if (mcap_parse_data_end(b, &u.crc)) return 0; known = MCAP_DATA_END_LEN; break;
    default: return 0; /* messages end with their data; other records are not known here */
    }
    return b.len - known;
}

/* ---------- maps and index arrays ---------- */

int mcap_map_next_str(mcap_bytes *rest, mcap_bytes *key, mcap_bytes *value) {
    if (rest->len == 0) return 0;
    rd r = rd_of(*rest);
    *key = rd_str(&r);
    *value = rd_str(&r);
    if (r.bad) return -EBADMSG;
    *rest = (mcap_bytes){.p = r.p, .len = r.left};
    return 1;
}

int mcap_map_next_u16u64(mcap_bytes *rest, uint16_t *key, uint64_t *value) {
    if (rest->len == 0) return 0;
    rd r = rd_of(*rest);
    *key = rd_u16(&r);
    *value = rd_u64(&r);
    if (r.bad) return -EBADMSG;
    *rest = (mcap_bytes){.p = r.p, .len = r.left};
    return 1;
}

int mcap_index_next(mcap_bytes *rest, uint64_t *log_time, uint64_t *offset) {
    if (rest->len == 0) return 0;
    rd r = rd_of(*rest);
    *log_time = rd_u64(&r);
    *offset = rd_u64(&r);
    if (r.bad) return -EBADMSG;
    *rest = (mcap_bytes){.p = r.p, .len = r.left};
    return 1;
}

char *mcap_bytes_dup(mcap_bytes b) {
    if (b.len >= SIZE_MAX) return NULL;
    char *s = malloc((size_t)b.len + 1);
    if (!s) return NULL;
    if (b.len) memcpy(s, b.p, (size_t)b.len);
    s[b.len] = '\0';
    return s;
}

int mcap_bytes_eq(mcap_bytes b, const char *s) {
    size_t n = strlen(s);
    return b.len == n && (n == 0 || memcmp(b.p, s, n) == 0);
}

/* ---------- cursor ---------- */

void mcap_cursor_init(mcap_cursor *c, const uint8_t *base, uint64_t len, uint64_t origin) {
    *c = (mcap_cursor){.base = base, .len = len, .pos = 0, .origin = origin};
}

int mcap_cursor_next(mcap_cursor *c, mcap_record *r) {
    uint64_t left = c->len - c->pos;
    if (left == 0) return 0;
    if (left < MCAP_RECORD_HDR) return -EBADMSG;
    const uint8_t *p = c->base + c->pos;
    uint64_t n = le_load(p + 1, 8);
    if (n > left - MCAP_RECORD_HDR) return -EBADMSG;
    r->op = p[0];
    r->offset = c->origin + c->pos;
    r->body = (mcap_bytes){.p = p + MCAP_RECORD_HDR, .len = n};
    c->pos += MCAP_RECORD_HDR + n;
    return 1;
}

/* ---------- decompression ---------- */

static int lz4_frame_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t want, char *err,
                            size_t errlen) {
    LZ4F_dctx *d = NULL;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) return -ENOMEM;
    size_t in_done = 0, out_done = 0;
    int rc = 0;
    for (;;) {
        size_t in_sz = n - in_done, out_sz = want - out_done;
        size_t hint = LZ4F_decompress(d, dst + out_done, &out_sz, src + in_done, &in_sz, NULL);
        if (LZ4F_isError(hint)) {
            snprintf(err, errlen, "lz4: %s", LZ4F_getErrorName(hint));
            rc = -EBADMSG;
            break;
        }
        in_done += in_sz;
        out_done += out_sz;
        if (hint == 0) break; /* frame complete */
        if (in_sz == 0 && out_sz == 0) { /* no progress: input ended mid-frame or output full */
            snprintf(err, errlen, "lz4: frame truncated or larger than %zu bytes", want);
            rc = -EBADMSG;
            break;
        }
    }
    LZ4F_freeDecompressionContext(d);
    if (rc == 0 && (out_done != want || in_done != n)) {
        snprintf(err, errlen, "lz4: frame gave %zu bytes (expected %zu), used %zu of %zu input",
                 out_done, want, in_done, n);
        rc = -EBADMSG;
    }
    return rc;
}

int mcap_chunk_decompress(const mcap_chunk *c, uint64_t limit, int check_crc, uint8_t **buf,
                          size_t *cap, mcap_bytes *out, char *err, size_t errlen) {
    if (c->uncompressed_size > limit) {
        snprintf(err, errlen, "chunk uncompressed size %llu over the limit %llu",
                 (unsigned long long)c->uncompressed_size, (unsigned long long)limit);
        return -EFBIG;
    }
    size_t want = (size_t)c->uncompressed_size;
    if (c->compression.len == 0) {
        if (c->records.len != want) {
            snprintf(err, errlen, "uncompressed chunk holds %llu bytes, header says %zu",
                     (unsigned long long)c->records.len, want);
            return -EBADMSG;
        }
        *out = c->records;
    } else {
        int lz4 = mcap_bytes_eq(c->compression, "lz4");
        if (!lz4 && !mcap_bytes_eq(c->compression, "zstd")) {
            snprintf(err, errlen, "unknown chunk compression '%.*s'",
                     (int)(c->compression.len > 32 ? 32 : c->compression.len), c->compression.p);
            return -ENOTSUP;
        }
        if (*cap < want || !*buf) {
            uint8_t *nb = realloc(*buf, want ? want : 1);
            if (!nb) {
                snprintf(err, errlen, "chunk of %zu bytes: out of memory", want);
                return -ENOMEM;
            }
            *buf = nb;
            *cap = want ? want : 1;
        }
        if (lz4) {
            int rc = lz4_frame_decode(c->records.p, (size_t)c->records.len, *buf, want, err, errlen);
            if (rc) return rc;
        } else {
            size_t got = ZSTD_decompress(*buf, want, c->records.p, (size_t)c->records.len);
            if (ZSTD_isError(got) || got != want) {
                snprintf(err, errlen, "zstd: %s",
                         ZSTD_isError(got) ? ZSTD_getErrorName(got) : "size differs from header");
                return -EBADMSG;
            }
        }
        *out = (mcap_bytes){.p = *buf, .len = want};
    }
    if (check_crc && c->uncompressed_crc != 0) {
        uint32_t got = mcap_crc32(0, out->p, (size_t)out->len);
        if (got != c->uncompressed_crc) {
            snprintf(err, errlen, "chunk CRC %08x, expected %08x", got, c->uncompressed_crc);
            return -EBADMSG;
        }
    }
    return 0;
}

/* ---------- reader ---------- */

typedef struct sch_entry {
    mcap_schema s;  /* views into body */
    uint64_t len;   /* body length */
    uint8_t body[]; /* copy of the record body */
} sch_entry;
typedef struct chan_entry {
    mcap_channel c; /* views into body */
    uint64_t len;   /* body length */
    uint8_t body[]; /* copy of the record body */
} chan_entry;

/* Two-level tables by id (256 pages of 256): a file uses few ids, and a reader opened per
 * fuzz input or per cut point must not pay for 65536 slots. */
struct mcap_reader_tables {
    void **schemas[256];  /* sch_entry *, [id >> 8][id & 255] */
    void **channels[256]; /* chan_entry *, [id >> 8][id & 255] */
};

static void **slot(void **pages[256], uint16_t id, int create) {
    void ***page = &pages[id >> 8];
    if (!*page) {
        if (!create || !(*page = calloc(256, sizeof **page))) return NULL;
    }
    return &(*page)[id & 255];
}

static void *table_get(void **pages[256], uint16_t id) {
    void **s = slot(pages, id, 0);
    return s ? *s : NULL;
}

static int reader_start(mcap_reader *r, char *err, size_t errlen, const char *what) {
    r->max_chunk = MCAP_READER_MAX_CHUNK;
    r->t = calloc(1, sizeof *r->t);
    if (!r->t) {
        snprintf(err, errlen, "open(%s): out of memory", what);
        return -ENOMEM;
    }
    if (r->size < MCAP_MAGIC_LEN || memcmp(r->data, MCAP_MAGIC, MCAP_MAGIC_LEN) != 0) {
        snprintf(err, errlen, "open(%s): not an MCAP file (bad magic)", what);
        return -EBADMSG;
    }
    mcap_cursor c;
    mcap_record rec;
    mcap_cursor_init(&c, r->data + MCAP_MAGIC_LEN, r->size - MCAP_MAGIC_LEN, MCAP_MAGIC_LEN);
    if (mcap_cursor_next(&c, &rec) != 1 || rec.op != MCAP_OP_HEADER ||
        mcap_parse_header(rec.body, &r->header) != 0) {
        snprintf(err, errlen, "open(%s): no valid Header record after the magic", what);
        return -EBADMSG;
    }
    r->data_start = MCAP_MAGIC_LEN + c.pos;
    return 0;
}

int mcap_reader_open_mem(mcap_reader *r, const void *data, size_t size, char *err, size_t errlen) {
    *r = (mcap_reader){.data = data, .size = size};
    int rc = reader_start(r, err, errlen, "memory");
    if (rc) mcap_reader_close(r);
    return rc;
}

int mcap_reader_open_file(mcap_reader *r, const char *path, char *err, size_t errlen) {
    *r = (mcap_reader){0};
    int fd = rg_sys_open(path, O_RDONLY, 0);
    if (fd < 0) {
        snprintf(err, errlen, "open(%s): %s", path, strerror(-fd));
        return fd;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int rc = -errno;
        snprintf(err, errlen, "stat(%s): %s", path, strerror(-rc));
        rg_sys_close(fd);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "open(%s): not a regular file", path);
        rg_sys_close(fd);
        return -EINVAL;
    }
    if (st.st_size > 0) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int rc = -errno;
            snprintf(err, errlen, "mmap(%s): %s", path, strerror(-rc));
            rg_sys_close(fd);
            return rc;
        }
        r->data = m;
        r->size = (uint64_t)st.st_size;
        r->mapped = 1;
    }
    rg_sys_close(fd);
    int rc = reader_start(r, err, errlen, path);
    if (rc) mcap_reader_close(r);
    return rc;
}

void mcap_reader_close(mcap_reader *r) {
    if (r->t) {
        for (size_t p = 0; p < 256; p++) {
            for (size_t i = 0; r->t->schemas[p] && i < 256; i++) free(r->t->schemas[p][i]);
            for (size_t i = 0; r->t->channels[p] && i < 256; i++) free(r->t->channels[p][i]);
            free(r->t->schemas[p]);
            free(r->t->channels[p]);
        }
        free(r->t);
    }
    if (r->mapped) munmap((void *)r->data, (size_t)r->size);
    *r = (mcap_reader){0};
}

static int same(mcap_bytes a, mcap_bytes b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, (size_t)a.len) == 0);
}

/* Repeats compare by their fields: a copy with extra trailing bytes (a newer writer's fields,
 * or padding) is the same record, since readers must ignore what they do not know. */
static int schema_same(const mcap_schema *a, const mcap_schema *b) {
    return same(a->name, b->name) && same(a->encoding, b->encoding) && same(a->data, b->data);
}
static int channel_same(const mcap_channel *a, const mcap_channel *b) {
    return a->schema_id == b->schema_id && same(a->topic, b->topic) &&
           same(a->message_encoding, b->message_encoding) && same(a->metadata, b->metadata);
}

int mcap_reader_add_schema(mcap_reader *r, mcap_bytes body) {
    mcap_schema s;
    if (mcap_parse_schema(body, &s) != 0) return -EBADMSG;
    void **sl = slot(r->t->schemas, s.id, 1);
    if (!sl) return -ENOMEM;
    sch_entry *old = *sl;
    if (old) return schema_same(&old->s, &s) ? 0 : -EEXIST;
    sch_entry *e = malloc(sizeof *e + body.len);
    if (!e) return -ENOMEM;
    e->len = body.len;
    memcpy(e->body, body.p, body.len);
    mcap_parse_schema((mcap_bytes){.p = e->body, .len = e->len}, &e->s);
    *sl = e;
    return 0;
}

int mcap_reader_add_channel(mcap_reader *r, mcap_bytes body) {
    mcap_channel c;
    if (mcap_parse_channel(body, &c) != 0) return -EBADMSG;
    void **sl = slot(r->t->channels, c.id, 1);
    if (!sl) return -ENOMEM;
    chan_entry *old = *sl;
    if (old) return channel_same(&old->c, &c) ? 0 : -EEXIST;
    chan_entry *e = malloc(sizeof *e + body.len);
    if (!e) return -ENOMEM;
    e->len = body.len;
    memcpy(e->body, body.p, body.len);
    mcap_parse_channel((mcap_bytes){.p = e->body, .len = e->len}, &e->c);
    *sl = e;
    return 0;
}

const mcap_schema *mcap_reader_schema(const mcap_reader *r, uint16_t id) {
    sch_entry *e = table_get(r->t->schemas, id);
    return e ? &e->s : NULL;
}

const mcap_channel *mcap_reader_channel(const mcap_reader *r, uint16_t id) {
    chan_entry *e = table_get(r->t->channels, id);
    return e ? &e->c : NULL;
}

const mcap_channel *mcap_reader_next_channel(const mcap_reader *r, uint32_t *pos) {
    for (uint32_t i = *pos; i < 65536; i++) {
        if (!r->t->channels[i >> 8]) {
            i |= 255; /* skip the empty page */
            continue;
        }
        chan_entry *e = r->t->channels[i >> 8][i & 255];
        if (e) {
            *pos = i + 1;
            return &e->c;
        }
    }
    *pos = 65536;
    return NULL;
}

int mcap_reader_read_summary(mcap_reader *r, char *err, size_t errlen) {
    uint64_t tail = MCAP_RECORD_HDR + MCAP_FOOTER_LEN + MCAP_MAGIC_LEN;
    if (r->size < r->data_start + tail ||
        memcmp(r->data + r->size - MCAP_MAGIC_LEN, MCAP_MAGIC, MCAP_MAGIC_LEN) != 0) {
        snprintf(err, errlen, "no footer: the file does not end with the MCAP magic (cut short?)");
        return -ENOENT;
    }
    const uint8_t *f = r->data + r->size - tail;
    mcap_cursor c;
    mcap_record rec;
    mcap_cursor_init(&c, f, MCAP_RECORD_HDR + MCAP_FOOTER_LEN, r->size - tail);
    if (mcap_cursor_next(&c, &rec) != 1 || rec.op != MCAP_OP_FOOTER ||
        mcap_parse_footer(rec.body, &r->footer) != 0) {
        snprintf(err, errlen, "no valid Footer record before the trailing magic");
        return -EBADMSG;
    }
    r->has_footer = 1;
    const mcap_footer *ft = &r->footer;
    if (ft->summary_start == 0) {
        snprintf(err, errlen, "the file has no summary (footer summary_start is 0)");
        return -ENOENT;
    }
    uint64_t footer_off = r->size - tail;
    if (ft->summary_start < r->data_start || ft->summary_start > footer_off ||
        (ft->summary_offset_start != 0 &&
         (ft->summary_offset_start < ft->summary_start || ft->summary_offset_start > footer_off))) {
        snprintf(err, errlen, "footer summary offsets (%llu, %llu) outside the file",
                 (unsigned long long)ft->summary_start,
                 (unsigned long long)ft->summary_offset_start);
        return -EBADMSG;
    }
    if (ft->summary_crc != 0) {
        /* Covers the summary, the summary offsets and the footer up to its CRC field. */
        uint64_t n = footer_off + MCAP_RECORD_HDR + 16 - ft->summary_start;
        uint32_t got = mcap_crc32(0, r->data + ft->summary_start, (size_t)n);
        if (got != ft->summary_crc) {
            snprintf(err, errlen, "summary CRC %08x, footer says %08x", got, ft->summary_crc);
            return -EBADMSG;
        }
    }
    /* DataEnd sits right before the summary when a writer follows the spec's layout. */
    if (ft->summary_start >= r->data_start + MCAP_RECORD_HDR + MCAP_DATA_END_LEN) {
        const uint8_t *d = r->data + ft->summary_start - MCAP_RECORD_HDR - MCAP_DATA_END_LEN;
        if (d[0] == MCAP_OP_DATA_END && d[1] == MCAP_DATA_END_LEN && !memcmp(d + 2, "\0\0\0\0\0\0\0", 7))
            r->data_end_offset = ft->summary_start - MCAP_RECORD_HDR - MCAP_DATA_END_LEN;
    }
    uint64_t send = ft->summary_offset_start ? ft->summary_offset_start : footer_off;
    mcap_cursor_init(&c, r->data + ft->summary_start, send - ft->summary_start, ft->summary_start);
    int rc;
    while ((rc = mcap_cursor_next(&c, &rec)) == 1) {
        switch (rec.op) {
        case MCAP_OP_SCHEMA:
            if (mcap_reader_add_schema(r, rec.body) == -EBADMSG) goto bad;
            break;
        case MCAP_OP_CHANNEL:
            if (mcap_reader_add_channel(r, rec.body) == -EBADMSG) goto bad;
            break;
        case MCAP_OP_STATISTICS:
            if (mcap_parse_statistics(rec.body, &r->statistics) != 0) goto bad;
            r->has_statistics = 1;
            break;
        case MCAP_OP_CHUNK_INDEX:
        case MCAP_OP_METADATA_INDEX: {
            /* Groups are contiguous by spec; remember the first record and extend. */
            mcap_bytes *g = rec.op == MCAP_OP_CHUNK_INDEX ? &r->chunk_indexes : &r->metadata_indexes;
            uint64_t *go = rec.op == MCAP_OP_CHUNK_INDEX ? &r->chunk_indexes_off : &r->metadata_indexes_off;
            uint64_t end = rec.offset + MCAP_RECORD_HDR + rec.body.len;
            if (g->len == 0) {
                *go = rec.offset;
                *g = (mcap_bytes){.p = r->data + rec.offset, .len = end - rec.offset};
            } else if (*go + g->len == rec.offset) {
                g->len = end - *go;
            } else {
                snprintf(err, errlen, "summary: %s records at %llu are not grouped",
                         rec.op == MCAP_OP_CHUNK_INDEX ? "ChunkIndex" : "MetadataIndex",
                         (unsigned long long)rec.offset);
                return -EBADMSG;
            }
            break;
        }
        default:
            break; /* attachment indexes and unknown records: not needed here */
        }
    }
    if (rc < 0) {
        snprintf(err, errlen, "summary: record at %llu runs past the summary end",
                 (unsigned long long)(ft->summary_start + c.pos));
        return -EBADMSG;
    }
    r->has_summary = 1;
    return 0;
bad:
    snprintf(err, errlen, "summary: malformed record (opcode 0x%02x) at %llu", rec.op,
             (unsigned long long)rec.offset);
    return -EBADMSG;
}

/* ---------- iterator ---------- */

void mcap_iter_init(mcap_iter *it, mcap_reader *r) {
    *it = (mcap_iter){.r = r};
    mcap_cursor_init(&it->top, r->data + r->data_start, r->size - r->data_start, r->data_start);
}

void mcap_iter_free(mcap_iter *it) {
    free(it->buf);
    it->buf = NULL;
    it->cap = 0;
}

static void register_record(mcap_reader *r, const mcap_record *rec) {
    /* A conflicting or malformed duplicate is left for doctor to name; iteration goes on. */
    if (rec->op == MCAP_OP_SCHEMA) (void)mcap_reader_add_schema(r, rec->body);
    if (rec->op == MCAP_OP_CHANNEL) (void)mcap_reader_add_channel(r, rec->body);
}

int mcap_iter_next(mcap_iter *it, mcap_record *rec, int *in_chunk) {
    if (it->inner.len) {
        int rc = mcap_cursor_next(&it->inner, rec);
        if (rc == 1) {
            *in_chunk = 1;
            register_record(it->r, rec);
            return 1;
        }
        uint64_t at = it->inner.pos;
        it->inner.len = 0;
        if (rc < 0) {
            snprintf(it->err, sizeof it->err,
                     "chunk at %llu: record at records offset %llu runs past the chunk end",
                     (unsigned long long)it->chunk_offset, (unsigned long long)at);
            it->err_offset = it->chunk_offset;
            return rc;
        }
    }
    if (it->done) return 0;
    int rc = mcap_cursor_next(&it->top, rec);
    if (rc == 0) {
        it->done = 1;
        return 0;
    }
    if (rc < 0) {
        it->done = 1;
        it->err_offset = it->top.origin + it->top.pos;
        snprintf(it->err, sizeof it->err, "record at %llu runs past the end of the file (cut short)",
                 (unsigned long long)it->err_offset);
        return rc;
    }
    *in_chunk = 0;
    if (rec->op == MCAP_OP_DATA_END || rec->op == MCAP_OP_FOOTER) it->done = 1;
    register_record(it->r, rec);
    if (rec->op == MCAP_OP_CHUNK) {
        mcap_chunk ch;
        mcap_bytes recs;
        it->chunk_offset = rec->offset;
        int crc = mcap_parse_chunk(rec->body, &ch);
        if (crc == 0)
            crc = mcap_chunk_decompress(&ch, it->r->max_chunk, 1, &it->buf, &it->cap, &recs,
                                        it->err, sizeof it->err);
        else
            snprintf(it->err, sizeof it->err, "malformed chunk header");
        if (crc) {
            char why[160];
            snprintf(why, sizeof why, "%.150s", it->err);
            snprintf(it->err, sizeof it->err, "chunk at %llu: %.160s", (unsigned long long)rec->offset, why);
            it->err_offset = rec->offset;
            return crc;
        }
        mcap_cursor_init(&it->inner, recs.p, recs.len, 0);
    }
    return 1;
}
