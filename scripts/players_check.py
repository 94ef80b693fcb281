"""The viewer's player URLs in a real browser (run by scripts/test-players): a local cluster with the sample media,
a small page served on loopback with <img src=…/streams/1AAA99.mjpg> and <audio src=…/streams/1AAA99.mp3>, opened
by headless Chromium over its DevTools port; the picture must change between two screenshots, the audio's
currentTime must advance, and the viewer's /api/readers must show the browser's readers with nothing dropped."""

import http.server
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from viewer_cluster import Browser, Checks, Cluster, find_chromium, free_port, wait_for  # noqa: E402

check = Checks()




def serve_page(html):
    """The test page on its own loopback port (another origin than the viewer's, as a user's page would be)."""
    body = html.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def readers(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/readers", timeout=5) as r:
        return json.load(r)


def clip(tab):
    import base64
    shot = tab.call("Page.captureScreenshot", format="png", clip={"x": 0, "y": 0, "width": 320, "height": 240, "scale": 1})
    return base64.b64decode(shot["data"])


def main():
    bin_dir, media, artifacts = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="players-test-")
    cluster = Cluster(bin_dir, "1AAA99:24:0", media, work)
    browser = page = None
    try:
        port = cluster.web_port
        ready = wait_for(lambda: "1AAA99" in urllib.request.urlopen(f"http://127.0.0.1:{port}/streams.m3u", timeout=5).read().decode(), 15)
        check(ready, "the viewer lists 1AAA99 in /streams.m3u")
        page = serve_page(
            "<!doctype html><html><body style='margin:0;background:#000'>"
            f"<img id=v width=320 height=240 src='http://127.0.0.1:{port}/streams/1AAA99.mjpg'>"
            f"<audio id=a autoplay src='http://127.0.0.1:{port}/streams/1AAA99.mp3'></audio></body></html>")
        browser = Browser(find_chromium(), work, width=640, height=480)
        tab = browser.open(f"http://127.0.0.1:{page.server_address[1]}/")

        # The tab may still be loading the page: until then the elements are not there.
        shown = wait_for(lambda: tab.evaluate("(document.getElementById('v') || {}).naturalWidth || 0") > 0, 15)
        check(shown, "<img src=….mjpg> shows a picture", "naturalWidth " + str(tab.evaluate("document.getElementById('v').naturalWidth")))
        first = clip(tab)
        changed = wait_for(lambda: clip(tab) != first, 5, step=0.5)
        check(changed, "the picture changes between two screenshots")
        with open(os.path.join(artifacts, "players-img.png"), "wb") as f:
            f.write(clip(tab))

        started = wait_for(lambda: tab.evaluate("(document.getElementById('a') || {}).currentTime || 0") > 0, 15)
        check(started, "<audio src=….mp3> starts playing", tab.evaluate("JSON.stringify({e: document.getElementById('a').error && document.getElementById('a').error.message, s: document.getElementById('a').readyState})"))
        t1 = tab.evaluate("document.getElementById('a').currentTime")
        time.sleep(2)
        t2 = tab.evaluate("document.getElementById('a').currentTime")
        check(t2 - t1 >= 1.0, f"its currentTime advances ({t1:.2f} s -> {t2:.2f} s over 2 s)")
        check(tab.evaluate("document.getElementById('a').error === null && !document.getElementById('a').paused"), "the audio element has no error and is not paused")

        r = readers(port)
        by_path = {x["path"]: x for x in r["readers"]}
        v, a = by_path.get("/streams/1AAA99.mjpg"), by_path.get("/streams/1AAA99.mp3")
        check(v is not None and v["framesSent"] >= 24 and v["framesDropped"] == 0,
              "/api/readers: the browser's .mjpg reader got frames, none dropped", json.dumps(v))
        check(a is not None and a["framesSent"] >= 10 and a["framesDropped"] == 0,
              "/api/readers: the browser's .mp3 reader got audio, none dropped", json.dumps(a))
        check(cluster.client.poll() is None, "the client is still running")
    finally:
        if browser:
            browser.stop()
        if page:
            page.shutdown()
        cluster.stop()
    return check.summary("players", work)


if __name__ == "__main__":
    sys.exit(main())
