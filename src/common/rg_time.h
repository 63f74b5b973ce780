/* rg_time — clocks. The only place that reads the system clocks; pure logic elsewhere takes
 * times as arguments (nanoseconds, int64) so unit tests can drive it without sleeping. */
#ifndef RG_TIME_H
#define RG_TIME_H

#include <stddef.h>
#include <stdint.h>

#define RG_NS_PER_MS 1000000LL   /* nanoseconds per millisecond */
#define RG_NS_PER_S 1000000000LL /* nanoseconds per second */

int64_t rg_time_mono_ns(void); /* CLOCK_MONOTONIC: intervals, timeouts */
int64_t rg_time_real_ns(void); /* CLOCK_REALTIME: timestamps written to disk */
/* Format a realtime ns value as RFC 3339 UTC with milliseconds ("2026-11-27T09:38:43.123Z").
 * buf must hold RG_TIME_ISO_LEN bytes. Returns buf. */
#define RG_TIME_ISO_LEN 32
char *rg_time_iso(int64_t real_ns, char *buf);

#endif
