/* web_bags — the bag folders under the daemon's output directory, for /api/bags and downloads.
 *
 * Owns the listing (size, duration, segments, messages per topic from each segment's MCAP
 * summary, recovered or not) and the resolution of a download URL to a file. A bag folder is
 * a direct subdirectory of the output dir holding at least one .mcap file; symlinks are never
 * followed, and names pass web_check_name, so no URL reaches a file outside a bag folder.
 */
#ifndef WEB_BAGS_H
#define WEB_BAGS_H

#include <jansson.h>
#include <stddef.h>

#define WEB_BAGS_MAX 100 /* newest bag folders listed */

/* Array of bag objects, newest first (new reference), or NULL with err when the output dir
 * cannot be read. Each object: name, size_bytes, segments, duration_s (null when unknown),
 * messages, topics {name: count}, indexed (every segment had a summary), recovered
 * (recover output present), files [names], mtime (RFC 3339). */
json_t *web_bags_list(const char *output_dir, char *err, size_t errlen);

/* Open output_dir/bag/file for reading when both names are safe, the bag is a real directory
 * and the file a regular file, neither a symlink (checked on the open descriptors, so a swap
 * between check and use cannot redirect it). fd (close-on-exec) or -ENOENT / -EINVAL. */
int web_bags_open(const char *output_dir, const char *bag, const char *file);

#endif
