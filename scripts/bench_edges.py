"""scripts/bench's edges scenario (issue 24, docs/CLUSTER.md): three meshed cores A, B, C and four edges on
loopback (E1 below A then B, E2 below B then A, E4 below C then A, E3 below E1 then E2: two levels), the producers
on A, the subscribers spread over the four edges. Figures: frames delivered, end-to-end latency per depth (a
client's capture-to-receive time, so depth 2 minus depth 1 is what one more hop adds), each broker's CPU per
datagram it sent, each edge's datagrams received per stream datagram, and all seven brokers' CPU per datagram the
clients received against one broker carrying the same subscribers in the same invocation."""

import math
import time

CORES = ["A", "B", "C"]
EDGES = {"E1": (["A", "B"], 1), "E2": (["B", "A"], 1), "E3": (["E1", "E2"], 2), "E4": (["C", "A"], 1)}


def run(bench, g, n_streams, frame_bytes, fps, subs, duration):
    P = bench.procs = g["Procs"](bench.logroot / "edges")
    try:
        return _run(bench, g, P, n_streams, frame_bytes, fps, subs, duration)
    finally:
        P.stop_all()


def _wait(g, what, cond, seconds, procs):
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise g["BenchError"](f"edges: {what}")
        time.sleep(0.05)


def _start_tree(bench, g, P):
    free_port, scrape, msum = g["free_port"], g["scrape"], g["msum"]
    env = {"CLUSTER_SECRET": "bench cluster secret, not a real one"}
    names = CORES + list(EDGES)
    addr = {n: f"127.0.0.1:{free_port()}" for n in names}
    procs, mports = {}, {}
    peers = ",".join(addr[n] for n in CORES)
    for n in CORES:
        procs[n], _, mports[n] = bench.start_broker(P, port=int(addr[n].split(":")[1]), extra=["--peers", peers], env=env, name=f"core-{n}")
    _wait(g, "the cores did not link", lambda: all(msum(scrape(mports[n]), "broker_peer_up") >= 2 for n in CORES), 15, procs.values())
    for n, (ups, _) in EDGES.items():  # in order: E3's upstreams start before it
        upstream = ",".join(addr[u] for u in ups)
        procs[n], _, mports[n] = bench.start_broker(P, port=int(addr[n].split(":")[1]), extra=["--upstream", upstream], env=env, name=f"edge-{n}")
        _wait(g, f"{n} did not link to its upstream", lambda n=n: msum(scrape(mports[n]), "broker_peer_up") >= 1, 15, procs.values())
    return names, addr, procs, mports


def _run(bench, g, P, n_streams, frame_bytes, fps, subs, duration):
    scrape, msum, log, rnd = g["scrape"], g["msum"], g["log"], g["rnd"]
    parse_summaries, read_text = g["parse_summaries"], g["read_text"]
    names, addr, procs, mports = _start_tree(bench, g, P)
    dpf = math.ceil(frame_bytes / g["CHUNK_PAYLOAD"])
    frames = max(2, round(fps * duration))
    ids = [f"{0xE00001 + i:06X}" for i in range(n_streams)]
    sids = [i + "01" for i in ids]
    split = {e: subs // len(EDGES) + (1 if k < subs % len(EDGES) else 0) for k, e in enumerate(EDGES)}
    plans = {e: bench.client_plan(k) for e, k in split.items()}
    lead = 3.0 + subs / 500 + sum(len(p) for p in plans.values()) * 0.1
    penv = {"PRODUCERS": ",".join(f"{i}:{fps}:{lead + k / (fps * n_streams):.4f}" for k, i in enumerate(ids))}
    producer = P.start("producer", [bench.bin / "producer", "--broker", addr["A"], "--synthetic", frame_bytes, "--stop-after", frames,
                                    "--log-level", "warning"], env=penv)
    t_first = time.monotonic() + lead
    _wait(g, "the streams did not reach every edge",
          lambda: all(msum(scrape(mports[e]), "broker_stream_origin") >= n_streams for e in EDGES), 10, [producer])
    clients = {e: bench.start_clients(P, addr[e], sids, plans[e]) for e in EDGES}
    w_start = t_first + min(1.0, 0.2 * duration)
    w_end = max(w_start + 0.5, t_first + duration - 0.2)
    pids = {n: p.pid for n, p in procs.items()}
    bench.wait_until(w_start)
    s0, m0 = bench.sample(pids), {n: scrape(mports[n]) for n in names}
    bench.wait_until(w_end)
    s1, m1 = bench.sample(pids), {n: scrape(mports[n]) for n in names}
    deadline = t_first + duration + 5
    while producer.poll() is None and time.monotonic() < deadline:
        if msum(scrape(mports["A"]), "broker_stream_frames_in_total") >= frames * n_streams:
            break
        time.sleep(0.05)
    P.stop(producer)
    time.sleep(bench.args.drain)
    mEnd = {n: scrape(mports[n]) for n in names}
    rows = {}
    for e in EDGES:
        rows[e] = []
        for c in clients[e]:
            P.stop(c, timeout=10)
            rows[e] += parse_summaries(read_text(c.bench_out))
    for n in names:
        P.stop(procs[n])
    return _figures(g, n_streams, frame_bytes, fps, subs, duration, dpf, frames, split, s0, s1, m0, m1, mEnd, rows, bench)


def _figures(g, n_streams, frame_bytes, fps, subs, duration, dpf, frames, split, s0, s1, m0, m1, mEnd, rows, bench):
    msum, rnd = g["msum"], g["rnd"]
    dt, busy, cpu = bench.window_cpu(s0, s1)
    stream_dg = msum(mEnd["A"], "broker_stream_datagrams_in_total")
    per_broker, cpu_all, to_clients = {}, 0.0, 0.0
    for n in CORES + list(EDGES):
        c = cpu.get(n)
        d_out = msum(m1[n], "broker_datagrams_out_total") - msum(m0[n], "broker_datagrams_out_total")
        if n in EDGES:
            to_clients += d_out
        per_broker[n] = {
            "depth": EDGES[n][1] if n in EDGES else 0,
            "subscribers": split.get(n, 0),
            "cpu_pct": rnd(100 * c / dt, 1) if c is not None else None,
            "cpu_us_per_datagram_sent": rnd(c / d_out * 1e6, 3) if c is not None and d_out else None,
            "received_per_stream_datagram": rnd(msum(mEnd[n], "broker_stream_datagrams_in_total") / stream_dg, 4) if stream_dg and n != "A" else None,
        }
        cpu_all += c or 0
    depth = {}
    for e, (_, d) in EDGES.items():
        depth.setdefault(d, []).extend(r for r in rows[e] if r["frames"] > 0)
    lat = {}
    for d, rs in sorted(depth.items()):
        w = sum(r["frames"] for r in rs)
        lat[f"depth_{d}"] = {"latency_ms_p50": rnd(sum(r["frames"] * r["p50"] for r in rs) / w, 2) if w else None,
                             "latency_ms_p99": max((r["p99"] for r in rs), default=None)}
    allrows = [r for e in EDGES for r in rows[e]]
    got = sum(r["frames"] for r in allrows)
    return {
        "scenario": "edges", "forwarder": "edges", "brokers": len(CORES) + len(EDGES), "streams": n_streams,
        "frame_bytes": frame_bytes, "datagrams_per_frame": dpf, "fps_per_stream": fps, "subscribers": subs, "duration_s": duration,
        "frames_delivered_pct": rnd(100 * got / (frames * subs), 3) if subs else None,
        "frames_dropped": sum(r["dropped"] for r in allrows),
        "latency_by_depth": lat,
        "per_broker": per_broker,
        "host_cpu_busy_pct": rnd(100 * busy, 1),
        "tree_cpu_us_per_client_datagram": rnd(cpu_all / to_clients * 1e6, 3) if to_clients else None,
    }
