/* rg_recopts — the command line of `recguard record` (a drop-in for `ros2 bag record`, Jazzy):
 * the option table and its parse into plain settings.
 *
 * Owns: every option's spelling (long, short, flag / value / space-delimited list as argparse's
 * nargs='+'), the daemon config key of each (`record:` section: the long option with '_' for
 * '-'), the syntax checks of every value (byte counts, seconds, enums, KEY=VALUE), the
 * ros2 bag record rules between options (exclusions need an inclusion, a compression format
 * needs a mode), and the refusals of what cannot apply to an MCAP recorder (`-s sqlite3`),
 * each naming what to use instead. It lives in common because it is the contract between the
 * daemon's config (DDS-free) and the recorder process.
 *
 * Pure: no I/O. Strings in rg_recopts point into argv (borrowed).
 */
#ifndef RG_RECOPTS_H
#define RG_RECOPTS_H

#include <stddef.h>
#include <stdint.h>

#define RG_RECOPTS_DEFAULT_QUEUE (256ull << 20) /* queue (--max-cache-size) default: 256 MiB */
#define RG_RECOPTS_MIN_QUEUE (64ull << 10)      /* smallest queue that holds a few slabs */
#define RG_RECOPTS_MAX_CHUNK_AGE_MS 1000        /* the crash-loss promise: at most 1 s */
#define RG_RECOPTS_DEFAULT_LEASE_MS 1000        /* DDS participant lease */
#define RG_RECOPTS_MIN_LEASE_MS 100             /* below it a loaded machine drops live readers */
#define RG_RECOPTS_MAX_LEASE_MS 600000          /* 10 min */
#define RG_RECOPTS_DEFAULT_POLL_MS 100          /* -p default, as ros2 bag record */
#define RG_RECOPTS_SERVICE_EVENT "/_service_event" /* suffix of a service's event topic */

typedef enum rg_recopts_kind {
    RG_RECOPTS_FLAG,  /* no value */
    RG_RECOPTS_VALUE, /* one value */
    RG_RECOPTS_LIST,  /* one or more values, up to the next option */
} rg_recopts_kind;

typedef struct rg_recopts_def {
    const char *name;    /* long option without "--" */
    char short_name;     /* single-letter alias, 0 = none */
    rg_recopts_kind kind;/* what it takes */
    int id;              /* internal option id */
    int config;          /* 1: settable in the daemon's `record:` section */
} rg_recopts_def;

typedef enum rg_recopts_compmode {
    RG_RECOPTS_COMP_NONE = 0, /* --compression-mode none (default) */
    RG_RECOPTS_COMP_FILE,     /* file: mapped onto MCAP chunk compression */
    RG_RECOPTS_COMP_MESSAGE,  /* message: mapped onto MCAP chunk compression */
} rg_recopts_compmode;

typedef enum rg_recopts_level {
    RG_RECOPTS_LOG_DEBUG = 0, RG_RECOPTS_LOG_INFO, RG_RECOPTS_LOG_WARN, RG_RECOPTS_LOG_ERROR,
    RG_RECOPTS_LOG_FATAL,
} rg_recopts_level;

typedef struct rg_recopts_list {
    const char **v; /* entries (borrowed) */
    size_t n;       /* count */
} rg_recopts_list;

typedef struct rg_recopts {
    rg_recopts_list topics;          /* positional topics and --topics */
    rg_recopts_list services;        /* --services (service names) */
    rg_recopts_list topic_types;     /* --topic-types */
    rg_recopts_list exclude_topics;  /* --exclude-topics */
    rg_recopts_list exclude_types;   /* --exclude-topic-types */
    rg_recopts_list exclude_services;/* --exclude-services */
    rg_recopts_list custom_data;     /* --custom-data KEY=VALUE (checked) */
    rg_recopts_list msg_paths;       /* --msg-path */
    int all_topics;                  /* -a / --all-topics */
    int all_services;                /* -a / --all-services */
    const char *regex;               /* -e */
    const char *exclude_regex;       /* -x */
    int include_hidden;              /* --include-hidden-topics */
    int include_unpublished;         /* --include-unpublished-topics */
    int include_dds;                 /* --include-dds */
    int no_discovery;                /* --no-discovery */
    int64_t polling_ms;              /* -p */
    const char *out;                 /* -o */
    uint64_t max_bag_size;           /* -b, 0 = no split */
    double max_bag_duration;         /* -d seconds, 0 = no split */
    rg_recopts_compmode comp_mode;   /* --compression-mode */
    const char *comp_format;         /* "none", "lz4", "zstd"; NULL = unset */
    const char *preset;              /* --storage-preset-profile, NULL = none */
    const char *storage_config;      /* --storage-config-file path */
    const char *qos_overrides;       /* --qos-profile-overrides-path */
    uint64_t chunk_size;             /* --chunk-size, 0 = writer default */
    int64_t chunk_age_ms;            /* --max-chunk-age */
    uint64_t max_queue;              /* --max-queue / --max-cache-size */
    const char *stats;               /* --stats */
    int64_t lease_ms;                /* --lease */
    const char *positions;           /* --positions FILE: durable positions per DDS writer */
    const char *standby;             /* --standby FILE: hot standby of the recorder writing FILE */
    double standby_window;           /* --standby-window SECONDS, 0 = the writer's default */
    uint64_t standby_memory;         /* --standby-memory BYTES, 0 = the writer's default */
    const char *node_name;           /* --node-name */
    rg_recopts_level log_level;      /* --log-level */
    int start_paused;                /* --start-paused */
    int use_sim_time;                /* --use-sim-time */
    int snapshot;                    /* --snapshot-mode */
    int no_rates;                    /* --no-rates: no per-topic rate estimation (benchmark baseline) */
    int help;                        /* -h / --help */
    const char *notes[8];            /* what was mapped or ignored, for the start lines */
    size_t nnotes;                   /* entries */
} rg_recopts;

/* The table, NULL-name terminated (for the daemon's `record:` keys and the README table). */
const rg_recopts_def *rg_recopts_table(void);
/* The option for a `record:` config key ("max_bag_size"), or NULL when there is none or it is
 * not settable from the config (-o, --stats and --lease belong to the daemon). */
const rg_recopts_def *rg_recopts_config_key(const char *key);

/* Parse argv[1..argc-1] (argv[0] is the verb). Lists are allocated with room for argc entries:
 * release with rg_recopts_free. 0, or -EINVAL with err "what: why" (a usage error), -ENOMEM. */
int rg_recopts_parse(int argc, char **argv, rg_recopts *o, char *err, size_t errlen);
void rg_recopts_free(rg_recopts *o);

#endif
