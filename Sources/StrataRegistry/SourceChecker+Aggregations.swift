import StrataCore

extension SourceChecker {
    /// The column types `sum`, `mean` and `stddev` read as numbers.
    static let numericTypes: Set<String> = ["int2", "int4", "int8", "float4", "float8", "numeric"]

    /// Checks that every aggregation of an aggregation view reads an existing column of a fitting
    /// type: numeric for sum, mean and stddev; one its result type reads for min, max and last; any for count.
    static func checkAggregations(
        of view: FeatureView, source: Source, columns: [String: String], locations: [ObjectPath: SourceLocation]
    ) -> [SchemaError] {
        var problems: [SchemaError] = []
        let viewAt = locations[ObjectPath(.featureView, view.name)]
        for aggregation in view.aggregations ?? [] where !aggregation.countsEvents {
            let field = "aggregations.\(aggregation.name)"
            let at = locations[ObjectPath(.featureView, view.name, field: "\(field).column")] ?? viewAt
            guard let type = columns[aggregation.column] else {
                problems.append(SchemaError(
                    .unknownReference,
                    "feature view \(view.name): aggregation \(aggregation.name) reads column '\(aggregation.column)', which table '\(source.table)' does not have (its columns: \(columns.keys.sorted().joined(separator: ", ")))",
                    at: at))
                continue
            }
            let allowed: Set<String>
            switch aggregation.function {
            case .count: continue
            case .sum, .mean, .stddev: allowed = numericTypes
            case .min, .max, .last: allowed = compatible[aggregation.type] ?? []
            }
            guard !allowed.contains(type) else { continue }
            let typeAt = locations[ObjectPath(.featureView, view.name, field: "\(field).type")] ?? at
            let reads = aggregation.function.isArithmetic ? "\(aggregation.function.rawValue) reads numbers"
                : "\(aggregation.function.rawValue) as \(aggregation.type.rawValue) reads"
            problems.append(SchemaError(
                .wrongType,
                "feature view \(view.name): aggregation \(aggregation.name) is \(aggregation.function.rawValue) of column '\(aggregation.column)', which is \(type) in table '\(source.table)'; \(reads) \(allowed.sorted().joined(separator: ", "))",
                at: aggregation.function.isArithmetic ? at : typeAt))
        }
        return problems
    }
}
