/* rdds_select — the pure decisions of the DDS glue, no DDS calls (unit-tested).
 *
 * Owns: which discovered (DDS topic, DDS type) pairs are recorded and under which name
 * (rdds_filter applied through a compiled matcher), the reader QoS adapted to the set of
 * matched publishers, whether a change of that set needs a new reader, and the rosbag2
 * `offered_qos_profiles` YAML text describing the publishers.
 */
#ifndef RDDS_SELECT_H
#define RDDS_SELECT_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "dds/rdds.h"

#define RDDS_NAME_MAX 512          /* longest topic or type name handled, bytes incl. NUL */
#define RDDS_MIN_BE_DEPTH 100      /* keep-last depth floor of a best-effort reader */
#define RDDS_DISCOVERY_INFO "ros_discovery_info" /* rmw's node-graph topic, DDS name */

/* A compiled rdds_filter. The filter's strings are referenced, not copied. */
typedef struct rdds_matcher {
    rdds_filter f;    /* the filter as given */
    regex_t re;       /* compiled f.regex, when has_re */
    regex_t ex;       /* compiled f.exclude, when has_ex */
    int has_re;       /* 1: re is compiled */
    int has_ex;       /* 1: ex is compiled */
    struct rdds_matcher *except; /* compiled f.except (malloc'd), NULL when none */
} rdds_matcher;

/* The decision for one discovered (topic, type). */
typedef struct rdds_selection {
    int selected;                /* 1: record it */
    int is_ros;                  /* 1: a ROS 2 topic (rt/ prefix and a dds_ type name) */
    char name[RDDS_NAME_MAX];    /* recorded name: "/chatter", or the DDS topic name */
    char type[RDDS_NAME_MAX];    /* recorded type: "std_msgs/msg/String", or the DDS type */
} rdds_selection;

/* One publisher's offered QoS, as far as recording cares (durations in ns, INT64_MAX = infinite). */
typedef struct rdds_pub_qos {
    int reliable;           /* 1: reliable, 0: best effort */
    int transient_local;    /* 1: transient-local or stronger, 0: volatile */
    int keep_all;           /* 1: keep-all history, 0: keep-last */
    int32_t depth;          /* keep-last depth as offered */
    int64_t deadline_ns;    /* deadline period */
    int64_t lifespan_ns;    /* lifespan duration */
    int liveliness;         /* 0 automatic, 1 manual by participant, 2 manual by topic */
    int64_t lease_ns;       /* liveliness lease duration */
} rdds_pub_qos;

/* The QoS a recording reader asks for. */
typedef struct rdds_reader_qos {
    int reliable;           /* 1: reliable */
    int transient_local;    /* 1: transient-local */
    int keep_all;           /* 1: keep-all, 0: keep-last `depth` */
    int32_t depth;          /* keep-last depth (unused with keep_all) */
} rdds_reader_qos;

/* Compile f (regex and exclude as POSIX ERE). 0, or -EINVAL with a sentence in err. */
int rdds_matcher_init(rdds_matcher *m, const rdds_filter *f, char *err, size_t errlen);
void rdds_matcher_fini(rdds_matcher *m);
/* Decide about one discovered pair. Never selects DCPS builtins, and ros_discovery_info only
 * when listed explicitly; explicitly listed names win over hidden-topic and exclude rules.
 * A pair the `except` filter selects is never selected (one level: except's own except is
 * ignored). */
void rdds_matcher_select(const rdds_matcher *m, const char *dds_topic, const char *dds_type,
                         rdds_selection *out);

/* The reader QoS for publishers pubs[0..n-1], n > 0: reliable only if every publisher is,
 * transient-local only if every publisher is; reliable readers keep all (nothing the protocol
 * delivered is discarded by the reader), best-effort readers keep the last
 * max(RDDS_MIN_BE_DEPTH, deepest keep-last publisher). */
void rdds_qos_adapt(const rdds_pub_qos *pubs, size_t n, rdds_reader_qos *out);
/* 1 when a reader created with `cur` cannot serve `want` (reliability, durability, history kind
 * or a deeper keep-last depth differ), so it must be recreated. */
int rdds_qos_needs_new_reader(const rdds_reader_qos *cur, const rdds_reader_qos *want);
/* rosbag2 (metadata version 9) offered_qos_profiles YAML: a list with one map per publisher.
 * Returns a malloc'd string, NULL on ENOMEM. n == 0 gives "". */
char *rdds_qos_yaml(const rdds_pub_qos *pubs, size_t n, int avoid_ros_namespace_conventions);

#endif
