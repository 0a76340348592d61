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
        let directory = parent(of: path)
        try makeDirectories(directory)
        let temporary = "\(directory)/.\(baseName(of: path)).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(path: path, step: "creating \(temporary)", errno: errno) }
        var failure: WriteError?
        let written = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
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
        guard let handle = opendir(directory) else { return }
        var abandoned: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix("."), let dash = name.lastIndex(of: "-"), name[..<dash].hasSuffix(".tmp"),
                let pid = pid_t(name[name.index(after: dash)...])
            else { continue }
            if kill(pid, 0) != 0, errno == ESRCH { abandoned.append(name) }
        }
        closedir(handle)
        for name in abandoned { unlink("\(directory)/\(name)") }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `mkdir -p`, mode 0755 for what it creates.
    public static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) == 0 {
                // The umask may have taken bits away: readers of the reports need them.
                chmod(prefix, 0o755)
            } else if errno != EEXIST {
                throw WriteError(path: prefix, step: "mkdir", errno: errno)
            }
            prefix += "/"
        }
    }
}
