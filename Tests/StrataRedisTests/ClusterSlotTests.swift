@testable import StrataRedis
import StrataTestSupport
import Testing

@Suite("Redis Cluster: CRC16, hash tags and slots")
struct ClusterSlotTests {
    static func crc(_ text: String) -> UInt16 {
        var text = text
        return text.withUTF8 { RedisClusterSlot.crc16(UnsafeRawBufferPointer($0)) }
    }

    @Test func crc16IsXmodem() {
        // The check value of CRC-16/XMODEM, which the Redis Cluster specification quotes.
        #expect(Self.crc("123456789") == 0x31C3)
        #expect(Self.crc("") == 0)
        #expect(Self.crc("A") == 0x58E5)
    }

    @Test(arguments: [
        // (key, slot) as `CLUSTER KEYSLOT` answers on Redis 7.0.
        ("foo", 12182), ("bar", 5061), ("a", 15495), ("b", 3300), ("c", 7365), ("d", 11298),
        ("{user1000}.following", 3443), ("{user1000}.followers", 3443), ("user1000", 3443),
    ])
    func slotsMatchRedis(key: String, slot: Int) {
        #expect(RedisClusterSlot.slot(ofKey: key) == slot)
    }

    @Test func hashTagRulesFollowTheSpecification() {
        // Only the first {...} counts; an empty one means the whole key.
        #expect(RedisClusterSlot.slot(ofKey: "foo{bar}{zap}") == RedisClusterSlot.slot(ofKey: "bar"))
        #expect(RedisClusterSlot.slot(ofKey: "foo{}{bar}") == Int(Self.crc("foo{}{bar}") & 0x3FFF))
        #expect(RedisClusterSlot.slot(ofKey: "foo{{bar}}zap") == RedisClusterSlot.slot(ofKey: "{bar"))
        #expect(RedisClusterSlot.slot(ofKey: "foo{bar") == Int(Self.crc("foo{bar") & 0x3FFF))
        #expect(RedisClusterSlot.slot(ofKey: "s:shop:user_stats:{3fa0}") == RedisClusterSlot.slot(ofKey: "m:shop:{3fa0}"))
    }

    @Test func everySlotIsInRange() {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<2_000 {
            let key = (0..<Int(generator.next() % 24)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let slot = key.withUnsafeBytes { RedisClusterSlot.slot(ofKey: $0) }
            #expect((0..<RedisClusterSlot.count).contains(slot))
        }
    }
}
