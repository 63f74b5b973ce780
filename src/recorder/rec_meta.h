/* rec_meta — rosbag2 bag metadata (metadata.yaml, version 9) for a recording session.
 *
 * Owns the session's bag description: topics (name, type, serialization format, offered QoS,
 * type hash, messages written), files (relative path, first log time, duration, messages), and
 * its YAML serialisation in the layout of rosbag2_storage's yaml.hpp (version 9: QoS profiles as
 * a YAML list with string enums). The same text, without the top-level
 * `rosbag2_bagfile_information` key, is what rosbag2's MCAP plugin stores in each file's
 * `rosbag2` Metadata record under `serialized_metadata`.
 *
 * Loss: custom_data carries recguard_lost, recguard_rejected and recguard_drops (bag totals, as
 * decimal strings: rosbag2's custom_data is a string map) and recguard_loss, a JSON object
 * {"<topic>": {"lost": N, "rejected": N, "drops": N}} of the topics that lost anything. Loading
 * an earlier run's file keeps its loss in loss_before, so the totals span every run.
 *
 * MCAP chunk compression is internal to the files, so compression_format and compression_mode
 * stay "": rosbag2 uses those fields for its own file/message compression, and a reader seeing
 * them set would try to decompress the .mcap files a second time.
 *
 * Pure: no clock; I/O only in rec_meta_write (atomic) and rec_meta_load.
 */
#ifndef REC_META_H
#define REC_META_H

#include <stddef.h>
#include <stdint.h>

#define REC_META_VERSION 9              /* rosbag2 metadata version written */
#define REC_META_FILE "metadata.yaml"   /* file name inside the bag directory */

/* Samples of one topic that are not in the bag, by where they were lost. */
typedef struct rec_meta_loss {
    uint64_t lost;     /* reported lost by the DDS layer (SAMPLE_LOST) */
    uint64_t rejected; /* rejected by the DDS layer (SAMPLE_REJECTED) */
    uint64_t drops;    /* dropped by the recorder's queue */
} rec_meta_loss;

typedef struct rec_meta_topic {
    char *name;                 /* "/chatter" */
    char *type;                 /* "std_msgs/msg/String" */
    char *serialization_format; /* "cdr" */
    char *qos_yaml;             /* offered_qos_profiles, a YAML block list ("" = none) */
    char *type_hash;            /* type_description_hash ("" when unknown) */
    uint64_t count;             /* messages written, all files */
    rec_meta_loss loss;         /* loss of the current recorder run (set by the writer) */
    rec_meta_loss loss_before;  /* loss of earlier runs in this bag (from custom_data) */
} rec_meta_topic;

typedef struct rec_meta_file {
    char *path;         /* relative to the bag directory: "bag_0.mcap" */
    uint64_t start_ns;  /* first log time (0 when no message) */
    uint64_t end_ns;    /* last log time */
    uint64_t count;     /* messages in the file */
} rec_meta_file;

typedef struct rec_meta {
    rec_meta_topic *topics; /* in order of first appearance */
    size_t ntopics;         /* entries in topics */
    rec_meta_file *files;   /* in order of creation */
    size_t nfiles;          /* entries in files */
    char *ros_distro;       /* ros_distro ("" when not under ROS) */
} rec_meta;

void rec_meta_init(rec_meta *m);
void rec_meta_free(rec_meta *m);

/* Find or add a topic by name; a known topic gets type/qos/hash updated when given (non-NULL).
 * Returns its index, or -ENOMEM. */
int rec_meta_topic_set(rec_meta *m, const char *name, const char *type, const char *format,
                   const char *qos_yaml, const char *type_hash);
/* Find or add a file by relative path. Index or -ENOMEM. */
int rec_meta_file_add(rec_meta *m, const char *path);
/* Account `n` messages with log times in [t0, t1] to file `fi` (and nothing to topics). */
void rec_meta_file_span(rec_meta *m, size_t fi, uint64_t t0, uint64_t t1, uint64_t n);
int rec_meta_set_distro(rec_meta *m, const char *distro); /* NULL = "" */

/* Render the YAML: with `top_key` under `rosbag2_bagfile_information:` (metadata.yaml), without
 * it for the MCAP record. malloc'd NUL-terminated text in *out. 0 or -ENOMEM. */
int rec_meta_render(const rec_meta *m, int top_key, char **out, size_t *len);
/* Render and atomically replace DIR/metadata.yaml. 0 or -errno with err "what(path): why". */
int rec_meta_write(const rec_meta *m, const char *dir, char *err, size_t errlen);
/* Merge an existing metadata.yaml (a previous recorder run in the same bag directory): its
 * files and topics (with counts) come first. -ENOENT when absent; -EBADMSG with err naming
 * the file when it is not rosbag2 metadata. */
int rec_meta_load(rec_meta *m, const char *path, char *err, size_t errlen);

#endif
