import Glibc

/// A capture file (or standard input) read in large chunks.
final class InputFile {
    /// The path as given (`-` for standard input).
    let path: String
    /// The file's size in bytes, when it is a regular file.
    let size: Int?
    private var descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer

    /// Opens a file for reading; `-` is standard input.
    /// - Throws: ``CommandError`` with ``ExitCode/noInput`` when it cannot be opened.
    init(path: String, chunkSize: Int = 1 << 18) throws {
        self.path = path
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if descriptor < 0 {
                throw CommandError.system("cannot open \(path)", code: .noInput)
            }
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            size = Int(info.st_size)
        } else if (info.st_mode & S_IFMT) == S_IFDIR {
            if descriptor != STDIN_FILENO { Glibc.close(descriptor) }
            throw CommandError("cannot read \(path): it is a directory", code: .noInput)
        } else {
            size = nil
        }
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit {
        if descriptor > STDIN_FILENO { Glibc.close(descriptor) }
        buffer.deallocate()
    }

    /// Reads the next chunk; an empty buffer means the end of the file.
    /// - Throws: ``CommandError`` with ``ExitCode/ioError`` on a read error.
    func read() throws -> UnsafeRawBufferPointer {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return UnsafeRawBufferPointer(rebasing: buffer[0..<count]) }
            if errno == EINTR { continue }
            throw CommandError.system("cannot read \(path)", code: .ioError)
        }
    }
}
