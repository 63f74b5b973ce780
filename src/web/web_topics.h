/* web_topics — per-topic live figures for /api/topics, /metrics and the page, computed from
 * successive snapshots of the built-in recorder's stats file (rec_stats.h).
 *
 * Owns the rate/bandwidth estimate and the topic status rule. Pure: the caller passes the
 * snapshot and the clocks. The JSON objects carry exactly the fields of `recguard topics
 * --json` (name, type, publishers, rate_hz, bandwidth_bps, age_s, status, recorded, drops,
 * lost), so the source can later switch to the topic monitor without touching the page or
 * the metrics. Figures this source cannot know (publishers, lost) are null.
 */
#ifndef WEB_TOPICS_H
#define WEB_TOPICS_H

#include <jansson.h>
#include <stdint.h>

#include "recorder/rec_stats.h"

#define WEB_TOPICS_SILENT_S 5.0   /* no sample for this long (or 5 mean intervals): silent */
#define WEB_TOPICS_SLOW_RATIO 0.5 /* rate below this share of its long-run mean: slow */
#define WEB_TOPICS_MEAN_S 30.0    /* time constant of the long-run mean rate */

typedef struct web_topic {
    char name[REC_STATS_NAME_LEN]; /* topic name */
    char type[REC_STATS_TYPE_LEN]; /* type name */
    uint64_t messages;             /* received, at the last update */
    uint64_t bytes;                /* payload bytes received, at the last update */
    uint64_t drops;                /* dropped (queue full), at the last update */
    int64_t last_recv_real_ns;     /* CLOCK_REALTIME of the last sample, 0 = never */
    double rate_hz;                /* messages/s over the last update interval */
    double bandwidth_bps;          /* payload bytes/s over the last update interval */
    double mean_rate_hz;           /* long-run mean (exponential, WEB_TOPICS_MEAN_S) */
    int have_rate;                 /* rate_hz is a measurement (two snapshots seen) */
} web_topic;

typedef struct web_topics {
    web_topic *t;           /* topics in the recorder's order */
    size_t n;               /* valid entries */
    size_t cap;             /* allocated entries */
    int32_t pid;            /* recorder the counters belong to (a new run resets them) */
    int64_t start_real_ns;  /* its start time (pid reuse guard) */
    int64_t prev_mono_ns;   /* monotonic time of the last update, 0 = none */
    uint64_t messages;      /* run totals at the last update: received */
    uint64_t bytes;         /* bytes written to segments */
} web_topics;

void web_topics_init(web_topics *w);
void web_topics_free(web_topics *w);
/* Forget everything (no recorder stats any more). */
void web_topics_clear(web_topics *w);
/* Fold in a snapshot taken at monotonic time now_mono_ns. 0 or -ENOMEM. */
int web_topics_update(web_topics *w, const rec_stats_snapshot *s, int64_t now_mono_ns);
/* The topic objects (new reference, an array) as seen at real time now_real_ns. */
json_t *web_topics_json(const web_topics *w, int64_t now_real_ns);
/* "active", "slow", "silent" or "never seen" for one topic at now_real_ns. */
const char *web_topics_status(const web_topic *t, int64_t now_real_ns);

#endif
