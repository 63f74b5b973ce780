/* guard_proc — see guard_proc.h. Parsers first (pure), then the /proc readers. */
#include "guard/guard_proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rg_sys.h"

#define STAT_MAX 4096  /* /proc/PID/stat is ~300 bytes; 52 fields of <= 20 digits fit */
#define STATUS_MAX 16384
#define IO_MAX 1024
#define LINE_MAX_ 512  /* status/io lines we care about are short; longer ones are cut */

/* ---- parsers ---------------------------------------------------------------------------- */

/* Parse an unsigned decimal token [p, end). 0 or -EINVAL. */
static int parse_u64(const char *p, const char *end, uint64_t *out) {
    if (p >= end) return -EINVAL;
    uint64_t v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9') return -EINVAL;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return -EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int parse_i64(const char *p, const char *end, int64_t *out) {
    int neg = p < end && *p == '-';
    uint64_t v;
    if (parse_u64(p + neg, end, &v) < 0 || v > (uint64_t)INT64_MAX) return -EINVAL;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int guard_proc_parse_stat(const char *buf, size_t len, guard_proc_stat *out) {
    memset(out, 0, sizeof *out);
    const char *end = buf + len;
    const char *open = memchr(buf, '(', len);
    /* comm may contain ')' and spaces: the real end of comm is the LAST ')' of the line */
    const char *close = NULL;
    for (const char *q = end; q > buf; q--)
        if (q[-1] == ')') { close = q - 1; break; }
    if (!open || !close || close < open) return -EINVAL;
    int64_t pid;
    const char *pe = open;
    while (pe > buf && pe[-1] == ' ') pe--;
    if (parse_i64(buf, pe, &pid) < 0 || pid <= 0 || pid > INT_MAX) return -EINVAL;
    out->pid = (pid_t)pid;
    size_t clen = (size_t)(close - open - 1);
    if (clen >= sizeof out->comm) clen = sizeof out->comm - 1;
    memcpy(out->comm, open + 1, clen);
    out->comm[clen] = '\0';

    /* fields 3.. follow ") " separated by single spaces; the line ends with '\n' */
    const char *tok[24];
    const char *tokend[24];
    int n = 0;
    const char *p = close + 1;
    while (p < end && n < 22) { /* fields 3..24 */
        while (p < end && (*p == ' ' || *p == '\n')) p++;
        if (p >= end) break;
        const char *s = p;
        while (p < end && *p != ' ' && *p != '\n') p++;
        tok[n] = s;
        tokend[n] = p;
        n++;
    }
    if (n < 22) return -EINVAL;
#define F(k) tok[(k)-3], tokend[(k)-3]
    if (tokend[0] - tok[0] != 1) return -EINVAL;
    out->state = tok[0][0];
    int64_t ppid, pgrp, sess, prio, nice, thr;
    uint64_t ut, stt, start, vsz, rss;
    if (parse_i64(F(4), &ppid) || parse_i64(F(5), &pgrp) || parse_i64(F(6), &sess) ||
        parse_u64(F(14), &ut) || parse_u64(F(15), &stt) || parse_i64(F(18), &prio) ||
        parse_i64(F(19), &nice) || parse_i64(F(20), &thr) || parse_u64(F(22), &start) ||
        parse_u64(F(23), &vsz) || parse_u64(F(24), &rss))
        return -EINVAL;
    /* pids are ints: a wider value would be truncated into some other process's pid */
    if (ppid < INT_MIN || ppid > INT_MAX || pgrp < INT_MIN || pgrp > INT_MAX || sess < INT_MIN ||
        sess > INT_MAX)
        return -EINVAL;
#undef F
    out->ppid = (pid_t)ppid;
    out->pgrp = (pid_t)pgrp;
    out->session = (pid_t)sess;
    out->utime_ticks = ut;
    out->stime_ticks = stt;
    out->priority = (long)prio;
    out->nice = (long)nice;
    out->num_threads = (long)thr;
    out->starttime_ticks = start;
    out->vsize_bytes = vsz;
    out->rss_pages = rss;
    return 0;
}

/* Calls fn(key, value) for each "Key:<ws>value" line of buf (value trimmed, NUL-terminated,
 * cut at LINE_MAX_). Stops and returns fn's first nonzero result. */
typedef int (*line_fn)(const char *key, const char *value, void *ctx);

static int each_line(const char *buf, size_t len, line_fn fn, void *ctx) {
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        char line[LINE_MAX_];
        size_t l = (size_t)(le - p);
        if (l >= sizeof line) l = sizeof line - 1;
        memcpy(line, p, l);
        line[l] = '\0';
        p = nl ? nl + 1 : end;
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t') v++;
        size_t vl = strlen(v);
        while (vl > 0 && isspace((unsigned char)v[vl - 1])) v[--vl] = '\0';
        int rc = fn(line, v, ctx);
        if (rc) return rc;
    }
    return 0;
}

/* "1234 kB" -> bytes */
static int parse_kb(const char *v, uint64_t *bytes) {
    const char *sp = strchr(v, ' ');
    if (!sp || strcmp(sp, " kB") != 0) return -EINVAL;
    uint64_t kb;
    if (parse_u64(v, sp, &kb) < 0 || kb > UINT64_MAX / 1024) return -EINVAL;
    *bytes = kb * 1024;
    return 0;
}

static int parse_hex64(const char *v, uint64_t *out) {
    size_t n = strlen(v);
    if (n == 0 || n > 16) return -EINVAL;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        int c = tolower((unsigned char)v[i]);
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return -EINVAL;
        x = (x << 4) | (uint64_t)d;
    }
    *out = x;
    return 0;
}

static int status_line(const char *k, const char *v, void *ctx) {
    guard_proc_status *s = ctx;
    if (strcmp(k, "VmRSS") == 0) {
        if (parse_kb(v, &s->vm_rss_bytes) < 0) return -EINVAL;
        s->has_vm |= 1;
    } else if (strcmp(k, "VmHWM") == 0) {
        if (parse_kb(v, &s->vm_hwm_bytes) < 0) return -EINVAL;
        s->has_vm |= 2;
    } else if (strcmp(k, "SigBlk") == 0) {
        if (parse_hex64(v, &s->sig_blk) < 0) return -EINVAL;
        s->has_sig |= 1;
    } else if (strcmp(k, "SigIgn") == 0) {
        if (parse_hex64(v, &s->sig_ign) < 0) return -EINVAL;
        s->has_sig |= 2;
    } else if (strcmp(k, "SigCgt") == 0) {
        if (parse_hex64(v, &s->sig_cgt) < 0) return -EINVAL;
        s->has_sig |= 4;
    } else if (strcmp(k, "Cpus_allowed_list") == 0) {
        snprintf(s->cpus_allowed_list, sizeof s->cpus_allowed_list, "%s", v);
        s->has_cpus = 1;
    } else if (strcmp(k, "Threads") == 0) {
        int64_t t;
        if (parse_i64(v, v + strlen(v), &t) < 0 || t < 0) return -EINVAL;
        s->threads = (long)t;
    }
    return 0;
}

int guard_proc_parse_status(const char *buf, size_t len, guard_proc_status *out) {
    memset(out, 0, sizeof *out);
    out->threads = -1;
    int rc = each_line(buf, len, status_line, out);
    /* report a group as present only when all of its lines were seen */
    out->has_vm = out->has_vm == 3;
    out->has_sig = out->has_sig == 7;
    return rc;
}

static int io_line(const char *k, const char *v, void *ctx) {
    uint64_t *f = ctx; /* rchar, wchar, read_bytes, write_bytes, seen-mask */
    static const char *const keys[4] = {"rchar", "wchar", "read_bytes", "write_bytes"};
    for (int i = 0; i < 4; i++)
        if (strcmp(k, keys[i]) == 0) {
            if (parse_u64(v, v + strlen(v), &f[i]) < 0) return -EINVAL;
            f[4] |= 1u << i;
        }
    return 0;
}

int guard_proc_parse_io(const char *buf, size_t len, guard_proc_io *out) {
    uint64_t f[5] = {0};
    memset(out, 0, sizeof *out);
    int rc = each_line(buf, len, io_line, f);
    if (rc) return rc;
    if (f[4] != 15) return -EINVAL;
    out->rchar = f[0];
    out->wchar = f[1];
    out->read_bytes = f[2];
    out->write_bytes = f[3];
    return 0;
}

int guard_proc_cmdline_has(const char *buf, size_t len, const char *needle) {
    size_t nl = strlen(needle);
    if (nl == 0) return 0;
    for (size_t i = 0; i < len;) {
        const char *arg = buf + i;
        size_t alen = strnlen(arg, len - i);
        if (alen >= nl && memmem(arg, alen, needle, nl)) return 1;
        i += alen + 1;
    }
    return 0;
}

static int in_list(pid_t pid, const pid_t *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (list[i] == pid) return 1;
    return 0;
}

size_t guard_proc_tree_select(const guard_proc_stat *tab, size_t n, pid_t leader, pid_t adopter,
                              const pid_t *skip, size_t nskip, size_t *idx, size_t cap) {
    unsigned char *mark = calloc(n ? n : 1, 1);
    if (!mark) return 0;
    for (size_t i = 0; i < n; i++) {
        const guard_proc_stat *p = &tab[i];
        if (adopter > 0 && p->pid == adopter) continue; /* never the daemon itself */
        if (leader > 0 && (p->pid == leader || p->session == leader || p->pgrp == leader)) mark[i] = 1;
        else if (adopter > 0 && p->ppid == adopter && !in_list(p->pid, skip, nskip)) mark[i] = 1;
    }
    /* Descendants: a fixpoint over parent links. Trees are shallow, so few passes; n is the
     * machine's process count (hundreds). */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < n; i++) {
            if (mark[i] || (adopter > 0 && tab[i].pid == adopter)) continue;
            for (size_t j = 0; j < n; j++)
                if (mark[j] && tab[j].pid == tab[i].ppid) {
                    mark[i] = 1;
                    changed = 1;
                    break;
                }
        }
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (mark[i]) {
            if (count < cap) idx[count] = i;
            count++;
        }
    free(mark);
    return count;
}

/* ---- readers ---------------------------------------------------------------------------- */

/* Read /proc/<pid>/<name> into buf (at most cap-1 bytes, NUL-terminated). Bytes read or
 * -errno; a vanished process is -ESRCH whichever way the kernel says it. */
static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t cap) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    int fd = rg_sys_open(path, O_RDONLY, 0);
    if (fd < 0) return fd == -ENOENT ? -ESRCH : fd;
    /* One read: procfs generates a per-process file whole at the first read, so what it
     * returns is all there is (up to cap-1); the read that would return 0 is spared, one
     * syscall per file and health check, a good part of the daemon's idle cost. */
    ssize_t n;
    do n = read(fd, buf, cap - 1);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        int e = errno;
        rg_sys_close(fd);
        return -e;
    }
    size_t used = (size_t)n;
    rg_sys_close(fd);
    buf[used] = '\0';
    return (ssize_t)used;
}

int guard_proc_read_stat(pid_t pid, guard_proc_stat *out) {
    char buf[STAT_MAX];
    ssize_t n = read_proc(pid, "stat", buf, sizeof buf);
    if (n < 0) return (int)n;
    if (n == 0) return -ESRCH;
    return guard_proc_parse_stat(buf, (size_t)n, out);
}

int guard_proc_read_status(pid_t pid, guard_proc_status *out) {
    char *buf = malloc(STATUS_MAX);
    if (!buf) return -ENOMEM;
    ssize_t n = read_proc(pid, "status", buf, STATUS_MAX);
    int rc = n < 0 ? (int)n : n == 0 ? -ESRCH : guard_proc_parse_status(buf, (size_t)n, out);
    free(buf);
    return rc;
}

int guard_proc_read_io(pid_t pid, guard_proc_io *out) {
    char buf[IO_MAX];
    ssize_t n = read_proc(pid, "io", buf, sizeof buf);
    if (n < 0) return (int)n;
    return guard_proc_parse_io(buf, (size_t)n, out);
}

int guard_proc_read_wchan(pid_t pid, char *buf, size_t buflen) {
    if (buflen < 2) return -EINVAL;
    ssize_t n = read_proc(pid, "wchan", buf, buflen);
    if (n < 0) return (int)n;
    while (n > 0 && isspace((unsigned char)buf[n - 1])) buf[--n] = '\0';
    return 0;
}

long guard_proc_clk_tck(void) {
    static long tck;
    if (tck <= 0) {
        long t = sysconf(_SC_CLK_TCK);
        tck = t > 0 ? t : 100; /* 100 is what every Linux ABI reports */
    }
    return tck;
}

uint64_t guard_proc_cpu_ns(const guard_proc_stat *st) {
    uint64_t ticks = st->utime_ticks + st->stime_ticks;
    long tck = guard_proc_clk_tck();
    /* split to avoid overflowing ticks * 1e9 */
    return ticks / (uint64_t)tck * 1000000000ull + ticks % (uint64_t)tck * 1000000000ull / (uint64_t)tck;
}

int guard_proc_identity_of(pid_t pid, guard_proc_identity *out) {
    guard_proc_stat st;
    int rc = guard_proc_read_stat(pid, &st);
    if (rc < 0) return rc == -EINVAL ? rc : -ESRCH;
    out->pid = pid;
    out->starttime_ticks = st.starttime_ticks;
    return 0;
}

int guard_proc_identity_check(const guard_proc_identity *id) {
    guard_proc_stat st;
    int rc = guard_proc_read_stat(id->pid, &st);
    if (rc == -EINVAL) return rc;
    if (rc < 0) return -ESRCH;
    if (st.starttime_ticks != id->starttime_ticks) return -ESTALE;
    if (st.state == 'Z' || st.state == 'X' || st.state == 'x') return -ECHILD;
    return 0;
}

int guard_proc_scan(guard_proc_stat **tab, size_t *n) {
    *tab = NULL;
    *n = 0;
    DIR *dir = opendir("/proc");
    if (!dir) return -errno;
    size_t cap = 0, used = 0;
    guard_proc_stat *v = NULL;
    int rc = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid > INT_MAX) continue;
        if (used == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            guard_proc_stat *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                rc = -ENOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        if (guard_proc_read_stat((pid_t)pid, &v[used]) == 0) used++;
    }
    closedir(dir);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *tab = v;
    *n = used;
    return 0;
}

int guard_proc_find_by_arg(const char *needle, pid_t self, guard_proc_identity *out) {
    DIR *dir = opendir("/proc");
    if (!dir) return -errno;
    char *buf = malloc(STATUS_MAX);
    if (!buf) {
        closedir(dir);
        return -ENOMEM;
    }
    int found = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid > INT_MAX || pid == self) continue;
        ssize_t n = read_proc((pid_t)pid, "cmdline", buf, STATUS_MAX);
        if (n <= 0 || !guard_proc_cmdline_has(buf, (size_t)n, needle)) continue;
        guard_proc_stat st;
        if (guard_proc_read_stat((pid_t)pid, &st) < 0 || st.state == 'Z' || st.state == 'X') continue;
        if (!found || st.starttime_ticks < out->starttime_ticks ||
            (st.starttime_ticks == out->starttime_ticks && st.pid < out->pid)) {
            out->pid = st.pid;
            out->starttime_ticks = st.starttime_ticks;
            found = 1;
        }
    }
    free(buf);
    closedir(dir);
    return found ? 0 : -ESRCH;
}
