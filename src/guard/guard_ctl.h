/* guard_ctl — the daemon's control socket (protocol: docs/PROTOCOL.md).
 *
 * Owns: the request parser (pure, fuzzed), the listening Unix stream socket (mode 0600 in a 0700
 * directory of the daemon's user, one daemon per socket by a lock file taken before bind,
 * SO_PEERCRED both ways: same uid or root), and every client connection: non-blocking reads
 * into a per-client buffer split into lines, replies queued per client and flushed as the socket
 * accepts them, watch subscribers fed every event. Hostile or broken clients cost the daemon
 * nothing but a closed connection: a line longer than GUARD_CTL_MAX_LINE, output piling up past
 * GUARD_CTL_MAX_OUT or not moving for GUARD_CTL_STALL_NS (a slow watcher), a non-watching client
 * that sits idle past GUARD_CTL_IDLE_NS (blank lines are not activity). With
 * GUARD_CTL_MAX_CLIENTS connections open, a newcomer still gets in: the connection idle longest
 * is closed for it, so the owner's status or stop always has a slot. Garbage gets
 * {"ok":false,"error":...} and the connection stays usable. Clients are freed only outside their own callbacks (deferred), so a reply or a
 * broadcast may drop any client, including the one being served.
 * Also owns the client side used by the CLI verbs: default socket path and connect.
 */
#ifndef GUARD_CTL_H
#define GUARD_CTL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#define GUARD_CTL_MAX_LINE (64 * 1024)        /* longest request line; longer = error + close */
#define GUARD_CTL_MAX_OUT (1024 * 1024)       /* queued output per client before it is dropped */
#define GUARD_CTL_MAX_CLIENTS 64              /* connections served at once */
#define GUARD_CTL_IDLE_NS (120LL * 1000000000LL) /* non-watching client silent this long: closed */
#define GUARD_CTL_STALL_NS (30LL * 1000000000LL) /* queued output not moving this long: closed */
#define GUARD_CTL_ID_MAX 64                   /* longest request id echoed back */
#define GUARD_CTL_REASON_MAX 256              /* longest reason text kept from a request */

typedef enum guard_ctl_cmd {
    GUARD_CTL_STATUS, /* report the status object */
    GUARD_CTL_START,  /* start recording (IDLE/ERROR -> STARTING) */
    GUARD_CTL_STOP,   /* stop recording gracefully */
    GUARD_CTL_SPLIT,  /* close the segment, continue in the next one */
    GUARD_CTL_WATCH,  /* subscribe to the event stream until the client closes */
    GUARD_CTL_SNAPSHOT, /* built-in recorder in snapshot mode: write its held samples (SIGUSR1) */
    GUARD_CTL_PAUSE,    /* built-in recorder: stop writing (kept so until resume, restarts too) */
    GUARD_CTL_RESUME,   /* built-in recorder: write again */
} guard_ctl_cmd;

typedef struct guard_ctl_req {
    guard_ctl_cmd cmd;                  /* what is asked */
    char id[GUARD_CTL_ID_MAX];          /* the request's "id" as JSON text ("" = none), echoed */
    char reason[GUARD_CTL_REASON_MAX];  /* optional "reason" string, journaled with the action */
} guard_ctl_req;

/* Parse one request line (without its '\n'; a trailing '\r' is tolerated). Pure: no I/O.
 * 0, or -EINVAL with a sentence in err ("request: ..."). */
int guard_ctl_parse(const char *line, size_t len, guard_ctl_req *out, char *err, size_t errlen);
/* Name of a command ("status", ...). */
const char *guard_ctl_cmd_name(guard_ctl_cmd cmd);

typedef struct guard_ctl_server guard_ctl_server;
typedef struct guard_ctl_client guard_ctl_client;

/* Called for every well-formed request. Reply with guard_ctl_reply (any number of times). For
 * GUARD_CTL_WATCH the server has already marked the client a subscriber. */
typedef void (*guard_ctl_handler)(void *ud, guard_ctl_client *c, const guard_ctl_req *req);

/* Create the socket at `path` and serve it on `ev`. Its directory is made 0700 when missing,
 * else refused (-EPERM, -ELOOP) unless it is a directory owned by the daemon's user with mode
 * 0700. The lock file `path`.lock is taken before the path is touched (another daemon holding
 * it: -EWOULDBLOCK); a socket file left under it is stale and replaced. 0 or -errno with err. */
int guard_ctl_server_open(sd_event *ev, const char *path, guard_ctl_handler fn, void *ud,
                          guard_ctl_server **out, char *err, size_t errlen);
/* Close every client and the socket, unlink the socket file if it is still the one bound
 * (never another daemon's), release the lock. NULL is fine. */
void guard_ctl_server_close(guard_ctl_server *s);
/* Queue `obj` (not consumed) as one line to client c, with the request's id added when set. */
void guard_ctl_reply(guard_ctl_client *c, const guard_ctl_req *req, json_t *obj);
/* Queue `ev` (not consumed) as one line to every watch subscriber. */
void guard_ctl_broadcast(guard_ctl_server *s, const json_t *ev);
/* Close clients idle longer than GUARD_CTL_IDLE_NS at monotonic time now_ns. */
void guard_ctl_sweep(guard_ctl_server *s, int64_t now_ns);
/* Connections open now / watchers now / dropped since start (for status and tests). */
unsigned guard_ctl_clients(const guard_ctl_server *s);
unsigned guard_ctl_watchers(const guard_ctl_server *s);
unsigned long guard_ctl_dropped(const guard_ctl_server *s);

/* Client side. Default socket path: $RECGUARD_SOCKET, else $XDG_RUNTIME_DIR/recguard/control.sock,
 * else /run/recguard/control.sock for root, else /tmp/recguard-<uid>/control.sock. */
void guard_ctl_default_path(char *buf, size_t len);
/* Connect (blocking, close-on-exec) to the daemon at `path` and check its peer credentials:
 * fd, or -errno with err = "no daemon on PATH: connect: why", or -EPERM when the server's uid
 * is neither ours nor root. */
int guard_ctl_connect(const char *path, char *err, size_t errlen);

#endif
