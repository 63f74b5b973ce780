/* test_web_metrics — the Prometheus exposition rendered from a known STATUS and topic list:
 * names and types, the state enum, per-topic loss counters and the expect: breach gauge, +Inf
 * for a disk that is not filling, label escaping, and only recguard_daemon_up 0 when the daemon
 * is unreachable. (promtool parses real output in the integration test.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web_metrics.h"

static const char status_txt[] =
    "{\"state\":\"RECORDING\",\"pid\":4242,\"restarts\":1,\"restarts_total\":3,"
    "\"health\":{\"verdict\":\"warning\",\"reasons\":[\"disk\"],\"rss_bytes\":10485760,\"cpu_pct\":3.5},"
    "\"disk\":{\"free_bytes\":1000000,\"total_bytes\":2000000,\"write_rate_bps\":1000.5,\"time_to_full_s\":-1}}";
static const char topics_txt[] =
    "[{\"name\":\"/chatter\",\"rate_hz\":10.5,\"bandwidth_bps\":200,\"drops\":2,\"age_s\":0.1,"
    "\"lost\":7,\"rejected\":1,\"expect_breach\":false,\"expected_rate_hz\":null},"
    "{\"name\":\"/we\\\"ird\\\\name\",\"rate_hz\":null,\"drops\":0,\"expected_rate_hz\":5,"
    "\"expect_breach\":true}]";

static char *render(const json_t *status, const json_t *topics, double cpu) {
    rg_buf b = {0};
    web_metrics_in in = {.status = status, .topics = topics, .cpu_seconds = cpu, .messages_total = 100,
                         .bytes_total = 12345};
    web_metrics_render(&in, &b);
    assert_false(b.oom);
    return b.p;
}

static void has(const char *text, const char *line) {
    if (!strstr(text, line)) fail_msg("missing line: %s\n--- in ---\n%s", line, text);
}

static void test_full(void **st) {
    (void)st;
    json_t *status = json_loads(status_txt, 0, NULL), *topics = json_loads(topics_txt, 0, NULL);
    char *t = render(status, topics, 12.25);
    has(t, "# TYPE recguard_daemon_up gauge\nrecguard_daemon_up 1\n");
    has(t, "recguard_recorder_up 1\n");
    has(t, "recguard_state{state=\"RECORDING\"} 1\n");
    has(t, "recguard_state{state=\"ERROR\"} 0\n");
    has(t, "# TYPE recguard_restarts_total counter\nrecguard_restarts_total 3\n");
    has(t, "recguard_health 1\n");
    has(t, "recguard_recorder_memory_bytes 10485760\n");
    has(t, "recguard_recorder_cpu_seconds_total 12.25\n");
    has(t, "recguard_messages_total 100\n");
    has(t, "recguard_bytes_total 12345\n");
    has(t, "recguard_disk_free_bytes 1000000\n");
    has(t, "recguard_disk_time_to_full_seconds +Inf\n");
    has(t, "recguard_topic_rate_hz{topic=\"/chatter\"} 10.5\n");
    has(t, "# TYPE recguard_topic_drops_total counter\n");
    has(t, "recguard_topic_drops_total{topic=\"/we\\\"ird\\\\name\"} 0\n");
    has(t, "recguard_topic_expected_rate_hz{topic=\"/we\\\"ird\\\\name\"} 5\n");
    has(t, "# TYPE recguard_topic_lost_total counter\nrecguard_topic_lost_total{topic=\"/chatter\"} 7\n");
    has(t, "# TYPE recguard_topic_rejected_total counter\nrecguard_topic_rejected_total{topic=\"/chatter\"} 1\n");
    /* the breach flag is a 0/1 gauge for every topic; the expected rate only where known */
    has(t, "# TYPE recguard_topic_expect_breach gauge\nrecguard_topic_expect_breach{topic=\"/chatter\"} 0\n");
    has(t, "recguard_topic_expect_breach{topic=\"/we\\\"ird\\\\name\"} 1\n");
    assert_null(strstr(t, "recguard_topic_expected_rate_hz{topic=\"/chatter\"}"));
    /* a null rate is no sample rather than a made-up zero */
    assert_null(strstr(t, "recguard_topic_rate_hz{topic=\"/we"));
    /* every sample line's metric has HELP and TYPE before it */
    for (const char *l = t; *l; l = strchr(l, '\n') + 1) {
        if (*l != '#') {
            char name[128];
            size_t n = strcspn(l, "{ ");
            snprintf(name, sizeof name, "# TYPE %.*s ", (int)n, l);
            assert_non_null(strstr(t, name));
        }
    }
    free(t);
    json_decref(status);
    json_decref(topics);
}

/* redundancy: standby: a readiness gauge that follows status's standby.state; absent without */
static void test_standby(void **st) {
    (void)st;
    static const char *const cases[][2] = {
        {"{\"state\":\"RECORDING\",\"pid\":7,\"standby\":{\"pid\":8,\"state\":\"ready\"}}", "recguard_standby_ready 1\n"},
        {"{\"state\":\"RECORDING\",\"pid\":7,\"standby\":{\"pid\":8,\"state\":\"starting\"}}", "recguard_standby_ready 0\n"},
        {"{\"state\":\"RECORDING\",\"pid\":7,\"standby\":{\"pid\":0,\"state\":\"backoff\"}}", "recguard_standby_ready 0\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *status = json_loads(cases[i][0], 0, NULL);
        assert_non_null(status);
        char *t = render(status, NULL, 0);
        has(t, "# TYPE recguard_standby_ready gauge\n");
        has(t, cases[i][1]);
        free(t);
        json_decref(status);
    }
    json_t *none = json_loads("{\"state\":\"RECORDING\",\"pid\":7,\"standby\":null}", 0, NULL);
    char *t = render(none, NULL, 0);
    assert_null(strstr(t, "recguard_standby_ready"));
    free(t);
    json_decref(none);
}

static void test_daemon_down(void **st) {
    (void)st;
    char *t = render(NULL, NULL, -1);
    has(t, "recguard_daemon_up 0\n");
    assert_null(strstr(t, "recguard_state"));
    assert_null(strstr(t, "recguard_recorder_cpu"));
    free(t);
    assert_int_equal(web_metrics_verdict_level("ok"), 0);
    assert_int_equal(web_metrics_verdict_level("critical"), 2);
    assert_int_equal(web_metrics_verdict_level("bogus"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_full), cmocka_unit_test(test_standby),
                                        cmocka_unit_test(test_daemon_down)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
