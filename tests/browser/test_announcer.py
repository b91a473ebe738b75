"""static/js/announcer.js in real headless Chromium: the display board's announcement queue.

A tiny static site (announcer.js, the committed chime, WAVs spoken by espeak-ng through
kiosk/speech.py) is served by http.server on a free loopback port. Chromium here has no speech
voices, so the announcer must fall back to the server audio; a stubbed speechSynthesis checks
the browser-voice branch, and stubbed failures check that the queue goes on as "text-only".
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.announcements import announcement_text
from kiosk.speech import available_engine, synthesize

ROOT = Path(__file__).resolve().parents[2]
ANNOUNCER = ROOT / "static" / "js" / "announcer.js"
CHIME = ROOT / "static" / "sounds" / "chime.wav"
WAIT_MS = 30_000
GAP_MS = 300
# Short spoken clips keep the suite quick; full sentences are covered by tests/unit/test_speech.py.
CLIP_TEMPLATE = "{number}号到{window}号"

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>announcer test</title>
<script src="announcer.js"></script>
<script>
  window.statuses = [];
  window.started = [];
  window.announcer = new HallAnnouncer({
    chimeUrl: "chime.wav",
    gapMs: %(gap)d,
    serverVoiceLabel: "服务器默认",
    onVoice: function (status, info) { window.statuses.push(status); },
    onStart: function (item) { window.started.push(item.id); },
  });
</script></head>
<body><p>board</p></body></html>
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requested.append(self.path)
        super().do_GET()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # Chromium's media stack may drop a connection mid-file; that is not a failure


@dataclass
class Site:
    url: str
    root: Path
    durations: dict[str, float]
    voice: str
    requested: list[str] = field(default_factory=list)


def wav_seconds(path: Path) -> float:
    import wave

    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if shutil.which("espeak-ng") is None or available_engine(refresh=True) is None:
        pytest.fail("espeak-ng (Mandarin) is not installed: scripts/test.py installs it")
    root = tmp_path_factory.mktemp("board")
    shutil.copy(ANNOUNCER, root / "announcer.js")
    shutil.copy(CHIME, root / "chime.wav")
    (root / "index.html").write_text(PAGE % {"gap": GAP_MS}, encoding="utf-8")
    durations = {"chime.wav": wav_seconds(CHIME)}
    voice = ""
    for name, number, window in (("a012.wav", "A012", 3), ("b120.wav", "B120", 12)):
        result = synthesize(announcement_text(CLIP_TEMPLATE, number, window), root / "cache")
        shutil.copy(result.path, root / name)
        durations[name] = wav_seconds(root / name)
        voice = result.voice

    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    server.requested = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(
            f"http://127.0.0.1:{server.server_address[1]}",
            root,
            durations,
            voice,
            server.requested,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def board(site, page_factory):
    """Open the test board; returns a function taking an optional init script (stubs)."""

    def open_board(init_script: str | None = None):
        page = page_factory(width=800, height=600)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        if init_script:
            page.add_init_script(init_script)
        site.requested.clear()
        page.goto(site.url + "/index.html")
        page.errors = errors
        return page

    return open_board


def enqueue(page, *items) -> list[bool]:
    return page.evaluate("items => items.map(item => window.announcer.enqueue(item))", list(items))


def wait_for_records(page, count: int) -> list[dict]:
    page.wait_for_function(
        f"window.__announcements.length >= {count} && !window.announcer.isBusy()",
        timeout=WAIT_MS,
    )
    return page.evaluate("window.__announcements")


def assert_in_order_without_overlap(records: list[dict]) -> None:
    for earlier, later in zip(records, records[1:], strict=False):
        assert earlier["startedAt"] <= earlier["endedAt"] <= later["startedAt"], records
        assert later["startedAt"] - earlier["endedAt"] >= GAP_MS - 20, records


def test_two_announcements_play_in_order_through_server_audio(board, site):
    page = board()
    zh_voices = page.evaluate(
        "speechSynthesis.getVoices().filter(v => v.lang.toLowerCase().startsWith('zh')).length"
    )
    assert zh_voices == 0, "this Chromium has a Chinese voice: the fallback is not exercised"
    assert page.evaluate("window.announcer.voiceStatus()") == "语音：服务器 服务器默认"

    accepted = enqueue(
        page,
        {
            "id": "call-1",
            "text": "请A零一二号到3号窗口办理",
            "audioUrl": "a012.wav",
            "voice": site.voice,
        },
        {"id": "call-2", "text": "请B一二零号到12号窗口办理", "audioUrl": "b120.wav"},
        {"id": "call-1", "text": "请A零一二号到3号窗口办理", "audioUrl": "a012.wav"},
    )
    assert accepted == [True, True, False]  # the same call id is announced once
    records = wait_for_records(page, 2)

    assert [r["id"] for r in records] == ["call-1", "call-2"]
    assert [r["via"] for r in records] == ["server-audio", "server-audio"]
    assert [r["voice"] for r in records] == [site.voice, "服务器默认"]
    assert all(r["chime"] is True and r["error"] == "" for r in records), records
    assert records[0]["text"] == "请A零一二号到3号窗口办理"
    assert_in_order_without_overlap(records)
    # each one really played: chime, then the whole speech, in real time
    for record, name in zip(records, ("a012.wav", "b120.wav"), strict=True):
        expected_ms = (site.durations["chime.wav"] + site.durations[name]) * 1000
        assert record["endedAt"] - record["startedAt"] >= expected_ms - 150, (record, expected_ms)
    assert page.evaluate("window.statuses") == [
        f"语音：服务器 {site.voice}",
        "语音：服务器 服务器默认",
    ]
    assert site.voice.startswith("espeak-ng ")
    assert page.evaluate("window.started") == ["call-1", "call-2"]
    assert site.requested.index("/a012.wav") < site.requested.index("/b120.wav")
    assert site.requested.count("/a012.wav") == 1
    assert page.errors == []


def test_an_announcement_enqueued_later_waits_for_the_current_one(board, site):
    page = board()
    enqueue(page, {"id": "x1", "text": "请A零一二号到3号窗口办理", "audioUrl": "a012.wav"})
    page.wait_for_function("window.announcer.isBusy()", timeout=WAIT_MS)
    page.wait_for_timeout(300)
    enqueue(page, {"id": "x2", "text": "请B一二零号到12号窗口办理", "audioUrl": "b120.wav"})
    assert page.evaluate("window.__announcements.length") == 0  # first still playing
    records = wait_for_records(page, 2)
    assert [(r["id"], r["via"]) for r in records] == [
        ("x1", "server-audio"),
        ("x2", "server-audio"),
    ]
    assert_in_order_without_overlap(records)
    assert page.evaluate("window.announcer.whenIdle().then(() => 'idle')") == "idle"


def test_missing_audio_is_recorded_as_text_only_and_the_queue_goes_on(board, site):
    page = board()
    enqueue(
        page,
        {"id": "m1", "text": "请C零零七号到2号窗口办理", "audioUrl": "missing.wav"},
        {"id": "m2", "text": "请D九九九号到4号窗口办理"},  # no audio URL at all
        {"id": "m3", "text": "请A零一二号到3号窗口办理", "audioUrl": "a012.wav"},
    )
    records = wait_for_records(page, 3)
    assert [(r["id"], r["via"]) for r in records] == [
        ("m1", "text-only"),
        ("m2", "text-only"),
        ("m3", "server-audio"),
    ]
    assert "audio-error" in records[0]["error"]
    assert records[1]["error"] == "no-audio-url"
    assert_in_order_without_overlap(records)
    assert page.evaluate("window.statuses") == [
        "语音：无（仅文字）",
        "语音：无（仅文字）",
        "语音：服务器 服务器默认",
    ]
    assert "/missing.wav" in site.requested


BLOCK_AUTOPLAY = """
HTMLMediaElement.prototype.play = function () {
  return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
};
"""


def test_blocked_autoplay_is_recorded_as_text_only(board, site):
    page = board(BLOCK_AUTOPLAY)
    enqueue(
        page,
        {"id": "b1", "text": "请A零一二号到3号窗口办理", "audioUrl": "a012.wav"},
        {"id": "b2", "text": "请B一二零号到12号窗口办理", "audioUrl": "b120.wav"},
    )
    records = wait_for_records(page, 2)
    assert [(r["id"], r["via"]) for r in records] == [("b1", "text-only"), ("b2", "text-only")]
    assert all(r["chime"] is False and "autoplay-blocked" in r["error"] for r in records)
    assert_in_order_without_overlap(records)
    statuses = page.evaluate("window.statuses")
    assert statuses == ["语音：无（浏览器阻止了自动播放，请点击屏幕）"] * 2
    assert "/a012.wav" not in site.requested  # speech was not even tried once blocked


FAKE_VOICES = """
(() => {
  const voices = [
    {name: "Google 普通话（中国大陆）", lang: "zh-CN", localService: false, default: false},
    {name: "Microsoft Zira", lang: "en-US", localService: true, default: true},
    {name: "Microsoft Tracy", lang: "zh-HK", localService: true, default: false},
    {name: "Microsoft Huihui", lang: "zh-CN", localService: true, default: false},
  ];
  window.spoken = [];
  class FakeUtterance {
    constructor(text) { this.text = text; this.voice = null; this.onend = null; }
  }
  const fake = {
    getVoices: () => voices,
    addEventListener: () => {},
    cancel: () => {},
    speak(utterance) {
      window.spoken.push({text: utterance.text, voice: utterance.voice.name,
                          lang: utterance.lang, at: Date.now()});
      setTimeout(() => utterance.onend && utterance.onend({}), 400);
    },
  };
  Object.defineProperty(window, "speechSynthesis", {value: fake, configurable: true});
  Object.defineProperty(window, "SpeechSynthesisUtterance",
                        {value: FakeUtterance, configurable: true});
})();
"""


def test_a_local_chinese_browser_voice_is_preferred(board, site):
    page = board(FAKE_VOICES)
    assert page.evaluate("window.announcer.voiceStatus()") == "语音：浏览器 Microsoft Huihui"
    enqueue(
        page,
        {"id": "v1", "text": "请A零一二号到3号窗口办理", "audioUrl": "a012.wav"},
        {"id": "v2", "text": "请B一二零号到12号窗口办理", "audioUrl": "b120.wav"},
    )
    records = wait_for_records(page, 2)
    assert [(r["id"], r["via"], r["voice"]) for r in records] == [
        ("v1", "browser-speech", "Microsoft Huihui"),
        ("v2", "browser-speech", "Microsoft Huihui"),
    ]
    assert_in_order_without_overlap(records)
    spoken = page.evaluate("window.spoken")
    assert [s["text"] for s in spoken] == ["请A零一二号到3号窗口办理", "请B一二零号到12号窗口办理"]
    assert {s["lang"] for s in spoken} == {"zh-CN"}
    # speech starts after the chime, inside its own announcement
    for record, utterance in zip(records, spoken, strict=True):
        chime_ms = site.durations["chime.wav"] * 1000
        assert record["startedAt"] + chime_ms - 150 <= utterance["at"] <= record["endedAt"]
    assert page.evaluate("window.statuses") == ["语音：浏览器 Microsoft Huihui"] * 2
    assert "/a012.wav" not in site.requested and "/b120.wav" not in site.requested
    assert page.errors == []


FAILING_VOICE = FAKE_VOICES.replace(
    "setTimeout(() => utterance.onend && utterance.onend({}), 400);",
    "setTimeout(() => utterance.onerror({error: 'synthesis-failed'}), 50);",
)


def test_a_failing_browser_voice_falls_back_to_server_audio(board, site):
    page = board(FAILING_VOICE)
    enqueue(page, {"id": "f1", "text": "请A零一二号到3号窗口办理", "audioUrl": "a012.wav"})
    (record,) = wait_for_records(page, 1)
    assert record["via"] == "server-audio"
    assert "speech-synthesis-failed" in record["error"]
    assert "/a012.wav" in site.requested
