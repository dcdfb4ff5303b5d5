import NIOConcurrencyHelpers

/// The current snapshot, swapped whole on reload.
final class SnapshotBox: Sendable {
    private let box: NIOLockedValueBox<RegistrySnapshot>

    init(_ snapshot: RegistrySnapshot) {
        box = NIOLockedValueBox(snapshot)
    }

    /// The snapshot in force.
    var current: RegistrySnapshot { box.withLockedValue { $0 } }

    /// Puts `snapshot` in force for every request that starts from now on.
    func replace(with snapshot: RegistrySnapshot) {
        box.withLockedValue { $0 = snapshot }
    }
}
