/* mcap_recover — rebuild a cut-short or partly corrupt MCAP file into a new, valid one.
 *
 * Owns the salvage policy: walk the input's data section record by record; keep every
 * schema, channel, metadata record and every message of every chunk that decompresses,
 * passes its CRC and frames cleanly; skip a corrupt chunk whole and count it (with the
 * messages its message indexes say it held); stop at a record that runs past the end of the
 * file (a cut) or at a byte that cannot start a record (garbage). The kept records are written
 * with mcap_writer into `out` (O_EXCL: the input and any existing file are never touched),
 * which regenerates chunks, message indexes, the summary and the footer.
 *
 * Result, like `mcap recover`: MCAP_RECOVER_LOSSLESS (0) nothing was lost, MCAP_RECOVER_LOSSY
 * (3) some data was lost but messages were kept, MCAP_RECOVER_NOTHING (1) the input is not
 * MCAP or no message could be kept although some were lost (the output is then removed).
 * A negative errno means the output could not be written (err says why).
 */
#ifndef MCAP_RECOVER_H
#define MCAP_RECOVER_H

#include "mcap/mcap_writer.h"

#include <stddef.h>
#include <stdint.h>

#define MCAP_RECOVER_LOSSLESS 0 /* every message kept */
#define MCAP_RECOVER_NOTHING 1  /* not MCAP, or data lost and no message kept */
#define MCAP_RECOVER_LOSSY 3    /* some data lost, the rest kept */

typedef struct mcap_recover_report {
    uint64_t messages;       /* messages written to the output */
    uint64_t chunks;         /* input chunks whose messages were kept */
    uint64_t schemas;        /* schemas kept */
    uint64_t channels;       /* channels kept */
    uint64_t metadata;       /* metadata records kept */
    uint64_t chunks_lost;    /* chunks skipped: CRC, decompression or framing failed */
    uint64_t messages_lost;  /* messages known lost (message indexes of lost chunks, stray
                                messages on unknown channels); a cut chunk may hold more */
    uint64_t records_lost;   /* other records not carried over (attachments, malformed) */
    uint64_t bytes_lost;     /* input bytes of lost chunks plus the unreadable tail */
    uint64_t cut_at;         /* offset where reading stopped early (0 when it reached the end) */
    int had_summary;         /* the input's own summary was intact */
    char first_loss[256];    /* the first loss in words ("" when lossless) */
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
