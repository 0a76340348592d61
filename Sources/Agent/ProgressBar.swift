import EventStore
import Glibc

/// A one-line progress bar on standard error, redrawn at most five times a second, shown only
/// when standard error is a terminal.
struct ProgressBar {
    private let enabled: Bool
    private let start = WallClock.now()
    private var lastDraw = 0.0
    private var drawn = false

    init() {
        enabled = isatty(STDERR_FILENO) == 1
    }

    /// Redraws the bar if enough time has passed.
    mutating func update(name: String, bytesDone: Int, bytesTotal: Int?, events: Int) {
        guard enabled else { return }
        let now = WallClock.now()
        guard now - lastDraw >= 0.2 else { return }
        lastDraw = now
        let elapsed = max(now - start, 1e-3)
        let rate = Double(events) / elapsed
        var line = "\r\(name) "
        if let total = bytesTotal, total > 0 {
            let fraction = min(1, Double(bytesDone) / Double(total))
            let filled = Int(fraction * 30)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
            line += "\(Int(fraction * 100))% \(Self.megabytes(bytesDone))/\(Self.megabytes(total)) MB"
            let remaining = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
            line += ", \(Int(rate)) events/s, ETA \(Int(remaining.rounded(.up)))s"
        } else {
            line += "\(Self.megabytes(bytesDone)) MB, \(Int(rate)) events/s"
        }
        line += "\u{1B}[K"
        Console.error(line)
        drawn = true
    }

    /// Clears the bar before a normal line is printed.
    mutating func clear() {
        guard enabled, drawn else { return }
        Console.error("\r\u{1B}[K")
        drawn = false
    }

    private static func megabytes(_ bytes: Int) -> String {
        let tenths = bytes * 10 / 1_048_576
        return "\(tenths / 10).\(tenths % 10)"
    }
}
