/* guard_expect — health from data: expected-rate rules (`expect:`) and the no-data check
 * (`health.no_data_timeout`). Pure: the daemon hands it the recorder's per-topic figures (from
 * its stats file, and the monitor's) and the time; it keeps a little history and returns the
 * breaches as reasons.
 *
 * Rules: `topic` is an exact name, or a POSIX ERE when it starts with '^'; `min_rate` (Hz, over
 * the rate window) and/or `max_silence` (ns). A breach reads "/imu 12.0 Hz, expected >= 190 Hz"
 * or "/camera/image_raw silent for 3.2 s" (a topic never seen is silent since the recorder
 * started). min_rate is judged only once the recorder has run for a full rate window, so a
 * window still filling is not a slow topic. One reason per topic, silence first.
 *
 * No data: the recorder's received count has not moved for no_data_timeout while a topic that
 * was flowing (at least 2 messages per timeout when data last arrived) still has publishers.
 * That is a recorder cut off from DDS: the heartbeat of its writer thread goes on, its files do
 * not grow, and only the data says so. Topics that publish rarely (/rosout, /parameter_events)
 * never count as flowing, so an idle system is not a broken recorder. The recorder's own view
 * of the publishers lasts until their DDS lease expires (Cyclone: 10 s by default), so the
 * timeout must be shorter than the lease.
 */
#ifndef GUARD_EXPECT_H
#define GUARD_EXPECT_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#define GUARD_EXPECT_MAX_REASONS 8   /* breaches reported per evaluation */
#define GUARD_EXPECT_REASON_LEN 128  /* bytes per reason, NUL included */
#define GUARD_EXPECT_FLOWING 2.0     /* messages per no_data_timeout that make a topic flowing */

typedef struct guard_expect_rule {
    char *topic;            /* exact name, or the regex text (starting '^') */
    int is_re;              /* 1: re is compiled */
    regex_t re;             /* compiled topic when is_re */
    double min_rate;        /* Hz; 0 = no rate rule */
    int64_t max_silence_ns; /* 0 = no silence rule */
} guard_expect_rule;

typedef struct guard_expect_rules {
    guard_expect_rule *v;   /* rules in config order */
    size_t n;               /* entries */
} guard_expect_rules;

/* One topic's figures at evaluation time. */
typedef struct guard_expect_obs {
    const char *name;       /* topic name */
    uint32_t publishers;    /* publishers the recorder (or monitor) sees */
    uint64_t messages;      /* received since the recorder started */
    double rate_hz;         /* over the rate window */
    double age_s;           /* since its last message; < 0 never */
} guard_expect_obs;

/* History between evaluations (one recorder's lifetime). */
typedef struct guard_expect_state {
    int64_t start_ns;       /* when monitoring of this recorder began */
    int have_total;         /* last_total is set */
    uint64_t last_total;    /* received count at the last change */
    int64_t last_change_ns; /* when it last changed (start_ns before) */
    unsigned char *flowing; /* per topic index: flowing when data last arrived (malloc'd) */
    size_t nflowing;        /* entries */
} guard_expect_state;

typedef struct guard_expect_report {
    int no_data;            /* the no-data check fired */
    char no_data_reason[GUARD_EXPECT_REASON_LEN]; /* "no data for 5.1 s while /chatter has 1 publisher" */
    unsigned nreasons;      /* rule breaches */
    char reasons[GUARD_EXPECT_MAX_REASONS][GUARD_EXPECT_REASON_LEN]; /* one per breached topic */
    char topics[GUARD_EXPECT_MAX_REASONS][GUARD_EXPECT_REASON_LEN];  /* the breached topics */
} guard_expect_report;

/* Append a rule. 0, or -EINVAL (bad regex, no rule given, negative value) / -ENOMEM with err
 * "expect(<topic>): why". */
int guard_expect_add(guard_expect_rules *r, const char *topic, double min_rate,
                     int64_t max_silence_ns, char *err, size_t errlen);
void guard_expect_rules_free(guard_expect_rules *r);
/* 1 when the rule applies to `name`. */
int guard_expect_matches(const guard_expect_rule *rule, const char *name);
/* The minimum rate the rules ask of topic `name`: the highest min_rate among the rules matching
 * it (each is judged; the strictest is the one a rate must meet), 0 when none sets one. */
double guard_expect_min_rate(const guard_expect_rules *rules, const char *name);

void guard_expect_init(guard_expect_state *s, int64_t now_ns);
void guard_expect_fini(guard_expect_state *s);
/* Evaluate obs[0..n-1] (index = the recorder's stable topic order; NULL/0 when no figures).
 * window_ns: the rate window; no_data_timeout_ns 0 = off. */
void guard_expect_eval(guard_expect_state *s, const guard_expect_rules *rules,
                       int64_t no_data_timeout_ns, int64_t window_ns, const guard_expect_obs *obs,
                       size_t n, int64_t now_ns, guard_expect_report *out);
/* Only the rules (no history): adds breaches to out (which the caller zeroed), judging the
 * start-up grace from start_ns. */
void guard_expect_check_rules(const guard_expect_rules *rules, int64_t start_ns, int64_t window_ns,
                              const guard_expect_obs *obs, size_t n, int64_t now_ns,
                              guard_expect_report *out);

#endif
