/// One value slot per probe position, overwritten as better rows arrive; strings live in one byte
/// store that is compacted when replaced values make up most of it.
struct ValueSlots {
    let type: ColumnType
    var valid: [Bool]
    var doubles: [Double] = []
    var floats: [Float] = []
    var integers: [Int64] = []
    var int32s: [Int32] = []
    var bools: [Bool] = []
    var bytes: [UInt8] = []
    var starts: [Int] = []
    var lengths: [Int32] = []
    var liveBytes = 0

    init(type: ColumnType, count: Int) {
        self.type = type
        valid = [Bool](repeating: false, count: count)
        switch type {
        case .float64: doubles = [Double](repeating: 0, count: count)
        case .float32: floats = [Float](repeating: 0, count: count)
        case .int64, .timestamp: integers = [Int64](repeating: 0, count: count)
        case .int32: int32s = [Int32](repeating: 0, count: count)
        case .bool: bools = [Bool](repeating: false, count: count)
        case .string:
            starts = [Int](repeating: 0, count: count)
            lengths = [Int32](repeating: 0, count: count)
        }
    }

    /// Copies `column[row]` into slot `slot` for each pair, in order.
    mutating func store(_ column: Column, _ pairs: [(row: Int, slot: Int)]) {
        if case .string(let data, let offsets) = column.storage {
            for (row, slot) in pairs {
                // Compact while every valid slot still points at its own bytes.
                if bytes.count > 1 << 20 && bytes.count > 3 * liveBytes { compact() }
                if valid[slot] { liveBytes -= Int(lengths[slot]) }
                valid[slot] = column.isValid(row)
                guard valid[slot] else { continue }
                let start = offsets[row], end = offsets[row + 1]
                starts[slot] = bytes.count
                lengths[slot] = Int32(end - start)
                bytes.append(contentsOf: data[start..<end])
                liveBytes += end - start
            }
            return
        }
        for (row, slot) in pairs { valid[slot] = column.isValid(row) }
        switch column.storage {
        case .float64(let v): copy(v, pairs, into: &doubles)
        case .float32(let v): copy(v, pairs, into: &floats)
        case .int64(let v), .timestamp(let v): copy(v, pairs, into: &integers)
        case .int32(let v): copy(v, pairs, into: &int32s)
        case .bool(let v): copy(v, pairs, into: &bools)
        case .string: break
        }
    }

    /// -1, 0 or 1 as `column[row]` ranks below, with or above the value in `slot`, in `TieOrder`.
    func compare(_ column: Column, _ row: Int, toSlot slot: Int) -> Int {
        let rowValid = column.isValid(row)
        guard rowValid && valid[slot] else { return (rowValid ? 1 : 0) - (valid[slot] ? 1 : 0) }
        switch column.storage {
        case .float64(let v): return TieOrder.compare(v[row], doubles[slot])
        case .float32(let v): return TieOrder.compare(v[row], floats[slot])
        case .int64(let v), .timestamp(let v): return TieOrder.compare(v[row], integers[slot])
        case .int32(let v): return TieOrder.compare(v[row], int32s[slot])
        case .bool(let v): return TieOrder.compare(v[row] ? 1 : 0, bools[slot] ? 1 : 0)
        case .string(let data, let offsets):
            let start = starts[slot]
            return TieOrder.compare(data[offsets[row]..<offsets[row + 1]], bytes[start..<start + Int(lengths[slot])])
        }
    }

    private func copy<T>(_ values: [T], _ pairs: [(row: Int, slot: Int)], into slots: inout [T]) {
        values.withUnsafeBufferPointer { source in
            slots.withUnsafeMutableBufferPointer { target in
                for (row, slot) in pairs { target[slot] = source[row] }
            }
        }
    }

    mutating func compact() {
        var packed: [UInt8] = []
        packed.reserveCapacity(liveBytes * 2)
        for slot in valid.indices where valid[slot] {
            let start = starts[slot]
            starts[slot] = packed.count
            packed.append(contentsOf: bytes[start..<start + Int(lengths[slot])])
        }
        bytes = packed
    }

    /// The column whose row i is slot `source[i]`, null where `source[i]` is -1 or the slot is empty.
    func gather(_ source: [Int32]) -> Column {
        var validity = Bitmap(count: source.count, repeating: false)
        for (i, s) in source.enumerated() where s >= 0 && valid[Int(s)] { validity[i] = true }
        func pick<T>(_ values: [T], _ zero: T) -> [T] { source.map { $0 >= 0 ? values[Int($0)] : zero } }
        switch type {
        case .float64: return Column(storage: .float64(pick(doubles, 0)), validity: validity)
        case .float32: return Column(storage: .float32(pick(floats, 0)), validity: validity)
        case .int64: return Column(storage: .int64(pick(integers, 0)), validity: validity)
        case .timestamp: return Column(storage: .timestamp(pick(integers, 0)), validity: validity)
        case .int32: return Column(storage: .int32(pick(int32s, 0)), validity: validity)
        case .bool: return Column(storage: .bool(pick(bools, false)), validity: validity)
        case .string:
            var out: [UInt8] = []
            var offsets = [Int](repeating: 0, count: source.count + 1)
            for (i, s) in source.enumerated() {
                if s >= 0 && valid[Int(s)] {
                    let start = starts[Int(s)]
                    out.append(contentsOf: bytes[start..<start + Int(lengths[Int(s)])])
                }
                offsets[i + 1] = out.count
            }
            return Column(storage: .string(bytes: out, offsets: offsets), validity: validity)
        }
    }
}
