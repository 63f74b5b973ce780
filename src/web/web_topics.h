/* web_topics — the topic objects of /api/topics, /metrics and the page, from the recorder's
 * own per-topic figures (rec_stats.h: rate, bandwidth, periods, publishers, lost...) and those
 * of a topic monitor (`recguard monitor`, same file format) for the topics the recorder does
 * not record, plus the daemon's `expect:` breaches.
 *
 * Owns the freshness rule for a stats snapshot, the row fields and the mapping of the daemon's
 * health reasons to topics. Pure: the caller reads the files and passes the snapshots, the
 * daemon's STATUS object and the monotonic time. Rows carry exactly the fields of `recguard
 * topics --json` (name, type, publishers, rate_hz, bandwidth_bps, age_s, status, recorded,
 * drops, lost, rejected), the status classified as cli_topics.c does (hz_classify, judged at
 * the snapshot's publish time), plus expect_breach / breach / expected_rate_hz.
 */
#ifndef WEB_TOPICS_H
#define WEB_TOPICS_H

#include <jansson.h>
#include <stdint.h>

#include "recorder/rec_stats.h"

/* A snapshot whose heartbeat is older than this is not used (as `recguard topics`). */
#define WEB_TOPICS_FRESH_NS (3000 * 1000000LL)

typedef struct web_topics_in {
    const rec_stats_snapshot *rec; /* the built-in recorder's snapshot, NULL when none */
    const rec_stats_snapshot *mon; /* the monitor's, NULL when none */
    const json_t *status;          /* daemon STATUS (health reasons and flags), NULL unknown */
    int64_t now_mono_ns;           /* CLOCK_MONOTONIC now (ages) */
} web_topics_in;

/* 1 when the snapshot's writer is recording and published within WEB_TOPICS_FRESH_NS. */
int web_topics_fresh(const rec_stats_snapshot *s, int64_t now_mono_ns);

/* The topic objects (new reference, an array sorted by name): the recorder's fresh topics
 * (recorded), then the fresh monitor's that the recorder does not have. */
json_t *web_topics_json(const web_topics_in *in);

/* The daemon's `expect:` breach reason naming `topic` ("/imu 12.0 Hz, expected >= 190 Hz"),
 * or NULL: only while the health flags say "expect". A reason names its topic by its first
 * word, so a DDS topic called like another reason's first word ("disk") could be misread;
 * ROS topics start with '/', which no other reason does. */
const char *web_topics_breach(const json_t *status, const char *topic);

/* The minimum rate a rate breach reason states ("... expected >= 190 Hz"), or -1. */
double web_topics_breach_rate(const char *reason);

#endif
