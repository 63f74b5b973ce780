/* rec_queue — see rec_queue.h.
 *
 * Memory ordering, in one place:
 * - A producer reserves a record under `lock`: it zeroes the record's `state`, then publishes
 *   the slab's new `used` (release). Sealing a full slab publishes `next` (release) after the
 *   slab's last `used` store, so `used` is final once `next` is seen.
 * - After copying, the producer sets `state` = COMMITTED (release); the consumer reads `used`
 *   (acquire) then `state` (acquire) and only touches committed records.
 * - Wake-up is Dekker-style: the producer stores `state`, fences (seq_cst) and loads `waiting`;
 *   the consumer stores `waiting`, fences (seq_cst) and looks for a committed record. At least
 *   one of them sees the other, so a sample never sits unnoticed until the wait times out.
 */
#include "recorder/rec_queue.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { REC_RESERVED = 0, REC_COMMITTED = 1 };

typedef struct rec_hdr {
    _Atomic uint32_t state; /* REC_RESERVED while the producer copies, then REC_COMMITTED */
    uint32_t len;           /* payload bytes following the header */
    uint32_t topic_id;      /* rdds topic id */
    uint32_t seq;           /* per-topic receive index */
    int64_t source_ts_ns;   /* DDS source timestamp */
    int64_t recv_ts_ns;     /* receive time */
    rdds_origin origin;     /* sending writer and its sequence number (seq 0 = unknown) */
} rec_hdr;

typedef struct rec_slab {
    _Atomic(struct rec_slab *) next; /* following slab; set once, when this one is sealed */
    _Atomic size_t used;             /* bytes reserved in data[]; final once next is set */
    size_t size;                     /* bytes in data[] */
    _Alignas(REC_QUEUE_ALIGN) unsigned char data[]; /* records, each REC_QUEUE_ALIGN-aligned */
} rec_slab;

struct rec_queue {
    pthread_mutex_t lock;    /* producers' reservations and the free list */
    rec_slab *fill;          /* slab producers append to (under lock) */
    rec_slab *free_list;     /* empty standard-size slabs, linked through next (under lock) */
    unsigned nfree;          /* slabs on free_list (under lock) */
    size_t allocated;        /* bytes of every slab, in use or free (under lock) */
    size_t capacity;         /* budget for allocated */
    size_t slab_size;        /* standard slab data size */
    _Atomic uint64_t in_use; /* bytes of slabs holding samples (stats) */

    rec_slab *head;          /* consumer: oldest slab */
    size_t rd;               /* consumer: read offset in head */
    size_t peeked;           /* consumer: record size of the last peek, 0 = none */
    unsigned naps;           /* consumer: naps taken since the last sample */

    _Atomic uint32_t epoch;   /* futex word: bumped to wake the consumer */
    _Atomic uint32_t waiting; /* consumer is (about to be) asleep */
    _Atomic uint32_t kicked;  /* rec_queue_wake called since the last wait */

    uint32_t max_topics;          /* drops[] has max_topics + 1 entries */
    _Atomic uint64_t drops_total; /* all drops */
    _Atomic uint64_t *drops;      /* per topic id; the last entry sums ids >= max_topics */
};

static size_t rec_size(size_t len) {
    return (sizeof(rec_hdr) + len + REC_QUEUE_ALIGN - 1) & ~(size_t)(REC_QUEUE_ALIGN - 1);
}

static size_t slab_bytes(size_t size) { return sizeof(rec_slab) + size; }

static rec_slab *slab_new(size_t size) {
    rec_slab *s = malloc(slab_bytes(size));
    if (!s) return NULL;
    atomic_init(&s->next, NULL);
    atomic_init(&s->used, 0);
    s->size = size;
    return s;
}

int rec_queue_create(rec_queue **out, size_t capacity, uint32_t max_topics) {
    *out = NULL;
    size_t slab = capacity / 8;
    if (slab > REC_QUEUE_SLAB_MAX) slab = REC_QUEUE_SLAB_MAX;
    if (slab < REC_QUEUE_SLAB_MIN) slab = REC_QUEUE_SLAB_MIN;
    if (capacity < slab_bytes(slab)) return -EINVAL;
    rec_queue *q = calloc(1, sizeof *q);
    if (!q) return -ENOMEM;
    q->drops = calloc((size_t)max_topics + 1, sizeof q->drops[0]);
    q->head = slab_new(slab);
    if (!q->drops || !q->head) {
        free(q->drops);
        free(q->head);
        free(q);
        return -ENOMEM;
    }
    pthread_mutex_init(&q->lock, NULL);
    q->fill = q->head;
    q->capacity = capacity;
    q->slab_size = slab;
    q->allocated = slab_bytes(slab);
    atomic_init(&q->in_use, slab);
    q->max_topics = max_topics;
    *out = q;
    return 0;
}

void rec_queue_destroy(rec_queue *q) {
    if (!q) return;
    for (rec_slab *s = q->head, *n; s; s = n) {
        n = atomic_load_explicit(&s->next, memory_order_relaxed);
        free(s);
    }
    for (rec_slab *s = q->free_list, *n; s; s = n) {
        n = atomic_load_explicit(&s->next, memory_order_relaxed);
        free(s);
    }
    pthread_mutex_destroy(&q->lock);
    free(q->drops);
    free(q);
}

static void count_drop(rec_queue *q, uint32_t topic_id) {
    uint32_t i = topic_id < q->max_topics ? topic_id : q->max_topics;
    atomic_fetch_add_explicit(&q->drops[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&q->drops_total, 1, memory_order_relaxed);
}

/* Under lock: a slab with room for `need` bytes, from the free list or the budget, or NULL. */
static rec_slab *slab_get(rec_queue *q, size_t need) {
    size_t size = need > q->slab_size ? need : q->slab_size;
    if (size == q->slab_size && q->free_list) {
        rec_slab *s = q->free_list;
        q->free_list = atomic_load_explicit(&s->next, memory_order_relaxed);
        q->nfree--;
        atomic_store_explicit(&s->next, NULL, memory_order_relaxed);
        atomic_store_explicit(&s->used, 0, memory_order_relaxed);
        return s;
    }
    /* An outsized sample may need the memory parked on the free list. */
    while (q->allocated + slab_bytes(size) > q->capacity && q->free_list) {
        rec_slab *s = q->free_list;
        q->free_list = atomic_load_explicit(&s->next, memory_order_relaxed);
        q->nfree--;
        q->allocated -= slab_bytes(s->size);
        free(s);
    }
    if (q->allocated + slab_bytes(size) > q->capacity) return NULL;
    rec_slab *s = slab_new(size);
    if (s) q->allocated += slab_bytes(size);
    return s;
}

static long futex(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *ts) {
    return syscall(SYS_futex, (uint32_t *)word, op, val, ts, NULL, 0);
}

static void wake_consumer(rec_queue *q) {
    atomic_fetch_add_explicit(&q->epoch, 1, memory_order_seq_cst);
    futex(&q->epoch, FUTEX_WAKE_PRIVATE, 1, NULL);
}

int rec_queue_push(rec_queue *q, uint32_t topic_id, uint32_t seq, const void *data, size_t len,
                   int64_t source_ts_ns, int64_t recv_ts_ns, const rdds_origin *origin) {
    if (len > UINT32_MAX || len > q->capacity) {
        count_drop(q, topic_id);
        return -ENOBUFS;
    }
    size_t need = rec_size(len);
    pthread_mutex_lock(&q->lock);
    rec_slab *s = q->fill;
    size_t off = atomic_load_explicit(&s->used, memory_order_relaxed);
    rec_hdr *h;
    if (off + need <= s->size) {
        h = (rec_hdr *)(s->data + off);
        atomic_store_explicit(&h->state, REC_RESERVED, memory_order_relaxed);
        atomic_store_explicit(&s->used, off + need, memory_order_release);
    } else {
        rec_slab *n = slab_get(q, need);
        if (!n) {
            pthread_mutex_unlock(&q->lock);
            count_drop(q, topic_id);
            return -ENOBUFS;
        }
        h = (rec_hdr *)n->data;
        atomic_store_explicit(&h->state, REC_RESERVED, memory_order_relaxed);
        atomic_store_explicit(&n->used, need, memory_order_relaxed);
        atomic_fetch_add_explicit(&q->in_use, n->size, memory_order_relaxed);
        atomic_store_explicit(&s->next, n, memory_order_release);
        q->fill = n;
    }
    pthread_mutex_unlock(&q->lock);

    h->len = (uint32_t)len;
    h->topic_id = topic_id;
    h->seq = seq;
    h->source_ts_ns = source_ts_ns;
    h->recv_ts_ns = recv_ts_ns;
    if (origin) h->origin = *origin;
    else h->origin.seq = 0;
    memcpy(h + 1, data, len);
    atomic_store_explicit(&h->state, REC_COMMITTED, memory_order_release);
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&q->waiting, memory_order_relaxed) &&
        atomic_exchange_explicit(&q->waiting, 0, memory_order_relaxed))
        wake_consumer(q);
    return 0;
}

/* Consumer: give an emptied slab back (free list, or the allocator beyond a few). */
static void slab_done(rec_queue *q, rec_slab *s) {
    atomic_fetch_sub_explicit(&q->in_use, s->size, memory_order_relaxed);
    pthread_mutex_lock(&q->lock);
    if (s->size == q->slab_size && q->nfree < REC_QUEUE_KEEP_FREE) {
        atomic_store_explicit(&s->next, q->free_list, memory_order_relaxed);
        q->free_list = s;
        q->nfree++;
        s = NULL;
    } else {
        q->allocated -= slab_bytes(s->size);
    }
    pthread_mutex_unlock(&q->lock);
    free(s);
}

/* Consumer: the committed record at the read position, or NULL; skips emptied slabs. */
static rec_hdr *next_record(rec_queue *q) {
    for (;;) {
        rec_slab *s = q->head;
        size_t used = atomic_load_explicit(&s->used, memory_order_acquire);
        if (q->rd < used) {
            rec_hdr *h = (rec_hdr *)(s->data + q->rd);
            if (atomic_load_explicit(&h->state, memory_order_acquire) != REC_COMMITTED)
                return NULL; /* a producer is still copying; order is kept, so wait for it */
            return h;
        }
        rec_slab *n = atomic_load_explicit(&s->next, memory_order_acquire);
        if (!n) return NULL;
        if (q->rd < atomic_load_explicit(&s->used, memory_order_acquire))
            continue; /* a last record went in before the slab was sealed */
        q->head = n;
        q->rd = 0;
        slab_done(q, s);
    }
}

int rec_queue_peek(rec_queue *q, rec_queue_item *it) {
    rec_hdr *h = next_record(q);
    if (!h) return 0;
    q->naps = 0;
    it->topic_id = h->topic_id;
    it->seq = h->seq;
    it->source_ts_ns = h->source_ts_ns;
    it->recv_ts_ns = h->recv_ts_ns;
    it->origin = h->origin;
    it->data = h + 1;
    it->len = h->len;
    q->peeked = rec_size(h->len);
    return 1;
}

void rec_queue_release(rec_queue *q) {
    q->rd += q->peeked;
    q->peeked = 0;
}

void rec_queue_wait(rec_queue *q, int64_t timeout_ns) {
    uint32_t e = atomic_load_explicit(&q->epoch, memory_order_seq_cst);
    if (atomic_exchange_explicit(&q->kicked, 0, memory_order_seq_cst)) return;
    if (q->naps < REC_QUEUE_NAPS) {
        /* Traffic flowed a moment ago: nap without asking producers for a wake-up. Waking the
         * consumer for every sample costs a futex syscall on each side per sample (a third of
         * the recorder's CPU at 16 B in a probe); a nap lets a batch build up instead. */
        q->naps++;
        struct timespec nap = {.tv_sec = 0, .tv_nsec = REC_QUEUE_NAP_NS};
        if (timeout_ns < REC_QUEUE_NAP_NS) nap.tv_nsec = (long)timeout_ns;
        futex(&q->epoch, FUTEX_WAIT_PRIVATE, e, &nap); /* rec_queue_wake still cuts it short */
        return;
    }
    atomic_store_explicit(&q->waiting, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    if (next_record(q)) {
        atomic_store_explicit(&q->waiting, 0, memory_order_relaxed);
        return;
    }
    struct timespec ts = {.tv_sec = timeout_ns / 1000000000, .tv_nsec = timeout_ns % 1000000000};
    futex(&q->epoch, FUTEX_WAIT_PRIVATE, e, &ts);
    atomic_store_explicit(&q->waiting, 0, memory_order_relaxed);
}

void rec_queue_wake(rec_queue *q) {
    atomic_store_explicit(&q->kicked, 1, memory_order_seq_cst);
    wake_consumer(q);
}

uint64_t rec_queue_drops(const rec_queue *q, uint32_t topic_id) {
    uint32_t i = topic_id < q->max_topics ? topic_id : q->max_topics;
    return atomic_load_explicit(&q->drops[i], memory_order_relaxed);
}

uint64_t rec_queue_drops_total(const rec_queue *q) {
    return atomic_load_explicit(&q->drops_total, memory_order_relaxed);
}

uint64_t rec_queue_bytes(const rec_queue *q) {
    return atomic_load_explicit(&q->in_use, memory_order_relaxed);
}

uint64_t rec_queue_capacity(const rec_queue *q) { return q->capacity; }
