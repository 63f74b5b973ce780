/* guard_ctl — see guard_ctl.h.
 *
 * Map: request parser | client buffers (queue, flush, drop) | server (accept, read, sweep) |
 *      client side (default path, connect).
 */
#include "guard/guard_ctl.h"

#include "common/rg_fs.h"
#include "common/rg_sys.h"
#include "common/rg_time.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- request parser ---------------------------------------------------------------------- */

static const char *const cmd_names[] = {
    [GUARD_CTL_STATUS] = "status", [GUARD_CTL_START] = "start", [GUARD_CTL_STOP] = "stop",
    [GUARD_CTL_SPLIT] = "split",   [GUARD_CTL_WATCH] = "watch",  [GUARD_CTL_SNAPSHOT] = "snapshot",
    [GUARD_CTL_PAUSE] = "pause",   [GUARD_CTL_RESUME] = "resume",
};

const char *guard_ctl_cmd_name(guard_ctl_cmd cmd) {
    return (unsigned)cmd < sizeof cmd_names / sizeof cmd_names[0] ? cmd_names[cmd] : "?";
}

int guard_ctl_parse(const char *line, size_t len, guard_ctl_req *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (len > 0 && line[len - 1] == '\r') len--;
    json_error_t je;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "request: not JSON: %s", je.text);
        return -EINVAL;
    }
    int rc = -EINVAL;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "request: not a JSON object");
        goto done;
    }
    json_t *id = json_object_get(root, "id");
    if (id) {
        /* Only scalars: an id is echoed back verbatim, so it must stay small. */
        if (!json_is_string(id) && !json_is_integer(id)) {
            snprintf(err, errlen, "request: \"id\" must be a string or an integer");
            goto done;
        }
        char *txt = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
        size_t n = txt ? strlen(txt) : 0;
        if (!txt || n >= sizeof out->id) {
            free(txt);
            snprintf(err, errlen, "request: \"id\" longer than %d bytes", GUARD_CTL_ID_MAX - 1);
            goto done;
        }
        memcpy(out->id, txt, n + 1);
        free(txt);
    }
    json_t *cmd = json_object_get(root, "cmd");
    if (!json_is_string(cmd)) {
        snprintf(err, errlen, "request: missing string \"cmd\" (status, start, stop, split, watch, "
                              "snapshot, pause, resume)");
        goto done;
    }
    const char *name = json_string_value(cmd);
    size_t i;
    for (i = 0; i < sizeof cmd_names / sizeof cmd_names[0]; i++)
        if (strlen(name) == json_string_length(cmd) && strcmp(name, cmd_names[i]) == 0) break;
    if (i == sizeof cmd_names / sizeof cmd_names[0]) {
        /* Never echo the attacker's string at full length. */
        snprintf(err, errlen, "request: unknown cmd \"%.32s\"", name);
        goto done;
    }
    out->cmd = (guard_ctl_cmd)i;
    json_t *reason = json_object_get(root, "reason");
    if (reason) {
        if (!json_is_string(reason)) {
            snprintf(err, errlen, "request: \"reason\" must be a string");
            goto done;
        }
        /* Journaled as given or not at all: a reason cut short could say something else. */
        if (json_string_length(reason) >= sizeof out->reason ||
            strlen(json_string_value(reason)) != json_string_length(reason)) {
            snprintf(err, errlen, "request: \"reason\" longer than %d bytes or holding a NUL",
                     GUARD_CTL_REASON_MAX - 1);
            goto done;
        }
        memcpy(out->reason, json_string_value(reason), json_string_length(reason) + 1);
    }
    rc = 0;
done:
    json_decref(root);
    return rc;
}

/* ---- clients ----------------------------------------------------------------------------- */

struct guard_ctl_client {
    guard_ctl_server *srv;   /* owner */
    int fd;                  /* the connection, non-blocking */
    sd_event_source *src;    /* io watch on fd; EPOLLOUT only while output is queued */
    char *in;                /* bytes received, not yet a complete line */
    size_t in_len;           /* bytes used in `in` (capacity is GUARD_CTL_MAX_LINE + 1) */
    char *out;               /* queued output */
    size_t out_len;          /* bytes queued */
    size_t out_cap;          /* capacity of `out` */
    int watching;            /* subscriber of the event stream */
    int closing;             /* close once `out` is flushed; read nothing more */
    int dead;                /* to be freed when no callback is on the stack */
    int64_t last_ns;         /* monotonic time of the last request (idle sweep, eviction);
                              * blank lines do not count */
    int64_t out_since_ns;    /* last progress of queued output (queued into empty, or sent) */
    guard_ctl_client *next;  /* list of the server's clients */
};

struct guard_ctl_server {
    sd_event *ev;              /* loop (referenced) */
    int fd;                    /* listening socket */
    sd_event_source *src;      /* io watch on fd */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* unlinked at close, if still ours */
    dev_t sock_dev;            /* the socket file we bound (lstat after bind): close unlinks */
    ino_t sock_ino;            /*   the path only while it is still this file */
    int lock_fd;               /* flock on <path>.lock for the server's life: one per socket */
    guard_ctl_handler fn;      /* request handler */
    void *ud;                  /* its argument */
    guard_ctl_client *clients; /* every connection, the dead ones until reaped */
    unsigned busy;             /* callbacks on the stack: clients are freed only at 0 */
    unsigned long dropped;     /* connections closed for misbehaving (status, tests) */
};

static void client_free(guard_ctl_client *c) {
    sd_event_source_disable_unref(c->src);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

static void reap(guard_ctl_server *s) {
    if (s->busy) return;
    for (guard_ctl_client **pp = &s->clients; *pp;) {
        guard_ctl_client *c = *pp;
        if (!c->dead) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        client_free(c);
    }
}

static void client_kill(guard_ctl_client *c) {
    if (c->dead) return;
    c->dead = 1;
    /* Stop events at once; the memory goes when no callback can still hold c. */
    sd_event_source_set_enabled(c->src, SD_EVENT_OFF);
}

static void client_drop(guard_ctl_client *c) {
    if (!c->dead) c->srv->dropped++;
    client_kill(c);
}

static void client_update_events(guard_ctl_client *c) {
    if (c->dead) return;
    uint32_t evs = (c->closing ? 0 : EPOLLIN) | (c->out_len ? EPOLLOUT : 0);
    if (evs == 0) { /* closing and flushed */
        client_kill(c);
        return;
    }
    sd_event_source_set_io_events(c->src, evs);
}

static void client_flush(guard_ctl_client *c) {
    while (c->out_len > 0 && !c->dead) {
        ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            client_kill(c); /* EPIPE, ECONNRESET: the client is gone */
            return;
        }
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (size_t)n;
        c->out_since_ns = rg_time_mono_ns(); /* progress: the stall clock restarts */
    }
    client_update_events(c);
}

static void client_queue(guard_ctl_client *c, const char *data, size_t len) {
    if (c->dead) return;
    if (c->out_len + len > GUARD_CTL_MAX_OUT) {
        /* A client that does not read (a slow watcher) must not grow the daemon without bound. */
        client_drop(c);
        return;
    }
    if (c->out_len + len > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + len) cap *= 2;
        char *p = realloc(c->out, cap);
        if (!p) {
            client_drop(c);
            return;
        }
        c->out = p;
        c->out_cap = cap;
    }
    if (c->out_len == 0) c->out_since_ns = rg_time_mono_ns();
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    client_flush(c);
}

static void client_queue_json(guard_ctl_client *c, const json_t *obj) {
    char *txt = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (!txt) {
        client_drop(c);
        return;
    }
    size_t n = strlen(txt);
    txt[n] = '\n'; /* json_dumps' NUL becomes the line end; length is explicit from here */
    client_queue(c, txt, n + 1);
    free(txt);
}

void guard_ctl_reply(guard_ctl_client *c, const guard_ctl_req *req, json_t *obj) {
    if (req && req->id[0]) {
        json_t *id = json_loads(req->id, JSON_DECODE_ANY, NULL);
        if (id) json_object_set_new(obj, "id", id);
    }
    client_queue_json(c, obj);
}

static void client_error(guard_ctl_client *c, const guard_ctl_req *req, const char *msg) {
    json_t *o = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
    if (o) guard_ctl_reply(c, req, o);
    json_decref(o);
}

void guard_ctl_broadcast(guard_ctl_server *s, const json_t *ev) {
    char *txt = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (!txt) return;
    size_t n = strlen(txt);
    txt[n] = '\n';
    s->busy++;
    for (guard_ctl_client *c = s->clients; c; c = c->next)
        if (c->watching && !c->dead) client_queue(c, txt, n + 1);
    s->busy--;
    free(txt);
    reap(s);
}

static void client_lines(guard_ctl_client *c) {
    size_t start = 0;
    for (;;) {
        if (c->dead || c->closing) break;
        char *nl = memchr(c->in + start, '\n', c->in_len - start);
        if (!nl) break;
        size_t len = (size_t)(nl - (c->in + start));
        guard_ctl_req req;
        char err[256];
        int blank = len == 0 || (len == 1 && c->in[start] == '\r');
        /* A blank line is tolerated without a reply, and is not activity: keepalives hold no
         * slot against the idle sweep or eviction. */
        if (!blank) {
            c->last_ns = rg_time_mono_ns();
            if (guard_ctl_parse(c->in + start, len, &req, err, sizeof err) < 0) {
                client_error(c, NULL, err);
            } else {
                if (req.cmd == GUARD_CTL_WATCH) c->watching = 1;
                c->srv->fn(c->srv->ud, c, &req);
            }
        }
        start += len + 1;
    }
    if (c->dead) return;
    memmove(c->in, c->in + start, c->in_len - start);
    c->in_len -= start;
    if (c->in_len >= GUARD_CTL_MAX_LINE) {
        client_error(c, NULL, "request: line longer than 65536 bytes");
        c->srv->dropped++;
        c->closing = 1;
        client_update_events(c);
    }
}

static int client_io(sd_event_source *src, int fd, uint32_t revents, void *ud) {
    (void)src;
    guard_ctl_client *c = ud;
    guard_ctl_server *s = c->srv;
    s->busy++;
    if (revents & EPOLLOUT) client_flush(c);
    if (!c->dead && !c->closing && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        /* Read at most one buffer per wakeup: a flooding client cannot starve the loop. */
        ssize_t n = recv(fd, c->in + c->in_len, GUARD_CTL_MAX_LINE - c->in_len, MSG_DONTWAIT);
        if (n > 0) {
            c->in_len += (size_t)n;
            client_lines(c);
        } else if (n == 0) {
            /* Peer finished sending: answer what it asked, then close. A half line is dropped. */
            c->closing = 1;
            client_update_events(c);
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            client_kill(c);
        }
    } else if (!c->dead && (revents & (EPOLLHUP | EPOLLERR))) {
        /* Both directions gone while closing: nothing more can be delivered; not closing the
         * fd here would spin the level-triggered loop. */
        client_kill(c);
    }
    s->busy--;
    reap(s);
    return 0;
}

/* The connection that has gone longest without a request (watchers count from their watch
 * request; blank lines are not requests), or NULL. */
static guard_ctl_client *longest_idle(guard_ctl_server *s) {
    guard_ctl_client *v = NULL;
    for (guard_ctl_client *c = s->clients; c; c = c->next)
        if (!c->dead && (!v || c->last_ns < v->last_ns)) v = c;
    return v;
}

/* Best effort, straight to the socket: the connection closes either way. */
static void send_refusal(int fd, const char *line) {
    ssize_t ignored = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)ignored;
}

static int server_accept(sd_event_source *src, int fd, uint32_t revents, void *ud) {
    (void)src;
    (void)revents;
    guard_ctl_server *s = ud;
    for (int burst = 0; burst < 16; burst++) {
        int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd < 0) break; /* EAGAIN, or EMFILE: the next wakeup retries */
        struct ucred cr;
        socklen_t crl = sizeof cr;
        const char *refuse = NULL;
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0)
            refuse = "{\"ok\":false,\"error\":\"peer credentials unavailable\"}\n";
        else if (cr.uid != 0 && cr.uid != geteuid())
            refuse = "{\"ok\":false,\"error\":\"permission denied: not the daemon's user\"}\n";
        if (refuse) {
            send_refusal(cfd, refuse);
            close(cfd);
            s->dropped++;
            continue;
        }
        if (guard_ctl_clients(s) >= GUARD_CTL_MAX_CLIENTS) {
            /* Full: the newcomer (the owner's status or stop, most likely) gets a slot, and the
             * connection idle longest makes room. Leaked watchers and keepalive loops cannot
             * lock the owner out. */
            guard_ctl_client *v = longest_idle(s);
            if (v->out_len == 0) /* else the line would land inside a half-sent one */
                send_refusal(v->fd, "{\"ok\":false,\"error\":\"too many clients: closed the "
                                    "longest idle connection\"}\n");
            client_drop(v);
        }
        guard_ctl_client *c = calloc(1, sizeof *c);
        char *in = malloc(GUARD_CTL_MAX_LINE + 1);
        if (!c || !in || sd_event_add_io(s->ev, &c->src, cfd, EPOLLIN, client_io, c) < 0) {
            free(c);
            free(in);
            close(cfd);
            continue;
        }
        c->srv = s;
        c->fd = cfd;
        c->in = in;
        c->last_ns = rg_time_mono_ns();
        c->next = s->clients;
        s->clients = c;
    }
    reap(s);
    return 0;
}

void guard_ctl_sweep(guard_ctl_server *s, int64_t now_ns) {
    for (guard_ctl_client *c = s->clients; c; c = c->next) {
        if (c->dead) continue;
        /* A watcher may sit silent for days, but not one that stopped reading: its output
         * would wait for it until the buffer limit, and hold a slot all that time. */
        if ((!c->watching && now_ns - c->last_ns > GUARD_CTL_IDLE_NS) ||
            (c->out_len > 0 && now_ns - c->out_since_ns > GUARD_CTL_STALL_NS))
            client_drop(c);
    }
    reap(s);
}

unsigned guard_ctl_clients(const guard_ctl_server *s) {
    unsigned n = 0;
    for (const guard_ctl_client *c = s->clients; c; c = c->next) n += !c->dead;
    return n;
}

unsigned guard_ctl_watchers(const guard_ctl_server *s) {
    unsigned n = 0;
    for (const guard_ctl_client *c = s->clients; c; c = c->next) n += !c->dead && c->watching;
    return n;
}

unsigned long guard_ctl_dropped(const guard_ctl_server *s) { return s->dropped; }

/* ---- server ------------------------------------------------------------------------------ */

static int fill_addr(struct sockaddr_un *sa, const char *path, char *err, size_t errlen) {
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa->sun_path) {
        snprintf(err, errlen, "socket(%s): path longer than %zu bytes", path, sizeof sa->sun_path - 1);
        return -ENAMETOOLONG;
    }
    memcpy(sa->sun_path, path, strlen(path) + 1);
    return 0;
}

/* The socket's directory: created 0700 when missing; else it must be a real directory (not a
 * symlink) owned by us with mode 0700. A directory someone else made (a pre-created
 * /tmp/recguard-<uid>) would let its owner replace our socket with theirs. */
static int check_dir(const char *dir, char *err, size_t errlen) {
    struct stat st;
    if (lstat(dir, &st) < 0) {
        int rc = rg_fs_mkdir_p(dir, 0700, err, errlen);
        if (rc < 0 || lstat(dir, &st) < 0) return rc < 0 ? rc : -errno;
    }
    if (S_ISLNK(st.st_mode)) {
        snprintf(err, errlen, "socket dir(%s): is a symlink; it must be a directory owned by uid "
                              "%u with mode 0700", dir, (unsigned)geteuid());
        return -ELOOP;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 07777) != 0700) {
        snprintf(err, errlen, "socket dir(%s): %s owned by uid %u with mode %04o; it must be a "
                              "directory owned by uid %u (the daemon's user) with mode 0700",
                 dir, S_ISDIR(st.st_mode) ? "directory" : "not a directory,", (unsigned)st.st_uid,
                 (unsigned)(st.st_mode & 07777), (unsigned)geteuid());
        return -EPERM;
    }
    return 0;
}

/* One daemon per socket: the lock is taken before anything at the path is touched, so two
 * daemons starting at once cannot both find the path free and bind in turn. */
static int take_lock(const char *path, char *err, size_t errlen) {
    char lp[PATH_MAX];
    snprintf(lp, sizeof lp, "%s.lock", path);
    pid_t holder;
    int fd = rg_fs_lock(lp, &holder);
    if (fd == -EWOULDBLOCK)
        snprintf(err, errlen, "socket(%s): another recguard daemon (pid %d) serves it", path,
                 (int)holder);
    else if (fd < 0)
        snprintf(err, errlen, "socket lock(%s): %s", lp,
                 fd == -EINVAL ? "exists and is not a regular file" : strerror(-fd));
    return fd;
}

int guard_ctl_server_open(sd_event *ev, const char *path, guard_ctl_handler fn, void *ud,
                          guard_ctl_server **out, char *err, size_t errlen) {
    struct sockaddr_un sa;
    int rc = fill_addr(&sa, path, err, errlen);
    if (rc < 0) return rc;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    if ((rc = check_dir(dirname(dir), err, errlen)) < 0) return rc;
    int lock_fd = take_lock(path, err, errlen);
    if (lock_fd < 0) return lock_fd;
    /* Holding the lock, whatever socket file is at the path was left by a dead daemon. */
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "socket(%s): exists and is not a socket", path);
            rg_sys_close(lock_fd);
            return -EEXIST;
        }
        unlink(path);
    }
    guard_ctl_server *s = calloc(1, sizeof *s);
    if (!s) {
        rg_sys_close(lock_fd);
        return -ENOMEM;
    }
    s->fd = -1;
    s->lock_fd = lock_fd;
    s->fn = fn;
    s->ud = ud;
    s->ev = sd_event_ref(ev);
    snprintf(s->path, sizeof s->path, "%s", path);
    const char *step = "socket";
    s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->fd < 0) goto fail_errno;
    step = "bind";
    /* umask around bind: the socket is born 0600, there is no window where others may connect. */
    mode_t old = umask(0177);
    int b = bind(s->fd, (struct sockaddr *)&sa, sizeof sa);
    int berr = errno;
    umask(old);
    errno = berr;
    if (b < 0) goto fail_errno;
    step = "stat";
    if (lstat(path, &st) < 0) goto fail_bound;
    s->sock_dev = st.st_dev;
    s->sock_ino = st.st_ino;
    step = "listen";
    if (listen(s->fd, 64) < 0) goto fail_bound;
    step = "event source";
    if ((rc = sd_event_add_io(ev, &s->src, s->fd, EPOLLIN, server_accept, s)) < 0) {
        errno = -rc;
        goto fail_bound;
    }
    *out = s;
    return 0;
fail_bound:
    rc = -errno;
    unlink(path); /* ours: bound under the lock a moment ago */
    errno = -rc;
fail_errno:
    rc = -errno;
    snprintf(err, errlen, "%s(%s): %s", step, path, strerror(errno));
    if (s->fd >= 0) close(s->fd);
    rg_sys_close(s->lock_fd);
    sd_event_unref(s->ev);
    free(s);
    return rc;
}

void guard_ctl_server_close(guard_ctl_server *s) {
    if (!s) return;
    for (guard_ctl_client *c = s->clients, *n; c; c = n) {
        n = c->next;
        client_free(c);
    }
    s->clients = NULL;
    sd_event_source_disable_unref(s->src);
    close(s->fd);
    /* Only the file we bound, and before the lock goes: a path that now names another file
     * (removed by hand, then bound by another daemon) is not ours to remove. */
    struct stat st;
    if (lstat(s->path, &st) == 0 && st.st_dev == s->sock_dev && st.st_ino == s->sock_ino)
        unlink(s->path);
    rg_sys_close(s->lock_fd);
    sd_event_unref(s->ev);
    free(s);
}

/* ---- client side ------------------------------------------------------------------------- */

void guard_ctl_default_path(char *buf, size_t len) {
    const char *env = getenv("RECGUARD_SOCKET");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (env && *env)
        snprintf(buf, len, "%s", env);
    else if (xdg && *xdg)
        snprintf(buf, len, "%s/recguard/control.sock", xdg);
    else if (geteuid() == 0)
        snprintf(buf, len, "/run/recguard/control.sock");
    else
        snprintf(buf, len, "/tmp/recguard-%u/control.sock", (unsigned)geteuid());
}

int guard_ctl_connect(const char *path, char *err, size_t errlen) {
    struct sockaddr_un sa;
    int rc = fill_addr(&sa, path, err, errlen);
    if (rc < 0) return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "socket(%s): %s", path, strerror(errno));
        return rc;
    }
    while (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (errno == EINTR) continue;
        rc = -errno;
        snprintf(err, errlen, "no daemon on %s: connect: %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    /* Trust only a daemon of our own user or root: a socket another user planted (in a
     * directory made before ours) could forge status and swallow a stop. */
    struct ucred cr;
    socklen_t crl = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0 ||
        (cr.uid != 0 && cr.uid != geteuid())) {
        snprintf(err, errlen, "socket(%s): served by uid %d, not by you (uid %u) or root: not "
                              "trusted", path, crl == sizeof cr ? (int)cr.uid : -1,
                 (unsigned)geteuid());
        close(fd);
        return -EPERM;
    }
    return fd;
}
