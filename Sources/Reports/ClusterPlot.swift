/// Draws `clusters.svg`: every event as a point of active power against current, colored by
/// cluster (noise in grey), with a legend, and bar charts of the events and the mean active
/// power of each cluster.
///
/// Plain SVG 1.1 that browsers show directly or through `<img>`. The points are `<circle>`
/// elements, one per event, inside one `<g class="cluster" data-label="…">` per group within
/// `<g id="points">`; nothing else in the picture is a circle.
public enum ClusterPlot {
    /// The color of a group: grey for noise, then a fixed palette by label.
    public static func color(label: Int) -> String {
        label < 0 ? noiseColor : palette[label % palette.count]
    }

    static let noiseColor = "#9a9a9a"
    static let palette = [
        "#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#6b46c1", "#319795",
        "#d53f8c", "#8b5a2b", "#7c8b1a", "#1a365d", "#d69e2e", "#97266d",
    ]

    static let width = 960.0
    static let height = 800.0

    /// The SVG document of a report.
    public static func svg(_ report: DeviceReport) -> String {
        var svg = ""
        let points = report.points
        svg.reserveCapacity(2000 + points.count * 40)
        let title =
            "Device \(report.device): run \(report.run.id), \(report.events) events, "
            + "\(report.clusterCount) clusters, \(report.noiseEvents) noise"
        svg += """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12" fill="#222">
            <title>\(TextFormat.escape(title))</title>
            <rect width="100%" height="100%" fill="#fff"/>
            <text x="\(Int(width / 2))" y="28" font-size="16" text-anchor="middle">\(TextFormat.escape(title))</text>

            """
        drawScatter(report, into: &svg)
        drawLegend(report, into: &svg)
        let groups = report.populatedClusters
        drawBars(
            title: "Events per cluster", values: groups.map { Double($0.events) }, decimals: 0,
            labels: groups.map(\.label), frame: Frame(left: 80, right: 440, top: 530, bottom: 740), into: &svg)
        drawBars(
            title: "Mean active power per cluster (W)", values: groups.map { $0.meanActivePower ?? 0 }, decimals: 1,
            labels: groups.map(\.label), frame: Frame(left: 560, right: 920, top: 530, bottom: 740), into: &svg)
        svg += "</svg>\n"
        return svg
    }

    struct Frame {
        var left: Double
        var right: Double
        var top: Double
        var bottom: Double
    }

    private static func drawScatter(_ report: DeviceReport, into svg: inout String) {
        let frame = Frame(left: 80, right: 760, top: 60, bottom: 440)
        let points = report.points
        let xTicks = TextFormat.ticks(low: points.activePower.min() ?? 0, high: points.activePower.max() ?? 1)
        let yTicks = TextFormat.ticks(low: points.current.min() ?? 0, high: points.current.max() ?? 1)
        let xScale = Scale(domain: xTicks.values, from: frame.left, to: frame.right)
        let yScale = Scale(domain: yTicks.values, from: frame.bottom, to: frame.top)
        drawAxes(
            frame: frame, xTicks: xTicks, xScale: xScale, yTicks: yTicks, yScale: yScale,
            xTitle: "Active power (W)", yTitle: "Current (A)", into: &svg)

        var byLabel: [Int: [Int]] = [:]
        for (index, label) in points.labels.enumerated() { byLabel[label, default: []].append(index) }
        let radius = points.count <= 2_000 ? "3" : points.count <= 20_000 ? "2" : "1.2"
        svg += "<g id=\"points\" fill-opacity=\"0.7\">\n"
        // Noise first, so that the clusters are drawn over it.
        for label in byLabel.keys.sorted() {
            svg += "<g class=\"cluster\" data-label=\"\(label)\" fill=\"\(color(label: label))\">\n"
            for index in byLabel[label]! {
                svg += "<circle cx=\"\(TextFormat.coordinate(xScale(points.activePower[index])))\" "
                svg += "cy=\"\(TextFormat.coordinate(yScale(points.current[index])))\" r=\"\(radius)\"/>\n"
            }
            svg += "</g>\n"
        }
        svg += "</g>\n"
    }

    private static func drawLegend(_ report: DeviceReport, into svg: inout String) {
        var y = 66.0
        // Entries move closer together when there are many; those that still do not fit are counted.
        let spacing = Swift.max(14, Swift.min(22, 370 / Double(Swift.max(report.clusters.count, 1))))
        let shown = Swift.min(report.clusters.count, Int(370 / spacing))
        svg += "<g id=\"legend\">\n<text x=\"780\" y=\"\(Int(y))\" font-weight=\"bold\">Cluster (events)</text>\n"
        for cluster in report.clusters.prefix(shown) {
            y += spacing
            let name = cluster.isNoise ? "noise" : "cluster \(cluster.label)"
            svg +=
                "<rect x=\"780\" y=\"\(Int(y) - 11)\" width=\"14\" height=\"14\" fill=\"\(color(label: cluster.label))\"/>"
            svg += "<text x=\"802\" y=\"\(Int(y))\">\(name) (\(cluster.events))</text>\n"
        }
        if shown < report.clusters.count {
            svg += "<text x=\"780\" y=\"\(Int(y + spacing))\">and \(report.clusters.count - shown) more</text>\n"
        }
        svg += "</g>\n"
    }

    private static func drawBars(
        title: String, values: [Double], decimals: Int, labels: [Int], frame: Frame, into svg: inout String
    ) {
        // A tenth more than the tallest bar leaves room for its value label.
        let yTicks = TextFormat.ticks(low: 0, high: Swift.max((values.max() ?? 1) * 1.1, 1e-9), count: 4)
        let yScale = Scale(domain: yTicks.values, from: frame.bottom, to: frame.top)
        svg += "<g class=\"bars\">\n"
        svg += "<text x=\"\(TextFormat.coordinate((frame.left + frame.right) / 2))\" y=\"\(Int(frame.top) - 12)\" "
        svg += "text-anchor=\"middle\" font-weight=\"bold\">\(TextFormat.escape(title))</text>\n"
        drawHorizontalGrid(ticks: yTicks, scale: yScale, frame: frame, into: &svg)
        let slot = (frame.right - frame.left) / Double(Swift.max(values.count, 1))
        for (index, value) in values.enumerated() {
            let x = frame.left + slot * Double(index) + slot * 0.15
            let top = yScale(value)
            let name = labels[index] < 0 ? "noise" : "\(labels[index])"
            let center = TextFormat.coordinate(x + slot * 0.35)
            svg += "<rect x=\"\(TextFormat.coordinate(x))\" y=\"\(TextFormat.coordinate(top))\" "
            svg +=
                "width=\"\(TextFormat.coordinate(slot * 0.7))\" height=\"\(TextFormat.coordinate(frame.bottom - top))\" "
            svg += "fill=\"\(color(label: labels[index]))\"/>"
            svg +=
                "<text x=\"\(center)\" y=\"\(TextFormat.coordinate(top - 4))\" text-anchor=\"middle\" font-size=\"11\">"
            svg += "\(TextFormat.fixed(value, decimals: decimals))</text>"
            svg += "<text x=\"\(center)\" y=\"\(Int(frame.bottom) + 16)\" text-anchor=\"middle\">\(name)</text>\n"
        }
        svg += "<line x1=\"\(Int(frame.left))\" x2=\"\(Int(frame.right))\" y1=\"\(Int(frame.bottom))\" "
        svg += "y2=\"\(Int(frame.bottom))\" stroke=\"#222\"/>\n"
        svg += "<text x=\"\(TextFormat.coordinate((frame.left + frame.right) / 2))\" y=\"\(Int(frame.bottom) + 34)\" "
        svg += "text-anchor=\"middle\">Cluster</text>\n</g>\n"
    }

    /// Horizontal grid lines at the y ticks, with their values on the left.
    private static func drawHorizontalGrid(
        ticks: (values: [Double], decimals: Int), scale: Scale, frame: Frame, into svg: inout String
    ) {
        for tick in ticks.values {
            let y = TextFormat.coordinate(scale(tick))
            svg +=
                "<line x1=\"\(Int(frame.left))\" x2=\"\(Int(frame.right))\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#e6e6e6\"/>"
            svg += "<text x=\"\(Int(frame.left) - 6)\" y=\"\(y)\" dy=\"4\" text-anchor=\"end\">"
            svg += "\(TextFormat.fixed(tick, decimals: ticks.decimals))</text>\n"
        }
    }

    private static func drawAxes(
        frame: Frame, xTicks: (values: [Double], decimals: Int), xScale: Scale,
        yTicks: (values: [Double], decimals: Int), yScale: Scale, xTitle: String, yTitle: String,
        into svg: inout String
    ) {
        svg += "<g class=\"axes\">\n"
        for tick in xTicks.values {
            let x = TextFormat.coordinate(xScale(tick))
            svg +=
                "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(Int(frame.top))\" y2=\"\(Int(frame.bottom))\" stroke=\"#e6e6e6\"/>"
            svg += "<text x=\"\(x)\" y=\"\(Int(frame.bottom) + 18)\" text-anchor=\"middle\">"
            svg += "\(TextFormat.fixed(tick, decimals: xTicks.decimals))</text>\n"
        }
        drawHorizontalGrid(ticks: yTicks, scale: yScale, frame: frame, into: &svg)
        svg += "<rect x=\"\(Int(frame.left))\" y=\"\(Int(frame.top))\" width=\"\(Int(frame.right - frame.left))\" "
        svg += "height=\"\(Int(frame.bottom - frame.top))\" fill=\"none\" stroke=\"#222\"/>\n"
        svg += "<text x=\"\(TextFormat.coordinate((frame.left + frame.right) / 2))\" y=\"\(Int(frame.bottom) + 40)\" "
        svg += "text-anchor=\"middle\">\(TextFormat.escape(xTitle))</text>\n"
        let middle = TextFormat.coordinate((frame.top + frame.bottom) / 2)
        svg += "<text x=\"24\" y=\"\(middle)\" text-anchor=\"middle\" transform=\"rotate(-90 24 \(middle))\">"
        svg += "\(TextFormat.escape(yTitle))</text>\n</g>\n"
    }

    /// A linear map from the span of the ticks onto a pixel range.
    struct Scale {
        var low: Double
        var high: Double
        var from: Double
        var to: Double

        init(domain: [Double], from: Double, to: Double) {
            low = domain.first ?? 0
            high = domain.last ?? 1
            if high <= low { high = low + 1 }
            self.from = from
            self.to = to
        }

        func callAsFunction(_ value: Double) -> Double {
            from + (value - low) / (high - low) * (to - from)
        }
    }
}
