import StrataTestSupport
import Testing

/// The fault matrix (issue 12): each test starts real PostgreSQL and Redis processes (shared ones, or its own
/// where the fault is a restart), runs the `strata` binary as a child process, injects one fault and checks
/// the promise that fault must not break. The suites run one at a time, so a fault lands where the test puts
/// it rather than where a neighbour's load pushes it.
@Suite("Fault matrix", .serialized, .enabled(if: TestServices.enabled))
struct FaultMatrix {}
