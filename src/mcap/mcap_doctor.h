/* mcap_doctor — validates an MCAP file's structure and names each finding with its offset.
 *
 * Findings are of two kinds. A defect breaks a rule of the MCAP specification (a MUST), a CRC,
 * a length or an offset: readers may fail or return wrong data. A note is something a valid
 * file may lack or carry: an optional structure that is absent (readers must then scan the
 * data section: no summary, no statistics, no message indexes, no chunk indexes, no summary
 * copies of channels or schemas, no data-section CRC) or records longer than this version
 * knows (the extra bytes are ignored, as the format requires of readers).
 *
 * Owns the checks: magic at both ends, header, record framing (every length inside the file),
 * every record parses, data-section CRC (DataEnd), summary CRC (Footer), chunk decompression,
 * chunk CRCs and sizes, chunk time ranges, schema/channel references and conflicting
 * duplicates, message indexes (one per channel with messages, every entry pointing at a
 * message of that channel and log time, counts), chunk indexes (every chunk indexed, fields
 * and message-index offsets matching), statistics (message, chunk, schema, channel, metadata
 * counts, per-channel counts, time range), summary offsets (each group exactly its records),
 * summary schema/channel copies, metadata and attachment indexes.
 *
 * Names are stable identifiers (tests and scripts match on them). Defects:
 *   bad-magic, bad-header, truncated, garbage, malformed-record, missing-data-end,
 *   data-end-bad-length, missing-footer, bad-footer, bad-summary-crc, bad-data-crc,
 *   record-out-of-place, chunk-unknown-compression, chunk-too-large, chunk-bad-compression,
 *   chunk-bad-crc, chunk-bad-records, chunk-time-range, schema-conflict, schema-id-zero,
 *   channel-conflict, channel-unknown-schema, message-unknown-channel, message-index-missing
 *   (a chunk indexes some of its channels but not this one), message-index-bad-entry,
 *   message-index-unexpected, chunk-index-missing (the summary indexes some chunks but not
 *   this one), chunk-index-mismatch, chunk-index-bad-offset, statistics-mismatch,
 *   summary-offset-mismatch, summary-not-grouped, metadata-index-mismatch,
 *   attachment-index-mismatch
 * Notes:
 *   no-summary, no-statistics, no-data-crc, no-message-indexes (a chunk has none),
 *   no-chunk-indexes (a summary without any), summary-channel-missing,
 *   summary-schema-missing, record-extra-bytes
 */
#ifndef MCAP_DOCTOR_H
#define MCAP_DOCTOR_H

#include "mcap/mcap_reader.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mcap_defect {
    int note;         /* 0: a defect; 1: a note (the file is still valid) */
    const char *name; /* stable identifier, see above */
    uint64_t offset;  /* file offset the defect is at */
    char detail[224]; /* a sentence */
} mcap_defect;

/* Called once per finding (defect or note), in file order as far as the checks allow. */
typedef void (*mcap_doctor_fn)(void *ctx, const mcap_defect *d);

typedef struct mcap_doctor_report {
    uint64_t records;    /* top-level records walked */
    uint64_t chunks;     /* chunks seen */
    uint64_t messages;   /* messages seen (in chunks and outside) */
    int has_summary;     /* footer points at a summary */
    unsigned defects;    /* defects found (after max_defects reported, counting goes on silently) */
    unsigned notes;      /* notes found (likewise) */
} mcap_doctor_report;

/* Check the file held by `r` (opened with mcap_reader_open_*; the doctor reads the summary
 * itself). Reports at most max_defects findings through fn (0 = no limit). Returns the defect
 * count (notes not included), or -ENOMEM. */
int mcap_doctor(mcap_reader *r, unsigned max_defects, mcap_doctor_fn fn, void *ctx,
                mcap_doctor_report *rep);

#endif
