/* rec_queue — the bounded sample queue between the DDS listener threads and the writer thread.
 *
 * Owns: the memory samples wait in (a chain of slabs, at most `capacity` bytes in total), the
 * per-topic drop counters, and the writer thread's wake-up.
 *
 * Producers (DDS listener threads, any number) copy each sample once into the slab being filled
 * and never wait for the consumer: when the budget is spent the sample is dropped and counted
 * for its topic. Producers serialise among themselves only for the reservation (a few
 * pointer updates under a mutex, no copy, no syscall); the copy and the commit run outside it.
 * A sample larger than a slab gets a slab of its own, inside the same budget.
 *
 * The single consumer (the writer thread) peeks the oldest sample, uses it in place, then
 * releases it. Emptied slabs go back on a short free list (hot memory is reused, so the resident
 * size follows the backlog, not the budget); the rest are returned to the allocator.
 */
#ifndef REC_QUEUE_H
#define REC_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "dds/rdds.h"

#define REC_QUEUE_SLAB_MAX (1u << 20)  /* slab size cap (1 MiB) */
#define REC_QUEUE_SLAB_MIN (4u << 10)  /* slab size floor (4 KiB) */
#define REC_QUEUE_KEEP_FREE 16         /* empty slabs kept for reuse */
#define REC_QUEUE_ALIGN 8              /* record alignment inside a slab */
#define REC_QUEUE_NAP_NS 1000000       /* consumer nap while traffic flows (1 ms) */
#define REC_QUEUE_NAPS 4               /* naps without a sample before a wake-up is requested */

typedef struct rec_queue rec_queue;

typedef struct rec_queue_item {
    uint32_t topic_id;     /* rdds topic id */
    uint32_t seq;          /* per-topic receive index (assigned by the caller) */
    int64_t source_ts_ns;  /* DDS source timestamp (realtime) */
    int64_t recv_ts_ns;    /* realtime at take */
    rdds_origin origin;    /* sending writer and its sequence number (origin.seq 0 = unknown) */
    const void *data;      /* the sample's bytes, valid until rec_queue_release */
    size_t len;            /* bytes at data */
} rec_queue_item;

/* Create a queue holding at most `capacity` bytes of samples (record headers included) and
 * counting drops for topic ids below `max_topics` (others are summed in one extra counter). */
int rec_queue_create(rec_queue **out, size_t capacity, uint32_t max_topics);
/* Free everything. The caller guarantees no producer or consumer runs any more. */
void rec_queue_destroy(rec_queue *q);

/* Producer: copy one sample in. 0, or -ENOBUFS when it does not fit (dropped and counted). */
int rec_queue_push(rec_queue *q, uint32_t topic_id, uint32_t seq, const void *data, size_t len,
                   int64_t source_ts_ns, int64_t recv_ts_ns, const rdds_origin *origin);

/* Consumer: 1 and the oldest committed sample in *it, or 0 when none is ready. */
int rec_queue_peek(rec_queue *q, rec_queue_item *it);
/* Consumer: done with the sample returned by the last peek. */
void rec_queue_release(rec_queue *q);
/* Consumer: sleep until a sample is committed, rec_queue_wake is called, or timeout_ns passes.
 * Right after traffic it naps instead (REC_QUEUE_NAP_NS, REC_QUEUE_NAPS times): samples then
 * accumulate into a batch and producers never pay for a wake-up. */
void rec_queue_wait(rec_queue *q, int64_t timeout_ns);
/* Any thread: wake a waiting consumer (e.g. to stop). */
void rec_queue_wake(rec_queue *q);

/* Counters, readable from any thread. */
uint64_t rec_queue_drops(const rec_queue *q, uint32_t topic_id); /* drops for one topic */
uint64_t rec_queue_drops_total(const rec_queue *q);               /* all drops */
uint64_t rec_queue_bytes(const rec_queue *q);    /* bytes held by slabs in use (backlog) */
uint64_t rec_queue_capacity(const rec_queue *q); /* the budget */

#endif
