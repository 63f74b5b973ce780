/* mcap_doctor — see mcap_doctor.h.
 *
 * Map:
 *   defect(), note()  report one finding (a broken rule / an absent option or extra bytes)
 *   data section      walk_data(): records, chunks (check_chunk), message indexes (check_index)
 *   tail              check_tail(): trailing magic, footer, summary CRC
 *   summary           check_summary(): schemas/channels, chunk indexes, statistics, metadata
 *                     indexes, grouping; check_summary_offsets()
 */
#include "mcap/mcap_doctor.h"

#include "mcap/mcap_crc.h"
#include "mcap/mcap_format.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dmsg {
    uint64_t offset; /* in the chunk's records */
    uint64_t time;   /* log time */
    uint16_t chan;   /* channel id */
} dmsg;

typedef struct dchunk {
    uint64_t offset, length;     /* Chunk record position */
    uint64_t start, end;         /* header times */
    uint64_t usize, csize;       /* header sizes */
    mcap_bytes compression;      /* header compression (view into the file) */
    size_t idx_first, nidx;      /* its MessageIndex records in doc.idxs */
    uint64_t idx_len;            /* bytes of those records */
    int indexed;                 /* a ChunkIndex points at it */
} dchunk;

typedef struct didx {
    uint16_t chan;   /* channel */
    uint64_t offset; /* MessageIndex record position */
} didx;

typedef struct dcount {
    uint16_t chan; /* channel with messages in the current chunk */
    uint64_t n;    /* how many */
} dcount;

typedef struct drange {
    uint64_t offset, length; /* a record's position */
} drange;

/* What the doctor learned about one schema/channel id. */
typedef struct did {
    uint64_t count;      /* messages on this channel (data section) */
    uint8_t used;        /* the channel has messages */
    uint8_t sum_chan;    /* a Channel record with this id is in the summary */
    uint8_t sum_schema;  /* a Schema record with this id is in the summary */
    uint8_t schema_seen; /* a Schema record with this id is in the data section */
    uint8_t chan_seen;   /* a Channel record with this id is in the data section */
    uint8_t listed;      /* the statistics give a count for this channel */
} did;

typedef struct doc {
    mcap_reader *r;
    mcap_doctor_fn fn;
    void *ctx;
    mcap_doctor_report *rep;
    unsigned max;
    did *ids[256];               /* per-id facts in pages of 256, made on first use */
    dchunk *chunks;              /* chunks in file order */
    size_t nchunks, capchunks;
    didx *idxs;                  /* message index records in file order */
    size_t nidxs, capidxs;
    dmsg *msgs;                  /* messages of the current chunk, in offset order */
    size_t nmsgs, capmsgs;
    dcount *cc;                  /* distinct channels of the current chunk, first-seen order */
    size_t ncc, capcc, cc_last;
    drange *metas;               /* Metadata records */
    size_t nmetas, capmetas;
    drange *atts;                /* Attachment records */
    size_t natts, capatts;
    uint64_t attachments;        /* Attachment records */
    uint64_t msg_start, msg_end; /* log time range of all messages */
    int chunk_open;              /* the previous record was a chunk or one of its indexes */
    int chunk_readable;          /* ... and its records could be read (msgs valid) */
    uint8_t *buf;                /* decompression buffer */
    size_t cap;
    int oom;                     /* an allocation failed */
    uint64_t data_end_len;       /* DataEnd record length (header included), when found */
    int footer_ok;               /* a Footer record parsed before the trailing magic */
    uint64_t unindexed_chunks;   /* readable chunks with messages but no MessageIndex at all */
    uint64_t extra_n[16];        /* records of each known opcode with extra trailing bytes */
    uint64_t extra_at[16];       /* the first such record's offset */
} doc;

static void vfinding(doc *d, int is_note, const char *name, uint64_t offset, const char *fmt, va_list ap) {
    if (is_note) d->rep->notes++;
    else d->rep->defects++;
    if (d->max && d->rep->defects + d->rep->notes > d->max) return;
    mcap_defect x = {.note = is_note, .name = name, .offset = offset};
    vsnprintf(x.detail, sizeof x.detail, fmt, ap);
    if (d->fn) d->fn(d->ctx, &x);
}

static void defect(doc *d, const char *name, uint64_t offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfinding(d, 0, name, offset, fmt, ap);
    va_end(ap);
}

static void note(doc *d, const char *name, uint64_t offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfinding(d, 1, name, offset, fmt, ap);
    va_end(ap);
}

/* Records longer than their known fields are valid (the format lets records grow); they are
 * counted per opcode and noted once each at the end, not once per record. */
static void count_extra(doc *d, const mcap_record *rec, uint64_t file_offset) {
    if (rec->op >= 16 || mcap_record_extra(rec) == 0) return;
    if (d->extra_n[rec->op]++ == 0) d->extra_at[rec->op] = file_offset;
}

/* Grow an array of `size`-byte items to hold one more. */
static int grow(doc *d, void **arr, size_t n, size_t *cap, size_t size) {
    if (n < *cap) return 0;
    size_t nc = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, nc * size);
    if (!p) {
        d->oom = 1;
        return -ENOMEM;
    }
    *arr = p;
    *cap = nc;
    return 0;
}

/* The facts for id, creating its page (NULL only when out of memory). */
static did *id_get(doc *d, uint16_t id) {
    if (!d->ids[id >> 8] && !(d->ids[id >> 8] = calloc(256, sizeof(did)))) {
        d->oom = 1;
        return NULL;
    }
    return &d->ids[id >> 8][id & 255];
}

/* The facts for id if any were recorded, else NULL. */
static const did *id_peek(const doc *d, uint32_t id) {
    return id < 65536 && d->ids[id >> 8] ? &d->ids[id >> 8][id & 255] : NULL;
}

static const char *op_name(uint8_t op) {
    static const char *const names[] = {
        "?", "Header", "Footer", "Schema", "Channel", "Message", "Chunk", "MessageIndex",
        "ChunkIndex", "Attachment", "AttachmentIndex", "Statistics", "Metadata",
        "MetadataIndex", "SummaryOffset", "DataEnd"};
    return op < sizeof names / sizeof names[0] ? names[op] : "unknown";
}

/* ---------- data section ---------- */

static void add_schema(doc *d, mcap_bytes body, uint64_t at, int in_summary) {
    mcap_schema s;
    if (mcap_parse_schema(body, &s) != 0) {
        defect(d, "malformed-record", at, "Schema record fields run past its length");
        return;
    }
    if (s.id == 0) {
        defect(d, "schema-id-zero", at, "Schema record with id 0 (invalid)");
        return;
    }
    did *x = id_get(d, s.id);
    if (x && !in_summary) x->schema_seen = 1;
    if (x && in_summary) x->sum_schema = 1;
    int rc = mcap_reader_add_schema(d->r, body);
    if (rc == -EEXIST) defect(d, "schema-conflict", at, "Schema %u differs from an earlier one with the same id", s.id);
    if (rc == -ENOMEM) d->oom = 1;
}

static void add_channel(doc *d, mcap_bytes body, uint64_t at, int in_summary) {
    mcap_channel c;
    if (mcap_parse_channel(body, &c) != 0) {
        defect(d, "malformed-record", at, "Channel record fields run past its length");
        return;
    }
    if (c.schema_id && !mcap_reader_schema(d->r, c.schema_id))
        defect(d, "channel-unknown-schema", at, "Channel %u refers to schema %u, not defined before it", c.id, c.schema_id);
    did *x = id_get(d, c.id);
    if (x && !in_summary) x->chan_seen = 1;
    if (x && in_summary) x->sum_chan = 1;
    int rc = mcap_reader_add_channel(d->r, body);
    if (rc == -EEXIST) defect(d, "channel-conflict", at, "Channel %u differs from an earlier one with the same id", c.id);
    if (rc == -ENOMEM) d->oom = 1;
}

/* A message at file offset `at` (the chunk's offset for chunked ones). */
static int add_message(doc *d, mcap_bytes body, uint64_t at, mcap_message *m) {
    if (mcap_parse_message(body, m) != 0) {
        defect(d, "malformed-record", at, "Message record shorter than its fixed fields");
        return -1;
    }
    if (!mcap_reader_channel(d->r, m->channel_id))
        defect(d, "message-unknown-channel", at, "Message on channel %u, not defined before it", m->channel_id);
    if (d->rep->messages == 0 || m->log_time < d->msg_start) d->msg_start = m->log_time;
    if (d->rep->messages == 0 || m->log_time > d->msg_end) d->msg_end = m->log_time;
    d->rep->messages++;
    did *x = id_get(d, m->channel_id);
    if (x) {
        x->count++;
        x->used = 1;
    }
    return 0;
}

/* Close the current chunk's index sequence: every channel with messages needs an index. */
static void end_chunk(doc *d) {
    if (!d->chunk_open) return;
    d->chunk_open = 0;
    if (!d->chunk_readable || d->nchunks == 0) return;
    const dchunk *c = &d->chunks[d->nchunks - 1];
    if (c->nidx == 0) { /* message indexes are optional: readers scan the chunk instead */
        d->unindexed_chunks += d->ncc > 0;
        return;
    }
    for (size_t i = 0; i < d->ncc; i++) {
        int found = 0;
        for (size_t k = 0; k < c->nidx && !found; k++) found = d->idxs[c->idx_first + k].chan == d->cc[i].chan;
        if (!found)
            defect(d, "message-index-missing", c->offset,
                   "chunk has messages on channel %u but no MessageIndex for it follows", d->cc[i].chan);
    }
}

/* The current chunk's message count on channel ch (its dcount), or NULL. The last hit is
 * tried first: consecutive messages are usually on one channel. */
static dcount *chunk_count(doc *d, uint16_t ch) {
    if (d->cc_last < d->ncc && d->cc[d->cc_last].chan == ch) return &d->cc[d->cc_last];
    for (size_t i = 0; i < d->ncc; i++)
        if (d->cc[i].chan == ch) return &d->cc[d->cc_last = i];
    return NULL;
}

static void check_chunk(doc *d, const mcap_record *rec) {
    mcap_chunk c;
    d->rep->chunks++;
    d->chunk_open = 1;
    d->chunk_readable = 0;
    d->nmsgs = 0;
    d->ncc = 0;
    if (mcap_parse_chunk(rec->body, &c) != 0) {
        defect(d, "malformed-record", rec->offset, "Chunk record fields run past its length");
        return;
    }
    if (grow(d, (void **)&d->chunks, d->nchunks, &d->capchunks, sizeof *d->chunks)) return;
    size_t first_idx = d->nidxs;
    d->chunks[d->nchunks++] = (dchunk){
        .offset = rec->offset, .length = MCAP_RECORD_HDR + rec->body.len, .start = c.start,
        .end = c.end, .usize = c.uncompressed_size, .csize = c.records.len,
        .compression = c.compression, .idx_first = first_idx};
    char why[200];
    mcap_bytes recs;
    int rc = mcap_chunk_decompress(&c, d->r->max_chunk, 0, &d->buf, &d->cap, &recs, why, sizeof why);
    if (rc == -ENOTSUP) {
        defect(d, "chunk-unknown-compression", rec->offset, "%s", why);
        return;
    }
    if (rc == -EFBIG) {
        defect(d, "chunk-too-large", rec->offset, "%s", why);
        return;
    }
    if (rc == -ENOMEM) {
        d->oom = 1;
        return;
    }
    if (rc) {
        defect(d, "chunk-bad-compression", rec->offset, "%s", why);
        return;
    }
    if (c.uncompressed_crc) {
        uint32_t got = mcap_crc32(0, recs.p, (size_t)recs.len);
        if (got != c.uncompressed_crc) {
            defect(d, "chunk-bad-crc", rec->offset, "records CRC %08x, chunk header says %08x", got, c.uncompressed_crc);
            return; /* its contents cannot be trusted: check no further */
        }
    }
    mcap_cursor cur;
    mcap_record in;
    mcap_cursor_init(&cur, recs.p, recs.len, 0);
    int n, range_reported = 0;
    while ((n = mcap_cursor_next(&cur, &in)) == 1) {
        mcap_message m;
        count_extra(d, &in, rec->offset);
        switch (in.op) {
        case MCAP_OP_SCHEMA: add_schema(d, in.body, rec->offset, 0); break;
        case MCAP_OP_CHANNEL: add_channel(d, in.body, rec->offset, 0); break;
        case MCAP_OP_MESSAGE:
            if (add_message(d, in.body, rec->offset, &m) != 0) break;
            if ((m.log_time < c.start || m.log_time > c.end) && !range_reported) {
                range_reported = 1;
                defect(d, "chunk-time-range", rec->offset,
                       "message log time %llu outside the chunk's range [%llu, %llu]",
                       (unsigned long long)m.log_time, (unsigned long long)c.start, (unsigned long long)c.end);
            }
            if (grow(d, (void **)&d->msgs, d->nmsgs, &d->capmsgs, sizeof *d->msgs)) return;
            d->msgs[d->nmsgs++] = (dmsg){.offset = in.offset, .time = m.log_time, .chan = m.channel_id};
            dcount *cnt = chunk_count(d, m.channel_id);
            if (!cnt) {
                if (grow(d, (void **)&d->cc, d->ncc, &d->capcc, sizeof *d->cc)) return;
                cnt = &d->cc[d->ncc++];
                *cnt = (dcount){.chan = m.channel_id};
            }
            cnt->n++;
            break;
        default:
            defect(d, "record-out-of-place", rec->offset, "%s record (opcode 0x%02x) inside a chunk",
                   op_name(in.op), in.op);
            break;
        }
    }
    if (n < 0) {
        defect(d, "chunk-bad-records", rec->offset, "record at records offset %llu runs past the chunk's end",
               (unsigned long long)cur.pos);
        return;
    }
    d->chunk_readable = 1;
}

static const dmsg *find_msg(const doc *d, uint64_t off) {
    size_t lo = 0, hi = d->nmsgs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->msgs[mid].offset < off) lo = mid + 1;
        else hi = mid;
    }
    return lo < d->nmsgs && d->msgs[lo].offset == off ? &d->msgs[lo] : NULL;
}

static void check_index(doc *d, const mcap_record *rec) {
    mcap_message_index mi;
    if (mcap_parse_message_index(rec->body, &mi) != 0) {
        defect(d, "malformed-record", rec->offset, "MessageIndex record fields run past its length");
        return;
    }
    if (!d->chunk_open || d->nchunks == 0) {
        defect(d, "message-index-unexpected", rec->offset, "MessageIndex for channel %u does not follow a chunk", mi.channel_id);
        return;
    }
    dchunk *c = &d->chunks[d->nchunks - 1];
    if (grow(d, (void **)&d->idxs, d->nidxs, &d->capidxs, sizeof *d->idxs)) return;
    d->idxs[d->nidxs++] = (didx){.chan = mi.channel_id, .offset = rec->offset};
    c->nidx++;
    c->idx_len += MCAP_RECORD_HDR + rec->body.len;
    if (!d->chunk_readable) return;
    if (mi.entries.len % 16) {
        defect(d, "malformed-record", rec->offset, "MessageIndex entries are %llu bytes, not a multiple of 16",
               (unsigned long long)mi.entries.len);
        return;
    }
    uint64_t t, off, entries = 0, have = 0;
    while (mcap_index_next(&mi.entries, &t, &off) == 1) {
        entries++;
        const dmsg *m = find_msg(d, off);
        if (!m || m->chan != mi.channel_id || m->time != t) {
            defect(d, "message-index-bad-entry", rec->offset,
                   "channel %u entry (log time %llu, offset %llu) does not point at such a message",
                   mi.channel_id, (unsigned long long)t, (unsigned long long)off);
            return;
        }
    }
    const dcount *cnt = chunk_count(d, mi.channel_id);
    have = cnt ? cnt->n : 0;
    if (have == 0)
        defect(d, "message-index-unexpected", rec->offset, "MessageIndex for channel %u, which has no message in the chunk", mi.channel_id);
    else if (entries != have)
        defect(d, "message-index-bad-entry", rec->offset, "MessageIndex for channel %u lists %llu messages, the chunk has %llu",
               mi.channel_id, (unsigned long long)entries, (unsigned long long)have);
}

/* Walk the data section; returns the DataEnd offset, or 0 when there is none. */
static uint64_t walk_data(doc *d) {
    mcap_reader *r = d->r;
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r->data + r->data_start, r->size - r->data_start, r->data_start);
    for (;;) {
        int n = mcap_cursor_next(&cur, &rec);
        if (n <= 0) {
            end_chunk(d);
            uint64_t at = cur.origin + cur.pos;
            if (n < 0)
                defect(d, "truncated", at, "%s record at %llu runs past the end of the file (%llu bytes): cut short",
                       op_name(r->data[at]), (unsigned long long)at, (unsigned long long)r->size);
            else
                defect(d, "missing-data-end", at, "the file ends without DataEnd and Footer: cut short");
            return 0;
        }
        if (d->oom) return 0;
        d->rep->records++;
        count_extra(d, &rec, rec.offset);
        if (rec.op != MCAP_OP_MESSAGE_INDEX) end_chunk(d);
        mcap_message m;
        switch (rec.op) {
        case MCAP_OP_SCHEMA: add_schema(d, rec.body, rec.offset, 0); break;
        case MCAP_OP_CHANNEL: add_channel(d, rec.body, rec.offset, 0); break;
        case MCAP_OP_MESSAGE: (void)add_message(d, rec.body, rec.offset, &m); break;
        case MCAP_OP_CHUNK: check_chunk(d, &rec); break;
        case MCAP_OP_MESSAGE_INDEX: check_index(d, &rec); break;
        case MCAP_OP_METADATA: {
            mcap_metadata md;
            if (mcap_parse_metadata(rec.body, &md) != 0) {
                defect(d, "malformed-record", rec.offset, "Metadata record fields run past its length");
                break;
            }
            if (grow(d, (void **)&d->metas, d->nmetas, &d->capmetas, sizeof *d->metas)) break;
            d->metas[d->nmetas++] = (drange){.offset = rec.offset, .length = MCAP_RECORD_HDR + rec.body.len};
            break;
        }
        case MCAP_OP_ATTACHMENT: {
            mcap_attachment a;
            d->attachments++;
            if (!grow(d, (void **)&d->atts, d->natts, &d->capatts, sizeof *d->atts))
                d->atts[d->natts++] = (drange){.offset = rec.offset, .length = MCAP_RECORD_HDR + rec.body.len};
            if (mcap_parse_attachment(rec.body, &a) != 0)
                defect(d, "malformed-record", rec.offset, "Attachment record fields run past its length");
            else if (a.crc && mcap_crc32(0, rec.body.p, (size_t)a.crc_len) != a.crc)
                defect(d, "malformed-record", rec.offset, "Attachment CRC does not match its contents");
            break;
        }
        case MCAP_OP_DATA_END: {
            uint32_t want;
            if (mcap_parse_data_end(rec.body, &want) != 0) {
                defect(d, "malformed-record", rec.offset, "DataEnd record shorter than 4 bytes");
                return rec.offset;
            }
            uint32_t got = want ? mcap_crc32(0, r->data, (size_t)rec.offset) : 0;
            if (got != want)
                defect(d, "bad-data-crc", rec.offset, "data section CRC %08x, DataEnd says %08x", got, want);
            if (!want)
                note(d, "no-data-crc", rec.offset, "DataEnd carries no data-section CRC: damage outside CRC'd chunks cannot be detected");
            d->data_end_len = MCAP_RECORD_HDR + rec.body.len;
            return rec.offset;
        }
        case MCAP_OP_FOOTER:
            defect(d, "missing-data-end", rec.offset, "Footer reached without a DataEnd record");
            return 0;
        case MCAP_OP_HEADER:
        case MCAP_OP_CHUNK_INDEX:
        case MCAP_OP_ATTACHMENT_INDEX:
        case MCAP_OP_STATISTICS:
        case MCAP_OP_METADATA_INDEX:
        case MCAP_OP_SUMMARY_OFFSET:
            defect(d, "record-out-of-place", rec.offset, "%s record in the data section", op_name(rec.op));
            break;
        default:
            if (rec.op >= 0x80) break; /* application extension: allowed anywhere */
            defect(d, "garbage", rec.offset, "opcode 0x%02x is not a record: the rest of the data section is unreadable", rec.op);
            return 0;
        }
    }
}

/* ---------- tail and summary ---------- */

/* Checks magic, footer and summary CRC. Returns 1 when the summary can be walked. */
static int check_tail(doc *d, mcap_footer *ft, uint64_t *footer_off) {
    mcap_reader *r = d->r;
    uint64_t tail = MCAP_RECORD_HDR + MCAP_FOOTER_LEN + MCAP_MAGIC_LEN;
    if (r->size < r->data_start + tail || memcmp(r->data + r->size - MCAP_MAGIC_LEN, MCAP_MAGIC, MCAP_MAGIC_LEN) != 0) {
        defect(d, "missing-footer", r->size, "the file does not end with Footer + magic: cut short (run recover)");
        return 0;
    }
    *footer_off = r->size - tail;
    const uint8_t *f = r->data + *footer_off;
    mcap_bytes body = {.p = f + MCAP_RECORD_HDR, .len = MCAP_FOOTER_LEN};
    uint64_t len = 0;
    for (int i = 0; i < 8; i++) len |= (uint64_t)f[1 + i] << (8 * i);
    if (f[0] != MCAP_OP_FOOTER || len != MCAP_FOOTER_LEN || mcap_parse_footer(body, ft) != 0) {
        defect(d, "bad-footer", *footer_off, "no Footer record (20 bytes) before the trailing magic");
        return 0;
    }
    d->footer_ok = 1;
    if (ft->summary_start == 0) { /* an unindexed file: allowed */
        note(d, "no-summary", *footer_off, "the Footer points at no summary: readers must scan the whole file");
        return 0;
    }
    d->rep->has_summary = 1;
    if (ft->summary_start < r->data_start || ft->summary_start > *footer_off ||
        (ft->summary_offset_start && (ft->summary_offset_start < ft->summary_start ||
                                      ft->summary_offset_start > *footer_off))) {
        defect(d, "bad-footer", *footer_off, "summary_start %llu / summary_offset_start %llu outside the file",
               (unsigned long long)ft->summary_start, (unsigned long long)ft->summary_offset_start);
        return 0;
    }
    if (ft->summary_crc) {
        uint32_t got = mcap_crc32(0, r->data + ft->summary_start,
                                  (size_t)(*footer_off + MCAP_RECORD_HDR + 16 - ft->summary_start));
        if (got != ft->summary_crc)
            defect(d, "bad-summary-crc", *footer_off, "summary CRC %08x, Footer says %08x", got, ft->summary_crc);
    }
    return 1;
}

static dchunk *find_chunk(doc *d, uint64_t off) {
    size_t lo = 0, hi = d->nchunks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->chunks[mid].offset < off) lo = mid + 1;
        else hi = mid;
    }
    return lo < d->nchunks && d->chunks[lo].offset == off ? &d->chunks[lo] : NULL;
}

static void check_chunk_index(doc *d, const mcap_record *rec) {
    mcap_chunk_index ci;
    if (mcap_parse_chunk_index(rec->body, &ci) != 0) {
        defect(d, "malformed-record", rec->offset, "ChunkIndex record fields run past its length");
        return;
    }
    dchunk *c = find_chunk(d, ci.chunk_offset);
    if (!c) {
        defect(d, "chunk-index-bad-offset", rec->offset, "ChunkIndex points at %llu, where no chunk starts",
               (unsigned long long)ci.chunk_offset);
        return;
    }
    c->indexed = 1;
    if (ci.chunk_length != c->length || ci.compressed_size != c->csize ||
        ci.uncompressed_size != c->usize || ci.start != c->start || ci.end != c->end ||
        ci.compression.len != c->compression.len ||
        (ci.compression.len && memcmp(ci.compression.p, c->compression.p, (size_t)ci.compression.len)))
        defect(d, "chunk-index-mismatch", rec->offset, "ChunkIndex for the chunk at %llu disagrees with its header (length, sizes, times or compression)",
               (unsigned long long)c->offset);
    if (ci.index_length != c->idx_len)
        defect(d, "chunk-index-mismatch", rec->offset, "ChunkIndex says %llu bytes of message indexes, the chunk at %llu has %llu",
               (unsigned long long)ci.index_length, (unsigned long long)c->offset, (unsigned long long)c->idx_len);
    mcap_bytes m = ci.index_offsets;
    uint16_t ch;
    uint64_t off, n = 0;
    int rc;
    while ((rc = mcap_map_next_u16u64(&m, &ch, &off)) == 1) {
        n++;
        int ok = 0;
        for (size_t k = 0; k < c->nidx && !ok; k++)
            ok = d->idxs[c->idx_first + k].chan == ch && d->idxs[c->idx_first + k].offset == off;
        if (!ok) {
            defect(d, "chunk-index-bad-offset", rec->offset, "message index offset %llu for channel %u is not that channel's MessageIndex after the chunk at %llu",
                   (unsigned long long)off, ch, (unsigned long long)c->offset);
            return;
        }
    }
    if (rc < 0) defect(d, "malformed-record", rec->offset, "ChunkIndex message_index_offsets map is malformed");
    else if (n && n != c->nidx)
        defect(d, "chunk-index-mismatch", rec->offset, "ChunkIndex lists %llu message indexes, the chunk at %llu has %zu",
               (unsigned long long)n, (unsigned long long)c->offset, c->nidx);
}

static void check_statistics(doc *d, const mcap_record *rec, int data_complete) {
    mcap_statistics st;
    if (mcap_parse_statistics(rec->body, &st) != 0) {
        defect(d, "malformed-record", rec->offset, "Statistics record fields run past its length");
        return;
    }
    if (!data_complete) return; /* counts of a cut data section prove nothing more */
    /* Schema and channel counts: libmcap (rosbag2's writer) counts the ids in the data
     * section, where it writes them only once a message uses them; others count the summary
     * copies too. Either reading of "in the file" is accepted. */
    uint64_t schemas = 0, channels = 0, schemas_all = 0, channels_all = 0;
    for (uint32_t i = 0; i < 65536; i++) {
        const did *x = id_peek(d, i);
        if (!x) {
            i |= 255; /* an empty page */
            continue;
        }
        if (i > 0) { /* schema id 0 means "no schema" */
            schemas += x->schema_seen;
            schemas_all += x->schema_seen || x->sum_schema;
        }
        channels += x->chan_seen;
        channels_all += x->chan_seen || x->sum_chan;
    }
    if (st.schema_count == schemas_all) schemas = schemas_all;
    if (st.channel_count == channels_all) channels = channels_all;
    struct { const char *what; uint64_t have, want; } f[] = {
        {"message_count", st.message_count, d->rep->messages},
        {"chunk_count", st.chunk_count, d->rep->chunks},
        {"metadata_count", st.metadata_count, d->nmetas},
        {"attachment_count", st.attachment_count, d->attachments},
        {"schema_count", st.schema_count, schemas},
        {"channel_count", st.channel_count, channels},
        {"message_start_time", st.start, d->rep->messages ? d->msg_start : 0},
        {"message_end_time", st.end, d->rep->messages ? d->msg_end : 0},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].have != f[i].want)
            defect(d, "statistics-mismatch", rec->offset, "Statistics %s is %llu, the file has %llu", f[i].what,
                   (unsigned long long)f[i].have, (unsigned long long)f[i].want);
    mcap_bytes m = st.channel_counts;
    uint16_t ch;
    uint64_t n;
    int rc;
    int any = 0;
    while ((rc = mcap_map_next_u16u64(&m, &ch, &n)) == 1) {
        any = 1;
        did *x = id_get(d, ch);
        if (!x) return;
        x->listed = 1;
        if (n != x->count)
            defect(d, "statistics-mismatch", rec->offset, "Statistics count for channel %u is %llu, the file has %llu",
                   ch, (unsigned long long)n, (unsigned long long)x->count);
    }
    if (rc < 0) defect(d, "malformed-record", rec->offset, "Statistics channel_message_counts map is malformed");
    for (uint32_t i = 0; any && i < 65536; i++) {
        const did *x = id_peek(d, i);
        if (!x) {
            i |= 255;
            continue;
        }
        if (x->used && !x->listed)
            defect(d, "statistics-mismatch", rec->offset, "Statistics has no count for channel %u, which has %llu messages",
                   (unsigned)i, (unsigned long long)x->count);
    }
}

typedef struct group {
    uint64_t start, length; /* range of the group's records */
    int seen, closed;       /* started; a different opcode came after it */
} group;

static void check_summary(doc *d, const mcap_footer *ft, uint64_t footer_off, int data_complete,
                          group groups[256]) {
    mcap_reader *r = d->r;
    uint64_t end = ft->summary_offset_start ? ft->summary_offset_start : footer_off;
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r->data + ft->summary_start, end - ft->summary_start, ft->summary_start);
    int n, prev = -1, nchunk_idx = 0;
    while ((n = mcap_cursor_next(&cur, &rec)) == 1) {
        group *g = &groups[rec.op];
        count_extra(d, &rec, rec.offset);
        if (rec.op != prev) {
            if (prev >= 0) groups[prev].closed = 1;
            if (g->seen && g->closed)
                defect(d, "summary-not-grouped", rec.offset, "%s records in the summary are not contiguous", op_name(rec.op));
            if (!g->seen) g->start = rec.offset;
            g->seen = 1;
            prev = rec.op;
        }
        g->length = rec.offset + MCAP_RECORD_HDR + rec.body.len - g->start;
        switch (rec.op) {
        case MCAP_OP_SCHEMA: add_schema(d, rec.body, rec.offset, 1); break;
        case MCAP_OP_CHANNEL: add_channel(d, rec.body, rec.offset, 1); break;
        case MCAP_OP_CHUNK_INDEX:
            nchunk_idx++;
            check_chunk_index(d, &rec);
            break;
        case MCAP_OP_STATISTICS: check_statistics(d, &rec, data_complete); break;
        case MCAP_OP_METADATA_INDEX: {
            mcap_metadata_index mi;
            if (mcap_parse_metadata_index(rec.body, &mi) != 0) {
                defect(d, "malformed-record", rec.offset, "MetadataIndex record fields run past its length");
                break;
            }
            int ok = 0;
            for (size_t i = 0; i < d->nmetas && !ok; i++)
                ok = d->metas[i].offset == mi.offset && d->metas[i].length == mi.length;
            if (!ok)
                defect(d, "metadata-index-mismatch", rec.offset, "MetadataIndex (%llu, %llu) is not a Metadata record",
                       (unsigned long long)mi.offset, (unsigned long long)mi.length);
            break;
        }
        case MCAP_OP_ATTACHMENT_INDEX: {
            mcap_attachment_index ai;
            if (mcap_parse_attachment_index(rec.body, &ai) != 0) {
                defect(d, "malformed-record", rec.offset, "AttachmentIndex record fields run past its length");
                break;
            }
            int ok = 0;
            for (size_t i = 0; i < d->natts && !ok; i++)
                ok = d->atts[i].offset == ai.offset && d->atts[i].length == ai.length;
            if (!ok)
                defect(d, "attachment-index-mismatch", rec.offset, "AttachmentIndex (%llu, %llu) is not an Attachment record",
                       (unsigned long long)ai.offset, (unsigned long long)ai.length);
            break;
        }
        default:
            if (rec.op < 0x80)
                defect(d, "record-out-of-place", rec.offset, "%s record in the summary section", op_name(rec.op));
            break;
        }
    }
    if (n < 0)
        defect(d, "truncated", cur.origin + cur.pos, "summary record runs past the summary's end");
    if (!groups[MCAP_OP_STATISTICS].seen)
        note(d, "no-statistics", ft->summary_start, "the summary has no Statistics record: counts need a scan");
    if (!data_complete) return;
    if (nchunk_idx == 0 && d->nchunks)
        note(d, "no-chunk-indexes", ft->summary_start, "the summary indexes none of the %zu chunks: readers must scan for them",
             d->nchunks);
    for (size_t i = 0; nchunk_idx && i < d->nchunks; i++)
        if (!d->chunks[i].indexed)
            defect(d, "chunk-index-missing", d->chunks[i].offset, "chunk at %llu has no ChunkIndex, though the summary indexes other chunks",
                   (unsigned long long)d->chunks[i].offset);
    /* Summary copies of channels and schemas are optional; without them a reader of the summary
     * alone cannot name a channel's topic or type and must scan the data section. */
    for (uint32_t i = 0; i < 65536; i++) {
        const did *x = id_peek(d, i);
        if (!x) {
            i |= 255;
            continue;
        }
        if (!x->used) continue;
        if (!x->sum_chan) {
            note(d, "summary-channel-missing", ft->summary_start, "channel %u has messages but no Channel record in the summary", (unsigned)i);
            continue;
        }
        const mcap_channel *c = mcap_reader_channel(r, (uint16_t)i);
        const did *sx = c && c->schema_id ? id_peek(d, c->schema_id) : NULL;
        if (c && c->schema_id && !(sx && sx->sum_schema))
            note(d, "summary-schema-missing", ft->summary_start, "schema %u of channel %u has no Schema record in the summary",
                 c->schema_id, (unsigned)i);
    }
}

static void check_summary_offsets(doc *d, const mcap_footer *ft, uint64_t footer_off, group groups[256]) {
    mcap_reader *r = d->r;
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r->data + ft->summary_offset_start, footer_off - ft->summary_offset_start,
                     ft->summary_offset_start);
    int n;
    while ((n = mcap_cursor_next(&cur, &rec)) == 1) {
        mcap_summary_offset so;
        count_extra(d, &rec, rec.offset);
        if (rec.op != MCAP_OP_SUMMARY_OFFSET) {
            defect(d, "record-out-of-place", rec.offset, "%s record in the summary offset section", op_name(rec.op));
            continue;
        }
        if (mcap_parse_summary_offset(rec.body, &so) != 0) {
            defect(d, "malformed-record", rec.offset, "SummaryOffset record fields run past its length");
            continue;
        }
        const group *g = &groups[so.op];
        if (!g->seen || g->start != so.start || g->length != so.length)
            defect(d, "summary-offset-mismatch", rec.offset, "SummaryOffset for %s says (%llu, %llu), the summary has (%llu, %llu)",
                   op_name(so.op), (unsigned long long)so.start, (unsigned long long)so.length,
                   (unsigned long long)g->start, (unsigned long long)g->length);
    }
    if (n < 0) defect(d, "truncated", cur.origin + cur.pos, "summary offset record runs past the footer");
}

int mcap_doctor(mcap_reader *r, unsigned max_defects, mcap_doctor_fn fn, void *ctx,
                mcap_doctor_report *rep) {
    *rep = (mcap_doctor_report){0};
    doc *d = calloc(1, sizeof *d);
    group *groups = calloc(256, sizeof *groups);
    if (!d || !groups) {
        free(d);
        free(groups);
        return -ENOMEM;
    }
    *d = (doc){.r = r, .fn = fn, .ctx = ctx, .rep = rep, .max = max_defects};
    uint64_t data_end = walk_data(d);
    mcap_footer ft = {0};
    uint64_t footer_off = 0;
    int have_summary = !d->oom && check_tail(d, &ft, &footer_off);
    if (data_end && !d->oom && d->footer_ok) {
        /* DataEnd ends the data section: the next section (summary, summary offsets or the
         * footer) starts right after it. A length that runs into it breaks every reader. */
        uint64_t next = ft.summary_start ? ft.summary_start : ft.summary_offset_start ? ft.summary_offset_start : footer_off;
        uint64_t end = data_end + d->data_end_len;
        if (end > next)
            defect(d, "data-end-bad-length", data_end, "DataEnd length %llu runs to %llu, past the start of the next section at %llu",
                   (unsigned long long)(d->data_end_len - MCAP_RECORD_HDR), (unsigned long long)end, (unsigned long long)next);
        else if (end < next)
            defect(d, "bad-footer", footer_off, "%s starts at %llu, not right after DataEnd (which ends at %llu)",
                   ft.summary_start ? "the summary" : ft.summary_offset_start ? "the summary offset section" : "the Footer",
                   (unsigned long long)next, (unsigned long long)end);
    }
    if (have_summary) {
        check_summary(d, &ft, footer_off, data_end != 0, groups);
        if (ft.summary_offset_start) check_summary_offsets(d, &ft, footer_off, groups);
    }
    if (d->unindexed_chunks)
        note(d, "no-message-indexes", d->nchunks ? d->chunks[0].offset : 0,
             "%llu chunk(s) have no MessageIndex records: readers must decompress them to find messages",
             (unsigned long long)d->unindexed_chunks);
    for (unsigned op = 0; op < 16; op++)
        if (d->extra_n[op])
            note(d, "record-extra-bytes", d->extra_at[op],
                 "%llu %s record(s) are longer than their known fields (a newer format version or padding): the extra bytes are ignored",
                 (unsigned long long)d->extra_n[op], op_name((uint8_t)op));
    int oom = d->oom;
    free(d->chunks);
    free(d->idxs);
    free(d->msgs);
    free(d->cc);
    for (size_t p = 0; p < 256; p++) free(d->ids[p]);
    free(d->metas);
    free(d->atts);
    free(d->buf);
    free(d);
    free(groups);
    return oom ? -ENOMEM : (int)rep->defects;
}
