/* guard_state — see guard_state.h. */
#include "guard/guard_state.h"

#include "common/rg_fs.h"
#include "common/rg_sys.h"
#include "guard/guard_proc.h"
#include "guard/guard_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/types.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Linux 6.15 uapi <linux/pidfd.h>, absent from this distribution's headers. The kernel takes
 * the struct size from the ioctl number, so this 64-byte version-0 layout stays valid. */
struct guard_state__pidfd_info {
    __u64 mask;      /* in: what is asked; out: what is filled */
    __u64 cgroupid;  /* unused here */
    __u32 ids[11];   /* pid, tgid, ppid, r/e/s/fs uid and gid: unused here */
    __s32 exit_code; /* wait(2) status, valid when mask has PIDFD_INFO_EXIT */
};
#define GUARD_STATE__PIDFD_GET_INFO _IOWR(0xFF, 11, struct guard_state__pidfd_info)
#define GUARD_STATE__PIDFD_INFO_EXIT (1ULL << 3)

char *guard_state_encode(const guard_state_rec *s) {
    json_t *o = json_pack("{s:i, s:s, s:i, s:I, s:I, s:s, s:s, s:i, s:I, s:I}", "daemon_pid",
                          s->daemon_pid, "state", s->state, "recorder_pid", s->recorder_pid,
                          "recorder_starttime", (json_int_t)s->recorder_starttime,
                          "recorder_start_ns", (json_int_t)s->recorder_start_ns, "bag_dir",
                          s->bag_dir, "segment", s->segment, "segment_index", s->segment_index,
                          "restarts", (json_int_t)s->restarts, "session_start_ns",
                          (json_int_t)s->session_start_ns);
    if (!o) return NULL;
    /* Where a stop in progress leads, so that a daemon started in the middle of it (the old
     * one killed) finishes it instead of taking the recorder back as RECORDING. */
    if (s->then[0] && json_object_set_new(o, "then", json_string(s->then)) < 0) goto fail;
    if (s->stop_cause[0] && json_object_set_new(o, "stop_cause", json_string(s->stop_cause)) < 0) goto fail;
    /* The standby's pid lets a new daemon end it (guard_daemon: a fresh standby follows the
     * adopted recorder); the recorder's own files, which alternate with the standby's. */
    if (s->stats_path[0] && json_object_set_new(o, "stats_path", json_string(s->stats_path)) < 0) goto fail;
    if (s->positions[0] && json_object_set_new(o, "positions", json_string(s->positions)) < 0) goto fail;
    if (s->standby_pid > 0 &&
        (json_object_set_new(o, "standby_pid", json_integer(s->standby_pid)) < 0 ||
         json_object_set_new(o, "standby_starttime", json_integer((json_int_t)s->standby_starttime)) < 0))
        goto fail;
    char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return txt;
fail:
    json_decref(o);
    return NULL;
}

static int get_str(json_t *o, const char *key, char *dst, size_t cap, char *err, size_t errlen) {
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) >= cap) {
        snprintf(err, errlen, "state: \"%s\" missing, not a string or too long", key);
        return -EINVAL;
    }
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

static int get_int(json_t *o, const char *key, int64_t min, int64_t *dst, char *err,
                   size_t errlen) {
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < min) {
        snprintf(err, errlen, "state: \"%s\" missing or not an integer >= %lld", key, (long long)min);
        return -EINVAL;
    }
    *dst = json_integer_value(v);
    return 0;
}

int guard_state_decode(const char *text, guard_state_rec *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        snprintf(err, errlen, "state: not a JSON object (%s, line %d)", o ? "wrong type" : je.text,
                 je.line);
        json_decref(o);
        return -EINVAL;
    }
    int64_t dpid, rpid, st, rs, idx, rest, ss;
    int rc = 0;
    if ((rc = get_int(o, "daemon_pid", 0, &dpid, err, errlen)) < 0 ||
        (rc = get_str(o, "state", out->state, sizeof out->state, err, errlen)) < 0 ||
        (rc = get_int(o, "recorder_pid", 0, &rpid, err, errlen)) < 0 ||
        (rc = get_int(o, "recorder_starttime", 0, &st, err, errlen)) < 0 ||
        (rc = get_int(o, "recorder_start_ns", 0, &rs, err, errlen)) < 0 ||
        (rc = get_str(o, "bag_dir", out->bag_dir, sizeof out->bag_dir, err, errlen)) < 0 ||
        (rc = get_str(o, "segment", out->segment, sizeof out->segment, err, errlen)) < 0 ||
        (rc = get_int(o, "segment_index", -1, &idx, err, errlen)) < 0 ||
        (rc = get_int(o, "restarts", 0, &rest, err, errlen)) < 0 ||
        (rc = get_int(o, "session_start_ns", 0, &ss, err, errlen)) < 0)
        goto done;
    if (dpid > INT32_MAX || rpid > INT32_MAX || idx > INT32_MAX || rest > UINT32_MAX) {
        snprintf(err, errlen, "state: a pid, index or count is out of range");
        rc = -EINVAL;
        goto done;
    }
    out->daemon_pid = (int)dpid;
    out->recorder_pid = (int)rpid;
    out->recorder_starttime = (uint64_t)st;
    out->recorder_start_ns = rs;
    out->segment_index = (int)idx;
    out->restarts = (unsigned)rest;
    out->session_start_ns = ss;
    if ((json_object_get(o, "then") &&
         (rc = get_str(o, "then", out->then, sizeof out->then, err, errlen)) < 0) ||
        (json_object_get(o, "stop_cause") &&
         (rc = get_str(o, "stop_cause", out->stop_cause, sizeof out->stop_cause, err, errlen)) < 0) ||
        (json_object_get(o, "stats_path") &&
         (rc = get_str(o, "stats_path", out->stats_path, sizeof out->stats_path, err, errlen)) < 0) ||
        (json_object_get(o, "positions") &&
         (rc = get_str(o, "positions", out->positions, sizeof out->positions, err, errlen)) < 0))
        goto done;
    if (json_object_get(o, "standby_pid")) {
        int64_t sp, sst;
        if ((rc = get_int(o, "standby_pid", 1, &sp, err, errlen)) < 0 ||
            (rc = get_int(o, "standby_starttime", 0, &sst, err, errlen)) < 0)
            goto done;
        if (sp > INT32_MAX) {
            snprintf(err, errlen, "state: standby_pid is out of range");
            rc = -EINVAL;
            goto done;
        }
        out->standby_pid = (int)sp;
        out->standby_starttime = (uint64_t)sst;
    }
done:
    json_decref(o);
    return rc;
}

int guard_state_save(const char *path, const guard_state_rec *s, char *err, size_t errlen) {
    char *txt = guard_state_encode(s);
    if (!txt) {
        snprintf(err, errlen, "state(%s): out of memory", path);
        return -ENOMEM;
    }
    size_t n = strlen(txt);
    txt[n] = '\n';
    int rc = rg_fs_write_atomic(path, txt, n + 1, 0600, err, errlen);
    free(txt);
    return rc;
}

int guard_state_load(const char *path, guard_state_rec *out, char *err, size_t errlen) {
    char *txt = NULL;
    size_t len;
    int rc = rg_fs_read_file(path, 1 << 20, &txt, &len);
    if (rc < 0) {
        snprintf(err, errlen, "state(%s): %s", path, strerror(-rc));
        return rc;
    }
    rc = guard_state_decode(txt, out, err, errlen);
    free(txt);
    if (rc < 0) {
        char inner[256];
        snprintf(inner, sizeof inner, "%s", err);
        snprintf(err, errlen, "%s (in %s)", inner, path);
    }
    return rc;
}

int guard_state_lock(const char *path, char *err, size_t errlen) {
    pid_t holder;
    int fd = rg_fs_lock(path, &holder);
    if (fd == -EWOULDBLOCK)
        snprintf(err, errlen, "lock(%s): another recguard daemon (pid %d) already runs on this "
                              "state dir", path, (int)holder);
    else if (fd == -EINVAL)
        snprintf(err, errlen, "lock(%s): exists and is not a regular file", path);
    else if (fd < 0)
        snprintf(err, errlen, "lock(%s): %s", path, strerror(-fd));
    return fd;
}

int guard_state_adopt(const guard_state_rec *s, char *err, size_t errlen) {
    if (s->recorder_pid <= 0) {
        snprintf(err, errlen, "adopt: the state file names no recorder");
        return -ESRCH;
    }
    /* guard_spawn_adopt opens the pidfd before checking the start time: the other order could
     * check one process and then open a pidfd on its successor. */
    guard_proc_identity id = {.pid = s->recorder_pid, .starttime_ticks = s->recorder_starttime};
    int pidfd = -1;
    int rc = guard_spawn_adopt(&id, &pidfd, err, errlen);
    if (rc < 0) return rc;
    /* Exited between the identity check and now: a pidfd that is already readable. */
    struct pollfd pf = {.fd = pidfd, .events = POLLIN};
    if (poll(&pf, 1, 0) > 0) {
        snprintf(err, errlen, "adopt(pid %d): the recorder has already exited", s->recorder_pid);
        rg_sys_close(pidfd);
        return -ESRCH;
    }
    return pidfd;
}

int guard_state_exit_status(int pidfd, siginfo_t *si) {
    memset(si, 0, sizeof *si);
    int rc = guard_spawn_reap(pidfd, si, WNOHANG);
    if (rc != -ECHILD) return rc;
    /* Not our child (adopted): only the kernel's pidfs record can tell. */
    struct guard_state__pidfd_info info;
    memset(&info, 0, sizeof info);
    info.mask = GUARD_STATE__PIDFD_INFO_EXIT;
    if (ioctl(pidfd, GUARD_STATE__PIDFD_GET_INFO, &info) < 0 ||
        !(info.mask & GUARD_STATE__PIDFD_INFO_EXIT))
        return -ENODATA;
    int w = info.exit_code;
    if (WIFEXITED(w)) {
        si->si_code = CLD_EXITED;
        si->si_status = WEXITSTATUS(w);
    } else {
        si->si_code = WCOREDUMP(w) ? CLD_DUMPED : CLD_KILLED;
        si->si_status = WTERMSIG(w);
    }
    return 0;
}
