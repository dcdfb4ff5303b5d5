/// Reusable argument vectors for hiredis's `...Argv` calls, so that sending a command allocates nothing once warm.
struct CommandArguments: ~Copyable {
    private(set) var count = 0
    private var capacity: Int
    private var pointers: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private var lengths: UnsafeMutablePointer<Int>
    private var storage: UnsafeMutableRawPointer
    private var storageCapacity: Int

    init() {
        capacity = 16
        pointers = .allocate(capacity: capacity)
        lengths = .allocate(capacity: capacity)
        storageCapacity = 1024
        storage = .allocate(byteCount: storageCapacity, alignment: 1)
    }

    deinit {
        pointers.deallocate()
        lengths.deallocate()
        storage.deallocate()
    }

    /// Points the vectors at the caller's buffers, copying nothing; they must outlive the hiredis call.
    mutating func load(_ buffers: UnsafeBufferPointer<UnsafeRawBufferPointer>) {
        reserve(arguments: buffers.count, bytes: 0)
        for (index, buffer) in buffers.enumerated() {
            pointers[index] = UnsafeRawPointer(buffer.baseAddress ?? UnsafeRawPointer(storage))
                .assumingMemoryBound(to: CChar.self)
            lengths[index] = buffer.count
        }
        count = buffers.count
    }

    /// Copies UTF-8 strings into the internal storage and points the vectors at the copies.
    mutating func load(_ strings: [String]) {
        reserve(arguments: strings.count, bytes: strings.reduce(0) { $0 + $1.utf8.count })
        var offset = 0
        for (index, string) in strings.enumerated() {
            var string = string
            string.withUTF8 { offset = store(UnsafeRawBufferPointer($0), at: index, offset: offset) }
        }
        count = strings.count
    }

    /// Copies byte arrays into the internal storage and points the vectors at the copies.
    mutating func load(_ byteArrays: [[UInt8]]) {
        reserve(arguments: byteArrays.count, bytes: byteArrays.reduce(0) { $0 + $1.count })
        var offset = 0
        for (index, bytes) in byteArrays.enumerated() {
            bytes.withUnsafeBytes { offset = store($0, at: index, offset: offset) }
        }
        count = byteArrays.count
    }

    /// Calls `body` with hiredis's `argc`, `argv` and `argvlen` for the loaded arguments.
    func withArgv<R>(
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) throws -> R
    ) rethrows -> R {
        try body(Int32(count), pointers, lengths)
    }

    private func store(_ bytes: UnsafeRawBufferPointer, at index: Int, offset: Int) -> Int {
        let destination = storage + offset
        if let source = bytes.baseAddress {
            destination.copyMemory(from: source, byteCount: bytes.count)
        }
        pointers[index] = UnsafeRawPointer(destination).assumingMemoryBound(to: CChar.self)
        lengths[index] = bytes.count
        return offset + bytes.count
    }

    private mutating func reserve(arguments: Int, bytes: Int) {
        precondition(arguments > 0, "a Redis command needs at least its name")
        precondition(arguments <= Int(Int32.max), "a Redis command takes at most \(Int32.max) arguments")
        if arguments > capacity {
            capacity = max(arguments, capacity * 2)
            pointers.deallocate()
            lengths.deallocate()
            pointers = .allocate(capacity: capacity)
            lengths = .allocate(capacity: capacity)
        }
        if bytes > storageCapacity {
            storageCapacity = max(bytes, storageCapacity * 2)
            storage.deallocate()
            storage = .allocate(byteCount: storageCapacity, alignment: 1)
        }
    }
}
