/*
 * A disk whose fsync takes longer, for the bench: LD_PRELOAD this library and
 * every fsync and fdatasync of the process (SQLite's, libuv's) first sleeps
 * SLOW_FSYNC_US microseconds (default 2000), then syncs as usual. Network
 * block storage takes 1-5 ms per fsync; this machine's disk ~0.2 ms.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void wait_like_a_slow_disk(void) {
  const char *configured = getenv("SLOW_FSYNC_US");
  long micros = configured ? atol(configured) : 2000;
  struct timespec pause = { micros / 1000000, (micros % 1000000) * 1000 };
  nanosleep(&pause, NULL);
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  wait_like_a_slow_disk();
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  wait_like_a_slow_disk();
  return real(fd);
}
