"""The viewer in a real browser (run by scripts/test-viewer): a local cluster with the sample media, headless
Chromium opening /?watch=1AAA99, the page's own figures read back from its data attributes, both views of the
client (prompt and page) checked against each other, the HTTP edge (cross-origin upgrade, malformed request),
a hidden tab, a stalled tab next to a live one, and a screenshot with two tiles kept as an artefact."""

import glob
import hashlib
import json
import os
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from viewer_cluster import Browser, Checks, Cluster, find_chromium, read_tiles, screenshot, wait_for  # noqa: E402

check = Checks()



def raw_http(port, request):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(request)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return data.decode(errors="replace")


def upgrade(port, origin):
    return raw_http(port, (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n").encode())



def rate(tab, producer, seconds):
    a = read_tiles(tab).get(producer, {}).get("painted", 0)
    t0 = time.time()
    time.sleep(seconds)
    b = read_tiles(tab).get(producer, {}).get("painted", 0)
    return (b - a) / (time.time() - t0)


def main():
    bin_dir, media, artifacts = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="viewer-test-")
    hashes = {p: {hashlib.sha256(open(f, "rb").read()).hexdigest() for f in glob.glob(f"{media}/{p}/frames/*.jpg")} for p in ("1AAA99", "2BBB77")}
    cluster = Cluster(bin_dir, "1AAA99:12:0,2BBB77:24:0", media, work)
    browser = None
    try:
        port = cluster.web_port
        page = raw_http(port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        check(page.startswith("HTTP/1.1 200") and "Content-Security-Policy" in page, "GET / serves the page with a CSP")
        check(raw_http(port, b"BREW /pot HTCPCP/1.0\r\n\r\n").startswith("HTTP/1.1 400"), "a malformed request gets 400")
        check(upgrade(port, "http://evil.example").startswith("HTTP/1.1 403"), "a WebSocket upgrade from another origin is refused (403)")
        ok = upgrade(port, f"http://127.0.0.1:{port}")
        check(ok.startswith("HTTP/1.1 101") and "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in ok, "a same-origin upgrade gets 101 with the RFC's accept value")

        browser = Browser(find_chromium(), work)
        tab = browser.open(cluster.page + "?watch=1AAA99")
        check(wait_for(lambda: read_tiles(tab).get("1AAA99", {}).get("painted", 0) > 12, 15), "/?watch=1AAA99 opens a tile that paints")
        time.sleep(2)
        r = rate(tab, "1AAA99", 5)
        check(12 * 0.75 <= r <= 12 * 1.25, f"1AAA99 painted at the stream's rate (12 fps): {r:.1f} fps")
        t = read_tiles(tab)["1AAA99"]
        print(f"      1AAA99 figures: {json.dumps(t)}")
        check(t["sha256"] in hashes["1AAA99"], "the last painted frame's SHA-256 is one of the source files'", t["sha256"])
        check(t["audioPlayed"] >= 3 and t["audioGaps"] == 0, f"audio chunks played without gaps ({t['audioPlayed']} played, {t['audioGaps']} gaps)")
        check(t["p50"] == t["p50"] and t["p99"] == t["p99"], f"capture-to-paint latency measured (p50 {t['p50']} ms, p99 {t['p99']} ms)")

        # The prompt and the page are two views of one client.
        cluster.type("subscribe 2BBB77")
        check(wait_for(lambda: read_tiles(tab).get("2BBB77", {}).get("painted", 0) > 24, 15), "subscribe at the prompt adds a tile to the page")
        time.sleep(1)
        r2 = rate(tab, "2BBB77", 4)
        check(24 * 0.75 <= r2 <= 24 * 1.25, f"2BBB77 painted at its rate (24 fps): {r2:.1f} fps")
        t2 = read_tiles(tab)["2BBB77"]
        check(t2["sha256"] in hashes["2BBB77"], "2BBB77's last painted frame is one of its source files")
        shot = os.path.join(artifacts, "viewer-two-tiles.png")
        screenshot(tab, shot)
        check(os.path.getsize(shot) > 20_000, f"screenshot with two tiles: {shot}")
        log = tab.evaluate("document.querySelector('#log').innerText")
        check("prompt: subscribe 2BBB77" in log and "subscribed to 2BBB77" in log, "the page shows what was typed at the prompt and its answer")

        # A hidden tab receives no video (the page says so on visibilitychange; here it is sent as the page would).
        tab.evaluate("ws.send('view hidden')")
        time.sleep(0.5)
        hidden = rate(tab, "1AAA99", 2)
        tab.evaluate("ws.send('view visible')")
        check(hidden <= 0.5, f"a hidden tab gets no video ({hidden:.1f} fps painted while hidden)")
        check(wait_for(lambda: rate(tab, "1AAA99", 1) >= 8, 8), "video resumes when the tab is visible again")

        # A tab that never reads (a stalled browser): it has whole frames dropped for it, the others do not notice.
        stalled = socket.create_connection(("127.0.0.1", port), timeout=5)
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        time.sleep(1)
        r3 = rate(tab, "1AAA99", 3)
        check(12 * 0.75 <= r3 <= 12 * 1.25, f"with a stalled tab open the browser tab still paints at 12 fps ({r3:.1f})")
        stalled.close()

        # A slow tab (its renderer throttled 20x): whole frames are dropped and counted instead of queued, so
        # once it is fast again it shows live frames at once, not a backlog.
        before = read_tiles(tab)["2BBB77"]["dropped"]
        tab.call("Emulation.setCPUThrottlingRate", rate=20)
        time.sleep(5)
        tab.call("Emulation.setCPUThrottlingRate", rate=1)
        time.sleep(2)
        tab.evaluate("for (const t of tiles.values()) t.latencies = []")
        r4 = rate(tab, "2BBB77", 3)
        slow = read_tiles(tab)["2BBB77"]
        check(slow["dropped"] > before, f"a slow tab has frames dropped and counted ({slow['dropped'] - before} while slowed)")
        check(r4 >= 24 * 0.75 and slow["p50"] < 1000, f"after it, the tab is live again at once ({r4:.1f} fps, p50 {slow['p50']} ms)")

        tab.evaluate("document.querySelector('.tile[data-stream=\"2BBB77\"] .close').click()")
        check(wait_for(lambda: "2BBB77" not in read_tiles(tab), 10), "closing a tile unsubscribes: the tile goes")
        # The page hears the answer over its WebSocket, the prompt prints it to stdout: wait for the latter too.
        said = lambda: ("web page: unsubscribe 2BBB77" in (out := open(cluster.logs["client"]).read())
                        and "unsubscribed from 2BBB77" in out)
        check(wait_for(said, 5), "the prompt shows the page's unsubscribe and its answer")
        check(t["sha256"] in hashes["1AAA99"] and cluster.client.poll() is None, "the client is still running")
    finally:
        if browser:
            browser.stop()
        cluster.stop()
    return check.summary("viewer", work)


if __name__ == "__main__":
    sys.exit(main())
