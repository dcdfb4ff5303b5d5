/// One column's reference and current distributions as an inline SVG bar chart: each window's
/// share of values per bin (so windows of different sizes compare), reference and current side by
/// side, with the bins' range or category names along the bottom.
enum SVGHistogram {
    static let width = 560.0
    static let plotHeight = 130.0
    static let left = 40.0
    static let right = 8.0
    static let top = 18.0

    static func render(_ histogram: DisplayHistogram) -> String {
        let bins = histogram.bins
        guard bins > 0, histogram.reference.contains(where: { $0 > 0 }) || histogram.current.contains(where: { $0 > 0 }) else {
            return "<p class=\"muted\">No values in either window.</p>\n"
        }
        let categorical = !histogram.labels.isEmpty
        let bottom = categorical ? 58.0 : 22.0
        let height = top + plotHeight + bottom
        let referenceTotal = max(histogram.reference.reduce(0, +), 1)
        let currentTotal = max(histogram.current.reduce(0, +), 1)
        let referenceShares = histogram.reference.map { Double($0) / Double(referenceTotal) }
        let currentShares = histogram.current.map { Double($0) / Double(currentTotal) }
        let largest = max(referenceShares.max() ?? 0, currentShares.max() ?? 0, 1e-12)
        let plotWidth = width - left - right
        let slot = plotWidth / Double(bins)
        let bar = max(slot * 0.42, 0.5)
        var svg = "<svg class=\"histogram\" viewBox=\"0 0 \(format(width)) \(format(height))\" role=\"img\" aria-label=\"reference and current distribution\">\n"
        svg += "<text x=\"\(format(left))\" y=\"11\"><tspan class=\"reference\">■</tspan> reference <tspan class=\"current\">■</tspan> current (share of each window)</text>\n"
        for fraction in [0.0, 0.5, 1.0] {
            let y = top + plotHeight * (1 - fraction)
            svg += "<line class=\"axis\" x1=\"\(format(left))\" x2=\"\(format(width - right))\" y1=\"\(format(y))\" y2=\"\(format(y))\" stroke-dasharray=\"\(fraction == 0 ? "0" : "2 3")\"/>"
            svg += "<text x=\"\(format(left - 4))\" y=\"\(format(y + 3))\" text-anchor=\"end\">\(HTMLReport.format(largest * fraction * 100, digits: 1))%</text>\n"
        }
        for k in 0..<bins {
            let x = left + Double(k) * slot + slot * 0.08
            for (offset, share, kind, count) in [
                (0.0, referenceShares[k], "reference", histogram.reference[k]), (bar, currentShares[k], "current", histogram.current[k]),
            ] {
                let h = plotHeight * share / largest
                svg += "<rect class=\"\(kind)\" x=\"\(format(x + offset))\" y=\"\(format(top + plotHeight - h))\" width=\"\(format(bar))\" height=\"\(format(h))\"><title>\(kind): \(count) (\(HTMLReport.format(share * 100, digits: 2))%)</title></rect>"
            }
            svg += "\n"
            if categorical {
                let label = HTMLReport.escape(String(histogram.labels[k].prefix(14)))
                let cx = left + (Double(k) + 0.5) * slot
                let cy = top + plotHeight + 10
                svg += "<text x=\"\(format(cx))\" y=\"\(format(cy))\" text-anchor=\"end\" transform=\"rotate(-35 \(format(cx)) \(format(cy)))\">\(label)</text>\n"
            }
        }
        if !categorical, let first = histogram.edges.first, let last = histogram.edges.last {
            let y = top + plotHeight + 14
            svg += "<text x=\"\(format(left))\" y=\"\(format(y))\">\(HTMLReport.format(first))</text>"
            svg += "<text x=\"\(format(width - right))\" y=\"\(format(y))\" text-anchor=\"end\">\(HTMLReport.format(last))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    private static func format(_ x: Double) -> String { HTMLReport.format(x, digits: 2) }
}
