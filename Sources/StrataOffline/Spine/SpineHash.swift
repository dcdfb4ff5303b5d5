import StrataColumnar
import StrataCore

/// A content hash of a loaded spine: its column names, types, nulls and values. Each column is
/// hashed on its own and the column digests together, so that only one column is copied at a time.
enum SpineHash {
    static func of(_ frame: Frame) -> String {
        var digests: [UInt8] = []
        for (name, column) in zip(frame.names, frame.columns) {
            var bytes = Array(name.utf8) + [0] + Array(column.type.rawValue.utf8) + [0]
            bytes.reserveCapacity(bytes.count + column.count * 9)
            for row in 0..<column.count { bytes.append(column.isNull(row) ? 0 : 1) }
            switch column.storage {
            case .float64(let v): v.withUnsafeBytes { bytes.append(contentsOf: $0) }
            case .float32(let v): v.withUnsafeBytes { bytes.append(contentsOf: $0) }
            case .int64(let v), .timestamp(let v): v.withUnsafeBytes { bytes.append(contentsOf: $0) }
            case .int32(let v): v.withUnsafeBytes { bytes.append(contentsOf: $0) }
            case .bool(let v): bytes.append(contentsOf: v.map { $0 ? 1 : 0 })
            case .string(let data, let offsets):
                bytes.append(contentsOf: data)
                offsets.withUnsafeBytes { bytes.append(contentsOf: $0) }
            }
            digests += SHA256.digest(bytes)
        }
        return SHA256.hex(digests)
    }
}
