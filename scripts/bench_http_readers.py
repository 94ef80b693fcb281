"""scripts/bench's http-readers scenario (issue 19): one producer at --http-fps x --http-frame-bytes, the viewer
(client --web) serving its /streams/<ID>.mjpg to --http-readers readers on loopback (tools/bench/httpreaders.c, one
process with an epoll loop), then a plain loopback TCP sender (iperf3, one stream) at the rate the readers got, in
the same run. Figures: frames at every reader (numbers carried in the frames, so a gap is a missed frame), the
time from a reader's request to the end of its first frame, the viewer's CPU per delivered MB (utime+stime of
/proc/PID/stat) and iperf3's sender CPU per MB; their ratio is the figure (aim <= 1.5)."""

import json
import os
import random
import shutil
import subprocess
import time
import urllib.request

PRODUCER = "7E5701"
CYCLE = 240  # numbered frame files the producer loops over


def make_frames(folder, count, size):
    """`count` JPEG-shaped files of `size` bytes: SOI, a COM segment carrying "VB" and the frame number (bytes 8..11,
    big-endian), noise, EOI. The viewer passes them unchanged; only their length and number matter here."""
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(19)
    noise = bytes(rng.getrandbits(8) for _ in range(size + count))
    for n in range(count):
        head = b"\xff\xd8\xff\xfe\x00\x0aVB" + n.to_bytes(4, "big") + b"\x00\x00"
        body = noise[n:n + size - len(head) - 2]
        with open(os.path.join(folder, f"frame{n}.jpg"), "wb") as f:
            f.write(head + body + b"\xff\xd9")


def quantile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))] if s else None


def cpu_of_exited(p, proc_cpu_seconds):
    """CPU seconds of a child that is exiting: waited for without reaping, so /proc still has its final times."""
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    cpu = proc_cpu_seconds(p.pid)
    p.wait()
    return cpu


def run(bench, g, readers, fps, frame_bytes, seconds):
    BenchError, log, rnd = g["BenchError"], g["log"], g["rnd"]
    proc_cpu_seconds, free_port = g["proc_cpu_seconds"], g["free_port"]
    if not shutil.which("gcc"):
        raise BenchError("gcc not found (needed for tools/bench/httpreaders.c)")
    if not shutil.which("iperf3"):
        raise BenchError("iperf3 not found (apt-get install -y iperf3): it is the reference of http-readers")
    tool = bench.tools / "httpreaders"
    src = g["REPO"] / "tools" / "bench" / "httpreaders.c"
    if not tool.exists() or tool.stat().st_mtime < src.stat().st_mtime:
        subprocess.run(["gcc", "-O2", "-Wall", "-o", str(tool), str(src)], check=True)
    P = bench.procs = g["Procs"](bench.logroot / "http-readers")
    try:
        frames = P.logdir / "frames"
        make_frames(frames, CYCLE, frame_bytes)
        broker, port, mport = bench.start_broker(P)
        addr = f"127.0.0.1:{port}"
        P.start("producer", [bench.bin / "producer", "--broker", addr, "--id", PRODUCER, "--frames", frames, "--rate", fps,
                             "--log-level", "warning"])
        web = free_port(g["socket"].SOCK_STREAM)
        client = P.start("viewer", [bench.bin / "client", "--broker", addr, "--web", f"127.0.0.1:{web}", "--status-interval", "0",
                                    "--log-level", "warning"], stdin=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{web}/streams.m3u", timeout=2) as r:
                    if PRODUCER in r.read().decode():
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or client.poll() is not None:
                raise BenchError("http-readers: the viewer never listed the producer")
            time.sleep(0.1)

        load = P.start("httpreaders", [tool, web, f"/streams/{PRODUCER}.mjpg", readers, seconds, CYCLE], stdout_pipe=True)
        line = load.stdout.readline().decode().strip()
        if line != "READY":
            raise BenchError(f"http-readers: the readers did not all open: {g['read_text'](load.bench_err)[-400:]}")
        c0, t0 = proc_cpu_seconds(client.pid), time.monotonic()
        result = load.stdout.readline().decode()
        c1, t1 = proc_cpu_seconds(client.pid), time.monotonic()
        load.wait(10)
        if not result.startswith("{"):
            raise BenchError(f"http-readers: no figures from the readers: {g['read_text'](load.bench_err)[-400:]}")
        rs = json.loads(result)["readers"]
        with urllib.request.urlopen(f"http://127.0.0.1:{web}/api/readers", timeout=5) as r:
            api = json.load(r)
        P.stop(client)

        pcts = [100.0 * x["parts"] / max(1, x["parts"] + x["missed"]) for x in rs]
        total_bytes = sum(x["bytes"] for x in rs)
        wall = t1 - t0
        viewer_cpu = c1 - c0
        rate = total_bytes / wall  # bytes/s the readers got, the reference's rate too

        # The reference: one loopback TCP stream at the same rate, its sender's CPU per MB.
        iport = free_port(g["socket"].SOCK_STREAM)
        server = P.start("iperf3-server", ["iperf3", "-s", "-1", "-p", iport])
        time.sleep(0.3)
        ip = subprocess.Popen(["iperf3", "-c", "127.0.0.1", "-p", str(iport), "-b", str(int(rate * 8)), "-P", "1", "-t", str(seconds), "-J"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = ip.stdout.read()
        ip_cpu = cpu_of_exited(ip, proc_cpu_seconds)
        P.stop(server)
        doc = json.loads(out)
        if "error" in doc:
            raise BenchError(f"iperf3: {doc['error']}")
        sent = doc["end"]["sum_sent"]["bytes"]
        ip_wall = doc["end"]["sum_sent"]["seconds"]
        ms_mb_viewer = 1000 * viewer_cpu / (total_bytes / 1e6) if total_bytes else None
        ms_mb_iperf = 1000 * ip_cpu / (sent / 1e6) if sent and ip_cpu is not None else None
        first = [x["first_ms"] for x in rs]
        streams = {s["stream"]: s for s in api.get("streams", [])}
        v = streams.get(f"{PRODUCER}01", {})
        r = {
            "scenario": "http-readers",
            "forwarder": "http-readers",
            "readers": readers,
            "fps": fps,
            "frame_bytes": frame_bytes,
            "seconds": rnd(wall, 2),
            "frames_at_every_reader_pct_min": rnd(min(pcts), 3),
            "frames_at_readers_pct_mean": rnd(sum(pcts) / len(pcts), 3),
            "readers_below_99_9_pct": sum(1 for p in pcts if p < 99.9),
            "frames_per_reader_mean": rnd(sum(x["parts"] for x in rs) / len(rs), 1),
            "readers_closed": sum(x["closed"] for x in rs),
            "first_frame_ms_p50": rnd(quantile(first, 0.5), 2),
            "first_frame_ms_p99": rnd(quantile(first, 0.99), 2),
            "first_frame_ms_max": rnd(max(first), 2),
            "delivered_mb_per_s": rnd(rate / 1e6, 2),
            "viewer_cpu_pct": rnd(100 * viewer_cpu / wall, 1),
            "viewer_cpu_ms_per_mb": rnd(ms_mb_viewer, 3),
            "viewer_frames_dropped": v.get("framesDropped"),
            "viewer_readers_closed_slow": v.get("closedSlow"),
            "iperf3_mb_per_s": rnd(sent / ip_wall / 1e6, 2),
            "iperf3_sender_cpu_ms_per_mb": rnd(ms_mb_iperf, 3),
            "iperf3_sender_cpu_pct_reported": rnd(doc["end"].get("cpu_utilization_percent", {}).get("host_total"), 1),
            "cpu_ratio_vs_tcp_sender": rnd(ms_mb_viewer / ms_mb_iperf, 3) if ms_mb_viewer and ms_mb_iperf else None,
        }
        log(f"http-readers: {r['frames_at_every_reader_pct_min']}% frames at the worst reader, first frame p99 "
            f"{r['first_frame_ms_p99']} ms, viewer {r['viewer_cpu_ms_per_mb']} ms/MB vs iperf3 {r['iperf3_sender_cpu_ms_per_mb']} ms/MB")
        return r
    finally:
        P.stop_all()


def table(results):
    """The http-readers rows, with the issue's targets."""
    rows = [r for r in results if r.get("scenario") == "http-readers"]
    if not rows:
        return ""
    lines = ["\nhttp-readers (targets: >= 99.9% of frames at every reader, first frame <= 50 ms, CPU per MB <= 1.5x a TCP sender's):"]
    for r in rows:
        if "error" in r:
            lines.append(f"  ERROR {r['error']}")
            continue
        cells = [
            ("readers", r["readers"]), ("stream", f"{r['fps']} fps x {r['frame_bytes']} B"), ("MB/s delivered", r["delivered_mb_per_s"]),
            ("frames % worst/mean", f"{r['frames_at_every_reader_pct_min']}/{r['frames_at_readers_pct_mean']}"),
            ("first frame ms p50/p99/max", f"{r['first_frame_ms_p50']}/{r['first_frame_ms_p99']}/{r['first_frame_ms_max']}"),
            ("viewer CPU %", r["viewer_cpu_pct"]), ("viewer ms/MB", r["viewer_cpu_ms_per_mb"]),
            ("iperf3 ms/MB", r["iperf3_sender_cpu_ms_per_mb"]), ("ratio", r["cpu_ratio_vs_tcp_sender"]),
            ("dropped", r["viewer_frames_dropped"]),
        ]
        widths = [max(len(k), len(str(v))) for k, v in cells]
        head = " | ".join(k.ljust(w) for (k, _), w in zip(cells, widths))
        body = " | ".join(str(v).ljust(w) for (_, v), w in zip(cells, widths))
        lines += [f"  | {head} |", "  |" + "|".join("-" * (w + 2) for w in widths) + "|", f"  | {body} |"]
    return "\n".join(lines)
