/// How far materialisation of one feature view has come, as the registry records it.
public struct Watermark: Sendable, Hashable {
    /// The end of the last successful window, µs since the Unix epoch.
    public var micros: Int64
    /// The run that set it; the online store's marker for the view holds the same token while Redis
    /// holds what the watermark claims (nil for watermarks set before markers existed).
    public var runToken: String?

    /// A watermark at `micros`, set by run `runToken`.
    public init(micros: Int64, runToken: String?) {
        self.micros = micros
        self.runToken = runToken
    }

    /// How one run moves one view's watermark.
    public struct Update: Sendable, Hashable {
        /// The view.
        public var view: String
        /// The end of the run's window (µs).
        public var micros: Int64
        /// Whether the watermark is set to `micros` even when that moves it back: after a run that
        /// rebuilt the view from the beginning because Redis had lost it, the old watermark claims data
        /// that is no longer there. Otherwise a watermark never moves back.
        public var resets: Bool

        /// An update of `view` to `micros`.
        public init(view: String, micros: Int64, resets: Bool = false) {
            self.view = view
            self.micros = micros
            self.resets = resets
        }
    }
}
