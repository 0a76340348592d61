// The split of a tree node must leave its indices in exactly the order scikit-learn's
// `partition_node_indices` leaves them, because that order is the order in which a radius
// query returns points, and so the order in which their coordinates are summed. That function
// calls the C++ standard library's `nth_element` (an introselect) with a comparator that
// orders by coordinate and then by index; what follows performs the same steps.

extension KDTree {
    /// A row index with its coordinate in the split dimension, ordered as scikit-learn's
    /// comparator orders them: by coordinate, then by index.
    struct SplitKey {
        var value: Double
        var index: Int
        /// Where the row sits in the tree before the split (not part of the ordering).
        var position: Int

        @inline(__always)
        static func less(_ a: SplitKey, _ b: SplitKey) -> Bool {
            a.value == b.value ? a.index < b.index : a.value < b.value
        }
    }

    /// Orders the row indices in `indices[0..<count]` so that the element at `nth` is the one
    /// a full sort would put there, every element before it is smaller and every element
    /// after it larger, moving elements exactly as introselect does.
    static func selectNth(_ indices: UnsafeMutablePointer<SplitKey>, count: Int, nth: Int) {
        let less = SplitKey.less
        guard count > 0, nth != count else { return }
        var first = 0
        var last = count
        var depthLimit = 2 * (Int.bitWidth - 1 - count.leadingZeroBitCount)
        while last - first > 3 {
            if depthLimit == 0 {
                heapSelect(indices, first, nth + 1, last, less)
                indices.swapAt(first, nth)
                return
            }
            depthLimit -= 1
            let cut = partitionAroundMedianOfThree(indices, first, last, less)
            if cut <= nth { first = cut } else { last = cut }
        }
        insertionSort(indices, first, last, less)
    }

    private static func partitionAroundMedianOfThree(
        _ a: UnsafeMutablePointer<SplitKey>, _ first: Int, _ last: Int, _ less: (SplitKey, SplitKey) -> Bool
    ) -> Int {
        let mid = first + (last - first) / 2
        moveMedianToFirst(a, first, first + 1, mid, last - 1, less)
        var low = first + 1
        var high = last
        let pivot = a[first]
        while true {
            while less(a[low], pivot) { low += 1 }
            high -= 1
            while less(pivot, a[high]) { high -= 1 }
            if !(low < high) { return low }
            a.swapAt(low, high)
            low += 1
        }
    }

    private static func moveMedianToFirst(
        _ a: UnsafeMutablePointer<SplitKey>, _ result: Int, _ x: Int, _ y: Int, _ z: Int,
        _ less: (SplitKey, SplitKey) -> Bool
    ) {
        if less(a[x], a[y]) {
            if less(a[y], a[z]) {
                a.swapAt(result, y)
            } else if less(a[x], a[z]) {
                a.swapAt(result, z)
            } else {
                a.swapAt(result, x)
            }
        } else if less(a[x], a[z]) {
            a.swapAt(result, x)
        } else if less(a[y], a[z]) {
            a.swapAt(result, z)
        } else {
            a.swapAt(result, y)
        }
    }

    private static func insertionSort(
        _ a: UnsafeMutablePointer<SplitKey>, _ first: Int, _ last: Int, _ less: (SplitKey, SplitKey) -> Bool
    ) {
        guard first < last else { return }
        var i = first + 1
        while i < last {
            let value = a[i]
            if less(value, a[first]) {
                var k = i
                while k > first {
                    a[k] = a[k - 1]
                    k -= 1
                }
                a[first] = value
            } else {
                var hole = i
                var next = i - 1
                while less(value, a[next]) {
                    a[hole] = a[next]
                    hole = next
                    next -= 1
                }
                a[hole] = value
            }
            i += 1
        }
    }

    private static func heapSelect(
        _ a: UnsafeMutablePointer<SplitKey>, _ first: Int, _ middle: Int, _ last: Int,
        _ less: (SplitKey, SplitKey) -> Bool
    ) {
        let length = middle - first
        if length >= 2 {
            var parent = (length - 2) / 2
            while true {
                adjustHeap(a, first, parent, length, a[first + parent], less)
                if parent == 0 { break }
                parent -= 1
            }
        }
        var i = middle
        while i < last {
            if less(a[i], a[first]) {
                let value = a[i]
                a[i] = a[first]
                adjustHeap(a, first, 0, length, value, less)
            }
            i += 1
        }
    }

    private static func adjustHeap(
        _ a: UnsafeMutablePointer<SplitKey>, _ first: Int, _ start: Int, _ length: Int, _ value: SplitKey,
        _ less: (SplitKey, SplitKey) -> Bool
    ) {
        let top = start
        var hole = start
        var child = start
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if less(a[first + child], a[first + child - 1]) { child -= 1 }
            a[first + hole] = a[first + child]
            hole = child
        }
        if length & 1 == 0 && child == (length - 2) / 2 {
            child = 2 * (child + 1)
            a[first + hole] = a[first + child - 1]
            hole = child - 1
        }
        var parent = (hole - 1) / 2
        while hole > top && less(a[first + parent], value) {
            a[first + hole] = a[first + parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        a[first + hole] = value
    }
}

extension UnsafeMutablePointer where Pointee == KDTree.SplitKey {
    @inline(__always)
    func swapAt(_ i: Int, _ j: Int) {
        let value = self[i]
        self[i] = self[j]
        self[j] = value
    }
}
