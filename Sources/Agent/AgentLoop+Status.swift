import EventStore
import Glibc
import Reports

extension AgentLoop {
    /// The status document: the agent, each device, the totals and the clustering runs in
    /// flight. Its shape is described by `docs/schemas/status.schema.json`.
    func statusJSON(state: String) -> String {
        var clock = WallClock()
        func text(_ value: String?) -> String { value.map(JSONText.quote) ?? "null" }
        let deviceObjects = devices.map { device in
            JSONText.object([
                ("path", text(device.path)),
                ("node", text(device.node)),
                ("syspath", text(device.tty?.syspath)),
                ("vid_pid", text(device.usbID)),
                ("serial", text(device.serial)),
                ("driver", text(device.tty?.driver)),
                ("state", text(device.state.rawValue)),
                ("reason", text(device.reason)),
                ("detail", text(device.detail)),
                ("since", text(device.since)),
                ("bytes", "\(device.bytes)"),
                ("lines", "\(device.lines)"),
                ("events", "\(device.events)"),
                ("duplicates", "\(device.duplicates)"),
                ("rejected_lines", "\(device.rejected)"),
                ("last_event_at", text(device.lastEventAt)),
            ])
        }
        let counts = session.ingestor.counts
        let adopted = devices.filter { $0.state == .adopted }.count
        let totals = JSONText.object([
            ("devices_adopted", "\(adopted)"),
            ("bytes", "\(devices.reduce(0) { $0 + $1.bytes })"),
            ("lines", "\(counts.lines)"),
            ("events", "\(counts.stored)"),
            ("duplicates", "\(counts.duplicates)"),
            ("rejected_lines", "\(counts.rejected + counts.rejectedAgain)"),
            ("database_events", "\(totalsAtStart.events + counts.stored)"),
            ("database_rejected_lines", "\(totalsAtStart.rejected + counts.rejected)"),
        ])
        let runs = (session.scheduler?.runsInFlight ?? []).map { run in
            JSONText.object([
                ("device_id", "\(run.device)"),
                ("run_id", "\(run.run)"),
                ("events", "\(run.events)"),
                ("seconds", JSONText.number((run.seconds * 1000).rounded() / 1000)),
            ])
        }
        let last = session.scheduler?.finishedRuns.last.map { run in
            JSONText.object([
                ("device_id", "\(run.deviceID)"),
                ("run_id", "\(run.id)"),
                ("status", JSONText.quote(run.status.rawValue)),
                ("events", "\(run.events)"),
                ("finished_at", text(run.finishedAt)),
            ])
        }
        let cluster = JSONText.object([
            ("every", "\(session.scheduler == nil ? 0 : session.ingestor.clusterEvery)"),
            ("runs_in_flight", "[" + runs.joined(separator: ",") + "]"),
            ("last_run", last ?? "null"),
        ])
        let agent = JSONText.object([
            ("version", JSONText.quote(AgentCommand.version)),
            ("pid", "\(getpid())"),
            ("state", JSONText.quote(state)),
            ("started_at", JSONText.quote(startedAt)),
            ("discovery", JSONText.quote(discoveryMode)),
            ("database", JSONText.quote(session.data.databasePath)),
        ])
        return JSONText.object([
            ("schema_version", "1"),
            ("updated_at", JSONText.quote(clock.nowText())),
            ("agent", agent),
            ("devices", "[" + deviceObjects.joined(separator: ",") + "]"),
            ("totals", totals),
            ("storage", storageStatus),
            ("clustering", cluster),
        ]) + "\n"
    }

    /// Rewrites the status file atomically; a failure is logged once until it works again.
    func writeStatus(state: String) {
        do {
            try AtomicFile.write(statusJSON(state: state), to: configuration.statusPath)
            statusFailure = nil
        } catch {
            let message = "\(error)"
            if statusFailure != message { log.warning("status: \(message)") }
            statusFailure = message
        }
    }
}
