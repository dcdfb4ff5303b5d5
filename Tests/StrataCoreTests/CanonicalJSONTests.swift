import Testing
import StrataCore

@Suite struct CanonicalJSONTests {
    @Test func keysAreSortedWithoutWhitespace() {
        let entity = Entity(name: "driver", joinKey: "driver_id", type: .int64, description: "A driver.")
        #expect(CanonicalJSON.encode(entity)
            == #"{"description":"A driver.","joinKey":"driver_id","name":"driver","type":"int64"}"#)
    }

    @Test func nestedValuesAreSortedToo() {
        let feature = Feature(name: "conv_rate", type: .float64, drift: DriftSettings(method: "psi", threshold: 0.25))
        #expect(CanonicalJSON.encode(feature)
            == #"{"drift":{"method":"psi","threshold":0.25},"name":"conv_rate","type":"float64"}"#)
    }

    @Test func equalValuesGiveEqualText() {
        let view = FeatureView(
            name: "driver_stats", entities: ["driver", "rider"], source: "stats", ttlSeconds: 86_400,
            onlineExpirySeconds: 3_600,
            features: (0..<50).map { Feature(name: "f\($0)", type: .float32, drift: DriftSettings(threshold: 0.1)) }
        )
        let first = CanonicalJSON.encode(view)
        for _ in 0..<20 {
            #expect(CanonicalJSON.encode(view) == first)
        }
        #expect(CanonicalJSON.encode(view) != CanonicalJSON.encode(FeatureView(
            name: "driver_stats", entities: ["rider", "driver"], source: "stats", ttlSeconds: 86_400,
            onlineExpirySeconds: 3_600, features: view.features
        )))
        #expect(!first.contains(" ") && !first.contains("\n"))
    }

    @Test func nonFiniteNumbersEncode() {
        #expect(CanonicalJSON.encode([Double.infinity, -.infinity]) == #"["Infinity","-Infinity"]"#)
        #expect(CanonicalJSON.encode(Double.nan) == #""NaN""#)
    }
}
