/* mcap_doctor — validates an MCAP file's structure and names each defect with its offset.
 *
 * Owns the checks: magic at both ends, header, record framing (every length inside the file),
 * every record parses, data-section CRC (DataEnd), summary CRC (Footer), chunk decompression,
 * chunk CRCs and sizes, chunk time ranges, schema/channel references and conflicting
 * duplicates, message indexes (one per channel with messages, every entry pointing at a
 * message of that channel and log time, counts), chunk indexes (every chunk indexed, fields
 * and message-index offsets matching), statistics (message, chunk, schema, channel, metadata
 * counts, per-channel counts, time range), summary offsets (each group exactly its records),
 * summary schema/channel copies, metadata indexes.
 *
 * Defect names are stable identifiers (tests and scripts match on them):
 *   bad-magic, bad-header, truncated, garbage, malformed-record, missing-data-end,
 *   missing-footer, bad-footer, bad-summary-crc, bad-data-crc, record-out-of-place,
 *   chunk-unknown-compression, chunk-too-large, chunk-bad-compression, chunk-bad-crc,
 *   chunk-bad-records, chunk-time-range, schema-conflict, schema-id-zero, channel-conflict,
 *   channel-unknown-schema, message-unknown-channel, message-index-missing,
 *   message-index-bad-entry, message-index-unexpected, chunk-index-missing,
 *   chunk-index-mismatch, chunk-index-bad-offset, statistics-mismatch,
 *   summary-offset-mismatch, summary-not-grouped, summary-channel-missing,
 *   summary-schema-missing, metadata-index-mismatch
 */
#ifndef MCAP_DOCTOR_H
#define MCAP_DOCTOR_H

#include "mcap/mcap_reader.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mcap_defect {
    const char *name; /* stable identifier, see above */
    uint64_t offset;  /* file offset the defect is at */
    char detail[224]; /* a sentence */
} mcap_defect;

/* Called once per defect, in file order as far as the checks allow. */
typedef void (*mcap_doctor_fn)(void *ctx, const mcap_defect *d);

typedef struct mcap_doctor_report {
    uint64_t records;    /* top-level records walked */
    uint64_t chunks;     /* chunks seen */
    uint64_t messages;   /* messages seen (in chunks and outside) */
    int has_summary;     /* footer points at a summary */
    unsigned defects;    /* defects reported (after max_defects, counting goes on silently) */
} mcap_doctor_report;

/* Check the file held by `r` (opened with mcap_reader_open_*; the doctor reads the summary
 * itself). Reports at most max_defects through fn (0 = no limit). Returns the defect count,
 * or -ENOMEM. */
int mcap_doctor(mcap_reader *r, unsigned max_defects, mcap_doctor_fn fn, void *ctx,
                mcap_doctor_report *rep);

#endif
