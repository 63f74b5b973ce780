/* web_metrics — Prometheus text exposition (see web_metrics.h). */
#include "web/web_metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* States in the order of docs/STATES.md; recguard_state has one series per state (1 = current),
 * the usual way to export an enum so `recguard_state{state="ERROR"} == 1` can alert. */
static const char *const states[] = {"IDLE", "STARTING", "RECORDING", "STOPPING", "RECOVERING", "ERROR"};

int web_metrics_verdict_level(const char *verdict) {
    if (!verdict) return -1;
    if (strcmp(verdict, "ok") == 0) return 0;
    if (strcmp(verdict, "warning") == 0) return 1;
    if (strcmp(verdict, "critical") == 0) return 2;
    return -1;
}

static void head(rg_buf *b, const char *name, const char *type, const char *help) {
    rg_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Prometheus sample values: integers print exactly, non-finite as +Inf/-Inf/NaN. */
static void value(rg_buf *b, double v) {
    if (isnan(v)) rg_buf_adds(b, "NaN\n");
    else if (isinf(v)) rg_buf_adds(b, v > 0 ? "+Inf\n" : "-Inf\n");
    else if (v == floor(v) && fabs(v) < 9e15) rg_buf_printf(b, "%.0f\n", v);
    else rg_buf_printf(b, "%.6g\n", v);
}

static void sample(rg_buf *b, const char *name, double v) {
    rg_buf_printf(b, "%s ", name);
    value(b, v);
}

/* A label value: backslash, double quote and newline escaped as the format demands. */
static void label(rg_buf *b, const char *name, const char *key, const char *val) {
    rg_buf_printf(b, "%s{%s=\"", name, key);
    for (const char *p = val; *p; p++) {
        if (*p == '\\') rg_buf_adds(b, "\\\\");
        else if (*p == '"') rg_buf_adds(b, "\\\"");
        else if (*p == '\n') rg_buf_adds(b, "\\n");
        else rg_buf_add(b, p, 1);
    }
    rg_buf_adds(b, "\"} ");
}

static double num(const json_t *o, const char *k, double dflt) {
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static void daemon_part(const web_metrics_in *in, rg_buf *b) {
    const json_t *st = in->status;
    const char *state = json_string_value(json_object_get(st, "state"));
    head(b, "recguard_daemon_up", "gauge", "1 when the dashboard server reaches the recguard daemon.");
    sample(b, "recguard_daemon_up", st ? 1 : 0);
    if (!st) return;
    head(b, "recguard_recorder_up", "gauge", "1 when a recorder process is running under the daemon.");
    sample(b, "recguard_recorder_up", num(st, "pid", 0) > 0 ? 1 : 0);
    /* redundancy: standby only: absent otherwise, so an alert on 0 never fires without one */
    const json_t *sb = json_object_get(st, "standby");
    if (json_is_object(sb)) {
        const char *s = json_string_value(json_object_get(sb, "state"));
        head(b, "recguard_standby_ready", "gauge", "1 when the hot standby recorder can take over at once.");
        sample(b, "recguard_standby_ready", s && strcmp(s, "ready") == 0 ? 1 : 0);
    }
    head(b, "recguard_state", "gauge", "The daemon's state: 1 for the current state, 0 for the others.");
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        label(b, "recguard_state", "state", states[i]);
        value(b, state && strcmp(state, states[i]) == 0 ? 1 : 0);
    }
    head(b, "recguard_restarts_total", "counter", "Recorder restarts after failures since the daemon started.");
    sample(b, "recguard_restarts_total", num(st, "restarts_total", 0));
    const json_t *h = json_object_get(st, "health");
    head(b, "recguard_health", "gauge", "Health verdict: 0 ok, 1 warning, 2 critical.");
    int lvl = web_metrics_verdict_level(json_string_value(json_object_get(h, "verdict")));
    sample(b, "recguard_health", lvl < 0 ? NAN : lvl);
    double rss = num(h, "rss_bytes", -1);
    if (rss >= 0) {
        head(b, "recguard_recorder_memory_bytes", "gauge", "Recorder resident memory (RSS).");
        sample(b, "recguard_recorder_memory_bytes", rss);
    }
    const json_t *d = json_object_get(st, "disk");
    if (json_is_object(d)) {
        head(b, "recguard_disk_free_bytes", "gauge", "Free bytes on the output file system.");
        sample(b, "recguard_disk_free_bytes", num(d, "free_bytes", NAN));
        head(b, "recguard_disk_write_rate_bytes_per_second", "gauge", "Recent write rate to the output.");
        sample(b, "recguard_disk_write_rate_bytes_per_second", num(d, "write_rate_bps", NAN));
        /* The daemon says -1 when the disk is not filling: never full is +Inf, which keeps
         * `< 3600` alerts quiet without a special case. */
        double ttf = num(d, "time_to_full_s", -1);
        head(b, "recguard_disk_time_to_full_seconds", "gauge", "Seconds until the output disk is full at the recent write rate.");
        sample(b, "recguard_disk_time_to_full_seconds", ttf < 0 ? INFINITY : ttf);
    }
}

static void recorder_part(const web_metrics_in *in, rg_buf *b) {
    if (in->cpu_seconds >= 0) {
        head(b, "recguard_recorder_cpu_seconds_total", "counter", "Recorder CPU time, user and system.");
        sample(b, "recguard_recorder_cpu_seconds_total", in->cpu_seconds);
    }
    if (in->messages_total >= 0) {
        head(b, "recguard_messages_total", "counter", "Samples received by the built-in recorder (this recorder run).");
        sample(b, "recguard_messages_total", in->messages_total);
    }
    if (in->bytes_total >= 0) {
        head(b, "recguard_bytes_total", "counter", "Bytes written to segments by the built-in recorder (this recorder run).");
        sample(b, "recguard_bytes_total", in->bytes_total);
    }
}

typedef struct topic_metric {
    const char *name; /* metric */
    const char *type; /* gauge / counter */
    const char *key;  /* topic object field */
    const char *help; /* HELP text */
} topic_metric;

static const topic_metric topic_metrics[] = {
    {"recguard_topic_rate_hz", "gauge", "rate_hz", "Messages per second on the topic (last second)."},
    {"recguard_topic_bandwidth_bytes_per_second", "gauge", "bandwidth_bps", "Payload bytes per second on the topic."},
    {"recguard_topic_drops_total", "counter", "drops", "Samples of the topic dropped by the recorder (queue full)."},
    {"recguard_topic_lost_total", "counter", "lost", "Samples of the topic the DDS layer reported lost (SAMPLE_LOST)."},
    {"recguard_topic_rejected_total", "counter", "rejected", "Samples of the topic the DDS layer rejected (SAMPLE_REJECTED)."},
    {"recguard_topic_age_seconds", "gauge", "age_s", "Seconds since the topic's last sample."},
    {"recguard_topic_expected_rate_hz", "gauge", "expected_rate_hz", "Configured minimum rate of a topic (the strictest expect: rule matching it)."},
    {"recguard_topic_expect_breach", "gauge", "expect_breach", "1 while the topic breaches an expect: rule, 0 otherwise."},
};

static void topic_part(const web_metrics_in *in, rg_buf *b) {
    for (size_t m = 0; m < sizeof topic_metrics / sizeof topic_metrics[0]; m++) {
        const topic_metric *tm = &topic_metrics[m];
        int headed = 0;
        size_t i;
        const json_t *t;
        json_array_foreach(in->topics, i, t) {
            const char *name = json_string_value(json_object_get(t, "name"));
            const json_t *v = json_object_get(t, tm->key);
            if (!name || !(json_is_number(v) || json_is_boolean(v))) continue;
            if (!headed++) head(b, tm->name, tm->type, tm->help);
            label(b, tm->name, "topic", name);
            value(b, json_is_boolean(v) ? json_is_true(v) : json_number_value(v));
        }
    }
}

void web_metrics_render(const web_metrics_in *in, rg_buf *out) {
    daemon_part(in, out);
    recorder_part(in, out);
    topic_part(in, out);
}
