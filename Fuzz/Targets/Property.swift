import Glibc

/// Stops the run when a property does not hold, so that libFuzzer saves the input as a crash.
///
/// The message goes to standard error before the trap, so that the log says which property broke.
@inline(never)
func require(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    guard !condition else { return }
    var text = "property violated (\(file):\(line)): \(message())\n"
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    abort()
}

/// The bytes as `"..."` with non-printable bytes escaped, for messages.
func escaped(_ bytes: some Sequence<UInt8>, limit: Int = 200) -> String {
    var text = "\""
    var count = 0
    for byte in bytes {
        count += 1
        if count > limit {
            text += "…"
            break
        }
        switch byte {
        case 0x20..<0x7F where byte != 0x22 && byte != 0x5C: text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let digits = Array("0123456789abcdef")
            text += "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
        }
    }
    return text + "\""
}
