/* guard_expect — see guard_expect.h. */
#include "guard/guard_expect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int guard_expect_add(guard_expect_rules *r, const char *topic, double min_rate,
                     int64_t max_silence_ns, char *err, size_t errlen) {
    if (!topic || !topic[0]) {
        snprintf(err, errlen, "expect(): a rule needs a topic");
        return -EINVAL;
    }
    if (!(min_rate >= 0) || max_silence_ns < 0 || (min_rate == 0 && max_silence_ns == 0)) {
        snprintf(err, errlen, "expect(%s): give min_rate > 0 and/or max_silence > 0", topic);
        return -EINVAL;
    }
    guard_expect_rule *v = realloc(r->v, (r->n + 1) * sizeof *v);
    if (!v) return -ENOMEM;
    r->v = v;
    guard_expect_rule *e = &v[r->n];
    memset(e, 0, sizeof *e);
    if (!(e->topic = strdup(topic))) return -ENOMEM;
    if (topic[0] == '^') {
        int rc = regcomp(&e->re, topic, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, &e->re, why, sizeof why);
            snprintf(err, errlen, "expect(%s): bad regex: %s", topic, why);
            free(e->topic);
            return -EINVAL;
        }
        e->is_re = 1;
    }
    e->min_rate = min_rate;
    e->max_silence_ns = max_silence_ns;
    r->n++;
    return 0;
}

void guard_expect_rules_free(guard_expect_rules *r) {
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].is_re) regfree(&r->v[i].re);
        free(r->v[i].topic);
    }
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

int guard_expect_matches(const guard_expect_rule *rule, const char *name) {
    if (rule->is_re) return regexec(&rule->re, name, 0, NULL, 0) == 0;
    return strcmp(rule->topic, name) == 0;
}

double guard_expect_min_rate(const guard_expect_rules *rules, const char *name) {
    double best = 0;
    for (size_t i = 0; rules && i < rules->n; i++)
        if (rules->v[i].min_rate > best && guard_expect_matches(&rules->v[i], name)) best = rules->v[i].min_rate;
    return best;
}

void guard_expect_init(guard_expect_state *s, int64_t now_ns) {
    free(s->flowing);
    memset(s, 0, sizeof *s);
    s->start_ns = now_ns;
    s->last_change_ns = now_ns;
}

void guard_expect_fini(guard_expect_state *s) {
    free(s->flowing);
    memset(s, 0, sizeof *s);
}

/* Data arrived: remember which topics were flowing. On allocation failure the old memory
 * stays, which at worst misses a no-data verdict (never invents one). */
static void note_flowing(guard_expect_state *s, int64_t timeout_ns, const guard_expect_obs *obs,
                         size_t n) {
    if (n > s->nflowing) {
        unsigned char *f = realloc(s->flowing, n);
        if (!f) return;
        memset(f + s->nflowing, 0, n - s->nflowing);
        s->flowing = f;
        s->nflowing = n;
    }
    double need = GUARD_EXPECT_FLOWING * 1e9 / (double)timeout_ns;
    for (size_t i = 0; i < n; i++) s->flowing[i] = obs[i].rate_hz >= need;
}

static void no_data(guard_expect_state *s, int64_t timeout_ns, const guard_expect_obs *obs,
                    size_t n, int64_t now_ns, guard_expect_report *out) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += obs[i].messages;
    if (!s->have_total || total != s->last_total) {
        s->have_total = 1;
        s->last_total = total;
        s->last_change_ns = now_ns;
        if (timeout_ns > 0) note_flowing(s, timeout_ns, obs, n);
        return;
    }
    if (timeout_ns <= 0 || now_ns - s->last_change_ns < timeout_ns) return;
    for (size_t i = 0; i < n && i < s->nflowing; i++) {
        if (!s->flowing[i] || obs[i].publishers == 0) continue;
        out->no_data = 1;
        snprintf(out->no_data_reason, sizeof out->no_data_reason,
                 "no data for %.1f s while %.60s has %u publisher%s", (double)(now_ns - s->last_change_ns) / 1e9,
                 obs[i].name, obs[i].publishers, obs[i].publishers == 1 ? "" : "s");
        return;
    }
}

static void breach(guard_expect_report *out, const char *topic, const char *fmt, double a, double b) {
    for (unsigned i = 0; i < out->nreasons; i++)
        if (strcmp(out->topics[i], topic) == 0) return; /* one reason per topic */
    if (out->nreasons == GUARD_EXPECT_MAX_REASONS) return;
    snprintf(out->topics[out->nreasons], GUARD_EXPECT_REASON_LEN, "%s", topic);
    char *r = out->reasons[out->nreasons++];
    int k = snprintf(r, GUARD_EXPECT_REASON_LEN, "%.80s ", topic);
    if (k > 0 && k < GUARD_EXPECT_REASON_LEN) snprintf(r + k, (size_t)(GUARD_EXPECT_REASON_LEN - k), fmt, a, b);
}

/* One rule against one topic (obs NULL: never seen). Silence first: a silent topic's rate
 * says nothing more. */
static void judge(const guard_expect_rule *rule, const char *name, const guard_expect_obs *o,
                  int64_t run_ns, int64_t window_ns, guard_expect_report *out) {
    double silence = o && o->age_s >= 0 ? o->age_s : (double)run_ns / 1e9;
    if (rule->max_silence_ns > 0 && silence * 1e9 > (double)rule->max_silence_ns) {
        breach(out, name, "silent for %.1f s", silence, 0);
        return;
    }
    if (rule->min_rate > 0 && run_ns >= window_ns) {
        double rate = o ? o->rate_hz : 0.0;
        if (rate < rule->min_rate) breach(out, name, "%.1f Hz, expected >= %g Hz", rate, rule->min_rate);
    }
}

void guard_expect_eval(guard_expect_state *s, const guard_expect_rules *rules,
                       int64_t no_data_timeout_ns, int64_t window_ns, const guard_expect_obs *obs,
                       size_t n, int64_t now_ns, guard_expect_report *out) {
    memset(out, 0, sizeof *out);
    no_data(s, no_data_timeout_ns, obs, n, now_ns, out);
    guard_expect_check_rules(rules, s->start_ns, window_ns, obs, n, now_ns, out);
}

void guard_expect_check_rules(const guard_expect_rules *rules, int64_t start_ns, int64_t window_ns,
                              const guard_expect_obs *obs, size_t n, int64_t now_ns,
                              guard_expect_report *out) {
    int64_t run = now_ns - start_ns;
    for (size_t r = 0; rules && r < rules->n; r++) {
        const guard_expect_rule *rule = &rules->v[r];
        int seen = 0;
        for (size_t i = 0; i < n; i++) {
            if (!guard_expect_matches(rule, obs[i].name)) continue;
            seen = 1;
            judge(rule, obs[i].name, &obs[i], run, window_ns, out);
        }
        if (!seen && !rule->is_re) judge(rule, rule->topic, NULL, run, window_ns, out);
    }
}
