/* web_ctl — control-socket client of the dashboard server (see web_ctl.h). */
#include "web/web_ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/rg_time.h"
#include "guard/guard_ctl.h"

int web_ctl_open(web_ctl *c, const char *path, char *err, size_t errlen) {
    c->len = 0;
    snprintf(c->path, sizeof c->path, "%s", path);
    c->fd = guard_ctl_connect(path, err, errlen);
    return c->fd < 0 ? c->fd : 0;
}

void web_ctl_close(web_ctl *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->len = 0;
}

int web_ctl_send(web_ctl *c, const char *cmd, const char *reason) {
    json_t *o = json_pack("{s:s}", "cmd", cmd);
    if (!o) return -ENOMEM;
    if (reason) json_object_set_new(o, "reason", json_string(reason));
    char *txt = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!txt) return -ENOMEM;
    size_t n = strlen(txt);
    txt[n] = '\n'; /* overwrites the NUL: the buffer is sent by length */
    size_t off = 0;
    int rc = 0;
    while (off < n + 1) {
        ssize_t w = send(c->fd, txt + off, n + 1 - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            rc = -errno;
            break;
        }
        off += (size_t)w;
    }
    free(txt);
    return rc;
}

static json_t *take_line(web_ctl *c, int *bad) {
    char *nl = memchr(c->buf, '\n', c->len);
    if (!nl) return NULL;
    *nl = '\0';
    json_t *o = json_loads(c->buf, 0, NULL);
    size_t used = (size_t)(nl - c->buf) + 1;
    memmove(c->buf, c->buf + used, c->len - used);
    c->len -= used;
    if (!o) *bad = 1;
    return o;
}

int web_ctl_read(web_ctl *c, int timeout_ms, json_t **out) {
    int bad = 0;
    *out = take_line(c, &bad);
    if (*out || bad) return bad ? -EBADMSG : 0;
    if (c->len == sizeof c->buf) return -EBADMSG;
    struct pollfd pf = {.fd = c->fd, .events = POLLIN};
    int pr = poll(&pf, 1, timeout_ms);
    if (pr < 0) return errno == EINTR ? 0 : -errno;
    if (pr == 0) return 0;
    ssize_t n;
    do n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EAGAIN ? 0 : -errno;
    if (n == 0) return -EPIPE;
    c->len += (size_t)n;
    *out = take_line(c, &bad);
    return bad ? -EBADMSG : 0;
}

int web_ctl_request(const char *path, const char *cmd, const char *reason, int timeout_ms, json_t **reply,
                    char *err, size_t errlen) {
    *reply = NULL;
    web_ctl *c = malloc(sizeof *c);
    if (!c) return -ENOMEM;
    int rc = web_ctl_open(c, path, err, errlen);
    if (rc < 0) goto out;
    if ((rc = web_ctl_send(c, cmd, reason)) < 0) {
        snprintf(err, errlen, "daemon(%s): send: %s", path, strerror(-rc));
        goto out;
    }
    int64_t deadline = rg_time_mono_ns() + (int64_t)timeout_ms * RG_NS_PER_MS;
    for (;;) {
        int64_t left = deadline - rg_time_mono_ns();
        if (left <= 0) {
            rc = -ETIMEDOUT;
            snprintf(err, errlen, "daemon(%s): no reply to %s within %d ms", path, cmd, timeout_ms);
            break;
        }
        json_t *o;
        rc = web_ctl_read(c, (int)(left / RG_NS_PER_MS) + 1, &o);
        if (rc < 0) {
            snprintf(err, errlen, "daemon(%s): %s", path, rc == -EPIPE ? "closed the connection" : strerror(-rc));
            break;
        }
        if (o && json_object_get(o, "ok")) {
            *reply = o;
            break;
        }
        json_decref(o);
    }
out:
    web_ctl_close(c);
    free(c);
    return rc;
}
