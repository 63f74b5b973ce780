/* mcap_reader — a reader of untrusted MCAP bytes, pure C.
 *
 * Owns: bounds-checked parsing of every record type into views (pointer + length into the
 * input, never copied), record cursors over a byte range, chunk decompression with a size
 * limit, the footer/summary read, the schema and channel tables, and a linear iterator over
 * every record of the data section with chunks expanded in place. Nothing here trusts a
 * length field: every read is checked against the bytes that are really there, so garbage
 * yields -EBADMSG and a sentence, never a crash or an unbounded allocation.
 *
 * Strings in views are NOT NUL-terminated: print them with "%.*s", (int)b.len, b.p.
 */
#ifndef MCAP_READER_H
#define MCAP_READER_H

#include <stddef.h>
#include <stdint.h>

#define MCAP_READER_MAX_CHUNK (1ULL << 30) /* default cap on one chunk's uncompressed size */

typedef struct mcap_bytes {
    const uint8_t *p; /* first byte (may be NULL when len == 0) */
    uint64_t len;     /* byte count */
} mcap_bytes;

typedef struct mcap_record {
    uint8_t op;      /* opcode */
    uint64_t offset; /* offset of the opcode byte: in the file, or in the chunk's records */
    mcap_bytes body; /* record content (after opcode and length) */
} mcap_record;

typedef struct mcap_header {
    mcap_bytes profile; /* "ros2" for rosbag2 files */
    mcap_bytes library; /* writer name/version */
} mcap_header;
typedef struct mcap_footer {
    uint64_t summary_start;        /* 0 = no summary */
    uint64_t summary_offset_start; /* 0 = no summary offsets */
    uint32_t summary_crc;          /* 0 = not computed */
} mcap_footer;
typedef struct mcap_schema {
    uint16_t id;                   /* >= 1 */
    mcap_bytes name, encoding, data; /* e.g. "std_msgs/msg/String", "ros2msg", .msg text */
} mcap_schema;
typedef struct mcap_channel {
    uint16_t id;                   /* channel id */
    uint16_t schema_id;            /* 0 = no schema */
    mcap_bytes topic, message_encoding;
    mcap_bytes metadata;           /* Map<string,string> entries (walk with mcap_map_next_str) */
} mcap_channel;
typedef struct mcap_message {
    uint16_t channel_id;           /* channel */
    uint32_t sequence;             /* publisher/recorder counter */
    uint64_t log_time;             /* receive time, ns */
    uint64_t publish_time;         /* source time, ns */
    mcap_bytes data;               /* serialized payload (CDR for ros2) */
} mcap_message;
typedef struct mcap_chunk {
    uint64_t start, end;           /* message log time range */
    uint64_t uncompressed_size;    /* size of records once decompressed */
    uint32_t uncompressed_crc;     /* 0 = not computed */
    mcap_bytes compression;        /* "", "lz4", "zstd" */
    mcap_bytes records;            /* compressed records */
} mcap_chunk;
typedef struct mcap_message_index {
    uint16_t channel_id;           /* channel */
    mcap_bytes entries;            /* (log_time u64, offset u64) pairs; mcap_index_next */
} mcap_message_index;
typedef struct mcap_chunk_index {
    uint64_t start, end;           /* message log time range */
    uint64_t chunk_offset;         /* file offset of the Chunk record */
    uint64_t chunk_length;         /* whole Chunk record length */
    mcap_bytes index_offsets;      /* Map<u16,u64>: channel -> MessageIndex file offset */
    uint64_t index_length;         /* bytes of MessageIndex records after the chunk */
    mcap_bytes compression;        /* as in the chunk */
    uint64_t compressed_size;      /* chunk records field length */
    uint64_t uncompressed_size;    /* as in the chunk */
} mcap_chunk_index;
typedef struct mcap_statistics {
    uint64_t message_count;        /* Message records in the file */
    uint16_t schema_count;         /* distinct schema ids (not 0) */
    uint32_t channel_count;        /* distinct channel ids */
    uint32_t attachment_count;     /* Attachment records */
    uint32_t metadata_count;       /* Metadata records */
    uint32_t chunk_count;          /* Chunk records */
    uint64_t start, end;           /* message log time range */
    mcap_bytes channel_counts;     /* Map<u16,u64> (mcap_map_next_u16u64) */
} mcap_statistics;
typedef struct mcap_metadata {
    mcap_bytes name;               /* e.g. "rosbag2", "recguard_drops" */
    mcap_bytes map;                /* Map<string,string> entries */
} mcap_metadata;
typedef struct mcap_metadata_index {
    uint64_t offset, length;       /* where the Metadata record is */
    mcap_bytes name;               /* its name */
} mcap_metadata_index;
typedef struct mcap_attachment {
    uint64_t log_time, create_time; /* ns */
    mcap_bytes name, media_type, data; /* file name, MIME type, contents */
    uint32_t crc;                  /* 0 = not computed */
    uint64_t crc_len;              /* body bytes the CRC covers */
} mcap_attachment;
typedef struct mcap_attachment_index {
    uint64_t offset, length;       /* where the Attachment record is */
    uint64_t log_time, create_time; /* as in the attachment */
    uint64_t data_size;            /* its data length */
    mcap_bytes name, media_type;   /* as in the attachment */
} mcap_attachment_index;
typedef struct mcap_summary_offset {
    uint8_t op;                    /* opcode of the group */
    uint64_t start, length;        /* group position in the file */
} mcap_summary_offset;

/* Parsers: body -> view. 0, or -EBADMSG when the body is shorter than its fields claim. */
int mcap_parse_header(mcap_bytes body, mcap_header *out);
int mcap_parse_footer(mcap_bytes body, mcap_footer *out);
int mcap_parse_schema(mcap_bytes body, mcap_schema *out);
int mcap_parse_channel(mcap_bytes body, mcap_channel *out);
int mcap_parse_message(mcap_bytes body, mcap_message *out);
int mcap_parse_chunk(mcap_bytes body, mcap_chunk *out);
int mcap_parse_message_index(mcap_bytes body, mcap_message_index *out);
int mcap_parse_chunk_index(mcap_bytes body, mcap_chunk_index *out);
int mcap_parse_statistics(mcap_bytes body, mcap_statistics *out);
int mcap_parse_metadata(mcap_bytes body, mcap_metadata *out);
int mcap_parse_metadata_index(mcap_bytes body, mcap_metadata_index *out);
int mcap_parse_attachment(mcap_bytes body, mcap_attachment *out);
int mcap_parse_attachment_index(mcap_bytes body, mcap_attachment_index *out);
int mcap_parse_summary_offset(mcap_bytes body, mcap_summary_offset *out);
int mcap_parse_data_end(mcap_bytes body, uint32_t *crc);

/* Bytes of a record beyond the fields this version knows (0 when none, when the record does
 * not parse, or for Message and unknown records). The format lets records grow: readers skip
 * such bytes. */
uint64_t mcap_record_extra(const mcap_record *rec);

/* Walk maps and index arrays: 1 = an entry, 0 = done, -EBADMSG = malformed. They consume *rest. */
int mcap_map_next_str(mcap_bytes *rest, mcap_bytes *key, mcap_bytes *value);
int mcap_map_next_u16u64(mcap_bytes *rest, uint16_t *key, uint64_t *value);
int mcap_index_next(mcap_bytes *rest, uint64_t *log_time, uint64_t *offset);
/* Copy a view into a NUL-terminated malloc'd string (NULL on ENOMEM). */
char *mcap_bytes_dup(mcap_bytes b);
int mcap_bytes_eq(mcap_bytes b, const char *s); /* 1 when b equals the C string s */

/* A cursor over consecutive records in [base, base + len); `origin` is base's offset in the
 * file (or in the chunk), reported in mcap_record.offset. */
typedef struct mcap_cursor {
    const uint8_t *base; /* first byte */
    uint64_t len;        /* bytes */
    uint64_t pos;        /* next record's position relative to base */
    uint64_t origin;     /* offset of base */
} mcap_cursor;
void mcap_cursor_init(mcap_cursor *c, const uint8_t *base, uint64_t len, uint64_t origin);
/* 1 = record in *r (pos advanced), 0 = exactly at the end, -EBADMSG = a record header or body
 * runs past the end (pos not advanced: the cut or corruption is at c->pos). */
int mcap_cursor_next(mcap_cursor *c, mcap_record *r);

/* Decompress a chunk's records into *buf (grown as needed; caller frees). The result must be
 * exactly uncompressed_size bytes, at most `limit`. With check_crc, a nonzero uncompressed_crc
 * must match. For compression "" *out points into the chunk itself (no copy).
 * 0, -EBADMSG (corrupt/CRC), -ENOTSUP (unknown compression), -EFBIG (over limit), -ENOMEM;
 * err says which. */
int mcap_chunk_decompress(const mcap_chunk *c, uint64_t limit, int check_crc, uint8_t **buf,
                          size_t *cap, mcap_bytes *out, char *err, size_t errlen);

/* The file: its bytes (mapped or borrowed), header, summary and the schema/channel tables. */
typedef struct mcap_reader {
    const uint8_t *data;        /* file bytes */
    uint64_t size;              /* byte count */
    int mapped;                 /* data is our mmap */
    uint64_t max_chunk;         /* limit on one chunk's uncompressed size */
    mcap_header header;         /* parsed header */
    uint64_t data_start;        /* offset of the first record after the header */
    int has_footer;             /* footer + trailing magic present and parsed */
    mcap_footer footer;         /* valid when has_footer */
    int has_summary;            /* summary read successfully */
    int has_statistics;         /* statistics found in the summary */
    mcap_statistics statistics; /* valid when has_statistics */
    uint64_t data_end_offset;   /* offset of the DataEnd record when known, else 0 */
    mcap_bytes chunk_indexes;   /* ChunkIndex records of the summary (cursor over them) */
    uint64_t chunk_indexes_off; /* file offset of chunk_indexes */
    mcap_bytes metadata_indexes;/* MetadataIndex records of the summary */
    uint64_t metadata_indexes_off; /* file offset of metadata_indexes */
    struct mcap_reader_tables *t; /* schemas and channels by id (owned copies) */
} mcap_reader;

/* Map a file read-only. Checks the leading magic and header. 0 or -errno / -EBADMSG. */
int mcap_reader_open_file(mcap_reader *r, const char *path, char *err, size_t errlen);
/* Read from caller-owned memory that outlives the reader. Same checks. */
int mcap_reader_open_mem(mcap_reader *r, const void *data, size_t size, char *err, size_t errlen);
void mcap_reader_close(mcap_reader *r);
/* Read footer, summary CRC, DataEnd and summary records; registers summary schemas/channels.
 * 0, -ENOENT (no footer or no summary: file cut short or unindexed), -EBADMSG (bad). */
int mcap_reader_read_summary(mcap_reader *r, char *err, size_t errlen);
/* Register a Schema/Channel record (copied). 0 (new, or the same fields: trailing bytes a
 * newer writer added are ignored), -EEXIST (same id, other fields: first one kept),
 * -EBADMSG, -ENOMEM. */
int mcap_reader_add_schema(mcap_reader *r, mcap_bytes body);
int mcap_reader_add_channel(mcap_reader *r, mcap_bytes body);
const mcap_schema *mcap_reader_schema(const mcap_reader *r, uint16_t id);
const mcap_channel *mcap_reader_channel(const mcap_reader *r, uint16_t id);
/* Known channels in ascending id order: start with *pos = 0; NULL when there are no more. */
const mcap_channel *mcap_reader_next_channel(const mcap_reader *r, uint32_t *pos);

/* Linear iterator over the data section in file order, chunks expanded: yields every
 * top-level record (in_chunk 0, Chunk records included) and every record inside a chunk
 * (in_chunk 1, offset relative to the chunk's records). Schemas and channels are registered
 * in the reader as they pass. Stops after DataEnd, at a Footer, or at the end of the bytes. */
typedef struct mcap_iter {
    mcap_reader *r;          /* the file */
    mcap_cursor top;         /* top-level records */
    mcap_cursor inner;       /* records of the current chunk (len 0 when none) */
    uint64_t chunk_offset;   /* file offset of the current chunk */
    uint8_t *buf;            /* decompression buffer, reused */
    size_t cap;              /* its size */
    int done;                /* end reached or fatal error */
    char err[256];           /* sentence for the last error */
    uint64_t err_offset;     /* file offset the last error is about */
} mcap_iter;
void mcap_iter_init(mcap_iter *it, mcap_reader *r);
/* 1 = *rec (with *in_chunk), 0 = end, -EBADMSG / -ENOTSUP / -EFBIG / -ENOMEM = error: for a
 * bad chunk the iterator skips it and may be called again; a truncated top-level record is
 * final (0 next). */
int mcap_iter_next(mcap_iter *it, mcap_record *rec, int *in_chunk);
void mcap_iter_free(mcap_iter *it);

#endif
