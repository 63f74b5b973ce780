/* guard_record — the daemon config's `record:` section: the built-in recorder's options.
 *
 * Owns: the section's keys (the long options of `recguard record`, '_' for '-', as
 * rg_recopts's table marks them settable: output, stats and lease stay the daemon's), their
 * YAML values (a flag is true/false, a list option takes a list or one string, everything else
 * one scalar), the argv fragment they become ("--max-bag-size", "4M", ...), its check through
 * the recorder's own parser (so a bad value fails when the config loads, with the recorder's
 * message), whether it selects topics itself (else the daemon records -a), and its JSON.
 * A key set again (a later file layer or --set record.KEY=VALUE) replaces the earlier value.
 */
#ifndef GUARD_RECORD_H
#define GUARD_RECORD_H

#include <stddef.h>

#include <jansson.h>
#include <libfyaml.h>

#include "common/rg_recopts.h"

#define GUARD_RECORD_MAX_KEYS 64 /* distinct keys in the section */

typedef struct guard_record_entry {
    const rg_recopts_def *def; /* the option */
    char **values;             /* NULL-terminated; a flag has none when true */
    int off;                   /* 1: a flag set to false (no argument) */
} guard_record_entry;

typedef struct guard_record {
    guard_record_entry e[GUARD_RECORD_MAX_KEYS]; /* in order of first setting */
    size_t n;                                    /* entries */
} guard_record;

/* Set `key` from a YAML node. 0, or -EINVAL with `why` filled (no key name in it), -ENOMEM. */
int guard_record_set(guard_record *r, const char *key, struct fy_node *v, char *why, size_t whylen);
/* Set `key` from --set text: list and flag keys parse it as YAML, others take it raw. */
int guard_record_set_text(guard_record *r, const char *key, const char *text, char *why, size_t whylen);
/* The argv fragment (NULL-terminated, malloc'd strings) in *out, *n entries. 0 or -ENOMEM. */
int guard_record_argv(const guard_record *r, char ***out, size_t *n);
/* 1 when snapshot_mode is set true. */
int guard_record_snapshot(const guard_record *r);
/* 1 when start_paused is set true. */
int guard_record_start_paused(const guard_record *r);
/* In a recorder argv (NULL-terminated, every string malloc'd, the array too), drop every
 * --start-paused and, when `paused`, append one: the next recorder starts in the state the
 * daemon keeps. *argv may move. 0, or -ENOMEM (the argv is then without the flag). */
int guard_record_argv_paused(char ***argv, int paused);
/* 1 when the section selects topics itself (topics, regex, all, ...). */
int guard_record_selects(const guard_record *r);
/* Check every value with the recorder's parser. 0, or -EINVAL with err "record: why". */
int guard_record_check(const guard_record *r, char *err, size_t errlen);
/* {key: value|[values]|true}; NULL on ENOMEM. */
json_t *guard_record_json(const guard_record *r);
void guard_record_free(guard_record *r);

#endif
