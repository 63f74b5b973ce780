/* rec_writer — the recorder's data path behind DDS: topic table, queue, writer thread,
 * segments, metadata.yaml and the stats file.
 *
 * Owns: the table of recorded topics (filled by rdds's on_topic), the per-sample entry point
 * (rdds's on_sample: count, copy into the bounded queue, never block), and the writer thread,
 * which drains the queue into the current MCAP segment, registers each topic's schema and channel
 * in a segment before its first message there, keeps chunks durable within the chunk age, splits
 * into <name>_N.mcap (never overwriting: the next free N), rewrites metadata.yaml at start, at
 * every split and at stop, writes the `rosbag2` and `recguard_drops` Metadata records into each
 * segment as it closes, and publishes the stats file at least every REC_STATS_HEARTBEAT_MS.
 * Per topic it also measures rate, period and bandwidth (hz_win, fed in the DDS listener path)
 * and counts loss where it happens: SAMPLE_LOST and SAMPLE_REJECTED from DDS, drops in our
 * queue; loss goes to the stats file, metadata.yaml custom_data and a `recguard_loss` Metadata
 * record per segment.
 *
 * Disk full (ENOSPC/EDQUOT) or any other write error stops the writer: the segment is closed
 * with everything already durable, metadata.yaml rewritten if possible, and rec_writer_failed()
 * turns nonzero so the process can exit with the message from rec_writer_stop().
 *
 * Threads: rec_writer_on_topic / rec_writer_on_sample from DDS threads; the writer thread; every
 * other function from the controlling thread.
 */
#ifndef REC_WRITER_H
#define REC_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "dds/rdds.h"
#include "mcap/mcap_writer.h"
#include "recorder/rec_msgdef.h"

#define REC_WRITER_MAX_TOPICS 2048       /* topic ids beyond this are dropped and counted */
#define REC_WRITER_RATE_WINDOW_NS (4 * 1000000000LL) /* default rate window (hz_win) */
#define REC_WRITER_TICK_NS (50 * 1000000LL) /* longest writer-thread sleep */
#define REC_WRITER_BATCH_MSGS 1024       /* messages per batch between ticks */
#define REC_WRITER_BATCH_BYTES (4u << 20) /* bytes per batch between ticks */
#define REC_WRITER_STANDBY_WINDOW_NS (10 * 1000000000LL) /* a standby's default time window */
#define REC_WRITER_STANDBY_BYTES ((size_t)256 << 20)     /* a standby's default ring budget */

typedef struct rec_writer_options {
    const char *dir;               /* bag directory (exists) */
    const char *name;              /* segment base name: <dir>/<name>_<N>.mcap */
    unsigned first_index;          /* N of the first segment (the next free one is used) */
    const char *first_path;        /* exact path of the first segment (index first_index), or NULL */
    mcap_writer_options mcap;      /* compression, chunk size; max_chunk_age_ns = the guarantee */
    uint64_t max_bag_size;         /* split when a segment reaches this many bytes (0 = never) */
    int64_t max_bag_duration_ns;   /* split after this long (0 = never) */
    size_t max_queue;              /* queue budget in bytes */
    const char *stats_path;        /* stats file */
    rec_msgdef *msgdef;            /* schema texts (borrowed) */
    const char *ros_distro;        /* metadata ros_distro (NULL = "") */
    int merge_metadata;            /* start from <dir>/metadata.yaml of earlier runs (counts re-read
                                    * from their segments; <stem>.recovered.mcap for cut ones) */
    int64_t rate_window_ns;        /* per-topic rate window; 0 = REC_WRITER_RATE_WINDOW_NS */
    int no_rate;                   /* 1: no per-sample rate estimation (benchmark baseline) */
    int monitor;                   /* 1: measure only (`recguard monitor`): no files, no queue
                                    * copies; the stats file says role monitor */
    const char *const *custom_data;/* metadata custom_data as "KEY=VALUE" (--custom-data) */
    size_t ncustom;                /* entries in custom_data */
    int start_paused;              /* 1: discard samples until rec_writer_pause(w, 0) */
    int use_sim_time;              /* 1: log time = the latest /clock (rosgraph_msgs/msg/Clock);
                                    * samples before the first /clock are discarded */
    int snapshot;                  /* 1: --snapshot-mode: samples are held in a ring of
                                    * max_queue bytes (oldest evicted) and written only when
                                    * rec_writer_split asks, into the current segment, which then
                                    * closes; what is held at stop is discarded, as in rosbag2 */
    const char *positions_path;    /* --positions: keep, per DDS writer, the last sequence number
                                    * in the segment file there (rec_pos), for a standby; NULL =
                                    * none */
    const char *standby_follow;    /* --standby: a hot standby of the recorder whose positions
                                    * file this is: hold samples (ring of standby_bytes, at most
                                    * standby_window_ns old), write nothing, until
                                    * rec_writer_split promotes it: then open the bag and write
                                    * every sample that file does not say was written; NULL = a
                                    * plain recorder. Not with snapshot or monitor. */
    int64_t standby_window_ns;     /* 0 = REC_WRITER_STANDBY_WINDOW_NS */
    size_t standby_bytes;          /* 0 = REC_WRITER_STANDBY_BYTES */
    void (*on_warn)(void *ctx, const char *msg); /* warnings (missing schema...), any thread */
    void *warn_ctx;                /* passed to on_warn */
} rec_writer_options;

typedef struct rec_writer rec_writer;

typedef struct rec_writer_topic_summary {
    const char *name;   /* recorded topic name */
    const char *type;   /* recorded type */
    uint64_t received;  /* samples from DDS */
    uint64_t written;   /* samples in the files */
    uint64_t drops;     /* samples dropped (queue full or writer stopped) */
} rec_writer_topic_summary;

typedef struct rec_writer_summary {
    uint64_t messages;        /* written */
    uint64_t takeover_skipped;/* standby: held samples the primary had already written */
    uint64_t takeover_gap;    /* standby: samples missing between the primary's last and the
                               * oldest held (counted as lost on their topics) */
    uint64_t drops;           /* dropped */
    uint64_t bytes;           /* bytes in the segments of this run */
    unsigned segments;        /* segments opened this run */
    const char *last_segment; /* path of the last segment */
    size_t ntopics;           /* entries in topics */
    const rec_writer_topic_summary *topics; /* valid until rec_writer_free */
} rec_writer_summary;

/* Create the queue, open the first segment, write metadata.yaml and the stats file, start the
 * writer thread. 0 or -errno with a sentence in err. */
int rec_writer_start(rec_writer **out, const rec_writer_options *opts, char *err, size_t errlen);
/* rdds callbacks; ctx is the rec_writer. */
void rec_writer_on_topic(void *ctx, const rdds_topic *topic);
void rec_writer_on_sample(void *ctx, uint32_t topic_id, const void *data, size_t len,
                          int64_t source_ts_ns, int64_t recv_ts_ns, const rdds_origin *origin);
void rec_writer_on_event(void *ctx, uint32_t topic_id, int event, int64_t value);
/* Pause (1: samples are discarded, not counted as drops) or resume (0) recording. */
void rec_writer_pause(rec_writer *w, int paused);
int rec_writer_paused(const rec_writer *w);
/* Parse a rosgraph_msgs/msg/Clock sample (CDR with its encapsulation header) into ns.
 * 0 or -EINVAL. Pure; exported for the unit test. */
int rec_writer_clock_ns(const void *data, size_t len, int64_t *ns);
/* Ask for a new segment (SIGUSR1); in snapshot mode, write the held samples first; a standby
 * is promoted instead (the recorder it stood by for must be gone). */
void rec_writer_split(rec_writer *w);
/* Nonzero (a rec_stats_state: disk full / failed) once the writer thread stopped on an error. */
int rec_writer_failed(const rec_writer *w);
/* The path of the current segment (controlling thread; for the start line). */
const char *rec_writer_segment(const rec_writer *w);
/* Stop: drain the queue (the caller has stopped DDS first), close the segment, write
 * metadata.yaml and the final stats, join the thread. 0, or the writer's -errno with its
 * sentence in err. Fills *sum either way. */
int rec_writer_stop(rec_writer *w, rec_writer_summary *sum, char *err, size_t errlen);
void rec_writer_free(rec_writer *w); /* NULL is a no-op */

#endif
