/* Fuzz target: `recguard record`'s command line (rg_recopts), the options a user or the
 * daemon's `record:` section hands the recorder.
 *
 * Input: NUL-separated arguments (at most 64), argv[0] being the verb.
 *
 * Oracles: no crash or leak; a refusal is a usage error with a sentence; an accepted command
 * line selects something (or asked for help), lists hold no more than the arguments given,
 * values are in their documented ranges, and a compression mode always comes with a format. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rg_recopts.h"

#define MAX_ARGS 64 /* arguments tried */

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "record";
    for (char *p = buf; argc < MAX_ARGS + 1 && p <= buf + size; p += strlen(p) + 1) argv[argc++] = p;
    argv[argc] = NULL;
    rg_recopts o;
    char err[512] = "";
    int rc = rg_recopts_parse(argc, argv, &o, err, sizeof err);
    if (rc < 0) {
        CHECK(rc == -EINVAL || rc == -ENOMEM);
        CHECK(err[0] != '\0');
    } else {
        CHECK(o.help || o.all_topics || o.all_services || o.topics.n || o.services.n || o.topic_types.n || o.regex);
        size_t total = o.topics.n + o.services.n + o.topic_types.n + o.exclude_topics.n + o.exclude_types.n +
                       o.exclude_services.n + o.custom_data.n + o.msg_paths.n;
        CHECK(total <= (size_t)argc);
        CHECK(o.chunk_age_ms >= 1 && o.chunk_age_ms <= RG_RECOPTS_MAX_CHUNK_AGE_MS);
        CHECK(o.lease_ms >= RG_RECOPTS_MIN_LEASE_MS && o.lease_ms <= RG_RECOPTS_MAX_LEASE_MS);
        CHECK(o.max_queue >= RG_RECOPTS_MIN_QUEUE);
        CHECK(o.max_bag_duration >= 0);
        /* -h stops before the rules between options. */
        CHECK(o.help || o.comp_mode == RG_RECOPTS_COMP_NONE || (o.comp_format && strcmp(o.comp_format, "none")));
        for (size_t i = 0; i < o.custom_data.n; i++) CHECK(strchr(o.custom_data.v[i], '=') > o.custom_data.v[i]);
        CHECK(o.nnotes <= sizeof o.notes / sizeof o.notes[0]);
    }
    rg_recopts_free(&o);
    free(buf);
    return 0;
}
