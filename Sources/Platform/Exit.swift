#if canImport(Glibc)
    import Glibc
#endif

/// Ends the process with `status` (so the executables need not import Glibc for `exit`).
public func exitProcess(_ status: Int32) -> Never { exit(status) }
