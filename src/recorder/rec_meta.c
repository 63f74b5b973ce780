/* rec_meta — see rec_meta.h. The YAML is written by hand in yaml-cpp's block layout (keys in
 * rosbag2's encode order); libfyaml only reads (rec_meta_load, and the unit test's check). */
#include "recorder/rec_meta.h"

#include "common/rg_buf.h"
#include "common/rg_fs.h"
#include "common/rg_text.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void yb_indent(rg_buf *b, int n) {
    static const char spaces[] = "                                ";
    while (n > 0) {
        int k = n < 32 ? n : 32;
        rg_buf_add(b, spaces, (size_t)k);
        n -= k;
    }
}

/* A scalar, plain when that is unambiguous (names, types, file names), else double-quoted. */
static void yb_scalar(rg_buf *b, const char *s) {
    static const char *const reserved[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"};
    int plain = s[0] != '\0' && s[0] != '-' && s[0] != '.';
    int digits_only = 1;
    for (const char *p = s; *p && plain; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '/' || *p == '.' || *p == '-'))
            plain = 0;
        if (*p < '0' || *p > '9') digits_only = 0;
    }
    for (size_t i = 0; plain && i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcasecmp(s, reserved[i]) == 0) plain = 0;
    if (plain && !digits_only) {
        rg_buf_add(b, s, strlen(s));
        return;
    }
    rg_buf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            rg_buf_add(b, e, 2);
        } else if (*p == '\n') {
            rg_buf_add(b, "\\n", 2);
        } else if (*p < 0x20) {
            rg_buf_printf(b, "\\x%02x", *p);
        } else {
            rg_buf_add(b, (const char *)p, 1);
        }
    }
    rg_buf_add(b, "\"", 1);
}

/* key: value on its own line at `ind`. */
static void yb_kv(rg_buf *b, int ind, const char *key, const char *value) {
    yb_indent(b, ind);
    rg_buf_printf(b, "%s: ", key);
    yb_scalar(b, value);
    rg_buf_add(b, "\n", 1);
}

static void yb_ku(rg_buf *b, int ind, const char *key, uint64_t v) {
    yb_indent(b, ind);
    rg_buf_printf(b, "%s: %" PRIu64 "\n", key, v);
}

/* The QoS block list, re-indented under its key; a list rdds wrote is block YAML with a
 * consistent two-space layout, so shifting every line keeps its structure. */
static void yb_qos(rg_buf *b, int ind, const char *qos) {
    yb_indent(b, ind);
    if (!qos || !*qos) {
        rg_buf_add(b, "offered_qos_profiles: []\n", 25);
        return;
    }
    rg_buf_add(b, "offered_qos_profiles:\n", 22);
    for (const char *line = qos; *line;) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        if (n > 0) {
            yb_indent(b, ind + 2);
            rg_buf_add(b, line, n);
            rg_buf_add(b, "\n", 1);
        }
        line += n + (eol ? 1 : 0);
    }
}

void rec_meta_init(rec_meta *m) { memset(m, 0, sizeof *m); }

static void topic_free(rec_meta_topic *t) {
    free(t->name);
    free(t->type);
    free(t->serialization_format);
    free(t->qos_yaml);
    free(t->type_hash);
}

void rec_meta_free(rec_meta *m) {
    for (size_t i = 0; i < m->ntopics; i++) topic_free(&m->topics[i]);
    free(m->topics);
    for (size_t i = 0; i < m->nfiles; i++) free(m->files[i].path);
    free(m->files);
    free(m->ros_distro);
    memset(m, 0, sizeof *m);
}

/* Replace *dst with a copy of src (src NULL = keep). 0 or -ENOMEM. */
static int set_str(char **dst, const char *src) {
    if (!src) return 0;
    if (*dst && strcmp(*dst, src) == 0) return 0;
    char *c = strdup(src);
    if (!c) return -ENOMEM;
    free(*dst);
    *dst = c;
    return 0;
}

int rec_meta_topic_set(rec_meta *m, const char *name, const char *type, const char *format,
                   const char *qos_yaml, const char *type_hash) {
    size_t i;
    for (i = 0; i < m->ntopics; i++)
        if (strcmp(m->topics[i].name, name) == 0) break;
    if (i == m->ntopics) {
        rec_meta_topic *t = realloc(m->topics, (m->ntopics + 1) * sizeof *t);
        if (!t) return -ENOMEM;
        m->topics = t;
        memset(&t[i], 0, sizeof t[i]);
        if (set_str(&t[i].name, name) || set_str(&t[i].type, "") ||
            set_str(&t[i].serialization_format, "cdr") || set_str(&t[i].qos_yaml, "") ||
            set_str(&t[i].type_hash, "")) {
            topic_free(&t[i]);
            return -ENOMEM;
        }
        m->ntopics++;
    }
    rec_meta_topic *t = &m->topics[i];
    if (set_str(&t->type, type) || set_str(&t->serialization_format, format) ||
        set_str(&t->qos_yaml, qos_yaml) || set_str(&t->type_hash, type_hash))
        return -ENOMEM;
    return (int)i;
}

int rec_meta_file_add(rec_meta *m, const char *path) {
    for (size_t i = 0; i < m->nfiles; i++)
        if (strcmp(m->files[i].path, path) == 0) return (int)i;
    rec_meta_file *f = realloc(m->files, (m->nfiles + 1) * sizeof *f);
    if (!f) return -ENOMEM;
    m->files = f;
    memset(&f[m->nfiles], 0, sizeof f[0]);
    if (!(f[m->nfiles].path = strdup(path))) return -ENOMEM;
    return (int)m->nfiles++;
}

void rec_meta_file_span(rec_meta *m, size_t fi, uint64_t t0, uint64_t t1, uint64_t n) {
    rec_meta_file *f = &m->files[fi];
    if (n == 0) return;
    if (f->count == 0 || t0 < f->start_ns) f->start_ns = t0;
    if (f->count == 0 || t1 > f->end_ns) f->end_ns = t1;
    f->count += n;
}

int rec_meta_set_distro(rec_meta *m, const char *distro) {
    return set_str(&m->ros_distro, distro ? distro : "");
}

static rec_meta_loss loss_total(const rec_meta_topic *t) {
    return (rec_meta_loss){.lost = t->loss.lost + t->loss_before.lost,
                           .rejected = t->loss.rejected + t->loss_before.rejected,
                           .drops = t->loss.drops + t->loss_before.drops};
}

/* custom_data: loss totals and the per-topic JSON (see rec_meta.h). 0 or -ENOMEM. */
static int yb_custom(rg_buf *b, int k, const rec_meta *m) {
    rec_meta_loss sum = {0};
    json_t *by = json_object();
    if (!by) return -ENOMEM;
    for (size_t i = 0; i < m->ntopics; i++) {
        rec_meta_loss l = loss_total(&m->topics[i]);
        sum.lost += l.lost;
        sum.rejected += l.rejected;
        sum.drops += l.drops;
        if (l.lost + l.rejected + l.drops == 0) continue;
        json_object_set_new(by, m->topics[i].name,
                            json_pack("{s:I, s:I, s:I}", "lost", (json_int_t)l.lost, "rejected",
                                      (json_int_t)l.rejected, "drops", (json_int_t)l.drops));
    }
    char *js = json_dumps(by, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(by);
    if (!js) return -ENOMEM;
    char num[3][24];
    snprintf(num[0], sizeof num[0], "%" PRIu64, sum.drops);
    snprintf(num[1], sizeof num[1], "%" PRIu64, sum.lost);
    snprintf(num[2], sizeof num[2], "%" PRIu64, sum.rejected);
    yb_indent(b, k);
    rg_buf_add(b, "custom_data:\n", 13);
    yb_kv(b, k + 2, "recguard_drops", num[0]);
    yb_kv(b, k + 2, "recguard_lost", num[1]);
    yb_kv(b, k + 2, "recguard_rejected", num[2]);
    yb_kv(b, k + 2, "recguard_loss", js);
    free(js);
    return 0;
}

int rec_meta_render(const rec_meta *m, int top_key, char **out, size_t *len) {
    rg_buf b = {0};
    int k = top_key ? 2 : 0; /* indent of the bag's keys */
    uint64_t start = 0, end = 0, count = 0;
    for (size_t i = 0; i < m->nfiles; i++) {
        const rec_meta_file *f = &m->files[i];
        if (f->count == 0) continue;
        if (count == 0 || f->start_ns < start) start = f->start_ns;
        if (count == 0 || f->end_ns > end) end = f->end_ns;
        count += f->count;
    }
    if (top_key) rg_buf_add(&b, "rosbag2_bagfile_information:\n", 29);
    yb_ku(&b, k, "version", REC_META_VERSION);
    yb_kv(&b, k, "storage_identifier", "mcap");
    yb_indent(&b, k);
    rg_buf_add(&b, "duration:\n", 10);
    yb_ku(&b, k + 2, "nanoseconds", end - start);
    yb_indent(&b, k);
    rg_buf_add(&b, "starting_time:\n", 15);
    yb_ku(&b, k + 2, "nanoseconds_since_epoch", start);
    yb_ku(&b, k, "message_count", count);
    yb_indent(&b, k);
    if (m->ntopics == 0) rg_buf_add(&b, "topics_with_message_count: []\n", 30);
    else rg_buf_add(&b, "topics_with_message_count:\n", 27);
    for (size_t i = 0; i < m->ntopics; i++) {
        const rec_meta_topic *t = &m->topics[i];
        yb_indent(&b, k + 2);
        rg_buf_add(&b, "- topic_metadata:\n", 18);
        yb_kv(&b, k + 6, "name", t->name);
        yb_kv(&b, k + 6, "type", t->type);
        yb_kv(&b, k + 6, "serialization_format", t->serialization_format);
        yb_qos(&b, k + 6, t->qos_yaml);
        yb_kv(&b, k + 6, "type_description_hash", t->type_hash);
        yb_ku(&b, k + 4, "message_count", t->count);
    }
    yb_kv(&b, k, "compression_format", "");
    yb_kv(&b, k, "compression_mode", "");
    yb_indent(&b, k);
    if (m->nfiles == 0) rg_buf_add(&b, "relative_file_paths: []\n", 24);
    else rg_buf_add(&b, "relative_file_paths:\n", 21);
    for (size_t i = 0; i < m->nfiles; i++) {
        yb_indent(&b, k + 2);
        rg_buf_add(&b, "- ", 2);
        yb_scalar(&b, m->files[i].path);
        rg_buf_add(&b, "\n", 1);
    }
    yb_indent(&b, k);
    if (m->nfiles == 0) rg_buf_add(&b, "files: []\n", 10);
    else rg_buf_add(&b, "files:\n", 7);
    for (size_t i = 0; i < m->nfiles; i++) {
        const rec_meta_file *f = &m->files[i];
        yb_indent(&b, k + 2);
        rg_buf_add(&b, "- ", 2);
        yb_kv(&b, 0, "path", f->path);
        yb_indent(&b, k + 4);
        rg_buf_add(&b, "starting_time:\n", 15);
        yb_ku(&b, k + 6, "nanoseconds_since_epoch", f->start_ns);
        yb_indent(&b, k + 4);
        rg_buf_add(&b, "duration:\n", 10);
        yb_ku(&b, k + 6, "nanoseconds", f->end_ns - f->start_ns);
        yb_ku(&b, k + 4, "message_count", f->count);
    }
    if (yb_custom(&b, k, m) < 0) b.oom = 1;
    yb_kv(&b, k, "ros_distro", m->ros_distro ? m->ros_distro : "");
    if (b.oom) {
        free(b.p);
        return -ENOMEM;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

int rec_meta_write(const rec_meta *m, const char *dir, char *err, size_t errlen) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, REC_META_FILE) >= (int)sizeof path) {
        snprintf(err, errlen, "metadata(%s): path too long", dir);
        return -ENAMETOOLONG;
    }
    char *text;
    size_t len;
    int rc = rec_meta_render(m, 1, &text, &len);
    if (rc < 0) {
        snprintf(err, errlen, "metadata(%s): out of memory", path);
        return rc;
    }
    rc = rg_fs_write_atomic(path, text, len, 0644, err, errlen);
    free(text);
    return rc;
}

/* Loading ---------------------------------------------------------------------------------- */

static struct fy_node *lookup(struct fy_node *map, const char *key) {
    return map && fy_node_is_mapping(map) ? fy_node_mapping_lookup_by_string(map, key, FY_NT)
                                          : NULL;
}

static const char *scalar(struct fy_node *map, const char *key) {
    struct fy_node *n = lookup(map, key);
    return n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
}

static int u64_at(struct fy_node *map, const char *key, const char *sub, uint64_t *out) {
    struct fy_node *n = lookup(map, key);
    const char *s = sub ? scalar(n, sub) : (n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL);
    char *end;
    if (!s) return -EBADMSG;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s) return -EBADMSG;
    *out = v;
    return 0;
}

/* An earlier run's per-topic loss (custom_data.recguard_loss), added to loss_before. A value
 * that is not the JSON we write is ignored: loss figures are a report, not the bag's content. */
static void load_loss(rec_meta *m, const char *js) {
    if (!js) return;
    json_t *by = json_loads(js, 0, NULL);
    const char *name;
    json_t *v;
    json_object_foreach(by, name, v) {
        json_int_t l = json_integer_value(json_object_get(v, "lost"));
        json_int_t r = json_integer_value(json_object_get(v, "rejected"));
        json_int_t d = json_integer_value(json_object_get(v, "drops"));
        size_t ti = 0;
        while (ti < m->ntopics && strcmp(m->topics[ti].name, name) != 0) ti++;
        if (ti == m->ntopics) continue; /* not a topic of the bag */
        m->topics[ti].loss_before.lost += l > 0 ? (uint64_t)l : 0;
        m->topics[ti].loss_before.rejected += r > 0 ? (uint64_t)r : 0;
        m->topics[ti].loss_before.drops += d > 0 ? (uint64_t)d : 0;
    }
    json_decref(by);
}

/* metadata.yaml is small: a bag of thousands of topics and files stays far below this. */
#define REC_META_MAX_BYTES (64u << 20)

int rec_meta_load(rec_meta *m, const char *path, char *err, size_t errlen) {
    char *text = NULL;
    size_t len = 0;
    int rc = rg_fs_read_file(path, REC_META_MAX_BYTES, &text, &len);
    if (rc < 0) {
        snprintf(err, errlen, "metadata(%s): %s", path, strerror(-rc));
        return rc;
    }
    if (rg_text_utf8_bad_at((const unsigned char *)text, len) != len || memchr(text, '\0', len)) {
        snprintf(err, errlen, "metadata(%s): not UTF-8 text", path);
        free(text);
        return -EBADMSG;
    }
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
    struct fy_document *d = fy_document_build_from_string(&cfg, text, len);
    struct fy_node *bag = d ? lookup(fy_document_root(d), "rosbag2_bagfile_information") : NULL;
    struct fy_node *files = lookup(bag, "files");
    struct fy_node *topics = lookup(bag, "topics_with_message_count");
    rc = -EBADMSG;
    const char *what = "not rosbag2 metadata";
    if (!bag || !files || !fy_node_is_sequence(files) || !topics || !fy_node_is_sequence(topics))
        goto out;
    void *it = NULL;
    for (struct fy_node *f; (f = fy_node_sequence_iterate(files, &it));) {
        const char *p = scalar(f, "path");
        uint64_t start, dur, count;
        if (!p || u64_at(f, "starting_time", "nanoseconds_since_epoch", &start) ||
            u64_at(f, "duration", "nanoseconds", &dur) || u64_at(f, "message_count", NULL, &count)) {
            what = "bad files entry";
            goto out;
        }
        int fi = rec_meta_file_add(m, p);
        if (fi < 0) {
            rc = fi;
            what = "out of memory";
            goto out;
        }
        rec_meta_file_span(m, (size_t)fi, start, start + dur, count);
    }
    it = NULL;
    for (struct fy_node *t; (t = fy_node_sequence_iterate(topics, &it));) {
        struct fy_node *tm = lookup(t, "topic_metadata");
        const char *name = scalar(tm, "name"), *type = scalar(tm, "type");
        const char *fmt = scalar(tm, "serialization_format"), *hash = scalar(tm, "type_description_hash");
        uint64_t count;
        if (!name || !type || u64_at(t, "message_count", NULL, &count)) {
            what = "bad topics_with_message_count entry";
            goto out;
        }
        struct fy_node *q = lookup(tm, "offered_qos_profiles");
        char *qos = NULL;
        if (q && fy_node_is_sequence(q) && fy_node_sequence_item_count(q) > 0)
            qos = fy_emit_node_to_string(q, FYECF_MODE_BLOCK | FYECF_INDENT_2 | FYECF_WIDTH_INF |
                                                FYECF_NO_ENDING_NEWLINE);
        int ti = rec_meta_topic_set(m, name, type, fmt ? fmt : "cdr", qos ? qos : "", hash ? hash : "");
        free(qos);
        if (ti < 0) {
            rc = ti;
            what = "out of memory";
            goto out;
        }
        m->topics[ti].count += count;
    }
    load_loss(m, scalar(lookup(bag, "custom_data"), "recguard_loss"));
    rc = 0;
out:
    if (rc < 0) snprintf(err, errlen, "metadata(%s): %s", path, what);
    if (d) fy_document_destroy(d);
    free(text);
    return rc;
}
