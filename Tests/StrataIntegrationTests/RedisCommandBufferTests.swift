import Foundation
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

    /// A writer asked to write past its room traps before the first byte beyond it, so that whatever the body
    /// does after the overrun never happens (before, the bound was checked once the body had written).
    @Test func aWriterTrapsBeforeWritingPastItsRoom() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let buffer = RedisCommandBuffer(capacity: 4096)
            let argument = [UInt8](repeating: 7, count: 100)
            buffer.write(commands: 1, maxBytes: 16) { writer in
                writer.commandHeader(arguments: 1)
                argument.withUnsafeBytes { writer.argument($0) }
                FileHandle.standardError.write(Data("the body went on after writing past its room\n".utf8))
            }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(!stderr.contains("went on after writing past"), "\(stderr)")
    }
}
