import EventStore
import Reports

/// The pipeline every ingesting command shares: the store, the ingestor, the clustering
/// scheduler, wired together.
final class Session {
    let data: DataDirectory
    let store: EventStore
    let ingestor: Ingestor
    let scheduler: ClusterScheduler?
    let log: Logger
    /// Rewrites the reports after each successful clustering run.
    let reports: ReportWriter
    /// Held from the start to the end: no second writer on the same database.
    let lock: DatabaseLock
    private var clock = WallClock()

    /// Takes the database's lock, opens the store, marks runs an earlier agent left `running` as failed and asks for them
    /// again, and connects the threshold of the ingestor to the scheduler.
    init(data: DataDirectory, cluster: ClusterOptions, pending: ClusterScheduler.Pending, log: Logger) throws {
        self.data = data
        self.log = log
        try data.create()
        lock = try DatabaseLock(databasePath: data.databasePath)
        store = try ReplayCommand.openStore(data)
        // SQLite opens a file it may not write for reading only, and every insert would fail later.
        if store.database.isReadOnly {
            store.close()
            throw CommandError(
                "the database \(data.databasePath) is read-only for this process (file permissions or a read-only "
                    + "filesystem); nothing could be stored",
                code: .ioError)
        }
        ingestor = try Ingestor(store: store, clusterEvery: cluster.every)
        let reports = ReportWriter(directory: data.reportsPath)
        self.reports = reports
        if cluster.every > 0 {
            let scheduler = cluster.scheduler(store: store, data: data, pending: pending, log: log)
            self.scheduler = scheduler
            scheduler.onRunFinished = { [store] run in
                ReportCommand.publish(after: run, store: store, writer: reports, log: log)
            }
            ingestor.onThreshold = { device, count in scheduler.request(device: device, events: count) }
            let abandoned = try store.failAbandonedRuns(finishedAt: clock.nowText())
            for device in abandoned {
                let multiple = (ingestor.deviceCounts[device] ?? 0) / cluster.every * cluster.every
                guard multiple > 0 else { continue }
                log.warning("device \(device): a clustering run was left unfinished by an earlier agent; running it again")
                scheduler.request(device: device, events: multiple)
            }
        } else {
            scheduler = nil
        }
    }

    /// Waits for the clustering runs, then closes the store.
    func finish() {
        scheduler?.waitForAll()
        store.close()
        lock.release()
    }
}
