/* rg_bag — the layout of a bag directory: the one place its file names are made and read.
 *
 * Owns: segment names (<dir>/<name>_<N>.mcap) and their parse back into (dir, name, N), the
 * recovered stand-in of a cut segment (<stem>.recovered.mcap, what `recguard recover` writes),
 * a segment's recorder log (<stem>.log) and post-crash hook log (<segment>.hook.log), the
 * bag-level files (metadata.yaml, recorder.stats, recguard.jsonl), the stem and index of a
 * file name, the segment order (same name: by N numerically, so _2 before _10), and the
 * ordered list of a bag's segments in which a recovered file stands in for its original.
 * Used by the recorder, the daemon, the bag verbs (info, recover) and the web dashboard.
 *
 * Pure but for rg_bag_list (readdir, stat). Paths that do not fit return -ENAMETOOLONG.
 */
#ifndef RG_BAG_H
#define RG_BAG_H

#include <stddef.h>

#define RG_BAG_EXT ".mcap"                     /* a segment */
#define RG_BAG_RECOVERED_EXT ".recovered.mcap" /* what recover made of a cut segment */
#define RG_BAG_LOG_EXT ".log"                  /* the recorder's log, beside its first segment */
#define RG_BAG_HOOK_LOG_EXT ".hook.log"        /* the post-crash hook's log, after the segment */
#define RG_BAG_METADATA "metadata.yaml"        /* rosbag2 metadata, in the bag directory */
#define RG_BAG_STATS "recorder.stats"          /* the recorder's stats file (bag or state dir) */
#define RG_BAG_JOURNAL "recguard.jsonl"        /* the daemon's session journal, in the bag */
#define RG_BAG_MAX_INDEX 99999999u             /* largest segment index parsed from a name */

typedef struct rg_bag_file {
    char *path;  /* full path (dir/name, or name when dir is "") */
    char *name;  /* file name */
    char *stem;  /* name without ".recovered.mcap" / ".mcap" */
    long index;  /* trailing _N of the stem, -1 when none */
} rg_bag_file;

/* <dir>/<name>_<index>.mcap. 0 or -ENAMETOOLONG. */
int rg_bag_segment_path(char *out, size_t outlen, const char *dir, const char *name, unsigned index);
/* Split a segment path "<dir>/<name>_<N>.mcap" (or "<dir>/<name>.mcap": *has_index 0) into its
 * parts; dir is "." for a bare file name. 0, or -EINVAL when it is not a .mcap path with a
 * name, -ENAMETOOLONG. */
int rg_bag_segment_parse(const char *path, char *dir, size_t dirlen, char *name, size_t namelen,
                         unsigned *index, int *has_index);
/* X.mcap -> X.recovered.mcap (any other name gets the suffix appended). */
int rg_bag_recovered_path(char *out, size_t outlen, const char *segment);
/* X.mcap -> X.log. */
int rg_bag_log_path(char *out, size_t outlen, const char *segment);
/* X.mcap -> X.mcap.hook.log. */
int rg_bag_hook_log_path(char *out, size_t outlen, const char *segment);
/* <dir>/<file> for the bag-level names above. */
int rg_bag_file_path(char *out, size_t outlen, const char *dir, const char *file);
/* 1 when name ends in .mcap (recovered ones included), 1 for rg_bag_is_recovered on
 * .recovered.mcap. */
int rg_bag_is_segment(const char *name);
int rg_bag_is_recovered(const char *name);
/* Segment order of two entries (qsort comparator over rg_bag_file). */
int rg_bag_cmp(const void *a, const void *b);
/* Append one file (dir "" = path is name) to a list. 0 or -ENOMEM. */
int rg_bag_list_add(rg_bag_file **files, size_t *n, const char *dir, const char *name);
/* The segments of a bag directory in order, X.recovered.mcap standing in for X.mcap.
 * 0 or -errno. */
int rg_bag_list(const char *dir, rg_bag_file **out, size_t *nout);
void rg_bag_list_free(rg_bag_file *f, size_t n);

#endif
