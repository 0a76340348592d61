/// Why a serial port could not be opened, beyond a plain failed system call.
public enum SerialPortError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another process holds the port (its `flock`, or `TIOCEXCL` for an unprivileged opener).
    case inUse(path: String)
    /// The baud rate has no termios speed constant.
    case unsupportedBaudRate(Int)
    /// `tcsetattr` returned success but the settings read back differ.
    case settingsNotApplied(path: String, detail: String)

    /// A sentence a person can act on.
    public var description: String {
        switch self {
        case .inUse(let path):
            return "\(path) is in use by another process"
        case .unsupportedBaudRate(let rate):
            let supported = SerialPort.supportedBaudRates.map(String.init).joined(separator: ", ")
            return "baud rate \(rate) is not supported (supported: \(supported))"
        case .settingsNotApplied(let path, let detail):
            return "\(path): the terminal settings were not applied (\(detail))"
        }
    }
}
