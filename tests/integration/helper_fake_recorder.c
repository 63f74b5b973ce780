/* helper_fake_recorder — a small, configurable stand-in for a recorder, for the guardian's
 * integration tests and benchmark. It writes text records to its segment file at a given rate
 * and misbehaves on request:
 *
 *   --out PATH            segment file to create (O_EXCL: an overwrite attempt fails loudly)
 *   --rate BYTES          bytes per second written (default 32768), in 20 ms slices
 *   --crash-after SEC     abort(), or exit with --exit-code when given, after SEC seconds
 *   --exit-code N         exit code used by --crash-after
 *   --hang-after SEC      raise(SIGSTOP) on itself after SEC seconds (a hang)
 *   --stall-after SEC     stop writing after SEC seconds but stay alive (a stall)
 *   --grow MIB            allocate and touch MIB MiB more every second (a leak)
 *   --ignore-signals      ignore SIGINT and SIGTERM (only SIGKILL ends it)
 *   --flush-ms MS         on SIGINT/SIGTERM, take MS ms to "flush" before exiting 0
 *   --spawn-log FILE      append "<pid> <out> <CLOCK_REALTIME ns>\n" to FILE at start (tests
 *                         count spawns, the benchmark times restarts)
 *   --auto-out DIR        write DIR/seg_<N>.mcap with the first free N (for supervisors that
 *                         cannot give each start a fresh path, e.g. supervisord)
 *   --once FILE           misbehave (crash, hang, stall, grow) only while FILE does not exist;
 *                         FILE is created when the misbehaviour starts, so the replacement
 *                         recorder runs normally
 *   --cap MIB             exit 99 ("out of memory") once --grow has allocated MIB MiB: a test
 *                         asserts the daemon restarted the recorder before it got there
 *
 * Times are fractional seconds. It is its own process: the daemon spawns it like any recorder.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static void *hoard[4096]; /* the "leak" stays reachable: LeakSanitizer must not abort the fake */
static unsigned nhoard;

static void on_stop(int sig) {
    (void)sig;
    stop_requested = 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void) {
    fprintf(stderr, "usage: helper_fake_recorder --out PATH [--rate B] [--crash-after S] [--exit-code N]\n"
                    "  [--hang-after S] [--stall-after S] [--grow MIB] [--ignore-signals] [--flush-ms MS]\n"
                    "  [--spawn-log FILE]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *out = NULL, *spawn_log = NULL, *once = NULL, *auto_out = NULL;
    char auto_path[4096];
    double cap = 0, grown = 0;
    double rate = 32768, crash_after = -1, hang_after = -1, stall_after = -1, grow = 0;
    int exit_code = -1, ignore = 0, flush_ms = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--ignore-signals") == 0) { ignore = 1; continue; }
        if (!v) usage();
        if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--rate") == 0) rate = atof(v);
        else if (strcmp(a, "--crash-after") == 0) crash_after = atof(v);
        else if (strcmp(a, "--exit-code") == 0) exit_code = atoi(v);
        else if (strcmp(a, "--hang-after") == 0) hang_after = atof(v);
        else if (strcmp(a, "--stall-after") == 0) stall_after = atof(v);
        else if (strcmp(a, "--grow") == 0) grow = atof(v);
        else if (strcmp(a, "--flush-ms") == 0) flush_ms = atoi(v);
        else if (strcmp(a, "--spawn-log") == 0) spawn_log = v;
        else if (strcmp(a, "--once") == 0) once = v;
        else if (strcmp(a, "--auto-out") == 0) auto_out = v;
        else if (strcmp(a, "--cap") == 0) cap = atof(v);
        else usage();
        i++;
    }
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    if (auto_out) {
        for (int n = 0;; n++) {
            snprintf(auto_path, sizeof auto_path, "%s/seg_%d.mcap", auto_out, n);
            if (access(auto_path, F_OK) != 0) break;
        }
        out = auto_path;
    }
    if (!out) usage();
    if (spawn_log) {
        FILE *f = fopen(spawn_log, "a");
        if (f) {
            fprintf(f, "%d %s %lld\n", (int)getpid(), out,
                    (long long)rt.tv_sec * 1000000000LL + rt.tv_nsec);
            fclose(f);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ignore ? SIG_IGN : on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    if (once && access(once, F_OK) == 0) crash_after = hang_after = stall_after = grow = -1;
    int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "fake recorder: open(%s): %s\n", out, strerror(errno));
        return 1;
    }
    fprintf(stderr, "fake recorder %d writing %s\n", (int)getpid(), out);
    double t0 = now_s(), next_grow = t0 + 1;
    unsigned long seq = 0;
    double owed = 0;
    char rec[128];
    while (!stop_requested) {
        double t = now_s() - t0;
        if (once && ((crash_after >= 0 && t >= crash_after) || (hang_after >= 0 && t >= hang_after) ||
                     (stall_after >= 0 && t >= stall_after) || grow > 0)) {
            int m = open(once, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (m >= 0) close(m);
            once = NULL;
        }
        if (crash_after >= 0 && t >= crash_after) {
            if (exit_code >= 0) _exit(exit_code);
            abort();
        }
        if (hang_after >= 0 && t >= hang_after) {
            hang_after = -1;
            raise(SIGSTOP);
        }
        if (grow > 0 && now_s() >= next_grow) {
            size_t n = (size_t)(grow * 1024 * 1024);
            char *p = malloc(n);
            if (p) memset(p, 0x5a, n); /* touched: counts in RSS; kept: a leak */
            if (nhoard < sizeof hoard / sizeof hoard[0]) hoard[nhoard++] = p;
            next_grow += 1;
            grown += grow;
            if (cap > 0 && grown >= cap) {
                fprintf(stderr, "fake recorder: reached the memory cap of %.0f MiB\n", cap);
                _exit(99);
            }
        }
        if (stall_after < 0 || t < stall_after) {
            owed += rate * 0.02;
            while (owed >= 1) {
                int n = snprintf(rec, sizeof rec, "pid %d seq %lu t %.3f\n", (int)getpid(), seq++, t);
                if (n > owed && owed < (double)sizeof rec) n = (int)owed;
                if (write(fd, rec, (size_t)n) < 0) {
                    fprintf(stderr, "fake recorder: write(%s): %s\n", out, strerror(errno));
                    return 1;
                }
                owed -= n;
            }
        }
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (flush_ms > 0) {
        struct timespec ts = {flush_ms / 1000, (flush_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    fsync(fd);
    close(fd);
    fprintf(stderr, "fake recorder %d stopped cleanly\n", (int)getpid());
    return 0;
}
