extension Column {
    /// Rows gathered by index, in the order of `indices`; an index of -1 gives a null.
    ///
    /// This is how joined feature columns are built from a join's row indices.
    /// - Complexity: O(m) for m indices, plus the bytes copied for strings; runs on all cores
    ///   for large m.
    public func take(indices: [Int]) -> Column {
        indices.withUnsafeBufferPointer { take(indices: $0) }
    }

    /// Rows gathered by index from a buffer of indices; an index of -1 gives a null.
    /// - Complexity: O(m) for m indices, plus the bytes copied for strings.
    public func take(indices: UnsafeBufferPointer<Int>) -> Column {
        let validity = gatherValidity(indices)
        let storage: Storage
        switch self.storage {
        case .float64(let v): storage = .float64(Column.gather(v, indices, zero: 0))
        case .float32(let v): storage = .float32(Column.gather(v, indices, zero: 0))
        case .int64(let v): storage = .int64(Column.gather(v, indices, zero: 0))
        case .int32(let v): storage = .int32(Column.gather(v, indices, zero: 0))
        case .bool(let v): storage = .bool(Column.gather(v, indices, zero: false))
        case .timestamp(let v): storage = .timestamp(Column.gather(v, indices, zero: 0))
        case .string(let bytes, let offsets):
            let (outBytes, outOffsets) = Column.gatherStrings(bytes, offsets, indices)
            storage = .string(bytes: outBytes, offsets: outOffsets)
        }
        return Column(storage: storage, validity: validity)
    }

    static let gatherGrain = 1 << 15

    /// Validity of the gathered rows, checking every index on the way.
    private func gatherValidity(_ indices: UnsafeBufferPointer<Int>) -> Bitmap {
        let m = indices.count
        let n = count
        var out = Bitmap(count: m, repeating: false)
        let source = validity?.words ?? []
        let hasValidity = validity != nil
        out.withUnsafeMutableWords { outWords in
            source.withUnsafeBufferPointer { src in
                let words = UncheckedSendable(value: (outWords, src))
                Parallel.forEachChunk(count: m, grain: Column.gatherGrain) { range in
                    let (outWords, src) = words.value
                    var i = range.lowerBound
                    while i < range.upperBound {
                        let end = Swift.min(i + 64, range.upperBound)
                        var word: UInt64 = 0
                        for k in i..<end {
                            let j = indices[k]
                            precondition(UInt(bitPattern: j &+ 1) <= UInt(n), "take: index \(j) out of range -1..<\(n)")
                            var bit: UInt64 = j >= 0 ? 1 : 0
                            if hasValidity && j >= 0 { bit = (src[j >> 6] >> UInt64(j & 63)) & 1 }
                            word |= bit << UInt64(k - i)
                        }
                        outWords[i >> 6] = word
                        i = end
                    }
                }
            }
        }
        return out
    }

    /// Values gathered by (already checked) index, `zero` under -1.
    static func gather<T: BitwiseCopyable>(_ values: [T], _ indices: UnsafeBufferPointer<Int>, zero: T) -> [T] {
        let m = indices.count
        if values.isEmpty { return Array(repeating: zero, count: m) }
        return values.withUnsafeBufferPointer { src in
            [T](uninitializedCount: m) { out, initialized in
                if let base = out.baseAddress, let from = src.baseAddress {
                    let pointers = UncheckedSendable(value: (base, from))
                    Parallel.forEachChunk(count: m, grain: gatherGrain) { range in
                        let (base, from) = pointers.value
                        for k in range {
                            let j = indices[k]
                            let value = from[Swift.max(j, 0)]
                            (base + k).initialize(to: j >= 0 ? value : zero)
                        }
                    }
                }
                initialized = m
            }
        }
    }

    /// String bytes and offsets gathered by (already checked) index, empty under -1.
    static func gatherStrings(
        _ bytes: [UInt8], _ offsets: [Int], _ indices: UnsafeBufferPointer<Int>
    ) -> ([UInt8], [Int]) {
        let m = indices.count
        let ranges = Parallel.chunkRanges(count: m, grain: gatherGrain)
        return offsets.withUnsafeBufferPointer { off in
            // Pass 1: per-row lengths into the offsets, and each chunk's total.
            var chunkBytes = [Int](repeating: 0, count: ranges.count)
            var outOffsets = [Int](repeating: 0, count: m + 1)
            outOffsets.withUnsafeMutableBufferPointer { outOff in
                chunkBytes.withUnsafeMutableBufferPointer { totals in
                    let shared = UncheckedSendable(value: (outOff, totals))
                    Parallel.forEach(Array(ranges.enumerated())) { chunk, range in
                        let (outOff, totals) = shared.value
                        var total = 0
                        for k in range {
                            let j = indices[k]
                            let length = j >= 0 ? off[j + 1] - off[j] : 0
                            outOff[k + 1] = length
                            total += length
                        }
                        totals[chunk] = total
                    }
                }
            }
            var chunkStart = [Int](repeating: 0, count: ranges.count)
            for c in 1..<Swift.max(ranges.count, 1) { chunkStart[c] = chunkStart[c - 1] + chunkBytes[c - 1] }
            let totalBytes = ranges.isEmpty ? 0 : chunkStart[ranges.count - 1] + chunkBytes[ranges.count - 1]
            // Pass 2: running offsets and byte copies, chunk by chunk.
            let outBytes = bytes.withUnsafeBufferPointer { src in
                [UInt8](uninitializedCount: totalBytes) { out, initialized in
                    outOffsets.withUnsafeMutableBufferPointer { outOff in
                        let shared = UncheckedSendable(value: (outOff, out, src))
                        Parallel.forEach(Array(ranges.enumerated())) { chunk, range in
                            let (outOff, out, src) = shared.value
                            var position = chunkStart[chunk]
                            for k in range {
                                let j = indices[k]
                                let length = outOff[k + 1]
                                if length > 0 {
                                    UnsafeMutableRawPointer(out.baseAddress! + position).copyMemory(
                                        from: src.baseAddress! + off[j], byteCount: length)
                                }
                                position += length
                                outOff[k + 1] = position
                            }
                        }
                    }
                    initialized = totalBytes
                }
            }
            return (outBytes, outOffsets)
        }
    }
}
