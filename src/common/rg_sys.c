/* rg_sys — see rg_sys.h. */
#include "common/rg_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct rg_sys_fault {
    unsigned calls;  /* calls seen since armed */
    unsigned nth;    /* 1-based call to fail; 0 = disarmed */
    int err;         /* errno to return */
    int sticky;      /* keep failing after nth */
} rg_sys_fault;

static rg_sys_fault faults[RG_SYS__COUNT];

static const char *const call_names[RG_SYS__COUNT] = {
    "open", "write", "fsync", "rename", "statvfs", "fork", "pidfd_open",
};

void rg_sys_fail_nth(rg_sys_call call, unsigned n, int err, int sticky) {
    faults[call] = (rg_sys_fault){.calls = 0, .nth = n, .err = err, .sticky = sticky};
}

void rg_sys_reset(void) { memset(faults, 0, sizeof faults); }

/* Returns the injected negative errno for this call, or 0 to go ahead. */
static int injected(rg_sys_call call) {
    rg_sys_fault *f = &faults[call];
    if (f->nth == 0) return 0;
    f->calls++;
    if (f->calls == f->nth || (f->sticky && f->calls > f->nth)) return -f->err;
    return 0;
}

static int errno_by_name(const char *s) {
    static const struct { const char *name; int value; } names[] = {
        {"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EINTR", EINTR}, {"EMFILE", EMFILE},
        {"EAGAIN", EAGAIN}, {"EACCES", EACCES}, {"EPERM", EPERM}, {"EDQUOT", EDQUOT},
        {"EFBIG", EFBIG}, {"ENOMEM", ENOMEM},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].name, s) == 0) return names[i].value;
    return 0;
}

static int arm_one(char *spec, char *err, size_t errlen) {
    char *save = NULL;
    char *name = strtok_r(spec, ":", &save), *nth = strtok_r(NULL, ":", &save);
    char *en = strtok_r(NULL, ":", &save), *sticky = strtok_r(NULL, ":", &save);
    int call = -1;
    for (int i = 0; name && i < RG_SYS__COUNT; i++)
        if (strcmp(call_names[i], name) == 0) call = i;
    char *end = NULL;
    unsigned long n = nth ? strtoul(nth, &end, 10) : 0;
    int e = en ? errno_by_name(en) : 0;
    if (call < 0 || !nth || *end || n == 0 || e == 0 ||
        (sticky && strcmp(sticky, "sticky") != 0)) {
        snprintf(err, errlen, "RG_SYS_FAIL(%s): expected call:n:ERRNO[:sticky]", name ? name : "");
        return -EINVAL;
    }
    rg_sys_fail_nth((rg_sys_call)call, (unsigned)n, e, sticky != NULL);
    return 0;
}

int rg_sys_arm_from_env(char *err, size_t errlen) {
    const char *v = getenv("RG_SYS_FAIL");
    if (!v || !*v) return 0;
    char *copy = strdup(v);
    if (!copy) return -ENOMEM;
    int rc = 0;
    char *save = NULL;
    for (char *s = strtok_r(copy, ",", &save); s && rc == 0; s = strtok_r(NULL, ",", &save))
        rc = arm_one(s, err, errlen);
    free(copy);
    return rc;
}

int rg_sys_open(const char *path, int flags, mode_t mode) {
    int rc = injected(RG_SYS_OPEN);
    if (rc) return rc;
    /* A file we may create is never reached through a symlink: in a directory another user can
     * write, a planted link would make a root daemon write wherever it points. */
    if (flags & O_CREAT) flags |= O_NOFOLLOW;
    int fd;
    do fd = open(path, flags | O_CLOEXEC, mode);
    while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : fd;
}

int rg_sys_write_all(int fd, const void *buf, size_t len) {
    int rc = injected(RG_SYS_WRITE);
    if (rc) return rc;
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int rg_sys_pwrite_all(int fd, const void *buf, size_t len, off_t off) {
    int rc = injected(RG_SYS_WRITE);
    if (rc) return rc;
    const char *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        p += n;
        off += n;
        len -= (size_t)n;
    }
    return 0;
}

int rg_sys_fsync(int fd) {
    int rc = injected(RG_SYS_FSYNC);
    if (rc) return rc;
    do rc = fsync(fd);
    while (rc < 0 && errno == EINTR);
    return rc < 0 ? -errno : 0;
}

int rg_sys_fdatasync(int fd) {
    int rc = injected(RG_SYS_FSYNC);
    if (rc) return rc;
    do rc = fdatasync(fd);
    while (rc < 0 && errno == EINTR);
    return rc < 0 ? -errno : 0;
}

int rg_sys_rename(const char *from, const char *to) {
    int rc = injected(RG_SYS_RENAME);
    if (rc) return rc;
    return rename(from, to) < 0 ? -errno : 0;
}

int rg_sys_statvfs(const char *path, struct statvfs *out) {
    int rc = injected(RG_SYS_STATVFS);
    if (rc) return rc;
    do rc = statvfs(path, out);
    while (rc < 0 && errno == EINTR);
    return rc < 0 ? -errno : 0;
}

pid_t rg_sys_fork(void) {
    int rc = injected(RG_SYS_FORK);
    if (rc) return rc;
    pid_t pid = fork();
    return pid < 0 ? -errno : pid;
}

int rg_sys_pidfd_open(pid_t pid) {
    int rc = injected(RG_SYS_PIDFD_OPEN);
    if (rc) return rc;
    /* pidfds are always close-on-exec (pidfd_open(2)), so no flag is needed. */
    long fd = syscall(SYS_pidfd_open, pid, 0);
    return fd < 0 ? -errno : (int)fd;
}

int rg_sys_close(int fd) {
    /* close() is never retried on EINTR: on Linux the fd is already gone. */
    return close(fd) < 0 && errno != EINTR ? -errno : 0;
}
