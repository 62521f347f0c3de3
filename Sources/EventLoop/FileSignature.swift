internal import Glibc

/// What identifies a file's content cheaply: (device, inode, size, mtime) of the file a path resolves to
/// through symlinks, so a kubelet `..data` swap or a write-and-rename (new inode) and an in-place write
/// (new size or mtime) all change it.
struct FileSignature: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modificationSeconds: Int
    var modificationNanoseconds: Int

    /// The signature of the file at `path`, or nil if it cannot be resolved.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modificationSeconds = info.st_mtim.tv_sec
        modificationNanoseconds = info.st_mtim.tv_nsec
    }
}
