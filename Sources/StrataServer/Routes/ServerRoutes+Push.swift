import Hummingbird
import StrataOnline

extension ServerRoutes {
    /// `POST /push`: Feast's push body. `push_source_name` names a feature view, or a source whose
    /// online views all receive the rows (Strata has no separate push sources). Same semantics as
    /// `strata push`: every row is checked before anything is written, and the newer record wins.
    func push(_ request: Request) async throws -> Response {
        let body = try PushRequest(try await json(request), targetKey: "push_source_name", maxRows: configuration.maxEntities)
        return try await write(body)
    }

    /// `POST /write-to-online-store`: what Feast's SDK sends to write rows through a remote online
    /// store (`feature_view_name`, `df` with `event_timestamp` and `created`), written as `/push` writes.
    func writeToOnlineStore(_ request: Request) async throws -> Response {
        let body = try PushRequest(
            try await json(request), targetKey: "feature_view_name", maxRows: configuration.maxEntities)
        return try await write(body, feastCreatedColumn: true)
    }

    /// Parses the rows for each target view, then writes them on a worker: offline first (one
    /// transaction, once per source table), then online.
    private func write(_ body: PushRequest, feastCreatedColumn: Bool = false) async throws -> Response {
        let snapshot = snapshots.current
        let repository = snapshot.repository
        let names: [String]
        if repository.featureView(named: body.target) != nil {
            names = [body.target]
        } else {
            names = repository.featureViews.filter { $0.source == body.target && $0.online }.map(\.name)
        }
        guard !names.isEmpty else {
            let known = repository.featureViews.map(\.name).sorted().joined(separator: ", ")
            throw ServerError(
                .notFound, .unknownFeature,
                "'\(body.target)' is neither a feature view nor the source of an online view in project \(snapshot.project) (views: \(known.isEmpty ? "none" : known))")
        }
        let now = Self.nowMicros()
        var parsed: [(OnlineView, OnlinePush.Rows)] = []
        for name in names {
            let push = OnlinePush(view: try OnlineView(named: name, in: repository))
            // Feast's SDK names the created timestamp `created`, whatever the source calls it.
            let request = feastCreatedColumn ? body.renaming("created", to: push.view.source.createdTimestampColumn) : body
            parsed.append((push.view, try push.parse(request.table, now: now)))
        }
        let pushes = parsed
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
        let rows = pushes.first?.1.count ?? 0
        return Response.json(Array(#"{"rows":\#(rows),"written_online":\#(written)}"#.utf8))
    }
}
