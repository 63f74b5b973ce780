/* rec_msgdef — see rec_msgdef.h. */
#include "recorder/rec_msgdef.h"

#include "common/rg_buf.h"
#include "common/rg_fs.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MSGDEF_MAX_FILE (1u << 20) /* a .msg file larger than this is not a message definition */

typedef struct msgdef_entry {
    struct msgdef_entry *next; /* list link */
    char *type;                /* the name asked for */
    char *text;                /* built schema text ("" when missing) */
    size_t len;                /* bytes in text */
    int rc;                    /* 0, or the -errno rec_msgdef_get returned the first time */
    char *warn;                /* the warning of the first attempt ("" when none) */
} msgdef_entry;

struct rec_msgdef {
    char **roots;          /* search roots, in order */
    size_t nroots;         /* entries in roots */
    msgdef_entry *entries; /* built texts, by type */
};


int rec_msgdef_open(rec_msgdef **out) {
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -ENOMEM;
}

void rec_msgdef_close(rec_msgdef *m) {
    if (!m) return;
    for (size_t i = 0; i < m->nroots; i++) free(m->roots[i]);
    free(m->roots);
    for (msgdef_entry *e = m->entries, *n; e; e = n) {
        n = e->next;
        free(e->type);
        free(e->text);
        free(e->warn);
        free(e);
    }
    free(m);
}

int rec_msgdef_add_root(rec_msgdef *m, const char *dir) {
    struct stat st;
    if (!dir || !*dir || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) return 0;
    for (size_t i = 0; i < m->nroots; i++)
        if (strcmp(m->roots[i], dir) == 0) return 0;
    char **r = realloc(m->roots, (m->nroots + 1) * sizeof *r);
    if (!r) return -ENOMEM;
    m->roots = r;
    if (!(r[m->nroots] = strdup(dir))) return -ENOMEM;
    m->nroots++;
    return 0;
}

/* Add each ':'-separated entry of list, with `suffix` appended. */
static int add_list(rec_msgdef *m, const char *list, const char *suffix) {
    if (!list) return 0;
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 0) {
            char dir[PATH_MAX];
            if (snprintf(dir, sizeof dir, "%.*s%s", (int)n, p, suffix) < (int)sizeof dir) {
                int rc = rec_msgdef_add_root(m, dir);
                if (rc < 0) return rc;
            }
        }
        if (!end) return 0;
        p = end + 1;
    }
}

int rec_msgdef_add_root_list(rec_msgdef *m, const char *list) { return add_list(m, list, ""); }

int rec_msgdef_add_ament(rec_msgdef *m, const char *prefixes) {
    return add_list(m, prefixes, "/share");
}

int rec_msgdef_add_project(rec_msgdef *m, const char *exe) {
    char buf[PATH_MAX], dir[PATH_MAX];
    if (!exe || snprintf(buf, sizeof buf, "%s", exe) >= (int)sizeof buf) return 0;
    const char *bindir = dirname(buf);
    static const char *const rel[] = {"/../msgs", "/../share/recguard/msgs"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        struct stat st;
        snprintf(dir, sizeof dir, "%s%s", bindir, rel[i]);
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
            int rc = rec_msgdef_add_root(m, dir);
            return rc < 0 ? rc : 1;
        }
    }
    return 0;
}

static int is_ident(const char *s, size_t n) {
    if (n == 0 || !isalpha((unsigned char)s[0])) return 0;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

/* Split "pkg/Type" or "pkg/msg/Type" into pkg and Type; 0 or -EINVAL. */
static int split_type(const char *name, char *pkg, size_t pkglen, char *type, size_t typelen) {
    const char *s1 = strchr(name, '/');
    if (!s1) return -EINVAL;
    const char *last = strrchr(name, '/');
    if (last != s1 && (last - s1 != 4 || strncmp(s1, "/msg/", 5) != 0)) return -EINVAL;
    size_t pn = (size_t)(s1 - name), tn = strlen(last + 1);
    if (!is_ident(name, pn) || !is_ident(last + 1, tn) || pn >= pkglen || tn >= typelen)
        return -EINVAL;
    memcpy(pkg, name, pn);
    pkg[pn] = '\0';
    memcpy(type, last + 1, tn + 1);
    return 0;
}

static int is_builtin(const char *t, size_t n) {
    static const char *const b[] = {"bool",   "byte",   "char",   "float32", "float64",
                                    "int8",   "uint8",  "int16",  "uint16",  "int32",
                                    "uint32", "int64",  "uint64", "string",  "wstring"};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        if (strlen(b[i]) == n && memcmp(b[i], t, n) == 0) return 1;
    return 0;
}

/* Dependencies of one .msg text in package `pkg`: malloc'd names as rosbag2 spells them
 * ("pkg/Type"), sorted, without duplicates. Returns the count, or -ENOMEM. */
static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int parse_deps(const char *text, const char *pkg, char ***out) {
    char **deps = NULL;
    size_t n = 0;
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        const char *p = line, *end = eol ? eol : line + strlen(line);
        line = eol ? eol + 1 : NULL;
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
        const char *t = p;
        while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '/')) p++;
        size_t tn = (size_t)(p - t);
        if (tn == 0) continue; /* blank, comment, or not a field */
        if (p < end && *p == '[') {
            while (p < end && *p != ']') p++;
            if (p < end) p++;
        }
        /* A field type is followed by whitespace; `string<=5` (a bounded string) is not,
         * and is a builtin anyway. */
        if (p >= end || (*p != ' ' && *p != '\t')) continue;
        if (is_builtin(t, tn)) continue;
        char name[512];
        if (memchr(t, '/', tn))
            snprintf(name, sizeof name, "%.*s", (int)tn, t);
        else if (tn == 6 && memcmp(t, "Header", 6) == 0)
            snprintf(name, sizeof name, "std_msgs/Header");
        else
            snprintf(name, sizeof name, "%s/%.*s", pkg, (int)tn, t);
        int dup = 0;
        for (size_t i = 0; i < n && !dup; i++) dup = strcmp(deps[i], name) == 0;
        if (dup) continue;
        char **d = realloc(deps, (n + 1) * sizeof *d);
        if (!d || !(d[n] = strdup(name))) {
            free(d ? d : deps);
            return -ENOMEM;
        }
        deps = d;
        n++;
    }
    if (n) qsort(deps, n, sizeof *deps, cmp_str);
    *out = deps;
    return (int)n;
}

static void free_deps(char **deps, int n) {
    for (int i = 0; i < n; i++) free(deps[i]);
    free(deps);
}

/* The raw text of pkg/msg/Type.msg from the first root holding it; malloc'd, or NULL. */
static char *load_msg(const rec_msgdef *m, const char *pkg, const char *type) {
    for (size_t i = 0; i < m->nroots; i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s/msg/%s.msg", m->roots[i], pkg, type) >=
            (int)sizeof path)
            continue;
        char *text;
        size_t len;
        if (rg_fs_read_file(path, MSGDEF_MAX_FILE, &text, &len) == 0) return text;
    }
    return NULL;
}

typedef struct build_ctx {
    const rec_msgdef *m; /* roots */
    rg_buf out;          /* the text being built */
    char **seen;         /* normalised "pkg/Type" already emitted (root included) */
    size_t nseen;        /* entries in seen */
    char missing[600];   /* first definition not found */
    int rc;              /* first error */
} build_ctx;

static int seen_add(build_ctx *c, const char *key) {
    for (size_t i = 0; i < c->nseen; i++)
        if (strcmp(c->seen[i], key) == 0) return 0;
    char **s = realloc(c->seen, (c->nseen + 1) * sizeof *s);
    if (!s) return -ENOMEM;
    c->seen = s;
    if (!(s[c->nseen] = strdup(key))) return -ENOMEM;
    c->nseen++;
    return 1;
}

static void append_type(build_ctx *c, const char *name, int depth) {
    char pkg[200], type[200];
    if (c->rc) return;
    if (depth > REC_MSGDEF_MAX_DEPTH) {
        snprintf(c->missing, sizeof c->missing, "%s (nesting deeper than %d)", name,
                 REC_MSGDEF_MAX_DEPTH);
        c->rc = -ELOOP;
        return;
    }
    if (split_type(name, pkg, sizeof pkg, type, sizeof type) < 0) {
        snprintf(c->missing, sizeof c->missing, "%s (not a pkg/Type name)", name);
        c->rc = -EINVAL;
        return;
    }
    char *text = load_msg(c->m, pkg, type);
    if (!text) {
        snprintf(c->missing, sizeof c->missing, "%s/msg/%s.msg", pkg, type);
        c->rc = -ENOENT;
        return;
    }
    rg_buf_adds(&c->out, text);
    char **deps;
    int n = parse_deps(text, pkg, &deps);
    free(text);
    if (n < 0) {
        c->rc = n;
        return;
    }
    for (int i = 0; i < n && !c->rc; i++) {
        char dpkg[256], dtype[256], key[520];
        if (split_type(deps[i], dpkg, sizeof dpkg, dtype, sizeof dtype) < 0) {
            snprintf(c->missing, sizeof c->missing, "%s (not a pkg/Type name)", deps[i]);
            c->rc = -EINVAL;
            break;
        }
        snprintf(key, sizeof key, "%s/%s", dpkg, dtype);
        int fresh = seen_add(c, key);
        if (fresh < 0) c->rc = fresh;
        if (fresh <= 0) continue;
        rg_buf_adds(&c->out, "\n================================================================"
                         "================\nMSG: ");
        rg_buf_adds(&c->out, deps[i]);
        rg_buf_adds(&c->out, "\n");
        append_type(c, deps[i], depth + 1);
    }
    free_deps(deps, n);
}

int rec_msgdef_get(rec_msgdef *m, const char *type, const char **text, size_t *len, char *warn,
                   size_t warnlen) {
    if (warnlen) warn[0] = '\0';
    for (msgdef_entry *e = m->entries; e; e = e->next)
        if (strcmp(e->type, type) == 0) {
            *text = e->text;
            *len = e->len;
            snprintf(warn, warnlen, "%s", e->warn);
            return e->rc;
        }
    build_ctx c = {.m = m};
    char pkg[256], t[256], key[520];
    if (split_type(type, pkg, sizeof pkg, t, sizeof t) == 0) {
        snprintf(key, sizeof key, "%s/%s", pkg, t);
        c.rc = seen_add(&c, key) < 0 ? -ENOMEM : 0;
    }
    append_type(&c, type, 1);
    if (c.out.oom && !c.rc) c.rc = -ENOMEM;
    for (size_t i = 0; i < c.nseen; i++) free(c.seen[i]);
    free(c.seen);

    msgdef_entry *e = calloc(1, sizeof *e);
    char wbuf[1024] = "";
    if (c.rc) {
        free(c.out.p);
        c.out = (rg_buf){0};
        if (c.rc == -ENOMEM)
            snprintf(wbuf, sizeof wbuf, "schema(%s): out of memory; recorded without a schema",
                     type);
        else
            snprintf(wbuf, sizeof wbuf,
                     "schema(%s): no definition for %s; recorded with an empty schema (give "
                     "its .msg files with --msg-path DIR or RECGUARD_MSG_PATH, or source a ROS "
                     "install that has them: AMENT_PREFIX_PATH)",
                     type, c.missing);
    }
    if (!e || !(e->type = strdup(type)) || !(e->text = c.out.p ? c.out.p : strdup("")) ||
        !(e->warn = strdup(wbuf))) {
        if (e) {
            free(e->type);
            free(e->text == c.out.p ? NULL : e->text);
            free(e);
        }
        free(c.out.p);
        snprintf(warn, warnlen, "schema(%s): out of memory", type);
        *text = "";
        *len = 0;
        return -ENOMEM;
    }
    e->len = c.out.len;
    e->rc = c.rc;
    e->next = m->entries;
    m->entries = e;
    *text = e->text;
    *len = e->len;
    snprintf(warn, warnlen, "%s", e->warn);
    return e->rc;
}
