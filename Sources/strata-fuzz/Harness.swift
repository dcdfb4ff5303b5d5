import Foundation
import StrataFuzzing

extension Harness {
    /// The environment variable through which a fuzzing run names its target to the processes
    /// libFuzzer starts in `-fork` and `-merge` modes.
    static let targetVariable = "STRATA_FUZZ_TARGET"
}

#if STRATA_LIBFUZZER
/// libFuzzer's driver: parses its options from `argv` and calls `callback` once per input.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The libFuzzer harness: every input goes through the selected target's entry point; a broken promise
/// stops the run like a trap, so that libFuzzer saves the input.
enum Harness {
    /// The target of this run; read by the C callback, which cannot capture it.
    nonisolated(unsafe) static var target = FuzzTarget.schema

    static func run(_ target: FuzzTarget, arguments: [String]) -> Int32 {
        self.target = target
        setenv(targetVariable, target.rawValue, 1)
        var options = arguments
        if !options.contains(where: { $0.hasPrefix("-max_len=") }) { options.insert("-max_len=\(target.maxLength)", at: 0) }
        var argv: [UnsafeMutablePointer<CChar>?] = ([CommandLine.arguments[0]] + options).map { strdup($0) } + [nil]
        var argc = CInt(argv.count - 1)
        return argv.withUnsafeMutableBufferPointer { buffer in
            var base = buffer.baseAddress!
            return runDriver(&argc, &base) { data, size in
                let input = UnsafeRawBufferPointer(start: data, count: size)
                do {
                    _ = try Harness.target.run(input)
                } catch {
                    fatalError("strata-fuzz: \(error)")
                }
                return 0
            }
        }
    }
}
#else
/// Without libFuzzer: replays files (and the files of folders) through the target, printing each
/// outcome; exit 1 at the first broken promise.
enum Harness {
    static func run(_ target: FuzzTarget, arguments: [String]) -> Int32 {
        var files: [String] = []
        for path in arguments {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("strata-fuzz: no such file or folder: \(path)\n".utf8))
                return 2
            }
            if isFolder.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.sorted().map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        for file in files {
            let bytes = [UInt8](FileManager.default.contents(atPath: file) ?? Data())
            do {
                switch try target.run(bytes) {
                case .accepted: print("\(file): accepted")
                case .refused(let message): print("\(file): refused: \(message.prefix(200))")
                }
            } catch {
                print("\(file): FAILED: \(error)")
                return 1
            }
        }
        return 0
    }
}
#endif
