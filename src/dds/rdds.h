/* rdds — Cyclone DDS glue for recording without compiled types.
 *
 * Owns: the DDS participant, continuous discovery of publications (late joiners too), topic
 * selection (all / names / regex / exclude / hidden / non-ROS DDS topics), ROS 2 name and type
 * mapping, QoS adaptation to the matched publishers (reliable / transient-local only when all
 * offer it, re-checked as publishers come and go), keyed and keyless topics, partitions, the
 * type hash publishers announce (rdds_typehash.h), and one raw-CDR reader per selected topic (a
 * custom ddsi_sertype).
 *
 * Prefix `rdds_` because Cyclone owns `dds_`. Samples are taken inside the DDS listener and
 * handed to on_sample, which must not block: the recorder copies into its bounded queue.
 */
#ifndef RDDS_H
#define RDDS_H

#include <stddef.h>
#include <stdint.h>

typedef struct rdds_topic {
    uint32_t id;            /* dense index, stable for the session's lifetime */
    const char *dds_topic;  /* DDS topic name, "rt/chatter" */
    const char *dds_type;   /* DDS type name, "std_msgs::msg::dds_::String_" */
    const char *name;       /* recorded name: "/chatter" for ROS topics, DDS name otherwise */
    const char *type;       /* recorded type: "std_msgs/msg/String", or the DDS type name */
    int is_ros;             /* 1: ROS 2 topic (message encoding cdr, schema ros2msg) */
    int keyed;              /* 1: keyed topic (copied from the writer GUID) */
    const char *qos_yaml;   /* offered_qos_profiles YAML list of the publishers' QoS */
    const char *publisher_nodes; /* ROS nodes owning the publishers, sorted, comma-separated
                                    fully qualified names ("/talker,/ns/cam"); "" when unknown
                                    (from ros_discovery_info, which non-ROS writers never send) */
    uint32_t publishers;    /* discovered publishers (writers) of the topic right now */
    const char *type_hash;  /* type description hash, "RIHS01_<64 hex>", from the USER_DATA of
                               the first publisher that announced one (rmw does since Iron);
                               "" while none did. It then stays for the session: a publisher
                               announcing another is reported through on_error */
} rdds_topic;
/* Lifetime: a topic's strings (qos_yaml, publisher_nodes and type_hash included, also earlier
 * versions of them) stay valid until rdds_session_close returns, so the recorder may keep the
 * pointers. */

/* Where a sample came from, the same in every process that receives it: a hot standby and
 * the primary recorder use it to agree on which samples the primary already wrote. */
typedef struct rdds_origin {
    unsigned char writer[16]; /* the DDS writer's GUID (prefix + entity id), network byte order */
    int64_t seq;              /* its RTPS sequence number (>= 1, +1 per sample it writes) */
} rdds_origin;

typedef struct rdds_callbacks {
    void *ctx; /* passed back to every callback */
    /* A topic was selected; called just before its reader is created (and again, same id,
     * with an updated qos_yaml, publisher_nodes or type_hash when its set of publishers, or
     * what ros_discovery_info says about their nodes, changes). */
    void (*on_topic)(void *ctx, const rdds_topic *topic);
    /* One sample: serialized CDR including the 4-byte encapsulation header, valid only during
     * the call. source_ts_ns = DDS source timestamp, recv_ts_ns = realtime at take, origin =
     * the sending writer and its sequence number (NULL when unknown). */
    void (*on_sample)(void *ctx, uint32_t topic_id, const void *data, size_t len,
                      int64_t source_ts_ns, int64_t recv_ts_ns, const struct rdds_origin *origin);
    /* Optional (NULL = ignored): a selected topic could not be subscribed, or its publishers
     * announce a malformed or conflicting type hash, with a sentence "what(which): why".
     * Called from the discovery thread; recording goes on. */
    void (*on_error)(void *ctx, const char *msg);
    /* Optional (NULL = ignored): a reader status of topic_id changed (rdds_event). Runs on
     * Cyclone's threads, like on_sample; never before on_topic for that id. */
    void (*on_event)(void *ctx, uint32_t topic_id, int event, int64_t value);
} rdds_callbacks;

/* Reader statuses passed to on_event. */
enum rdds_event {
    RDDS_EV_LOST = 1,     /* value = samples the DDS layer reports lost (SAMPLE_LOST), since last */
    RDDS_EV_REJECTED = 2, /* value = samples rejected (SAMPLE_REJECTED: resource limits), since last */
    RDDS_EV_MATCHED = 3,  /* value = publishers matched with our reader now (SUBSCRIPTION_MATCHED) */
};
/* Threads: on_topic and on_error run on rdds's discovery thread, on_sample on Cyclone's receive
 * threads, possibly concurrently for different topics. on_topic for an id always returns before
 * the first on_sample for that id. */

typedef struct rdds_filter {
    int all;                    /* -a: every topic (subject to exclude/hidden/include_dds) */
    const char *const *topics;  /* explicit names: ROS ("/chatter" or "chatter") or DDS
                                   ("ros_discovery_info"); they override hidden and exclude */
    size_t ntopics;             /* entries in topics */
    const char *regex;          /* POSIX ERE on the recorded name, NULL = none */
    const char *exclude;        /* POSIX ERE on the recorded name, NULL = none */
    int include_dds;            /* also record non-ROS DDS topics under their DDS name */
    int include_hidden;         /* also record hidden ROS topics (a path segment starting '_') */
    const char *const *topic_types;   /* also every topic of these ROS types ("a/msg/T") */
    size_t ntopic_types;              /* entries in topic_types */
    const char *const *exclude_topics;/* never these recorded names (after any selection but
                                       * an explicit name) */
    size_t nexclude_topics;           /* entries in exclude_topics */
    const char *const *exclude_types; /* never topics of these ROS types */
    size_t nexclude_types;            /* entries in exclude_types */
    int all_services;           /* every service event topic (<service>/_service_event), which
                                 * -a and --all-topics leave out as hidden */
    const struct rdds_qos_overrides *qos_overrides; /* per-topic reader QoS overrides, NULL =
                                 * none (rdds_qos_override.h); borrowed for the session */
    int64_t discovery_window_ns;/* > 0: topics first seen later than this after open are not
                                 * recorded (--no-discovery); 0 = discover for the whole run */
    int64_t lease_ns;           /* the participant's announced lease (> 0), 0 = Cyclone's
                                 * configured one (10 s by default): how long reliable peers
                                 * keep waiting on a reader that died without saying so */
    const struct rdds_filter *except; /* NULL, or topics this filter selects are left out (the
                                         monitor leaves out what the recorder records) */
    int best_effort;            /* 1: best-effort volatile readers whatever the publishers offer:
                                   for measuring, not recording (no acknowledgements to send,
                                   like ros2 topic hz's sensor-data QoS) */
} rdds_filter;

typedef struct rdds_session rdds_session;

/* Join `domain` and start discovery; readers are created as matching publications appear.
 * 0 or -errno with a sentence in err (bad regex, DDS failure). */
int rdds_session_open(rdds_session **out, uint32_t domain, const rdds_filter *filter,
                      const rdds_callbacks *cb, char *err, size_t errlen);
/* Delete every reader and the participant; no callback runs after it returns. NULL is a no-op. */
void rdds_session_close(rdds_session *s);

/* Pure name mapping (rdds_select.c, unit-tested). Return 0, or -EINVAL when `in` is not a ROS 2 name. */
int rdds_ros_topic_from_dds(const char *dds_topic, char *out, size_t outlen); /* rt/x -> /x */
int rdds_dds_topic_from_ros(const char *ros_topic, char *out, size_t outlen); /* /x -> rt/x */
int rdds_ros_type_from_dds(const char *dds_type, char *out, size_t outlen);   /* a::msg::dds_::T_ -> a/msg/T */
int rdds_dds_type_from_ros(const char *ros_type, char *out, size_t outlen);   /* a/msg/T -> a::msg::dds_::T_ */
int rdds_topic_is_hidden(const char *ros_topic);                             /* 1 when any segment starts '_' */
int rdds_topic_is_service_event(const char *ros_topic);                      /* 1 for "<service>/_service_event" */
/* The domain from $ROS_DOMAIN_ID (unset or empty: 0), as ROS 2 reads it: 0 or -EINVAL with
 * err "ROS_DOMAIN_ID=...: expected an integer 0..232". */
int rdds_domain_from_env(uint32_t *domain, char *err, size_t errlen);

#endif
