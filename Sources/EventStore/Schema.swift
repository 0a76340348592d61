/// The database schema, as a list of migrations applied in order at open.
///
/// `PRAGMA user_version` holds the number of migrations applied. A migration is never edited
/// once released: a change to the schema is a new migration at the end of the list.
enum Schema {
    static let migrations: [String] = [
        // 1: the first schema.
        """
        CREATE TABLE cluster_runs (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL,
            events INTEGER NOT NULL,
            first_event_id INTEGER,
            last_event_id INTEGER,
            status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
            bandwidth REAL,
            n_iter INTEGER,
            clusters INTEGER,
            seconds REAL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            command TEXT NOT NULL,
            error TEXT
        );
        CREATE INDEX cluster_runs_device ON cluster_runs(device_id, status);

        CREATE TABLE cluster_centers (
            run_id INTEGER NOT NULL REFERENCES cluster_runs(id) ON DELETE CASCADE,
            label INTEGER NOT NULL,
            active_power_w REAL NOT NULL,
            reactive_power_var REAL NOT NULL,
            apparent_power_va REAL NOT NULL,
            current_a REAL NOT NULL,
            voltage_v REAL NOT NULL,
            peak_1 REAL NOT NULL,
            peak_2 REAL NOT NULL,
            peak_3 REAL NOT NULL,
            PRIMARY KEY (run_id, label)
        ) WITHOUT ROWID;

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL,
            firmware INTEGER NOT NULL,
            event_code INTEGER NOT NULL,
            coil_reversed INTEGER NOT NULL CHECK (coil_reversed IN (0, 1)),
            active_power_w REAL NOT NULL,
            reactive_power_var REAL NOT NULL,
            apparent_power_va REAL NOT NULL,
            current_a REAL NOT NULL,
            voltage_v REAL NOT NULL,
            phase_rad REAL NOT NULL,
            peaks BLOB NOT NULL,
            fft_re BLOB NOT NULL,
            fft_im BLOB NOT NULL,
            measured_at TEXT NOT NULL,
            frequency_hz REAL NOT NULL,
            wifi_strength_dbm INTEGER NOT NULL,
            dummy INTEGER,
            extra TEXT,
            label INTEGER,
            cluster_run INTEGER REFERENCES cluster_runs(id),
            received_at TEXT NOT NULL,
            source TEXT NOT NULL,
            source_line INTEGER,
            line_hash BLOB NOT NULL,
            line_key INTEGER NOT NULL,
            times_seen INTEGER NOT NULL DEFAULT 1
        );
        -- line_key: measured_at's seconds in the high 32 bits, 32 bits of line_hash in the low ones.
        -- New rows land at the end of this index (the sensor's clock only moves forward), which
        -- keeps inserts fast in a large table; line_hash settles the rare shared key.
        CREATE UNIQUE INDEX events_line_key ON events(line_key);

        CREATE TABLE rejected_lines (
            id INTEGER PRIMARY KEY,
            raw BLOB NOT NULL,
            length INTEGER NOT NULL,
            reason TEXT NOT NULL,
            field TEXT NOT NULL,
            source TEXT NOT NULL,
            source_line INTEGER,
            received_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            times_seen INTEGER NOT NULL DEFAULT 1,
            line_hash BLOB NOT NULL UNIQUE
        );
        """
    ]

    /// The schema version this build writes.
    static var currentVersion: Int64 { Int64(migrations.count) }
}
