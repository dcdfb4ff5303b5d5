import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-system helpers shared by the local services.
enum Paths {
    /// `path` made absolute against the current folder, with `.` and `..` resolved.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// Creates `path` and any missing parents; an existing folder is fine.
    static func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LocalServicesError(
                code: .directoryUnusable, message: "could not create \(path); check its parent's permissions",
                underlying: "\(error)")
        }
    }

    /// Creates a fresh folder `/tmp/<prefix>-XXXXXX` that any user may enter (PostgreSQL may run as another user).
    static func makeTemporaryDirectory(prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LocalServicesError(
                code: .directoryUnusable,
                message: "could not create a temporary folder under /tmp: \(String(cString: strerror(errno))); check that /tmp is writable")
        }
        let path = String(cString: created)
        chmod(path, 0o755)
        return path
    }
}
