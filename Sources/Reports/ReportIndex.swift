import SensorFormat

/// Renders `index.html`: every device's run, cluster table and plot on one static page that
/// opens from disk, with no script.
public enum ReportIndex {
    /// One device on the page.
    public struct Entry: Sendable {
        public var device: Int64
        /// The report, `nil` when the device has not been clustered (or its report failed).
        public var report: DeviceReport?
        /// Why there is no report, shown instead of the table.
        public var note: String?
        /// The device's report files that exist, relative to the report root
        /// (`device-1/summary.json`); only these are linked.
        public var files: [String]

        /// Creates an entry.
        public init(device: Int64, report: DeviceReport?, note: String?, files: [String]) {
            self.device = device
            self.report = report
            self.note = note
            self.files = files
        }
    }

    /// The page.
    /// - Parameters:
    ///   - entries: the devices, in the order shown.
    ///   - otherFiles: files at the report root to link (such as `status.json`), already known to exist.
    public static func html(_ entries: [Entry], otherFiles: [String] = []) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Energy sensor reports</title>
            <style>
            body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border-bottom: 1px solid #ddd; padding: 0.3em 0.8em; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            .swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.4em; }
            img { max-width: 100%; height: auto; border: 1px solid #eee; }
            .note { color: #8a4b00; }
            </style>
            </head>
            <body>
            <h1>Energy sensor reports</h1>

            """
        if entries.isEmpty {
            html += "<p class=\"note\">No device has stored events yet.</p>\n"
        } else {
            html += "<p>Devices: "
            html += entries.map { "<a href=\"#device-\($0.device)\">\($0.device)</a>" }.joined(separator: ", ")
            html += ".</p>\n"
        }
        if !otherFiles.isEmpty {
            html += "<p>Also: " + otherFiles.map(link).joined(separator: ", ") + ".</p>\n"
        }
        for entry in entries { section(entry, into: &html) }
        html += "</body>\n</html>\n"
        return html
    }

    private static func link(_ file: String) -> String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        return "<a href=\"\(TextFormat.escape(file))\">\(TextFormat.escape(name))</a>"
    }

    private static func section(_ entry: Entry, into html: inout String) {
        html += "<section id=\"device-\(entry.device)\">\n<h2>Device \(entry.device)</h2>\n"
        guard let report = entry.report else {
            html += "<p class=\"note\">\(TextFormat.escape(entry.note ?? "No report."))</p>\n"
            if !entry.files.isEmpty { html += "<p>Files: " + entry.files.map(link).joined(separator: ", ") + "</p>\n" }
            html += "</section>\n"
            return
        }
        let run = report.run
        html += "<p>Clustering run \(run.id) over \(report.events) events"
        if let first = run.firstEventID, let last = run.lastEventID { html += " (ids \(first) to \(last))" }
        if let from = report.measuredFrom, let to = report.measuredTo {
            html += ", measured from \(TextFormat.escape(from)) to \(TextFormat.escape(to))"
        }
        html += ": \(report.clusterCount) clusters and \(report.noiseEvents) noise events"
        if let bandwidth = run.bandwidth { html += ", bandwidth \(TextFormat.fixed(bandwidth, decimals: 3))" }
        if let iterations = run.iterations { html += ", \(iterations) iterations" }
        html += ". Finished \(TextFormat.escape(run.finishedAt ?? "?")).</p>\n"
        if let note = entry.note { html += "<p class=\"note\">\(TextFormat.escape(note))</p>\n" }

        html += "<table>\n<thead><tr><th>Cluster</th><th>Events</th><th>Share</th>"
        html +=
            "<th>Mean active power (W)</th><th>Mean current (A)</th><th>Mean reactive power (var)</th></tr></thead>\n<tbody>\n"
        for cluster in report.clusters {
            let name = cluster.isNoise ? "noise" : "\(cluster.label)"
            func mean(_ feature: Int, _ decimals: Int) -> String {
                cluster.features.isEmpty ? "–" : TextFormat.fixed(cluster.features[feature].mean, decimals: decimals)
            }
            html +=
                "<tr><td><span class=\"swatch\" style=\"background: \(ClusterPlot.color(label: cluster.label))\"></span>"
            html += "\(name)</td><td>\(cluster.events)</td><td>\(TextFormat.percent(cluster.share))</td>"
            html += "<td>\(mean(0, 1))</td><td>\(mean(3, 3))</td><td>\(mean(1, 1))</td></tr>\n"
        }
        html += "</tbody>\n</table>\n"
        let plot = "device-\(entry.device)/clusters.svg"
        if entry.files.contains(plot) {
            html += "<p><img src=\"\(plot)\" width=\"960\" height=\"800\" "
            html += "alt=\"Device \(entry.device): events by active power and current, colored by cluster\"></p>\n"
        }
        if !entry.files.isEmpty {
            html += "<p>Files: " + entry.files.map(link).joined(separator: ", ") + "</p>\n"
        }
        html += "</section>\n"
    }
}
