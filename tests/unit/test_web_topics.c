/* test_web_topics — per-topic rates from successive stats snapshots under an injected clock:
 * rate and bandwidth over the interval, a new recorder run resetting the counters, the status
 * rule (active, slow, silent, never seen), and the JSON field names of `recguard topics --json`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web_topics.h"

#define S 1000000000LL

static rec_stats_snapshot *snap_new(int32_t pid) {
    rec_stats_snapshot *s = calloc(1, sizeof *s);
    s->pid = pid;
    s->start_real_ns = 1000 * S;
    return s;
}

static void set_topic(rec_stats_snapshot *s, uint32_t i, const char *name, uint64_t msgs, uint64_t bytes,
                      uint64_t drops, int64_t last) {
    snprintf(s->topics[i].name, sizeof s->topics[i].name, "%s", name);
    snprintf(s->topics[i].type, sizeof s->topics[i].type, "std_msgs/msg/String");
    s->topics[i].messages = msgs;
    s->topics[i].bytes = bytes;
    s->topics[i].drops = drops;
    s->topics[i].last_recv_real_ns = last;
    if (s->ntopics <= i) s->ntopics = i + 1;
}

static void test_rates(void **st) {
    (void)st;
    web_topics w;
    web_topics_init(&w);
    rec_stats_snapshot *s = snap_new(42);
    set_topic(s, 0, "/chatter", 100, 2000, 0, 2000 * S);
    set_topic(s, 1, "/never", 0, 0, 0, 0);
    assert_int_equal(web_topics_update(&w, s, 10 * S), 0);
    assert_int_equal(w.n, 2);
    assert_false(w.t[0].have_rate); /* one snapshot is no rate */
    set_topic(s, 0, "/chatter", 120, 2400, 3, 2002 * S);
    assert_int_equal(web_topics_update(&w, s, 12 * S), 0);
    assert_true(w.t[0].have_rate);
    assert_true(w.t[0].rate_hz > 9.999 && w.t[0].rate_hz < 10.001);
    assert_true(w.t[0].bandwidth_bps > 199.9 && w.t[0].bandwidth_bps < 200.1);
    assert_string_equal(web_topics_status(&w.t[0], 2002 * S + S / 10), "active");
    assert_string_equal(web_topics_status(&w.t[1], 2002 * S), "never seen");
    /* no sample for longer than the silence limit */
    assert_string_equal(web_topics_status(&w.t[0], 2002 * S + 6 * S), "silent");
    /* rate falls well below the long-run mean: slow */
    set_topic(s, 0, "/chatter", 122, 2440, 3, 2004 * S);
    web_topics_update(&w, s, 14 * S);
    assert_string_equal(web_topics_status(&w.t[0], 2004 * S), "slow");

    json_t *a = web_topics_json(&w, 2004 * S);
    assert_int_equal(json_array_size(a), 2);
    json_t *o = json_array_get(a, 0);
    static const char *const keys[] = {"name", "type", "publishers", "rate_hz", "bandwidth_bps", "age_s",
                                       "status", "recorded", "drops", "lost"};
    assert_int_equal(json_object_size(o), sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) assert_non_null(json_object_get(o, keys[i]));
    assert_string_equal(json_string_value(json_object_get(o, "name")), "/chatter");
    assert_int_equal(json_integer_value(json_object_get(o, "drops")), 3);
    assert_true(json_is_null(json_object_get(json_array_get(a, 1), "age_s")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "status")), "never seen");
    json_decref(a);

    /* a new recorder run (new pid): counters start over, no bogus negative rate */
    rec_stats_snapshot *s2 = snap_new(43);
    set_topic(s2, 0, "/chatter", 5, 100, 0, 2010 * S);
    web_topics_update(&w, s2, 20 * S);
    assert_int_equal(w.n, 1);
    assert_false(w.t[0].have_rate);
    assert_int_equal(w.messages, 0);
    web_topics_free(&w);
    free(s);
    free(s2);
}

static void test_counter_backwards(void **st) {
    (void)st;
    web_topics w;
    web_topics_init(&w);
    rec_stats_snapshot *s = snap_new(7);
    set_topic(s, 0, "/a", 50, 500, 0, 100 * S);
    web_topics_update(&w, s, 1 * S);
    set_topic(s, 0, "/a", 10, 100, 0, 101 * S);
    web_topics_update(&w, s, 2 * S);
    assert_false(w.t[0].have_rate);
    set_topic(s, 0, "/a", 20, 200, 0, 102 * S);
    web_topics_update(&w, s, 3 * S);
    assert_true(w.t[0].rate_hz > 9.99 && w.t[0].rate_hz < 10.01);
    web_topics_clear(&w);
    assert_int_equal(w.n, 0);
    web_topics_free(&w);
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rates), cmocka_unit_test(test_counter_backwards)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
