/* web_check — the dashboard server's request rules, as pure functions (no I/O, fuzzed).
 *
 * Owns: which listen addresses count as loopback, the route table (method + URL -> endpoint),
 * the token comparison, the Origin rule for state-changing requests, and the one name rule that
 * keeps every file path inside the asset dir or a bag folder: a URL may name a file only by
 * single path components made of [A-Za-z0-9._-], not starting with '.', so "..", "/", "%2f",
 * NUL and backslashes can never form a path. The HTTP parsing itself is libmicrohttpd's.
 */
#ifndef WEB_CHECK_H
#define WEB_CHECK_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#define WEB_CHECK_NAME_MAX 255   /* longest file or folder name a URL may carry */
#define WEB_CHECK_TOKEN_MIN 16   /* shortest accepted token (bytes) */

typedef enum web_route {
    WEB_R_NOT_FOUND = 0, /* no such endpoint */
    WEB_R_BAD_METHOD,    /* endpoint exists, method does not fit (405) */
    WEB_R_PAGE,          /* GET / : index.html */
    WEB_R_ASSET,         /* GET /assets/NAME : a file of the asset dir */
    WEB_R_STATUS,        /* GET /api/status */
    WEB_R_TOPICS,        /* GET /api/topics */
    WEB_R_BAGS,          /* GET /api/bags */
    WEB_R_BAG_FILE,      /* GET /bags/BAG/FILE : download a file of a bag folder */
    WEB_R_EVENTS,        /* GET /api/events : Server-Sent Events */
    WEB_R_START,         /* POST /api/start */
    WEB_R_STOP,          /* POST /api/stop */
    WEB_R_SPLIT,         /* POST /api/split */
    WEB_R_METRICS,       /* GET /metrics */
    WEB_R_PAUSE,         /* POST /api/pause */
    WEB_R_RESUME,        /* POST /api/resume */
} web_route;

typedef struct web_target {
    web_route route;                     /* what is asked */
    char name[WEB_CHECK_NAME_MAX + 1];   /* ASSET: file name; BAG_FILE: bag folder name */
    char file[WEB_CHECK_NAME_MAX + 1];   /* BAG_FILE: file name inside the bag folder */
} web_target;

/* Parsed --listen: an IPv4 or IPv6 literal and a port ("127.0.0.1:8088", "[::1]:8088"). */
typedef struct web_listen {
    struct sockaddr_storage addr; /* ready for bind */
    socklen_t addrlen;            /* sizeof the used family's sockaddr */
    int loopback;                 /* 127.0.0.0/8 or ::1: no token needed */
} web_listen;

/* Parse "HOST:PORT" (HOST a numeric IPv4, or [IPv6]). Names are refused: what a name resolves
 * to can change, the loopback decision must not. 0 or -EINVAL with a sentence. */
int web_check_listen(const char *spec, web_listen *out, char *err, size_t errlen);

/* 1 when s is a safe single file name (see the top comment), else 0. */
int web_check_name(const char *s);

/* Route method + URL path (no query string; as libmicrohttpd hands it over, %-decoded).
 * Unsafe names in ASSET / BAG_FILE URLs route to NOT_FOUND. */
web_target web_check_route(const char *method, const char *url);

/* 1 when the route changes the daemon's state (start/stop/split/pause/resume). */
int web_check_mutating(web_route r);

/* Token rule: 1 when no token is configured (expected NULL or ""), or when `given` (the
 * Authorization "Bearer X" value, or the X-Recguard-Token header) equals it. Compared in
 * constant time over the expected length. */
int web_check_token(const char *expected, const char *authorization, const char *x_token);

/* Origin rule for state-changing requests: the Origin header must be present and be exactly
 * "http://" or "https://" followed by the Host header (which carries the port), so a page from
 * another site cannot drive the recorder through the operator's browser. */
int web_check_origin(const char *origin, const char *host);

/* DNS-rebinding rule for a server without a token: the Host header must name the loopback
 * ("localhost", 127.x.x.x or [::1], with or without a port), so a foreign site whose name was
 * re-pointed at 127.0.0.1 cannot read the API through the operator's browser. */
int web_check_host_loopback(const char *host);

/* 1 when a token file's text is an acceptable token: WEB_CHECK_TOKEN_MIN..255 bytes of
 * printable ASCII without spaces (a trailing newline is the caller's to strip). */
int web_check_token_ok(const char *tok);

#endif
