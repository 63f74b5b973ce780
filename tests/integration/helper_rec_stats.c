/* helper_rec_stats — print a recorder stats file (rec_stats_read) as lines a shell test can
 * grep: "key value" for the totals, then "topic NAME messages M written W drops D bytes B
 * lost L rejected J publishers P matched K rate_hz R bandwidth_bps W".
 * Exit 0, or 1 with the error (absent file, torn reads, wrong format). */
#include "recorder/rec_stats.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: helper_rec_stats FILE\n");
        return 2;
    }
    rec_stats_snapshot *s = malloc(sizeof *s);
    char err[512];
    if (!s || rec_stats_read(argv[1], s, err, sizeof err) < 0) {
        fprintf(stderr, "helper_rec_stats: %s\n", s ? err : "out of memory");
        free(s);
        return 1;
    }
    printf("role %s\n", rec_stats_role_name(s->role));
    printf("pid %d\nstate %s\nheartbeat_mono_ns %lld\nsegment %s\nsegment_index %u\n"
           "segments %u\nbytes_written %llu\nmessages_written %llu\nmessages_received %llu\n"
           "drops %llu\nqueue_bytes %llu\n",
           s->pid, rec_stats_state_name(s->state), (long long)s->heartbeat_mono_ns, s->segment,
           s->segment_index, s->segments, (unsigned long long)s->bytes_written,
           (unsigned long long)s->messages_written, (unsigned long long)s->messages_received,
           (unsigned long long)s->drops, (unsigned long long)s->queue_bytes);
    for (uint32_t i = 0; i < s->ntopics; i++)
        printf("topic %s messages %llu written %llu drops %llu bytes %llu lost %llu rejected %llu "
               "publishers %u matched %u rate_hz %.3f bandwidth_bps %.1f\n", s->topics[i].name,
               (unsigned long long)s->topics[i].messages, (unsigned long long)s->topics[i].written,
               (unsigned long long)s->topics[i].drops, (unsigned long long)s->topics[i].bytes,
               (unsigned long long)s->topics[i].lost, (unsigned long long)s->topics[i].rejected,
               s->topics[i].publishers, s->topics[i].matched, s->topics[i].rate_hz,
               s->topics[i].bandwidth_bps);
    free(s);
    return 0;
}
