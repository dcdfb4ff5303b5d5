import StrataCore

extension ChangeDescriber {
    /// The detail lines of an added aggregation view: each aggregation, then its hop.
    static func aggregationLines(_ view: FeatureView) -> [String] {
        (view.aggregations ?? []).map { "aggregation \($0.name): \($0.summary)" }
            + ["hop: \(Durations.format(view.hopSeconds ?? 0)), online: \(view.online)"]
    }

    /// Adds lines for a changed hop and for aggregations whose definition changed (added and removed
    /// ones are reported as features); returns whether a change alters existing values (breaking).
    static func diffAggregations(_ a: FeatureView, _ b: FeatureView, into details: inout [String]) -> Bool {
        var breaking = false
        if a.hopSeconds != b.hopSeconds {
            let format = { (hop: Int64?) in hop.map(Durations.format) ?? "none" }
            details.append("hop: \(format(a.hopSeconds)) -> \(format(b.hopSeconds)) (breaking)")
            breaking = true
        }
        let old = Dictionary((a.aggregations ?? []).map { ($0.name, $0) }, uniquingKeysWith: { x, _ in x })
        for aggregation in b.aggregations ?? [] {
            guard let before = old[aggregation.name], before.summary != aggregation.summary else { continue }
            details.append("aggregation \(aggregation.name): \(before.summary) -> \(aggregation.summary) (breaking)")
            breaking = true
        }
        return breaking
    }
}
