import StrataTestSupport
import Testing

/// The fault matrix (issue 12): each test starts real PostgreSQL and Redis processes (shared ones, or its own
/// where the fault is a restart), runs the `strata` binary as a child process, injects one fault and checks
/// the promise that fault must not break. The tests run side by side: each places its fault by a lock a test
/// session holds, or at random instants whose spread does not depend on the load, so a neighbour's load
/// changes how long they take, not where the fault lands.
@Suite("Fault matrix", .enabled(if: TestServices.enabled))
struct FaultMatrix {}
