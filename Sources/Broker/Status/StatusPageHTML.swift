/// The status page, its login form and the page shown when no password is set: plain HTML, CSS and JavaScript,
/// no third-party scripts, nothing fetched from elsewhere. The page polls `/api/status` once a second and
/// builds its tables with `textContent` (never `innerHTML` from data), so nothing a peer names can run as script.
public enum StatusPageHTML {
    /// Headers every page carries: no framing (clickjacking), nothing loaded from elsewhere, no caching.
    public static let headers: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'"
        ),
        ("X-Frame-Options", "DENY"), ("Cache-Control", "no-store"), ("Referrer-Policy", "same-origin"),
    ]

    static let style = """
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
        h1{font-size:1.4em;margin:0 0 .2em} h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;background:#fff;font-variant-numeric:tabular-nums}
        th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left} th{background:#eee}
        td.n{text-align:right} .online{color:#070;font-weight:600} .offline{color:#a00;font-weight:600}
        .muted{color:#777} button{cursor:pointer} #err{color:#a00} .note{max-width:60em}
        details{margin:.2em 0} code{background:#eee;padding:0 .2em}
        </style>
        """

    /// The page itself.
    public static let page = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>vbroker status</title>
        \(style)</head><body>
        <h1>vbroker status</h1>
        <div class="muted">updated <span id="updated">never</span> <span id="err"></span>
        <form method="post" action="/logout" style="display:inline"><button>log out</button></form></div>
        <h2>Cluster</h2>
        <table id="brokers"><thead><tr><th>broker</th><th>epoch</th><th>state</th><th>uptime</th><th>producers</th><th>subscribers</th></tr></thead><tbody></tbody></table>
        <h3>Peer links</h3>
        <table id="links"><thead><tr><th>peer</th><th>state</th><th>RTT ms</th><th>datagrams out</th><th>bytes out</th><th>datagrams in</th><th>bytes in</th><th>NACKs</th><th>retransmissions</th></tr></thead><tbody></tbody></table>
        <p class="muted note" id="nolinks">No peer links: this broker runs alone.</p>
        <h2>Streams</h2>
        <table id="streams"><thead><tr><th>stream</th><th>kind</th><th>state</th><th>producer</th><th>broker</th><th>since</th><th>fps</th><th>subscribers</th><th>frames</th><th>bytes in</th><th>lost</th><th>repaired</th></tr></thead><tbody></tbody></table>
        <h2>Producers</h2>
        <table id="producers"><thead><tr><th>producer</th><th>address</th><th>RTT ms</th><th></th></tr></thead><tbody></tbody></table>
        <p>Blocked: <span id="blocked">none</span></p>
        <form id="blockform">Block a producer id <input id="blockid" size="8" maxlength="6" pattern="[0-9A-Fa-f]{6}" placeholder="1AAA99"> <button>block</button></form>
        <h2>Subscribers</h2>
        <table id="subscribers"><thead><tr><th>client</th><th>subscriptions</th><th>backlog</th><th>dropped frames</th><th>retransmissions</th><th>RTT ms</th><th></th></tr></thead><tbody></tbody></table>
        <h2>History</h2>
        <div id="history"></div>
        <script>
        "use strict";
        let csrf = null;
        let firstRender = true;
        const $ = (id) => document.getElementById(id);
        const fmtTime = (ms) => ms ? new Date(ms).toISOString().replace("T", " ").replace(/\\.\\d+Z$/, " UTC") : "";
        const fmtNum = (n) => n.toLocaleString("en");
        function row(tbody, cells, action) {
          const tr = document.createElement("tr");
          for (const c of cells) {
            const td = document.createElement("td");
            if (typeof c === "object" && c !== null) { td.textContent = c.text; if (c.cls) td.className = c.cls; }
            else { td.textContent = c; if (typeof c === "number") td.className = "n"; }
            tr.appendChild(td);
          }
          if (action) {
            const td = document.createElement("td");
            const b = document.createElement("button");
            b.textContent = action.label; b.onclick = action.run; td.appendChild(b); tr.appendChild(td);
          }
          tbody.appendChild(tr);
        }
        function clear(id) { const t = $(id).tBodies[0]; t.textContent = ""; return t; }
        async function act(path, field, value) {
          const headers = {"Content-Type": "application/x-www-form-urlencoded"};
          if (csrf) headers["X-CSRF-Token"] = csrf;
          const r = await fetch(location.origin + path, {method: "POST", headers, body: field + "=" + encodeURIComponent(value), credentials: "same-origin"});
          $("err").textContent = r.ok ? "" : (await r.text());
          refresh();
        }
        function render(s) {
          csrf = s.csrf;
          $("updated").textContent = fmtTime(s.generated_ms);
          let t = clear("brokers");
          for (const b of s.cluster.brokers) {
            const me = b.self ? s.cluster.self : null;
            row(t, [b.address + (b.self ? " (this broker)" : ""), b.epoch, b.state, me ? me.uptime_s + " s" : "", me ? me.producers : "", me ? me.subscribers : ""]);
          }
          t = clear("links");
          for (const l of s.cluster.peer_links) {
            row(t, [l.peer, l.state, l.rtt_ms, l.datagrams_out, l.bytes_out, l.datagrams_in, l.bytes_in, l.nacks, l.retransmissions]);
          }
          $("nolinks").style.display = s.cluster.peer_links.length ? "none" : "";
          t = clear("streams");
          for (const x of s.streams) {
            row(t, [x.id, x.kind, {text: x.state + (x.blocked ? " (blocked)" : ""), cls: x.state}, x.producer_address || "", x.broker,
                    fmtTime(x.online_since_ms || x.offline_since_ms), x.measured_fps, x.subscribers, x.frames_in, fmtNum(x.bytes_in), x.lost, x.recovered]);
          }
          t = clear("producers");
          for (const p of s.producers) {
            row(t, [p.id, p.address, p.rtt_ms], {label: "block", run: () => act("/api/producers/block", "id", p.id)});
          }
          const bl = $("blocked"); bl.textContent = "";
          if (!s.blocked_producers.length) bl.textContent = "none";
          for (const id of s.blocked_producers) {
            const b = document.createElement("button");
            b.textContent = "unblock " + id; b.onclick = () => act("/api/producers/unblock", "id", id);
            bl.appendChild(b); bl.appendChild(document.createTextNode(" "));
          }
          t = clear("subscribers");
          for (const c of s.subscribers) {
            row(t, [c.address, c.subscriptions.join(", "), c.backlog, c.dropped_frames, c.retransmissions, c.rtt_ms],
                {label: "disconnect", run: () => act("/api/subscribers/disconnect", "address", c.address)});
          }
          const h = $("history");
          const open = new Set([...h.querySelectorAll("details[open]")].map((d) => d.dataset.id));
          h.textContent = "";
          for (const st of s.history.streams) {
            const d = document.createElement("details"); d.dataset.id = st.id; if (open.has(st.id) || (firstRender && st.events.length > 1)) d.open = true;
            const sum = document.createElement("summary");
            const last = st.events[st.events.length - 1];
            sum.textContent = st.id + ": " + st.events.length + (st.events.length === 1 ? " event" : " events") + ", last " + (last ? last.state + " at " + fmtTime(last.time_ms) : "none");
            d.appendChild(sum);
            const ul = document.createElement("ul");
            for (const e of st.events.slice().reverse()) {
              const li = document.createElement("li");
              li.textContent = fmtTime(e.time_ms) + " " + e.state + (e.producer_address ? " from " + e.producer_address : "") + (e.reason ? " (" + e.reason + ")" : "");
              ul.appendChild(li);
            }
            d.appendChild(ul); h.appendChild(d);
          }
          firstRender = false;
        }
        async function refresh() {
          try {
            // Absolute, from location.origin: a page opened as http://user:password@host/ must not fetch with its URL.
            const r = await fetch(location.origin + "/api/status", {credentials: "same-origin"});
            if (r.status === 401) { location.href = "/login"; return; }
            if (!r.ok) { $("err").textContent = "status " + r.status; return; }
            render(await r.json());
          } catch (e) { $("err").textContent = "broker not answering: " + e; }
        }
        $("blockform").onsubmit = (ev) => { ev.preventDefault(); act("/api/producers/block", "id", $("blockid").value.trim()); };
        refresh();
        setInterval(refresh, 1000);
        </script></body></html>
        """

    /// The login form; `error` is shown above it (our own fixed text, never input). A login link
    /// `/login#password=...` (what scripts/run-local prints) fills and sends the form once: the fragment never
    /// reaches a server or a log, and the script removes it from the address bar before sending.
    public static func login(error: String?) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>vbroker status: log in</title>
        \(style)</head><body>
        <h1>vbroker status</h1>
        \(error.map { "<p id=\"err\">\($0)</p>" } ?? "")
        <form method="post" action="/login" id="login">
        <label>Password <input type="password" name="password" id="password" autofocus></label> <button>log in</button>
        </form>
        <script>
        if (location.hash.startsWith("#password=")) {
          const sent = decodeURIComponent(location.hash.slice(10));
          history.replaceState(null, "", location.pathname);
          if (!document.getElementById("err")) { document.getElementById("password").value = sent; document.getElementById("login").submit(); }
        }
        </script>
        <p class="muted note">The password is the broker's <code>STATUS_PASSWORD</code>. Scripts can send HTTP Basic
        with any user name: <code>curl -u status:PASSWORD http://HOST:PORT/api/streams</code>.</p>
        </body></html>
        """
    }

    /// Shown instead of the page when the broker has no STATUS_PASSWORD.
    public static let noPassword = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>vbroker status: no password</title>
        \(style)</head><body>
        <h1>vbroker status</h1>
        <p class="note">The status page is off because no password is set: there is no default password. Start the
        broker with <code>STATUS_PASSWORD=...</code> in its environment (or <code>--status-password</code>), for
        example <code>STATUS_PASSWORD=$(head -c 12 /dev/urandom | base64) broker --metrics 127.0.0.1:9090</code>,
        then open <code>/status</code> again. <code>/metrics</code>, <code>/healthz</code> and <code>/readyz</code>
        stay open without it.</p>
        </body></html>
        """
}
