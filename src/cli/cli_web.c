/* cli_web — `recguard web`: option parsing for the dashboard server (src/web/web_server.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/rg_fs.h"
#include "common/rg_num.h"
#include "guard/guard_ctl.h"
#include "web/web_check.h"
#include "web/web_server.h"

#define CLI_WEB_DEFAULT_LISTEN "127.0.0.1:8088" /* loopback: no token needed */

static const char web_usage[] =
    "usage: recguard web [--listen ADDR:PORT] [--socket PATH] [--token-file FILE] [--assets DIR]\n"
    "                    [--parent PID]\n"
    "  Serve the dashboard, the JSON API and /metrics (docs/PROTOCOL.md).\n"
    "  --listen      numeric address and port (default " CLI_WEB_DEFAULT_LISTEN "; port 0 = any free one);\n"
    "                anything but the loopback requires --token-file\n"
    "  --socket      the daemon's control socket (default as for `recguard status`)\n"
    "  --token-file  file holding the token (16..255 printable characters) that every API call,\n"
    "                /metrics and the event stream must carry (Authorization: Bearer TOKEN)\n"
    "  --assets      the page's files (default: web/ beside the binary, else ../share/recguard/web)\n"
    "  --parent      end when process PID (the daemon that runs this server) ends\n";

/* The token file's first line; a file readable by others is refused like ssh refuses keys. */
static int read_token(const char *path, char *tok, size_t len) {
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "recguard web: token file(%s): %s\n", path, strerror(errno));
        return -1;
    }
    if (st.st_mode & 0077) {
        fprintf(stderr, "recguard web: token file(%s): readable by others (chmod 600 it)\n", path);
        return -1;
    }
    char *txt = NULL;
    size_t n = 0;
    int rc = rg_fs_read_file(path, 4096, &txt, &n);
    if (rc < 0) {
        fprintf(stderr, "recguard web: token file(%s): %s\n", path, strerror(-rc));
        return -1;
    }
    size_t line = strcspn(txt, "\r\n");
    int ok = line < len;
    if (ok) {
        memcpy(tok, txt, line);
        tok[line] = '\0';
        ok = web_check_token_ok(tok);
    }
    free(txt);
    if (!ok) fprintf(stderr, "recguard web: token file(%s): the token must be %d..255 printable characters without spaces\n",
                     path, WEB_CHECK_TOKEN_MIN);
    return ok ? 0 : -1;
}

/* web/ beside the binary (the build tree), else the installed share/recguard/web. */
static int find_assets(char *out, size_t len) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0';
    static const char *const rel[] = {"web", "../share/recguard/web"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char idx[PATH_MAX + 64];
        if (snprintf(out, len, "%s/%s", exe, rel[i]) >= (int)len) return -1;
        snprintf(idx, sizeof idx, "%s/index.html", out);
        if (access(idx, R_OK) == 0) return 0;
    }
    return -1;
}

int cli_web_main(int argc, char **argv) {
    const char *listen = CLI_WEB_DEFAULT_LISTEN, *token_file = NULL, *assets = NULL;
    long long parent = 0;
    char sock[PATH_MAX], asset_dir[PATH_MAX], token[256];
    guard_ctl_default_path(sock, sizeof sock);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (strcmp(a, "--listen") == 0 && has) listen = argv[++i];
        else if (strcmp(a, "--socket") == 0 && has) snprintf(sock, sizeof sock, "%s", argv[++i]);
        else if (strcmp(a, "--token-file") == 0 && has) token_file = argv[++i];
        else if (strcmp(a, "--assets") == 0 && has) assets = argv[++i];
        else if (strcmp(a, "--parent") == 0 && has) {
            if (rg_num_ll(argv[++i], 1, INT32_MAX, &parent) < 0) {
                fprintf(stderr, "recguard web: --parent %s: expected a process id\n", argv[i]);
                return CLI_EXIT_USAGE;
            }
        }
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(web_usage, stdout);
            return CLI_EXIT_OK;
        } else {
            fprintf(stderr, "recguard web: unknown option '%s'\n%s", a, web_usage);
            return CLI_EXIT_USAGE;
        }
    }
    /* Run by the daemon (`web:`): end with it (SIGTERM, which the server takes as a stop), so a
     * daemon killed with SIGKILL leaves no orphan holding the port its successor's helper needs;
     * and do not start at all if it is already gone. */
    if (parent && (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != (pid_t)parent)) return CLI_EXIT_OK;
    web_server_opts o = {.listen_text = listen, .socket_path = sock};
    char err[PATH_MAX + 128];
    if (web_check_listen(listen, &o.listen, err, sizeof err) < 0) {
        fprintf(stderr, "recguard web: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    if (token_file) {
        if (read_token(token_file, token, sizeof token) < 0) return CLI_EXIT_FAIL;
        o.token = token;
    }
    if (!o.listen.loopback && !o.token) {
        fprintf(stderr, "recguard web: --listen(%s) is not the loopback: a --token-file is required\n", listen);
        return CLI_EXIT_FAIL;
    }
    if (assets) snprintf(asset_dir, sizeof asset_dir, "%s", assets);
    else if (find_assets(asset_dir, sizeof asset_dir) < 0) {
        fprintf(stderr, "recguard web: the page's files were not found beside the binary (use --assets DIR)\n");
        return CLI_EXIT_FAIL;
    }
    o.asset_dir = asset_dir;
    int rc = web_server_run(&o, err, sizeof err);
    if (rc < 0) fprintf(stderr, "recguard web: %s\n", err);
    return rc < 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
