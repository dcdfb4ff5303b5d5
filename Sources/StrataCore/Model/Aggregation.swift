import StrataColumnar

/// One windowed aggregate of an aggregation view (docs/aggregations.md): `function` over `column`
/// for the events of the last `windowSeconds`, the window's tail moving in hop steps.
public struct Aggregation: Sendable, Hashable, Codable {
    /// The feature's name.
    public var name: String
    /// The source column aggregated, or `"*"` (only with `count`) to count events.
    public var column: String
    public var function: WindowFunction
    /// The window's length in seconds, a positive multiple of the view's hop.
    public var windowSeconds: Int64
    /// The type of the feature's values.
    public var type: ValueType
    public var drift: DriftSettings?

    /// The column name that counts events.
    public static let allEvents = "*"

    public init(
        name: String, column: String, function: WindowFunction, windowSeconds: Int64, type: ValueType,
        drift: DriftSettings? = nil
    ) {
        self.name = name
        self.column = column
        self.function = function
        self.windowSeconds = windowSeconds
        self.type = type
        self.drift = drift
    }

    /// Whether it counts events rather than reading a column.
    public var countsEvents: Bool { column == Self.allEvents }

    /// The feature it defines.
    public var feature: Feature { Feature(name: name, type: type, drift: drift) }

    /// How it reads, e.g. `count(*) over 7d`, `mean(fare) over 1h`.
    public var summary: String {
        "\(function.rawValue)(\(column)) over \(Durations.format(windowSeconds))\(type == Self.defaultType(of: function) ? "" : " as \(type.rawValue)")"
    }

    /// The value type of a function when the schema names none: int64 for count, float64 otherwise.
    public static func defaultType(of function: WindowFunction) -> ValueType {
        function == .count ? .int64 : .float64
    }

    /// The value types a function may produce.
    public static func allowedTypes(of function: WindowFunction) -> [ValueType] {
        switch function {
        case .count: [.int64]
        case .sum, .mean, .stddev: [.float64]
        case .min, .max: [.float64, .float32, .int64, .int32, .timestamp]
        case .last: [.float64, .float32, .int64, .int32, .bool, .timestamp]
        }
    }

    /// The most tiles a window may span: `window / hop` at most this.
    public static let maximumTilesPerWindow: Int64 = 10_000

    /// The hop a view takes when its schema names none: among 1d, 1h, 5m, 1m and 1s, the largest
    /// that divides every window and is at most a twelfth of the shortest (so that the shortest
    /// window's tail moves in steps of at most 1/12 of it), else the largest that divides every window.
    public static func defaultHop(windows: [Int64]) -> Int64 {
        let candidates: [Int64] = [86_400, 3_600, 300, 60, 1]
        let dividing = candidates.filter { hop in windows.allSatisfy { $0 % hop == 0 } }
        let shortest = windows.min() ?? 1
        return dividing.first { $0 * 12 <= shortest } ?? dividing.first ?? 1
    }
}
