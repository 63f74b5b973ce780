/* rdds_qos_override — rosbag2's QoS profile overrides (`--qos-profile-overrides-path`) for the
 * recorder's readers.
 *
 * Owns: parsing rosbag2's YAML (a map from topic name to a QoS map with history, depth,
 * reliability, durability, deadline, lifespan, liveliness, liveliness_lease_duration,
 * avoid_ros_namespace_conventions; enum values as rclpy spells them, `system_default` meaning
 * "leave it") and applying the reader-side policies (reliability, durability, history, depth)
 * over the QoS adapted to the publishers. Deadline, lifespan and liveliness are checked and
 * accepted but do not change what a recording reader receives, so they are not applied.
 *
 * Pure: rdds_qos_override_parse takes the text; only rdds_qos_override_load reads a file.
 */
#ifndef RDDS_QOS_OVERRIDE_H
#define RDDS_QOS_OVERRIDE_H

#include <stddef.h>
#include <stdint.h>

#include "dds/rdds_select.h"

#define RDDS_QOS_OVERRIDE_MAX_BYTES (1u << 20) /* larger files are refused (not a QoS file) */

typedef struct rdds_qos_override {
    char *topic;          /* "/chatter" (a name without '/' gets one) */
    int reliable;         /* -1 keep, 0 best effort, 1 reliable */
    int transient_local;  /* -1 keep, 0 volatile, 1 transient local */
    int keep_all;         /* -1 keep, 0 keep last, 1 keep all */
    int32_t depth;        /* 0 keep, else keep-last depth */
} rdds_qos_override;

typedef struct rdds_qos_overrides {
    rdds_qos_override *v; /* entries */
    size_t n;             /* count */
} rdds_qos_overrides;

/* Parse rosbag2 override YAML. 0, or -EINVAL with err "name:line: why" (name labels the text),
 * -ENOMEM. An empty document gives no overrides. */
int rdds_qos_override_parse(rdds_qos_overrides *o, const char *name, const char *text, size_t len,
                            char *err, size_t errlen);
/* Read and parse `path`. 0 or -errno with err naming the file. */
int rdds_qos_override_load(rdds_qos_overrides *o, const char *path, char *err, size_t errlen);
void rdds_qos_override_free(rdds_qos_overrides *o);
/* The override for a recorded topic name, or NULL. */
const rdds_qos_override *rdds_qos_override_find(const rdds_qos_overrides *o, const char *topic);
/* Apply the override for `topic` (if any) to a reader QoS. 1 when one applied, else 0. */
int rdds_qos_override_apply(const rdds_qos_overrides *o, const char *topic, rdds_reader_qos *q);

#endif
