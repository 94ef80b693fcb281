-- Wireshark dissector for the video broker's wire protocol, version 1 (docs/PROTOCOL.md).
--
--   wireshark -X lua_script:tools/wireshark/wire.lua
--   tshark -X lua_script:tools/wireshark/wire.lua -r traffic.pcap
--   or copy this file to ~/.local/lib/wireshark/plugins/
--
-- Registers on UDP port 5000 (preference "vbwire.ports", a port range) and as a heuristic dissector
-- for any UDP port: a datagram whose first three bytes are 56 42 01 ("VB", version 1) is taken as ours.
-- Every rule the reference decoder (Sources/Wire/Message+Codec.swift) applies is checked here and a
-- datagram the decoder would refuse gets an expert info of group "Malformed" (severity Error).
-- A UDP GSO batch captured before segmentation (one UDP payload holding several DATA datagrams back to
-- back, cut every "segment size" bytes by the kernel later) is split and each datagram decoded on its own;
-- see dissect_gso below.
-- Written for Lua 5.1 to 5.4 (no bit operators, no integer division); tested with Wireshark 4.0 (Lua 5.2)
-- by scripts/test-dissector.

local proto = Proto("vbwire", "Video Broker Wire Protocol")

-- Protocol constants (WireConstants in Sources/Wire/Limits.swift).
local MAGIC = 0x5642
local VERSION = 1
local MAX_DATAGRAM = 1400
local DATA_HEADER = 44      -- the MAC (offset 36, 8 bytes) included
local DATA_MAC = 36
local CHUNK_PAYLOAD = 1356  -- MAX_DATAGRAM - DATA_HEADER
local HELLO_MIN = 64
local HELLO_FIXED = 34   -- through the challenge (bytes 26-33); descriptors follow
local PROOF_SIZE = 16       -- a producer HELLO's proof of its stream key, after the descriptors
local DESCRIPTOR_SIZE = 8
local MAX_FRAME = 1048576
local MAX_NACK_RANGES = 64
local NACK_FIXED = 24
local NACK_RANGE_SIZE = 6
local MAX_STREAMS = 16
local MAX_REASON = 200
local ERROR_FIXED = 10
local LIST_FIXED = 16
local LIST_ENTRY = 16
local MAX_LIST = 86
-- Broker-to-broker messages (types 16-19, PROTOCOL.md section 12): an 8-byte tag (SipHash-2-4 under a key from
-- CLUSTER_SECRET) ends each; PEER_ANNOUNCE, PEER_INTEREST and PEER_BLOCKS share a 28-byte page header.
local PEER_HELLO_SIZE = 64
-- On a tree link (an edge and its upstream) PEER_HELLO carries role, path_count, 2 reserved bytes and path_count
-- origin tags of 4 bytes before its tag: 68 + 4 * path_count bytes.
local PEER_HELLO_TREE = 68
local PEER_PATH_AT = 60
local MAX_PATH = 8          -- PeerHello.maxPath
local LINK_ROLES = { [1] = "edge", [2] = "upstream" }
local PEER_PAGE_FIXED = 28
local PEER_TAG = 8
local ANNOUNCE_ENTRY = 24
local INTEREST_ENTRY = 4
local MAX_ANNOUNCE = 56     -- (1400 - 28 - 8) / 24, maxAnnounceEntries
local MAX_INTEREST = 341    -- (1400 - 28 - 8) / 4, maxInterestEntries
local BLOCK_ENTRY = 16
local MAX_BLOCKS = 85       -- (1400 - 28 - 8) / 16, maxBlockEntries
local BLOCK_STATES = { [0] = "unblocked", [1] = "blocked" }
local DEFAULT_PORTS = "5000"

local TYPES = {
    [1] = "HELLO", [2] = "COOKIE", [3] = "WELCOME", [4] = "HEARTBEAT", [5] = "HEARTBEAT_ACK",
    [6] = "SUBSCRIBE", [7] = "UNSUBSCRIBE", [8] = "ACK", [9] = "ERROR", [10] = "DATA", [11] = "NACK",
    [12] = "STREAM_STATUS", [13] = "LIST_REQUEST", [14] = "LIST_REPLY", [15] = "BYE",
    [16] = "PEER_HELLO", [17] = "PEER_ANNOUNCE", [18] = "PEER_INTEREST",
    [19] = "PEER_BLOCKS",
}
-- Messages whose length is fixed (the decoder checks it before reading any field).
local EXACT = { [2] = 20, [3] = 28, [4] = 24, [5] = 20, [6] = 24, [7] = 24, [8] = 16, [12] = 16, [13] = 16, [15] = 16 }
-- A client's HEARTBEAT carries a receiver report (received, lost: u32 each, cumulative) after the 24 bytes.
local HEARTBEAT_WITH_REPORT = 32
local ROLES = { [1] = "producer", [2] = "client" }
local KINDS = { [1] = "video", [2] = "audio", [3] = "opus" }
local INDEXES = { [0] = "all streams of the producer (selector)", [1] = "video", [2] = "audio", [3] = "opus" }
local ACK_STATUS = { [0] = "online", [1] = "offline", [2] = "waiting" }
local ERROR_CODES = {
    [1] = "unknown stream", [2] = "limit reached", [3] = "bad request", [4] = "not subscribed", [5] = "no session", [6] = "not authorized",
}
local STATES = { [1] = "online", [2] = "offline" }
local BYE_REASONS = { [1] = "shutdown", [2] = "quit", [3] = "disconnected" }

local f = {
    magic = ProtoField.uint16("vbwire.magic", "Magic", base.HEX),
    version = ProtoField.uint8("vbwire.version", "Version", base.DEC),
    type = ProtoField.uint8("vbwire.type", "Type", base.DEC, TYPES),
    token = ProtoField.uint64("vbwire.token", "Token", base.HEX),
    nonce = ProtoField.uint64("vbwire.nonce", "Nonce", base.HEX),
    challenge = ProtoField.uint64("vbwire.challenge", "Challenge (the broker's, from its COOKIE; 0 = none yet)", base.HEX),
    role = ProtoField.uint8("vbwire.role", "Role", base.DEC, ROLES),
    stream_count = ProtoField.uint8("vbwire.stream_count", "Stream count", base.DEC),
    producer_id = ProtoField.uint24("vbwire.producer_id", "Producer ID", base.HEX),
    producer = ProtoField.string("vbwire.producer", "Producer (as typed)"),
    reserved = ProtoField.bytes("vbwire.reserved", "Reserved"),
    padding = ProtoField.bytes("vbwire.padding", "Padding"),
    proof = ProtoField.bytes("vbwire.proof", "Proof of the stream key"),
    mac = ProtoField.uint64("vbwire.mac", "MAC (SipHash-2-4 under the session's media key)", base.HEX),
    descriptor = ProtoField.none("vbwire.descriptor", "Stream descriptor"),
    stream_index = ProtoField.uint8("vbwire.stream_index", "Stream index", base.DEC, INDEXES),
    kind = ProtoField.uint8("vbwire.kind", "Kind", base.DEC, KINDS),
    rate = ProtoField.uint32("vbwire.rate", "Rate (frames/s x 1000)", base.DEC),
    epoch = ProtoField.uint64("vbwire.epoch", "Broker epoch", base.HEX),
    heartbeat_ms = ProtoField.uint32("vbwire.heartbeat_ms", "Heartbeat interval (ms)", base.DEC),
    lease_misses = ProtoField.uint8("vbwire.lease_misses", "Lease misses", base.DEC),
    lease_ms = ProtoField.uint32("vbwire.lease_ms", "Lease duration (ms)", base.DEC),
    send_time = ProtoField.uint64("vbwire.send_time", "Send time (us, sender's monotonic clock)", base.DEC),
    rtt = ProtoField.uint32("vbwire.rtt", "Smoothed RTT (us, 0 = unknown)", base.DEC),
    echo_time = ProtoField.uint64("vbwire.echo_time", "Echoed send time (us)", base.DEC),
    report_received = ProtoField.uint32("vbwire.report.received", "Datagrams received (cumulative, since the client started)", base.DEC),
    report_lost = ProtoField.uint32("vbwire.report.lost", "Datagrams lost (cumulative, given up)", base.DEC),
    request_id = ProtoField.uint32("vbwire.request_id", "Request ID", base.DEC),
    selector = ProtoField.uint32("vbwire.selector", "Selector", base.HEX),
    stream_id = ProtoField.uint32("vbwire.stream_id", "Stream ID", base.HEX),
    stream = ProtoField.string("vbwire.stream", "Stream (as typed)"),
    flags = ProtoField.uint8("vbwire.flags", "Flags", base.HEX),
    flag_resume = ProtoField.bool("vbwire.flags.resume", "Resume", 8, nil, 0x01),
    flag_retransmit = ProtoField.bool("vbwire.flags.retransmit", "Retransmit", 8, nil, 0x01),
    flag_cached = ProtoField.bool("vbwire.flags.cached", "Cached (join frame)", 8, nil, 0x02),
    status = ProtoField.uint8("vbwire.status", "Status", base.DEC, ACK_STATUS),
    error_code = ProtoField.uint8("vbwire.error_code", "Error code", base.DEC, ERROR_CODES),
    reason_length = ProtoField.uint8("vbwire.reason_length", "Reason length", base.DEC),
    reason = ProtoField.string("vbwire.reason", "Reason"),
    seq = ProtoField.uint32("vbwire.seq", "Sequence number", base.DEC),
    frame = ProtoField.uint32("vbwire.frame", "Frame number", base.DEC),
    frame_length = ProtoField.uint32("vbwire.frame_length", "Frame length", base.DEC),
    chunk_index = ProtoField.uint16("vbwire.chunk_index", "Chunk index", base.DEC),
    chunk_count = ProtoField.uint16("vbwire.chunk_count", "Chunk count", base.DEC),
    chunk_offset = ProtoField.uint32("vbwire.chunk_offset", "Chunk offset in frame", base.DEC),
    capture_time = ProtoField.uint64("vbwire.capture_time", "Capture time (us since Unix epoch)", base.DEC),
    capture_abs = ProtoField.absolute_time("vbwire.capture_time_abs", "Capture time", base.UTC),
    payload = ProtoField.bytes("vbwire.payload", "Payload"),
    opus = ProtoField.none("vbwire.opus", "Opus chunk"),
    opus_format = ProtoField.uint8("vbwire.opus.format", "Format", base.DEC),
    opus_channels = ProtoField.uint8("vbwire.opus.channels", "Channels", base.DEC),
    opus_packet_count = ProtoField.uint8("vbwire.opus.packet_count", "Packet count", base.DEC),
    opus_packet_length = ProtoField.uint16("vbwire.opus.packet_length", "Packet length", base.DEC),
    opus_packet = ProtoField.bytes("vbwire.opus.packet", "Opus packet"),
    opus_samples = ProtoField.uint32("vbwire.opus.samples", "Samples at 48 kHz (from the packets' TOC bytes)", base.DEC),
    payload_length = ProtoField.uint32("vbwire.payload_length", "Payload length", base.DEC),
    range_count = ProtoField.uint8("vbwire.range_count", "Range count", base.DEC),
    range = ProtoField.none("vbwire.range", "Range"),
    range_start = ProtoField.uint32("vbwire.range.start", "First missing sequence number", base.DEC),
    range_len = ProtoField.uint16("vbwire.range.count", "Count", base.DEC),
    range_end = ProtoField.uint32("vbwire.range.end", "Last missing sequence number", base.DEC),
    state = ProtoField.uint8("vbwire.state", "State", base.DEC, STATES),
    total = ProtoField.uint16("vbwire.total", "Total entries", base.DEC),
    first = ProtoField.uint16("vbwire.first", "First entry", base.DEC),
    entry_count = ProtoField.uint8("vbwire.entry_count", "Entry count", base.DEC),
    entry = ProtoField.none("vbwire.entry", "Entry"),
    subscribers = ProtoField.uint32("vbwire.subscribers", "Subscribers", base.DEC),
    bye_reason = ProtoField.uint8("vbwire.bye_reason", "Reason", base.DEC, BYE_REASONS),
    gso_segments = ProtoField.uint16("vbwire.gso_segments", "GSO batch: DATA datagrams", base.DEC),
    gso_segment_size = ProtoField.uint16("vbwire.gso_segment_size", "GSO segment size (bytes)", base.DEC),
    gso_segment = ProtoField.uint16("vbwire.gso_segment", "GSO segment", base.DEC),
    direction = ProtoField.string("vbwire.direction", "Direction (roles)"),
    heartbeat = ProtoField.bool("vbwire.heartbeat", "Keep-alive (HEARTBEAT, HEARTBEAT_ACK or PEER_HELLO)"),
    answers = ProtoField.string("vbwire.answers", "Answers"),
    origin = ProtoField.uint24("vbwire.origin", "Origin broker", base.HEX),
    peer_token = ProtoField.uint64("vbwire.peer.token", "Token (the cookie the receiver gave the sender, 0 = none yet)", base.HEX),
    peer_broker_id = ProtoField.uint64("vbwire.peer.broker_id", "Broker ID (the sender's epoch)", base.HEX),
    peer_origin = ProtoField.uint24("vbwire.peer.origin", "Origin tag of the sender", base.HEX),
    peer_send_time = ProtoField.uint64("vbwire.peer.send_time", "Send time (us, sender's monotonic clock)", base.DEC),
    peer_echo_time = ProtoField.uint64("vbwire.peer.echo_time", "Echoed send time (us, 0 = none yet)", base.DEC),
    peer_announce_version = ProtoField.uint32("vbwire.peer.announce_version", "Announcement version (the sender's)", base.DEC),
    peer_announce_ack = ProtoField.uint32("vbwire.peer.announce_ack", "Announcement acknowledged (the receiver's version applied)", base.DEC),
    peer_interest_version = ProtoField.uint32("vbwire.peer.interest_version", "Interest version (the sender's, for the receiver)", base.DEC),
    peer_interest_ack = ProtoField.uint32("vbwire.peer.interest_ack", "Interest acknowledged (the receiver's version applied)", base.DEC),
    peer_role = ProtoField.uint8("vbwire.peer.role", "Role (what the sender is to the receiver on a tree link)", base.DEC, LINK_ROLES),
    peer_path_count = ProtoField.uint8("vbwire.peer.path_count", "Path count", base.DEC),
    peer_path = ProtoField.uint32("vbwire.peer.path", "Path (origin tag)", base.HEX),
    peer_echo_delay = ProtoField.uint32("vbwire.peer.echo_delay", "Echo delay (us between hearing echo_time and sending)", base.DEC),
    peer_version = ProtoField.uint32("vbwire.peer.version", "Snapshot version", base.DEC),
    peer_page = ProtoField.uint8("vbwire.peer.page", "Page (0-based)", base.DEC),
    peer_pages = ProtoField.uint8("vbwire.peer.pages", "Pages of this version", base.DEC),
    peer_count = ProtoField.uint16("vbwire.peer.count", "Entries in this page", base.DEC),
    peer_entry = ProtoField.none("vbwire.peer.entry", "Entry"),
    peer_claim = ProtoField.uint32("vbwire.peer.claim", "Claim", base.DEC),
    peer_nonce = ProtoField.uint64("vbwire.peer.nonce", "Producer session nonce (its HELLO's)", base.HEX),
    peer_block_producer = ProtoField.uint32("vbwire.peer.block_producer", "Producer ID (low 24 bits)", base.HEX),
    peer_block_state = ProtoField.uint8("vbwire.peer.block_state", "State", base.DEC, BLOCK_STATES),
    peer_stamp = ProtoField.uint64("vbwire.peer.stamp", "Stamp (logical clock << 24 | deciding broker's origin tag)", base.HEX),
    peer_tag = ProtoField.uint64("vbwire.peer.tag", "Tag (SipHash-2-4 under the cluster key)", base.HEX),
    control_trailer = ProtoField.none("vbwire.control", "Control trailer (sealed under the session's control key)"),
    control_counter = ProtoField.uint32("vbwire.control.counter", "Counter", base.DEC),
    control_tag = ProtoField.uint64("vbwire.control.tag", "Tag (SipHash-2-4 under the control key)", base.HEX),
}
local field_list = {}
for _, v in pairs(f) do field_list[#field_list + 1] = v end
proto.fields = field_list

local M, E = expert.group.MALFORMED, expert.severity.ERROR
local ef = {
    too_long = ProtoExpert.new("vbwire.malformed.too_long", "Datagram longer than 1400 bytes", M, E),
    bad_magic = ProtoExpert.new("vbwire.malformed.bad_magic", "Bad magic", M, E),
    bad_version = ProtoExpert.new("vbwire.malformed.bad_version", "Unsupported protocol version", M, E),
    unknown_type = ProtoExpert.new("vbwire.malformed.unknown_type", "Unknown message type", M, E),
    truncated = ProtoExpert.new("vbwire.malformed.truncated", "Truncated datagram", M, E),
    bad_length = ProtoExpert.new("vbwire.malformed.bad_length", "Bad datagram length for its type", M, E),
    bad_value = ProtoExpert.new("vbwire.malformed.bad_value", "Field value not allowed", M, E),
    limit = ProtoExpert.new("vbwire.malformed.limit", "Protocol limit exceeded", M, E),
    chunk_count = ProtoExpert.new("vbwire.malformed.chunk_count", "chunk_count inconsistent with frame_length", M, E),
    chunk_index = ProtoExpert.new("vbwire.malformed.chunk_index", "chunk_index not below chunk_count", M, E),
    payload_length = ProtoExpert.new("vbwire.malformed.payload_length", "DATA payload length differs from the expected", M, E),
    snaplen = ProtoExpert.new("vbwire.snaplen", "Datagram only partly captured", expert.group.UNDECODED, expert.severity.NOTE),
    gso_batch = ProtoExpert.new("vbwire.gso_batch", "UDP GSO batch captured before segmentation",
        expert.group.ASSUMPTION or expert.group.PROTOCOL, expert.severity.NOTE),
}
local expert_list = {}
for _, v in pairs(ef) do expert_list[#expert_list + 1] = v end
proto.experts = expert_list

proto.prefs.ports = Pref.range("UDP ports", DEFAULT_PORTS, "UDP ports decoded as VB wire (heuristic detection covers all other ports)", 65535)
proto.prefs.heuristic = Pref.bool("Heuristic detection on all UDP ports", true, "Take any UDP datagram starting with 56 42 01 as VB wire")
proto.prefs.show_roles = Pref.bool("Show roles in Info", true,
    "Start the Info column with who sends to whom (producer → broker, broker → client, ...): from the message type, the broker's port (UDP ports above) and the roles peers announced in HELLO")

-- Helpers -------------------------------------------------------------------------------------------

local function hex6(v) return string.format("%06X", v) end
local function hex8(v) return string.format("%08X", v) end
local function name_of(t, v) return t[v] or ("unknown (" .. v .. ")") end
local function u64hex(r) return "0x" .. r:uint64():tohex() end
-- A broker's origin tag from its id: the low 24 bits, 0 taken as 1 (0 means "no origin").
local function origin_of(id)
    local hex = id:tohex()
    local t = tonumber(string.sub(hex, -6), 16)
    if t == 0 then t = 1 end
    return t
end

-- Per-datagram context: tvb, wire length, captured length, tree, error list.
local function new_ctx(tvb, pinfo, tree)
    return { tvb = tvb, pinfo = pinfo, n = tvb:reported_len(), cap = tvb:len(), tree = tree, errors = 0 }
end

local function flag(c, item, e, text)
    (item or c.tree):add_proto_expert_info(e, text)
    c.errors = c.errors + 1
end

-- The range [off, off+len) if it was captured, else nil.
local function rng(c, off, len)
    if off + len <= c.cap then return c.tvb(off, len) end
    return nil
end

-- Adds a field if its bytes are present; returns the item and the range.
local function add(c, tree, field, off, len)
    local r = rng(c, off, len)
    if r == nil then return nil, nil end
    return tree:add(field, r), r
end

local function add_reserved(c, tree, off, len)
    local r = rng(c, off, len)
    if r ~= nil then tree:add(f.reserved, r) end
end

-- Adds a 4-byte stream id (or selector) with its producer id and index as children.
-- Returns the text a user would type: 8 hex digits, or 6 for a producer selector.
local function add_stream_id(c, tree, field, off, label, is_selector)
    local r = rng(c, off, 4)
    if r == nil then return nil, nil end
    local v = r:uint()
    local pid = math.floor(v / 256)
    local index = v % 256
    local typed
    if is_selector and index == 0 then typed = hex6(pid) else typed = hex8(v) end
    local what
    if index == 0 then
        what = "all streams of producer " .. hex6(pid)
    else
        what = "producer " .. hex6(pid) .. ", stream " .. string.format("%02X", index) .. " " .. (KINDS[index] or "other")
    end
    local it = tree:add(field, r)
    it:set_text(label .. ": " .. typed .. " (" .. what .. ")")
    local pi = it:add(f.producer_id, c.tvb(off, 3))
    pi:set_text("Producer ID: " .. hex6(pid))
    it:add(f.stream_index, c.tvb(off + 3, 1))
    local g = it:add(f.stream, r, typed)
    g:set_generated()
    return v, typed, it
end

local function add_rate(c, tree, off)
    local r = rng(c, off, 4)
    if r == nil then return nil end
    local v = r:uint()
    tree:add(f.rate, r):set_text(string.format("Rate: %.3f frames/s (%d)", v / 1000, v))
    return v
end

-- Checks an exact-length message; returns true if the length is right.
local function exact(c, t)
    local want = EXACT[t]
    if c.n ~= want then
        flag(c, nil, ef.bad_length, string.format("%s must be exactly %d bytes, got %d", TYPES[t], want, c.n))
        return false
    end
    return true
end

local function enum_check(c, item, table_, v, what)
    if item ~= nil and table_[v] == nil then
        flag(c, item, ef.bad_value, string.format("%s %d is not allowed", what, v))
    end
end

-- Requests and roles across packets ---------------------------------------------------------------

-- SUBSCRIBE/UNSUBSCRIBE seen, by the two endpoints (in either order) and request_id: {type, frame}. Filled on the
-- first pass only (pinfo.visited false), so clicking around the GUI does not change what an ACK answers.
local requests = {}
-- Roles learnt from the capture, by "address:port": "producer" or "client" from a HELLO, "broker" from what
-- only a broker sends.
local roles = {}
local broker_ports = nil -- the "UDP ports" preference as a set of numbers, rebuilt when it changes

local function endpoint(addr, port) return tostring(addr) .. ":" .. port end
local function pair_key(pinfo, rid)
    local a, b = endpoint(pinfo.src, pinfo.src_port), endpoint(pinfo.dst, pinfo.dst_port)
    if a > b then a, b = b, a end
    return a .. "|" .. b .. "|" .. rid
end

local function remember_request(pinfo, rid, t)
    if pinfo.visited then return end
    requests[pair_key(pinfo, rid)] = { type = t, frame = pinfo.number }
end

local function answered_request(pinfo, rid)
    local r = requests[pair_key(pinfo, rid)]
    if r and r.frame < pinfo.number then return r end
    return nil
end

local function port_set()
    if broker_ports then return broker_ports end
    broker_ports = {}
    for part in string.gmatch(tostring(proto.prefs.ports), "[^,]+") do
        local a, b = string.match(part, "^%s*(%d+)%s*-%s*(%d+)%s*$")
        if a then
            for p = tonumber(a), math.min(tonumber(b), tonumber(a) + 1024) do broker_ports[p] = true end
        elseif tonumber(part) then
            broker_ports[tonumber(part)] = true
        end
    end
    return broker_ports
end

-- Who sends to whom: the type says most of it; for the rest (DATA, NACK, HEARTBEAT, BYE) the broker's port
-- and what the endpoints announced earlier decide. "peer" when nothing tells.
local SENT_BY_BROKER = { [2] = true, [3] = true, [5] = true, [8] = true, [9] = true, [12] = true, [14] = true }
local SENT_BY_CLIENT = { [6] = true, [7] = true, [13] = true }
local function directions(pinfo, t, hello_role)
    local src, dst = endpoint(pinfo.src, pinfo.src_port), endpoint(pinfo.dst, pinfo.dst_port)
    local ports = port_set()
    local from, to = roles[src], roles[dst]
    if not pinfo.visited then
        if t == 1 and hello_role then roles[src] = hello_role; roles[dst] = "broker" end
        if SENT_BY_BROKER[t] then roles[src] = "broker" end
        if SENT_BY_CLIENT[t] then roles[src] = "client"; roles[dst] = "broker" end
        if t == 4 then roles[dst] = "broker" end
        if t >= 16 then roles[src] = "broker"; roles[dst] = "broker" end
    end
    if t >= 16 then from, to = "broker", "broker"
    elseif t == 1 then from, to = hello_role or from, "broker"
    elseif SENT_BY_BROKER[t] then from = "broker"
    elseif SENT_BY_CLIENT[t] then from, to = "client", "broker"
    elseif t == 4 then to = "broker"
    end
    if from == nil and to == nil then
        if ports[pinfo.dst_port] then to = "broker" elseif ports[pinfo.src_port] then from = "broker" end
    end
    if t == 10 or t == 11 then
        -- DATA: producer → broker → client; NACK: client → broker → producer.
        if to == "broker" then from = from or (t == 10 and "producer" or "client") end
        if from == "broker" then to = to or (t == 10 and "client" or "producer") end
    end
    return (from or "peer") .. " → " .. (to or "peer")
end

-- Message bodies ------------------------------------------------------------------------------------

local body = {}

body[1] = function(c, tree) -- HELLO
    if c.n < HELLO_MIN then
        flag(c, nil, ef.bad_length, string.format("HELLO must be at least %d bytes (padded), got %d", HELLO_MIN, c.n))
    end
    local _, tr = add(c, tree, f.token, 4, 8)
    add(c, tree, f.nonce, 12, 8)
    local ri, rr = add(c, tree, f.role, 20, 1)
    local role = rr and rr:uint()
    if ri then enum_check(c, ri, ROLES, role, "role") end
    local ci, cr = add(c, tree, f.stream_count, 21, 1)
    local count = cr and cr:uint() or 0
    if ci and count > MAX_STREAMS then
        flag(c, ci, ef.limit, string.format("stream_count %d exceeds %d (maxStreamsPerProducer)", count, MAX_STREAMS))
    end
    local pr = rng(c, 22, 3)
    local pid
    if pr then
        pid = pr:uint()
        local pi = tree:add(f.producer_id, pr)
        pi:set_text("Producer ID: " .. hex6(pid) .. (role == 2 and " (ignored for a client)" or ""))
        tree:add(f.producer, pr, hex6(pid)):set_generated()
        if role == 1 and pid == 0 then flag(c, pi, ef.bad_value, "producer_id 000000 is not valid for a producer") end
    end
    add_reserved(c, tree, 25, 1)
    add(c, tree, f.challenge, 26, 8)
    local off = HELLO_FIXED
    local names = {}
    local complete = count <= MAX_STREAMS
    for i = 1, count do
        if off + DESCRIPTOR_SIZE > c.n then
            flag(c, nil, ef.truncated, string.format("stream descriptor %d of %d needs bytes %d-%d, datagram has %d", i, count, off, off + DESCRIPTOR_SIZE - 1, c.n))
            complete = false
            break
        end
        if off + DESCRIPTOR_SIZE > c.cap then break end
        local d = tree:add(f.descriptor, c.tvb(off, DESCRIPTOR_SIZE))
        local index = c.tvb(off, 1):uint()
        local kind = c.tvb(off + 1, 1):uint()
        local ii = d:add(f.stream_index, c.tvb(off, 1))
        if index == 0 then flag(c, ii, ef.bad_value, "stream_index 0 is reserved for the producer selector") end
        local ki = d:add(f.kind, c.tvb(off + 1, 1))
        enum_check(c, ki, KINDS, kind, "kind")
        d:add(f.reserved, c.tvb(off + 2, 2))
        local rate = add_rate(c, d, off + 4)
        local sid = (pid and hex6(pid) or "??????") .. string.format("%02X", index)
        d:set_text(string.format("Stream %s: %s, %.3f frames/s", sid, KINDS[kind] or ("kind " .. kind), rate / 1000))
        if i <= 4 then names[#names + 1] = sid .. " " .. (KINDS[kind] or "?") elseif i == 5 then names[#names + 1] = "..." end
        off = off + DESCRIPTOR_SIZE
    end
    -- A producer proves its stream key: 16 bytes of HMAC-SHA-256 over bytes 0 .. off (PROTOCOL.md section 4),
    -- which only a holder of the key (or the publish secret) can check.
    if role == 1 and complete and pid ~= 0 then
        if off + PROOF_SIZE > c.n then
            flag(c, nil, ef.truncated, string.format("proof needs bytes %d-%d, datagram has %d", off, off + PROOF_SIZE - 1, c.n))
        elseif off + PROOF_SIZE <= c.cap then
            tree:add(f.proof, c.tvb(off, PROOF_SIZE))
        end
        off = off + PROOF_SIZE
    end
    if off < c.n and off < c.cap then
        tree:add(f.padding, c.tvb(off, math.min(c.n, c.cap) - off))
    end
    local token = tr and tr:uint64() or UInt64(0)
    local info = "HELLO " .. (ROLES[role] or "role?")
    if role == 1 and pid then info = info .. " " .. hex6(pid) .. " streams=" .. count end
    if #names > 0 and role == 1 then info = info .. " [" .. table.concat(names, ", ") .. "]" end
    if token == UInt64(0) then info = info .. " token=0 (no cookie yet)" else info = info .. " token=0x" .. token:tohex() end
    return info
end

body[2] = function(c, tree) -- COOKIE: 20 bytes; 28 with the challenge when it answers a HELLO
    if c.n ~= 20 and c.n ~= 28 then
        flag(c, nil, ef.bad_length, string.format("COOKIE must be exactly 20 bytes (28 with a challenge), got %d", c.n))
    end
    local ni, nr = add(c, tree, f.nonce, 4, 8)
    add(c, tree, f.token, 12, 8)
    if c.n == 28 then add(c, tree, f.challenge, 20, 8) end
    local info = "COOKIE"
    if nr then
        -- The HELLO's nonce, or the token of a request the broker could not place (no session for its address).
        ni:append_text(" (the HELLO's nonce, or the token of a request without a session)")
        info = info .. " nonce=" .. u64hex(nr)
    end
    local tr = rng(c, 12, 8)
    if tr then info = info .. " token=" .. u64hex(tr) end
    local cr = c.n == 28 and rng(c, 20, 8)
    if cr then info = info .. " challenge=" .. u64hex(cr) end
    return info
end

body[3] = function(c, tree) -- WELCOME
    exact(c, 3)
    add(c, tree, f.nonce, 4, 8)
    local _, er = add(c, tree, f.epoch, 12, 8)
    local hi, hr = add(c, tree, f.heartbeat_ms, 20, 4)
    local li, lr = add(c, tree, f.lease_misses, 24, 1)
    add_reserved(c, tree, 25, 3)
    local info = "WELCOME"
    if er then info = info .. " epoch=" .. u64hex(er) end
    if hr then
        local hb = hr:uint()
        if hb == 0 then flag(c, hi, ef.bad_value, "heartbeat_ms must be > 0") end
        info = info .. " heartbeat=" .. hb .. "ms"
    end
    if lr then
        local m = lr:uint()
        if m == 0 then flag(c, li, ef.bad_value, "lease_misses must be > 0") end
        info = info .. " lease=" .. m .. " misses"
        if hr then tree:add(f.lease_ms, hr, hr:uint() * m):set_generated() end
    end
    return info
end

body[4] = function(c, tree) -- HEARTBEAT: 24 bytes, or 32 with a client's receiver report
    if c.n ~= EXACT[4] and c.n ~= HEARTBEAT_WITH_REPORT then
        flag(c, nil, ef.bad_length, string.format("HEARTBEAT must be exactly %d bytes, or %d with a receiver report, got %d",
            EXACT[4], HEARTBEAT_WITH_REPORT, c.n))
    end
    add(c, tree, f.token, 4, 8)
    add(c, tree, f.send_time, 12, 8)
    local _, rr = add(c, tree, f.rtt, 20, 4)
    local info = "HEARTBEAT"
    if rr then info = info .. " rtt=" .. rr:uint() .. "us" end
    if c.n == HEARTBEAT_WITH_REPORT then
        local _, rcv = add(c, tree, f.report_received, 24, 4)
        local _, lost = add(c, tree, f.report_lost, 28, 4)
        if rcv and lost then info = info .. " received=" .. rcv:uint() .. " lost=" .. lost:uint() end
    end
    return info
end

body[5] = function(c, tree) -- HEARTBEAT_ACK
    exact(c, 5)
    add(c, tree, f.echo_time, 4, 8)
    local _, er = add(c, tree, f.epoch, 12, 8)
    local info = "HEARTBEAT_ACK"
    if er then info = info .. " epoch=" .. u64hex(er) end
    return info
end

local function subscription(c, tree, t)
    exact(c, t)
    add(c, tree, f.token, 4, 8)
    local _, qr = add(c, tree, f.request_id, 12, 4)
    local _, typed = add_stream_id(c, tree, f.selector, 16, "Selector", true)
    local fr = rng(c, 20, 1)
    local resume = false
    if fr then
        local fi = tree:add(f.flags, fr)
        fi:add(f.flag_resume, fr)
        resume = fr:uint() % 2 == 1
    end
    add_reserved(c, tree, 21, 3)
    local info = TYPES[t]
    if qr then
        info = info .. " req=" .. qr:uint()
        remember_request(c.pinfo, qr:uint(), t)
    end
    if typed then info = info .. " " .. typed end
    if resume then info = info .. " resume" end
    return info
end
body[6] = function(c, tree) return subscription(c, tree, 6) end
body[7] = function(c, tree) return subscription(c, tree, 7) end

body[8] = function(c, tree) -- ACK
    exact(c, 8)
    local _, qr = add(c, tree, f.request_id, 4, 4)
    local _, typed = add_stream_id(c, tree, f.selector, 8, "Selector", true)
    local si, sr = add(c, tree, f.status, 12, 1)
    if si then enum_check(c, si, ACK_STATUS, sr:uint(), "status") end
    add_reserved(c, tree, 13, 3)
    -- What it answers, if the request was seen earlier in the capture (same two endpoints, same request_id).
    local req = qr and answered_request(c.pinfo, qr:uint())
    if req then
        local a = tree:add(f.answers, c.tvb(4, 4), TYPES[req.type] .. " in frame " .. req.frame)
        a:set_generated()
    end
    local info = "ACK"
    if qr then info = info .. " req=" .. qr:uint() end
    if typed then info = info .. " " .. typed end
    if req and req.type == 7 then
        -- The status of an UNSUBSCRIBE's ACK describes the streams, not the subscription (it is gone).
        if si then si:append_text(" (state of the streams the selector matches; the subscription is gone)") end
        info = info .. " unsubscribed"
    elseif sr then
        info = info .. " " .. name_of(ACK_STATUS, sr:uint())
    end
    return info
end

body[9] = function(c, tree) -- ERROR
    local info = "ERROR"
    if c.n < ERROR_FIXED then
        flag(c, nil, ef.truncated, string.format("ERROR needs at least %d bytes, got %d", ERROR_FIXED, c.n))
    end
    local _, qr = add(c, tree, f.request_id, 4, 4)
    if qr then info = info .. " req=" .. qr:uint() end
    local ci, cr = add(c, tree, f.error_code, 8, 1)
    if ci then
        enum_check(c, ci, ERROR_CODES, cr:uint(), "error code")
        info = info .. " " .. name_of(ERROR_CODES, cr:uint())
    end
    local li, lr = add(c, tree, f.reason_length, 9, 1)
    if li then
        local len = lr:uint()
        if len > MAX_REASON then
            flag(c, li, ef.limit, string.format("reason_length %d exceeds %d (maxReasonBytes)", len, MAX_REASON))
        end
        if c.n < ERROR_FIXED + len then
            flag(c, li, ef.truncated, string.format("reason needs %d bytes, only %d present", len, c.n - ERROR_FIXED))
        elseif c.n > ERROR_FIXED + len then
            flag(c, nil, ef.bad_length, string.format("ERROR with a %d-byte reason must be %d bytes, got %d", len, ERROR_FIXED + len, c.n))
        end
        local avail = math.min(len, c.cap - ERROR_FIXED)
        if avail > 0 then
            local r = c.tvb(ERROR_FIXED, avail)
            local text = r:string(ENC_UTF_8)
            tree:add(f.reason, r, text)
            info = info .. ": \"" .. text .. "\""
        end
    end
    return info
end

-- Samples at 48 kHz of one Opus packet, from its TOC byte (RFC 6716 section 3.1); nil if not valid framing.
local function opus_samples(p)
    local toc = p:range(0, 1):uint()
    local config, code = math.floor(toc / 8), toc % 4
    local per
    if config < 12 then per = ({ 480, 960, 1920, 2880 })[config % 4 + 1]
    elseif config < 16 then per = ({ 480, 960 })[config % 2 + 1]
    else per = ({ 120, 240, 480, 960 })[config % 4 + 1] end
    local frames = 1
    if code == 1 or code == 2 then frames = 2
    elseif code == 3 then
        if p:len() < 2 then return nil end
        frames = p:range(1, 1):uint() % 64
    end
    if frames == 0 or frames * per > 5760 then return nil end
    return frames * per
end

-- The payload of the first DATA of an opus stream (index 3) is the start of an Opus chunk (section 13): format,
-- channels, packet count, then length-prefixed packets. Decoded as far as this datagram holds it.
local function add_opus_chunk(c, tree, payload)
    local n = payload:len()
    if n < 4 then return "" end
    local o = tree:add(f.opus, payload)
    o:add(f.opus_format, payload:range(0, 1))
    o:add(f.opus_channels, payload:range(1, 1))
    local count = payload:range(2, 1):uint()
    o:add(f.opus_packet_count, payload:range(2, 1))
    local at, total, complete = 4, 0, 0
    for _ = 1, count do
        if at + 2 > n then break end
        local len = payload:range(at, 2):uint()
        o:add(f.opus_packet_length, payload:range(at, 2))
        if len == 0 or at + 2 + len > n then break end
        local p = payload:range(at + 2, len)
        o:add(f.opus_packet, p)
        local samples = opus_samples(p)
        if samples then total = total + samples end
        complete = complete + 1
        at = at + 2 + len
    end
    o:add(f.opus_samples, payload:range(0, 0), total):set_generated()
    o:set_text(string.format("Opus chunk: format %d, %d channel(s), %d packets, %.1f ms", payload:range(0, 1):uint(),
        payload:range(1, 1):uint(), count, total / 48))
    return string.format(" [opus %d packets, %.0f ms]", complete, total / 48)
end

body[10] = function(c, tree) -- DATA
    if c.n < DATA_HEADER then
        flag(c, nil, ef.truncated, string.format("DATA header needs %d bytes, got %d", DATA_HEADER, c.n))
    end
    local info = "DATA"
    local sid, typed, sitem = add_stream_id(c, tree, f.stream_id, 4, "Stream ID", false)
    if sid then
        info = info .. " " .. typed
        if c.n >= DATA_HEADER and (sid % 256 == 0 or math.floor(sid / 256) == 0) then
            flag(c, sitem, ef.bad_value, "stream_id " .. typed .. " invalid: stream index and producer id must be non-zero")
        end
    end
    local _, qr = add(c, tree, f.seq, 8, 4)
    local _, nr = add(c, tree, f.frame, 12, 4)
    local li, lr = add(c, tree, f.frame_length, 16, 4)
    local ii, ir = add(c, tree, f.chunk_index, 20, 2)
    local ki, kr = add(c, tree, f.chunk_count, 22, 2)
    local tr = rng(c, 24, 8)
    if tr then
        tree:add(f.capture_time, tr)
        local us = tr:uint64():tonumber()
        local sec = math.floor(us / 1000000)
        tree:add(f.capture_abs, tr, NSTime(sec, (us - sec * 1000000) * 1000)):set_generated()
    end
    local fr = rng(c, 32, 1)
    local flags = 0
    if fr then
        flags = fr:uint()
        local fi = tree:add(f.flags, fr)
        fi:add(f.flag_retransmit, fr)
        fi:add(f.flag_cached, fr)
    end
    -- The broker whose producer sent it (stamped by the producer, not covered by the MAC; 0 = not stamped).
    local orr = rng(c, 33, 3)
    local origin = 0
    if orr then
        origin = orr:uint()
        local oi = tree:add(f.origin, orr)
        if origin == 0 then oi:set_text("Origin broker: 0 (not stamped)") else oi:set_text("Origin broker: " .. hex6(origin)) end
    end
    -- Covers bytes 0-31 and the payload, not the flags and reserved bytes (a broker sets flags and forwards).
    add(c, tree, f.mac, DATA_MAC, 8)
    if qr then info = info .. " seq=" .. qr:uint() end
    if nr then info = info .. " frame=" .. nr:uint() end
    -- Counted from 1 in the summary, as users count ("chunk 3/8" is the third of eight); the field stays 0-based.
    if ir and kr then info = info .. " chunk " .. (ir:uint() + 1) .. "/" .. kr:uint() end
    if flags % 2 == 1 then info = info .. " [retransmit]" end
    if math.floor(flags / 2) % 2 == 1 then info = info .. " [cached]" end
    if origin ~= 0 then info = info .. " origin=" .. hex6(origin) end
    if lr and ir and kr and c.n >= DATA_HEADER then
        local len, idx, cnt = lr:uint(), ir:uint(), kr:uint()
        local ok = true
        if len == 0 then
            flag(c, li, ef.bad_value, "frame_length 0: a frame has at least 1 byte"); ok = false
        elseif len > MAX_FRAME then
            flag(c, li, ef.limit, string.format("frame_length %d exceeds %d (maxFrameBytes)", len, MAX_FRAME)); ok = false
        else
            local want = math.ceil(len / CHUNK_PAYLOAD)
            if cnt ~= want then
                flag(c, ki, ef.chunk_count, string.format("chunk_count %d, but ceil(frame_length %d / %d) = %d", cnt, len, CHUNK_PAYLOAD, want))
                ok = false
            elseif idx >= cnt then
                flag(c, ii, ef.chunk_index, string.format("chunk_index %d not below chunk_count %d", idx, cnt))
                ok = false
            end
        end
        tree:add(f.chunk_offset, c.tvb(20, 2), idx * CHUNK_PAYLOAD):set_generated()
        local have = c.n - DATA_HEADER
        if ok then
            local expected = math.min(CHUNK_PAYLOAD, len - idx * CHUNK_PAYLOAD)
            if have ~= expected then
                flag(c, nil, ef.payload_length, string.format("payload is %d bytes, chunk %d of a %d-byte frame must carry %d", have, idx, len, expected))
            end
        end
    end
    if c.n > DATA_HEADER and c.cap > DATA_HEADER then
        local p = c.tvb(DATA_HEADER, c.cap - DATA_HEADER)
        tree:add(f.payload, p)
        if sid and sid % 256 == 3 and ir and ir:uint() == 0 then info = info .. add_opus_chunk(c, tree, p) end
    end
    if c.n >= DATA_HEADER then
        tree:add(f.payload_length, c.tvb(0, 0), c.n - DATA_HEADER):set_generated()
    end
    return info
end

body[11] = function(c, tree) -- NACK
    local info = "NACK"
    if c.n < NACK_FIXED then
        flag(c, nil, ef.truncated, string.format("NACK needs at least %d bytes, got %d", NACK_FIXED, c.n))
    end
    add(c, tree, f.token, 4, 8)
    local _, typed = add_stream_id(c, tree, f.stream_id, 12, "Stream ID", false)
    if typed then info = info .. " " .. typed end
    local _, rr = add(c, tree, f.rtt, 16, 4)
    local ci, cr = add(c, tree, f.range_count, 20, 1)
    add_reserved(c, tree, 21, 3)
    if not ci or c.n < NACK_FIXED then return info end
    local count = cr:uint()
    if count < 1 or count > MAX_NACK_RANGES then
        flag(c, ci, ef.limit, string.format("range_count %d outside 1..%d (maxNackRanges)", count, MAX_NACK_RANGES))
    elseif c.n - NACK_FIXED ~= count * NACK_RANGE_SIZE then
        flag(c, nil, ef.bad_length, string.format("NACK with %d ranges must be %d bytes, got %d", count, NACK_FIXED + count * NACK_RANGE_SIZE, c.n))
    end
    local present = math.min(count, math.floor((math.min(c.n, c.cap) - NACK_FIXED) / NACK_RANGE_SIZE))
    local texts = {}
    local missing = 0
    for i = 0, present - 1 do
        local off = NACK_FIXED + i * NACK_RANGE_SIZE
        local start = c.tvb(off, 4):uint()
        local n = c.tvb(off + 4, 2):uint()
        local last = (start + n - 1) % 4294967296
        local sub = tree:add(f.range, c.tvb(off, NACK_RANGE_SIZE))
        sub:add(f.range_start, c.tvb(off, 4))
        local ni = sub:add(f.range_len, c.tvb(off + 4, 2))
        local text
        if n == 0 then
            flag(c, ni, ef.bad_value, "range count 0: a range covers at least one sequence number")
            text = start .. "(0)"
        else
            sub:add(f.range_end, c.tvb(off, 4), last):set_generated()
            if n == 1 then text = tostring(start) else text = start .. "-" .. last end
        end
        sub:set_text(string.format("Range %d: %s (%d)", i + 1, text, n))
        missing = missing + n
        if i < 8 then texts[#texts + 1] = text end
    end
    if present > 8 then texts[#texts + 1] = "..." end
    if rr then info = info .. " rtt=" .. rr:uint() .. "us" end
    info = info .. " ranges=" .. count .. " missing=" .. missing
    if #texts > 0 then info = info .. " [" .. table.concat(texts, " ") .. "]" end
    return info
end

body[12] = function(c, tree) -- STREAM_STATUS
    exact(c, 12)
    local info = "STREAM_STATUS"
    local _, typed = add_stream_id(c, tree, f.stream_id, 4, "Stream ID", false)
    if typed then info = info .. " " .. typed end
    local si, sr = add(c, tree, f.state, 8, 1)
    add_reserved(c, tree, 9, 3)
    local rate = add_rate(c, tree, 12)
    if si then
        enum_check(c, si, STATES, sr:uint(), "state")
        info = info .. " " .. name_of(STATES, sr:uint())
    end
    if rate then info = info .. string.format(" rate=%.3f", rate / 1000) end
    return info
end

body[13] = function(c, tree) -- LIST_REQUEST
    exact(c, 13)
    add(c, tree, f.token, 4, 8)
    local _, qr = add(c, tree, f.request_id, 12, 4)
    return "LIST_REQUEST" .. (qr and (" req=" .. qr:uint()) or "")
end

body[14] = function(c, tree) -- LIST_REPLY
    local info = "LIST_REPLY"
    if c.n < LIST_FIXED then
        flag(c, nil, ef.truncated, string.format("LIST_REPLY needs at least %d bytes, got %d", LIST_FIXED, c.n))
    end
    local _, qr = add(c, tree, f.request_id, 4, 4)
    local _, tr = add(c, tree, f.total, 8, 2)
    local fi, fr = add(c, tree, f.first, 10, 2)
    local ci, cr = add(c, tree, f.entry_count, 12, 1)
    add_reserved(c, tree, 13, 3)
    if qr then info = info .. " req=" .. qr:uint() end
    if not (tr and fr and cr) or c.n < LIST_FIXED then return info end
    local total, first, count = tr:uint(), fr:uint(), cr:uint()
    info = info .. string.format(" total=%d first=%d entries=%d", total, first, count)
    if count > MAX_LIST then
        flag(c, ci, ef.limit, string.format("entry_count %d exceeds %d (maxListEntriesPerDatagram)", count, MAX_LIST))
    elseif c.n - LIST_FIXED ~= count * LIST_ENTRY then
        flag(c, nil, ef.bad_length, string.format("LIST_REPLY with %d entries must be %d bytes, got %d", count, LIST_FIXED + count * LIST_ENTRY, c.n))
    elseif first + count > total then
        flag(c, fi, ef.bad_value, string.format("first %d + entry_count %d exceeds total %d", first, count, total))
    end
    local present = math.min(count, math.floor((math.min(c.n, c.cap) - LIST_FIXED) / LIST_ENTRY))
    for i = 0, present - 1 do
        local off = LIST_FIXED + i * LIST_ENTRY
        local e = tree:add(f.entry, c.tvb(off, LIST_ENTRY))
        local _, typed = add_stream_id(c, e, f.stream_id, off, "Stream ID", false)
        local state = c.tvb(off + 4, 1):uint()
        local si = e:add(f.state, c.tvb(off + 4, 1))
        enum_check(c, si, STATES, state, "state")
        local origin = c.tvb(off + 5, 3):uint()
        local oi = e:add(f.origin, c.tvb(off + 5, 3))
        if origin == 0 then oi:set_text("Origin broker: 0 (unknown, or offline)") else oi:set_text("Origin broker: " .. hex6(origin)) end
        local rate = add_rate(c, e, off + 8)
        local subs = c.tvb(off + 12, 4):uint()
        e:add(f.subscribers, c.tvb(off + 12, 4))
        e:set_text(string.format("Entry %d: %s %s %.3f frames/s, %d subscriber%s%s", first + i, typed, name_of(STATES, state), rate / 1000, subs,
            subs == 1 and "" or "s", origin ~= 0 and (", on broker " .. hex6(origin)) or ""))
    end
    return info
end

body[15] = function(c, tree) -- BYE: 16 bytes; 24 between brokers (PROTOCOL.md section 12), the last 8 the cluster tag
    if c.n ~= 16 and c.n ~= 24 then
        flag(c, nil, ef.bad_length, string.format("BYE must be exactly 16 bytes (24 between brokers), got %d", c.n))
    end
    add(c, tree, f.token, 4, 8)
    local ri, rr = add(c, tree, f.bye_reason, 12, 1)
    add_reserved(c, tree, 13, 3)
    local info = "BYE"
    if ri then
        enum_check(c, ri, BYE_REASONS, rr:uint(), "reason")
        info = info .. " " .. name_of(BYE_REASONS, rr:uint())
    end
    if c.n == 24 and c.cap >= 24 then
        tree:add(f.peer_tag, c.tvb(16, 8))
        info = info .. " (broker to broker, tagged)"
    end
    return info
end

-- Broker-to-broker messages (PROTOCOL.md section 12) ------------------------------------------------------
--
-- Sent only between the brokers of a cluster, each ending in an 8-byte tag that only a holder of CLUSTER_SECRET
-- can compute (shown, not checked: the dissector does not know the secret). The broker id's low 24 bits are the
-- sender's origin tag, the one its producers stamp into DATA (bytes 33-35) and LIST_REPLY names.

-- Adds the broker id with its origin tag as a generated child; returns the tag as 6 hex digits.
local function add_broker_id(c, tree, off)
    local r = rng(c, off, 8)
    if r == nil then return nil end
    local o = origin_of(r:uint64())
    local it = tree:add(f.peer_broker_id, r)
    it:add(f.peer_origin, r, o):set_generated()
    return hex6(o)
end

-- The tag: the last 8 bytes of the datagram.
local function add_tag(c, tree)
    if c.n >= PEER_PAGE_FIXED + PEER_TAG and c.n <= c.cap then tree:add(f.peer_tag, c.tvb(c.n - PEER_TAG, PEER_TAG)) end
end

-- A tree link's part of PEER_HELLO (bytes 56-59 and the path). The decoder's order: role 1 or 2, path_count at
-- most 8, then the length 68 + 4 * path_count. Returns the Info text it adds.
local function peer_hello_tree(c, tree)
    local ri, rr = add(c, tree, f.peer_role, 56, 1)
    local ci, cr = add(c, tree, f.peer_path_count, 57, 1)
    add_reserved(c, tree, 58, 2)
    if not (rr and cr) then return "" end
    local role, count = rr:uint(), cr:uint()
    ri:set_text(string.format("Role: %s (%d)", LINK_ROLES[role] or "not allowed", role))
    if LINK_ROLES[role] == nil then
        flag(c, ri, ef.bad_value, string.format("role %d is not allowed on a tree link (1 edge, 2 upstream)", role))
    end
    local want = PEER_HELLO_TREE + 4 * count
    if count > MAX_PATH then
        flag(c, ci, ef.limit, string.format("path_count %d exceeds %d (maxPath)", count, MAX_PATH))
    elseif c.n ~= want then
        flag(c, nil, ef.bad_length, string.format("PEER_HELLO with %d path tags must be %d bytes, got %d", count, want, c.n))
    end
    local present = math.max(0, math.min(count, math.floor((math.min(c.n, c.cap) - PEER_PATH_AT - PEER_TAG) / 4)))
    local tags = {}
    for i = 0, present - 1 do
        local r = c.tvb(PEER_PATH_AT + 4 * i, 4)
        tags[#tags + 1] = hex6(r:uint() % 16777216)
        tree:add(f.peer_path, r):set_text(string.format("Path %d: %s%s", i, tags[#tags], i == 0 and " (the sender)" or ""))
    end
    if present < count then tags[#tags + 1] = "..." end
    return " role=" .. (LINK_ROLES[role] or tostring(role)) .. " path=[" .. table.concat(tags, ", ") .. "]"
end

-- PEER_HELLO: the heartbeat of a link, both ways: 64 bytes between mesh peers, 68 + 4 * path_count on a tree link.
-- The decoder's order: 64 bytes is the mesh form; else under 68 or not 68 plus a multiple of 4 is a bad length.
body[16] = function(c, tree)
    local tree_link = c.n ~= PEER_HELLO_SIZE
    if tree_link and (c.n < PEER_HELLO_TREE or (c.n - PEER_HELLO_TREE) % 4 ~= 0) then
        flag(c, nil, ef.bad_length,
            string.format("PEER_HELLO must be %d bytes (mesh) or %d + 4 * path_count (tree link), got %d", PEER_HELLO_SIZE, PEER_HELLO_TREE, c.n))
        tree_link = false
    end
    local _, tr = add(c, tree, f.peer_token, 4, 8)
    local origin = add_broker_id(c, tree, 12)
    add(c, tree, f.peer_send_time, 20, 8)
    add(c, tree, f.peer_echo_time, 28, 8)
    local _, av = add(c, tree, f.peer_announce_version, 36, 4)
    local _, aa = add(c, tree, f.peer_announce_ack, 40, 4)
    local _, iv = add(c, tree, f.peer_interest_version, 44, 4)
    local _, ia = add(c, tree, f.peer_interest_ack, 48, 4)
    add(c, tree, f.peer_echo_delay, 52, 4)
    local info = "PEER_HELLO"
    if origin then info = info .. " origin=" .. origin end
    if tree_link then info = info .. peer_hello_tree(c, tree) end
    if c.n == PEER_HELLO_SIZE or tree_link then add_tag(c, tree) end
    if av and aa then info = info .. " announce=" .. av:uint() .. " ack=" .. aa:uint() end
    if iv and ia then info = info .. " interest=" .. iv:uint() .. " ack=" .. ia:uint() end
    if tr then
        if tr:uint64() == UInt64(0) then info = info .. " token=0 (no cookie yet)" else info = info .. " token=" .. u64hex(tr) end
    end
    return info
end

-- PEER_ANNOUNCE and PEER_INTEREST: page header, entries, tag. The decoder's order: the 28-byte header
-- (else truncated), 1 <= pages and page < pages, the length, the count's limit, then each entry.
local function peer_page(c, tree, t, entry_size, max, limit_name)
    local info = TYPES[t]
    if c.n < PEER_PAGE_FIXED then
        flag(c, nil, ef.truncated, string.format("%s needs at least %d bytes, got %d", TYPES[t], PEER_PAGE_FIXED, c.n))
    end
    add(c, tree, f.peer_token, 4, 8)
    local origin = add_broker_id(c, tree, 12)
    local _, vr = add(c, tree, f.peer_version, 20, 4)
    local pi, pr = add(c, tree, f.peer_page, 24, 1)
    local _, psr = add(c, tree, f.peer_pages, 25, 1)
    local ci, cr = add(c, tree, f.peer_count, 26, 2)
    if origin then info = info .. " origin=" .. origin end
    if not (vr and pr and psr and cr) or c.n < PEER_PAGE_FIXED then return info, nil end
    local page, pages, count = pr:uint(), psr:uint(), cr:uint()
    info = info .. string.format(" v%d page %d/%d entries=%d", vr:uint(), page + 1, pages, count)
    if pages < 1 or page >= pages then
        flag(c, pi, ef.bad_value, string.format("page %d of %d pages: pages must be at least 1 and page below it", page, pages))
    end
    local want = PEER_PAGE_FIXED + count * entry_size + PEER_TAG
    if c.n ~= want then
        flag(c, nil, ef.bad_length, string.format("%s with %d entries must be %d bytes, got %d", TYPES[t], count, want, c.n))
    elseif count > max then
        flag(c, ci, ef.limit, string.format("count %d exceeds %d (%s)", count, max, limit_name))
    end
    local present = math.max(0, math.min(count, math.floor((math.min(c.n, c.cap) - PEER_PAGE_FIXED - PEER_TAG) / entry_size)))
    return info, present
end

-- Checks a stream id in a peer entry (producer id and index non-zero); returns the typed text.
local function peer_stream(c, e, off)
    local sid, typed, si = add_stream_id(c, e, f.stream_id, off, "Stream ID", false)
    if sid and (sid % 256 == 0 or math.floor(sid / 256) == 0) then
        flag(c, si, ef.bad_value, "stream_id " .. typed .. " invalid: stream index and producer id must be non-zero")
    end
    return typed
end

body[17] = function(c, tree) -- PEER_ANNOUNCE: the streams the sender's own producers have online
    local info, present = peer_page(c, tree, 17, ANNOUNCE_ENTRY, MAX_ANNOUNCE, "maxAnnounceEntries")
    if present == nil then return info end
    local names = {}
    for i = 0, present - 1 do
        local off = PEER_PAGE_FIXED + i * ANNOUNCE_ENTRY
        local e = tree:add(f.peer_entry, c.tvb(off, ANNOUNCE_ENTRY))
        local typed = peer_stream(c, e, off)
        local kind = c.tvb(off + 4, 1):uint()
        local ki = e:add(f.kind, c.tvb(off + 4, 1))
        enum_check(c, ki, KINDS, kind, "kind")
        local origin = c.tvb(off + 5, 3):uint()
        local oi = e:add(f.origin, c.tvb(off + 5, 3))
        if origin == 0 then oi:set_text("Origin broker: 0 (none)") else oi:set_text("Origin broker: " .. hex6(origin)) end
        local rate = add_rate(c, e, off + 8)
        local claim = c.tvb(off + 12, 4):uint()
        e:add(f.peer_claim, c.tvb(off + 12, 4))
        e:add(f.peer_nonce, c.tvb(off + 16, 8))
        e:set_text(string.format("Entry %d: %s %s, %.3f frames/s, claim %d, on broker %s", i, typed, KINDS[kind] or ("kind " .. kind), rate / 1000,
            claim, hex6(origin)))
        if i < 4 then names[#names + 1] = typed .. " " .. (KINDS[kind] or "?") elseif i == 4 then names[#names + 1] = "..." end
    end
    add_tag(c, tree)
    if #names > 0 then info = info .. " [" .. table.concat(names, ", ") .. "]" end
    return info
end

body[18] = function(c, tree) -- PEER_INTEREST: the receiver's streams the sender's clients want
    local info, present = peer_page(c, tree, 18, INTEREST_ENTRY, MAX_INTEREST, "maxInterestEntries")
    if present == nil then return info end
    local names = {}
    for i = 0, present - 1 do
        local off = PEER_PAGE_FIXED + i * INTEREST_ENTRY
        local typed = peer_stream(c, tree, off)
        if i < 4 then names[#names + 1] = typed elseif i == 4 then names[#names + 1] = "..." end
    end
    add_tag(c, tree)
    if #names > 0 then info = info .. " [" .. table.concat(names, ", ") .. "]" end
    return info
end

body[19] = function(c, tree) -- PEER_BLOCKS: the operator's block and unblock decisions on producer ids
    local info, present = peer_page(c, tree, 19, BLOCK_ENTRY, MAX_BLOCKS, "maxBlockEntries")
    if present == nil then return info end
    local names = {}
    for i = 0, present - 1 do
        local off = PEER_PAGE_FIXED + i * BLOCK_ENTRY
        local e = tree:add(f.peer_entry, c.tvb(off, BLOCK_ENTRY))
        local pid = c.tvb(off, 4):uint()
        local pi = e:add(f.peer_block_producer, c.tvb(off, 4))
        e:add(f.producer, c.tvb(off + 1, 3), hex6(pid % 16777216)):set_generated()
        if pid == 0 or pid >= 16777216 then
            flag(c, pi, ef.bad_value, string.format("producer_id %08X invalid: it must be non-zero and below 2^24", pid))
        end
        local state = c.tvb(off + 4, 1):uint()
        local si = e:add(f.peer_block_state, c.tvb(off + 4, 1))
        enum_check(c, si, BLOCK_STATES, state, "state")
        e:add(f.reserved, c.tvb(off + 5, 3))
        local stamp = c.tvb(off + 8, 8):uint64()
        e:add(f.peer_stamp, c.tvb(off + 8, 8))
        local what = (BLOCK_STATES[state] or ("state " .. state)) .. " " .. hex6(pid % 16777216)
        e:set_text(string.format("Entry %d: %s, stamp %s", i, what, stamp:tohex()))
        if i < 4 then names[#names + 1] = what elseif i == 4 then names[#names + 1] = "..." end
    end
    add_tag(c, tree)
    if #names > 0 then info = info .. " [" .. table.concat(names, ", ") .. "]" end
    return info
end

-- GSO batches -----------------------------------------------------------------------------------------
--
-- Producers and the broker send a run of DATA datagrams to one peer as one UDP GSO message (sendmmsg with
-- UDP_SEGMENT = the first datagram's length; the others have that length too, the last may be shorter;
-- BatchSender in Sources/Wire/Socket/UDPSocket.swift). The kernel cuts it into datagrams every segment-size
-- bytes as late as possible, so a capture on loopback or between containers shows the whole run as one
-- UDP payload. A DATA message's length is fixed by its header (44 + min(1356, frame_length -
-- chunk_index * 1356), PROTOCOL.md section 3), so the segment size is the first message's own length and
-- the split is the kernel's: every size bytes, the remainder last. It is taken only if every piece is a
-- DATA message whose header passes every rule and declares exactly the piece's length.

-- The length the DATA message at [off, off+avail) declares, or nil and why not (a header rule it breaks).
local function data_declared_length(tvb, off, avail)
    if avail < DATA_HEADER then
        return nil, string.format("is %d byte%s, shorter than a DATA header", avail, avail == 1 and "" or "s")
    end
    if tvb(off, 2):uint() ~= MAGIC or tvb(off + 2, 1):uint() ~= VERSION then
        return nil, "does not start with magic 0x5642 version 1"
    end
    local t = tvb(off + 3, 1):uint()
    if t ~= 10 then return nil, "is not DATA (type " .. t .. ")" end
    local sid = tvb(off + 4, 4):uint()
    if sid % 256 == 0 or math.floor(sid / 256) == 0 then return nil, "has an invalid stream_id " .. hex8(sid) end
    local len = tvb(off + 16, 4):uint()
    if len == 0 or len > MAX_FRAME then return nil, "has frame_length " .. len end
    local idx, cnt = tvb(off + 20, 2):uint(), tvb(off + 22, 2):uint()
    if cnt ~= math.ceil(len / CHUNK_PAYLOAD) then return nil, "has chunk_count " .. cnt .. " for frame_length " .. len end
    if idx >= cnt then return nil, "has chunk_index " .. idx .. " not below chunk_count " .. cnt end
    return DATA_HEADER + math.min(CHUNK_PAYLOAD, len - idx * CHUNK_PAYLOAD)
end

-- Splits a wholly captured datagram that starts with a valid DATA message shorter than the datagram.
-- Returns the pieces ({offset, length}, ...) and the segment size, or nil and (when the datagram looked
-- like a batch: a valid first DATA message) why it is not taken as one.
local function gso_split(c)
    if c.cap < DATA_HEADER then return nil end
    local size = data_declared_length(c.tvb, 0, c.n)
    if size == nil or size >= c.n then return nil end
    if c.cap < c.n then
        return nil, string.format("only %d of %d bytes captured, too few to check for a GSO batch", c.cap, c.n)
    end
    local total = math.ceil(c.n / size)
    local segs = {}
    local off = 0
    while off < c.n do
        local len = math.min(size, c.n - off)
        local want, why = data_declared_length(c.tvb, off, len)
        if want ~= len then
            why = why or string.format("declares %d bytes", want)
            return nil, string.format("not a clean GSO batch of DATA datagrams either: segment %d of %d (bytes %d-%d of %d-byte segments) %s",
                #segs + 1, total, off, off + len - 1, size, why)
        end
        segs[#segs + 1] = { off, len }
        off = off + len
    end
    return segs, size
end

-- "100-104,107,109-110": runs of consecutive numbers (serial, +1 mod 2^32), at most 4 runs then "...".
local function runs_text(nums)
    local parts = {}
    local i = 1
    while i <= #nums do
        if #parts == 4 then parts[#parts + 1] = "..."; break end
        local j = i
        while j < #nums and nums[j + 1] == (nums[j] + 1) % 4294967296 do j = j + 1 end
        parts[#parts + 1] = (j == i) and tostring(nums[i]) or (nums[i] .. "-" .. nums[j])
        i = j + 1
    end
    return table.concat(parts, ",")
end

-- Decodes each piece as its own DATA subtree; returns the Info text
-- ("GSO batch of 11 DATA 1AAA9901 seq=100-110 frame=5", streams in order of appearance, "; " between).
local function dissect_gso(c, root, segs, size)
    local n = #segs
    local last = segs[n][2]
    root:append_text(string.format(", GSO batch of %d DATA", n))
    root:add(f.gso_segments, c.tvb(0, 0), n):set_generated()
    root:add(f.gso_segment_size, c.tvb(0, 0), size):set_generated()
    root:add_proto_expert_info(ef.gso_batch, string.format(
        "UDP GSO batch as captured before segmentation: %d bytes = %d DATA datagrams of %d bytes%s; the receiver gets them one by one (each decoded below)",
        c.n, n, size, last < size and string.format(" (the last %d)", last) or ""))
    local order, by = {}, {}
    local any_rt, any_cached = false, false
    for k, s in ipairs(segs) do
        local stvb = c.tvb(s[1], s[2]):tvb()
        local st = root:add(f.gso_segment, c.tvb(s[1], s[2]), k)
        local sc = new_ctx(stvb, c.pinfo, st)
        st:add(f.magic, stvb(0, 2))
        st:add(f.version, stvb(2, 1))
        st:add(f.type, stvb(3, 1))
        local info = body[10](sc, st)
        c.errors = c.errors + sc.errors
        st:set_text(string.format("%s (GSO segment %d of %d)", info, k, n))
        local sid, seq, frame, flags = stvb(4, 4):uint(), stvb(8, 4):uint(), stvb(12, 4):uint(), stvb(32, 1):uint()
        local g = by[sid]
        if g == nil then
            g = { seqs = {}, frames = {} }
            by[sid] = g
            order[#order + 1] = sid
        end
        g.seqs[#g.seqs + 1] = seq
        if g.frames[#g.frames] ~= frame then g.frames[#g.frames + 1] = frame end
        if flags % 2 == 1 then any_rt = true end
        if math.floor(flags / 2) % 2 == 1 then any_cached = true end
    end
    local parts = {}
    for _, sid in ipairs(order) do
        local g = by[sid]
        parts[#parts + 1] = string.format("%s seq=%s frame=%s", hex8(sid), runs_text(g.seqs), runs_text(g.frames))
    end
    local info = string.format("GSO batch of %d DATA %s", n, table.concat(parts, "; "))
    if any_rt then info = info .. " [retransmit]" end
    if any_cached then info = info .. " [cached]" end
    return info
end

-- Main ----------------------------------------------------------------------------------------------

-- The control trailer (PROTOCOL.md section 4, "Control authentication"): every WELCOME, HEARTBEAT_ACK, ACK, ERROR,
-- STREAM_STATUS, LIST_REPLY and BYE a broker sends a client or producer ends in a u32 counter and a u64 tag. Returns
-- the message's length without it, or nil when the datagram carries none (a BYE to the broker, or between brokers).
local SEALED_FIXED = { [3] = 28, [5] = 20, [8] = 16, [12] = 16, [15] = 16 }
local TRAILER = 12
local function sealed_length(c, t)
    local want
    if SEALED_FIXED[t] then
        want = SEALED_FIXED[t]
    elseif t == 9 and c.cap >= 10 then
        want = 10 + c.tvb(9, 1):uint()
    elseif t == 14 and c.cap >= 13 then
        want = 16 + 16 * c.tvb(12, 1):uint()
    end
    if want and c.n == want + TRAILER then return want end
    return nil
end

-- Dissects a message's body; a sealed one without its trailer, which is shown after it (the tag is not checked: the
-- dissector does not know the session's key).
local function dissect_body(c, root, t)
    local inner = sealed_length(c, t)
    if not inner then return body[t](c, root) end
    local full = c.n
    c.n = inner
    local info = body[t](c, root)
    c.n = full
    if c.cap >= full then
        local tt = root:add(f.control_trailer, c.tvb(inner, TRAILER))
        local cr = c.tvb(inner, 4)
        tt:add(f.control_counter, cr)
        tt:add(f.control_tag, c.tvb(inner + 4, 8))
        info = info .. " [sealed #" .. cr:uint() .. "]"
    end
    return info
end

local function dissect(tvb, pinfo, tree)
    pinfo.cols.protocol = "VBWIRE"
    local root = tree:add(proto, tvb())
    local c = new_ctx(tvb, pinfo, root)
    local info
    if c.cap < c.n then
        root:add_proto_expert_info(ef.snaplen, string.format("only %d of %d bytes captured", c.cap, c.n))
    end
    local segs, extra = gso_split(c)
    if segs then
        info = dissect_gso(c, root, segs, extra)
        local dir = directions(pinfo, 10, nil)
        root:add(f.direction, c.tvb(0, 0), dir):set_generated()
        if proto.prefs.show_roles then info = dir .. " " .. info end
        if c.errors > 0 then info = info .. " [Malformed]" end
        pinfo.cols.info:set(info)
        return c.cap
    end
    if c.n > MAX_DATAGRAM then
        local why = ""
        if extra then why = "; " .. extra end
        flag(c, nil, ef.too_long, string.format("datagram is %d bytes, the limit is %d (maxDatagram)%s", c.n, MAX_DATAGRAM, why))
    end
    repeat
        if c.n < 4 then
            flag(c, nil, ef.truncated, string.format("datagram is %d bytes, the common header needs 4", c.n))
        end
        local mi, mr = add(c, root, f.magic, 0, 2)
        if not mi then info = "VBWIRE truncated"; break end
        if mr:uint() ~= MAGIC then
            flag(c, mi, ef.bad_magic, string.format("bad magic 0x%04X, expected 0x5642 (\"VB\")", mr:uint()))
            info = string.format("Not VB wire: bad magic 0x%04X", mr:uint())
            break
        end
        local vi, vr = add(c, root, f.version, 2, 1)
        if not vi then info = "VBWIRE truncated"; break end
        if vr:uint() ~= VERSION then
            flag(c, vi, ef.bad_version, string.format("unsupported protocol version %d, expected %d", vr:uint(), VERSION))
            info = "VBWIRE unsupported version " .. vr:uint()
            break
        end
        local ti, tr = add(c, root, f.type, 3, 1)
        if not ti then info = "VBWIRE truncated"; break end
        local t = tr:uint()
        if TYPES[t] == nil then
            flag(c, ti, ef.unknown_type, string.format("unknown message type %d (1..19 are defined)", t))
            info = "VBWIRE unknown type " .. t
            break
        end
        root:append_text(", " .. TYPES[t])
        info = dissect_body(c, root, t)
        if t == 4 or t == 5 or t == 16 then root:add(f.heartbeat, c.tvb(3, 1), true):set_generated() end
        local hello_role = nil
        if t == 1 and c.cap > 20 then hello_role = ROLES[c.tvb(20, 1):uint()] end
        local dir = directions(pinfo, t, hello_role)
        root:add(f.direction, c.tvb(0, 0), dir):set_generated()
        if proto.prefs.show_roles then info = dir .. " " .. info end
    until true
    if c.errors > 0 then info = info .. " [Malformed]" end
    pinfo.cols.info:set(info)
    return c.cap
end

function proto.init()
    requests = {}
    roles = {}
    broker_ports = nil
end

function proto.dissector(tvb, pinfo, tree)
    return dissect(tvb, pinfo, tree)
end

-- Heuristic: magic and version must match, anything else is not ours.
local function heuristic(tvb, pinfo, tree)
    if not proto.prefs.heuristic then return false end
    if tvb:len() < 3 then return false end
    if tvb(0, 2):uint() ~= MAGIC or tvb(2, 1):uint() ~= VERSION then return false end
    dissect(tvb, pinfo, tree)
    return true
end
proto:register_heuristic("udp", heuristic)

local udp_port = DissectorTable.get("udp.port")
local registered = DEFAULT_PORTS
udp_port:add(registered, proto)
if udp_port.add_for_decode_as then udp_port:add_for_decode_as(proto) end

function proto.prefs_changed()
    broker_ports = nil
    local ports = proto.prefs.ports
    if tostring(ports) ~= tostring(registered) then
        udp_port:remove(registered, proto)
        registered = ports
        udp_port:add(registered, proto)
    end
end
