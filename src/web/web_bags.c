/* web_bags — bag folder listing and download resolution (see web_bags.h). */
#include "web/web_bags.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/rg_bag.h"
#include "common/rg_time.h"
#include "mcap/mcap_reader.h"
#include "web/web_check.h"

typedef struct bag_sum {
    uint64_t bytes;            /* all regular files */
    unsigned segments;         /* .mcap files that are not recover output */
    int recovered;             /* a .recovered.mcap is present */
    int indexed;               /* every segment had a summary with statistics */
    uint64_t messages;         /* from the summaries */
    uint64_t start, end;       /* log time range from the summaries */
    int have_time;             /* start/end valid */
    json_t *topics;            /* {topic: count} */
    json_t *files;             /* [names] */
} bag_sum;

/* One segment's summary into the bag's totals; a segment without one (being written, or cut
 * short) only clears `indexed`: the page says the counts are partial rather than scanning
 * a file the recorder is writing. */
static void add_segment(bag_sum *b, const char *path) {
    mcap_reader r;
    char err[256];
    if (mcap_reader_open_file(&r, path, err, sizeof err) != 0) {
        b->indexed = 0;
        return;
    }
    if (mcap_reader_read_summary(&r, err, sizeof err) != 0 || !r.has_statistics) {
        b->indexed = 0;
        mcap_reader_close(&r);
        return;
    }
    const mcap_statistics *st = &r.statistics;
    b->messages += st->message_count;
    if (st->message_count) {
        if (!b->have_time || st->start < b->start) b->start = st->start;
        if (!b->have_time || st->end > b->end) b->end = st->end;
        b->have_time = 1;
    }
    mcap_bytes m = st->channel_counts;
    uint16_t ch;
    uint64_t n;
    while (mcap_map_next_u16u64(&m, &ch, &n) == 1) {
        const mcap_channel *c = mcap_reader_channel(&r, ch);
        if (!c) continue;
        char *topic = mcap_bytes_dup(c->topic);
        if (!topic) continue;
        json_t *old = json_object_get(b->topics, topic);
        json_object_set_new(b->topics, topic, json_integer((json_int_t)(json_integer_value(old) + (json_int_t)n)));
        free(topic);
    }
    mcap_reader_close(&r);
}

static json_t *bag_json(const char *dir, const char *name, time_t mtime) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    bag_sum b = {.indexed = 1, .topics = json_object(), .files = json_array()};
    for (struct dirent *e; (e = readdir(d));) {
        if (!web_check_name(e->d_name)) continue;
        char p[PATH_MAX];
        struct stat st;
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
        if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        b.bytes += (uint64_t)st.st_size;
        json_array_append_new(b.files, json_string(e->d_name));
        if (rg_bag_is_recovered(e->d_name)) b.recovered = 1;
        else if (rg_bag_is_segment(e->d_name)) {
            b.segments++;
            add_segment(&b, p);
        }
    }
    closedir(d);
    if (!b.segments && !b.recovered) {
        json_decref(b.topics);
        json_decref(b.files);
        return NULL;
    }
    char iso[40];
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "size_bytes", json_integer((json_int_t)b.bytes));
    json_object_set_new(o, "segments", json_integer(b.segments));
    json_object_set_new(o, "duration_s", b.have_time ? json_real((double)(b.end - b.start) / 1e9) : json_null());
    json_object_set_new(o, "messages", json_integer((json_int_t)b.messages));
    json_object_set_new(o, "topics", b.topics);
    json_object_set_new(o, "indexed", json_boolean(b.indexed));
    json_object_set_new(o, "recovered", json_boolean(b.recovered));
    json_object_set_new(o, "files", b.files);
    json_object_set_new(o, "mtime", json_string(rg_time_iso((int64_t)mtime * RG_NS_PER_S, iso)));
    json_object_set_new(o, "mtime_s", json_integer((json_int_t)mtime));
    return o;
}

static int newer_first(const void *a, const void *b) {
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "mtime_s"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "mtime_s"));
    return x < y ? 1 : x > y ? -1 : 0;
}

json_t *web_bags_list(const char *output_dir, char *err, size_t errlen) {
    DIR *d = opendir(output_dir);
    if (!d) {
        snprintf(err, errlen, "output(%s): %s", output_dir, strerror(errno));
        return NULL;
    }
    size_t n = 0, cap = 16;
    json_t **v = malloc(cap * sizeof *v);
    for (struct dirent *e; v && (e = readdir(d));) {
        char p[PATH_MAX];
        struct stat st;
        if (!web_check_name(e->d_name)) continue;
        if (snprintf(p, sizeof p, "%s/%s", output_dir, e->d_name) >= (int)sizeof p) continue;
        if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        json_t *o = bag_json(p, e->d_name, st.st_mtime);
        if (!o) continue;
        if (n == cap) {
            json_t **nv = realloc(v, 2 * cap * sizeof *v);
            if (!nv) {
                json_decref(o);
                break;
            }
            v = nv;
            cap *= 2;
        }
        v[n++] = o;
    }
    closedir(d);
    json_t *a = json_array();
    if (v) {
        qsort(v, n, sizeof *v, newer_first);
        for (size_t i = 0; i < n; i++) {
            if (i < WEB_BAGS_MAX) json_array_append(a, v[i]);
            json_decref(v[i]);
        }
        free(v);
    }
    return a;
}

int web_bags_open(const char *output_dir, const char *bag, const char *file) {
    if (!web_check_name(bag) || !web_check_name(file)) return -EINVAL;
    int top = open(output_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) return -ENOENT;
    int dir = openat(top, bag, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(top);
    if (dir < 0) return -ENOENT;
    int fd = openat(dir, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    close(dir);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd < 0 ? -ENOENT : fd;
}
