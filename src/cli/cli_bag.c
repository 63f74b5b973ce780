/* cli_bag — the bag tools: `recguard info`, `recguard doctor`, `recguard recover`.
 *
 * Map:
 *   bag files     list a bag directory's *.mcap files in segment order
 *   info          per file: summary when intact and complete, else a scan (Notes says why);
 *                 totals per topic; drops
 *   doctor        mcap_doctor's findings, one line each, defects apart from notes
 *   recover       mcap_recover with a default output name beside the input; its proof, or
 *                 what was lost and which records no CRC vouches for
 *
 * Exit codes: 0 ok (doctor: no defect, notes allowed; recover: proven lossless), 1 failure
 * (doctor: defects; recover: nothing recovered), 2 usage, 3 recover lossy or unproven.
 */
#include "cli/cli.h"

#include "common/rg_num.h"
#include "mcap/mcap_doctor.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"
#include "mcap/mcap_recover.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---------- bag files ---------- */

typedef struct bag_file {
    char *path; /* full path */
    char *name; /* file name */
    char *stem; /* name without ".mcap" / ".recovered.mcap" */
    long index; /* trailing _N of the stem, -1 when none */
} bag_file;

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_bag_file(const void *a, const void *b) {
    const bag_file *x = a, *y = b;
    /* Same prefix before _N: order by N numerically (…_2 before …_10). */
    const char *ux = strrchr(x->stem, '_'), *uy = strrchr(y->stem, '_');
    if (x->index >= 0 && y->index >= 0 && ux - x->stem == uy - y->stem &&
        strncmp(x->stem, y->stem, (size_t)(ux - x->stem)) == 0 && x->index != y->index)
        return x->index < y->index ? -1 : 1;
    int c = strcmp(x->stem, y->stem);
    return c ? c : strcmp(x->name, y->name);
}

static void free_files(bag_file *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(f[i].path);
        free(f[i].name);
        free(f[i].stem);
    }
    free(f);
}

static int add_file(bag_file **files, size_t *n, const char *dir, const char *name) {
    bag_file *nf = realloc(*files, (*n + 1) * sizeof *nf);
    if (!nf) return -ENOMEM;
    *files = nf;
    bag_file *f = &nf[*n];
    size_t plen = strlen(dir) + strlen(name) + 2;
    f->path = malloc(plen);
    f->name = strdup(name);
    size_t cut = ends_with(name, ".recovered.mcap") ? strlen(".recovered.mcap")
                 : ends_with(name, ".mcap") ? strlen(".mcap") : 0;
    f->stem = strndup(name, strlen(name) - cut);
    if (!f->path || !f->name || !f->stem) {
        free(f->path);
        free(f->name);
        free(f->stem);
        return -ENOMEM;
    }
    if (dir[0]) snprintf(f->path, plen, "%s/%s", dir, name);
    else snprintf(f->path, plen, "%s", name);
    const char *u = strrchr(f->stem, '_');
    char *end = NULL;
    f->index = u && u[1] ? strtol(u + 1, &end, 10) : -1;
    if (f->index >= 0 && (!end || *end)) f->index = -1;
    (*n)++;
    return 0;
}

/* The .mcap files of a bag directory in segment order. X.recovered.mcap (what `recover`
 * made of a crashed segment) stands in for X.mcap. Returns 0 or -errno. */
static int list_bag(const char *dir, bag_file **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    DIR *d = opendir(dir);
    if (!d) return -errno;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".mcap")) continue;
        if (!ends_with(e->d_name, ".recovered.mcap")) {
            char alt[1024];
            snprintf(alt, sizeof alt, "%s/%.*s.recovered.mcap", dir, (int)(strlen(e->d_name) - 5), e->d_name);
            struct stat st;
            if (stat(alt, &st) == 0) continue;
        }
        rc = add_file(out, nout, dir, e->d_name);
    }
    closedir(d);
    if (rc) {
        free_files(*out, *nout);
        *out = NULL;
        *nout = 0;
        return rc;
    }
    qsort(*out, *nout, sizeof **out, cmp_bag_file);
    return 0;
}

/* ---------- info ---------- */

typedef struct topic_info {
    char *topic;     /* /name */
    char *type;      /* schema name */
    char *encoding;  /* message encoding */
    uint64_t count;  /* messages */
    uint64_t drops;  /* from recguard_drops metadata */
    int has_drops;   /* a drops entry exists */
    uint64_t lost;   /* SAMPLE_LOST, from recguard_loss metadata */
    uint64_t rejected; /* SAMPLE_REJECTED, from recguard_loss metadata */
    int has_loss;    /* a recguard_loss entry exists */
} topic_info;

typedef struct bag_info {
    topic_info *topics; /* first-seen order */
    size_t ntopics;
    uint64_t messages;      /* total */
    uint64_t start, end;    /* log time range */
    int have_time;          /* start/end valid */
    uint64_t bytes;         /* file sizes */
    char notes[4096];       /* per-file remarks */
    int failed;             /* a file could not be read at all */
} bag_info;

static topic_info *topic_get(bag_info *b, mcap_bytes topic) {
    for (size_t i = 0; i < b->ntopics; i++)
        if (mcap_bytes_eq(topic, b->topics[i].topic)) return &b->topics[i];
    topic_info *t = realloc(b->topics, (b->ntopics + 1) * sizeof *t);
    if (!t) return NULL;
    b->topics = t;
    t = &b->topics[b->ntopics];
    *t = (topic_info){.topic = mcap_bytes_dup(topic)};
    if (!t->topic) return NULL;
    b->ntopics++;
    return t;
}

static void note(bag_info *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(bag_info *b, const char *fmt, ...) {
    size_t used = strlen(b->notes);
    if (used + 2 >= sizeof b->notes) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->notes + used, sizeof b->notes - used, fmt, ap);
    va_end(ap);
    used = strlen(b->notes);
    if (used + 1 < sizeof b->notes) strcat(b->notes, "\n");
}

/* Fill topic type/encoding from a channel (first file that names it wins). */
static topic_info *topic_of_channel(bag_info *b, const mcap_reader *r, const mcap_channel *c) {
    topic_info *t = topic_get(b, c->topic);
    if (!t) return NULL;
    if (!t->type) {
        const mcap_schema *s = c->schema_id ? mcap_reader_schema(r, c->schema_id) : NULL;
        t->type = mcap_bytes_dup(s ? s->name : (mcap_bytes){0});
        t->encoding = mcap_bytes_dup(c->message_encoding);
    }
    return t;
}

/* recguard's loss records: `recguard_drops` (topic -> our queue's drops) and `recguard_loss`
 * (topic -> "lost=N rejected=N drops=N"; only lost and rejected are taken from it, drops come
 * from the first). Malformed values count as 0: these are reports, not the bag's data. */
static int is_loss_record(mcap_bytes name) {
    return mcap_bytes_eq(name, "recguard_drops") || mcap_bytes_eq(name, "recguard_loss");
}

static void add_drops(bag_info *b, mcap_bytes body) {
    mcap_metadata md;
    if (mcap_parse_metadata(body, &md) != 0 || !is_loss_record(md.name)) return;
    int loss = mcap_bytes_eq(md.name, "recguard_loss");
    mcap_bytes k, v;
    while (mcap_map_next_str(&md.map, &k, &v) == 1) {
        topic_info *t = topic_get(b, k);
        if (!t) return;
        char *s = mcap_bytes_dup(v);
        if (!s) return;
        if (loss) {
            unsigned long long l = 0, r = 0, d = 0;
            if (sscanf(s, "lost=%llu rejected=%llu drops=%llu", &l, &r, &d) == 3) {
                t->lost += l;
                t->rejected += r;
                t->has_loss = 1;
            }
        } else {
            t->drops += strtoull(s, NULL, 10);
            t->has_drops = 1;
        }
        free(s);
    }
}

static void add_time(bag_info *b, uint64_t start, uint64_t end) {
    if (!b->have_time || start < b->start) b->start = start;
    if (!b->have_time || end > b->end) b->end = end;
    b->have_time = 1;
}

/* Can the summary alone give info every topic with its type and count? 1, or 0 with the
 * reason in why. Statistics, Channel and Schema records in the summary are all optional. */
static int summary_complete(const mcap_reader *r, char *why, size_t whylen) {
    if (!r->has_statistics) {
        snprintf(why, whylen, "the summary has no statistics");
        return 0;
    }
    const mcap_statistics *st = &r->statistics;
    /* Without per-channel counts the topic table would read all zeros. */
    if (st->message_count && st->channel_counts.len == 0) {
        snprintf(why, whylen, "the summary statistics have no per-channel counts");
        return 0;
    }
    mcap_bytes m = st->channel_counts;
    uint16_t ch;
    uint64_t n;
    while (mcap_map_next_u16u64(&m, &ch, &n) == 1)
        if (!mcap_reader_channel(r, ch)) {
            snprintf(why, whylen, "the summary has statistics for channel %u but not its Channel record", ch);
            return 0;
        }
    uint32_t pos = 0, channels = 0;
    for (const mcap_channel *c; (c = mcap_reader_next_channel(r, &pos));) {
        channels++;
        if (c->schema_id && !mcap_reader_schema(r, c->schema_id)) {
            snprintf(why, whylen, "the summary has channel %u but not its Schema record %u", c->id, c->schema_id);
            return 0;
        }
    }
    if (st->channel_count > channels) {
        snprintf(why, whylen, "the summary statistics count %u channels but hold %u Channel records",
                 st->channel_count, channels);
        return 0;
    }
    return 1;
}

/* One file from its summary (summary_complete() said it can). */
static void info_from_summary(bag_info *b, mcap_reader *r) {
    const mcap_statistics *st = &r->statistics;
    b->messages += st->message_count;
    if (st->message_count) add_time(b, st->start, st->end);
    mcap_bytes m = st->channel_counts;
    uint16_t ch;
    uint64_t n;
    while (mcap_map_next_u16u64(&m, &ch, &n) == 1) {
        const mcap_channel *c = mcap_reader_channel(r, ch);
        if (!c) continue;
        topic_info *t = topic_of_channel(b, r, c);
        if (t) t->count += n;
    }
    /* Channels without messages still belong in the table. */
    uint32_t pos = 0;
    for (const mcap_channel *c; (c = mcap_reader_next_channel(r, &pos));) topic_of_channel(b, r, c);
    mcap_cursor cur;
    mcap_record rec;
    mcap_cursor_init(&cur, r->metadata_indexes.p, r->metadata_indexes.len, r->metadata_indexes_off);
    while (mcap_cursor_next(&cur, &rec) == 1) {
        mcap_metadata_index mi;
        if (mcap_parse_metadata_index(rec.body, &mi) != 0 || !is_loss_record(mi.name)) continue;
        if (mi.offset >= r->size || mi.length > r->size - mi.offset) continue;
        mcap_cursor one;
        mcap_record mr;
        mcap_cursor_init(&one, r->data + mi.offset, mi.length, mi.offset);
        if (mcap_cursor_next(&one, &mr) == 1 && mr.op == MCAP_OP_METADATA) add_drops(b, mr.body);
    }
}

static void info_by_scan(bag_info *b, mcap_reader *r, const char *name) {
    mcap_iter it;
    mcap_record rec;
    int in_chunk, rc;
    uint64_t bad_chunks = 0;
    mcap_iter_init(&it, r);
    while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) != 0) {
        if (rc < 0) {
            /* A cut is final (done); a bad chunk is skipped and the walk goes on. */
            if (it.done) note(b, "%s: %s", name, it.err);
            else bad_chunks++;
            continue;
        }
        if (rec.op == MCAP_OP_METADATA && !in_chunk) add_drops(b, rec.body);
        if (rec.op != MCAP_OP_MESSAGE) continue;
        mcap_message m;
        if (mcap_parse_message(rec.body, &m) != 0) continue;
        const mcap_channel *c = mcap_reader_channel(r, m.channel_id);
        b->messages++;
        add_time(b, m.log_time, m.log_time);
        if (!c) continue;
        topic_info *t = topic_of_channel(b, r, c);
        if (t) t->count++;
    }
    mcap_iter_free(&it);
    uint32_t pos = 0;
    for (const mcap_channel *c; (c = mcap_reader_next_channel(r, &pos));) topic_of_channel(b, r, c);
    if (bad_chunks) note(b, "%s: %" PRIu64 " unreadable chunk(s) skipped (run recguard doctor)", name, bad_chunks);
}

static void info_file(bag_info *b, const char *path, const char *name) {
    mcap_reader r;
    char err[512];
    struct stat st;
    if (stat(path, &st) == 0) b->bytes += (uint64_t)st.st_size;
    if (mcap_reader_open_file(&r, path, err, sizeof err) != 0) {
        fprintf(stderr, "recguard info: %s\n", err);
        b->failed = 1;
        return;
    }
    char why[256];
    if (mcap_reader_read_summary(&r, why, sizeof why) == 0 && summary_complete(&r, why, sizeof why)) {
        info_from_summary(b, &r);
        mcap_reader_close(&r);
        return;
    }
    note(b, "%s: %s; topics and types found and messages counted by scanning the data section", name, why);
    mcap_reader_close(&r);
    /* Summary tables may be half-filled: start over with a fresh reader. */
    if (mcap_reader_open_file(&r, path, err, sizeof err) != 0) {
        fprintf(stderr, "recguard info: %s\n", err);
        b->failed = 1;
        return;
    }
    info_by_scan(b, &r, name);
    mcap_reader_close(&r);
}

static void human_size(uint64_t n, char *out, size_t len) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    if (u == 0) snprintf(out, len, "%" PRIu64 " B", n);
    else snprintf(out, len, "%.1f %s", v, units[u]);
}

static void fmt_time(uint64_t ns, char *out, size_t len) {
    time_t s = (time_t)(ns / 1000000000ULL);
    struct tm tm;
    char buf[64];
    localtime_r(&s, &tm);
    strftime(buf, sizeof buf, "%b %e %Y %H:%M:%S", &tm);
    unsigned ms = (unsigned)(ns % 1000000000ULL / 1000000ULL);
    snprintf(out, len, "%s.%03u (%" PRIu64 ".%03u)", buf, ms, (uint64_t)s, ms);
}

static void info_usage(FILE *f) {
    fprintf(f, "usage: recguard info BAG_DIR_OR_FILE\n"
               "  Summarize a bag like `ros2 bag info`: files, size, duration, start, end, message\n"
               "  count, per-topic type/count/serialization format, and drops recorded by recguard.\n"
               "  A directory's *.mcap files are read in segment order; a file's summary is used\n"
               "  when intact and complete (statistics, channels and schemas), else the data section\n"
               "  is scanned and Notes says why (a cut-short file is counted up to the cut).\n"
               "  Exit: 0 ok, 1 a file could not be read, 2 usage.\n");
}

int cli_info_main(int argc, char **argv) {
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            info_usage(stdout);
            return CLI_EXIT_OK;
        }
        if (argv[i][0] == '-' || path) {
            info_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        path = argv[i];
    }
    if (!path) {
        info_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "recguard info: %s: %s\n", path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    bag_file *files = NULL;
    size_t nfiles = 0;
    int rc;
    if (S_ISDIR(st.st_mode)) {
        rc = list_bag(path, &files, &nfiles);
        if (rc == 0 && nfiles == 0) {
            fprintf(stderr, "recguard info: %s: no .mcap files in this directory\n", path);
            return CLI_EXIT_FAIL;
        }
    } else {
        const char *slash = strrchr(path, '/');
        char dir[4096] = "";
        if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
        rc = add_file(&files, &nfiles, "", path);
        if (rc == 0) {
            free(files[0].name);
            files[0].name = strdup(slash ? slash + 1 : path);
            if (!files[0].name) rc = -ENOMEM;
        }
    }
    if (rc) {
        fprintf(stderr, "recguard info: %s: %s\n", path, strerror(-rc));
        free_files(files, nfiles);
        return CLI_EXIT_FAIL;
    }
    bag_info *b = calloc(1, sizeof *b);
    if (!b) {
        free_files(files, nfiles);
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < nfiles; i++) info_file(b, files[i].path, files[i].name);

    char size[32], t0[96], t1[96];
    human_size(b->bytes, size, sizeof size);
    for (size_t i = 0; i < nfiles; i++)
        printf("%-19s%s\n", i == 0 ? "Files:" : "", files[i].name);
    printf("%-19s%s\n", "Bag size:", size);
    printf("%-19s%s\n", "Storage id:", "mcap");
    uint64_t dur = b->have_time ? b->end - b->start : 0;
    printf("%-19s%" PRIu64 ".%09" PRIu64 "s\n", "Duration:", dur / UINT64_C(1000000000), dur % UINT64_C(1000000000));
    if (b->have_time) {
        fmt_time(b->start, t0, sizeof t0);
        fmt_time(b->end, t1, sizeof t1);
        printf("%-19s%s\n%-19s%s\n", "Start:", t0, "End:", t1);
    }
    printf("%-19s%" PRIu64 "\n", "Messages:", b->messages);
    if (b->ntopics == 0) printf("Topic information: \n");
    int any_drops = 0;
    for (size_t i = 0; i < b->ntopics; i++) {
        topic_info *t = &b->topics[i];
        any_drops |= t->has_drops || t->has_loss;
        if (!t->type && !t->count) continue; /* known only from a drops record */
        printf("%-19sTopic: %s | Type: %s | Count: %" PRIu64 " | Serialization Format: %s\n",
               i == 0 ? "Topic information:" : "", t->topic, t->type ? t->type : "",
               t->count, t->encoding ? t->encoding : "");
    }
    if (any_drops) {
        int first = 1;
        for (size_t i = 0; i < b->ntopics; i++) {
            topic_info *t = &b->topics[i];
            if (!t->has_drops && !t->has_loss) continue;
            printf("%-19sTopic: %s | Dropped: %" PRIu64, first ? "Drops:" : "", t->topic, t->drops);
            if (t->has_loss) printf(" | Lost: %" PRIu64 " | Rejected: %" PRIu64, t->lost, t->rejected);
            printf("\n");
            first = 0;
        }
    }
    if (b->notes[0]) {
        int first = 1;
        for (char *save = NULL, *l = strtok_r(b->notes, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            printf("%-19s%s\n", first ? "Notes:" : "", l);
            first = 0;
        }
    }
    int failed = b->failed;
    for (size_t i = 0; i < b->ntopics; i++) {
        free(b->topics[i].topic);
        free(b->topics[i].type);
        free(b->topics[i].encoding);
    }
    free(b->topics);
    free(b);
    free_files(files, nfiles);
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---------- doctor ---------- */

static void doctor_usage(FILE *f) {
    fprintf(f, "usage: recguard doctor FILE.mcap [--max N]\n"
               "  Validate an MCAP file: magic, header, record lengths, data-section, summary and\n"
               "  chunk CRCs, compression, message and chunk indexes, statistics, summary offsets.\n"
               "  Each finding is printed as `OFFSET defect|note NAME: detail` (at most N, default\n"
               "  100). A defect breaks the MCAP specification (a MUST), a CRC, a length or an\n"
               "  offset; a note is an optional structure the file lacks (readers must scan) or\n"
               "  records longer than this version knows (extra bytes ignored): still valid.\n"
               "  Exit: 0 clean (notes allowed), 1 defects found (or unreadable), 2 usage.\n");
}

static void print_defect(void *ctx, const mcap_defect *d) {
    (void)ctx;
    printf("%12" PRIu64 "  %-6s  %s: %s\n", d->offset, d->note ? "note" : "defect", d->name, d->detail);
}

int cli_doctor_main(int argc, char **argv) {
    const char *path = NULL;
    unsigned long max = 100;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            doctor_usage(stdout);
            return CLI_EXIT_OK;
        }
        if (!strcmp(argv[i], "--max")) {
            long long v;
            if (i + 1 >= argc || rg_num_ll(argv[i + 1], 1, 1000000, &v) < 0) {
                if (i + 1 >= argc) fprintf(stderr, "recguard doctor: --max needs a value\n");
                else fprintf(stderr, "recguard doctor: --max '%s': expected a whole number 1..1000000\n", argv[i + 1]);
                doctor_usage(stderr);
                return CLI_EXIT_USAGE;
            }
            max = (unsigned long)v;
            i++;
            continue;
        }
        if (argv[i][0] == '-' || path) {
            doctor_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        path = argv[i];
    }
    if (!path) {
        doctor_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    mcap_reader r;
    char err[512];
    int rc = mcap_reader_open_file(&r, path, err, sizeof err);
    if (rc == -EBADMSG) {
        /* Not even a header: that is the defect. */
        FILE *f = fopen(path, "rb");
        char magic[MCAP_MAGIC_LEN] = {0};
        size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
        if (f) fclose(f);
        int magic_ok = got == MCAP_MAGIC_LEN && memcmp(magic, MCAP_MAGIC, MCAP_MAGIC_LEN) == 0;
        printf("%12d  defect  %s: %s\n", magic_ok ? MCAP_MAGIC_LEN : 0, magic_ok ? "bad-header" : "bad-magic", err);
        printf("%s: 1 defect\n", path);
        return CLI_EXIT_FAIL;
    }
    if (rc) {
        fprintf(stderr, "recguard doctor: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    mcap_doctor_report rep;
    int n = mcap_doctor(&r, (unsigned)max, print_defect, NULL, &rep);
    mcap_reader_close(&r);
    if (n < 0) {
        fprintf(stderr, "recguard doctor: %s: %s\n", path, strerror(-n));
        return CLI_EXIT_FAIL;
    }
    unsigned found = rep.defects + rep.notes;
    if (max && found > max) printf("... %u more findings not shown (--max)\n", found - (unsigned)max);
    printf("%s: %s%u defect%s, %u note%s (%" PRIu64 " records, %" PRIu64 " chunks, %" PRIu64 " messages, %s)\n",
           path, rep.defects ? "" : "clean, ", rep.defects, rep.defects == 1 ? "" : "s", rep.notes,
           rep.notes == 1 ? "" : "s", rep.records, rep.chunks, rep.messages,
           rep.has_summary ? "indexed" : "no summary");
    return rep.defects ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---------- recover ---------- */

static void recover_usage(FILE *f) {
    fprintf(f, "usage: recguard recover FILE.mcap [-o OUT.mcap] [--compression none|lz4|zstd]\n"
               "  Rebuild a cut-short or partly corrupt MCAP file into a new valid file (default\n"
               "  OUT: FILE with the suffix .recovered.mcap). Keeps every complete, valid chunk,\n"
               "  message, metadata record and attachment; skips corrupt chunks and counts what\n"
               "  was lost. Lossless only when the input proves it: DataEnd reached and its\n"
               "  data-section CRC matches (or every record has a matching CRC of its own and\n"
               "  the summary statistics count them all); otherwise lossy, naming the records no\n"
               "  CRC vouches for. Never overwrites: OUT must not exist. Compression defaults to\n"
               "  that of the input's first chunk.\n"
               "  Exit: 0 lossless (proven), 3 lossy or unproven, 1 nothing recovered or error,\n"
               "  2 usage.\n");
}

int cli_recover_main(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *comp = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            recover_usage(stdout);
            return CLI_EXIT_OK;
        }
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output") ||
             !strcmp(argv[i], "--compression")) && i + 1 >= argc) {
            fprintf(stderr, "recguard recover: %s needs a value\n", argv[i]);
            recover_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            out = argv[++i];
            continue;
        }
        if (!strcmp(argv[i], "--compression") && i + 1 < argc) {
            comp = argv[++i];
            if (strcmp(comp, "none") && strcmp(comp, "lz4") && strcmp(comp, "zstd")) {
                recover_usage(stderr);
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        if (argv[i][0] == '-' || in) {
            recover_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        in = argv[i];
    }
    if (!in) {
        recover_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    char defout[4096];
    if (!out) {
        size_t n = strlen(in);
        if (ends_with(in, ".mcap")) n -= 5;
        snprintf(defout, sizeof defout, "%.*s.recovered.mcap", (int)n, in);
        out = defout;
    }
    mcap_writer_options o, *op = NULL;
    if (comp) {
        mcap_writer_options_default(&o);
        o.compression = !strcmp(comp, "lz4") ? MCAP_COMPRESSION_LZ4
                        : !strcmp(comp, "zstd") ? MCAP_COMPRESSION_ZSTD : MCAP_COMPRESSION_NONE;
        op = &o;
    }
    mcap_recover_report rep;
    char err[512] = "";
    int rc = mcap_recover(in, out, op, &rep, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "recguard recover: %s\n", err[0] ? err : strerror(-rc));
        return CLI_EXIT_FAIL;
    }
    if (rc == MCAP_RECOVER_NOTHING) {
        fprintf(stderr, "recguard recover: %s: %s\n", in, err);
        return CLI_EXIT_FAIL;
    }
    printf("recovered %s -> %s: %" PRIu64 " messages from %" PRIu64 " chunks, %" PRIu64 " channels, %" PRIu64
           " schemas, %" PRIu64 " metadata records, %" PRIu64 " attachments\n",
           in, out, rep.messages, rep.chunks, rep.channels, rep.schemas, rep.metadata, rep.attachments);
    if (rep.data_crc == MCAP_RECOVER_CRC_BAD)
        printf("data-section CRC: %08" PRIx32 ", DataEnd says %08" PRIx32 " (mismatch)\n", rep.data_crc_got,
               rep.data_crc_want);
    if (rc == MCAP_RECOVER_LOSSY && rep.unproven) {
        printf("lost: nothing seen lost, but nothing proves the records complete and unchanged\n");
        printf("why: %s\n", rep.first_loss);
        if (rep.unverified)
            printf("unverified: %" PRIu64 " kept record(s) no CRC vouches for: %s\n", rep.unverified,
                   rep.unverified_what);
        printf("result: unproven (treat as lossy)\n");
        return CLI_EXIT_LOSSY;
    }
    if (rc == MCAP_RECOVER_LOSSY) {
        printf("lost: %" PRIu64 " chunks, at least %" PRIu64 " messages, %" PRIu64 " other records, %" PRIu64
               " bytes of input\n",
               rep.chunks_lost, rep.messages_lost, rep.records_lost, rep.bytes_lost);
        printf("first loss: %s\n", rep.first_loss);
        if (rep.unverified) {
            /* Kept, but nothing proves them unchanged: the user must know which. */
            printf("unverified: %" PRIu64 " kept record(s) no CRC vouches for: %s\n", rep.unverified,
                   rep.unverified_what);
        }
        printf("result: lossy\n");
        return CLI_EXIT_LOSSY;
    }
    printf("proof: %s\n", rep.proof);
    printf("result: lossless\n");
    return CLI_EXIT_OK;
}
