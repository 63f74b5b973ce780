/* rec_pos — durable positions per DDS writer (see rec_pos.h).
 *
 * Map: file layout · writing side (create, note, chunk) · reading side (load, lookup).
 *
 * The file is read by another process only after the writer died, so no lock: the order of the
 * stores (fenced) is what makes any instant of death readable.
 */
#include "recorder/rec_pos.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- file layout ------------------------------------------------------------------------ */

#define POS_MAGIC "RGPOS\0\0\1"
#define POS_VERSION 1u

typedef struct pos_header {
    char magic[8];         /* POS_MAGIC */
    uint32_t version;      /* POS_VERSION */
    uint32_t max_writers;  /* slots in the file */
    uint32_t nslots;       /* slots in use (a slot's GUID is stored before it counts) */
    uint32_t reserved;     /* zero */
    uint64_t pending_end;  /* offset where the chunk being written ends in `segment` */
    char segment[4096];    /* the segment being written, NUL-terminated */
} pos_header;

typedef struct pos_slot {
    unsigned char writer[16]; /* GUID */
    int64_t committed;        /* last sequence number in a chunk whose write returned */
    int64_t pending;          /* last sequence number in the chunk being written */
} pos_slot;

#define POS_FILE_SIZE (sizeof(pos_header) + (size_t)REC_POS_MAX_WRITERS * sizeof(pos_slot))
#define POS_BUCKETS (2 * REC_POS_MAX_WRITERS) /* open addressing, at most half full */

struct rec_pos {
    pos_header *h;       /* the mapping */
    pos_slot *slots;     /* right after the header */
    int32_t *bucket;     /* POS_BUCKETS slot indexes, -1 = empty */
    int64_t *open;       /* per slot: last sequence number in the open chunk (or before) */
    uint32_t *touched;   /* slots with a message in the open chunk */
    unsigned char *is_touched; /* per slot */
    uint32_t ntouched;   /* entries in touched */
    int32_t last_slot;   /* the last note, for rec_pos_unnote (-1 = none) */
    int64_t last_prev;   /* its slot's open value before */
    int last_touch;      /* it added the slot to touched */
};

static void fence(void) { atomic_thread_fence(memory_order_seq_cst); }

static uint32_t guid_hash(const unsigned char g[16]) {
    uint32_t h = 2166136261u; /* FNV-1a: GUIDs share prefixes, so every byte must count */
    for (int i = 0; i < 16; i++) h = (h ^ g[i]) * 16777619u;
    return h;
}

/* ---- writing side ----------------------------------------------------------------------- */

int rec_pos_create(rec_pos **out, const char *path, char *err, size_t errlen) {
    *out = NULL;
    rec_pos *p = calloc(1, sizeof *p);
    if (p) {
        p->bucket = malloc(POS_BUCKETS * sizeof *p->bucket);
        p->open = calloc(REC_POS_MAX_WRITERS, sizeof *p->open);
        p->touched = malloc(REC_POS_MAX_WRITERS * sizeof *p->touched);
        p->is_touched = calloc(REC_POS_MAX_WRITERS, 1);
    }
    if (!p || !p->bucket || !p->open || !p->touched || !p->is_touched) {
        rec_pos_close(p);
        snprintf(err, errlen, "positions(%s): out of memory", path);
        return -ENOMEM;
    }
    memset(p->bucket, 0xff, POS_BUCKETS * sizeof *p->bucket);
    p->last_slot = -1;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    int rc = fd < 0 ? -errno : 0;
    if (rc == 0 && ftruncate(fd, (off_t)POS_FILE_SIZE) < 0) rc = -errno;
    void *m = MAP_FAILED;
    if (rc == 0 && (m = mmap(NULL, POS_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
        rc = -errno;
    if (fd >= 0) close(fd);
    if (rc < 0) {
        rec_pos_close(p);
        snprintf(err, errlen, "positions(%s): %s", path, strerror(-rc));
        return rc;
    }
    p->h = m;
    p->slots = (pos_slot *)(p->h + 1);
    p->h->version = POS_VERSION;
    p->h->max_writers = REC_POS_MAX_WRITERS;
    fence();
    memcpy(p->h->magic, POS_MAGIC, sizeof p->h->magic); /* last: the file is complete */
    *out = p;
    return 0;
}

void rec_pos_close(rec_pos *p) {
    if (!p) return;
    if (p->h) munmap(p->h, POS_FILE_SIZE);
    free(p->bucket);
    free(p->open);
    free(p->touched);
    free(p->is_touched);
    free(p);
}

/* The slot of writer g, created when new; -1 when the table is full. */
static int32_t slot_of(rec_pos *p, const unsigned char g[16]) {
    uint32_t b = guid_hash(g) % POS_BUCKETS;
    for (;; b = (b + 1) % POS_BUCKETS) {
        int32_t s = p->bucket[b];
        if (s < 0) break;
        if (memcmp(p->slots[s].writer, g, 16) == 0) return s;
    }
    uint32_t n = p->h->nslots;
    if (n >= REC_POS_MAX_WRITERS) return -1;
    memcpy(p->slots[n].writer, g, 16);
    p->slots[n].committed = p->slots[n].pending = 0;
    fence();
    p->h->nslots = n + 1;
    p->bucket[b] = (int32_t)n;
    return (int32_t)n;
}

int rec_pos_note(rec_pos *p, const rdds_origin *o) {
    p->last_slot = -1;
    int32_t s = slot_of(p, o->writer);
    if (s < 0) return -ENOSPC;
    p->last_slot = s;
    p->last_prev = p->open[s];
    p->last_touch = !p->is_touched[s];
    /* max: a writer's numbers only grow, and a durable claim must never move back */
    if (o->seq > p->open[s]) p->open[s] = o->seq;
    if (p->last_touch) {
        p->is_touched[s] = 1;
        p->touched[p->ntouched++] = (uint32_t)s;
    }
    return 0;
}

void rec_pos_unnote(rec_pos *p) {
    int32_t s = p->last_slot;
    if (s < 0) return;
    p->open[s] = p->last_prev;
    if (p->last_touch) {
        p->is_touched[s] = 0;
        p->ntouched--;
    }
    p->last_slot = -1;
}

void rec_pos_chunk(rec_pos *p, const char *segment, uint64_t chunk_end, int written) {
    p->last_slot = -1; /* the last note is in this chunk now */
    if (!written) {
        if (strncmp(p->h->segment, segment, sizeof p->h->segment) != 0)
            snprintf(p->h->segment, sizeof p->h->segment, "%s", segment);
        fence();
        p->h->pending_end = chunk_end; /* before any pending number: see rec_pos.h */
        fence();
        for (uint32_t i = 0; i < p->ntouched; i++) p->slots[p->touched[i]].pending = p->open[p->touched[i]];
        fence();
        return;
    }
    for (uint32_t i = 0; i < p->ntouched; i++) {
        pos_slot *s = &p->slots[p->touched[i]];
        s->committed = s->pending;
        p->is_touched[p->touched[i]] = 0;
    }
    p->ntouched = 0;
    fence();
}

uint32_t rec_pos_writers(const rec_pos *p) { return p->h->nslots; }

/* ---- reading side ----------------------------------------------------------------------- */

int64_t rec_pos_durable(int64_t committed, int64_t pending, uint64_t pending_end, uint64_t file_size) {
    return pending > committed && file_size >= pending_end ? pending : committed;
}

typedef struct pos_entry {
    unsigned char writer[16];
    int64_t seq;
} pos_entry;

static int entry_cmp(const void *a, const void *b) {
    return memcmp(((const pos_entry *)a)->writer, ((const pos_entry *)b)->writer, 16);
}

static int load_fail(char *err, size_t errlen, const char *path, const char *why, int rc) {
    snprintf(err, errlen, "positions(%s): %s", path, why);
    return rc;
}

int rec_pos_load(rec_pos_table *t, const char *path, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return load_fail(err, errlen, path, strerror(errno), -errno);
    pos_header h;
    ssize_t got = pread(fd, &h, sizeof h, 0);
    if (got != (ssize_t)sizeof h || memcmp(h.magic, POS_MAGIC, sizeof h.magic) != 0 ||
        h.version != POS_VERSION || h.max_writers != REC_POS_MAX_WRITERS || h.nslots > h.max_writers ||
        memchr(h.segment, '\0', sizeof h.segment) == NULL) {
        close(fd);
        return load_fail(err, errlen, path, "not a recguard positions file (or another version)", -EINVAL);
    }
    pos_slot *slots = h.nslots ? malloc(h.nslots * sizeof *slots) : NULL;
    pos_entry *e = h.nslots ? malloc(h.nslots * sizeof *e) : NULL;
    size_t want = h.nslots * sizeof *slots;
    if (h.nslots && (!slots || !e)) {
        free(slots);
        free(e);
        close(fd);
        return load_fail(err, errlen, path, "out of memory", -ENOMEM);
    }
    got = want ? pread(fd, slots, want, (off_t)sizeof h) : 0;
    close(fd);
    if (got != (ssize_t)want) {
        free(slots);
        free(e);
        return load_fail(err, errlen, path, "cut short", -EINVAL);
    }
    struct stat st;
    uint64_t size = h.segment[0] && stat(h.segment, &st) == 0 ? (uint64_t)st.st_size : 0;
    for (uint32_t i = 0; i < h.nslots; i++) {
        memcpy(e[i].writer, slots[i].writer, 16);
        e[i].seq = rec_pos_durable(slots[i].committed, slots[i].pending, h.pending_end, size);
    }
    free(slots);
    if (h.nslots) qsort(e, h.nslots, sizeof *e, entry_cmp);
    t->writer = h.nslots ? malloc(h.nslots * sizeof *t->writer) : NULL;
    t->seq = h.nslots ? malloc(h.nslots * sizeof *t->seq) : NULL;
    if (h.nslots && (!t->writer || !t->seq)) {
        free(e);
        rec_pos_table_free(t);
        return load_fail(err, errlen, path, "out of memory", -ENOMEM);
    }
    for (uint32_t i = 0; i < h.nslots; i++) {
        memcpy(t->writer[i], e[i].writer, 16);
        t->seq[i] = e[i].seq;
    }
    free(e);
    t->n = h.nslots;
    snprintf(t->segment, sizeof t->segment, "%s", h.segment);
    return 0;
}

int64_t rec_pos_lookup(const rec_pos_table *t, const unsigned char writer[16], size_t *index) {
    size_t lo = 0, hi = t->n;
    if (index) *index = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(t->writer[mid], writer, 16);
        if (c == 0) {
            if (index) *index = mid;
            return t->seq[mid];
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

void rec_pos_table_free(rec_pos_table *t) {
    free(t->writer);
    free(t->seq);
    t->writer = NULL;
    t->seq = NULL;
    t->n = 0;
}
