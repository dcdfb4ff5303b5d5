import StrataColumnar
import StrataPostgres

/// PostgreSQL binary COPY: messages fed to `BinaryCopyDecoder` as `PostgresConnection.copyOut` feeds it,
/// taking batches of columns as it goes.
///
/// The input is `[n] [spec × (n % 8)] [batch] then messages`, each message a little-endian u16 length and
/// that many bytes (the last one takes what is left). A spec byte picks the wire type (low nibble) and
/// the column type (high nibble), so that mismatched pairs are tried too.
enum BinaryCopyTarget {
    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFailure) -> FuzzOutcome {
        guard let first = input.first else { return .refused("empty input") }
        let count = Int(first % 8)
        guard input.count >= 2 + count else { return .refused("no column specs") }
        let wires = WireType.allCases, types = ColumnType.allCases
        let columns = (0..<count).map { k in
            let spec = Int(input[1 + k])
            return CopyColumn(wire: wires[(spec & 0x0F) % wires.count], type: types[(spec >> 4) % types.count])
        }
        let batchRows = input[1 + count] == 0 ? Int.max : Int(input[1 + count])
        var decoder = BinaryCopyDecoder(columns: columns, capacity: min(16, batchRows))
        var emitted = 0
        var at = 2 + count
        while at < input.count {
            var length = Int(input[at])
            if at + 1 < input.count { length |= Int(input[at + 1]) << 8 }
            at += 2
            let end = min(input.count, at + length)
            let message = UnsafeRawBufferPointer(rebasing: input[min(at, end)..<end])
            at = end
            do {
                try decoder.feed(message)
            } catch let error as PostgresError {
                guard !error.message.isEmpty else { throw FuzzFailure(.binaryCopy, "an error without a message") }
                return .refused(error.message)
            } catch {
                throw FuzzFailure(.binaryCopy, "an error of an unexpected kind, \(type(of: error)): \(error)")
            }
            try check(decoder, emitted: emitted)
            if decoder.rows - emitted >= batchRows {
                try check(decoder.takeColumns(), rows: decoder.rows - emitted)
                emitted = decoder.rows
            }
        }
        try check(decoder.takeColumns(), rows: decoder.rows - emitted)
        return .accepted
    }

    /// Between messages, every builder holds one value per decoded row not yet taken.
    static func check(_ decoder: BinaryCopyDecoder, emitted: Int) throws(FuzzFailure) {
        for (c, builder) in decoder.builders.enumerated() where builder.count != decoder.rows - emitted {
            throw FuzzFailure(.binaryCopy, "column \(c + 1) holds \(builder.count) values after \(decoder.rows - emitted) rows")
        }
    }

    /// A batch has one value per row in every column.
    static func check(_ columns: [Column], rows: Int) throws(FuzzFailure) {
        for (c, column) in columns.enumerated() where column.count != rows {
            throw FuzzFailure(.binaryCopy, "batch column \(c + 1) has \(column.count) values for \(rows) rows")
        }
    }
}
