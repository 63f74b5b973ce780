/* test_guard_health — health evaluation driven by injected samples on a fake clock: progress
 * and readiness, start and stall timeouts, SIGSTOP/D-state hangs, memory levels, CPU %, disk
 * levels and the smoothed time-to-full; exact reason sentences. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "guard/guard_health.h"

#define S 1000000000LL
#define MS 1000000LL
#define MIB (1024ull * 1024)
#define GIB (1024ull * MIB)

static guard_health_cfg cfg_all_off(void) {
    guard_health_cfg c;
    memset(&c, 0, sizeof c);
    return c;
}

static guard_health_sample proc_sample(int64_t now, char state, uint64_t out_bytes) {
    guard_health_sample s = {.now_ns = now, .has_proc = 1, .state = state, .has_output = 1,
                             .output_bytes = out_bytes};
    return s;
}

static int has_reason(const guard_health_report *r, const char *text) {
    for (unsigned i = 0; i < r->nreasons; i++)
        if (strcmp(r->reasons[i], text) == 0) return 1;
    return 0;
}

static void expect_reason(const guard_health_report *r, const char *text) {
    if (has_reason(r, text)) return;
    fprintf(stderr, "want reason: %s\n", text);
    for (unsigned i = 0; i < r->nreasons; i++) fprintf(stderr, "  have: %s\n", r->reasons[i]);
    fail();
}

static void test_defaults(void **st) {
    (void)st;
    guard_health_cfg c;
    guard_health_cfg_defaults(&c);
    assert_int_equal(c.start_timeout_ns, 30 * S);
    assert_int_equal(c.stall_timeout_ns, 10 * S);
    assert_int_equal(c.hang_timeout_ns, 10 * S);
    assert_int_equal(c.mem_critical_bytes, 0);
    assert_true(c.disk_stop_pct > c.disk_warning_pct);
    assert_true(c.disk_stop_free < c.disk_warning_free);
    assert_int_equal(c.disk_ttf_limit_ns, 30 * S);
}

/* First sample with bytes = first sign of life; unchanged output is not progress; growth is;
 * a heartbeat that moves is progress without any output growth. */
static void test_progress(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    guard_health_sample s = proc_sample(1 * S, 'S', 0);
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_PROGRESS);
    assert_int_equal(r.verdict, GUARD_HEALTH_OK);
    assert_int_equal(r.since_progress_ns, 1 * S);
    s = proc_sample(2 * S, 'S', 4096);
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_PROGRESS);
    assert_int_equal(r.since_progress_ns, 0);
    s = proc_sample(3 * S, 'S', 4096);
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_PROGRESS);
    /* heartbeat: appears (progress), stays (no), moves (yes) */
    s.now_ns = 4 * S; s.has_heartbeat = 1; s.heartbeat = 77;
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_PROGRESS);
    s.now_ns = 5 * S;
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_PROGRESS);
    s.now_ns = 6 * S; s.heartbeat = 78;
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_PROGRESS);
    /* a shrinking file (rotated by the recorder) is not progress */
    s.now_ns = 7 * S; s.output_bytes = 100;
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_PROGRESS);
}

/* Before any progress the start timeout applies, after it the stall timeout. */
static void test_start_and_stall_timeouts(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    c.start_timeout_ns = 30 * S;
    c.stall_timeout_ns = 10 * S;
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 100 * S);
    for (int64_t t = 101; t < 130; t++) {
        guard_health_sample s = proc_sample(t * S, 'S', 0);
        guard_health_eval(&h, &s, &r);
        assert_false(r.flags & GUARD_HEALTH_STALL); /* the stall timeout (10 s) is not used yet */
    }
    guard_health_sample s = proc_sample(130 * S, 'S', 0);
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_STALL);
    assert_int_equal(r.verdict, GUARD_HEALTH_CRITICAL);
    expect_reason(&r, "no progress 30.0 s after start (start timeout 30.0 s)");

    guard_health_init(&h, &c, 0);
    s = proc_sample(1 * S, 'S', 10);
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_PROGRESS);
    s = proc_sample(11 * S - 1, 'S', 10);
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_STALL);
    s = proc_sample(11 * S + 200 * MS, 'S', 10);
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_STALL);
    assert_true(r.flags & GUARD_HEALTH_RESTART_MASK);
    expect_reason(&r, "no output for 10.2 s (stall timeout 10.0 s)");
    /* progress again clears it */
    s = proc_sample(12 * S, 'S', 20);
    guard_health_eval(&h, &s, &r);
    assert_int_equal(r.flags, GUARD_HEALTH_PROGRESS);
    assert_int_equal(r.verdict, GUARD_HEALTH_OK);
    /* 0 disables */
    c.stall_timeout_ns = 0;
    guard_health_init(&h, &c, 0);
    s = proc_sample(1 * S, 'S', 10);
    guard_health_eval(&h, &s, &r);
    s = proc_sample(1000 * S, 'S', 10);
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_STALL);
}

/* SIGSTOP: warning while shorter than the hang timeout, critical HANG after; running again
 * clears it; a D-state period is measured separately from a T period. */
static void test_hang(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    c.hang_timeout_ns = 3 * S;
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    guard_health_sample s = {.now_ns = 1 * S, .has_proc = 1, .state = 'T'};
    guard_health_eval(&h, &s, &r);
    assert_int_equal(r.verdict, GUARD_HEALTH_WARNING);
    assert_true(r.flags & GUARD_HEALTH_STUCK);
    expect_reason(&r, "stopped (SIGSTOP) for 0.0 s");
    s.now_ns = 3 * S;
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_HANG);
    s.now_ns = 4 * S;
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_HANG);
    assert_false(r.flags & GUARD_HEALTH_STUCK);
    assert_int_equal(r.verdict, GUARD_HEALTH_CRITICAL);
    expect_reason(&r, "stopped (SIGSTOP) for 3.0 s (hang timeout 3.0 s)");
    /* running again */
    s.now_ns = 5 * S; s.state = 'R';
    guard_health_eval(&h, &s, &r);
    assert_int_equal(r.verdict, GUARD_HEALTH_OK);
    /* D for a while, then T: T's clock starts when T is first seen */
    s.now_ns = 6 * S; s.state = 'D';
    guard_health_eval(&h, &s, &r);
    s.now_ns = 8 * S;
    guard_health_eval(&h, &s, &r);
    expect_reason(&r, "in uninterruptible sleep (D) for 2.0 s");
    s.now_ns = 9 * S; s.state = 'T';
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_HANG);
    s.now_ns = 12 * S; s.state = 't';
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_HANG);
    expect_reason(&r, "stopped by a tracer for 0.0 s");
    /* a brief D state under fsync does not warn once gone */
    s.now_ns = 13 * S; s.state = 'S';
    guard_health_eval(&h, &s, &r);
    assert_int_equal(r.nreasons, 0);
    /* zombie */
    s.now_ns = 14 * S; s.state = 'Z';
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_ZOMBIE);
    assert_int_equal(r.verdict, GUARD_HEALTH_WARNING);
    /* without /proc data the state is not judged */
    guard_health_sample none = {.now_ns = 100 * S};
    guard_health_eval(&h, &none, &r);
    assert_int_equal(r.flags, 0);
}

static void test_memory_and_cpu(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    c.mem_warning_bytes = 600 * MIB;
    c.mem_critical_bytes = 800 * MIB;
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    guard_health_sample s = {.now_ns = 1 * S, .has_proc = 1, .state = 'S', .cpu_ns = 2 * S,
                             .has_rss = 1, .rss_bytes = 100 * MIB};
    guard_health_eval(&h, &s, &r);
    assert_int_equal(r.verdict, GUARD_HEALTH_OK);
    assert_true(r.cpu_pct < 0); /* unknown on the first sample */
    assert_int_equal(r.rss_bytes, 100 * MIB);
    s.now_ns = 3 * S; s.cpu_ns = 3 * S; s.rss_bytes = 612 * MIB;
    guard_health_eval(&h, &s, &r);
    assert_true(r.cpu_pct > 49.9 && r.cpu_pct < 50.1);
    assert_int_equal(r.verdict, GUARD_HEALTH_WARNING);
    assert_true(r.flags & GUARD_HEALTH_MEM_WARN);
    expect_reason(&r, "rss 612 MiB > warning 600 MiB");
    assert_true(r.io_write_bps < 0); /* no io data */
    s.now_ns = 4 * S; s.cpu_ns = 5 * S; s.rss_bytes = 812 * MIB;
    guard_health_eval(&h, &s, &r);
    assert_true(r.cpu_pct > 199.9 && r.cpu_pct < 200.1); /* two busy threads */
    assert_true(r.flags & GUARD_HEALTH_MEM_CRITICAL);
    assert_false(r.flags & GUARD_HEALTH_MEM_WARN);
    assert_true(r.flags & GUARD_HEALTH_RESTART_MASK);
    expect_reason(&r, "rss 812 MiB > critical 800 MiB");
}

/* A disk of 30 GiB, 1.2 GiB free, filling at 30 MiB/s: about 41 s to full. */
static void test_disk_ttf(void **st) {
    (void)st;
    guard_health_cfg c;
    guard_health_cfg_defaults(&c);
    c.start_timeout_ns = c.stall_timeout_ns = c.hang_timeout_ns = 0;
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    uint64_t total = 30 * GIB;
    uint64_t free_b = (uint64_t)(1.2 * (double)GIB) + 5 * 30 * MIB;
    guard_health_sample s = {.has_disk = 1, .disk_total_bytes = total};
    for (int t = 0; t <= 5; t++) {
        s.now_ns = t * S;
        s.disk_free_bytes = free_b;
        guard_health_eval(&h, &s, &r);
        free_b -= 30 * MIB;
    }
    assert_true(r.write_rate_bps > 29.9 * MIB && r.write_rate_bps < 30.1 * MIB);
    assert_true(r.ttf_ns > 40 * S && r.ttf_ns < 42 * S);
    assert_int_equal(r.verdict, GUARD_HEALTH_WARNING);
    assert_true(r.flags & GUARD_HEALTH_DISK_WARN);
    assert_true(r.disk_used_pct > 95.9 && r.disk_used_pct < 96.1);
    expect_reason(&r, "disk 96% full, 1.2 GiB free, ~41.0 s to full at 30 MiB/s (warning level 90%)");
    /* the same with a 60 s time-to-full limit: stop */
    c.disk_ttf_limit_ns = 60 * S;
    h.cfg = c;
    s.now_ns = 6 * S;
    s.disk_free_bytes = free_b;
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_DISK_STOP);
    assert_false(r.flags & GUARD_HEALTH_RESTART_MASK); /* disk low stops, never restarts */
    assert_int_equal(r.verdict, GUARD_HEALTH_CRITICAL);
    char want[160];
    snprintf(want, sizeof want, "disk 96%% full, %s free, ~%.1f s to full at 30 MiB/s (time to "
             "full under 60.0 s)", "1.2 GiB", (double)free_b / (30.0 * MIB));
    expect_reason(&r, want);
}

/* Smoothing: a burst moves the rate partly; deleted files do not make the rate negative. */
static void test_disk_rate_smoothing(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    guard_health_sample s = {.has_disk = 1, .disk_total_bytes = 100 * GIB,
                             .disk_free_bytes = 50 * GIB};
    guard_health_eval(&h, &s, &r);
    assert_true(r.write_rate_bps < 0); /* unknown */
    assert_int_equal(r.ttf_ns, -1);
    s.now_ns = 1 * S; s.disk_free_bytes -= 10 * MIB;
    guard_health_eval(&h, &s, &r);
    assert_true(r.write_rate_bps > 9.99 * MIB && r.write_rate_bps < 10.01 * MIB);
    s.now_ns = 2 * S; s.disk_free_bytes -= 110 * MIB; /* a 110 MiB/s burst */
    guard_health_eval(&h, &s, &r);
    double want = GUARD_HEALTH_RATE_ALPHA * 110 * MIB + (1 - GUARD_HEALTH_RATE_ALPHA) * 10 * MIB;
    assert_true(r.write_rate_bps > want - 1 && r.write_rate_bps < want + 1);
    s.now_ns = 3 * S; s.disk_free_bytes += 5 * GIB; /* someone deleted files */
    guard_health_eval(&h, &s, &r);
    assert_true(r.write_rate_bps >= 0);
    assert_true(r.write_rate_bps < want);
    /* a disk that does not fill has no time-to-full */
    for (int t = 4; t < 40; t++) {
        s.now_ns = t * S;
        guard_health_eval(&h, &s, &r);
    }
    assert_int_equal(r.ttf_ns, -1);
    assert_int_equal(r.verdict, GUARD_HEALTH_OK);
}

/* One burst right after start (someone copies a big file) does not stop recording through
 * the time-to-full; a fill that keeps going does, from the third rate sample on. */
static void test_disk_ttf_needs_a_trend(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    c.disk_ttf_limit_ns = 30 * S;
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    guard_health_sample s = {.has_disk = 1, .disk_total_bytes = 100 * GIB,
                             .disk_free_bytes = 50 * GIB};
    guard_health_eval(&h, &s, &r);
    s.now_ns = 1 * S; s.disk_free_bytes -= 2 * GIB; /* 2 GiB/s for one second */
    guard_health_eval(&h, &s, &r);
    assert_true(r.ttf_ns > 0 && r.ttf_ns < 30 * S); /* reported ... */
    assert_false(r.flags & GUARD_HEALTH_DISK_STOP); /* ... but not acted on yet */
    s.now_ns = 2 * S; /* the burst is over */
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_DISK_STOP);
    s.now_ns = 3 * S;
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_DISK_STOP); /* the smoothed rate fell: ttf > 30 s */
    /* a sustained 2 GiB/s fill: stops once the trend is established */
    guard_health_init(&h, &c, 0);
    s = (guard_health_sample){.has_disk = 1, .disk_total_bytes = 100 * GIB,
                              .disk_free_bytes = 50 * GIB};
    int stopped_at = -1;
    for (int t = 0; t <= 6 && stopped_at < 0; t++) {
        s.now_ns = t * S;
        guard_health_eval(&h, &s, &r);
        if (r.flags & GUARD_HEALTH_DISK_STOP) stopped_at = t;
        s.disk_free_bytes -= 2 * GIB;
    }
    assert_int_equal(stopped_at, GUARD_HEALTH_TTF_MIN_SAMPLES);
    char want[32];
    snprintf(want, sizeof want, "(time to full under 30.0 s)");
    assert_non_null(strstr(r.reasons[0], want));
}

static void test_disk_levels(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    c.disk_stop_free = 256 * MIB;
    c.disk_warning_free = 1 * GIB;
    c.disk_stop_pct = 99;
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    guard_health_sample s = {.has_disk = 1, .disk_total_bytes = 64 * GIB,
                             .disk_free_bytes = 900 * MIB};
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_DISK_WARN);
    expect_reason(&r, "disk 99% full, 900 MiB free (warning level 1.0 GiB free)");
    s.now_ns = 1 * S; s.disk_free_bytes = 200 * MIB;
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_DISK_STOP);
    assert_false(r.flags & GUARD_HEALTH_DISK_WARN);
    /* percent stop on a small disk (64 MiB tmpfs, 1 MiB free) */
    c = cfg_all_off();
    c.disk_stop_pct = 95;
    guard_health_init(&h, &c, 0);
    guard_health_sample t = {.has_disk = 1, .disk_total_bytes = 64 * MIB, .disk_free_bytes = 1 * MIB};
    guard_health_eval(&h, &t, &r);
    assert_true(r.flags & GUARD_HEALTH_DISK_STOP);
    expect_reason(&r, "disk 98% full, 1.0 MiB free (stop level 95%)");
    /* free > total (statvfs of a strange fs) is clamped, no underflow */
    t.disk_free_bytes = 100 * MIB;
    guard_health_eval(&h, &t, &r);
    assert_true(r.disk_used_pct == 0.0);
}

/* A main thread seen in D at every sample while the output keeps growing is slow storage,
 * not a hang; once the growth stops, hang_timeout of D without progress is. */
static void test_d_state_with_progress(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    c.hang_timeout_ns = 3 * S;
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    uint64_t out = 0;
    for (int t = 1; t <= 10; t++) {
        out += 1 << 20;
        guard_health_sample s = proc_sample(t * S, 'D', out);
        guard_health_eval(&h, &s, &r);
        assert_false(r.flags & GUARD_HEALTH_HANG);
    }
    assert_true(r.flags & GUARD_HEALTH_STUCK);
    expect_reason(&r, "in uninterruptible sleep (D) for 9.0 s, still making progress");
    /* the output stops growing, still in D: the clock runs from the last progress (10 s) */
    guard_health_sample s = proc_sample(12 * S, 'D', out);
    guard_health_eval(&h, &s, &r);
    assert_false(r.flags & GUARD_HEALTH_HANG);
    s = proc_sample(13 * S, 'D', out);
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_HANG);
    expect_reason(&r, "in uninterruptible sleep (D) for 3.0 s without progress (hang timeout 3.0 s)");
    /* D that begins after the last progress counts from its own start */
    s = proc_sample(14 * S, 'S', out + 1);
    guard_health_eval(&h, &s, &r);
    assert_int_equal(r.verdict, GUARD_HEALTH_OK);
    s = proc_sample(20 * S, 'D', out + 1);
    guard_health_eval(&h, &s, &r);
    expect_reason(&r, "in uninterruptible sleep (D) for 0.0 s");
    s = proc_sample(23 * S, 'D', out + 1);
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_HANG);
    /* SIGSTOP is a hang whatever the output did before */
    guard_health_init(&h, &c, 0);
    s = proc_sample(1 * S, 'S', 10);
    guard_health_eval(&h, &s, &r);
    s = proc_sample(2 * S, 'T', 20);
    guard_health_eval(&h, &s, &r);
    s = proc_sample(5 * S, 'T', 20);
    guard_health_eval(&h, &s, &r);
    assert_true(r.flags & GUARD_HEALTH_HANG);
}

/* Several problems at once: critical ones are listed first. */
static void test_reason_order(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    c.mem_warning_bytes = 1 * MIB;
    c.hang_timeout_ns = 1 * S;
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    guard_health_sample s = {.now_ns = 0, .has_proc = 1, .state = 'T', .has_rss = 1,
                             .rss_bytes = 2 * MIB};
    guard_health_eval(&h, &s, &r);
    s.now_ns = 2 * S;
    guard_health_eval(&h, &s, &r);
    assert_int_equal(r.nreasons, 2);
    assert_non_null(strstr(r.reasons[0], "hang timeout"));
    assert_non_null(strstr(r.reasons[1], "rss 2.0 MiB > warning 1.0 MiB"));
}

/* Bytes written (/proc io) and output growth, per second over the last interval. */
static void test_write_rates(void **st) {
    (void)st;
    guard_health_cfg c = cfg_all_off();
    guard_health h;
    guard_health_report r;
    guard_health_init(&h, &c, 0);
    guard_health_sample s = {.now_ns = 0, .has_io = 1, .write_bytes = 1000, .has_output = 1,
                             .output_bytes = 500};
    guard_health_eval(&h, &s, &r);
    assert_true(r.io_write_bps < 0);
    assert_true(r.output_bps < 0);
    s.now_ns = 2 * S; s.write_bytes = 1000 + 20 * MIB; s.output_bytes = 500 + 10 * MIB;
    guard_health_eval(&h, &s, &r);
    assert_true(r.io_write_bps > 10 * MIB - 1 && r.io_write_bps < 10 * MIB + 1);
    assert_true(r.output_bps > 5 * MIB - 1 && r.output_bps < 5 * MIB + 1);
    s.now_ns = 3 * S; s.output_bytes = 0; /* a new segment began */
    guard_health_eval(&h, &s, &r);
    assert_true(r.output_bps == 0);
    assert_true(r.io_write_bps == 0);
}

static void test_names_and_format(void **st) {
    (void)st;
    char b[32];
    assert_string_equal(guard_health_fmt_bytes(0, b, sizeof b), "0 B");
    assert_string_equal(guard_health_fmt_bytes(1023, b, sizeof b), "1023 B");
    assert_string_equal(guard_health_fmt_bytes(1024, b, sizeof b), "1.0 KiB");
    assert_string_equal(guard_health_fmt_bytes(812 * MIB, b, sizeof b), "812 MiB");
    assert_string_equal(guard_health_fmt_bytes((uint64_t)(1.2 * GIB), b, sizeof b), "1.2 GiB");
    assert_string_equal(guard_health_fmt_bytes(UINT64_MAX, b, sizeof b), "16 EiB");
    assert_string_equal(guard_health_verdict_name(GUARD_HEALTH_CRITICAL), "critical");
    assert_string_equal(guard_health_flag_name(GUARD_HEALTH_STALL), "stall");
    assert_string_equal(guard_health_flag_name(GUARD_HEALTH_DISK_STOP), "disk_stop");
    assert_string_equal(guard_health_flag_name(GUARD_HEALTH_STUCK), "stuck");
    assert_string_equal(guard_health_flag_name(3), "?");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_start_and_stall_timeouts),
        cmocka_unit_test(test_hang),
        cmocka_unit_test(test_memory_and_cpu),
        cmocka_unit_test(test_disk_ttf),
        cmocka_unit_test(test_disk_rate_smoothing),
        cmocka_unit_test(test_disk_ttf_needs_a_trend),
        cmocka_unit_test(test_disk_levels),
        cmocka_unit_test(test_d_state_with_progress),
        cmocka_unit_test(test_reason_order),
        cmocka_unit_test(test_write_rates),
        cmocka_unit_test(test_names_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
