/* cli_record — `recguard record`: the built-in recorder process (like `ros2 bag record`).
 *
 * Parses the command line, picks the bag directory and first segment, blocks the signals it
 * handles before any thread exists (so Cyclone's and the writer's threads never take them), then
 * runs rdds (discovery + raw readers) feeding rec_writer, and waits for a signal:
 * SIGINT/SIGTERM/SIGHUP stop cleanly (DDS closed first, queue drained, files and metadata.yaml
 * finalized, exit 0), SIGUSR1 starts a new segment (--snapshot-mode: writes the held samples
 * first), SIGUSR2 pauses or resumes (--start-paused).
 * The option table is rg_recopts's (ros2 bag record's options); this file maps it onto rdds's
 * filter, the writer's options and rec_mcapcfg's presets. A write error (disk full) ends the run with
 * one message naming the file, exit 1. Exit 2 for a bad command line.
 */
#include "cli/cli.h"

#include "common/rg_bag.h"
#include "common/rg_fs.h"
#include "common/rg_num.h"
#include "common/rg_recopts.h"
#include "common/rg_sys.h"
#include "common/rg_time.h"
#include "dds/rdds.h"
#include "dds/rdds_qos_override.h"
#include "recorder/rec_mcapcfg.h"
#include "recorder/rec_msgdef.h"
#include "recorder/rec_stats.h"
#include "recorder/rec_writer.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RECORD_POLL_NS (200 * 1000000LL)    /* how often the main thread looks at the writer */
#define RECORD_DISCOVERY_GRACE_MS 2000      /* --no-discovery: how long "present at startup" lasts
                                             * (SEDP of the publishers already there) */

static const char usage_text[] =
    "usage: recguard record [-a | --all-topics | --all-services | TOPIC... | --topics T... |\n"
    "                        --services S... | --topic-types TYPE... | -e RE] [-x RE]\n"
    "                       [--exclude-topics T...] [--exclude-topic-types TYPE...]\n"
    "                       [--exclude-services S...] [-o DIR|FILE.mcap] [-s mcap]\n"
    "                       [-b BYTES] [-d SEC] [--compression-mode file|message]\n"
    "                       [--compression-format zstd|lz4] [--storage-preset-profile P]\n"
    "                       [--storage-config-file YAML] [--qos-profile-overrides-path YAML]\n"
    "                       [--include-hidden-topics] [--include-unpublished-topics]\n"
    "                       [--no-discovery] [-p MS] [--use-sim-time] [--start-paused]\n"
    "                       [--custom-data KEY=VALUE...] [--node-name N] [--log-level L]\n"
    "                       [--max-cache-size BYTES] [--snapshot-mode] [--include-dds]\n"
    "                       [--chunk-size BYTES]\n"
    "                       [--max-chunk-age MS] [--msg-path DIR]... [--stats FILE] [--lease MS]\n"
    "                       [--no-rates] [--positions FILE]\n"
    "                       [--standby FILE [--standby-window SEC] [--standby-memory BYTES]]\n"
    "Records ROS 2 (and with --include-dds, plain DDS) topics of domain $ROS_DOMAIN_ID into\n"
    "rosbag2-compatible MCAP; takes ros2 bag record's options (README: the option table).\n"
    "-o FILE.mcap writes exactly that segment (the daemon's {segment}). BYTES take a K, M or G\n"
    "suffix (powers of 1024). SIGINT/SIGTERM stop, SIGUSR1 splits (--snapshot-mode: writes the\n"
    "snapshot), SIGUSR2 pauses/resumes. --positions keeps, per DDS writer, the last sample in the\n"
    "file; --standby FILE holds samples in memory and writes nothing until SIGUSR1, then writes\n"
    "what the (dead) recorder that kept positions FILE had not (the daemon's redundancy: standby).\n";

typedef struct record_args {
    rg_recopts o;                /* the parsed command line */
    rdds_filter filter;          /* topic selection */
    const char **topics;         /* explicit topics (and service event topics), '/'-prefixed */
    size_t ntopics;              /* entries */
    const char **excl;           /* excluded topics and service event topics */
    size_t nexcl;                /* entries */
    char **owned;                /* names we allocated */
    size_t nowned;               /* entries */
    rdds_qos_overrides qos;      /* --qos-profile-overrides-path */
    mcap_writer_options mcap;    /* writer options after preset, storage config and flags */
} record_args;

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "recguard record: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage_text);
    return CLI_EXIT_USAGE;
}

static int dir_is_empty(const char *path) {
    DIR *d = opendir(path);
    if (!d) return -errno;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) empty = 0;
    closedir(d);
    return empty;
}

/* --log-level: the one process-wide setting, read by warnings from any thread. */
static rg_recopts_level record_log_level = RG_RECOPTS_LOG_INFO;

static void print_warning(void *ctx, const char *msg) {
    (void)ctx;
    if (record_log_level > RG_RECOPTS_LOG_WARN) return;
    fprintf(stderr, "recguard record: warning: %s\n", msg);
}

/* "/" + name (+ suffix): a relative name resolves against the root namespace, as for a node
 * in "/". NULL on ENOMEM. */
static const char *absolute(record_args *a, const char *name, const char *suffix) {
    if (name[0] == '/' && !suffix[0]) return name;
    size_t n = strlen(name) + strlen(suffix) + 2;
    char *t = malloc(n);
    if (!t) return NULL;
    snprintf(t, n, "%s%s%s", name[0] == '/' ? "" : "/", name, suffix);
    a->owned[a->nowned++] = t;
    return t;
}

/* The writer options: defaults, then the preset, then the storage config file, then the
 * explicit flags, as rosbag2 layers them. 0 or an exit code. */
static int plan_mcap(record_args *a) {
    char err[1024];
    rg_recopts *o = &a->o;
    mcap_writer_options_default(&a->mcap);
    a->mcap.library = "recguard";
    a->mcap.max_chunk_age_ns = o->chunk_age_ms * RG_NS_PER_MS;
    if (o->preset && rec_mcapcfg_preset(o->preset, &a->mcap, err, sizeof err) < 0)
        return usage_error("%s", err);
    if (o->storage_config && rec_mcapcfg_load(o->storage_config, &a->mcap, err, sizeof err) < 0) {
        fprintf(stderr, "recguard record: --storage-config-file %s\n", err);
        return CLI_EXIT_USAGE;
    }
    if (o->comp_format) {
        if (strcmp(o->comp_format, "zstd") == 0) a->mcap.compression = MCAP_COMPRESSION_ZSTD;
        else if (strcmp(o->comp_format, "lz4") == 0) a->mcap.compression = MCAP_COMPRESSION_LZ4;
        else a->mcap.compression = MCAP_COMPRESSION_NONE;
    }
    if (o->chunk_size) a->mcap.chunk_size = o->chunk_size;
    return 0;
}

static int parse_args(int argc, char **argv, record_args *a) {
    char err[1024];
    rg_recopts *o = &a->o;
    int rc = rg_recopts_parse(argc, argv, o, err, sizeof err);
    if (rc == -ENOMEM) return CLI_EXIT_FAIL;
    if (rc < 0) return usage_error("%s", err);
    if (o->help) {
        fputs(usage_text, stdout);
        return -1;
    }
    size_t cap = o->topics.n + o->services.n + 1;
    size_t xcap = o->exclude_topics.n + o->exclude_services.n + 1;
    a->topics = calloc(cap, sizeof *a->topics);
    a->excl = calloc(xcap, sizeof *a->excl);
    a->owned = calloc(cap + xcap, sizeof *a->owned);
    if (!a->topics || !a->excl || !a->owned) return CLI_EXIT_FAIL;
    for (size_t i = 0; i < o->topics.n; i++)
        if (!(a->topics[a->ntopics++] = absolute(a, o->topics.v[i], ""))) return CLI_EXIT_FAIL;
    for (size_t i = 0; i < o->services.n; i++)
        if (!(a->topics[a->ntopics++] = absolute(a, o->services.v[i], RG_RECOPTS_SERVICE_EVENT)))
            return CLI_EXIT_FAIL;
    /* Sim time needs /clock whatever else is selected; it is recorded too. */
    if (o->use_sim_time) a->topics[a->ntopics++] = "/clock";
    for (size_t i = 0; i < o->exclude_topics.n; i++)
        if (!(a->excl[a->nexcl++] = absolute(a, o->exclude_topics.v[i], ""))) return CLI_EXIT_FAIL;
    for (size_t i = 0; i < o->exclude_services.n; i++)
        if (!(a->excl[a->nexcl++] = absolute(a, o->exclude_services.v[i], RG_RECOPTS_SERVICE_EVENT)))
            return CLI_EXIT_FAIL;
    rdds_filter *f = &a->filter;
    f->all = o->all_topics;
    f->all_services = o->all_services;
    f->topics = a->topics;
    f->ntopics = a->ntopics;
    f->regex = o->regex;
    f->exclude = o->exclude_regex;
    f->topic_types = o->topic_types.v;
    f->ntopic_types = o->topic_types.n;
    f->exclude_topics = a->excl;
    f->nexclude_topics = a->nexcl;
    f->exclude_types = o->exclude_types.v;
    f->nexclude_types = o->exclude_types.n;
    f->include_dds = o->include_dds;
    f->include_hidden = o->include_hidden;
    f->lease_ns = o->lease_ms * RG_NS_PER_MS;
    if (o->no_discovery)
        f->discovery_window_ns = (o->polling_ms > RECORD_DISCOVERY_GRACE_MS ? o->polling_ms
                                                                          : RECORD_DISCOVERY_GRACE_MS) *
                                 RG_NS_PER_MS;
    if (o->qos_overrides) {
        if (rdds_qos_override_load(&a->qos, o->qos_overrides, err, sizeof err) < 0) {
            fprintf(stderr, "recguard record: --qos-profile-overrides-path %s\n", err);
            return CLI_EXIT_USAGE;
        }
        f->qos_overrides = &a->qos;
    }
    return plan_mcap(a);
}

/* Bag directory, segment base name, first index and exact first file from -o. */
typedef struct record_out {
    char dir[PATH_MAX];   /* bag directory */
    char name[NAME_MAX];  /* segment base name */
    unsigned first_index; /* N of the first segment */
    char file[PATH_MAX];  /* exact first segment ("" = <name>_<N>.mcap) */
} record_out;

static int plan_output(const char *out, record_out *o) {
    char err[PATH_MAX + 128];
    memset(o, 0, sizeof *o);
    size_t n = out ? strlen(out) : 0;
    if (out && rg_bag_is_segment(out)) {
        /* The daemon's {segment}: write exactly this file; metadata.yaml beside it covers the
         * directory's segments, earlier runs included. */
        if (n >= sizeof o->file) goto too_long;
        snprintf(o->file, sizeof o->file, "%s", out);
        int has_index;
        int rc = rg_bag_segment_parse(out, o->dir, sizeof o->dir, o->name, sizeof o->name,
                                      &o->first_index, &has_index);
        if (rc == -ENAMETOOLONG) goto too_long;
        if (rc < 0) goto bad_name;
        if (rg_fs_mkdir_p(o->dir, 0755, err, sizeof err) < 0) {
            fprintf(stderr, "recguard record: -o %s: %s\n", out, err);
            return CLI_EXIT_FAIL;
        }
        return 0;
    }
    if (out) {
        if (n >= sizeof o->dir) goto too_long;
        snprintf(o->dir, sizeof o->dir, "%s", out);
        while (strlen(o->dir) > 1 && o->dir[strlen(o->dir) - 1] == '/') o->dir[strlen(o->dir) - 1] = '\0';
    } else {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(o->dir, sizeof o->dir, "rosbag2_%Y_%m_%d-%H_%M_%S", &tm);
    }
    const char *slash = strrchr(o->dir, '/');
    if (snprintf(o->name, sizeof o->name, "%s", slash ? slash + 1 : o->dir) >= (int)sizeof o->name)
        goto bad_name;
    if (!o->name[0] || strcmp(o->name, ".") == 0 || strcmp(o->name, "..") == 0) goto bad_name;
    struct stat st;
    if (stat(o->dir, &st) == 0) {
        /* Like ros2 bag record: never mix two recordings in one bag directory. */
        if (!S_ISDIR(st.st_mode) || dir_is_empty(o->dir) != 1) {
            fprintf(stderr, "recguard record: -o %s: already exists and is not an empty directory\n",
                    o->dir);
            return CLI_EXIT_FAIL;
        }
    } else if (rg_fs_mkdir_p(o->dir, 0755, err, sizeof err) < 0) {
        fprintf(stderr, "recguard record: -o %s: %s\n", o->dir, err);
        return CLI_EXIT_FAIL;
    }
    return 0;
too_long:
    fprintf(stderr, "recguard record: -o %s: path too long\n", out);
    return CLI_EXIT_USAGE;
bad_name:
    fprintf(stderr, "recguard record: -o %s: no bag name in this path\n", out);
    return CLI_EXIT_USAGE;
}

static void print_summary(const rec_writer_summary *s, const char *dir) {
    printf("recguard record: stopped: %llu messages on %zu topics in %u segment%s (%.1f MiB) in %s\n",
           (unsigned long long)s->messages, s->ntopics, s->segments, s->segments == 1 ? "" : "s",
           (double)s->bytes / (1024.0 * 1024.0), dir);
    for (size_t i = 0; i < s->ntopics; i++) {
        const rec_writer_topic_summary *t = &s->topics[i];
        printf("  %-40s %-36s %10llu messages", t->name, t->type, (unsigned long long)t->written);
        if (t->drops) printf(", %llu DROPPED", (unsigned long long)t->drops);
        printf("\n");
    }
    if (s->drops)
        printf("recguard record: %llu messages dropped in total (queue full: writer behind)\n",
               (unsigned long long)s->drops);
    if (s->takeover_skipped || s->takeover_gap)
        printf("recguard record: took over: %llu held messages skipped (at or before the primary's "
               "last written), %llu lost between its last and the oldest held\n",
               (unsigned long long)s->takeover_skipped, (unsigned long long)s->takeover_gap);
    fflush(stdout);
}

static void print_start(const record_args *a, uint32_t domain, const record_out *out,
                        const char *segment, const char *stats) {
    const rg_recopts *o = &a->o;
    if (o->log_level > RG_RECOPTS_LOG_INFO) return;
    static const char *const comp[] = {"none", "lz4", "zstd"};
    printf("recguard record: recording domain %u (%s%s%s%s%s) to %s, first segment %s, stats %s, "
           "%s chunks%s%s\n",
           domain, o->all_topics ? "all topics" : a->ntopics ? "listed topics" : "selected topics",
           o->all_services ? " + all services" : "", o->include_dds ? " + DDS topics" : "",
           o->regex ? " + regex" : "", o->topic_types.n ? " + types" : "", out->dir, segment, stats,
           comp[a->mcap.compression <= MCAP_COMPRESSION_ZSTD ? a->mcap.compression : 0],
           o->node_name ? ", node name " : "", o->node_name ? o->node_name : "");
    for (size_t i = 0; i < o->nnotes; i++) printf("recguard record: note: %s\n", o->notes[i]);
    if (o->include_unpublished)
        printf("recguard record: note: --include-unpublished-topics: every selected topic is "
               "subscribed as soon as a publisher appears, for the whole run\n");
    if (o->start_paused) printf("recguard record: paused (SIGUSR2 resumes)\n");
    if (o->standby)
        printf("recguard record: standby for %s: holding samples in memory, writing nothing; "
               "SIGUSR1 takes over\n", o->standby);
    if (o->snapshot)
        printf("recguard record: snapshot mode: holding the last %llu bytes in memory; SIGUSR1 "
               "writes them into the current segment and starts the next\n",
               (unsigned long long)o->max_queue);
    fflush(stdout);
}

static void pause_toggle(const record_args *a, rec_writer *w) {
    int paused = !rec_writer_paused(w);
    rec_writer_pause(w, paused);
    if (a->o.log_level <= RG_RECOPTS_LOG_INFO) {
        printf("recguard record: %s\n", paused ? "paused (SIGUSR2 resumes)" : "resumed");
        fflush(stdout);
    }
}

int cli_record_main(int argc, char **argv) {
    record_args a = {0};
    record_out out;
    rec_msgdef *md = NULL;
    rec_writer *w = NULL;
    rdds_session *dds = NULL;
    char err[1024];
    int rc = parse_args(argc, argv, &a);
    if (rc) {
        rc = rc < 0 ? CLI_EXIT_OK : rc;
        goto done;
    }
    record_log_level = a.o.log_level;
    uint32_t domain = 0;
    if (rdds_domain_from_env(&domain, err, sizeof err) < 0) {
        fprintf(stderr, "recguard record: %s\n", err);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (rg_sys_arm_from_env(err, sizeof err) < 0) {
        fprintf(stderr, "recguard record: %s\n", err);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if ((rc = plan_output(a.o.out, &out)) != 0) goto done;

    rc = CLI_EXIT_FAIL;
    if (rec_msgdef_open(&md) < 0) goto oom;
    for (size_t i = 0; i < a.o.msg_paths.n; i++)
        if (rec_msgdef_add_root_list(md, a.o.msg_paths.v[i]) < 0) goto oom;
    if (rec_msgdef_add_root_list(md, getenv("RECGUARD_MSG_PATH")) < 0 ||
        rec_msgdef_add_ament(md, getenv("AMENT_PREFIX_PATH")) < 0)
        goto oom;
    char exe[PATH_MAX];
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (el > 0) {
        exe[el] = '\0';
        if (rec_msgdef_add_project(md, exe) < 0) goto oom;
    }

    char stats[PATH_MAX];
    if ((a.o.stats ? snprintf(stats, sizeof stats, "%s", a.o.stats)
                 : snprintf(stats, sizeof stats, "%s/%s", out.dir, RG_BAG_STATS)) >= (int)sizeof stats) {
        fprintf(stderr, "recguard record: --stats: path too long\n");
        goto done;
    }

    /* Before any thread exists: every thread inherits the mask, so only sigtimedwait below
     * ever sees these signals. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP); /* a closing terminal stops cleanly instead of cutting the file */
    sigaddset(&sigs, SIGUSR1);
    sigaddset(&sigs, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    rec_writer_options wo = {
        .dir = out.dir,
        .name = out.name,
        .first_index = out.first_index,
        .first_path = out.file[0] ? out.file : NULL,
        .mcap = a.mcap,
        .max_bag_size = a.o.max_bag_size,
        .max_bag_duration_ns = (int64_t)(a.o.max_bag_duration * 1e9),
        .max_queue = (size_t)a.o.max_queue,
        .stats_path = stats,
        .msgdef = md,
        .ros_distro = getenv("ROS_DISTRO"),
        .merge_metadata = out.file[0] != '\0',
        .no_rate = a.o.no_rates,
        .custom_data = a.o.custom_data.v,
        .ncustom = a.o.custom_data.n,
        .start_paused = a.o.start_paused,
        .use_sim_time = a.o.use_sim_time,
        .snapshot = a.o.snapshot,
        .positions_path = a.o.positions,
        .standby_follow = a.o.standby,
        .standby_window_ns = (int64_t)(a.o.standby_window * 1e9),
        .standby_bytes = (size_t)a.o.standby_memory,
        .on_warn = print_warning,
    };
    if (rec_writer_start(&w, &wo, err, sizeof err) < 0) {
        fprintf(stderr, "recguard record: %s\n", err);
        goto done;
    }
    rdds_callbacks cb = {
        .ctx = w,
        .on_topic = rec_writer_on_topic,
        .on_sample = rec_writer_on_sample,
        .on_error = print_warning,
        .on_event = rec_writer_on_event,
    };
    if (rdds_session_open(&dds, domain, &a.filter, &cb, err, sizeof err) < 0) {
        fprintf(stderr, "recguard record: %s\n", err);
        rec_writer_summary s;
        char e2[16];
        rec_writer_stop(w, &s, e2, sizeof e2);
        goto done;
    }
    print_start(&a, domain, &out, a.o.standby ? (out.file[0] ? out.file : "(next free)") : rec_writer_segment(w),
                stats);

    int failed = 0, took_over = 0;
    for (;;) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = RECORD_POLL_NS};
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) break;
        if (sig == SIGUSR1 && a.o.standby && a.o.log_level <= RG_RECOPTS_LOG_INFO && !took_over) {
            printf("recguard record: standby: taking over from %s\n", a.o.standby);
            fflush(stdout);
        }
        if (sig == SIGUSR1) took_over = 1;
        if (sig == SIGUSR1) rec_writer_split(w);
        if (sig == SIGUSR2) pause_toggle(&a, w);
        if ((failed = rec_writer_failed(w))) break;
    }
    /* DDS first: once it is closed no callback runs, so the queue drains to a fixed end. */
    rdds_session_close(dds);
    dds = NULL;
    rec_writer_summary s;
    int wrc = rec_writer_stop(w, &s, err, sizeof err);
    if (a.o.log_level <= RG_RECOPTS_LOG_INFO) print_summary(&s, out.dir);
    if (wrc < 0) {
        fprintf(stderr, "recguard record: %s%s; recording stopped, %s closed with what was already "
                        "written\n",
                failed == REC_STATS_DISK_FULL || wrc == -ENOSPC || wrc == -EDQUOT ? "disk full: " : "",
                err, s.last_segment);
        rc = CLI_EXIT_FAIL;
    } else {
        rc = CLI_EXIT_OK;
    }
    goto done;
oom:
    fprintf(stderr, "recguard record: out of memory\n");
done:
    rdds_session_close(dds);
    rec_writer_free(w);
    rec_msgdef_close(md);
    for (size_t i = 0; i < a.nowned; i++) free(a.owned[i]);
    free(a.owned);
    free(a.topics);
    free(a.excl);
    rdds_qos_override_free(&a.qos);
    rg_recopts_free(&a.o);
    return rc;
}
