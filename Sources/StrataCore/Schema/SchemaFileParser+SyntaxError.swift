import Yams

extension SchemaFileParser {
    /// Yams' error as a schema error at the position Yams reports.
    func syntaxError(_ error: any Error, in text: String) -> SchemaError {
        switch error as? YamlError {
        case let .scanner(context, problem, mark, _)?,
             let .parser(context, problem, mark, _)?,
             let .composer(context, problem, mark, _)?:
            // libyaml's context ("while parsing a flow sequence") says where the construct began.
            let opening = context.map { "\($0.text) (line \($0.mark.line), column \($0.mark.column)), " } ?? ""
            return SchemaError(.syntax, "invalid YAML: \(opening)\(problem)", at: location(of: mark))
        case let .reader(problem, offset, _, _)?:
            return SchemaError(.syntax, "invalid YAML: \(problem)", at: location(ofCharacter: offset ?? 0, in: text))
        case let .duplicatedKeysInMapping(duplicates, context)?:
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return SchemaError(
                .duplicateKey, "key \(keys) appears more than once in one mapping; expected each key once",
                at: location(of: context.mark)
            )
        default:
            return SchemaError(.syntax, "invalid YAML: \(error)", at: location(of: nil))
        }
    }

    /// The line and column (in Unicode scalars, as libyaml counts) of the character at `offset`.
    private func location(ofCharacter offset: Int, in text: String) -> SourceLocation {
        let prefix = text.prefix(offset)
        let lines = prefix.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        return SourceLocation(file: file, line: lines.count, column: (lines.last?.unicodeScalars.count ?? 0) + 1)
    }
}
