extension ViewerPage {
    static let css = #"""
        :root { color-scheme: dark; --bg: #0f1216; --panel: #181d24; --line: #2a313b; --text: #e6e9ee; --muted: #8a94a3;
          --accent: #4fb3ff; --good: #3ecf8e; --warn: #f5b942; --bad: #ff6b6b; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
          min-height: 100vh; display: flex; flex-direction: column; }
        .muted { color: var(--muted); }
        button, input { font: inherit; color: inherit; }
        button { background: #252c36; border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; cursor: pointer; }
        button:hover { border-color: var(--accent); }
        .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; padding: 10px 16px; background: var(--panel);
          border-bottom: 1px solid var(--line); }
        .bar h1 { font-size: 17px; margin: 0; letter-spacing: .02em; }
        .bar h1 span { color: var(--accent); font-weight: 500; }
        .link { font-size: 12px; padding: 2px 8px; border-radius: 99px; background: #3a2024; color: var(--bad); }
        .link.up { background: #173429; color: var(--good); }
        .watch { display: flex; gap: 6px; margin-left: auto; }
        .watch input { width: 13em; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
        .sound.on { border-color: var(--good); }
        main { flex: 1; display: grid; grid-template-columns: minmax(300px, 420px) 1fr; gap: 16px; padding: 16px; align-items: start; }
        .streams { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; }
        .streams h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .08em; color: var(--muted); margin: 0 0 6px; }
        table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th { text-align: left; font-weight: 500; color: var(--muted); font-size: 12px; padding: 4px 3px; }
        td { padding: 5px 3px; border-top: 1px solid var(--line); white-space: nowrap; }
        td.id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 600; }
        .dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 5px; background: var(--bad); }
        .dot.online { background: var(--good); }
        .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 14px; align-content: start; }
        .empty { color: var(--muted); grid-column: 1 / -1; text-align: center; padding: 48px 12px; border: 1px dashed var(--line); border-radius: 10px; }
        .tile { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
        .tile > header { display: flex; align-items: center; gap: 8px; padding: 6px 10px; }
        .tile .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 15px; }
        .tile .state { font-size: 12px; color: var(--muted); }
        .tile .grow { flex: 1; }
        .tile button { padding: 2px 8px; }
        .tile .mute { min-width: 5.5em; }
        .tile .mute.off { color: var(--warn); border-color: var(--warn); }
        .screen { position: relative; background: #000; aspect-ratio: 4 / 3; }
        .screen canvas { display: block; width: 100%; height: 100%; object-fit: contain; }
        .placeholder { position: absolute; inset: 0; margin: 0; display: grid; place-items: center; color: var(--muted); }
        .tile.painting .placeholder { display: none; }
        .figures { position: absolute; left: 6px; right: 6px; top: 6px; margin: 0; display: flex; flex-wrap: wrap; gap: 4px; }
        .figures div { background: rgba(10, 12, 16, .72); border-radius: 5px; padding: 1px 6px; font-size: 11.5px; line-height: 1.35; }
        .figures dt { display: inline; color: var(--muted); margin-right: 4px; }
        .figures dd { display: inline; margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-variant-numeric: tabular-nums; }
        .figures .warn { color: var(--warn); }
        .figures .bad { color: var(--bad); }
        .toggle[aria-pressed="true"] { border-color: var(--accent); }
        .playlist { color: var(--accent); font-size: 13px; }
        .tiles.larger { grid-template-columns: repeat(auto-fill, minmax(min(100%, 640px), 1fr)); }
        body.no-figures .figures { display: none; }
        .tile:fullscreen { display: flex; flex-direction: column; border-radius: 0; }
        .tile:fullscreen .screen { flex: 1; aspect-ratio: auto; }
        .tile:fullscreen .links { display: none; }
        .links { padding: 4px 10px 8px; font-size: 12px; }
        .links summary { color: var(--muted); cursor: pointer; }
        .links ul { list-style: none; margin: 6px 0 0; padding: 0; display: grid; gap: 4px; }
        .links li { display: flex; gap: 6px; align-items: center; min-width: 0; }
        .links li span { color: var(--muted); width: 5em; flex: none; }
        .links a { color: var(--accent); font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow: hidden; text-overflow: ellipsis;
          white-space: nowrap; flex: 1; min-width: 0; }
        .links button { padding: 0 6px; font-size: 11.5px; flex: none; }
        footer { padding: 0 16px 10px; }
        .log { margin: 0; padding: 8px 12px; list-style: none; background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
          font: 12px/1.5 ui-monospace, "DejaVu Sans Mono", monospace; color: var(--muted); max-height: 7.5em; overflow: auto; }
        .log li:last-child { color: var(--text); }
        @media (max-width: 720px) {
          main { grid-template-columns: 1fr; padding: 10px; }
          .watch { margin-left: 0; width: 100%; }
          .watch input { flex: 1; width: auto; }
          .tiles { grid-template-columns: 1fr; }
        }
        """#
}
