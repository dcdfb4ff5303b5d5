import StrataCore

/// The token a server started with `--token-file` asks every request for (all routes but `/health`), kept
/// only as its SHA-256 digest.
struct BearerToken: Sendable {
    private let digest: [UInt8]

    init(_ token: String) {
        digest = SHA256.digest(Array(token.utf8))
    }

    /// Whether a request's `Authorization` header carries the token. The digests are compared in constant
    /// time, so the time taken says nothing of how much of a guess was right, nor of the token's length.
    func admits(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = SHA256.digest(Array(header.utf8.dropFirst("Bearer ".utf8.count)))
        var difference: UInt8 = 0
        for (a, b) in zip(given, digest) { difference |= a ^ b }
        return difference == 0 && given.count == digest.count
    }

    /// The error of a request without the token.
    static let refusal = ServerError(
        .unauthorized, .unauthorized, "this server needs the header Authorization: Bearer <token> with its token")
}
