/// One local service as recorded in `services.json`: where it lives and how to reach it.
public struct ServiceRecord: Codable, Sendable, Hashable {
    /// `postgres` or `redis`.
    public var name: String
    /// The URL clients connect to.
    public var url: String
    /// The TCP port on 127.0.0.1.
    public var port: Int
    /// The server's process id while it runs; nil once stopped.
    public var pid: Int32?
    /// The folder holding the service's files.
    public var directory: String
    /// The service's log file.
    public var logFile: String
    /// What the service is doing; not stored in `services.json`, where it would go stale.
    public var state: ServiceState

    /// Creates a record.
    public init(
        name: String, url: String, port: Int, pid: Int32?, directory: String, logFile: String, state: ServiceState
    ) {
        self.name = name
        self.url = url
        self.port = port
        self.pid = pid
        self.directory = directory
        self.logFile = logFile
        self.state = state
    }

    private enum CodingKeys: String, CodingKey {
        case name, url, port, pid, directory, logFile
    }

    /// Decodes a record from `services.json`, as stopped until someone checks.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        url = try container.decode(String.self, forKey: .url)
        port = try container.decode(Int.self, forKey: .port)
        pid = try container.decodeIfPresent(Int32.self, forKey: .pid)
        directory = try container.decode(String.self, forKey: .directory)
        logFile = try container.decode(String.self, forKey: .logFile)
        state = .stopped
    }

    /// Encodes a record for `services.json`, without its state.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(url, forKey: .url)
        try container.encode(port, forKey: .port)
        try container.encode(pid, forKey: .pid)
        try container.encode(directory, forKey: .directory)
        try container.encode(logFile, forKey: .logFile)
    }
}
