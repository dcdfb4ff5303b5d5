import Foundation
import StrataCore

/// Schema YAML: one schema file's bytes through `SchemaLoader` (YAML, then validation); a repository it
/// accepts must survive the registry's canonical JSON, which `apply` stores and `plan` decodes again.
enum SchemaTarget {
    /// The name the input goes by in error locations.
    static let file = "fuzz.yaml"

    static func run(_ input: UnsafeRawBufferPointer) throws(FuzzFailure) -> FuzzOutcome {
        let repository: Repository
        do {
            repository = try SchemaLoader.parse(contents: input, file: file)
        } catch let errors as SchemaErrors {
            try check(errors)
            return .refused(errors.description)
        } catch {
            throw FuzzFailure(.schema, "SchemaLoader threw \(type(of: error)), not SchemaErrors: \(error)")
        }
        for entity in repository.entities { try roundTrip(entity, "entity \(entity.name)") }
        for source in repository.sources { try roundTrip(source, "source \(source.name)") }
        for view in repository.featureViews { try roundTrip(view, "feature view \(view.name)") }
        for service in repository.featureServices { try roundTrip(service, "feature service \(service.name)") }
        return .accepted
    }

    /// Every problem of one file points into that file, at a line and column that exist.
    static func check(_ errors: SchemaErrors) throws(FuzzFailure) {
        guard !errors.errors.isEmpty else { throw FuzzFailure(.schema, "SchemaErrors without an error") }
        for error in errors.errors {
            guard let location = error.location, location.file == file, location.line >= 1, location.column >= 1
            else { throw FuzzFailure(.schema, "an error without a place in the file: \(error)") }
            guard !error.message.isEmpty else { throw FuzzFailure(.schema, "an error without a message at \(location)") }
        }
    }

    /// The object's canonical spec decodes (as `RegisteredObject.decode` does) to an equal object whose
    /// spec is the same text, so that a registered object hashes and diffs as declared.
    static func roundTrip<T: Codable & Equatable>(_ object: T, _ name: String) throws(FuzzFailure) {
        let spec = CanonicalJSON.encode(object)
        let decoded: T
        do {
            decoded = try JSONDecoder().decode(T.self, from: Data(spec.utf8))
        } catch {
            throw FuzzFailure(.schema, "the spec of \(name) does not decode: \(error); spec: \(spec)")
        }
        guard decoded == object else { throw FuzzFailure(.schema, "the spec of \(name) decodes to another object: \(spec)") }
        guard CanonicalJSON.encode(decoded) == spec else {
            throw FuzzFailure(.schema, "the spec of \(name) is not stable across a round trip: \(spec)")
        }
    }
}
