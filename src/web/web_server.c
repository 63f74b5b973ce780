/* web_server — see web_server.h.
 *
 * Map: hub (shared state) | refresh loop (daemon link, stats, live figures) | SSE stream |
 *      HTTP handlers (checks, then dispatch) | start/stop.
 */
#include "web/web_server.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rg_buf.h"
#include "common/rg_time.h"
#include "guard/guard_ctl.h"
#include "guard/guard_journal.h"
#include "guard/guard_monitor.h"
#include "guard/guard_proc.h"
#include "recorder/rec_stats.h"
#include "web/web_bags.h"
#include "web/web_ctl.h"
#include "web/web_metrics.h"
#include "recorder/rec_topics.h"

/* ---- hub ----------------------------------------------------------------------------------- */

typedef struct hub {
    pthread_mutex_t mu;            /* guards everything below */
    pthread_cond_t cv;             /* signalled on a new live message, event or stop */
    int stopping;                  /* server shutting down: SSE streams end */
    json_t *status;                /* latest STATUS, NULL while the daemon is unreachable */
    json_t *topics;                /* latest topic objects (array) */
    char *live;                    /* latest live message (JSON text) */
    uint64_t live_seq;             /* bumped with every new live message */
    char *ev[WEB_SERVER_EVENTS];   /* ring of daemon events (JSON text), index seq % size */
    uint64_t ev_seq;               /* events pushed so far */
    char output_dir[PATH_MAX];     /* the daemon's output dir ("" until known) */
    double cpu_seconds;            /* recorder CPU, < 0 unknown */
    double messages_total;         /* recorder run total, < 0 unknown */
    double bytes_total;            /* recorder run total, < 0 unknown */
} hub;

typedef struct web_srv {
    const web_server_opts *o;      /* options */
    hub h;                         /* shared with the HTTP threads */
    int asset_fd;                  /* asset directory */
    char log[256];                 /* libmicrohttpd's message while starting (bind errors) */
    _Atomic int serving;           /* started: later messages go to stderr (any thread) */
} web_srv;

static void hub_push_event(hub *h, json_t *ev) {
    char *txt = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!txt) return;
    pthread_mutex_lock(&h->mu);
    size_t i = h->ev_seq % WEB_SERVER_EVENTS;
    free(h->ev[i]);
    h->ev[i] = txt;
    h->ev_seq++;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* ---- refresh loop ---------------------------------------------------------------------------- */

typedef struct refresh {
    web_srv *s;                    /* server */
    web_ctl *ctl;                  /* watch connection (fd -1 when down) */
    rec_stats_snapshot *snap;      /* the recorder's stats (large) */
    rec_stats_snapshot *msnap;     /* the monitor's stats (large) */
    int was_up;                    /* the daemon was reachable at the last look */
    int seeded;                    /* the session journal's tail was replayed into the hub */
    char down_why[PATH_MAX + 64];    /* why it is not */
} refresh;

static double cpu_seconds_of(json_int_t pid) {
    guard_proc_stat ps;
    if (pid <= 0 || guard_proc_read_stat((pid_t)pid, &ps) != 0) return -1;
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? (double)(ps.utime_ticks + ps.stime_ticks) / (double)hz : -1;
}

/* Totals over the topics, for the charts: the page plots these once a second. */
static json_t *totals_json(const json_t *topics) {
    double rate = 0, bw = 0;
    size_t i;
    const json_t *t;
    json_array_foreach(topics, i, t) {
        rate += json_number_value(json_object_get(t, "rate_hz"));
        bw += json_number_value(json_object_get(t, "bandwidth_bps"));
    }
    return json_pack("{s:f, s:f}", "rate_hz", rate, "bandwidth_bps", bw);
}

/* The page's journal should not start empty when it is opened mid-session: the first time a
 * bag is known, the tail of its journal (GUARD_JOURNAL_BAG_FILE) goes into the event ring. The
 * page orders events by time, so these land below what arrived live. */
#define WEB_SERVER_SEED_BYTES (256 * 1024)
static void seed_journal(refresh *r, const json_t *status) {
    const char *bag = json_string_value(json_object_get(status, "bag_dir"));
    if (r->seeded || !bag || !*bag) return;
    r->seeded = 1;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", bag, GUARD_JOURNAL_BAG_FILE) >= (int)sizeof path) return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0) return;
    char *buf = fstat(fd, &st) == 0 ? malloc(WEB_SERVER_SEED_BYTES + 1) : NULL;
    off_t from = buf && st.st_size > WEB_SERVER_SEED_BYTES ? st.st_size - WEB_SERVER_SEED_BYTES : 0;
    ssize_t n = buf ? pread(fd, buf, WEB_SERVER_SEED_BYTES, from) : -1;
    close(fd);
    if (n <= 0) {
        free(buf);
        return;
    }
    buf[n] = '\0';
    /* Starting mid-file: the first line is partial. */
    char *line = from ? strchr(buf, '\n') : buf;
    for (char *nl; line && (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        json_t *ev = json_loads(line, 0, NULL);
        if (json_is_object(ev)) hub_push_event(&r->s->h, ev);
        json_decref(ev);
    }
    free(buf);
}

/* A stats file's snapshot into buf; NULL when it cannot be read (no recorder, no monitor). */
static const rec_stats_snapshot *read_snap(const char *path, rec_stats_snapshot *buf) {
    char err[PATH_MAX + 128];
    return path && *path && rec_stats_read(path, buf, err, sizeof err) == 0 ? buf : NULL;
}

/* A new STATUS (NULL: daemon unreachable): read the recorder's and the monitor's stats, build
 * the topic objects, publish one live message. */
static void on_status(refresh *r, json_t *status) {
    hub *h = &r->s->h;
    if (status) seed_journal(r, status);
    double cpu = -1, msgs = -1, bytes = -1;
    const rec_stats_snapshot *rec = read_snap(json_string_value(json_object_get(status, "stats_path")), r->snap);
    if (rec) {
        msgs = (double)rec->messages_received;
        bytes = (double)rec->bytes_written;
    }
    const char *dir = json_string_value(json_object_get(status, "state_dir"));
    char mpath[PATH_MAX];
    int mok = dir && snprintf(mpath, sizeof mpath, "%s/%s", dir, GUARD_MONITOR_STATS) < (int)sizeof mpath;
    rec_topics_in ti = {.rec = rec, .mon = mok ? read_snap(mpath, r->msnap) : NULL, .status = status,
                        .now_mono_ns = rg_time_mono_ns()};
    json_t *topics = rec_topics_json(&ti);
    cpu = cpu_seconds_of(json_integer_value(json_object_get(status, "pid")));
    int64_t now = rg_time_real_ns();
    json_t *live = json_pack("{s:I, s:O?, s:O, s:o, s:b}", "time_ms", (json_int_t)(now / RG_NS_PER_MS), "status",
                             status, "topics", topics, "totals", totals_json(topics), "daemon_up", status != NULL);
    json_object_set_new(live, "cpu_seconds", cpu >= 0 ? json_real(cpu) : json_null());
    if (!status) json_object_set_new(live, "daemon_error", json_string(r->down_why));
    char *txt = json_dumps(live, JSON_COMPACT);
    json_decref(live);
    const char *out = json_string_value(json_object_get(status, "output"));
    pthread_mutex_lock(&h->mu);
    json_decref(h->status);
    h->status = status ? json_incref(status) : NULL;
    json_decref(h->topics);
    h->topics = topics;
    if (txt) {
        free(h->live);
        h->live = txt;
        h->live_seq++;
    }
    if (out) snprintf(h->output_dir, sizeof h->output_dir, "%s", out);
    h->cpu_seconds = cpu;
    h->messages_total = msgs;
    h->bytes_total = bytes;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* The daemon link changed: a journal line for the page, so a daemon restart is visible. */
static void link_event(refresh *r, int up) {
    if (r->was_up == up) return;
    r->was_up = up;
    json_t *ev = guard_journal_event(up ? "daemon_reachable" : "daemon_unreachable", rg_time_real_ns());
    json_object_set_new(ev, "reason", json_string(up ? r->ctl->path : r->down_why));
    hub_push_event(&r->s->h, ev);
    json_decref(ev);
    fprintf(stderr, "recguard web: daemon %s%s%s\n", up ? "reachable at " : "unreachable: ",
            up ? r->ctl->path : r->down_why, "");
}

static void link_down(refresh *r, const char *why) {
    web_ctl_close(r->ctl);
    snprintf(r->down_why, sizeof r->down_why, "%s", why);
    link_event(r, 0);
    on_status(r, NULL);
}

static int link_up(refresh *r) {
    char err[PATH_MAX + 64];
    if (web_ctl_open(r->ctl, r->s->o->socket_path, err, sizeof err) < 0) {
        link_down(r, err);
        return -1;
    }
    if (web_ctl_send(r->ctl, "watch", NULL) < 0) {
        link_down(r, "the daemon closed the connection");
        return -1;
    }
    link_event(r, 1);
    return 0;
}

static void on_line(refresh *r, json_t *o) {
    if (json_object_get(o, "ok")) {
        json_t *st = json_object_get(o, "status");
        if (json_is_object(st)) on_status(r, st);
        return;
    }
    hub_push_event(&r->s->h, o);
    /* A state change shows on the page at once, not at the next tick. */
    if (r->ctl->fd >= 0 && json_object_get(o, "from")) web_ctl_send(r->ctl, "status", NULL);
}

static void drain(refresh *r) {
    for (;;) {
        json_t *o = NULL;
        int rc = web_ctl_read(r->ctl, 0, &o);
        if (rc < 0) {
            link_down(r, rc == -EPIPE ? "the daemon closed the connection" : "the daemon sent a bad line");
            return;
        }
        if (!o) return;
        on_line(r, o);
        json_decref(o);
    }
}

static int refresh_loop(web_srv *s, int sigfd) {
    refresh r = {.s = s, .was_up = -1};
    r.ctl = malloc(sizeof *r.ctl);
    r.snap = malloc(sizeof *r.snap);
    r.msnap = malloc(sizeof *r.msnap);
    if (!r.ctl || !r.snap || !r.msnap) {
        free(r.ctl);
        free(r.snap);
        free(r.msnap);
        return -ENOMEM;
    }
    r.ctl->fd = -1;
    int64_t next_tick = rg_time_mono_ns();
    for (;;) {
        int64_t now = rg_time_mono_ns();
        if (now >= next_tick) {
            /* A missing daemon is retried once per tick: it may be restarting. */
            if (r.ctl->fd < 0) link_up(&r);
            if (r.ctl->fd >= 0 && web_ctl_send(r.ctl, "status", NULL) < 0)
                link_down(&r, "the daemon closed the connection");
            next_tick = now + WEB_SERVER_TICK_MS * RG_NS_PER_MS;
        }
        struct pollfd pf[2] = {{.fd = sigfd, .events = POLLIN}, {.fd = r.ctl->fd, .events = POLLIN}};
        int wait = (int)((next_tick - now) / RG_NS_PER_MS) + 1;
        int pr = poll(pf, r.ctl->fd >= 0 ? 2 : 1, wait);
        if (pr < 0 && errno != EINTR) break;
        if (pr > 0 && (pf[0].revents & POLLIN)) break;
        if (pr > 0 && r.ctl->fd >= 0 && pf[1].revents) drain(&r);
    }
    web_ctl_close(r.ctl);
    free(r.ctl);
    free(r.snap);
    free(r.msnap);
    return 0;
}

/* ---- SSE stream ------------------------------------------------------------------------------- */

typedef struct sse {
    hub *h;               /* source */
    uint64_t ev_next;     /* next event seq to send */
    uint64_t live_seen;   /* live_seq already sent */
    rg_buf out;           /* text not yet handed to libmicrohttpd */
    size_t off;           /* bytes of out already handed over */
} sse;

/* Called with h->mu held: append what is new; 1 when something was. */
static int sse_collect(sse *c) {
    hub *h = c->h;
    int any = 0;
    if (h->ev_seq - c->ev_next > WEB_SERVER_EVENTS) c->ev_next = h->ev_seq - WEB_SERVER_EVENTS;
    for (; c->ev_next < h->ev_seq; c->ev_next++, any = 1)
        rg_buf_printf(&c->out, "event: journal\ndata: %s\n\n", h->ev[c->ev_next % WEB_SERVER_EVENTS]);
    if (h->live && c->live_seen != h->live_seq) {
        rg_buf_printf(&c->out, "event: live\ndata: %s\n\n", h->live);
        c->live_seen = h->live_seq;
        any = 1;
    }
    return any;
}

/* Runs on the connection's own thread (thread per connection), so it may block. */
static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    sse *c = cls;
    if (c->off == c->out.len) {
        c->out.len = c->off = 0;
        hub *h = c->h;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += WEB_SERVER_KEEPALIVE_S;
        pthread_mutex_lock(&h->mu);
        while (!h->stopping && !sse_collect(c)) {
            if (pthread_cond_timedwait(&h->cv, &h->mu, &until) == ETIMEDOUT) {
                rg_buf_adds(&c->out, ": keepalive\n\n");
                break;
            }
        }
        int stop = h->stopping;
        pthread_mutex_unlock(&h->mu);
        if (stop || c->out.oom) return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = c->out.len - c->off;
    if (n > max) n = max;
    memcpy(buf, c->out.p + c->off, n);
    c->off += n;
    return (ssize_t)n;
}

static void sse_free(void *cls) {
    sse *c = cls;
    rg_buf_free(&c->out);
    free(c);
}

/* ---- HTTP -------------------------------------------------------------------------------------- */

typedef struct req_body {
    size_t len;                          /* bytes kept */
    char data[WEB_SERVER_MAX_BODY + 1];  /* POST body, NUL-terminated, truncated */
} req_body;

static void common_headers(struct MHD_Response *resp) {
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                            "frame-ancestors 'none'");
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned code, const char *type, const char *txt,
                                 size_t len) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)txt, MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    common_headers(resp);
    enum MHD_Result r = MHD_queue_response(c, code, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned code, json_t *o) {
    char *txt = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!txt) return send_text(c, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
    enum MHD_Result r = send_text(c, code, "application/json", txt, strlen(txt));
    free(txt);
    return r;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned code, const char *why) {
    return send_json(c, code, json_pack("{s:b, s:s}", "ok", 0, "error", why));
}

static const char *content_type(const char *name) {
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".png", "image/png"},
        {".svg", "image/svg+xml"},             {".json", "application/json"},
        {".mcap", "application/octet-stream"}, {".yaml", "text/yaml; charset=utf-8"},
        {".jsonl", "application/x-ndjson"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

static enum MHD_Result send_fd(struct MHD_Connection *c, int fd, const char *name, int download) {
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        return send_error(c, 404, "not found");
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", content_type(name));
    common_headers(resp);
    if (download) {
        char cd[WEB_CHECK_NAME_MAX + 40];
        snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", name); /* name is [A-Za-z0-9._-] */
        MHD_add_response_header(resp, "Content-Disposition", cd);
    }
    enum MHD_Result r = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result serve_asset(web_srv *s, struct MHD_Connection *c, const char *name) {
    int fd = openat(s->asset_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    return send_fd(c, fd, name, 0);
}

static enum MHD_Result serve_events(web_srv *s, struct MHD_Connection *c) {
    sse *st = calloc(1, sizeof *st);
    if (!st) return MHD_NO;
    st->h = &s->h;
    /* The whole ring is replayed first: the page's journal starts full, not empty. */
    pthread_mutex_lock(&s->h.mu);
    st->ev_next = s->h.ev_seq > WEB_SERVER_EVENTS ? s->h.ev_seq - WEB_SERVER_EVENTS : 0;
    pthread_mutex_unlock(&s->h.mu);
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, sse_read, st, sse_free);
    if (!resp) {
        sse_free(st);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    common_headers(resp);
    enum MHD_Result r = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result serve_command(web_srv *s, struct MHD_Connection *c, const char *cmd, const req_body *b) {
    /* An optional {"reason": "..."} body is journaled with the action; anything else is ignored. */
    char reason[GUARD_CTL_REASON_MAX];
    snprintf(reason, sizeof reason, "dashboard");
    json_t *body = b && b->len ? json_loads(b->data, 0, NULL) : NULL;
    const char *given = json_string_value(json_object_get(body, "reason"));
    if (given && *given) snprintf(reason, sizeof reason, "dashboard: %s", given);
    json_decref(body);
    char err[PATH_MAX + 128];
    json_t *reply;
    int rc = web_ctl_request(s->o->socket_path, cmd, reason, 10000, &reply, err, sizeof err);
    if (rc < 0) return send_error(c, 502, err);
    return send_json(c, json_is_true(json_object_get(reply, "ok")) ? 200 : 409, reply);
}

static enum MHD_Result serve_locked_json(web_srv *s, struct MHD_Connection *c, int topics) {
    hub *h = &s->h;
    pthread_mutex_lock(&h->mu);
    json_t *o = topics ? (h->topics ? json_incref(h->topics) : json_array()) : (h->status ? json_incref(h->status) : NULL);
    pthread_mutex_unlock(&h->mu);
    if (!o) return send_error(c, 503, "daemon unreachable");
    return send_json(c, 200, o);
}

static enum MHD_Result serve_metrics(web_srv *s, struct MHD_Connection *c) {
    hub *h = &s->h;
    rg_buf b = {0};
    pthread_mutex_lock(&h->mu);
    web_metrics_in in = {.status = h->status, .topics = h->topics, .cpu_seconds = h->cpu_seconds,
                         .messages_total = h->messages_total, .bytes_total = h->bytes_total};
    web_metrics_render(&in, &b);
    pthread_mutex_unlock(&h->mu);
    enum MHD_Result r = b.oom ? send_error(c, 500, "out of memory")
                              : send_text(c, 200, "text/plain; version=0.0.4; charset=utf-8", b.p, b.len);
    rg_buf_free(&b);
    return r;
}

static enum MHD_Result serve_bags(web_srv *s, struct MHD_Connection *c, const web_target *t) {
    char out[PATH_MAX];
    pthread_mutex_lock(&s->h.mu);
    snprintf(out, sizeof out, "%s", s->h.output_dir);
    pthread_mutex_unlock(&s->h.mu);
    if (!out[0]) return send_error(c, 503, "output folder not known yet (daemon unreachable)");
    if (t->route == WEB_R_BAG_FILE) {
        int fd = web_bags_open(out, t->name, t->file);
        return fd < 0 ? send_error(c, 404, "no such file in a bag folder") : send_fd(c, fd, t->file, 1);
    }
    char err[PATH_MAX + 64];
    json_t *a = web_bags_list(out, err, sizeof err);
    return a ? send_json(c, 200, a) : send_error(c, 500, err);
}

/* Who may ask: the token (when configured) for everything but the page itself, the loopback
 * Host rule when there is no token, and the Origin rule for state changes. NULL = allowed. */
static const char *refuse_why(web_srv *s, struct MHD_Connection *c, const web_target *t, const char *method,
                              unsigned *code) {
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    *code = 403;
    if (!s->o->token) {
        if (!web_check_host_loopback(host)) return "Host is not a loopback name (DNS rebinding?)";
    } else if (t->route != WEB_R_PAGE && t->route != WEB_R_ASSET) {
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        const char *x = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Recguard-Token");
        /* EventSource cannot set headers: GET may carry the token as ?token=. */
        if (!x && strcmp(method, "POST") != 0) x = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
        if (!web_check_token(s->o->token, auth, x)) {
            *code = 401;
            return "missing or wrong token";
        }
    }
    if (web_check_mutating(t->route) &&
        !web_check_origin(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"), host))
        return "state-changing requests need an Origin header matching the Host";
    return NULL;
}

static enum MHD_Result dispatch(web_srv *s, struct MHD_Connection *c, const web_target *t, const req_body *b) {
    switch (t->route) {
    case WEB_R_PAGE: return serve_asset(s, c, "index.html");
    case WEB_R_ASSET: return serve_asset(s, c, t->name);
    case WEB_R_STATUS: return serve_locked_json(s, c, 0);
    case WEB_R_TOPICS: return serve_locked_json(s, c, 1);
    case WEB_R_BAGS:
    case WEB_R_BAG_FILE: return serve_bags(s, c, t);
    case WEB_R_EVENTS: return serve_events(s, c);
    case WEB_R_START: return serve_command(s, c, "start", b);
    case WEB_R_STOP: return serve_command(s, c, "stop", b);
    case WEB_R_SPLIT: return serve_command(s, c, "split", b);
    case WEB_R_METRICS: return serve_metrics(s, c);
    case WEB_R_PAUSE: return serve_command(s, c, "pause", b);
    case WEB_R_RESUME: return serve_command(s, c, "resume", b);
    case WEB_R_BAD_METHOD: return send_error(c, 405, "method not allowed");
    case WEB_R_NOT_FOUND: break;
    }
    return send_error(c, 404, "not found");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    web_srv *s = cls;
    req_body *b = *con_cls;
    if (!b) {
        /* First call: headers only. The body (POST) arrives in later calls. */
        if (!(b = calloc(1, sizeof *b))) return MHD_NO;
        *con_cls = b;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        if (n > WEB_SERVER_MAX_BODY - b->len) n = WEB_SERVER_MAX_BODY - b->len;
        memcpy(b->data + b->len, upload, n);
        b->len += n;
        b->data[b->len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    web_target t = web_check_route(method, url);
    unsigned code;
    const char *why = t.route == WEB_R_NOT_FOUND || t.route == WEB_R_BAD_METHOD ? NULL : refuse_why(s, c, &t, method, &code);
    if (why) return send_error(c, code, why);
    return dispatch(s, c, &t, b);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static void on_log(void *cls, const char *fmt, va_list ap) {
    web_srv *s = cls;
    char msg[sizeof s->log];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n') msg[--n] = '\0';
    /* Before start only the starting thread logs: keep the message for the error sentence. */
    if (s->serving) fprintf(stderr, "recguard web: %s\n", msg);
    else memcpy(s->log, msg, sizeof msg);
}

/* ---- start / stop ---------------------------------------------------------------------------- */

static struct MHD_Daemon *start_http(web_srv *s, char *err, size_t errlen) {
    const web_listen *l = &s->o->listen;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;
    if (l->addr.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    uint16_t port = ntohs(l->addr.ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)&l->addr)->sin6_port
                                                        : ((const struct sockaddr_in *)&l->addr)->sin_port);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&l->addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_SERVER_MAX_CONN, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)(4 * WEB_SERVER_KEEPALIVE_S), MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_log, s, MHD_OPTION_END);
    if (!d) snprintf(err, errlen, "listen(%s): %s", s->o->listen_text, s->log[0] ? s->log : "libmicrohttpd refused to start");
    return d;
}

int web_server_run(const web_server_opts *o, char *err, size_t errlen) {
    web_srv *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    s->o = o;
    s->h.cpu_seconds = s->h.messages_total = s->h.bytes_total = -1;
    pthread_mutex_init(&s->h.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->h.cv, &ca);
    pthread_condattr_destroy(&ca);
    int rc = 0, sigfd = -1;
    struct MHD_Daemon *d = NULL;
    s->asset_fd = open(o->asset_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (s->asset_fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "assets(%s): %s", o->asset_dir, strerror(errno));
        goto fail;
    }
    /* sendfile(2) to a browser that went away raises SIGPIPE (only send(2) has MSG_NOSIGNAL). */
    signal(SIGPIPE, SIG_IGN);
    /* Blocked before the HTTP threads exist, so they inherit the mask and only signalfd sees them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sigfd < 0) {
        rc = -errno;
        snprintf(err, errlen, "signalfd: %s", strerror(errno));
        goto fail;
    }
    if (!(d = start_http(s, err, errlen))) {
        rc = -EADDRNOTAVAIL;
        goto fail;
    }
    s->serving = 1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char url[96];
    snprintf(url, sizeof url, "%s", o->listen_text);
    char *colon = strrchr(url, ':');
    if (colon && info) snprintf(colon + 1, sizeof url - (size_t)(colon + 1 - url), "%u", (unsigned)info->port);
    printf("recguard web: serving http://%s/ (daemon socket %s%s)\n", url, o->socket_path,
           o->token ? ", token required" : "");
    fflush(stdout);
    rc = refresh_loop(s, sigfd);
    pthread_mutex_lock(&s->h.mu);
    s->h.stopping = 1;
    pthread_cond_broadcast(&s->h.cv);
    pthread_mutex_unlock(&s->h.mu);
fail:
    if (d) MHD_stop_daemon(d);
    if (sigfd >= 0) close(sigfd);
    if (s->asset_fd >= 0) close(s->asset_fd);
    json_decref(s->h.status);
    json_decref(s->h.topics);
    free(s->h.live);
    for (size_t i = 0; i < WEB_SERVER_EVENTS; i++) free(s->h.ev[i]);
    pthread_cond_destroy(&s->h.cv);
    pthread_mutex_destroy(&s->h.mu);
    free(s);
    return rc;
}
