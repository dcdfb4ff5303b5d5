import StrataColumnar
import StrataCore

/// The record of one entity of an aggregation view (docs/online-layout.md, "Aggregation views"):
/// the ordinary record's 19-byte header, so that `strata_put`'s newer-wins rule applies to the end the
/// tiles were built up to, then the entity's non-empty tiles in ascending order.
///
/// ```
/// u8  format version (1)
/// i64 end: the tiles hold the entity's events up to this instant (µs)
/// i64 written at (µs), which orders two records of the same end
/// u16 schema tag of the view's tile layout (TileRecord.tag)
/// varint tile count, then per tile:
///   varint tile number: zigzag of it for the first tile, then the gap to the previous one
///   varint events
///   per input column: varint non-null count, then when it is not 0 the fields its layout keeps:
///     sum f64, squares f64, min, max, last (time − tile start as a zigzag varint; 0 when there is
///     no created time, else 1 and zigzag(created − time); the value)
/// ```
/// A value of a double kind is an f64; of an integer kind, a zigzag varint. Differences of times wrap
/// (two's complement), so that PostgreSQL's ±infinity round-trips.
enum TileRecord {
    /// The 16-bit tag of an aggregation view's tiles: FNV-1a 64 over `tiles <hop>`, each aggregation's
    /// `name:function:column:window:type` and each join key's `@key:type`, one per line, folded as
    /// `OnlineLayout.schemaTag`.
    static func tag(of view: FeatureView, entities: [Entity]) -> UInt16 {
        var text = "tiles \(view.hopSeconds ?? 0)\n"
        for a in view.aggregations ?? [] {
            text += "\(a.name):\(a.function.rawValue):\(a.column):\(a.windowSeconds):\(a.type.rawValue)\n"
        }
        for entity in entities { text += "@\(entity.joinKey):\(entity.type.rawValue)\n" }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return UInt16(truncatingIfNeeded: hash ^ (hash >> 16) ^ (hash >> 32) ^ (hash >> 48))
    }

    /// Appends the record of `tiles[range]`, whose tile numbers are `numbers[range]` (ascending).
    static func append(
        _ tiles: TileStore, range: Range<Int>, numbers: [Int64], end: Int64, writtenAt: Int64, tag: UInt16,
        to bytes: inout [UInt8]
    ) {
        let layout = tiles.layout
        bytes.append(OnlineLayout.formatVersion)
        bytes.appendLittleEndian(UInt64(bitPattern: end))
        bytes.appendLittleEndian(UInt64(bitPattern: writtenAt))
        withUnsafeBytes(of: tag.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.appendVarint(UInt64(range.count))
        var previous: Int64 = 0
        for index in range {
            let number = numbers[index]
            bytes.appendVarint(index == range.lowerBound ? zigzag(number) : UInt64(bitPattern: number &- previous))
            previous = number
            bytes.appendVarint(UInt64(bitPattern: tiles.events[index]))
            let tileStart = number &* layout.hop
            for (c, fields) in layout.inputs.enumerated() {
                let tile = tiles.fields(ofTile: index, input: c)
                bytes.appendVarint(UInt64(bitPattern: tile.count))
                guard tile.count > 0 else { continue }
                if fields.sum { bytes.appendLittleEndian(tile.sum.bitPattern) }
                if fields.squares { bytes.appendLittleEndian(tile.squares.bitPattern) }
                if fields.min { appendValue(tile.min, fields.kind, to: &bytes) }
                if fields.max { appendValue(tile.max, fields.kind, to: &bytes) }
                if fields.last {
                    bytes.appendVarint(zigzag(tile.lastTime &- tileStart))
                    if tile.lastCreated == .min {
                        bytes.append(0)
                    } else {
                        bytes.append(1)
                        bytes.appendVarint(zigzag(tile.lastCreated &- tile.lastTime))
                    }
                    appendValue(tile.last, fields.kind, to: &bytes)
                }
            }
        }
    }

    /// Folds the tiles of `record` (whose header was checked) into `folder`, one at a time. Returns
    /// false when the record is truncated or malformed.
    static func fold(_ record: UnsafeRawBufferPointer, into folder: inout TiledWindowFolder, layout: TileLayout) -> Bool {
        var reader = Reader(bytes: record, offset: OnlineRecord.headerSize)
        guard let count = reader.varint() else { return false }
        return withUnsafeTemporaryAllocation(of: TileFields.self, capacity: layout.inputs.count) { buffer in
            buffer.initialize(repeating: TileFields())
            var number: Int64 = 0
            var index: UInt64 = 0
            while index < count {
                guard let step = reader.varint(), let events = reader.varint() else { return false }
                number = index == 0 ? unzigzag(step) : number &+ Int64(bitPattern: step)
                let tileStart = number &* layout.hop
                for (c, fields) in layout.inputs.enumerated() {
                    guard let n = reader.varint() else { return false }
                    var tile = TileFields()
                    tile.count = Int64(bitPattern: n)
                    if n > 0 {
                        if fields.sum {
                            guard let sum = reader.word() else { return false }
                            tile.sum = Double(bitPattern: sum)
                        }
                        if fields.squares {
                            guard let squares = reader.word() else { return false }
                            tile.squares = Double(bitPattern: squares)
                        }
                        if fields.min {
                            guard let value = reader.value(fields.kind) else { return false }
                            tile.min = value
                        }
                        if fields.max {
                            guard let value = reader.value(fields.kind) else { return false }
                            tile.max = value
                        }
                        if fields.last {
                            guard let offset = reader.varint(), let hasCreated = reader.varint(), hasCreated <= 1 else { return false }
                            tile.lastTime = tileStart &+ unzigzag(offset)
                            tile.lastCreated = .min
                            if hasCreated == 1 {
                                guard let made = reader.varint() else { return false }
                                tile.lastCreated = tile.lastTime &+ unzigzag(made)
                            }
                            guard let value = reader.value(fields.kind) else { return false }
                            tile.last = value
                        }
                    }
                    buffer[c] = tile
                }
                folder.add(number: number, events: Int64(bitPattern: events), fields: UnsafeBufferPointer(buffer))
                index += 1
            }
            return reader.offset == record.count
        }
    }

    static func appendValue(_ bits: UInt64, _ kind: TileLayout.ValueKind, to bytes: inout [UInt8]) {
        switch kind {
        case .double: bytes.appendLittleEndian(bits)
        case .integer: bytes.appendVarint(zigzag(Int64(bitPattern: bits)))
        }
    }

    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    @inline(__always)
    static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    /// Reads a record's fields, failing instead of reading past its end.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset: Int

        mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while offset < bytes.count, shift < 64 {
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }

        mutating func word() -> UInt64? {
            guard offset + 8 <= bytes.count else { return nil }
            defer { offset += 8 }
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }

        mutating func value(_ kind: TileLayout.ValueKind) -> UInt64? {
            switch kind {
            case .double: word()
            case .integer: varint().map { UInt64(bitPattern: TileRecord.unzigzag($0)) }
            }
        }
    }
}
