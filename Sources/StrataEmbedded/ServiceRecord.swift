/// One local service as recorded in `services.json`: where it lives and how to reach it.
///
/// `services.json` and the JSON of `strata up --json` hold the URL with its password hidden (`***`); the password
/// itself lives in `passwordFile`. A record read from a running service carries the real URL in `url`.
public struct ServiceRecord: Codable, Sendable, Hashable, CustomStringConvertible {
    /// `postgres` or `redis`.
    public var name: String
    /// The URL clients connect to, with the password when the service is running: hand it to a client, never
    /// print it (print `redactedURL`).
    public var url: String
    /// The URL with the password hidden, for messages.
    public var redactedURL: String
    /// The TCP port on 127.0.0.1.
    public var port: Int
    /// The server's process id while it runs; nil once stopped.
    public var pid: Int32?
    /// The folder holding the service's files.
    public var directory: String
    /// The service's log file.
    public var logFile: String
    /// The file (mode 0600) holding the service's password, if it has one.
    public var passwordFile: String?
    /// What the service is doing; not stored in `services.json`, where it would go stale.
    public var state: ServiceState

    /// Creates a record.
    public init(
        name: String, url: String, redactedURL: String, port: Int, pid: Int32?, directory: String, logFile: String,
        passwordFile: String?, state: ServiceState
    ) {
        self.name = name
        self.url = url
        self.redactedURL = redactedURL
        self.port = port
        self.pid = pid
        self.directory = directory
        self.logFile = logFile
        self.passwordFile = passwordFile
        self.state = state
    }

    /// The service, its URL without the password.
    public var description: String {
        "\(name) at \(redactedURL) (pid \(pid.map(String.init) ?? "none"), folder \(directory))"
    }

    private enum CodingKeys: String, CodingKey {
        case name, url, port, pid, directory, logFile, passwordFile
    }

    /// Decodes a record from `services.json`, as stopped until someone checks.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        url = try container.decode(String.self, forKey: .url)
        redactedURL = url
        port = try container.decode(Int.self, forKey: .port)
        pid = try container.decodeIfPresent(Int32.self, forKey: .pid)
        directory = try container.decode(String.self, forKey: .directory)
        logFile = try container.decode(String.self, forKey: .logFile)
        passwordFile = try container.decodeIfPresent(String.self, forKey: .passwordFile)
        state = .stopped
    }

    /// Encodes a record for `services.json`: the URL without its password, and no state.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(redactedURL, forKey: .url)
        try container.encode(port, forKey: .port)
        try container.encode(pid, forKey: .pid)
        try container.encode(directory, forKey: .directory)
        try container.encode(logFile, forKey: .logFile)
        try container.encodeIfPresent(passwordFile, forKey: .passwordFile)
    }
}
