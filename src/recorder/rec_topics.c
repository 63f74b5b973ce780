/* rec_topics — the topic rows of `recguard topics` and the dashboard (see rec_topics.h). */
#include "recorder/rec_topics.h"

#include <stdlib.h>
#include <string.h>

#include "hz/hz_est.h"

/* guard_expect.c writes a breach as "<topic truncated to this> <why>". */
#define REC_TOPICS_REASON_NAME 80

int rec_topics_fresh(const rec_stats_snapshot *s, int64_t now_mono_ns) {
    return s && s->state == REC_STATS_RECORDING && now_mono_ns - s->heartbeat_mono_ns < REC_TOPICS_FRESH_NS;
}

static int has_flag(const json_t *health, const char *flag) {
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(health, "flags"), i, f) {
        const char *s = json_string_value(f);
        if (s && strcmp(s, flag) == 0) return 1;
    }
    return 0;
}

const char *rec_topics_breach(const json_t *status, const char *topic) {
    const json_t *h = json_object_get(status, "health");
    if (!has_flag(h, "expect")) return NULL;
    size_t n = strlen(topic);
    if (n > REC_TOPICS_REASON_NAME) n = REC_TOPICS_REASON_NAME;
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(h, "reasons"), i, r) {
        const char *s = json_string_value(r);
        if (s && strncmp(s, topic, n) == 0 && s[n] == ' ') return s;
    }
    return NULL;
}

double rec_topics_expected_rate(const json_t *status, const char *topic) {
    double v = json_number_value(json_object_get(json_object_get(status, "expected_rates"), topic));
    return v > 0 ? v : -1;
}

/* Seconds from a sample at `recv_ns` to `at_ns`, never negative; -1 when there was none. */
static double age_at(int64_t recv_ns, int64_t at_ns) {
    if (!recv_ns) return -1;
    return at_ns > recv_ns ? (double)(at_ns - recv_ns) / 1e9 : 0;
}

/* One row. The status is judged at the snapshot's publish time: a file published a little while
 * ago must not make a 200 Hz topic look late; age_s is the caller's now (both callers used the
 * same two instants, one read the clock itself: now it is passed in, so the rule is testable).
 * The period is 1/rate_hz: the file holds no mean period, and rate_hz is the estimator's
 * (n-1)/span over the window, so its inverse is the window's mean period (both callers agreed). */
static json_t *row(const rec_stats_topic *e, int recorded, int64_t snap_mono_ns, const rec_topics_in *in) {
    double age_now = age_at(e->last_recv_mono_ns, in->now_mono_ns);
    double period = e->rate_hz > 0 ? 1.0 / e->rate_hz : 0;
    hz_state st = hz_classify(e->messages, e->window_msgs, age_at(e->last_recv_mono_ns, snap_mono_ns), period,
                              (double)e->window_ns / 1e9);
    const char *breach = rec_topics_breach(in->status, e->name);
    double expected = rec_topics_expected_rate(in->status, e->name);
    return json_pack("{s:s, s:s, s:i, s:f, s:f, s:o, s:s, s:b, s:I, s:I, s:I, s:I, s:f, s:i, s:b, s:o, s:o}",
                     "name", e->name, "type", e->type, "publishers", (int)e->publishers, "rate_hz", e->rate_hz,
                     "bandwidth_bps", e->bandwidth_bps, "age_s", age_now < 0 ? json_null() : json_real(age_now),
                     "status", hz_state_name(st), "recorded", recorded, "drops", (json_int_t)e->drops, "lost",
                     (json_int_t)e->lost, "rejected", (json_int_t)e->rejected, "messages",
                     (json_int_t)e->messages, "mean_size", e->mean_size, "matched", (int)e->matched,
                     "expect_breach", breach != NULL, "breach", breach ? json_string(breach) : json_null(),
                     "expected_rate_hz", expected > 0 ? json_real(expected) : json_null());
}

static int has_name(const json_t *rows, const char *name) {
    size_t i;
    const json_t *r;
    json_array_foreach(rows, i, r)
        if (strcmp(json_string_value(json_object_get(r, "name")), name) == 0) return 1;
    return 0;
}

/* Names as the files hold them: NUL-terminated by the writer, but a reader trusts no one. */
static void add_rows(json_t *rows, const rec_stats_snapshot *s, int recorded, const rec_topics_in *in) {
    uint32_t n = s->ntopics < REC_STATS_MAX_TOPICS ? s->ntopics : REC_STATS_MAX_TOPICS;
    for (uint32_t i = 0; i < n; i++) {
        rec_stats_topic e = s->topics[i];
        e.name[sizeof e.name - 1] = '\0';
        e.type[sizeof e.type - 1] = '\0';
        if (recorded || !has_name(rows, e.name)) {
            json_t *r = row(&e, recorded, s->heartbeat_mono_ns, in);
            if (r) json_array_append_new(rows, r);
        }
    }
}

static int by_name(const void *a, const void *b) {
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "name")),
                  json_string_value(json_object_get(*(json_t *const *)b, "name")));
}

json_t *rec_topics_json(const rec_topics_in *in) {
    json_t *rows = json_array();
    if (rec_topics_fresh(in->rec, in->now_mono_ns)) add_rows(rows, in->rec, 1, in);
    if (rec_topics_fresh(in->mon, in->now_mono_ns)) add_rows(rows, in->mon, 0, in);
    if (rec_topics_fresh(in->own, in->now_mono_ns)) add_rows(rows, in->own, 0, in);
    size_t n = json_array_size(rows);
    json_t **v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return rows; /* unsorted is still right */
    for (size_t i = 0; i < n; i++) v[i] = json_incref(json_array_get(rows, i));
    qsort(v, n, sizeof *v, by_name);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++) json_array_append_new(rows, v[i]);
    free(v);
    return rows;
}
