extension Column {
    /// The rows of `parts`, one part after the other, as one column of `type` (every part must have it);
    /// no parts give an empty column.
    /// - Complexity: O(total rows + string bytes).
    public static func concatenating(_ parts: [Column], type: ColumnType) -> Column {
        precondition(parts.allSatisfy { $0.type == type }, "Concatenated columns must all be \(type)")
        let total = parts.reduce(0) { $0 + $1.count }
        var validity: Bitmap?
        if parts.contains(where: { $0.validity != nil }) {
            var bits = Bitmap()
            bits.reserveCapacity(total)
            for part in parts {
                if let partBits = part.validity {
                    for row in 0..<part.count { bits.append(partBits[row]) }
                } else {
                    bits.append(repeating: true, count: part.count)
                }
            }
            validity = bits
        }
        func joined<T>(_ values: (Column) -> [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(total)
            for part in parts { out.append(contentsOf: values(part)) }
            return out
        }
        let storage: Storage
        switch type {
        case .float64: storage = .float64(joined(\.float64Values))
        case .float32: storage = .float32(joined(\.float32Values))
        case .int64: storage = .int64(joined(\.int64Values))
        case .int32: storage = .int32(joined(\.int32Values))
        case .bool: storage = .bool(joined(\.boolValues))
        case .timestamp: storage = .timestamp(joined(\.timestampValues))
        case .string:
            var bytes: [UInt8] = []
            var offsets: [Int] = [0]
            offsets.reserveCapacity(total + 1)
            for part in parts {
                guard case .string(let partBytes, let partOffsets) = part.storage else { continue }
                let base = bytes.count
                bytes.append(contentsOf: partBytes)
                for offset in partOffsets.dropFirst() { offsets.append(base + offset) }
            }
            storage = .string(bytes: bytes, offsets: offsets)
        }
        return Column(storage: storage, validity: validity)
    }
}
