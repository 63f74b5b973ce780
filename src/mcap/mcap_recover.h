/* mcap_recover — rebuild a cut-short or partly corrupt MCAP file into a new, valid one, and
 * say "lossless" only when the input itself proves it.
 *
 * Owns the salvage policy: walk the input's data section record by record; carry over every
 * schema, channel, message, metadata record and attachment that parses, and every message of
 * every chunk that decompresses, passes its CRC and frames cleanly; skip a corrupt chunk
 * whole and count it (with the messages its message indexes say it held), drop an attachment
 * whose CRC fails; stop at a record that runs past the end of the file (a cut) or at a byte
 * that cannot start a record (garbage). The kept records are written with mcap_writer into
 * `out` (O_EXCL: the input and any existing file are never touched), which regenerates
 * chunks, indexes, the summary and the footer.
 *
 * The evidence rule: the result is lossless only when nothing was seen lost AND the input's
 * own integrity data proves that every record was carried over unchanged:
 *   - the walk reached DataEnd (a cut file, or one without DataEnd, proves nothing about
 *     what followed the cut), and
 *   - DataEnd's data-section CRC matches the bytes before it (every record vouched for), or,
 *     with no data-section CRC, every kept record lies in a chunk whose CRC matches or is an
 *     attachment whose CRC matches, and the summary statistics count exactly the messages,
 *     chunks, metadata and attachments kept;
 *   - and, when the summary has statistics, they list no more than was kept.
 * A data-section CRC mismatch is reported, and every kept record no chunk or attachment CRC
 * vouches for is named (report.unverified_what): it may have been changed.
 *
 * Result, like `mcap recover`: MCAP_RECOVER_LOSSLESS (0) proven complete and unchanged,
 * MCAP_RECOVER_LOSSY (3) something was lost or cannot be proven intact, the rest kept,
 * MCAP_RECOVER_NOTHING (1) the input is not MCAP, or data was lost and nothing (no message,
 * metadata or attachment) could be kept (the output is then removed).
 * A negative errno means the output could not be written (err says why).
 */
#ifndef MCAP_RECOVER_H
#define MCAP_RECOVER_H

#include "mcap/mcap_writer.h"

#include <stddef.h>
#include <stdint.h>

#define MCAP_RECOVER_LOSSLESS 0 /* proven: every record kept unchanged */
#define MCAP_RECOVER_NOTHING 1  /* not MCAP, or data lost and nothing kept */
#define MCAP_RECOVER_LOSSY 3    /* some data lost or unproven, the rest kept */

enum mcap_recover_crc {
    MCAP_RECOVER_CRC_ABSENT = 0, /* no DataEnd reached, or its CRC is 0 (not computed) */
    MCAP_RECOVER_CRC_OK = 1,     /* the data-section CRC matches */
    MCAP_RECOVER_CRC_BAD = 2,    /* the data-section CRC does not match */
};

typedef struct mcap_recover_report {
    uint64_t messages;       /* messages written to the output */
    uint64_t chunks;         /* input chunks whose messages were kept */
    uint64_t schemas;        /* schemas kept */
    uint64_t channels;       /* channels kept */
    uint64_t metadata;       /* metadata records kept */
    uint64_t attachments;    /* attachments kept */
    uint64_t chunks_lost;    /* chunks skipped: CRC, decompression or framing failed */
    uint64_t messages_lost;  /* messages known lost (message indexes of lost chunks, stray
                                messages on unknown channels); a cut chunk may hold more */
    uint64_t records_lost;   /* other records not carried over (malformed, bad attachment
                                CRC, extension records, conflicting redefinitions) */
    uint64_t bytes_lost;     /* input bytes of lost chunks plus the unreadable tail */
    uint64_t cut_at;         /* offset where reading stopped early (0 when it reached the end) */
    int had_summary;         /* the input's own summary was intact */
    int data_end;            /* the walk reached a DataEnd record */
    int data_crc;            /* enum mcap_recover_crc */
    uint32_t data_crc_want;  /* DataEnd's CRC (when data_end) */
    uint32_t data_crc_got;   /* CRC of the bytes before DataEnd (when data_end and want != 0) */
    uint64_t unverified;     /* kept records no CRC vouches for (0 when the data CRC matches) */
    char unverified_what[1024]; /* the first of them named ("Message (channel 1, sequence 3)
                                   at 120, ..."), "" when none */
    int unproven;            /* lossy only for want of proof: nothing was seen lost, but no CRC
                                or statistics prove the kept records complete and unchanged */
    char first_loss[256];    /* the first loss (or the missing proof) in words, "" when lossless */
    char proof[256];         /* why lossless is proven ("" when it is not) */
} mcap_recover_report;

/* Recover `in` into `out`. opts NULL: defaults, with the compression of the input's first
 * chunk. Returns MCAP_RECOVER_* (>= 0) or a negative errno; err names the file and the cause. */
int mcap_recover(const char *in, const char *out, const mcap_writer_options *opts,
                 mcap_recover_report *rep, char *err, size_t errlen);
/* The same from bytes in memory (fuzzing, tests). */
int mcap_recover_mem(const void *data, size_t size, const char *out,
                     const mcap_writer_options *opts, mcap_recover_report *rep, char *err,
                     size_t errlen);

#endif
