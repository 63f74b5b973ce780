/* helper_rdds_sub — a tiny recorder front end for rdds's integration tests.
 *
 * usage: helper_rdds_sub [-a] [--regex RE] [--exclude RE] [--include-dds] [--include-hidden]
 *                        [--count N] [--expect NAME=N]... [--linger SEC] [--timeout SEC]
 *                        [--progress FILE] [--dump DIR] [TOPIC...]
 * Domain from ROS_DOMAIN_ID. Prints "ready" once subscribed to discovery, one line per on_topic
 * ("topic ID NAME TYPE dds=DDS_TOPIC ddstype=DDS_TYPE keyed=K ros=R pubs=N reliable=N"), and at
 * exit (after N samples in total, or once every --expect'ed topic has its N samples and a further
 * --linger seconds (default 0.3) brought no surprise, the timeout, SIGINT or SIGTERM) one JSON
 * line with the counts:
 * {"total":T,"topics":{"NAME":{"count":C,"bytes":B,"type":"T","first_hex":"…",
 *   "seq_min":a,"seq_max":b,"by_prefix":{"A":n,…}}}}
 * seq_min/max: the sequence numbers of ddsperf's KeyedSeq samples (uint32 after the CDR header);
 * by_prefix: std_msgs/String samples counted by the first character of their text.
 * --progress FILE: the same JSON, rewritten every 100 ms while running.
 * --dump DIR: each topic's first sample, complete, in DIR/<topic id>.cdr.
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
#define MAX_EXPECT 16  /* --expect options */

typedef struct tcount {
    atomic_ullong count;           /* samples */
    atomic_ullong bytes;           /* payload bytes */
    char name[256];                /* recorded name */
    char type[256];                /* recorded type */
    unsigned char first[HEX_BYTES]; /* first sample's leading bytes */
    atomic_int first_len;          /* bytes in first, -1 until set */
    atomic_uint seq_min, seq_max;  /* KeyedSeq sequence numbers seen (min starts at UINT32_MAX) */
    atomic_ullong by_prefix[128];  /* String samples by first character */
} tcount;

typedef struct expect {
    const char *name;              /* recorded topic name */
    unsigned long long n;          /* samples expected */
} expect;

static tcount topics[MAX_TOPICS];
static atomic_uint ntopics;
static atomic_ullong total;
static volatile sig_atomic_t stop;
static const char *dump_dir; /* --dump: where each topic's first sample goes */

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
    if (c->name[0] == '\0') { /* later calls (QoS updates) may race with on_sample: write once */
        snprintf(c->name, sizeof c->name, "%s", t->name);
        snprintf(c->type, sizeof c->type, "%s", t->type);
    }
    unsigned n = atomic_load(&ntopics);
    while (n < t->id + 1 && !atomic_compare_exchange_weak(&ntopics, &n, t->id + 1)) {
    }
    printf("topic %u %s %s dds=%s ddstype=%s keyed=%d ros=%d pubs=%d reliable=%d\n", t->id, t->name, t->type,
           t->dds_topic, t->dds_type, t->keyed, t->is_ros, count_of(t->qos_yaml, "- history"),
           count_of(t->qos_yaml, "reliability: reliable"));
}

static void on_sample(void *ctx, uint32_t id, const void *data, size_t len, int64_t src, int64_t recv,
                      const rdds_origin *origin) {
    (void)ctx;
    (void)origin;
    (void)src;
    (void)recv;
    if (id >= MAX_TOPICS) return;
    tcount *c = &topics[id];
    int expect = -1;
    if (atomic_load(&c->first_len) == -1) {
        size_t n = len < HEX_BYTES ? len : HEX_BYTES;
        memcpy(c->first, data, n);
        if (atomic_compare_exchange_strong(&c->first_len, &expect, (int)n) && dump_dir != NULL) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%u.cdr", dump_dir, id);
            FILE *f = fopen(path, "we");
            if (f != NULL) {
                fwrite(data, 1, len, f);
                fclose(f);
            }
        }
    }
    if (strcmp(c->type, "KeyedSeq") == 0 && len >= 8) {
        uint32_t seq;
        memcpy(&seq, (const char *)data + 4, 4); /* CDR little endian, as the header says here */
        unsigned v = atomic_load(&c->seq_min);
        while (seq < v && !atomic_compare_exchange_weak(&c->seq_min, &v, seq)) {
        }
        v = atomic_load(&c->seq_max);
        while (seq > v && !atomic_compare_exchange_weak(&c->seq_max, &v, seq)) {
        }
    }
    if (strcmp(c->type, "std_msgs/msg/String") == 0 && len > 8) {
        unsigned char ch = ((const unsigned char *)data)[8];
        if (ch < 128) atomic_fetch_add(&c->by_prefix[ch], 1);
    }
    atomic_fetch_add(&c->count, 1);
    atomic_fetch_add(&c->bytes, len);
    atomic_fetch_add(&total, 1);
}

static void on_error(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "helper_rdds_sub: %s\n", msg);
}

static void dump_json(FILE *out) {
    fprintf(out, "{\"total\":%llu,\"topics\":{", (unsigned long long)atomic_load(&total));
    unsigned n = atomic_load(&ntopics);
    for (unsigned i = 0; i < n; i++) {
        tcount *c = &topics[i];
        fprintf(out, "%s\"%s\":{\"count\":%llu,\"bytes\":%llu,\"type\":\"%s\",\"first_hex\":\"", i ? "," : "", c->name,
               (unsigned long long)atomic_load(&c->count), (unsigned long long)atomic_load(&c->bytes), c->type);
        int fl = atomic_load(&c->first_len);
        for (int k = 0; k < fl; k++) fprintf(out, "%02x", c->first[k]);
        fprintf(out, "\"");
        if (atomic_load(&c->seq_min) != UINT32_MAX)
            fprintf(out, ",\"seq_min\":%u,\"seq_max\":%u", atomic_load(&c->seq_min), atomic_load(&c->seq_max));
        fprintf(out, ",\"by_prefix\":{");
        int first = 1;
        for (int ch = 33; ch < 127; ch++) {
            unsigned long long v = atomic_load(&c->by_prefix[ch]);
            if (v == 0 || ch == '"' || ch == '\\') continue;
            fprintf(out, "%s\"%c\":%llu", first ? "" : ",", ch, v);
            first = 0;
        }
        fprintf(out, "}}");
    }
    fprintf(out, "}}\n");
}

/* --progress: the counts so far, replaced atomically so a test can poll the file. */
static void write_progress(const char *path) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    if (f == NULL) return;
    dump_json(f);
    if (fclose(f) == 0) rename(tmp, path);
}

int main(int argc, char **argv) {
    rdds_filter f = {0};
    const char **names = calloc((size_t)argc, sizeof *names);
    unsigned long long want = 0;
    double timeout = 30, linger = 0.3;
    const char *progress = NULL;
    int64_t progress_at = 0;
    expect ex[MAX_EXPECT];
    size_t nex = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-a") == 0) f.all = 1;
        else if (strcmp(argv[i], "--regex") == 0 && i + 1 < argc) f.regex = argv[++i];
        else if (strcmp(argv[i], "--exclude") == 0 && i + 1 < argc) f.exclude = argv[++i];
        else if (strcmp(argv[i], "--include-dds") == 0) f.include_dds = 1;
        else if (strcmp(argv[i], "--include-hidden") == 0) f.include_hidden = 1;
        else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) want = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) timeout = atof(argv[++i]);
        else if (strcmp(argv[i], "--linger") == 0 && i + 1 < argc) linger = atof(argv[++i]);
        else if (strcmp(argv[i], "--progress") == 0 && i + 1 < argc) progress = argv[++i];
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) dump_dir = argv[++i];
        else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc && nex < MAX_EXPECT) {
            char *eq = strrchr(argv[++i], '=');
            if (eq == NULL) return 2;
            *eq = '\0';
            ex[nex].name = argv[i];
            ex[nex++].n = strtoull(eq + 1, NULL, 10);
        }
        else names[f.ntopics++] = argv[i];
    }
    f.topics = names;
    for (int i = 0; i < MAX_TOPICS; i++) {
        atomic_init(&topics[i].first_len, -1);
        atomic_init(&topics[i].seq_min, UINT32_MAX);
    }
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
    int64_t met_at = 0;
    while (!stop && rg_time_mono_ns() < deadline && (want == 0 || atomic_load(&total) < want)) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (progress != NULL && rg_time_mono_ns() - progress_at > 100 * RG_NS_PER_MS) {
            write_progress(progress);
            progress_at = rg_time_mono_ns();
        }
        if (nex == 0) continue;
        if (met_at != 0) {
            if (rg_time_mono_ns() - met_at > (int64_t)(linger * 1e9)) break;
            continue;
        }
        size_t met = 0;
        unsigned n = atomic_load(&ntopics);
        for (size_t e = 0; e < nex; e++)
            for (unsigned i = 0; i < n; i++)
                if (strcmp(topics[i].name, ex[e].name) == 0 && atomic_load(&topics[i].count) >= ex[e].n) met++;
        if (met == nex) met_at = rg_time_mono_ns();
    }
    rdds_session_close(s);
    dump_json(stdout);
    free(names);
    return 0;
}
