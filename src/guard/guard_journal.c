/* guard_journal — see guard_journal.h. */
#include "guard/guard_journal.h"

#include "common/rg_sys.h"
#include "common/rg_time.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void guard_journal_init(guard_journal *j) {
    j->daemon_fd = -1;
    j->bag_fd = -1;
    j->last_errno = 0;
}

static int open_append(const char *path, char *err, size_t errlen) {
    int fd = rg_sys_open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) snprintf(err, errlen, "open(%s): %s", path, strerror(-fd));
    return fd;
}

int guard_journal_open(guard_journal *j, const char *path, char *err, size_t errlen) {
    int fd = open_append(path, err, errlen);
    if (fd < 0) return fd;
    if (j->daemon_fd >= 0) rg_sys_close(j->daemon_fd);
    j->daemon_fd = fd;
    return 0;
}

int guard_journal_set_bag(guard_journal *j, const char *bag_dir, char *err, size_t errlen) {
    if (j->bag_fd >= 0) rg_sys_close(j->bag_fd);
    j->bag_fd = -1;
    if (!bag_dir) return 0;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", bag_dir, GUARD_JOURNAL_BAG_FILE) >= (int)sizeof path) {
        snprintf(err, errlen, "journal(%s): path too long", bag_dir);
        return -ENAMETOOLONG;
    }
    int fd = open_append(path, err, errlen);
    if (fd < 0) return fd;
    j->bag_fd = fd;
    return 0;
}

void guard_journal_close(guard_journal *j) {
    if (j->daemon_fd >= 0) rg_sys_close(j->daemon_fd);
    if (j->bag_fd >= 0) rg_sys_close(j->bag_fd);
    j->daemon_fd = j->bag_fd = -1;
}

json_t *guard_journal_event(const char *event, int64_t real_ns) {
    char iso[RG_TIME_ISO_LEN];
    return json_pack("{s:s, s:I, s:s}", "time", rg_time_iso(real_ns, iso), "ts_ns",
                     (json_int_t)real_ns, "event", event);
}

char *guard_journal_line(const json_t *ev, size_t *len) {
    char *body = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    if (!body) return NULL;
    size_t n = strlen(body);
    char *line = realloc(body, n + 2);
    if (!line) {
        free(body);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    *len = n + 1;
    return line;
}

int guard_journal_write(guard_journal *j, const json_t *ev) {
    size_t len;
    char *line = guard_journal_line(ev, &len);
    if (!line) return -ENOMEM;
    int rc = 0;
    int fds[2] = {j->daemon_fd, j->bag_fd};
    for (int i = 0; i < 2; i++) {
        if (fds[i] < 0) continue;
        /* One write per line: with O_APPEND the kernel places it atomically at the end. */
        int w = rg_sys_write_all(fds[i], line, len);
        if (w < 0 && rc == 0) rc = w;
    }
    free(line);
    j->last_errno = rc < 0 ? -rc : 0;
    return rc;
}

int guard_journal_health_due(const char *last_verdict, int64_t last_ns, const char *verdict,
                             int64_t now_ns) {
    if (!last_verdict) return 1;
    if (strcmp(last_verdict, verdict) != 0) return 1;
    return now_ns - last_ns >= GUARD_JOURNAL_HEALTH_EVERY_NS;
}
