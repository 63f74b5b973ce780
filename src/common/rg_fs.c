/* rg_fs — see rg_fs.h. */
#include "common/rg_fs.h"

#include "common/rg_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int rg_fs_fsync_dir(const char *path) {
    char buf[PATH_MAX];
    struct stat st;
    snprintf(buf, sizeof buf, "%s", path);
    const char *dir = (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) ? buf : dirname(buf);
    int fd = rg_sys_open(dir, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) return fd;
    int rc = rg_sys_fsync(fd);
    rg_sys_close(fd);
    return rc;
}

int rg_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err,
                       size_t errlen) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp) {
        snprintf(err, errlen, "write(%s): path too long", path);
        return -ENAMETOOLONG;
    }
    const char *step = "open";
    /* O_EXCL: the temp name is predictable, and whoever can write the directory may have put a
     * symlink there; we create a new file or nothing. A leftover (a crash of a process with our
     * pid) is removed once: unlink takes away a link, never what it points to. */
    int fd = rg_sys_open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd == -EEXIST && unlink(tmp) == 0) fd = rg_sys_open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
    int rc = fd;
    if (fd < 0) goto fail;
    step = "write";
    if ((rc = rg_sys_write_all(fd, data, len)) < 0) goto fail;
    step = "fsync";
    if ((rc = rg_sys_fsync(fd)) < 0) goto fail;
    rg_sys_close(fd);
    fd = -1;
    step = "rename";
    if ((rc = rg_sys_rename(tmp, path)) < 0) goto fail;
    step = "fsync dir";
    if ((rc = rg_fs_fsync_dir(path)) < 0) goto fail_renamed;
    return 0;
fail:
    if (fd >= 0) rg_sys_close(fd);
    unlink(tmp);
fail_renamed:
    snprintf(err, errlen, "%s(%s): %s", step, path, strerror(-rc));
    return rc;
}

int rg_fs_mkdir_p(const char *path, mode_t mode, char *err, size_t errlen) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        snprintf(err, errlen, "mkdir(%s): path too long", path);
        return -ENAMETOOLONG;
    }
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, mode) < 0 && errno != EEXIST) {
            int e = errno;
            snprintf(err, errlen, "mkdir(%s): %s", buf, strerror(e));
            return -e;
        }
        *p = saved;
        if (saved == '\0') break;
    }
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "mkdir(%s): exists and is not a directory", path);
        return -ENOTDIR;
    }
    return 0;
}

int rg_fs_lock(const char *path, pid_t *holder) {
    *holder = 0;
    int fd = rg_sys_open(path, O_RDWR | O_CREAT | O_NONBLOCK, 0600);
    if (fd < 0) return fd;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rg_sys_close(fd);
        return -EINVAL;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        /* The holder writes its pid just after taking the lock: a taker that lost a race by
         * microseconds may find the file still empty. Give it a moment (50 ms at most). */
        for (int tries = 0; e == EWOULDBLOCK && *holder <= 0 && tries < 50; tries++) {
            char buf[32] = "";
            ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
            buf[n > 0 ? n : 0] = '\0';
            *holder = (pid_t)strtol(buf, NULL, 10);
            if (*holder <= 0) nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
        }
        if (*holder < 0) *holder = 0;
        rg_sys_close(fd);
        return -e;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        /* The lock itself holds; the pid text only names the holder in a refusal. */
    }
    return fd;
}

int rg_fs_read_file(const char *path, size_t max, char **out, size_t *outlen) {
    int fd = rg_sys_open(path, O_RDONLY, 0);
    if (fd < 0) return fd;
    size_t cap = max < 4096 ? max : 4096, len = 0;
    char *buf = malloc(cap + 1);
    int rc = buf ? 0 : -ENOMEM;
    while (rc == 0) {
        if (len == cap) {
            if (cap >= max) { rc = -EFBIG; break; }
            cap = cap * 2 > max ? max : cap * 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) { rc = -ENOMEM; break; }
            buf = nb;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = -errno;
        else if (n == 0) break;
        else len += (size_t)n;
    }
    rg_sys_close(fd);
    if (rc < 0) { free(buf); return rc; }
    buf[len] = '\0';
    *out = buf;
    if (outlen) *outlen = len;
    return 0;
}
