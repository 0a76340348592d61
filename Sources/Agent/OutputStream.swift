import Glibc

/// Buffered output to standard output or to a file that appears whole: written under a
/// temporary name, synced, then renamed over the target.
final class OutputStream {
    private let descriptor: Int32
    private let target: String?
    private let temporary: String?
    private var buffer: [UInt8] = []
    private var failed: Int32 = 0

    /// Opens standard output (`nil` or `-`) or a file.
    init(path: String?) throws {
        if let path, path != "-" {
            let temporary = "\(path).tmp-\(getpid())"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw CommandError.system("cannot create \(path)", code: .cannotCreate)
            }
            self.descriptor = descriptor
            self.target = path
            self.temporary = temporary
        } else {
            descriptor = STDOUT_FILENO
            target = nil
            temporary = nil
        }
        buffer.reserveCapacity(1 << 16)
    }

    private var finished = false

    deinit {
        // An unfinished file is abandoned: its temporary copy goes, the target stays as it was.
        if let temporary, !finished {
            Glibc.close(descriptor)
            unlink(temporary)
        }
    }

    /// Appends text.
    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        guard failed == 0 else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        let ok = buffer.withUnsafeBytes { Console.write($0, to: descriptor) }
        if !ok { failed = errno }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, and for a file syncs and renames it into place.
    /// - Throws: ``CommandError`` when any write failed.
    func finish() throws {
        flush()
        let name = target ?? "standard output"
        if failed != 0 {
            throw CommandError("cannot write \(name): \(String(cString: strerror(failed)))", code: .ioError)
        }
        guard let target, let temporary else { return }
        guard fsync(descriptor) == 0 else {
            throw CommandError.system("cannot write \(name)", code: .ioError)
        }
        finished = true
        Glibc.close(descriptor)
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandError("cannot rename into \(name): \(reason)", code: .ioError)
        }
    }
}
