// Worker task page: keyboard shortcuts, live word counts, tag filter, paste signals,
// one submission per click, a lease countdown and a copy button for the completion code.

const form = document.querySelector("[data-task-form]");

function fieldsets() {
  return Array.from(document.querySelectorAll("fieldset.field"));
}

function countWords(text) {
  const words = text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu);
  return words ? words.length : 0;
}

function setCurrent(fieldset) {
  for (const other of fieldsets()) other.classList.toggle("current", other === fieldset);
}

function currentField() {
  return document.querySelector("fieldset.field.current") || fieldsets()[0];
}

function move(step) {
  const all = fieldsets();
  const index = all.indexOf(currentField());
  const next = all[Math.min(all.length - 1, Math.max(0, index + step))];
  if (next) {
    setCurrent(next);
    next.scrollIntoView({ block: "nearest", behavior: "smooth" });
    const text = next.querySelector("textarea, input[type=search]");
    if (text) text.focus();
  }
}

function pick(fieldset, key) {
  const kind = fieldset.dataset.kind;
  const radios = Array.from(fieldset.querySelectorAll("input[type=radio]"));
  let target = null;
  if (kind === "binary" && (key === "y" || key === "n")) target = radios[key === "y" ? 0 : 1];
  if (kind === "choice" && /^[1-9]$/.test(key)) target = radios[Number(key) - 1];
  if (!target) return false;
  target.checked = true;
  target.dispatchEvent(new Event("change", { bubbles: true }));
  move(1);
  return true;
}

function typing(event) {
  const tag = event.target.tagName;
  return tag === "TEXTAREA" || (tag === "INPUT" && !["radio", "checkbox"].includes(event.target.type));
}

function onKey(event) {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    form.requestSubmit();
    return;
  }
  if (typing(event) || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === "j") move(1);
  else if (event.key === "k") move(-1);
  else if (pick(currentField(), event.key)) event.preventDefault();
}

function setupWordCounts() {
  for (const fieldset of document.querySelectorAll("fieldset.field-text")) {
    const area = fieldset.querySelector("textarea");
    const out = fieldset.querySelector("[data-words]");
    const minimum = Number(fieldset.dataset.minWords || 0);
    const update = () => {
      const n = countWords(area.value);
      out.textContent = String(n);
      out.parentElement.classList.toggle("short", minimum > 0 && n < minimum);
      out.parentElement.classList.toggle("enough", minimum > 0 && n >= minimum);
    };
    area.addEventListener("input", update);
    update();
  }
}

function setupTagFilters() {
  for (const input of document.querySelectorAll(".tag-filter")) {
    const fieldset = input.closest("fieldset");
    input.addEventListener("input", () => {
      const query = input.value.trim().toLowerCase();
      for (const tag of fieldset.querySelectorAll(".tag")) {
        tag.classList.toggle("hidden", query !== "" && !tag.textContent.toLowerCase().includes(query));
      }
      for (const group of fieldset.querySelectorAll(".tag-group")) {
        group.classList.toggle("hidden", !group.querySelector(".tag:not(.hidden)"));
      }
    });
  }
}

function setupPasteSignals() {
  const signals = form.querySelector("input[name=_signals]");
  const pasted = {};
  for (const area of form.querySelectorAll("textarea")) {
    area.addEventListener("paste", (event) => {
      const text = event.clipboardData ? event.clipboardData.getData("text") : "";
      pasted[area.name] = (pasted[area.name] || 0) + text.length;
      signals.value = JSON.stringify({ pasted_chars: pasted });
    });
  }
}

function setupSubmitOnce() {
  const button = form.querySelector("[data-submit]");
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    button.disabled = true;
    button.firstChild.textContent = "Saving… ";
  });
}

function setupTimer() {
  const timer = document.querySelector("[data-seconds-left]");
  if (!timer) return;
  const end = Date.now() + Number(timer.dataset.secondsLeft) * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    timer.textContent = `${minutes}:${String(left % 60).padStart(2, "0")} left`;
  };
  tick();
  setInterval(tick, 1000);
}

function flagFailedFields() {
  const alert = document.querySelector(".qc-alert");
  if (!alert) return;
  const flagged = fieldsets().filter((f) => alert.textContent.includes(`“${f.dataset.field}”`));
  for (const fieldset of flagged) fieldset.classList.add("flagged");
  if (flagged.length) setCurrent(flagged[0]);
}

function setupCopy() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const text = document.querySelector(button.dataset.copy).textContent.trim();
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Select and copy";
      }
    });
  }
}

if (form) {
  document.addEventListener("keydown", onKey);
  form.addEventListener("focusin", (event) => {
    const fieldset = event.target.closest("fieldset.field");
    if (fieldset) setCurrent(fieldset);
  });
  form.addEventListener("click", (event) => {
    const fieldset = event.target.closest("fieldset.field");
    if (fieldset) setCurrent(fieldset);
  });
  setCurrent(fieldsets()[0]);
  flagFailedFields();
  setupWordCounts();
  setupTagFilters();
  setupPasteSignals();
  setupSubmitOnce();
  setupTimer();
}
setupCopy();
