"""scripts/bench's live-source scenarios (issue 20), group `sources`, not in `all`:

  source-pipe     ffmpeg's testsrc (640x360, 24 fps, -q:v 5) piped as `-f mjpeg -` into `producer --frames -`, the
                  broker, `client --web`, and headless Chromium on /?watch=<ID>: the tile's capture-to-painted
                  latency p50/p99 (capture = arrival at the producer for a live source). Target p99 < 60 ms.
  source-browser  the publish page (`producer --web`) in one Chromium tab with a fake camera (an MJPEG file, 320x240,
                  24 fps), the viewer page watching that id in another tab: the viewer's p50/p99, whose capture time
                  is the frame's arrival at the gateway, so the browser's own capture-to-send time is NOT in it; that
                  is measured in the publish page apart (draw-to-send: from the page drawing the camera's VideoFrame to
                  its WebSocket send; and the VideoFrame's timestamp to that send when the timestamp is on the page's
                  clock) and added to the viewer's p50/p99 for an estimate. Target p99 < 150 ms.
  source-http50   one producer process carrying 50 HTTP MJPEG sources (PRODUCERS entries `ID:12:0@http://…`), each a
                  connection to a small multipart server here that serves producer/1AAA99/frames at 12 fps per
                  connection (its own absolute schedule, phases spread); a `client --output` subscribed to all 50.
                  Figures: the producer's CPU per frame (utime+stime of /proc/PID/stat over the window), and per
                  source the frames saved and the p99 interval between frames, both at the producer (capture times in
                  the saved names) and at the subscriber (the saved files' mtimes): no source delaying another means
                  every source's p99 near 83 ms.

Python standard library only; loopback only. Nothing here passes or fails on speed: the targets are printed."""

import glob
import http.server
import json
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from viewer_cluster import Browser, DevToolsSocket, find_chromium, read_tiles, urlopen_json  # noqa: E402

SCENARIOS = ["source-pipe", "source-browser", "source-http50"]
PIPE_ID, BROWSER_ID = "3CCC55", "4DDD44"
HTTP_SOURCES, HTTP_FPS = 50, 12
SETTLE, WINDOW = 4, 15  # seconds before the window (page loading, first decodes), and of the window

# The publish page's own capture-to-send time, wrapped around its drawImage and WebSocket send before its scripts
# run: the draw of a camera VideoFrame starts a frame, the next binary send of a video message (first byte 1) ends it.
SEND_TIMING = """
(() => {
  const t = window.__sendTiming = {drawToSend: [], stampToSend: [], pending: []};
  const draw = OffscreenCanvasRenderingContext2D.prototype.drawImage;
  OffscreenCanvasRenderingContext2D.prototype.drawImage = function (src, ...rest) {
    if (typeof VideoFrame !== 'undefined' && src instanceof VideoFrame) t.pending.push({at: performance.now(), stamp: src.timestamp / 1000});
    return draw.call(this, src, ...rest);
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (m) {
    if (m instanceof Uint8Array && m[0] === 1 && t.pending.length) {
      const p = t.pending.shift(), now = performance.now();
      t.drawToSend.push(now - p.at);
      t.stampToSend.push(now - p.stamp);
    }
    return send.call(this, m);
  };
})();
"""


def quantile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))] if s else None


def wait_listed(g, port, ids, proc, what, timeout=20):
    """Until the viewer's /streams.m3u lists every id in `ids`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/streams.m3u", timeout=2) as r:
                body = r.read().decode()
                if all(i in body for i in ids):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            raise g["BenchError"](f"{what}: the viewer never listed {ids}")
        time.sleep(0.1)


def viewer_window(tab, stream):
    """Latency percentiles over WINDOW seconds after SETTLE (the page's first seconds dropped), and the painted rate."""
    time.sleep(SETTLE)
    tab.evaluate("for (const t of tiles.values()) t.latencies = []")
    a = read_tiles(tab).get(stream, {})
    t0 = time.monotonic()
    time.sleep(WINDOW)
    b = read_tiles(tab).get(stream, {})
    return b, (b.get("painted", 0) - a.get("painted", 0)) / (time.monotonic() - t0)


def start_viewer(bench, g, P, port, name="viewer"):
    web = g["free_port"](g["socket"].SOCK_STREAM)
    client = P.start(name, [bench.bin / "client", "--broker", f"127.0.0.1:{port}", "--web", f"127.0.0.1:{web}", "--status-interval", "0",
                            "--log-level", "warning"], stdin=subprocess.PIPE)
    return client, web


def open_window(browser, url, before=None):
    """`url` in a window of its own: a second tab of the same window would be hidden, and Chromium throttles a hidden
    page's timers and encodes to about once a second (the publish page's frames then wait up to 1 s)."""
    with urlopen_json(f"http://127.0.0.1:{browser.port}/json/version") as v:
        root = DevToolsSocket(v["webSocketDebuggerUrl"])
    target = root.call("Target.createTarget", url="about:blank", newWindow=True)["targetId"]
    root.sock.close()
    with urlopen_json(f"http://127.0.0.1:{browser.port}/json/list") as targets:
        ws = next(t["webSocketDebuggerUrl"] for t in targets if t["id"] == target)
    tab = DevToolsSocket(ws)
    tab.call("Page.enable")
    tab.call("Runtime.enable")
    tab.call("Emulation.setDeviceMetricsOverride", width=browser.width, height=browser.height, deviceScaleFactor=1, mobile=False)
    if before:
        tab.call("Page.addScriptToEvaluateOnNewDocument", source=before)
    tab.call("Page.navigate", url=url)
    return tab


def need_chromium(g):
    chromium = find_chromium()
    if not chromium:
        raise g["BenchError"]("chromium not found (apt-get install -y chromium)")
    return chromium


def run_pipe(bench, g):
    rnd = g["rnd"]
    chromium = need_chromium(g)
    P = bench.procs = g["Procs"](bench.logroot / "source-pipe")
    browser = None
    try:
        _, port, _ = bench.start_broker(P)
        ffmpeg = P.start("ffmpeg", ["ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=24", "-q:v", "5",
                                    "-f", "mjpeg", "-"], stdout_pipe=True)
        # RATE is a cap for a live source: 30 lets ffmpeg's 24 fps through whole.
        P.start("producer", [bench.bin / "producer", "--broker", f"127.0.0.1:{port}", "--id", PIPE_ID, "--frames", "-", "--rate", "30",
                             "--log-level", "warning"], stdin=ffmpeg.stdout)
        ffmpeg.stdout.close()
        client, web = start_viewer(bench, g, P, port)
        wait_listed(g, web, [PIPE_ID], client, "source-pipe")
        browser = Browser(chromium, str(P.logdir))
        tab = browser.open(f"http://127.0.0.1:{web}/?watch={PIPE_ID}")
        tile, rate = viewer_window(tab, PIPE_ID)
        r = {"scenario": "source-pipe", "forwarder": "source-pipe", "source": "ffmpeg testsrc 640x360 24 fps -q:v 5, -f mjpeg - into FRAMES=-",
             "seconds": WINDOW, "painted_fps": rnd(rate, 1), "latency_ms_p50": rnd(tile.get("p50"), 1), "latency_ms_p99": rnd(tile.get("p99"), 1),
             "frames_dropped": tile.get("dropped"), "target_p99_ms": 60}
        g["log"](f"source-pipe: painted {r['painted_fps']} fps, capture to painted p50 {r['latency_ms_p50']} / p99 {r['latency_ms_p99']} ms")
        return r
    finally:
        if browser:
            browser.stop()
        P.stop_all()


def run_browser(bench, g):
    import publish_check
    rnd = g["rnd"]
    chromium = need_chromium(g)
    P = bench.procs = g["Procs"](bench.logroot / "source-browser")
    browser = None
    try:
        secret = os.environ.get("PUBLISH_SECRET") or "bench publish secret, not a real one"  # what Procs gives every child
        key = subprocess.run([bench.bin / "broker", "--issue-key", BROWSER_ID], env=dict(os.environ, PUBLISH_SECRET=secret),
                             capture_output=True, text=True, check=True).stdout.strip()
        camera, microphone = publish_check.make_media(str(P.logdir))
        _, port, _ = bench.start_broker(P)
        gateway = g["free_port"](g["socket"].SOCK_STREAM)
        P.start("producer", [bench.bin / "producer", "--broker", f"127.0.0.1:{port}", "--web", f"127.0.0.1:{gateway}", "--log-level", "warning"])
        client, web = start_viewer(bench, g, P, port)
        browser = Browser(chromium, str(P.logdir), extra_args=publish_check.fake_devices(camera, microphone))
        publish = open_window(browser, f"http://127.0.0.1:{gateway}/publish?id={BROWSER_ID}&key={key}&start=1&fps=24&size=320x240",
                              before=SEND_TIMING)
        wait_listed(g, web, [BROWSER_ID], client, "source-browser", timeout=30)
        tab = open_window(browser, f"http://127.0.0.1:{web}/?watch={BROWSER_ID}")
        time.sleep(SETTLE)
        f0 = json.loads(publish_check.page_state(publish))["frames"]
        publish.evaluate("window.__sendTiming.drawToSend = []; window.__sendTiming.stampToSend = []")
        tile, rate = viewer_window(tab, BROWSER_ID)
        t = json.loads(publish.evaluate("JSON.stringify(window.__sendTiming)"))
        state = json.loads(publish_check.page_state(publish))
        visible = publish.evaluate("document.visibilityState")
        draw, stamp = t["drawToSend"], t["stampToSend"]
        # The VideoFrame's timestamp is the camera's capture time only if it is on the page's clock; outside 0..1 s
        # it is on another (a media clock) and is not reported.
        stamp_ok = bool(stamp) and 0 <= quantile(stamp, 0.5) < 1000
        d50, d99 = quantile(draw, 0.5), quantile(draw, 0.99)
        p50, p99 = tile.get("p50"), tile.get("p99")
        r = {"scenario": "source-browser", "forwarder": "source-browser",
             "source": "publish page, Chromium fake camera (MJPEG file 320x240 30 fps, yuvj420p), fps=24, size=320x240",
             "seconds": WINDOW, "page_state": state.get("state"), "page_visibility": visible,
             "sent_fps": rnd((state.get("frames", 0) - f0) / (WINDOW + SETTLE), 1), "painted_fps": rnd(rate, 1),
             "latency_ms_p50": rnd(p50, 1), "latency_ms_p99": rnd(p99, 1),
             "latency_from": "arrival at the gateway (browser capture-to-send not included)",
             "page_draw_to_send_ms_p50": rnd(d50, 1), "page_draw_to_send_ms_p99": rnd(d99, 1), "page_frames_timed": len(draw),
             "page_stamp_to_send_ms_p50": rnd(quantile(stamp, 0.5), 1) if stamp_ok else None,
             "page_stamp_to_send_ms_p99": rnd(quantile(stamp, 0.99), 1) if stamp_ok else None,
             "frames_dropped": tile.get("dropped"), "target_p99_ms": 150}
        page50, page99 = (r["page_stamp_to_send_ms_p50"], r["page_stamp_to_send_ms_p99"]) if stamp_ok else (d50, d99)
        if None not in (p50, p99, page50, page99):
            # A sum of percentiles: an upper estimate of the whole path's, not a measured percentile of it.
            r["camera_to_painted_ms_p50_est"] = rnd(p50 + page50, 1)
            r["camera_to_painted_ms_p99_est"] = rnd(p99 + page99, 1)
        g["log"](f"source-browser: viewer p50 {r['latency_ms_p50']} / p99 {r['latency_ms_p99']} ms from the gateway; page draw-to-send "
                 f"p50 {r['page_draw_to_send_ms_p50']} / p99 {r['page_draw_to_send_ms_p99']} ms")
        return r
    finally:
        if browser:
            browser.stop()
        P.stop_all()


class MJPEGSources:
    """A threaded multipart/x-mixed-replace server: every connection gets `frames` in a loop at `fps`, on its own
    absolute schedule (a late send does not shift the later ones)."""

    def __init__(self, frames, fps):
        jpegs = [open(f, "rb").read() for f in frames]
        interval = 1.0 / fps
        sent = self.sent = {}  # path -> wall-clock times each part was handed to the socket: the sources' own jitter

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                due, n = time.monotonic(), 0
                times = sent.setdefault(self.path, [])
                try:
                    while True:
                        j = jpegs[n % len(jpegs)]
                        self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(j) + j + b"\r\n")
                        self.wfile.flush()
                        times.append(time.time())
                        n += 1
                        due += interval
                        time.sleep(max(0.0, due - time.monotonic()))
                except OSError:
                    pass

            def log_message(self, *a):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            request_queue_size = 128  # the 50 sources connect at once

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def intervals_p99_ms(times):
    gaps = [1000 * (b - a) for a, b in zip(times, times[1:])]
    return quantile(gaps, 0.99), (max(gaps) if gaps else None)


def run_http50(bench, g):
    rnd, proc_cpu_seconds = g["rnd"], g["proc_cpu_seconds"]
    P = bench.procs = g["Procs"](bench.logroot / "source-http50")
    sources = MJPEGSources(sorted(glob.glob(str(g["REPO"] / "producer" / "1AAA99" / "frames" / "*.jpg"))), HTTP_FPS)
    ids = [f"B0{i:04X}" for i in range(HTTP_SOURCES)]
    out = tempfile.mkdtemp(prefix="source-http50-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        _, port, _ = bench.start_broker(P)
        entries = ",".join(f"{i}:{HTTP_FPS}:0@http://127.0.0.1:{sources.port}/cam/{i}.mjpg" for i in ids)
        producer = P.start("producer", [bench.bin / "producer", "--broker", f"127.0.0.1:{port}"], env={"PRODUCERS": entries})
        # Subscribed once the broker knows every producer (a client may wait for only a few unknown ones): each
        # source has delivered ("FRAMES …: online"; the broker's own lines are rate-limited), plus a moment.
        deadline = time.monotonic() + 30
        while g["read_text"](producer.bench_err).count(".mjpg: online") < len(ids):
            if time.monotonic() > deadline or producer.poll() is not None:
                raise g["BenchError"](f"source-http50: not every source went online: {g['read_text'](producer.bench_err)[-400:]}")
            time.sleep(0.2)
        time.sleep(1)
        P.start("subscriber", [bench.bin / "client", "--broker", f"127.0.0.1:{port}", "--subscribe", ",".join(ids), "--output", out,
                               "--status-interval", "0", "--log-level", "warning"], stdin=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while sum(1 for i in ids if glob.glob(f"{out}/{i}01/*.jpg")) < len(ids):
            if time.monotonic() > deadline or producer.poll() is not None:
                raise g["BenchError"](f"source-http50: not every source reached the subscriber: {g['read_text'](producer.bench_err)[-400:]}")
            time.sleep(0.2)
        time.sleep(2)  # past the first seconds (connects, the rate measurement)
        c0, t0 = proc_cpu_seconds(producer.pid), time.time()
        time.sleep(WINDOW)
        c1, t1 = proc_cpu_seconds(producer.pid), time.time()
        per = []
        for i in ids:
            files = glob.glob(f"{out}/{i}01/*.jpg")
            capture = sorted(int(os.path.basename(f).split("-")[0]) / 1e6 for f in files)
            capture = [t for t in capture if t0 <= t <= t1]
            arrival = sorted(os.stat(f).st_mtime_ns / 1e9 for f in files)
            arrival = [t for t in arrival if t0 <= t <= t1]
            cp99, cmax = intervals_p99_ms(capture)
            ap99, amax = intervals_p99_ms(arrival)
            sp99, smax = intervals_p99_ms([t for t in sources.sent.get(f"/cam/{i}.mjpg", []) if t0 <= t <= t1])
            per.append({"id": i, "frames": len(capture), "source_interval_ms_p99": sp99, "source_interval_ms_max": smax,
                        "capture_interval_ms_p99": cp99, "capture_interval_ms_max": cmax, "arrival_interval_ms_p99": ap99, "arrival_interval_ms_max": amax})
        frames = sum(p["frames"] for p in per)
        cpu = c1 - c0
        worst = lambda k: max((p[k] for p in per if p[k] is not None), default=None)
        r = {"scenario": "source-http50", "forwarder": "source-http50", "sources": HTTP_SOURCES, "fps_each": HTTP_FPS, "seconds": rnd(t1 - t0, 1),
             "frames_expected_each": round(HTTP_FPS * (t1 - t0)), "frames_min": min(p["frames"] for p in per),
             "frames_max": max(p["frames"] for p in per), "frames_total": frames,
             "producer_cpu_pct": rnd(100 * cpu / (t1 - t0), 1), "producer_cpu_us_per_frame": rnd(1e6 * cpu / frames, 1) if frames else None,
             "source_interval_ms_p99_worst": rnd(worst("source_interval_ms_p99"), 1),
             "source_interval_ms_p99_median": rnd(quantile([p["source_interval_ms_p99"] for p in per if p["source_interval_ms_p99"]], 0.5), 1),
             "source_interval_ms_max": rnd(worst("source_interval_ms_max"), 1),
             "capture_interval_ms_p99_worst": rnd(worst("capture_interval_ms_p99"), 1),
             "capture_interval_ms_p99_median": rnd(quantile([p["capture_interval_ms_p99"] for p in per if p["capture_interval_ms_p99"]], 0.5), 1),
             "capture_interval_ms_max": rnd(worst("capture_interval_ms_max"), 1),
             "arrival_interval_ms_p99_worst": rnd(worst("arrival_interval_ms_p99"), 1),
             "arrival_interval_ms_p99_median": rnd(quantile([p["arrival_interval_ms_p99"] for p in per if p["arrival_interval_ms_p99"]], 0.5), 1),
             "arrival_interval_ms_max": rnd(worst("arrival_interval_ms_max"), 1),
             "per_source": per}
        g["log"](f"source-http50: {frames} frames, producer {r['producer_cpu_us_per_frame']} us CPU/frame, worst source p99 interval "
                 f"{r['capture_interval_ms_p99_worst']} ms at the producer, {r['arrival_interval_ms_p99_worst']} ms at the subscriber")
        return r
    finally:
        P.stop_all()
        sources.stop()
        subprocess.run(["rm", "-rf", out])


def run(name, bench, g):
    return {"source-pipe": run_pipe, "source-browser": run_browser, "source-http50": run_http50}[name](bench, g)


def table(results):
    """The live-source rows, with the issue's targets."""
    rows = [r for r in results if r.get("scenario") in SCENARIOS]
    if not rows:
        return ""
    lines = ["\nlive sources (targets: pipe to painted p99 < 60 ms, browser camera to painted p99 < 150 ms, 50 HTTP sources each near 83 ms p99):"]
    for r in rows:
        if "error" in r:
            lines.append(f"  {r['scenario']}: ERROR {r['error']}")
        elif r["scenario"] == "source-pipe":
            lines.append(f"  source-pipe     ffmpeg pipe -> producer -> broker -> viewer page: painted {r['painted_fps']} fps, "
                         f"capture to painted p50 {r['latency_ms_p50']} / p99 {r['latency_ms_p99']} ms, dropped {r['frames_dropped']}")
        elif r["scenario"] == "source-browser":
            stamp = (f", camera timestamp to send p50 {r['page_stamp_to_send_ms_p50']} / p99 {r['page_stamp_to_send_ms_p99']} ms"
                     if r.get("page_stamp_to_send_ms_p50") is not None else "")
            lines.append(f"  source-browser  publish tab -> gateway -> broker -> viewer tab: painted {r['painted_fps']} fps, gateway arrival to "
                         f"painted p50 {r['latency_ms_p50']} / p99 {r['latency_ms_p99']} ms (the browser's capture-to-send not included)")
            lines.append(f"                  in the publish page: draw to send p50 {r['page_draw_to_send_ms_p50']} / p99 "
                         f"{r['page_draw_to_send_ms_p99']} ms{stamp}; sum (estimate) p50 {r.get('camera_to_painted_ms_p50_est')} / "
                         f"p99 {r.get('camera_to_painted_ms_p99_est')} ms")
        else:
            lines.append(f"  source-http50   {r['sources']} HTTP MJPEG sources x {r['fps_each']} fps in one producer, {r['seconds']} s: frames per source "
                         f"{r['frames_min']}..{r['frames_max']} (of ~{r['frames_expected_each']}), producer CPU {r['producer_cpu_pct']}% = "
                         f"{r['producer_cpu_us_per_frame']} us/frame")
            lines.append(f"                  interval p99 at the sources (the Python server's own sends): median {r['source_interval_ms_p99_median']}, "
                         f"worst {r['source_interval_ms_p99_worst']} ms (max {r['source_interval_ms_max']})")
            lines.append(f"                  interval p99 at the producer: median source {r['capture_interval_ms_p99_median']}, worst "
                         f"{r['capture_interval_ms_p99_worst']} ms (max {r['capture_interval_ms_max']}); at the subscriber: median "
                         f"{r['arrival_interval_ms_p99_median']}, worst {r['arrival_interval_ms_p99_worst']} ms (max {r['arrival_interval_ms_max']})")
    return "\n".join(lines)
