import StrataCore

/// The features a request names: a feature service, or references.
enum RequestedFeatures: Sendable {
    case service(String)
    case references([FeatureReference])
}
