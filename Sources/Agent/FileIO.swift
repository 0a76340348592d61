import Glibc

/// Reads whole small files.
enum FileReader {
    /// The bytes of a file, at most `limit` of them.
    /// - Throws: ``CommandError`` naming the file and the reason.
    static func readAll(path: String, limit: Int) throws -> [UInt8] {
        let file = try InputFile(path: path, chunkSize: 1 << 16)
        var result: [UInt8] = []
        while result.count < limit {
            let chunk = try file.read()
            if chunk.isEmpty { break }
            result.append(contentsOf: chunk)
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
            throw CommandError.system("cannot create \(path)", code: .cannotCreate)
        }
        defer { close(descriptor) }
        let ok = bytes.withUnsafeBytes { Console.write($0, to: descriptor) }
        guard ok else {
            throw CommandError.system("cannot write \(path)", code: .ioError)
        }
    }
}
