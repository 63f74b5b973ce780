/* web_ctl — the dashboard server's client of the daemon's control socket (docs/PROTOCOL.md).
 *
 * Owns one JSON-Lines connection: connect, send a command, read one line at a time with a
 * timeout, and a one-shot request (connect, send, wait for the line carrying "ok"). The
 * server keeps one long-lived `watch` connection for events and polls `status` on it; the
 * start/stop/split requests of HTTP clients each use a one-shot connection.
 */
#ifndef WEB_CTL_H
#define WEB_CTL_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

#define WEB_CTL_BUF (256 * 1024) /* longest line accepted from the daemon */

typedef struct web_ctl {
    int fd;                  /* connected socket, -1 when closed */
    size_t len;              /* bytes in buf */
    char path[PATH_MAX];     /* socket path, for messages */
    char buf[WEB_CTL_BUF];   /* received bytes not yet returned as lines */
} web_ctl;

/* Connect to the daemon at path. 0 or -errno with "no daemon on PATH: ..." in err. */
int web_ctl_open(web_ctl *c, const char *path, char *err, size_t errlen);
/* Close (idempotent). */
void web_ctl_close(web_ctl *c);
/* Send {"cmd":cmd} (with "reason" when not NULL). 0 or -errno. */
int web_ctl_send(web_ctl *c, const char *cmd, const char *reason);
/* Read bytes already waiting (non-blocking) or wait at most timeout_ms for them. Then *out is
 * the next complete line as JSON (new reference) or NULL when no line is complete yet.
 * 0 (line or not), -EPIPE when the daemon closed, -EBADMSG on a line that is not JSON or too long. */
int web_ctl_read(web_ctl *c, int timeout_ms, json_t **out);
/* One-shot: connect, send cmd, return the reply line (the one with "ok") in *reply.
 * 0 or -errno with a sentence in err. */
int web_ctl_request(const char *path, const char *cmd, const char *reason, int timeout_ms, json_t **reply,
                    char *err, size_t errlen);

#endif
