/* mcap_writer — streaming MCAP writer (ros2 profile), pure C, no DDS.
 *
 * Owns one open .mcap file: header, schemas, channels, chunking by size and by age,
 * none/lz4/zstd compression, message indexes, chunk indexes, statistics, summary, summary
 * offsets, CRCs, metadata and attachment records and the footer.
 *
 * Crash-safety contract: mcap_writer_flush() closes the open chunk (if any), writes it and its
 * message indexes and fdatasync()s the file; after it returns 0, a kill -9 or power loss keeps
 * every message written before the call, and `mcap_recover` can rebuild the summary. The caller
 * (the recorder's writer thread) calls mcap_writer_tick() often; the writer itself flushes when
 * the open chunk is older than max_chunk_age_ns or larger than chunk_size. The writer never reads
 * the clock: every call carries `now_ns` (monotonic), so tests drive chunk ageing directly.
 *
 * Each Schema and Channel record is written once in the data section, outside chunks, before
 * the first message that uses it (and again in the summary), so a truncated file keeps them.
 *
 * Errors: every function returns 0 or a negative errno; on error `err` (from mcap_writer_error)
 * holds "what(file): why". After ENOSPC/EIO the writer is poisoned: only mcap_writer_close()
 * (which still tries to leave a valid file with everything already durable) may follow.
 *
 * Disk full: the writer keeps disk reserved ahead of the file end (fallocate, KEEP_SIZE) for the
 * summary that close() must write, and returns -ENOSPC *before* a chunk write that would eat
 * into it. So after ENOSPC, close() still writes DataEnd, summary and footer: the file is
 * complete and valid, holding every chunk written before the error (the open chunk is lost).
 * Should even that fail (a filesystem without fallocate), close() cuts the file back to the
 * last whole record, which mcap_recover turns into a valid file. The open chunk's messages
 * count in mcap_writer_message_count() but not in the file's statistics.
 *
 * Memory: one buffer for the open chunk (grows to the largest chunk), one staging buffer for
 * compressed chunks, per-channel index arrays kept across chunks: no allocation per message in
 * steady state. Not thread-safe: one writer thread owns it.
 */
#ifndef MCAP_WRITER_H
#define MCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>

typedef enum mcap_compression {
    MCAP_COMPRESSION_NONE, /* "" */
    MCAP_COMPRESSION_LZ4,  /* "lz4" (LZ4 frame format) */
    MCAP_COMPRESSION_ZSTD, /* "zstd" */
} mcap_compression;

typedef struct mcap_writer_options {
    const char *profile;          /* header profile, "ros2" */
    const char *library;          /* header library string, e.g. "recguard 0.1" */
    mcap_compression compression; /* chunk compression */
    uint64_t chunk_size;          /* close a chunk once its uncompressed size reaches this */
    int64_t max_chunk_age_ns;     /* close + fdatasync a chunk at most this long after its first message */
    int chunk_crc;                /* compute chunk uncompressed CRCs (data CRC always computed) */
    int compression_level;        /* zstd level (1..22, negative = faster); 0 = the writer's
                                   * default (1); ignored for lz4 and none */
    /* Optional (NULL = none): called around each chunk write with the file offset where the
     * Chunk record will end, before the write (written = 0) and once it returned (written = 1),
     * so a caller can say exactly which messages a file cut at any instant still holds. */
    void (*on_chunk)(void *ctx, uint64_t chunk_end, int written);
    void *chunk_ctx;              /* passed to on_chunk */
} mcap_writer_options;

/* Defaults: ros2, chunk 768 KiB, age 1 s, no compression, CRCs on. */
void mcap_writer_options_default(mcap_writer_options *opts);

typedef struct mcap_writer mcap_writer;

/* Create `path` (O_EXCL: never overwrites) and write magic + header. */
int mcap_writer_open(mcap_writer **out, const char *path, const mcap_writer_options *opts,
                     char *err, size_t errlen);
/* Register a schema; returns its id (>= 1) in *id. `data` is the ros2msg text. */
int mcap_writer_add_schema(mcap_writer *w, const char *name, const char *encoding,
                           const void *data, size_t len, uint16_t *id);
/* Register a channel; metadata is key/value pairs (nkv pairs, keys[i] -> values[i]). */
int mcap_writer_add_channel(mcap_writer *w, uint16_t schema_id, const char *topic,
                            const char *message_encoding, const char *const *keys,
                            const char *const *values, size_t nkv, uint16_t *id);
/* Append one message. log_time/publish_time are realtime ns; now_ns is monotonic. */
int mcap_writer_write(mcap_writer *w, uint16_t channel_id, uint32_t sequence, uint64_t log_time,
                      uint64_t publish_time, const void *data, size_t len, int64_t now_ns);
/* Close the open chunk if it is older than max_chunk_age_ns. */
int mcap_writer_tick(mcap_writer *w, int64_t now_ns);
/* Close the open chunk now and make everything written so far durable. */
int mcap_writer_flush(mcap_writer *w);
/* Add a Metadata record (e.g. name "rosbag2", the serialized bag metadata). */
int mcap_writer_add_metadata(mcap_writer *w, const char *name, const char *const *keys,
                             const char *const *values, size_t nkv);
/* Add an Attachment record (with its CRC) and its index; name and media_type are C strings. */
int mcap_writer_add_attachment(mcap_writer *w, const char *name, const char *media_type,
                               uint64_t log_time, uint64_t create_time, const void *data,
                               size_t len);
/* Finish the file (data end, summary, summary offsets, footer, magic), fsync, close, free.
 * Safe after an error: it writes what it can. NULL is a no-op. */
int mcap_writer_close(mcap_writer *w);

/* Bytes in the file so far (for --max-bag-size and stats). */
uint64_t mcap_writer_bytes(const mcap_writer *w);
/* Messages written so far; per-channel counts via mcap_writer_channel_count. */
uint64_t mcap_writer_message_count(const mcap_writer *w);
uint64_t mcap_writer_channel_count(const mcap_writer *w, uint16_t channel_id);
/* First/last log time seen (0 when none). */
uint64_t mcap_writer_start_time(const mcap_writer *w);
uint64_t mcap_writer_end_time(const mcap_writer *w);
/* Last error sentence ("" when none). */
const char *mcap_writer_error(const mcap_writer *w);

#endif
