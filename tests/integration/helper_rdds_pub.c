/* helper_rdds_pub — a std_msgs/String publisher with chosen QoS for rdds's integration tests.
 *
 * usage: helper_rdds_pub --topic DDS_NAME [--prefix TEXT] [--count N] [--rate HZ] [--duration SEC]
 *                        [--best-effort] [--transient-local] [--depth N] [--partition P]...
 *                        [--min-match K] [--match-timeout SEC] [--linger SEC] [--xcdr2]
 *                        [--keep-all] [--pad BYTES] [--report-matched] [--user-data TEXT]
 * Domain from ROS_DOMAIN_ID. The DDS type is std_msgs::msg::dds_::String_ whatever the topic
 * name, so "rt/x" is a ROS topic and anything else a plain DDS topic. Message i (1-based) reads
 * "PREFIX i". Before publishing it waits until K readers matched (default 1, up to 30 s; prints "nomatch"
 * and exits 3 on timeout) and prints "matched reader reliable=R transient_local=T partitions=…"
 * per matched reader, after publishing it waits for acknowledgements when reliable, prints
 * "sent N", stays --linger seconds (transient-local history for late readers), and exits 0.
 * --xcdr2 makes the writer use XCDR2 encoding. SIGINT/SIGTERM stop publishing early (still exit 0).
 * --keep-all: reliable KEEP_ALL history and a 60 s max blocking time, the QoS that lets a reader
 * hold the writer back; every write that completes more than 200 ms after the previous one
 * prints "stall MS at N", and the end prints "max_stall_ms MS". --pad appends BYTES 'x's to
 * each message (fills the writer's unacknowledged-data limit sooner).
 * --report-matched prints "matched current=N total=M" whenever the matched-reader counts change
 * while publishing (total counts every reader that ever matched: a brief subscriber shows too).
 * --user-data sets the writer's USER_DATA QoS to TEXT's bytes (no NUL), as rmw announces its
 * type hash there ("typehash=RIHS01_<64 hex>;").
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dds/dds.h>

#include "common/rg_time.h"
#include "rg_ros_types.h"

#define MAX_PARTS 8 /* --partition values accepted */

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static void sleep_until(int64_t mono_ns) {
    struct timespec ts = {(time_t)(mono_ns / RG_NS_PER_S), (long)(mono_ns % RG_NS_PER_S)};
    (void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* One line per matched reader with the QoS it asked for: how a test sees rdds's adaptation. */
static void report_readers(dds_entity_t wr) {
    dds_instance_handle_t h[16];
    dds_return_t n = dds_get_matched_subscriptions(wr, h, 16);
    for (dds_return_t i = 0; i < n && i < 16; i++) {
        dds_builtintopic_endpoint_t *ep = dds_get_matched_subscription_data(wr, h[i]);
        if (ep == NULL) continue;
        dds_reliability_kind_t rk = DDS_RELIABILITY_BEST_EFFORT;
        dds_duration_t mbt;
        dds_durability_kind_t dk = DDS_DURABILITY_VOLATILE;
        uint32_t np = 0;
        char **ps = NULL;
        (void)dds_qget_reliability(ep->qos, &rk, &mbt);
        (void)dds_qget_durability(ep->qos, &dk);
        (void)dds_qget_partition(ep->qos, &np, &ps);
        printf("matched reader reliable=%d transient_local=%d partitions=", rk == DDS_RELIABILITY_RELIABLE,
               dk == DDS_DURABILITY_TRANSIENT_LOCAL);
        for (uint32_t k = 0; k < np; k++) {
            printf("%s'%s'", k ? "," : "", ps[k]);
            dds_free(ps[k]);
        }
        dds_free(ps);
        printf("\n");
        dds_builtintopic_free_endpoint(ep);
    }
}

int main(int argc, char **argv) {
    const char *topic = NULL, *prefix = "msg";
    const char *parts[MAX_PARTS];
    uint32_t nparts = 0;
    long long count = 0;
    double rate = 100, duration = 0, match_timeout = 30, linger = 0;
    int best_effort = 0, tl = 0, depth = 10, min_match = 1, xcdr2 = 0, keep_all = 0, pad = 0;
    int report_matched = 0;
    const char *user_data = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--best-effort") == 0) best_effort = 1;
        else if (strcmp(a, "--transient-local") == 0) tl = 1;
        else if (strcmp(a, "--xcdr2") == 0) xcdr2 = 1;
        else if (strcmp(a, "--keep-all") == 0) keep_all = 1;
        else if (strcmp(a, "--report-matched") == 0) report_matched = 1;
        else if (v == NULL) goto usage;
        else if (strcmp(a, "--topic") == 0) topic = argv[++i];
        else if (strcmp(a, "--prefix") == 0) prefix = argv[++i];
        else if (strcmp(a, "--count") == 0) count = atoll(argv[++i]);
        else if (strcmp(a, "--rate") == 0) rate = atof(argv[++i]);
        else if (strcmp(a, "--duration") == 0) duration = atof(argv[++i]);
        else if (strcmp(a, "--depth") == 0) depth = atoi(argv[++i]);
        else if (strcmp(a, "--pad") == 0) pad = atoi(argv[++i]);
        else if (strcmp(a, "--min-match") == 0) min_match = atoi(argv[++i]);
        else if (strcmp(a, "--match-timeout") == 0) match_timeout = atof(argv[++i]);
        else if (strcmp(a, "--linger") == 0) linger = atof(argv[++i]);
        else if (strcmp(a, "--partition") == 0 && nparts < MAX_PARTS) parts[nparts++] = argv[++i];
        else if (strcmp(a, "--user-data") == 0) user_data = argv[++i];
        else goto usage;
    }
    if (topic == NULL || rate <= 0 || (count <= 0 && duration <= 0) || pad < 0 || pad > 65536) goto usage;
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    const char *dom = getenv("ROS_DOMAIN_ID");
    dds_entity_t pp = dds_create_participant(dom ? (dds_domainid_t)atoi(dom) : 0, NULL, NULL);
    if (pp < 0) {
        fprintf(stderr, "helper_rdds_pub: participant: %s\n", dds_strretcode(pp));
        return 1;
    }
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, best_effort ? DDS_RELIABILITY_BEST_EFFORT : DDS_RELIABILITY_RELIABLE,
                         keep_all ? DDS_SECS(60) : DDS_MSECS(100));
    dds_qset_durability(q, tl ? DDS_DURABILITY_TRANSIENT_LOCAL : DDS_DURABILITY_VOLATILE);
    if (keep_all) dds_qset_history(q, DDS_HISTORY_KEEP_ALL, 0);
    else dds_qset_history(q, DDS_HISTORY_KEEP_LAST, depth);
    /* Cyclone keeps transient-local history per the durability-service history (default
     * keep-last 1), as rmw_cyclonedds also sets it: keep `depth` for late readers. */
    if (tl) dds_qset_durability_service(q, 0, DDS_HISTORY_KEEP_LAST, depth, DDS_LENGTH_UNLIMITED, DDS_LENGTH_UNLIMITED, DDS_LENGTH_UNLIMITED);
    if (user_data) dds_qset_userdata(q, user_data, strlen(user_data));
    if (xcdr2) dds_qset_data_representation(q, 1, (dds_data_representation_id_t[]){DDS_DATA_REPRESENTATION_XCDR2});
    dds_qos_t *pq = dds_create_qos();
    if (nparts > 0) dds_qset_partition(pq, nparts, parts);
    dds_entity_t tp = dds_create_topic(pp, &std_msgs_msg_dds__String__desc, topic, NULL, NULL);
    dds_entity_t pub = dds_create_publisher(pp, pq, NULL);
    dds_entity_t wr = tp < 0 || pub < 0 ? -1 : dds_create_writer(pub, tp, q, NULL);
    dds_delete_qos(q);
    dds_delete_qos(pq);
    if (wr < 0) {
        fprintf(stderr, "helper_rdds_pub: writer(%s) failed\n", topic);
        dds_delete(pp);
        return 1;
    }
    int64_t deadline = rg_time_mono_ns() + (int64_t)(match_timeout * 1e9);
    for (;;) {
        dds_publication_matched_status_t st;
        if (dds_get_publication_matched_status(wr, &st) == 0 && (int)st.current_count >= min_match) break;
        if (stop || rg_time_mono_ns() > deadline) {
            printf("nomatch\n");
            dds_delete(pp);
            return 3;
        }
        sleep_until(rg_time_mono_ns() + 10 * RG_NS_PER_MS);
    }
    report_readers(wr);
    int64_t period = (int64_t)(1e9 / rate), start = rg_time_mono_ns();
    int64_t end = duration > 0 ? start + (int64_t)(duration * 1e9) : INT64_MAX;
    long long sent = 0;
    int64_t last_done = start, max_stall = 0;
    char *text = malloc((size_t)pad + 128);
    if (!text) return 1;
    uint32_t last_cur = UINT32_MAX, last_tot = UINT32_MAX;
    while (!stop && (count <= 0 || sent < count) && rg_time_mono_ns() < end) {
        /* the padding goes first: the sequence number stays the string's trailing integer */
        memset(text, 'x', (size_t)pad);
        snprintf(text + pad, 128, "%s %lld", prefix, sent + 1);
        std_msgs_msg_dds__String_ m = {.data = text};
        if (dds_write(wr, &m) < 0) {
            fprintf(stderr, "helper_rdds_pub: write failed\n");
            break;
        }
        sent++;
        int64_t done = rg_time_mono_ns(), gap = done - last_done;
        last_done = done;
        if (keep_all && gap > 200 * RG_NS_PER_MS) {
            printf("stall %lld at %lld\n", (long long)(gap / RG_NS_PER_MS), sent);
            if (gap > max_stall) max_stall = gap;
        }
        dds_publication_matched_status_t ms;
        if (report_matched && dds_get_publication_matched_status(wr, &ms) == 0 &&
            (ms.current_count != last_cur || ms.total_count != last_tot)) {
            last_cur = ms.current_count;
            last_tot = ms.total_count;
            printf("matched current=%u total=%u\n", (unsigned)last_cur, (unsigned)last_tot);
            fflush(stdout);
        }
        sleep_until(start + sent * period);
    }
    if (!best_effort && dds_wait_for_acks(wr, DDS_SECS(20)) < 0) fprintf(stderr, "helper_rdds_pub: acks timed out\n");
    printf("sent %lld\n", sent);
    if (keep_all) printf("max_stall_ms %lld\n", (long long)(max_stall / RG_NS_PER_MS));
    free(text);
    if (linger > 0 && !stop) sleep_until(rg_time_mono_ns() + (int64_t)(linger * 1e9));
    dds_delete(pp);
    return 0;
usage:
    fprintf(stderr, "usage: helper_rdds_pub --topic DDS_NAME [--prefix T] [--count N] [--rate HZ] [--duration S]\n"
                    "       [--best-effort] [--transient-local] [--depth N] [--partition P]... [--min-match K]\n"
                    "       [--match-timeout S] [--linger S] [--xcdr2] [--keep-all] [--pad BYTES]\n"
                    "       [--report-matched] [--user-data TEXT]\n");
    return 2;
}
