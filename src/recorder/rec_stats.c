/* rec_stats — see rec_stats.h. Seqlock protocol (Boehm, "Can seqlocks get along with
 * programming language memory models?", 2012):
 *   writer: seq = s+1 (relaxed); fence(release); copy data; seq = s+2 (release)
 *   reader: s1 = seq (acquire); copy data; fence(acquire); s2 = seq (relaxed); ok iff s1 == s2, even
 * The data copy itself is a plain memcpy: it may race with the writer, and the sequence check
 * throws away any copy that did. */
#include "recorder/rec_stats.h"

#include "common/rg_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(_Atomic uint64_t) == sizeof(uint64_t), "seq must be a plain u64 in the file");
_Static_assert(offsetof(rec_stats_file, seq) == 16, "layout documented in rec_stats.h");
_Static_assert(offsetof(rec_stats_file, snap) == 24, "layout documented in rec_stats.h");
_Static_assert(offsetof(rec_stats_snapshot, topics) % 8 == 0, "topics 8-byte aligned");

struct rec_stats_writer {
    rec_stats_file *map; /* shared mapping of the file */
};

struct rec_stats_reader {
    const rec_stats_file *map; /* read-only mapping */
};

static _Atomic uint64_t *seq_of(const rec_stats_file *f) {
    return (_Atomic uint64_t *)(uintptr_t)&f->seq;
}

/* Bytes of the snapshot that carry data: the fixed part and the used topic entries. Copying
 * only those keeps a publish at a few hundred bytes for a typical handful of topics. */
static size_t used_size(uint32_t ntopics) {
    if (ntopics > REC_STATS_MAX_TOPICS) ntopics = REC_STATS_MAX_TOPICS;
    return offsetof(rec_stats_snapshot, topics) + (size_t)ntopics * sizeof(rec_stats_topic);
}

int rec_stats_writer_open(rec_stats_writer **out, const char *path,
                          const rec_stats_snapshot *initial, char *err, size_t errlen) {
    char tmp[PATH_MAX];
    *out = NULL;
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp) {
        snprintf(err, errlen, "stats(%s): path too long", path);
        return -ENAMETOOLONG;
    }
    rec_stats_writer *w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    const char *step = "open";
    void *map = MAP_FAILED;
    /* O_EXCL, as rg_fs_write_atomic: a predictable name in a directory others may write. */
    int fd = rg_sys_open(tmp, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (fd == -EEXIST && unlink(tmp) == 0) fd = rg_sys_open(tmp, O_RDWR | O_CREAT | O_EXCL, 0644);
    int rc = fd;
    if (fd < 0) goto fail;
    step = "ftruncate";
    if (ftruncate(fd, (off_t)REC_STATS_FILE_SIZE) < 0) {
        rc = -errno;
        goto fail;
    }
    step = "mmap";
    map = mmap(NULL, REC_STATS_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        rc = -errno;
        goto fail;
    }
    w->map = map;
    w->map->magic = REC_STATS_MAGIC;
    w->map->version = REC_STATS_VERSION;
    w->map->file_size = (uint32_t)REC_STATS_FILE_SIZE;
    w->map->max_topics = REC_STATS_MAX_TOPICS;
    atomic_store_explicit(seq_of(w->map), 0, memory_order_relaxed);
    rec_stats_writer_publish(w, initial);
    /* The rename publishes a fully initialised file: a reader that opens the path never sees
     * a zero magic. */
    step = "rename";
    if ((rc = rg_sys_rename(tmp, path)) < 0) goto fail;
    rg_sys_close(fd);
    *out = w;
    return 0;
fail:
    snprintf(err, errlen, "stats %s(%s): %s", step, path, strerror(-rc));
    if (map != MAP_FAILED) munmap(map, REC_STATS_FILE_SIZE);
    if (fd >= 0) {
        rg_sys_close(fd);
        unlink(tmp);
    }
    free(w);
    return rc;
}

void rec_stats_writer_publish(rec_stats_writer *w, const rec_stats_snapshot *snap) {
    _Atomic uint64_t *seq = seq_of(w->map);
    uint64_t s = atomic_load_explicit(seq, memory_order_relaxed);
    atomic_store_explicit(seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    uint32_t n = snap->ntopics > REC_STATS_MAX_TOPICS ? REC_STATS_MAX_TOPICS : snap->ntopics;
    memcpy(&w->map->snap, snap, used_size(n));
    w->map->snap.ntopics = n;
    atomic_store_explicit(seq, s + 2, memory_order_release);
}

void rec_stats_writer_close(rec_stats_writer *w) {
    if (!w) return;
    munmap(w->map, REC_STATS_FILE_SIZE);
    free(w);
}

int rec_stats_reader_open(rec_stats_reader **out, const char *path, char *err, size_t errlen) {
    *out = NULL;
    /* The daemon may run as root over a directory others can write: no symlink, and a planted
     * FIFO must not block the open. */
    int fd = rg_sys_open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "stats(%s): %s", path, strerror(-fd));
        return fd;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != REC_STATS_FILE_SIZE) {
        snprintf(err, errlen, "stats(%s): not a recguard stats file of version %u (size)", path,
                 REC_STATS_VERSION);
        rg_sys_close(fd);
        return -EPROTO;
    }
    void *map = mmap(NULL, REC_STATS_FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    int e = errno;
    rg_sys_close(fd);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "stats mmap(%s): %s", path, strerror(e));
        return -e;
    }
    const rec_stats_file *f = map;
    if (f->magic != REC_STATS_MAGIC || f->version != REC_STATS_VERSION ||
        f->file_size != REC_STATS_FILE_SIZE || f->max_topics != REC_STATS_MAX_TOPICS) {
        snprintf(err, errlen, "stats(%s): not a recguard stats file of version %u", path,
                 REC_STATS_VERSION);
        munmap(map, REC_STATS_FILE_SIZE);
        return -EPROTO;
    }
    rec_stats_reader *r = calloc(1, sizeof *r);
    if (!r) {
        munmap(map, REC_STATS_FILE_SIZE);
        return -ENOMEM;
    }
    r->map = f;
    *out = r;
    return 0;
}

int rec_stats_reader_read(rec_stats_reader *r, rec_stats_snapshot *out) {
    _Atomic uint64_t *seq = seq_of(r->map);
    for (int tries = 0; tries < REC_STATS_READ_TRIES; tries++) {
        uint64_t s1 = atomic_load_explicit(seq, memory_order_acquire);
        if (s1 & 1) {
            sched_yield();
            continue;
        }
        uint32_t n = r->map->snap.ntopics;
        if (n > REC_STATS_MAX_TOPICS) n = REC_STATS_MAX_TOPICS; /* torn: the check below rejects it */
        memcpy(out, &r->map->snap, used_size(n));
        atomic_thread_fence(memory_order_acquire);
        uint64_t s2 = atomic_load_explicit(seq, memory_order_relaxed);
        if (s1 == s2 && out->ntopics == n) {
            memset(&out->topics[n], 0, (REC_STATS_MAX_TOPICS - n) * sizeof out->topics[0]);
            /* The file is shared memory any process with write access could scribble on:
             * readers print these names, so they end inside their fields whatever it holds. */
            out->segment[REC_STATS_PATH_LEN - 1] = '\0';
            for (uint32_t i = 0; i < n; i++) {
                out->topics[i].name[REC_STATS_NAME_LEN - 1] = '\0';
                out->topics[i].type[REC_STATS_TYPE_LEN - 1] = '\0';
            }
            return 0;
        }
    }
    return -EAGAIN;
}

void rec_stats_reader_close(rec_stats_reader *r) {
    if (!r) return;
    munmap((void *)(uintptr_t)r->map, REC_STATS_FILE_SIZE);
    free(r);
}

int rec_stats_read(const char *path, rec_stats_snapshot *out, char *err, size_t errlen) {
    rec_stats_reader *r;
    int rc = rec_stats_reader_open(&r, path, err, errlen);
    if (rc < 0) return rc;
    rc = rec_stats_reader_read(r, out);
    if (rc < 0) snprintf(err, errlen, "stats(%s): no consistent snapshot after %d tries", path,
                         REC_STATS_READ_TRIES);
    rec_stats_reader_close(r);
    return rc;
}

const char *rec_stats_state_name(uint32_t state) {
    static const char *const names[] = {"starting", "recording", "stopping",
                                        "stopped", "disk_full", "failed"};
    return state < sizeof names / sizeof names[0] ? names[state] : "unknown";
}

const char *rec_stats_role_name(uint32_t role) {
    static const char *const names[] = {"recorder", "monitor", "standby"};
    return role < sizeof names / sizeof names[0] ? names[role] : "unknown";
}
