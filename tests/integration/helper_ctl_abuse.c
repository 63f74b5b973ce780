/* helper_ctl_abuse — misbehaving control-socket clients for the daemon's robustness test.
 *
 *   helper_ctl_abuse SOCKET random BYTES      send BYTES random bytes (with newlines), read any
 *                                             replies, close
 *   helper_ctl_abuse SOCKET long BYTES        send one line of BYTES bytes without a newline
 *                                             ... then wait for the daemon's error + close;
 *                                             exit 0 only if it answered and closed
 *   helper_ctl_abuse SOCKET half              send half a request and vanish (close)
 *   helper_ctl_abuse SOCKET garbage-line      send a non-JSON line; exit 0 only if the reply is
 *                                             {"ok":false,...} and the connection then still
 *                                             answers a status request
 *   helper_ctl_abuse SOCKET slow-watch N      subscribe, then pipeline N status requests and
 *                                             never read; exit 0 once the daemon has dropped us
 *                                             (send fails or EOF after draining), 1 if it never
 *                                             does within 30 s
 *   helper_ctl_abuse SOCKET hold N SECONDS    open N idle connections, hold them SECONDS
 *   helper_ctl_abuse PATH serve SECONDS       a forger: listen at PATH (its directory must
 *                                             exist) and answer every line with a status
 *                                             that says RECORDING, for SECONDS
 *   helper_ctl_abuse PATH notify SECONDS      be systemd's NOTIFY_SOCKET: bind a datagram
 *                                             socket at PATH, print each message received
 *                                             (newlines become spaces) for SECONDS
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int conn(const char *path) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        perror("connect");
        exit(2);
    }
    return fd;
}

/* Read until EOF or timeout; returns bytes read, -1 on timeout. Copies the start into buf. */
static long drain(int fd, int timeout_ms, char *buf, size_t cap) {
    long total = 0;
    for (;;) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int r = poll(&pf, 1, timeout_ms);
        if (r <= 0) return -1;
        char tmp[65536];
        ssize_t n = recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0) return total;
        if (buf && (size_t)total < cap - 1) {
            size_t c = (size_t)n < cap - 1 - (size_t)total ? (size_t)n : cap - 1 - (size_t)total;
            memcpy(buf + total, tmp, c);
            buf[total + (long)c] = '\0';
        }
        total += n;
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: helper_ctl_abuse SOCKET MODE [ARGS]\n");
        return 2;
    }
    const char *path = argv[1], *mode = argv[2];
    long n = argc > 3 ? atol(argv[3]) : 0;
    srand((unsigned)getpid());
    if (strcmp(mode, "random") == 0) {
        int fd = conn(path);
        char *b = malloc((size_t)n);
        for (long i = 0; i < n; i++) b[i] = (char)(rand() % 7 == 0 ? '\n' : rand());
        ssize_t w = send(fd, b, (size_t)n, MSG_NOSIGNAL);
        (void)w;
        shutdown(fd, SHUT_WR);
        char reply[256] = "";
        drain(fd, 10000, reply, sizeof reply);
        printf("%s\n", reply);
        free(b);
        close(fd);
        return 0;
    }
    if (strcmp(mode, "long") == 0) {
        int fd = conn(path);
        char *b = malloc((size_t)n);
        memset(b, 'x', (size_t)n);
        ssize_t w = send(fd, b, (size_t)n, MSG_NOSIGNAL); /* may be cut short by the close */
        (void)w;
        free(b);
        char reply[512] = "";
        long got = drain(fd, 10000, reply, sizeof reply);
        printf("%s", reply);
        close(fd);
        return got > 0 && strstr(reply, "\"ok\":false") ? 0 : 1;
    }
    if (strcmp(mode, "half") == 0) {
        int fd = conn(path);
        ssize_t w = send(fd, "{\"cmd\":\"sta", 11, MSG_NOSIGNAL);
        (void)w;
        close(fd);
        return 0;
    }
    if (strcmp(mode, "garbage-line") == 0) {
        int fd = conn(path);
        const char *req = "this is not json\n{\"cmd\":\"status\"}\n";
        ssize_t w = send(fd, req, strlen(req), MSG_NOSIGNAL);
        (void)w;
        shutdown(fd, SHUT_WR);
        char reply[65536] = "";
        drain(fd, 10000, reply, sizeof reply);
        close(fd);
        printf("%.300s\n", reply);
        char *second = strchr(reply, '\n');
        return strncmp(reply, "{\"ok\":false", 11) == 0 && second && strstr(second, "\"ok\":true") ? 0 : 1;
    }
    if (strcmp(mode, "slow-watch") == 0) {
        int fd = conn(path);
        int one = 4096; /* a small receive buffer: the daemon's queue fills sooner */
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof one);
        const char *w1 = "{\"cmd\":\"watch\"}\n";
        if (send(fd, w1, strlen(w1), MSG_NOSIGNAL) < 0) return 1;
        const char *req = "{\"cmd\":\"status\"}\n";
        time_t end = time(NULL) + 30;
        fcntl(fd, F_SETFL, O_NONBLOCK);
        for (long i = 0; i < n && time(NULL) < end;) {
            ssize_t s = send(fd, req, strlen(req), MSG_NOSIGNAL);
            if (s < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                struct timespec ts = {0, 10 * 1000000L};
                nanosleep(&ts, NULL);
                continue;
            }
            if (s < 0) { /* EPIPE / ECONNRESET: the daemon dropped us */
                printf("dropped after %ld requests (%s)\n", i, strerror(errno));
                close(fd);
                return 0;
            }
            i++;
        }
        /* All sent: if the daemon dropped us, reading ends in EOF (after what it had sent). */
        fcntl(fd, F_SETFL, 0);
        long got = drain(fd, 30000, NULL, 0);
        close(fd);
        printf("drained %ld bytes, %s\n", got, got >= 0 ? "then EOF" : "no EOF");
        return got >= 0 ? 0 : 1;
    }
    if (strcmp(mode, "hold") == 0) {
        int secs = argc > 4 ? atoi(argv[4]) : 1;
        int *fds = calloc((size_t)n, sizeof *fds);
        for (long i = 0; i < n; i++) fds[i] = conn(path);
        printf("held %ld\n", n);
        fflush(stdout);
        sleep((unsigned)secs);
        for (long i = 0; i < n; i++) close(fds[i]);
        free(fds);
        return 0;
    }
    if (strcmp(mode, "serve") == 0) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 8) < 0) {
            perror("bind");
            return 2;
        }
        chmod(path, 0666);
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("serving\n");
        static const char forged[] = "{\"ok\":true,\"status\":{\"state\":\"RECORDING\"},"
                                     "\"state\":\"IDLE\",\"message\":\"forged\"}\n";
        time_t end = time(NULL) + n;
        while (time(NULL) < end) {
            struct pollfd pf = {.fd = fd, .events = POLLIN};
            if (poll(&pf, 1, 200) <= 0) continue;
            int c = accept(fd, NULL, NULL);
            if (c < 0) continue;
            char buf[4096];
            ssize_t r;
            while ((r = recv(c, buf, sizeof buf, 0)) > 0)
                for (ssize_t i = 0; i < r; i++)
                    if (buf[i] == '\n') send(c, forged, sizeof forged - 1, MSG_NOSIGNAL);
            close(c);
        }
        close(fd);
        unlink(path);
        return 0;
    }
    if (strcmp(mode, "notify") == 0) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            perror("bind");
            return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        time_t end = time(NULL) + n;
        while (time(NULL) < end) {
            struct pollfd pf = {.fd = fd, .events = POLLIN};
            if (poll(&pf, 1, 200) <= 0) continue;
            char msg[4096];
            ssize_t r = recv(fd, msg, sizeof msg - 1, 0);
            if (r <= 0) continue;
            msg[r] = '\0';
            for (ssize_t i = 0; i < r; i++)
                if (msg[i] == '\n') msg[i] = ' ';
            printf("%s\n", msg);
        }
        close(fd);
        return 0;
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
