/// How a `FileWatcher` notices changes.
public struct FileWatcherConfiguration: Sendable {
    /// How often file signatures are compared even without inotify events (catches what inotify misses,
    /// e.g. network filesystems or a watch limit reached).
    public var pollInterval: Duration = .seconds(10)
    /// How long to gather a burst of inotify events before checking the files (and calling `onChange` once).
    public var debounce: Duration = .milliseconds(100)
    /// Whether to use inotify at all; false leaves only polling.
    public var usesInotify = true

    /// The defaults: inotify, 100 ms debounce, 10 s poll.
    public init() {}

    /// A configuration with the given settings.
    public init(pollInterval: Duration, debounce: Duration = .milliseconds(100), usesInotify: Bool = true) {
        self.pollInterval = pollInterval
        self.debounce = debounce
        self.usesInotify = usesInotify
    }
}
