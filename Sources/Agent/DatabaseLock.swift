import Glibc

/// The one-writer rule: an exclusive `flock` on `DATABASE.lock`, held by every command that
/// writes the database (`run`, `replay`, `cluster`) for as long as it runs.
///
/// The lock file holds the holder's process id, so that a second command can say who has the
/// database. The kernel drops the lock when the holder exits, however it exits (SIGKILL
/// included), so a stale lock file never blocks anyone. The descriptor is `O_CLOEXEC`: a
/// clustering child never inherits the lock.
final class DatabaseLock {
    /// The lock file.
    let path: String
    private var descriptor: Int32

    /// Takes the lock of a database without waiting.
    /// - Parameter databasePath: the database file; the lock file is this path with `.lock` added.
    /// - Throws: ``CommandError`` with exit code 69 when another process holds the lock (naming
    ///   its pid when known), 73 when the lock file cannot be created.
    init(databasePath: String) throws {
        path = databasePath + ".lock"
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard descriptor >= 0 else {
            throw CommandError.system("cannot create the lock file \(path)", code: .cannotCreate)
        }
        var result: Int32
        repeat { result = flock(descriptor, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        if result != 0 {
            let failure = errno
            let holder = Self.holder(descriptor)
            Glibc.close(descriptor)
            if failure == EWOULDBLOCK {
                let who = holder.map { "another energy-agent (pid \($0))" } ?? "another energy-agent"
                throw CommandError(
                    "the database \(databasePath) is in use by \(who); only one process may write it at a time "
                        + "(lock file \(path))",
                    code: .unavailable)
            }
            throw CommandError("cannot lock \(path): \(String(cString: strerror(failure)))", code: .cannotCreate)
        }
        self.descriptor = descriptor
        // Best effort: the pid is only there to be named in the message above.
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    deinit {
        release()
    }

    /// Releases the lock; later calls do nothing. The file stays, empty of meaning until locked again.
    func release() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// The pid written by the holder, if the file holds one.
    private static func holder(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[0..<count], as: UTF8.self)
        return Int32(text.prefix { $0.isNumber })
    }
}

// Owns a descriptor used by the command's thread.
@available(*, unavailable)
extension DatabaseLock: Sendable {}
