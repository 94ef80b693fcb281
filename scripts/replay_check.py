"""Replay of a recording in the viewer page (run by scripts/test-replay): a local cluster whose client records 1AAA99
in 20 s files, headless Chromium on the viewer page; once a finished file is listed the page replays it, and:
seeking (paused) to 10 s paints the frame captured 10 s after the recording's start, within one frame interval;
playing at 2× advances the position and the painted capture time twice as fast as the wall clock; the sound plays
(data-audio-chunks-played grows). Python standard library only; loopback only."""

import json
import os
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from viewer_cluster import Browser, Checks, Cluster, find_chromium, read_tiles, screenshot, wait_for  # noqa: E402

RATE = 12
check = Checks()




def finished_recording(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/recordings.json", timeout=5) as r:
        items = json.load(r)["recordings"]
    done = [x for x in items if not x["recording"] and x["durationMs"]]
    return done[0] if done else None


TILE = """JSON.stringify((() => { const t = document.querySelector('.tile[data-replay]'); if (!t) return null; const d = t.dataset;
  return {pos: +d.replayPositionMs, painted: d.paintedCaptureUs === '' ? null : +d.paintedCaptureUs, frames: +d.framesPainted,
          audio: +d.audioChunksPlayed, state: d.state, start: +d.startUs, speed: +d.speed, seeks: +(d.seeks || 0), paintedSeek: +(d.paintedSeek || 0)}; })())"""


def main():
    bin_dir, media, artifacts = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="replay-test-")
    rec = os.path.join(work, "rec")
    cluster = Cluster(bin_dir, f"1AAA99:{RATE}:0", media, work,
                      client_args=("--subscribe", "1AAA99", "--record", rec, "--record-segment-s", "20"))
    browser = None
    try:
        port = cluster.web_port
        entry = wait_for(lambda: finished_recording(port), 60, step=1)
        check(entry is not None, "a finished 20 s recording is listed in /recordings.json")
        if entry is None:
            return
        browser = Browser(find_chromium(), work, width=1280, height=900)
        tab = browser.open(cluster.page)
        tile = lambda: json.loads(tab.evaluate(TILE))  # noqa: E731
        button = f".replay-open[data-path='{entry['path']}']"
        listed = wait_for(lambda: tab.evaluate(f"!!document.querySelector(\"{button}\")"), 20)
        check(listed, "the page lists the recording with a play button")
        tab.evaluate(f"document.querySelector(\"{button}\").click()")
        playing = wait_for(lambda: (tile() or {}).get("frames", 0) > 5, 15)
        check(playing, "a replay tile opens and paints frames", json.dumps(tile()))

        # Paused, then seek to 10 s: the still painted is the first frame at or after 10 s.
        tab.evaluate("document.querySelector('.tile[data-replay] .toggle-play').click()")
        wait_for(lambda: (tile() or {}).get("state") == "paused", 5)
        seeks = tile()["seeks"]
        tab.evaluate("(() => { const s = document.querySelector('.tile[data-replay] .seek'); s.value = '10'; s.dispatchEvent(new Event('change')); })()")
        t = wait_for(lambda: (lambda x: x if x["seeks"] == seeks + 1 and x["paintedSeek"] == x["seeks"] and x["pos"] == 10000 else None)(tile()), 10)
        t = t or tile()
        offset = (t["painted"] or 0) - t["start"] - 10_000_000
        check(0 <= offset <= 1_000_000 / RATE + 1000, f"after a seek to 10 s the painted frame is {offset / 1000:.1f} ms after start + 10 s "
              f"(within one frame interval, {1000 / RATE:.1f} ms)", json.dumps(t))
        screenshot(tab, os.path.join(artifacts, "replay-10s.png"))

        # 2×: position and painted capture time advance twice as fast as the wall clock.
        tab.evaluate("document.querySelector('.tile[data-replay] .speed').click()")
        wait_for(lambda: tile()["speed"] == 2, 5)
        tab.evaluate("document.querySelector('.tile[data-replay] .toggle-play').click()")
        wait_for(lambda: tile()["state"] == "playing", 5)
        time.sleep(1)
        a, wa = tile(), time.time()
        time.sleep(4)
        b, wb = tile(), time.time()
        wall = (wb - wa) * 1000
        pos_rate = (b["pos"] - a["pos"]) / wall
        cap_rate = ((b["painted"] or 0) - (a["painted"] or 0)) / 1000 / wall
        check(1.7 <= pos_rate <= 2.3, f"at 2× the position advances {pos_rate:.2f}× the wall clock", json.dumps([a, b]))
        check(1.7 <= cap_rate <= 2.3, f"at 2× the painted capture time advances {cap_rate:.2f}× the wall clock", json.dumps([a, b]))
        check(b["audio"] > a["audio"], f"sound plays (audio chunks played {a['audio']} -> {b['audio']})")
        ended = wait_for(lambda: tile()["state"] == "ended", 15)
        check(ended, "the replay ends at the end of the file", json.dumps(tile()))

        # The file being written (no cues, no Duration): it plays and seeks too.
        tab.evaluate("document.querySelector('.tile[data-replay] .close').click()")
        wait_for(lambda: tile() is None, 5)
        tab.evaluate("refreshRecordings()")
        live = wait_for(lambda: tab.evaluate("(document.querySelector('.replay-open[data-recording=\"true\"]') || {dataset: {}}).dataset.path || ''"), 10)
        check(bool(live), "the file being written is listed", str(live))
        if live:
            tab.evaluate(f"document.querySelector(\".replay-open[data-path='{live}']\").click()")
            check(wait_for(lambda: (tile() or {}).get("frames", 0) > 5, 15), "the file being written replays", json.dumps(tile()))
            tab.evaluate("document.querySelector('.tile[data-replay] .toggle-play').click()")
            wait_for(lambda: (tile() or {}).get("state") == "paused", 5)
            seeks = tile()["seeks"]
            tab.evaluate("(() => { const s = document.querySelector('.tile[data-replay] .seek'); s.max = '20'; s.value = '5'; s.dispatchEvent(new Event('change')); })()")
            t = wait_for(lambda: (lambda x: x if x["seeks"] == seeks + 1 and x["paintedSeek"] == x["seeks"] and x["pos"] == 5000 else None)(tile()), 10) or tile()
            offset = (t["painted"] or 0) - t["start"] - 5_000_000
            check(0 <= offset <= 1_000_000 / RATE + 1000, f"a seek to 5 s in the file being written paints the frame {offset / 1000:.1f} ms after start + 5 s",
                  json.dumps(t))

        # Four replays at 2× in one tab (a fifth is refused) while another tab watches 1AAA99 live at its rate.
        tab.evaluate("for (const t of document.querySelectorAll('.tile[data-replay] .close')) t.click()")
        wait_for(lambda: tile() is None, 5)
        for _ in range(5):
            tab.evaluate(f"openReplay('{entry['path']}')")
            time.sleep(0.3)
        count = wait_for(lambda: tab.evaluate("document.querySelectorAll('.tile[data-replay]').length") == 4, 10)
        check(count, "four replays open in one tab, a fifth is refused", str(tab.evaluate("document.querySelectorAll('.tile[data-replay]').length")))
        tab.evaluate("for (const b of document.querySelectorAll('.tile[data-replay] .speed')) b.click()")
        live = browser.open(cluster.page + "?watch=1AAA99")
        wait_for(lambda: read_tiles(live).get("1AAA99", {}).get("painted", 0) > RATE * 2, 15)
        time.sleep(3)
        f = read_tiles(live).get("1AAA99", {})
        check(f.get("fps", 0) >= RATE * 0.8, f"with four replays at 2× running, a live tab paints 1AAA99 at {f.get('fps')} fps (rate {RATE}), "
              f"latency p50 {f.get('p50')} ms p99 {f.get('p99')} ms", json.dumps(f))
        check(cluster.client.poll() is None, "the client is still running")
    finally:
        if browser:
            browser.stop()
        cluster.stop()
    sys.exit(check.summary("replay", work))


if __name__ == "__main__":
    main()
