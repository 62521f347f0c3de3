// Linux headers that Swift's Glibc module does not import: the event loop needs epoll, eventfd and
// timerfd; file watching needs inotify; SIGTERM/SIGINT handling on a loop needs signalfd; handing
// freed heap memory back to the kernel needs malloc.h's malloc_trim.
#pragma once
#include <malloc.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

// GNU extensions that Swift's Glibc module hides (it is built without _GNU_SOURCE), declared here with
// their glibc prototypes and wrapped under a prefixed name.
#include <pthread.h>
#include <sys/socket.h>
#ifndef __USE_GNU
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
#endif

/// accept4(2) without the peer address (read it later with getpeername if needed).
static inline int CLinuxShims_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }

/// Names the calling thread (at most 15 bytes are kept) for ps/top/gdb.
static inline int CLinuxShims_setThreadName(const char *name) { return pthread_setname_np(pthread_self(), name); }
