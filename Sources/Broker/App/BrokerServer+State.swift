import BrokerCore
import Platform
import Wire

/// What the broker keeps across restarts under STATE_DIR: the operator's block list (`BlockFile`), read at start and
/// written again, whole and atomically (a temporary file renamed over the old one), whenever it changes.
extension BrokerServer {
    var blockFilePath: String? { config.stateDir.map { $0 + "/" + BlockFile.name } }

    /// Reads the block list back. A missing file is a first start; an unreadable or damaged one is said plainly and
    /// costs what it cannot give, never the start.
    func restoreState() {
        guard let dir = config.stateDir, let path = blockFilePath else { return }
        do { try Files.makeDirectories(dir) } catch {
            log.warning("state: cannot create STATE_DIR \(dir): \(error); the block list will not be kept")
            return
        }
        guard Files.exists(path) else {
            log.info("state: no block list at \(path) yet (a first start)")
            return
        }
        let bytes: [UInt8]
        do { bytes = try Files.read(path, limit: BlockFile.maxBytes) } catch {
            log.warning("state: cannot read the block list \(path): \(error); starting without it (the peers' lists still apply)")
            return
        }
        let (entries, problems) = BlockFile.decode(String(decoding: bytes, as: UTF8.self))
        for p in problems.prefix(10) { log.warning("state: \(path) \(p); that line is ignored") }
        if problems.count > 10 { log.warning("state: \(path) has \(problems.count - 10) more lines that could not be read") }
        core.restoreBlocks(entries)
        savedBlocks = core.blocks.revision
        let blocked = core.blocks.blocked.sorted().map(\.description)
        let list = blocked.isEmpty ? "none" : blocked.joined(separator: ", ")
        log.info("state: restored \(entries.count) block decisions from \(path); blocked: \(list)")
    }

    /// Writes the block list (called when its revision moved). A failure is logged and tried again on the next change.
    func saveState() {
        savedBlocks = core.blocks.revision
        guard let path = blockFilePath else { return }
        do { try Files.write(path, Array(BlockFile.encode(core.blocks.all).utf8)) } catch {
            log.warning("state: cannot write the block list \(path): \(error)")
        }
    }
}
