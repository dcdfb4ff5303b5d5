/// Hands the replies of a pipeline that was split over a cluster's nodes back in request order.
///
/// Each node answers its own commands in order, so reply `i` is the next unread reply of the node that
/// command `i` went to: reading in request order merges the nodes' streams without copying a reply. A reply
/// that redirects (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`) stops the streaming: every remaining reply of the
/// range is read and held, the redirected commands are sent again (`resend`, for up to `rounds` rounds,
/// since a resent command may be redirected again), and then the held replies are handed over in order.
///
/// Generic over the reply type so that the merging is tested without a server.
enum ClusterReplyMerger {
    /// Reads `count` replies in request order and passes each to `deliver` with its position.
    ///
    /// - Parameters:
    ///   - node: the node that command `i` was sent to.
    ///   - next: reads the next reply of a node; a thrown error (a lost connection) ends the merge at once.
    ///   - redirect: the redirect a reply holds, or nil.
    ///   - resend: sends the commands at the given positions again and returns their new replies, in the
    ///     order asked; a thrown error ends the merge at once.
    ///   - unresolved: the error to throw for a command still redirected after `rounds` rounds.
    ///   - release: frees a reply once it is delivered or replaced.
    ///   - deliver: consumes a reply; its first error is returned after every reply was read, so that the
    ///     connections stay usable.
    /// - Returns: the first error thrown by `deliver`, or nil.
    /// - Throws: errors of `next`, `resend` and `unresolved`, after releasing every reply held; the replies still in the
    ///   nodes' streams are then unread.
    static func merge<Reply>(
        count: Int, rounds: Int, node: (Int) -> Int, next: (Int) throws -> Reply, redirect: (Reply) -> ClusterRedirect?,
        resend: ([(position: Int, redirect: ClusterRedirect)]) throws -> [Reply],
        unresolved: (Int, ClusterRedirect) -> Error, release: (Reply) -> Void,
        deliver: (Int, Reply) throws -> Void
    ) throws -> Error? {
        var failure: Error?
        func hand(_ position: Int, _ reply: Reply) {
            defer { release(reply) }
            guard failure == nil else { return }
            do { try deliver(position, reply) } catch { failure = error }
        }
        var position = 0
        while position < count {
            let reply = try next(node(position))
            guard redirect(reply) != nil else {
                hand(position, reply)
                position += 1
                continue
            }
            var held = [reply]
            held.reserveCapacity(count - position)
            do {
                for later in (position + 1)..<count { held.append(try next(node(later))) }
                var pending = held.indices.filter { redirect(held[$0]) != nil }
                var round = 0
                while !pending.isEmpty && round < rounds {
                    let fresh = try resend(pending.map { (position: position + $0, redirect: redirect(held[$0])!) })
                    for (offset, reply) in zip(pending, fresh) {
                        release(held[offset])
                        held[offset] = reply
                    }
                    pending = pending.filter { redirect(held[$0]) != nil }
                    round += 1
                }
                if let first = pending.first, let redirect = redirect(held[first]) {
                    throw unresolved(position + first, redirect)
                }
            } catch {
                held.forEach(release)
                throw error
            }
            for (offset, reply) in held.enumerated() { hand(position + offset, reply) }
            position = count
        }
        return failure
    }
}
