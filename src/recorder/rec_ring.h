/* rec_ring — the snapshot buffer of `--snapshot-mode`: the most recent samples, bounded in
 * bytes, held in memory until a snapshot writes them out.
 *
 * Owns: copies of samples in arrival order, the byte budget (a new sample evicts the oldest
 * until it fits; one larger than the whole budget is refused), and the count of what was
 * evicted. Pure; used by the writer thread only.
 */
#ifndef REC_RING_H
#define REC_RING_H

#include <stddef.h>
#include <stdint.h>

#include "recorder/rec_queue.h"

typedef struct rec_ring_item {
    uint32_t topic_id;    /* rdds topic id */
    uint32_t seq;         /* per-topic receive index */
    int64_t source_ts_ns; /* DDS source timestamp */
    int64_t recv_ts_ns;   /* log time */
    rdds_origin origin;   /* sending writer and its sequence number (seq 0 = unknown) */
    size_t len;           /* bytes in data */
    unsigned char data[]; /* the sample */
} rec_ring_item;

typedef struct rec_ring rec_ring;

/* A ring holding at most `budget` bytes of sample data. 0 or -ENOMEM / -EINVAL (budget 0). */
int rec_ring_create(rec_ring **out, size_t budget);
void rec_ring_destroy(rec_ring *r); /* NULL is a no-op */
/* Keep a copy of one sample, evicting the oldest as needed. 0, -E2BIG (larger than the
 * budget: not kept), -ENOMEM. */
int rec_ring_push(rec_ring *r, const rec_queue_item *it);
/* Evict every sample received before oldest_recv_ts_ns (a time window on top of the bytes). */
void rec_ring_trim(rec_ring *r, int64_t oldest_recv_ts_ns);
size_t rec_ring_count(const rec_ring *r);               /* samples held */
size_t rec_ring_bytes(const rec_ring *r);               /* their bytes */
uint64_t rec_ring_evicted(const rec_ring *r);           /* samples evicted so far */
const rec_ring_item *rec_ring_at(const rec_ring *r, size_t i); /* i-th oldest, i < count */
void rec_ring_clear(rec_ring *r);                       /* drop everything held */

#endif
