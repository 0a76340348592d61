import Glibc

/// A fresh directory under /tmp, removed with its contents when released.
public final class TemporaryDirectory {
    /// The directory.
    public let path: String

    /// Creates the directory.
    public init() {
        var template = Array("/tmp/energy-agent-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        _ = system("rm -rf '\(path)'")
    }
}
