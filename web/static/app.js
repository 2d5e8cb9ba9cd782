// The fullduplex voice page: microphone capture (AudioWorklet, 16-bit PCM
// frames at the server's rate), model audio through a jitter buffer that a
// "clear" drops at once, the transcript of both sides, optional camera or
// screen frames as JPEG. window.fullduplex holds the page's state (read by
// tests and handy in the console).
'use strict';

const KIND_AUDIO = 1, KIND_VIDEO = 2, VERSION = 1, HEADER = 12;
const JITTER = 0.06; // seconds of audio buffered before a turn starts playing

const state = window.fullduplex = {
  status: 'idle', // idle, connecting, ready, closed, mic-refused, error
  error: '',
  ready: null, // the server's ready message
  contextRate: 0,
  framesSent: 0, videoSent: 0, videoOn: false,
  audioReceived: 0, clears: 0, interrupts: 0, turnsEnded: 0,
  latencies: [], // per finished turn, ms
  transcript: [], // {role, text}
  rms: 0, // output level now (AnalyserNode, linear RMS)
  maxRms: 0, // loudest output so far
  maxRmsBeforeClear: null, // maxRms when the first clear came
  afterClear: null, // {samples, maxRms}: output level since the last clear, until new audio
};

const $ = (id) => document.getElementById(id);
let ws = null, ctx = null, analyser = null, out = null, mic = null;
let playing = []; // scheduled chunks: {src, start, end, turn}
let nextTime = 0; // when the next chunk starts
const played = new Map(); // turn -> seconds played (of chunks that ended)
let lastTurn = -1;
let video = null; // {stream, timer, source}

function setStatus(s, text, isError) {
  state.status = s;
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

function frame(kind, rate, payload) {
  const b = new Uint8Array(HEADER + payload.byteLength);
  const v = new DataView(b.buffer);
  v.setUint8(0, kind); v.setUint8(1, VERSION);
  v.setUint32(4, rate, true); v.setUint32(8, 0, true);
  b.set(new Uint8Array(payload.buffer || payload, payload.byteOffset || 0, payload.byteLength), HEADER);
  return b.buffer;
}

function send(msg) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(msg);
}

async function start() {
  $('start').disabled = true;
  setStatus('connecting', 'Asking for the microphone…');
  try {
    mic = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
  } catch (e) {
    const refused = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
    setStatus(refused ? 'mic-refused' : 'error', refused
      ? 'The microphone was refused. Allow it for this site (the icon in the address bar) and press Start again.'
      : 'No microphone: ' + (e && e.message || e), true);
    state.error = String(e && e.name || e);
    $('start').disabled = false;
    return;
  }
  ctx = new AudioContext({ latencyHint: 'interactive' });
  state.contextRate = ctx.sampleRate;
  out = ctx.createGain();
  analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  out.connect(analyser).connect(ctx.destination);
  await ctx.audioWorklet.addModule('capture.js');
  await ctx.resume();
  connect();
}

function connect() {
  const url = new URL('ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  setStatus('connecting', 'Connecting…');
  ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (ev) => (typeof ev.data === 'string' ? onControl(JSON.parse(ev.data)) : onAudio(ev.data));
  ws.onclose = (ev) => {
    setStatus('closed', 'Disconnected' + (ev.reason ? ': ' + ev.reason : '') + '.', ev.code !== 1000);
    stopVideo();
    clearPlayback();
    $('start').disabled = false;
    for (const id of ['stop', 'camera', 'screen']) $(id).disabled = true;
  };
}

function onReady(r) {
  state.ready = r;
  send(JSON.stringify({ type: 'hello', sample_rate: r.input_rate, context_rate: ctx.sampleRate }));
  const src = ctx.createMediaStreamSource(mic);
  const node = new AudioWorkletNode(ctx, 'fullduplex-capture', {
    processorOptions: { rate: r.input_rate, frame: Math.round(r.input_rate * r.frame_ms / 1000) },
  });
  node.port.onmessage = (ev) => {
    send(frame(KIND_AUDIO, r.input_rate, new Int16Array(ev.data)));
    state.framesSent++;
  };
  src.connect(node);
  node.connect(ctx.destination); // silent: it writes no output, but the graph pulls it
  $('stop').disabled = false;
  $('camera').disabled = $('screen').disabled = !(r.video_fps > 0);
  setStatus('ready', 'Listening. Speak now.');
}

function onControl(m) {
  switch (m.type) {
    case 'ready': onReady(m); break;
    case 'clear':
      if (playing.length) markInterrupted(lastTurn);
      clearPlayback();
      break;
    case 'transcript': addText(m.role, m.text); break;
    case 'interrupted': markInterrupted(m.turn); break;
    case 'turn_end':
      state.turnsEnded++;
      state.latencies.push(m.latency_ms);
      if (m.latency_ms > 0) addLatency(m.latency_ms);
      currentLine = null;
      break;
    case 'error':
      setStatus('error', 'Error: ' + m.message, true);
      state.error = m.message;
      break;
  }
}

// Playback: each chunk is scheduled right after the previous one; a turn
// (or playback after an underrun) starts JITTER seconds ahead.
function onAudio(buf) {
  const v = new DataView(buf);
  if (buf.byteLength < HEADER || v.getUint8(0) !== KIND_AUDIO) return;
  const rate = v.getUint32(4, true), turn = v.getUint32(8, true);
  const pcm = new Int16Array(buf, HEADER, (buf.byteLength - HEADER) >> 1);
  state.audioReceived++;
  state.afterClear = null;
  const b = ctx.createBuffer(1, pcm.length, rate);
  const f = b.getChannelData(0);
  for (let i = 0; i < pcm.length; i++) f[i] = pcm[i] / 32768;
  const now = ctx.currentTime;
  if (nextTime < now + 0.005) nextTime = now + JITTER;
  const src = ctx.createBufferSource();
  src.buffer = b;
  src.connect(out);
  const chunk = { src, start: nextTime, end: nextTime + b.duration, turn };
  src.onended = () => {
    const i = playing.indexOf(chunk);
    if (i >= 0) {
      playing.splice(i, 1);
      played.set(turn, (played.get(turn) || 0) + b.duration);
      if (!playing.some((c) => c.turn === turn)) report(turn);
    }
  };
  src.start(nextTime);
  nextTime = chunk.end;
  playing.push(chunk);
  lastTurn = turn;
}

function playedOf(turn) {
  let s = played.get(turn) || 0;
  const now = ctx ? ctx.currentTime : 0;
  for (const c of playing) if (c.turn === turn) s += Math.max(0, Math.min(now, c.end) - c.start);
  return s;
}

function queuedOf() {
  const now = ctx ? ctx.currentTime : 0;
  return playing.reduce((s, c) => s + Math.max(0, c.end - Math.max(now, c.start)), 0);
}

function report(turn) {
  send(JSON.stringify({ type: 'played', turn, played_ms: Math.round(playedOf(turn) * 1000), queued_ms: Math.round(queuedOf() * 1000) }));
}

// clearPlayback drops every scheduled sample now and reports what played.
function clearPlayback() {
  if (!ctx) return;
  const now = ctx.currentTime;
  const turns = new Set();
  for (const c of playing) {
    turns.add(c.turn);
    played.set(c.turn, (played.get(c.turn) || 0) + Math.max(0, Math.min(now, c.end) - c.start));
    c.src.onended = null;
    try { c.src.stop(); } catch (e) { /* not started */ }
    c.src.disconnect();
  }
  playing = [];
  nextTime = 0;
  if (state.maxRmsBeforeClear === null) state.maxRmsBeforeClear = state.maxRms;
  state.clears++;
  state.afterClear = { at: performance.now(), audioAt: ctx ? ctx.currentTime : 0, samples: 0, maxRms: 0 };
  for (const t of turns) report(t);
}

// The output meter: RMS of what the page plays, every 20 ms.
function meter() {
  if (analyser) {
    const a = new Float32Array(analyser.fftSize);
    analyser.getFloatTimeDomainData(a);
    let s = 0;
    for (const x of a) s += x * x;
    state.rms = Math.sqrt(s / a.length);
    state.maxRms = Math.max(state.maxRms, state.rms);
    const ac = state.afterClear;
    // the analyser's window (1024 samples) still holds the last ~25 ms
    // played before the clear; count from 60 ms of audio time after it
    // (the audio clock, not the page's: a renderer running late under load
    // leaves the window as it was)
    if (ac && ctx.currentTime - ac.audioAt > 0.06) {
      ac.samples++;
      ac.maxRms = Math.max(ac.maxRms, state.rms);
    }
  }
}
setInterval(meter, 20);
setInterval(() => { if (playing.length) report(lastTurn); }, 100);

// Transcript.
let currentLine = null;
function addText(role, text) {
  state.transcript.push({ role, text });
  if (!currentLine || currentLine.dataset.role !== role) {
    currentLine = document.createElement('div');
    currentLine.className = 'line ' + role;
    currentLine.dataset.role = role;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = role === 'user' ? 'You:' : 'Model:';
    currentLine.append(who, document.createElement('span'));
    $('transcript').append(currentLine);
  }
  currentLine.lastChild.textContent += text;
  currentLine.scrollIntoView({ block: 'end' });
}

// markInterrupted marks a model turn as cut, once: by the server's clear
// (barge-in here) or its interrupted message (the model was cut).
const cut = new Set();
function markInterrupted(turn) {
  if (cut.has(turn)) return;
  cut.add(turn);
  state.interrupts++;
  addMarker('[interrupted]');
}

function addMarker(text) {
  const m = document.createElement('span');
  m.className = 'marker';
  m.textContent = text;
  (currentLine || $('transcript')).append(m);
  currentLine = null;
}

function addLatency(ms) {
  const l = document.createElement('span');
  l.className = 'latency';
  l.textContent = ms + ' ms';
  (currentLine || $('transcript')).append(l);
}

// Video: JPEG frames of the camera or screen at the server's rate, only
// while sharing.
async function toggleVideo(source) {
  if (video) {
    const was = video.source;
    stopVideo();
    if (was === source) return;
  }
  let stream;
  try {
    stream = source === 'screen'
      ? await navigator.mediaDevices.getDisplayMedia({ video: true })
      : await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  } catch (e) {
    setStatus(state.status, 'Could not start the ' + source + ': ' + (e && e.message || e), true);
    return;
  }
  const el = $('preview');
  el.srcObject = stream;
  el.style.display = 'block';
  await el.play();
  const canvas = document.createElement('canvas');
  const period = 1000 / state.ready.video_fps;
  const grab = () => {
    if (!video || !el.videoWidth) return;
    const scale = Math.min(1, 768 / Math.max(el.videoWidth, el.videoHeight));
    canvas.width = Math.round(el.videoWidth * scale);
    canvas.height = Math.round(el.videoHeight * scale);
    canvas.getContext('2d').drawImage(el, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(async (blob) => {
      if (!video || !blob || blob.size > state.ready.max_video_bytes) return;
      const jpeg = new Uint8Array(await blob.arrayBuffer());
      if (!video) return; // turned off meanwhile: nothing after the "off"
      send(frame(KIND_VIDEO, 0, jpeg));
      state.videoSent++;
    }, 'image/jpeg', 0.7);
  };
  video = { stream, source, timer: setInterval(grab, period) };
  state.videoOn = true;
  grab();
  send(JSON.stringify({ type: 'video', on: true, source }));
  $(source).textContent = source === 'screen' ? 'Stop sharing' : 'Camera off';
  stream.getVideoTracks()[0].onended = stopVideo;
}

function stopVideo() {
  if (!video) return;
  clearInterval(video.timer);
  for (const t of video.stream.getTracks()) t.stop();
  $(video.source).textContent = video.source === 'screen' ? 'Share screen' : 'Camera on';
  video = null;
  state.videoOn = false;
  $('preview').style.display = 'none';
  send(JSON.stringify({ type: 'video', on: false }));
}

// A failure of the page itself shows on the page.
window.addEventListener('error', (e) => { state.error = String(e.message); setStatus('error', 'Page error: ' + e.message, true); });
window.addEventListener('unhandledrejection', (e) => { state.error = String(e.reason); setStatus('error', 'Page error: ' + e.reason, true); });

$('start').onclick = start;
$('stop').onclick = () => { send(JSON.stringify({ type: 'interrupt' })); };
$('camera').onclick = () => toggleVideo('camera');
$('screen').onclick = () => toggleVideo('screen');
