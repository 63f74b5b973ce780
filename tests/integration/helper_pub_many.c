/* helper_pub_many — N std_msgs/String topics from one participant, each at the same rate, for
 * the rate monitor's benchmarks (bench/bench_hz.sh): monitor CPU per topic, 1000 topics recorded.
 * With --image WxH the topics are sensor_msgs/Image instead (rgb8, W x H pixels, the camera
 * benchmark bench/bench_camera.sh): message K of a topic has header.stamp = the time of writing,
 * frame_id "camera", data[0..7] = K (little-endian) and the rest a fixed byte pattern.
 *
 * usage: helper_pub_many --topics N [--rate HZ] [--count K] [--duration SEC] [--prefix P]
 *                        [--size BYTES] [--min-match K] [--image WxH]
 * Topics are rt<P>NNNN ("/bench/t0000"...), reliable keep-all, so a recorder that keeps up
 * loses nothing. Messages go out round-robin, one topic after the other, at N x HZ in total;
 * it stops after K messages per topic (0 = no limit) or SEC seconds, waits for the readers'
 * acknowledgements, prints "sent K per topic, T total in S s" (S: first to last message) and
 * exits 0. SIGINT/SIGTERM stop early.
 * Domain from ROS_DOMAIN_ID. Prints "ready" once every writer exists; with --min-match K it then
 * waits (up to 120 s) until every writer has K matched readers and prints "matched after S s"
 * (how long discovery took for all of them) before the first message.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dds/dds.h>

#include "common/rg_time.h"
#include "rg_ros_types.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv) {
    long n = 0, count = 0, size = 16, min_match = 0;
    double rate = 10, duration = 0;
    const char *prefix = "/bench/t";
    unsigned img_w = 0, img_h = 0;
    if (argc % 2 == 0) goto usage; /* options come in pairs */
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--topics") == 0) n = atol(v);
        else if (strcmp(a, "--rate") == 0) rate = atof(v);
        else if (strcmp(a, "--count") == 0) count = atol(v);
        else if (strcmp(a, "--duration") == 0) duration = atof(v);
        else if (strcmp(a, "--prefix") == 0) prefix = v;
        else if (strcmp(a, "--size") == 0) size = atol(v);
        else if (strcmp(a, "--min-match") == 0) min_match = atol(v);
        else if (strcmp(a, "--image") == 0) {
            if (sscanf(v, "%ux%u", &img_w, &img_h) != 2 || img_w == 0 || img_h == 0 || img_w > 8192 || img_h > 8192) goto usage;
        }
        else goto usage;
    }
    if (n <= 0 || n > 100000 || !(rate > 0) || size < 1 || size > (1 << 20)) goto usage;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    const char *dom = getenv("ROS_DOMAIN_ID");
    dds_entity_t pp = dds_create_participant(dom ? (dds_domainid_t)atoi(dom) : 0, NULL, NULL);
    if (pp < 0) {
        fprintf(stderr, "helper_pub_many: participant: %s\n", dds_strretcode(pp));
        return 1;
    }
    dds_qos_t *q = dds_create_qos();
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, DDS_SECS(1));
    dds_qset_history(q, DDS_HISTORY_KEEP_ALL, 0);
    dds_entity_t *wr = calloc((size_t)n, sizeof *wr);
    char *text = malloc((size_t)size + 1);
    size_t img_len = (size_t)img_w * 3 * img_h;
    uint8_t *img = img_len ? malloc(img_len) : NULL;
    if (!wr || !text || (img_len && !img)) return 1;
    memset(text, 'x', (size_t)size);
    text[size] = '\0';
    for (size_t i = 0; i < img_len; i++) img[i] = (uint8_t)(i * 7 + i / 4099);
    const dds_topic_descriptor_t *desc = img ? &sensor_msgs_msg_dds__Image__desc : &std_msgs_msg_dds__String__desc;
    for (long i = 0; i < n; i++) {
        char name[256];
        snprintf(name, sizeof name, "rt%s%04ld", prefix, i);
        dds_entity_t tp = dds_create_topic(pp, desc, name, NULL, NULL);
        wr[i] = tp < 0 ? tp : dds_create_writer(pp, tp, q, NULL);
        if (wr[i] < 0) {
            fprintf(stderr, "helper_pub_many: writer(%s): %s\n", name, dds_strretcode(wr[i]));
            return 1;
        }
    }
    dds_delete_qos(q);
    printf("ready\n");
    fflush(stdout);
    int64_t t_ready = rg_time_mono_ns();
    for (long i = 0; i < n && min_match > 0 && !stop; i++) {
        dds_publication_matched_status_t st;
        while (!stop && (dds_get_publication_matched_status(wr[i], &st) < 0 || (long)st.current_count < min_match)) {
            if (rg_time_mono_ns() - t_ready > 120 * RG_NS_PER_S) {
                printf("nomatch %ld\n", i);
                return 3;
            }
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    if (min_match > 0) {
        printf("matched after %.3f s\n", (double)(rg_time_mono_ns() - t_ready) / 1e9);
        fflush(stdout);
    }
    int64_t period = (int64_t)(1e9 / (rate * (double)n)), start = rg_time_mono_ns();
    int64_t end = duration > 0 ? start + (int64_t)(duration * 1e9) : INT64_MAX;
    long long sent = 0;
    while (!stop && (count <= 0 || sent < count * n) && rg_time_mono_ns() < end) {
        dds_return_t wrc;
        if (img) {
            uint64_t k = (uint64_t)(sent / n) + 1;
            for (int b = 0; b < 8; b++) img[b] = (uint8_t)(k >> (8 * b));
            int64_t now = rg_time_real_ns();
            sensor_msgs_msg_dds__Image_ m = {
                .header = {.stamp = {(int32_t)(now / RG_NS_PER_S), (uint32_t)(now % RG_NS_PER_S)}, .frame_id = "camera"},
                .height = img_h,
                .width = img_w,
                .encoding = "rgb8",
                .step = img_w * 3,
                .data = {._maximum = (uint32_t)img_len, ._length = (uint32_t)img_len, ._buffer = img, ._release = false},
            };
            wrc = dds_write(wr[sent % n], &m);
        } else {
            std_msgs_msg_dds__String_ m = {.data = text};
            wrc = dds_write(wr[sent % n], &m);
        }
        if (wrc < 0) {
            fprintf(stderr, "helper_pub_many: write failed: %s\n", dds_strretcode(wrc));
            break;
        }
        sent++;
        int64_t due = start + sent * period;
        struct timespec ts = {(time_t)(due / RG_NS_PER_S), (long)(due % RG_NS_PER_S)};
        if (due > rg_time_mono_ns()) (void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    double secs = (double)(rg_time_mono_ns() - start) / 1e9;
    for (long i = 0; i < n; i++) (void)dds_wait_for_acks(wr[i], DDS_SECS(10));
    printf("sent %lld per topic, %lld total in %.3f s\n", sent / n, sent, secs);
    dds_delete(pp);
    free(wr);
    free(text);
    free(img);
    return 0;
usage:
    fprintf(stderr, "usage: helper_pub_many --topics N [--rate HZ] [--count K] [--duration SEC] "
                    "[--prefix P] [--size BYTES] [--min-match K] [--image WxH]\n");
    return 2;
}
