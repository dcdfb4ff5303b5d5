import Foundation
import StrataColumnar
import StrataCore
import StrataOffline
import StrataOnline

/// CSV files: the input written to a file and read through the public entry points of the two commands
/// that read CSV, as a spine (`training-set --spine x.csv`) and as a push file (`push trips x.csv`).
enum CSVTarget {
    static let spineKeys: [(name: String, type: JoinKeyType)] = [("driver_id", .int64), ("rider", .string)]
    /// The push time of rows without a created timestamp: 2026-01-01T00:00:00Z.
    static let now: Int64 = 1_767_225_600_000_000

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFailure) -> FuzzOutcome {
        let view: OnlineView
        do {
            view = try OnlineView(named: "trips", in: try FuzzFixture.parsed.get())
        } catch {
            throw FuzzFailure(.csv, "the fixture view does not resolve: \(error)")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("strata-fuzz-\(UUID().uuidString).csv").path
        guard FileManager.default.createFile(atPath: path, contents: Data(input)) else {
            throw FuzzFailure(.csv, "cannot write the input to \(path)")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spine = try outcome(path) { () throws in
            let frame = try SpineLoader.load(.csv(path: path), keys: spineKeys, connection: nil)
            try checkSpine(frame)
            try checkRoundTrip(frame, path: path + ".out.csv")
        }
        let push = try outcome(path) { () throws in
            let push = OnlinePush(view: view)
            try checkPush(try push.parse(try CSVReader(path: path), now: now), view: push.view)
        }
        if case .refused(let message) = spine, case .refused = push { return .refused(message) }
        return .accepted
    }

    /// Runs one reader; its errors must be the offline or online store's and name the file.
    static func outcome(_ path: String, _ body: () throws -> Void) throws(FuzzFailure) -> FuzzOutcome {
        do {
            try body()
            return .accepted
        } catch let error as FuzzFailure {
            throw error
        } catch {
            let message: String
            switch error {
            case let error as OfflineError where error.code == .badSpine: message = error.message
            case let error as OnlineError where error.code == .badInput: message = error.message
            default: throw FuzzFailure(.csv, "an error of an unexpected kind, \(type(of: error)): \(error)")
            }
            guard message.contains(path) else { throw FuzzFailure(.csv, "an error that does not name the file: \(message)") }
            return .refused(message)
        }
    }

    /// A spine frame: one column per header name, each as long as the frame, keys and times typed.
    static func checkSpine(_ frame: Frame) throws(FuzzFailure) {
        for (name, column) in zip(frame.names, frame.columns) where column.count != frame.rowCount {
            throw FuzzFailure(.csv, "spine column \(name) has \(column.count) rows; the frame has \(frame.rowCount)")
        }
        let expected: [(String, ColumnType)] = [("driver_id", .int64), ("rider", .string), ("event_timestamp", .timestamp)]
        for (name, type) in expected where frame[name]?.type != type {
            throw FuzzFailure(.csv, "spine column \(name) is \(String(describing: frame[name]?.type)); expected \(type)")
        }
        if let times = frame["event_timestamp"], times.nullCount > 0 {
            throw FuzzFailure(.csv, "a spine with a null event_timestamp was accepted")
        }
    }

    /// A spine written as a training-set CSV (`CSVWriter`, as `training-set --output` writes) reads back
    /// as the same spine, so that a training set's file can serve as the spine of another.
    static func checkRoundTrip(_ frame: Frame, path: String) throws(FuzzFailure) {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let again: Frame
        do {
            try CSVWriter.write(frame, to: path)
            again = try SpineLoader.load(.csv(path: path), keys: spineKeys, connection: nil)
        } catch {
            throw FuzzFailure(.csv, "a spine written by CSVWriter does not read back: \(error)")
        }
        guard again.names == frame.names, again.rowCount == frame.rowCount else {
            throw FuzzFailure(
                .csv, "a spine written by CSVWriter reads back as columns \(again.names) of \(again.rowCount) rows, not \(frame.names) of \(frame.rowCount)")
        }
        for (name, (a, b)) in zip(frame.names, zip(frame.columns, again.columns)) where a != b {
            throw FuzzFailure(.csv, "spine column \(name) written by CSVWriter reads back with other values")
        }
    }

    /// Push rows: every column as long as the rows, typed as the view declares.
    static func checkPush(_ rows: OnlinePush.Rows, view: OnlineView) throws(FuzzFailure) {
        let counts = rows.keys.map(\.count) + rows.features.map(\.count) + [rows.created.count]
        guard counts.allSatisfy({ $0 == rows.count }) else {
            throw FuzzFailure(.csv, "push columns of \(counts) rows for \(rows.count) event timestamps")
        }
        guard rows.keys.count == view.entities.count, rows.features.count == view.view.features.count else {
            throw FuzzFailure(.csv, "push rows with \(rows.keys.count) keys and \(rows.features.count) features")
        }
        for (feature, column) in zip(view.view.features, rows.features) where column.type != ColumnType(feature.type) {
            throw FuzzFailure(.csv, "push column \(feature.name) is \(column.type); the view declares \(feature.type)")
        }
        if rows.keys.contains(where: { $0.nullCount > 0 }) { throw FuzzFailure(.csv, "a push with a null join key was accepted") }
    }
}
