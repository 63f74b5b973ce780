/* rdds — the DDS session: participant, publication discovery, one raw reader per selected
 * topic (see rdds.h). Pure decisions live in rdds_select.c, the raw sertype in rdds_sertype.c.
 *
 * Map: listener (the per-sample path) · publications table · topic table and readers ·
 * discovery thread · open/close.
 *
 * Threads: a discovery thread of ours owns every table and creates/deletes every reader; Cyclone's
 * receive threads run the data listener, which reads only fields fixed before the reader existed.
 * So the tables need no lock, and the per-sample path takes none.
 */
#include "dds/rdds.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dds/dds.h>
#include <dds/ddsi/ddsi_serdata.h>

#include "common/rg_num.h"
#include "common/rg_time.h"
#include "dds/rdds_nodes.h"
#include "dds/rdds_qos_override.h"
#include "dds/rdds_select.h"
#include "dds/rdds_sertype.h"
#include "dds/rdds_typehash.h"

#define RDDS_TAKE_BATCH 64        /* samples per dds_takecdr call in the listener */
#define RDDS_DISC_BATCH 16        /* publications per dds_take in the discovery thread */
#define RDDS_MAX_BLOCKING DDS_MSECS(100) /* reliability max_blocking_time (writers only; required field) */
#define RDDS_RDI_DEPTH 1000       /* ros_discovery_info samples held until the discovery thread takes them */
#define RDDS_RDI_TYPE "rmw_dds_common::msg::dds_::ParticipantEntitiesInfo_"
/* Receive-side defaults, placed before $CYCLONEDDS_URI so that anything set there wins.
 * Cyclone asks for a 1 MiB socket receive buffer; a 1280x720 rgb8 image arrives as 2.7 MB of
 * datagrams in one burst and overflowed it (UDP RcvbufErrors, then NACK-driven retransmits held
 * five 30 Hz cameras to a fifth of their rate, docs/BENCHMARKS.md). "max": the kernel caps the
 * request at net.core.rmem_max instead of failing. */
#define RDDS_CONFIG_DEFAULTS "<Internal><SocketReceiveBufferSize max=\"8MiB\"/></Internal>"

typedef struct rdds_tstate rdds_tstate;

typedef struct rdds_pub {
    dds_guid_t key;               /* writer GUID */
    dds_instance_handle_t ih;     /* its instance in the DCPSPublication reader */
    rdds_tstate *t;               /* the recorded topic it feeds, NULL when not selected */
    rdds_pub_qos q;               /* offered QoS */
    char **parts;                 /* partitions (dds_alloc'd), NULL when in the default one */
    uint32_t nparts;              /* entries in parts */
    char type_hash[RDDS_TYPEHASH_LEN + 1]; /* from its USER_DATA, "" when none or malformed */
    int hash_rc;                  /* rdds_typehash_parse's result for it (-EINVAL: malformed) */
} rdds_pub;

struct rdds_tstate {
    rdds_topic pub;               /* what the callbacks see; strings below */
    rdds_session *s;              /* owning session */
    char *dds_topic, *dds_type;   /* DDS names */
    char *name, *type;            /* recorded names */
    char **yamls;                 /* every qos_yaml handed out (kept until close, see rdds.h) */
    size_t nyamls;                /* entries in yamls */
    dds_entity_t topic;           /* topic entity with the raw sertype, 0 before first reader */
    dds_entity_t sub;             /* subscriber carrying the partitions, 0 when no reader */
    dds_entity_t rd;              /* current reader, 0 when none */
    rdds_reader_qos cur;          /* the QoS rd was created with */
    char **parts;                 /* the partitions sub was created with (malloc'd copies) */
    uint32_t nparts;              /* entries in parts */
    char **nodestrs;              /* every publisher_nodes handed out (kept until close) */
    size_t nnodestrs;             /* entries in nodestrs */
    char type_hash[RDDS_TYPEHASH_LEN + 1]; /* pub.type_hash once set: written once, so the
                                     pointer handed out earlier ("") and this one both stay valid */
    int type_hash_new;            /* 1: type_hash set since the last on_topic */
};

struct rdds_session {
    dds_entity_t dom;             /* domain created with RDDS_CONFIG_DEFAULTS, 0 when it existed */
    dds_entity_t pp;              /* our participant */
    dds_entity_t brd;             /* DCPSPublication reader */
    dds_entity_t ws;              /* discovery waitset */
    dds_entity_t guard;           /* set by close to stop the discovery thread */
    dds_guid_t self;              /* our participant's GUID: never record ourselves */
    rdds_matcher m;               /* compiled filter */
    rdds_callbacks cb;            /* the recorder's callbacks */
    pthread_t thread;             /* discovery thread */
    int thread_started;           /* 1: thread must be joined */
    rdds_pub *pubs;               /* known remote publications */
    size_t npubs, cappubs;        /* used / allocated */
    rdds_tstate **topics;         /* recorded topics, index = topic id */
    size_t ntopics, captopics;    /* used / allocated */
    dds_entity_t rdi_rd;          /* internal ros_discovery_info reader, never recorded */
    rdds_nodes_msg *nodes;        /* latest ros_discovery_info per participant */
    size_t nnodes;                /* entries in nodes */
    int64_t open_mono_ns;         /* when the session opened (for discovery_window_ns) */
};

/* ---- listener: the per-sample path ------------------------------------------------------ */

static void on_data(dds_entity_t rd, void *arg) {
    rdds_tstate *t = arg;
    const rdds_callbacks *cb = &t->s->cb;
    struct ddsi_serdata *buf[RDDS_TAKE_BATCH];
    dds_sample_info_t si[RDDS_TAKE_BATCH];
    int32_t n;
    /* Take everything available: the listener runs on the thread that stored the samples, so
     * draining here costs no extra wakeup and keeps the reader's history near empty. */
    do {
        n = dds_takecdr(rd, buf, RDDS_TAKE_BATCH, si, DDS_ANY_STATE);
        if (n <= 0) break;
        int64_t now = rg_time_real_ns();
        for (int32_t i = 0; i < n; i++) {
            size_t len;
            const void *bytes = si[i].valid_data ? rdds_serdata_bytes(buf[i], &len) : NULL;
            rdds_origin o;
            int known = bytes != NULL && rdds_serdata_origin(buf[i], o.writer, &o.seq);
            if (bytes != NULL)
                cb->on_sample(cb->ctx, t->pub.id, bytes, len, si[i].source_timestamp, now, known ? &o : NULL);
            ddsi_serdata_unref(buf[i]);
        }
    } while (n == RDDS_TAKE_BATCH);
}

/* Reader statuses: loss as the DDS layer counts it, and how many publishers match. Cyclone
 * runs these on the entity's listener like on_data; the counts are deltas since the last call
 * (the listener resets them). */
static void on_lost(dds_entity_t rd, const dds_sample_lost_status_t st, void *arg) {
    (void)rd;
    rdds_tstate *t = arg;
    if (t->s->cb.on_event && st.total_count_change > 0)
        t->s->cb.on_event(t->s->cb.ctx, t->pub.id, RDDS_EV_LOST, st.total_count_change);
}

static void on_rejected(dds_entity_t rd, const dds_sample_rejected_status_t st, void *arg) {
    (void)rd;
    rdds_tstate *t = arg;
    if (t->s->cb.on_event && st.total_count_change > 0)
        t->s->cb.on_event(t->s->cb.ctx, t->pub.id, RDDS_EV_REJECTED, st.total_count_change);
}

static void on_matched(dds_entity_t rd, const dds_subscription_matched_status_t st, void *arg) {
    (void)rd;
    rdds_tstate *t = arg;
    if (t->s->cb.on_event) t->s->cb.on_event(t->s->cb.ctx, t->pub.id, RDDS_EV_MATCHED, st.current_count);
}

/* ---- helpers ---------------------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static void report(rdds_session *s, const char *fmt, ...) {
    if (s->cb.on_error == NULL) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->cb.on_error(s->cb.ctx, msg);
}

static void free_strv(char **v, uint32_t n, void (*fr)(void *)) {
    if (v == NULL) return;
    for (uint32_t i = 0; i < n; i++) fr(v[i]);
    fr(v);
}

static int64_t dur_or(const dds_qos_t *q, int (*get)(const dds_qos_t *, dds_duration_t *), int64_t dflt) {
    dds_duration_t d;
    return get(q, &d) ? d : dflt;
}

static int qget_deadline(const dds_qos_t *q, dds_duration_t *d) { return dds_qget_deadline(q, d); }
static int qget_lifespan(const dds_qos_t *q, dds_duration_t *d) { return dds_qget_lifespan(q, d); }

static void pub_qos_from(const dds_qos_t *q, rdds_pub_qos *out) {
    dds_reliability_kind_t rk = DDS_RELIABILITY_BEST_EFFORT;
    dds_duration_t mbt;
    dds_durability_kind_t dk = DDS_DURABILITY_VOLATILE;
    dds_history_kind_t hk = DDS_HISTORY_KEEP_LAST;
    int32_t depth = 1;
    dds_liveliness_kind_t lk = DDS_LIVELINESS_AUTOMATIC;
    dds_duration_t lease = DDS_INFINITY;
    /* Absent policies mean the DCPS writer defaults: reliable, volatile, keep-last 1. */
    if (!dds_qget_reliability(q, &rk, &mbt)) rk = DDS_RELIABILITY_RELIABLE;
    (void)dds_qget_durability(q, &dk);
    (void)dds_qget_history(q, &hk, &depth);
    (void)dds_qget_liveliness(q, &lk, &lease);
    out->reliable = rk == DDS_RELIABILITY_RELIABLE;
    out->transient_local = dk != DDS_DURABILITY_VOLATILE;
    out->keep_all = hk == DDS_HISTORY_KEEP_ALL;
    out->depth = depth;
    out->deadline_ns = dur_or(q, qget_deadline, DDS_INFINITY);
    out->lifespan_ns = dur_or(q, qget_lifespan, DDS_INFINITY);
    out->liveliness = lk == DDS_LIVELINESS_AUTOMATIC ? 0 : lk == DDS_LIVELINESS_MANUAL_BY_PARTICIPANT ? 1 : 2;
    out->lease_ns = lease;
}

/* ---- topics and readers ----------------------------------------------------------------- */

static rdds_tstate *topic_find(rdds_session *s, const char *dds_topic, const char *dds_type) {
    for (size_t i = 0; i < s->ntopics; i++)
        if (strcmp(s->topics[i]->dds_topic, dds_topic) == 0 && strcmp(s->topics[i]->dds_type, dds_type) == 0)
            return s->topics[i];
    return NULL;
}

static void topic_free(rdds_tstate *t) {
    free(t->dds_topic);
    free(t->dds_type);
    free(t->name);
    free(t->type);
    for (size_t i = 0; i < t->nyamls; i++) free(t->yamls[i]);
    free(t->yamls);
    for (size_t i = 0; i < t->nnodestrs; i++) free(t->nodestrs[i]);
    free(t->nodestrs);
    free_strv(t->parts, t->nparts, free);
    free(t);
}

static rdds_tstate *topic_add(rdds_session *s, const char *dds_topic, const char *dds_type,
                              const rdds_selection *sel, int keyed) {
    if (s->ntopics == s->captopics) {
        size_t cap = s->captopics ? s->captopics * 2 : 16;
        rdds_tstate **v = realloc(s->topics, cap * sizeof *v);
        if (v == NULL) return NULL;
        s->topics = v;
        s->captopics = cap;
    }
    rdds_tstate *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->s = s;
    t->dds_topic = strdup(dds_topic);
    t->dds_type = strdup(dds_type);
    t->name = strdup(sel->name);
    t->type = strdup(sel->type);
    if (!t->dds_topic || !t->dds_type || !t->name || !t->type) {
        topic_free(t);
        return NULL;
    }
    t->pub.id = (uint32_t)s->ntopics;
    t->pub.dds_topic = t->dds_topic;
    t->pub.dds_type = t->dds_type;
    t->pub.name = t->name;
    t->pub.type = t->type;
    t->pub.is_ros = sel->is_ros;
    t->pub.keyed = keyed;
    t->pub.qos_yaml = "";
    t->pub.publisher_nodes = "";
    t->pub.type_hash = "";
    s->topics[s->ntopics++] = t;
    return t;
}

static int strcmp_p(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The subscriber's partitions: the union of the publishers' ("" for the default partition, so a
 * mix of partitioned and default publishers matches both). Sorted, de-duplicated, malloc'd. */
static int partition_union(rdds_session *s, const rdds_tstate *t, char ***out, uint32_t *nout) {
    size_t n = 0, cap = 0;
    char **v = NULL;
    int any_partitioned = 0;
    for (size_t i = 0; i < s->npubs; i++) {
        const rdds_pub *p = &s->pubs[i];
        if (p->t != t) continue;
        uint32_t np = p->nparts ? p->nparts : 1;
        if (p->nparts) any_partitioned = 1;
        for (uint32_t k = 0; k < np; k++) {
            const char *name = p->nparts ? p->parts[k] : "";
            int dup = 0;
            for (size_t j = 0; j < n && !dup; j++) dup = strcmp(v[j], name) == 0;
            if (dup) continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 4;
                char **nv = realloc(v, cap * sizeof *nv);
                if (nv == NULL) goto oom;
                v = nv;
            }
            if ((v[n] = strdup(name)) == NULL) goto oom;
            n++;
        }
    }
    if (!any_partitioned) {
        /* Everyone in the default partition: leave the subscriber's QoS at its default. */
        free_strv(v, (uint32_t)n, free);
        *out = NULL;
        *nout = 0;
        return 0;
    }
    qsort(v, n, sizeof *v, strcmp_p);
    *out = v;
    *nout = (uint32_t)n;
    return 0;
oom:
    free_strv(v, (uint32_t)n, free);
    return -ENOMEM;
}

static int same_parts(char **a, uint32_t na, char **b, uint32_t nb) {
    if (na != nb) return 0;
    for (uint32_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0) return 0;
    return 1;
}

static int reader_create(rdds_session *s, rdds_tstate *t, const rdds_reader_qos *want,
                         char **parts, uint32_t nparts) {
    if (t->topic == 0) {
        struct ddsi_sertype *st = rdds_sertype_new(t->dds_type, t->pub.keyed);
        if (st == NULL) return DDS_RETCODE_OUT_OF_RESOURCES;
        dds_entity_t tp = dds_create_topic_sertype(s->pp, t->dds_topic, &st, NULL, NULL, NULL);
        if (tp < 0) {
            ddsi_sertype_unref(st); /* not handed over on failure */
            return tp;
        }
        t->topic = tp;
    }
    dds_qos_t *sq = dds_create_qos();
    dds_qos_t *rq = dds_create_qos();
    dds_listener_t *l = dds_create_listener(t);
    dds_entity_t sub = 0, rd = 0;
    if (sq == NULL || rq == NULL || l == NULL) {
        rd = DDS_RETCODE_OUT_OF_RESOURCES;
        goto out;
    }
    if (nparts > 0) dds_qset_partition(sq, nparts, (const char **)parts);
    dds_qset_reliability(rq, want->reliable ? DDS_RELIABILITY_RELIABLE : DDS_RELIABILITY_BEST_EFFORT,
                         RDDS_MAX_BLOCKING);
    dds_qset_durability(rq, want->transient_local ? DDS_DURABILITY_TRANSIENT_LOCAL : DDS_DURABILITY_VOLATILE);
    dds_qset_history(rq, want->keep_all ? DDS_HISTORY_KEEP_ALL : DDS_HISTORY_KEEP_LAST,
                     want->keep_all ? 1 : want->depth);
    /* Accept both encodings, and say so rather than rely on the topic QoS Cyclone derives from
     * the sertype (a reader's own default is XCDR1 only, which never matches a writer whose
     * first representation is XCDR2). The bytes are recorded as they come, header included. */
    dds_qset_data_representation(rq, 2, (dds_data_representation_id_t[]){DDS_DATA_REPRESENTATION_XCDR1,
                                                                            DDS_DATA_REPRESENTATION_XCDR2});
    dds_lset_data_available(l, on_data);
    dds_lset_sample_lost(l, on_lost);
    dds_lset_sample_rejected(l, on_rejected);
    dds_lset_subscription_matched(l, on_matched);
    sub = dds_create_subscriber(s->pp, sq, NULL);
    if (sub < 0) {
        rd = sub;
        sub = 0;
        goto out;
    }
    rd = dds_create_reader(sub, t->topic, rq, l);
    if (rd < 0) {
        dds_delete(sub);
        sub = 0;
        goto out;
    }
    t->sub = sub;
    t->rd = rd;
    t->cur = *want;
    free_strv(t->parts, t->nparts, free);
    t->parts = parts;
    t->nparts = nparts;
out:
    dds_delete_listener(l);
    dds_delete_qos(rq);
    dds_delete_qos(sq);
    return rd < 0 ? rd : 0;
}

/* The node owning writer `guid`, per the latest ros_discovery_info of any participant. */
static const char *node_of(const rdds_session *s, const dds_guid_t *guid) {
    for (size_t i = 0; i < s->nnodes; i++)
        for (size_t k = 0; k < s->nodes[i].nwriters; k++)
            if (memcmp(s->nodes[i].writers[k].guid, guid->v, 16) == 0)
                return s->nodes[i].fqn[s->nodes[i].writers[k].node];
    return NULL;
}

/* Recompute t's publisher_nodes (sorted, de-duplicated, comma-separated). 1 when it changed,
 * 0 when not (or when out of memory: the old list stays, reported). */
static int topic_nodes_update(rdds_session *s, rdds_tstate *t) {
    size_t n = 0;
    for (size_t i = 0; i < s->npubs; i++) n += s->pubs[i].t == t;
    const char **v = calloc(n ? n : 1, sizeof *v);
    if (v == NULL) goto oom;
    size_t k = 0, len = 1;
    for (size_t i = 0; i < s->npubs; i++) {
        if (s->pubs[i].t != t) continue;
        const char *f = node_of(s, &s->pubs[i].key);
        int dup = f == NULL;
        for (size_t j = 0; j < k && !dup; j++) dup = strcmp(v[j], f) == 0;
        if (dup) continue;
        v[k++] = f;
        len += strlen(f) + 1;
    }
    qsort(v, k, sizeof *v, strcmp_p);
    char *str = malloc(len);
    if (str == NULL) {
        free(v);
        goto oom;
    }
    str[0] = '\0';
    for (size_t j = 0, off = 0; j < k; j++) {
        size_t l = strlen(v[j]);
        if (j > 0) str[off++] = ',';
        memcpy(str + off, v[j], l + 1);
        off += l;
    }
    free(v);
    if (strcmp(str, t->pub.publisher_nodes) == 0) {
        free(str);
        return 0;
    }
    char **nv = realloc(t->nodestrs, (t->nnodestrs + 1) * sizeof *nv);
    if (nv == NULL) {
        free(str);
        goto oom;
    }
    t->nodestrs = nv;
    t->nodestrs[t->nnodestrs++] = str;
    t->pub.publisher_nodes = str;
    return 1;
oom:
    report(s, "topic(%s): %s", t->name, "out of memory (publisher nodes)");
    return 0;
}

/* The publisher set of t changed: publish the new QoS description, then make sure the reader
 * fits. Replacing a reader deletes the old one before creating the new one. That is safe:
 * dds_delete waits for a data listener still running on the old reader, no callback follows it,
 * and the topic id (and the recorder's channel) stays the same. The price is a gap of the time it
 * takes to create and match the new reader (matching existing proxy writers happens inside
 * dds_create_reader), only when the publishers' reliability, durability, depth or partitions
 * change. Creating the new reader first would instead deliver the overlap twice, which would
 * corrupt loss accounting silently; a gap is at least bounded and rare. */
static void topic_refresh(rdds_session *s, rdds_tstate *t) {
    size_t n = 0;
    for (size_t i = 0; i < s->npubs; i++) n += s->pubs[i].t == t;
    int count_changed = t->pub.publishers != (uint32_t)n;
    t->pub.publishers = (uint32_t)n;
    if (n == 0) {
        /* Publishers gone: keep the reader for the next one, and the last QoS. */
        if (count_changed && t->rd != 0) s->cb.on_topic(s->cb.ctx, &t->pub);
        return;
    }
    rdds_pub_qos *qs = malloc(n * sizeof *qs);
    if (qs == NULL) {
        report(s, "topic(%s): %s", t->name, "out of memory");
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->npubs; i++)
        if (s->pubs[i].t == t) qs[k++] = s->pubs[i].q;
    rdds_reader_qos want;
    rdds_qos_adapt(qs, n, &want);
    rdds_qos_override_apply(s->m.f.qos_overrides, t->name, &want);
    if (s->m.f.best_effort) {
        want.reliable = want.transient_local = want.keep_all = 0;
        if (want.depth < RDDS_MIN_BE_DEPTH) want.depth = RDDS_MIN_BE_DEPTH;
    }
    char *yaml = rdds_qos_yaml(qs, n, !t->pub.is_ros);
    free(qs);
    char **yv = yaml ? realloc(t->yamls, (t->nyamls + 1) * sizeof *yv) : NULL;
    if (yv == NULL) {
        free(yaml);
        report(s, "topic(%s): %s", t->name, "out of memory");
        return;
    }
    t->yamls = yv;
    t->yamls[t->nyamls++] = yaml;
    int changed = count_changed || strcmp(yaml, t->pub.qos_yaml) != 0;
    t->pub.qos_yaml = yaml;
    changed |= topic_nodes_update(s, t);
    changed |= t->type_hash_new;
    t->type_hash_new = 0;
    /* Before the reader exists: on_topic returns before the first on_sample for this id. */
    if (changed || t->rd == 0) s->cb.on_topic(s->cb.ctx, &t->pub);

    char **parts;
    uint32_t nparts;
    if (partition_union(s, t, &parts, &nparts) < 0) {
        report(s, "topic(%s): %s", t->name, "out of memory");
        return;
    }
    if (t->rd != 0 && !rdds_qos_needs_new_reader(&t->cur, &want) &&
        same_parts(parts, nparts, t->parts, t->nparts)) {
        free_strv(parts, nparts, free);
        return;
    }
    if (t->sub != 0) {
        dds_delete(t->sub); /* deletes the reader too */
        t->sub = t->rd = 0;
    }
    int rc = reader_create(s, t, &want, parts, nparts);
    if (rc < 0) {
        free_strv(parts, nparts, free);
        report(s, "reader(%s): %s", t->dds_topic, dds_strretcode(rc));
    }
}

/* ---- publications ----------------------------------------------------------------------- */

/* --no-discovery: topics present at start are found within the window; later ones are not. */
static int discovery_closed(const rdds_session *s) {
    return s->m.f.discovery_window_ns > 0 && rg_time_mono_ns() - s->open_mono_ns > s->m.f.discovery_window_ns;
}

static rdds_pub *pub_find_key(rdds_session *s, const dds_guid_t *key) {
    for (size_t i = 0; i < s->npubs; i++)
        if (memcmp(&s->pubs[i].key, key, sizeof *key) == 0) return &s->pubs[i];
    return NULL;
}

/* The writer's announced type hash, from the USER_DATA in its discovered QoS: p->type_hash and
 * p->hash_rc, *why when malformed. */
static void pub_hash_read(rdds_pub *p, const dds_qos_t *q, const char **why) {
    void *ud = NULL;
    size_t n = 0;
    p->type_hash[0] = '\0';
    p->hash_rc = -ENOENT;
    if (dds_qget_userdata(q, &ud, &n)) p->hash_rc = rdds_typehash_parse(ud, n, p->type_hash, why);
    dds_free(ud);
}

/* Publisher p of topic t announced a type hash (or a malformed one). The topic keeps the first
 * hash announced: the MCAP channel that carries it cannot change once written. rosbag2 instead
 * records "" when the publishers it sees at subscription disagree; the warning names both. */
static void topic_hash_note(rdds_session *s, rdds_tstate *t, const rdds_pub *p, const char *why) {
    if (p->hash_rc == -EINVAL) {
        report(s, "topic(%s): a publisher announces a malformed type hash (%s); ignored", t->name, why);
        return;
    }
    if (p->type_hash[0] == '\0') return;
    if (t->type_hash[0] == '\0') {
        memcpy(t->type_hash, p->type_hash, sizeof t->type_hash);
        t->pub.type_hash = t->type_hash;
        t->type_hash_new = 1;
    } else if (strcmp(t->type_hash, p->type_hash) != 0) {
        report(s, "topic(%s): publishers announce different type hashes: %s (kept) and %s", t->name,
               t->type_hash, p->type_hash);
    }
}

static void pub_alive(rdds_session *s, const dds_builtintopic_endpoint_t *ep, dds_instance_handle_t ih) {
    /* Our own participant has no writers to record, and the prefix check keeps it that way
     * even if a caller ever adds some. */
    if (memcmp(ep->participant_key.v, s->self.v, 12) == 0) return;
    if (ep->topic_name == NULL || ep->type_name == NULL || ep->qos == NULL) return;
    rdds_pub *p = pub_find_key(s, &ep->key);
    const char *why = NULL;
    if (p != NULL) {
        /* A QoS change of a known writer (partition, lifespan...): take it as a new offer. */
        pub_qos_from(ep->qos, &p->q);
        free_strv(p->parts, p->nparts, dds_free);
        p->parts = NULL;
        p->nparts = 0;
        if (!dds_qget_partition(ep->qos, &p->nparts, &p->parts)) p->nparts = 0;
        char hash_before[sizeof p->type_hash];
        int rc_before = p->hash_rc;
        memcpy(hash_before, p->type_hash, sizeof hash_before);
        pub_hash_read(p, ep->qos, &why);
        if (p->t != NULL && (p->hash_rc != rc_before || strcmp(p->type_hash, hash_before) != 0))
            topic_hash_note(s, p->t, p, why);
        if (p->t != NULL) topic_refresh(s, p->t);
        return;
    }
    if (s->npubs == s->cappubs) {
        size_t cap = s->cappubs ? s->cappubs * 2 : 32;
        rdds_pub *v = realloc(s->pubs, cap * sizeof *v);
        if (v == NULL) {
            report(s, "publication(%s): %s", ep->topic_name, "out of memory");
            return;
        }
        s->pubs = v;
        s->cappubs = cap;
    }
    p = &s->pubs[s->npubs];
    memset(p, 0, sizeof *p);
    p->key = ep->key;
    p->ih = ih;
    pub_qos_from(ep->qos, &p->q);
    pub_hash_read(p, ep->qos, &why);
    if (!dds_qget_partition(ep->qos, &p->nparts, &p->parts) || p->nparts == 0) {
        free_strv(p->parts, p->nparts, dds_free);
        p->parts = NULL;
        p->nparts = 0;
    }
    s->npubs++;

    rdds_tstate *t = topic_find(s, ep->topic_name, ep->type_name);
    if (t == NULL) {
        rdds_selection sel;
        rdds_matcher_select(&s->m, ep->topic_name, ep->type_name, &sel);
        if (!sel.selected || discovery_closed(s)) return;
        /* The entity kind in the GUID's last byte says keyed (2) or keyless (3); a reader of
         * the other kind would never match this writer, silently. */
        int keyed = (ep->key.v[15] & 0x0f) == 0x02;
        t = topic_add(s, ep->topic_name, ep->type_name, &sel, keyed);
        if (t == NULL) {
            report(s, "topic(%s): %s", ep->topic_name, "out of memory");
            return;
        }
    }
    p->t = t;
    topic_hash_note(s, t, p, why);
    topic_refresh(s, t);
}

static void pub_gone(rdds_session *s, dds_instance_handle_t ih) {
    for (size_t i = 0; i < s->npubs; i++) {
        if (s->pubs[i].ih != ih) continue;
        rdds_tstate *t = s->pubs[i].t;
        free_strv(s->pubs[i].parts, s->pubs[i].nparts, dds_free);
        s->pubs[i] = s->pubs[--s->npubs];
        if (t != NULL) topic_refresh(s, t);
        return;
    }
}

/* ---- ros_discovery_info ------------------------------------------------------------------ */

/* One participant's new node list replaces its previous one; every topic's node list follows.
 * A participant with no nodes left (rmw announces that as its last nodes go) is dropped, which
 * keeps the table to live ROS participants. */
static void rdi_apply(rdds_session *s, rdds_nodes_msg *m) {
    size_t i = 0;
    while (i < s->nnodes && memcmp(s->nodes[i].participant, m->participant, 16) != 0) i++;
    if (i < s->nnodes) {
        rdds_nodes_free(&s->nodes[i]);
        if (m->nnodes == 0) {
            rdds_nodes_free(m);
            s->nodes[i] = s->nodes[--s->nnodes];
        } else {
            s->nodes[i] = *m;
        }
    } else if (m->nnodes == 0) {
        rdds_nodes_free(m);
        return;
    } else {
        rdds_nodes_msg *v = realloc(s->nodes, (s->nnodes + 1) * sizeof *v);
        if (v == NULL) {
            rdds_nodes_free(m);
            report(s, "ros_discovery_info(%s): %s", "participant", "out of memory");
            return;
        }
        s->nodes = v;
        s->nodes[s->nnodes++] = *m;
    }
    for (size_t k = 0; k < s->ntopics; k++) {
        rdds_tstate *t = s->topics[k];
        if (topic_nodes_update(s, t)) s->cb.on_topic(s->cb.ctx, &t->pub);
    }
}

static void rdi_take(rdds_session *s) {
    struct ddsi_serdata *buf[RDDS_DISC_BATCH];
    dds_sample_info_t si[RDDS_DISC_BATCH];
    int32_t n;
    while ((n = dds_takecdr(s->rdi_rd, buf, RDDS_DISC_BATCH, si, DDS_ANY_STATE)) > 0) {
        for (int32_t i = 0; i < n; i++) {
            size_t len;
            const void *bytes = si[i].valid_data ? rdds_serdata_bytes(buf[i], &len) : NULL;
            rdds_nodes_msg m;
            /* Malformed samples are skipped: node names are a nicety, never a reason to stop. */
            if (bytes != NULL && rdds_nodes_parse(bytes, len, &m) == 0) rdi_apply(s, &m);
            ddsi_serdata_unref(buf[i]);
        }
    }
}

/* The internal reader: reliable and transient-local as rmw offers it, so nodes that started
 * before us are known too. A topic of its own (same raw sertype as a recorded one would use). */
static dds_return_t rdi_open(rdds_session *s) {
    struct ddsi_sertype *st = rdds_sertype_new(RDDS_RDI_TYPE, 0);
    if (st == NULL) return DDS_RETCODE_OUT_OF_RESOURCES;
    dds_entity_t tp = dds_create_topic_sertype(s->pp, RDDS_DISCOVERY_INFO, &st, NULL, NULL, NULL);
    if (tp < 0) {
        ddsi_sertype_unref(st);
        return tp;
    }
    dds_qos_t *q = dds_create_qos();
    if (q == NULL) return DDS_RETCODE_OUT_OF_RESOURCES;
    dds_qset_reliability(q, DDS_RELIABILITY_RELIABLE, RDDS_MAX_BLOCKING);
    dds_qset_durability(q, DDS_DURABILITY_TRANSIENT_LOCAL);
    dds_qset_history(q, DDS_HISTORY_KEEP_LAST, RDDS_RDI_DEPTH);
    dds_qset_data_representation(q, 2, (dds_data_representation_id_t[]){DDS_DATA_REPRESENTATION_XCDR1,
                                                                           DDS_DATA_REPRESENTATION_XCDR2});
    s->rdi_rd = dds_create_reader(s->pp, tp, q, NULL);
    dds_delete_qos(q);
    if (s->rdi_rd < 0) {
        dds_return_t r = s->rdi_rd;
        s->rdi_rd = 0;
        return r;
    }
    dds_entity_t c = dds_create_readcondition(s->rdi_rd, DDS_ANY_STATE);
    if (c < 0) return c;
    return dds_waitset_attach(s->ws, c, 0);
}

/* ---- discovery thread ------------------------------------------------------------------- */

static void *disc_main(void *arg) {
    rdds_session *s = arg;
    for (;;) {
        (void)dds_waitset_wait(s->ws, NULL, 0, DDS_INFINITY);
        bool stop = false;
        (void)dds_read_guardcondition(s->guard, &stop);
        if (stop) break;
        /* Node lists first: a writer announced before it is discovered (rmw announces right
         * after creating it) then gets its node in the topic's first on_topic already. */
        if (s->rdi_rd > 0) rdi_take(s);
        void *samples[RDDS_DISC_BATCH] = {NULL};
        dds_sample_info_t si[RDDS_DISC_BATCH];
        int32_t n;
        while ((n = dds_take(s->brd, samples, si, RDDS_DISC_BATCH, RDDS_DISC_BATCH)) > 0) {
            for (int32_t i = 0; i < n; i++) {
                if (si[i].valid_data && si[i].instance_state == DDS_IST_ALIVE)
                    pub_alive(s, samples[i], si[i].instance_handle);
                else if (si[i].instance_state != DDS_IST_ALIVE)
                    pub_gone(s, si[i].instance_handle);
            }
            (void)dds_return_loan(s->brd, samples, n);
        }
    }
    return NULL;
}

/* ---- open / close ----------------------------------------------------------------------- */

/* The domain with our receive defaults in front of the user's configuration; 0 when this
 * process already has the domain (its configuration stays as it is). */
static dds_entity_t domain_create(uint32_t domain) {
    const char *uri = getenv("CYCLONEDDS_URI");
    if (uri == NULL) uri = "";
    size_t n = sizeof RDDS_CONFIG_DEFAULTS + 1 + strlen(uri);
    char *cfg = malloc(n);
    if (cfg == NULL) return DDS_RETCODE_OUT_OF_RESOURCES;
    snprintf(cfg, n, "%s%s%s", RDDS_CONFIG_DEFAULTS, *uri ? "," : "", uri);
    dds_entity_t d = dds_create_domain((dds_domainid_t)domain, cfg);
    free(cfg);
    return d == DDS_RETCODE_PRECONDITION_NOT_MET ? 0 : d;
}

int rdds_session_open(rdds_session **out, uint32_t domain, const rdds_filter *filter,
                      const rdds_callbacks *cb, char *err, size_t errlen) {
    *out = NULL;
    rdds_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, errlen, "rdds session: out of memory");
        return -ENOMEM;
    }
    s->cb = *cb;
    s->open_mono_ns = rg_time_mono_ns();
    int rc = rdds_matcher_init(&s->m, filter, err, errlen);
    if (rc < 0) {
        free(s);
        return rc;
    }
    const char *what = "domain";
    dds_return_t r;
    if ((r = s->dom = domain_create(domain)) < 0) {
        s->dom = 0;
        goto fail;
    }
    what = "participant";
    /* Cyclone takes a participant's lease duration from its liveliness QoS. A short one lets
     * a reliable keep-all publisher drop a recorder killed with -9 within the lease instead
     * of blocking on its unacknowledged samples for Cyclone's default 10 s. */
    dds_qos_t *pq = NULL;
    if (filter->lease_ns > 0 && (pq = dds_create_qos()) != NULL)
        dds_qset_liveliness(pq, DDS_LIVELINESS_AUTOMATIC, filter->lease_ns);
    s->pp = dds_create_participant((dds_domainid_t)domain, pq, NULL);
    if (pq) dds_delete_qos(pq);
    if (s->pp < 0) {
        r = s->pp;
        s->pp = 0;
        goto fail;
    }
    what = "participant guid";
    if ((r = dds_get_guid(s->pp, &s->self)) < 0) goto fail;
    what = "DCPSPublication reader";
    if ((r = s->brd = dds_create_reader(s->pp, DDS_BUILTIN_TOPIC_DCPSPUBLICATION, NULL, NULL)) < 0) goto fail;
    what = "waitset";
    if ((r = s->ws = dds_create_waitset(s->pp)) < 0) goto fail;
    if ((r = s->guard = dds_create_guardcondition(s->pp)) < 0) goto fail;
    dds_entity_t rc_cond = dds_create_readcondition(s->brd, DDS_ANY_STATE);
    if ((r = rc_cond) < 0) goto fail;
    if ((r = dds_waitset_attach(s->ws, rc_cond, 0)) < 0) goto fail;
    if ((r = dds_waitset_attach(s->ws, s->guard, 1)) < 0) goto fail;
    what = "ros_discovery_info reader";
    if ((r = rdi_open(s)) < 0) goto fail;
    what = "discovery thread";
    int e = pthread_create(&s->thread, NULL, disc_main, s);
    if (e != 0) {
        snprintf(err, errlen, "rdds %s: %s", what, strerror(e));
        rdds_session_close(s);
        return -e;
    }
    s->thread_started = 1;
    *out = s;
    return 0;
fail:
    snprintf(err, errlen, "rdds %s(domain %u): %s", what, (unsigned)domain, dds_strretcode(r));
    rdds_session_close(s);
    return r == DDS_RETCODE_OUT_OF_RESOURCES ? -ENOMEM : -EIO;
}

void rdds_session_close(rdds_session *s) {
    if (s == NULL) return;
    if (s->thread_started) {
        (void)dds_set_guardcondition(s->guard, true);
        pthread_join(s->thread, NULL);
    }
    /* Samples a reader holds were already acknowledged to reliable publishers, who will not
     * send them again: take them before the readers go. Removing the listener first waits for
     * a running one, so this last take never races it and a topic's order is kept. */
    for (size_t i = 0; i < s->ntopics; i++) {
        rdds_tstate *t = s->topics[i];
        if (t->rd == 0) continue;
        (void)dds_set_listener(t->rd, NULL);
        on_data(t->rd, t);
    }
    /* Deleting the participant deletes every reader: no callback after this. Only then may
     * the topic states the listeners pointed to go. */
    if (s->pp > 0) dds_delete(s->pp);
    if (s->dom > 0) dds_delete(s->dom);
    for (size_t i = 0; i < s->npubs; i++) free_strv(s->pubs[i].parts, s->pubs[i].nparts, dds_free);
    free(s->pubs);
    for (size_t i = 0; i < s->ntopics; i++) topic_free(s->topics[i]);
    free(s->topics);
    for (size_t i = 0; i < s->nnodes; i++) rdds_nodes_free(&s->nodes[i]);
    free(s->nodes);
    rdds_matcher_fini(&s->m);
    free(s);
}

int rdds_domain_from_env(uint32_t *domain, char *err, size_t errlen) {
    const char *dom = getenv("ROS_DOMAIN_ID");
    long long v = 0;
    if (dom && *dom && rg_num_ll(dom, 0, 232, &v) < 0) {
        snprintf(err, errlen, "ROS_DOMAIN_ID=%.32s: expected an integer 0..232", dom);
        return -EINVAL;
    }
    *domain = (uint32_t)v;
    return 0;
}
