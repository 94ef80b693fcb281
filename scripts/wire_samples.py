#!/usr/bin/env python3
"""Sample datagrams of wire protocol v1 (docs/PROTOCOL.md), built byte by byte, for testing the
Wireshark dissector (tools/wireshark/wire.lua).

    wire_samples.py list                          names, destinations and hex of every sample
    wire_samples.py send --port P                 sends them over UDP to 127.0.0.1 (P and P+1, from P+2)
    wire_samples.py write-pcap FILE --port P      writes the same datagrams as a pcap (no capture needed)
                                                  (both take --heur-port H and --src-port S to move P+1, P+2)
    wire_samples.py check --port P [--heur-port H] --pdml F --fields F
                                                  checks tshark's decoding against the expectations;
                                                  prints one line per failure and 'checks: N passed, M failed'

Every valid sample is what Sources/Wire/Message+Codec.swift encodes for the same values (a producer HELLO carries
the proof and every DATA the MAC that Sources/Wire/StreamKeys.swift and DataMAC.swift compute for the publish
secret PUBLISH_SECRET below); every malformed sample breaks exactly the rule its name says (and the dissector must
flag it with that expert info).
Samples marked 'heur' go to port P+1, where only the heuristic dissector can claim them.
"""
import argparse
import hashlib
import hmac
import json
import socket
import struct
import sys
import time
import xml.etree.ElementTree as ET

MAGIC = 0x5642
VERSION = 1
DATA_HEADER = 44     # the MAC (offset 36, 8 bytes) included
CHUNK = 1400 - DATA_HEADER   # 1356
T = dict(HELLO=1, COOKIE=2, WELCOME=3, HEARTBEAT=4, HEARTBEAT_ACK=5, SUBSCRIBE=6, UNSUBSCRIBE=7, ACK=8, ERROR=9,
         DATA=10, NACK=11, STREAM_STATUS=12, LIST_REQUEST=13, LIST_REPLY=14, BYE=15, PEER_HELLO=16, PEER_ANNOUNCE=17,
         PEER_INTEREST=18, PEER_BLOCKS=19)


# --- SipHash-2-4 and the address cookie ---------------------------------------------------------------

def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & 0xFFFFFFFFFFFFFFFF


def siphash24(k0, k1, data):
    M = 0xFFFFFFFFFFFFFFFF
    v0, v1, v2, v3 = 0x736F6D6570736575 ^ k0, 0x646F72616E646F6D ^ k1, 0x6C7967656E657261 ^ k0, 0x7465646279746573 ^ k1

    def rnd():
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & M; v1 = _rotl(v1, 13); v1 ^= v0; v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & M; v3 = _rotl(v3, 16); v3 ^= v2
        v0 = (v0 + v3) & M; v3 = _rotl(v3, 21); v3 ^= v0
        v2 = (v2 + v1) & M; v1 = _rotl(v1, 17); v1 ^= v2; v2 = _rotl(v2, 32)

    n = len(data)
    end = n - n % 8
    for i in range(0, end, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m; rnd(); rnd(); v0 ^= m
    last = ((n & 0xFF) << 56) | int.from_bytes(data[end:], "little")
    v3 ^= last; rnd(); rnd(); v0 ^= last
    v2 ^= 0xFF
    rnd(); rnd(); rnd(); rnd()
    return v0 ^ v1 ^ v2 ^ v3


def cookie_material(ip, port):
    """family byte, 16 address bytes (IPv4: 12 zero bytes then the 4 address bytes), port; big-endian."""
    if ":" in ip:
        return b"\x06" + socket.inet_pton(socket.AF_INET6, ip) + struct.pack(">H", port)
    return b"\x04" + bytes(12) + socket.inet_aton(ip) + struct.pack(">H", port)


def cookie(k0, k1, ip, port):
    return siphash24(k0, k1, cookie_material(ip, port)) | 1


# --- Stream keys, the HELLO proof and the DATA MAC (docs/PROTOCOL.md section 4) ------------------------

def stream_key(secret, pid):
    """HMAC-SHA-256(publish secret, "vbroker stream key v1" || producer id, 3 bytes), first 16 bytes."""
    return hmac.new(secret, b"vbroker stream key v1" + pid.to_bytes(3, "big"), hashlib.sha256).digest()[:16]


def hello_proof(key, signed):
    """HMAC-SHA-256(stream key, "vbroker hello v1" || HELLO bytes 0 .. 33 + 8n), first 16 bytes."""
    return hmac.new(key, b"vbroker hello v1" + signed, hashlib.sha256).digest()[:16]


def media_key(key, nonce):
    """HMAC-SHA-256(stream key, "vbroker media v1" || the HELLO's nonce, 8 bytes big-endian), first 16 bytes,
    as SipHash keys k0, k1 (little-endian halves)."""
    k = hmac.new(key, b"vbroker media v1" + nonce.to_bytes(8, "big"), hashlib.sha256).digest()[:16]
    return int.from_bytes(k[:8], "little"), int.from_bytes(k[8:], "little")


def data_mac(mkey, datagram):
    """SipHash-2-4 under the media key over bytes 0..31 and the payload (44..end): not the flags, origin or MAC."""
    return siphash24(mkey[0], mkey[1], datagram[:32] + datagram[DATA_HEADER:])


# --- Control authentication (docs/PROTOCOL.md section 4) ---------------------------------------------------

def control_key(k, token, nonce, challenge):
    """The control key of "vbroker control v1" || token || nonce || challenge: for a producer (k = its stream key)
    HMAC-SHA-256, first 16 bytes, as SipHash keys k0, k1; for a client (k = b"", and for an ERROR refusing a HELLO)
    k0, k1 = SipHash-2-4 under the zero key of it || 00 and || 01."""
    m = b"vbroker control v1" + struct.pack(">QQQ", token, nonce, challenge)
    if not k:
        return siphash24(0, 0, m + b"\0"), siphash24(0, 0, m + b"\1")
    d = hmac.new(k, m, hashlib.sha256).digest()[:16]
    return int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little")


def sealed(ckey, b, counter):
    """A control message with its trailer: the counter (u32), then SipHash-2-4 under the control key of all before."""
    b = b + struct.pack(">I", counter)
    return b + struct.pack(">Q", siphash24(ckey[0], ckey[1], b))


# --- The cluster keys (docs/PROTOCOL.md section 12) --------------------------------------------------------

def cluster_key(secret, label):
    """HMAC-SHA-256(CLUSTER_SECRET, label), first 16 bytes, as SipHash keys k0, k1 (little-endian halves)."""
    k = hmac.new(secret, label, hashlib.sha256).digest()[:16]
    return int.from_bytes(k[:8], "little"), int.from_bytes(k[8:], "little")


def seal(tag_key, b):
    """A peer message with its tag: SipHash-2-4 under the tag key of every byte before it, big-endian, last."""
    return b + struct.pack(">Q", siphash24(tag_key[0], tag_key[1], b))


def origin_tag(broker_id):
    """A broker's origin tag: the low 24 bits of its id, 0 taken as 1."""
    return (broker_id & 0xFFFFFF) or 1


# --- Message builders (one per type, big-endian) -------------------------------------------------------

def _colons(b):
    """How tshark's PDML shows a bytes field."""
    return ":".join("%02x" % x for x in b)


def hdr(t, magic=MAGIC, version=VERSION):
    return struct.pack(">HBB", magic, version, t)


def hello(token, nonce, role, pid=0, streams=(), pad=True, key=None, challenge=0):
    """A producer HELLO (role 1) carries its proof after the descriptors: of `key` (default: the stream key of
    `pid` under PUBLISH_SECRET), or the 16 given bytes when `key` is bytes of another length (b"" for none)."""
    b = hdr(1) + struct.pack(">QQBB", token, nonce, role, len(streams)) + pid.to_bytes(3, "big") + b"\0"
    b += struct.pack(">Q", challenge)
    for index, kind, rate in streams:
        b += struct.pack(">BBHI", index, kind, 0, rate)
    if role == 1:
        if key is None:
            key = stream_key(PUBLISH_SECRET, pid)
        b += hello_proof(key, b) if len(key) == 16 else key
    if pad and len(b) < 64:
        b += bytes(64 - len(b))
    return b


def cookie_msg(nonce, token, challenge=None):
    return hdr(2) + struct.pack(">QQ", nonce, token) + (b"" if challenge is None else struct.pack(">Q", challenge))
def welcome(nonce, epoch, hb_ms, misses): return hdr(3) + struct.pack(">QQIB3x", nonce, epoch, hb_ms, misses)
def heartbeat(token, send_time, rtt, report=None):
    b = hdr(4) + struct.pack(">QQI", token, send_time, rtt)
    return b if report is None else b + struct.pack(">II", *report)
def heartbeat_ack(echo, epoch): return hdr(5) + struct.pack(">QQ", echo, epoch)
def subscribe(token, rid, sel, flags=0, t=6): return hdr(t) + struct.pack(">QIIB3x", token, rid, sel, flags)
def unsubscribe(token, rid, sel, flags=0): return subscribe(token, rid, sel, flags, t=7)
def ack(rid, sel, status): return hdr(8) + struct.pack(">IIB3x", rid, sel, status)


def error(rid, code, reason, length=None):
    r = reason.encode() if isinstance(reason, str) else reason
    return hdr(9) + struct.pack(">IBB", rid, code, len(r) if length is None else length) + r


def data_header(stream, seq, frame, flen, idx, count, ctime, flags=0, mac=0):
    return hdr(10) + struct.pack(">IIIIHHQB3xQ", stream, seq, frame, flen, idx, count, ctime, flags, mac)


def data(stream, seq, frame, flen, idx, ctime, flags=0, count=None, payload_len=None, fill=0xAB, mac=None, origin=0, payload=None):
    """A DATA datagram stamped with the MAC under MEDIA_KEY (or with `mac` as given), and with the origin tag of
    the broker its producer is connected to (bytes 33-35, not covered by the MAC; 0 = not stamped)."""
    if count is None:
        count = (flen + CHUNK - 1) // CHUNK
    if payload_len is None:
        payload_len = min(CHUNK, flen - idx * CHUNK)
    body = payload if payload is not None else bytes([fill]) * payload_len
    b = data_header(stream, seq, frame, flen, idx, count, ctime, flags) + body
    if mac is None:
        mac = data_mac(MEDIA_KEY, b)
    return b[:33] + origin.to_bytes(3, "big") + struct.pack(">Q", mac) + b[DATA_HEADER:]


def gso_frame(stream, seq, frame, flen, ctime, flags=0):
    """Every DATA datagram of one frame, numbered from seq: what a producer sends as one GSO batch."""
    count = (flen + CHUNK - 1) // CHUNK
    return [data(stream, seq + i, frame, flen, i, ctime, flags, fill=i) for i in range(count)]


def nack(token, stream, rtt, ranges, count=None):
    b = hdr(11) + struct.pack(">QIIB3x", token, stream, rtt, len(ranges) if count is None else count)
    for start, n in ranges:
        b += struct.pack(">IH", start, n)
    return b


def stream_status(stream, state, rate): return hdr(12) + struct.pack(">IB3xI", stream, state, rate)
def list_request(token, rid): return hdr(13) + struct.pack(">QI", token, rid)


def list_reply(rid, total, first, entries, count=None):
    """entries: (stream, state, rate, subscribers) or (stream, state, rate, subscribers, origin)."""
    b = hdr(14) + struct.pack(">IHHB3x", rid, total, first, len(entries) if count is None else count)
    for e in entries:
        stream, state, rate, subs = e[:4]
        origin = e[4] if len(e) > 4 else 0
        b += struct.pack(">IB", stream, state) + origin.to_bytes(3, "big") + struct.pack(">II", rate, subs)
    return b


def bye(token, reason): return hdr(15) + struct.pack(">QB3x", token, reason)
def peer_bye(token, reason, key=None): return seal(key or TAG_KEY, bye(token, reason))


def peer_hello(token, broker_id, send_time, echo_time, av, aa, iv, ia, echo_delay, key=None):
    b = hdr(16) + struct.pack(">QQQQIIIII", token, broker_id, send_time, echo_time, av, aa, iv, ia, echo_delay)
    return seal(key or TAG_KEY, b)


def peer_page(t, token, broker_id, version, page, pages, body, count, key=None):
    return seal(key or TAG_KEY, hdr(t) + struct.pack(">QQIBBH", token, broker_id, version, page, pages, count) + body)


def peer_announce(token, broker_id, version, page, pages, entries, count=None):
    """entries: (stream, kind, rate, claim, nonce)."""
    body = b"".join(struct.pack(">IB3xIIQ", *e) for e in entries)
    return peer_page(17, token, broker_id, version, page, pages, body, len(entries) if count is None else count)


def peer_interest(token, broker_id, version, page, pages, streams, count=None):
    body = b"".join(struct.pack(">I", x) for x in streams)
    return peer_page(18, token, broker_id, version, page, pages, body, len(streams) if count is None else count)


def peer_blocks(token, broker_id, version, page, pages, entries, count=None):
    """entries: (producer_id, state, stamp)."""
    body = b"".join(struct.pack(">IB3xQ", *e) for e in entries)
    return peer_page(19, token, broker_id, version, page, pages, body, len(entries) if count is None else count)


# --- The samples --------------------------------------------------------------------------------------

KEY = (0x0706050403020100, 0x0F0E0D0C0B0A0908)    # the SipHash reference key 00 01 .. 0f
CLIENT_ADDR = ("127.0.0.1", 40000)
TOKEN = cookie(*KEY, *CLIENT_ADDR)
NONCE = 0x1122334455667789
CHALLENGE = 0x00000BB8C0FFEE01   # issued at 3000 ms of the broker's clock; the low 32 bits are its MAC
EPOCH = 0x0123456789ABCDEF
PID = 0x1AAA99
V1, A1 = 0x1AAA9901, 0x1AAA9902
SEL = 0x1AAA9900
CTIME = 1700000000123456   # 2023-11-14 22:13:20.123456 UTC
PUBLISH_SECRET = b"demo-publish-secret-change-me"   # the .env's, as in PROTOCOL.md section 11
STREAM_KEY = stream_key(PUBLISH_SECRET, PID)
MEDIA_KEY = media_key(STREAM_KEY, NONCE + 2)        # the session of the producer HELLO below
CLUSTER_SECRET = b"demo-cluster-secret-change-me"
TAG_KEY = cluster_key(CLUSTER_SECRET, b"vbroker peer tag v1")
BROKER_A, BROKER_B = 0x5EED0000004C2A1B, 0x0BADCAFE00D0E0F1   # two brokers' ids (epochs): origin tags 4C2A1B, D0E0F1


def link_token(k0, k1, ip, port, issuer, holder):
    """The link token broker `issuer` gives broker `holder` at ip:port: SipHash of the cookie material and both ids."""
    return siphash24(k0, k1, cookie_material(ip, port) + struct.pack(">QQ", issuer, holder)) | 1


PEER_TOKEN = link_token(*cluster_key(CLUSTER_SECRET, b"vbroker cookie v1"), "127.0.0.1", 5001, BROKER_A, BROKER_B)


def samples():
    """(name, where, bytes, expectations). where: 'main' (port P) or 'heur' (port P+1)."""
    out = []

    def s(name, b, info=None, fields=None, shownames=(), experts=(), where="main", ours=True, type_=None, notes=(), texts=()):
        out.append(dict(name=name, where=where, data=b, info=info, fields=fields or {}, shownames=list(shownames),
                        experts=list(experts), ours=ours, type=type_, notes=list(notes), texts=list(texts)))

    tok = "0x%016x" % TOKEN
    # Valid: every message type.
    s("HELLO client, no cookie", hello(0, NONCE, 2), "HELLO client token=0 (no cookie yet)",
      {"vbwire.type": "1", "vbwire.nonce": "0x1122334455667789", "vbwire.role": "2", "vbwire.stream_count": "0"},
      [("vbwire.type", "HELLO")], type_="HELLO")
    s("COOKIE", cookie_msg(NONCE, TOKEN), "COOKIE nonce=0x1122334455667789 token=" + tok,
      {"vbwire.token": tok, "vbwire.nonce": "0x1122334455667789"}, type_="COOKIE")
    s("COOKIE with a challenge", cookie_msg(NONCE, TOKEN, CHALLENGE),
      "COOKIE nonce=0x1122334455667789 token=%s challenge=0x%016x" % (tok, CHALLENGE),
      {"vbwire.token": tok, "vbwire.challenge": "0x%016x" % CHALLENGE}, type_="COOKIE")
    s("COOKIE answering a request without a session", cookie_msg(0x55AA55AA55AA55AB, TOKEN),
      "COOKIE nonce=0x55aa55aa55aa55ab token=" + tok, {"vbwire.nonce": "0x55aa55aa55aa55ab"}, type_="COOKIE")
    s("HELLO client with cookie", hello(TOKEN, NONCE, 2, challenge=CHALLENGE), "HELLO client token=" + tok,
      {"vbwire.token": tok, "vbwire.challenge": "0x%016x" % CHALLENGE, "vbwire.padding": _colons(bytes(30))}, type_="HELLO")
    s("WELCOME", welcome(NONCE, EPOCH, 500, 6), "WELCOME epoch=0x0123456789abcdef heartbeat=500ms lease=6 misses",
      {"vbwire.epoch": "0x0123456789abcdef", "vbwire.heartbeat_ms": "500", "vbwire.lease_misses": "6", "vbwire.lease_ms": "3000"},
      type_="WELCOME")
    producer_hello = hello(TOKEN, NONCE + 2, 1, PID, [(1, 1, 12000), (2, 2, 1000)], challenge=CHALLENGE)
    s("HELLO producer", producer_hello,
      "HELLO producer 1AAA99 streams=2 [1AAA9901 video, 1AAA9902 audio] token=" + tok,
      {"vbwire.role": "1", "vbwire.producer": "1AAA99", "vbwire.stream_count": "2", "vbwire.kind": ["1", "2"],
       "vbwire.rate": ["12000", "1000"], "vbwire.stream_index": ["1", "2"], "vbwire.proof": _colons(producer_hello[50:66]),
       "vbwire.challenge": "0x%016x" % CHALLENGE},
      [("vbwire.producer_id", "Producer ID: 1AAA99"), ("vbwire.descriptor", "Stream 1AAA9901: video, 12.000 frames/s"),
       ("vbwire.descriptor", "Stream 1AAA9902: audio, 1.000 frames/s"),
       ("vbwire.proof", "Proof of the stream key: " + producer_hello[50:66].hex())], type_="HELLO")
    full = hello(TOKEN, NONCE + 4, 1, PID, [(i, 1, 1000) for i in range(1, 17)])
    s("HELLO producer 16 streams", full, "HELLO producer 1AAA99 streams=16 [1AAA9901 video, 1AAA9902 video, 1AAA9903 video, "
      "1AAA9904 video, ...] token=" + tok, {"vbwire.stream_count": "16", "vbwire.proof": _colons(full[162:178])}, type_="HELLO")
    s("HEARTBEAT", heartbeat(TOKEN, 123456789, 1500), "HEARTBEAT rtt=1500us",
      {"vbwire.send_time": "123456789", "vbwire.rtt": "1500", "vbwire.token": tok}, type_="HEARTBEAT")
    s("HEARTBEAT with receiver report", heartbeat(TOKEN, 123456790, 1500, (70000, 12)), "HEARTBEAT rtt=1500us received=70000 lost=12",
      {"vbwire.report.received": "70000", "vbwire.report.lost": "12", "vbwire.rtt": "1500"}, type_="HEARTBEAT")
    s("HEARTBEAT_ACK", heartbeat_ack(123456789, EPOCH), "HEARTBEAT_ACK epoch=0x0123456789abcdef",
      {"vbwire.echo_time": "123456789"}, type_="HEARTBEAT_ACK")
    s("SUBSCRIBE stream", subscribe(TOKEN, 7, V1), "SUBSCRIBE req=7 1AAA9901",
      {"vbwire.request_id": "7", "vbwire.stream": "1AAA9901"},
      [("vbwire.selector", "Selector: 1AAA9901 (producer 1AAA99, stream 01 video)")], type_="SUBSCRIBE")
    s("SUBSCRIBE producer resume", subscribe(TOKEN, 8, SEL, 1), "SUBSCRIBE req=8 1AAA99 resume",
      {"vbwire.request_id": "8", "vbwire.stream": "1AAA99", "vbwire.flags.resume": "1"},
      [("vbwire.selector", "Selector: 1AAA99 (all streams of producer 1AAA99)")], type_="SUBSCRIBE")
    s("ACK", ack(7, V1, 0), "ACK req=7 1AAA9901 online", {"vbwire.status": "0"}, type_="ACK")
    s("ACK offline", ack(8, SEL, 1), "ACK req=8 1AAA99 offline", {"vbwire.status": "1"}, type_="ACK")
    s("ACK waiting", ack(10, 0x4DDD4400, 2), "ACK req=10 4DDD44 waiting", {"vbwire.status": "2"}, type_="ACK")
    s("UNSUBSCRIBE", unsubscribe(TOKEN, 9, V1), "UNSUBSCRIBE req=9 1AAA9901", {"vbwire.request_id": "9"}, type_="UNSUBSCRIBE")
    s("ACK of the UNSUBSCRIBE", ack(9, V1, 0), "ACK req=9 1AAA9901 unsubscribed", {"vbwire.status": "0", "vbwire.answers": "UNSUBSCRIBE in frame 17"},
      type_="ACK")
    reason = "subscribed through 1AAA99: unsubscribe 1AAA99 instead"
    s("ERROR", error(9, 4, reason), 'ERROR req=9 not subscribed: "%s"' % reason,
      {"vbwire.error_code": "4", "vbwire.reason": reason, "vbwire.reason_length": str(len(reason))}, type_="ERROR")
    s("ERROR empty reason", error(0, 2, ""), "ERROR req=0 limit reached", {"vbwire.reason_length": "0"}, type_="ERROR")
    refused = "wrong stream key for producer 1AAA99"
    s("ERROR not authorized", error(0, 6, refused), 'ERROR req=0 not authorized: "%s"' % refused,
      {"vbwire.error_code": "6", "vbwire.reason": refused}, [("vbwire.error_code", "Error code: not authorized (6)")], type_="ERROR")
    d = data(V1, 123, 4, 10000, 2, CTIME)
    s("DATA", d, "DATA 1AAA9901 seq=123 frame=4 chunk 3/8",
      {"vbwire.stream": "1AAA9901", "vbwire.seq": "123", "vbwire.frame": "4", "vbwire.frame_length": "10000",
       "vbwire.chunk_index": "2", "vbwire.chunk_count": "8", "vbwire.capture_time": str(CTIME), "vbwire.chunk_offset": "2712",
       "vbwire.payload_length": "1356", "vbwire.flags.retransmit": "0", "vbwire.flags.cached": "0",
       "vbwire.mac": "0x" + d[36:44].hex()},
      [("vbwire.stream_id", "Stream ID: 1AAA9901 (producer 1AAA99, stream 01 video)"),
       ("vbwire.capture_time_abs", "Nov 14, 2023 22:13:20.123456000 UTC")], type_="DATA")
    # An opus stream (index 3, kind 3): its frame is an Opus chunk (section 13), here three packets of 20 ms.
    chunk = bytes([1, 1, 3, 0]) + b"".join(len(p).to_bytes(2, "big") + p for p in (b"\xfc\x01\x02", b"\xfc\x03\x04\x05\x06", b"\xf8\x07"))
    s("DATA opus chunk", data(PID << 8 | 3, 50, 2, len(chunk), 0, CTIME, payload=chunk), "DATA 1AAA9903 seq=50 frame=2 chunk 1/1 [opus 3 packets, 60 ms]",
      {"vbwire.stream": "1AAA9903", "vbwire.opus.format": "1", "vbwire.opus.channels": "1", "vbwire.opus.packet_count": "3",
       "vbwire.opus.packet_length": ["3", "5", "2"], "vbwire.opus.samples": "2880", "vbwire.payload_length": str(len(chunk))},
      [("vbwire.stream_id", "Stream ID: 1AAA9903 (producer 1AAA99, stream 03 opus)"),
       ("vbwire.opus", "Opus chunk: format 1, 1 channel(s), 3 packets, 60.0 ms")], type_="DATA")
    browser_hello = hello(TOKEN, NONCE + 6, 1, PID, [(1, 1, 12000), (3, 3, 10000)])
    s("HELLO producer with Opus sound", browser_hello, "HELLO producer 1AAA99 streams=2 [1AAA9901 video, 1AAA9903 opus] token=" + tok,
      {"vbwire.kind": ["1", "3"], "vbwire.stream_index": ["1", "3"], "vbwire.rate": ["12000", "10000"]},
      [("vbwire.descriptor", "Stream 1AAA9903: opus, 10.000 frames/s")], type_="HELLO")
    s("DATA last chunk retransmit", data(V1, 129, 4, 10000, 7, CTIME, flags=1),
      "DATA 1AAA9901 seq=129 frame=4 chunk 8/8 [retransmit]",
      {"vbwire.payload_length": "508", "vbwire.flags.retransmit": "1", "vbwire.flags.cached": "0"}, type_="DATA")
    s("DATA cached", data(0x2BBB7702, 0xFFFFFFFF, 77, 100, 0, CTIME, flags=2),
      "DATA 2BBB7702 seq=4294967295 frame=77 chunk 1/1 [cached]",
      {"vbwire.stream": "2BBB7702", "vbwire.flags.cached": "1", "vbwire.payload_length": "100"}, type_="DATA")
    s("DATA largest frame, last chunk", data(V1, 5, 9, 1048576, 773, CTIME), "DATA 1AAA9901 seq=5 frame=9 chunk 774/774",
      {"vbwire.payload_length": "388", "vbwire.chunk_offset": "1048188"}, type_="DATA")
    s("NACK", nack(TOKEN, V1, 1500, [(100, 5), (200, 1)]), "NACK 1AAA9901 rtt=1500us ranges=2 missing=6 [100-104 200]",
      {"vbwire.range_count": "2", "vbwire.range.start": ["100", "200"], "vbwire.range.count": ["5", "1"], "vbwire.range.end": ["104", "200"]},
      [("vbwire.range", "Range 1: 100-104 (5)"), ("vbwire.range", "Range 2: 200 (1)")], type_="NACK")
    s("NACK across wrap, from broker", nack(0, A1, 0, [(0xFFFFFFFE, 4)]), "NACK 1AAA9902 rtt=0us ranges=1 missing=4 [4294967294-1]",
      {"vbwire.range.end": "1"}, type_="NACK")
    s("STREAM_STATUS", stream_status(A1, 2, 1000), "STREAM_STATUS 1AAA9902 offline rate=1.000",
      {"vbwire.state": "2", "vbwire.stream": "1AAA9902", "vbwire.rate": "1000"}, type_="STREAM_STATUS")
    s("LIST_REQUEST", list_request(TOKEN, 10), "LIST_REQUEST req=10", {"vbwire.request_id": "10"}, type_="LIST_REQUEST")
    s("LIST_REPLY", list_reply(10, 3, 0, [(V1, 1, 12000, 2), (A1, 1, 1000, 1), (0x3CCC5501, 2, 12000, 0)]),
      "LIST_REPLY req=10 total=3 first=0 entries=3",
      {"vbwire.entry_count": "3", "vbwire.stream": ["1AAA9901", "1AAA9902", "3CCC5501"], "vbwire.subscribers": ["2", "1", "0"]},
      [("vbwire.entry", "Entry 0: 1AAA9901 online 12.000 frames/s, 2 subscribers"),
       ("vbwire.entry", "Entry 2: 3CCC5501 offline 12.000 frames/s, 0 subscribers")], type_="LIST_REPLY")
    s("LIST_REPLY empty", list_reply(11, 0, 0, []), "LIST_REPLY req=11 total=0 first=0 entries=0", type_="LIST_REPLY")
    s("LIST_REPLY page 2", list_reply(12, 90, 86, [(0x3CCC5501 + i, 1, 12000, 0) for i in range(4)]),
      "LIST_REPLY req=12 total=90 first=86 entries=4", type_="LIST_REPLY")
    s("BYE shutdown", bye(0, 1), "BYE shutdown", {"vbwire.bye_reason": "1"}, type_="BYE")
    s("BYE quit", bye(TOKEN, 2), "BYE quit", {"vbwire.bye_reason": "2"}, type_="BYE")
    s("BYE disconnected", bye(TOKEN, 3), "BYE disconnected", {"vbwire.bye_reason": "3"}, type_="BYE")
    pb = peer_bye(PEER_TOKEN, 1)
    s("BYE between brokers, tagged", pb, "BYE shutdown (broker to broker, tagged)",
      {"vbwire.bye_reason": "1", "vbwire.peer.tag": "0x" + pb[16:].hex()}, type_="BYE")
    # Sealed: what a broker sends a client (control key without a stream key) or a producer (under its stream key).
    ckey = control_key(b"", TOKEN, NONCE, CHALLENGE)
    pkey = control_key(STREAM_KEY, TOKEN, NONCE + 2, CHALLENGE)
    w1 = sealed(ckey, welcome(NONCE, EPOCH, 500, 6), 1)
    s("WELCOME sealed", w1, "WELCOME epoch=0x0123456789abcdef heartbeat=500ms lease=6 misses [sealed #1]",
      {"vbwire.control.counter": "1", "vbwire.control.tag": "0x" + w1[-8:].hex(), "vbwire.heartbeat_ms": "500"},
      [("vbwire.control", "Control trailer (sealed under the session's control key)")], type_="WELCOME")
    s("HEARTBEAT_ACK sealed", sealed(pkey, heartbeat_ack(123456789, EPOCH), 7), "HEARTBEAT_ACK epoch=0x0123456789abcdef [sealed #7]",
      {"vbwire.control.counter": "7"}, type_="HEARTBEAT_ACK")
    s("ACK sealed", sealed(ckey, ack(21, SEL, 2), 2), "ACK req=21 1AAA99 waiting [sealed #2]", {"vbwire.control.counter": "2"}, type_="ACK")
    s("STREAM_STATUS sealed", sealed(ckey, stream_status(V1, 2, 12000), 3), "STREAM_STATUS 1AAA9901 offline rate=12.000 [sealed #3]",
      {"vbwire.control.counter": "3", "vbwire.state": "2"}, type_="STREAM_STATUS")
    s("ERROR refusing a HELLO, sealed", sealed(control_key(b"", TOKEN, NONCE + 2, CHALLENGE), error(0, 6, "wrong stream key for producer 1AAA99"), 0),
      'ERROR req=0 not authorized: "wrong stream key for producer 1AAA99" [sealed #0]', {"vbwire.control.counter": "0"}, type_="ERROR")
    s("LIST_REPLY sealed", sealed(ckey, list_reply(14, 1, 0, [(V1, 1, 12000, 1)]), 4), "LIST_REPLY req=14 total=1 first=0 entries=1 [sealed #4]",
      {"vbwire.control.counter": "4", "vbwire.entry_count": "1"}, type_="LIST_REPLY")
    s("LIST_REPLY full page sealed, 1388 bytes", sealed(ckey, list_reply(15, 85, 0, [(0x3CCC5501 + i, 1, 12000, 0) for i in range(85)]), 5),
      "LIST_REPLY req=15 total=85 first=0 entries=85 [sealed #5]", {"vbwire.entry_count": "85"}, type_="LIST_REPLY")
    s("BYE from the broker, sealed", sealed(ckey, bye(0, 1), 9), "BYE shutdown [sealed #9]", {"vbwire.control.counter": "9"}, type_="BYE")
    # The cluster: origin tags in DATA and LIST_REPLY, and the broker-to-broker messages (section 12).
    s("DATA relayed, origin 4C2A1B", data(V1, 124, 4, 10000, 3, CTIME, origin=0x4C2A1B), "DATA 1AAA9901 seq=124 frame=4 chunk 4/8 origin=4C2A1B",
      {"vbwire.origin": "0x4c2a1b", "vbwire.mac": "0x" + data(V1, 124, 4, 10000, 3, CTIME)[36:44].hex()},
      [("vbwire.origin", "Origin broker: 4C2A1B")], type_="DATA")
    s("LIST_REPLY with origins", list_reply(13, 2, 0, [(V1, 1, 12000, 3, 0x4C2A1B), (0x3CCC5501, 2, 12000, 0, 0)]),
      "LIST_REPLY req=13 total=2 first=0 entries=2", {"vbwire.origin": ["0x4c2a1b", "0x000000"]},
      [("vbwire.entry", "Entry 0: 1AAA9901 online 12.000 frames/s, 3 subscribers, on broker 4C2A1B"),
       ("vbwire.entry", "Entry 1: 3CCC5501 offline 12.000 frames/s, 0 subscribers")], type_="LIST_REPLY")
    s("PEER_HELLO first, no cookie", peer_hello(0, BROKER_A, 5000000, 0, 1, 0, 0, 0, 0),
      "PEER_HELLO origin=4C2A1B announce=1 ack=0 interest=0 ack=0 token=0 (no cookie yet)",
      {"vbwire.peer.token": "0x0000000000000000", "vbwire.peer.broker_id": "0x5eed0000004c2a1b", "vbwire.peer.origin": "0x4c2a1b",
       "vbwire.peer.send_time": "5000000", "vbwire.peer.echo_time": "0"}, type_="PEER_HELLO")
    ph = peer_hello(PEER_TOKEN, BROKER_B, 7000000, 5000000, 3, 1, 2, 1, 250)
    s("PEER_HELLO", ph, "PEER_HELLO origin=D0E0F1 announce=3 ack=1 interest=2 ack=1 token=0x%016x" % PEER_TOKEN,
      {"vbwire.peer.announce_version": "3", "vbwire.peer.announce_ack": "1", "vbwire.peer.interest_version": "2",
       "vbwire.peer.interest_ack": "1", "vbwire.peer.echo_delay": "250", "vbwire.peer.echo_time": "5000000",
       "vbwire.peer.tag": "0x" + ph[56:].hex()}, type_="PEER_HELLO")
    pa = peer_announce(PEER_TOKEN, BROKER_A, 3, 0, 1, [(V1, 1, 12000, 2, NONCE + 2), (A1, 2, 1000, 2, NONCE + 2)])
    s("PEER_ANNOUNCE", pa, "PEER_ANNOUNCE origin=4C2A1B v3 page 1/1 entries=2 [1AAA9901 video, 1AAA9902 audio]",
      {"vbwire.peer.version": "3", "vbwire.peer.page": "0", "vbwire.peer.pages": "1", "vbwire.peer.count": "2",
       "vbwire.stream": ["1AAA9901", "1AAA9902"], "vbwire.kind": ["1", "2"], "vbwire.rate": ["12000", "1000"],
       "vbwire.peer.claim": ["2", "2"], "vbwire.peer.nonce": ["0x112233445566778b"] * 2, "vbwire.peer.tag": "0x" + pa[-8:].hex()},
      [("vbwire.peer.entry", "Entry 0: 1AAA9901 video, 12.000 frames/s, claim 2")], type_="PEER_ANNOUNCE")
    s("PEER_ANNOUNCE empty", peer_announce(PEER_TOKEN, BROKER_A, 4, 0, 1, []), "PEER_ANNOUNCE origin=4C2A1B v4 page 1/1 entries=0",
      {"vbwire.peer.count": "0"}, type_="PEER_ANNOUNCE")
    many = [(((0x100000 + i) << 8) | 1, 1, 12000, 1, NONCE + 2 * i) for i in range(56)]
    s("PEER_ANNOUNCE full page 1 of 2", peer_announce(PEER_TOKEN, BROKER_A, 5, 0, 2, many),
      "PEER_ANNOUNCE origin=4C2A1B v5 page 1/2 entries=56 [10000001 video, 10000101 video, 10000201 video, 10000301 video, ...]",
      {"vbwire.peer.count": "56", "vbwire.peer.pages": "2"}, type_="PEER_ANNOUNCE")
    s("PEER_INTEREST", peer_interest(PEER_TOKEN, BROKER_B, 2, 0, 1, [V1]), "PEER_INTEREST origin=D0E0F1 v2 page 1/1 entries=1 [1AAA9901]",
      {"vbwire.peer.version": "2", "vbwire.peer.count": "1", "vbwire.stream": "1AAA9901"}, type_="PEER_INTEREST")
    s("PEER_INTEREST full page, 1400 bytes", peer_interest(PEER_TOKEN, BROKER_B, 7, 1, 2, [((0x200000 + i) << 8) | 2 for i in range(341)]),
      "PEER_INTEREST origin=D0E0F1 v7 page 2/2 entries=341 [20000002, 20000102, 20000202, 20000302, ...]",
      {"vbwire.peer.count": "341", "vbwire.peer.page": "1"}, type_="PEER_INTEREST")

    pb = peer_blocks(PEER_TOKEN, BROKER_A, 1, 0, 1, [(PID, 1, (5 << 24) | 0x4C2A1B), (0xFFFFFF, 0, 0xFFFFFFFFFFFFFFFF)])
    s("PEER_BLOCKS", pb, "PEER_BLOCKS origin=4C2A1B v1 page 1/1 entries=2 [blocked 1AAA99, unblocked FFFFFF]",
      {"vbwire.peer.version": "1", "vbwire.peer.count": "2", "vbwire.producer": ["1AAA99", "FFFFFF"],
       "vbwire.peer.block_state": ["1", "0"], "vbwire.peer.stamp": ["0x00000000054c2a1b", "0xffffffffffffffff"],
       "vbwire.peer.tag": "0x" + pb[-8:].hex()},
      [("vbwire.peer.entry", "Entry 0: blocked 1AAA99, stamp 00000000054c2a1b")], type_="PEER_BLOCKS")
    s("PEER_BLOCKS full page", peer_blocks(PEER_TOKEN, BROKER_B, 9, 1, 3, [(i + 1, i % 2, i << 24) for i in range(85)]),
      "PEER_BLOCKS origin=D0E0F1 v9 page 2/3 entries=85 [unblocked 000001, blocked 000002, unblocked 000003, blocked 000004, ...]",
      {"vbwire.peer.count": "85", "vbwire.peer.page": "1"}, type_="PEER_BLOCKS")

    # UDP GSO batches as captured before segmentation: one UDP payload, several DATA datagrams back to back,
    # cut every <first datagram's length> bytes (the last may be shorter), as BatchSender sends them.
    batch = gso_frame(V1, 100, 5, 10 * CHUNK + 700, CTIME)     # 10 x 1400 + 744 = 14744 bytes
    s("GSO batch 10 x 1400 + 736", b"".join(batch), "GSO batch of 11 DATA 1AAA9901 seq=100-110 frame=5",
      {"vbwire.gso_segments": "11", "vbwire.gso_segment_size": "1400", "vbwire.gso_segment": [str(k) for k in range(1, 12)],
       "vbwire.type": ["10"] * 11, "vbwire.stream": ["1AAA9901"] * 11, "vbwire.seq": [str(100 + k) for k in range(11)],
       "vbwire.frame": ["5"] * 11, "vbwire.chunk_index": [str(k) for k in range(11)], "vbwire.chunk_count": ["11"] * 11,
       "vbwire.chunk_offset": [str(k * CHUNK) for k in range(11)], "vbwire.payload_length": ["1356"] * 10 + ["700"]},
      [("vbwire.gso_segment", "DATA 1AAA9901 seq=100 frame=5 chunk 1/11 (GSO segment 1 of 11)"),
       ("vbwire.gso_segment", "DATA 1AAA9901 seq=110 frame=5 chunk 11/11 (GSO segment 11 of 11)")],
      notes=["vbwire.gso_batch"],
      texts=["UDP GSO batch as captured before segmentation: 14744 bytes = 11 DATA datagrams of 1400 bytes (the last 744)"])
    # The forwarder batches any run of equal-size datagrams in a subscriber's queue: frames and streams mix,
    # and a batch of short datagrams stays under 1400 bytes.
    small = [data(V1, 41, 6, CHUNK + 464, 1, CTIME, flags=2), data(A1, 9, 3, 464, 0, CTIME, flags=2),
             data(V1, 42, 7, 300, 0, CTIME, flags=2)]              # 508 + 508 + 344 = 1360 bytes
    s("GSO batch of 3 under 1400 bytes, two streams", b"".join(small),
      "GSO batch of 3 DATA 1AAA9901 seq=41-42 frame=6-7; 1AAA9902 seq=9 frame=3 [cached]",
      {"vbwire.gso_segments": "3", "vbwire.gso_segment_size": "508", "vbwire.stream": ["1AAA9901", "1AAA9902", "1AAA9901"],
       "vbwire.payload_length": ["464", "464", "300"], "vbwire.flags.cached": ["1"] * 3},
      [("vbwire.gso_segment", "DATA 1AAA9902 seq=9 frame=3 chunk 1/1 [cached] (GSO segment 2 of 3)")],
      notes=["vbwire.gso_batch"])

    # Heuristic port: only magic + version decide.
    s("heur HEARTBEAT", heartbeat(TOKEN, 42, 0), "HEARTBEAT rtt=0us", {"vbwire.send_time": "42"}, where="heur", type_="HEARTBEAT")
    s("heur DATA", data(A1, 1000, 2, 3000, 1, CTIME), "DATA 1AAA9902 seq=1000 frame=2 chunk 2/3",
      {"vbwire.payload_length": "1356"}, where="heur", type_="DATA")
    s("heur unknown type", hdr(20) + bytes(12), "VBWIRE unknown type 20 [Malformed]", experts=["vbwire.malformed.unknown_type"], where="heur")
    s("heur bad magic (not ours)", b"\x12\x34\x01\x04" + bytes(20), where="heur", ours=False)
    s("heur bad version (not ours)", hdr(4, version=2) + bytes(20), where="heur", ours=False)

    # Malformed, on the main port: each breaks one rule of the decoder.
    s("bad magic", b"\x12\x34\x01\x04" + bytes(20), "Not VB wire: bad magic 0x1234 [Malformed]", experts=["vbwire.malformed.bad_magic"])
    s("bad version", hdr(4, version=2) + bytes(20), "VBWIRE unsupported version 2 [Malformed]", experts=["vbwire.malformed.bad_version"])
    s("unknown type", hdr(20) + bytes(12), "VBWIRE unknown type 20 [Malformed]", experts=["vbwire.malformed.unknown_type"])
    s("type 0", hdr(0) + bytes(12), "VBWIRE unknown type 0 [Malformed]", experts=["vbwire.malformed.unknown_type"])
    s("3 bytes", b"VB\x01", experts=["vbwire.malformed.truncated"])
    s("HELLO 63 bytes", hello(0, NONCE, 2)[:63], experts=["vbwire.malformed.bad_length"], type_="HELLO")
    s("HELLO producer id 0", hello(TOKEN, NONCE, 1, 0, [(1, 1, 12000)]), experts=["vbwire.malformed.bad_value"], type_="HELLO")
    s("HELLO role 3", hello(TOKEN, NONCE, 3), experts=["vbwire.malformed.bad_value"], type_="HELLO")
    s("HELLO stream index 0", hello(TOKEN, NONCE, 1, PID, [(0, 1, 12000)]), experts=["vbwire.malformed.bad_value"], type_="HELLO")
    s("HELLO kind 4", hello(TOKEN, NONCE, 1, PID, [(1, 4, 12000)]), experts=["vbwire.malformed.bad_value"], type_="HELLO")
    s("HELLO 17 streams", hello(TOKEN, NONCE, 1, PID, [(i, 1, 1000) for i in range(1, 18)]),
      experts=["vbwire.malformed.limit"], type_="HELLO")
    s("HELLO producer without its proof", hello(TOKEN, NONCE, 1, PID, [(i, 1, 1000) for i in range(1, 6)], key=b""),
      experts=["vbwire.malformed.truncated"], type_="HELLO",
      texts=["proof needs bytes 74-89, datagram has 74"])
    s("HELLO 6 streams in 64 bytes", (hello(TOKEN, NONCE, 1, PID, [(i, 1, 1000) for i in range(1, 7)]))[:64],
      experts=["vbwire.malformed.truncated"], type_="HELLO")
    s("COOKIE 21 bytes", cookie_msg(NONCE, TOKEN) + b"\0", experts=["vbwire.malformed.bad_length"], type_="COOKIE")
    s("COOKIE 29 bytes", cookie_msg(NONCE, TOKEN, CHALLENGE) + b"\0", experts=["vbwire.malformed.bad_length"], type_="COOKIE")
    s("WELCOME heartbeat 0", welcome(NONCE, EPOCH, 0, 6), experts=["vbwire.malformed.bad_value"], type_="WELCOME")
    s("WELCOME lease 0", welcome(NONCE, EPOCH, 500, 0), experts=["vbwire.malformed.bad_value"], type_="WELCOME")
    s("HEARTBEAT 23 bytes", heartbeat(TOKEN, 1, 1)[:23], experts=["vbwire.malformed.bad_length"], type_="HEARTBEAT")
    s("HEARTBEAT 28 bytes (half a report)", heartbeat(TOKEN, 1, 1, (5, 0))[:28], experts=["vbwire.malformed.bad_length"], type_="HEARTBEAT")
    s("SUBSCRIBE 28 bytes", subscribe(TOKEN, 1, V1) + bytes(4), experts=["vbwire.malformed.bad_length"], type_="SUBSCRIBE")
    s("ACK status 3", ack(7, V1, 3), experts=["vbwire.malformed.bad_value"], type_="ACK")
    s("ERROR code 7", error(1, 7, "x"), experts=["vbwire.malformed.bad_value"], type_="ERROR")
    s("ERROR reason 201 bytes", error(1, 3, "r" * 201), experts=["vbwire.malformed.limit"], type_="ERROR")
    s("ERROR reason cut", error(1, 3, "short", length=10), experts=["vbwire.malformed.truncated"], type_="ERROR")
    s("ERROR trailing byte", error(1, 3, "abc") + b"!", experts=["vbwire.malformed.bad_length"], type_="ERROR")
    s("DATA chunk_count inconsistent", data(V1, 1, 1, 10000, 2, CTIME, count=7),
      "DATA 1AAA9901 seq=1 frame=1 chunk 3/7 [Malformed]", experts=["vbwire.malformed.chunk_count"], type_="DATA")
    s("DATA chunk_index = chunk_count", data(V1, 1, 1, 10000, 8, CTIME, payload_len=100),
      experts=["vbwire.malformed.chunk_index"], type_="DATA")
    s("DATA payload length wrong", data(V1, 1, 1, 10000, 2, CTIME, payload_len=1000),
      experts=["vbwire.malformed.payload_length"], type_="DATA")
    s("DATA last chunk too long", data(V1, 1, 1, 10000, 7, CTIME, payload_len=509),
      experts=["vbwire.malformed.payload_length"], type_="DATA")
    s("DATA frame_length 0", data(V1, 1, 1, 0, 0, CTIME, count=0, payload_len=0), experts=["vbwire.malformed.bad_value"], type_="DATA")
    s("DATA frame_length 1 MiB + 1", data(V1, 1, 1, 1048577, 0, CTIME), experts=["vbwire.malformed.limit"], type_="DATA")
    s("DATA stream index 0", data(SEL, 1, 1, 100, 0, CTIME), experts=["vbwire.malformed.bad_value"], type_="DATA")
    s("DATA producer 0", data(0x00000001, 1, 1, 100, 0, CTIME), experts=["vbwire.malformed.bad_value"], type_="DATA")
    s("DATA 30 bytes", data(V1, 1, 1, 100, 0, CTIME)[:30], experts=["vbwire.malformed.truncated"], type_="DATA")
    s("DATA 43 bytes (no room for the MAC)", data(V1, 1, 1, 100, 0, CTIME)[:43], experts=["vbwire.malformed.truncated"], type_="DATA")
    s("DATA 1401 bytes", data(V1, 1, 1, 10000, 0, CTIME, payload_len=1357),
      experts=["vbwire.malformed.too_long", "vbwire.malformed.payload_length"], type_="DATA")
    # GSO batches that do not split cleanly stay one malformed datagram (decoded as its first message).
    bad = list(batch)
    bad[5] = bad[5][:22] + struct.pack(">H", 12) + bad[5][24:]          # segment 6: chunk_count 12 for 11 chunks
    s("GSO batch, middle segment corrupted", b"".join(bad), "DATA 1AAA9901 seq=100 frame=5 chunk 1/11 [Malformed]",
      {"vbwire.payload_length": "14700"},
      experts=["vbwire.malformed.too_long", "vbwire.malformed.payload_length"], type_="DATA",
      texts=["datagram is 14744 bytes, the limit is 1400 (maxDatagram); not a clean GSO batch of DATA datagrams either: "
             "segment 6 of 11 (bytes 7000-8399 of 1400-byte segments) has chunk_count 12 for frame_length 14260"])
    s("GSO batch, middle segment short", b"".join(batch[:4] + [batch[4][:1000]] + batch[5:]),
      experts=["vbwire.malformed.too_long", "vbwire.malformed.payload_length"], type_="DATA")
    s("GSO batch, last segment cut", b"".join(batch)[:-1],
      experts=["vbwire.malformed.too_long", "vbwire.malformed.payload_length"], type_="DATA",
      texts=["segment 11 of 11 (bytes 14000-14742 of 1400-byte segments) declares 744 bytes"])
    s("GSO batch of HEARTBEATs", heartbeat(TOKEN, 1, 1) * 60, "HEARTBEAT rtt=1us [Malformed]",
      experts=["vbwire.malformed.too_long", "vbwire.malformed.bad_length"], type_="HEARTBEAT")
    s("NACK no ranges", nack(TOKEN, V1, 0, []), experts=["vbwire.malformed.limit"], type_="NACK")
    s("NACK 65 ranges", nack(TOKEN, V1, 0, [(i * 10, 1) for i in range(65)]), experts=["vbwire.malformed.limit"], type_="NACK")
    s("NACK count 2, one range", nack(TOKEN, V1, 0, [(5, 1)], count=2), experts=["vbwire.malformed.bad_length"], type_="NACK")
    s("NACK range of 0", nack(TOKEN, V1, 0, [(5, 0)]), experts=["vbwire.malformed.bad_value"], type_="NACK")
    s("NACK 20 bytes", nack(TOKEN, V1, 0, [(5, 1)])[:20], experts=["vbwire.malformed.truncated"], type_="NACK")
    s("STREAM_STATUS state 3", stream_status(V1, 3, 1000), experts=["vbwire.malformed.bad_value"], type_="STREAM_STATUS")
    s("LIST_REQUEST 17 bytes", list_request(TOKEN, 1) + b"\0", experts=["vbwire.malformed.bad_length"], type_="LIST_REQUEST")
    s("LIST_REPLY first + count > total", list_reply(10, 2, 1, [(V1, 1, 1000, 0), (A1, 1, 1000, 0)]),
      experts=["vbwire.malformed.bad_value"], type_="LIST_REPLY")
    s("LIST_REPLY count 2, one entry", list_reply(10, 2, 0, [(V1, 1, 1000, 0)], count=2),
      experts=["vbwire.malformed.bad_length"], type_="LIST_REPLY")
    s("LIST_REPLY 87 entries", list_reply(10, 87, 0, [(V1, 1, 1000, 0)] * 87),
      experts=["vbwire.malformed.limit", "vbwire.malformed.too_long"], type_="LIST_REPLY")
    s("LIST_REPLY entry state 0", list_reply(10, 1, 0, [(V1, 0, 1000, 0)]), experts=["vbwire.malformed.bad_value"], type_="LIST_REPLY")
    s("BYE reason 9", bye(TOKEN, 9), experts=["vbwire.malformed.bad_value"], type_="BYE")
    s("BYE 15 bytes", bye(TOKEN, 1)[:15], experts=["vbwire.malformed.bad_length"], type_="BYE")
    s("BYE 20 bytes", bye(TOKEN, 1) + bytes(4), experts=["vbwire.malformed.bad_length"], type_="BYE")
    s("PEER_HELLO 63 bytes", ph[:63], experts=["vbwire.malformed.bad_length"], type_="PEER_HELLO")
    s("PEER_HELLO 72 bytes", ph + bytes(8), experts=["vbwire.malformed.bad_length"], type_="PEER_HELLO")
    s("PEER_ANNOUNCE 20 bytes", pa[:20], experts=["vbwire.malformed.truncated"], type_="PEER_ANNOUNCE")
    s("PEER_ANNOUNCE page 1 of 1", peer_announce(PEER_TOKEN, BROKER_A, 3, 1, 1, [(V1, 1, 12000, 2, NONCE)]),
      experts=["vbwire.malformed.bad_value"], type_="PEER_ANNOUNCE", texts=["page 1 of 1 pages"])
    s("PEER_ANNOUNCE 0 pages", peer_announce(PEER_TOKEN, BROKER_A, 3, 0, 0, [(V1, 1, 12000, 2, NONCE)]),
      experts=["vbwire.malformed.bad_value"], type_="PEER_ANNOUNCE")
    s("PEER_ANNOUNCE count 2, one entry", peer_announce(PEER_TOKEN, BROKER_A, 3, 0, 1, [(V1, 1, 12000, 2, NONCE)], count=2),
      experts=["vbwire.malformed.bad_length"], type_="PEER_ANNOUNCE", texts=["PEER_ANNOUNCE with 2 entries must be 84 bytes, got 60"])
    s("PEER_ANNOUNCE 57 entries", peer_announce(PEER_TOKEN, BROKER_A, 3, 0, 1, [(V1, 1, 12000, 2, NONCE)] * 57),
      experts=["vbwire.malformed.limit", "vbwire.malformed.too_long"], type_="PEER_ANNOUNCE")
    s("PEER_ANNOUNCE kind 4", peer_announce(PEER_TOKEN, BROKER_A, 3, 0, 1, [(V1, 4, 12000, 2, NONCE)]),
      experts=["vbwire.malformed.bad_value"], type_="PEER_ANNOUNCE")
    s("PEER_INTEREST 342 entries", peer_interest(PEER_TOKEN, BROKER_B, 2, 0, 1, [V1] * 342),
      experts=["vbwire.malformed.limit", "vbwire.malformed.too_long"], type_="PEER_INTEREST")
    s("PEER_INTEREST stream index 0", peer_interest(PEER_TOKEN, BROKER_B, 2, 0, 1, [SEL]),
      experts=["vbwire.malformed.bad_value"], type_="PEER_INTEREST")
    s("PEER_BLOCKS state 2", peer_blocks(PEER_TOKEN, BROKER_A, 1, 0, 1, [(PID, 2, 1)]),
      experts=["vbwire.malformed.bad_value"], type_="PEER_BLOCKS", texts=["state 2 is not allowed"])
    s("PEER_BLOCKS producer 0", peer_blocks(PEER_TOKEN, BROKER_A, 1, 0, 1, [(0, 1, 1)]),
      experts=["vbwire.malformed.bad_value"], type_="PEER_BLOCKS")
    s("PEER_BLOCKS producer over 24 bits", peer_blocks(PEER_TOKEN, BROKER_A, 1, 0, 1, [(0x01000001, 1, 1)]),
      experts=["vbwire.malformed.bad_value"], type_="PEER_BLOCKS")
    s("PEER_BLOCKS 86 entries", peer_blocks(PEER_TOKEN, BROKER_A, 1, 0, 1, [(PID, 1, 1)] * 86),
      experts=["vbwire.malformed.limit", "vbwire.malformed.too_long"], type_="PEER_BLOCKS")
    s("PEER_BLOCKS count 2, one entry", peer_blocks(PEER_TOKEN, BROKER_A, 1, 0, 1, [(PID, 1, 1)], count=2),
      experts=["vbwire.malformed.bad_length"], type_="PEER_BLOCKS", texts=["PEER_BLOCKS with 2 entries must be 68 bytes, got 52"])
    s("PEER_INTEREST without its tag", peer_interest(PEER_TOKEN, BROKER_B, 2, 0, 1, [V1])[:-8],
      experts=["vbwire.malformed.bad_length"], type_="PEER_INTEREST")
    return out


# --- Sending and pcap writing -------------------------------------------------------------------------

def ports(port, heur=None, src=None):
    """Destination port per sample group, and the source port (P, P+1 and P+2 unless given)."""
    return {"main": port, "heur": heur or port + 1}, src or port + 2


def send(host, port, delay, heur=None, src=None):
    dst, src = ports(port, heur, src)
    sinks = []
    for p in dst.values():   # absorb the datagrams, so the kernel sends no ICMP "port unreachable"
        try:
            k = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            k.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            k.bind((host, p))
            sinks.append(k)
        except OSError as e:
            print("note: cannot bind %s:%d (%s); sending anyway" % (host, p, e), file=sys.stderr)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, src))
    for smp in samples():
        s.sendto(smp["data"], (host, dst[smp["where"]]))
        time.sleep(delay)
    s.close()
    for k in sinks:
        k.close()


def _csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return ~t & 0xFFFF


def write_pcap(path, port, heur=None, src=None):
    """LINKTYPE_RAW (IPv4) pcap of the samples, 127.0.0.1 -> 127.0.0.1, as a capture would show them."""
    dst, src = ports(port, heur, src)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        t0 = int(time.time())
        for i, smp in enumerate(samples()):
            payload = smp["data"]
            udp = struct.pack(">HHHH", src, dst[smp["where"]], 8 + len(payload), 0) + payload
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i + 1, 0x4000, 64, 17, 0,
                             socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.1"))
            ip = ip[:10] + struct.pack(">H", _csum(ip)) + ip[12:]
            pkt = ip + udp
            f.write(struct.pack("<IIII", t0, i * 1000, len(pkt), len(pkt)) + pkt)


def conversation(port):
    """A short session as a capture at the broker shows it: (source port, destination port, bytes, the Info
    column expected with the default preferences, roles shown). Broker on PORT, producer PORT+3, client PORT+4, and
    a second broker on PORT+5 that links to the first, subscribes to the producer's video and gets it relayed."""
    b, p, c, b2 = port, port + 3, port + 4, port + 5
    ptok, ctok, btok = 0x0102030405060709, 0x1112131415161719, 0x2122232425262729
    pk = control_key(STREAM_KEY, ptok, NONCE, CHALLENGE)
    ck = control_key(b"", ctok, NONCE, CHALLENGE)
    return [
        (p, b, hello(ptok, NONCE, 1, PID, [(1, 1, 12000)], challenge=CHALLENGE), "producer → broker HELLO producer 1AAA99 streams=1 [1AAA9901 video] token=0x%016x" % ptok),
        (b, p, sealed(pk, welcome(NONCE, EPOCH, 500, 6), 1),
         "broker → producer WELCOME epoch=0x0123456789abcdef heartbeat=500ms lease=6 misses [sealed #1]"),
        (c, b, hello(ctok, NONCE, 2, challenge=CHALLENGE), "client → broker HELLO client token=0x%016x" % ctok),
        (c, b, subscribe(ctok, 1, SEL), "client → broker SUBSCRIBE req=1 1AAA99"),
        (b, c, sealed(ck, ack(1, SEL, 0), 2), "broker → client ACK req=1 1AAA99 online [sealed #2]"),
        (p, b, data(V1, 10, 1, 2000, 0, CTIME), "producer → broker DATA 1AAA9901 seq=10 frame=1 chunk 1/2"),
        (b, c, data(V1, 10, 1, 2000, 0, CTIME), "broker → client DATA 1AAA9901 seq=10 frame=1 chunk 1/2"),
        (c, b, heartbeat(ctok, 1000, 300), "client → broker HEARTBEAT rtt=300us"),
        (b, c, sealed(ck, heartbeat_ack(1000, EPOCH), 3), "broker → client HEARTBEAT_ACK epoch=0x0123456789abcdef [sealed #3]"),
        (p, b, heartbeat(ptok, 2000, 0), "producer → broker HEARTBEAT rtt=0us"),
        (c, b, nack(ctok, V1, 300, [(11, 1)]), "client → broker NACK 1AAA9901 rtt=300us ranges=1 missing=1 [11]"),
        (b, p, nack(0, V1, 0, [(11, 1)]), "broker → producer NACK 1AAA9901 rtt=0us ranges=1 missing=1 [11]"),
        (c, b, unsubscribe(ctok, 2, SEL), "client → broker UNSUBSCRIBE req=2 1AAA99"),
        (b, c, sealed(ck, ack(2, SEL, 0), 4), "broker → client ACK req=2 1AAA99 unsubscribed [sealed #4]"),
        (c, b, bye(ctok, 2), "client → broker BYE quit"),
        (b2, b, peer_hello(0, BROKER_B, 7000000, 0, 1, 0, 0, 0, 0),
         "broker → broker PEER_HELLO origin=D0E0F1 announce=1 ack=0 interest=0 ack=0 token=0 (no cookie yet)"),
        (b, b2, cookie_msg(7000000, btok), "broker → broker COOKIE nonce=0x00000000006acfc0 token=0x%016x" % btok),
        (b2, b, peer_hello(btok, BROKER_B, 7001000, 0, 1, 0, 0, 0, 0),
         "broker → broker PEER_HELLO origin=D0E0F1 announce=1 ack=0 interest=0 ack=0 token=0x%016x" % btok),
        (b, b2, peer_announce(btok, BROKER_A, 2, 0, 1, [(V1, 1, 12000, 1, NONCE)]),
         "broker → broker PEER_ANNOUNCE origin=4C2A1B v2 page 1/1 entries=1 [1AAA9901 video]"),
        (b2, b, peer_interest(btok, BROKER_B, 1, 0, 1, [V1]), "broker → broker PEER_INTEREST origin=D0E0F1 v1 page 1/1 entries=1 [1AAA9901]"),
        (b, b2, peer_blocks(btok, BROKER_A, 1, 0, 1, [(PID, 1, (1 << 24) | 0x4C2A1B)]),
         "broker → broker PEER_BLOCKS origin=4C2A1B v1 page 1/1 entries=1 [blocked 1AAA99]"),
        (b, b2, data(V1, 11, 1, 2000, 1, CTIME, origin=0x4C2A1B), "broker → broker DATA 1AAA9901 seq=11 frame=1 chunk 2/2 origin=4C2A1B"),
        (b2, b, nack(btok, V1, 800, [(10, 1)]), "broker → broker NACK 1AAA9901 rtt=800us ranges=1 missing=1 [10]"),
        (b2, b, peer_bye(btok, 1), "broker → broker BYE shutdown (broker to broker, tagged)"),
    ]


def write_conversation(path, port):
    """LINKTYPE_RAW pcap of conversation(port) on 127.0.0.1."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        t0 = int(time.time())
        for i, (src, dst, payload, _) in enumerate(conversation(port)):
            udp = struct.pack(">HHHH", src, dst, 8 + len(payload), 0) + payload
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i + 1, 0x4000, 64, 17, 0,
                             socket.inet_aton("127.0.0.1"), socket.inet_aton("127.0.0.1"))
            ip = ip[:10] + struct.pack(">H", _csum(ip)) + ip[12:]
            f.write(struct.pack("<IIII", t0, i * 1000, len(ip + udp), len(ip + udp)) + ip + udp)


# --- Checking tshark's output -------------------------------------------------------------------------

def _walk(el, out):
    for ch in el:
        if ch.tag == "field":
            out.append(ch)
            _walk(ch, out)
        elif ch.tag == "proto":
            _walk(ch, out)


def check(port, pdml_path, fields_path, heur=None):
    dst, _ = ports(port, heur)
    smps = samples()
    passed, failed = 0, 0
    fails = []

    def ok(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            fails.append(what)

    packets = ET.parse(pdml_path).getroot().findall("packet")
    info_col = [line.rstrip("\n").split("\t") for line in open(fields_path, encoding="utf-8")]
    ok(len(packets) == len(smps), "capture holds %d packets, %d samples were sent" % (len(packets), len(smps)))
    ok(len(info_col) == len(smps), "fields output has %d lines, expected %d" % (len(info_col), len(smps)))
    seen_types = set()
    for i, smp in enumerate(smps):
        if i >= len(packets):
            break
        name = "#%d %s" % (i + 1, smp["name"])
        pk = packets[i]
        protos = [p.get("name") for p in pk.findall("proto")]
        fl = []
        _walk(pk, fl)
        by = {}
        for x in fl:
            by.setdefault(x.get("name"), []).append(x)
        udp_dport = [x.get("show") for x in by.get("udp.dstport", [])]
        ok(udp_dport == [str(dst[smp["where"]])], "%s: packet goes to port %s, expected %d (capture out of order?)" % (name, udp_dport, dst[smp["where"]]))
        if not smp["ours"]:
            ok("vbwire" not in protos, "%s: decoded as vbwire, but must be left alone (not ours)" % name)
            continue
        ok("vbwire" in protos, "%s: not decoded as vbwire (protocols: %s)" % (name, protos))
        if "vbwire" not in protos:
            continue
        lua_err = [x.get("showname") for x in fl if "Lua Error" in (x.get("showname") or "") or x.get("name") == "_ws.lua.error"]
        ok(not lua_err, "%s: Lua error: %s" % (name, lua_err))
        line = info_col[i] if i < len(info_col) else []
        info = line[2] if len(line) > 2 else ""
        proto_col = line[1] if len(line) > 1 else ""
        ok(proto_col == "VBWIRE", "%s: protocol column %r, expected VBWIRE" % (name, proto_col))
        if smp["type"]:
            shown = [x.get("showname") or "" for x in by.get("vbwire.type", [])]
            ok(len(shown) == 1 and smp["type"] in shown[0], "%s: type shown as %s, expected %s" % (name, shown, smp["type"]))
            if not smp["experts"]:
                seen_types.add(smp["type"])
        if smp["info"]:
            ok(info == smp["info"], "%s: Info column %r, expected %r" % (name, info, smp["info"]))
        for abbr, want in smp["fields"].items():
            want = want if isinstance(want, list) else [want]
            got = [x.get("show") for x in by.get(abbr, [])]
            ok(got == want, "%s: %s = %s, expected %s" % (name, abbr, got, want))
        for abbr, text in smp["shownames"]:
            got = [x.get("showname") or "" for x in by.get(abbr, [])]
            ok(any(text in g for g in got), "%s: no %s shown as %r (got %s)" % (name, abbr, text, got))
        experts = sorted({x.get("name") for x in fl if (x.get("name") or "").startswith("vbwire.malformed.")})
        ok(experts == sorted(set(smp["experts"])), "%s: expert infos %s, expected %s" % (name, experts, sorted(set(smp["experts"]))))
        # Expert infos other than Malformed ones (a GSO batch's note), with their severity.
        notes = [(ch.get("name"), x) for x in by.get("_ws.expert", []) for ch in x
                 if ch.tag == "field" and (ch.get("name") or "").startswith("vbwire.") and not ch.get("name").startswith("vbwire.malformed.")]
        ok(sorted(n for n, _ in notes) == sorted(smp["notes"]), "%s: note expert infos %s, expected %s" % (name, [n for n, _ in notes], smp["notes"]))
        for n, x in notes:
            sev = [ch.get("showname") or "" for ch in x if ch.get("name") == "_ws.expert.severity"]
            ok(any("Note" in v for v in sev), "%s: expert info %s has severity %s, expected Note" % (name, n, sev))
        messages = [x.get("show") or "" for x in by.get("_ws.expert.message", [])]
        for text in smp["texts"]:
            ok(any(text in m for m in messages), "%s: no expert info saying %r (got %s)" % (name, text, messages))
        if smp["experts"]:
            groups = [x.get("show") for x in by.get("_ws.expert.group", [])]
            sev = [x.get("showname") or "" for x in by.get("_ws.expert.severity", [])]
            ok(groups and any("Malformed" in (x.get("showname") or "") for x in by.get("_ws.expert.group", [])),
               "%s: no expert info of group Malformed (groups %s)" % (name, groups))
            ok(any("Error" in x for x in sev), "%s: no expert info of severity Error (%s)" % (name, sev))
            ok(info.endswith("[Malformed]"), "%s: Info column %r does not end with [Malformed]" % (name, info))
        elif not smp["notes"]:
            ok(not by.get("_ws.expert"), "%s: unexpected expert info %s" % (name, [x.get("showname") for x in by.get("_ws.expert", [])]))
        else:
            sev = [x.get("showname") or "" for x in by.get("_ws.expert.severity", [])]
            ok(not any("Error" in x or "Warn" in x for x in sev), "%s: expert info of severity %s, expected only notes" % (name, sev))
            ok(not info.endswith("[Malformed]"), "%s: Info column %r ends with [Malformed]" % (name, info))
    missing = sorted(set(T) - seen_types)
    ok(not missing, "message types never decoded cleanly: %s" % missing)
    for f in fails:
        print("FAIL " + f)
    print("checks: %d passed, %d failed" % (passed, failed))
    return failed == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("list")
    a.add_argument("--json", action="store_true")
    a = sub.add_parser("send")
    a.add_argument("--host", default="127.0.0.1")
    a.add_argument("--delay", type=float, default=0.002)
    a = sub.add_parser("write-pcap")
    a.add_argument("file")
    a = sub.add_parser("write-conversation")
    a.add_argument("file")
    a.add_argument("--port", type=int, default=5000)
    a = sub.add_parser("conversation-info", help="the Info column expected for write-conversation, one line each")
    a.add_argument("--port", type=int, default=5000)
    a = sub.add_parser("check")
    a.add_argument("--port", type=int, default=5000)
    a.add_argument("--heur-port", type=int)
    a.add_argument("--pdml", required=True)
    a.add_argument("--fields", required=True, help="tshark -T fields -e frame.number -e _ws.col.Protocol -e _ws.col.Info")
    for name in ("send", "write-pcap"):
        a = sub.choices[name]
        a.add_argument("--port", type=int, default=5000, help="port of the main samples (default 5000)")
        a.add_argument("--heur-port", type=int, help="port of the heuristic samples (default port+1)")
        a.add_argument("--src-port", type=int, help="source port (default port+2)")
    args = ap.parse_args()
    if args.cmd == "list":
        if args.json:
            print(json.dumps([dict(name=s["name"], where=s["where"], hex=s["data"].hex()) for s in samples()], indent=1))
        else:
            for i, s in enumerate(samples()):
                print("%3d %-5s %-36s %s" % (i + 1, s["where"], s["name"], s["data"].hex()))
    elif args.cmd == "send":
        send(args.host, args.port, args.delay, args.heur_port, args.src_port)
    elif args.cmd == "write-pcap":
        write_pcap(args.file, args.port, args.heur_port, args.src_port)
    elif args.cmd == "write-conversation":
        write_conversation(args.file, args.port)
    elif args.cmd == "conversation-info":
        for _, _, _, info in conversation(args.port):
            print(info)
    elif args.cmd == "check":
        sys.exit(0 if check(args.port, args.pdml, args.fields, args.heur_port) else 1)


if __name__ == "__main__":
    main()
