// Batched socket calls (recvmmsg, sendmmsg with UDP GSO), signalfd and getrandom. Glibc's Swift module does not
// export these (they need _GNU_SOURCE), so they are wrapped here with plain C types. Only Sources/Platform uses it.
#ifndef CWIRE_H
#define CWIRE_H
#include <stddef.h>

/// Receives up to `n` datagrams into `n` slots of `slot_size` bytes at `buffers`; sender addresses go to `addrs`
/// (n slots of `addr_size` bytes). When `segsizes` is not NULL, it receives each message's UDP_GRO segment size
/// (0 for a plain datagram): with UDP_GRO on, one message may hold several datagrams of that size back to back
/// (the last may be shorter). When `stamps` is not NULL, it receives the kernel's receive time of each message
/// (SO_TIMESTAMPNS, CLOCK_REALTIME nanoseconds; 0 when absent). Returns the number received (0 when none is
/// waiting), or -1 with errno.
int cwire_recv_batch(int fd, void *buffers, int slot_size, int n, void *addrs, int addr_size,
                     int *lens, unsigned *addrlens, int *truncated, int *segsizes, long long *stamps);

/// Turns on SO_TIMESTAMPNS (the kernel stamps each datagram as it is queued on the socket). 0 or -1 with errno.
int cwire_enable_timestamps(int fd);

/// Turns on UDP_GRO: the kernel may hand over several datagrams from one sender as one message (on loopback, a
/// UDP_SEGMENT send arrives unsplit). Returns 0, or -1 with errno when the kernel does not support it.
int cwire_enable_gro(int fd);

/// Sends `n` messages in as few sendmmsg calls as the kernel takes. Message i is the `iovcnt[i]` iovecs (`struct iovec`)
/// starting at index `iovstart[i]` of `iovs`, to the address at `addrs + i * addr_size` (`addrlens[i]` bytes); when
/// `gso[i]` is non-zero the kernel splits it into datagrams of `gso[i]` bytes (UDP_SEGMENT). Returns the number of
/// messages sent before the first one that would block (-1 with errno EAGAIN if none), or -1 with errno for another
/// failure of the first unsent message.
int cwire_send_batch(int fd, int n, const void *iovs, const int *iovstart, const int *iovcnt, const void *addrs,
                     int addr_size, const unsigned *addrlens, const unsigned short *gso);

/// Blocks SIGINT, SIGTERM and SIGPIPE in the calling thread (and the threads it creates later) and returns a
/// signalfd that becomes readable when SIGINT or SIGTERM arrives.
int cwire_signalfd(void);
/// Adds `sig` to what the signalfd `fd` (from cwire_signalfd) reports, blocking it in this thread; returns fd or -1.
int cwire_signalfd_add(int fd, int sig);
/// Reads one pending signal from a signalfd; returns its number or -1.
int cwire_read_signal(int fd);
/// Fills `buf` with `len` random bytes from the kernel; returns the number written or -1.
long cwire_getrandom(void *buf, size_t len);

#endif
