/* helper_mcap_mutate — damages valid MCAP files every way a byte stream can be damaged (cut
 * at an offset, one byte flipped) and holds `recover`, `doctor` and `info` to their promises,
 * in process, so that every offset of a file can be tried in seconds.
 *
 *   helper_mcap_mutate [--every N] [--xor X] [--no-flips] [--cli-every K] FILE...
 *
 * For each FILE (which must be valid: recover must call it lossless) and every Nth offset k:
 * the file cut to k bytes, and the file with byte k XORed with X (default 0x01). Each mutant
 * goes through mcap_recover; whenever the result is lossless (exit 0), the output must hold
 * exactly the original's messages (topic, encoding, channel metadata, schema, sequence,
 * times, payload), metadata records and attachments, compared as sorted multisets; any output
 * recover leaves must be a file mcap_doctor finds free of defects. Every Kth mutant (default
 * 1) also goes through the real verbs `recguard doctor`, `info` and `recover` (cli_*_main,
 * stdout to /dev/null), which must exit 0, 1 or 3. Crashes, hangs and sanitizer reports end
 * the process (the test fails).
 *
 * Prints one line per FILE and a JSON line of totals: {files, mutants, lossless, lossy,
 * nothing, failures}. Exit 0 when no promise was broken, 1 otherwise, 2 on usage.
 */
#include "cli/cli.h"
#include "mcap/mcap_doctor.h"
#include "mcap/mcap_format.h"
#include "mcap/mcap_reader.h"
#include "mcap/mcap_recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct blob {
    uint8_t *p; /* canonical bytes of one message / metadata / attachment */
    size_t n;   /* length */
} blob;

typedef struct contents {
    blob *b;   /* kind byte first ('M', 'D', 'A'), sorted */
    size_t n;  /* entries */
    size_t cap;
} contents;

static int totals_fail;

static void add_field(uint8_t **p, size_t *n, size_t *cap, const void *src, size_t len) {
    if (*n + len + 8 > *cap) {
        *cap = (*n + len + 8) * 2;
        *p = realloc(*p, *cap);
        if (!*p) abort();
    }
    uint64_t l = len; /* length-prefixed, so field boundaries cannot alias */
    memcpy(*p + *n, &l, 8);
    if (len) memcpy(*p + *n + 8, src, len);
    *n += 8 + len;
}

static void push(contents *c, uint8_t *p, size_t n) {
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->b = realloc(c->b, c->cap * sizeof *c->b);
        if (!c->b) abort();
    }
    c->b[c->n++] = (blob){p, n};
}

static int cmp_blob(const void *x, const void *y) {
    const blob *a = x, *b = y;
    size_t n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->p, b->p, n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

static void free_contents(contents *c) {
    for (size_t i = 0; i < c->n; i++) free(c->b[i].p);
    free(c->b);
    *c = (contents){0};
}

#define FIELD(b) add_field(&p, &n, &cap, (b).p, (size_t)(b).len)
#define RAW(x) add_field(&p, &n, &cap, &(x), sizeof(x))

/* Every message, metadata record and attachment of a file, by content. -1 when the file
 * cannot be read whole (a bad chunk or a cut). */
static int read_contents(const char *path, contents *c) {
    *c = (contents){0};
    mcap_reader r;
    char err[512];
    if (mcap_reader_open_file(&r, path, err, sizeof err) != 0) return -1;
    mcap_iter it;
    mcap_record rec;
    int in_chunk, rc, bad = 0;
    mcap_iter_init(&it, &r);
    while ((rc = mcap_iter_next(&it, &rec, &in_chunk)) != 0) {
        if (rc < 0) {
            bad = 1;
            continue;
        }
        uint8_t *p = NULL, kind;
        size_t n = 0, cap = 0;
        if (rec.op == MCAP_OP_MESSAGE) {
            mcap_message m;
            const mcap_channel *ch;
            if (mcap_parse_message(rec.body, &m) || !(ch = mcap_reader_channel(&r, m.channel_id))) {
                bad = 1;
                continue;
            }
            const mcap_schema *s = ch->schema_id ? mcap_reader_schema(&r, ch->schema_id) : NULL;
            mcap_bytes none = {0};
            kind = 'M';
            RAW(kind);
            FIELD(ch->topic);
            FIELD(ch->message_encoding);
            FIELD(ch->metadata);
            FIELD(s ? s->name : none);
            FIELD(s ? s->encoding : none);
            FIELD(s ? s->data : none);
            RAW(m.sequence);
            RAW(m.log_time);
            RAW(m.publish_time);
            FIELD(m.data);
        } else if (rec.op == MCAP_OP_METADATA && !in_chunk) {
            mcap_metadata md;
            if (mcap_parse_metadata(rec.body, &md)) continue;
            kind = 'D';
            RAW(kind);
            FIELD(md.name);
            FIELD(md.map);
        } else if (rec.op == MCAP_OP_ATTACHMENT && !in_chunk) {
            mcap_attachment a;
            if (mcap_parse_attachment(rec.body, &a)) continue;
            kind = 'A';
            RAW(kind);
            FIELD(a.name);
            FIELD(a.media_type);
            RAW(a.log_time);
            RAW(a.create_time);
            FIELD(a.data);
        } else {
            continue;
        }
        push(c, p, n);
    }
    mcap_iter_free(&it);
    mcap_reader_close(&r);
    if (c->n) qsort(c->b, c->n, sizeof *c->b, cmp_blob);
    return bad ? -1 : 0;
}

static int same_contents(const contents *a, const contents *b) {
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (cmp_blob(&a->b[i], &b->b[i])) return 0;
    return 1;
}

static void spit(const char *path, const uint8_t *b, size_t n) {
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || (n && write(fd, b, n) != (ssize_t)n) || close(fd) < 0) {
        perror(path);
        exit(1);
    }
}

typedef struct run {
    const char *dir;    /* scratch directory */
    const contents *want; /* the original's contents */
    unsigned cli_every; /* run the CLI verbs on every Kth mutant */
    unsigned long n, lossless, lossy, nothing, failures; /* counts */
} run;

static void broken(run *R, const char *file, const char *what, const char *why) {
    R->failures++;
    totals_fail = 1;
    if (R->failures <= 20) fprintf(stderr, "FAIL %s %s: %s\n", file, what, why);
}

/* The real verbs on the mutant: any exit but 0, 1, 3 (or a crash) is a broken promise. */
static void cli_verbs(run *R, const char *file, const char *what, const char *in) {
    char out[512];
    snprintf(out, sizeof out, "%s/cli.mcap", R->dir);
    unlink(out);
    /* Their sentences (thousands of "cut short") would bury the report; a sanitizer finding
     * aborts the process all the same. */
    fflush(stdout);
    fflush(stderr);
    int saved = dup(1), saved2 = dup(2), devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    dup2(devnull, 1);
    dup2(devnull, 2);
    char *doc[] = {"doctor", (char *)in, NULL}, *info[] = {"info", (char *)in, NULL};
    char *rec[] = {"recover", (char *)in, "-o", out, NULL};
    int rd = cli_doctor_main(2, doc), ri = cli_info_main(2, info), rr = cli_recover_main(4, rec);
    fflush(stdout);
    fflush(stderr);
    dup2(saved, 1);
    dup2(saved2, 2);
    close(saved);
    close(saved2);
    close(devnull);
    if ((rd != 0 && rd != 1) || (ri != 0 && ri != 1) || (rr != 0 && rr != 1 && rr != 3)) {
        char why[128];
        snprintf(why, sizeof why, "exit codes doctor %d, info %d, recover %d", rd, ri, rr);
        broken(R, file, what, why);
    }
    unlink(out);
}

static void mutant(run *R, const char *file, const char *what, const uint8_t *b, size_t n) {
    char in[512], out[512], err[512];
    snprintf(in, sizeof in, "%s/in.mcap", R->dir);
    snprintf(out, sizeof out, "%s/out.mcap", R->dir);
    spit(in, b, n);
    unlink(out);
    mcap_recover_report rep;
    int rc = mcap_recover(in, out, NULL, &rep, err, sizeof err);
    R->n++;
    if (rc == MCAP_RECOVER_LOSSLESS) R->lossless++;
    else if (rc == MCAP_RECOVER_LOSSY) R->lossy++;
    else if (rc == MCAP_RECOVER_NOTHING) R->nothing++;
    else broken(R, file, what, err);
    if (rc == MCAP_RECOVER_LOSSLESS) {
        contents got;
        if (read_contents(out, &got) != 0 || !same_contents(R->want, &got))
            broken(R, file, what, "recover said lossless, but the output does not hold exactly the original's contents");
        free_contents(&got);
    }
    if (access(out, F_OK) == 0) {
        mcap_reader r;
        mcap_doctor_report drep;
        if (mcap_reader_open_file(&r, out, err, sizeof err) != 0) {
            broken(R, file, what, err);
        } else {
            if (mcap_doctor(&r, 0, NULL, NULL, &drep) != 0) broken(R, file, what, "recover output has defects");
            mcap_reader_close(&r);
        }
    }
    if (R->cli_every && R->n % R->cli_every == 0) cli_verbs(R, file, what, in);
}

static uint8_t *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)len + 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return b;
}

int main(int argc, char **argv) {
    unsigned long every = 1;
    unsigned xor = 0x01;
    int flips = 1;
    run R = {.cli_every = 1};
    int first = 1;
    setvbuf(stdout, NULL, _IOLBF, 0); /* one line per file as it finishes: long runs show progress */
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "--every") && first + 1 < argc) every = strtoul(argv[++first], NULL, 0);
        else if (!strcmp(argv[first], "--xor") && first + 1 < argc) xor = (unsigned)strtoul(argv[++first], NULL, 0);
        else if (!strcmp(argv[first], "--cli-every") && first + 1 < argc) R.cli_every = (unsigned)strtoul(argv[++first], NULL, 0);
        else if (!strcmp(argv[first], "--no-flips")) flips = 0;
        else break;
    }
    if (first >= argc || every == 0 || (xor & 0xff) == 0) {
        fprintf(stderr, "usage: helper_mcap_mutate [--every N] [--xor X] [--no-flips] [--cli-every K] FILE...\n");
        return 2;
    }
    char dir[] = "/tmp/helper_mcap_mutate.XXXXXX";
    char shm[] = "/dev/shm/helper_mcap_mutate.XXXXXX";
    /* tmpfs when there is one: recover fsyncs every output. */
    R.dir = access("/dev/shm", W_OK) == 0 ? mkdtemp(shm) : mkdtemp(dir);
    if (!R.dir) {
        perror("mkdtemp");
        return 1;
    }
    run total = R;
    unsigned long files = 0;
    for (int i = first; i < argc; i++) {
        size_t size;
        uint8_t *orig = slurp(argv[i], &size);
        contents want;
        if (!orig || read_contents(argv[i], &want) != 0) {
            fprintf(stderr, "FAIL %s: not a readable, valid MCAP file\n", argv[i]);
            totals_fail = 1;
            free(orig);
            continue;
        }
        files++;
        run F = {.dir = R.dir, .want = &want, .cli_every = R.cli_every};
        char what[64];
        for (size_t k = 0; k < size; k += every) {
            snprintf(what, sizeof what, "cut@%zu", k);
            mutant(&F, argv[i], what, orig, k);
        }
        for (size_t k = 0; flips && k < size; k += every) {
            orig[k] ^= (uint8_t)xor;
            snprintf(what, sizeof what, "flip@%zu", k);
            mutant(&F, argv[i], what, orig, size);
            orig[k] ^= (uint8_t)xor;
        }
        printf("%s: %zu bytes, %lu mutants: lossless %lu, lossy %lu, nothing %lu, failures %lu\n", argv[i], size, F.n,
               F.lossless, F.lossy, F.nothing, F.failures);
        total.n += F.n;
        total.lossless += F.lossless;
        total.lossy += F.lossy;
        total.nothing += F.nothing;
        total.failures += F.failures;
        free_contents(&want);
        free(orig);
    }
    char p[600];
    snprintf(p, sizeof p, "%s/in.mcap", R.dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/out.mcap", R.dir);
    unlink(p);
    rmdir(R.dir);
    printf("{\"files\":%lu,\"mutants\":%lu,\"lossless\":%lu,\"lossy\":%lu,\"nothing\":%lu,\"failures\":%lu}\n", files,
           total.n, total.lossless, total.lossy, total.nothing, total.failures);
    return totals_fail ? 1 : 0;
}
