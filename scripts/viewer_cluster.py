"""A local cluster (broker, producers, client --web) and a headless Chromium driven over the DevTools protocol,
for scripts/test-viewer and scripts/bench-viewer. Python standard library only; loopback only.

The DevTools socket is a WebSocket; the few lines of client framing it needs are written here (RFC 6455,
client side: frames masked, fragments joined)."""

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class DevToolsSocket:
    """A blocking WebSocket client for one DevTools target: call(method, params) -> result."""

    def __init__(self, url, timeout=30):
        m = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET {m.group(3)} HTTP/1.1\r\nHost: {m.group(1)}:{m.group(2)}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed during the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("DevTools refused the WebSocket: " + head.decode(errors="replace"))
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("DevTools closed the socket")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _frame(self):
        b0, b1 = self._read(2)
        length = b1 & 0x7F
        if length == 126:
            length = int.from_bytes(self._read(2), "big")
        elif length == 127:
            length = int.from_bytes(self._read(8), "big")
        return b0 & 0x80, b0 & 0x0F, self._read(length)

    def receive(self):
        message = b""
        while True:
            fin, opcode, payload = self._frame()
            if opcode == 0x9:
                self._send(0xA, payload)
                continue
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the WebSocket")
            message += payload
            if fin:
                return json.loads(message)

    def _send(self, opcode, payload):
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        else:
            head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
        self.sock.sendall(head + mask + bytes(b ^ mask[i & 3] for i, b in enumerate(payload)))

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self._send(0x1, json.dumps({"id": my_id, "method": method, "params": params}).encode())
        while True:
            msg = self.receive()
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"page script failed: {r['exceptionDetails']}")
        return r["result"].get("value")


class Checks:
    """The checks of one script: `check(ok, what, detail)` prints `ok` or `FAIL` and counts; `summary` prints the
    closing line (`N passed, M failed`) and gives the exit status."""

    def __init__(self):
        self.passed, self.failed = 0, 0

    def __call__(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok    {what}")
        else:
            self.failed += 1
            print(f"FAIL  {what} {detail}")

    def summary(self, name, work):
        print(f"{name}: {self.passed} passed, {self.failed} failed (logs in {work})")
        return 1 if self.failed else 0


def wait_for(fn, timeout, step=0.2):
    """`fn()` once it is truthy, polled every `step` s; its last value when `timeout` s pass."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Cluster:
    """broker + one producer process (PRODUCERS) + client --web, on loopback with free ports."""

    def __init__(self, bin_dir, producers, media_root, workdir, client_args=()):
        self.workdir = workdir
        self.procs = []
        self.broker_port = free_port(socket.SOCK_DGRAM)
        self.web_port = free_port()
        self.logs = {}
        # Brokers that check stream keys derive them from PUBLISH_SECRET, and so do producers given it (a build
        # without stream keys ignores the variable).
        secret = dict(os.environ, PUBLISH_SECRET=os.environ.get("PUBLISH_SECRET") or base64.b64encode(os.urandom(18)).decode())
        self._start("broker", [f"{bin_dir}/broker", "--address", f"127.0.0.1:{self.broker_port}"], env=secret)
        time.sleep(0.3)
        env = dict(secret, PRODUCERS=producers, MEDIA_ROOT=media_root)
        self._start("producer", [f"{bin_dir}/producer", "--broker", f"127.0.0.1:{self.broker_port}"], env=env)
        self.client = self._start(
            "client", [f"{bin_dir}/client", "--broker", f"127.0.0.1:{self.broker_port}", "--web", f"127.0.0.1:{self.web_port}",
                       "--status-interval", "0", *client_args], stdin=subprocess.PIPE)
        self.page = f"http://127.0.0.1:{self.web_port}/"
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.web_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the client's web port never opened; see " + self.logs["client"])

    def _start(self, name, argv, env=None, stdin=subprocess.DEVNULL):
        self.logs[name] = os.path.join(self.workdir, f"{name}.log")
        out = open(self.logs[name], "w")
        p = subprocess.Popen(argv, env=env, stdin=stdin, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def type(self, line):
        """A line at the client's prompt."""
        self.client.stdin.write((line + "\n").encode())
        self.client.stdin.flush()

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


class Browser:
    """Headless Chromium with its DevTools port on loopback; `open(url)` returns a DevToolsSocket for a new tab."""

    def __init__(self, chromium, workdir, width=1280, height=900, extra_args=()):
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)
        self.log = os.path.join(workdir, "chromium.log")
        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}", f"--window-size={width},{height}", *extra_args, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline and self.port is None:
            time.sleep(0.2)
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", open(self.log).read())
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            raise RuntimeError("chromium did not start; see " + self.log)
        self.width, self.height = width, height

    def open(self, url):
        with urlopen_json(f"http://127.0.0.1:{self.port}/json/new?{url}", method="PUT") as target:
            tab = DevToolsSocket(target["webSocketDebuggerUrl"])
        tab.call("Page.enable")
        tab.call("Runtime.enable")
        tab.call("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height, deviceScaleFactor=1, mobile=False)
        return tab

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class urlopen_json:
    def __init__(self, url, method="GET"):
        import urllib.request
        self.r = urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10)

    def __enter__(self):
        return json.load(self.r)

    def __exit__(self, *a):
        self.r.close()


# The figures the page exposes per watched stream, read back as a dict per producer id.
READ_TILES = """
JSON.stringify(Object.fromEntries([...document.querySelectorAll('.tile[data-stream]')].map(t => [t.dataset.stream, {
  painted: +t.dataset.framesPainted, p50: parseFloat(t.dataset.latencyMsP50), p99: parseFloat(t.dataset.latencyMsP99),
  audioPlayed: +t.dataset.audioChunksPlayed, audioGaps: +t.dataset.audioGaps, sha256: t.dataset.lastFrameSha256,
  fps: parseFloat(t.dataset.fps), dropped: +t.dataset.framesDropped, lost: +t.dataset.datagramsLost}])))
"""


def read_tiles(tab):
    return json.loads(tab.evaluate(READ_TILES))


def screenshot(tab, path):
    data = tab.call("Page.captureScreenshot", format="png")["data"]
    with open(path, "wb") as f:
        f.write(base64.b64decode(data))
