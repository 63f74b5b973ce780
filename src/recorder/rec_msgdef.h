/* rec_msgdef — ros2msg schema text for a ROS 2 type, built from .msg files.
 *
 * Owns the search roots and the texts built so far. A root is a directory holding
 * <pkg>/msg/<Type>.msg: an AMENT_PREFIX_PATH entry contributes PREFIX/share, a --msg-path DIR
 * and RECGUARD_MSG_PATH entries contribute themselves, and the project's own msgs/ directory
 * (next to the binary: ../msgs from build/, ../share/recguard/msgs when installed) comes last.
 * The first root holding a file wins.
 *
 * The text follows rosbag2's MCAP storage plugin (message_definition_cache.cpp), so a file we
 * write carries byte-for-byte the schema rosbag2 would write: the root .msg text, then for each
 * dependency not yet emitted, depth first, in sorted order of the names as written, a newline, a
 * line of 80 '=', a line `MSG: pkg/Type` and that type's text. Builtins, bounded strings,
 * arrays of either, constants and default values add no dependency; a bare `Header` means
 * std_msgs/Header; any other bare type `T` in package P means P/T.
 *
 * A missing definition is never fatal: the text is empty and a warning names what is missing.
 */
#ifndef REC_MSGDEF_H
#define REC_MSGDEF_H

#include <stddef.h>

#define REC_MSGDEF_MAX_DEPTH 50 /* nesting limit, as rosbag2 */

typedef struct rec_msgdef rec_msgdef;

int rec_msgdef_open(rec_msgdef **out);
void rec_msgdef_close(rec_msgdef *m); /* NULL is a no-op */

/* Add a root holding <pkg>/msg/<Type>.msg (kept only when it is a directory). */
int rec_msgdef_add_root(rec_msgdef *m, const char *dir);
/* Add every entry of a ':'-separated list of roots (RECGUARD_MSG_PATH). NULL is a no-op. */
int rec_msgdef_add_root_list(rec_msgdef *m, const char *list);
/* Add PREFIX/share for every entry of a ':'-separated AMENT_PREFIX_PATH. NULL is a no-op. */
int rec_msgdef_add_ament(rec_msgdef *m, const char *ament_prefix_path);
/* Add the project's msgs/ found relative to the binary at `exe` (../msgs, then
 * ../share/recguard/msgs). Returns 1 when one was found, 0 when not. */
int rec_msgdef_add_project(rec_msgdef *m, const char *exe);

/* The schema text of `type` ("pkg/msg/Type" or "pkg/Type"), owned by m and cached.
 * 0 with the text; or -ENOENT / -EINVAL with *text = "" (len 0) and a warning in warn naming the
 * type and the missing definition. */
int rec_msgdef_get(rec_msgdef *m, const char *type, const char **text, size_t *len, char *warn,
                   size_t warnlen);

#endif
