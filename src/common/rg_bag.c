/* rg_bag — bag directory layout (see rg_bag.h). */
#include "common/rg_bag.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* snprintf's result into 0 or -ENAMETOOLONG. */
static int put(size_t outlen, int n) {
    return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

int rg_bag_is_segment(const char *name) { return ends_with(name, RG_BAG_EXT); }
int rg_bag_is_recovered(const char *name) { return ends_with(name, RG_BAG_RECOVERED_EXT); }

int rg_bag_segment_path(char *out, size_t outlen, const char *dir, const char *name, unsigned index) {
    return put(outlen, snprintf(out, outlen, "%s/%s_%u%s", dir, name, index, RG_BAG_EXT));
}

/* Length of the name without its .mcap extension (0 when there is none). */
static size_t mcap_stem_len(const char *name) {
    return ends_with(name, RG_BAG_EXT) ? strlen(name) - strlen(RG_BAG_EXT) : 0;
}

int rg_bag_segment_parse(const char *path, char *dir, size_t dirlen, char *name, size_t namelen,
                         unsigned *index, int *has_index) {
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t bl = mcap_stem_len(base);
    if (bl == 0) return -EINVAL;
    int rc = !slash ? put(dirlen, snprintf(dir, dirlen, "."))
             : slash == path ? put(dirlen, snprintf(dir, dirlen, "/"))
                             : put(dirlen, snprintf(dir, dirlen, "%.*s", (int)(slash - path), path));
    if (rc < 0 || put(namelen, snprintf(name, namelen, "%.*s", (int)bl, base)) < 0) return -ENAMETOOLONG;
    *index = 0;
    *has_index = 0;
    /* "<name>_<N>": later segments continue at N+1 under <name>. */
    char *us = strrchr(name, '_');
    if (us && us[1] && strspn(us + 1, "0123456789") == strlen(us + 1) && strlen(us + 1) < 9) {
        unsigned long v = strtoul(us + 1, NULL, 10);
        if (v <= RG_BAG_MAX_INDEX && us != name) {
            *index = (unsigned)v;
            *has_index = 1;
            *us = '\0';
        }
    }
    return 0;
}

int rg_bag_recovered_path(char *out, size_t outlen, const char *segment) {
    size_t n = mcap_stem_len(segment);
    if (n == 0) n = strlen(segment);
    return put(outlen, snprintf(out, outlen, "%.*s%s", (int)n, segment, RG_BAG_RECOVERED_EXT));
}

int rg_bag_log_path(char *out, size_t outlen, const char *segment) {
    size_t n = mcap_stem_len(segment);
    if (n == 0) n = strlen(segment);
    return put(outlen, snprintf(out, outlen, "%.*s%s", (int)n, segment, RG_BAG_LOG_EXT));
}

int rg_bag_hook_log_path(char *out, size_t outlen, const char *segment) {
    return put(outlen, snprintf(out, outlen, "%s%s", segment, RG_BAG_HOOK_LOG_EXT));
}

int rg_bag_file_path(char *out, size_t outlen, const char *dir, const char *file) {
    return put(outlen, snprintf(out, outlen, "%s/%s", dir, file));
}

int rg_bag_cmp(const void *a, const void *b) {
    const rg_bag_file *x = a, *y = b;
    /* Same prefix before _N: order by N numerically (…_2 before …_10). */
    const char *ux = strrchr(x->stem, '_'), *uy = strrchr(y->stem, '_');
    if (x->index >= 0 && y->index >= 0 && ux - x->stem == uy - y->stem &&
        strncmp(x->stem, y->stem, (size_t)(ux - x->stem)) == 0 && x->index != y->index)
        return x->index < y->index ? -1 : 1;
    int c = strcmp(x->stem, y->stem);
    return c ? c : strcmp(x->name, y->name);
}

void rg_bag_list_free(rg_bag_file *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(f[i].path);
        free(f[i].name);
        free(f[i].stem);
    }
    free(f);
}

int rg_bag_list_add(rg_bag_file **files, size_t *n, const char *dir, const char *name) {
    rg_bag_file *nf = realloc(*files, (*n + 1) * sizeof *nf);
    if (!nf) return -ENOMEM;
    *files = nf;
    rg_bag_file *f = &nf[*n];
    size_t plen = strlen(dir) + strlen(name) + 2;
    f->path = malloc(plen);
    f->name = strdup(name);
    size_t cut = rg_bag_is_recovered(name) ? strlen(RG_BAG_RECOVERED_EXT)
                 : rg_bag_is_segment(name) ? strlen(RG_BAG_EXT) : 0;
    f->stem = strndup(name, strlen(name) - cut);
    if (!f->path || !f->name || !f->stem) {
        free(f->path);
        free(f->name);
        free(f->stem);
        return -ENOMEM;
    }
    if (dir[0]) snprintf(f->path, plen, "%s/%s", dir, name);
    else snprintf(f->path, plen, "%s", name);
    const char *u = strrchr(f->stem, '_');
    char *end = NULL;
    f->index = u && u[1] ? strtol(u + 1, &end, 10) : -1;
    if (f->index >= 0 && (!end || *end)) f->index = -1;
    (*n)++;
    return 0;
}

int rg_bag_list(const char *dir, rg_bag_file **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    DIR *d = opendir(dir);
    if (!d) return -errno;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir(d));) {
        if (e->d_name[0] == '.' || !rg_bag_is_segment(e->d_name)) continue;
        if (!rg_bag_is_recovered(e->d_name)) {
            char seg[PATH_MAX], alt[PATH_MAX];
            struct stat st;
            if (rg_bag_file_path(seg, sizeof seg, dir, e->d_name) == 0 &&
                rg_bag_recovered_path(alt, sizeof alt, seg) == 0 && stat(alt, &st) == 0)
                continue;
        }
        rc = rg_bag_list_add(out, nout, dir, e->d_name);
    }
    closedir(d);
    if (rc) {
        rg_bag_list_free(*out, *nout);
        *out = NULL;
        *nout = 0;
        return rc;
    }
    qsort(*out, *nout, sizeof **out, rg_bag_cmp);
    return 0;
}
