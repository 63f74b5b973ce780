/* rec_writer — see rec_writer.h.
 *
 * Map: topic table (DDS side) · segments (open/close, Metadata records, metadata.yaml) ·
 * channels · stats · the writer thread · start/stop.
 *
 * Which thread owns what: rec_topic's discovery fields are guarded by tlock (on_topic is rare);
 * its sample counters are atomics bumped by the DDS receive threads; everything else in
 * rec_writer (the MCAP writer, rec_meta, the stats writer) belongs to the writer thread, and to
 * the controlling thread only before the thread starts and after it is joined.
 */
#include "recorder/rec_writer.h"

#include "common/rg_bag.h"
#include "recorder/rec_ring.h"

#include "common/rg_time.h"
#include "hz/hz_est.h"
#include "mcap/mcap_reader.h"
#include "recorder/rec_meta.h"
#include "recorder/rec_pos.h"
#include "recorder/rec_queue.h"
#include "recorder/rec_stats.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATS_PERIOD_NS (100 * 1000000LL) /* stats publish period, half the heartbeat bound */
#define MAX_INDEX_PROBE 100000            /* existing segments skipped before giving up */

typedef struct rec_topic {
    /* discovery side, under tlock */
    char *name;              /* recorded name */
    char *type;              /* recorded type */
    char *qos;               /* offered_qos_profiles YAML */
    char *nodes;             /* publishing ROS nodes, "/a,/ns/b"; "" when unknown */
    char *hash;              /* type_description_hash (RIHS01_...); "" when none announced */
    int is_ros;              /* ROS 2 topic: schema from .msg files */
    _Atomic unsigned gen;    /* bumped by every on_topic for this id (0 = unknown) */
    /* sample path, DDS threads */
    _Atomic uint32_t seq;       /* next receive index */
    _Atomic uint64_t received;  /* samples seen */
    _Atomic uint64_t bytes;     /* payload bytes seen */
    _Atomic int64_t last_recv;  /* realtime of the last sample */
    _Atomic int64_t last_mono;  /* monotonic time of the last sample */
    _Atomic uint64_t lost;      /* SAMPLE_LOST count */
    _Atomic uint64_t rejected;  /* SAMPLE_REJECTED count */
    _Atomic uint32_t publishers;/* discovered publishers */
    _Atomic uint32_t matched;   /* publishers matched with the reader */
    atomic_flag est_lock;       /* est: the listener adds, the writer thread copies */
    hz_win est;                 /* rate window (monotonic arrival times) */
    /* writer thread */
    uint32_t seg_gen;        /* segment its channel belongs to (0 = none yet) */
    uint16_t channel;        /* channel id in that segment */
    unsigned meta_gen;       /* gen last copied into rec_meta */
    int meta_idx;            /* index in rec_meta topics, -1 before */
    int warned;              /* missing-schema warning given */
    uint64_t written;        /* messages written this run */
    uint64_t seg_drops;      /* queue drops when the current segment opened */
    uint64_t seg_lost;       /* lost when the current segment opened */
    uint64_t seg_rejected;   /* rejected when the current segment opened */
} rec_topic;

typedef struct seg_schema {
    char *type;  /* schema name */
    uint16_t id; /* its id in the current segment */
} seg_schema;

struct rec_writer {
    rec_writer_options o;     /* options; strings below are our copies */
    char *dir, *name, *stats_path, *first_path;
    rec_queue *q;             /* samples in flight */
    rec_topic *topics;        /* REC_WRITER_MAX_TOPICS entries, index = rdds topic id */
    _Atomic uint32_t ntopics; /* highest id seen + 1 */
    _Atomic uint32_t untracked; /* highest id + 1 - REC_WRITER_MAX_TOPICS of topics past the cap */
    pthread_mutex_t tlock;    /* rec_topic discovery fields */
    pthread_t thread;         /* the writer thread */
    int thread_started;       /* joined by stop */
    _Atomic int stop;         /* stop requested */
    _Atomic int split;        /* split requested */
    _Atomic int failed;       /* rec_stats_state of a fatal write error, 0 = none */
    _Atomic int paused;       /* samples discarded while set (--start-paused, SIGUSR2) */
    _Atomic uint32_t clock_id;/* topic id of /clock + 1 (0 = not seen), for --use-sim-time */
    _Atomic int64_t sim_ns;   /* latest /clock time, -1 before the first */
    rec_ring *ring;           /* --snapshot-mode / standby buffer (writer thread), NULL otherwise */
    rec_pos *pos;             /* --positions file (writer thread), NULL otherwise */
    int pos_full_warned;      /* the writer table overflow was reported */
    int64_t age_ns;           /* chunk age handed to the MCAP writer (below the guarantee) */

    /* writer thread */
    int standby;              /* 1 while a standby holds samples without writing */
    int64_t newest_recv;      /* standby: newest held sample's receive time */
    rec_pos_table takeover;   /* after promotion: what the dead primary had written */
    unsigned char *passed;    /* per takeover entry: a newer sample of that writer was seen */
    uint64_t takeover_skipped;/* held or queued samples the primary had written */
    uint64_t takeover_gap;    /* samples between the primary's last and our oldest */
    mcap_writer *mw;          /* current segment, NULL when closed */
    char seg_path[PATH_MAX];  /* its path */
    unsigned next_index;      /* first N to try for the next segment */
    unsigned seg_index;       /* N of the current segment */
    uint32_t seg_gen;         /* bumped per segment */
    int64_t seg_open_mono;    /* when it opened */
    int seg_file;             /* its index in meta.files */
    seg_schema *schemas;      /* schemas of the current segment */
    size_t nschemas;          /* entries */
    rec_meta meta;            /* the bag's metadata */
    rec_stats_writer *stats;  /* stats file */
    rec_stats_snapshot *snap; /* scratch snapshot */
    int64_t last_stats;       /* monotonic time of the last publish */
    uint32_t state;           /* rec_stats_state */
    uint64_t bytes_done;      /* bytes of closed segments */
    unsigned segments;        /* segments opened */
    uint64_t written;         /* messages written */
    uint32_t snapshots;       /* snapshots written */
    int64_t start_real;       /* realtime at start */
    int err_rc;               /* first fatal error */
    char errmsg[1024];        /* its sentence */
    rec_writer_topic_summary *sums; /* summary storage */
};

static void warn(rec_writer *w, const char *fmt, ...) {
    if (!w->o.on_warn) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    w->o.on_warn(w->o.warn_ctx, msg);
}

/* First fatal error: the writer stops writing from here on. */
static void writer_fail(rec_writer *w, int rc, const char *fmt, ...) {
    if (w->err_rc) return;
    w->err_rc = rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->errmsg, sizeof w->errmsg, fmt, ap);
    va_end(ap);
    w->state = (rc == -ENOSPC || rc == -EDQUOT) ? REC_STATS_DISK_FULL : REC_STATS_FAILED;
}

/* ---- topic table (DDS threads) ------------------------------------------------------------ */

void rec_writer_on_topic(void *ctx, const rdds_topic *t) {
    rec_writer *w = ctx;
    if (t->id >= REC_WRITER_MAX_TOPICS) {
        uint32_t beyond = t->id + 1 - REC_WRITER_MAX_TOPICS, u = atomic_load(&w->untracked);
        if (u >= beyond) return; /* an update of a topic already reported */
        while (u < beyond && !atomic_compare_exchange_weak(&w->untracked, &u, beyond)) {
        }
        warn(w, "topic(%s): more than %d topics; not recorded (its samples count as drops)",
             t->name, REC_WRITER_MAX_TOPICS);
        return;
    }
    rec_topic *rt = &w->topics[t->id];
    char *name = strdup(t->name), *type = strdup(t->type);
    char *qos = strdup(t->qos_yaml ? t->qos_yaml : "");
    char *nodes = strdup(t->publisher_nodes ? t->publisher_nodes : "");
    char *hash = strdup(t->type_hash ? t->type_hash : "");
    if (!name || !type || !qos || !nodes || !hash) {
        free(name);
        free(type);
        free(qos);
        free(nodes);
        free(hash);
        warn(w, "topic(%s): out of memory", t->name);
        return;
    }
    pthread_mutex_lock(&w->tlock);
    free(rt->name);
    free(rt->type);
    free(rt->qos);
    free(rt->nodes);
    free(rt->hash);
    rt->name = name;
    rt->type = type;
    rt->qos = qos;
    rt->nodes = nodes;
    rt->hash = hash;
    rt->is_ros = t->is_ros;
    atomic_store_explicit(&rt->publishers, t->publishers, memory_order_relaxed);
    if (w->o.use_sim_time && strcmp(t->name, "/clock") == 0 && strcmp(t->type, "rosgraph_msgs/msg/Clock") == 0)
        atomic_store(&w->clock_id, t->id + 1);
    atomic_fetch_add(&rt->gen, 1);
    pthread_mutex_unlock(&w->tlock);
    uint32_t n = atomic_load(&w->ntopics);
    while (n < t->id + 1 && !atomic_compare_exchange_weak(&w->ntopics, &n, t->id + 1)) {
    }
}

void rec_writer_on_sample(void *ctx, uint32_t id, const void *data, size_t len,
                          int64_t source_ts_ns, int64_t recv_ts_ns, const rdds_origin *origin) {
    rec_writer *w = ctx;
    /* rdds announces every topic before its first sample; anything else cannot be named in
     * the file, so it is counted as a drop rather than written. */
    if (id >= REC_WRITER_MAX_TOPICS ||
        atomic_load_explicit(&w->topics[id].gen, memory_order_relaxed) == 0) {
        (void)rec_queue_push(w->q, id, 0, NULL, SIZE_MAX, 0, 0, NULL); /* counted as a drop */
        return;
    }
    if (atomic_load_explicit(&w->paused, memory_order_relaxed)) return;
    if (w->o.use_sim_time) {
        int64_t sim;
        if (id + 1 == atomic_load_explicit(&w->clock_id, memory_order_relaxed) &&
            rec_writer_clock_ns(data, len, &sim) == 0)
            atomic_store_explicit(&w->sim_ns, sim, memory_order_relaxed);
        /* As rosbag2: nothing is written before the first /clock gives a time to stamp it. */
        if ((recv_ts_ns = atomic_load_explicit(&w->sim_ns, memory_order_relaxed)) < 0) return;
    }
    rec_topic *t = &w->topics[id];
    /* The receive index is taken before the push, so a drop shows as a gap in the file's
     * sequence numbers as well as in the counters. */
    uint32_t seq = atomic_fetch_add_explicit(&t->seq, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->received, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->bytes, len, memory_order_relaxed);
    atomic_store_explicit(&t->last_recv, recv_ts_ns, memory_order_relaxed);
    if (!w->o.no_rate) {
        /* Monotonic, not recv_ts_ns: a realtime step would read as a burst or a silence. */
        int64_t mono = rg_time_mono_ns();
        atomic_store_explicit(&t->last_mono, mono, memory_order_relaxed);
        while (atomic_flag_test_and_set_explicit(&t->est_lock, memory_order_acquire)) {
        }
        hz_win_add(&t->est, mono, len);
        atomic_flag_clear_explicit(&t->est_lock, memory_order_release);
    }
    if (w->o.monitor) return;
    (void)rec_queue_push(w->q, id, seq, data, len, source_ts_ns, recv_ts_ns, origin);
}

void rec_writer_on_event(void *ctx, uint32_t id, int event, int64_t value) {
    rec_writer *w = ctx;
    if (id >= REC_WRITER_MAX_TOPICS || value < 0) return;
    rec_topic *t = &w->topics[id];
    if (event == RDDS_EV_LOST) atomic_fetch_add_explicit(&t->lost, (uint64_t)value, memory_order_relaxed);
    else if (event == RDDS_EV_REJECTED)
        atomic_fetch_add_explicit(&t->rejected, (uint64_t)value, memory_order_relaxed);
    else if (event == RDDS_EV_MATCHED)
        atomic_store_explicit(&t->matched, (uint32_t)value, memory_order_relaxed);
}

void rec_writer_pause(rec_writer *w, int paused) { atomic_store(&w->paused, paused != 0); }

int rec_writer_paused(const rec_writer *w) { return atomic_load(&w->paused); }

int rec_writer_clock_ns(const void *data, size_t len, int64_t *ns) {
    const unsigned char *p = data;
    /* encapsulation (2 bytes kind, 2 options), then builtin_interfaces/Time {int32 sec, uint32
     * nanosec}, both 4-aligned right after the header. */
    if (len < 12 || p[0] != 0 || (p[1] != 0 && p[1] != 1)) return -EINVAL;
    int le = p[1] == 1;
    uint32_t v[2];
    for (int i = 0; i < 2; i++) {
        const unsigned char *q = p + 4 + 4 * i;
        v[i] = le ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24
                  : (uint32_t)q[3] | (uint32_t)q[2] << 8 | (uint32_t)q[1] << 16 | (uint32_t)q[0] << 24;
    }
    int32_t sec = (int32_t)v[0];
    if (sec < 0 || v[1] >= 1000000000u) return -EINVAL;
    *ns = (int64_t)sec * 1000000000LL + v[1];
    return 0;
}

void rec_writer_split(rec_writer *w) {
    atomic_store(&w->split, 1);
    rec_queue_wake(w->q);
}

int rec_writer_failed(const rec_writer *w) { return atomic_load(&w->failed); }

const char *rec_writer_segment(const rec_writer *w) { return w->seg_path; }

/* ---- segments (writer thread) ------------------------------------------------------------- */

static void schemas_clear(rec_writer *w) {
    for (size_t i = 0; i < w->nschemas; i++) free(w->schemas[i].type);
    free(w->schemas);
    w->schemas = NULL;
    w->nschemas = 0;
}

/* Copy topic discovery info into rec_meta when it changed (QoS updates included). */
static void sync_meta_topics(rec_writer *w) {
    uint32_t n = atomic_load(&w->ntopics);
    for (uint32_t i = 0; i < n; i++) {
        rec_topic *t = &w->topics[i];
        unsigned gen = atomic_load(&t->gen);
        if (gen == 0 || gen == t->meta_gen) continue;
        pthread_mutex_lock(&w->tlock);
        /* A run whose publishers announce no hash keeps what an earlier run of the bag wrote. */
        int idx = rec_meta_topic_set(&w->meta, t->name, t->type, "cdr", t->qos,
                                     t->hash[0] ? t->hash : NULL);
        pthread_mutex_unlock(&w->tlock);
        if (idx >= 0) {
            t->meta_idx = idx;
            t->meta_gen = gen;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        rec_topic *t = &w->topics[i];
        if (t->meta_idx < 0) continue;
        rec_meta_loss *l = &w->meta.topics[t->meta_idx].loss;
        l->lost = atomic_load_explicit(&t->lost, memory_order_relaxed);
        l->rejected = atomic_load_explicit(&t->rejected, memory_order_relaxed);
        l->drops = rec_queue_drops(w->q, i);
    }
}

static int meta_write(rec_writer *w) {
    char err[768];
    sync_meta_topics(w);
    int rc = rec_meta_write(&w->meta, w->dir, err, sizeof err);
    if (rc < 0) warn(w, "%s", err);
    return rc;
}

static int seg_open(rec_writer *w, int64_t now) {
    char err[768] = "";
    int rc = -EEXIST;
    unsigned n = w->next_index;
    if (w->first_path && w->segments == 0) {
        snprintf(w->seg_path, sizeof w->seg_path, "%s", w->first_path);
        rc = mcap_writer_open(&w->mw, w->seg_path, &w->o.mcap, err, sizeof err);
        if (rc == 0) n = w->next_index + 1; /* the exact file stands for index next_index */
        if (rc == -EEXIST)
            warn(w, "segment(%s): exists; writing the next free index instead", w->first_path);
    }
    for (unsigned tries = 0; rc == -EEXIST && tries < MAX_INDEX_PROBE; tries++, n++) {
        if (rg_bag_segment_path(w->seg_path, sizeof w->seg_path, w->dir, w->name, n) < 0) {
            rc = -ENAMETOOLONG;
            break;
        }
        rc = mcap_writer_open(&w->mw, w->seg_path, &w->o.mcap, err, sizeof err);
    }
    if (rc < 0) {
        w->mw = NULL;
        writer_fail(w, rc, "%s", err[0] ? err : "open: no free segment index");
        return rc;
    }
    w->seg_index = n - 1;
    w->next_index = n;
    w->seg_gen++;
    w->seg_open_mono = now;
    w->segments++;
    schemas_clear(w);
    const char *base = strrchr(w->seg_path, '/') + 1;
    w->seg_file = rec_meta_file_add(&w->meta, base);
    if (w->seg_file < 0) {
        writer_fail(w, -ENOMEM, "metadata(%s): out of memory", w->seg_path);
        return -ENOMEM;
    }
    uint32_t nt = atomic_load(&w->ntopics);
    for (uint32_t i = 0; i < nt; i++) {
        w->topics[i].seg_drops = rec_queue_drops(w->q, i);
        w->topics[i].seg_lost = atomic_load(&w->topics[i].lost);
        w->topics[i].seg_rejected = atomic_load(&w->topics[i].rejected);
    }
    return 0;
}

/* Close the current segment: Metadata records, summary, footer; then metadata.yaml. */
static void seg_close(rec_writer *w) {
    if (!w->mw) return;
    sync_meta_topics(w);
    char *yaml = NULL;
    size_t len;
    if (rec_meta_render(&w->meta, 0, &yaml, &len) == 0) {
        const char *k[] = {"serialized_metadata"}, *v[] = {yaml};
        (void)mcap_writer_add_metadata(w->mw, "rosbag2", k, v, 1);
        free(yaml);
    }
    /* Loss during this segment, by topic: `recguard_drops` (our queue, decimal strings, read
     * by `recguard info`) and `recguard_loss` ("lost=N rejected=N drops=N": all three). */
    uint32_t nt = atomic_load(&w->ntopics);
    const char **keys = calloc(nt + 1, sizeof *keys), **vals = calloc(nt + 1, sizeof *vals);
    const char **lkeys = calloc(nt + 1, sizeof *lkeys), **lvals = calloc(nt + 1, sizeof *lvals);
    char (*num)[24] = calloc(nt + 1, sizeof *num);
    char (*lnum)[80] = calloc(nt + 1, sizeof *lnum);
    size_t nkv = 0, nl = 0;
    if (keys && vals && lkeys && lvals && num && lnum) {
        pthread_mutex_lock(&w->tlock);
        for (uint32_t i = 0; i < nt; i++) {
            rec_topic *t = &w->topics[i];
            uint64_t d = rec_queue_drops(w->q, i) - t->seg_drops;
            uint64_t l = atomic_load(&t->lost) - t->seg_lost;
            uint64_t r = atomic_load(&t->rejected) - t->seg_rejected;
            if (!t->name) continue;
            if (d) {
                snprintf(num[nkv], sizeof num[nkv], "%llu", (unsigned long long)d);
                keys[nkv] = t->name;
                vals[nkv] = num[nkv];
                nkv++;
            }
            if (d || l || r) {
                snprintf(lnum[nl], sizeof lnum[nl], "lost=%llu rejected=%llu drops=%llu",
                         (unsigned long long)l, (unsigned long long)r, (unsigned long long)d);
                lkeys[nl] = t->name;
                lvals[nl] = lnum[nl];
                nl++;
            }
        }
        if (nkv) (void)mcap_writer_add_metadata(w->mw, "recguard_drops", keys, vals, nkv);
        if (nl) (void)mcap_writer_add_metadata(w->mw, "recguard_loss", lkeys, lvals, nl);
        pthread_mutex_unlock(&w->tlock);
    }
    free(keys);
    free(vals);
    free(lkeys);
    free(lvals);
    free(num);
    free(lnum);

    char mwerr[768];
    snprintf(mwerr, sizeof mwerr, "%s", mcap_writer_error(w->mw));
    int rc = mcap_writer_close(w->mw);
    w->mw = NULL;
    if (rc < 0)
        writer_fail(w, rc, "%s", mwerr[0] ? mwerr : "close failed");
    struct stat st;
    if (stat(w->seg_path, &st) == 0) w->bytes_done += (uint64_t)st.st_size;
    (void)meta_write(w);
}

/* ---- channels (writer thread) ------------------------------------------------------------- */

static int schema_for(rec_writer *w, rec_topic *t, uint16_t *id) {
    for (size_t i = 0; i < w->nschemas; i++)
        if (strcmp(w->schemas[i].type, t->type) == 0) {
            *id = w->schemas[i].id;
            return 0;
        }
    const char *text = "";
    size_t len = 0;
    if (t->is_ros && w->o.msgdef) {
        char wmsg[1024];
        if (rec_msgdef_get(w->o.msgdef, t->type, &text, &len, wmsg, sizeof wmsg) < 0 &&
            !t->warned) {
            warn(w, "%s", wmsg);
            t->warned = 1;
        }
    }
    /* No definition (a non-ROS DDS type, or a .msg not found): rosbag2's "empty message
     * definition" — a schema named after the type with encoding "" and no data. It keeps
     * schema_id nonzero, which rosbag2's reader requires of every channel. */
    int rc = mcap_writer_add_schema(w->mw, t->type, len ? "ros2msg" : "", text, len, id);
    if (rc < 0) return rc;
    seg_schema *s = realloc(w->schemas, (w->nschemas + 1) * sizeof *s);
    if (!s) return -ENOMEM;
    w->schemas = s;
    if (!(s[w->nschemas].type = strdup(t->type))) return -ENOMEM;
    s[w->nschemas++].id = *id;
    return 0;
}

static int channel_for(rec_writer *w, rec_topic *t) {
    pthread_mutex_lock(&w->tlock);
    uint16_t sid = 0;
    int rc = schema_for(w, t, &sid);
    if (rc == 0) {
        /* The node list and the type hash are what was known when the channel opened: MCAP
         * channels are immutable, so a later change (a node announced after its first sample,
         * another publisher) shows only in the next segment's channel. The node list is absent
         * when unknown; topic_type_hash is always there, "" when unknown, as rosbag2 writes it. */
        const char *k[] = {"offered_qos_profiles", "topic_type_hash", "recguard_publisher_nodes"};
        const char *v[] = {t->qos, t->hash, t->nodes};
        size_t nkv = t->nodes != NULL && t->nodes[0] != '\0' ? 3 : 2;
        rc = mcap_writer_add_channel(w->mw, sid, t->name, "cdr", k, v, nkv, &t->channel);
    }
    pthread_mutex_unlock(&w->tlock);
    if (rc == 0) t->seg_gen = w->seg_gen;
    return rc;
}

/* ---- stats (writer thread) ---------------------------------------------------------------- */

/* Copy with truncation into a fixed field of the stats layout. */
static void copy_field(char *dst, size_t n, const char *src) {
    size_t l = src ? strlen(src) : 0;
    if (l >= n) l = n - 1;
    memcpy(dst, src ? src : "", l);
    dst[l] = '\0';
}

/* The rate figures of one topic, evaluated under the listener's spin flag: a query walks 16
 * buckets (well under a microsecond), cheaper than copying the 1.3 KB window out first. */
static void topic_rates(rec_topic *t, int64_t now, rec_stats_topic *e) {
    hz_stats st;
    while (atomic_flag_test_and_set_explicit(&t->est_lock, memory_order_acquire)) {
    }
    hz_win_query(&t->est, now, &st);
    int64_t window = t->est.window_ns;
    atomic_flag_clear_explicit(&t->est_lock, memory_order_release);
    e->rate_hz = st.rate_hz;
    e->bandwidth_bps = st.bandwidth_bps;
    e->mean_size = st.mean_size;
    e->size_min = st.size_min;
    e->size_max = st.size_max;
    e->period_min_s = st.period_min_s;
    e->period_max_s = st.period_max_s;
    e->period_std_s = st.period_std_s;
    e->window_msgs = st.msgs;
    e->window_ns = window;
}

static void stats_publish(rec_writer *w, int64_t now) {
    rec_stats_snapshot *s = w->snap;
    w->last_stats = now;
    if (!w->stats) return;
    s->pid = (int32_t)getpid();
    s->state = w->state;
    s->start_real_ns = w->start_real;
    s->heartbeat_mono_ns = now;
    s->heartbeat_real_ns = rg_time_real_ns();
    uint64_t seg_bytes = w->mw ? mcap_writer_bytes(w->mw) : 0;
    s->segment_bytes = seg_bytes;
    s->bytes_written = w->bytes_done + seg_bytes;
    s->messages_written = w->written;
    s->drops = rec_queue_drops_total(w->q);
    s->queue_bytes = rec_queue_bytes(w->q);
    s->queue_capacity = rec_queue_capacity(w->q);
    s->segment_index = w->seg_index;
    s->segments = w->segments;
    s->paused = (uint32_t)atomic_load_explicit(&w->paused, memory_order_relaxed);
    s->snapshots = w->snapshots;
    copy_field(s->segment, sizeof s->segment, w->seg_path);
    uint32_t nt = atomic_load(&w->ntopics);
    uint64_t received = 0;
    s->role = w->o.monitor ? REC_STATS_ROLE_MONITOR
              : w->standby ? REC_STATS_ROLE_STANDBY
                           : REC_STATS_ROLE_RECORDER;
    s->overflow_topics = s->overflow_messages = s->overflow_drops = s->overflow_lost = 0;
    s->untracked_topics = atomic_load(&w->untracked);
    s->lost = s->rejected = 0;
    s->ntopics = 0;
    pthread_mutex_lock(&w->tlock);
    for (uint32_t i = 0; i < nt; i++) {
        rec_topic *t = &w->topics[i];
        uint64_t r = atomic_load_explicit(&t->received, memory_order_relaxed);
        uint64_t lost = atomic_load_explicit(&t->lost, memory_order_relaxed);
        uint64_t rej = atomic_load_explicit(&t->rejected, memory_order_relaxed);
        received += r;
        s->lost += lost;
        s->rejected += rej;
        if (i >= REC_STATS_MAX_TOPICS) {
            s->overflow_topics++;
            s->overflow_messages += r;
            s->overflow_drops += rec_queue_drops(w->q, i);
            s->overflow_lost += lost + rej;
            continue;
        }
        rec_stats_topic *e = &s->topics[s->ntopics++];
        copy_field(e->name, sizeof e->name, t->name);
        copy_field(e->type, sizeof e->type, t->type);
        e->messages = r;
        e->bytes = atomic_load_explicit(&t->bytes, memory_order_relaxed);
        e->drops = rec_queue_drops(w->q, i);
        e->written = t->written;
        e->last_recv_real_ns = atomic_load_explicit(&t->last_recv, memory_order_relaxed);
        e->last_recv_mono_ns = atomic_load_explicit(&t->last_mono, memory_order_relaxed);
        e->lost = lost;
        e->rejected = rej;
        e->publishers = atomic_load_explicit(&t->publishers, memory_order_relaxed);
        e->matched = atomic_load_explicit(&t->matched, memory_order_relaxed);
        topic_rates(t, now, e);
    }
    pthread_mutex_unlock(&w->tlock);
    s->messages_received = received;
    rec_stats_writer_publish(w->stats, s);
}

/* ---- the writer thread -------------------------------------------------------------------- */

static int write_item(rec_writer *w, const rec_queue_item *it, int64_t now) {
    rec_topic *t = &w->topics[it->topic_id];
    if (t->seg_gen != w->seg_gen) {
        int rc = channel_for(w, t);
        if (rc < 0) {
            if (mcap_writer_error(w->mw)[0]) writer_fail(w, rc, "%s", mcap_writer_error(w->mw));
            else writer_fail(w, rc, "channel(%s): %s", w->seg_path, strerror(-rc));
            return rc;
        }
    }
    uint64_t log_time = (uint64_t)it->recv_ts_ns;
    uint64_t pub_time = it->source_ts_ns >= 0 ? (uint64_t)it->source_ts_ns : log_time;
    /* Noted before the write: the write may close the chunk, and the chunk must carry it. */
    if (w->pos && it->origin.seq > 0 && rec_pos_note(w->pos, &it->origin) < 0 && !w->pos_full_warned) {
        w->pos_full_warned = 1;
        warn(w, "positions: more than %d DDS writers; a standby taking over may write samples "
                "of the others twice", REC_POS_MAX_WRITERS);
    }
    int rc = mcap_writer_write(w->mw, t->channel, it->seq, log_time, pub_time, it->data, it->len,
                               now);
    if (rc < 0) {
        if (w->pos) rec_pos_unnote(w->pos);
        writer_fail(w, rc, "%s", mcap_writer_error(w->mw));
        return rc;
    }
    t->written++;
    w->written++;
    if (t->meta_gen != atomic_load_explicit(&t->gen, memory_order_relaxed)) sync_meta_topics(w);
    if (t->meta_idx >= 0) w->meta.topics[t->meta_idx].count++;
    rec_meta_file_span(&w->meta, (size_t)w->seg_file, log_time, log_time, 1);
    return 0;
}

static int split_due(rec_writer *w, int64_t now) {
    if (w->o.monitor) return 0;
    if (atomic_exchange(&w->split, 0)) return 1;
    if (w->o.max_bag_size && w->mw && mcap_writer_bytes(w->mw) >= w->o.max_bag_size) return 1;
    if (w->o.max_bag_duration_ns && now - w->seg_open_mono >= w->o.max_bag_duration_ns) return 1;
    return 0;
}

/* Snapshot mode: keep the sample instead of writing it. A sample larger than the whole ring
 * cannot be kept: counted as written nowhere, like an eviction. */
static int ring_keep(rec_writer *w, const rec_queue_item *it) {
    int rc = rec_ring_push(w->ring, it);
    if (rc == -ENOMEM) writer_fail(w, rc, "snapshot buffer: out of memory");
    return rc == -ENOMEM ? rc : 0;
}

static int takeover_skip(rec_writer *w, const rec_queue_item *it);

/* Write every held sample, oldest first, into the open segment: a snapshot, or a standby's
 * takeover (takeover_skip passes everything when there is no takeover). */
static void ring_drain(rec_writer *w, int64_t now) {
    for (size_t i = 0; i < rec_ring_count(w->ring) && !w->err_rc; i++) {
        const rec_ring_item *r = rec_ring_at(w->ring, i);
        rec_queue_item it = {.topic_id = r->topic_id, .seq = r->seq, .source_ts_ns = r->source_ts_ns,
                             .recv_ts_ns = r->recv_ts_ns, .origin = r->origin, .data = r->data,
                             .len = r->len};
        if (!takeover_skip(w, &it)) (void)write_item(w, &it, now);
    }
}

/* The snapshot: everything held, oldest first, into the current segment, opened here when the
 * last snapshot closed it. Returns the samples held: none, and no file is opened or closed. */
static size_t ring_write(rec_writer *w, int64_t now) {
    size_t held = rec_ring_count(w->ring);
    if (held == 0) warn(w, "snapshot: nothing held since the last one; no file written");
    if (held == 0 || (!w->mw && seg_open(w, now) < 0)) return 0;
    ring_drain(w, now);
    rec_ring_clear(w->ring);
    w->snapshots++;
    return held;
}

/* ---- the hot standby (writer thread) ------------------------------------------------------ */

static int bag_open(rec_writer *w, int64_t now, char *err, size_t errlen);

/* Standby: hold the sample; the ring keeps at most the time window and the byte budget. */
static int standby_keep(rec_writer *w, const rec_queue_item *it) {
    int rc = ring_keep(w, it);
    if (it->recv_ts_ns > w->newest_recv) w->newest_recv = it->recv_ts_ns;
    int64_t window = w->o.standby_window_ns > 0 ? w->o.standby_window_ns : REC_WRITER_STANDBY_WINDOW_NS;
    rec_ring_trim(w->ring, w->newest_recv - window);
    return rc;
}

/* After a promotion: 1 when the dead primary already wrote this sample. The first newer sample
 * of each of its writers also shows whether the ring reached back far enough: a hole between
 * the primary's last and it is loss, counted on the topic like SAMPLE_LOST. */
static int takeover_skip(rec_writer *w, const rec_queue_item *it) {
    if (w->takeover.n == 0 || it->origin.seq <= 0) return 0;
    size_t i;
    int64_t last = rec_pos_lookup(&w->takeover, it->origin.writer, &i);
    if (i == w->takeover.n) return 0;
    if (it->origin.seq <= last) {
        w->takeover_skipped++;
        return 1;
    }
    if (!w->passed[i]) {
        w->passed[i] = 1;
        int64_t gap = it->origin.seq - last - 1;
        if (gap > 0) {
            rec_topic *t = &w->topics[it->topic_id];
            atomic_fetch_add(&t->lost, (uint64_t)gap);
            w->takeover_gap += (uint64_t)gap;
            warn(w, "standby: topic(%s): %lld samples lost between the primary's last written "
                    "(sequence %lld) and the oldest held (%lld): the standby window was too short",
                 t->name ? t->name : "?", (long long)gap, (long long)last, (long long)it->origin.seq);
        }
    }
    return 0;
}

/* The primary is gone (the daemon made sure): open the bag, write what it had not written,
 * from the ring, and record live from here. Queued samples pass the same filter after. */
static void promote(rec_writer *w, int64_t now) {
    char err[1024];
    if (rec_pos_load(&w->takeover, w->o.standby_follow, err, sizeof err) < 0)
        warn(w, "standby: %s; writing every held sample (the primary's segment may hold some too)", err);
    if (w->takeover.n && !(w->passed = calloc(w->takeover.n, 1))) {
        writer_fail(w, -ENOMEM, "standby: out of memory");
        return;
    }
    w->standby = 0;
    if (bag_open(w, now, err, sizeof err) < 0) {
        writer_fail(w, w->err_rc ? w->err_rc : -EIO, "%s", err);
        return;
    }
    ring_drain(w, now);
    rec_ring_destroy(w->ring);
    w->ring = NULL;
    w->state = REC_STATS_RECORDING;
    stats_publish(w, now);
}

static void *writer_main(void *arg) {
    rec_writer *w = arg;
    while (!w->err_rc) {
        int64_t now = rg_time_mono_ns();
        size_t n = 0, bytes = 0;
        rec_queue_item it;
        while (n < REC_WRITER_BATCH_MSGS && bytes < REC_WRITER_BATCH_BYTES &&
               rec_queue_peek(w->q, &it)) {
            int rc = w->standby ? standby_keep(w, &it)
                     : w->ring  ? ring_keep(w, &it)
                     : takeover_skip(w, &it) ? 0
                                              : write_item(w, &it, now);
            rec_queue_release(w->q);
            if (rc < 0) break;
            n++;
            bytes += it.len;
        }
        if (w->err_rc) break;
        now = rg_time_mono_ns();
        if (w->standby && atomic_exchange(&w->split, 0)) promote(w, now);
        if (w->err_rc) break;
        int rc = w->mw ? mcap_writer_tick(w->mw, now) : 0;
        if (rc < 0) {
            writer_fail(w, rc, "%s", mcap_writer_error(w->mw));
            break;
        }
        /* A standby has no segment yet: its split was the takeover, above. */
        if (!w->standby && split_due(w, now) && (!w->ring || ring_write(w, now) > 0)) {
            if (w->err_rc) break;
            seg_close(w);
            /* Snapshot mode: the next segment opens with the next snapshot, so a stop between
             * snapshots leaves no empty file behind (nor one cut short by a crash). */
            if (w->err_rc || (!w->ring && seg_open(w, now) < 0)) break;
            (void)meta_write(w);
        }
        if (now - w->last_stats >= STATS_PERIOD_NS) stats_publish(w, now);
        if (n == REC_WRITER_BATCH_MSGS || bytes >= REC_WRITER_BATCH_BYTES) continue;
        if (atomic_load(&w->stop)) {
            /* The caller stopped DDS before asking: an empty queue now stays empty. */
            if (!rec_queue_peek(w->q, &it)) break;
            continue;
        }
        rec_queue_wait(w->q, REC_WRITER_TICK_NS);
    }
    if (!w->err_rc) w->state = REC_STATS_STOPPING;
    seg_close(w); /* after an error too: keeps everything already durable, valid */
    if (!w->err_rc) w->state = REC_STATS_STOPPED;
    stats_publish(w, rg_time_mono_ns());
    if (w->err_rc) atomic_store(&w->failed, (int)w->state);
    return NULL;
}

/* ---- an earlier run's segments (controlling thread, before the writer thread) ------------- */

typedef struct topic_counts {
    uint64_t *v; /* per rec_meta topic index */
    size_t n;    /* entries in v */
} topic_counts;

/* Make room for index i (new entries zero). 0 or -ENOMEM. */
static int counts_reserve(topic_counts *c, size_t i) {
    if (i < c->n) return 0;
    uint64_t *v = realloc(c->v, (i + 1) * sizeof *v);
    if (!v) return -ENOMEM;
    memset(v + c->n, 0, (i + 1 - c->n) * sizeof *v);
    c->v = v;
    c->n = i + 1;
    return 0;
}

/* Counts of one complete segment from its summary: totals into f, per-topic counts added into
 * c (indexed like meta->topics; unknown topics are added to meta with count 0). 0, or -errno
 * when the file has no readable summary (cut short by a crash). */
static int segment_stats(rec_meta *meta, const char *path, rec_meta_file *f, topic_counts *c) {
    mcap_reader r;
    char err[256];
    if (mcap_reader_open_file(&r, path, err, sizeof err) < 0) return -ENOENT;
    int rc = mcap_reader_read_summary(&r, err, sizeof err);
    if (rc == 0 && !r.has_statistics) rc = -ENOENT;
    if (rc == 0) {
        f->count = r.statistics.message_count;
        f->start_ns = r.statistics.start;
        f->end_ns = r.statistics.end;
        mcap_bytes rest = r.statistics.channel_counts;
        uint16_t id;
        uint64_t n;
        while (rc == 0 && mcap_map_next_u16u64(&rest, &id, &n) == 1) {
            const mcap_channel *ch = mcap_reader_channel(&r, id);
            if (!ch) continue;
            const mcap_schema *sc = mcap_reader_schema(&r, ch->schema_id);
            char *topic = mcap_bytes_dup(ch->topic);
            char *type = sc ? mcap_bytes_dup(sc->name) : strdup("");
            size_t before = meta->ntopics;
            int ti = topic && type ? rec_meta_topic_set(meta, topic, type, NULL, NULL, NULL)
                                   : -ENOMEM;
            free(topic);
            free(type);
            if (ti >= 0 && (size_t)ti >= before) meta->topics[ti].count = 0;
            if (ti < 0 || (rc = counts_reserve(c, (size_t)ti)) < 0) {
                rc = ti < 0 ? ti : rc;
                break;
            }
            c->v[ti] += n;
        }
    }
    mcap_reader_close(&r);
    return rc;
}

/* metadata.yaml was last written while an earlier run recorded (at its start or last split):
 * after a crash its counts are stale. Take the truth from the segments themselves: a complete
 * file's summary, or for a file cut short, the `<stem>.recovered.mcap` that `recguard recover`
 * (the daemon's post-crash hook) made of it, which then replaces it in the list. Topic counts are
 * recomputed only when every listed segment could be read; otherwise they stay as loaded. */
static void refresh_earlier_segments(rec_writer *w) {
    topic_counts c = {0};
    int all = 1;
    for (size_t i = 0; i < w->meta.nfiles; i++) {
        rec_meta_file *f = &w->meta.files[i];
        char path[PATH_MAX], rec[PATH_MAX];
        if (rg_bag_file_path(path, sizeof path, w->dir, f->path) < 0 ||
            rg_bag_recovered_path(rec, sizeof rec, path) < 0) {
            all = 0;
            continue;
        }
        rec_meta_file fresh = {0};
        if (segment_stats(&w->meta, path, &fresh, &c) == 0) {
            /* complete: fresh holds its counts */
        } else if (segment_stats(&w->meta, rec, &fresh, &c) == 0) {
            char *base = strdup(strrchr(rec, '/') + 1);
            if (!base) {
                all = 0;
                continue;
            }
            free(f->path);
            f->path = base;
            warn(w, "segment(%s): cut short; metadata.yaml lists %s instead", path, rec);
        } else {
            all = 0;
            continue;
        }
        f->count = fresh.count;
        f->start_ns = fresh.start_ns;
        f->end_ns = fresh.end_ns;
    }
    if (all && counts_reserve(&c, w->meta.ntopics ? w->meta.ntopics - 1 : 0) == 0)
        for (size_t t = 0; t < w->meta.ntopics; t++) w->meta.topics[t].count = c.v[t];
    free(c.v);
}

/* ---- start / stop ------------------------------------------------------------------------- */

/* --custom-data into the bag's metadata. 0, or -EINVAL / -ENOMEM with a sentence in err. */
static int custom_apply(rec_writer *w, char *err, size_t errlen) {
    for (size_t i = 0; i < w->o.ncustom; i++) {
        const char *kv = w->o.custom_data[i], *eq = strchr(kv, '=');
        char key[256];
        if (!eq || (size_t)(eq - kv) >= sizeof key) {
            snprintf(err, errlen, "--custom-data %s: expected KEY=VALUE (key under 256 bytes)", kv);
            return -EINVAL;
        }
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
        if (rec_meta_custom_set(&w->meta, key, eq + 1) < 0) {
            snprintf(err, errlen, "record: out of memory");
            return -ENOMEM;
        }
    }
    return 0;
}

/* An empty bag metadata with the ROS distro set. 0 or -ENOMEM. */
static int meta_reset(rec_writer *w) {
    rec_meta_free(&w->meta);
    rec_meta_init(&w->meta);
    return rec_meta_set_distro(&w->meta, w->o.ros_distro);
}

/* The bag side of starting: earlier runs' metadata.yaml, custom data, the first segment, a
 * fresh metadata.yaml. At start, or for a standby at promotion: the primary kept the bag's
 * metadata moving until it died. 0 or -errno with a sentence in err. */
static int bag_open(rec_writer *w, int64_t now, char *err, size_t errlen) {
    int rc = meta_reset(w);
    if (rc < 0) {
        snprintf(err, errlen, "record: out of memory");
        return rc;
    }
    if (w->o.merge_metadata) {
        char path[PATH_MAX], merr[768];
        rg_bag_file_path(path, sizeof path, w->dir, RG_BAG_METADATA);
        rc = rec_meta_load(&w->meta, path, merr, sizeof merr);
        if (rc < 0 && rc != -ENOENT) {
            warn(w, "%s; starting a new one", merr);
            (void)meta_reset(w);
        }
        if (rc == 0) refresh_earlier_segments(w);
    }
    if ((rc = custom_apply(w, err, errlen)) < 0) return rc;
    if ((rc = seg_open(w, now)) < 0) {
        snprintf(err, errlen, "%s", w->errmsg);
        return rc;
    }
    return rec_meta_write(&w->meta, w->dir, err, errlen);
}

/* mcap_writer's chunk hook: the positions file follows every chunk write (rec_pos.h). */
static void pos_on_chunk(void *ctx, uint64_t chunk_end, int written) {
    rec_writer *w = ctx;
    rec_pos_chunk(w->pos, w->seg_path, chunk_end, written);
}

int rec_writer_start(rec_writer **out, const rec_writer_options *o, char *err, size_t errlen) {
    *out = NULL;
    rec_writer *w = calloc(1, sizeof *w);
    if (!w) return -ENOMEM;
    w->o = *o;
    w->dir = strdup(o->dir ? o->dir : "");
    w->name = strdup(o->name ? o->name : "");
    w->stats_path = strdup(o->stats_path);
    w->first_path = o->first_path ? strdup(o->first_path) : NULL;
    w->topics = calloc(REC_WRITER_MAX_TOPICS, sizeof *w->topics);
    w->snap = calloc(1, sizeof *w->snap);
    pthread_mutex_init(&w->tlock, NULL);
    rec_meta_init(&w->meta);
    atomic_store(&w->paused, o->start_paused != 0);
    atomic_store(&w->sim_ns, -1);
    w->next_index = o->first_index;
    w->start_real = rg_time_real_ns();
    int rc = -ENOMEM;
    if (!w->dir || !w->name || !w->stats_path || (o->first_path && !w->first_path) || !w->topics || !w->snap ||
        rec_meta_set_distro(&w->meta, o->ros_distro) < 0) {
        snprintf(err, errlen, "record: out of memory");
        goto fail;
    }
    int64_t window = o->rate_window_ns > 0 ? o->rate_window_ns : REC_WRITER_RATE_WINDOW_NS;
    for (size_t i = 0; i < REC_WRITER_MAX_TOPICS; i++) {
        w->topics[i].meta_idx = -1;
        atomic_flag_clear(&w->topics[i].est_lock);
        hz_win_init(&w->topics[i].est, window);
    }
    /* The MCAP writer closes a chunk once it is older than age_ns; the thread looks at least
     * every tick, and the fdatasync follows: keep the sum within the promised age. */
    int64_t promise = o->mcap.max_chunk_age_ns;
    int64_t margin = promise / 4 < 2 * REC_WRITER_TICK_NS ? promise / 4 : 2 * REC_WRITER_TICK_NS;
    w->o.mcap.max_chunk_age_ns = promise - margin;
    if (o->snapshot && (rc = rec_ring_create(&w->ring, o->max_queue)) < 0) {
        snprintf(err, errlen, "record: snapshot buffer: %s", strerror(-rc));
        goto fail;
    }
    if ((rc = rec_queue_create(&w->q, o->max_queue, REC_WRITER_MAX_TOPICS)) < 0) {
        snprintf(err, errlen, "record(--max-queue %zu): %s", o->max_queue,
                 rc == -EINVAL ? "too small" : strerror(-rc));
        goto fail;
    }
    if (o->standby_follow && (o->snapshot || o->monitor)) {
        snprintf(err, errlen, "record: --standby: not with --snapshot-mode or a monitor");
        rc = -EINVAL;
        goto fail;
    }
    if ((rc = custom_apply(w, err, errlen)) < 0) goto fail; /* bad --custom-data fails at start */
    if (o->standby_follow) {
        size_t budget = o->standby_bytes ? o->standby_bytes : REC_WRITER_STANDBY_BYTES;
        if ((rc = rec_ring_create(&w->ring, budget)) < 0) {
            snprintf(err, errlen, "record: standby buffer: %s", strerror(-rc));
            goto fail;
        }
        w->standby = 1;
    }
    if (o->positions_path) {
        if ((rc = rec_pos_create(&w->pos, o->positions_path, err, errlen)) < 0) goto fail;
        w->o.mcap.on_chunk = pos_on_chunk;
        w->o.mcap.chunk_ctx = w;
    }
    w->state = REC_STATS_STARTING;
    if ((rc = rec_stats_writer_open(&w->stats, w->stats_path, w->snap, err, errlen)) < 0) goto fail;
    if (!o->monitor && !w->standby && (rc = bag_open(w, rg_time_mono_ns(), err, errlen)) < 0) goto fail;
    w->state = REC_STATS_RECORDING;
    stats_publish(w, rg_time_mono_ns());
    if ((rc = -pthread_create(&w->thread, NULL, writer_main, w)) < 0) {
        snprintf(err, errlen, "record: thread: %s", strerror(-rc));
        goto fail;
    }
    w->thread_started = 1;
    *out = w;
    return 0;
fail:
    if (w->mw) {
        mcap_writer_close(w->mw);
        w->mw = NULL;
        unlink(w->seg_path); /* nothing was recorded into it */
    }
    rec_writer_free(w);
    return rc;
}

int rec_writer_stop(rec_writer *w, rec_writer_summary *sum, char *err, size_t errlen) {
    atomic_store(&w->stop, 1);
    rec_queue_wake(w->q);
    if (w->thread_started) pthread_join(w->thread, NULL);
    w->thread_started = 0;
    uint32_t nt = atomic_load(&w->ntopics);
    free(w->sums);
    w->sums = calloc(nt ? nt : 1, sizeof *w->sums);
    memset(sum, 0, sizeof *sum);
    size_t k = 0;
    for (uint32_t i = 0; w->sums && i < nt; i++) {
        rec_topic *t = &w->topics[i];
        if (!t->name) continue;
        w->sums[k++] = (rec_writer_topic_summary){
            .name = t->name, .type = t->type, .received = atomic_load(&t->received),
            .written = t->written, .drops = rec_queue_drops(w->q, i)};
    }
    sum->messages = w->written;
    sum->takeover_skipped = w->takeover_skipped;
    sum->takeover_gap = w->takeover_gap;
    sum->drops = rec_queue_drops_total(w->q);
    sum->bytes = w->bytes_done;
    sum->segments = w->segments;
    sum->last_segment = w->seg_path;
    sum->ntopics = k;
    sum->topics = w->sums;
    if (w->err_rc) snprintf(err, errlen, "%s", w->errmsg);
    return w->err_rc;
}

void rec_writer_free(rec_writer *w) {
    if (!w) return;
    if (w->thread_started) {
        rec_writer_summary s;
        char e[16];
        rec_writer_stop(w, &s, e, sizeof e);
    }
    if (w->mw) mcap_writer_close(w->mw);
    schemas_clear(w);
    for (size_t i = 0; w->topics && i < REC_WRITER_MAX_TOPICS; i++) {
        free(w->topics[i].name);
        free(w->topics[i].type);
        free(w->topics[i].qos);
        free(w->topics[i].nodes);
        free(w->topics[i].hash);
    }
    free(w->topics);
    rec_queue_destroy(w->q);
    rec_ring_destroy(w->ring);
    rec_pos_close(w->pos);
    rec_pos_table_free(&w->takeover);
    free(w->passed);
    rec_stats_writer_close(w->stats);
    rec_meta_free(&w->meta);
    pthread_mutex_destroy(&w->tlock);
    free(w->snap);
    free(w->sums);
    free(w->dir);
    free(w->name);
    free(w->stats_path);
    free(w->first_path);
    free(w);
}
