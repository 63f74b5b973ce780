/* web_topics — per-topic rates from successive stats snapshots (see web_topics.h). */
#include "web/web_topics.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void web_topics_init(web_topics *w) {
    memset(w, 0, sizeof *w);
}

void web_topics_free(web_topics *w) {
    free(w->t);
    web_topics_init(w);
}

void web_topics_clear(web_topics *w) {
    w->n = 0;
    w->pid = 0;
    w->start_real_ns = 0;
    w->prev_mono_ns = 0;
    w->messages = w->bytes = 0;
}

static web_topic *find(web_topics *w, const char *name) {
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->t[i].name, name) == 0) return &w->t[i];
    return NULL;
}

static web_topic *add(web_topics *w, const rec_stats_topic *src) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        web_topic *t = realloc(w->t, cap * sizeof *t);
        if (!t) return NULL;
        w->t = t;
        w->cap = cap;
    }
    web_topic *t = &w->t[w->n++];
    memset(t, 0, sizeof *t);
    memcpy(t->name, src->name, sizeof t->name);
    t->name[sizeof t->name - 1] = '\0';
    t->messages = src->messages;
    t->bytes = src->bytes;
    t->drops = src->drops;
    return t;
}

/* The one rate computation: counters' growth over the interval, and an exponential long-run
 * mean whose weight follows the interval so an irregular refresh does not skew it. A counter
 * that went backwards (a new recorder run) restarts the measurement. */
static void fold(web_topic *t, const rec_stats_topic *s, double dt_s) {
    if (dt_s > 0 && s->messages >= t->messages && s->bytes >= t->bytes) {
        t->rate_hz = (double)(s->messages - t->messages) / dt_s;
        t->bandwidth_bps = (double)(s->bytes - t->bytes) / dt_s;
        double a = 1.0 - exp(-dt_s / WEB_TOPICS_MEAN_S);
        t->mean_rate_hz = t->have_rate ? t->mean_rate_hz + a * (t->rate_hz - t->mean_rate_hz) : t->rate_hz;
        t->have_rate = 1;
    }
    memcpy(t->type, s->type, sizeof t->type);
    t->type[sizeof t->type - 1] = '\0';
    t->messages = s->messages;
    t->bytes = s->bytes;
    t->drops = s->drops;
    t->last_recv_real_ns = s->last_recv_real_ns;
}

int web_topics_update(web_topics *w, const rec_stats_snapshot *s, int64_t now_mono_ns) {
    if (s->pid != w->pid || s->start_real_ns != w->start_real_ns) {
        web_topics_clear(w);
        w->pid = s->pid;
        w->start_real_ns = s->start_real_ns;
    }
    double dt = w->prev_mono_ns ? (double)(now_mono_ns - w->prev_mono_ns) / 1e9 : 0;
    uint32_t n = s->ntopics < REC_STATS_MAX_TOPICS ? s->ntopics : REC_STATS_MAX_TOPICS;
    for (uint32_t i = 0; i < n; i++) {
        const rec_stats_topic *src = &s->topics[i];
        char name[REC_STATS_NAME_LEN];
        memcpy(name, src->name, sizeof name);
        name[sizeof name - 1] = '\0';
        web_topic *t = find(w, name);
        if (!t) {
            if (!(t = add(w, src))) return -ENOMEM;
            fold(t, src, 0);
            continue;
        }
        fold(t, src, dt);
    }
    w->prev_mono_ns = now_mono_ns;
    w->messages = s->messages_received;
    w->bytes = s->bytes_written;
    return 0;
}

const char *web_topics_status(const web_topic *t, int64_t now_real_ns) {
    if (!t->last_recv_real_ns) return "never seen";
    double age = (double)(now_real_ns - t->last_recv_real_ns) / 1e9;
    double silent = WEB_TOPICS_SILENT_S;
    if (t->mean_rate_hz > 0 && 5.0 / t->mean_rate_hz > silent) silent = 5.0 / t->mean_rate_hz;
    if (age > silent) return "silent";
    if (t->have_rate && t->mean_rate_hz > 0 && t->rate_hz < WEB_TOPICS_SLOW_RATIO * t->mean_rate_hz) return "slow";
    return "active";
}

json_t *web_topics_json(const web_topics *w, int64_t now_real_ns) {
    json_t *a = json_array();
    for (size_t i = 0; i < w->n; i++) {
        const web_topic *t = &w->t[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(t->name));
        json_object_set_new(o, "type", json_string(t->type));
        json_object_set_new(o, "publishers", json_null());
        json_object_set_new(o, "rate_hz", t->have_rate ? json_real(t->rate_hz) : json_null());
        json_object_set_new(o, "bandwidth_bps", t->have_rate ? json_real(t->bandwidth_bps) : json_null());
        json_object_set_new(o, "age_s", t->last_recv_real_ns
                                            ? json_real((double)(now_real_ns - t->last_recv_real_ns) / 1e9)
                                            : json_null());
        json_object_set_new(o, "status", json_string(web_topics_status(t, now_real_ns)));
        json_object_set_new(o, "recorded", json_true());
        json_object_set_new(o, "drops", json_integer((json_int_t)t->drops));
        json_object_set_new(o, "lost", json_null());
        json_array_append_new(a, o);
    }
    return a;
}
