/// Where a sender plans a batch of outgoing datagrams before one system call sends them all (implemented over
/// sendmmsg and UDP GSO by `Platform.BatchSender`; by a recorder in tests).
public protocol DatagramBatch: AnyObject {
    /// Most messages one batch holds.
    var maxMessages: Int { get }
    /// How many datagrams, from index `start` of `count`, go as one message (`size(i)` is datagram i's length).
    func messageLength(start: Int, count: Int, size: (Int) -> Int) -> Int
    /// Adds one message of `n` datagrams `segment(0..<n)` to `to`; false when the batch is full (flush first).
    func add(segments n: Int, to: PeerAddress, _ segment: (Int) -> [UInt8]) -> Bool
    /// Sends the batch; returns how many of its messages went (fewer when the socket would block).
    func flush() -> Int
}
