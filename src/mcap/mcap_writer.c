/* mcap_writer — see mcap_writer.h.
 *
 * Map:
 *   buffers        growable byte buffers (amortized; no per-message malloc in steady state)
 *   encoding       little-endian put helpers and record builders
 *   file output    put_records(): one pwrite per record group, CRC and offset advance on success
 *   chunks         chunk_close(): compress, append message indexes, one write, chunk index
 *   public API     open, schemas, channels, messages, tick/flush, metadata, attachments, close
 *
 * Invariant: `pos` is the end of the last record group written whole. Bytes at and past `pos`
 * are never trusted: after a failed write the file may hold a torn group there, so close()
 * writes the summary at `pos` and cuts the file to its end.
 */
#include "mcap/mcap_writer.h"

#include "common/rg_fs.h"
#include "common/rg_sys.h"
#include "mcap/mcap_crc.h"
#include "mcap/mcap_format.h"

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define MCAP_ZSTD_LEVEL 1 /* the fast end: the writer must keep up with the DDS stream */
#define MCAP_RESERVE_STEP (256 * 1024) /* extra disk reserved beyond EOF per fallocate */
#define MCAP_WB_STEP (8u << 20)  /* write-behind: start writeback of every 8 MiB written */
#define MCAP_WB_LAG (16u << 20)  /* write-behind: drop cached pages this far behind pos */
#define MCAP_DIO_ALIGN 4096u     /* O_DIRECT offset, length and memory alignment */

/* ---------- buffers ---------- */

typedef struct mbuf {
    uint8_t *p; /* bytes */
    size_t len; /* used */
    size_t cap; /* allocated */
} mbuf;

static int mbuf_reserve(mbuf *b, size_t extra) {
    if (extra > SIZE_MAX - b->len) return -ENOMEM;
    size_t need = b->len + extra;
    if (need <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p) return -ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int mbuf_append(mbuf *b, const void *data, size_t len) {
    int rc = mbuf_reserve(b, len);
    if (rc) return rc;
    if (len) memcpy(b->p + b->len, data, len);
    b->len += len;
    return 0;
}

/* ---------- encoding ---------- */

static inline uint8_t *put_u8(uint8_t *p, uint8_t v) {
    *p = v;
    return p + 1;
}
/* memcpy of the little-endian value: one store, where a byte loop compiled to a loop of
 * shifts (a third of the per-message cost for small messages). */
static inline uint8_t *put_u16(uint8_t *p, uint16_t v) {
    v = htole16(v);
    memcpy(p, &v, 2);
    return p + 2;
}
static inline uint8_t *put_u32(uint8_t *p, uint32_t v) {
    v = htole32(v);
    memcpy(p, &v, 4);
    return p + 4;
}
static inline uint8_t *put_u64(uint8_t *p, uint64_t v) {
    v = htole64(v);
    memcpy(p, &v, 8);
    return p + 8;
}
static inline uint8_t *put_bytes(uint8_t *p, const void *s, size_t n) {
    if (n) memcpy(p, s, n);
    return p + n;
}
static inline uint8_t *put_str(uint8_t *p, const char *s, size_t n) {
    return put_bytes(put_u32(p, (uint32_t)n), s, n);
}

/* ---------- writer state ---------- */

typedef struct wchan {
    uint16_t schema_id; /* 0 = no schema */
    uint64_t count;     /* messages on this channel in written chunks */
    uint8_t *idx;       /* open chunk's message index: (log_time u64, offset u64) LE pairs */
    size_t idx_len;     /* entries used */
    size_t idx_cap;     /* entries allocated; kept across chunks */
} wchan;

struct mcap_writer {
    int fd;                       /* the file, O_EXCL-created */
    char *path;                   /* for error sentences */
    mcap_writer_options opts;     /* copied at open (strings not kept) */
    int error;                    /* first fatal -errno: poisons every later call but close */
    char err[512];                /* "what(file): why" of the first error */
    uint64_t pos;                 /* end of the last record group written whole */
    uint64_t synced;              /* pos at the last successful fdatasync */
    uint64_t reserved_to;         /* end of the space fallocate'd for data + summary */
    uint64_t wb_started;          /* write-behind: writeback started for [0, wb_started) */
    uint64_t wb_dropped;          /* write-behind: page cache dropped for [0, wb_dropped) */
    int dfd;                      /* the file opened O_DIRECT, -1 when not (or no longer) used */
    uint8_t *dbuf;                /* O_DIRECT staging buffer (aligned memory) */
    size_t dcap;                  /* bytes allocated at dbuf */
    int no_reserve;               /* the filesystem can't fallocate: best effort only */
    uint32_t data_crc;            /* CRC of file bytes [0, pos) */
    mbuf chunk;                   /* [chunk_hdr bytes kept for the Chunk header][open chunk's records] */
    size_t chunk_hdr;             /* Chunk record header size (depends on the compression name) */
    uint64_t chunk_msgs;          /* messages in the open chunk */
    uint64_t chunk_start;         /* open chunk's earliest log time */
    uint64_t chunk_end;           /* open chunk's latest log time */
    int have_unsynced;            /* messages exist that are not yet fdatasync'd */
    int64_t unsynced_ns;          /* now_ns of the oldest such message */
    mbuf out;                     /* staging buffer for one pwrite */
    wchan *chans;                 /* channels[id - 1] */
    size_t nchans;                /* channels registered */
    uint16_t *touched;            /* channel ids with messages in the open chunk, first-touch order */
    uint64_t *idx_off;            /* scratch: file offset of each touched channel's message index */
    size_t ntouched;              /* entries in touched */
    size_t nschemas;              /* schemas registered */
    mbuf sum_schemas;             /* Schema records, repeated in the summary */
    mbuf sum_channels;            /* Channel records, repeated in the summary */
    mbuf sum_chunk_idx;           /* ChunkIndex records */
    mbuf sum_meta_idx;            /* MetadataIndex records */
    mbuf sum_att_idx;             /* AttachmentIndex records */
    uint64_t msg_count;           /* messages in written chunks (the open one not included) */
    uint64_t chunk_count;         /* chunks written */
    uint64_t metadata_count;      /* Metadata records written */
    uint64_t attachment_count;    /* Attachment records written */
    uint64_t start_time;          /* earliest log time in written chunks (valid when msg_count > 0) */
    uint64_t end_time;            /* latest log time in written chunks */
    ZSTD_CCtx *zstd;              /* reused per chunk */
    LZ4F_cctx *lz4;               /* reused per chunk */
};

void mcap_writer_options_default(mcap_writer_options *opts) {
    *opts = (mcap_writer_options){
        .profile = "ros2",
        .library = "recguard",
        .compression = MCAP_COMPRESSION_NONE,
        .chunk_size = 768 * 1024,
        .max_chunk_age_ns = 1000000000LL,
        .chunk_crc = 1,
    };
}

static const char *compression_name(mcap_compression c) {
    switch (c) {
    case MCAP_COMPRESSION_LZ4: return "lz4";
    case MCAP_COMPRESSION_ZSTD: return "zstd";
    default: return "";
    }
}

/* Record the first fatal error; later ones keep the first sentence (it names the cause). */
static int fail(mcap_writer *w, int rc, const char *what) {
    assert(rc < 0);
    if (!w->error) {
        w->error = rc;
        snprintf(w->err, sizeof w->err, "%s(%s): %s", what, w->path, strerror(-rc));
    }
    return rc;
}

/* ---------- file output ---------- */

static size_t tail_size(const mcap_writer *w);

/* The disk-full rule: a group is written only if the disk still has room for it AND for the
 * summary that close() must add after it. Blocks are reserved ahead with fallocate (kept
 * beyond EOF): when the reservation can't grow, the writer reports ENOSPC *before* writing,
 * while what is already reserved still holds the summary, so close() leaves a complete file. */
static int ensure_room(mcap_writer *w, size_t len, size_t tail_growth) {
    if (w->no_reserve) return 0;
    uint64_t need = w->pos + len + tail_size(w) + tail_growth + 4096;
    if (need <= w->reserved_to) return 0;
    uint64_t want = need + MCAP_RESERVE_STEP;
    if (fallocate(w->fd, FALLOC_FL_KEEP_SIZE, (off_t)w->pos, (off_t)(want - w->pos)) == 0) {
        w->reserved_to = want;
        return 0;
    }
    int e = errno;
    if (e == ENOSPC || e == EDQUOT || e == EFBIG) return fail(w, -e, "write");
    w->no_reserve = 1; /* EOPNOTSUPP and the like: fall back to cutting back at close */
    return 0;
}

/* Write-behind: a recorder streams gigabytes it will not read back. Left to the kernel, every
 * written byte takes a fresh page-cache page and dirty pages pile up to the dirty limit, then
 * flush in a burst; on the VM the benchmarks run on, filling fresh pages held buffered writes
 * to ~250 MB/s (89 % of dd's time in copy_folio_from_iter_atomic) where the disk takes
 * 1.2 GB/s. So: start writeback of each MCAP_WB_STEP as soon as it is written, and once a range
 * is MCAP_WB_LAG behind, wait for its writeback and drop its pages, which the next writes then
 * reuse while still hot. Best effort: an I/O error here is reported by the next fdatasync. */
static void write_behind(mcap_writer *w) {
    if (w->pos - w->wb_started < MCAP_WB_STEP) return;
    (void)sync_file_range(w->fd, (off_t)w->wb_started, (off_t)(w->pos - w->wb_started), SYNC_FILE_RANGE_WRITE);
    w->wb_started = w->pos;
    if (w->wb_started - w->wb_dropped < MCAP_WB_LAG + MCAP_WB_STEP) return;
    uint64_t to = w->wb_started - MCAP_WB_LAG;
    (void)sync_file_range(w->fd, (off_t)w->wb_dropped, (off_t)(to - w->wb_dropped),
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    (void)posix_fadvise(w->fd, (off_t)w->wb_dropped, (off_t)(to - w->wb_dropped), POSIX_FADV_DONTNEED);
    w->wb_dropped = to;
}

/* O_DIRECT: the file's bytes go from dbuf to the disk without a page-cache copy (on the VM the
 * benchmarks run on, that copy was the recorder's largest cost at 64 KiB and image sizes, see
 * docs/BENCHMARKS.md). Direct offsets and lengths must be block multiples, so the whole blocks of
 * a group go direct and its partial first and last blocks through the page cache: no block is
 * ever written both ways (which would make the kernel flush the cached one synchronously first),
 * and the file always ends exactly at pos. 0, or -errno (-EINVAL: the filesystem refused). */
static int dio_write(mcap_writer *w, const uint8_t *p, size_t len) {
    uint64_t from = (w->pos + MCAP_DIO_ALIGN - 1) / MCAP_DIO_ALIGN * MCAP_DIO_ALIGN;
    uint64_t to = (w->pos + len) / MCAP_DIO_ALIGN * MCAP_DIO_ALIGN;
    if (to <= from) return rg_sys_pwrite_all(w->fd, p, len, (off_t)w->pos);
    size_t head = (size_t)(from - w->pos), mid = (size_t)(to - from), tail = len - head - mid;
    if (mid > w->dcap) {
        free(w->dbuf);
        w->dcap = 0;
        if (posix_memalign((void **)&w->dbuf, MCAP_DIO_ALIGN, mid)) {
            w->dbuf = NULL;
            return -ENOMEM;
        }
        w->dcap = mid;
    }
    int rc = head ? rg_sys_pwrite_all(w->fd, p, head, (off_t)w->pos) : 0;
    if (rc) return rc;
    memcpy(w->dbuf, p + head, mid);
    rc = rg_sys_pwrite_all(w->dfd, w->dbuf, mid, (off_t)from);
    if (rc == -EINVAL) return rc;
    return rc ? rc : tail ? rg_sys_pwrite_all(w->fd, p + head + mid, tail, (off_t)to) : 0;
}

/* Write one group of whole records (with CRC `crc`) at pos: on success it joins the valid
 * prefix (pos, data CRC); on failure the writer is poisoned and pos stays where it was.
 * tail_growth: bytes the summary gains because of this group (its summary copy or index). */
static int put_group(mcap_writer *w, const uint8_t *p, size_t len, uint32_t crc, size_t tail_growth) {
    int rc = ensure_room(w, len, tail_growth);
    if (rc) return rc;
    rc = w->dfd >= 0 ? dio_write(w, p, len) : -EINVAL;
    if (rc == -EINVAL) { /* no O_DIRECT, or the filesystem refused it: page cache from now on */
        if (w->dfd >= 0) rg_sys_close(w->dfd);
        w->dfd = -1;
        rc = rg_sys_pwrite_all(w->fd, p, len, (off_t)w->pos);
    }
    if (rc) return fail(w, rc, "write");
    w->data_crc = mcap_crc32_combine(w->data_crc, crc, len);
    w->pos += len;
    if (w->dfd < 0) write_behind(w);
    return 0;
}

/* put_group() of the staged records in w->out. */
static int put_records(mcap_writer *w, size_t tail_growth) {
    int rc = put_group(w, w->out.p, w->out.len, mcap_crc32(0, w->out.p, w->out.len), tail_growth);
    if (rc == 0) w->out.len = 0;
    return rc;
}

/* ---------- chunks ---------- */

/* autoFlush: each chunk is one whole frame, so nothing may stay buffered in the context. */
static const LZ4F_preferences_t lz4_prefs = {.autoFlush = 1};

static size_t compress_bound(mcap_writer *w, size_t n) {
    switch (w->opts.compression) {
    case MCAP_COMPRESSION_LZ4: return LZ4F_compressFrameBound(n, &lz4_prefs);
    case MCAP_COMPRESSION_ZSTD: return ZSTD_compressBound(n);
    default: return n;
    }
}

/* Compress src into dst (capacity cap). Returns the compressed size or 0 on failure. */
static size_t compress(mcap_writer *w, uint8_t *dst, size_t cap, const uint8_t *src, size_t n) {
    switch (w->opts.compression) {
    case MCAP_COMPRESSION_LZ4: {
        /* Frame format (not raw blocks): what MCAP readers expect for "lz4". */
        size_t h = LZ4F_compressBegin(w->lz4, dst, cap, &lz4_prefs);
        if (LZ4F_isError(h)) return 0;
        size_t b = LZ4F_compressUpdate(w->lz4, dst + h, cap - h, src, n, NULL);
        if (LZ4F_isError(b)) return 0;
        size_t e = LZ4F_compressEnd(w->lz4, dst + h + b, cap - h - b, NULL);
        if (LZ4F_isError(e)) return 0;
        return h + b + e;
    }
    case MCAP_COMPRESSION_ZSTD: {
        size_t r = ZSTD_compressCCtx(w->zstd, dst, cap, src, n,
                                     w->opts.compression_level ? w->opts.compression_level : MCAP_ZSTD_LEVEL);
        return ZSTD_isError(r) ? 0 : r;
    }
    default:
        memcpy(dst, src, n);
        return n;
    }
}

static void chunk_reset(mcap_writer *w) {
    for (size_t i = 0; i < w->ntouched; i++) w->chans[w->touched[i] - 1].idx_len = 0;
    w->ntouched = 0;
    w->chunk.len = w->chunk_hdr;
    w->chunk_msgs = 0;
}

/* Close the open chunk: Chunk record + its MessageIndex records in one write, then the
 * ChunkIndex for the summary. A chunk with no message is never written. An uncompressed chunk
 * is written in place (header in the space kept in front of the records, indexes appended):
 * no copy, and its records are checksummed once for both the chunk and the data-section CRC. */
static int chunk_close(mcap_writer *w) {
    if (w->error) return w->error;
    if (w->chunk_msgs == 0) return 0;
    const char *comp = compression_name(w->opts.compression);
    size_t clen = strlen(comp);
    size_t hdr = w->chunk_hdr;
    size_t ulen = w->chunk.len - hdr;
    int none = w->opts.compression == MCAP_COMPRESSION_NONE;
    size_t idx_total = 0;
    for (size_t i = 0; i < w->ntouched; i++)
        idx_total += MCAP_RECORD_HDR + 2 + 4 + 16 * w->chans[w->touched[i] - 1].idx_len;
    size_t zcap = none ? 0 : compress_bound(w, ulen);
    assert(w->out.len == 0);
    int rc = none ? mbuf_reserve(&w->chunk, idx_total) : mbuf_reserve(&w->out, hdr + zcap + idx_total);
    if (rc) return fail(w, rc, "chunk");
    /* The chunk index is staged before the write so an allocation failure can't leave a
     * written chunk unindexed. */
    size_t cilen = 8 + 8 + 8 + 8 + 4 + 10 * w->ntouched + 8 + 4 + clen + 8 + 8;
    rc = mbuf_reserve(&w->sum_chunk_idx, MCAP_RECORD_HDR + cilen);
    if (rc) return fail(w, rc, "chunk index");

    const uint8_t *recs = w->chunk.p + hdr;
    uint32_t rcrc = w->opts.chunk_crc || none ? mcap_crc32(0, recs, ulen) : 0;
    uint8_t *base = none ? w->chunk.p : w->out.p;
    size_t zlen = ulen;
    if (!none) {
        zlen = compress(w, base + hdr, zcap, recs, ulen);
        if (zlen == 0) return fail(w, -EIO, "compress");
    }
    uint8_t *p = base;
    p = put_u8(p, MCAP_OP_CHUNK);
    p = put_u64(p, hdr - MCAP_RECORD_HDR + zlen);
    p = put_u64(p, w->chunk_start);
    p = put_u64(p, w->chunk_end);
    p = put_u64(p, ulen);
    p = put_u32(p, w->opts.chunk_crc ? rcrc : 0);
    p = put_str(p, comp, clen);
    p = put_u64(p, zlen);
    assert((size_t)(p - base) == hdr);
    uint64_t chunk_off = w->pos, chunk_len = hdr + zlen;

    /* Message indexes follow the chunk; remember each one's file offset for the chunk index. */
    p = base + chunk_len;
    uint64_t *idx_off = w->idx_off;
    for (size_t i = 0; i < w->ntouched; i++) {
        uint16_t id = w->touched[i];
        wchan *c = &w->chans[id - 1];
        idx_off[i] = chunk_off + (uint64_t)(p - base);
        p = put_u8(p, MCAP_OP_MESSAGE_INDEX);
        p = put_u64(p, 2 + 4 + 16 * (uint64_t)c->idx_len);
        p = put_u16(p, id);
        p = put_u32(p, (uint32_t)(16 * c->idx_len));
        p = put_bytes(p, c->idx, 16 * c->idx_len);
    }
    size_t total = (size_t)(p - base);
    assert(total == chunk_len + idx_total);
    uint32_t gcrc;
    if (none) {
        gcrc = mcap_crc32_combine(mcap_crc32(0, base, hdr), rcrc, ulen);
        gcrc = mcap_crc32_combine(gcrc, mcap_crc32(0, base + chunk_len, idx_total), idx_total);
    } else {
        gcrc = mcap_crc32(0, base, total);
    }
    if (w->opts.on_chunk) w->opts.on_chunk(w->opts.chunk_ctx, chunk_off + chunk_len, 0);
    rc = put_group(w, base, total, gcrc, 0); /* its chunk index is within tail_size's slack */
    if (rc) return rc;
    if (w->opts.on_chunk) w->opts.on_chunk(w->opts.chunk_ctx, chunk_off + chunk_len, 1);

    uint8_t *q = w->sum_chunk_idx.p + w->sum_chunk_idx.len;
    q = put_u8(q, MCAP_OP_CHUNK_INDEX);
    q = put_u64(q, cilen);
    q = put_u64(q, w->chunk_start);
    q = put_u64(q, w->chunk_end);
    q = put_u64(q, chunk_off);
    q = put_u64(q, chunk_len);
    q = put_u32(q, (uint32_t)(10 * w->ntouched));
    for (size_t i = 0; i < w->ntouched; i++) {
        q = put_u16(q, w->touched[i]);
        q = put_u64(q, idx_off[i]);
    }
    q = put_u64(q, idx_total);
    q = put_str(q, comp, clen);
    q = put_u64(q, zlen);
    q = put_u64(q, ulen);
    w->sum_chunk_idx.len = (size_t)(q - w->sum_chunk_idx.p);
    /* Counts and times are committed only now, so the summary never claims a message that
     * a failed write lost. */
    for (size_t i = 0; i < w->ntouched; i++) {
        wchan *c = &w->chans[w->touched[i] - 1];
        c->count += c->idx_len;
    }
    if (w->msg_count == 0 || w->chunk_start < w->start_time) w->start_time = w->chunk_start;
    if (w->msg_count == 0 || w->chunk_end > w->end_time) w->end_time = w->chunk_end;
    w->msg_count += w->chunk_msgs;
    w->chunk_count++;
    chunk_reset(w);
    return 0;
}

static int sync_file(mcap_writer *w) {
    if (w->error) return w->error;
    if (w->synced == w->pos && !w->have_unsynced) return 0;
    int rc = rg_sys_fdatasync(w->fd);
    if (rc) return fail(w, rc, "fdatasync");
    w->synced = w->pos;
    w->have_unsynced = 0;
    return 0;
}

/* ---------- public API ---------- */

int mcap_writer_open(mcap_writer **out, const char *path, const mcap_writer_options *opts,
                     char *err, size_t errlen) {
    *out = NULL;
    mcap_writer_options def;
    if (!opts) {
        mcap_writer_options_default(&def);
        opts = &def;
    }
    mcap_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "open(%s): %s", path, strerror(ENOMEM));
        return -ENOMEM;
    }
    w->fd = -1;
    w->dfd = -1;
    w->opts = *opts;
    w->opts.profile = NULL; /* not kept: the caller's strings need not outlive open */
    w->opts.library = NULL;
    if (w->opts.chunk_size == 0) w->opts.chunk_size = 1;
    int rc = -ENOMEM;
    w->path = strdup(path);
    if (!w->path) goto fail;
    if (opts->compression == MCAP_COMPRESSION_ZSTD && !(w->zstd = ZSTD_createCCtx())) goto fail;
    if (opts->compression == MCAP_COMPRESSION_LZ4 &&
        LZ4F_isError(LZ4F_createCompressionContext(&w->lz4, LZ4F_VERSION)))
        goto fail;
    /* opcode, length, start, end, uncompressed size, CRC, compression string, records length */
    w->chunk_hdr = MCAP_RECORD_HDR + 8 + 8 + 8 + 4 + 4 + strlen(compression_name(opts->compression)) + 8;
    rc = mbuf_reserve(&w->chunk, w->chunk_hdr + opts->chunk_size + 4096);
    if (rc) goto fail;
    w->chunk.len = w->chunk_hdr;

    w->fd = rg_sys_open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (w->fd < 0) {
        rc = w->fd;
        w->fd = -1;
        snprintf(err, errlen, "open(%s): %s", path, strerror(-rc));
        goto fail_quiet;
    }
    /* A second descriptor for O_DIRECT, reopened through /proc so that it is the file created
     * above even if the path was swapped for a symlink since. Best effort: filesystems without
     * O_DIRECT refuse the open, and put_group() falls back to the page cache. */
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", w->fd);
    w->dfd = open(self, O_WRONLY | O_DIRECT | O_CLOEXEC);
    const char *profile = opts->profile ? opts->profile : "";
    const char *library = opts->library ? opts->library : "";
    size_t pl = strlen(profile), ll = strlen(library);
    rc = mbuf_reserve(&w->out, MCAP_MAGIC_LEN + MCAP_RECORD_HDR + 8 + pl + ll);
    if (rc) goto fail;
    uint8_t *p = put_bytes(w->out.p, MCAP_MAGIC, MCAP_MAGIC_LEN);
    p = put_u8(p, MCAP_OP_HEADER);
    p = put_u64(p, 8 + pl + ll);
    p = put_str(p, profile, pl);
    p = put_str(p, library, ll);
    w->out.len = (size_t)(p - w->out.p);
    rc = put_records(w, 0);
    if (rc) {
        snprintf(err, errlen, "%s", w->err);
        goto fail_quiet;
    }
    /* The directory entry must survive a power loss as surely as the chunks do. */
    rc = rg_fs_fsync_dir(path);
    if (rc) {
        snprintf(err, errlen, "fsync(dir of %s): %s", path, strerror(-rc));
        goto fail_quiet;
    }
    *out = w;
    return 0;
fail:
    snprintf(err, errlen, "open(%s): %s", path, strerror(-rc));
fail_quiet:
    if (w->dfd >= 0) rg_sys_close(w->dfd);
    free(w->dbuf);
    if (w->fd >= 0) {
        rg_sys_close(w->fd);
        unlink(path); /* ours: created O_EXCL a moment ago */
    }
    ZSTD_freeCCtx(w->zstd);
    LZ4F_freeCompressionContext(w->lz4);
    free(w->chunk.p);
    free(w->out.p);
    free(w->path);
    free(w);
    return rc;
}

int mcap_writer_add_schema(mcap_writer *w, const char *name, const char *encoding,
                           const void *data, size_t len, uint16_t *id) {
    if (w->error) return w->error;
    if (w->nschemas >= UINT16_MAX || len > UINT32_MAX) return -EINVAL;
    size_t nl = strlen(name), el = strlen(encoding);
    uint16_t sid = (uint16_t)(w->nschemas + 1);
    size_t rl = 2 + 4 + nl + 4 + el + 4 + len;
    int rc = mbuf_reserve(&w->out, MCAP_RECORD_HDR + rl);
    if (!rc) rc = mbuf_reserve(&w->sum_schemas, MCAP_RECORD_HDR + rl);
    if (rc) return rc;
    uint8_t *start = w->out.p + w->out.len, *p = start;
    p = put_u8(p, MCAP_OP_SCHEMA);
    p = put_u64(p, rl);
    p = put_u16(p, sid);
    p = put_str(p, name, nl);
    p = put_str(p, encoding, el);
    p = put_str(p, data, len);
    w->out.len += (size_t)(p - start);
    /* Written outside any chunk before first use, so a file cut short keeps it. */
    rc = put_records(w, w->out.len) /* its summary copy */;
    if (rc) return rc;
    mbuf_append(&w->sum_schemas, start, (size_t)(p - start)); /* reserved above */
    w->nschemas++;
    *id = sid;
    return 0;
}

int mcap_writer_add_channel(mcap_writer *w, uint16_t schema_id, const char *topic,
                            const char *message_encoding, const char *const *keys,
                            const char *const *values, size_t nkv, uint16_t *id) {
    if (w->error) return w->error;
    if (w->nchans >= UINT16_MAX || schema_id > w->nschemas) return -EINVAL;
    size_t tl = strlen(topic), ml = strlen(message_encoding), mapl = 0;
    for (size_t i = 0; i < nkv; i++) mapl += 8 + strlen(keys[i]) + strlen(values[i]);
    if (mapl > UINT32_MAX) return -EINVAL;
    size_t rl = 2 + 2 + 4 + tl + 4 + ml + 4 + mapl;
    wchan *chans = realloc(w->chans, (w->nchans + 1) * sizeof *chans);
    if (!chans) return -ENOMEM;
    w->chans = chans;
    uint16_t *touched = realloc(w->touched, (w->nchans + 1) * sizeof *touched);
    if (!touched) return -ENOMEM;
    w->touched = touched;
    uint64_t *idx_off = realloc(w->idx_off, (w->nchans + 1) * sizeof *idx_off);
    if (!idx_off) return -ENOMEM;
    w->idx_off = idx_off;
    int rc = mbuf_reserve(&w->out, MCAP_RECORD_HDR + rl);
    if (!rc) rc = mbuf_reserve(&w->sum_channels, MCAP_RECORD_HDR + rl);
    if (rc) return rc;
    uint16_t cid = (uint16_t)(w->nchans + 1);
    uint8_t *start = w->out.p + w->out.len, *p = start;
    p = put_u8(p, MCAP_OP_CHANNEL);
    p = put_u64(p, rl);
    p = put_u16(p, cid);
    p = put_u16(p, schema_id);
    p = put_str(p, topic, tl);
    p = put_str(p, message_encoding, ml);
    p = put_u32(p, (uint32_t)mapl);
    for (size_t i = 0; i < nkv; i++) {
        p = put_str(p, keys[i], strlen(keys[i]));
        p = put_str(p, values[i], strlen(values[i]));
    }
    w->out.len += (size_t)(p - start);
    rc = put_records(w, w->out.len + 10) /* summary copy + statistics entry */;
    if (rc) return rc;
    mbuf_append(&w->sum_channels, start, (size_t)(p - start));
    w->chans[w->nchans] = (wchan){.schema_id = schema_id};
    w->nchans++;
    *id = cid;
    return 0;
}

int mcap_writer_write(mcap_writer *w, uint16_t channel_id, uint32_t sequence, uint64_t log_time,
                      uint64_t publish_time, const void *data, size_t len, int64_t now_ns) {
    if (w->error) return w->error;
    if (channel_id == 0 || channel_id > w->nchans) return -EINVAL;
    wchan *c = &w->chans[channel_id - 1];
    if (c->idx_len == c->idx_cap) {
        size_t cap = c->idx_cap ? c->idx_cap * 2 : 64;
        uint8_t *idx = realloc(c->idx, cap * 16);
        if (!idx) return -ENOMEM;
        c->idx = idx;
        c->idx_cap = cap;
    }
    int rc = mbuf_reserve(&w->chunk, MCAP_RECORD_HDR + MCAP_MESSAGE_FIXED + len);
    if (rc) return rc;
    uint64_t off = w->chunk.len - w->chunk_hdr; /* message index offsets are relative to the records */
    uint8_t *p = w->chunk.p + w->chunk.len;
    p = put_u8(p, MCAP_OP_MESSAGE);
    p = put_u64(p, MCAP_MESSAGE_FIXED + (uint64_t)len);
    p = put_u16(p, channel_id);
    p = put_u32(p, sequence);
    p = put_u64(p, log_time);
    p = put_u64(p, publish_time);
    p = put_bytes(p, data, len);
    w->chunk.len = (size_t)(p - w->chunk.p);
    if (c->idx_len == 0) w->touched[w->ntouched++] = channel_id;
    put_u64(put_u64(c->idx + 16 * c->idx_len, log_time), off);
    c->idx_len++;
    if (w->chunk_msgs == 0 || log_time < w->chunk_start) w->chunk_start = log_time;
    if (w->chunk_msgs == 0 || log_time > w->chunk_end) w->chunk_end = log_time;
    w->chunk_msgs++;
    if (!w->have_unsynced) {
        w->have_unsynced = 1;
        w->unsynced_ns = now_ns;
    }
    if (w->chunk.len - w->chunk_hdr >= w->opts.chunk_size) {
        rc = chunk_close(w);
        if (rc) return rc;
    }
    return mcap_writer_tick(w, now_ns);
}

int mcap_writer_tick(mcap_writer *w, int64_t now_ns) {
    if (w->error) return w->error;
    /* One age rule covers both the open chunk and chunks closed by size but not yet synced:
     * no message stays non-durable longer than max_chunk_age_ns after it arrived. */
    if (w->have_unsynced && now_ns - w->unsynced_ns >= w->opts.max_chunk_age_ns)
        return mcap_writer_flush(w);
    return 0;
}

int mcap_writer_flush(mcap_writer *w) {
    int rc = chunk_close(w);
    if (rc) return rc;
    return sync_file(w);
}

int mcap_writer_add_metadata(mcap_writer *w, const char *name, const char *const *keys,
                             const char *const *values, size_t nkv) {
    if (w->error) return w->error;
    size_t nl = strlen(name), mapl = 0;
    for (size_t i = 0; i < nkv; i++) mapl += 8 + strlen(keys[i]) + strlen(values[i]);
    if (mapl > UINT32_MAX) return -EINVAL;
    size_t rl = 4 + nl + 4 + mapl;
    size_t il = 8 + 8 + 4 + nl;
    int rc = mbuf_reserve(&w->out, MCAP_RECORD_HDR + rl);
    if (!rc) rc = mbuf_reserve(&w->sum_meta_idx, MCAP_RECORD_HDR + il);
    if (rc) return rc;
    uint64_t off = w->pos;
    uint8_t *p = w->out.p;
    p = put_u8(p, MCAP_OP_METADATA);
    p = put_u64(p, rl);
    p = put_str(p, name, nl);
    p = put_u32(p, (uint32_t)mapl);
    for (size_t i = 0; i < nkv; i++) {
        p = put_str(p, keys[i], strlen(keys[i]));
        p = put_str(p, values[i], strlen(values[i]));
    }
    w->out.len = (size_t)(p - w->out.p);
    rc = put_records(w, MCAP_RECORD_HDR + il);
    if (rc) return rc;
    uint8_t *q = w->sum_meta_idx.p + w->sum_meta_idx.len;
    q = put_u8(q, MCAP_OP_METADATA_INDEX);
    q = put_u64(q, il);
    q = put_u64(q, off);
    q = put_u64(q, MCAP_RECORD_HDR + rl);
    q = put_str(q, name, nl);
    w->sum_meta_idx.len = (size_t)(q - w->sum_meta_idx.p);
    w->metadata_count++;
    return 0;
}

int mcap_writer_add_attachment(mcap_writer *w, const char *name, const char *media_type,
                               uint64_t log_time, uint64_t create_time, const void *data,
                               size_t len) {
    if (w->error) return w->error;
    size_t nl = strlen(name), ml = strlen(media_type);
    size_t rl = 8 + 8 + 4 + nl + 4 + ml + 8 + len + 4;
    size_t il = 8 + 8 + 8 + 8 + 8 + 4 + nl + 4 + ml;
    int rc = mbuf_reserve(&w->out, MCAP_RECORD_HDR + rl);
    if (!rc) rc = mbuf_reserve(&w->sum_att_idx, MCAP_RECORD_HDR + il);
    if (rc) return rc;
    uint64_t off = w->pos;
    uint8_t *p = w->out.p;
    p = put_u8(p, MCAP_OP_ATTACHMENT);
    p = put_u64(p, rl);
    uint8_t *crc_from = p;
    p = put_u64(p, log_time);
    p = put_u64(p, create_time);
    p = put_str(p, name, nl);
    p = put_str(p, media_type, ml);
    p = put_u64(p, len);
    p = put_bytes(p, data, len);
    p = put_u32(p, mcap_crc32(0, crc_from, (size_t)(p - crc_from)));
    w->out.len = (size_t)(p - w->out.p);
    rc = put_records(w, MCAP_RECORD_HDR + il);
    if (rc) return rc;
    uint8_t *q = w->sum_att_idx.p + w->sum_att_idx.len;
    q = put_u8(q, MCAP_OP_ATTACHMENT_INDEX);
    q = put_u64(q, il);
    q = put_u64(q, off);
    q = put_u64(q, MCAP_RECORD_HDR + rl);
    q = put_u64(q, log_time);
    q = put_u64(q, create_time);
    q = put_u64(q, len);
    q = put_str(q, name, nl);
    q = put_str(q, media_type, ml);
    w->sum_att_idx.len = (size_t)(q - w->sum_att_idx.p);
    w->attachment_count++;
    return 0;
}

/* Note a summary group [start, start + len) for the Summary Offset section. */
static void tail_offset(uint8_t *offs, size_t *noffs, uint8_t op, uint64_t start, uint64_t len) {
    if (len == 0) return;
    uint8_t *p = offs + *noffs * (MCAP_RECORD_HDR + 17);
    p = put_u8(p, MCAP_OP_SUMMARY_OFFSET);
    p = put_u64(p, 17);
    p = put_u8(p, op);
    p = put_u64(p, start);
    put_u64(p, len);
    (*noffs)++;
}

/* Append one summary group (records kept since open) to out. */
static void tail_group(mcap_writer *w, const mbuf *g, uint8_t op, uint8_t *offs, size_t *noffs) {
    tail_offset(offs, noffs, op, w->pos + w->out.len, g->len);
    if (g->len) memcpy(w->out.p + w->out.len, g->p, g->len);
    w->out.len += g->len;
}

/* Bytes build_tail() will produce, plus room for one more chunk's index (the one being
 * written when this is asked) and a few more channels. */
static size_t tail_size(const mcap_writer *w) {
    size_t statl = 8 + 2 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 10 * w->nchans;
    return MCAP_RECORD_HDR + MCAP_DATA_END_LEN + w->sum_schemas.len + w->sum_channels.len +
           MCAP_RECORD_HDR + statl + w->sum_chunk_idx.len + w->sum_meta_idx.len +
           w->sum_att_idx.len + 6 * (MCAP_RECORD_HDR + 17) + MCAP_TAIL_LEN + 128 + 10 * w->nchans;
}

/* Build DataEnd, summary, summary offsets, footer and magic in out, for writing at pos.
 * Everything in it describes committed chunks only, so it is true even after an error. */
static int build_tail(mcap_writer *w) {
    size_t statl = 8 + 2 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 10 * w->nchans;
    size_t need = tail_size(w);
    w->out.len = 0;
    int rc = mbuf_reserve(&w->out, need);
    if (rc) return rc;
    uint8_t *p = w->out.p;
    p = put_u8(p, MCAP_OP_DATA_END);
    p = put_u64(p, MCAP_DATA_END_LEN);
    p = put_u32(p, w->data_crc);
    w->out.len = (size_t)(p - w->out.p);
    uint64_t summary_start = w->pos + w->out.len;

    uint8_t offs[6 * (MCAP_RECORD_HDR + 17)];
    size_t noffs = 0;
    tail_group(w, &w->sum_schemas, MCAP_OP_SCHEMA, offs, &noffs);
    tail_group(w, &w->sum_channels, MCAP_OP_CHANNEL, offs, &noffs);

    uint64_t stat_start = w->pos + w->out.len;
    p = w->out.p + w->out.len;
    p = put_u8(p, MCAP_OP_STATISTICS);
    p = put_u64(p, statl);
    p = put_u64(p, w->msg_count);
    p = put_u16(p, (uint16_t)w->nschemas);
    p = put_u32(p, (uint32_t)w->nchans);
    p = put_u32(p, (uint32_t)w->attachment_count);
    p = put_u32(p, (uint32_t)w->metadata_count);
    p = put_u32(p, (uint32_t)w->chunk_count);
    p = put_u64(p, w->msg_count ? w->start_time : 0);
    p = put_u64(p, w->msg_count ? w->end_time : 0);
    p = put_u32(p, (uint32_t)(10 * w->nchans));
    for (size_t i = 0; i < w->nchans; i++) p = put_u64(put_u16(p, (uint16_t)(i + 1)), w->chans[i].count);
    tail_offset(offs, &noffs, MCAP_OP_STATISTICS, stat_start, MCAP_RECORD_HDR + statl);
    w->out.len = (size_t)(p - w->out.p);

    tail_group(w, &w->sum_chunk_idx, MCAP_OP_CHUNK_INDEX, offs, &noffs);
    tail_group(w, &w->sum_meta_idx, MCAP_OP_METADATA_INDEX, offs, &noffs);
    tail_group(w, &w->sum_att_idx, MCAP_OP_ATTACHMENT_INDEX, offs, &noffs);

    uint64_t summary_offset_start = w->pos + w->out.len;
    memcpy(w->out.p + w->out.len, offs, noffs * (MCAP_RECORD_HDR + 17));
    w->out.len += noffs * (MCAP_RECORD_HDR + 17);

    p = w->out.p + w->out.len;
    p = put_u8(p, MCAP_OP_FOOTER);
    p = put_u64(p, MCAP_FOOTER_LEN);
    p = put_u64(p, summary_start);
    p = put_u64(p, summary_offset_start);
    size_t crc_from = (size_t)(summary_start - w->pos);
    uint32_t scrc = mcap_crc32(0, w->out.p + crc_from, (size_t)(p - w->out.p) - crc_from);
    p = put_u32(p, scrc);
    p = put_bytes(p, MCAP_MAGIC, MCAP_MAGIC_LEN);
    w->out.len = (size_t)(p - w->out.p);
    assert(w->out.len <= need);
    return 0;
}

int mcap_writer_close(mcap_writer *w) {
    if (!w) return 0;
    int rc = chunk_close(w); /* no-op when poisoned */
    int poisoned = w->error != 0;
    int rc2 = build_tail(w);
    if (rc2 == 0) {
        /* Written at pos even after an error: it overwrites any torn group there. */
        uint64_t end = w->pos + w->out.len;
        rc2 = rg_sys_pwrite_all(w->fd, w->out.p, w->out.len, (off_t)w->pos);
        if (rc2 == 0) {
            if (ftruncate(w->fd, (off_t)end) < 0) rc2 = -errno;
        } else if (ftruncate(w->fd, (off_t)w->pos) == 0) {
            /* No room even for the summary: end the file at a record boundary, which
             * mcap_recover turns into a valid file. */
            (void)rg_sys_fsync(w->fd);
        }
        if (rc2 == 0 && w->reserved_to > end) /* give the unused reserve back */
            (void)fallocate(w->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)end,
                            (off_t)(w->reserved_to - end));
        if (rc2 == 0) rc2 = rg_sys_fsync(w->fd);
        if (rc2 == 0) w->pos = end;
    }
    if (rc2 && !w->error) fail(w, rc2, "close");
    if (w->dfd >= 0) rg_sys_close(w->dfd);
    int rc3 = rg_sys_close(w->fd);
    if (!rc) rc = poisoned ? w->error : rc2;
    if (!rc && rc3) rc = rc3;
    for (size_t i = 0; i < w->nchans; i++) free(w->chans[i].idx);
    free(w->chans);
    free(w->touched);
    free(w->idx_off);
    free(w->dbuf);
    free(w->chunk.p);
    free(w->out.p);
    free(w->sum_schemas.p);
    free(w->sum_channels.p);
    free(w->sum_chunk_idx.p);
    free(w->sum_meta_idx.p);
    free(w->sum_att_idx.p);
    ZSTD_freeCCtx(w->zstd);
    LZ4F_freeCompressionContext(w->lz4);
    free(w->path);
    free(w);
    return rc;
}

uint64_t mcap_writer_bytes(const mcap_writer *w) { return w->pos; }
uint64_t mcap_writer_message_count(const mcap_writer *w) { return w->msg_count + w->chunk_msgs; }
uint64_t mcap_writer_channel_count(const mcap_writer *w, uint16_t channel_id) {
    if (channel_id < 1 || channel_id > w->nchans) return 0;
    return w->chans[channel_id - 1].count + w->chans[channel_id - 1].idx_len;
}
uint64_t mcap_writer_start_time(const mcap_writer *w) {
    if (w->chunk_msgs && (!w->msg_count || w->chunk_start < w->start_time)) return w->chunk_start;
    return w->msg_count ? w->start_time : 0;
}
uint64_t mcap_writer_end_time(const mcap_writer *w) {
    if (w->chunk_msgs && (!w->msg_count || w->chunk_end > w->end_time)) return w->chunk_end;
    return w->msg_count ? w->end_time : 0;
}
const char *mcap_writer_error(const mcap_writer *w) { return w->err; }
