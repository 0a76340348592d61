import EventStore
import SensorFormat

/// Makes a ``DeviceReport`` from the database.
public enum ReportBuilder {
    /// The report of a device's latest succeeded clustering run.
    ///
    /// The run's events are those whose `cluster_run` is the run's id: each run relabels the
    /// events it covers, so for the latest run these are exactly the events it clustered.
    /// - Throws: ``ReportError/notClustered(device:)`` when the device has no succeeded run;
    ///   ``DatabaseError`` when the database cannot be read.
    public static func build(store: EventStore, device: Int64) throws -> DeviceReport {
        guard let run = try store.latestSucceededRun(device: device) else {
            throw ReportError.notClustered(device: device)
        }
        return try build(store: store, run: run)
    }

    /// The report of one succeeded run, which must be its device's latest.
    public static func build(store: EventStore, run: ClusterRun) throws -> DeviceReport {
        let centers = try store.centers(run: run.id)
        let statement = try store.database.prepare(
            """
            SELECT label, active_power_w, reactive_power_var, apparent_power_va, current_a, voltage_v, peaks,
                measured_at
            FROM events WHERE device_id = ?1 AND cluster_run = ?2 ORDER BY id
            """)
        statement.bind(run.deviceID, at: 1)
        statement.bind(run.id, at: 2)
        // Columns per label, so that each feature's values can be summed in NumPy's order.
        var columns: [Int: [[Double]]] = [:]
        var points = DeviceReport.Points()
        points.labels.reserveCapacity(run.events)
        points.activePower.reserveCapacity(run.events)
        points.current.reserveCapacity(run.events)
        var earliest: String?
        var latest: String?
        while try statement.step() {
            let label = Int(statement.int64(at: 0))
            var row = (Int32(1)...5).map { statement.double(at: $0) }
            let peaks = statement.blob(at: 6)
            for index in 0..<3 {
                row.append(
                    index * 8 + 8 <= peaks.count
                        ? peaks.loadUnaligned(fromByteOffset: index * 8, as: Double.self) : .nan)
            }
            if columns[label] == nil {
                columns[label] = Array(repeating: [], count: SensorEvent.featureCount)
            }
            for (feature, value) in row.enumerated() { columns[label]![feature].append(value) }
            points.labels.append(label)
            points.activePower.append(row[0])
            points.current.append(row[3])
            if let measured = statement.text(at: 7) {
                if earliest.map({ measured < $0 }) ?? true { earliest = measured }
                if latest.map({ measured > $0 }) ?? true { latest = measured }
            }
        }
        let total = points.count
        guard total == run.events else {
            throw ReportError.inconsistentRun(device: run.deviceID, run: run.id, expected: run.events, found: total)
        }
        let labels = Set(columns.keys).union(centers.indices).sorted()
        let clusters = labels.map { label -> ClusterSummary in
            let values = columns[label] ?? []
            let count = values.first?.count ?? 0
            return ClusterSummary(
                label: label, events: count, share: total == 0 ? 0 : Double(count) / Double(total),
                features: count == 0 ? [] : values.map(FeatureStatistics.init(of:)),
                center: label >= 0 && label < centers.count ? centers[label] : nil)
        }
        return DeviceReport(
            device: run.deviceID, run: run, events: total, measuredFrom: earliest, measuredTo: latest,
            clusters: clusters, points: points)
    }
}
