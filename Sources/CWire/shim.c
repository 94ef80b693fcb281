#define _GNU_SOURCE 1
#include "CWire.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

int cwire_recv_batch(int fd, void *buffers, int slot_size, int n, void *addrs, int addr_size,
                     int *lens, unsigned *addrlens, int *truncated, int *segsizes, long long *stamps) {
    struct mmsghdr msgs[n];
    struct iovec iov[n];
    enum { CTL = CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct timespec)) };
    int want_control = segsizes || stamps;
    char control[want_control ? n : 1][CTL] __attribute__((aligned(8)));
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < n; i++) {
        iov[i].iov_base = (char *)buffers + (size_t)i * slot_size;
        iov[i].iov_len = slot_size;
        msgs[i].msg_hdr.msg_name = (char *)addrs + (size_t)i * addr_size;
        msgs[i].msg_hdr.msg_namelen = addr_size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        if (want_control) {
            msgs[i].msg_hdr.msg_control = control[i];
            msgs[i].msg_hdr.msg_controllen = CTL;
        }
    }
    int r;
    do { r = recvmmsg(fd, msgs, n, MSG_DONTWAIT, 0); } while (r < 0 && errno == EINTR);
    if (r < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int i = 0; i < r; i++) {
        lens[i] = (int)msgs[i].msg_len;
        addrlens[i] = msgs[i].msg_hdr.msg_namelen;
        truncated[i] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
        if (segsizes) segsizes[i] = 0;
        if (stamps) stamps[i] = 0;
        if (!want_control) continue;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr); cm; cm = CMSG_NXTHDR(&msgs[i].msg_hdr, cm)) {
            if (segsizes && cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO && cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
                memcpy(&segsizes[i], CMSG_DATA(cm), sizeof(int));
            } else if (stamps && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS
                       && cm->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(cm), sizeof ts);
                stamps[i] = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
            }
        }
    }
    return r;
}

int cwire_enable_timestamps(int fd) {
    int one = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
}

int cwire_enable_gro(int fd) {
    int one = 1;
    return setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one);
}

int cwire_send_batch(int fd, int n, const void *iovs, const int *iovstart, const int *iovcnt, const void *addrs,
                     int addr_size, const unsigned *addrlens, const unsigned short *gso) {
    enum { MAXB = 1024 };
    if (n > MAXB) n = MAXB;
    struct mmsghdr msgs[n];
    char control[n][CMSG_SPACE(sizeof(unsigned short))];
    memset(msgs, 0, sizeof msgs);
    const struct iovec *iov = iovs;
    for (int i = 0; i < n; i++) {
        msgs[i].msg_hdr.msg_name = (char *)addrs + (size_t)i * addr_size;
        msgs[i].msg_hdr.msg_namelen = addrlens[i];
        msgs[i].msg_hdr.msg_iov = (struct iovec *)(iov + iovstart[i]);
        msgs[i].msg_hdr.msg_iovlen = (size_t)iovcnt[i];
        if (gso && gso[i]) {
            memset(control[i], 0, sizeof control[i]);
            msgs[i].msg_hdr.msg_control = control[i];
            msgs[i].msg_hdr.msg_controllen = sizeof control[i];
            struct cmsghdr *cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr);
            cm->cmsg_level = SOL_UDP;
            cm->cmsg_type = UDP_SEGMENT;
            cm->cmsg_len = CMSG_LEN(sizeof(unsigned short));
            memcpy(CMSG_DATA(cm), &gso[i], sizeof(unsigned short));
        }
    }
    int sent = 0;
    while (sent < n) {
        int r = sendmmsg(fd, msgs + sent, n - sent, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return sent > 0 ? sent : -1;
        }
        if (r == 0) break;
        sent += r;
    }
    return sent;
}

/* Blocks SIGINT, SIGTERM and `extra` (0: none) in the calling thread and makes `fd` (-1: a new signalfd) report
   them. */
static int watch_signals(int fd, int extra) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (extra) sigaddset(&set, extra);
    pthread_sigmask(SIG_BLOCK, &set, 0);
    return signalfd(fd, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int cwire_signalfd(void) {
    /* SIGPIPE is blocked, not reported: a write to a closed socket fails with EPIPE instead. */
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, 0);
    return watch_signals(-1, 0);
}

int cwire_signalfd_add(int fd, int sig) { return watch_signals(fd, sig); }

int cwire_read_signal(int fd) {
    struct signalfd_siginfo info;
    if (read(fd, &info, sizeof info) != (ssize_t)sizeof info) return -1;
    return (int)info.ssi_signo;
}

long cwire_getrandom(void *buf, size_t len) { return (long)getrandom(buf, len, 0); }
