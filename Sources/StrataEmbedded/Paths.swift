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

    /// Creates `path` (and missing parents) and makes it private to the current user: mode 0700, or 0710 with the
    /// group of `account` when PostgreSQL runs as that account and must pass through it to reach its cluster.
    ///
    /// An existing folder is locked down the same way (folders made by older versions were 0755); one owned by
    /// another user is refused, since its owner could read or replace what Strata keeps there, and so is a
    /// symbolic link unless `followingLinks` (in a shared folder such as /var/tmp, another user may plant one).
    static func createPrivateDirectory(
        _ path: String, passableBy account: ServiceAccount? = nil, followingLinks: Bool = true
    ) throws {
        try createDirectory(path)
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else {
            throw LocalServicesError(
                code: .directoryUnusable,
                message: "could not open the folder \(path): \(String(cString: strerror(errno)))\(followingLinks ? "" : " (it must not be a symbolic link)")")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw LocalServicesError(
                code: .directoryUnusable, message: "could not inspect \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_uid == geteuid() else {
            throw LocalServicesError(
                code: .directoryUnusable,
                message: "\(path) belongs to another user (uid \(info.st_uid)); Strata keeps passwords and data there, so it must be yours: remove it or choose another folder")
        }
        if let account, fchown(descriptor, uid_t.max, account.gid) != 0 {
            throw LocalServicesError(
                code: .directoryUnusable,
                message: "could not give \(path) to the group of '\(account.name)': \(String(cString: strerror(errno)))")
        }
        guard fchmod(descriptor, account == nil ? 0o700 : 0o710) == 0 else {
            throw LocalServicesError(
                code: .directoryUnusable, message: "could not make \(path) private: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `text` to `path` readable and writable by its owner only (0600), atomically: the content goes to a
    /// fresh file created with that mode, so it is never readable by others, even for a moment, then replaces `path`.
    static func writePrivateFile(_ path: String, _ text: String) throws {
        let temporary = "\(path).\(UUID().uuidString.prefix(8)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LocalServicesError(
                code: .directoryUnusable,
                message: "could not write \(path): \(String(cString: strerror(errno))); check the folder's permissions")
        }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            written += count
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw LocalServicesError(
                code: .directoryUnusable, message: "could not write \(path): \(reason); check the free space")
        }
    }

    /// Makes an existing file readable and writable by its owner only; a missing file is fine.
    static func makePrivate(_ path: String) {
        chmod(path, 0o600)
    }

    /// Creates a fresh folder `/tmp/<prefix>-XXXXXX`, private to the current user (see `createPrivateDirectory`).
    static func makeTemporaryDirectory(prefix: String, passableBy account: ServiceAccount? = nil) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LocalServicesError(
                code: .directoryUnusable,
                message: "could not create a temporary folder under /tmp: \(String(cString: strerror(errno))); check that /tmp is writable")
        }
        let path = String(cString: created)
        try createPrivateDirectory(path, passableBy: account)
        return path
    }
}
