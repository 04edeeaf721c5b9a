// Spoken answers on the worker page: record with MediaRecorder (or pick a file), play it back,
// upload it, then poll until the server's transcript arrives. The server measures the length
// and transcribes; this script only shows what it says.

const POLL_MS = 1500;
const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];

function clock(seconds) {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function recordingType() {
  if (!window.MediaRecorder) return null;
  return TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
}

class Recorder {
  constructor(box) {
    this.box = box;
    this.form = box.closest("form");
    this.minimum = Number(box.dataset.minSeconds || 0);
    this.ui = {
      record: box.querySelector("[data-record]"),
      stop: box.querySelector("[data-stop]"),
      clock: box.querySelector("[data-clock]"),
      playback: box.querySelector("[data-playback]"),
      file: box.querySelector("[data-upload-file]"),
      status: box.querySelector("[data-status]"),
      clip: box.querySelector("[data-clip]"),
      text: box.querySelector("textarea"),
    };
    this.ready = Boolean(this.ui.clip.value && this.ui.text.value.trim());
    this.ui.record.addEventListener("click", () => this.start());
    this.ui.stop.addEventListener("click", () => this.stop());
    this.ui.file.addEventListener("change", () => this.pickFile());
    if (this.ui.clip.value && !this.ready) this.poll(this.ui.clip.value);
  }

  say(message, tone = "") {
    this.ui.status.textContent = message;
    this.ui.status.className = `recorder-status ${tone}`;
  }

  setReady(ready) {
    this.ready = ready;
    this.box.dispatchEvent(new CustomEvent("recorder-change", { bubbles: true }));
  }

  async start() {
    const type = recordingType();
    if (type === null) {
      this.say("This browser cannot record here; upload a recording instead.", "bad");
      return;
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      this.say(`The microphone is not available (${error.name}); allow it or upload a file.`, "bad");
      return;
    }
    this.chunks = [];
    this.recorder = new MediaRecorder(this.stream, type ? { mimeType: type } : undefined);
    this.recorder.addEventListener("dataavailable", (event) => this.chunks.push(event.data));
    this.recorder.addEventListener("stop", () => this.finish());
    this.recorder.start(1000);
    this.started = Date.now();
    this.ticker = setInterval(() => this.tick(), 250);
    this.ui.record.classList.add("live");
    this.ui.record.disabled = true;
    this.ui.stop.hidden = false;
    this.ui.playback.hidden = true;
    this.setReady(false);
    this.say(this.minimum ? `Recording… keep talking until ${clock(this.minimum)}.` : "Recording…");
  }

  elapsed() {
    return (Date.now() - this.started) / 1000;
  }

  tick() {
    const seconds = this.elapsed();
    this.ui.clock.textContent = clock(seconds);
    this.ui.clock.classList.toggle("short", this.minimum > 0 && seconds < this.minimum);
    this.ui.clock.classList.toggle("enough", this.minimum > 0 && seconds >= this.minimum);
  }

  stop() {
    if (this.recorder && this.recorder.state !== "inactive") this.recorder.stop();
  }

  finish() {
    clearInterval(this.ticker);
    const seconds = this.elapsed();
    for (const track of this.stream.getTracks()) track.stop();
    const blob = new Blob(this.chunks, { type: this.recorder.mimeType || "audio/webm" });
    this.ui.playback.src = URL.createObjectURL(blob);
    this.ui.playback.hidden = false;
    this.ui.record.classList.remove("live");
    this.ui.record.disabled = false;
    this.ui.record.lastChild.textContent = " Record again";
    this.ui.stop.hidden = true;
    if (seconds < this.minimum) {
      this.say(
        `That was ${clock(seconds)}; at least ${clock(this.minimum)} is needed. Record again and keep talking.`,
        "bad",
      );
      return;
    }
    this.upload(blob);
  }

  pickFile() {
    const file = this.ui.file.files[0];
    if (!file) return;
    this.ui.playback.src = URL.createObjectURL(file);
    this.ui.playback.hidden = false;
    this.upload(file);
  }

  async upload(blob) {
    this.setReady(false);
    this.say("Uploading your recording…", "busy");
    const item = this.form.querySelector("input[name=item_id]").value;
    const params = new URLSearchParams({ item_id: item, field: this.box.dataset.field });
    let response;
    try {
      response = await fetch(`${this.box.dataset.uploadUrl}?${params}`, {
        method: "POST",
        body: blob,
        headers: { accept: "application/json", "content-type": blob.type || "application/octet-stream" },
      });
    } catch {
      this.say("The upload did not reach the server; check your connection and try again.", "bad");
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      this.say(body.detail || `The upload was refused (${response.status}).`, "bad");
      return;
    }
    this.ui.clip.value = String(body.clip_id);
    this.show(body);
  }

  show(body) {
    if (body.state === "done") {
      this.ui.text.value = body.transcript || "";
      this.ui.text.dispatchEvent(new Event("input", { bubbles: true }));
      this.say(`Transcribed (${clock(body.duration_s)} recorded). Read it, then submit.`, "good");
      this.setReady(true);
      return;
    }
    if (body.state === "failed") {
      this.say(`${body.error} You can also record again.`, "bad");
      return;
    }
    const waiting = `Transcribing your ${clock(body.duration_s)} recording…`;
    this.say(body.error ? `${waiting} ${body.error}` : waiting, "busy");
    setTimeout(() => this.poll(body.clip_id), POLL_MS);
  }

  async poll(clipId) {
    if (String(clipId) !== this.ui.clip.value) return; // a newer recording replaced this one
    try {
      const response = await fetch(`${this.box.dataset.uploadUrl}/${clipId}`, {
        headers: { accept: "application/json" },
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail || String(response.status));
      this.show(body);
    } catch (error) {
      this.say(`Checking the transcript did not work (${error.message}); retrying…`, "busy");
      setTimeout(() => this.poll(clipId), POLL_MS * 2);
    }
  }
}

const recorders = Array.from(document.querySelectorAll("[data-recorder]")).map((box) => new Recorder(box));
const submit = document.querySelector("[data-submit]");

function gate() {
  if (submit) submit.disabled = recorders.some((recorder) => !recorder.ready);
}

document.addEventListener("recorder-change", gate);
gate();
