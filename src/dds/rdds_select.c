/* rdds_select — pure topic selection, ROS 2 name mapping and QoS adaptation (see rdds_select.h).
 *
 * Map: name mapping (rdds.h's pure functions) · matcher · QoS adaptation · QoS YAML.
 */
#include "dds/rdds_select.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- name mapping ---------------------------------------------------------------------- */

static int copy_out(char *out, size_t outlen, const char *a, size_t alen, const char *b, size_t blen) {
    if (alen + blen + 1 > outlen) return -EINVAL;
    memcpy(out, a, alen);
    memcpy(out + alen, b, blen);
    out[alen + blen] = '\0';
    return 0;
}

int rdds_ros_topic_from_dds(const char *dds_topic, char *out, size_t outlen) {
    /* rmw prefixes "rt/" to the fully qualified name without its leading slash. */
    if (strncmp(dds_topic, "rt/", 3) != 0 || dds_topic[3] == '\0' || dds_topic[3] == '/')
        return -EINVAL;
    return copy_out(out, outlen, "/", 1, dds_topic + 3, strlen(dds_topic + 3));
}

int rdds_dds_topic_from_ros(const char *ros_topic, char *out, size_t outlen) {
    if (ros_topic[0] != '/' || ros_topic[1] == '\0' || ros_topic[1] == '/') return -EINVAL;
    return copy_out(out, outlen, "rt/", 3, ros_topic + 1, strlen(ros_topic + 1));
}

int rdds_ros_type_from_dds(const char *dds_type, char *out, size_t outlen) {
    /* pkg::ns::dds_::T_ (ns: msg, srv, action, possibly nested) -> pkg/ns/T */
    /* The last "::dds_::": a namespace may itself be called dds_ (pkg/dds_/T). */
    const char *mark = strstr(dds_type, "::dds_::");
    for (const char *m; mark != NULL && (m = strstr(mark + 1, "::dds_::")) != NULL;) mark = m;
    /* A '/' would make the ROS name ambiguous (a::x/T_ and a::x::T_ both giving a/x/T). */
    if (mark == NULL || mark == dds_type || dds_type[0] == ':' || strchr(dds_type, '/') != NULL)
        return -EINVAL;
    const char *last = mark + 8;
    size_t lastlen = strlen(last);
    if (lastlen < 2 || last[lastlen - 1] != '_' || strchr(last, ':') != NULL) return -EINVAL;
    size_t prefix = (size_t)(mark - dds_type);
    size_t o = 0;
    for (size_t i = 0; i < prefix; i++) {
        if (o + 1 >= outlen) return -EINVAL;
        if (dds_type[i] == ':') {
            if (dds_type[i + 1] != ':' || i + 2 >= prefix || dds_type[i + 2] == ':') return -EINVAL;
            out[o++] = '/';
            i++;
        } else {
            out[o++] = dds_type[i];
        }
    }
    if (o == 0 || memchr(out, '/', o) == NULL) return -EINVAL; /* need at least pkg/ns */
    if (o + 1 + lastlen > outlen) return -EINVAL; /* "/", T without its '_', NUL */
    out[o++] = '/';
    memcpy(out + o, last, lastlen - 1);
    out[o + lastlen - 1] = '\0';
    return 0;
}

int rdds_dds_type_from_ros(const char *ros_type, char *out, size_t outlen) {
    /* pkg/ns/T -> pkg::ns::dds_::T_ */
    const char *slash = strrchr(ros_type, '/');
    if (slash == NULL || slash == ros_type || slash[1] == '\0' || strchr(ros_type, ':') != NULL)
        return -EINVAL;
    /* pkg/ns/T, as rdds_ros_type_from_dds requires: "pkg/T" would not map back. */
    if (memchr(ros_type, '/', (size_t)(slash - ros_type)) == NULL) return -EINVAL;
    size_t o = 0;
    for (const char *p = ros_type; p < slash; p++) {
        if (*p == '/') {
            if (p == ros_type || p[-1] == '/') return -EINVAL;
            if (o + 2 > outlen) return -EINVAL;
            out[o++] = ':';
            out[o++] = ':';
        } else {
            if (o + 1 > outlen) return -EINVAL;
            out[o++] = *p;
        }
    }
    if (slash[-1] == '/') return -EINVAL;
    size_t tl = strlen(slash + 1);
    if (o + 8 + tl + 2 > outlen) return -EINVAL;
    memcpy(out + o, "::dds_::", 8);
    o += 8;
    memcpy(out + o, slash + 1, tl);
    o += tl;
    out[o++] = '_';
    out[o] = '\0';
    return 0;
}

int rdds_topic_is_hidden(const char *ros_topic) {
    for (const char *p = ros_topic; *p; p++)
        if (*p == '_' && (p == ros_topic || p[-1] == '/')) return 1;
    return 0;
}

/* ---- matcher --------------------------------------------------------------------------- */

static int compile(regex_t *re, const char *pattern, const char *what, char *err, size_t errlen) {
    int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[128];
        regerror(rc, re, why, sizeof why);
        snprintf(err, errlen, "%s(%s): %s", what, pattern, why);
        return -EINVAL;
    }
    return 0;
}

int rdds_matcher_init(rdds_matcher *m, const rdds_filter *f, char *err, size_t errlen) {
    memset(m, 0, sizeof *m);
    m->f = *f;
    if (f->regex != NULL) {
        if (compile(&m->re, f->regex, "topic regex", err, errlen) < 0) return -EINVAL;
        m->has_re = 1;
    }
    if (f->exclude != NULL) {
        if (compile(&m->ex, f->exclude, "exclude regex", err, errlen) < 0) {
            rdds_matcher_fini(m);
            return -EINVAL;
        }
        m->has_ex = 1;
    }
    if (f->except != NULL) {
        m->except = calloc(1, sizeof *m->except);
        if (m->except == NULL) {
            rdds_matcher_fini(m);
            snprintf(err, errlen, "topic filter: out of memory");
            return -ENOMEM;
        }
        if (rdds_matcher_init(m->except, f->except, err, errlen) < 0) {
            free(m->except);
            m->except = NULL;
            rdds_matcher_fini(m);
            return -EINVAL;
        }
    }
    return 0;
}

void rdds_matcher_fini(rdds_matcher *m) {
    if (m->has_re) regfree(&m->re);
    if (m->has_ex) regfree(&m->ex);
    m->has_re = m->has_ex = 0;
    if (m->except != NULL) {
        rdds_matcher_fini(m->except);
        free(m->except);
        m->except = NULL;
    }
}

/* Listed names may be given as ROS names with or without the leading slash, or as DDS names. */
static int listed(const rdds_matcher *m, const char *name, const char *dds_topic) {
    for (size_t i = 0; i < m->f.ntopics; i++) {
        const char *t = m->f.topics[i];
        if (strcmp(t, name) == 0 || strcmp(t, dds_topic) == 0) return 1;
        if (name[0] == '/' && t[0] != '/' && strcmp(t, name + 1) == 0) return 1;
    }
    return 0;
}

static void select_one(const rdds_matcher *m, const char *dds_topic, const char *dds_type,
                       rdds_selection *out) {
    out->selected = 0;
    out->is_ros = 0;
    out->name[0] = out->type[0] = '\0';
    /* Builtin discovery topics are Cyclone's business, never data to record. */
    if (strncmp(dds_topic, "DCPS", 4) == 0) return;
    if (rdds_ros_topic_from_dds(dds_topic, out->name, sizeof out->name) == 0 &&
        rdds_ros_type_from_dds(dds_type, out->type, sizeof out->type) == 0) {
        out->is_ros = 1;
    } else {
        /* Services (rq/, rr/) land here too: rmw would call them /xRequest, /xReply, which
         * are not topics anyone publishes; they are recorded only as plain DDS topics. */
        if (strlen(dds_topic) >= sizeof out->name || strlen(dds_type) >= sizeof out->type) {
            /* The failed mappings may have left partial, unterminated text behind. */
            out->name[0] = out->type[0] = '\0';
            return;
        }
        strcpy(out->name, dds_topic);
        strcpy(out->type, dds_type);
    }
    int explicit_ = listed(m, out->name, dds_topic);
    if (strcmp(dds_topic, RDDS_DISCOVERY_INFO) == 0) {
        /* rmw's graph bookkeeping, published by every ROS node: only when asked by name. */
        out->selected = explicit_;
        return;
    }
    if (!out->is_ros && !m->f.include_dds) return;
    if (explicit_) {
        out->selected = 1;
        return;
    }
    int wanted = m->f.all || (m->has_re && regexec(&m->re, out->name, 0, NULL, 0) == 0);
    if (!wanted) return;
    if (out->is_ros && !m->f.include_hidden && rdds_topic_is_hidden(out->name)) return;
    if (m->has_ex && regexec(&m->ex, out->name, 0, NULL, 0) == 0) return;
    out->selected = 1;
}

void rdds_matcher_select(const rdds_matcher *m, const char *dds_topic, const char *dds_type,
                         rdds_selection *out) {
    select_one(m, dds_topic, dds_type, out);
    if (!out->selected || m->except == NULL) return;
    rdds_selection other;
    select_one(m->except, dds_topic, dds_type, &other);
    if (other.selected) out->selected = 0;
}

/* ---- QoS adaptation -------------------------------------------------------------------- */

void rdds_qos_adapt(const rdds_pub_qos *pubs, size_t n, rdds_reader_qos *out) {
    size_t reliable = 0, tl = 0;
    int32_t deepest = 0;
    for (size_t i = 0; i < n; i++) {
        reliable += pubs[i].reliable != 0;
        tl += pubs[i].transient_local != 0;
        if (!pubs[i].keep_all && pubs[i].depth > deepest) deepest = pubs[i].depth;
    }
    /* A reliable reader does not match a best-effort writer, nor a transient-local reader a
     * volatile one: ask for the stronger policy only when every publisher offers it. */
    out->reliable = n > 0 && reliable == n;
    out->transient_local = n > 0 && tl == n;
    /* Reliable: keep all, so a sample the protocol delivered is never evicted by the reader
     * itself; memory stays bounded because the listener takes every sample as it arrives.
     * Best effort promises nothing, so a bounded history caps memory if the listener is late;
     * at least the deepest publisher's depth so a transient-local replay fits. */
    out->keep_all = out->reliable;
    out->depth = deepest > RDDS_MIN_BE_DEPTH ? deepest : RDDS_MIN_BE_DEPTH;
}

int rdds_qos_needs_new_reader(const rdds_reader_qos *cur, const rdds_reader_qos *want) {
    if (cur->reliable != want->reliable || cur->transient_local != want->transient_local ||
        cur->keep_all != want->keep_all)
        return 1;
    return !want->keep_all && want->depth > cur->depth;
}

/* ---- offered_qos_profiles YAML --------------------------------------------------------- */

typedef struct sbuf {
    char *p;     /* text, NUL-terminated */
    size_t len;  /* bytes used */
    size_t cap;  /* bytes allocated */
    int oom;     /* 1 after an allocation failed */
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) {
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* rmw's RMW_DURATION_INFINITE is {9223372036, 854775807}, which is INT64_MAX ns split. */
static void sb_duration(sbuf *b, const char *key, int64_t ns) {
    if (ns < 0) ns = 0;
    sb_printf(b, "  %s:\n    sec: %lld\n    nsec: %lld\n", key, (long long)(ns / 1000000000LL),
              (long long)(ns % 1000000000LL));
}

char *rdds_qos_yaml(const rdds_pub_qos *pubs, size_t n, int avoid_ros_namespace_conventions) {
    sbuf b = {malloc(256), 0, 256, 0};
    if (b.p == NULL) return NULL;
    b.p[0] = '\0';
    static const char *const liveliness[] = {"automatic", "unknown", "manual_by_topic"};
    for (size_t i = 0; i < n; i++) {
        const rdds_pub_qos *q = &pubs[i];
        int lv = q->liveliness >= 0 && q->liveliness <= 2 ? q->liveliness : 1;
        sb_printf(&b, "- history: %s\n  depth: %d\n  reliability: %s\n  durability: %s\n",
                  q->keep_all ? "keep_all" : "keep_last", (int)q->depth,
                  q->reliable ? "reliable" : "best_effort",
                  q->transient_local ? "transient_local" : "volatile");
        sb_duration(&b, "deadline", q->deadline_ns);
        sb_duration(&b, "lifespan", q->lifespan_ns);
        sb_printf(&b, "  liveliness: %s\n", liveliness[lv]);
        sb_duration(&b, "liveliness_lease_duration", q->lease_ns);
        sb_printf(&b, "  avoid_ros_namespace_conventions: %s\n",
                  avoid_ros_namespace_conventions ? "true" : "false");
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    /* yaml-cpp's Dump, which rosbag2 uses, ends without a newline. */
    if (b.len > 0 && b.p[b.len - 1] == '\n') b.p[--b.len] = '\0';
    return b.p;
}
