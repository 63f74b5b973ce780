/* rec_pos — the recorder's durable positions: for each DDS writer, the last RTPS sequence number
 * that is in the segment file, so that a hot standby taking over writes exactly what the dead
 * primary did not (no sample twice, none missing).
 *
 * Owns: the positions file (created by the recorder, mapped, updated in place around every chunk
 * write), the writer GUID -> slot map, and the reading side (rec_pos_load, rec_pos_lookup) with
 * its decision rule (rec_pos_durable, pure).
 *
 * Why two phases: a kill -9 can land between the chunk's write() and any bookkeeping after it.
 * So before a chunk is written the file gets the offset where the chunk will end and each
 * touched writer's `pending` number; after the write returned, `committed` = `pending`. A reader
 * (after the recorder is dead) takes `pending` when the segment file reaches that end offset
 * (the write completed: the kernel holds it, a kill cannot undo it), else `committed`. A write
 * cut short leaves a shorter file, whose torn chunk recovery drops: `committed` is then right.
 * Durability against power loss is the segment's own (fdatasync within the chunk age).
 *
 * Not thread-safe: the writing side belongs to the recorder's writer thread.
 */
#ifndef REC_POS_H
#define REC_POS_H

#include <stddef.h>
#include <stdint.h>

#include "dds/rdds.h"

#define REC_POS_MAX_WRITERS 8192 /* writers tracked; more are written without positions */

typedef struct rec_pos rec_pos;

/* Create (or truncate) the positions file at path, mode 0600, not following a symlink.
 * 0 or -errno with "positions(path): why" in err. */
int rec_pos_create(rec_pos **out, const char *path, char *err, size_t errlen);
void rec_pos_close(rec_pos *p); /* NULL is a no-op; the file stays for the standby to read */

/* A message from origin goes into the open chunk: remember its sequence number. 0, or -ENOSPC
 * when the writer table is full (the message is written, its position is not kept). */
int rec_pos_note(rec_pos *p, const rdds_origin *origin);
/* Take back the last rec_pos_note: the message did not reach the chunk after all. */
void rec_pos_unnote(rec_pos *p);
/* The open chunk is about to be written to `segment`, ending at file offset chunk_end (before
 * the write), or has been written (after). Wired to mcap_writer_options.on_chunk. */
void rec_pos_chunk(rec_pos *p, const char *segment, uint64_t chunk_end, int written);
uint32_t rec_pos_writers(const rec_pos *p); /* writers tracked so far */

/* Pure: a writer's durable sequence number from its two slots, the end offset of the chunk
 * being written and the segment file's size at reading time. */
int64_t rec_pos_durable(int64_t committed, int64_t pending, uint64_t pending_end, uint64_t file_size);

/* What a dead recorder made durable, read from its positions file. */
typedef struct rec_pos_table {
    unsigned char (*writer)[16]; /* sorted GUIDs */
    int64_t *seq;                /* durable sequence number of writer[i] */
    size_t n;                    /* entries */
    char segment[4096];          /* the segment it was writing ("" when none yet) */
} rec_pos_table;

/* Read path (the recorder that wrote it must be gone). 0, or -errno with "positions(path): why"
 * in err (missing file, not a positions file, cut short). */
int rec_pos_load(rec_pos_table *t, const char *path, char *err, size_t errlen);
/* The durable sequence number of writer, 0 when the dead recorder wrote none of its samples;
 * *index (may be NULL) = its entry, or t->n when absent. */
int64_t rec_pos_lookup(const rec_pos_table *t, const unsigned char writer[16], size_t *index);
void rec_pos_table_free(rec_pos_table *t);

#endif
