import Glibc

/// Writes files so that a reader only ever sees the old content or the new, whole.
///
/// The content goes to a temporary file in the same directory, which is synced, renamed over
/// the target, and the directory synced, so that the rename survives a power cut too.
public enum AtomicFile {
    /// A file that could not be written: the path, the step that failed and the reason.
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var step: String
        public var errno: Int32

        public var description: String {
            "cannot write \(path): \(step) failed: \(String(cString: strerror(errno)))"
        }
    }

    /// Replaces `path` with `bytes`, atomically; mode 0644; missing directories are created (0755).
    /// - Throws: ``WriteError`` naming the step that failed; the old file is then untouched.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = FileSystem.parent(of: path)
        try FileSystem.makeDirectories(directory)
        let temporary = "\(directory)/.\(FileSystem.baseName(of: path)).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, step: "creating \(temporary)", errno: errno) }
        var failure: WriteError?
        let written = bytes.withUnsafeBytes { FileSystem.writeAll($0, to: descriptor) }
        if !written {
            failure = WriteError(path: path, step: "write", errno: errno)
        } else if fchmod(descriptor, 0o644) != 0 {
            failure = WriteError(path: path, step: "chmod", errno: errno)
        } else if fsync(descriptor) != 0 {
            failure = WriteError(path: path, step: "fsync", errno: errno)
        }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let error = WriteError(path: path, step: "rename", errno: errno)
            unlink(temporary)
            throw error
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Replaces `path` with UTF-8 text, atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Removes the temporary files (`.NAME.tmp-PID`) that a writer killed before its rename left in
    /// `directory`: those whose process no longer runs.
    public static func removeAbandonedTemporaries(in directory: String) {
        for name in FileSystem.names(in: directory) ?? [] {
            guard name.hasPrefix("."), let dash = name.lastIndex(of: "-"), name[..<dash].hasSuffix(".tmp"),
                let pid = pid_t(name[name.index(after: dash)...])
            else { continue }
            if kill(pid, 0) != 0, errno == ESRCH { unlink("\(directory)/\(name)") }
        }
    }
}
