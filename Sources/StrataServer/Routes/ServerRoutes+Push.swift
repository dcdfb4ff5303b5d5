import Hummingbird
import StrataOnline

extension ServerRoutes {
    /// `POST /push`: Feast's push body. `push_source_name` names a feature view, or a source whose
    /// online views all receive the rows (Strata has no separate push sources). Same semantics as
    /// `strata push`: every row is checked before anything is written, and the newer record wins.
    func push(_ request: Request) async throws -> Response {
        try await write(
            RequestBodies.push(
                try await json(request), targetKey: "push_source_name", snapshot: snapshots.current,
                maxRows: configuration.maxEntities, now: Self.nowMicros()))
    }

    /// `POST /write-to-online-store`: what Feast's SDK sends to write rows through a remote online
    /// store (`feature_view_name`, `df` with `event_timestamp` and `created`), written as `/push` writes.
    func writeToOnlineStore(_ request: Request) async throws -> Response {
        try await write(
            RequestBodies.push(
                try await json(request), targetKey: "feature_view_name", feastCreatedColumn: true,
                snapshot: snapshots.current, maxRows: configuration.maxEntities, now: Self.nowMicros()))
    }

    /// Writes the rows parsed for each target view on a worker: offline first (one transaction, once
    /// per source table), then online.
    private func write(_ body: RequestBodies.Push) async throws -> Response {
        let pushes = body.views
        let online = body.online
        let offline = body.offline
        let written = try await workers.run { resources in
            var written = 0
            for (index, (view, rows)) in pushes.enumerated() {
                let push = OnlinePush(view: view)
                // Views of one source share its table: append the rows to it once.
                let appends = offline && index == 0
                if online {
                    written += try push.write(rows, registry: try resources.registry(), redis: try resources.redis(), offline: appends)
                } else if appends {
                    try push.writeOffline(rows, db: try resources.postgres())
                }
            }
            return written
        }
        let rows = pushes.first?.rows.count ?? 0
        return Response.json(Array(#"{"rows":\#(rows),"written_online":\#(written)}"#.utf8))
    }
}
