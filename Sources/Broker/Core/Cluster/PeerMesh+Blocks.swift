import Wire

/// Blocks across the cluster (docs/PROTOCOL.md §12, PEER_BLOCKS): a decision made at one broker is sent to every
/// linked peer at once and repeated, and each broker sends its whole list every second and to a peer whose link
/// comes up. Decisions carry their own order (`BlockList`), so repeats, reordering and replays change nothing.
extension PeerMesh {
    /// Queues a decision made here for every peer, sent on the next timer turn.
    mutating func shareBlock(_ e: PeerBlockEntry, now: Int64) {
        blockSends.entries.removeAll { $0.producer == e.producer }
        blockSends.entries.append(e)
        blockSends.sendsLeft = BlockSends.sends
        blockSends.delay = config.snapshotRetry
        blockSends.dueAt = now
    }

    /// Sends (or repeats) the decisions made here lately to every linked peer.
    mutating func repeatBlocks(blocks: BlockList, now: Int64) {
        guard now >= blockSends.dueAt else { return }
        let entries = blockSends.entries
        for a in Array(links.keys) where links[a]!.up && !links[a]!.isSelf { sendBlockPages(entries, to: a, revision: blocks.revision, everyPage: true) }
        blockSends.sendsLeft -= 1
        if blockSends.sendsLeft <= 0 {
            blockSends.entries = []
            blockSends.dueAt = .max
        } else {
            blockSends.dueAt = now + blockSends.delay
            blockSends.delay *= 2
        }
    }

    /// Every `BlockSends.listEvery` peer heartbeats: the whole list to every linked peer.
    mutating func blockListTick(blocks: BlockList) {
        blockSends.ticks += 1
        guard blockSends.ticks >= BlockSends.listEvery else { return }
        blockSends.ticks = 0
        for a in Array(links.keys) where links[a]!.up && !links[a]!.isSelf { sendBlockList(to: a, blocks: blocks) }
    }

    /// The whole list to one peer (at most `maxPagesPerTick` pages; the next call goes on from there).
    mutating func sendBlockList(to a: PeerAddress, blocks: BlockList) {
        let all = blocks.all
        guard !all.isEmpty else { return }
        sendBlockPages(all, to: a, revision: blocks.revision, everyPage: false)
    }

    private mutating func sendBlockPages(_ entries: [PeerBlockEntry], to a: PeerAddress, revision: Int, everyPage: Bool) {
        guard let link = links[a] else { return }
        let (token, id, version) = (link.token, brokerID, UInt32(truncatingIfNeeded: revision))
        let pages = everyPage ? 255 : config.maxPagesPerTick
        sendPages(entries, perPage: WireConstants.maxBlockEntries, to: a, cursor: \.blocksCursor, maxPages: pages) { page, pages, part in
            .peerBlocks(PeerBlocks(token: token, brokerID: id, version: version, page: page, pages: pages, entries: part))
        }
    }
}
