/* web_check — request rules of the dashboard server (see web_check.h). */
#include "web/web_check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *s, unsigned *port) {
    if (!*s || strlen(s) > 5) return -1;
    unsigned v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (unsigned)(*s - '0');
    }
    if (v > 65535) return -1; /* 0: any free port (tests), reported on stdout */
    *port = v;
    return 0;
}

int web_check_listen(const char *spec, web_listen *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    char host[64];
    const char *colon = strrchr(spec, ':');
    unsigned port;
    if (!colon || (size_t)(colon - spec) >= sizeof host || parse_port(colon + 1, &port) != 0) {
        snprintf(err, errlen, "--listen(%s): expected ADDRESS:PORT, e.g. 127.0.0.1:8088 or [::1]:8088", spec);
        return -EINVAL;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->addr;
        host[hl - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1) goto bad;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        out->addrlen = sizeof *a6;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
        return 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)&out->addr;
    if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) goto bad;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    out->addrlen = sizeof *a4;
    out->loopback = (ntohl(a4->sin_addr.s_addr) >> 24) == 127;
    return 0;
bad:
    snprintf(err, errlen, "--listen(%s): '%s' is not a numeric IPv4 or [IPv6] address", spec, host);
    return -EINVAL;
}

int web_check_name(const char *s) {
    size_t n = 0;
    if (!s || !*s || *s == '.') return 0;
    for (; s[n]; n++) {
        char c = s[n];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '_' || c == '-';
        if (!ok || n >= WEB_CHECK_NAME_MAX) return 0;
    }
    return 1;
}

/* Copy one name component of `s` (up to '/' or the end) into out; returns where it ended
 * (at the '/' or the NUL), or NULL when the component is not a safe name. */
static const char *take_name(const char *s, char *out, size_t outlen) {
    size_t n = strcspn(s, "/");
    if (n >= outlen) return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    if (!web_check_name(out)) return NULL;
    return s + n;
}

typedef struct route_entry {
    const char *path;   /* exact URL path */
    const char *method; /* the one method it accepts */
    web_route route;    /* endpoint */
} route_entry;

static const route_entry routes[] = {
    {"/", "GET", WEB_R_PAGE},
    {"/index.html", "GET", WEB_R_PAGE},
    {"/api/status", "GET", WEB_R_STATUS},
    {"/api/topics", "GET", WEB_R_TOPICS},
    {"/api/bags", "GET", WEB_R_BAGS},
    {"/api/events", "GET", WEB_R_EVENTS},
    {"/api/start", "POST", WEB_R_START},
    {"/api/stop", "POST", WEB_R_STOP},
    {"/api/split", "POST", WEB_R_SPLIT},
    {"/metrics", "GET", WEB_R_METRICS},
    {"/api/pause", "POST", WEB_R_PAUSE},
    {"/api/resume", "POST", WEB_R_RESUME},
};

web_target web_check_route(const char *method, const char *url) {
    web_target t;
    memset(&t, 0, sizeof t);
    t.route = WEB_R_NOT_FOUND;
    if (!method || !url) return t;
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(url, routes[i].path) != 0) continue;
        int fits = strcmp(routes[i].method, "GET") == 0 ? get : strcmp(method, routes[i].method) == 0;
        t.route = fits ? routes[i].route : WEB_R_BAD_METHOD;
        return t;
    }
    web_route r = WEB_R_NOT_FOUND;
    const char *rest = NULL;
    if (strncmp(url, "/assets/", 8) == 0) {
        rest = take_name(url + 8, t.name, sizeof t.name);
        if (rest && !*rest) r = WEB_R_ASSET;
    } else if (strncmp(url, "/bags/", 6) == 0) {
        rest = take_name(url + 6, t.name, sizeof t.name);
        if (rest && *rest == '/' && (rest = take_name(rest + 1, t.file, sizeof t.file)) && !*rest) r = WEB_R_BAG_FILE;
    }
    if (r != WEB_R_NOT_FOUND && !get) r = WEB_R_BAD_METHOD;
    if (r == WEB_R_NOT_FOUND) memset(&t, 0, sizeof t);
    t.route = r;
    return t;
}

int web_check_mutating(web_route r) {
    return r == WEB_R_START || r == WEB_R_STOP || r == WEB_R_SPLIT || r == WEB_R_PAUSE || r == WEB_R_RESUME;
}

/* Constant time in the expected token's length: a byte-by-byte early exit would tell a remote
 * guesser how many leading bytes were right. */
static int token_eq(const char *expected, const char *given) {
    size_t el = strlen(expected), gl = strlen(given);
    unsigned char diff = (unsigned char)(el != gl);
    for (size_t i = 0; i < el; i++) diff |= (unsigned char)(expected[i] ^ (i < gl ? given[i] : 0));
    return diff == 0;
}

int web_check_token(const char *expected, const char *authorization, const char *x_token) {
    if (!expected || !*expected) return 1;
    if (x_token && token_eq(expected, x_token)) return 1;
    if (authorization && strncmp(authorization, "Bearer ", 7) == 0 && token_eq(expected, authorization + 7))
        return 1;
    return 0;
}

int web_check_origin(const char *origin, const char *host) {
    if (!origin || !host || !*host) return 0;
    const char *rest;
    if (strncmp(origin, "http://", 7) == 0) rest = origin + 7;
    else if (strncmp(origin, "https://", 8) == 0) rest = origin + 8;
    else return 0;
    return strcmp(rest, host) == 0;
}

int web_check_host_loopback(const char *host) {
    char h[64];
    if (!host) return 0;
    size_t n = strlen(host);
    if (n >= sizeof h) return 0;
    memcpy(h, host, n + 1);
    if (h[0] == '[') {
        char *close = strchr(h, ']');
        if (!close || (close[1] && (close[1] != ':' || !close[2]))) return 0;
        *close = '\0';
        struct in6_addr a6;
        return inet_pton(AF_INET6, h + 1, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
    }
    char *colon = strchr(h, ':');
    unsigned port;
    if (colon) {
        if (parse_port(colon + 1, &port) != 0) return 0;
        *colon = '\0';
    }
    if (strcmp(h, "localhost") == 0) return 1;
    struct in_addr a4;
    return inet_pton(AF_INET, h, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int web_check_token_ok(const char *tok) {
    size_t n = strlen(tok);
    if (n < WEB_CHECK_TOKEN_MIN || n > 255) return 0;
    for (size_t i = 0; i < n; i++)
        if (tok[i] <= ' ' || tok[i] > '~') return 0;
    return 1;
}
