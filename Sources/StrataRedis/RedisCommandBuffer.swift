/// Commands encoded in the Redis protocol (RESP arrays of bulk strings) back to back, reused from call
/// to call, so that a pipeline of many commands costs one copy into hiredis's output buffer and no
/// allocation once warm (`RedisConnection.append(_:)`).
///
/// Not thread-safe: one owner at a time.
public final class RedisCommandBuffer {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// The encoded bytes so far.
    public private(set) var byteCount = 0
    /// The number of commands encoded so far.
    public private(set) var commandCount = 0

    /// An empty buffer with room for `capacity` bytes; it grows as needed.
    public init(capacity: Int = 4096) {
        self.capacity = max(capacity, 64)
        storage = .allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit {
        storage.deallocate()
    }

    /// Forgets the encoded commands, keeping the memory.
    public func removeAll() {
        byteCount = 0
        commandCount = 0
    }

    /// Encodes one command whose arguments are read from the caller's buffers.
    /// - Complexity: O(n) in the size of the arguments.
    public func append(_ arguments: UnsafeBufferPointer<UnsafeRawBufferPointer>) {
        precondition(!arguments.isEmpty, "a Redis command needs at least its name")
        var bound = RedisCommandWriter.maxCommandHeaderBytes
        for argument in arguments { bound += RedisCommandWriter.maxArgumentOverhead + argument.count }
        write(commands: 1, maxBytes: bound) { writer in
            writer.commandHeader(arguments: arguments.count)
            for argument in arguments { writer.argument(argument) }
        }
    }

    /// Encodes one command whose arguments are byte arrays.
    /// - Complexity: O(n) in the size of the arguments.
    func append(_ arguments: [[UInt8]]) {
        precondition(!arguments.isEmpty, "a Redis command needs at least its name")
        var bound = RedisCommandWriter.maxCommandHeaderBytes
        for argument in arguments { bound += RedisCommandWriter.maxArgumentOverhead + argument.count }
        write(commands: 1, maxBytes: bound) { writer in
            writer.commandHeader(arguments: arguments.count)
            for argument in arguments { argument.withUnsafeBytes { writer.argument($0) } }
        }
    }

    /// Copies `commands` commands already encoded in the Redis protocol.
    func appendEncoded(_ bytes: UnsafeRawBufferPointer, commands: Int) {
        write(commands: commands, maxBytes: bytes.count) { $0.raw(bytes) }
    }

    /// Lends `body` a writer over room for `maxBytes` more bytes, into which it encodes exactly
    /// `commands` commands. Writing more than `maxBytes` bytes is a programming error: the writer
    /// checks each write against the room before it touches memory and traps instead of writing past it.
    public func write<R>(commands: Int, maxBytes: Int, _ body: (inout RedisCommandWriter) throws -> R) rethrows -> R {
        precondition(maxBytes >= 0, "room for a negative number of bytes: \(maxBytes)")
        reserve(byteCount + maxBytes)
        let start = storage + byteCount
        var writer = RedisCommandWriter(start: start, end: start + maxBytes)
        defer {
            byteCount += writer.cursor - start
            commandCount += commands
        }
        return try body(&writer)
    }

    /// Calls `body` with the encoded bytes.
    public func withEncodedBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: byteCount))
    }

    private func reserve(_ bytes: Int) {
        guard bytes > capacity else { return }
        let grown = max(bytes, capacity * 2)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 8)
        fresh.copyMemory(from: storage, byteCount: byteCount)
        storage.deallocate()
        storage = fresh
        capacity = grown
    }
}

/// Writes the Redis protocol at a cursor inside `RedisCommandBuffer.write`'s room; valid only there.
/// Every write checks that it fits in the room before storing a byte.
public struct RedisCommandWriter {
    /// The most bytes `commandHeader` writes.
    public static let maxCommandHeaderBytes = 1 + 20 + 2
    /// The most bytes an argument costs beyond its own bytes (`$<length>\r\n…\r\n`).
    public static let maxArgumentOverhead = 1 + 20 + 2 + 2

    @usableFromInline var cursor: UnsafeMutableRawPointer
    /// One past the last byte of the room.
    @usableFromInline let end: UnsafeMutableRawPointer

    @usableFromInline init(start: UnsafeMutableRawPointer, end: UnsafeMutableRawPointer) {
        cursor = start
        self.end = end
    }

    /// Traps unless `bytes` more bytes fit in the room; called before every store.
    @inlinable
    func claim(_ bytes: Int) {
        precondition(end - cursor >= bytes, "a Redis command writer was asked to write past the room it was lent")
    }

    /// Starts a command of `arguments` arguments (its name included): `*<n>\r\n`.
    @inlinable
    public mutating func commandHeader(arguments: Int) {
        claim(1)
        cursor.storeBytes(of: UInt8(ascii: "*"), as: UInt8.self)
        cursor += 1
        decimal(arguments)
        lineEnd()
    }

    /// Starts a bulk-string argument of `length` bytes: `$<length>\r\n`; its bytes follow by `raw`, then `argumentEnd`.
    @inlinable
    public mutating func argumentHeader(length: Int) {
        claim(1)
        cursor.storeBytes(of: UInt8(ascii: "$"), as: UInt8.self)
        cursor += 1
        decimal(length)
        lineEnd()
    }

    /// Ends a bulk-string argument: `\r\n`.
    @inlinable
    public mutating func argumentEnd() {
        lineEnd()
    }

    /// One whole bulk-string argument.
    @inlinable
    public mutating func argument(_ bytes: UnsafeRawBufferPointer) {
        argumentHeader(length: bytes.count)
        raw(bytes)
        lineEnd()
    }

    /// Copies bytes as they are (part of an argument started with `argumentHeader`).
    @inlinable
    public mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        claim(bytes.count)
        cursor.copyMemory(from: base, byteCount: bytes.count)
        cursor += bytes.count
    }

    /// One byte as it is (part of an argument started with `argumentHeader`).
    @inlinable
    public mutating func raw(_ byte: UInt8) {
        claim(1)
        cursor.storeBytes(of: byte, as: UInt8.self)
        cursor += 1
    }

    @inlinable
    mutating func lineEnd() {
        claim(2)
        cursor.storeBytes(of: (0x0A0D as UInt16).littleEndian, as: UInt16.self)
        cursor += 2
    }

    @inlinable
    mutating func decimal(_ value: Int) {
        precondition(value >= 0, "a Redis protocol length is not negative")
        if value < 10 {
            raw(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        claim(digits)
        var remaining = value
        var at = digits - 1
        while at >= 0 {
            (cursor + at).storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining % 10), as: UInt8.self)
            remaining /= 10
            at -= 1
        }
        cursor += digits
    }
}
