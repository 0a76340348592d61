import Glibc

/// Reads whole small files.
enum FileReader {
    /// The bytes of a file, at most `limit` of them.
    /// - Throws: ``CommandError`` naming the file and the reason.
    static func readAll(path: String, limit: Int) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CommandError("cannot open \(path): \(String(cString: strerror(errno)))", code: .noInput)
        }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while result.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandError("cannot read \(path): \(String(cString: strerror(errno)))", code: .ioError)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }
}

/// Writes whole files that only the agent and its children read.
enum FileWriter {
    /// Creates or replaces a file (mode 0640) with `bytes`.
    /// - Throws: ``CommandError`` naming the file and the reason.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw CommandError("cannot create \(path): \(String(cString: strerror(errno)))", code: .cannotCreate)
        }
        defer { close(descriptor) }
        let ok = bytes.withUnsafeBytes { Console.write($0, to: descriptor) }
        guard ok else {
            throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))", code: .ioError)
        }
    }
}
