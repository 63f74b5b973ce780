/* helper_rdds_sub — a tiny recorder front end for rdds's integration tests.
 *
 * usage: helper_rdds_sub [-a] [--regex RE] [--exclude RE] [--include-dds] [--include-hidden]
 *                        [--count N] [--timeout SEC] [TOPIC...]
 * Domain from ROS_DOMAIN_ID. Prints "ready" once subscribed to discovery, one line per on_topic
 * ("topic ID NAME TYPE dds=DDS_TOPIC ddstype=DDS_TYPE keyed=K ros=R pubs=N reliable=N"), and at
 * exit (after N samples in total, the timeout, SIGINT or SIGTERM) one JSON line with the counts:
 * {"total":T,"topics":{"NAME":{"count":C,"bytes":B,"type":"T","first_hex":"…"}}}.
 * Exit 0, or 1 when the session could not be opened.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/rg_time.h"
#include "dds/rdds.h"

#define MAX_TOPICS 256 /* topics this helper counts */
#define HEX_BYTES 48   /* bytes of the first sample kept for the JSON */

typedef struct tcount {
    atomic_ullong count;           /* samples */
    atomic_ullong bytes;           /* payload bytes */
    char name[256];                /* recorded name */
    char type[256];                /* recorded type */
    unsigned char first[HEX_BYTES]; /* first sample's leading bytes */
    atomic_int first_len;          /* bytes in first, -1 until set */
} tcount;

static tcount topics[MAX_TOPICS];
static atomic_uint ntopics;
static atomic_ullong total;
static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static int count_of(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static void on_topic(void *ctx, const rdds_topic *t) {
    (void)ctx;
    if (t->id >= MAX_TOPICS) return;
    tcount *c = &topics[t->id];
    snprintf(c->name, sizeof c->name, "%s", t->name);
    snprintf(c->type, sizeof c->type, "%s", t->type);
    unsigned n = atomic_load(&ntopics);
    while (n < t->id + 1 && !atomic_compare_exchange_weak(&ntopics, &n, t->id + 1)) {
    }
    printf("topic %u %s %s dds=%s ddstype=%s keyed=%d ros=%d pubs=%d reliable=%d\n", t->id, t->name, t->type,
           t->dds_topic, t->dds_type, t->keyed, t->is_ros, count_of(t->qos_yaml, "- history"),
           count_of(t->qos_yaml, "reliability: reliable"));
}

static void on_sample(void *ctx, uint32_t id, const void *data, size_t len, int64_t src, int64_t recv) {
    (void)ctx;
    (void)src;
    (void)recv;
    if (id >= MAX_TOPICS) return;
    tcount *c = &topics[id];
    int expect = -1;
    if (atomic_load(&c->first_len) == -1) {
        size_t n = len < HEX_BYTES ? len : HEX_BYTES;
        memcpy(c->first, data, n);
        atomic_compare_exchange_strong(&c->first_len, &expect, (int)n);
    }
    atomic_fetch_add(&c->count, 1);
    atomic_fetch_add(&c->bytes, len);
    atomic_fetch_add(&total, 1);
}

static void on_error(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "helper_rdds_sub: %s\n", msg);
}

int main(int argc, char **argv) {
    rdds_filter f = {0};
    const char **names = calloc((size_t)argc, sizeof *names);
    unsigned long long want = 0;
    double timeout = 30;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-a") == 0) f.all = 1;
        else if (strcmp(argv[i], "--regex") == 0 && i + 1 < argc) f.regex = argv[++i];
        else if (strcmp(argv[i], "--exclude") == 0 && i + 1 < argc) f.exclude = argv[++i];
        else if (strcmp(argv[i], "--include-dds") == 0) f.include_dds = 1;
        else if (strcmp(argv[i], "--include-hidden") == 0) f.include_hidden = 1;
        else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) want = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) timeout = atof(argv[++i]);
        else names[f.ntopics++] = argv[i];
    }
    f.topics = names;
    for (int i = 0; i < MAX_TOPICS; i++) atomic_init(&topics[i].first_len, -1);
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    const char *dom = getenv("ROS_DOMAIN_ID");
    rdds_callbacks cb = {.ctx = NULL, .on_topic = on_topic, .on_sample = on_sample, .on_error = on_error};
    rdds_session *s;
    char err[256];
    if (rdds_session_open(&s, dom ? (uint32_t)atoi(dom) : 0, &f, &cb, err, sizeof err) < 0) {
        fprintf(stderr, "helper_rdds_sub: %s\n", err);
        free(names);
        return 1;
    }
    printf("ready\n");
    int64_t deadline = rg_time_mono_ns() + (int64_t)(timeout * 1e9);
    while (!stop && rg_time_mono_ns() < deadline && (want == 0 || atomic_load(&total) < want)) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    rdds_session_close(s);
    printf("{\"total\":%llu,\"topics\":{", (unsigned long long)atomic_load(&total));
    unsigned n = atomic_load(&ntopics);
    for (unsigned i = 0; i < n; i++) {
        tcount *c = &topics[i];
        printf("%s\"%s\":{\"count\":%llu,\"bytes\":%llu,\"type\":\"%s\",\"first_hex\":\"", i ? "," : "", c->name,
               (unsigned long long)atomic_load(&c->count), (unsigned long long)atomic_load(&c->bytes), c->type);
        int fl = atomic_load(&c->first_len);
        for (int k = 0; k < fl; k++) printf("%02x", c->first[k]);
        printf("\"}");
    }
    printf("}}\n");
    free(names);
    return 0;
}
