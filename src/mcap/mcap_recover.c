/* mcap_recover — see mcap_recover.h.
 *
 * Map:
 *   copy_*        carry one schema / channel / metadata / message over, remapping ids
 *   chunk_ok      first pass over a chunk: decompresses, CRC, every record frames and parses
 *   recover_run   the walk over the data section and the loss accounting
 */
#include "mcap/mcap_recover.h"

#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"

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

static void loss(rstate *s, const char *fmt, ...) {
    s->lossy = 1;
    if (s->rep->first_loss[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->rep->first_loss, sizeof s->rep->first_loss, fmt, ap);
    va_end(ap);
}

/* ---------- carrying records over ---------- */

static int copy_schema(rstate *s, mcap_bytes body) {
    mcap_schema sc;
    if (mcap_parse_schema(body, &sc) != 0 || sc.id == 0) return 0; /* id 0 is "no schema" */
    if (map_get(s->schema_map, sc.id)) return 0; /* repeated (identical by spec): already carried */
    char *name = mcap_bytes_dup(sc.name), *enc = mcap_bytes_dup(sc.encoding);
    int rc = -ENOMEM;
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
    if (mcap_parse_channel(body, &ch) != 0) return 0;
    if (map_get(s->chan_map, ch.id)) return 0;
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
    if (mr < 0) {
        s->rep->records_lost++;
        loss(s, "metadata record at %llu has a malformed map", (unsigned long long)offset);
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
    while (rc == 0 && mcap_cursor_next(&cur, &rec) == 1) {
        if (rec.op == MCAP_OP_SCHEMA) rc = copy_schema(s, rec.body);
        else if (rec.op == MCAP_OP_CHANNEL) rc = copy_channel(s, rec.body, top->offset);
        else if (rec.op == MCAP_OP_MESSAGE) rc = copy_message(s, rec.body, top->offset);
    }
    if (rc == 0) s->rep->chunks++;
    return rc;
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

static int recover_run(mcap_reader *r, const char *out, const mcap_writer_options *opts,
                       mcap_recover_report *rep, char *err, size_t errlen) {
    char sumerr[256];
    rep->had_summary = mcap_reader_read_summary(r, sumerr, sizeof sumerr) == 0;
    uint64_t expected = rep->had_summary && r->has_statistics ? r->statistics.message_count : 0;

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

    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r->data + r->data_start, r->size - r->data_start, r->data_start);
    int more = 1;
    while (rc == 0 && more) {
        int n = mcap_cursor_next(&cur, &rec);
        if (n == 0) break; /* the bytes end exactly at a record boundary */
        if (n < 0) {
            uint64_t at = cur.origin + cur.pos;
            rep->cut_at = at;
            rep->bytes_lost += r->size - at;
            /* A cut inside a message index or the data end loses no message. */
            uint8_t op = r->data[at];
            if (op != MCAP_OP_MESSAGE_INDEX && op != MCAP_OP_DATA_END)
                loss(s, "file cut short at %llu inside a record (opcode 0x%02x)", (unsigned long long)at, op);
            break;
        }
        if (rec.op != MCAP_OP_MESSAGE_INDEX) s->counting_lost = 0;
        switch (rec.op) {
        case MCAP_OP_SCHEMA: rc = copy_schema(s, rec.body); break;
        case MCAP_OP_CHANNEL: rc = copy_channel(s, rec.body, rec.offset); break;
        case MCAP_OP_MESSAGE: rc = copy_message(s, rec.body, rec.offset); break;
        case MCAP_OP_CHUNK: rc = copy_chunk(s, &rec); break;
        case MCAP_OP_METADATA: rc = copy_metadata(s, rec.body, rec.offset); break;
        case MCAP_OP_MESSAGE_INDEX:
            if (s->counting_lost) {
                mcap_message_index mi;
                if (mcap_parse_message_index(rec.body, &mi) == 0) rep->messages_lost += mi.entries.len / 16;
            }
            break;
        case MCAP_OP_ATTACHMENT:
            rep->records_lost++;
            loss(s, "attachment at %llu not carried over", (unsigned long long)rec.offset);
            break;
        case MCAP_OP_DATA_END:
        case MCAP_OP_FOOTER:
            more = 0;
            break;
        case MCAP_OP_HEADER:
        case MCAP_OP_CHUNK_INDEX:
        case MCAP_OP_ATTACHMENT_INDEX:
        case MCAP_OP_STATISTICS:
        case MCAP_OP_METADATA_INDEX:
        case MCAP_OP_SUMMARY_OFFSET:
            break; /* index records: the writer makes its own */
        default:
            if (rec.op >= 0x80) break; /* application extension records: not ours to judge */
            /* Opcode 0 or a reserved one: not a record, so nothing after it can be trusted
             * (e.g. a zero-filled tail after a power loss). */
            rep->cut_at = rec.offset;
            rep->bytes_lost += r->size - rec.offset;
            loss(s, "garbage at %llu (opcode 0x%02x): reading stopped", (unsigned long long)rec.offset, rec.op);
            more = 0;
            break;
        }
    }
    if (rc == 0 && expected > rep->messages) {
        /* The input's own statistics know better than our count of what looked lost. */
        if (rep->messages_lost < expected - rep->messages) rep->messages_lost = expected - rep->messages;
        loss(s, "input statistics list %llu messages, %llu recovered", (unsigned long long)expected,
             (unsigned long long)rep->messages);
    }
    if (rc) snprintf(err, errlen, "%s", mcap_writer_error(s->w));
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
    if (rc) return rc;
    if (!lossy) return MCAP_RECOVER_LOSSLESS;
    if (rep->messages > 0) return MCAP_RECOVER_LOSSY;
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
