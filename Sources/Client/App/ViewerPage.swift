/// The viewer page the client serves with `--web`: plain HTML, CSS and JavaScript, no build step and no
/// third-party code, kept as string constants so a static binary carries it. The script is in
/// `ViewerPage+Script.swift`, the style in `ViewerPage+Style.swift`; docs/VIEWER.md describes the protocol.
enum ViewerPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>vbroker viewer</title>
        <link rel="stylesheet" href="/viewer.css">
        <script src="/viewer.js" defer></script>
        </head>
        <body>
        <header class="bar">
          <h1>vbroker <span>viewer</span></h1>
          <span id="link" class="link down" title="WebSocket to this client">connecting…</span>
          <span id="broker" class="muted"></span>
          <form id="watch-form" class="watch" autocomplete="off">
            <input id="watch-id" placeholder="stream id, e.g. 1AAA99" maxlength="8" spellcheck="false" aria-label="stream id">
            <button type="submit">Watch</button>
          </form>
          <button id="sound" class="sound" type="button" title="Browsers start audio only after a click">Sound off: click to enable</button>
          <button id="larger" class="toggle" type="button" aria-pressed="false" title="Larger tiles">Larger tiles</button>
          <button id="figures-toggle" class="toggle" type="button" aria-pressed="true" title="Show or hide the figures over the video">Figures</button>
          <a class="playlist" href="/streams.m3u" title="Every live stream as a playlist, for VLC and other players">playlist</a>
        </header>
        <main>
          <section class="streams" aria-label="Live streams">
            <h2>Streams <span id="stream-count"></span></h2>
            <table id="streams">
              <thead><tr><th>producer</th><th>video</th><th>audio</th><th>state</th><th title="subscribers on the broker">subs</th><th title="origin tag of the broker the producer is on">broker</th><th></th></tr></thead>
              <tbody><tr><td colspan="6" class="muted">asking the broker…</td></tr></tbody>
            </table>
          </section>
          <section id="tiles" class="tiles" aria-label="Watched streams">
            <p id="empty" class="empty">Nothing watched yet. Pick a stream on the left, type an id above, or open <code>/?watch=1AAA99</code>.</p>
          </section>
        </main>
        <footer>
          <ol id="log" class="log" aria-live="polite"></ol>
        </footer>
        <template id="tile-template">
          <article class="tile">
            <header>
              <strong class="id"></strong>
              <span class="state"></span>
              <span class="grow"></span>
              <button class="mute" type="button" title="Mute this stream">mute</button>
              <button class="full" type="button" title="Fullscreen">full</button>
              <button class="close" type="button" title="Unsubscribe">✕</button>
            </header>
            <div class="screen">
              <canvas width="320" height="240"></canvas>
              <p class="placeholder">waiting for frames…</p>
              <dl class="figures">
                <div><dt>fps</dt><dd class="f-fps">–</dd></div>
                <div><dt>latency p50/p99</dt><dd class="f-latency">–</dd></div>
                <div><dt>dropped</dt><dd class="f-dropped">0</dd></div>
                <div><dt>lost/recovered</dt><dd class="f-loss">0/0</dd></div>
                <div><dt>audio</dt><dd class="f-audio">–</dd></div>
                <div><dt>players</dt><dd class="f-players">0</dd></div>
              </dl>
            </div>
            <details class="links">
              <summary>Open in a player</summary>
              <ul>
                <li><span>video</span> <a class="u-mjpg" target="_blank" rel="noopener"></a> <button class="copy" type="button" data-for="u-mjpg">copy link</button></li>
                <li><span>snapshot</span> <a class="u-jpg" target="_blank" rel="noopener"></a> <button class="copy" type="button" data-for="u-jpg">copy link</button></li>
                <li><span>audio</span> <a class="u-mp3" target="_blank" rel="noopener"></a> <button class="copy" type="button" data-for="u-mp3">copy link</button></li>
              </ul>
            </details>
          </article>
        </template>
        </body>
        </html>
        """#
}
