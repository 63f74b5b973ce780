/* rg_sys — the one table of safety-relevant syscalls.
 *
 * Owns: EINTR retry (one place, not at every call site) and fault injection. Tests (or an
 * integration test through the RG_SYS_FAIL environment variable) make the Nth call of a given
 * syscall fail with a chosen errno, the way SQLite's test_syscall.c does, so ENOSPC, EINTR and
 * EMFILE paths are exercised honestly rather than assumed.
 *
 * Every wrapper returns >= 0 on success and a negative errno on failure; none sets errno
 * as its contract. Every fd they create is close-on-exec.
 */
#ifndef RG_SYS_H
#define RG_SYS_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/statvfs.h>

typedef enum rg_sys_call {
    RG_SYS_OPEN,       /* open(2) */
    RG_SYS_WRITE,      /* write(2), counted per wrapper call, not per partial write */
    RG_SYS_FSYNC,      /* fsync(2) and fdatasync(2) */
    RG_SYS_RENAME,     /* rename(2) */
    RG_SYS_STATVFS,    /* statvfs(3) */
    RG_SYS_FORK,       /* fork(2) */
    RG_SYS_PIDFD_OPEN, /* pidfd_open(2) */
    RG_SYS__COUNT
} rg_sys_call;

/* Make the nth (1-based) future call of `call` fail with `err`; n == 0 clears. With `sticky`,
 * every call from the nth on fails (a disk that stays full). */
void rg_sys_fail_nth(rg_sys_call call, unsigned n, int err, int sticky);
/* Clear all injected failures and counters. */
void rg_sys_reset(void);
/* Parse RG_SYS_FAIL="name:n:ERRNO[:sticky],..." (e.g. "write:5:ENOSPC:sticky") and arm it.
 * Returns 0, or -EINVAL with a sentence in err. Unset variable = nothing armed. */
int rg_sys_arm_from_env(char *err, size_t errlen);

/* fd or -errno; O_CLOEXEC added, and O_NOFOLLOW with O_CREAT (-ELOOP on a symlink). */
int rg_sys_open(const char *path, int flags, mode_t mode);
int rg_sys_write_all(int fd, const void *buf, size_t len);     /* 0 or -errno; loops partial writes */
int rg_sys_pwrite_all(int fd, const void *buf, size_t len, off_t off); /* 0 or -errno */
int rg_sys_fsync(int fd);                                      /* 0 or -errno */
int rg_sys_fdatasync(int fd);                                  /* 0 or -errno */
int rg_sys_rename(const char *from, const char *to);           /* 0 or -errno */
int rg_sys_statvfs(const char *path, struct statvfs *out);     /* 0 or -errno */
pid_t rg_sys_fork(void);                                       /* pid, 0 in child, or -errno */
int rg_sys_pidfd_open(pid_t pid);                              /* pidfd or -errno */
int rg_sys_close(int fd);                                      /* 0 or -errno; never retried */

#endif
