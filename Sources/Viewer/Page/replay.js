'use strict';
// Recordings (docs/VIEWER.md, "Recordings"): the list from /recordings.json, the recorder's figures, and replays.
// A replay tile is a Tile (same JPEG decoding and painting) fed by `replay` messages from the client, which reads
// the file and paces it; the tile sends `replay <n> seek|play|pause|speed|close`. Figures a script reads back on
// .tile[data-replay]: data-replay-position-ms, data-painted-capture-us (capture time of the frame on screen),
// data-frames-painted, data-audio-chunks-played, data-state; data-seeks counts the seeks asked for and
// data-painted-seek is that count when the frame on screen was decoded (equal: the frame is from after the last seek).
const replays = new Map();         // replay id (from the client) -> ReplayTile
let replayOpening = null;          // the path asked for, until the client names its replay

const fmtBytes = (n) => n >= 1e9 ? (n / 1e9).toFixed(2) + ' GB' : n >= 1e6 ? (n / 1e6).toFixed(1) + ' MB' : (n / 1e3).toFixed(0) + ' kB';
const fmtTime = (ms) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

class ReplayTile extends Tile {
  constructor(id, path) {
    super(path.slice(0, 6));
    this.replay = id; this.path = path;
    this.duration = 0; this.position = 0; this.positionAt = wallNow(); this.state = 'paused'; this.speed = 1;
    this.awaitingSeek = false; this.start = 0;
    delete this.el.dataset.stream;
    const d = this.el.dataset;
    d.replay = id; d.path = path; d.paintedCaptureUs = ''; d.replayPositionMs = '0'; d.state = 'paused';
    this.el.classList.add('replay');
    $('.id', this.el).textContent = 'replay ' + path;
    $('.links', this.el).remove();
    $('.close', this.el).title = 'Close this replay';
    $('.close', this.el).onclick = () => send(`replay ${id} close`);
    for (const cls of ['.f-latency', '.f-loss', '.f-players']) $(cls, this.el).parentElement.hidden = true;
    const bar = document.createElement('div');
    bar.className = 'timeline';
    bar.innerHTML = '<button class="toggle-play" type="button">pause</button>'
      + '<input class="seek" type="range" min="0" max="0" step="1" value="0" aria-label="position">'
      + '<span class="pos">0:00 / 0:00</span>'
      + '<button class="speed" type="button" title="1× or 2×">1×</button>';
    this.el.append(bar);
    $('.toggle-play', bar).onclick = () => send(`replay ${id} ${this.state === 'playing' ? 'pause' : 'play'}`);
    $('.speed', bar).onclick = () => send(`replay ${id} speed ${this.speed === 1 ? 2 : 1}`);
    $('.seek', bar).onchange = (e) => this.seek(Number(e.target.value) * 1000);
  }

  acknowledge() { /* replays are paced by the client, not by acknowledgements */ }

  // Frames already on their way from before a seek are not shown: everything up to the client's answer is skipped.
  seek(ms) {
    this.awaitingSeek = true;
    this.era++;
    this.el.dataset.seeks = String(this.era);
    if (this.pending) { this.pending.bitmap.close(); this.pending = null; }
    send(`replay ${this.replay} seek ${Math.max(0, Math.round(ms))}`);
  }

  media(kind, number, captureUs, bytes) {
    if (this.awaitingSeek) return;
    if (kind === 1) this.video(String(this.replay), number, captureUs / 1000, bytes);
    else if (kind === 2) this.replayAudio(number, bytes);
  }

  paint(now) {
    const p = this.pending;
    super.paint(now);
    if (p) { this.el.dataset.paintedCaptureUs = String(Math.round(p.captureMs * 1000)); this.el.dataset.paintedSeek = String(this.era); }
  }

  // Chunks arrive when due (the client paces them), so each is played at once after the one before, at the
  // replay's speed (2× plays the sound faster, higher).
  replayAudio(number, bytes) {
    $('.mute', this.el).hidden = false;
    const ac = audio();
    if (ac.state !== 'running') { this.audioWaiting++; this.audioEnd = null; return; }
    ac.decodeAudioData(bytes.slice().buffer).then((buffer) => {
      if (!this.gain) { this.gain = ac.createGain(); this.gain.connect(ac.destination); this.setMuted(this.muted); }
      const soon = ac.currentTime + AUDIO_DELAY_MS / 1000;
      const follows = this.audioEnd !== null && this.audioEnd > ac.currentTime && this.audioEnd < soon + 0.5;
      const at = follows ? this.audioEnd : soon;
      if (!follows && this.audioEnd !== null) this.audioGaps++;
      const source = ac.createBufferSource();
      source.buffer = buffer;
      source.playbackRate.value = this.speed;
      source.connect(this.gain);
      const skip = buffer.duration > 1 + MP3_PRIMING_S ? MP3_PRIMING_S : 0;
      source.start(at, skip);
      source.onended = () => { this.audioPlayed++; };
      this.lastSource = source;
      this.audioEnd = at + (buffer.duration - skip) / this.speed;
    }, () => { this.audioGaps++; });
  }

  setState(msg) {
    this.awaitingSeek = false;
    this.duration = msg.duration; this.position = msg.position; this.positionAt = wallNow();
    this.state = msg.state; this.speed = msg.speed; this.start = msg.start;
    if (this.state !== 'playing' && this.lastSource) { try { this.lastSource.stop(); } catch (e) { /* not started */ } this.audioEnd = null; }
    this.update();
  }

  update() {
    super.update();
    if (this.replay === undefined) return;  // called by Tile's constructor, before this tile's own fields
    const playing = this.state === 'playing';
    const pos = Math.min(this.duration, this.position + (playing ? (wallNow() - this.positionAt) * this.speed : 0));
    const d = this.el.dataset;
    d.replayPositionMs = String(Math.round(pos));
    d.state = this.state;
    d.startUs = String(this.start);
    d.speed = String(this.speed);
    $('.state', this.el).textContent = this.state + (this.speed === 2 ? ' 2×' : '');
    $('.toggle-play', this.el).textContent = playing ? 'pause' : 'play';
    $('.speed', this.el).textContent = this.speed + '×';
    const seek = $('.seek', this.el);
    seek.max = String(Math.floor(this.duration / 1000));
    if (document.activeElement !== seek) seek.value = String(Math.floor(pos / 1000));
    $('.pos', this.el).textContent = `${fmtTime(pos)} / ${fmtTime(this.duration)}`;
  }
}

function onReplayMedia(data) {
  const v = new DataView(data);
  const id = v.getUint32(1), stream = v.getUint32(5), number = v.getUint32(9);
  const captureUs = Number(v.getBigUint64(13));
  const tile = replays.get(id);
  if (tile) tile.media(stream & 0xff, number, captureUs, new Uint8Array(data, 21));
}

function onReplayState(msg) {
  let tile = replays.get(msg.id);
  if (msg.state === 'closed') { if (tile) { tile.remove(); replays.delete(msg.id); } syncEmpty(); return; }
  if (!tile) {
    tile = new ReplayTile(msg.id, msg.path);
    replays.set(msg.id, tile);
    replayOpening = null;
    syncEmpty();
  }
  tile.setState(msg);
}

function syncEmpty() {
  $('#empty').hidden = tiles.size + replays.size > 0;
}

// The recordings, per producer, newest first; a click replays one in a tile.
async function refreshRecordings() {
  const body = $('#recordings tbody');
  let list;
  try {
    const r = await fetch('/recordings.json', { cache: 'no-store' });
    if (r.status === 404) { $('#recordings-section').hidden = true; return; }
    list = (await r.json()).recordings;
  } catch (e) { return; }
  $('#recordings-section').hidden = false;
  body.textContent = '';
  if (!list.length) { body.innerHTML = '<tr><td colspan="5" class="muted">nothing recorded yet</td></tr>'; return; }
  for (const rec of list.slice().reverse()) {
    const tr = document.createElement('tr');
    const cells = [rec.producer, rec.start.replace('T', ' ').replace('Z', ''),
      rec.durationMs === null ? (rec.recording ? 'recording…' : 'unfinished') : fmtTime(rec.durationMs), fmtBytes(rec.bytes)];
    for (const c of cells) { const td = document.createElement('td'); td.textContent = c; tr.append(td); }
    const td = document.createElement('td');
    const play = document.createElement('button');
    play.type = 'button'; play.textContent = 'play'; play.className = 'replay-open'; play.dataset.path = rec.path;
    play.dataset.recording = String(rec.recording);
    play.onclick = () => openReplay(rec.path);
    const link = document.createElement('a');
    link.href = '/recordings/' + rec.path; link.textContent = 'file'; link.title = 'The .mkv file (VLC, mpv, ffplay)';
    td.append(play, ' ', link);
    tr.append(td);
    body.append(tr);
  }
}

function openReplay(path) {
  replayOpening = path;
  audio().resume().then(updateSound, updateSound);
  send('replay open ' + path);
}

function showRecorder(msg) {
  const panel = $('#recorder');
  if (!msg.recording) { panel.hidden = true; return; }
  panel.hidden = false;
  const open = Object.values(msg.openFiles);
  let recorded = 0, dropped = 0;
  for (const s of Object.values(msg.streams)) { recorded += s.recorded; dropped += s.dropped; }
  $('#recorder-text').textContent = `recording ${open.length ? open.join(', ') : 'nothing now'}; ${fmtBytes(msg.bytesWritten)} written, `
    + `${recorded} frames recorded, ${dropped} dropped` + (msg.failing.length ? `; stopped (write errors): ${msg.failing.join(', ')}` : '');
  const d = panel.dataset;
  d.bytesWritten = msg.bytesWritten; d.framesRecorded = recorded; d.framesDropped = dropped; d.openFiles = open.length;
}

function setupRecordings() {
  $('#recordings-refresh').onclick = refreshRecordings;
  refreshRecordings();
  setInterval(refreshRecordings, 10000);
}
