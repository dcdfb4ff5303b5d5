import Testing
@testable import StrataMonitoring

/// The distributions behind the p-values against scipy over grids that reach each method
/// (written by `scripts/drift-fixtures.py`).
@Suite struct DistributionTests {
    @Test func gridsArePresent() {
        #expect(DriftFixtures.grid("kolmogorov_sf").count > 200)
        #expect(DriftFixtures.grid("ks_exact").count > 40)
        #expect(DriftFixtures.grid("chi2_sf").count > 50)
        #expect(DriftFixtures.grid("normal_cdf").count > 10)
    }

    @Test(arguments: DriftFixtures.grid("kolmogorov_sf"))
    func kolmogorovSurvival(_ point: DriftFixtures.GridPoint) {
        let value = KolmogorovDistribution.survival(n: Int(point.arguments[0]), x: point.arguments[1])
        #expect(EvidentlyParityTests.agrees(value, point.expected), "\(value) != \(point.expected ?? .nan)")
    }

    @Test(arguments: DriftFixtures.grid("ks_exact"))
    func exactTwoSample(_ point: DriftFixtures.GridPoint) {
        let (n1, n2, d) = (Int(point.arguments[0]), Int(point.arguments[1]), point.arguments[2])
        var (a, b) = (n1, n2)
        while b != 0 { (a, b) = (b, a % b) }
        let lcm = (n1 / a) * n2
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let value = n1 == n2
            ? KolmogorovSmirnov.probabilityOutsideSquare(n: n1, h: h)
            : KolmogorovSmirnov.probabilityOutside(m: n1, n: n2, g: a, h: h)
        #expect(EvidentlyParityTests.agrees(value, point.expected), "\(value) != \(point.expected ?? .nan)")
    }

    @Test(arguments: DriftFixtures.grid("chi2_sf"))
    func chiSquareSurvival(_ point: DriftFixtures.GridPoint) {
        let value = SpecialFunctions.chiSquareSurvival(degreesOfFreedom: point.arguments[0], point.arguments[1])
        #expect(EvidentlyParityTests.agrees(value, point.expected), "\(value) != \(point.expected ?? .nan)")
    }

    @Test(arguments: DriftFixtures.grid("normal_cdf"))
    func normalCDF(_ point: DriftFixtures.GridPoint) {
        let value = SpecialFunctions.normalCDF(point.arguments[0])
        #expect(EvidentlyParityTests.agrees(value, point.expected), "\(value) != \(point.expected ?? .nan)")
    }
}
