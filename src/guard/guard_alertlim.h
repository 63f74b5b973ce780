/* guard_alertlim — de-duplication and rate limiting for alert.command, so a flapping topic or
 * a health verdict that comes and goes cannot flood anyone.
 *
 * Owns two rules, pure (the caller passes CLOCK_MONOTONIC time):
 *   - de-dup: an alert whose key (event + what it is about) was sent less than dedup_ns ago is
 *     held back; a different key is not;
 *   - rate limit: a token bucket, `burst` alerts at once, then one per refill_ns.
 * Held-back alerts are counted; the next alert that goes out reports how many were held, so
 * nothing is silently lost. Failures (crashes, ERROR) share the bucket but skip de-dup: every
 * crash is news.
 */
#ifndef GUARD_ALERTLIM_H
#define GUARD_ALERTLIM_H

#include <stdint.h>

#define GUARD_ALERTLIM_KEYS 32          /* distinct keys remembered for de-dup (oldest evicted) */
#define GUARD_ALERTLIM_KEY_LEN 128      /* bytes of a key, NUL included (longer keys truncated) */
#define GUARD_ALERTLIM_DEDUP_NS (600LL * 1000000000LL)  /* same key again within 10 min: held */
#define GUARD_ALERTLIM_BURST 5                           /* alerts sent at once before limiting */
#define GUARD_ALERTLIM_REFILL_NS (120LL * 1000000000LL) /* then one more per 2 min */

typedef enum guard_alertlim_verdict {
    GUARD_ALERTLIM_SEND = 0, /* run the alert command */
    GUARD_ALERTLIM_DUP,      /* held: same key sent recently */
    GUARD_ALERTLIM_RATE,     /* held: the bucket is empty */
} guard_alertlim_verdict;

typedef struct guard_alertlim_key {
    char key[GUARD_ALERTLIM_KEY_LEN]; /* "" = free slot */
    int64_t sent_ns;                  /* when it last went out */
} guard_alertlim_key;

typedef struct guard_alertlim {
    int64_t dedup_ns;                         /* de-dup window */
    unsigned burst;                           /* bucket size */
    int64_t refill_ns;                        /* one token per this */
    unsigned tokens;                          /* tokens now */
    int64_t refill_at_ns;                     /* time the last token was credited (0 = never) */
    unsigned held;                            /* alerts held back since the last one sent */
    guard_alertlim_key keys[GUARD_ALERTLIM_KEYS]; /* recently sent keys */
} guard_alertlim;

/* Defaults above; a full bucket. */
void guard_alertlim_init(guard_alertlim *l);
/* Decide for one alert at now_ns. `dedup` 0 skips the de-dup rule (failures). On SEND the key
 * is remembered and a token spent; *held_before (may be NULL) gets the number held back since
 * the previous SEND, then the count restarts. */
guard_alertlim_verdict guard_alertlim_check(guard_alertlim *l, const char *key, int dedup, int64_t now_ns,
                                            unsigned *held_before);
/* "send", "duplicate", "rate limited". */
const char *guard_alertlim_verdict_name(guard_alertlim_verdict v);

#endif
