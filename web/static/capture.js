// The capture AudioWorklet: takes the microphone at the AudioContext's
// rate, low-passes and resamples it to the server's rate, and posts frames
// of 16-bit PCM (an ArrayBuffer of `frame` samples) to the page.
class Capture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.outRate = o.rate;
    this.frame = o.frame;
    this.step = sampleRate / this.outRate; // input samples per output sample
    // A windowed-sinc low-pass below the output's Nyquist frequency when
    // downsampling, so nothing above it folds back into speech.
    const taps = this.step > 1 ? 63 : 1;
    const fc = 0.45 / Math.max(1, this.step); // cycles per input sample
    this.h = new Float32Array(taps);
    let sum = 0;
    for (let i = 0; i < taps; i++) {
      const m = i - (taps - 1) / 2;
      const sinc = m === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * m) / (Math.PI * m);
      const w = taps === 1 ? 1 : 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
      this.h[i] = sinc * w;
      sum += this.h[i];
    }
    for (let i = 0; i < taps; i++) this.h[i] /= sum;
    this.hist = new Float32Array(taps);
    this.hpos = 0;
    this.prev = 0;
    this.t = 0; // position of the next output sample after prev, in input samples
    this.buf = new Int16Array(this.frame);
    this.n = 0;
  }

  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return true;
    const h = this.h, hist = this.hist, taps = h.length;
    for (let i = 0; i < ch.length; i++) {
      hist[this.hpos] = ch[i];
      this.hpos = (this.hpos + 1) % taps;
      let y = 0;
      for (let k = 0, j = this.hpos; k < taps; k++, j = (j + 1) % taps) y += h[k] * hist[j];
      while (this.t <= 1) {
        this.emit(this.prev + (y - this.prev) * this.t);
        this.t += this.step;
      }
      this.t -= 1;
      this.prev = y;
    }
    return true;
  }

  emit(x) {
    const s = Math.max(-1, Math.min(1, x));
    this.buf[this.n++] = s < 0 ? s * 32768 : s * 32767;
    if (this.n === this.frame) {
      this.port.postMessage(this.buf.buffer, [this.buf.buffer]);
      this.buf = new Int16Array(this.frame);
      this.n = 0;
    }
  }
}

registerProcessor('fullduplex-capture', Capture);
