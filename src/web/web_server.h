/* web_server — `recguard web`: the dashboard's HTTP server (libmicrohttpd) and its link to the
 * daemon.
 *
 * Owns: the hub (latest STATUS, topic figures, a ring of daemon events, guarded by one mutex
 * and announced with one condition variable), the refresh loop on the calling thread (one
 * `watch` connection to the control socket, a `status` request on it every second, the
 * recorder's stats file read after each reply, reconnection when the daemon goes away), and
 * the HTTP side (a thread per connection; Server-Sent Events block on the condition variable).
 * The server is only a client: if it dies, recording is untouched.
 */
#ifndef WEB_SERVER_H
#define WEB_SERVER_H

#include <stddef.h>

#include "web/web_check.h"

#define WEB_SERVER_TICK_MS 1000     /* status refresh and SSE live figures period */
#define WEB_SERVER_EVENTS 256       /* daemon events kept for SSE clients and /api/events replay */
#define WEB_SERVER_MAX_CONN 64      /* HTTP connections at once */
#define WEB_SERVER_KEEPALIVE_S 15   /* SSE comment line when nothing else was sent */
#define WEB_SERVER_MAX_BODY 4096    /* POST body bytes accepted (ignored beyond the reason) */

typedef struct web_server_opts {
    web_listen listen;          /* bind address (web_check_listen) */
    const char *listen_text;    /* as given, for messages */
    const char *socket_path;    /* daemon control socket */
    const char *token;          /* required token, NULL = none (loopback only) */
    const char *asset_dir;      /* index.html, app.js, uPlot... */
} web_server_opts;

/* Serve until SIGINT/SIGTERM (blocked on the calling thread and taken with signalfd).
 * 0 on a clean stop, or -errno with a sentence in err (bind failed, no asset dir...). */
int web_server_run(const web_server_opts *o, char *err, size_t errlen);

#endif
