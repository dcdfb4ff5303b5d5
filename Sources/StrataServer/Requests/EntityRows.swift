import StrataColumnar
import StrataCore

/// The `"entities"` member of a request, `{"join_key": [values...], ...}`, checked and turned into
/// typed join-key columns for a lookup.
enum EntityRows {
    /// The entity rows of `value` for join keys `joinKeys`, at most `maxEntities` of them.
    /// - Throws: `ServerError` naming the field and value: not an object of arrays, empty, ragged, too
    ///   many rows, a key the features do not use or one they need that is missing, a value of the
    ///   wrong type.
    static func frame(
        _ value: JSONValue?, joinKeys: [(name: String, type: JoinKeyType)], maxEntities: Int
    ) throws(ServerError) -> Frame {
        let expected = joinKeys.map(\.name).joined(separator: ", ")
        guard let value else {
            throw ServerError(.badRequest, .badEntity, "the request has no \"entities\"; expected {\"join_key\": [values...]} with join keys \(expected)")
        }
        guard case .object(let members) = value else {
            throw ServerError(.badRequest, .badEntity, "\"entities\" is \(value.typeName); expected an object of join keys (\(expected)) to arrays of values")
        }
        var lists: [String: [JSONValue]] = [:]
        for member in members {
            guard joinKeys.contains(where: { $0.name == member.key }) else {
                throw ServerError(
                    .badRequest, .badEntity,
                    "entities.\(member.key) is not a join key of the requested features (expected: \(expected))")
            }
            guard case .array(let values) = member.value else {
                throw ServerError(
                    .badRequest, .badEntity, "entities.\(member.key) is \(member.value.excerpt); expected an array of values")
            }
            lists[member.key] = values
        }
        var rowCount: Int?
        var columns: [Column] = []
        for key in joinKeys {
            guard let values = lists[key.name] else {
                throw ServerError(
                    .badRequest, .badEntity, "entities has no join key \(key.name), which the requested features need (expected: \(expected))")
            }
            if let rowCount, values.count != rowCount {
                throw ServerError(
                    .badRequest, .badEntity,
                    "entities.\(key.name) has \(values.count) values but entities.\(joinKeys[0].name) has \(rowCount); every join key needs one value per entity row")
            }
            rowCount = values.count
            guard !values.isEmpty else {
                throw ServerError(.badRequest, .badEntity, "entities.\(key.name) is empty; give at least one entity")
            }
            guard values.count <= maxEntities else {
                throw ServerError(
                    .contentTooLarge, .tooManyEntities,
                    "entities.\(key.name) has \(values.count) values; this server answers at most \(maxEntities) entities per request (--max-entities)")
            }
            columns.append(try column(values, key: key))
        }
        return Frame(names: joinKeys.map(\.name), columns: columns, rowCount: rowCount ?? 0)
    }

    private static func column(_ values: [JSONValue], key: (name: String, type: JoinKeyType)) throws(ServerError) -> Column {
        switch key.type {
        case .int64:
            var builder = ColumnBuilder(type: .int64, capacity: values.count)
            for (index, value) in values.enumerated() {
                guard let number = value.int64 else {
                    throw ServerError(
                        .badRequest, .badEntity,
                        "entities.\(key.name)[\(index)] is \(value.excerpt); join key \(key.name) is int64, so each value must be an integer from \(Int64.min) to \(Int64.max)")
                }
                builder.append(number)
            }
            return builder.finish()
        case .string:
            var builder = ColumnBuilder(type: .string, capacity: values.count)
            for (index, value) in values.enumerated() {
                guard let text = value.string else {
                    throw ServerError(
                        .badRequest, .badEntity,
                        "entities.\(key.name)[\(index)] is \(value.excerpt); join key \(key.name) is a string, so each value must be a JSON string")
                }
                builder.appendString(text)
            }
            return builder.finish()
        }
    }
}
