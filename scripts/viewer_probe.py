"""Opens a viewer page in headless Chromium as a user would and checks one tile plays: frames painted and the
last painted frame byte-identical (SHA-256) to a file of the producer's media. Prints the tile's figures.
    python3 scripts/viewer_probe.py http://127.0.0.1:8080/?watch=1AAA99 1AAA99 producer"""

import glob
import hashlib
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from viewer_cluster import Browser, find_chromium, read_tiles  # noqa: E402


def main():
    url, producer, media = sys.argv[1], sys.argv[2], sys.argv[3]
    hashes = {hashlib.sha256(open(f, "rb").read()).hexdigest() for f in glob.glob(f"{media}/{producer}/frames/*.jpg")}
    browser = Browser(find_chromium(), tempfile.mkdtemp(prefix="viewer-probe-"))
    try:
        tab = browser.open(url)
        deadline = time.time() + 20
        tile = {}
        while time.time() < deadline:
            tile = read_tiles(tab).get(producer, {})
            if tile.get("painted", 0) >= 24 and tile.get("sha256"):
                break
            time.sleep(0.5)
        print(json.dumps(tile))
        return 0 if tile.get("painted", 0) >= 24 and tile.get("sha256") in hashes else 1
    finally:
        browser.stop()


if __name__ == "__main__":
    sys.exit(main())
