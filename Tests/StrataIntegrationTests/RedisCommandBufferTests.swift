import StrataRedis
import Testing

/// The command encoder, without a server: its bytes must be exactly the Redis protocol.
@Suite("Redis command buffer")
struct RedisCommandBufferTests {
    func encode(_ commands: [[[UInt8]]], into buffer: RedisCommandBuffer) {
        for command in commands {
            let copies = command.map { bytes -> UnsafeRawBufferPointer in
                let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
                bytes.withUnsafeBytes { raw.copyMemory(from: $0) }
                return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(raw)[0..<bytes.count])
            }
            copies.withUnsafeBufferPointer { buffer.append($0) }
            for copy in copies { UnsafeMutableRawPointer(mutating: copy.baseAddress)?.deallocate() }
        }
    }

    func expected(_ commands: [[[UInt8]]]) -> [UInt8] {
        var out: [UInt8] = []
        for command in commands {
            out += Array("*\(command.count)\r\n".utf8)
            for argument in command { out += Array("$\(argument.count)\r\n".utf8) + argument + [13, 10] }
        }
        return out
    }

    @Test func encodesCommandsAsTheRedisProtocol() {
        let buffer = RedisCommandBuffer(capacity: 16)
        let commands: [[[UInt8]]] = [
            [Array("HGET".utf8), Array("s:p:v:{00ff}".utf8), [0, 1, 0, 255]],
            [Array("PING".utf8)],
            [Array("SET".utf8), Array("k".utf8), []],
            [Array("SET".utf8), Array("big".utf8), [UInt8](repeating: 7, count: 10_000)],
        ]
        encode(commands, into: buffer)
        #expect(buffer.commandCount == 4)
        #expect(buffer.withEncodedBytes { Array($0) } == expected(commands))
        buffer.removeAll()
        #expect(buffer.byteCount == 0 && buffer.commandCount == 0)
        encode([[Array("PING".utf8)]], into: buffer)
        #expect(buffer.withEncodedBytes { Array($0) } == Array("*1\r\n$4\r\nPING\r\n".utf8))
    }
}
