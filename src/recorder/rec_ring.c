/* rec_ring — snapshot buffer (see rec_ring.h). A circular array of pointers to malloc'd
 * copies: a snapshot is rare and a sample is copied once, so simplicity wins over a slab. */
#include "recorder/rec_ring.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rec_ring {
    rec_ring_item **v; /* circular, cap entries */
    size_t cap;        /* slots */
    size_t head;       /* oldest */
    size_t n;          /* held */
    size_t bytes;      /* data bytes held */
    size_t budget;     /* data bytes allowed */
    uint64_t evicted;  /* evicted so far */
};

int rec_ring_create(rec_ring **out, size_t budget) {
    *out = NULL;
    if (budget == 0) return -EINVAL;
    rec_ring *r = calloc(1, sizeof *r);
    if (!r) return -ENOMEM;
    r->budget = budget;
    *out = r;
    return 0;
}

static void pop_oldest(rec_ring *r) {
    rec_ring_item *it = r->v[r->head];
    r->bytes -= it->len;
    free(it);
    r->head = (r->head + 1) % r->cap;
    r->n--;
}

static int grow(rec_ring *r) {
    size_t cap = r->cap ? r->cap * 2 : 64;
    rec_ring_item **v = malloc(cap * sizeof *v);
    if (!v) return -ENOMEM;
    for (size_t i = 0; i < r->n; i++) v[i] = r->v[(r->head + i) % r->cap];
    free(r->v);
    r->v = v;
    r->cap = cap;
    r->head = 0;
    return 0;
}

int rec_ring_push(rec_ring *r, const rec_queue_item *q) {
    if (q->len > r->budget) return -E2BIG;
    if (r->n == r->cap && grow(r) < 0) return -ENOMEM;
    rec_ring_item *it = malloc(sizeof *it + q->len);
    if (!it) return -ENOMEM;
    *it = (rec_ring_item){q->topic_id, q->seq, q->source_ts_ns, q->recv_ts_ns, q->origin, q->len};
    if (q->len) memcpy(it->data, q->data, q->len);
    while (r->n > 0 && r->bytes + q->len > r->budget) {
        pop_oldest(r);
        r->evicted++;
    }
    r->v[(r->head + r->n) % r->cap] = it;
    r->n++;
    r->bytes += q->len;
    return 0;
}

void rec_ring_trim(rec_ring *r, int64_t oldest_recv_ts_ns) {
    while (r->n > 0 && r->v[r->head]->recv_ts_ns < oldest_recv_ts_ns) {
        pop_oldest(r);
        r->evicted++;
    }
}

size_t rec_ring_count(const rec_ring *r) { return r->n; }
size_t rec_ring_bytes(const rec_ring *r) { return r->bytes; }
uint64_t rec_ring_evicted(const rec_ring *r) { return r->evicted; }

const rec_ring_item *rec_ring_at(const rec_ring *r, size_t i) {
    return i < r->n ? r->v[(r->head + i) % r->cap] : NULL;
}

void rec_ring_clear(rec_ring *r) {
    while (r->n) pop_oldest(r);
}

void rec_ring_destroy(rec_ring *r) {
    if (!r) return;
    rec_ring_clear(r);
    free(r->v);
    free(r);
}
