import StrataColumnar
/// Every feature's bins for every row, column after column, one byte per value.
struct BinnedFeatures: Sendable {
    let rowCount: Int
    let mappers: [BinMapper]
    /// `bins[f * rowCount + row]`: column after column, for scans over many rows.
    let bins: [UInt8]
    /// `rowBins[row * featureCount + f]`: row after row, so that gathering a sparse leaf's rows
    /// reads one or two cache lines per row instead of one per feature. Eight zero bytes follow
    /// the last row, so that rows may be copied a word at a time.
    let rowBins: [UInt8]
    /// Where feature `f`'s bins start in a histogram; the last element is the histogram size.
    let histogramOffsets: [Int]

    var featureCount: Int { mappers.count }

    /// Places bin bounds for every feature of `data` and bins its rows.
    /// - Complexity: O(rows × features); features are binned on all workers.
    init(_ data: TrainingData, maxBin: Int, pool: WorkerPool) {
        let features = data.featureNames.count
        var mappers = [BinMapper?](repeating: nil, count: features)
        mappers.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            pool.run { worker in
                for f in stride(from: worker, to: features, by: pool.workers) {
                    shared.value[f] = data.withFeature(f) { BinMapper(values: $0, maxBin: maxBin) }
                }
            }
        }
        self.init(data, mappers: mappers.map { $0! }, pool: pool)
    }

    /// Bins the rows of `data` with given mappers (a validation set binned like its training set).
    init(_ data: TrainingData, mappers: [BinMapper], pool: WorkerPool) {
        let n = data.rowCount
        rowCount = n
        self.mappers = mappers
        var offsets = [0]
        for mapper in mappers { offsets.append(offsets.last! + mapper.binCount) }
        histogramOffsets = offsets
        let lookups = mappers.map(BinLookup.init)
        bins = [UInt8](uninitializedCount: n * mappers.count) { buffer, initialized in
            let shared = UncheckedSendable(buffer.baseAddress!)
            // Chunks of (feature, row block) keep both workers busy however many features there are.
            let blocks = Swift.max(1, n / 65_536)
            let tasks = mappers.count * blocks
            pool.run { worker in
                for task in stride(from: worker, to: tasks, by: pool.workers) {
                    let f = task / blocks
                    let block = task % blocks
                    let range = (n * block / blocks)..<(n * (block + 1) / blocks)
                    data.withFeature(f) { values in
                        lookups[f].bin(
                            UnsafeBufferPointer(rebasing: values[range]),
                            into: shared.value + f * n + range.lowerBound)
                    }
                }
            }
            initialized = n * mappers.count
        }
        rowBins = BinnedFeatures.transpose(bins, rows: n, columns: mappers.count, pool: pool)
    }

    /// The row-major copy of column-major bytes, in tiles that stay in cache.
    private static func transpose(_ bins: [UInt8], rows n: Int, columns: Int, pool: WorkerPool) -> [UInt8] {
        let tile = 512
        return [UInt8](uninitializedCount: n * columns + 8) { buffer, initialized in
            let out = UncheckedSendable(buffer.baseAddress!)
            bins.withUnsafeBufferPointer { source in
                pool.forEachChunk(count: (n + tile - 1) / tile, chunks: pool.workers * 8) { _, tiles in
                    for t in tiles {
                        let rows = (t * tile)..<Swift.min(n, (t + 1) * tile)
                        for f in 0..<columns {
                            let column = source.baseAddress! + f * n
                            for row in rows { out.value[row * columns + f] = column[row] }
                        }
                    }
                }
            }
            (buffer.baseAddress! + n * columns).initialize(repeating: 0, count: 8)
            initialized = n * columns + 8
        }
    }
}
