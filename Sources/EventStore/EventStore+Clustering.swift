import CSQLite
import SensorFormat

extension EventStore {
    /// The devices that have events, in ascending order.
    public func devices() throws -> [Int64] {
        let statement = try database.prepare("SELECT DISTINCT device_id FROM events ORDER BY device_id")
        var result: [Int64] = []
        while try statement.step() { result.append(statement.int64(at: 0)) }
        return result
    }

    /// The clustering features of a device's first `limit` events (all when `nil`), in id order.
    public func features(device: Int64, limit: Int?) throws -> FeatureRows {
        let statement = try database.prepare(
            """
            SELECT id, active_power_w, reactive_power_var, apparent_power_va, current_a, voltage_v, peaks
            FROM events WHERE device_id = ?1 ORDER BY id LIMIT ?2
            """)
        statement.bind(device, at: 1)
        statement.bind(Int64(limit ?? -1), at: 2)
        var rows = FeatureRows(eventIDs: [], values: [])
        if let limit {
            rows.eventIDs.reserveCapacity(limit)
            rows.values.reserveCapacity(limit * SensorEvent.featureCount)
        }
        while try statement.step() {
            rows.eventIDs.append(statement.int64(at: 0))
            for column in Int32(1)...5 { rows.values.append(statement.double(at: column)) }
            let peaks = statement.blob(at: 6)
            for index in 0..<3 {
                rows.values.append(peaks.loadUnaligned(fromByteOffset: index * 8, as: Double.self))
            }
        }
        return rows
    }

    /// Records the start of a run and returns its id.
    public func startRun(
        device: Int64, events: Int, firstEventID: Int64?, lastEventID: Int64?, command: String, startedAt: String
    ) throws -> Int64 {
        let statement = try database.prepare(
            """
            INSERT INTO cluster_runs (device_id, events, first_event_id, last_event_id, status, started_at, command)
            VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6) RETURNING id
            """)
        statement.bind(device, at: 1)
        statement.bind(Int64(events), at: 2)
        statement.bind(firstEventID, at: 3)
        statement.bind(lastEventID, at: 4)
        statement.bind(startedAt, at: 5)
        statement.bind(command, at: 6)
        try statement.step()
        return statement.int64(at: 0)
    }

    /// Stores a finished run's result: every covered event's label and run, the centers, and the
    /// run row, all in one transaction.
    /// - Throws: ``DatabaseError``; nothing is stored then.
    public func finishRun(id: Int64, eventIDs: [Int64], outcome: ClusterOutcome, finishedAt: String) throws {
        precondition(eventIDs.count == outcome.labels.count, "one label per event")
        try database.savepoint("finish_run") {
            let label = try database.prepare("UPDATE events SET label = ?1, cluster_run = ?2 WHERE id = ?3")
            for (eventID, value) in zip(eventIDs, outcome.labels) {
                label.bind(Int64(value), at: 1)
                label.bind(id, at: 2)
                label.bind(eventID, at: 3)
                try label.run()
            }
            let center = try database.prepare(
                "INSERT INTO cluster_centers VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
            for (index, values) in outcome.centers.enumerated() {
                center.bind(id, at: 1)
                center.bind(Int64(index), at: 2)
                for (offset, value) in values.prefix(8).enumerated() { center.bind(value, at: Int32(3 + offset)) }
                try center.run()
            }
            let run = try database.prepare(
                """
                UPDATE cluster_runs SET status = 'succeeded', bandwidth = ?2, n_iter = ?3, clusters = ?4,
                    seconds = ?5, finished_at = ?6, error = NULL
                WHERE id = ?1
                """)
            run.bind(id, at: 1)
            run.bind(outcome.bandwidth, at: 2)
            run.bind(Int64(outcome.iterations), at: 3)
            run.bind(Int64(outcome.centers.count), at: 4)
            run.bind(outcome.seconds, at: 5)
            run.bind(finishedAt, at: 6)
            try run.run()
        }
    }

    /// Marks a run failed with the reason.
    public func failRun(id: Int64, error: String, finishedAt: String) throws {
        let statement = try database.prepare(
            "UPDATE cluster_runs SET status = 'failed', error = ?2, finished_at = ?3 WHERE id = ?1")
        statement.bind(id, at: 1)
        statement.bind(error, at: 2)
        statement.bind(finishedAt, at: 3)
        try statement.run()
    }

    /// Marks every run left `running` (by an agent that died) as failed.
    /// - Returns: the devices whose runs were marked, so that they can be run again.
    public func failAbandonedRuns(finishedAt: String) throws -> [Int64] {
        let statement = try database.prepare(
            """
            UPDATE cluster_runs SET status = 'failed', finished_at = ?1,
                error = 'the agent stopped before the run finished'
            WHERE status = 'running' RETURNING device_id
            """)
        statement.bind(finishedAt, at: 1)
        var devices: Set<Int64> = []
        while try statement.step() { devices.insert(statement.int64(at: 0)) }
        return devices.sorted()
    }

    /// The runs of a device (all devices when `nil`), newest first.
    public func runs(device: Int64?, limit: Int? = nil) throws -> [ClusterRun] {
        let statement = try database.prepare(
            """
            SELECT id, device_id, events, first_event_id, last_event_id, status, bandwidth, n_iter, clusters,
                seconds, started_at, finished_at, command, error
            FROM cluster_runs WHERE ?1 IS NULL OR device_id = ?1 ORDER BY id DESC LIMIT ?2
            """)
        statement.bind(device, at: 1)
        statement.bind(Int64(limit ?? -1), at: 2)
        var result: [ClusterRun] = []
        while try statement.step() {
            result.append(
                ClusterRun(
                    id: statement.int64(at: 0), deviceID: statement.int64(at: 1),
                    events: Int(statement.int64(at: 2)), firstEventID: statement.optionalInt64(at: 3),
                    lastEventID: statement.optionalInt64(at: 4),
                    status: ClusterRun.Status(rawValue: statement.text(at: 5) ?? "") ?? .failed,
                    bandwidth: statement.optionalDouble(at: 6), iterations: statement.optionalInt64(at: 7).map(Int.init),
                    clusters: statement.optionalInt64(at: 8).map(Int.init), seconds: statement.optionalDouble(at: 9),
                    startedAt: statement.text(at: 10) ?? "", finishedAt: statement.text(at: 11),
                    command: statement.text(at: 12) ?? "", error: statement.text(at: 13)))
        }
        return result
    }

    /// The latest succeeded run of a device.
    public func latestSucceededRun(device: Int64) throws -> ClusterRun? {
        try runs(device: device).first { $0.status == .succeeded }
    }

    /// The centers of a run, indexed by label.
    public func centers(run: Int64) throws -> [[Double]] {
        let statement = try database.prepare(
            "SELECT * FROM cluster_centers WHERE run_id = ?1 ORDER BY label")
        statement.bind(run, at: 1)
        var result: [[Double]] = []
        while try statement.step() {
            result.append((Int32(2)..<10).map { statement.double(at: $0) })
        }
        return result
    }
}
