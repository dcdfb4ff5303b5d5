import Foundation
import StrataFuzzing

// strata-fuzz TARGET [libFuzzer options] [corpus folders]: the libFuzzer harness (Fuzz/README.md) when
// built with -DSTRATA_LIBFUZZER and -sanitize=fuzzer; otherwise it replays files through the target.
let usage = """
    USAGE: strata-fuzz TARGET [libFuzzer options and corpus folders]   (fuzz build, Fuzz/README.md)
           strata-fuzz TARGET FILE|FOLDER...                            (plain build: replay inputs)

    Feeds inputs to one of Strata's decoders of outside input and stops at the first trap, hang or
    broken promise. TARGET is one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")).
    """

var arguments = Array(CommandLine.arguments.dropFirst())
// libFuzzer's -fork and -merge modes run this binary again with the options alone; the harness hands
// its children the target through the environment.
if let inherited = ProcessInfo.processInfo.environment[Harness.targetVariable], arguments.first?.hasPrefix("-") ?? true {
    arguments.insert(inherited, at: 0)
}
guard let name = arguments.first, name != "--help", name != "-h" else {
    print(usage)
    exit(arguments.isEmpty ? 2 : 0)
}
guard let target = FuzzTarget(rawValue: name) else {
    FileHandle.standardError.write(Data("strata-fuzz: unknown target '\(name)'\n\n\(usage)\n".utf8))
    exit(2)
}
exit(Harness.run(target, arguments: Array(arguments.dropFirst())))
