/// What a local service is doing, as found or changed by `LocalServices`.
public enum ServiceState: String, Sendable, Hashable {
    /// `up` started it.
    case started
    /// `up` found it already running and left it alone.
    case alreadyRunning
    /// `status` found it running.
    case running
    /// It is not running: `down` stopped it, or `status` found it stopped.
    case stopped
}
