'use strict';
// Figures a script can read back: one element per watched stream (.tile[data-stream]) carries these.
const AUDIO_DELAY_MS = 120;      // jitter buffer: audio plays this long after its capture time
const MP3_PRIMING_S = 1105 / 44100; // encoder delay at the start of every standalone MP3 chunk, skipped
const MAX_DECODING = 2;          // video frames being decoded per tile; more are dropped whole and counted
const LATENCY_SAMPLES = 600;     // latency percentiles over the last this many painted frames

const $ = (sel, el = document) => el.querySelector(sel);
const tiles = new Map();         // producer id (6 hex digits) -> Tile
let ws = null, subscriptions = [], audioContext = null, drawQueued = false, watchSent = false;
const wallNow = () => performance.timeOrigin + performance.now();
const hex = (n, digits) => n.toString(16).toUpperCase().padStart(digits, '0');
const send = (line) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(line); };

function log(text) {
  const li = document.createElement('li');
  li.textContent = new Date().toLocaleTimeString() + '  ' + text;
  const list = $('#log');
  list.append(li);
  while (list.children.length > 50) list.firstChild.remove();
  list.scrollTop = list.scrollHeight;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function audio() {
  if (!audioContext) audioContext = new AudioContext({ latencyHint: 'interactive' });
  return audioContext;
}

class Tile {
  constructor(producer) {
    this.producer = producer;
    this.el = $('#tile-template').content.firstElementChild.cloneNode(true);
    this.el.dataset.stream = producer;
    $('.id', this.el).textContent = producer;
    this.canvas = $('canvas', this.el);
    // bitmaprenderer takes the decoded bitmap as it is (no copy, no redraw): the cheapest way to show it.
    this.screen = this.canvas.getContext('bitmaprenderer');
    this.painted = 0; this.pageDropped = 0; this.decoding = 0; this.pending = null; this.lastBytes = null; this.hashedBytes = null;
    this.latencies = []; this.paintTimes = []; this.hash = '';
    this.net = {};                // stream id -> the client's figures (complete, dropped, lost, recovered, tabDropped)
    this.audioPlayed = 0; this.audioGaps = 0; this.audioEnd = null; this.lastAudio = null; this.lastSource = null;
    this.audioWaiting = 0;
    this.gain = null; this.muted = false;
    $('.mute', this.el).onclick = () => this.setMuted(!this.muted);
    $('.mute', this.el).hidden = true;  // shown with the first audio chunk: a video-only stream has nothing to mute
    $('.close', this.el).onclick = () => send('unsubscribe ' + this.producer);
    $('.full', this.el).onclick = () => {
      if (document.fullscreenElement) document.exitFullscreen(); else this.el.requestFullscreen().catch(() => {});
    };
    for (const [cls, ext] of [['u-mjpg', 'mjpg'], ['u-jpg', 'jpg'], ['u-mp3', 'mp3']]) {
      const a = $('.' + cls, this.el);
      a.href = `${location.origin}/streams/${producer}.${ext}`;
      a.textContent = a.href;
    }
    for (const b of this.el.querySelectorAll('.copy')) b.onclick = () => copyLink($('.' + b.dataset.for, this.el).href, b);
    this.players = 0;
    $('#tiles').append(this.el);
    this.update();
  }

  setMuted(m) {
    this.muted = m;
    if (this.gain) this.gain.gain.value = m ? 0 : 1;
    const b = $('.mute', this.el);
    b.textContent = m ? 'unmute' : 'mute';
    b.classList.toggle('off', m);
    b.title = m ? 'Unmute this stream' : 'Mute this stream';
  }

  video(id, number, captureMs, bytes) {
    if (this.decoding >= MAX_DECODING) { this.pageDropped++; send('ack ' + id); return; }
    this.decoding++;
    createImageBitmap(new Blob([bytes], { type: 'image/jpeg' })).then((bitmap) => {
      this.decoding--;
      send('ack ' + id);
      if (this.pending) { this.pending.bitmap.close(); this.pageDropped++; }
      this.pending = { bitmap, captureMs, bytes };
      queueDraw();
    }, () => { this.decoding--; this.pageDropped++; send('ack ' + id); });
  }

  // Called from requestAnimationFrame: the frame drawn now is on screen with this display refresh.
  paint(now) {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    if (this.canvas.width !== p.bitmap.width || this.canvas.height !== p.bitmap.height) {
      this.canvas.width = p.bitmap.width; this.canvas.height = p.bitmap.height;
    }
    this.screen.transferFromImageBitmap(p.bitmap);
    this.painted++;
    this.lastBytes = p.bytes;
    this.el.classList.add('painting');
    this.latencies.push(now - p.captureMs);
    if (this.latencies.length > LATENCY_SAMPLES) this.latencies.shift();
    this.paintTimes.push(now);
  }

  // The hash of the frame on screen, taken when the figures are refreshed rather than at every paint.
  hashLastFrame() {
    const bytes = this.lastBytes;
    if (!bytes || bytes === this.hashedBytes || !crypto.subtle) return;
    this.hashedBytes = bytes;
    crypto.subtle.digest('SHA-256', bytes).then((d) => {
      if (this.hashedBytes !== bytes) return;
      this.hash = Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
      this.el.dataset.lastFrameSha256 = this.hash;
    });
  }

  audio(id, number, captureMs, bytes) {
    $('.mute', this.el).hidden = false;
    const ac = audio();
    if (ac.state !== 'running') { this.audioWaiting++; this.lastAudio = null; this.audioEnd = null; return; }
    ac.decodeAudioData(bytes.slice().buffer).then((buffer) => this.schedule(ac, number, captureMs, buffer),
      () => { this.audioGaps++; });
  }

  // A browser-published stream's sound: Opus chunks (stream kind 3), decoded with WebCodecs.
  opus(id, number, captureMs, bytes) {
    $('.mute', this.el).hidden = false;
    const link = $('.u-mp3', this.el);
    if (!link.href.endsWith('.ogg')) { link.href = `${location.origin}/streams/${this.producer}.ogg`; link.textContent = link.href; }
    const ac = audio();
    if (ac.state !== 'running') { this.audioWaiting++; this.lastAudio = null; this.audioEnd = null; return; }
    if (typeof AudioDecoder === 'undefined') { this.audioGaps++; return; }
    this.opusState = this.opusState || {};
    decodeOpusChunk(ac, bytes, this.opusState).then((buffer) => this.schedule(ac, number, captureMs, buffer),
      () => { this.audioGaps++; });
  }

  // Chunks play back to back, each at its capture time plus the jitter buffer; a missing chunk or a
  // silence between two chunks is a gap.
  schedule(ac, number, captureMs, buffer) {
    if (!this.gain) {
      this.gain = ac.createGain();
      this.gain.connect(ac.destination);
      this.setMuted(this.muted);
    }
    let at = ac.currentTime + (captureMs + AUDIO_DELAY_MS - wallNow()) / 1000;
    const missed = this.lastAudio !== null && number !== ((this.lastAudio + 1) >>> 0);
    this.lastAudio = number;
    if (at < ac.currentTime + 0.005) at = ac.currentTime + 0.005;       // late: play at once
    if (this.audioEnd !== null && (missed || at > this.audioEnd + 0.02)) this.audioGaps++;
    if (this.lastSource && this.audioEnd !== null && at < this.audioEnd) this.lastSource.stop(at);
    const source = ac.createBufferSource();
    source.buffer = buffer;
    source.connect(this.gain);
    const skip = buffer.duration > 1 + MP3_PRIMING_S ? MP3_PRIMING_S : 0;
    source.start(at, skip);
    source.onended = () => { this.audioPlayed++; };
    this.lastSource = source;
    this.audioEnd = at + buffer.duration - skip;
  }

  update() {
    this.hashLastFrame();
    const now = wallNow();
    while (this.paintTimes.length && this.paintTimes[0] < now - 2000) this.paintTimes.shift();
    const fps = this.paintTimes.length / 2;
    const sorted = this.latencies.slice().sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5), p99 = percentile(sorted, 0.99);
    let dropped = this.pageDropped, lost = 0, recovered = 0;
    for (const f of Object.values(this.net)) { dropped += f.dropped + f.tabDropped; lost += f.lost; recovered += f.recovered; }
    const d = this.el.dataset;
    d.framesPainted = this.painted;
    d.latencyMsP50 = isNaN(p50) ? '' : p50.toFixed(1);
    d.latencyMsP99 = isNaN(p99) ? '' : p99.toFixed(1);
    d.audioChunksPlayed = this.audioPlayed;
    d.audioGaps = this.audioGaps;
    d.lastFrameSha256 = this.hash;
    d.fps = fps.toFixed(1);
    d.framesDropped = dropped;
    d.datagramsLost = lost;
    d.datagramsRecovered = recovered;
    d.players = this.players;
    $('.f-players', this.el).textContent = this.players;
    $('.f-fps', this.el).textContent = this.painted ? fps.toFixed(1) : '–';
    const lat = $('.f-latency', this.el);
    lat.textContent = isNaN(p50) ? '–' : `${p50.toFixed(0)} / ${p99.toFixed(0)} ms`;
    lat.className = 'f-latency' + (p99 > 200 ? ' bad' : p99 > 50 ? ' warn' : '');
    const dr = $('.f-dropped', this.el);
    dr.textContent = dropped; dr.className = 'f-dropped' + (dropped ? ' warn' : '');
    $('.f-loss', this.el).textContent = `${lost}/${recovered}`;
    const au = $('.f-audio', this.el);
    if (this.audioPlayed || this.gain) au.textContent = `${this.audioPlayed} played, ${this.audioGaps} gaps`;
    else au.textContent = this.audioWaiting ? 'click for sound' : '–';
    au.className = 'f-audio' + (this.audioGaps ? ' warn' : '');
  }

  remove() {
    if (this.pending) this.pending.bitmap.close();
    if (this.lastSource) try { this.lastSource.stop(); } catch (e) { /* not started */ }
    if (this.gain) this.gain.disconnect();
    this.el.remove();
  }
}

// One Opus chunk (docs/PROTOCOL.md: format 1, channels, packet count, 0, then u16-length-prefixed 20 ms packets at
// 48 kHz) into an AudioBuffer, with one WebCodecs decoder per stream kept in `state`.
async function decodeOpusChunk(ctx, bytes, state) {
  if (bytes.length < 4 || bytes[0] !== 1 || (bytes[1] !== 1 && bytes[1] !== 2)) throw new Error('not an Opus chunk');
  const channels = bytes[1], count = bytes[2];
  if (!state.decoder || state.decoder.state === 'closed' || state.channels !== channels) {
    if (state.decoder && state.decoder.state !== 'closed') state.decoder.close();
    state.channels = channels; state.out = []; state.timestamp = 0;
    state.decoder = new AudioDecoder({ output: (d) => state.out.push(d), error: (e) => { state.error = e; } });
    state.decoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: channels });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 2 > bytes.length) throw new Error('truncated Opus chunk');
    const n = view.getUint16(at);
    if (n === 0 || at + 2 + n > bytes.length) throw new Error('truncated Opus chunk');
    state.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: state.timestamp, data: bytes.subarray(at + 2, at + 2 + n) }));
    state.timestamp += 20000; at += 2 + n;
  }
  await state.decoder.flush();
  const frames = state.out.splice(0);
  const length = frames.reduce((s, d) => s + d.numberOfFrames, 0);
  const buffer = ctx.createBuffer(channels, Math.max(1, length), 48000);
  let offset = 0;
  for (const d of frames) {
    for (let c = 0; c < channels; c++) {
      const plane = new Float32Array(d.numberOfFrames);
      d.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
      buffer.copyToChannel(plane, c, offset);
    }
    offset += d.numberOfFrames; d.close();
  }
  return buffer;
}

// The clipboard needs a secure context (localhost is one); elsewhere the link is selected for the user to copy.
function copyLink(url, button) {
  const done = () => { button.textContent = 'copied'; setTimeout(() => { button.textContent = 'copy link'; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(url).then(done, () => select(url)); return; }
  select(url);
  function select(u) { window.prompt('Copy this link', u); }
}

function queueDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    const now = wallNow();
    for (const t of tiles.values()) t.paint(now);
  });
}

function onMedia(data) {
  const v = new DataView(data);
  if (data.byteLength < 17 || v.getUint8(0) !== 1) return;
  const stream = v.getUint32(1), number = v.getUint32(5);
  const captureMs = Number(v.getBigUint64(9)) / 1000;
  const id = hex(stream, 8), producer = id.slice(0, 6), kind = stream & 0xff;
  const bytes = new Uint8Array(data, 17);
  const tile = tiles.get(producer);
  if (!tile) { if (kind === 1) send('ack ' + id); return; }
  if (kind === 1) tile.video(id, number, captureMs, bytes);
  else if (kind === 2) tile.audio(id, number, captureMs, bytes);
  else if (kind === 3) tile.opus(id, number, captureMs, bytes);
}

function syncTiles() {
  const wanted = new Set(subscriptions.map((s) => s.slice(0, 6)));
  for (const p of wanted) if (!tiles.has(p)) tiles.set(p, new Tile(p));
  for (const [p, t] of tiles) if (!wanted.has(p)) { t.remove(); tiles.delete(p); }
  $('#empty').hidden = tiles.size > 0;
  renderList();
}

let lastList = null;
function renderList(msg = lastList) {
  if (!msg) return;
  lastList = msg;
  const byProducer = new Map();
  for (const s of msg.streams) {
    const p = s.id.slice(0, 6);
    if (!byProducer.has(p)) byProducer.set(p, {});
    byProducer.get(p)[s.kind] = s;
  }
  const body = $('#streams tbody');
  body.replaceChildren();
  if (byProducer.size === 0) {
    const tr = body.insertRow(); const td = tr.insertCell(); td.colSpan = 7; td.className = 'muted';
    td.textContent = 'the broker knows no producers yet';
  }
  let online = 0;
  for (const [p, k] of [...byProducer].sort()) {
    const any = k.video || k.audio || Object.values(k)[0];
    const isOnline = Object.values(k).some((s) => s.state === 'online');
    if (isOnline) online++;
    const tr = body.insertRow();
    const id = tr.insertCell(); id.className = 'id'; id.textContent = p;
    tr.insertCell().textContent = k.video ? `${+k.video.fps.toFixed(1)} fps` : '–';
    tr.insertCell().textContent = k.audio ? 'yes' : '–';
    const st = tr.insertCell();
    const dot = document.createElement('span'); dot.className = 'dot' + (isOnline ? ' online' : '');
    st.append(dot, isOnline ? 'online' : 'offline');
    tr.insertCell().textContent = any.subscribers;
    tr.insertCell().textContent = any.origin || '–';
    const b = document.createElement('button');
    const watching = tiles.has(p);
    b.textContent = watching ? 'Stop' : 'Watch';
    b.onclick = () => send((watching ? 'unsubscribe ' : 'subscribe ') + p);
    tr.insertCell().append(b);
    const t = tiles.get(p);
    if (t) $('.state', t.el).textContent = isOnline ? `${k.video ? k.video.fps.toFixed(0) + ' fps · ' : ''}online` : 'offline';
  }
  $('#stream-count').textContent = `· ${online} online`;
}

function onText(msg) {
  switch (msg.type) {
    case 'state':
      subscriptions = msg.subscriptions;
      $('#broker').textContent = `client of broker ${msg.broker}` + (msg.connected ? '' : ' (reconnecting…)');
      syncTiles();
      break;
    case 'list': renderList(msg); break;
    case 'say': log(msg.text); break;
    case 'figures':
      for (const [id, f] of Object.entries(msg.streams)) {
        const t = tiles.get(id.slice(0, 6));
        if (t) t.net[id] = f;
      }
      break;
    case 'readers': {
      const count = new Map();
      for (const s of msg.streams) count.set(s.stream.slice(0, 6), (count.get(s.stream.slice(0, 6)) || 0) + s.readers);
      for (const [p, t] of tiles) t.players = count.get(p) || 0;
      break;
    }
  }
}

function setLink(up) {
  const l = $('#link');
  l.textContent = up ? 'live' : 'disconnected, retrying…';
  l.classList.toggle('up', up);
  l.classList.toggle('down', !up);
}

function connect() {
  ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    setLink(true);
    send('view ' + (document.hidden ? 'hidden' : 'visible'));
    send('list');
    const watch = new URLSearchParams(location.search).get('watch');
    if (watch && !watchSent) {
      watchSent = true;
      for (const id of watch.split(',')) if (/^[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/.test(id.trim())) send('subscribe ' + id.trim().toUpperCase());
    }
  };
  ws.onmessage = (e) => (typeof e.data === 'string' ? onText(JSON.parse(e.data)) : onMedia(e.data));
  ws.onclose = () => { setLink(false); ws = null; setTimeout(connect, 1000); };
}

function updateSound() {
  const b = $('#sound');
  const on = audioContext && audioContext.state === 'running';
  b.textContent = on ? 'Sound on' : 'Sound off: click to enable';
  b.classList.toggle('on', !!on);
}

document.addEventListener('DOMContentLoaded', () => {
  $('#watch-form').onsubmit = (e) => {
    e.preventDefault();
    const id = $('#watch-id').value.trim().toUpperCase();
    if (id) send('subscribe ' + id);
    $('#watch-id').value = '';
  };
  const toggle = (button, key, apply) => {
    const set = (on) => { button.setAttribute('aria-pressed', String(on)); apply(on); localStorage.setItem(key, on ? '1' : '0'); };
    const stored = localStorage.getItem(key);
    set(stored === null ? button.getAttribute('aria-pressed') === 'true' : stored === '1');
    button.onclick = () => set(button.getAttribute('aria-pressed') !== 'true');
  };
  toggle($('#larger'), 'vb-larger', (on) => $('#tiles').classList.toggle('larger', on));
  toggle($('#figures-toggle'), 'vb-figures', (on) => document.body.classList.toggle('no-figures', !on));
  $('#sound').onclick = () => {
    const ac = audio();
    if (ac.state === 'running') ac.suspend().then(updateSound); else ac.resume().then(updateSound);
  };
  // Browsers let audio start only from a user gesture: the first click anywhere starts it.
  document.addEventListener('pointerdown', (e) => {
    if (e.target.closest('#sound') || audio().state !== 'suspended') return;
    audio().resume().then(updateSound);
  }, { once: true });
  document.addEventListener('visibilitychange', () => send('view ' + (document.hidden ? 'hidden' : 'visible')));
  // An autoplay policy that allows sound (or none) starts the context without a click.
  audio().resume().then(updateSound, updateSound);
  setInterval(() => { for (const t of tiles.values()) t.update(); updateSound(); }, 500);
  connect();
});
