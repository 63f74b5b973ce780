/* rg_time — see rg_time.h. */
#include "common/rg_time.h"

#include <stdio.h>
#include <time.h>

static int64_t read_clock(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * RG_NS_PER_S + ts.tv_nsec;
}

int64_t rg_time_mono_ns(void) { return read_clock(CLOCK_MONOTONIC); }
int64_t rg_time_real_ns(void) { return read_clock(CLOCK_REALTIME); }

char *rg_time_iso(int64_t real_ns, char *buf) {
    time_t secs = (time_t)(real_ns / RG_NS_PER_S);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char date[24];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, RG_TIME_ISO_LEN, "%.20s.%03dZ", date, (int)((real_ns % RG_NS_PER_S) / RG_NS_PER_MS));
    return buf;
}
