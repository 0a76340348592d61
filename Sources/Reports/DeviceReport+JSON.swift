import EventStore
import SensorFormat

extension DeviceReport {
    /// `events_by_cluster.json`: `{"-1": 101, "0": 322, ...}`, the number of events of each group
    /// that has any, noise first, then by ascending label.
    public var eventsByClusterJSON: String {
        Self.flatObject(populatedClusters.map { ($0.label, "\($0.events)") })
    }

    /// `average_active_power_by_cluster.json`: `{"-1": 1968.63..., "0": 270.15..., ...}`, the mean
    /// active power in watts of each group that has events, with the keys of `events_by_cluster.json`.
    public var averageActivePowerJSON: String {
        Self.flatObject(populatedClusters.map { ($0.label, JSONText.number($0.meanActivePower ?? .nan)) })
    }

    /// `summary.json`: the run and every group's statistics; see `docs/schemas/summary.schema.json`.
    public var summaryJSON: String {
        let names = SensorEvent.featureNames
        let run: JSONTree = .object([
            ("id", .integer(self.run.id)),
            ("events", .integer(events)),
            ("first_event_id", .integer(self.run.firstEventID)),
            ("last_event_id", .integer(self.run.lastEventID)),
            ("measured_at", .object([("earliest", .string(measuredFrom)), ("latest", .string(measuredTo))])),
            ("bandwidth", .number(self.run.bandwidth)),
            ("n_iter", .integer(self.run.iterations)),
            ("clusters", .integer(clusterCount)),
            ("noise_events", .integer(noiseEvents)),
            ("command", .string(self.run.command)),
            ("started_at", .string(self.run.startedAt)),
            ("finished_at", .string(self.run.finishedAt)),
            ("seconds", .number(self.run.seconds)),
        ])
        let groups: [JSONTree] = clusters.map { cluster in
            let features: JSONTree
            if cluster.features.isEmpty {
                features = .null
            } else {
                features = .object(
                    zip(names, cluster.features).map { name, statistics in
                        (
                            name,
                            .object([
                                ("mean", .number(statistics.mean)), ("min", .number(statistics.min)),
                                ("max", .number(statistics.max)), ("std", .number(statistics.standardDeviation)),
                            ])
                        )
                    })
            }
            let center: JSONTree =
                cluster.center.map { values in
                    .object(zip(names, values).map { ($0, .number($1)) })
                } ?? .null
            return .object([
                ("label", .integer(cluster.label)),
                ("noise", .literal(cluster.isNoise ? "true" : "false")),
                ("events", .integer(cluster.events)),
                ("share", .number(cluster.share)),
                ("features", features),
                ("center", center),
            ])
        }
        return JSONTree.object([
            ("schema_version", .integer(Self.schemaVersion)),
            ("device", .integer(device)),
            ("run", run),
            ("features", .array(names.map { .string($0) })),
            ("std_ddof", .integer(0)),
            ("clusters", .array(groups)),
        ]).text
    }

    /// `{"k": v, ...}` on one line, the shape the original web service answered with.
    static func flatObject(_ members: [(Int, String)]) -> String {
        "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}\n"
    }
}
