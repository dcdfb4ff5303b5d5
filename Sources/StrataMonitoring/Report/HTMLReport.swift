import Foundation

/// A drift report as one self-contained HTML page: no network, no external script or style. A
/// summary, a sortable table of every column's test, and per column a card with the reference and
/// current distributions drawn as inline SVG beside the test, statistic, threshold and verdict.
public enum HTMLReport {
    /// The page for `report`; `generated` is printed in the header.
    public static func render(_ report: DriftReport, title: String = "Strata drift report", generated: Date = Date()) -> String {
        let tested = report.columns.filter { $0.status == .tested }.count
        let verdict = report.datasetDrifted ? "Dataset drift detected" : "No dataset drift"
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(style)</style>
            </head>
            <body data-sorted="none">
            <header>
            <h1>\(escape(title))</h1>
            <p class="muted">Generated \(escape(ISO8601DateFormatter().string(from: generated))) by Strata. Tests and thresholds as Evidently 0.7.23's DataDriftPreset chooses them.</p>
            </header>
            <section class="summary \(report.datasetDrifted ? "drift" : "ok")" id="summary">
            <div class="verdict">\(verdict)</div>
            <div class="figures">
            <div><span class="figure">\(report.driftedColumns)</span> of \(tested) tested columns drifted</div>
            <div><span class="figure">\(format(report.share * 100, digits: 1))%</span> drift share</div>
            <div><span class="figure">\(report.columns.count - tested)</span> without data</div>
            </div>
            <table class="windows">
            <tr><th>Reference</th><td><code>\(escape(report.reference.source))</code></td><td>\(report.reference.rows) rows</td></tr>
            <tr><th>Current</th><td><code>\(escape(report.current.source))</code></td><td>\(report.current.rows) rows</td></tr>
            </table>
            </section>
            <section>
            <h2>Columns</h2>
            <p class="sorting">Sort by
            <button type="button" data-sort="drift" class="active">drift</button>
            <button type="button" data-sort="name">name</button>
            <button type="button" data-sort="score">statistic</button>
            </p>
            <table class="columns" id="columns">
            <thead><tr><th>Column</th><th>Type</th><th>Test</th><th class="num">Statistic</th><th class="num">Threshold</th><th>Verdict</th></tr></thead>
            <tbody>

            """
        for (index, column) in report.columns.enumerated() {
            html += "<tr \(attributes(column, index: index))><td><a href=\"#column-\(index)\">\(escape(column.name))</a></td>"
            html += "<td>\(column.type.rawValue)</td><td>\(column.test?.rawValue ?? "—")</td>"
            html += "<td class=\"num\">\(column.statistic.map { format($0) } ?? "—")</td>"
            html += "<td class=\"num\">\(column.threshold.map { format($0) } ?? "—")</td><td>\(badge(column))</td></tr>\n"
        }
        html += "</tbody></table>\n</section>\n<section id=\"cards\">\n"
        for (index, column) in report.columns.enumerated() {
            html += card(column, index: index)
        }
        html += "</section>\n<script>\(script)</script>\n</body>\n</html>\n"
        return html
    }

    /// The data attributes the sorting script reads: drift first, then by how far past (or short of)
    /// the threshold the statistic is.
    private static func attributes(_ column: ColumnDrift, index: Int) -> String {
        let rank = column.status == .noData ? 1 : (column.drifted ? 0 : 2)
        var severity = 0.0
        if let statistic = column.statistic, let threshold = column.threshold, let test = column.test, statistic.isFinite {
            severity = test.isPValue ? -log10(max(statistic, 1e-300)) + log10(threshold) : statistic - threshold
        }
        return "class=\"sortable\" data-index=\"\(index)\" data-rank=\"\(rank)\" data-severity=\"\(format(severity))\" data-name=\"\(escape(column.name))\""
    }

    private static func badge(_ column: ColumnDrift) -> String {
        switch (column.status, column.drifted) {
        case (.noData, _): "<span class=\"badge nodata\">no data</span>"
        case (.tested, true): "<span class=\"badge drift\">drift</span>"
        case (.tested, false): "<span class=\"badge ok\">no drift</span>"
        }
    }

    private static func card(_ column: ColumnDrift, index: Int) -> String {
        var html = "<article class=\"card sortable\" id=\"column-\(index)\" \(attributes(column, index: index).replacingOccurrences(of: "class=\"sortable\" ", with: ""))>\n"
        html += "<header><h3>\(escape(column.name))</h3>\(badge(column))</header>\n"
        if let test = column.test, let threshold = column.threshold {
            let rule: String
            switch test {
            case .ks: rule = "drift when p ≤ \(format(threshold))"
            case .chisquare, .z: rule = "drift when p < \(format(threshold))"
            default: rule = "drift when ≥ \(format(threshold))"
            }
            html += "<p class=\"test\">\(column.type.rawValue) · <strong>\(test.rawValue)</strong> (\(escape(test.summary))) = <strong>\(column.statistic.map { format($0) } ?? "NaN")</strong>; \(rule)</p>\n"
        } else {
            html += "<p class=\"test\">\(column.type.rawValue) · not tested: a window has no values (Evidently fails the whole report here)</p>\n"
        }
        if let histogram = column.histogram { html += SVGHistogram.render(histogram) }
        html += "<table class=\"stats\"><thead><tr><th></th><th>Reference</th><th>Current</th></tr></thead><tbody>\n"
        for (label, reference, current) in statistics(column) {
            html += "<tr><th>\(label)</th><td>\(escape(reference))</td><td>\(escape(current))</td></tr>\n"
        }
        html += "</tbody></table>\n</article>\n"
        return html
    }

    private static func statistics(_ column: ColumnDrift) -> [(String, String, String)] {
        let (r, c) = (column.reference, column.current)
        func number(_ value: Double?) -> String { value.map { format($0) } ?? "—" }
        var rows: [(String, String, String)] = [("values", "\(r.count)", "\(c.count)"), ("nulls", "\(r.nulls)", "\(c.nulls)")]
        if column.type == .numerical {
            rows += [
                ("mean", number(r.mean), number(c.mean)), ("std", number(r.std), number(c.std)),
                ("min", number(r.min), number(c.min)), ("median", number(r.quantiles?["0.5"]), number(c.quantiles?["0.5"])),
                ("max", number(r.max), number(c.max)),
            ]
        } else {
            rows.append(("distinct", r.distinct.map(String.init) ?? "—", c.distinct.map(String.init) ?? "—"))
            func top(_ summary: ColumnSummary) -> String {
                (summary.top ?? []).prefix(3).map { "\($0.value) (\($0.count))" }.joined(separator: ", ")
            }
            rows.append(("most frequent", top(r), top(c)))
        }
        return rows
    }

    /// A number with at most `digits` decimals, scientific when tiny or huge (for tables and reports).
    public static func format(_ value: Double, digits: Int = 4) -> String {
        if value == 0 { return "0" }
        if !value.isFinite { return String(value) }
        let magnitude = abs(value)
        if magnitude < 1e-3 || magnitude >= 1e7 { return String(format: "%.\(digits - 1)e", value) }
        var text = String(format: "%.\(digits)f", value)
        while text.contains(".") && (text.hasSuffix("0") || text.hasSuffix(".")) { text.removeLast() }
        return text
    }

    /// Text made safe for HTML element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    private static let style = """
        :root { --drift: #c0392b; --ok: #1e8449; --nodata: #7f8c8d; --reference: #5d7fa3; --current: #e67e22; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0 auto; max-width: 1100px; padding: 24px; background: #fafafa; }
        h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 0; }
        .muted { color: #666; margin: 0; }
        code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eef1f4; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
        .summary { margin-top: 18px; padding: 16px 20px; border-radius: 8px; background: #fff; border-left: 6px solid var(--ok); box-shadow: 0 1px 3px rgba(0,0,0,.08); }
        .summary.drift { border-left-color: var(--drift); }
        .verdict { font-size: 20px; font-weight: 600; }
        .summary.drift .verdict { color: var(--drift); } .summary.ok .verdict { color: var(--ok); }
        .figures { display: flex; gap: 32px; margin: 8px 0 12px; flex-wrap: wrap; }
        .figure { font-size: 22px; font-weight: 600; }
        table { border-collapse: collapse; }
        .windows th { text-align: left; padding: 2px 12px 2px 0; } .windows td { padding: 2px 12px 2px 0; }
        .columns { width: 100%; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.08); border-radius: 8px; overflow: hidden; }
        .columns th, .columns td { padding: 7px 12px; border-bottom: 1px solid #eee; text-align: left; }
        .columns thead th { background: #f0f2f5; font-weight: 600; }
        .num { text-align: right !important; font-variant-numeric: tabular-nums; }
        a { color: #1f5f99; text-decoration: none; } a:hover { text-decoration: underline; }
        .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
        .badge.drift { background: var(--drift); } .badge.ok { background: var(--ok); } .badge.nodata { background: var(--nodata); }
        .sorting button { font: inherit; padding: 2px 10px; margin-left: 4px; border: 1px solid #ccc; background: #fff; border-radius: 4px; cursor: pointer; }
        .sorting button.active { background: #1f5f99; color: #fff; border-color: #1f5f99; }
        #cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 16px; margin-top: 24px; }
        .card { background: #fff; border-radius: 8px; padding: 14px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
        .card header { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
        .card h3 { word-break: break-all; }
        .test { margin: 6px 0 8px; color: #444; }
        .stats { width: 100%; margin-top: 6px; font-size: 12px; }
        .stats th, .stats td { padding: 2px 6px; text-align: right; border-bottom: 1px solid #f2f2f2; }
        .stats th:first-child { text-align: left; font-weight: 500; color: #555; }
        svg.histogram { width: 100%; height: auto; display: block; }
        svg .reference { fill: var(--reference); } svg .current { fill: var(--current); opacity: .8; }
        svg text { font: 10px system-ui, sans-serif; fill: #555; }
        svg .axis { stroke: #bbb; stroke-width: 1; }
        """

    private static let script = """
        (function () {
          function key(el, by) {
            if (by === 'name') return [el.dataset.name];
            if (by === 'score') return [-parseFloat(el.dataset.severity)];
            return [parseInt(el.dataset.rank, 10), -parseFloat(el.dataset.severity), parseInt(el.dataset.index, 10)];
          }
          function compare(a, b) {
            for (var i = 0; i < a.length; i++) { if (a[i] < b[i]) return -1; if (a[i] > b[i]) return 1; }
            return 0;
          }
          function sortBy(by) {
            ['#columns tbody', '#cards'].forEach(function (selector) {
              var parent = document.querySelector(selector);
              var items = Array.prototype.slice.call(parent.querySelectorAll(':scope > .sortable'));
              items.sort(function (a, b) { return compare(key(a, by), key(b, by)); });
              items.forEach(function (item) { parent.appendChild(item); });
            });
            document.querySelectorAll('.sorting button').forEach(function (b) { b.classList.toggle('active', b.dataset.sort === by); });
            document.body.dataset.sorted = by;
          }
          document.querySelectorAll('.sorting button').forEach(function (b) {
            b.addEventListener('click', function () { sortBy(b.dataset.sort); });
          });
          sortBy('drift');
        })();
        """
}
