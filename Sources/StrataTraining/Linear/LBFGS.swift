/// Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives.
struct LBFGS {
    /// Correction pairs kept.
    var memory = 10
    /// Stop when the largest gradient component is at most this.
    var gradientTolerance = 1e-4
    /// Stop when the relative decrease of the objective falls below this (scikit-learn's `ftol`).
    var functionTolerance = 64 * Double.ulpOfOne
    /// The most iterations.
    var maxIterations = 100

    /// Minimises `evaluate`, which returns the objective at `x` and writes its gradient; returns
    /// the minimiser and the number of iterations taken.
    func minimize(start: [Double], _ evaluate: ([Double], inout [Double]) -> Double) -> (x: [Double], iterations: Int) {
        let dimension = start.count
        var x = start
        var gradient = [Double](repeating: 0, count: dimension)
        var value = evaluate(x, &gradient)
        var steps: [[Double]] = []
        var changes: [[Double]] = []
        var rhos: [Double] = []
        var iteration = 0
        var trialGradient = [Double](repeating: 0, count: dimension)
        while iteration < maxIterations {
            if gradient.reduce(0, { Swift.max($0, abs($1)) }) <= gradientTolerance { break }
            iteration += 1
            // Two-loop recursion: direction = −H·g.
            var q = gradient
            var alphas = [Double](repeating: 0, count: steps.count)
            for k in steps.indices.reversed() {
                alphas[k] = rhos[k] * dot(steps[k], q)
                for i in 0..<dimension { q[i] -= alphas[k] * changes[k][i] }
            }
            if let lastStep = steps.last, let lastChange = changes.last {
                let gamma = dot(lastStep, lastChange) / dot(lastChange, lastChange)
                for i in 0..<dimension { q[i] *= gamma }
            } else {
                let norm = dot(gradient, gradient).squareRoot()
                for i in 0..<dimension { q[i] /= Swift.max(norm, 1) }
            }
            for k in steps.indices {
                let beta = rhos[k] * dot(changes[k], q)
                for i in 0..<dimension { q[i] += steps[k][i] * (alphas[k] - beta) }
            }
            var direction = q.map { -$0 }
            var slope = dot(direction, gradient)
            if slope >= 0 {
                // Not a descent direction: restart from steepest descent.
                steps.removeAll()
                changes.removeAll()
                rhos.removeAll()
                direction = gradient.map { -$0 }
                slope = -dot(gradient, gradient)
            }
            var step = 1.0
            var trial = x
            var trialValue = value
            var accepted = false
            for _ in 0..<50 {
                for i in 0..<dimension { trial[i] = x[i] + step * direction[i] }
                trialValue = evaluate(trial, &trialGradient)
                if trialValue <= value + 1e-4 * step * slope {
                    accepted = true
                    break
                }
                step *= 0.5
            }
            if !accepted { break }
            let s = (0..<dimension).map { trial[$0] - x[$0] }
            let y = (0..<dimension).map { trialGradient[$0] - gradient[$0] }
            let sy = dot(s, y)
            if sy > 1e-12 * dot(y, y) {
                if steps.count == memory {
                    steps.removeFirst()
                    changes.removeFirst()
                    rhos.removeFirst()
                }
                steps.append(s)
                changes.append(y)
                rhos.append(1 / sy)
            }
            let decrease = (value - trialValue) / Swift.max(abs(value), abs(trialValue), 1)
            x = trial
            value = trialValue
            swap(&gradient, &trialGradient)
            if decrease <= functionTolerance { break }
        }
        return (x, iteration)
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }
}
