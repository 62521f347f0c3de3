internal import CLinuxShims
internal import Glibc

/// A joinable pthread running one closure (Foundation's `Thread` cannot be joined).
struct LoopThread: Sendable {
    private let handle: pthread_t

    /// Starts a thread named `name` (truncated to the 15 bytes Linux keeps) running `body`.
    init(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        let context = Unmanaged.passRetained(Context(name: name, body: body)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { argument in
            let context = Unmanaged<Context>.fromOpaque(argument!).takeRetainedValue()
            _ = CLinuxShims_setThreadName(String(decoding: context.name.utf8.prefix(15), as: UTF8.self))
            context.body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<Context>.fromOpaque(context).release()
            throw SystemError(call: "pthread_create", errno: result)
        }
        self.handle = handle
    }

    /// Waits for the thread to finish.
    func join() {
        _ = pthread_join(handle, nil)
    }

    private final class Context {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
