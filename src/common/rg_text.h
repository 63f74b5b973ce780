/* rg_text — checks on outside text before a parser sees it.
 *
 * libfyaml 0.7.12 loops forever on a directive line holding malformed UTF-8 ("%x\xec", found by
 * fuzz_guard_config): every YAML input (config files, metadata.yaml) is checked here first. */
#ifndef RG_TEXT_H
#define RG_TEXT_H

#include <stddef.h>

/* Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or len when all of it is. */
size_t rg_text_utf8_bad_at(const unsigned char *s, size_t len);

#endif
