/* rdds_typehash — the type description hash a ROS 2 publisher announces in its USER_DATA QoS.
 *
 * Owns: a pure parser of rmw's USER_DATA encoding and of the `typehash` entry in it. rmw
 * (Iron, Jazzy: rmw_cyclonedds, rmw_fastrtps) puts "typehash=RIHS01_<64 hex digits>;" in every
 * reader's and writer's user data, after any other entries it has (a service endpoint's id...).
 * The encoding is a list of `key=value;` entries: keys alphanumeric, values non-empty; a run of
 * ';' ends a value, each ';' after the first a literal one at the value's end (";;" escapes a
 * ';', as rmw reads it); the last ';' optional, NULs after the last entry ignored (padding); a
 * later entry of the same key wins. The hash is rosidl's RIHS01 string: "RIHS", a two-digit
 * hex version (01), '_', then the 32-byte SHA-256 of the type description as 64 hex digits.
 *
 * User data is outside input (any DDS application may set any bytes): every byte is checked
 * before use, nothing is allocated, nothing is printed.
 */
#ifndef RDDS_TYPEHASH_H
#define RDDS_TYPEHASH_H

#include <stddef.h>

#define RDDS_TYPEHASH_LEN 71       /* strlen("RIHS01_") + 64 hex digits */
#define RDDS_TYPEHASH_KEY "typehash" /* rmw's USER_DATA key */

/* Find the type hash in `len` bytes of user data. Returns
 *   0        out = the hash, its hex digits lowercased (rosbag2 re-stringifies it that way);
 *   -ENOENT  no typehash entry, or bytes that are not a key=value list at all (another
 *            application's user data, which rmw ignores too); out = "";
 *   -EINVAL  a typehash entry that is not a RIHS01 hash; out = "", and *why (unless why is
 *            NULL) a static phrase saying what is wrong ("wrong length", ...).
 * out holds RDDS_TYPEHASH_LEN + 1 bytes. data may be NULL when len is 0. */
int rdds_typehash_parse(const void *data, size_t len, char *out, const char **why);

#endif
