/* rdds_qos_override — rosbag2 QoS override YAML and its application (see rdds_qos_override.h). */
#include "dds/rdds_qos_override.h"

#include "common/rg_fs.h"
#include "common/rg_num.h"
#include "common/rg_yaml.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int one_of(const char *v, const char *const *names) {
    for (int i = 0; names[i]; i++)
        if (strcmp(v, names[i]) == 0) return i;
    return -1;
}

/* {sec: N, nsec: N} with non-negative integers: checked, not applied (see the header). */
static int check_duration(struct fy_node *n) {
    if (!fy_node_is_mapping(n)) return -1;
    void *it = NULL;
    for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(n, &it));) {
        char kb[16], vb[32];
        const char *k = rg_yaml_scalar(fy_node_pair_key(p), kb, sizeof kb);
        const char *v = rg_yaml_scalar(fy_node_pair_value(p), vb, sizeof vb);
        long long x;
        if (!k || (strcmp(k, "sec") && strcmp(k, "nsec")) || !v || rg_num_ll(v, 0, INT64_MAX, &x) < 0)
            return -1;
    }
    return 0;
}

/* One key of a topic's map into q. 0, or -1 with *why set. */
static int one_key(rdds_qos_override *q, const char *k, struct fy_node *v, const char **why) {
    static const char *const hist[] = {"keep_last", "keep_all", "system_default", "unknown", NULL};
    static const char *const rel[] = {"best_effort", "reliable", "system_default", "unknown",
                                      "best_available", NULL};
    static const char *const dur[] = {"volatile", "transient_local", "system_default", "unknown",
                                      "best_available", NULL};
    static const char *const live[] = {"automatic", "manual_by_topic", "system_default", "unknown",
                                       "best_available", NULL};
    char sb[64];
    const char *s = rg_yaml_scalar(v, sb, sizeof sb);
    int i;
    long long x;
    if (strcmp(k, "history") == 0) {
        if (!s || (i = one_of(s, hist)) < 0) return *why = "expected keep_last, keep_all or system_default", -1;
        q->keep_all = i < 2 ? i : -1;
    } else if (strcmp(k, "depth") == 0) {
        if (!s || rg_num_ll(s, 0, INT32_MAX, &x) < 0) return *why = "expected a depth 0..2147483647", -1;
        q->depth = (int32_t)x;
    } else if (strcmp(k, "reliability") == 0) {
        if (!s || (i = one_of(s, rel)) < 0) return *why = "expected reliable, best_effort or system_default", -1;
        q->reliable = i < 2 ? i : -1;
    } else if (strcmp(k, "durability") == 0) {
        if (!s || (i = one_of(s, dur)) < 0) return *why = "expected volatile, transient_local or system_default", -1;
        q->transient_local = i < 2 ? i : -1;
    } else if (strcmp(k, "liveliness") == 0) {
        if (!s || one_of(s, live) < 0) return *why = "expected automatic, manual_by_topic or system_default", -1;
    } else if (strcmp(k, "deadline") == 0 || strcmp(k, "lifespan") == 0 ||
               strcmp(k, "liveliness_lease_duration") == 0) {
        if (!v || check_duration(v) < 0) return *why = "expected {sec: N, nsec: N}", -1;
    } else if (strcmp(k, "avoid_ros_namespace_conventions") == 0) {
        if (!s || (strcmp(s, "true") && strcmp(s, "false"))) return *why = "expected true or false", -1;
    } else {
        return *why = "unknown QoS key (history, depth, reliability, durability, deadline, lifespan, "
                      "liveliness, liveliness_lease_duration, avoid_ros_namespace_conventions)", -1;
    }
    return 0;
}

static int add_topic(rdds_qos_overrides *o, const char *topic, struct fy_node *map, const char *name,
                     char *err, size_t errlen) {
    if (!fy_node_is_mapping(map)) {
        snprintf(err, errlen, "%s: topic %s: expected a map of QoS keys", name, topic);
        return -EINVAL;
    }
    rdds_qos_override *v = realloc(o->v, (o->n + 1) * sizeof *v);
    if (!v) return -ENOMEM;
    o->v = v;
    rdds_qos_override *q = &o->v[o->n];
    *q = (rdds_qos_override){.reliable = -1, .transient_local = -1, .keep_all = -1};
    size_t tl = strlen(topic);
    if (!(q->topic = malloc(tl + 2))) return -ENOMEM;
    snprintf(q->topic, tl + 2, "%s%s", topic[0] == '/' ? "" : "/", topic);
    o->n++;
    void *it = NULL;
    for (struct fy_node_pair *p; (p = fy_node_mapping_iterate(map, &it));) {
        char kb[64];
        const char *k = rg_yaml_scalar(fy_node_pair_key(p), kb, sizeof kb);
        const char *why = "expected a key";
        if (!k || one_key(q, k, fy_node_pair_value(p), &why) < 0) {
            snprintf(err, errlen, "%s: topic %s: %s: %s", name, topic, k ? k : "?", why);
            return -EINVAL;
        }
    }
    return 0;
}

int rdds_qos_override_parse(rdds_qos_overrides *o, const char *name, const char *text, size_t len,
                            char *err, size_t errlen) {
    memset(o, 0, sizeof *o);
    rg_yaml_doc y;
    struct fy_node *root;
    int rc = rg_yaml_load_map(name, text, len, "a map from topic names to QoS maps", &y, &root, err, errlen);
    void *it = NULL;
    for (struct fy_node_pair *p; rc == 0 && root && (p = fy_node_mapping_iterate(root, &it));) {
        char tb[RG_YAML_SCALAR_MAX];
        const char *topic = rg_yaml_scalar(fy_node_pair_key(p), tb, sizeof tb);
        if (!topic || !topic[0]) {
            snprintf(err, errlen, "%s: expected a topic name as key", name);
            rc = -EINVAL;
        } else {
            rc = add_topic(o, topic, fy_node_pair_value(p), name, err, errlen);
        }
    }
    rg_yaml_doc_free(&y);
    if (rc == -ENOMEM) snprintf(err, errlen, "%s: out of memory", name);
    if (rc < 0) rdds_qos_override_free(o);
    return rc;
}

int rdds_qos_override_load(rdds_qos_overrides *o, const char *path, char *err, size_t errlen) {
    memset(o, 0, sizeof *o);
    char *text = NULL;
    size_t len = 0;
    int rc = rg_fs_read_file(path, RDDS_QOS_OVERRIDE_MAX_BYTES, &text, &len);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, rc == -EFBIG ? "larger than 1 MiB, not a QoS overrides file"
                                                          : strerror(-rc));
        return rc;
    }
    rc = rdds_qos_override_parse(o, path, text, len, err, errlen);
    free(text);
    return rc;
}

void rdds_qos_override_free(rdds_qos_overrides *o) {
    for (size_t i = 0; i < o->n; i++) free(o->v[i].topic);
    free(o->v);
    o->v = NULL;
    o->n = 0;
}

const rdds_qos_override *rdds_qos_override_find(const rdds_qos_overrides *o, const char *topic) {
    /* The last entry for a topic wins, as YAML readers keep the last duplicate key. */
    for (size_t i = o ? o->n : 0; i-- > 0;)
        if (strcmp(o->v[i].topic, topic) == 0) return &o->v[i];
    return NULL;
}

int rdds_qos_override_apply(const rdds_qos_overrides *o, const char *topic, rdds_reader_qos *q) {
    const rdds_qos_override *x = rdds_qos_override_find(o, topic);
    if (!x) return 0;
    if (x->reliable >= 0) q->reliable = x->reliable;
    if (x->transient_local >= 0) q->transient_local = x->transient_local;
    if (x->keep_all >= 0) q->keep_all = x->keep_all;
    if (x->depth > 0) q->depth = x->depth;
    return 1;
}
