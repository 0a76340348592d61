/// Lines read from the ports that are not committed yet, oldest first: the open batch while the
/// database works, everything read since it failed while it does not.
///
/// The bytes of all lines live in one buffer (at most 16 KiB kept per line, as the framer hands
/// them out), so that a backlog of many lines costs few allocations.
struct PendingLines {
    /// One line: where its bytes are, its full length, where and when it arrived.
    struct Entry {
        var range: Range<Int>
        var length: Int
        var device: WatchedDevice
        var receivedAt: String
    }

    private var storage: [UInt8] = []
    private var entries: [Entry] = []
    /// The first entry not removed yet.
    private var head = 0

    /// The number of lines waiting.
    var count: Int { entries.count - head }

    var isEmpty: Bool { head == entries.count }

    /// The bytes the waiting lines keep.
    var byteCount: Int { isEmpty ? 0 : storage.count - entries[head].range.lowerBound }

    /// Keeps a copy of a line's bytes.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, length: Int, device: WatchedDevice, receivedAt: String) {
        let start = storage.count
        storage.append(contentsOf: bytes)
        entries.append(Entry(range: start..<storage.count, length: length, device: device, receivedAt: receivedAt))
    }

    /// Calls `body` with the `index`-th waiting line (0 is the oldest).
    func withLine<T>(
        at index: Int, _ body: (Entry, UnsafeBufferPointer<UInt8>) throws -> T
    ) rethrows -> T {
        let entry = entries[head + index]
        return try storage.withUnsafeBufferPointer { buffer in
            try body(entry, UnsafeBufferPointer(rebasing: buffer[entry.range]))
        }
    }

    /// Forgets the `count` oldest lines.
    mutating func removeFirst(_ count: Int) {
        head += count
        if head >= entries.count {
            removeAll()
        } else if head >= 4096, head * 2 >= entries.count {
            // Move what is left to the front, so that a long backlog drained in steps does not
            // keep the memory of the lines already stored.
            let offset = entries[head].range.lowerBound
            storage.removeSubrange(0..<offset)
            entries.removeSubrange(0..<head)
            head = 0
            for index in entries.indices {
                entries[index].range = (entries[index].range.lowerBound - offset)..<(entries[index].range.upperBound - offset)
            }
        }
    }

    /// Forgets every line; a large buffer is given back.
    mutating func removeAll() {
        let keep = storage.capacity <= 1 << 22
        storage.removeAll(keepingCapacity: keep)
        entries.removeAll(keepingCapacity: keep)
        head = 0
    }
}
