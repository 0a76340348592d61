import Glibc

/// The write end of the self-pipe, read by the signal handler. Set once, before any handler is
/// installed, and only read afterwards.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1
/// How many stop signals (SIGTERM, SIGINT) arrived; the second one ends the process at once.
nonisolated(unsafe) private var stopSignalCount: Int32 = 0

/// Turns SIGTERM, SIGINT and SIGCHLD into bytes on a pipe that the event loop polls (the
/// self-pipe pattern), so that the loop handles signals between two `poll` calls and never
/// inside a handler.
///
/// The first SIGTERM or SIGINT is written to the pipe; a second one ends the process at once
/// with status 128 + the signal number, whatever the loop is doing.
final class SignalPipe {
    /// The end to poll for `POLLIN`.
    let fileDescriptor: Int32
    private let writeEnd: Int32
    private var closed = false

    /// Creates the pipe and installs the handlers; only one may exist in a process.
    /// - Throws: ``CommandError`` when the pipe or a handler cannot be set up.
    init() throws {
        precondition(signalPipeWriteEnd < 0, "one SignalPipe per process")
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw CommandError.system("cannot create the signal pipe", code: .software)
        }
        for end in ends {
            guard fcntl(end, F_SETFD, FD_CLOEXEC) == 0, fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) == 0 else {
                throw CommandError.system("cannot set up the signal pipe", code: .software)
            }
        }
        fileDescriptor = ends[0]
        writeEnd = ends[1]
        signalPipeWriteEnd = ends[1]
        stopSignalCount = 0
        for number in [SIGTERM, SIGINT, SIGCHLD] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                if number != SIGCHLD {
                    stopSignalCount += 1
                    if stopSignalCount > 1 { _exit(128 + number) }
                }
                var byte = UInt8(truncatingIfNeeded: number)
                let saved = errno
                _ = write(signalPipeWriteEnd, &byte, 1)
                errno = saved
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            guard sigaction(number, &action, nil) == 0 else {
                throw CommandError.system("cannot install a handler for signal \(number)", code: .software)
            }
        }
        // A reader that goes away must not kill the agent: writes fail with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
    }

    deinit {
        assert(closed, "SignalPipe was not closed")
    }

    /// Restores the default handlers and closes the pipe.
    func close() {
        guard !closed else { return }
        closed = true
        for number in [SIGTERM, SIGINT, SIGCHLD] { signal(number, SIG_DFL) }
        signalPipeWriteEnd = -1
        _ = Glibc.close(fileDescriptor)
        _ = Glibc.close(writeEnd)
    }

    /// The signals that arrived since the last call, in order.
    func drain() -> [Int32] {
        var signals: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                signals += buffer[0..<count].map { Int32($0) }
                continue
            }
            if count < 0, errno == EINTR { continue }
            return signals
        }
    }
}

// The pipe is process-global state driven from the event loop's thread.
@available(*, unavailable)
extension SignalPipe: Sendable {}
