"""The browser's publish page against the real executables (run by scripts/test-publish): a broker on loopback,
`producer --web`, a `client --output` subscribed to the ids, and headless Chromium with a fake camera (an MJPEG file
ffmpeg made) and a fake microphone (a WAV) opening /publish?id=…&key=…&start=1. Checks: the page goes live and
counts frames; the client saves JPEGs that ffmpeg decodes, at the chosen rate, and Opus chunks that, muxed into
Ogg here (an implementation independent of the Swift one), ffmpeg decodes with no error; a wrong key gives
data-state="refused" and nothing published; the key appears in no log. Prints figures: Opus bytes per second
against 16-bit PCM of the same sound. Python standard library only; loopback only."""

import glob
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from viewer_cluster import Browser, Checks, find_chromium, free_port, screenshot, wait_for  # noqa: E402

check = Checks()
FPS = 10




# Ogg Opus (RFC 7845), written again here so the chunk format is checked against docs/PROTOCOL.md, not against
# the Swift code it came from.
CRC_TABLE = []
for i in range(256):
    r = i << 24
    for _ in range(8):
        r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else (r << 1)
    CRC_TABLE.append(r & 0xFFFFFFFF)


def ogg_crc(data):
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ CRC_TABLE[((crc >> 24) ^ b) & 0xFF]
    return crc


def ogg_page(flags, granule, seq, packets):
    lacing = b"".join(bytes([255] * (len(p) // 255) + [len(p) % 255]) for p in packets)
    assert len(lacing) <= 255
    head = b"OggS\x00" + bytes([flags]) + granule.to_bytes(8, "little", signed=True) + (7).to_bytes(4, "little")
    head += seq.to_bytes(4, "little") + b"\x00\x00\x00\x00" + bytes([len(lacing)]) + lacing
    page = bytearray(head + b"".join(packets))
    page[22:26] = ogg_crc(page).to_bytes(4, "little")
    return bytes(page)


def samples(packet):
    toc = packet[0]
    config, code = toc >> 3, toc & 3
    per = [480, 960, 1920, 2880][config % 4] if config < 12 else ([480, 960][config % 2] if config < 16 else [120, 240, 480, 960][config % 4])
    frames = 1 if code == 0 else (2 if code < 3 else packet[1] & 0x3F)
    return per * frames


def parse_chunk(b):
    """docs/PROTOCOL.md §13: format 1, channels, packet count, reserved, then u16 length + packet."""
    assert b[0] == 1 and b[1] in (1, 2) and 1 <= b[2] <= 50, b[:4]
    at, packets = 4, []
    for _ in range(b[2]):
        n = int.from_bytes(b[at:at + 2], "big")
        packets.append(b[at + 2:at + 2 + n])
        at += 2 + n
    assert at == len(b), "bytes after the last packet"
    return b[1], packets


def chunks_to_ogg(files, path):
    channels, _ = parse_chunk(open(files[0], "rb").read())
    head = b"OpusHead\x01" + bytes([channels]) + (312).to_bytes(2, "little") + (48000).to_bytes(4, "little") + b"\x00\x00\x00"
    tags = b"OpusTags" + (4).to_bytes(4, "little") + b"test" + (0).to_bytes(4, "little")
    out, seq, granule, total = [ogg_page(2, 0, 0, [head]), ogg_page(0, 0, 1, [tags])], 2, 0, 0
    for i, f in enumerate(files):
        _, packets = parse_chunk(open(f, "rb").read())
        granule += sum(samples(p) for p in packets)
        total += sum(len(p) for p in packets)
        out.append(ogg_page(4 if i == len(files) - 1 else 0, granule, seq, packets))
        seq += 1
    open(path, "wb").write(b"".join(out))
    return granule, total


def ffmpeg_errors(path, *extra):
    r = subprocess.run(["ffmpeg", "-v", "error", *extra, "-i", path, "-f", "null", "-"], capture_output=True, text=True)
    return r.returncode, r.stderr.strip()


def decode_in_page(tab, files):
    """The viewer page's own Opus decoder (`decodeOpusChunk` of Sources/Viewer/Page/viewer.js), run in the page on
    chunks the client saved."""
    import base64
    page = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Viewer", "Page", "viewer.js")).read()
    start = page.index("async function decodeOpusChunk(")
    snippet = page[start:page.index("\n}\n", start) + 3]
    chunks = [base64.b64encode(open(f, "rb").read()).decode() for f in files]
    return json.loads(tab.evaluate(snippet + """
      (async () => {
        const ctx = new OfflineAudioContext(1, 48000, 48000), state = {};
        let seconds = 0, sum = 0, n = 0;
        for (const b64 of %s) {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const buf = await decodeOpusChunk(ctx, bytes, state);
          seconds += buf.duration;
          for (const x of buf.getChannelData(0)) { sum += x * x; n++; }
        }
        return JSON.stringify({seconds, rms: Math.sqrt(sum / n), error: state.error ? String(state.error) : null});
      })()""" % json.dumps(chunks)))


# Encoder cost: 10 s of a 440 Hz tone through WebCodecs' Opus encoder as the page configures it, timed in the page.
ENCODER_BENCH = """
(async () => {
  const rate = 48000, seconds = 10, per = 960;
  let packets = 0;
  const enc = new AudioEncoder({ output: () => { packets++; }, error: (e) => { throw e; } });
  enc.configure({ codec: 'opus', sampleRate: rate, numberOfChannels: 1, bitrate: 32000, opus: { frameDuration: 20000 } });
  const frames = [];
  for (let i = 0; i < rate * seconds / per; i++) {
    const d = new Float32Array(per);
    for (let j = 0; j < per; j++) d[j] = 0.5 * Math.sin(2 * Math.PI * 440 * (i * per + j) / rate);
    frames.push(new AudioData({ format: 'f32-planar', sampleRate: rate, numberOfFrames: per, numberOfChannels: 1, timestamp: i * 20000, data: d }));
  }
  const t0 = performance.now();
  for (const f of frames) { enc.encode(f); f.close(); }
  await enc.flush();
  return (performance.now() - t0) / seconds;
})()
"""


def stalled_pages(port):
    """Two sockets that stall the gateway if it ever blocks on a page: one upgraded and silent, one that sends
    the first 64 KB of a message announced as 1 MB and then nothing."""
    out = []
    for partial in (False, True):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall((f"GET /publish/ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(4096)
        assert b" 101 " in head.split(b"\r\n")[0], head
        if partial:
            sock.sendall(bytes([0x82, 0x80 | 127]) + (1_000_000).to_bytes(8, "big") + b"\x00\x00\x00\x00" + b"\x01" * 65536)
        out.append(sock)
    return out


def picture_spread(path):
    """Standard deviation of the grey levels of a 32x24 thumbnail: a solid picture (a camera the browser could not
    read shows solid green) is near 0, ffmpeg's testsrc well above 50."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf", "scale=32:24", "-pix_fmt", "gray", "-f", "rawvideo", "-"],
                         capture_output=True).stdout
    if not raw:
        return 0.0
    mean = sum(raw) / len(raw)
    return (sum((b - mean) ** 2 for b in raw) / len(raw)) ** 0.5


def mean_volume(path):
    r = subprocess.run(["ffmpeg", "-hide_banner", "-i", path, "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True)
    for line in r.stderr.splitlines():
        if "mean_volume:" in line:
            return float(line.split("mean_volume:")[1].split()[0])
    return None


def make_media(work):
    cam = os.path.join(work, "camera.mjpeg")
    mic = os.path.join(work, "microphone.wav")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-t", "10", "-pix_fmt", "yuvj420p", "-q:v", "5",
                    "-f", "mjpeg", cam], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "10", "-ac", "1",
                    "-c:a", "pcm_s16le", mic], check=True)
    return cam, mic


def fake_devices(camera, microphone):
    """Chromium's fake camera and microphone, fed from files, with the permission prompt answered yes."""
    return ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={camera}",
            f"--use-file-for-fake-audio-capture={microphone}"]


def open_tab(browser, url, before=None):
    """A new tab at `url` (navigated over DevTools: its /json/new endpoint cuts a URL at its first '&'); `before`
    runs in the page before its own scripts."""
    tab = browser.open("about:blank")
    if before:
        tab.call("Page.addScriptToEvaluateOnNewDocument", source=before)
    tab.call("Page.navigate", url=url)
    return tab


def page_state(tab):
    return tab.evaluate("!document.body ? '{\"state\":\"loading\",\"frames\":0,\"audio\":0,\"status\":\"\",\"url\":\"\"}' : JSON.stringify({state: document.body.dataset.state, frames: +document.body.dataset.framesSent || 0, "
                        "audio: +document.body.dataset.audioPackets || 0, status: (document.querySelector('#status') || {}).textContent || '', "
                        "url: location.href})")


def viewer_checks(browser, vport, producer):
    """The browser-published stream where viewers are: the viewer page paints it and plays its sound, and a standard
    player decodes its sound from /streams/<ID>.ogg."""
    url = f"http://127.0.0.1:{vport}/streams/{producer}.ogg"
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", url, "-t", "3", "-f", "null", "-"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and not r.stderr.strip(), f"ffmpeg decodes {url} for 3 s with no error line", r.stderr[-300:])
    viewer = open_tab(browser, f"http://127.0.0.1:{vport}/?watch={producer}")
    figures = "JSON.stringify((t => t ? {painted: +t.dataset.framesPainted, played: +t.dataset.audioChunksPlayed, gaps: +t.dataset.audioGaps} : null)(document.querySelector('.tile[data-stream]')))"
    ready = lambda f: f.get("played", 0) >= 20 and f.get("painted", 0) >= 10
    wait_for(lambda: ready(json.loads(viewer.evaluate(figures) or "null") or {}), 20)
    f = json.loads(viewer.evaluate(figures) or "null") or {}
    check(f.get("painted", 0) >= 10, f"the viewer page paints the browser's stream ({f.get('painted')} frames)")
    debug = viewer.evaluate("JSON.stringify({ctx: typeof audioContext === 'undefined' || !audioContext ? 'none' : audioContext.state, decoder: typeof AudioDecoder})")
    check(f.get("played", 0) >= 20 and f.get("gaps", 99) <= 2, f"and plays its Opus sound ({f.get('played')} chunks, {f.get('gaps')} gaps)", debug)
    viewer.call("Page.close")


def main():
    bin_dir = sys.argv[1]
    work = tempfile.mkdtemp(prefix="publish-test-")
    camera, microphone = make_media(work)
    secret = "publish-test-secret-" + os.urandom(8).hex()
    env = dict(os.environ, PUBLISH_SECRET=secret)
    good, bad, other, plain = "3CCC33", "4DDD44", "5EEE55", "6FFF66"
    key = subprocess.run([f"{bin_dir}/broker", "--issue-key", good], env=env, capture_output=True, text=True, check=True).stdout.strip()
    plain_key = subprocess.run([f"{bin_dir}/broker", "--issue-key", plain], env=env, capture_output=True, text=True, check=True).stdout.strip()
    wrong = "0" * 32
    bport, wport, vport = free_port(socket.SOCK_DGRAM), free_port(), free_port()
    out = os.path.join(work, "out")
    logs, procs = {}, []

    def start(name, argv, stdin=subprocess.DEVNULL, env=None):
        logs[name] = os.path.join(work, f"{name}.log")
        p = subprocess.Popen(argv, stdin=stdin, stdout=open(logs[name], "w"), stderr=subprocess.STDOUT, env=env)
        procs.append(p)
        return p

    browser = None
    try:
        start("broker", [f"{bin_dir}/broker", "--address", f"127.0.0.1:{bport}"], env=env)
        time.sleep(0.3)
        # The gateway next to a producer of generated frames in the same process, whose rate must not suffer.
        start("producer", [f"{bin_dir}/producer", "--broker", f"127.0.0.1:{bport}", "--web", f"127.0.0.1:{wport}"],
              env=dict(env, PRODUCERS=f"{other}:5:0", SYNTHETIC_BYTES="3000"))
        client = start("client", [f"{bin_dir}/client", "--broker", f"127.0.0.1:{bport}", "--output", out, "--status-interval", "0",
                                  "--web", f"127.0.0.1:{vport}"], stdin=subprocess.PIPE)
        client.stdin.write(f"subscribe {good}\nsubscribe {bad}\nsubscribe {other}\nsubscribe {plain}\n".encode())
        client.stdin.flush()
        check(wait_for(lambda: _port_open(wport), 10), "producer --web serves the page")

        stalled = stalled_pages(wport)
        browser = Browser(find_chromium(), work, extra_args=fake_devices(camera, microphone))
        tab = open_tab(browser, f"http://127.0.0.1:{wport}/publish?id={good}&key={key}&start=1&fps={FPS}&size=320x240")
        live = wait_for(lambda: json.loads(page_state(tab))["state"] == "live", 20)
        s = json.loads(page_state(tab))
        check(live, "the page goes live (data-state=live)", s)
        check(key not in s["url"], "the key is taken out of the address bar", s["url"])
        t0 = time.time()
        wait_for(lambda: json.loads(page_state(tab))["frames"] >= 6 * FPS, 15)
        elapsed = time.time() - t0
        s = json.loads(page_state(tab))
        check(s["frames"] >= 6 * FPS, f"data-frames-sent counts the frames ({s['frames']} in {elapsed:.1f} s)")
        check(s["audio"] > 0, f"the page encodes Opus ({s['audio']} packets)")
        if len(sys.argv) > 2:
            os.makedirs(sys.argv[2], exist_ok=True)
            screenshot(tab, os.path.join(sys.argv[2], "publish-page.png"))
        source = tab.evaluate("document.body.dataset.videoSource")
        check(source == "track", f"frames come from the camera track (MediaStreamTrackProcessor), not a timer ({source})")

        # A browser without MediaStreamTrackProcessor (as Firefox and Safari): frames from a timer, and no sound
        # (the page's encoder is fed by the same API), next to the first page.
        plain_tab = open_tab(browser, f"http://127.0.0.1:{wport}/publish?id={plain}&key={plain_key}&start=1&fps=5&size=320x240",
                             before="delete window.MediaStreamTrackProcessor;")
        bad_tab = open_tab(browser, f"http://127.0.0.1:{wport}/publish?id={bad}&key={wrong}&start=1&fps={FPS}")
        refused = wait_for(lambda: json.loads(page_state(bad_tab))["state"] == "refused", 15)
        bs = json.loads(page_state(bad_tab))
        check(refused, "a wrong key: data-state=refused", bs)
        check("refused" in bs["status"] and "stream key" in bs["status"], "with a clear message", bs["status"])
        time.sleep(1.5)

        jpegs = sorted(glob.glob(f"{out}/{good}01/*.jpg"), key=lambda f: int(os.path.basename(f).split("-")[0]))
        opus = sorted(glob.glob(f"{out}/{good}03/*.opus"), key=lambda f: int(os.path.basename(f).split("-")[0]))
        check(len(jpegs) >= 5 * FPS, f"the client saved the frames ({len(jpegs)})")
        if len(jpegs) >= 2:
            times = [int(os.path.basename(f).split("-")[0]) for f in jpegs]
            rate = (len(times) - 1) / ((times[-1] - times[0]) / 1e6)
            check(0.8 * FPS <= rate <= 1.2 * FPS, f"at the chosen rate ({rate:.2f} fps for {FPS})")
            bad_jpegs = [f for f in jpegs[::7] if ffmpeg_errors(f)[0] != 0 or ffmpeg_errors(f)[1]]
            check(not bad_jpegs, f"ffmpeg decodes them ({len(jpegs[::7])} checked)", bad_jpegs[:3])
            probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", jpegs[-1]],
                                   capture_output=True, text=True).stdout.strip()
            check(probe == "320,240", f"at the chosen size ({probe})")
            spread = picture_spread(jpegs[len(jpegs) // 2])
            check(spread > 30, f"showing the camera's picture, not a blank one (grey-level spread {spread:.0f})")
        check(len(opus) >= 30, f"the client saved Opus chunks ({len(opus)})")
        if opus:
            ogg = os.path.join(work, "browser.ogg")
            granule, total = chunks_to_ogg(opus, ogg)
            rc, errors = ffmpeg_errors(ogg)
            check(rc == 0 and not errors, "the chunks, muxed into Ogg Opus, decode with no error line", errors[:300])
            level, source = mean_volume(ogg), mean_volume(microphone)
            check(level is not None and source is not None and abs(level - source) < 1.5,
                  f"at the microphone's level ({level} dB against {source} dB: no voice processing on a broadcast)")
            seconds = granule / 48000
            times = [int(os.path.basename(f).split("-")[0]) for f in opus]
            span = (times[-1] - times[0]) / 1e6 + 0.1
            check(abs(seconds - span) < 0.5 + 0.1 * span, f"and hold as much sound as time passed ({seconds:.2f} s of Opus over {span:.2f} s)")
            chunk_bytes = sum(os.path.getsize(f) for f in opus)
            print(f"figure  opus_payload_bytes_per_second {total / seconds:.0f}")
            print(f"figure  opus_chunk_bytes_per_second {chunk_bytes / seconds:.0f}  (with the 4-byte header and 2-byte lengths)")
            print(f"figure  pcm16_mono_48k_bytes_per_second 96000  (ratio {96000 / (chunk_bytes / seconds):.1f})")
            print(f"figure  opus_chunks_per_second {len(opus) / span:.1f}")
            decoded = decode_in_page(tab, opus[5:25])
            check(decoded.get("error") is None and abs(decoded["seconds"] - 2.0) < 0.05 and decoded["rms"] > 0.05,
                  "the viewer's decodeOpusChunk decodes 20 chunks into 2 s of sound in the page", decoded)
            bench = tab.evaluate(ENCODER_BENCH)
            print(f"figure  opus_encoder_ms_per_audio_second {bench:.2f}  (WebCodecs AudioEncoder in headless Chromium, 10 s of a tone, "
                  "mono, 32 kbit/s, 20 ms packets, wall time)")
        check(not glob.glob(f"{out}/{bad}*"), "nothing published under the wrong key")
        ps = json.loads(page_state(plain_tab))
        source = plain_tab.evaluate("document.body.dataset.videoSource")
        check(ps["state"] == "live" and source == "timer", f"without MediaStreamTrackProcessor the page goes live on a timer ({ps['state']}, {source})")
        plain_frames = sorted(int(os.path.basename(f).split("-")[0]) for f in glob.glob(f"{out}/{plain}01/*.jpg"))
        if len(plain_frames) >= 2:
            rate = (len(plain_frames) - 1) / ((plain_frames[-1] - plain_frames[0]) / 1e6)
            check(4 <= rate <= 6, f"at its own rate next to the first page ({rate:.2f} fps for 5, {len(plain_frames)} frames)")
        else:
            check(False, "the timer page's frames reach the client", f"{len(plain_frames)} frames")
        check(not glob.glob(f"{out}/{plain}03"), "and publishes no sound stream")
        synthetic = sorted(int(os.path.basename(f).split("-")[0]) for f in glob.glob(f"{out}/{other}01/*.jpg"))
        if len(synthetic) >= 2:
            rate = (len(synthetic) - 1) / ((synthetic[-1] - synthetic[0]) / 1e6)
            check(4.5 <= rate <= 5.5, f"a producer in the same process keeps its rate next to two stalled pages ({rate:.2f} fps for 5)")
        else:
            check(False, "a producer in the same process keeps its rate", f"{len(synthetic)} frames")
        # Last, as it opens a tab of its own: the other pages would be in the background, their timers throttled.
        viewer_checks(browser, vport, good)
        for st in stalled:
            st.close()
        for t in (tab, plain_tab, bad_tab):
            t.call("Page.close")
        failover_check(bin_dir, work, browser, env)
        for name in ("producer", "broker", "client"):
            check(key not in open(logs[name]).read(), f"the key appears in no log ({name})")
    finally:
        if browser:
            browser.stop()
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
    sys.exit(check.summary("publish", work))


def failover_check(bin_dir, work, browser, env):
    """Two peered brokers; the page's producer on the first (--broker A,B --broker-pick first), a client on the
    second. The first is killed: the producer moves to the second, the page keeps sending, and the client keeps
    receiving frames at the page's rate."""
    pid = "7AAA77"
    key = subprocess.run([f"{bin_dir}/broker", "--issue-key", pid], env=env, capture_output=True, text=True, check=True).stdout.strip()
    ports = [free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)]
    brokers = ",".join(f"127.0.0.1:{p}" for p in ports)
    cenv = dict(env, CLUSTER_SECRET="publish test cluster secret " + os.urandom(4).hex())
    wport, out, procs = free_port(), os.path.join(work, "out-failover"), []

    def start(name, argv, **kw):
        p = subprocess.Popen(argv, stdout=open(os.path.join(work, f"{name}.log"), "w"), stderr=subprocess.STDOUT, **kw)
        procs.append(p)
        return p

    try:
        a = start("broker-a", [f"{bin_dir}/broker", "--address", f"127.0.0.1:{ports[0]}", "--peers", brokers], env=cenv)
        start("broker-b", [f"{bin_dir}/broker", "--address", f"127.0.0.1:{ports[1]}", "--peers", brokers], env=cenv)
        time.sleep(0.5)
        start("producer-failover", [f"{bin_dir}/producer", "--broker", brokers, "--broker-pick", "first", "--web", f"127.0.0.1:{wport}"])
        client = start("client-failover", [f"{bin_dir}/client", "--broker", f"127.0.0.1:{ports[1]}", "--output", out, "--status-interval", "0"],
                       stdin=subprocess.PIPE)
        client.stdin.write(f"subscribe {pid}\n".encode())
        client.stdin.flush()
        wait_for(lambda: _port_open(wport), 10)
        tab = open_tab(browser, f"http://127.0.0.1:{wport}/publish?id={pid}&key={key}&start=1&fps={FPS}&size=320x240")
        live = wait_for(lambda: json.loads(page_state(tab))["state"] == "live", 20)
        check(live, "failover: the page goes live on the first broker")
        time.sleep(3)
        killed = time.time()
        a.kill()
        time.sleep(7)
        frames = sorted(int(os.path.basename(f).split("-")[0]) / 1e6 for f in glob.glob(f"{out}/{pid}01/*.jpg"))
        after = [t for t in frames if t > killed + 3]
        check(len(frames) > 2 * FPS and len(after) >= 3 * FPS,
              f"failover: the client keeps receiving after the first broker is killed ({len(frames)} frames, {len(after)} in the last 4 s)")
        s = json.loads(page_state(tab))
        check(s["state"] == "live", "failover: the page is live again", s)
        print(f"failover page: {s}")
        gaps = [b - a for a, b in zip(frames, frames[1:]) if a > killed - 1]
        print(f"figure  failover_longest_frame_gap_s {max(gaps) if gaps else float('nan'):.2f}  (page at {FPS} fps, first broker killed with SIGKILL)")
        tab.call("Page.close")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def _port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
