/* test_rec_topics — the topic rows of `recguard topics --json` and the dashboard from the
 * recorder's, the monitor's and an own stats snapshot under an injected clock: the exact fields
 * (the contract's, the stats extras, the breach fields), the
 * recorder's own figures passed through, the status classified at the snapshot's publish time,
 * stale or stopped snapshots ignored, the monitor (then the own measurement) adding only what the
 * recorder lacks, and the
 * daemon's `expect:` reasons mapped to their topics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recorder/rec_topics.h"

#define S 1000000000LL
#define HB (100 * S) /* heartbeat (monotonic) of the snapshots */

static rec_stats_snapshot *snap_new(uint32_t role) {
    rec_stats_snapshot *s = calloc(1, sizeof *s);
    s->pid = 42;
    s->state = REC_STATS_RECORDING;
    s->role = role;
    s->heartbeat_mono_ns = HB;
    return s;
}

/* A topic at `hz` whose last sample came `age_ns` before the heartbeat (age < 0: never). */
static rec_stats_topic *set_topic(rec_stats_snapshot *s, const char *name, double hz, int64_t age_ns) {
    rec_stats_topic *t = &s->topics[s->ntopics++];
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->type, sizeof t->type, "std_msgs/msg/String");
    t->window_ns = 4 * S;
    t->publishers = 1;
    t->matched = 1;
    if (age_ns < 0) return t;
    t->rate_hz = hz;
    t->bandwidth_bps = hz * 20;
    t->mean_size = 20;
    t->window_msgs = (uint64_t)(hz * 4);
    t->messages = 1000;
    t->bytes = 20000;
    t->last_recv_mono_ns = HB - age_ns;
    return t;
}

static json_t *find(json_t *rows, const char *name) {
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        if (strcmp(json_string_value(json_object_get(r, "name")), name) == 0) return r;
    return NULL;
}

static const char *str(json_t *rows, const char *name, const char *key) {
    json_t *r = find(rows, name);
    assert_non_null(r);
    return json_string_value(json_object_get(r, key));
}

static void test_recorder_rows(void **st) {
    (void)st;
    rec_stats_snapshot *s = snap_new(REC_STATS_ROLE_RECORDER);
    rec_stats_topic *c = set_topic(s, "/chatter", 10, S / 20);
    c->drops = 3;
    c->lost = 5;
    c->rejected = 2;
    c->publishers = 2;
    set_topic(s, "/late", 10, S / 2);     /* 5 periods late: past 2 (slow), not past 5 (silent) */
    set_topic(s, "/gone", 10, 3 * S);     /* 30 periods: silent */
    set_topic(s, "/never", 0, -1);        /* publishers, no sample */
    /* Read 0.5 s after the heartbeat: /chatter is judged at the heartbeat (active), its age is now's. */
    rec_topics_in in = {.rec = s, .now_mono_ns = HB + S / 2};
    json_t *a = rec_topics_json(&in);
    assert_int_equal(json_array_size(a), 4);
    /* sorted by name */
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "name")), "/chatter");
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 3), "name")), "/never");
    json_t *o = find(a, "/chatter");
    static const char *const keys[] = {"name", "type", "publishers", "rate_hz", "bandwidth_bps", "age_s",
                                       "status", "recorded", "drops", "lost", "rejected", "messages",
                                       "mean_size", "matched", "expect_breach", "breach", "expected_rate_hz"};
    assert_int_equal(json_object_size(o), sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) assert_non_null(json_object_get(o, keys[i]));
    assert_int_equal(json_integer_value(json_object_get(o, "publishers")), 2);
    assert_true(json_real_value(json_object_get(o, "rate_hz")) == 10.0);
    assert_true(json_real_value(json_object_get(o, "bandwidth_bps")) == 200.0);
    double age = json_real_value(json_object_get(o, "age_s"));
    assert_true(age > 0.549 && age < 0.551);
    assert_string_equal(str(a, "/chatter", "status"), "active");
    assert_true(json_is_true(json_object_get(o, "recorded")));
    assert_int_equal(json_integer_value(json_object_get(o, "drops")), 3);
    assert_int_equal(json_integer_value(json_object_get(o, "lost")), 5);
    assert_int_equal(json_integer_value(json_object_get(o, "rejected")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "messages")), 1000);
    assert_true(json_real_value(json_object_get(o, "mean_size")) == 20.0);
    assert_int_equal(json_integer_value(json_object_get(o, "matched")), 1);
    assert_true(json_is_false(json_object_get(o, "expect_breach")));
    assert_true(json_is_null(json_object_get(o, "breach")));
    assert_string_equal(str(a, "/late", "status"), "slow");
    assert_string_equal(str(a, "/gone", "status"), "silent");
    assert_string_equal(str(a, "/never", "status"), "never seen");
    assert_true(json_is_null(json_object_get(find(a, "/never"), "age_s")));
    json_decref(a);
    free(s);
}

static void test_freshness(void **st) {
    (void)st;
    rec_stats_snapshot *s = snap_new(REC_STATS_ROLE_RECORDER);
    set_topic(s, "/chatter", 10, 0);
    assert_true(rec_topics_fresh(s, HB + REC_TOPICS_FRESH_NS - 1));
    assert_false(rec_topics_fresh(s, HB + REC_TOPICS_FRESH_NS));
    assert_false(rec_topics_fresh(NULL, HB));
    rec_topics_in in = {.rec = s, .now_mono_ns = HB + REC_TOPICS_FRESH_NS};
    json_t *a = rec_topics_json(&in);
    assert_int_equal(json_array_size(a), 0); /* a stuck or dead writer's figures are not shown */
    json_decref(a);
    s->state = REC_STATS_STOPPED;
    in.now_mono_ns = HB;
    a = rec_topics_json(&in);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    free(s);
}

static void test_monitor(void **st) {
    (void)st;
    rec_stats_snapshot *r = snap_new(REC_STATS_ROLE_RECORDER), *m = snap_new(REC_STATS_ROLE_MONITOR);
    set_topic(r, "/chatter", 10, 0);
    set_topic(m, "/chatter", 99, 0); /* the recorder's figures win */
    set_topic(m, "/imu", 200, 0);
    rec_topics_in in = {.rec = r, .mon = m, .now_mono_ns = HB};
    json_t *a = rec_topics_json(&in);
    assert_int_equal(json_array_size(a), 2);
    assert_true(json_real_value(json_object_get(find(a, "/chatter"), "rate_hz")) == 10.0);
    assert_true(json_is_true(json_object_get(find(a, "/chatter"), "recorded")));
    assert_true(json_is_false(json_object_get(find(a, "/imu"), "recorded")));
    assert_true(json_real_value(json_object_get(find(a, "/imu"), "rate_hz")) == 200.0);
    json_decref(a);
    /* a stale monitor is ignored; without a recorder a fresh one still shows */
    m->heartbeat_mono_ns = HB - REC_TOPICS_FRESH_NS;
    a = rec_topics_json(&in);
    assert_null(find(a, "/imu"));
    json_decref(a);
    m->heartbeat_mono_ns = HB;
    in.rec = NULL;
    a = rec_topics_json(&in);
    assert_int_equal(json_array_size(a), 2);
    assert_true(json_is_false(json_object_get(find(a, "/chatter"), "recorded")));
    json_decref(a);
    /* an own measurement adds what neither has; the monitor's figures win over it */
    rec_stats_snapshot *o = snap_new(REC_STATS_ROLE_MONITOR);
    set_topic(o, "/imu", 7, 0);
    set_topic(o, "/odom", 50, 0);
    in.rec = r;
    in.own = o;
    a = rec_topics_json(&in);
    assert_int_equal(json_array_size(a), 3);
    assert_true(json_real_value(json_object_get(find(a, "/imu"), "rate_hz")) == 200.0);
    assert_true(json_real_value(json_object_get(find(a, "/odom"), "rate_hz")) == 50.0);
    assert_true(json_is_false(json_object_get(find(a, "/odom"), "recorded")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 2), "name")), "/odom");
    json_decref(a);
    free(o);
    free(r);
    free(m);
}

static void test_breach(void **st) {
    (void)st;
    char longname[120];
    memset(longname, 'x', sizeof longname);
    longname[0] = '/';
    longname[sizeof longname - 1] = '\0';
    char txt[1536];
    /* guard_expect.c's reasons: "<topic, at most 80 bytes> <why>"; a disk reason is no topic's */
    snprintf(txt, sizeof txt,
             "{\"health\":{\"verdict\":\"warning\",\"flags\":[\"disk_low\",\"expect\"],\"reasons\":["
             "\"disk 91%% used\",\"/imu 12.0 Hz, expected >= 190 Hz\",\"/chatter_b silent for 3.2 s\","
             "\"%.80s 1.0 Hz, expected >= 2.5 Hz\"]},"
             "\"expected_rates\":{\"/imu\":190,\"/chatter\":5,\"%s\":2.5}}", longname, longname);
    json_t *status = json_loads(txt, 0, NULL);
    assert_non_null(status);
    assert_string_equal(rec_topics_breach(status, "/imu"), "/imu 12.0 Hz, expected >= 190 Hz");
    assert_null(rec_topics_breach(status, "/chatter")); /* a prefix of /chatter_b is not it */
    assert_non_null(rec_topics_breach(status, "/chatter_b"));
    assert_non_null(rec_topics_breach(status, longname));
    assert_null(rec_topics_breach(NULL, "/imu"));
    assert_true(rec_topics_expected_rate(status, "/imu") == 190.0);
    assert_true(rec_topics_expected_rate(status, "/chatter_b") < 0); /* a silence rule has no rate */
    assert_true(rec_topics_expected_rate(NULL, "/imu") < 0);

    rec_stats_snapshot *s = snap_new(REC_STATS_ROLE_RECORDER);
    set_topic(s, "/imu", 12, 0);
    set_topic(s, "/chatter_b", 10, 3 * S);
    set_topic(s, "/chatter", 10, 0);
    set_topic(s, longname, 1, 0);
    rec_topics_in in = {.rec = s, .status = status, .now_mono_ns = HB};
    json_t *a = rec_topics_json(&in);
    json_t *imu = find(a, "/imu");
    assert_true(json_is_true(json_object_get(imu, "expect_breach")));
    assert_string_equal(json_string_value(json_object_get(imu, "breach")), "/imu 12.0 Hz, expected >= 190 Hz");
    assert_true(json_real_value(json_object_get(imu, "expected_rate_hz")) == 190.0);
    json_t *cb = find(a, "/chatter_b");
    assert_true(json_is_true(json_object_get(cb, "expect_breach")));
    assert_true(json_is_null(json_object_get(cb, "expected_rate_hz"))); /* a silence rule has no rate */
    assert_true(json_is_false(json_object_get(find(a, "/chatter"), "expect_breach")));
    /* the rule's rate is there whether or not the topic breaks it */
    assert_true(json_real_value(json_object_get(find(a, "/chatter"), "expected_rate_hz")) == 5.0);
    assert_true(json_real_value(json_object_get(find(a, longname), "expected_rate_hz")) == 2.5);
    json_decref(a);

    /* the reasons count only while the daemon flags an expect: breach */
    json_object_set_new(json_object_get(status, "health"), "flags", json_pack("[s]", "disk_low"));
    assert_null(rec_topics_breach(status, "/imu"));
    json_decref(status);
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_recorder_rows), cmocka_unit_test(test_freshness),
                                       cmocka_unit_test(test_monitor), cmocka_unit_test(test_breach)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
