import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The unprivileged user that PostgreSQL runs as when Strata runs as root, since PostgreSQL refuses root.
struct ServiceAccount: Sendable {
    let name: String
    let uid: uid_t
    let gid: gid_t
    private let groups: [gid_t]
    private let switcher: String

    /// The account for PostgreSQL: nil when not running as root, else the system's `postgres` user.
    static func forPostgres() throws -> ServiceAccount? {
        guard geteuid() == 0 else { return nil }
        let name = "postgres"
        guard let entry = getpwnam(name) else {
            throw LocalServicesError(
                code: .binaryNotFound,
                message: "PostgreSQL refuses to run as root and there is no '\(name)' user to run it as; install postgresql (apt-get install -y postgresql), which creates it, or run Strata as an ordinary user")
        }
        let uid = entry.pointee.pw_uid
        let gid = entry.pointee.pw_gid
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        #if canImport(Darwin)
        let listed = groups.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: Int32.self) { getgrouplist(name, Int32(gid), $0.baseAddress, &count) }
        }
        #else
        let listed = getgrouplist(name, gid, &groups, &count)
        #endif
        groups = listed < 0 ? [gid] : Array(groups.prefix(Int(count)))
        let folders = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        guard let switcher = ExecutableSearch.find("runuser", alsoIn: folders)
            ?? ExecutableSearch.find("setpriv", alsoIn: folders)
        else {
            throw LocalServicesError(
                code: .binaryNotFound,
                message: "running PostgreSQL as '\(name)' needs runuser or setpriv; install util-linux (apt-get install -y util-linux)")
        }
        return ServiceAccount(name: name, uid: uid, gid: gid, groups: groups, switcher: switcher)
    }

    /// The launcher and arguments that run `executable` as this user.
    func command(_ executable: String, _ arguments: [String]) -> (String, [String]) {
        if switcher.hasSuffix("/runuser") {
            return (switcher, ["-u", name, "--", executable] + arguments)
        }
        return (switcher, ["--reuid=\(uid)", "--regid=\(gid)", "--init-groups", executable] + arguments)
    }

    /// Makes this user the owner of `path` (not recursive).
    func own(_ path: String) throws {
        guard chown(path, uid, gid) == 0 else {
            throw LocalServicesError(
                code: .directoryUnusable,
                message: "could not hand \(path) to the user '\(name)': \(String(cString: strerror(errno)))")
        }
    }

    /// Checks that this user can enter every folder above `path`, naming the first one it cannot.
    func checkCanReach(_ path: String) throws {
        var folder = ""
        for component in path.split(separator: "/").dropLast() {
            folder += "/\(component)"
            var info = stat()
            guard stat(folder, &info) == 0 else { continue }
            let mode = info.st_mode
            let searchable: Bool
            if info.st_uid == uid {
                searchable = mode & S_IXUSR != 0
            } else if groups.contains(info.st_gid) {
                searchable = mode & S_IXGRP != 0
            } else {
                searchable = mode & S_IXOTH != 0
            }
            guard searchable else {
                throw LocalServicesError(
                    code: .directoryUnusable,
                    message: "PostgreSQL runs as the user '\(name)', which cannot enter \(folder) (mode \(String(mode & 0o777, radix: 8))); choose a folder it can reach (for example under /srv or /tmp) or let it through with: chmod o+x \(folder)")
            }
        }
    }
}
