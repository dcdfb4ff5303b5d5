import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file written beside its final path (`NAME.partial-PID-N`, same folder) and moved into place only when
/// complete, so that a failed or interrupted run leaves no half-written output.
///
/// Every partial file of the process is registered: a process exiting on a signal removes them all with
/// `removeAllForExit()`. Moving into place takes the same lock, so an interrupt sees either the partial file
/// (and removes it) or the finished output, never a move half done.
public struct PartialFile: Sendable {
    /// The path the finished file takes.
    public let path: String
    /// Where the file is written meanwhile.
    public let temporaryPath: String

    /// Registers a partial file for `path` (nothing is created yet).
    /// - Throws: `OfflineError.badOutput` when `path` is an existing folder, which the finished file could not
    ///   replace, or its folder does not exist.
    public init(for path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw OfflineError(.badOutput, "cannot write \(path): it is a folder (expected a file path)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
            throw OfflineError(.badOutput, "cannot write \(path): folder \(folder) does not exist (expected a path in an existing folder)")
        }
        self.path = path
        temporaryPath = Self.registry.register(beside: path)
    }

    /// Runs `commit`, then renames the partial file to its final path, both under the registry's lock; a
    /// failure of either removes the partial file and rethrows.
    public func moveIntoPlace(after commit: () throws -> Void = {}) throws {
        try Self.registry.withLock { paths in
            defer {
                unlink(temporaryPath)
                paths.remove(temporaryPath)
            }
            try commit()
            guard rename(temporaryPath, path) == 0 else {
                throw OfflineError(.badOutput, "cannot move the finished file into place at \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Writes `bytes` to a partial file beside `path` and moves it into place: the whole file or, on a
    /// failure (a full disk, a file-size limit), nothing.
    /// - Throws: `OfflineError.badOutput` naming the path and the system's reason.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let partial = try PartialFile(for: path)
        do {
            try partial.writeTemporary(bytes)
        } catch {
            partial.remove()
            throw error
        }
        try partial.moveIntoPlace()
    }

    func writeTemporary(_ bytes: [UInt8]) throws {
        func failure() -> OfflineError { OfflineError(.badOutput, "cannot write \(path): \(String(cString: strerror(errno)))") }
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure() }
        var closed = false
        defer { if !closed { close(descriptor) } }
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw failure() }
                offset += written
            }
        }
        closed = true
        guard close(descriptor) == 0 else { throw failure() }
    }

    /// Removes the partial file and forgets it; nothing happens once it has been moved into place.
    public func remove() {
        Self.registry.withLock { paths in
            guard paths.remove(temporaryPath) != nil else { return }
            unlink(temporaryPath)
        }
    }

    /// Removes every registered partial file and keeps the lock for good, so that none is moved into place
    /// afterwards: for a process about to exit on a signal.
    public static func removeAllForExit() {
        registry.lock.lock()
        for path in registry.paths { unlink(path) }
        registry.paths.removeAll()
    }

    static let registry = Registry()

    /// The process's partial files, under one lock.
    final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var paths: Set<String> = []
        var created = 0

        func register(beside path: String) -> String {
            withLock { paths in
                created += 1
                let temporary = "\(path).partial-\(getpid())-\(created)"
                paths.insert(temporary)
                return temporary
            }
        }

        func withLock<T>(_ body: (inout Set<String>) throws -> T) rethrows -> T {
            lock.lock()
            defer { lock.unlock() }
            return try body(&paths)
        }
    }
}
