/*
 * HallAnnouncer: the voice of the hall display board (/display).
 *
 * Owns: a queue of call announcements played strictly one after another, each as
 * chime -> speech, and the choice of voice:
 *   1. a local Chinese voice of the browser's speechSynthesis (lang starting with "zh"),
 *      e.g. "Microsoft Huihui" on Windows; network voices such as Chrome's "Google 普通话"
 *      are skipped by default because the hall LAN has no internet;
 *   2. otherwise the server's audio at item.audioUrl (espeak-ng or Windows SAPI, made by
 *      kiosk/speech.py): the offline fallback that always works;
 *   3. if playback is blocked or fails, the announcement is still recorded, as "text-only",
 *      and the queue goes on (the board always shows the text as well).
 * Plain script, no modules, no build step; exposes window.HallAnnouncer.
 *
 * Unattended boards: browsers block sound that no user gesture started. Start the board with
 *   chromium --kiosk --autoplay-policy=no-user-gesture-required http://SERVER/display
 * (Edge accepts the same flag). Without it, announcements are "text-only" until someone taps
 * the screen once; onVoice then reports "语音：无（浏览器阻止了自动播放，请点击屏幕）".
 *
 * Usage:
 *   var announcer = new HallAnnouncer({
 *     chimeUrl: "/static/sounds/chime.wav",
 *     serverVoiceLabel: "espeak-ng cmn-latn-pinyin",
 *     onVoice: function (status, info) { statusLine.textContent = status; },
 *   });
 *   announcer.enqueue({id: "call-17", text: "请A零一二号到3号窗口办理",
 *                      audioUrl: "/display/speech/17.wav"});
 *
 * Test hook: every announcement, once finished, is pushed onto window.__announcements as
 *   {id, text, via, voice, chime, error, startedAt, endedAt}
 * with via "browser-speech" | "server-audio" | "text-only" and times in ms (Date.now()).
 * Only the last `maxRecords` (500) are kept so a board running for weeks does not grow.
 */
(function (global) {
  "use strict";

  var DEFAULTS = {
    chimeUrl: null, // played before each announcement; null: no chime
    lang: "zh-CN", // preferred browser voice language
    rate: 0.9, // browser speech rate (1 = normal)
    pitch: 1,
    volume: 1,
    repeat: 1, // how many times each announcement is spoken
    repeatGapMs: 800, // silence between repetitions
    gapMs: 600, // silence between two announcements
    useBrowserVoice: true, // false: always use the server audio
    allowRemoteVoices: false, // true: also use network voices (need internet)
    serverVoiceLabel: "", // shown in the status line for server audio; item.voice wins
    loadTimeoutMs: 15000, // give up on audio that does not start within this time
    maxRecords: 500,
    onVoice: null, // function (statusText, {via, voice, error}) after each announcement
    onStart: null, // function (item) when an announcement starts (chime)
    onEnd: null, // function (record) when it has ended
  };

  var VIA_BROWSER = "browser-speech";
  var VIA_SERVER = "server-audio";
  var VIA_TEXT = "text-only";
  var SEEN_IDS_KEPT = 1000;

  function synth() {
    return global.speechSynthesis || null;
  }

  function sleep(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, Math.max(0, ms));
    });
  }

  function normalizedLang(lang) {
    return String(lang || "").replace(/_/g, "-").toLowerCase();
  }

  function safeCall(callback, args) {
    if (typeof callback !== "function") return;
    try {
      callback.apply(null, args);
    } catch (error) {
      if (global.console) global.console.error("HallAnnouncer callback failed", error);
    }
  }

  // Play one URL to its end. Resolves (never rejects) with {ok, blocked, error}.
  function playUrl(url, loadTimeoutMs) {
    return new Promise(function (resolve) {
      var audio = new Audio();
      var done = false;
      var timer = null;

      function finish(result) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        try {
          audio.pause();
        } catch (ignored) {
          /* nothing to stop */
        }
        resolve(result);
      }

      function giveUpAfter(ms) {
        clearTimeout(timer);
        timer = setTimeout(function () {
          finish({ ok: false, blocked: false, error: "audio-timeout" });
        }, ms);
      }

      audio.addEventListener("ended", function () {
        finish({ ok: true, blocked: false, error: "" });
      });
      audio.addEventListener("error", function () {
        var code = audio.error ? audio.error.code : 0;
        finish({ ok: false, blocked: false, error: "audio-error-" + code });
      });
      audio.addEventListener("loadedmetadata", function () {
        // Once the length is known, allow for it plus a margin instead of the load timeout.
        if (isFinite(audio.duration) && audio.duration > 0) {
          giveUpAfter(audio.duration * 1000 + 5000);
        }
      });
      giveUpAfter(loadTimeoutMs);
      audio.preload = "auto";
      audio.src = url;
      var playing;
      try {
        playing = audio.play();
      } catch (error) {
        finish({ ok: false, blocked: false, error: "audio-" + (error && error.name) });
        return;
      }
      if (playing && typeof playing.catch === "function") {
        playing.catch(function (error) {
          var name = (error && error.name) || "Error";
          finish({ ok: false, blocked: name === "NotAllowedError", error: "audio-" + name });
        });
      }
    });
  }

  // Speak with a browser voice. Resolves (never rejects) with {ok, blocked, error}.
  function speakWithVoice(text, voice, options, keep) {
    return new Promise(function (resolve) {
      var engine = synth();
      var done = false;
      var utterance = new global.SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = options.rate;
      utterance.pitch = options.pitch;
      utterance.volume = options.volume;
      keep.utterance = utterance; // Chrome drops the end event of garbage-collected utterances

      // Chrome sometimes never fires "end": allow a generous time per character, then go on.
      var timer = setTimeout(function () {
        try {
          engine.cancel();
        } catch (ignored) {
          /* nothing to cancel */
        }
        finish({ ok: false, blocked: false, error: "speech-timeout" });
      }, 5000 + text.length * 500);

      function finish(result) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        keep.utterance = null;
        resolve(result);
      }

      utterance.onend = function () {
        finish({ ok: true, blocked: false, error: "" });
      };
      utterance.onerror = function (event) {
        var reason = (event && event.error) || "error";
        finish({ ok: false, blocked: reason === "not-allowed", error: "speech-" + reason });
      };
      try {
        engine.speak(utterance);
      } catch (error) {
        finish({ ok: false, blocked: false, error: "speech-" + (error && error.name) });
      }
    });
  }

  async function repeated(times, gapMs, once) {
    var result = null;
    for (var i = 0; i < times; i += 1) {
      if (i > 0) await sleep(gapMs);
      result = await once();
      if (!result.ok) return result;
    }
    return result;
  }

  function HallAnnouncer(options) {
    if (!(this instanceof HallAnnouncer)) return new HallAnnouncer(options);
    this.options = Object.assign({}, DEFAULTS, options || {});
    this.options.repeat = Math.max(1, Math.floor(Number(this.options.repeat) || 1));
    this._queue = [];
    this._seen = new Set();
    this._seenOrder = [];
    this._running = false;
    this._idleWaiters = [];
    this._lastEndedAt = 0;
    this._keep = { utterance: null };
    this._voices = [];
    if (!Array.isArray(global.__announcements)) global.__announcements = [];

    var self = this;
    var engine = synth();
    this._refreshVoices();
    if (engine && typeof engine.addEventListener === "function") {
      engine.addEventListener("voiceschanged", function () {
        self._refreshVoices();
      });
    }
  }

  HallAnnouncer.VIA_BROWSER = VIA_BROWSER;
  HallAnnouncer.VIA_SERVER = VIA_SERVER;
  HallAnnouncer.VIA_TEXT = VIA_TEXT;

  HallAnnouncer.prototype._refreshVoices = function () {
    var engine = synth();
    try {
      this._voices = engine && engine.getVoices ? engine.getVoices() || [] : [];
    } catch (ignored) {
      this._voices = [];
    }
  };

  // The browser voice that would be used now, or null: a local voice whose lang starts with
  // "zh", preferring options.lang, then zh-CN, zh-SG, zh-TW, other zh, zh-HK (Cantonese) last.
  HallAnnouncer.prototype.chineseVoice = function () {
    if (!this.options.useBrowserVoice || !synth()) return null;
    if (!this._voices.length) this._refreshVoices();
    var allowRemote = this.options.allowRemoteVoices;
    var order = [normalizedLang(this.options.lang), "zh-cn", "zh-sg", "zh-tw"];
    var best = null;
    var bestRank = Infinity;
    this._voices.forEach(function (voice) {
      var lang = normalizedLang(voice.lang);
      if (lang.indexOf("zh") !== 0) return;
      if (!allowRemote && voice.localService === false) return;
      var rank = order.indexOf(lang);
      if (rank < 0) rank = lang === "zh-hk" ? order.length + 1 : order.length;
      rank = rank * 2 + (voice.default ? 0 : 1);
      if (rank < bestRank) {
        best = voice;
        bestRank = rank;
      }
    });
    return best;
  };

  // The status line for the voice that would be used now (before anything was announced).
  HallAnnouncer.prototype.voiceStatus = function () {
    var voice = this.chineseVoice();
    if (voice) return "语音：浏览器 " + voice.name;
    return "语音：服务器 " + (this.options.serverVoiceLabel || "离线语音");
  };

  // Queue {id, text, audioUrl[, voice]}. Returns false for an id already queued or played.
  HallAnnouncer.prototype.enqueue = function (item) {
    if (!item || typeof item.text !== "string" || !item.text.trim()) {
      throw new TypeError("HallAnnouncer.enqueue needs {id, text, audioUrl}");
    }
    var id = item.id === undefined || item.id === null ? "" : String(item.id);
    if (id) {
      if (this._seen.has(id)) return false;
      this._seen.add(id);
      this._seenOrder.push(id);
      if (this._seenOrder.length > SEEN_IDS_KEPT) this._seen.delete(this._seenOrder.shift());
    }
    this._queue.push({
      id: id,
      text: item.text.trim(),
      audioUrl: item.audioUrl || "",
      voice: item.voice || "",
    });
    this._pump();
    return true;
  };

  // Drop the announcements not started yet; the current one finishes.
  HallAnnouncer.prototype.clear = function () {
    this._queue.length = 0;
  };

  HallAnnouncer.prototype.pending = function () {
    return this._queue.length;
  };

  HallAnnouncer.prototype.isBusy = function () {
    return this._running;
  };

  // A promise that resolves once the queue is empty and nothing is playing.
  HallAnnouncer.prototype.whenIdle = function () {
    var self = this;
    if (!this._running && !this._queue.length) return Promise.resolve();
    return new Promise(function (resolve) {
      self._idleWaiters.push(resolve);
    });
  };

  HallAnnouncer.prototype._pump = async function () {
    if (this._running) return;
    this._running = true;
    try {
      while (this._queue.length) {
        var item = this._queue.shift();
        if (this._lastEndedAt) await sleep(this.options.gapMs - (Date.now() - this._lastEndedAt));
        try {
          await this._announce(item);
        } catch (error) {
          if (global.console) global.console.error("HallAnnouncer failed", error);
        }
        this._lastEndedAt = Date.now();
      }
    } finally {
      this._running = false;
      var waiters = this._idleWaiters.splice(0);
      waiters.forEach(function (resolve) {
        resolve();
      });
    }
  };

  HallAnnouncer.prototype._announce = async function (item) {
    var options = this.options;
    var record = {
      id: item.id,
      text: item.text,
      via: VIA_TEXT,
      voice: "",
      chime: false,
      error: "",
      startedAt: Date.now(),
      endedAt: null,
    };
    safeCall(options.onStart, [item]);

    var blocked = false;
    if (options.chimeUrl) {
      var chime = await playUrl(options.chimeUrl, options.loadTimeoutMs);
      record.chime = chime.ok;
      blocked = chime.blocked;
      if (!chime.ok) record.error = "chime: " + chime.error;
    }

    // If the chime was blocked by the autoplay policy, speech would be too: skip to text.
    var outcome = blocked ? { via: VIA_TEXT, error: "autoplay-blocked", blocked: true }
      : await this._speak(item);
    record.via = outcome.via;
    record.voice = outcome.voice || "";
    if (outcome.error) record.error = record.error ? record.error + "; " + outcome.error
      : outcome.error;
    record.endedAt = Date.now();

    var log = global.__announcements;
    if (!Array.isArray(log)) log = global.__announcements = [];
    log.push(record);
    if (log.length > options.maxRecords) log.splice(0, log.length - options.maxRecords);

    safeCall(options.onVoice, [
      statusText(outcome),
      { via: outcome.via, voice: record.voice, error: record.error },
    ]);
    safeCall(options.onEnd, [record]);
    return record;
  };

  HallAnnouncer.prototype._speak = async function (item) {
    var options = this.options;
    var keep = this._keep;
    var errors = [];
    var blocked = false;

    var voice = this.chineseVoice();
    if (voice) {
      var spoken = await repeated(options.repeat, options.repeatGapMs, function () {
        return speakWithVoice(item.text, voice, options, keep);
      });
      if (spoken.ok) return { via: VIA_BROWSER, voice: voice.name, error: "" };
      errors.push(spoken.error);
      blocked = blocked || spoken.blocked;
    }

    if (item.audioUrl) {
      var played = await repeated(options.repeat, options.repeatGapMs, function () {
        return playUrl(item.audioUrl, options.loadTimeoutMs);
      });
      var label = item.voice || options.serverVoiceLabel || "离线语音";
      if (played.ok) return { via: VIA_SERVER, voice: label, error: errors.join("; ") };
      errors.push(played.error);
      blocked = blocked || played.blocked;
    } else {
      errors.push("no-audio-url");
    }
    return { via: VIA_TEXT, voice: "", error: errors.join("; "), blocked: blocked };
  };

  function statusText(outcome) {
    if (outcome.via === VIA_BROWSER) return "语音：浏览器 " + outcome.voice;
    if (outcome.via === VIA_SERVER) return "语音：服务器 " + outcome.voice;
    if (outcome.blocked) return "语音：无（浏览器阻止了自动播放，请点击屏幕）";
    return "语音：无（仅文字）";
  }

  global.HallAnnouncer = HallAnnouncer;
})(window);
