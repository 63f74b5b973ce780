/* cli_demo — `recguard demo`: publish ROS 2-typed demo traffic with compiled types.
 *
 * usage: recguard demo [--rate-scale X] [--duration SEC] [--count N]
 * Domain from ROS_DOMAIN_ID. Topics follow rmw_cyclonedds' conventions exactly (rt/<name>,
 * <pkg>::msg::dds_::<Type>_), so any ROS 2 tool or recorder sees them as ROS topics; the types
 * come from src/dds/idl/rg_ros_types.idl through idlc, the matching .msg files are in msgs/.
 *
 *   /chatter            std_msgs/msg/String      10 Hz  "hello N"           reliable keep-last 10
 *   /imu                sensor_msgs/msg/Imu     200 Hz  header + values     best effort keep-last 5
 *   /camera/image_raw   sensor_msgs/msg/Image     5 Hz  640x480 rgb8        reliable keep-last 10
 *   /seq                recguard_msgs/msg/Sequence 100 Hz seq 1,2,3…       reliable keep-last 10
 *
 * Message N (1-based, per topic) carries N where a test can check it: "hello N", Imu
 * angular_velocity.z = N / 1000, Image data[0] = N mod 256 (row r holds (N + r) mod 256),
 * Sequence seq = N and payload = 64 bytes of N mod 256.
 *
 * --count N stops after N messages per topic: reliable writers keep all (not the last 10), it
 * first waits (up to 10 s) until every writer has a matched reader, so a recorder started
 * before the demo sees every message, and at the end waits for every reliable message to be
 * acknowledged before exiting 0 (1 if that times out).
 * SIGINT / SIGTERM stop cleanly (exit 0). Exit 2 on a bad command line.
 */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dds/dds.h>

#include "common/rg_num.h"
#include "common/rg_time.h"
#include "dds/rdds.h"
#include "rg_ros_types.h"

#define DEMO_IMG_W 640                    /* image width, pixels */
#define DEMO_IMG_H 480                    /* image height, rows */
#define DEMO_IMG_STEP (DEMO_IMG_W * 3)    /* rgb8 row length, bytes */
#define DEMO_SEQ_PAYLOAD 64               /* Sequence payload bytes */
#define DEMO_MATCH_WAIT_NS (10 * RG_NS_PER_S) /* --count: wait this long for readers */
#define DEMO_ACK_WAIT DDS_SECS(30)        /* --count: wait this long for acknowledgements */

typedef enum demo_kind { DEMO_CHATTER, DEMO_IMU, DEMO_IMAGE, DEMO_SEQ, DEMO__COUNT } demo_kind;

typedef struct demo_topic {
    const char *name;                  /* ROS name */
    const char *type;                  /* ROS type */
    const char *dds_name;              /* DDS topic name */
    const dds_topic_descriptor_t *desc; /* compiled type */
    double hz;                         /* nominal rate before --rate-scale */
    int reliable;                      /* 1: reliable (ROS default), 0: best effort (sensor data) */
    int depth;                         /* keep-last depth */
    dds_entity_t wr;                   /* writer */
    uint64_t sent;                     /* messages written */
    int64_t period_ns;                 /* scaled period */
    int64_t next_ns;                   /* monotonic time of the next message */
} demo_topic;

static volatile sig_atomic_t demo_stop;

static void demo_on_signal(int sig) {
    (void)sig;
    demo_stop = 1;
}

static void demo_usage(FILE *out) {
    fprintf(out, "usage: recguard demo [--rate-scale X] [--duration SEC] [--count N]\n"
                 "  publish ROS 2 demo topics on ROS_DOMAIN_ID: /chatter, /imu, /camera/image_raw, /seq\n"
                 "  --rate-scale X   multiply every rate by X (> 0)\n"
                 "  --duration SEC   stop after SEC seconds\n"
                 "  --count N        stop after N messages per topic, once reliable ones are acknowledged\n");
}

static builtin_interfaces_msg_dds__Time_ demo_stamp(int64_t real_ns) {
    builtin_interfaces_msg_dds__Time_ t = {(int32_t)(real_ns / RG_NS_PER_S), (uint32_t)(real_ns % RG_NS_PER_S)};
    return t;
}

static dds_return_t demo_publish(demo_topic *t, demo_kind k, uint8_t *image, uint8_t *payload) {
    uint64_t n = t->sent + 1;
    int64_t now = rg_time_real_ns();
    switch (k) {
    case DEMO_CHATTER: {
        char text[32];
        snprintf(text, sizeof text, "hello %llu", (unsigned long long)n);
        std_msgs_msg_dds__String_ m = {.data = text};
        return dds_write(t->wr, &m);
    }
    case DEMO_IMU: {
        sensor_msgs_msg_dds__Imu_ m;
        memset(&m, 0, sizeof m);
        m.header.stamp = demo_stamp(now);
        m.header.frame_id = "imu_link";
        m.orientation.w = 1.0;
        m.orientation_covariance[0] = 0.01;
        m.angular_velocity.z = (double)n / 1000.0;
        m.linear_acceleration.z = 9.81;
        return dds_write(t->wr, &m);
    }
    case DEMO_IMAGE: {
        for (int r = 0; r < DEMO_IMG_H; r++) memset(image + (size_t)r * DEMO_IMG_STEP, (int)((n + (uint64_t)r) & 0xff), DEMO_IMG_STEP);
        sensor_msgs_msg_dds__Image_ m = {
            .header = {.stamp = demo_stamp(now), .frame_id = "camera_optical_frame"},
            .height = DEMO_IMG_H,
            .width = DEMO_IMG_W,
            .encoding = "rgb8",
            .is_bigendian = 0,
            .step = DEMO_IMG_STEP,
            .data = {._maximum = DEMO_IMG_STEP * DEMO_IMG_H, ._length = DEMO_IMG_STEP * DEMO_IMG_H, ._buffer = image, ._release = false},
        };
        return dds_write(t->wr, &m);
    }
    case DEMO_SEQ: {
        memset(payload, (int)(n & 0xff), DEMO_SEQ_PAYLOAD);
        recguard_msgs_msg_dds__Sequence_ m = {
            .seq = n,
            .stamp = demo_stamp(now),
            .payload = {._maximum = DEMO_SEQ_PAYLOAD, ._length = DEMO_SEQ_PAYLOAD, ._buffer = payload, ._release = false},
        };
        return dds_write(t->wr, &m);
    }
    default:
        return DDS_RETCODE_BAD_PARAMETER;
    }
}

/* --count: wait until every writer has a reader, so nothing is published into the void. */
static int demo_wait_readers(demo_topic *topics) {
    int64_t deadline = rg_time_mono_ns() + DEMO_MATCH_WAIT_NS;
    for (;;) {
        int all = 1;
        for (int k = 0; k < DEMO__COUNT; k++) {
            dds_publication_matched_status_t st;
            if (dds_get_publication_matched_status(topics[k].wr, &st) < 0 || st.current_count == 0) all = 0;
        }
        if (all) return 1;
        if (demo_stop || rg_time_mono_ns() > deadline) return 0;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* 0, 1 for --help, -1 for a bad command line (said why on stderr). */
static int demo_args(int argc, char **argv, double *scale, double *duration, unsigned long long *count) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return 1;
        const char *want = NULL;
        if (strcmp(a, "--rate-scale") == 0) want = "a number > 0";
        else if (strcmp(a, "--duration") == 0) want = "seconds > 0";
        else if (strcmp(a, "--count") == 0) want = "a whole number > 0";
        if (!want) {
            fprintf(stderr, "recguard demo: unknown option '%s'\n", a);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "recguard demo: %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        uint64_t n;
        int rc;
        if (strcmp(a, "--count") == 0) {
            rc = rg_num_u64(v, 1, UINT64_MAX, &n);
            *count = n;
        } else {
            double *dst = strcmp(a, "--duration") == 0 ? duration : scale;
            rc = rg_num_double(v, 0, 1e9, dst);
            if (rc == 0 && !(*dst > 0)) rc = -ERANGE;
        }
        if (rc < 0) {
            fprintf(stderr, "recguard demo: %s '%s': expected %s\n", a, v, want);
            return -1;
        }
    }
    return 0;
}

int cli_demo_main(int argc, char **argv) {
    double scale = 1.0, duration = 0;
    unsigned long long count = 0;
    int pa = demo_args(argc, argv, &scale, &duration, &count);
    if (pa != 0) {
        demo_usage(pa > 0 ? stdout : stderr);
        return pa > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }

    demo_topic topics[DEMO__COUNT] = {
        [DEMO_CHATTER] = {"/chatter", "std_msgs/msg/String", "rt/chatter", &std_msgs_msg_dds__String__desc, 10, 1, 10, 0, 0, 0, 0},
        [DEMO_IMU] = {"/imu", "sensor_msgs/msg/Imu", "rt/imu", &sensor_msgs_msg_dds__Imu__desc, 200, 0, 5, 0, 0, 0, 0},
        [DEMO_IMAGE] = {"/camera/image_raw", "sensor_msgs/msg/Image", "rt/camera/image_raw", &sensor_msgs_msg_dds__Image__desc, 5, 1, 10, 0, 0, 0, 0},
        [DEMO_SEQ] = {"/seq", "recguard_msgs/msg/Sequence", "rt/seq", &recguard_msgs_msg_dds__Sequence__desc, 100, 1, 10, 0, 0, 0, 0},
    };
    uint32_t domain;
    char derr[96];
    if (rdds_domain_from_env(&domain, derr, sizeof derr) < 0) {
        fprintf(stderr, "recguard demo: %s\n", derr);
        return CLI_EXIT_USAGE;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = demo_on_signal; /* no SA_RESTART: a signal ends the sleep at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int rc = CLI_EXIT_FAIL;
    uint8_t *image = malloc((size_t)DEMO_IMG_STEP * DEMO_IMG_H);
    uint8_t payload[DEMO_SEQ_PAYLOAD];
    dds_entity_t pp = dds_create_participant((dds_domainid_t)domain, NULL, NULL);
    if (image == NULL || pp < 0) {
        fprintf(stderr, "recguard demo: participant(domain %u): %s\n", (unsigned)domain,
                image == NULL ? "out of memory" : dds_strretcode(pp));
        goto out;
    }
    for (int k = 0; k < DEMO__COUNT; k++) {
        demo_topic *t = &topics[k];
        dds_qos_t *q = dds_create_qos();
        /* --count promises every reliable message to a matched reader. A keep-last writer
         * overwrites samples a slow reader has not acknowledged yet (ROS's default QoS loses
         * data on a loaded machine, by design), so a counting run keeps all and waits instead. */
        int keep_all = count > 0 && t->reliable;
        dds_qset_reliability(q, t->reliable ? DDS_RELIABILITY_RELIABLE : DDS_RELIABILITY_BEST_EFFORT,
                             keep_all ? DEMO_ACK_WAIT : DDS_MSECS(100));
        dds_qset_durability(q, DDS_DURABILITY_VOLATILE);
        dds_qset_history(q, keep_all ? DDS_HISTORY_KEEP_ALL : DDS_HISTORY_KEEP_LAST, t->depth);
        dds_entity_t tp = dds_create_topic(pp, t->desc, t->dds_name, q, NULL);
        t->wr = tp < 0 ? tp : dds_create_writer(pp, tp, q, NULL);
        dds_delete_qos(q);
        if (t->wr < 0) {
            fprintf(stderr, "recguard demo: writer(%s): %s\n", t->dds_name, dds_strretcode(t->wr));
            goto out;
        }
        t->period_ns = (int64_t)(1e9 / (t->hz * scale));
        if (t->period_ns < 1) t->period_ns = 1;
        if (count > 0 && t->reliable)
            printf("publishing %-18s %-27s on %-20s at %g Hz, reliable keep-all\n", t->name, t->type,
                   t->dds_name, t->hz * scale);
        else
            printf("publishing %-18s %-27s on %-20s at %g Hz, %s keep-last %d\n", t->name, t->type,
                   t->dds_name, t->hz * scale, t->reliable ? "reliable" : "best-effort", t->depth);
    }
    fflush(stdout);
    if (count > 0 && !demo_wait_readers(topics) && !demo_stop)
        fprintf(stderr, "recguard demo: no reader on some topics after 10 s; publishing anyway\n");

    int64_t start = rg_time_mono_ns();
    int64_t end = duration > 0 ? start + (int64_t)(duration * 1e9) : INT64_MAX;
    for (int k = 0; k < DEMO__COUNT; k++) topics[k].next_ns = start;
    while (!demo_stop) {
        int64_t now = rg_time_mono_ns();
        if (now >= end) break;
        int64_t next = end;
        int active = 0;
        for (int k = 0; k < DEMO__COUNT; k++) {
            demo_topic *t = &topics[k];
            if (count > 0 && t->sent >= count) continue;
            if (t->next_ns <= now) {
                dds_return_t w = demo_publish(t, (demo_kind)k, image, payload);
                if (w < 0) {
                    fprintf(stderr, "recguard demo: write(%s): %s\n", t->dds_name, dds_strretcode(w));
                    goto out;
                }
                t->sent++;
                t->next_ns += t->period_ns;
                /* After a stall (a stopped process, a slow write) do not burst to catch up. */
                if (t->next_ns < now - t->period_ns) t->next_ns = now;
                if (count > 0 && t->sent >= count) continue;
            }
            active = 1;
            if (t->next_ns < next) next = t->next_ns;
        }
        if (!active) break;
        if (next > rg_time_mono_ns()) {
            struct timespec ts = {(time_t)(next / RG_NS_PER_S), (long)(next % RG_NS_PER_S)};
            (void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        }
    }
    rc = CLI_EXIT_OK;
    if (count > 0 && !demo_stop) {
        for (int k = 0; k < DEMO__COUNT; k++) {
            if (!topics[k].reliable) continue;
            dds_return_t a = dds_wait_for_acks(topics[k].wr, DEMO_ACK_WAIT);
            if (a < 0) {
                fprintf(stderr, "recguard demo: acknowledgements(%s): %s\n", topics[k].dds_name, dds_strretcode(a));
                rc = CLI_EXIT_FAIL;
            }
        }
    }
    printf("sent:");
    for (int k = 0; k < DEMO__COUNT; k++) printf(" %s=%llu", topics[k].name, (unsigned long long)topics[k].sent);
    printf("\n");
out:
    if (pp > 0) dds_delete(pp);
    free(image);
    return rc;
}
