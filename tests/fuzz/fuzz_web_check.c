/* Fuzz target: the dashboard server's request rules. The input is split at NUL bytes into a
 * method, a URL, a Host, an Origin, an Authorization value and a listen spec; whatever they
 * are, routing must never yield a file name that could leave its folder, and the checks must
 * not crash or read past their strings. */
#include "web/web_check.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *field(const char **p, const char *end) {
    const char *s = *p;
    if (s >= end) return "";
    const char *nul = memchr(s, '\0', (size_t)(end - s));
    *p = nul ? nul + 1 : end;
    return s;
}

static void name_safe(const char *n) {
    if (!*n) return;
    assert(web_check_name(n));
    assert(!strchr(n, '/') && n[0] != '.');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* One extra NUL so every field is a C string. */
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *p = buf, *end = buf + size + 1;
    const char *method = field(&p, end), *url = field(&p, end), *host = field(&p, end);
    const char *origin = field(&p, end), *auth = field(&p, end), *listen = field(&p, end);
    web_target t = web_check_route(method, url);
    if (t.route == WEB_R_ASSET || t.route == WEB_R_BAG_FILE) name_safe(t.name);
    if (t.route == WEB_R_BAG_FILE) name_safe(t.file);
    if (t.route == WEB_R_NOT_FOUND) assert(!t.name[0] && !t.file[0]);
    (void)web_check_mutating(t.route);
    int ok = web_check_origin(origin, host);
    if (ok) assert(strstr(origin, host) != NULL);
    (void)web_check_host_loopback(host);
    assert(web_check_token(NULL, auth, origin) == 1);
    (void)web_check_token("0123456789abcdef", auth, origin);
    (void)web_check_token_ok(auth);
    web_listen l;
    char err[128];
    if (web_check_listen(listen, &l, err, sizeof err) != 0) assert(err[0]);
    free(buf);
    return 0;
}
