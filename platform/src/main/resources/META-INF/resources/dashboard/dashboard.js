// Aegaeon dashboard: renders /admin/dashboard/stream (server-sent events read with fetch, so the
// admin token can travel as "Authorization: Bearer"), or a recorded snapshot with ?replay=<url>.
// No dependencies: one canvas per device, a virtualised function table.
"use strict";
(() => {
  const KEEP_MS = 300000, ROW_H = 26, TIER_ORDER = { ACTIVE: 0, HOT: 1, WARM: 2, COLD: 3, UNKNOWN: 4 };
  const $ = (id) => document.getElementById(id);
  const state = { bucketMs: 50, now: 0, offset: 0, devices: [], functions: [], pool: {}, replay: false,
                  sort: "tier", desc: false, filter: "" };
  const params = new URLSearchParams(location.search);
  if (["30", "60", "120"].includes(params.get("window"))) $("window").value = params.get("window");
  let windowMs = Number($("window").value) * 1000;

  // ------------------------------------------------------------------ token
  function token() {
    const m = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem("aegaeon.adminToken", decodeURIComponent(m[1]));
      history.replaceState(null, "", location.pathname + location.search); // keep it out of the address bar
    }
    return sessionStorage.getItem("aegaeon.adminToken");
  }
  function headers() {
    const t = token();
    return t ? { Authorization: "Bearer " + t } : {};
  }

  // ------------------------------------------------------------------ formatting
  const hueCache = new Map();
  function hue(model) {
    let h = hueCache.get(model);
    if (h === undefined) { // golden-angle steps in order of appearance: the first models get far-apart hues
      h = (200 + hueCache.size * 137.508) % 360;
      hueCache.set(model, h);
    }
    return h;
  }
  const color = (m, light) => `hsl(${hue(m).toFixed(0)} 70% ${light ? 74 : 56}%)`;
  function bytes(b) {
    if (!(b > 0)) return "0 B";
    const u = ["B", "KiB", "MiB", "GiB", "TiB"]; let i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return b.toFixed(b < 10 && i > 0 ? 1 : 0) + " " + u[i];
  }
  const secs = (s) => s == null ? "–" : s < 1 ? (s * 1000).toFixed(s < 0.01 ? 1 : 0) + " ms" : s.toFixed(2) + " s";
  const pct = (x) => x == null ? "–" : (x * 100).toFixed(x >= 0.995 ? 0 : 1) + "%";
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  // ------------------------------------------------------------------ data
  function merge(msg) {
    state.bucketMs = msg.bucketMs || state.bucketMs;
    state.now = msg.now;
    state.offset = msg.now - Date.now();
    state.functions = msg.functions || [];
    state.pool = msg.pool || {};
    const oldest = Math.floor((msg.now - KEEP_MS) / state.bucketMs);
    (msg.devices || []).forEach((d) => {
      let dev = state.devices[d.device];
      if (!dev) dev = state.devices[d.device] = { compute: new Map(), copy: new Map() };
      Object.assign(dev, { device: d.device, role: d.role, resident: d.resident, memoryUsed: d.memoryUsed, memoryTotal: d.memoryTotal });
      for (const lane of ["compute", "copy"]) {
        const map = dev[lane];
        for (const b of d[lane]) map.set(b[0], b);
        for (const k of map.keys()) if (k < oldest) map.delete(k); // late-filled buckets sit anywhere in the map's order
      }
    });
    state.devices.length = (msg.devices || []).length;
  }

  // ------------------------------------------------------------------ pool cards
  function card(k, v, share) {
    const bar = share == null ? "" : `<div class="bar"><i style="width:${Math.min(100, share * 100).toFixed(1)}%"></i></div>`;
    return `<div class="card"><div class="k">${k}</div><div class="v">${v}</div>${bar}</div>`;
  }
  function renderPool() {
    const p = state.pool, fs = state.functions;
    const active = fs.filter((f) => f.tier === "ACTIVE").length, hot = fs.filter((f) => f.tier === "HOT").length;
    const tps = fs.reduce((a, f) => a + (f.tokensPerSecond || 0), 0);
    $("pool").innerHTML =
      card("Devices", String(state.devices.length)) +
      card("Functions", `${fs.length} <span class="hint">${active} active · ${hot} hot</span>`) +
      card("Tokens / s", tps.toFixed(tps < 10 ? 1 : 0)) +
      card("GPU busy (10 s)", pct(p.busyShare || 0), p.busyShare || 0) +
      card("Device memory", `${bytes(p.deviceMemoryUsed)} <span class="hint">/ ${bytes(p.deviceMemoryTotal)}</span>`,
           p.deviceMemoryTotal ? p.deviceMemoryUsed / p.deviceMemoryTotal : 0) +
      card("Host model cache", bytes(p.hostCacheBytes)) +
      card("Switches / min", (p.switchesPerMinute || 0).toFixed(0)) +
      card("Load bandwidth", p.loadBytesPerSecond ? bytes(p.loadBytesPerSecond) + "/s" : "–");
  }

  // ------------------------------------------------------------------ device timelines
  function deviceRow(i) {
    let row = $("device-" + i);
    if (!row) {
      row = document.createElement("div");
      row.className = "device";
      row.id = "device-" + i;
      row.innerHTML = `<div class="name"></div><canvas></canvas><div class="side"></div>`;
      $("devices").appendChild(row);
    }
    return row;
  }
  function renderDevices() {
    const now = state.replay ? state.now : Date.now() + state.offset;
    const from = now - windowMs, all = new Map();
    state.devices.forEach((dev, i) => {
      if (!dev) return;
      const row = deviceRow(i), canvas = row.querySelector("canvas");
      const dpr = window.devicePixelRatio || 1, W = Math.max(50, Math.round(canvas.clientWidth * dpr)), H = Math.round(52 * dpr);
      if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
      const g = canvas.getContext("2d");
      g.fillStyle = "#0b0f14"; g.fillRect(0, 0, W, H);
      const laneH = Math.round(38 * dpr), copyY = Math.round(42 * dpr), copyH = H - copyY;
      g.fillStyle = "#121922"; g.fillRect(0, copyY, W, copyH);
      const ran = draw(g, dev.compute, from, now, W, 0, laneH, true);
      draw(g, dev.copy, from, now, W, copyY, copyH, false);
      let busy = 0, n = 0;
      for (const [idx, b] of dev.compute) if (idx * state.bucketMs >= now - 10000) busy += b[1];
      n = 10000;
      const names = [...ran.entries()].sort((a, b) => b[1] - a[1]).map((e) => e[0]);
      names.forEach((m) => all.set(m, (all.get(m) || 0) + ran.get(m)));
      row.dataset.models = names.join(",");
      row.querySelector(".name").innerHTML = `GPU ${dev.device}<small>${esc(dev.role)} · busy ${pct(busy / n)}</small>`;
      const shown = names.slice(0, 3).map((m) => `<span style="color:${color(m)}">${esc(m)}</span>`).join(", ");
      const more = names.length > 3 ? ` +${names.length - 3}` : "";
      row.querySelector(".side").innerHTML =
        `<div>resident: <b class="resident">${dev.resident.length ? dev.resident.map(esc).join(", ") : "none"}</b></div>` +
        `<div>memory: <b>${bytes(dev.memoryUsed)}</b> / ${bytes(dev.memoryTotal)}</div>` +
        `<div class="ran">ran: ${shown || "idle"}${more}</div>`;
    });
    const top = [...all.entries()].sort((a, b) => b[1] - a[1]).slice(0, 24);
    $("legend").innerHTML = `<span style="--c:#fff">prefill (light) / decode</span><span style="--c:#9aa5b1">KV swap</span>` +
      top.map(([m]) => `<span style="--c:${color(m)}">${esc(m)}</span>`).join("");
    const axis = $("axis") || Object.assign(document.createElement("div"), { id: "axis", className: "axis" });
    if (!axis.parentNode) $("devices").after(axis);
    axis.innerHTML = `<span></span><div><span>-${windowMs / 1000} s</span><span>-${windowMs / 2000} s</span><span>now</span></div><span></span>`;
  }
  /** Draws a lane; buckets are summed per pixel column. Returns ms per model that ran steps. */
  function draw(g, map, from, now, W, y0, h, compute) {
    const cols = new Map(), bms = state.bucketMs, pxPerMs = W / (now - from), ran = new Map();
    for (const [idx, b] of map) {
      const t = idx * bms;
      if (t + bms < from || t > now) continue;
      const c0 = Math.max(0, Math.floor((t - from) * pxPerMs)), c1 = Math.min(W, Math.max(c0 + 1, Math.floor((t + bms - from) * pxPerMs)));
      for (const s of b[2]) {
        if (compute && (s[0] === "P" || s[0] === "D")) ran.set(s[1], (ran.get(s[1]) || 0) + s[2]);
        for (let c = c0; c < c1; c++) {
          let col = cols.get(c);
          if (!col) cols.set(c, col = new Map());
          const key = s[0] + "\u0000" + s[1];
          col.set(key, (col.get(key) || 0) + s[2] / Math.max(1, c1 - c0));
        }
      }
    }
    const capacity = 1 / pxPerMs; // ms one pixel column spans
    for (const [c, col] of cols) {
      let y = y0 + h;
      const parts = [...col.entries()].sort((a, b) => b[1] - a[1]);
      for (const [key, ms] of parts) {
        const kind = key[0], model = key.slice(2);
        const ph = Math.max(1, Math.min(h, (ms / capacity) * h));
        g.fillStyle = kind === "O" || kind === "I" || kind === "F" ? "#9aa5b1" : color(model, kind === "P");
        g.fillRect(c, Math.max(y0, y - ph), 1, Math.min(ph, y - y0));
        y -= ph;
        if (y <= y0) break;
      }
    }
    return ran;
  }

  // ------------------------------------------------------------------ functions table (virtualised)
  const LOCK = '<svg viewBox="0 0 16 16" width="12" height="12" aria-label="API key required"><path fill="currentColor" '
    + 'd="M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 0 0-4 0v2z"/></svg>';
  const COLS = [["name", "Function"], ["tier", "Tier"], ["protected", "Key"], ["running", "Run", 1], ["waiting", "Wait", 1],
                ["tokensPerSecond", "Tok/s", 1], ["ttft", "TTFT p50/p99", 1], ["tbt", "TBT p50/p99", 1], ["slo", "SLO", 1],
                ["switches", "Switch", 1]];
  const RECENT = { ttft: 1, tbt: 1, slo: 1 }; // the server computes these over the last 2 minutes
  $("thead").innerHTML = COLS.map(([k, t, num]) => `<span data-k="${k}" class="${num ? "num" : ""}"`
    + (RECENT[k] ? ` title="over the last 2 minutes"` : "") + `>${t}</span>`).join("");
  $("thead").addEventListener("click", (e) => {
    const k = e.target.dataset.k;
    if (!k) return;
    state.desc = state.sort === k ? !state.desc : k !== "name" && k !== "tier";
    state.sort = k;
    renderFunctions();
  });
  $("filter").addEventListener("input", (e) => { state.filter = e.target.value.trim().toLowerCase(); renderFunctions(); });
  $("ftable").addEventListener("scroll", () => renderFunctions());
  function sortKey(f, k) {
    if (k === "tier") return TIER_ORDER[f.tier] ?? 9;
    if (k === "ttft" || k === "tbt") return f[k] ? f[k][1] : -1;
    if (k === "protected") return f.protected ? 1 : 0;
    const v = f[k];
    return v == null ? -1 : v;
  }
  function rows() {
    const q = state.filter;
    const list = state.functions.filter((f) => !q || f.name.toLowerCase().includes(q) || f.tier.toLowerCase() === q);
    const k = state.sort, d = state.desc ? -1 : 1;
    list.sort((a, b) => {
      const x = sortKey(a, k), y = sortKey(b, k);
      if (x < y) return -d; if (x > y) return d;
      if (k === "tier" && a.tokensPerSecond !== b.tokensPerSecond) return b.tokensPerSecond - a.tokensPerSecond;
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
    return list;
  }
  function rowHtml(f) {
    const lat = (p) => p ? `${secs(p[0])} / ${secs(p[1])}` : "–";
    const sloCls = f.slo == null ? "" : f.slo >= 0.9 ? "good" : f.slo < 0.5 ? "bad" : "";
    return `<span class="n" style="--c:${color(f.name)}" title="${esc(f.name)}">${esc(f.name)}</span>` +
      `<span class="tier ${esc(f.tier)}">${esc(f.tier)}</span>` +
      `<span class="lock" title="${f.protected ? "API key required" : "no API key"}">${f.protected ? LOCK : ""}</span>` +
      `<span class="num">${f.running}</span><span class="num">${f.waiting}</span>` +
      `<span class="num">${(f.tokensPerSecond || 0).toFixed(1)}</span>` +
      `<span class="num">${lat(f.ttft)}</span><span class="num">${lat(f.tbt)}</span>` +
      `<span class="num ${sloCls}">${pct(f.slo)}</span><span class="num">${f.switches ?? "–"}</span>`;
  }
  function renderFunctions() {
    const list = rows(), box = $("ftable"), spacer = $("fspacer");
    $("fcount").textContent = `${list.length} of ${state.functions.length}`;
    [...$("thead").children].forEach((s) => s.classList.toggle("sorted", s.dataset.k === state.sort));
    spacer.style.height = list.length * ROW_H + "px";
    const first = Math.max(0, Math.floor(box.scrollTop / ROW_H) - 3);
    const last = Math.min(list.length, first + Math.ceil(box.clientHeight / ROW_H) + 6);
    const existing = box.querySelectorAll(".row");
    let n = 0;
    for (let i = first; i < last; i++, n++) {
      let r = existing[n];
      if (!r) { r = document.createElement("div"); r.className = "row"; box.appendChild(r); }
      r.style.top = i * ROW_H + "px";
      r.dataset.name = list[i].name;
      r.dataset.tier = list[i].tier;
      r.dataset.protected = String(!!list[i].protected);
      r.innerHTML = rowHtml(list[i]);
    }
    for (let j = n; j < existing.length; j++) existing[j].remove();
  }

  function renderAll() { renderPool(); renderDevices(); renderFunctions(); }
  $("window").addEventListener("change", (e) => { windowMs = Number(e.target.value) * 1000; renderDevices(); });
  window.addEventListener("resize", () => renderDevices());

  // ------------------------------------------------------------------ sources
  function setStatus(text, cls) { const s = $("status"); s.textContent = text; s.className = "status " + cls; }

  async function replay(url) {
    state.replay = true;
    const r = await fetch(url, { headers: headers() });
    if (!r.ok) { setStatus(`cannot read recording ${url}: HTTP ${r.status}`, "down"); return; }
    const msg = await r.json();
    merge(msg);
    setStatus("replay of " + new Date(msg.now).toISOString().replace("T", " ").slice(0, 19) + " UTC", "replay");
    renderAll();
    document.body.dataset.updates = "1";
  }

  async function live() {
    let updates = 0, backoff = 1000;
    for (;;) {
      try {
        const r = await fetch("/admin/dashboard/stream", { headers: { Accept: "text/event-stream", ...headers() } });
        if (r.status === 401 || r.status === 403) {
          setStatus("admin token required", "down");
          const t = window.prompt("Admin token (Bearer) for the dashboard's data:");
          if (t) sessionStorage.setItem("aegaeon.adminToken", t.trim());
          else return;
          continue;
        }
        if (!r.ok || !r.body) throw new Error("HTTP " + r.status);
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = "";
        backoff = 1000;
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let end;
          while ((end = buf.indexOf("\n\n")) >= 0) {
            const event = buf.slice(0, end); buf = buf.slice(end + 2);
            const data = event.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5)).join("\n");
            if (!data) continue;
            merge(JSON.parse(data));
            updates++;
            document.body.dataset.updates = String(updates);
            setStatus("live · " + new Date(state.now).toISOString().slice(11, 19) + " UTC", "live");
            renderPool(); renderFunctions();
          }
        }
      } catch (e) {
        setStatus("disconnected (" + e.message + "), retrying", "down");
      }
      await new Promise((res) => setTimeout(res, backoff));
      backoff = Math.min(backoff * 2, 15000);
    }
  }

  const replayUrl = params.get("replay");
  if (replayUrl) {
    document.querySelector("h1 .sub").textContent = "GPU time-slicing, recorded";
    replay(replayUrl);
  } else {
    live();
    (function frame() { renderDevices(); setTimeout(() => requestAnimationFrame(frame), 250); })(); // scroll 4 times a second
  }
})();
