/* mcap_recover — see mcap_recover.h.
 *
 * Map:
 *   loss/unverified  what was lost, what no CRC vouches for
 *   copy_*           carry one schema / channel / metadata / message / attachment over,
 *                    remapping ids
 *   chunk_ok         first pass over a chunk: decompresses, CRC, every record frames and parses
 *   walk             the data section, record by record
 *   verdict          the evidence rule (see mcap_recover.h)
 */
#include "mcap/mcap_recover.h"

#include "mcap/mcap_crc.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct rstate {
    mcap_reader *r;            /* input */
    mcap_writer *w;            /* output */
    mcap_recover_report *rep;  /* counts */
    uint16_t *schema_map[256]; /* input schema id -> output id (0 = not seen), pages of 256 */
    uint16_t *chan_map[256];   /* input channel id -> output id (0 = not seen), pages of 256 */
    uint8_t *buf;              /* decompression buffer */
    size_t cap;                /* its size */
    int counting_lost;         /* the last chunk was lost: its message indexes count the loss */
    int lossy;                 /* something was lost */
    uint64_t vouched_chunks;   /* kept chunks whose own CRC matched */
} rstate;

/* Id maps in pages made on first write: most files use a handful of ids. */
static uint16_t map_get(uint16_t *const map[256], uint16_t id) {
    return map[id >> 8] ? map[id >> 8][id & 255] : 0;
}

static int map_set(uint16_t *map[256], uint16_t id, uint16_t v) {
    if (!map[id >> 8] && !(map[id >> 8] = calloc(256, sizeof(uint16_t)))) return -ENOMEM;
    map[id >> 8][id & 255] = v;
    return 0;
}

static void vloss(rstate *s, const char *fmt, va_list ap) {
    s->lossy = 1;
    if (s->rep->first_loss[0]) return;
    vsnprintf(s->rep->first_loss, sizeof s->rep->first_loss, fmt, ap);
}

static void loss(rstate *s, const char *fmt, ...) {
    s->rep->unproven = 0;
    va_list ap;
    va_start(ap, fmt);
    vloss(s, fmt, ap);
    va_end(ap);
}

/* Nothing was seen lost, but nothing proves the records complete and unchanged either. */
static void unproven(rstate *s, const char *fmt, ...) {
    if (!s->lossy) s->rep->unproven = 1;
    va_list ap;
    va_start(ap, fmt);
    vloss(s, fmt, ap);
    va_end(ap);
}

/* A kept record that nothing but the data-section CRC can vouch for: named, in case that CRC
 * turns out absent or wrong. */
static void unverified(rstate *s, const char *fmt, ...) {
    mcap_recover_report *rep = s->rep;
    rep->unverified++;
    size_t used = strlen(rep->unverified_what), room = sizeof rep->unverified_what - used;
    if (room < 64) return; /* the count goes on; the CLI says how many are not named */
    char one[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(one, sizeof one, fmt, ap);
    va_end(ap);
    if (strlen(one) + 2 >= room - 1) return;
    snprintf(rep->unverified_what + used, room, "%s%s", used ? ", " : "", one);
}

/* The writer takes C strings: a NUL inside a string would silently shorten it. */
static int has_nul(mcap_bytes b) { return b.len && memchr(b.p, 0, (size_t)b.len) != NULL; }

static int map_has_nul(mcap_bytes m) {
    mcap_bytes k, v;
    while (mcap_map_next_str(&m, &k, &v) == 1)
        if (has_nul(k) || has_nul(v)) return 1;
    return 0;
}

/* ---------- carrying records over ---------- */

static int copy_schema(rstate *s, mcap_bytes body, uint64_t offset) {
    mcap_schema sc;
    if (mcap_parse_schema(body, &sc) != 0 || sc.id == 0) {
        s->rep->records_lost++;
        loss(s, "Schema record at %llu is malformed or has id 0", (unsigned long long)offset);
        return 0;
    }
    int rc = mcap_reader_add_schema(s->r, body);
    if (rc == -ENOMEM) return rc;
    if (rc == -EEXIST) {
        s->rep->records_lost++;
        loss(s, "Schema %u at %llu differs from an earlier one with that id: not carried over",
             sc.id, (unsigned long long)offset);
        return 0;
    }
    if (map_get(s->schema_map, sc.id)) return 0; /* a repeat of one already carried */
    if (has_nul(sc.name) || has_nul(sc.encoding)) {
        s->rep->records_lost++;
        loss(s, "Schema %u at %llu: a NUL byte in its name or encoding", sc.id, (unsigned long long)offset);
        return 0;
    }
    char *name = mcap_bytes_dup(sc.name), *enc = mcap_bytes_dup(sc.encoding);
    rc = -ENOMEM;
    uint16_t id;
    if (name && enc) rc = mcap_writer_add_schema(s->w, name, enc, sc.data.p, (size_t)sc.data.len, &id);
    free(name);
    free(enc);
    if (rc) return rc;
    rc = map_set(s->schema_map, sc.id, id);
    if (rc) return rc;
    s->rep->schemas++;
    return 0;
}

static int copy_channel(rstate *s, mcap_bytes body, uint64_t offset) {
    mcap_channel ch;
    if (mcap_parse_channel(body, &ch) != 0) {
        s->rep->records_lost++;
        loss(s, "Channel record at %llu is malformed", (unsigned long long)offset);
        return 0;
    }
    int arc = mcap_reader_add_channel(s->r, body);
    if (arc == -ENOMEM) return arc;
    if (arc == -EEXIST) {
        s->rep->records_lost++;
        loss(s, "Channel %u at %llu differs from an earlier one with that id: not carried over",
             ch.id, (unsigned long long)offset);
        return 0;
    }
    if (map_get(s->chan_map, ch.id)) return 0; /* a repeat of one already carried */
    if (has_nul(ch.topic) || has_nul(ch.message_encoding) || map_has_nul(ch.metadata)) {
        s->rep->records_lost++;
        loss(s, "Channel %u at %llu: a NUL byte in its topic, encoding or metadata", ch.id,
             (unsigned long long)offset);
        return 0;
    }
    uint16_t sid = 0;
    if (ch.schema_id) {
        sid = map_get(s->schema_map, ch.schema_id);
        if (!sid) loss(s, "channel %u at %llu: its schema %u was lost; messages kept without it",
                       ch.id, (unsigned long long)offset, ch.schema_id);
    }
    size_t n = 0;
    mcap_bytes m = ch.metadata, k, v;
    int mr;
    while ((mr = mcap_map_next_str(&m, &k, &v)) == 1) n++;
    if (mr < 0) loss(s, "channel %u at %llu: malformed metadata dropped", ch.id, (unsigned long long)offset);
    char **keys = calloc(n ? n : 1, sizeof *keys), **vals = calloc(n ? n : 1, sizeof *vals);
    char *topic = mcap_bytes_dup(ch.topic), *enc = mcap_bytes_dup(ch.message_encoding);
    int rc = keys && vals && topic && enc ? 0 : -ENOMEM;
    m = ch.metadata;
    for (size_t i = 0; i < n && rc == 0 && mcap_map_next_str(&m, &k, &v) == 1; i++) {
        keys[i] = mcap_bytes_dup(k);
        vals[i] = mcap_bytes_dup(v);
        if (!keys[i] || !vals[i]) rc = -ENOMEM;
    }
    uint16_t id;
    if (rc == 0)
        rc = mcap_writer_add_channel(s->w, sid, topic, enc, (const char *const *)keys,
                                     (const char *const *)vals, mr < 0 ? 0 : n, &id);
    for (size_t i = 0; keys && vals && i < n; i++) {
        free(keys[i]);
        free(vals[i]);
    }
    free(keys);
    free(vals);
    free(topic);
    free(enc);
    if (rc) return rc;
    rc = map_set(s->chan_map, ch.id, id);
    if (rc) return rc;
    s->rep->channels++;
    return 0;
}

static int copy_metadata(rstate *s, mcap_bytes body, uint64_t offset) {
    mcap_metadata md;
    if (mcap_parse_metadata(body, &md) != 0) {
        s->rep->records_lost++;
        loss(s, "metadata record at %llu is malformed", (unsigned long long)offset);
        return 0;
    }
    size_t n = 0;
    mcap_bytes m = md.map, k, v;
    int mr;
    while ((mr = mcap_map_next_str(&m, &k, &v)) == 1) n++;
    if (mr < 0 || has_nul(md.name) || map_has_nul(md.map)) {
        s->rep->records_lost++;
        loss(s, "metadata record at %llu has a malformed map or a NUL byte in a string",
             (unsigned long long)offset);
        return 0;
    }
    char **keys = calloc(n ? n : 1, sizeof *keys), **vals = calloc(n ? n : 1, sizeof *vals);
    char *name = mcap_bytes_dup(md.name);
    int rc = keys && vals && name ? 0 : -ENOMEM;
    m = md.map;
    for (size_t i = 0; i < n && rc == 0 && mcap_map_next_str(&m, &k, &v) == 1; i++) {
        keys[i] = mcap_bytes_dup(k);
        vals[i] = mcap_bytes_dup(v);
        if (!keys[i] || !vals[i]) rc = -ENOMEM;
    }
    if (rc == 0)
        rc = mcap_writer_add_metadata(s->w, name, (const char *const *)keys,
                                      (const char *const *)vals, n);
    for (size_t i = 0; keys && vals && i < n; i++) {
        free(keys[i]);
        free(vals[i]);
    }
    free(keys);
    free(vals);
    free(name);
    if (rc == 0) s->rep->metadata++;
    return rc;
}

/* An attachment with a CRC that matches is vouched for by itself; one whose CRC fails is
 * damaged and dropped (its bytes cannot be trusted). */
static int copy_attachment(rstate *s, mcap_bytes body, uint64_t offset) {
    mcap_attachment a;
    const char *why = NULL;
    if (mcap_parse_attachment(body, &a) != 0) why = "is malformed";
    else if (a.crc && mcap_crc32(0, body.p, (size_t)a.crc_len) != a.crc) why = "fails its CRC";
    else if (has_nul(a.name) || has_nul(a.media_type)) why = "has a NUL byte in its name or media type";
    if (why) {
        s->rep->records_lost++;
        loss(s, "attachment at %llu %s: not carried over", (unsigned long long)offset, why);
        return 0;
    }
    char *name = mcap_bytes_dup(a.name), *media = mcap_bytes_dup(a.media_type);
    int rc = name && media ? mcap_writer_add_attachment(s->w, name, media, a.log_time, a.create_time,
                                                         a.data.p, (size_t)a.data.len)
                           : -ENOMEM;
    if (rc == 0 && !a.crc)
        unverified(s, "Attachment '%.40s' at %llu (no CRC)", name, (unsigned long long)offset);
    free(name);
    free(media);
    if (rc == 0) s->rep->attachments++;
    return rc;
}

static int copy_message(rstate *s, mcap_bytes body, uint64_t offset) {
    mcap_message m;
    if (mcap_parse_message(body, &m) != 0) {
        s->rep->messages_lost++;
        loss(s, "message at %llu is malformed", (unsigned long long)offset);
        return 0;
    }
    uint16_t id = map_get(s->chan_map, m.channel_id);
    if (!id) {
        s->rep->messages_lost++;
        loss(s, "message at %llu: channel %u was never defined", (unsigned long long)offset, m.channel_id);
        return 0;
    }
    int rc = mcap_writer_write(s->w, id, m.sequence, m.log_time, m.publish_time, m.data.p,
                               (size_t)m.data.len, 0);
    if (rc == 0) s->rep->messages++;
    return rc;
}

/* A record of the data section outside any chunk: only the data-section CRC vouches for it. */
static int copy_top(rstate *s, const mcap_record *rec) {
    uint64_t at = rec->offset;
    mcap_schema sc;
    mcap_channel ch;
    mcap_message m;
    mcap_metadata md;
    switch (rec->op) {
    case MCAP_OP_SCHEMA:
        if (mcap_parse_schema(rec->body, &sc) == 0) unverified(s, "Schema %u at %llu", sc.id, (unsigned long long)at);
        return copy_schema(s, rec->body, at);
    case MCAP_OP_CHANNEL:
        if (mcap_parse_channel(rec->body, &ch) == 0) unverified(s, "Channel %u at %llu", ch.id, (unsigned long long)at);
        return copy_channel(s, rec->body, at);
    case MCAP_OP_MESSAGE:
        if (mcap_parse_message(rec->body, &m) == 0)
            unverified(s, "Message (channel %u, sequence %u) at %llu", m.channel_id, m.sequence, (unsigned long long)at);
        return copy_message(s, rec->body, at);
    default:
        assert(rec->op == MCAP_OP_METADATA); /* walk() sends only these four here */
        if (mcap_parse_metadata(rec->body, &md) == 0)
            unverified(s, "Metadata '%.*s' at %llu", (int)(md.name.len > 40 ? 40 : md.name.len),
                       md.name.len ? (const char *)md.name.p : "", (unsigned long long)at);
        return copy_metadata(s, rec->body, at);
    }
}

/* ---------- chunks ---------- */

/* 0 when the whole chunk is usable (records in *recs), else a sentence in why. A chunk is
 * kept or lost whole: half a chunk would hide which messages are missing. */
static int chunk_ok(rstate *s, mcap_bytes body, mcap_bytes *recs, char *why, size_t whylen) {
    mcap_chunk c;
    if (mcap_parse_chunk(body, &c) != 0) {
        snprintf(why, whylen, "malformed chunk header");
        return -1;
    }
    if (mcap_chunk_decompress(&c, s->r->max_chunk, 1, &s->buf, &s->cap, recs, why, whylen) != 0)
        return -1;
    mcap_cursor cur;
    mcap_record rec;
    int rc;
    mcap_cursor_init(&cur, recs->p, recs->len, 0);
    while ((rc = mcap_cursor_next(&cur, &rec)) == 1) {
        mcap_message m;
        mcap_schema sc;
        mcap_channel ch;
        if ((rec.op == MCAP_OP_MESSAGE && mcap_parse_message(rec.body, &m) != 0) ||
            (rec.op == MCAP_OP_SCHEMA && mcap_parse_schema(rec.body, &sc) != 0) ||
            (rec.op == MCAP_OP_CHANNEL && mcap_parse_channel(rec.body, &ch) != 0)) {
            snprintf(why, whylen, "malformed record (opcode 0x%02x) at records offset %llu", rec.op,
                     (unsigned long long)rec.offset);
            return -1;
        }
    }
    if (rc < 0) {
        snprintf(why, whylen, "record at records offset %llu runs past the chunk end",
                 (unsigned long long)cur.pos);
        return -1;
    }
    return 0;
}

static int copy_chunk(rstate *s, const mcap_record *top) {
    char why[200];
    mcap_bytes recs;
    if (chunk_ok(s, top->body, &recs, why, sizeof why) != 0) {
        s->rep->chunks_lost++;
        s->rep->bytes_lost += MCAP_RECORD_HDR + top->body.len;
        s->counting_lost = 1;
        loss(s, "chunk at %llu skipped: %s", (unsigned long long)top->offset, why);
        return 0;
    }
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, recs.p, recs.len, 0);
    int rc = 0;
    uint64_t msgs = s->rep->messages;
    while (rc == 0 && mcap_cursor_next(&cur, &rec) == 1) {
        if (rec.op == MCAP_OP_SCHEMA) rc = copy_schema(s, rec.body, top->offset);
        else if (rec.op == MCAP_OP_CHANNEL) rc = copy_channel(s, rec.body, top->offset);
        else if (rec.op == MCAP_OP_MESSAGE) rc = copy_message(s, rec.body, top->offset);
        else {
            s->rep->records_lost++;
            loss(s, "chunk at %llu holds a record with opcode 0x%02x: not carried over",
                 (unsigned long long)top->offset, rec.op);
        }
    }
    if (rc) return rc;
    s->rep->chunks++;
    mcap_chunk c;
    (void)mcap_parse_chunk(top->body, &c); /* parsed by chunk_ok */
    if (c.uncompressed_crc) s->vouched_chunks++;
    else
        unverified(s, "Chunk at %llu (%llu messages, no chunk CRC)", (unsigned long long)top->offset,
                   (unsigned long long)(s->rep->messages - msgs));
    return 0;
}

/* ---------- the walk ---------- */

static const char *compression_of_first_chunk(const mcap_reader *r) {
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r->data + r->data_start, r->size - r->data_start, r->data_start);
    while (mcap_cursor_next(&cur, &rec) == 1) {
        if (rec.op == MCAP_OP_DATA_END || rec.op == MCAP_OP_FOOTER) break;
        mcap_chunk c;
        if (rec.op == MCAP_OP_CHUNK && mcap_parse_chunk(rec.body, &c) == 0) {
            if (mcap_bytes_eq(c.compression, "lz4")) return "lz4";
            if (mcap_bytes_eq(c.compression, "zstd")) return "zstd";
            return "";
        }
    }
    return "";
}

/* Walk the data section, carrying records over, until DataEnd, a Footer, a cut or garbage. */
static int walk(rstate *s) {
    mcap_reader *r = s->r;
    mcap_recover_report *rep = s->rep;
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r->data + r->data_start, r->size - r->data_start, r->data_start);
    for (;;) {
        int n = mcap_cursor_next(&cur, &rec);
        if (n == 0) return 0; /* the bytes end at a record boundary: no DataEnd */
        if (n < 0) {
            uint64_t at = cur.origin + cur.pos;
            rep->cut_at = at;
            rep->bytes_lost += r->size - at;
            loss(s, "file cut short at %llu inside a record (opcode 0x%02x)", (unsigned long long)at, r->data[at]);
            return 0;
        }
        if (rec.op != MCAP_OP_MESSAGE_INDEX) s->counting_lost = 0;
        int rc = 0;
        switch (rec.op) {
        case MCAP_OP_SCHEMA:
        case MCAP_OP_CHANNEL:
        case MCAP_OP_MESSAGE:
        case MCAP_OP_METADATA: rc = copy_top(s, &rec); break;
        case MCAP_OP_CHUNK: rc = copy_chunk(s, &rec); break;
        case MCAP_OP_ATTACHMENT: rc = copy_attachment(s, rec.body, rec.offset); break;
        case MCAP_OP_MESSAGE_INDEX:
            if (s->counting_lost) {
                mcap_message_index mi;
                if (mcap_parse_message_index(rec.body, &mi) == 0) rep->messages_lost += mi.entries.len / 16;
            }
            break;
        case MCAP_OP_DATA_END:
            if (mcap_parse_data_end(rec.body, &rep->data_crc_want) != 0) {
                loss(s, "DataEnd at %llu is malformed", (unsigned long long)rec.offset);
                return 0;
            }
            rep->data_end = 1;
            rep->data_crc = MCAP_RECOVER_CRC_ABSENT;
            if (rep->data_crc_want) {
                rep->data_crc_got = mcap_crc32(0, r->data, (size_t)rec.offset);
                rep->data_crc = rep->data_crc_got == rep->data_crc_want ? MCAP_RECOVER_CRC_OK : MCAP_RECOVER_CRC_BAD;
            }
            return 0;
        case MCAP_OP_FOOTER:
            loss(s, "Footer at %llu reached without a DataEnd record", (unsigned long long)rec.offset);
            return 0;
        case MCAP_OP_HEADER:
        case MCAP_OP_CHUNK_INDEX:
        case MCAP_OP_ATTACHMENT_INDEX:
        case MCAP_OP_STATISTICS:
        case MCAP_OP_METADATA_INDEX:
        case MCAP_OP_SUMMARY_OFFSET:
            break; /* index records: the writer makes its own */
        default:
            if (rec.op >= 0x80) { /* an application's extension record: ours to keep, but we can't */
                rep->records_lost++;
                loss(s, "extension record (opcode 0x%02x) at %llu not carried over", rec.op,
                     (unsigned long long)rec.offset);
                break;
            }
            /* Opcode 0 or a reserved one: not a record, so nothing after it can be trusted
             * (e.g. a zero-filled tail after a power loss). */
            rep->cut_at = rec.offset;
            rep->bytes_lost += r->size - rec.offset;
            loss(s, "garbage at %llu (opcode 0x%02x): reading stopped", (unsigned long long)rec.offset, rec.op);
            return 0;
        }
        if (rc) return rc;
    }
}

/* The input's summary, read apart from the walk so that its schema/channel copies do not
 * stand in for (or conflict with) the data section's. 1 with *st filled when it is intact and
 * has statistics. */
static int summary_statistics(const mcap_reader *in, mcap_statistics *st, int *had_summary) {
    mcap_reader r;
    char err[256];
    *had_summary = 0;
    if (mcap_reader_open_mem(&r, in->data, (size_t)in->size, err, sizeof err) != 0) return 0;
    int ok = mcap_reader_read_summary(&r, err, sizeof err) == 0;
    *had_summary = ok;
    ok = ok && r.has_statistics;
    if (ok) *st = r.statistics;
    mcap_reader_close(&r);
    return ok;
}

/* The evidence rule of mcap_recover.h: proven lossless (proof filled) or a loss recorded. */
static void verdict(rstate *s, const mcap_statistics *st, int has_st) {
    mcap_recover_report *rep = s->rep;
    if (has_st && st->message_count > rep->messages) {
        /* The input's own statistics know better than our count of what looked lost. */
        if (rep->messages_lost < st->message_count - rep->messages)
            rep->messages_lost = st->message_count - rep->messages;
        loss(s, "input statistics list %llu messages, %llu recovered",
             (unsigned long long)st->message_count, (unsigned long long)rep->messages);
    }
    if (has_st && (st->metadata_count > rep->metadata || st->attachment_count > rep->attachments))
        loss(s, "input statistics list %u metadata records and %u attachments, %llu and %llu recovered",
             st->metadata_count, st->attachment_count, (unsigned long long)rep->metadata,
             (unsigned long long)rep->attachments);
    if (!rep->data_end) {
        loss(s, "no DataEnd record: nothing proves the data section was complete");
        return;
    }
    if (rep->data_crc == MCAP_RECOVER_CRC_OK) {
        rep->unverified = 0; /* the data-section CRC vouches for every record */
        rep->unverified_what[0] = '\0';
        if (!s->lossy)
            snprintf(rep->proof, sizeof rep->proof,
                     "the data-section CRC %08x in DataEnd matches: every record is unchanged", rep->data_crc_want);
        return;
    }
    if (rep->data_crc == MCAP_RECOVER_CRC_BAD) {
        loss(s, "data-section CRC is %08x, DataEnd says %08x: %llu kept record(s) have no CRC of their own "
                "and may have been changed",
             rep->data_crc_got, rep->data_crc_want, (unsigned long long)rep->unverified);
        return;
    }
    if (rep->unverified) {
        unproven(s, "no data-section CRC (DataEnd's is 0) and %llu kept record(s) have no CRC of their own: "
                    "nothing proves them unchanged",
             (unsigned long long)rep->unverified);
        return;
    }
    /* Every kept record has its own CRC; the statistics must account for all of them. */
    if (!has_st || st->message_count != rep->messages || st->chunk_count != rep->chunks ||
        st->metadata_count != rep->metadata || st->attachment_count != rep->attachments) {
        unproven(s, "no data-section CRC, and no intact summary statistics to prove no record is missing");
        return;
    }
    if (!s->lossy)
        snprintf(rep->proof, sizeof rep->proof,
                 "every chunk and attachment CRC matches, and the summary statistics count exactly "
                 "the %llu messages, %llu chunks kept",
                 (unsigned long long)rep->messages, (unsigned long long)rep->chunks);
}

static int recover_run(mcap_reader *r, const char *out, const mcap_writer_options *opts,
                       mcap_recover_report *rep, char *err, size_t errlen) {
    mcap_statistics st = {0};
    int has_st = summary_statistics(r, &st, &rep->had_summary);

    mcap_writer_options o;
    if (opts) {
        o = *opts;
    } else {
        mcap_writer_options_default(&o);
        const char *c = compression_of_first_chunk(r);
        o.compression = !strcmp(c, "lz4") ? MCAP_COMPRESSION_LZ4
                        : !strcmp(c, "zstd") ? MCAP_COMPRESSION_ZSTD : MCAP_COMPRESSION_NONE;
    }
    char *profile = mcap_bytes_dup(r->header.profile), *library = mcap_bytes_dup(r->header.library);
    rstate *s = calloc(1, sizeof *s);
    if (!s || !profile || !library) {
        free(profile);
        free(library);
        free(s);
        snprintf(err, errlen, "recover(%s): out of memory", out);
        return -ENOMEM;
    }
    o.profile = profile;
    o.library = library;
    s->r = r;
    s->rep = rep;
    int rc = mcap_writer_open(&s->w, out, &o, err, errlen);
    free(profile);
    free(library);
    if (rc) {
        free(s);
        return rc;
    }
    rc = walk(s);
    if (rc == 0) verdict(s, &st, has_st);
    if (rc) snprintf(err, errlen, "%s", rc == -ENOMEM ? "recover: out of memory" : mcap_writer_error(s->w));
    int crc = mcap_writer_close(s->w);
    if (rc == 0 && crc) {
        rc = crc;
        snprintf(err, errlen, "close(%s): %s", out, strerror(-crc));
    }
    int lossy = s->lossy;
    free(s->buf);
    for (size_t p = 0; p < 256; p++) {
        free(s->schema_map[p]);
        free(s->chan_map[p]);
    }
    free(s);
    if (rc) {
        unlink(out);
        return rc;
    }
    if (!lossy) return MCAP_RECOVER_LOSSLESS;
    int lost = rep->chunks_lost || rep->messages_lost || rep->records_lost || rep->cut_at;
    if (rep->messages || rep->metadata || rep->attachments || !lost) return MCAP_RECOVER_LOSSY;
    unlink(out);
    snprintf(err, errlen, "nothing to recover: %s", rep->first_loss);
    return MCAP_RECOVER_NOTHING;
}

int mcap_recover_mem(const void *data, size_t size, const char *out,
                     const mcap_writer_options *opts, mcap_recover_report *rep, char *err,
                     size_t errlen) {
    *rep = (mcap_recover_report){0};
    mcap_reader r;
    if (mcap_reader_open_mem(&r, data, size, err, errlen) != 0) return MCAP_RECOVER_NOTHING;
    r.max_chunk = 64u << 20; /* memory input is the fuzzing path: keep allocations small */
    int rc = recover_run(&r, out, opts, rep, err, errlen);
    mcap_reader_close(&r);
    return rc;
}

int mcap_recover(const char *in, const char *out, const mcap_writer_options *opts,
                 mcap_recover_report *rep, char *err, size_t errlen) {
    *rep = (mcap_recover_report){0};
    mcap_reader r;
    int rc = mcap_reader_open_file(&r, in, err, errlen);
    if (rc == -EBADMSG) return MCAP_RECOVER_NOTHING; /* not MCAP: err says so */
    if (rc) return rc;
    rc = recover_run(&r, out, opts, rep, err, errlen);
    mcap_reader_close(&r);
    return rc;
}
