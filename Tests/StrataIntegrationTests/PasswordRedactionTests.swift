import Foundation
import StrataPostgres
import StrataRedis
import StrataTestSupport
import Testing

/// A password given in any URL form never reaches the CLI's output, whatever the error.
@Suite("Passwords never reach output", .enabled(if: TestServices.enabled))
struct PasswordRedactionTests {
    /// A password no message would contain by chance.
    static let secret = "Zq8-known-Secret-4711"

    @Test(arguments: [
        ("postgresql://u:pw@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgres://u:p@ss/word@h/db", "postgres://u:***@h/db"),
        ("postgresql://u@h/db?sslmode=off&password=pw", "postgresql://u@h/db?sslmode=off&password=***"),
        ("host=h password = 'p w\\' x' dbname=d", "host=h password = *** dbname=d"),
        ("host=h password=pw junk", "host=h password=*** ***"),
        ("u:pw@h/db", "***"),
    ])
    func postgresRedaction(input: String, expected: String) {
        #expect(PostgresURL.redacted(input) == expected)
    }

    @Test func libpqMessagesQuotingTheStringLoseThePassword() {
        let url = "postgresql://u:\(Self.secret)%zz@h/db"
        let message = "invalid percent-encoded token: \"\(Self.secret)%zz\""
        #expect(!PostgresURL.hidingPasswords(of: url, in: message).contains(Self.secret))
        let conninfo = "host=h password=\(Self.secret) junk"
        #expect(!PostgresURL.hidingPasswords(of: conninfo, in: "missing \"=\" after \"junk\"; \(Self.secret)").contains(Self.secret))
    }

    @Test func redisAcceptsAPasswordParameter() throws {
        let url = try RedisURL("redis://cache:6380/2?password=p%40ss")
        #expect(url.password == "p@ss")
        #expect(url.host == "cache" && url.port == 6380 && url.database == 2)
        #expect(url.redacted == "redis://:***@cache:6380/2")
        #expect(try RedisURL("redis://h?password=a@b").password == "a@b")
        #expect(throws: RedisError.self) { try RedisURL("redis://:x@h/0?password=y") }
        for bad in ["redis://h/0?password=\(Self.secret)&other=\(Self.secret)", "redis://h/0?\(Self.secret)",
                    "redis://:\(Self.secret)@h:port/0", "redis://h:\(Self.secret)?password=\(Self.secret)"] {
            let error = #expect(throws: RedisError.self) { try RedisURL(bad) }
            #expect(error.map { !"\($0)".contains(Self.secret) } == true, "\(bad)")
        }
    }

    /// Every PostgreSQL URL form against an unreachable server, a missing database and a wrong password.
    @Test func postgresErrorPathsNeverPrintThePassword() throws {
        let shared = try TestServices.shared
        let components = try #require(URLComponents(string: shared.postgresURL))
        let real = try #require(components.password)
        let port = try #require(components.port)
        let cases: [(password: String, port: Int, database: String)] = [
            (Self.secret, 1, "strata"), (real, port, "no_such_database"), (Self.secret, port, "strata"),
        ]
        for (password, port, database) in cases {
            let forms = [
                "postgresql://postgres:\(password)@127.0.0.1:\(port)/\(database)",
                "postgresql://postgres@127.0.0.1:\(port)/\(database)?password=\(password)",
                "host=127.0.0.1 port=\(port) user=postgres password=\(password) dbname=\(database)",
                "host=127.0.0.1 port=\(port) user=postgres password = '\(password)' dbname=\(database)",
            ]
            for url in forms {
                for arguments in [["list", "--postgres", url], ["list", "--json", "--postgres", url]] {
                    let outcome = try StrataCLI.run(arguments, in: URL(fileURLWithPath: "/tmp"))
                    #expect(outcome.status != 0, "\(url)")
                    #expect(!outcome.stdout.contains(password) && !outcome.stderr.contains(password), "\(url): \(outcome.stderr)")
                    #expect(outcome.stderr.contains("***"), "\(url): \(outcome.stderr)")
                }
            }
        }
        let environment = try StrataCLI.run(
            ["list"], environment: ["STRATA_POSTGRES_URL": "postgresql://postgres:\(Self.secret)@127.0.0.1:\(port)/strata"])
        #expect(environment.status != 0 && !(environment.stdout + environment.stderr).contains(Self.secret))
    }

    /// Every Redis URL form against an unreachable server, a wrong password (with and without a user name) and a
    /// database out of range, behind a registry that holds an online view.
    @Test func redisErrorPathsNeverPrintThePassword() throws {
        let fixture = try OnlineFixture()
        let real = try #require(fixture.redisURL.password)
        let port = fixture.redisURL.port
        let urls = [
            "redis://:\(Self.secret)@127.0.0.1:1/0", "redis://:\(Self.secret)@127.0.0.1:\(port)/0",
            "redis://default:\(Self.secret)@127.0.0.1:\(port)/0", "redis://127.0.0.1:1/0?password=\(Self.secret)",
            "redis://127.0.0.1:\(port)/0?password=\(Self.secret)", "redis://:\(real)@127.0.0.1:\(port)/100000",
            "redis://127.0.0.1:\(port)/100000?password=\(real)", "redis://:\(Self.secret)@127.0.0.1:port/0",
            "redis://127.0.0.1:\(port)/0?password=\(Self.secret)&timeout=1", ":\(Self.secret)@127.0.0.1:\(port)",
        ]
        for url in urls {
            for arguments in [
                ["online", "--features", "user_stats:clicks", "--entity", "user_id=1"],
                ["materialize", "--start", "2026-01-01T00:00:00Z", "--end", "2026-01-02T00:00:00Z"],
            ] {
                let outcome = try StrataCLI.run(
                    arguments + ["--postgres", fixture.postgresURL, "--redis", url], in: URL(fileURLWithPath: "/tmp"))
                let printed = outcome.stdout + outcome.stderr
                #expect(outcome.status != 0, "\(url): \(printed)")
                #expect(!printed.contains(Self.secret) && !printed.contains(real), "\(url): \(printed)")
            }
        }
    }
}
