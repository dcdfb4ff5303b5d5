import ArgumentParser
import StrataOffline

/// The features a command reads: a feature service or a list of references, exactly one of them.
struct FeatureOptions: ParsableArguments {
    @Option(name: .long, help: "A feature service.")
    var service: String?

    @Option(name: .long, help: ArgumentHelp("Feature references, comma-separated.", valueName: "view:feature,..."))
    var features: String?

    /// Whether either was given, for commands where the features are optional.
    var isEmpty: Bool { service == nil && features == nil }

    func validate() throws {
        guard service == nil || features == nil else {
            throw ValidationError("name the features with exactly one of --service and --features")
        }
    }

    /// The features asked for; throws when neither option was given.
    func requested() throws -> TrainingSetRequest.Features {
        if let service { return .service(service) }
        guard let features else { throw ValidationError("name the features with exactly one of --service and --features") }
        return .references(try FeatureSelection.parseReferences(features))
    }
}
