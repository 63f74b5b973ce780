/* rg_fs — durable file operations: state that must survive a crash is written as
 * temp file -> fsync -> rename -> fsync(dir), so a reader sees the old or the new content,
 * never a torn one. Goes through rg_sys so tests can fail any step. */
#ifndef RG_FS_H
#define RG_FS_H

#include <stddef.h>
#include <sys/types.h>

/* Atomically replace `path` with `len` bytes of `data` (mode `mode`). 0 or -errno; on failure
 * err holds "what(path): why" and the old file is untouched. */
int rg_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, char *err,
                       size_t errlen);
/* fsync the directory containing `path` (or `path` itself when it is a directory). */
int rg_fs_fsync_dir(const char *path);
/* mkdir -p with `mode` for each created component. 0 or -errno, err names the component. */
int rg_fs_mkdir_p(const char *path, mode_t mode, char *err, size_t errlen);
/* Take an exclusive flock on `path` (created 0600, never through a symlink, must be a regular
 * file) and write our pid into it: fd to keep open while the lock is needed (the kernel drops it
 * when the holder dies, even by kill -9), or -EWOULDBLOCK with *holder set to the pid the file
 * names (0 unknown), or another -errno. */
int rg_fs_lock(const char *path, pid_t *holder);
/* Read a whole file of at most `max` bytes into a malloc'd NUL-terminated buffer.
 * 0 or -errno (-EFBIG when larger than max). */
int rg_fs_read_file(const char *path, size_t max, char **out, size_t *outlen);

#endif
