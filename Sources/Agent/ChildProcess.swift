import Glibc

/// A child process started with `posix_spawn`, its standard streams connected to files, and
/// waited for without blocking.
final class ChildProcess {
    /// How a child ended.
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case .exited(let status): return "exit status \(status)"
            case .signalled(let signal): return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            }
        }
    }

    let pid: pid_t
    let arguments: [String]
    private(set) var termination: Termination?

    /// Starts `arguments[0]` (looked up in `PATH` when it has no slash) with its standard input,
    /// output and error read from and written to files. No shell is involved.
    /// - Throws: ``CommandError`` when the program cannot be started.
    init(arguments: [String], stdin: String, stdout: String, stderr: String) throws {
        precondition(!arguments.isEmpty)
        self.arguments = arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and its own process group, so that a
        // Ctrl-C meant for the agent reaches it only through the agent.
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var child: pid_t = 0
        let code = posix_spawnp(&child, arguments[0], &actions, &attributes, &cArguments, environ)
        guard code == 0 else {
            throw CommandError(
                "cannot start \(arguments[0]): \(String(cString: strerror(code)))", code: .unavailable)
        }
        pid = child
    }

    deinit {
        // A child still running when its owner goes is stopped, never left behind unreaped.
        if termination == nil {
            kill(pid, SIGKILL)
            _ = wait(blocking: true)
        }
    }

    /// Checks whether the child ended; with `blocking`, waits for it.
    @discardableResult
    func wait(blocking: Bool) -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == 0 { return nil }
            if result < 0 {
                if errno == EINTR { continue }
                termination = .exited(-1)
                return termination
            }
            break
        }
        // The wait status macros are not imported into Swift: decode by hand.
        let signal = status & 0x7F
        termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
        return termination
    }

    /// Sends a signal to the child.
    func signal(_ number: Int32) {
        if termination == nil { kill(pid, number) }
    }
}
