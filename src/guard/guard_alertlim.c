/* guard_alertlim — alert de-dup and rate limit (see guard_alertlim.h). */
#include "guard/guard_alertlim.h"

#include <stdio.h>
#include <string.h>

void guard_alertlim_init(guard_alertlim *l) {
    memset(l, 0, sizeof *l);
    l->dedup_ns = GUARD_ALERTLIM_DEDUP_NS;
    l->burst = GUARD_ALERTLIM_BURST;
    l->refill_ns = GUARD_ALERTLIM_REFILL_NS;
    l->tokens = l->burst;
}

static void refill(guard_alertlim *l, int64_t now) {
    if (!l->refill_at_ns) {
        l->refill_at_ns = now;
        return;
    }
    while (l->tokens < l->burst && now - l->refill_at_ns >= l->refill_ns) {
        l->tokens++;
        l->refill_at_ns += l->refill_ns;
    }
    /* A full bucket does not bank time: the next refill counts from now. */
    if (l->tokens == l->burst) l->refill_at_ns = now;
}

static guard_alertlim_key *find(guard_alertlim *l, const char *key) {
    for (int i = 0; i < GUARD_ALERTLIM_KEYS; i++)
        if (l->keys[i].key[0] && strncmp(l->keys[i].key, key, GUARD_ALERTLIM_KEY_LEN - 1) == 0) return &l->keys[i];
    return NULL;
}

/* A free slot, else the one sent longest ago. */
static guard_alertlim_key *slot(guard_alertlim *l) {
    guard_alertlim_key *old = &l->keys[0];
    for (int i = 0; i < GUARD_ALERTLIM_KEYS; i++) {
        if (!l->keys[i].key[0]) return &l->keys[i];
        if (l->keys[i].sent_ns < old->sent_ns) old = &l->keys[i];
    }
    return old;
}

guard_alertlim_verdict guard_alertlim_check(guard_alertlim *l, const char *key, int dedup, int64_t now_ns,
                                            unsigned *held_before) {
    refill(l, now_ns);
    guard_alertlim_key *k = find(l, key);
    if (dedup && k && now_ns - k->sent_ns < l->dedup_ns) {
        l->held++;
        return GUARD_ALERTLIM_DUP;
    }
    if (!l->tokens) {
        l->held++;
        return GUARD_ALERTLIM_RATE;
    }
    l->tokens--;
    if (!k) {
        k = slot(l);
        snprintf(k->key, sizeof k->key, "%s", key);
    }
    k->sent_ns = now_ns;
    if (held_before) *held_before = l->held;
    l->held = 0;
    return GUARD_ALERTLIM_SEND;
}

const char *guard_alertlim_verdict_name(guard_alertlim_verdict v) {
    switch (v) {
    case GUARD_ALERTLIM_SEND: return "send";
    case GUARD_ALERTLIM_DUP: return "duplicate";
    case GUARD_ALERTLIM_RATE: return "rate limited";
    }
    return "?";
}
