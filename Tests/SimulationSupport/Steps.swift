import BrokerCore
import ClientCore
import ProducerCore
import Wire

// Step helpers for unit tests: each feeds a core one input through the core contract and collects what it then
// hands back, so a test reads as "this went in, that came out".

/// The address tests give as the broker's when they feed a client or producer core directly.
public let testBrokerAddress = address(4000)

extension ProtocolCore where Transmit == [UInt8] {
    public mutating func receive(_ bytes: ArraySlice<UInt8>, now: Int64) -> [[UInt8]] {
        handle(Array(bytes), from: testBrokerAddress, now: now)
        return drainTransmits()
    }
    public mutating func poll(now: Int64) -> [[UInt8]] {
        handleTimeout(now: now)
        return drainTransmits()
    }
    public var deadline: Int64 { pollTimeout() }
    public mutating func takeEvents() -> [Event] { drainEvents() }
}

extension ClientSession {
    public mutating func start(now: Int64) -> [[UInt8]] {
        connect(now: now)
        return drainTransmits()
    }
    public mutating func sendSubscribe(_ sel: StreamID, now: Int64) -> [[UInt8]] {
        subscribe(sel, now: now)
        return drainTransmits()
    }
    public mutating func sendUnsubscribe(_ sel: StreamID, now: Int64) -> [[UInt8]] {
        unsubscribe(sel, now: now)
        return drainTransmits()
    }
    public mutating func sendList(now: Int64) -> [[UInt8]] {
        list(now: now)
        return drainTransmits()
    }
}

extension ProducerSession {
    public mutating func start(now: Int64) -> [[UInt8]] {
        connect(now: now)
        return drainTransmits()
    }
    public mutating func sendFrame(_ frame: [UInt8], stream index: UInt8, captureTime: UInt64, now: Int64) -> [[UInt8]] {
        send(frame: frame, stream: index, captureTime: captureTime, now: now)
        return drainTransmits()
    }
}
