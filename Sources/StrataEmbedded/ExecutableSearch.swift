import Foundation

/// Finds programs on `PATH` and in a few well-known folders.
public enum ExecutableSearch {
    /// The first executable file called `name` in `PATH`, then in `extraFolders`.
    public static func find(_ name: String, alsoIn extraFolders: [String] = []) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + extraFolders
        return folders.lazy.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
