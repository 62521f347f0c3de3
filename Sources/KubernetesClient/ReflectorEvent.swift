/// A change to the collection a `Reflector` mirrors.
public enum ReflectorEvent<Object: KubernetesObject>: Sendable {
    /// A (re-)list: these items are now the whole collection, sorted by `storeKey`.
    case replaced([Object])
    /// An object appeared.
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object disappeared; the payload is its last state.
    case deleted(Object)
}
