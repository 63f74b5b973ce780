/* helper_rdds_nodes_pub — plays a ROS 2 node for rdds's node-name test: a std_msgs/String writer
 * plus a raw ros_discovery_info sample saying which node owns that writer, as rmw does.
 *
 * usage: helper_rdds_nodes_pub --topic DDS_NAME --ns NS --node NAME [--gid 16|24] [--be]
 *                              [--count N] [--go-file PATH] [--match-timeout SEC]
 * Domain from ROS_DOMAIN_ID. Order: create the String writer (its GUID is the GID to announce),
 * publish ParticipantEntitiesInfo {participant GID, [{NS, NAME, readers [], writers [that GID]}]}
 * (transient-local, reliable; GID 16 bytes as in Jazzy or 24 as in Humble, little endian unless
 * --be), wait until a reader matched and acknowledged it, then wait for a String reader and
 * publish N messages "node i", wait for their acknowledgements, print "sent N". With --go-file,
 * then wait (up to 30 s) for PATH to exist and publish N more the same way: a test can split the
 * recording in between, so the second segment's channel opens after the node list surely
 * arrived. Exit 0; 3 ("nomatch") when no reader comes within the timeout (default 30 s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dds/dds.h>
#include <dds/ddsi/ddsi_serdata.h>

#include "common/rg_time.h"
#include "dds/rdds_sertype.h"
#include "rg_ros_types.h"

typedef struct cdr {
    unsigned char b[1024];
    size_t n;
    int be;
} cdr;

static void put_u32(cdr *c, uint32_t v) {
    while ((c->n - 4) % 4) c->b[c->n++] = 0;
    for (int i = 0; i < 4; i++) c->b[c->n++] = (unsigned char)(v >> (c->be ? 24 - 8 * i : 8 * i));
}

static void put_str(cdr *c, const char *s) {
    size_t l = strlen(s) + 1;
    put_u32(c, (uint32_t)l);
    memcpy(c->b + c->n, s, l);
    c->n += l;
}

static void put_gid(cdr *c, const dds_guid_t *g, unsigned size) {
    memset(c->b + c->n, 0, size);
    memcpy(c->b + c->n, g->v, 16);
    c->n += size;
}

/* Publish n messages "node i" from i = first + 1 and wait for their acknowledgements. */
static long publish(dds_entity_t wr, long first, long n) {
    long sent = 0;
    for (; sent < n; sent++) {
        char text[64];
        snprintf(text, sizeof text, "node %ld", first + sent + 1);
        std_msgs_msg_dds__String_ m = {.data = text};
        if (dds_write(wr, &m) < 0) break;
    }
    if (dds_wait_for_acks(wr, DDS_SECS(20)) < 0) fprintf(stderr, "helper_rdds_nodes_pub: acks timed out\n");
    printf("sent %ld\n", first + sent);
    return sent;
}

static int wait_match(dds_entity_t wr, double timeout) {
    int64_t deadline = rg_time_mono_ns() + (int64_t)(timeout * 1e9);
    for (;;) {
        dds_publication_matched_status_t st;
        if (dds_get_publication_matched_status(wr, &st) == 0 && st.current_count >= 1) return 0;
        if (rg_time_mono_ns() > deadline) return -1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv) {
    const char *topic = NULL, *ns = NULL, *node = NULL, *go = NULL;
    unsigned gid = 16;
    int be = 0;
    long count = 5;
    double match_timeout = 30;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--be") == 0) be = 1;
        else if (v == NULL) goto usage;
        else if (strcmp(a, "--topic") == 0) topic = argv[++i];
        else if (strcmp(a, "--ns") == 0) ns = argv[++i];
        else if (strcmp(a, "--node") == 0) node = argv[++i];
        else if (strcmp(a, "--gid") == 0) gid = (unsigned)atoi(argv[++i]);
        else if (strcmp(a, "--count") == 0) count = atol(argv[++i]);
        else if (strcmp(a, "--go-file") == 0) go = argv[++i];
        else if (strcmp(a, "--match-timeout") == 0) match_timeout = atof(argv[++i]);
        else goto usage;
    }
    if (topic == NULL || ns == NULL || node == NULL || (gid != 16 && gid != 24) || count <= 0) goto usage;
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *dom = getenv("ROS_DOMAIN_ID");
    dds_entity_t pp = dds_create_participant(dom ? (dds_domainid_t)atoi(dom) : 0, NULL, NULL);
    if (pp < 0) {
        fprintf(stderr, "helper_rdds_nodes_pub: participant: %s\n", dds_strretcode(pp));
        return 1;
    }
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
    dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 10);
    dds_entity_t tp = dds_create_topic(pp, &std_msgs_msg_dds__String__desc, topic, NULL, NULL);
    dds_entity_t wr = tp < 0 ? -1 : dds_create_writer(pp, tp, q, NULL);
    /* ros_discovery_info as rmw offers it: reliable, transient-local, keep-last 1. */
    struct ddsi_sertype *st = rdds_sertype_new("rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_", 0);
    dds_qset_durability(q, DDS_DURABILITY_TRANSIENT_LOCAL);
    dds_qset_history(q, DDS_HISTORY_KEEP_LAST, 1);
    dds_entity_t rtp = st ? dds_create_topic_sertype(pp, "ros_discovery_info", &st, NULL, NULL, NULL) : -1;
    dds_entity_t rwr = rtp < 0 ? -1 : dds_create_writer(pp, rtp, q, NULL);
    dds_delete_qos(q);
    dds_guid_t pg, wg;
    if (wr < 0 || rwr < 0 || dds_get_guid(pp, &pg) < 0 || dds_get_guid(wr, &wg) < 0) {
        fprintf(stderr, "helper_rdds_nodes_pub: writers failed\n");
        dds_delete(pp);
        return 1;
    }
    cdr c = {.n = 4, .be = be};
    c.b[1] = be ? 0x00 : 0x01;
    put_gid(&c, &pg, gid);
    put_u32(&c, 1);
    put_str(&c, ns);
    put_str(&c, node);
    put_u32(&c, 0);
    put_u32(&c, 1);
    put_gid(&c, &wg, gid);
    ddsrt_iovec_t iov = {.iov_base = c.b, .iov_len = (ddsrt_iov_len_t)c.n};
    struct ddsi_serdata *sd = ddsi_serdata_from_ser_iov(st, SDK_DATA, 1, &iov, c.n);
    if (sd == NULL || dds_writecdr(rwr, sd) < 0) {
        fprintf(stderr, "helper_rdds_nodes_pub: ros_discovery_info write failed\n");
        dds_delete(pp);
        return 1;
    }
    /* The node list reaches the recorder before any sample of the topic: acknowledged means in
     * its reader, which wakes its discovery thread at once. */
    if (wait_match(rwr, match_timeout) < 0 || wait_match(wr, match_timeout) < 0) {
        printf("nomatch\n");
        dds_delete(pp);
        return 3;
    }
    if (dds_wait_for_acks(rwr, DDS_SECS(20)) < 0) fprintf(stderr, "helper_rdds_nodes_pub: acks timed out\n");
    long sent = publish(wr, 0, count);
    if (go != NULL) {
        int64_t deadline = rg_time_mono_ns() + 30 * RG_NS_PER_S;
        while (access(go, F_OK) != 0 && rg_time_mono_ns() < deadline) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (access(go, F_OK) != 0) {
            fprintf(stderr, "helper_rdds_nodes_pub: no %s within 30 s\n", go);
            dds_delete(pp);
            return 1;
        }
        (void)publish(wr, sent, count);
    }
    dds_delete(pp);
    return 0;
usage:
    fprintf(stderr, "usage: helper_rdds_nodes_pub --topic DDS_NAME --ns NS --node NAME [--gid 16|24] [--be]\n"
                    "       [--count N] [--go-file PATH] [--match-timeout S]\n");
    return 2;
}
