/* Hall display board: polls "anything new since N?" a few times a second, fetches the board
   fragment only when something changed, flashes and announces new calls and recalls (oldest
   first) through HallAnnouncer, and recovers by itself when the server or network comes back.
   Unattended screens: start the browser with --autoplay-policy=no-user-gesture-required. */
(function () {
  "use strict";
  var shell = document.getElementById("board-shell");
  if (!shell) return;
  var POLL_MS = 500, RETRY_MS = 2000;
  var boardEl = document.getElementById("board");
  var clockEl = document.getElementById("board-clock");
  var voiceEl = document.getElementById("voice-status");
  var connectionEl = document.getElementById("connection-status");
  var audioBase = shell.dataset.audioUrl.replace(/0\.wav$/, "");
  var zone = shell.dataset.timezone || "Asia/Shanghai";
  var version = currentVersion();
  var lastSeen = newestEvent();
  var announcer = new window.HallAnnouncer({
    chimeUrl: shell.dataset.chimeUrl,
    serverVoiceLabel: voiceEl.dataset.voice || "",
    // The engine's name is for the hall's IT (hover, or the data-voice attribute), not for the
    // public: the line itself only says whether announcements are heard.
    onVoice: function (status, info) {
      voiceEl.dataset.voice = status;
      voiceEl.title = status;
      var heard = info && info.via && info.via !== "text-only";
      voiceEl.textContent = heard ? voiceEl.dataset.ok : voiceEl.dataset.off;
    }
  });
  window.__board = { announcer: announcer, polls: 0, fetches: 0 };

  function currentVersion() {
    var grid = boardEl.querySelector(".board-grid");
    return grid ? grid.dataset.version : "-1";
  }

  function newestEvent() {
    var newest = 0;
    boardEl.querySelectorAll(".call-row").forEach(function (row) {
      newest = Math.max(newest, parseInt(row.dataset.event, 10) || 0);
    });
    return newest;
  }

  function announceNew() {
    var rows = Array.prototype.slice.call(boardEl.querySelectorAll(".call-row"));
    rows.reverse().forEach(function (row) {
      var id = parseInt(row.dataset.event, 10);
      if (id > lastSeen) {
        announcer.enqueue({ id: String(id), text: row.dataset.spoken || row.dataset.text, audioUrl: audioBase + id + ".wav" });
        lastSeen = id;
      }
    });
    var latest = boardEl.querySelector(".latest-call");
    if (latest) {
      latest.classList.remove("flash");
      void latest.offsetWidth; // restart the animation
      latest.classList.add("flash");
    }
  }

  function setConnected(ok) {
    connectionEl.className = ok ? "connection-ok" : "connection-lost";
    connectionEl.textContent = ok ? connectionEl.dataset.ok || "连接正常" : "连接中断，正在重连…";
  }
  connectionEl.dataset.ok = connectionEl.textContent;

  async function refreshBoard() {
    var response = await fetch(shell.dataset.boardUrl, { headers: { "HX-Request": "true" }, cache: "no-store" });
    if (!response.ok) throw new Error("board " + response.status);
    boardEl.innerHTML = await response.text();
    version = currentVersion();
    window.__board.fetches += 1;
    announceNew();
  }

  async function poll() {
    var delay = POLL_MS;
    try {
      var response = await fetch(shell.dataset.changesUrl + "?since=" + encodeURIComponent(version), { cache: "no-store" });
      window.__board.polls += 1;
      if (response.status === 200) await refreshBoard();
      else if (response.status !== 204) throw new Error("changes " + response.status);
      setConnected(true);
    } catch (error) {
      setConnected(false);
      delay = RETRY_MS;
    }
    window.setTimeout(poll, delay);
  }

  // Idle loop: when nobody has been called for a while, slides take the side panel's place
  // (the calls column stays), one every 8 seconds; the next call brings the panel back.
  var idleSeconds = parseFloat(shell.dataset.idleSeconds || "120");
  var slideIndex = 0, slideTick = 0;
  function idleLoop() {
    var grid = boardEl.querySelector(".board-grid");
    var slides = boardEl.querySelectorAll(".board-slides .slide");
    if (!grid) return;
    var lastCall = parseInt(grid.dataset.lastCall || "0", 10) * 1000;
    var idle = slides.length > 0 && (lastCall === 0 || Date.now() - lastCall > idleSeconds * 1000);
    grid.classList.toggle("idle", idle);
    if (!idle) return;
    slideTick += 1;
    if (slideTick % 8 === 0) slideIndex = (slideIndex + 1) % slides.length;
    slides.forEach(function (slide, index) { slide.hidden = index !== slideIndex % slides.length; });
  }
  window.setInterval(idleLoop, 1000);

  function tick() {
    clockEl.textContent = new Date().toLocaleString("zh-CN", { timeZone: zone, month: "long", day: "numeric",
      weekday: "long", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  }
  tick();
  window.setInterval(tick, 1000);
  window.setTimeout(poll, POLL_MS);
})();
