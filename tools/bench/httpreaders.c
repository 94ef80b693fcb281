/* The readers of scripts/bench's http-readers scenario: N HTTP readers of one multipart MJPEG URL on loopback.
 *
 *   httpreaders PORT PATH READERS SECONDS CYCLE
 *
 * Readers are opened one after another (a new one once the previous has its first frame: the viewer takes a few
 * HTTP connections in progress at once) while an epoll loop reads every open one. Each part's JPEG carries its
 * frame number (bytes 8..11, big-endian, after "VB" in a COM segment; the producer loops over CYCLE numbered
 * files). Per reader: the time from sending the request to the end of the first part, frames received and missed
 * (a jump in the numbers) while the window lasts, and bytes. "READY" goes to stdout once all are open and the
 * SECONDS-long window starts; a JSON line with the figures follows at its end. Loopback only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  int in_head;          /* 1 while reading a header block (the HTTP head first, then each part's) */
  int http_head_done;
  char hdr[512];
  int hlen;
  long body_left;       /* bytes of the current JPEG still to come */
  long body_pos;
  unsigned char num[4];
  double requested, first_part;
  long parts, parts_window, missed_window, dup_window, bytes_window;
  long last_num;        /* -1 before the first part */
  int closed;
} reader;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int window_on = 0;
static long cycle = 240;

static void part_done(reader *r) {
  long n = ((long)r->num[0] << 24) | ((long)r->num[1] << 16) | ((long)r->num[2] << 8) | r->num[3];
  r->parts++;
  if (r->first_part == 0) r->first_part = now();
  if (window_on) {
    r->parts_window++;
    if (r->last_num >= 0) {
      long d = ((n - r->last_num) % cycle + cycle) % cycle;
      if (d == 0) r->dup_window++;
      else r->missed_window += d - 1;
    }
  }
  r->last_num = n;
}

/* Feeds bytes to one reader's parser; returns -1 on a malformed stream. */
static int feed(reader *r, const unsigned char *p, long n) {
  if (window_on) r->bytes_window += n;
  while (n > 0) {
    if (r->in_head) {
      if (r->hlen >= (int)sizeof r->hdr - 1) return -1;
      r->hdr[r->hlen++] = (char)*p++;
      n--;
      if (r->hlen >= 4 && memcmp(r->hdr + r->hlen - 4, "\r\n\r\n", 4) == 0) {
        r->hdr[r->hlen] = 0;
        if (!r->http_head_done) {
          if (strncmp(r->hdr, "HTTP/1.1 200", 12) != 0) return -1;
          r->http_head_done = 1;
          r->hlen = 0;
          continue;
        }
        char *cl = strcasestr(r->hdr, "Content-Length:");
        if (!cl) return -1;
        r->body_left = strtol(cl + 15, NULL, 10);
        r->body_pos = 0;
        r->in_head = 0;
        r->hlen = 0;
      }
    } else {
      long take = n < r->body_left ? n : r->body_left;
      for (long i = 0; i < take; i++) {
        long at = r->body_pos + i;
        if (at >= 8 && at < 12) r->num[at - 8] = p[i];
        if (at >= 12) break;
      }
      r->body_pos += take;
      r->body_left -= take;
      p += take;
      n -= take;
      if (r->body_left == 0) {
        part_done(r);
        r->in_head = 1;
      }
    }
  }
  return 0;
}

static int connect_reader(int port, const char *path, reader *r) {
  memset(r, 0, sizeof *r);
  r->in_head = 1;
  r->last_num = -1;
  r->fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(0x7f000001)};
  if (connect(r->fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  char req[256];
  int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", path, port);
  r->requested = now();
  return send(r->fd, req, len, MSG_NOSIGNAL) == len ? 0 : -1;
}

static unsigned char buf[1 << 20];

static void service(int ep, reader *rs, int timeout_ms) {
  struct epoll_event ev[64];
  int k = epoll_wait(ep, ev, 64, timeout_ms);
  for (int i = 0; i < k; i++) {
    reader *r = &rs[ev[i].data.u32];
    for (;;) {
      ssize_t n = recv(r->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        if (feed(r, buf, n) != 0) {
          fprintf(stderr, "httpreaders: reader %u: malformed stream\n", ev[i].data.u32);
          r->closed = 1;
          epoll_ctl(ep, EPOLL_CTL_DEL, r->fd, NULL);
          break;
        }
        if (n < (ssize_t)sizeof buf) break;
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        r->closed = 1;
        epoll_ctl(ep, EPOLL_CTL_DEL, r->fd, NULL);
      }
      break;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: httpreaders PORT PATH READERS SECONDS CYCLE\n");
    return 2;
  }
  int port = atoi(argv[1]), n = atoi(argv[3]);
  double seconds = atof(argv[4]);
  cycle = atol(argv[5]);
  reader *rs = calloc(n, sizeof *rs);
  int ep = epoll_create1(0);
  for (int i = 0; i < n; i++) {
    if (connect_reader(port, argv[2], &rs[i]) != 0) {
      fprintf(stderr, "httpreaders: reader %d: cannot connect or send: %s\n", i, strerror(errno));
      return 1;
    }
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, rs[i].fd, &e);
    double give_up = now() + 5;
    while (rs[i].parts == 0 && !rs[i].closed && now() < give_up) service(ep, rs, 5);
    if (rs[i].parts == 0) {
      fprintf(stderr, "httpreaders: reader %d: no first frame within 5 s\n", i);
      return 1;
    }
  }
  /* Every reader reads in the window from its next part on. */
  window_on = 1;
  printf("READY\n");
  fflush(stdout);
  double end = now() + seconds;
  while (now() < end) service(ep, rs, 10);
  window_on = 0;
  printf("{\"readers\":[");
  for (int i = 0; i < n; i++) {
    reader *r = &rs[i];
    printf("%s{\"first_ms\":%.3f,\"parts\":%ld,\"missed\":%ld,\"dup\":%ld,\"bytes\":%ld,\"closed\":%d}", i ? "," : "",
           (r->first_part - r->requested) * 1000, r->parts_window, r->missed_window, r->dup_window, r->bytes_window, r->closed);
  }
  printf("]}\n");
  return 0;
}
