"""Figures of the viewer (run by scripts/bench-viewer): capture-to-paint latency with the page's own clock
against the producer's capture time (same machine), and ten tiles at once in one headless Chromium tab.
Prints a table and writes viewer-bench.json. Not a test: nothing here passes or fails on speed."""

import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from viewer_cluster import Browser, Cluster, find_chromium, read_tiles, screenshot  # noqa: E402


def measure(tab, producers, seconds):
    """Painted rate over `seconds`, then the tiles' figures (latency percentiles over the frames painted in the
    window, at most the last 600)."""
    # Percentiles over the measured window only, not the page's first seconds (loading, first decodes).
    tab.evaluate("for (const t of tiles.values()) t.latencies = []")
    a = read_tiles(tab)
    t0 = time.time()
    time.sleep(seconds)
    b = read_tiles(tab)
    elapsed = time.time() - t0
    rows = {}
    for p in producers:
        x, y = a.get(p, {}), b.get(p, {})
        rows[p] = dict(y, rate=(y.get("painted", 0) - x.get("painted", 0)) / elapsed)
    return rows


def run(bin_dir, producers, media, label, settle, seconds, work, shot=None, width=1280, height=900):
    cluster = Cluster(bin_dir, producers, media, work)
    browser = Browser(find_chromium(), work, width, height)
    ids = [e.split(":")[0] for e in producers.split(",")]
    try:
        tab = browser.open(cluster.page + "?watch=" + ",".join(ids))
        time.sleep(settle)
        rows = measure(tab, ids, seconds)
        if shot:
            screenshot(tab, shot)
    finally:
        browser.stop()
        cluster.stop()
    print(f"\n{label}")
    print(f"  {'tile':8} {'rate fps':>9} {'painted':>8} {'p50 ms':>7} {'p99 ms':>7} {'dropped':>8} {'audio':>6} {'gaps':>5}")
    for p, r in rows.items():
        print(f"  {p:8} {r['rate']:9.1f} {r.get('painted', 0):8} {r.get('p50', float('nan')):7.1f} {r.get('p99', float('nan')):7.1f}"
              f" {r.get('dropped', 0):8} {r.get('audioPlayed', 0):6} {r.get('audioGaps', 0):5}")
    return rows


def main():
    bin_dir, media, out = sys.argv[1], sys.argv[2], sys.argv[3]
    work = tempfile.mkdtemp(prefix="viewer-bench-")
    results = {}
    results["one_tile_12fps"] = run(bin_dir, "1AAA99:12:0", media, "one tile, 1AAA99 at 12 fps (20 s)", 4, 20, work)
    results["one_tile_24fps"] = run(bin_dir, "2BBB77:24:0", media, "one tile, 2BBB77 at 24 fps (20 s)", 4, 20, work)
    # Ten producers streaming the 2BBB77 media at 24 fps each, all watched in one tab.
    root = tempfile.mkdtemp(prefix="viewer-media-", dir=work)
    ten = [f"A1000{i:X}" for i in range(10)]
    for p in ten:
        os.makedirs(f"{root}/{p}")
        for kind in ("frames", "audio"):
            os.symlink(os.path.abspath(f"{media}/2BBB77/{kind}"), f"{root}/{p}/{kind}")
    shot = os.path.join(os.path.dirname(out) or ".", "viewer-ten-tiles.png")
    results["ten_tiles_24fps"] = run(
        bin_dir, ",".join(f"{p}:24:0" for p in ten), root, "ten tiles at 24 fps in one tab (15 s)", 6, 15, work, shot, 1600, 1200)
    rows = results["ten_tiles_24fps"].values()
    print(f"  total painted {sum(r['rate'] for r in rows):.0f} fps of {24 * 10}; screenshot {shot}")
    with open(out, "w") as f:
        json.dump(results, f, indent=1)
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
