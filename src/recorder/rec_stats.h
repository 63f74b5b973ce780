/* rec_stats — the recorder's memory-mapped stats file (what the daemon reads).
 *
 * Owns the binary layout of `recorder.stats`, its single writer (the recorder's writer thread)
 * and its readers (the daemon, `recguard hz`-style tools, tests). The writer publishes a whole
 * snapshot under a seqlock; a reader copies the snapshot and retries while the sequence counter
 * is odd (a write in progress) or changed during the copy, a bounded number of times.
 *
 * Layout (little endian, native x86-64/aarch64 alignment; the file is exactly
 * sizeof(rec_stats_file) bytes, REC_STATS_FILE_SIZE):
 *
 *   offset  size  field
 *   0       4     magic    "RGST" (0x54534752 read as u32 LE)
 *   4       4     version  REC_STATS_VERSION
 *   8       4     file_size  sizeof(rec_stats_file)
 *   12      4     max_topics REC_STATS_MAX_TOPICS
 *   16      8     seq      seqlock counter: odd while the writer is inside an update
 *   24      ...   rec_stats_snapshot (fields below), copied whole under the seqlock
 *
 * Heartbeat: the writer refreshes `heartbeat_mono_ns` (CLOCK_MONOTONIC, comparable across
 * processes on one boot) at least every REC_STATS_HEARTBEAT_MS even when no data flows; a stale
 * heartbeat with a live pid means the writer thread is stuck (disk hang, SIGSTOP, deadlock).
 *
 * The file is created as a temp file and renamed into place, so a reader never maps a
 * half-initialised file; a new recorder run replaces the inode (compare `pid` / `start_real_ns`).
 */
#ifndef REC_STATS_H
#define REC_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define REC_STATS_MAGIC 0x54534752u  /* "RGST" little endian */
#define REC_STATS_VERSION 2u         /* bump on any layout change */
#define REC_STATS_MAX_TOPICS 2048    /* per-topic entries; more topics are summed in overflow_* */
#define REC_STATS_NAME_LEN 256       /* topic name, NUL-terminated, truncated */
#define REC_STATS_TYPE_LEN 192       /* type name, NUL-terminated, truncated */
#define REC_STATS_PATH_LEN 512       /* segment path, NUL-terminated, truncated */
#define REC_STATS_HEARTBEAT_MS 200   /* max interval between heartbeats while running */
#define REC_STATS_READ_TRIES 1000    /* reader retries before giving up with -EAGAIN */

typedef enum rec_stats_state {
    REC_STATS_STARTING = 0,  /* process up, DDS/files being set up */
    REC_STATS_RECORDING = 1, /* writer thread running */
    REC_STATS_STOPPING = 2,  /* stop requested: draining the queue, finalizing */
    REC_STATS_STOPPED = 3,   /* clean stop finished: files and metadata.yaml final */
    REC_STATS_DISK_FULL = 4, /* ENOSPC/EDQUOT: writing stopped, file closed validly */
    REC_STATS_FAILED = 5,    /* other write error: writing stopped */
} rec_stats_state;

typedef enum rec_stats_role {
    REC_STATS_ROLE_RECORDER = 0, /* `recguard record`: the topics are recorded */
    REC_STATS_ROLE_MONITOR = 1,  /* `recguard monitor`: measured only, not recorded */
    REC_STATS_ROLE_STANDBY = 2,  /* `recguard record --standby`: held in memory until promoted */
} rec_stats_role;

typedef struct rec_stats_topic {
    char name[REC_STATS_NAME_LEN]; /* recorded topic name ("/chatter" or the DDS name) */
    char type[REC_STATS_TYPE_LEN]; /* recorded type ("std_msgs/msg/String" or the DDS type) */
    uint64_t messages;             /* samples received from DDS (written + dropped + queued) */
    uint64_t bytes;                /* payload bytes received from DDS */
    uint64_t drops;                /* samples dropped because our queue was full */
    uint64_t written;              /* samples written to MCAP files (0 for a monitor) */
    int64_t last_recv_real_ns;     /* CLOCK_REALTIME of the last sample received, 0 = none */
    int64_t last_recv_mono_ns;     /* CLOCK_MONOTONIC of the same, 0 = none (ages: now - this) */
    uint64_t lost;                 /* samples the DDS layer reported lost (SAMPLE_LOST) */
    uint64_t rejected;             /* samples the DDS layer rejected (SAMPLE_REJECTED) */
    uint32_t publishers;           /* publishers discovered for the topic now */
    uint32_t matched;              /* publishers matched with our reader now */
    double rate_hz;                /* messages/s over the time window (hz_win), 0 = none */
    double bandwidth_bps;          /* bytes/s over the window */
    double mean_size;              /* bytes per message over the window */
    uint64_t size_min;             /* smallest message in the window, bytes */
    uint64_t size_max;             /* largest message in the window, bytes */
    double period_min_s;           /* shortest period in the window, s */
    double period_max_s;           /* longest period in the window, s */
    double period_std_s;           /* standard deviation of the period, s */
    uint64_t window_msgs;          /* messages in the window */
    int64_t window_ns;             /* length of the time window */
} rec_stats_topic;

typedef struct rec_stats_snapshot {
    int32_t pid;                    /* recorder process id */
    uint32_t state;                 /* rec_stats_state */
    int64_t start_real_ns;          /* CLOCK_REALTIME when the recorder started */
    int64_t heartbeat_mono_ns;      /* CLOCK_MONOTONIC of the last publish by the writer thread */
    int64_t heartbeat_real_ns;      /* CLOCK_REALTIME of the same instant */
    uint64_t bytes_written;         /* bytes in all segments written this run */
    uint64_t messages_written;      /* messages written to MCAP this run */
    uint64_t messages_received;     /* samples received from DDS this run */
    uint64_t drops;                 /* samples dropped (queue full) this run */
    uint64_t queue_bytes;           /* bytes held by the queue right now */
    uint64_t queue_capacity;        /* --max-queue */
    uint64_t segment_bytes;         /* bytes in the current segment */
    uint32_t segment_index;         /* N of <name>_N.mcap, the current segment */
    uint32_t segments;              /* segments opened this run */
    char segment[REC_STATS_PATH_LEN]; /* path of the current segment ("" before the first) */
    uint32_t ntopics;               /* valid entries in topics[] */
    uint32_t role;                  /* rec_stats_role of the writing process */
    uint64_t overflow_topics;       /* topics beyond REC_STATS_MAX_TOPICS (no entry of their own) */
    uint64_t overflow_messages;     /* messages of topics beyond REC_STATS_MAX_TOPICS */
    uint64_t overflow_drops;        /* drops of topics beyond REC_STATS_MAX_TOPICS */
    uint64_t overflow_lost;         /* lost + rejected of topics beyond REC_STATS_MAX_TOPICS */
    uint64_t untracked_topics;      /* topics beyond the writer's own cap: neither recorded nor
                                     * counted per topic (their samples are in `drops`) */
    uint64_t lost;                  /* SAMPLE_LOST total, all topics */
    uint64_t rejected;              /* SAMPLE_REJECTED total, all topics */
    rec_stats_topic topics[REC_STATS_MAX_TOPICS]; /* per-topic counters, index = topic order */
} rec_stats_snapshot;

typedef struct rec_stats_file {
    uint32_t magic;              /* REC_STATS_MAGIC */
    uint32_t version;            /* REC_STATS_VERSION */
    uint32_t file_size;          /* sizeof(rec_stats_file) */
    uint32_t max_topics;         /* REC_STATS_MAX_TOPICS */
    uint64_t seq;                /* seqlock counter (accessed only through C11 atomics) */
    rec_stats_snapshot snap;     /* the published snapshot */
} rec_stats_file;

#define REC_STATS_FILE_SIZE sizeof(rec_stats_file) /* bytes of a stats file */

/* Writer side: one per recorder process, used by one thread at a time. */
typedef struct rec_stats_writer rec_stats_writer;

/* Create `path` (temp file + rename, replacing an older one), map it, publish `initial`.
 * 0 or -errno with "what(path): why" in err. */
int rec_stats_writer_open(rec_stats_writer **out, const char *path,
                          const rec_stats_snapshot *initial, char *err, size_t errlen);
/* Publish a full snapshot under the seqlock (no syscall). */
void rec_stats_writer_publish(rec_stats_writer *w, const rec_stats_snapshot *snap);
/* Unmap and free; the file stays (the daemon reads the final state). NULL is a no-op. */
void rec_stats_writer_close(rec_stats_writer *w);

/* Reader side: map once, read many times (the daemon's periodic check). */
typedef struct rec_stats_reader rec_stats_reader;

/* Map `path` read-only. -ENOENT when absent, -EPROTO when magic/version/size do not match. */
int rec_stats_reader_open(rec_stats_reader **out, const char *path, char *err, size_t errlen);
/* Copy a consistent snapshot. 0, or -EAGAIN after REC_STATS_READ_TRIES torn reads. */
int rec_stats_reader_read(rec_stats_reader *r, rec_stats_snapshot *out);
/* Unmap and free. NULL is a no-op. */
void rec_stats_reader_close(rec_stats_reader *r);

/* One-shot: open, read, close. Same errors as above. */
int rec_stats_read(const char *path, rec_stats_snapshot *out, char *err, size_t errlen);

/* Name of a rec_stats_state ("recording", "disk_full", ...). */
const char *rec_stats_state_name(uint32_t state);
/* "recorder", "monitor", "standby" (rec_stats_role), "unknown" otherwise. */
const char *rec_stats_role_name(uint32_t role);

#endif
