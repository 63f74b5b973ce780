/* guard_journal — the daemon's JSON Lines journal.
 *
 * Owns: turning an event object into one journal line (time as RFC 3339 plus ts_ns) and
 * appending it to two files, the daemon's own journal (in its state dir, spanning sessions) and
 * the current session bag's recguard.jsonl. Each file is opened O_APPEND and each line goes out
 * in one write(2), so a crash leaves whole lines only (the last one at worst cut short, never
 * interleaved) and concurrent readers (`tail -f`, the dashboard) never see half an event.
 * Also owns the rule for when a health summary is worth a line (on a verdict change, and at
 * most every GUARD_JOURNAL_HEALTH_EVERY_NS otherwise), so the journal stays small over days.
 */
#ifndef GUARD_JOURNAL_H
#define GUARD_JOURNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rg_bag.h"

#define GUARD_JOURNAL_HEALTH_EVERY_NS (60LL * 1000000000LL) /* unchanged verdict: one line a minute */
#define GUARD_JOURNAL_BAG_FILE RG_BAG_JOURNAL                /* the session's journal in the bag dir */

typedef struct guard_journal {
    int daemon_fd;      /* the daemon's journal, O_APPEND; -1 when not open */
    int bag_fd;         /* <bag dir>/recguard.jsonl, O_APPEND; -1 outside a session */
    int last_errno;     /* last write error (0 = none), reported once in status, not per line */
} guard_journal;

/* Start with both files closed. */
void guard_journal_init(guard_journal *j);
/* Open (create, append) the daemon journal at `path`. 0 or -errno with err. */
int guard_journal_open(guard_journal *j, const char *path, char *err, size_t errlen);
/* Switch the session journal to `<bag_dir>/recguard.jsonl` (NULL closes it). 0 or -errno. */
int guard_journal_set_bag(guard_journal *j, const char *bag_dir, char *err, size_t errlen);
/* Close both files. */
void guard_journal_close(guard_journal *j);

/* A new event object {"time","ts_ns","event"} stamped with `real_ns` (CLOCK_REALTIME);
 * callers add "state", "from", "reason" and anything else. Returns a new reference. */
json_t *guard_journal_event(const char *event, int64_t real_ns);
/* Encode `ev` as one compact line ending in '\n' (malloc'd; NULL on allocation failure).
 * Keys keep insertion order so "time" and "event" lead every line. */
char *guard_journal_line(const json_t *ev, size_t *len);
/* Append `ev` as one line to every open file. 0, or the first -errno (the other file is still
 * written: losing the bag copy must not cost the daemon copy, nor the reverse). */
int guard_journal_write(guard_journal *j, const json_t *ev);

/* Pure rule: is a health summary due? `last_verdict` NULL means none written yet. */
int guard_journal_health_due(const char *last_verdict, int64_t last_ns, const char *verdict,
                             int64_t now_ns);

#endif
