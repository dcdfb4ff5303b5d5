/// Whether `a` and `b` agree within `relative` of the larger magnitude (or `absolute`).
func close(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-12) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    return abs(a - b) <= max(absolute, relative * max(abs(a), abs(b)))
}
