import Foundation

/// Overlaps reading from PostgreSQL with writing to Redis: the reading thread submits encoded batches,
/// a writer thread sends them, with at most `capacity` batches waiting. The first write failure stops
/// the writer and is rethrown by the next `submit` or by `finish`.
///
/// The Redis client `write` uses belongs to the writer thread from `init` until `finish` returns.
final class WriteQueue: @unchecked Sendable {
    private let write: (EncodedBatch) throws -> Int
    private let capacity: Int
    private let condition = NSCondition()
    private var pending: [EncodedBatch] = []
    private var closed = false
    private var done = false
    private var failure: Error?
    private var written = 0

    init(write: @escaping (EncodedBatch) throws -> Int, capacity: Int = 2) {
        self.write = write
        self.capacity = capacity
        let thread = Thread { [self] in loop() }
        thread.name = "strata-online-writer"
        thread.start()
    }

    /// Queues a batch, waiting while `capacity` batches are queued.
    func submit(_ batch: EncodedBatch) throws {
        condition.lock()
        defer { condition.unlock() }
        while pending.count >= capacity && failure == nil { condition.wait() }
        if let failure { throw failure }
        pending.append(batch)
        condition.broadcast()
    }

    /// Writes what is queued, stops the writer and returns how many records were written.
    func finish() throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        if let failure { throw failure }
        return written
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty && !closed { condition.wait() }
            if pending.isEmpty {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = pending.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                let count = try write(batch)
                condition.lock()
                written += count
                condition.unlock()
            } catch {
                condition.lock()
                failure = error
                pending.removeAll()
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
