// Decodes one Opus chunk (docs/PROTOCOL.md §13) into an AudioBuffer with WebCodecs' AudioDecoder.
// `state` is one object per stream, kept across its chunks: the decoder keeps its history from one chunk to the
// next, so chunk boundaries do not click. Returns a Promise<AudioBuffer> (48 kHz; an AudioBufferSourceNode
// resamples to the context's rate).
async function decodeOpusChunk(ctx, bytes, state) {
  if (bytes.length < 4 || bytes[0] !== 1 || (bytes[1] !== 1 && bytes[1] !== 2)) throw new Error('not an Opus chunk');
  const channels = bytes[1], count = bytes[2];
  if (!state.decoder || state.decoder.state === 'closed' || state.channels !== channels) {
    if (state.decoder && state.decoder.state !== 'closed') state.decoder.close();
    state.channels = channels;
    state.out = [];
    state.timestamp = 0;
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
    state.timestamp += 20000;  // µs; only the order matters to the decoder
    at += 2 + n;
  }
  await state.decoder.flush();
  const frames = state.out.splice(0);
  const length = frames.reduce((sum, d) => sum + d.numberOfFrames, 0);
  const buffer = ctx.createBuffer(channels, Math.max(1, length), 48000);
  let offset = 0;
  for (const d of frames) {
    for (let c = 0; c < channels; c++) {
      const plane = new Float32Array(d.numberOfFrames);
      d.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
      buffer.copyToChannel(plane, c, offset);
    }
    offset += d.numberOfFrames;
    d.close();
  }
  return buffer;
}
