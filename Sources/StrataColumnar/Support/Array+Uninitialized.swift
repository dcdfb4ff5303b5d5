extension Array {
    /// `Array(unsafeUninitializedCapacity:initializingWith:)`, except for a count of 0: the standard library
    /// then stores the count into the empty-array singleton every thread shares, a write that races with
    /// other threads reading an empty array (ThreadSanitizer reports it under parallel extraction). Here
    /// `body` gets an empty buffer of its own instead and the result is an empty array, with no such store.
    @inlinable
    public init(
        uninitializedCount count: Int,
        initializingWith body: (inout UnsafeMutableBufferPointer<Element>, inout Int) throws -> Void
    ) rethrows {
        guard count > 0 else {
            // A real (one-element, never initialised) allocation, so that `baseAddress` is not nil, as the
            // standard library's empty buffer's is not either.
            let scratch = UnsafeMutablePointer<Element>.allocate(capacity: 1)
            defer { scratch.deallocate() }
            var empty = UnsafeMutableBufferPointer<Element>(start: scratch, count: 0)
            var initialized = 0
            try body(&empty, &initialized)
            self = []
            return
        }
        try self.init(unsafeUninitializedCapacity: count, initializingWith: body)
    }
}
