/* rec_mcapcfg — storage presets and MCAP writer options YAML (see rec_mcapcfg.h). */
#include "recorder/rec_mcapcfg.h"

#include "common/rg_fs.h"
#include "common/rg_num.h"
#include "common/rg_yaml.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int rec_mcapcfg_preset(const char *name, mcap_writer_options *mo, char *err, size_t errlen) {
    if (strcmp(name, "none") == 0) return 0;
    if (strcmp(name, "fastwrite") == 0) {
        mo->compression = MCAP_COMPRESSION_NONE;
        mo->chunk_crc = 0;
    } else if (strcmp(name, "zstd_fast") == 0) {
        mo->compression = MCAP_COMPRESSION_ZSTD;
        mo->compression_level = 1;
        mo->chunk_crc = 0;
    } else if (strcmp(name, "zstd_small") == 0) {
        mo->compression = MCAP_COMPRESSION_ZSTD;
        mo->compression_level = REC_MCAPCFG_ZSTD_SLOWEST;
        mo->chunk_size = 4u << 20;
        mo->chunk_crc = 1;
    } else {
        snprintf(err, errlen, "--storage-preset-profile %s: expected none, fastwrite, zstd_fast or zstd_small",
                 name);
        return -EINVAL;
    }
    return 0;
}

static int bool_of(const char *s) {
    if (!s) return -1;
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) return 1;
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) return 0;
    return -1;
}

/* Switches recguard cannot turn off: accepted as false, refused as true. */
static const char *const always_on[] = {
    "noChunking", "noMessageIndex", "noSummary", "noChunkIndex", "noStatistics", "noSummaryOffsets",
    "noMetadataIndex", "noAttachmentIndex", "noRepeatedSchemas", "noRepeatedChannels", NULL,
};

static int one_key(const char *k, const char *v, mcap_writer_options *mo, const char **why) {
    static const char *const levels[] = {"Fastest", "Fast", "Default", "Slow", "Slowest", NULL};
    static const int zstd_levels[] = {1, 3, 0, 9, REC_MCAPCFG_ZSTD_SLOWEST};
    int b = bool_of(v);
    for (int i = 0; always_on[i]; i++) {
        if (strcmp(k, always_on[i])) continue;
        if (b < 0) return *why = "expected true or false", -1;
        if (b == 1)
            return *why = "recguard always writes chunks, indexes, summary and statistics (its 1 s "
                          "crash-loss bound and `recover` rely on them); use --storage-preset-profile "
                          "fastwrite for the cheapest writing, or leave the key out", -1;
        return 0;
    }
    if (strcmp(k, "noCRC") == 0) {
        if (b < 0) return *why = "expected true or false", -1;
        mo->chunk_crc = !b;
    } else if (strcmp(k, "forceCompression") == 0 || strcmp(k, "enableDataCRC") == 0) {
        if (b < 0) return *why = "expected true or false", -1;
    } else if (strcmp(k, "chunkSize") == 0) {
        uint64_t n;
        if (!v || rg_num_u64(v, 1024, 1ull << 30, &n) < 0) return *why = "expected 1024..1073741824 bytes", -1;
        mo->chunk_size = n;
    } else if (strcmp(k, "compression") == 0) {
        if (v && !strcasecmp(v, "none")) mo->compression = MCAP_COMPRESSION_NONE;
        else if (v && !strcasecmp(v, "lz4")) mo->compression = MCAP_COMPRESSION_LZ4;
        else if (v && !strcasecmp(v, "zstd")) mo->compression = MCAP_COMPRESSION_ZSTD;
        else return *why = "expected None, Lz4 or Zstd", -1;
    } else if (strcmp(k, "compressionLevel") == 0) {
        int i = 0;
        while (levels[i] && (!v || strcmp(v, levels[i]))) i++;
        if (!levels[i]) return *why = "expected Fastest, Fast, Default, Slow or Slowest", -1;
        mo->compression_level = zstd_levels[i];
    } else {
        return *why = "unknown key (recguard maps noCRC, chunkSize, compression, compressionLevel, "
                      "forceCompression, enableDataCRC and the no* index/summary switches as false)", -1;
    }
    return 0;
}

int rec_mcapcfg_parse(const char *name, const char *text, size_t len, mcap_writer_options *mo,
                      char *err, size_t errlen) {
    rg_yaml_doc y;
    struct fy_node *root;
    int rc = rg_yaml_load_map(name, text, len, "a map of MCAP writer options", &y, &root, err, errlen);
    mcap_writer_options tmp = *mo; /* all or nothing */
    void *it = NULL;
    for (struct fy_node_pair *p; rc == 0 && root && (p = fy_node_mapping_iterate(root, &it));) {
        char kb[64], vb[64];
        const char *k = rg_yaml_scalar(fy_node_pair_key(p), kb, sizeof kb);
        const char *v = rg_yaml_scalar(fy_node_pair_value(p), vb, sizeof vb);
        const char *why = "expected a key";
        if (!k || one_key(k, v, &tmp, &why) < 0) {
            snprintf(err, errlen, "%s: %s: %s", name, k ? k : "?", why);
            rc = -EINVAL;
        }
    }
    rg_yaml_doc_free(&y);
    if (rc == 0) *mo = tmp;
    return rc;
}

int rec_mcapcfg_load(const char *path, mcap_writer_options *mo, char *err, size_t errlen) {
    char *text = NULL;
    size_t len = 0;
    int rc = rg_fs_read_file(path, REC_MCAPCFG_MAX_BYTES, &text, &len);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, rc == -EFBIG ? "larger than 64 KiB, not a storage config"
                                                          : strerror(-rc));
        return rc;
    }
    rc = rec_mcapcfg_parse(path, text, len, mo, err, errlen);
    free(text);
    return rc;
}
