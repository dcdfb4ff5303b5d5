import Foundation

/// Reads schema files into one validated `Repository`, reporting every problem with its file, line and column.
public enum SchemaLoader {
    /// The file name extensions of schema files.
    public static let fileExtensions: Set<String> = ["yaml", "yml"]

    /// Reads every `*.yaml` and `*.yml` file of `directory` (not of its subfolders), in name order,
    /// into the repository of the one project they declare.
    ///
    /// - Throws: `SchemaErrors` with every problem found, including a folder that cannot be read or holds
    ///   no schema files.
    public static func load(directory: String) throws -> Repository {
        var texts: [(file: String, text: String)] = []
        var errors: [SchemaError] = []
        for path in try schemaFilePaths(in: directory) {
            guard let data = FileManager.default.contents(atPath: path) else {
                errors.append(SchemaError(.unreadable, "cannot read file '\(path)'", at: nil))
                continue
            }
            switch text(of: data, file: path) {
            case .success(let text): texts.append((path, text))
            case .failure(let error): errors.append(error)
            }
        }
        return try repository(from: texts, errors: errors)
    }

    /// Parses and validates one schema file's `text`; `file` names it in error locations.
    ///
    /// - Throws: `SchemaErrors` with every problem found.
    public static func parse(_ text: String, file: String) throws -> Repository {
        try repository(from: [(file, text)], errors: [])
    }

    /// Parses and validates the raw bytes of one schema file, read as `load(directory:)` reads each
    /// file; `file` names it in error locations.
    ///
    /// - Throws: `SchemaErrors` with every problem found.
    public static func parse(contents: some Collection<UInt8>, file: String) throws -> Repository {
        switch text(of: contents, file: file) {
        case .success(let text): try repository(from: [(file, text)], errors: [])
        case .failure(let error): throw SchemaErrors([error])
        }
    }

    /// A file's bytes as text, or the error that they are not UTF-8.
    private static func text(of contents: some Collection<UInt8>, file: String) -> Result<String, SchemaError> {
        guard let text = String(validating: contents, as: UTF8.self) else {
            return .failure(SchemaError(
                .unreadable, "file is not UTF-8 text; expected a YAML file in UTF-8",
                at: SourceLocation(file: file, line: 1, column: 1)
            ))
        }
        return .success(text)
    }

    /// The paths of the schema files of `directory`, in name order; at least one.
    private static func schemaFilePaths(in directory: String) throws(SchemaErrors) -> [String] {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        let exists = manager.fileExists(atPath: directory, isDirectory: &isFolder)
        guard exists, isFolder.boolValue else {
            let found = exists ? "'\(directory)' is a file" : "folder '\(directory)' does not exist"
            throw SchemaErrors([SchemaError(.unreadable, "\(found); expected a folder of schema files", at: nil)])
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory)
        } catch {
            throw SchemaErrors([
                SchemaError(.unreadable, "cannot list folder '\(directory)': \(error.localizedDescription)", at: nil),
            ])
        }
        let paths = names.filter(isSchemaFileName).sorted().map { name in
            directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }.filter { path in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        guard !paths.isEmpty else {
            throw SchemaErrors([
                SchemaError(
                    .noSchemaFiles,
                    "folder '\(directory)' holds no schema files; expected at least one *.yaml or *.yml file",
                    at: nil
                ),
            ])
        }
        return paths
    }

    /// Whether a folder entry is named like a schema file (hidden files are not).
    private static func isSchemaFileName(_ name: String) -> Bool {
        guard !name.hasPrefix("."), let dot = name.lastIndex(of: ".") else { return false }
        return fileExtensions.contains(name[name.index(after: dot)...].lowercased())
    }

    /// Parses each text, then checks them together, unless a file could not be read or parsed:
    /// its declarations would be missing, and every reference to them reported.
    private static func repository(
        from texts: [(file: String, text: String)], errors readErrors: [SchemaError]
    ) throws(SchemaErrors) -> Repository {
        var errors = readErrors
        var files: [SchemaFile] = []
        for (file, text) in texts {
            var parser = SchemaFileParser(file: file)
            // A byte order mark (Excel, Notepad) is no part of the YAML; left in, it breaks the first line.
            let parsed = parser.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
            errors += parser.errors
            if let parsed {
                files.append(parsed)
            }
        }
        guard files.count == texts.count, readErrors.isEmpty else { throw SchemaErrors(errors) }
        var validator = SchemaValidator()
        let repository = validator.repository(from: files)
        errors += validator.errors
        guard errors.isEmpty, let repository else { throw SchemaErrors(errors) }
        return repository
    }
}
