/* rec_mcapcfg — rosbag2 MCAP plugin settings mapped onto our MCAP writer: the storage preset
 * profiles (`--storage-preset-profile`) and the writer options YAML (`--storage-config-file`,
 * the keys of mcap::McapWriterOptions).
 *
 * Owns what each of those means here. Presets (as rosbag2_storage_mcap defines them):
 *   none        the writer's defaults (uncompressed 768 KiB chunks, CRCs on)
 *   fastwrite   no compression, no chunk CRCs; rosbag2 also writes no chunks and no index, but
 *               recguard keeps both: chunks carry its 1 s crash-loss bound, the index `recover`
 *   zstd_fast   zstd at its fastest level, no chunk CRCs
 *   zstd_small  zstd at its slowest level (19), 4 MiB chunks, CRCs on
 * YAML keys: noCRC, chunkSize, compression (None/Lz4/Zstd), compressionLevel (Fastest, Fast,
 * Default, Slow, Slowest -> zstd 1, 3, the writer's default, 9, 19), forceCompression and
 * enableDataCRC (accepted: every chunk is compressed and the data CRC always written); the
 * no* switches for chunking, indexes, summary, statistics and repeated records are accepted as
 * false and refused as true (recguard always writes them); anything else is refused by name.
 *
 * Pure but for rec_mcapcfg_load (reads the file).
 */
#ifndef REC_MCAPCFG_H
#define REC_MCAPCFG_H

#include <stddef.h>

#include "mcap/mcap_writer.h"

#define REC_MCAPCFG_MAX_BYTES (64u << 10) /* larger storage config files are refused */
#define REC_MCAPCFG_ZSTD_SLOWEST 19       /* "Slowest" / zstd_small: zstd's top non-ultra level */

/* Apply a preset by name. 0, or -EINVAL with err naming it. */
int rec_mcapcfg_preset(const char *name, mcap_writer_options *mo, char *err, size_t errlen);
/* Apply writer options YAML text (name labels it in messages). 0 or -EINVAL / -ENOMEM with err. */
int rec_mcapcfg_parse(const char *name, const char *text, size_t len, mcap_writer_options *mo,
                      char *err, size_t errlen);
/* Read and apply a storage config file. 0 or -errno with err naming the file. */
int rec_mcapcfg_load(const char *path, mcap_writer_options *mo, char *err, size_t errlen);

#endif
