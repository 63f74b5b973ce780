/* rec_topics — the topic rows, one owner for `recguard topics --json` (cli_topics.c) and the
 * dashboard's /api/topics, /metrics and page (web_server.c): from the recorder's own per-topic
 * figures (rec_stats.h: rate, bandwidth, publishers, lost...), those of a topic monitor (`recguard
 * monitor`, same file format) or of the caller's own measurement for the topics the recorder does
 * not record, plus the daemon's `expect:` breaches.
 *
 * Owns the freshness rule for a stats snapshot, the row fields, the status classification
 * (hz_classify, judged at the snapshot's publish time) and the mapping of the daemon's health
 * reasons to topics. Pure: the caller reads the files and passes the snapshots, the daemon's
 * STATUS object and the monotonic time. A library of its own (rg_topics: jansson, rg_hz,
 * rg_stats), so neither the DDS verbs nor the dashboard link the other's dependencies for it.
 * Row fields: name, type, publishers, rate_hz, bandwidth_bps, age_s, status, recorded, drops,
 * lost, rejected, messages, mean_size, matched, expect_breach, breach, expected_rate_hz.
 */
#ifndef REC_TOPICS_H
#define REC_TOPICS_H

#include <jansson.h>
#include <stdint.h>

#include "recorder/rec_stats.h"

/* A snapshot whose heartbeat is older than this is not used: its writer is stuck or gone. */
#define REC_TOPICS_FRESH_NS (3000 * 1000000LL)

typedef struct rec_topics_in {
    const rec_stats_snapshot *rec; /* the built-in recorder's snapshot, NULL when none */
    const rec_stats_snapshot *mon; /* the monitor's, NULL when none */
    const rec_stats_snapshot *own; /* the caller's own measurement (`recguard topics` with no
                                    * recorder to read), NULL when none */
    const json_t *status;          /* daemon STATUS (health reasons and flags), NULL unknown */
    int64_t now_mono_ns;           /* CLOCK_MONOTONIC now (ages) */
} rec_topics_in;

/* 1 when the snapshot's writer is recording and published within REC_TOPICS_FRESH_NS. */
int rec_topics_fresh(const rec_stats_snapshot *s, int64_t now_mono_ns);

/* The topic rows (new reference, an array sorted by name): the recorder's fresh topics
 * (recorded), then those of the fresh monitor, then of the fresh own snapshot, that no earlier
 * snapshot has. */
json_t *rec_topics_json(const rec_topics_in *in);

/* The daemon's `expect:` breach reason naming `topic` ("/imu 12.0 Hz, expected >= 190 Hz"),
 * or NULL: only while the health flags say "expect". A reason names its topic by its first
 * word, so a DDS topic called like another reason's first word ("disk") could be misread;
 * ROS topics start with '/', which no other reason does. */
const char *rec_topics_breach(const json_t *status, const char *topic);

/* The minimum rate the daemon's `expect:` rules ask of `topic` (STATUS `expected_rates`, the
 * strictest matching rule), or -1 when none does: present whether or not the topic breaks it. */
double rec_topics_expected_rate(const json_t *status, const char *topic);

#endif
