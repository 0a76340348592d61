#ifndef ENERGY_AGENT_CUDEV_SHIM_H
#define ENERGY_AGENT_CUDEV_SHIM_H

#include <libudev.h>
#include <sys/ioctl.h>
#include <termios.h>

/// ioctl is variadic, which Swift cannot call: one wrapper per request used.
static inline int energy_ioctl_tiocexcl(int fd) {
    return ioctl(fd, TIOCEXCL);
}

static inline int energy_ioctl_tiocnxcl(int fd) {
    return ioctl(fd, TIOCNXCL);
}

#endif
