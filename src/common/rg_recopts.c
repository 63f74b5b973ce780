/* rg_recopts — `recguard record`'s option table and parse (see rg_recopts.h).
 *
 * Map: table · value checks · one option · the argv walk · rules between options.
 */
#include "common/rg_recopts.h"

#include "common/rg_num.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- table ------------------------------------------------------------------------------ */

enum {
    O_ALL = 1, O_ALL_TOPICS, O_ALL_SERVICES, O_TOPICS, O_SERVICES, O_TOPIC_TYPES, O_REGEX,
    O_EXCLUDE_REGEX, O_EXCLUDE_TOPICS, O_EXCLUDE_TYPES, O_EXCLUDE_SERVICES, O_UNPUBLISHED,
    O_HIDDEN, O_NO_DISCOVERY, O_POLL, O_IGNORE_LEAF, O_QOS, O_SERFMT, O_SIZE, O_DURATION,
    O_CACHE, O_NO_KEYS, O_PAUSED, O_SIMTIME, O_NODE, O_CUSTOM, O_SNAPSHOT, O_LOGLEVEL,
    O_STORAGE, O_PRESET, O_STORAGE_CFG, O_CQSIZE, O_CTHREADS, O_CPRIO, O_CMODE, O_CFORMAT,
    O_OUTPUT, O_DDS, O_CHUNK, O_AGE, O_MSGPATH, O_QUEUE, O_STATS, O_LEASE, O_NORATES, O_HELP,
    O_POSITIONS, O_STANDBY, O_SB_WINDOW, O_SB_MEMORY,
};

static const rg_recopts_def table[] = {
    /* ros2 bag record (Jazzy) */
    {"output", 'o', RG_RECOPTS_VALUE, O_OUTPUT, 0},
    {"storage", 's', RG_RECOPTS_VALUE, O_STORAGE, 1},
    {"topics", 0, RG_RECOPTS_LIST, O_TOPICS, 1},
    {"services", 0, RG_RECOPTS_LIST, O_SERVICES, 1},
    {"topic-types", 0, RG_RECOPTS_LIST, O_TOPIC_TYPES, 1},
    {"all", 'a', RG_RECOPTS_FLAG, O_ALL, 1},
    {"all-topics", 0, RG_RECOPTS_FLAG, O_ALL_TOPICS, 1},
    {"all-services", 0, RG_RECOPTS_FLAG, O_ALL_SERVICES, 1},
    {"regex", 'e', RG_RECOPTS_VALUE, O_REGEX, 1},
    {"exclude-regex", 'x', RG_RECOPTS_VALUE, O_EXCLUDE_REGEX, 1},
    {"exclude-topic-types", 0, RG_RECOPTS_LIST, O_EXCLUDE_TYPES, 1},
    {"exclude-topics", 0, RG_RECOPTS_LIST, O_EXCLUDE_TOPICS, 1},
    {"exclude-services", 0, RG_RECOPTS_LIST, O_EXCLUDE_SERVICES, 1},
    {"include-unpublished-topics", 0, RG_RECOPTS_FLAG, O_UNPUBLISHED, 1},
    {"include-hidden-topics", 0, RG_RECOPTS_FLAG, O_HIDDEN, 1},
    {"no-discovery", 0, RG_RECOPTS_FLAG, O_NO_DISCOVERY, 1},
    {"polling-interval", 'p', RG_RECOPTS_VALUE, O_POLL, 1},
    {"ignore-leaf-topics", 0, RG_RECOPTS_FLAG, O_IGNORE_LEAF, 1},
    {"qos-profile-overrides-path", 0, RG_RECOPTS_VALUE, O_QOS, 1},
    {"serialization-format", 'f', RG_RECOPTS_VALUE, O_SERFMT, 1},
    {"max-bag-size", 'b', RG_RECOPTS_VALUE, O_SIZE, 1},
    {"max-bag-duration", 'd', RG_RECOPTS_VALUE, O_DURATION, 1},
    {"max-cache-size", 0, RG_RECOPTS_VALUE, O_CACHE, 1},
    {"disable-keyboard-controls", 0, RG_RECOPTS_FLAG, O_NO_KEYS, 1},
    {"start-paused", 0, RG_RECOPTS_FLAG, O_PAUSED, 1},
    {"use-sim-time", 0, RG_RECOPTS_FLAG, O_SIMTIME, 1},
    {"node-name", 0, RG_RECOPTS_VALUE, O_NODE, 1},
    {"custom-data", 0, RG_RECOPTS_LIST, O_CUSTOM, 1},
    {"snapshot-mode", 0, RG_RECOPTS_FLAG, O_SNAPSHOT, 1},
    {"log-level", 0, RG_RECOPTS_VALUE, O_LOGLEVEL, 1},
    {"storage-preset-profile", 0, RG_RECOPTS_VALUE, O_PRESET, 1},
    {"storage-config-file", 0, RG_RECOPTS_VALUE, O_STORAGE_CFG, 1},
    {"compression-queue-size", 0, RG_RECOPTS_VALUE, O_CQSIZE, 1},
    {"compression-threads", 0, RG_RECOPTS_VALUE, O_CTHREADS, 1},
    {"compression-threads-priority", 0, RG_RECOPTS_VALUE, O_CPRIO, 1},
    {"compression-mode", 0, RG_RECOPTS_VALUE, O_CMODE, 1},
    {"compression-format", 0, RG_RECOPTS_VALUE, O_CFORMAT, 1},
    /* recguard's own */
    {"exclude", 0, RG_RECOPTS_VALUE, O_EXCLUDE_REGEX, 0}, /* old spelling of -x */
    {"include-dds", 0, RG_RECOPTS_FLAG, O_DDS, 1},
    {"chunk-size", 0, RG_RECOPTS_VALUE, O_CHUNK, 1},
    {"max-chunk-age", 0, RG_RECOPTS_VALUE, O_AGE, 1},
    {"msg-path", 0, RG_RECOPTS_VALUE, O_MSGPATH, 1},
    {"max-queue", 0, RG_RECOPTS_VALUE, O_QUEUE, 1},
    {"stats", 0, RG_RECOPTS_VALUE, O_STATS, 0},
    {"lease", 0, RG_RECOPTS_VALUE, O_LEASE, 0},
    {"positions", 0, RG_RECOPTS_VALUE, O_POSITIONS, 0},
    {"standby", 0, RG_RECOPTS_VALUE, O_STANDBY, 0},
    {"standby-window", 0, RG_RECOPTS_VALUE, O_SB_WINDOW, 0},
    {"standby-memory", 0, RG_RECOPTS_VALUE, O_SB_MEMORY, 0},
    {"no-rates", 0, RG_RECOPTS_FLAG, O_NORATES, 0},
    {"help", 'h', RG_RECOPTS_FLAG, O_HELP, 0},
    {NULL, 0, 0, 0, 0},
};

const rg_recopts_def *rg_recopts_table(void) { return table; }

const rg_recopts_def *rg_recopts_config_key(const char *key) {
    for (const rg_recopts_def *d = table; d->name; d++) {
        if (!d->config) continue;
        size_t i = 0;
        for (; d->name[i] && key[i]; i++)
            if (key[i] != (d->name[i] == '-' ? '_' : d->name[i])) break;
        if (!d->name[i] && !key[i]) return d;
    }
    return NULL;
}

/* ---- value checks ----------------------------------------------------------------------- */

/* "123", "64K", "256M", "2G" (powers of 1024; "KiB"/"KB" accepted too). 0 or -EINVAL. */
static int parse_bytes(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9') return -EINVAL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return -EINVAL;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    else if (*end == 'M' || *end == 'm') shift = 20;
    else if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) {
        end++;
        if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0) end += strlen(end);
    }
    if (*end || (shift && v > (UINT64_MAX >> shift))) return -EINVAL;
    *out = (uint64_t)v << shift;
    return 0;
}

static int fail(char *err, size_t errlen, const char *name, const char *arg, const char *why) {
    snprintf(err, errlen, "--%s %s: %s", name, arg ? arg : "", why);
    return -EINVAL;
}

static int one_of(const char *arg, const char *const *names) {
    for (int i = 0; names[i]; i++)
        if (strcmp(arg, names[i]) == 0) return i;
    return -1;
}

static void note(rg_recopts *o, const char *text) {
    if (o->nnotes < sizeof o->notes / sizeof o->notes[0]) o->notes[o->nnotes++] = text;
}

/* ---- one option ------------------------------------------------------------------------- */

static int set_value(rg_recopts *o, const rg_recopts_def *d, const char *arg, char *err, size_t errlen) {
    static const char *const levels[] = {"debug", "info", "warn", "error", "fatal", NULL};
    static const char *const modes[] = {"none", "file", "message", NULL};
    static const char *const formats[] = {"none", "lz4", "zstd", NULL};
    static const char *const presets[] = {"none", "fastwrite", "zstd_fast", "zstd_small", NULL};
    long long v;
    switch (d->id) {
    case O_OUTPUT: o->out = arg; break;
    case O_STORAGE:
        if (strcmp(arg, "mcap") == 0) break;
        if (strcmp(arg, "sqlite3") == 0)
            return fail(err, errlen, d->name, arg, "recguard writes MCAP only: use -s mcap (or leave "
                        "-s out) and convert afterwards with `ros2 bag convert` if sqlite3 is needed");
        return fail(err, errlen, d->name, arg, "unknown storage: only mcap is written");
    case O_REGEX: o->regex = arg; break;
    case O_EXCLUDE_REGEX: o->exclude_regex = arg; break;
    case O_POLL:
        if (rg_num_ll(arg, 1, 3600000, &v) < 0) return fail(err, errlen, d->name, arg, "expected 1..3600000 ms");
        o->polling_ms = v;
        break;
    case O_QOS: o->qos_overrides = arg; break;
    case O_SERFMT:
        if (strcmp(arg, "cdr") != 0)
            return fail(err, errlen, d->name, arg, "recguard records the CDR that DDS carries: use cdr");
        break;
    case O_SIZE:
        if (parse_bytes(arg, &o->max_bag_size) < 0)
            return fail(err, errlen, d->name, arg, "expected a byte count (K, M, G suffixes allowed)");
        break;
    case O_DURATION:
        if (rg_num_double(arg, 0, 1e9, &o->max_bag_duration) < 0)
            return fail(err, errlen, d->name, arg, "expected seconds >= 0");
        break;
    case O_CACHE:
    case O_QUEUE:
        if (parse_bytes(arg, &o->max_queue) < 0 || o->max_queue > SIZE_MAX / 2)
            return fail(err, errlen, d->name, arg, "expected a byte count");
        if (o->max_queue < RG_RECOPTS_MIN_QUEUE) {
            if (d->id == O_QUEUE) return fail(err, errlen, d->name, arg, "expected at least 64K bytes");
            /* ros2's 0 = "write every message directly": our queue is the hand-off between DDS
             * and the writer thread and cannot be absent, so the smallest one is used. */
            o->max_queue = RG_RECOPTS_MIN_QUEUE;
            note(o, "--max-cache-size below 64 KiB: the queue is 64 KiB (the writer thread needs one)");
        }
        break;
    case O_NODE:
        if (!arg[0] || strchr(arg, '/'))
            return fail(err, errlen, d->name, arg, "expected a node name without '/'");
        o->node_name = arg;
        break;
    case O_LOGLEVEL:
        if ((v = one_of(arg, levels)) < 0)
            return fail(err, errlen, d->name, arg, "expected debug, info, warn, error or fatal");
        o->log_level = (rg_recopts_level)v;
        break;
    case O_PRESET:
        if (one_of(arg, presets) < 0)
            return fail(err, errlen, d->name, arg, "expected none, fastwrite, zstd_fast or zstd_small");
        o->preset = arg;
        break;
    case O_STORAGE_CFG: o->storage_config = arg; break;
    case O_CQSIZE:
    case O_CTHREADS:
    case O_CPRIO:
        if (rg_num_ll(arg, -20, 1 << 20, &v) < 0) return fail(err, errlen, d->name, arg, "expected an integer");
        note(o, "--compression-queue-size/-threads/-threads-priority ignored: chunks are compressed "
                "by the writer thread");
        break;
    case O_CMODE:
        if ((v = one_of(arg, modes)) < 0) return fail(err, errlen, d->name, arg, "expected none, file or message");
        o->comp_mode = (rg_recopts_compmode)v;
        break;
    case O_CFORMAT:
        if (one_of(arg, formats) < 0) return fail(err, errlen, d->name, arg, "expected zstd, lz4 or none");
        o->comp_format = arg;
        break;
    case O_CHUNK:
        if (parse_bytes(arg, &o->chunk_size) < 0 || o->chunk_size < 1024 || o->chunk_size > (1ull << 30))
            return fail(err, errlen, d->name, arg, "expected 1K..1G bytes");
        break;
    case O_AGE:
        if (rg_num_ll(arg, 1, RG_RECOPTS_MAX_CHUNK_AGE_MS, &v) < 0)
            return fail(err, errlen, d->name, arg, "expected 1..1000 milliseconds");
        o->chunk_age_ms = v;
        break;
    case O_MSGPATH: o->msg_paths.v[o->msg_paths.n++] = arg; break;
    case O_STATS: o->stats = arg; break;
    case O_POSITIONS: o->positions = arg; break;
    case O_STANDBY: o->standby = arg; break;
    case O_SB_WINDOW:
        if (rg_num_double(arg, 0.1, 3600, &o->standby_window) < 0)
            return fail(err, errlen, d->name, arg, "expected 0.1..3600 seconds");
        break;
    case O_SB_MEMORY:
        if (parse_bytes(arg, &o->standby_memory) < 0 || o->standby_memory < RG_RECOPTS_MIN_QUEUE ||
            o->standby_memory > SIZE_MAX / 2)
            return fail(err, errlen, d->name, arg, "expected a byte count of at least 64K");
        break;
    case O_LEASE:
        if (rg_num_ll(arg, RG_RECOPTS_MIN_LEASE_MS, RG_RECOPTS_MAX_LEASE_MS, &v) < 0)
            return fail(err, errlen, d->name, arg, "expected 100..600000 milliseconds");
        o->lease_ms = v;
        break;
    default: return fail(err, errlen, d->name, arg, "internal: no handler");
    }
    return 0;
}

static int set_flag(rg_recopts *o, const rg_recopts_def *d) {
    switch (d->id) {
    case O_ALL: o->all_topics = o->all_services = 1; break;
    case O_ALL_TOPICS: o->all_topics = 1; break;
    case O_ALL_SERVICES: o->all_services = 1; break;
    case O_UNPUBLISHED: o->include_unpublished = 1; break;
    case O_HIDDEN: o->include_hidden = 1; break;
    case O_NO_DISCOVERY: o->no_discovery = 1; break;
    case O_IGNORE_LEAF: note(o, "--ignore-leaf-topics ignored: recguard records topics whether or not "
                                "anyone subscribes"); break;
    case O_NO_KEYS: break; /* recguard never reads the keyboard */
    case O_PAUSED: o->start_paused = 1; break;
    case O_SIMTIME: o->use_sim_time = 1; break;
    case O_SNAPSHOT: o->snapshot = 1; break;
    case O_NORATES: o->no_rates = 1; break;
    case O_DDS: o->include_dds = 1; break;
    case O_HELP: o->help = 1; break;
    default: return -EINVAL;
    }
    return 0;
}

static rg_recopts_list *list_of(rg_recopts *o, int id) {
    switch (id) {
    case O_TOPICS: return &o->topics;
    case O_SERVICES: return &o->services;
    case O_TOPIC_TYPES: return &o->topic_types;
    case O_EXCLUDE_TOPICS: return &o->exclude_topics;
    case O_EXCLUDE_TYPES: return &o->exclude_types;
    case O_EXCLUDE_SERVICES: return &o->exclude_services;
    case O_CUSTOM: return &o->custom_data;
    default: return NULL;
    }
}

static int add_item(rg_recopts *o, const rg_recopts_def *d, const char *arg, char *err, size_t errlen) {
    if (d->id == O_CUSTOM) {
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg) return fail(err, errlen, d->name, arg, "expected KEY=VALUE");
    }
    rg_recopts_list *l = list_of(o, d->id);
    l->v[l->n++] = arg;
    return 0;
}

/* ---- the argv walk ---------------------------------------------------------------------- */

static const rg_recopts_def *find_long(const char *name, size_t len) {
    for (const rg_recopts_def *d = table; d->name; d++)
        if (strlen(d->name) == len && strncmp(d->name, name, len) == 0) return d;
    return NULL;
}

static const rg_recopts_def *find_short(char c) {
    for (const rg_recopts_def *d = table; d->name; d++)
        if (d->short_name == c) return d;
    return NULL;
}

/* A value-looking argument: anything but an option ("-" alone and negative numbers count as
 * values, as argparse treats them). */
static int is_value(const char *a) {
    return a[0] != '-' || a[1] == '\0' || (a[1] >= '0' && a[1] <= '9');
}

static int alloc_lists(rg_recopts *o, int argc) {
    rg_recopts_list *ls[] = {&o->topics, &o->services, &o->topic_types, &o->exclude_topics,
                             &o->exclude_types, &o->exclude_services, &o->custom_data, &o->msg_paths};
    for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++)
        if (!(ls[i]->v = calloc((size_t)argc + 1, sizeof *ls[i]->v))) return -ENOMEM;
    return 0;
}

static void defaults(rg_recopts *o) {
    memset(o, 0, sizeof *o);
    o->polling_ms = RG_RECOPTS_DEFAULT_POLL_MS;
    o->chunk_age_ms = RG_RECOPTS_MAX_CHUNK_AGE_MS;
    o->max_queue = RG_RECOPTS_DEFAULT_QUEUE;
    o->lease_ms = RG_RECOPTS_DEFAULT_LEASE_MS;
    o->log_level = RG_RECOPTS_LOG_INFO;
}

static int walk(int argc, char **argv, rg_recopts *o, char *err, size_t errlen) {
    int rest = 0; /* after "--": everything is a topic */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (rest || is_value(a)) {
            o->topics.v[o->topics.n++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            rest = 1;
            continue;
        }
        const rg_recopts_def *d;
        const char *val = NULL;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            d = find_long(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
            if (eq) val = eq + 1;
        } else {
            d = find_short(a[1]);
            if (d && a[2]) val = a + 2; /* -b1000 */
        }
        if (!d) {
            snprintf(err, errlen, "unknown option %s", a);
            return -EINVAL;
        }
        int rc;
        if (d->kind == RG_RECOPTS_FLAG) {
            if (val) return fail(err, errlen, d->name, val, "takes no value");
            rc = set_flag(o, d);
        } else if (d->kind == RG_RECOPTS_VALUE) {
            if (!val) {
                if (i + 1 >= argc) return fail(err, errlen, d->name, NULL, "needs a value");
                val = argv[++i];
            }
            rc = set_value(o, d, val, err, errlen);
        } else if (val) {
            rc = add_item(o, d, val, err, errlen);
        } else {
            /* argparse's nargs='+': every following non-option argument. --custom-data is '*'. */
            int n = 0;
            while (i + 1 < argc && is_value(argv[i + 1])) {
                if ((rc = add_item(o, d, argv[++i], err, errlen)) < 0) return rc;
                n++;
            }
            if (n == 0 && d->id != O_CUSTOM) return fail(err, errlen, d->name, NULL, "needs at least one value");
            rc = 0;
        }
        if (rc < 0) return rc;
    }
    return 0;
}

/* ---- rules between options -------------------------------------------------------------- */

static int rules(rg_recopts *o, char *err, size_t errlen) {
    if (o->help) return 0;
    int any_all = o->all_topics || o->all_services;
    if (!any_all && !o->topics.n && !o->services.n && !o->topic_types.n && !o->regex) {
        snprintf(err, errlen, "no topics selected: give -a, --all-topics, --all-services, TOPIC..., "
                              "--topics, --services, --topic-types or --regex");
        return -EINVAL;
    }
    int broad = any_all || o->topic_types.n || o->regex;
    if (o->exclude_regex && !broad && !o->topics.n) {
        snprintf(err, errlen, "--exclude-regex needs -a, --all-topics, --all-services, --topic-types, "
                              "--regex or topics to exclude from");
        return -EINVAL;
    }
    if ((o->exclude_topics.n || o->exclude_types.n) && !(o->all_topics || o->topic_types.n || o->regex)) {
        snprintf(err, errlen, "--exclude-topics/--exclude-topic-types need -a, --all-topics, "
                              "--topic-types or --regex");
        return -EINVAL;
    }
    if (o->exclude_services.n && !(o->all_services || o->regex)) {
        snprintf(err, errlen, "--exclude-services needs -a, --all-services or --regex");
        return -EINVAL;
    }
    int explicit_mode = o->comp_mode != RG_RECOPTS_COMP_NONE;
    if (o->comp_format && strcmp(o->comp_format, "none") != 0 && !explicit_mode) {
        /* recguard's own meaning before the ros2 options existed: chunk compression. */
        o->comp_mode = RG_RECOPTS_COMP_MESSAGE;
    }
    if (o->comp_mode != RG_RECOPTS_COMP_NONE && (!o->comp_format || strcmp(o->comp_format, "none") == 0)) {
        snprintf(err, errlen, "--compression-mode %s: needs --compression-format zstd or lz4",
                 o->comp_mode == RG_RECOPTS_COMP_FILE ? "file" : "message");
        return -EINVAL;
    }
    if (explicit_mode)
        note(o, "--compression-mode file/message: written as MCAP chunk compression, which any MCAP "
                "reader decompresses itself (the bag stays readable without rosbag2's decompressor)");
    if (o->use_sim_time && o->no_discovery) {
        snprintf(err, errlen, "--use-sim-time and --no-discovery: /clock must be discovered to "
                              "record with sim time");
        return -EINVAL;
    }
    if (o->snapshot && (o->max_bag_size || o->max_bag_duration > 0)) {
        snprintf(err, errlen, "--snapshot-mode: each snapshot is its own segment; leave out "
                              "--max-bag-size and --max-bag-duration");
        return -EINVAL;
    }
    if (o->standby && o->snapshot) {
        snprintf(err, errlen, "--standby and --snapshot-mode: a standby takes over a recording, a "
                              "snapshot recorder writes only on demand");
        return -EINVAL;
    }
    if ((o->standby_window > 0 || o->standby_memory) && !o->standby) {
        snprintf(err, errlen, "--standby-window/--standby-memory need --standby");
        return -EINVAL;
    }
    return 0;
}

int rg_recopts_parse(int argc, char **argv, rg_recopts *o, char *err, size_t errlen) {
    defaults(o);
    if (alloc_lists(o, argc) < 0) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int rc = walk(argc, argv, o, err, errlen);
    if (rc == 0) rc = rules(o, err, errlen);
    return rc;
}

void rg_recopts_free(rg_recopts *o) {
    rg_recopts_list *ls[] = {&o->topics, &o->services, &o->topic_types, &o->exclude_topics,
                             &o->exclude_types, &o->exclude_services, &o->custom_data, &o->msg_paths};
    for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++) {
        free(ls[i]->v);
        ls[i]->v = NULL;
        ls[i]->n = 0;
    }
}
