/* cli_record — `recguard record`: the built-in recorder process (like `ros2 bag record`).
 *
 * Parses the command line, picks the bag directory and first segment, blocks the signals it
 * handles before any thread exists (so Cyclone's and the writer's threads never take them), then
 * runs rdds (discovery + raw readers) feeding rec_writer, and waits for a signal:
 * SIGINT/SIGTERM/SIGHUP stop cleanly (DDS closed first, queue drained, files and metadata.yaml
 * finalized, exit 0), SIGUSR1 starts a new segment. A write error (disk full) ends the run with
 * one message naming the file, exit 1. Exit 2 for a bad command line.
 */
#include "cli/cli.h"

#include "common/rg_fs.h"
#include "common/rg_num.h"
#include "common/rg_sys.h"
#include "common/rg_time.h"
#include "dds/rdds.h"
#include "recorder/rec_msgdef.h"
#include "recorder/rec_stats.h"
#include "recorder/rec_writer.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
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

#define RECORD_DEFAULT_QUEUE (256ull << 20) /* --max-queue default: 256 MiB */
#define RECORD_MIN_QUEUE (64ull << 10)      /* smallest queue that holds a few slabs */
#define RECORD_MAX_CHUNK_AGE_MS 1000        /* the crash-loss promise: at most 1 s */
#define RECORD_POLL_NS (200 * 1000000LL)    /* how often the main thread looks at the writer */
#define RECORD_DEFAULT_LEASE_MS 1000        /* DDS participant lease: a killed recorder holds
                                             * reliable publishers back at most this long */
#define RECORD_MIN_LEASE_MS 100             /* below it, a loaded machine's missed lease
                                             * renewals would drop a live recorder */
#define RECORD_MAX_LEASE_MS 600000

static const char usage_text[] =
    "usage: recguard record [-a | TOPIC... | --regex RE] [--exclude RE] [-o DIR|FILE.mcap]\n"
    "                       [--include-dds] [--include-hidden-topics] [--max-bag-size BYTES]\n"
    "                       [--max-bag-duration SEC] [--compression-format none|lz4|zstd]\n"
    "                       [--chunk-size BYTES] [--max-chunk-age MS] [--msg-path DIR]...\n"
    "                       [--max-queue BYTES] [--stats FILE] [--lease MS] [--no-rates]\n"
    "Records ROS 2 (and with --include-dds, plain DDS) topics of domain $ROS_DOMAIN_ID into\n"
    "rosbag2-compatible MCAP. -o FILE.mcap writes exactly that segment (the daemon's {segment}).\n"
    "BYTES take a K, M or G suffix (powers of 1024). SIGINT/SIGTERM stop, SIGUSR1 splits.\n";

typedef struct record_args {
    rdds_filter filter;          /* topic selection */
    const char **topics;         /* explicit topics, '/'-prefixed */
    char **owned;                /* topics we allocated (relative names made absolute) */
    size_t nowned;               /* entries */
    size_t ntopics;              /* entries */
    const char *out;             /* -o */
    uint64_t max_bag_size;       /* 0 = no split by size */
    double max_bag_duration;     /* seconds, 0 = none */
    mcap_compression compression;/* chunk compression */
    uint64_t chunk_size;         /* bytes */
    int64_t chunk_age_ms;        /* ms */
    const char **msg_paths;      /* --msg-path entries */
    size_t nmsg_paths;           /* entries */
    uint64_t max_queue;          /* bytes */
    const char *stats;           /* --stats */
    int no_rates;                /* --no-rates: no per-topic rate estimation (benchmark baseline) */
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

/* "123", "64K", "256M", "2G" (powers of 1024; "KiB" etc. accepted too). 0 or -EINVAL. */
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

static void print_warning(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "recguard record: warning: %s\n", msg);
}

static int parse_args(int argc, char **argv, record_args *a) {
    enum {
        O_REGEX = 256, O_EXCLUDE, O_DDS, O_HIDDEN, O_SIZE, O_DURATION, O_COMP, O_CHUNK,
        O_AGE, O_MSGPATH, O_QUEUE, O_STATS, O_LEASE, O_NORATES, O_HELP
    };
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},
        {"regex", required_argument, NULL, O_REGEX},
        {"exclude", required_argument, NULL, O_EXCLUDE},
        {"include-dds", no_argument, NULL, O_DDS},
        {"include-hidden-topics", no_argument, NULL, O_HIDDEN},
        {"max-bag-size", required_argument, NULL, O_SIZE},
        {"max-bag-duration", required_argument, NULL, O_DURATION},
        {"compression-format", required_argument, NULL, O_COMP},
        {"chunk-size", required_argument, NULL, O_CHUNK},
        {"max-chunk-age", required_argument, NULL, O_AGE},
        {"msg-path", required_argument, NULL, O_MSGPATH},
        {"max-queue", required_argument, NULL, O_QUEUE},
        {"stats", required_argument, NULL, O_STATS},
        {"lease", required_argument, NULL, O_LEASE},
        {"no-rates", no_argument, NULL, O_NORATES},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    mcap_writer_options mo;
    mcap_writer_options_default(&mo);
    a->compression = MCAP_COMPRESSION_NONE;
    a->chunk_size = mo.chunk_size;
    a->chunk_age_ms = RECORD_MAX_CHUNK_AGE_MS;
    a->max_queue = RECORD_DEFAULT_QUEUE;
    a->filter.lease_ns = RECORD_DEFAULT_LEASE_MS * RG_NS_PER_MS;
    a->msg_paths = calloc((size_t)argc, sizeof *a->msg_paths);
    a->topics = calloc((size_t)argc, sizeof *a->topics);
    a->owned = calloc((size_t)argc, sizeof *a->owned);
    if (!a->msg_paths || !a->topics || !a->owned) return CLI_EXIT_FAIL;
    optind = 1;
    opterr = 0;
    int c;
    long long v;
    while ((c = getopt_long(argc, argv, ":ao:h", opts, NULL)) != -1) {
        const char *arg = optarg;
        switch (c) {
        case 'a': a->filter.all = 1; break;
        case 'o': a->out = arg; break;
        case O_REGEX: a->filter.regex = arg; break;
        case O_EXCLUDE: a->filter.exclude = arg; break;
        case O_DDS: a->filter.include_dds = 1; break;
        case O_HIDDEN: a->filter.include_hidden = 1; break;
        case O_SIZE:
            if (parse_bytes(arg, &a->max_bag_size) < 0 || a->max_bag_size == 0)
                return usage_error("--max-bag-size %s: expected a positive byte count", arg);
            break;
        case O_DURATION:
            if (rg_num_double(arg, 0, 1e9, &a->max_bag_duration) < 0 || !(a->max_bag_duration > 0))
                return usage_error("--max-bag-duration %s: expected seconds > 0", arg);
            break;
        case O_COMP:
            if (strcmp(arg, "none") == 0) a->compression = MCAP_COMPRESSION_NONE;
            else if (strcmp(arg, "lz4") == 0) a->compression = MCAP_COMPRESSION_LZ4;
            else if (strcmp(arg, "zstd") == 0) a->compression = MCAP_COMPRESSION_ZSTD;
            else return usage_error("--compression-format %s: expected none, lz4 or zstd", arg);
            break;
        case O_CHUNK:
            if (parse_bytes(arg, &a->chunk_size) < 0 || a->chunk_size < 1024 ||
                a->chunk_size > (1ull << 30))
                return usage_error("--chunk-size %s: expected 1K..1G bytes", arg);
            break;
        case O_AGE:
            if (rg_num_ll(arg, 1, RECORD_MAX_CHUNK_AGE_MS, &v) < 0)
                return usage_error("--max-chunk-age %s: expected 1..1000 milliseconds", arg);
            a->chunk_age_ms = v;
            break;
        case O_MSGPATH: a->msg_paths[a->nmsg_paths++] = arg; break;
        case O_QUEUE:
            if (parse_bytes(arg, &a->max_queue) < 0 || a->max_queue < RECORD_MIN_QUEUE ||
                a->max_queue > SIZE_MAX / 2)
                return usage_error("--max-queue %s: expected at least 64K bytes", arg);
            break;
        case O_STATS: a->stats = arg; break;
        case O_LEASE:
            if (rg_num_ll(arg, RECORD_MIN_LEASE_MS, RECORD_MAX_LEASE_MS, &v) < 0)
                return usage_error("--lease %s: expected 100..600000 milliseconds", arg);
            a->filter.lease_ns = v * RG_NS_PER_MS;
            break;
        case O_NORATES: a->no_rates = 1; break;
        case 'h':
        case O_HELP: fputs(usage_text, stdout); return -1;
        case ':': return usage_error("option %s needs a value", argv[optind - 1]);
        default: return usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (argv[i][0] == '-') return usage_error("unknown option %s", argv[i]);
        if (argv[i][0] == '/') {
            a->topics[a->ntopics++] = argv[i];
        } else {
            /* A relative name resolves against the root namespace, as for a node in "/". */
            size_t n = strlen(argv[i]) + 2;
            char *t = malloc(n);
            if (!t) return CLI_EXIT_FAIL;
            snprintf(t, n, "/%s", argv[i]);
            a->owned[a->nowned++] = t;
            a->topics[a->ntopics++] = t;
        }
    }
    if (!a->filter.all && a->ntopics == 0 && !a->filter.regex)
        return usage_error("no topics selected: give -a, TOPIC... or --regex RE");
    a->filter.topics = a->topics;
    a->filter.ntopics = a->ntopics;
    return 0;
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
    if (n > 5 && strcmp(out + n - 5, ".mcap") == 0) {
        /* The daemon's {segment}: write exactly this file; metadata.yaml beside it covers the
         * directory's segments, earlier runs included. */
        if (n >= sizeof o->file) goto too_long;
        snprintf(o->file, sizeof o->file, "%s", out);
        snprintf(o->dir, sizeof o->dir, "%s", out);
        char *slash = strrchr(o->dir, '/');
        const char *base = slash ? slash + 1 : out;
        if (slash == o->dir) o->dir[1] = '\0';
        else if (slash) *slash = '\0';
        else snprintf(o->dir, sizeof o->dir, ".");
        size_t bl = strlen(base) - 5;
        if (bl == 0 || bl >= sizeof o->name) goto bad_name;
        snprintf(o->name, sizeof o->name, "%.*s", (int)bl, base);
        /* "<name>_<N>": later segments continue at N+1 under <name>. */
        char *us = strrchr(o->name, '_');
        if (us && us[1] && strspn(us + 1, "0123456789") == strlen(us + 1) && strlen(us + 1) < 9) {
            o->first_index = (unsigned)strtoul(us + 1, NULL, 10);
            *us = '\0';
            if (!o->name[0]) goto bad_name;
        }
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
    fflush(stdout);
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
    if ((rc = plan_output(a.out, &out)) != 0) goto done;

    rc = CLI_EXIT_FAIL;
    if (rec_msgdef_open(&md) < 0) goto oom;
    for (size_t i = 0; i < a.nmsg_paths; i++)
        if (rec_msgdef_add_root_list(md, a.msg_paths[i]) < 0) goto oom;
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
    if ((a.stats ? snprintf(stats, sizeof stats, "%s", a.stats)
                 : snprintf(stats, sizeof stats, "%s/recorder.stats", out.dir)) >= (int)sizeof stats) {
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
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    rec_writer_options wo = {
        .dir = out.dir,
        .name = out.name,
        .first_index = out.first_index,
        .first_path = out.file[0] ? out.file : NULL,
        .max_bag_size = a.max_bag_size,
        .max_bag_duration_ns = (int64_t)(a.max_bag_duration * 1e9),
        .max_queue = (size_t)a.max_queue,
        .stats_path = stats,
        .msgdef = md,
        .ros_distro = getenv("ROS_DISTRO"),
        .merge_metadata = out.file[0] != '\0',
        .no_rate = a.no_rates,
        .on_warn = print_warning,
    };
    mcap_writer_options_default(&wo.mcap);
    wo.mcap.library = "recguard";
    wo.mcap.compression = a.compression;
    wo.mcap.chunk_size = a.chunk_size;
    wo.mcap.max_chunk_age_ns = a.chunk_age_ms * RG_NS_PER_MS;
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
    printf("recguard record: recording domain %u (%s%s%s) to %s, first segment %s, stats %s\n",
           domain, a.filter.all ? "all topics" : a.ntopics ? "listed topics" : "regex",
           a.filter.include_dds ? " + DDS topics" : "", a.filter.regex ? " + regex" : "",
           out.dir, rec_writer_segment(w), stats);
    fflush(stdout);

    int failed = 0;
    for (;;) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = RECORD_POLL_NS};
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) break;
        if (sig == SIGUSR1) rec_writer_split(w);
        if ((failed = rec_writer_failed(w))) break;
    }
    /* DDS first: once it is closed no callback runs, so the queue drains to a fixed end. */
    rdds_session_close(dds);
    dds = NULL;
    rec_writer_summary s;
    int wrc = rec_writer_stop(w, &s, err, sizeof err);
    print_summary(&s, out.dir);
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
    free(a.msg_paths);
    return rc;
}
