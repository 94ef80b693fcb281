'use strict';
// The publish page: camera and microphone to the producer's gateway over one WebSocket (docs/PUBLISH.md).
// Page -> gateway: the text `start ID KEY FPS CHANNELS`, then binary messages whose first byte says what follows:
// 1 a JPEG frame, 2 one Opus packet of 20 ms. Gateway -> page: JSON texts {"state": ..., "message": ...}.
(() => {
  const JPEG_QUALITY = 0.8;
  const OPUS_BITRATE = 32000;          // bits/s: speech and music at 48 kHz, ~4 KB/s against 96 KB/s of 16-bit PCM
  const OPUS_FRAME_US = 20000;         // what the gateway groups by five into 100 ms chunks
  const MAX_BUFFERED = 2 << 20;        // bytes waiting in the socket above which a frame is skipped, not queued
  const FIRST_SOUND_WAIT_MS = 1500;    // how long to wait for the microphone's first samples before going without

  const $ = (s) => document.querySelector(s);
  const status = $('#status'), preview = $('#preview');
  let stream = null, ws = null, encoder = null, audioReader = null, videoReader = null, timer = null, state = 'idle';
  let sending = false;  // frames and sound go out: from the first "live" until the page stops
  let framesSent = 0, skipped = 0, packetsSent = 0, audioBytes = 0, channels = 0, recent = [];

  function setState(s, message) {
    state = s;
    document.body.dataset.state = s;
    status.dataset.state = s;
    status.textContent = message;
    $('#go').disabled = s === 'connecting' || s === 'live';
    $('#stop').disabled = !(s === 'connecting' || s === 'live');
  }

  function showFigures() {
    const now = performance.now();
    recent = recent.filter((t) => now - t < 1000);
    document.body.dataset.framesSent = framesSent;
    document.body.dataset.framesSkipped = skipped;
    document.body.dataset.audioPackets = packetsSent;
    document.body.dataset.audioBytes = audioBytes;
    $('#frames').textContent = framesSent;
    $('#rate').textContent = state === 'live' ? String(recent.length) : '–';
    $('#skipped').textContent = skipped;
    $('#sound').textContent = channels ? `Opus, ${channels === 1 ? 'mono' : 'stereo'}, ${packetsSent} packets, ${(audioBytes / 1024).toFixed(0)} KiB` : 'none';
  }

  async function listDevices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    for (const [select, kind] of [[$('#camera'), 'videoinput'], [$('#microphone'), 'audioinput']]) {
      const keep = select.value;
      for (const o of [...select.options]) if (o.value && o.value !== 'none') o.remove();
      for (const d of all.filter((d) => d.kind === kind && d.deviceId)) {
        select.add(new Option(d.label || `${kind} ${select.options.length}`, d.deviceId));
      }
      select.value = keep;
    }
  }

  async function openDevices() {
    const [w, h] = $('#size').value.split('x').map(Number);
    const fps = Number($('#fps').value);
    const cam = $('#camera').value, mic = $('#microphone').value;
    const video = { width: { ideal: w }, height: { ideal: h }, frameRate: { ideal: fps } };
    if (cam) video.deviceId = { exact: cam };
    // No echo cancellation, noise suppression or gain control: a broadcast wants the sound as it is (they take a
    // steady tone or music for noise and cut it by 15 dB, measured with Chromium's fake microphone).
    const audio = mic === 'none' ? false : {
      channelCount: { ideal: 1 }, echoCancellation: false, noiseSuppression: false, autoGainControl: false,
      ...(mic ? { deviceId: { exact: mic } } : {}),
    };
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = await navigator.mediaDevices.getUserMedia({ video, audio });
    preview.srcObject = stream;
    await preview.play().catch(() => {});
    listDevices().catch(() => {});
  }

  // The microphone's samples through WebCodecs' Opus encoder; resolves with the channel count (0: no sound).
  async function startSound() {
    const track = stream.getAudioTracks()[0];
    if (!track || typeof AudioEncoder === 'undefined' || typeof MediaStreamTrackProcessor === 'undefined') return 0;
    audioReader = new MediaStreamTrackProcessor({ track }).readable.getReader();
    const first = await Promise.race([audioReader.read(), new Promise((r) => setTimeout(() => r(null), FIRST_SOUND_WAIT_MS))]);
    if (!first || first.done) return 0;
    const data = first.value, n = Math.min(2, data.numberOfChannels);
    const config = { codec: 'opus', sampleRate: data.sampleRate, numberOfChannels: n, bitrate: OPUS_BITRATE, opus: { frameDuration: OPUS_FRAME_US } };
    if (!(await AudioEncoder.isConfigSupported(config)).supported) { data.close(); return 0; }
    encoder = new AudioEncoder({ output: sendPacket, error: (e) => { $('#sound').textContent = 'encoder failed: ' + e.message; } });
    encoder.configure(config);
    encoder.encode(data);
    data.close();
    (async () => {
      while (encoder) {
        const r = await audioReader.read().catch(() => ({ done: true }));
        if (r.done) break;
        if (encoder && encoder.state === 'configured') encoder.encode(r.value);
        r.value.close();
      }
    })();
    return n;
  }

  function sendPacket(chunk) {
    if (!sending || !ws || ws.readyState !== WebSocket.OPEN) return;
    const m = new Uint8Array(1 + chunk.byteLength);
    m[0] = 2;
    chunk.copyTo(m.subarray(1));
    ws.send(m);
    packetsSent++;
    audioBytes += chunk.byteLength;
  }

  // One JPEG from `source` (the preview or a VideoFrame) onto the socket; false if the upload is behind.
  async function sendJPEG(canvas, ctx, source, width, height) {
    if (!ws) return;
    if (ws.bufferedAmount > MAX_BUFFERED) { skipped++; return; }
    if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
    ctx.drawImage(source, 0, 0, width, height);
    const blob = canvas.convertToBlob ? await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY })
      : await new Promise((r) => canvas.toBlob(r, 'image/jpeg', JPEG_QUALITY));
    if (!blob || !sending || !ws) return;
    const m = new Uint8Array(1 + blob.size);
    m[0] = 1;
    m.set(new Uint8Array(await blob.arrayBuffer()), 1);
    ws.send(m);
    framesSent++;
    recent.push(performance.now());
  }

  // Frames at the chosen rate. Where the browser has MediaStreamTrackProcessor, the camera's own frames drive
  // it, picked by their timestamps: a tab in the background keeps streaming (timers there run once a second or
  // less). Elsewhere a timer on an absolute schedule, so a slow encode delays one frame, not all later ones.
  function startFrames(fps) {
    const interval = 1000 / fps;
    const track = stream.getVideoTracks()[0];
    if (track && typeof MediaStreamTrackProcessor !== 'undefined' && typeof OffscreenCanvas !== 'undefined') {
      const canvas = new OffscreenCanvas(1, 1), ctx = canvas.getContext('2d');
      videoReader = new MediaStreamTrackProcessor({ track }).readable.getReader();
      document.body.dataset.videoSource = 'track';
      let due = -Infinity, busy = false;
      (async () => {
        while (sending && videoReader) {
          const r = await videoReader.read().catch(() => ({ done: true }));
          if (r.done) break;
          const frame = r.value, ms = frame.timestamp / 1000;
          // On a grid of `interval` (half an interval early is on time), so the average rate is the one chosen;
          // after a stall the grid starts again from this frame.
          if (ms >= due - interval / 2 && !busy && sending) {
            due = ms - due > interval ? ms + interval : due + interval;
            busy = true;
            sendJPEG(canvas, ctx, frame, frame.displayWidth, frame.displayHeight).finally(() => { busy = false; frame.close(); });
          } else {
            frame.close();
          }
        }
      })();
      return;
    }
    const canvas = document.createElement('canvas'), ctx = canvas.getContext('2d');
    document.body.dataset.videoSource = 'timer';
    let next = performance.now(), busy = false;
    const tick = async () => {
      if (!sending) return;
      next += interval;
      if (next < performance.now()) next = performance.now() + interval;
      timer = setTimeout(tick, next - performance.now());
      if (busy || !preview.videoWidth) return;
      busy = true;
      await sendJPEG(canvas, ctx, preview, preview.videoWidth, preview.videoHeight);
      busy = false;
    };
    tick();
  }

  function stopAll(finalState, message) {
    sending = false;
    clearTimeout(timer);
    if (encoder) { try { encoder.close(); } catch (e) {} encoder = null; }
    if (audioReader) { audioReader.cancel().catch(() => {}); audioReader = null; }
    if (videoReader) { videoReader.cancel().catch(() => {}); videoReader = null; }
    if (ws) { const w = ws; ws = null; w.onclose = null; w.close(); }
    setState(finalState, message);
  }

  async function goLive(id, key) {
    const fps = Number($('#fps').value);
    setState('connecting', `Connecting ${id}…`);
    try {
      await openDevices();
    } catch (e) {
      return stopAll('error', `Cannot open the camera or microphone: ${e.name}. ${location.protocol === 'http:' && !/^(localhost|127\.|\[::1\])/.test(location.hostname) ? 'Browsers give cameras only to https pages (or localhost).' : ''}`);
    }
    channels = await startSound().catch(() => 0);
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/publish/ws`);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => ws.send(`start ${id} ${key} ${fps} ${channels}`);
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      const m = JSON.parse(e.data);
      if (m.state === 'live') {
        setState('live', m.message);
        // Once: while the producer moves to another broker ("connecting" again) the page keeps sending, and the
        // producer holds what arrives meanwhile for the new session.
        if (!sending) { sending = true; startFrames(fps); }
      } else if (m.state === 'refused' || m.state === 'error') {
        stopAll(m.state, m.message);
      } else {
        setState(m.state, m.message);
      }
    };
    ws.onclose = () => { if (state === 'connecting' || state === 'live') stopAll('error', 'The connection to the producer closed.'); };
  }

  $('#form').addEventListener('submit', (e) => {
    e.preventDefault();
    goLive($('#id').value.trim().toUpperCase(), $('#key').value.trim());
  });
  $('#stop').addEventListener('click', () => stopAll('idle', 'Stopped. Press Go live to start again.'));
  for (const s of ['#camera', '#microphone', '#size']) $(s).addEventListener('change', () => { if (state !== 'live') openDevices().catch(() => {}); });
  setInterval(showFigures, 500);

  // ?id=…&key=…&start=1 goes live at once with the default devices (scripts and tests); the key is then taken
  // out of the address bar and the history, so it is not left on screen or in the browser's history.
  const q = new URLSearchParams(location.search);
  if (q.get('id')) $('#id').value = q.get('id');
  if (q.get('key')) $('#key').value = q.get('key');
  for (const [name, select] of [['fps', '#fps'], ['size', '#size']]) {
    const v = q.get(name);
    if (v && ![...$(select).options].some((o) => o.value === v)) $(select).add(new Option(v, v));
    if (v) $(select).value = v;
  }
  if (q.get('sound') === '0') $('#microphone').value = 'none';
  if (q.has('key')) history.replaceState(null, '', location.pathname);
  if (q.get('start') === '1' && $('#form').reportValidity()) goLive($('#id').value.trim().toUpperCase(), $('#key').value.trim());
  else if (navigator.mediaDevices) listDevices().catch(() => {});
})();
