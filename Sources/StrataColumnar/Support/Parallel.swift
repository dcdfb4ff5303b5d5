import Dispatch

/// Wraps a value whose thread-safety the caller guarantees (disjoint writes, read-only sharing).
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value

    public init(value: Value) { self.value = value }

    public init(_ value: Value) { self.value = value }
}

/// Splits index ranges into chunks and runs them on all cores.
enum Parallel {
    /// At most this many chunks; more than the core count so that uneven chunks balance out.
    static let maxChunks = 16

    /// The chunks `0..<count` is split into: `grain` items or more each, boundaries multiples of `alignment`.
    static func chunkRanges(count: Int, grain: Int, alignment: Int = 64) -> [Range<Int>] {
        precondition(grain > 0 && alignment > 0)
        if count <= grain { return [0..<count] }
        let chunkCount = Swift.min(count / grain, maxChunks)
        var size = (count + chunkCount - 1) / chunkCount
        size = (size + alignment - 1) / alignment * alignment
        return stride(from: 0, to: count, by: size).map { $0..<Swift.min(count, $0 + size) }
    }

    /// Calls `body` once per chunk of `0..<count`, concurrently when there is more than one chunk.
    ///
    /// Chunk boundaries are multiples of `alignment` (64 by default, so that chunks own whole
    /// bitmap words) and depend only on `count`, `grain` and `alignment`, never on the machine.
    static func forEachChunk(
        count: Int, grain: Int, alignment: Int = 64, _ body: (Range<Int>) -> Void
    ) {
        let ranges = chunkRanges(count: count, grain: grain, alignment: alignment)
        forEach(ranges, body)
    }

    /// `body(range)` for each chunk of `0..<count` (cut as `forEachChunk` cuts them), run
    /// concurrently; the results in chunk order, so that combining them in order gives the same
    /// answer on every machine.
    static func mapChunks<T>(count: Int, grain: Int, _ body: (Range<Int>) -> T) -> [T] {
        let ranges = chunkRanges(count: count, grain: grain)
        return [T](uninitializedCount: ranges.count) { out, initialized in
            let results = UncheckedSendable(value: out.baseAddress!)
            forEach(Array(ranges.indices)) { chunk in (results.value + chunk).initialize(to: body(ranges[chunk])) }
            initialized = ranges.count
        }
    }

    /// Calls `body` for each element of `items`, concurrently when there is more than one.
    static func forEach<T>(_ items: [T], _ body: (T) -> Void) {
        if items.count <= 1 {
            for item in items { body(item) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let shared = UncheckedSendable(value: (items, escapable))
            DispatchQueue.concurrentPerform(iterations: items.count) { i in
                shared.value.1(shared.value.0[i])
            }
        }
    }
}
