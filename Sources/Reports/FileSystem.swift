import Glibc

/// Small file-system helpers the writers of reports, snapshots and data directories share.
public enum FileSystem {
    /// The directory part of a path (`.` for a bare name, `/` for a file at the root).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of a path.
    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `mkdir -p`: creates the missing directories of `path` with `mode` (set in full, whatever
    /// the umask).
    /// - Throws: ``AtomicFile/WriteError`` naming the directory that could not be created, or
    ///   `ENOTDIR` when `path` exists and is not a directory.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, mode) == 0 {
                chmod(prefix, mode)
            } else if errno != EEXIST {
                throw AtomicFile.WriteError(path: prefix, step: "mkdir", errno: errno)
            }
            prefix += "/"
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw AtomicFile.WriteError(path: path, step: "mkdir", errno: ENOTDIR)
        }
    }

    /// The names in a directory (without `.` and `..`), or `nil` when it cannot be read.
    public static func names(in directory: String) -> [String]? {
        guard let handle = opendir(directory) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Writes all of `bytes` to a descriptor, resuming after short writes and EINTR.
    /// - Returns: `false` when a write failed; `errno` then says why.
    @discardableResult
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
