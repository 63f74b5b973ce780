/* Fuzz target: the pure decisions of the DDS glue over names and QoS that arrive by discovery
 * (rdds_select.c): ROS 2 topic/type name mapping, hidden-topic test, topic selection under a
 * filter, QoS adaptation to a set of publishers, the reader-recreation test and the
 * offered_qos_profiles YAML.
 *
 * Input: byte 0 picks the filter (flags and one of a few realistic patterns: the filter comes
 * from the command line, not from the network); then the DDS topic name and the DDS type name,
 * each ended by a NUL (or by the input's end); whatever follows is a list of publishers' QoS,
 * 24 bytes each.
 *
 * Oracles: every mapping that succeeds maps back to its input and fits its buffer; a mapping
 * into a buffer one byte too small fails instead of overflowing (exact-size allocations); a
 * selected ROS topic is named "/..." with a "pkg/.../T" type; DCPS builtins are never selected;
 * the adapted QoS is reliable / transient-local exactly when every publisher is, never shallower
 * than any keep-last publisher; a reader never needs recreating for the QoS it was made with;
 * the YAML holds one list item per publisher and no trailing newline. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dds/rdds.h"
#include "dds/rdds_select.h"

#define PUBS_MAX 32 /* publishers per topic tried */

/* Checks stay active in release builds (the replay test runs there too). */
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

typedef int (*map_fn)(const char *in, char *out, size_t outlen);

/* Map `in` with f into an exactly-sized heap buffer of `outlen` bytes (ASan sees overflows);
 * on success the result is copied to `res` (at least outlen bytes). */
static int map_into(map_fn f, const char *in, size_t outlen, char *res) {
    char *out = malloc(outlen ? outlen : 1);
    CHECK(out != NULL);
    int rc = f(in, out, outlen);
    CHECK(rc == 0 || rc == -EINVAL);
    if (rc == 0) {
        size_t n = strnlen(out, outlen);
        CHECK(n < outlen);
        memcpy(res, out, n + 1);
    }
    free(out);
    return rc;
}

/* A mapping and its inverse: success means the inverse gives the input back, and the result
 * needs exactly strlen+1 bytes (one byte less fails). A mapping at most doubles a name and
 * adds a few bytes ("::dds_::", "_"). */
static void check_pair(map_fn fwd, map_fn back, const char *in) {
    size_t cap = 2 * strlen(in) + 16;
    char *res = malloc(cap), *again = malloc(cap);
    CHECK(res != NULL && again != NULL);
    if (map_into(fwd, in, cap, res) == 0) {
        size_t need = strlen(res) + 1;
        CHECK(map_into(fwd, in, need, again) == 0 && strcmp(again, res) == 0);
        CHECK(map_into(fwd, in, need - 1, again) == -EINVAL);
        CHECK(map_into(back, res, cap, again) == 0);
        CHECK(strcmp(again, in) == 0);
    }
    free(res);
    free(again);
}

static const char *const patterns[] = {"^/chat", "camera|lidar", "_", "^/[a-z]+$", "(^|/)x/"};

static int64_t get64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t fl = data[0];
    const uint8_t *p = data + 1, *end = data + size;

    /* Two names, NUL-terminated copies (a name on the wire is a C string). */
    char *names[2];
    for (int i = 0; i < 2; i++) {
        const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
        size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
        names[i] = malloc(n + 1);
        CHECK(names[i] != NULL);
        memcpy(names[i], p, n);
        names[i][n] = '\0';
        p += nul ? n + 1 : n;
    }
    const char *topic = names[0], *type = names[1];

    check_pair(rdds_ros_topic_from_dds, rdds_dds_topic_from_ros, topic);
    check_pair(rdds_dds_topic_from_ros, rdds_ros_topic_from_dds, topic);
    check_pair(rdds_ros_type_from_dds, rdds_dds_type_from_ros, type);
    check_pair(rdds_dds_type_from_ros, rdds_ros_type_from_dds, type);
    int hidden = rdds_topic_is_hidden(topic);
    CHECK(hidden == 0 || hidden == 1);

    /* Selection under a filter picked by the first byte; the topic itself is sometimes listed. */
    const char *listed[2] = {"/chatter", topic};
    rdds_filter f = {
        .all = fl & 1,
        .topics = listed,
        .ntopics = (fl >> 1) & 1 ? 2 : 0,
        .regex = (fl >> 2) & 1 ? patterns[(fl >> 5) % 5] : NULL,
        .exclude = (fl >> 3) & 1 ? patterns[((fl >> 5) + 2) % 5] : NULL,
        .include_dds = (fl >> 4) & 1,
        .include_hidden = (fl >> 7) & 1,
    };
    rdds_matcher m;
    char err[256];
    CHECK(rdds_matcher_init(&m, &f, err, sizeof err) == 0);
    rdds_selection sel;
    rdds_matcher_select(&m, topic, type, &sel);
    rdds_matcher_fini(&m);
    CHECK(sel.selected == 0 || sel.selected == 1);
    CHECK(strnlen(sel.name, sizeof sel.name) < sizeof sel.name);
    CHECK(strnlen(sel.type, sizeof sel.type) < sizeof sel.type);
    if (strncmp(topic, "DCPS", 4) == 0) CHECK(!sel.selected);
    if (sel.selected && sel.is_ros) {
        CHECK(sel.name[0] == '/' && strchr(sel.type, '/') != NULL && strchr(sel.type, ':') == NULL);
    }
    if (sel.selected && !sel.is_ros) {
        CHECK(strcmp(sel.name, topic) == 0 && strcmp(sel.type, type) == 0);
        CHECK(f.include_dds || strcmp(topic, RDDS_DISCOVERY_INFO) == 0);
    }
    if (sel.selected && !f.all && !f.regex) CHECK(f.ntopics > 0);

    /* Publishers' QoS from the rest of the input. */
    rdds_pub_qos pubs[PUBS_MAX];
    size_t n = 0;
    for (; n < PUBS_MAX && end - p >= 24; n++, p += 24) {
        pubs[n] = (rdds_pub_qos){
            .reliable = p[0] & 1,
            .transient_local = (p[0] >> 1) & 1,
            .keep_all = (p[0] >> 2) & 1,
            .liveliness = (int8_t)p[1],
            .depth = (int32_t)((uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5]),
            .deadline_ns = get64(p + 6),
            .lifespan_ns = get64(p + 14),
            .lease_ns = (int64_t)((uint64_t)get64(p + 14) * 0x9e3779b97f4a7c15u),
        };
    }
    if (n > 0) {
        rdds_reader_qos q;
        rdds_qos_adapt(pubs, n, &q);
        size_t rel = 0, tl = 0;
        for (size_t i = 0; i < n; i++) {
            rel += pubs[i].reliable;
            tl += pubs[i].transient_local;
            if (!pubs[i].keep_all) CHECK(q.depth >= pubs[i].depth);
        }
        CHECK(q.reliable == (rel == n) && q.transient_local == (tl == n));
        CHECK(q.keep_all == q.reliable && q.depth >= RDDS_MIN_BE_DEPTH);
        CHECK(!rdds_qos_needs_new_reader(&q, &q));
        rdds_reader_qos deeper = q;
        if (deeper.depth < INT32_MAX) deeper.depth++;
        CHECK(rdds_qos_needs_new_reader(&q, &deeper) == (!q.keep_all && deeper.depth > q.depth));
    }
    char *yaml = rdds_qos_yaml(pubs, n, fl & 1);
    CHECK(yaml != NULL);
    size_t items = 0, len = strlen(yaml);
    for (const char *l = yaml; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        items += strncmp(l, "- history: ", 11) == 0;
    CHECK(items == n);
    CHECK(len == 0 || yaml[len - 1] != '\n');
    CHECK(n > 0 || len == 0);
    free(yaml);

    free(names[0]);
    free(names[1]);
    return 0;
}
