/* cli_ctl — the guardian's verbs: `daemon` (runs guard_daemon) and the control-socket clients
 * `start`, `stop`, `split`, `snapshot`, `pause`, `resume`, `status`, `watch`. Clients print
 * what the daemon answers; every failure is one line on stderr and exit 1 (usage: 2).
 * Protocol: docs/PROTOCOL.md. */
#include "cli/cli.h"

#include "common/rg_num.h"
#include "common/rg_time.h"
#include "guard/guard_ctl.h"
#include "guard/guard_daemon.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- a connection: send one line, read lines ----------------------------------------------- */

typedef struct ctl_conn {
    int fd;              /* connected socket */
    char buf[1 << 16];   /* received bytes not yet returned as lines */
    size_t len;          /* bytes in buf */
    const char *path;    /* socket path, for messages */
} ctl_conn;

static int conn_open(ctl_conn *c, const char *path) {
    char err[PATH_MAX + 64];
    c->len = 0;
    c->path = path;
    c->fd = guard_ctl_connect(path, err, sizeof err);
    if (c->fd < 0) fprintf(stderr, "recguard: %s\n", err);
    return c->fd;
}

static json_t *conn_read(ctl_conn *c, int timeout_ms, const char **why);

static int conn_send(ctl_conn *c, const char *cmd, const char *reason) {
    json_t *o = json_pack("{s:s}", "cmd", cmd);
    if (reason) json_object_set_new(o, "reason", json_string(reason));
    char *txt = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    size_t n = strlen(txt);
    txt[n] = '\n';
    ssize_t w = send(c->fd, txt, n + 1, MSG_NOSIGNAL);
    free(txt);
    if (w != (ssize_t)(n + 1)) {
        int e = errno;
        /* The daemon may have refused us with a reason before closing (too many clients,
         * permission): that reason is the useful message. */
        const char *why;
        json_t *o = conn_read(c, 1000, &why);
        const char *err = json_string_value(json_object_get(o, "error"));
        if (err) fprintf(stderr, "recguard: daemon: %s\n", err);
        else fprintf(stderr, "recguard: send to %s: %s\n", c->path, strerror(e));
        json_decref(o);
        return -1;
    }
    return 0;
}

/* Next line as JSON (new reference), waiting at most timeout_ms (< 0: forever).
 * NULL on timeout, EOF or garbage, with *why set. */
static json_t *conn_read(ctl_conn *c, int timeout_ms, const char **why) {
    int64_t deadline = rg_time_mono_ns() + (int64_t)timeout_ms * RG_NS_PER_MS;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl) {
            *nl = '\0';
            json_t *o = json_loads(c->buf, 0, NULL);
            size_t used = (size_t)(nl - c->buf) + 1;
            memmove(c->buf, c->buf + used, c->len - used);
            c->len -= used;
            if (!o) *why = "the daemon sent a line that is not JSON";
            return o;
        }
        if (c->len == sizeof c->buf) {
            *why = "the daemon sent an over-long line";
            return NULL;
        }
        int wait = -1;
        if (timeout_ms >= 0) {
            int64_t left = deadline - rg_time_mono_ns();
            if (left <= 0) {
                *why = "timed out waiting for the daemon";
                return NULL;
            }
            wait = (int)(left / RG_NS_PER_MS) + 1;
        }
        struct pollfd pf = {.fd = c->fd, .events = POLLIN};
        int pr = poll(&pf, 1, wait);
        if (pr < 0 && errno == EINTR) continue;
        if (pr == 0) continue;
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            *why = "the daemon closed the connection";
            return NULL;
        }
        c->len += (size_t)n;
    }
}

/* The reply to a request: the next line carrying "ok" (events of a watch are skipped). */
static json_t *conn_reply(ctl_conn *c, int timeout_ms) {
    const char *why = "";
    for (;;) {
        json_t *o = conn_read(c, timeout_ms, &why);
        if (!o) {
            fprintf(stderr, "recguard: %s: %s\n", c->path, why);
            return NULL;
        }
        if (json_object_get(o, "ok")) return o;
        json_decref(o);
    }
}

static int reply_ok(json_t *r) {
    if (json_is_true(json_object_get(r, "ok"))) return 1;
    const char *e = json_string_value(json_object_get(r, "error"));
    fprintf(stderr, "recguard: daemon: %s\n", e ? e : "request refused");
    return 0;
}

/* The daemon's status object (new reference), or NULL when no daemon answers at `path` (silent:
 * "no daemon" is an answer for `hz`/`topics`, which then measure by themselves). */
json_t *cli_ctl_status_quiet(const char *path, int timeout_ms) {
    char err[PATH_MAX + 64];
    ctl_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->path = path;
    c->fd = guard_ctl_connect(path, err, sizeof err);
    json_t *st = NULL;
    if (c->fd >= 0 && conn_send(c, "status", NULL) == 0) {
        json_t *r = conn_reply(c, timeout_ms);
        if (r && json_is_true(json_object_get(r, "ok"))) st = json_incref(json_object_get(r, "status"));
        json_decref(r);
    }
    if (c->fd >= 0) close(c->fd);
    free(c);
    return st;
}

/* ---- common options ---------------------------------------------------------------------- */

typedef struct cli_opts {
    char socket[PATH_MAX]; /* --socket or the default */
    int json;              /* --json */
    int no_wait;           /* --no-wait */
    int timeout_s;         /* --timeout */
    const char *reason;    /* --reason */
} cli_opts;

#define CLI_MAX_TIMEOUT_S 2000000 /* --timeout ceiling: the wait is kept in int milliseconds */

static int opts_usage(char **argv, const char *usage, const char *fmt, const char *what) {
    fprintf(stderr, "recguard %s: ", argv[0]);
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\nusage: recguard %s %s\n", argv[0], usage);
    return -1;
}

/* 0, 1 for --help, -1 after a usage message. */
static int parse_opts(int argc, char **argv, cli_opts *o, const char *usage) {
    memset(o, 0, sizeof *o);
    guard_ctl_default_path(o->socket, sizeof o->socket);
    o->timeout_s = 60;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) { o->json = 1; continue; }
        if (strcmp(a, "--no-wait") == 0) { o->no_wait = 1; continue; }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: recguard %s %s\n", argv[0], usage);
            return 1;
        }
        if (strcmp(a, "--socket") && strcmp(a, "--reason") && strcmp(a, "--timeout"))
            return opts_usage(argv, usage, "unknown option '%s'", a);
        if (i + 1 >= argc) return opts_usage(argv, usage, "%s needs a value", a);
        const char *v = argv[++i];
        long long t;
        if (strcmp(a, "--reason") == 0) {
            if (strlen(v) >= GUARD_CTL_REASON_MAX)
                return opts_usage(argv, usage, "--reason: longer than %s bytes", "255");
            o->reason = v;
        } else if (strcmp(a, "--timeout") == 0) {
            if (rg_num_ll(v, 1, CLI_MAX_TIMEOUT_S, &t) < 0)
                return opts_usage(argv, usage, "--timeout '%s': expected whole seconds, 1..2000000", v);
            o->timeout_s = (int)t;
        } else if (snprintf(o->socket, sizeof o->socket, "%s", v) >= (int)sizeof o->socket) {
            return opts_usage(argv, usage, "--socket '%.64s...': path too long", v);
        }
    }
    return 0;
}

/* ---- status ------------------------------------------------------------------------------ */

static const char *jstr(json_t *o, const char *k, const char *dflt) {
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : dflt;
}

static void human_bytes(double b, char *buf, size_t len) {
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (b >= 1024 && i < 4) {
        b /= 1024;
        i++;
    }
    snprintf(buf, len, i ? "%.1f %s" : "%.0f %s", b, u[i]);
}

static void human_duration(double s, char *buf, size_t len) {
    long t = (long)s;
    if (t >= 3600) snprintf(buf, len, "%ldh%02ldm%02lds", t / 3600, t / 60 % 60, t % 60);
    else if (t >= 60) snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
    else snprintf(buf, len, "%.1fs", s);
}

/* redundancy: standby — "standby:    pid 12, ready, 8 topics, 31000 messages received" */
static void print_standby(json_t *sb) {
    if (!json_is_object(sb)) return;
    json_int_t pid = json_integer_value(json_object_get(sb, "pid"));
    if (pid <= 0) {
        printf("standby:    none (%s", jstr(sb, "state", "?"));
        json_t *in = json_object_get(sb, "respawn_in_s");
        if (json_is_number(in)) printf(", starting again in %.1fs", json_number_value(in) > 0 ? json_number_value(in) : 0);
        printf(")\n");
        return;
    }
    printf("standby:    pid %lld, %s", (long long)pid, jstr(sb, "state", "?"));
    json_t *rx = json_object_get(sb, "messages_received");
    if (json_is_integer(rx))
        printf(", %lld topics, %lld messages received", (long long)json_integer_value(json_object_get(sb, "topics")),
               (long long)json_integer_value(rx));
    printf("\n");
}

static void print_status(json_t *st) {
    char b1[64], b2[64];
    json_t *h = json_object_get(st, "health");
    printf("state:      %s", jstr(st, "state", "?"));
    const char *why = jstr(st, "reason", NULL);
    if (why && *why) printf(" (%s)", why);
    printf("\n");
    if (json_is_true(json_object_get(st, "paused")))
        printf("paused:     yes: nothing is recorded until `recguard resume`\n");
    json_int_t pid = json_integer_value(json_object_get(st, "pid"));
    if (pid > 0) {
        human_duration(json_number_value(json_object_get(st, "uptime_s")), b1, sizeof b1);
        printf("recorder:   pid %lld, up %s%s\n", (long long)pid, b1,
               json_is_true(json_object_get(st, "adopted")) ? ", adopted" : "");
    } else {
        printf("recorder:   not running\n");
    }
    print_standby(json_object_get(st, "standby"));
    printf("segment:    %s\n", jstr(st, "segment", "-"));
    printf("restarts:   %lld\n", (long long)json_integer_value(json_object_get(st, "restarts")));
    if (h) {
        printf("health:     %s", jstr(h, "verdict", "?"));
        json_t *rs = json_object_get(h, "reasons");
        size_t i;
        json_t *r;
        json_array_foreach(rs, i, r) printf("%s%s", i ? "; " : " — ", json_string_value(r));
        printf("\n");
        json_t *rss = json_object_get(h, "rss_bytes"), *cpu = json_object_get(h, "cpu_pct");
        if (json_is_integer(rss) && json_integer_value(rss) > 0) {
            human_bytes((double)json_integer_value(rss), b1, sizeof b1);
            printf("            rss %s", b1);
            if (json_number_value(cpu) >= 0) printf(", cpu %.1f%%", json_number_value(cpu));
            printf("\n");
        }
    }
    json_t *dt = json_object_get(st, "data");
    if (json_is_object(dt)) {
        printf("data:       %lld topics, %lld messages received, %lld written; lost %lld, rejected %lld, "
               "dropped %lld\n",
               (long long)json_integer_value(json_object_get(dt, "topics")),
               (long long)json_integer_value(json_object_get(dt, "messages_received")),
               (long long)json_integer_value(json_object_get(dt, "messages_written")),
               (long long)json_integer_value(json_object_get(dt, "lost")),
               (long long)json_integer_value(json_object_get(dt, "rejected")),
               (long long)json_integer_value(json_object_get(dt, "drops")));
        json_int_t un = json_integer_value(json_object_get(dt, "untracked_topics"));
        if (un > 0) printf("            %lld topics beyond the recorder's cap: NOT recorded\n", (long long)un);
    }
    json_t *d = json_object_get(st, "disk");
    if (d && json_object_get(d, "free_bytes")) {
        human_bytes(json_number_value(json_object_get(d, "free_bytes")), b1, sizeof b1);
        human_bytes(json_number_value(json_object_get(d, "total_bytes")), b2, sizeof b2);
        printf("disk:       %s free of %s (%.1f%% used) on %s", b1, b2,
               json_number_value(json_object_get(d, "used_pct")), jstr(d, "path", "?"));
        json_t *ttf = json_object_get(d, "time_to_full_s");
        if (json_is_number(ttf) && json_number_value(ttf) >= 0) {
            human_duration(json_number_value(ttf), b1, sizeof b1);
            printf(", full in ~%s", b1);
        }
        printf("\n");
    }
    json_t *p = json_object_get(st, "priority");
    if (json_is_object(p)) {
        /* {"nice":{"status":"applied","detail":"nice -10"},...}: applied first, then the rest */
        const char *k;
        json_t *it;
        printf("priority:  ");
        int any = 0;
        json_object_foreach(p, k, it) {
            const char *s = jstr(it, "status", NULL);
            if (s && (strcmp(s, "applied") == 0 || strcmp(s, "partial") == 0)) {
                printf("%s%s", any ? "; " : " ", jstr(it, "detail", k));
                any = 1;
            }
        }
        printf("%s\n", any ? "" : " nothing applied");
        json_object_foreach(p, k, it) {
            const char *s = jstr(it, "status", NULL);
            if (s && (strcmp(s, "refused") == 0 || strcmp(s, "unavailable") == 0))
                printf("            %s %s: %s\n", s, k, jstr(it, "detail", "?"));
        }
    }
    json_t *le = json_object_get(st, "last_exit");
    if (json_is_object(le)) {
        const char *by = jstr(le, "ended_by", "none");
        printf("last exit:  %s%s%s\n", jstr(le, "summary", "?"), strcmp(by, "none") ? " after " : "",
               strcmp(by, "none") ? by : "");
    }
    if (json_is_string(json_object_get(st, "error"))) printf("error:      %s\n", jstr(st, "error", ""));
}

int cli_status_main(int argc, char **argv) {
    cli_opts o;
    int rc = parse_opts(argc, argv, &o, "[--json] [--socket PATH]");
    if (rc) return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    ctl_conn c;
    if (conn_open(&c, o.socket) < 0) return CLI_EXIT_FAIL;
    json_t *r = NULL;
    int ok = conn_send(&c, "status", NULL) == 0 && (r = conn_reply(&c, o.timeout_s * 1000)) && reply_ok(r);
    if (ok) {
        json_t *st = json_object_get(r, "status");
        if (o.json) {
            char *txt = json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            printf("%s\n", txt);
            free(txt);
        } else {
            print_status(st);
        }
    }
    json_decref(r);
    close(c.fd);
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

/* ---- start / stop / split / pause / resume: request, then (unless --no-wait) follow events to
 * the outcome: a goal state, or (pause, resume) a goal event, with a reply saying "done" when
 * there is nothing to wait for -------------------------------------------------------------- */

static int state_in(const char *s, const char *const *set) {
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0) return 1;
    return 0;
}

static int command(int argc, char **argv, const char *cmd, const char *const *done,
                   const char *const *fail, const char *done_event) {
    cli_opts o;
    int rc = parse_opts(argc, argv, &o, "[--no-wait] [--timeout SEC] [--reason TEXT] [--socket PATH]");
    if (rc) return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    ctl_conn c;
    if (conn_open(&c, o.socket) < 0) return CLI_EXIT_FAIL;
    int ok = 0;
    json_t *r = NULL;
    /* Subscribe first, on the same connection: no event between the reply and the
     * subscription can be missed. */
    if (!o.no_wait && (conn_send(&c, "watch", NULL) < 0 || !(r = conn_reply(&c, 10000)) || !reply_ok(r)))
        goto out;
    json_decref(r);
    if (conn_send(&c, cmd, o.reason) < 0 || !(r = conn_reply(&c, 10000)) || !reply_ok(r)) goto out;
    const char *state = jstr(r, "state", NULL);
    if (o.no_wait || (done_event ? json_is_true(json_object_get(r, "done")) : state_in(state, done))) {
        printf("%s: %s\n", cmd, jstr(r, "message", state ? state : "ok"));
        ok = 1;
        goto out;
    }
    int64_t deadline = rg_time_mono_ns() + (int64_t)o.timeout_s * RG_NS_PER_S;
    for (;;) {
        int64_t left = deadline - rg_time_mono_ns();
        const char *why = "";
        json_t *ev = left > 0 ? conn_read(&c, (int)(left / RG_NS_PER_MS) + 1, &why) : NULL;
        if (!ev) {
            fprintf(stderr, "recguard %s: %s\n", cmd, left > 0 ? why : "timed out waiting for the daemon");
            break;
        }
        if (json_object_get(ev, "ok")) { /* not an event */
            json_decref(ev);
            continue;
        }
        const char *st = jstr(ev, "state", NULL);
        int hit = done_event ? strcmp(jstr(ev, "event", ""), done_event) == 0 : state_in(st, done);
        if (hit || state_in(st, fail)) {
            ok = hit;
            printf("%s: %s%s%s\n", cmd, done_event && hit ? done_event : st,
                   jstr(ev, "reason", NULL) ? " — " : "", jstr(ev, "reason", ""));
            json_decref(ev);
            break;
        }
        json_decref(ev);
    }
out:
    json_decref(r);
    close(c.fd);
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cli_start_main(int argc, char **argv) {
    static const char *const done[] = {"RECORDING", NULL}, *const fail[] = {"ERROR", "IDLE", NULL};
    return command(argc, argv, "start", done, fail, NULL);
}

int cli_stop_main(int argc, char **argv) {
    static const char *const done[] = {"IDLE", NULL}, *const fail[] = {"ERROR", NULL};
    return command(argc, argv, "stop", done, fail, NULL);
}

int cli_split_main(int argc, char **argv) {
    static const char *const done[] = {"RECORDING", NULL}, *const fail[] = {"ERROR", "IDLE", NULL};
    return command(argc, argv, "split", done, fail, NULL);
}

int cli_snapshot_main(int argc, char **argv) {
    static const char *const done[] = {"RECORDING", NULL}, *const fail[] = {"ERROR", "IDLE", NULL};
    return command(argc, argv, "snapshot", done, fail, NULL);
}

int cli_pause_main(int argc, char **argv) {
    static const char *const fail[] = {"ERROR", "IDLE", NULL};
    return command(argc, argv, "pause", NULL, fail, "paused");
}

int cli_resume_main(int argc, char **argv) {
    static const char *const fail[] = {"ERROR", "IDLE", NULL};
    return command(argc, argv, "resume", NULL, fail, "resumed");
}

/* ---- watch ------------------------------------------------------------------------------- */

int cli_watch_main(int argc, char **argv) {
    cli_opts o;
    int rc = parse_opts(argc, argv, &o, "[--json] [--socket PATH]");
    if (rc) return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    ctl_conn c;
    if (conn_open(&c, o.socket) < 0) return CLI_EXIT_FAIL;
    json_t *r = NULL;
    if (conn_send(&c, "watch", NULL) < 0 || !(r = conn_reply(&c, 10000)) || !reply_ok(r)) {
        json_decref(r);
        close(c.fd);
        return CLI_EXIT_FAIL;
    }
    json_decref(r);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (;;) {
        const char *why = "";
        json_t *ev = conn_read(&c, -1, &why);
        if (!ev) {
            fprintf(stderr, "recguard watch: %s\n", why);
            break;
        }
        if (o.json) {
            char *txt = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
            printf("%s\n", txt);
            free(txt);
        } else {
            const char *t = jstr(ev, "time", "");
            printf("%s  %-12s", t, jstr(ev, "event", "?"));
            if (json_object_get(ev, "from")) printf(" %s -> %s", jstr(ev, "from", "?"), jstr(ev, "state", "?"));
            else if (json_object_get(ev, "state")) printf(" %s", jstr(ev, "state", "?"));
            if (json_object_get(ev, "verdict")) printf(" health %s", jstr(ev, "verdict", "?"));
            if (json_object_get(ev, "reason")) printf("  %s", jstr(ev, "reason", ""));
            if (json_object_get(ev, "segment")) printf("  [%s]", jstr(ev, "segment", ""));
            printf("\n");
        }
        json_decref(ev);
    }
    close(c.fd);
    return CLI_EXIT_FAIL; /* watch ends only when the daemon goes away */
}

/* ---- daemon ------------------------------------------------------------------------------ */

#define CLI_MAX_SETS 64 /* --set options on one command line */

static const char daemon_usage[] =
    "usage: recguard daemon [--config FILE] [--socket PATH] [--output DIR] [--state-dir DIR]\n"
    "                       [--set KEY=VALUE]... [--idle] [-- RECORDER ARGV...]\n"
    "  Guards a recorder: the built-in one (`recguard record`) or RECORDER ARGV, in which\n"
    "  {segment} becomes the path of a fresh segment file on every start.\n"
    "  --set overrides one config key (docs/CONFIG.md), e.g. --set restart.budget_starts=3.\n"
    "  --idle waits for `recguard start` instead of recording at once.\n"
    "  SIGINT/SIGTERM: stop recording gracefully, then exit. SIGQUIT: exit, leave the recorder\n"
    "  running for the next daemon to re-adopt.\n";

static int replace_str(char **field, const char *v) {
    char *dup = strdup(v);
    if (!dup) return -ENOMEM;
    free(*field);
    *field = dup;
    return 0;
}

int cli_daemon_main(int argc, char **argv) {
    const char *config = NULL, *socket = NULL, *output = NULL, *state_dir = NULL;
    const char *sets[CLI_MAX_SETS];
    int nsets = 0, rec_from = -1;
    guard_daemon_opts opts = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0) {
            rec_from = i + 1;
            break;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(daemon_usage, stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--idle") == 0) {
            opts.idle = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "recguard daemon: %s needs a value\n%s", a, daemon_usage);
            return CLI_EXIT_USAGE;
        }
        if (strcmp(a, "--config") == 0) config = v;
        else if (strcmp(a, "--socket") == 0) socket = v;
        else if (strcmp(a, "--output") == 0) output = v;
        else if (strcmp(a, "--state-dir") == 0) state_dir = v;
        else if (strcmp(a, "--set") == 0) {
            if (nsets == CLI_MAX_SETS) {
                fprintf(stderr, "recguard daemon: more than %d --set options\n", CLI_MAX_SETS);
                return CLI_EXIT_USAGE;
            }
            sets[nsets++] = v;
        } else {
            fprintf(stderr, "recguard daemon: unknown option '%s'\n%s", a, daemon_usage);
            return CLI_EXIT_USAGE;
        }
        i++;
    }
    if (rec_from >= 0 && rec_from >= argc) {
        fprintf(stderr, "recguard daemon: nothing after --\n%s", daemon_usage);
        return CLI_EXIT_USAGE;
    }
    guard_config cfg;
    char err[PATH_MAX + 512];
    if (guard_config_init(&cfg) < 0) {
        fprintf(stderr, "recguard daemon: out of memory\n");
        return CLI_EXIT_FAIL;
    }
    int rc = 0;
    char path[PATH_MAX];
    if (config) {
        rc = guard_config_load_file(&cfg, config, false, err, sizeof err);
    } else if (guard_config_default_path(path, sizeof path) == 0) {
        rc = guard_config_load_file(&cfg, path, true, err, sizeof err);
    }
    for (int i = 0; rc == 0 && i < nsets; i++) {
        /* The value is used where it lies, whatever its length: nothing is cut short. */
        const char *eq = strchr(sets[i], '=');
        char key[128];
        if (!eq || eq == sets[i]) {
            snprintf(err, sizeof err, "--set %.200s: expected KEY=VALUE", sets[i]);
            rc = -EINVAL;
        } else if ((size_t)(eq - sets[i]) >= sizeof key) {
            snprintf(err, sizeof err, "--set %.40s...: no such key (longer than any)", sets[i]);
            rc = -EINVAL;
        } else {
            snprintf(key, sizeof key, "%.*s", (int)(eq - sets[i]), sets[i]);
            rc = guard_config_set(&cfg, key, eq + 1, err, sizeof err);
        }
    }
    if (rc == 0 && socket) rc = replace_str(&cfg.socket_path, socket);
    if (rc == 0 && output) rc = replace_str(&cfg.output_dir, output);
    if (rc == 0 && state_dir) rc = replace_str(&cfg.state_dir, state_dir);
    if (rc == 0 && rec_from >= 0)
        rc = guard_config_set_argv(&cfg, "recorder", argv + rec_from, argc - rec_from, err, sizeof err);
    if (rc == 0) rc = guard_config_check(&cfg, err, sizeof err);
    if (rc < 0) {
        if (rc == -ENOMEM) snprintf(err, sizeof err, "out of memory");
        fprintf(stderr, "recguard daemon: %s\n", err);
        guard_config_free(&cfg);
        return CLI_EXIT_FAIL;
    }
    err[0] = '\0';
    int code = guard_daemon_run(&cfg, &opts, err, sizeof err);
    if (err[0]) fprintf(stderr, "recguard daemon: %s\n", err);
    guard_config_free(&cfg);
    return code;
}
