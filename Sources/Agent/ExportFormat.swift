import EventStore

/// The formats of `energy-agent export`.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// One JSON object per line.
    case ndjson
    /// A header row, then one row per event; lists as `;`-joined numbers.
    case csv
    /// One JSON array of objects.
    case json

    /// The column names, in order, as they appear in every format.
    public static let columns = [
        "id", "device_id", "firmware", "event_code", "coil_reversed", "active_power_w", "reactive_power_var",
        "apparent_power_va", "current_a", "voltage_v", "phase_rad", "peaks", "fft_re", "fft_im", "measured_at",
        "frequency_hz", "wifi_strength_dbm", "dummy", "extra", "label", "cluster_run", "received_at", "source",
    ]

    /// One event as a JSON object, on one line.
    static func jsonObject(_ stored: StoredEvent) -> String {
        let event = stored.event
        func number(_ value: Double) -> String { JSONText.number(value) }
        func optional(_ value: Int64?) -> String { value.map(String.init) ?? "null" }
        let values: [String] = [
            String(stored.id), String(event.deviceID), String(event.firmware), String(event.eventCode),
            event.coilReversed ? "true" : "false", number(event.activePower), number(event.reactivePower),
            number(event.apparentPower), number(event.current), number(event.voltage), number(event.phase),
            JSONText.array(event.peaks), JSONText.array(event.fftReal), JSONText.array(event.fftImaginary),
            JSONText.quote(event.measuredAt.iso8601), number(event.frequency), String(event.wifiStrength),
            optional(event.dummy), stored.extraJSON ?? "{}", optional(stored.label.map(Int64.init)),
            optional(stored.clusterRun), JSONText.quote(stored.receivedAt), JSONText.quote(stored.sourceDescription),
        ]
        return JSONText.object(Array(zip(columns, values)))
    }

    /// The CSV header row, with its line ending.
    static var csvHeader: String { columns.joined(separator: ",") + "\r\n" }

    /// One event as a CSV row, with its line ending.
    static func csvRow(_ stored: StoredEvent) -> String {
        let event = stored.event
        func list(_ values: [Double]) -> String { values.map { $0.description }.joined(separator: ";") }
        let values: [String] = [
            String(stored.id), String(event.deviceID), String(event.firmware), String(event.eventCode),
            event.coilReversed ? "true" : "false", event.activePower.description, event.reactivePower.description,
            event.apparentPower.description, event.current.description, event.voltage.description,
            event.phase.description, list(event.peaks), list(event.fftReal), list(event.fftImaginary),
            event.measuredAt.iso8601, event.frequency.description, String(event.wifiStrength),
            event.dummy.map(String.init) ?? "", stored.extraJSON ?? "", stored.label.map(String.init) ?? "",
            stored.clusterRun.map(String.init) ?? "", stored.receivedAt, stored.sourceDescription,
        ]
        return values.map(csvField).joined(separator: ",") + "\r\n"
    }

    /// Quotes a CSV field when it holds a comma, a quote, a line break or edge spaces (RFC 4180).
    static func csvField(_ value: String) -> String {
        let needsQuotes = value.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || value.hasPrefix(" ") || value.hasSuffix(" ")
        guard needsQuotes else { return value }
        return "\"" + value.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    /// Replaces every occurrence of one character.
    func replacingAll(_ character: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count)
        for element in self {
            if element == character { result += replacement } else { result.append(element) }
        }
        return result
    }
}
