internal import CLinuxShims

/// Hands the heap's free memory back to the kernel now and then. glibc's allocator keeps what a
/// burst of connections freed (per-thread arenas, fragmented tops), so without this the resident
/// size stays at its peak after an attack or a load spike is over.
///
/// Its timer keeps it alive for as long as its loop runs.
public final class HeapTrimmer {
    private let loop: EventLoop
    private let interval: Duration

    /// Trims every `interval` on `loop`. Loop thread only.
    public init(loop: EventLoop, interval: Duration = .seconds(5)) {
        loop.preconditionInEventLoop()
        self.loop = loop
        self.interval = interval
        schedule()
    }

    /// Releases free heap memory to the kernel; returns whether any was released.
    @discardableResult
    public static func trim() -> Bool {
        malloc_trim(0) == 1
    }

    /// Fixes glibc's mmap threshold at `bytes`: every allocation at least that large gets a mapping of its
    /// own, handed back to the kernel as soon as it is freed. Left alone, glibc raises the threshold after
    /// each large free (up to 32 MiB), and multi-megabyte request buffers then come from the heap arenas,
    /// where they stay resident after an attack. Call once at start, before other threads allocate.
    public static func pinMmapThreshold(_ bytes: Int = 128 << 10) {
        _ = mallopt(M_MMAP_THRESHOLD, Int32(clamping: bytes))
    }

    private func schedule() {
        _ = loop.scheduleTimer(after: interval) { [self] in
            Self.trim()
            schedule()
        }
    }
}
