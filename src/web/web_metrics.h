/* web_metrics — the Prometheus text exposition (format 0.0.4) served at /metrics.
 *
 * Owns the metric names, types and help texts (one table, docs/PROTOCOL.md lists them) and the
 * rendering. Pure: built from the daemon's STATUS object and the topic objects (rec_topics.h
 * field names), so a unit test renders known input and promtool parses real output.
 */
#ifndef WEB_METRICS_H
#define WEB_METRICS_H

#include <jansson.h>

#include "common/rg_buf.h"

typedef struct web_metrics_in {
    const json_t *status;       /* daemon STATUS object, NULL when the daemon is unreachable */
    const json_t *topics;       /* array of topic objects (may be empty or NULL) */
    double cpu_seconds;         /* recorder CPU (user+system) in seconds, < 0 = unknown */
    double messages_total;      /* recorder run total: samples received, < 0 = unknown */
    double bytes_total;         /* recorder run total: bytes written to segments, < 0 = unknown */
} web_metrics_in;

/* Append the whole exposition to out (check out->oom). */
void web_metrics_render(const web_metrics_in *in, rg_buf *out);

/* Health verdict as a number: ok 0, warning 1, critical 2, unknown -1. */
int web_metrics_verdict_level(const char *verdict);

#endif
