import Foundation

/// The bounded in-memory queue between request handlers and the served-feature log writer.
///
/// Handlers only append (a lock held for an array append); when the queue already holds `capacity`
/// rows, a record is dropped and counted instead, so a slow or absent PostgreSQL never blocks
/// requests nor grows memory.
final class ServedFeatureLog: @unchecked Sendable {
    /// The share of requests logged, 0...1.
    let sampleRate: Double
    /// The most rows the queue holds.
    let capacity: Int
    private let condition = NSCondition()
    private var records: [ServedRecord] = []
    private var rows = 0
    private var closed = false
    /// The queued rows at which `offer` wakes the writer: 1 while it waits for a first record, its batch
    /// size while it lingers to fill a batch, so that requests do not wake it one by one.
    private var wakeRows = 1
    private let metrics: ServerMetrics

    init(sampleRate: Double, capacity: Int, metrics: ServerMetrics) {
        self.sampleRate = sampleRate
        self.capacity = capacity
        self.metrics = metrics
    }

    /// Whether to log the next request: a draw against the sample rate.
    func sample() -> Bool {
        sampleRate >= 1 || (sampleRate > 0 && Double.random(in: 0..<1) < sampleRate)
    }

    /// Queues `record`, or drops and counts it when the queue is full or closed.
    func offer(_ record: ServedRecord) {
        condition.lock()
        guard !closed, rows + record.rowCount <= capacity else {
            condition.unlock()
            metrics.logDropped(rows: record.rowCount)
            return
        }
        records.append(record)
        rows += record.rowCount
        let depth = rows
        let wake = rows >= wakeRows
        condition.unlock()
        if wake { condition.signal() }
        metrics.logQueued(rows: depth)
    }

    /// Waits up to `timeout` for records, then up to `linger` more while fewer than `maxRows` rows are
    /// queued (so that one COPY carries many requests instead of one each), then takes queued records of
    /// at most `maxRows` rows in all (at least one record). Returns an empty array when none came, or when
    /// closed and drained; `close` ends both waits at once.
    func take(maxRows: Int, waitingUpTo timeout: TimeInterval, lingering linger: TimeInterval = 0) -> [ServedRecord] {
        condition.lock()
        defer { condition.unlock() }
        if records.isEmpty && !closed {
            _ = condition.wait(until: Date(timeIntervalSinceNow: timeout))
        }
        if !records.isEmpty && linger > 0 {
            let deadline = Date(timeIntervalSinceNow: linger)
            wakeRows = maxRows
            while !closed && rows < maxRows && condition.wait(until: deadline) {}
            wakeRows = 1
        }
        var count = 0
        var taken = 0
        while count < records.count, count == 0 || taken + records[count].rowCount <= maxRows {
            taken += records[count].rowCount
            count += 1
        }
        let batch = Array(records[0..<count])
        records.removeFirst(count)
        rows -= taken
        metrics.logQueued(rows: rows)
        return batch
    }

    /// Puts records that could not be written back at the head of the queue, as far as room allows;
    /// the rest are dropped and counted.
    func putBack(_ batch: [ServedRecord]) {
        condition.lock()
        var kept: [ServedRecord] = []
        var dropped = 0
        for record in batch {
            if rows + record.rowCount <= capacity {
                kept.append(record)
                rows += record.rowCount
            } else {
                dropped += record.rowCount
            }
        }
        records.insert(contentsOf: kept, at: 0)
        condition.unlock()
        metrics.logDropped(rows: dropped)
    }

    /// Accepts no more records and wakes the writer, which then drains what is queued.
    func close() {
        condition.lock()
        closed = true
        condition.unlock()
        condition.broadcast()
    }

    /// Whether the queue accepts no more records.
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Whether the queue is closed and empty.
    var isDrained: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed && records.isEmpty
    }
}
