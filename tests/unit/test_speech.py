"""kiosk/announcements.py and kiosk/speech.py: how ticket numbers are read, the hall's template,
and real offline audio.

The audio tests run espeak-ng and measure the result with sox. Both are installed by
scripts/test.py, so on Linux a missing tool FAILS these tests (it does not skip them).
"""

from __future__ import annotations

import base64
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import speech
from kiosk.announcements import (
    DEFAULT_TEMPLATE,
    announcement_text,
    spoken_number,
    validate_template,
)
from kiosk.errors import ValidationError
from kiosk.speech import (
    ESPEAK_VOICES,
    Engine,
    SpeechError,
    available_engine,
    choose_espeak_voice,
    choose_sapi_voice,
    powershell_command,
    prune_cache,
    synthesize,
)

ROOT = Path(__file__).resolve().parents[2]
CHIME = ROOT / "static" / "sounds" / "chime.wav"
MAKE_CHIME = ROOT / "scripts" / "make_chime.py"
CHINESE_DIGITS = "零一二三四五六七八九"


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if sys.platform.startswith("linux"):
            pytest.fail(
                f"{name} is not installed, but the speech tests need it on Linux: "
                "scripts/test.py installs it (apt-get install espeak-ng sox)"
            )
        pytest.skip(f"{name} is only required on Linux")
    return path


def sox_stat(path: Path) -> dict[str, float]:
    """`sox FILE -n stat` as {"length (seconds)": …, "rms amplitude": …, …}."""
    sox = require_tool("sox")
    completed = subprocess.run([sox, str(path), "-n", "stat"], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    stats = {}
    for line in completed.stderr.splitlines():
        match = re.match(r"^(.+?):\s+(-?[0-9.]+)$", line.strip())
        if match:
            stats[" ".join(match.group(1).lower().split())] = float(match.group(2))
    assert {"length (seconds)", "rms amplitude", "maximum amplitude"} <= stats.keys(), stats
    return stats


def read_samples(path: Path) -> tuple[int, list[float]]:
    with wave.open(str(path), "rb") as audio:
        assert audio.getnchannels() == 1 and audio.getsampwidth() == 2
        rate = audio.getframerate()
        frames = audio.readframes(audio.getnframes())
    count = len(frames) // 2
    return rate, [s / 32768 for s in struct.unpack(f"<{count}h", frames)]


def tone_power(samples: list[float], rate: int, frequency: float) -> float:
    """Goertzel: the power of one frequency in a block of samples."""
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    previous = before = 0.0
    for sample in samples:
        previous, before = sample + coefficient * previous - before, previous
    return previous**2 + before**2 - coefficient * previous * before


# --------------------------------------------------------------------------- spoken numbers


@pytest.mark.parametrize(
    ("display", "spoken"),
    [
        ("A001", "A零零一"),
        ("B120", "B一二零"),
        ("C007", "C零零七"),
        ("D999", "D九九九"),
        ("A012", "A零一二"),
        ("A1000", "A一零零零"),
        ("a012", "A零一二"),  # letters upper-cased: espeak-ng spells capitals
        ("Ａ０１２", "A零一二"),  # full-width input folded
        (" A-012 ", "A零一二"),  # punctuation and spaces are not spoken
        ("AB007", "A B零零七"),  # two letters spelt, not read as an English word
        ("老1", "老一"),  # a Chinese prefix is kept
    ],
)
def test_spoken_number_reads_letter_then_each_digit_in_chinese(display, spoken):
    assert spoken_number(display) == spoken


@given(
    prefix=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2),
    number=st.integers(min_value=0, max_value=99999),
)
def test_spoken_number_never_uses_arabic_digits_or_letter_o(prefix, number):
    display = f"{prefix}{number:03d}"
    spoken = spoken_number(display)
    letters, digits = spoken[: 2 * len(prefix) - 1], spoken[2 * len(prefix) - 1 :]
    assert letters == " ".join(prefix)
    assert not re.search(r"[0-9０-９]", spoken)
    assert all(c in CHINESE_DIGITS for c in digits), spoken
    # read back digit by digit, it is the displayed number (no "十", no "O" for zero)
    assert "".join(str(CHINESE_DIGITS.index(c)) for c in digits) == f"{number:03d}"


@pytest.mark.parametrize("display", ["", "   ", "---", "#."])
def test_spoken_number_rejects_numbers_with_nothing_to_say(display):
    with pytest.raises(ValidationError, match="没有可播报"):
        spoken_number(display)


# --------------------------------------------------------------------------- template


def test_default_announcement():
    assert DEFAULT_TEMPLATE == "请{number}号到{window}号窗口办理"
    assert announcement_text(DEFAULT_TEMPLATE, "A012", 3) == "请A零一二号到3号窗口办理"
    assert announcement_text(DEFAULT_TEMPLATE, "B120", "12") == "请B一二零号到12号窗口办理"


def test_custom_template_with_window_name():
    template = "请{number}号到{window}号窗口（{window_name}）办理，{number}号请准备"
    text = announcement_text(template, "C007", 5, " 社保医保 ")
    assert text == "请C零零七号到5号窗口（社保医保）办理，C零零七号请准备"


def test_doubled_braces_are_literal_braces():
    assert announcement_text("{{{number}}}", "A001", 1) == "{A零零一}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("请{num}号到{window}号窗口", "未知的占位符 {num}"),
        ("请{number}号到{窗口}号窗口", "未知的占位符 {窗口}"),
        ("请{}号", "未知的占位符 {}"),
        ("请{0}号", "未知的占位符 {0}"),
        ("{number.__class__}", "未知的占位符 {number.__class__}"),
        ("{number[0]}", "未知的占位符 {number[0]}"),
        ("请{number!r}号", "不能带格式说明"),
        ("请{number:>8}号", "不能带格式说明"),
        ("请{number号到{window}号窗口", "花括号不成对"),
        ("请{number}号}", "花括号不成对"),
        ("请到{window}号窗口办理", "必须包含号码占位符 {number}"),
        ("", "不能为空"),
        ("   ", "不能为空"),
        ("{number}" + "请" * 300, "太长"),
    ],
)
def test_invalid_templates_are_rejected_in_chinese(template, message):
    with pytest.raises(ValidationError, match=re.escape(message)) as raised:
        validate_template(template)
    assert raised.value.field == "announcement_template"
    with pytest.raises(ValidationError, match=re.escape(message)):
        announcement_text(template, "A001", 1)


def test_unknown_placeholder_message_lists_the_allowed_ones():
    with pytest.raises(ValidationError) as raised:
        validate_template("请{numbr}号")
    assert str(raised.value) == (
        "播报模板中有未知的占位符 {numbr}；只能使用 {number}、{window}、{window_name}"
    )


def test_valid_template_is_returned_unchanged():
    template = "{window_name}：请{number}号到{window}号窗口"
    assert validate_template(template) is template


# --------------------------------------------------------------------------- engine choice

ESPEAK_151_LISTING = """\
Pty Language       Age/Gender VoiceName          File                 Other Languages
 5  cmn             --/M      Chinese_(Mandarin,_latin_as_English) sit/cmn  (zh-cmn 5)(zh 5)
 5  cmn-latn-pinyin --/M      Chinese_(Mandarin,_latin_as_Pinyin) sit/cmn-Latn-pinyin (zh 5)
 5  yue             --/M      Chinese_(Cantonese) sit/yue              (zh-yue 5)(zh 8)
"""


def test_espeak_voice_prefers_pinyin_variant_then_cmn():
    assert choose_espeak_voice(ESPEAK_151_LISTING) == "cmn-latn-pinyin"
    only_cmn = "\n".join(line for line in ESPEAK_151_LISTING.splitlines() if "Pinyin" not in line)
    assert choose_espeak_voice(only_cmn) == "cmn"
    old = "Pty Language Age/Gender VoiceName File Other\n 5  zh  M  Mandarin  sit/zh\n"
    assert choose_espeak_voice(old) == "zh"
    cantonese_only = ESPEAK_151_LISTING.splitlines()[0] + "\n" + ESPEAK_151_LISTING.splitlines()[3]
    assert choose_espeak_voice(cantonese_only) is None


def test_sapi_voice_prefers_mainland_chinese():
    listing = (
        "en-US\tMicrosoft Zira Desktop\r\n"
        "zh-HK\tMicrosoft Tracy Desktop\r\n"
        "zh-TW\tMicrosoft Hanhan Desktop\r\n"
        "zh-CN\tMicrosoft Huihui Desktop\r\n"
    )
    assert choose_sapi_voice(listing) == "Microsoft Huihui Desktop"
    assert choose_sapi_voice(listing.replace("zh-CN", "xx-XX")) == "Microsoft Hanhan Desktop"
    assert choose_sapi_voice("zh-HK\tMicrosoft Tracy Desktop\n") == "Microsoft Tracy Desktop"
    assert choose_sapi_voice("en-US\tMicrosoft Zira Desktop\nen-GB\tMicrosoft Hazel\n") is None
    assert choose_sapi_voice("") is None


def test_powershell_command_carries_the_script_encoded():
    command = powershell_command("powershell.exe", speech._SAPI_SPEAK_SCRIPT)
    assert command[0] == "powershell.exe"
    assert {"-NoProfile", "-NonInteractive", "-EncodedCommand"} <= set(command)
    script = base64.b64decode(command[-1]).decode("utf-16-le")
    assert script == speech._SAPI_SPEAK_SCRIPT
    for needle in ("Add-Type -AssemblyName System.Speech", "SelectVoice(", "SetOutputToWaveFile("):
        assert needle in script


def fake_wav(path: Path, seconds: float = 0.5) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x10\x00" * int(16000 * seconds))


def test_sapi_branch_passes_voice_text_and_output_to_powershell(tmp_path, monkeypatch):
    """The Windows path cannot run here: check what it hands PowerShell, with a fake one."""
    calls = []

    def fake_run(command, **kwargs):
        env = kwargs["env"]
        calls.append((command, env))
        assert Path(env["HALL_TTS_TEXT"]).read_text(encoding="utf-8") == "请A零一二号到3号窗口办理"
        fake_wav(Path(env["HALL_TTS_OUT"]))
        return subprocess.CompletedProcess(command, 0, b"", b"")

    monkeypatch.setattr(speech.subprocess, "run", fake_run)
    engine = Engine("sapi", r"C:\ps.exe", "Microsoft Huihui Desktop", "Windows SAPI Huihui")
    result = synthesize("请A零一二号到3号窗口办理", tmp_path, engine=engine)
    assert result.voice == "Windows SAPI Huihui" and result.mime == "audio/wav"
    assert result.path.read_bytes()[:4] == b"RIFF"
    ((command, env),) = calls
    assert command[0] == r"C:\ps.exe"
    assert env["HALL_TTS_VOICE"] == "Microsoft Huihui Desktop"
    assert int(env["HALL_TTS_RATE"]) == speech.SAPI_RATE
    assert sorted(p.name for p in tmp_path.iterdir()) == [result.path.name]  # temp files gone


def test_no_engine_is_a_clear_speech_error(tmp_path, monkeypatch):
    monkeypatch.setattr(speech, "available_engine", lambda: None)
    with pytest.raises(SpeechError, match="没有可用的离线语音引擎"):
        synthesize("请A零零一号到1号窗口办理", tmp_path)


def test_failing_engine_raises_and_leaves_no_files(tmp_path):
    false = shutil.which("false")
    assert false is not None
    engine = Engine("espeak-ng", false, "cmn", "espeak-ng broken")
    with pytest.raises(SpeechError, match="退出码 1"):
        synthesize("请A零零一号到1号窗口办理", tmp_path, engine=engine)
    assert list(tmp_path.iterdir()) == []


def test_engine_that_writes_nothing_is_an_error(tmp_path):
    true = shutil.which("true")
    assert true is not None
    with pytest.raises(SpeechError, match="没有生成有效的 WAV"):
        synthesize("你好", tmp_path, engine=Engine("espeak-ng", true, "cmn", "espeak-ng mute"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", ["", "  \n\t ", "[[]]", "\x00\x07"])
def test_empty_text_is_rejected(tmp_path, text):
    with pytest.raises(ValueError, match="不能为空"):
        synthesize(text, tmp_path, engine=Engine("espeak-ng", "x", "cmn", "x"))


def test_overlong_text_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="太长"):
        synthesize("请" * 501, tmp_path, engine=Engine("espeak-ng", "x", "cmn", "x"))


def test_prune_cache_keeps_the_most_recently_used(tmp_path):
    now = time.time()
    names = [f"{i:040x}.wav" for i in range(5)]
    for age, name in enumerate(reversed(names)):
        path = tmp_path / name
        path.write_bytes(b"x")
        os.utime(path, (now - age * 60, now - age * 60))  # names[0] is the oldest
    stale = tmp_path / ".tts-crashed.tmp"
    stale.write_bytes(b"")
    os.utime(stale, (now - 7200, now - 7200))
    fresh = tmp_path / ".tts-working.tmp"
    fresh.write_bytes(b"")
    other = tmp_path / "keep-me.txt"
    other.write_text("not ours")

    assert prune_cache(tmp_path, keep=3) == 2
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*names[2:], fresh.name, other.name])


# --------------------------------------------------------------------------- real audio


@pytest.fixture
def espeak_engine() -> Engine:
    require_tool("espeak-ng")
    engine = available_engine(refresh=True)
    assert engine is not None, "espeak-ng is installed but has no Mandarin voice"
    return engine


def test_linux_engine_is_espeak_mandarin(espeak_engine):
    if sys.platform == "win32":
        pytest.skip("Windows prefers SAPI")
    assert espeak_engine.kind == "espeak-ng"
    assert espeak_engine.voice in ESPEAK_VOICES
    assert espeak_engine.label == f"espeak-ng {espeak_engine.voice}"


def test_chosen_espeak_voice_reads_chinese_as_mandarin(espeak_engine):
    """espeak-ng 1.51's plain `cmn` reads 零 as "ling two" (pinyin spoken as English): the
    chosen voice must not switch to English anywhere in an announcement, and "A零一二" must be
    exactly four syllables."""
    if espeak_engine.kind != "espeak-ng":
        pytest.skip("not espeak-ng")

    def phonemes(text: str) -> str:
        return subprocess.run(
            [espeak_engine.executable, "-q", "-x", "-v", espeak_engine.voice, text],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    sentence = phonemes(announcement_text(DEFAULT_TEMPLATE, "A012", 3))
    assert "(en)" not in sentence, sentence
    number = phonemes(spoken_number("A012"))
    assert "(en)" not in number
    assert len([s for s in number.split("_|") if s.strip()]) == 4, number


def test_announcement_is_real_audible_speech(tmp_path, espeak_engine):
    text = announcement_text(DEFAULT_TEMPLATE, "A012", 3)
    result = synthesize(text, tmp_path / "audio")
    assert result.mime == "audio/wav"
    assert result.voice == espeak_engine.label
    assert result.cached is False
    assert result.path.parent == tmp_path / "audio"
    assert result.read_bytes()[:4] == b"RIFF"
    stats = sox_stat(result.path)
    assert stats["length (seconds)"] >= 1.0, stats
    assert stats["rms amplitude"] > 0.02, stats  # not silence
    assert 0.2 < stats["maximum amplitude"] < 0.99, stats  # loud but not clipped
    # a longer text gives longer audio: the text really is spoken
    longer = synthesize(text + "，" + text, tmp_path / "audio")
    assert sox_stat(longer.path)["length (seconds)"] > stats["length (seconds)"] + 1.0


def test_repeated_synthesis_comes_from_the_cache(tmp_path, espeak_engine, monkeypatch):
    text = announcement_text(DEFAULT_TEMPLATE, "B120", 7)
    first = synthesize(text, tmp_path)
    content = first.read_bytes()

    def no_engine(*args, **kwargs):
        raise AssertionError("the engine ran again for a cached text")

    monkeypatch.setattr(speech.subprocess, "run", no_engine)
    second = synthesize(text, tmp_path)  # the engine is not run again (no_engine above)
    assert second.cached is True and second.path == first.path
    assert second.read_bytes() == content
    other = announcement_text(DEFAULT_TEMPLATE, "B121", 7)
    with pytest.raises(AssertionError, match="engine ran again"):
        synthesize(other, tmp_path)  # a different text is not a cache hit


def test_concurrent_requests_for_one_text_share_one_valid_file(tmp_path, espeak_engine):
    text = announcement_text(DEFAULT_TEMPLATE, "C007", 2)
    barrier = threading.Barrier(8)

    def request(_):
        barrier.wait()
        return synthesize(text, tmp_path)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(request, range(8)))
    assert len({r.path for r in results}) == 1
    assert [p.name for p in tmp_path.iterdir()] == [results[0].path.name]  # no temp files left
    assert sox_stat(results[0].path)["length (seconds)"] >= 1.0


def test_text_goes_through_stdin_not_argv(tmp_path, espeak_engine):
    """Text starting with "-" must not be taken as an espeak-ng option."""
    result = synthesize("-v en 请D九九九号", tmp_path)
    assert sox_stat(result.path)["length (seconds)"] > 1.0


# --------------------------------------------------------------------------- chime


def test_chime_is_a_short_audible_ding_dong():
    assert CHIME.is_file(), "run scripts/make_chime.py"
    stats = sox_stat(CHIME)
    assert 0.6 <= stats["length (seconds)"] <= 1.0, stats
    assert 0.3 < stats["maximum amplitude"] < 0.9, stats  # clear, with headroom, no clipping
    assert stats["rms amplitude"] > 0.05, stats

    rate, samples = read_samples(CHIME)
    ding = samples[int(0.02 * rate) : int(0.28 * rate)]
    dong = samples[int(0.45 * rate) : int(0.75 * rate)]
    high, low = 659.26, 523.25
    assert tone_power(ding, rate, high) > 10 * tone_power(ding, rate, low)
    assert tone_power(dong, rate, low) > 3 * tone_power(dong, rate, high)
    # it ends quietly (faded out, no click)
    assert max(abs(s) for s in samples[-20:]) < 0.01


def test_chime_script_reproduces_the_committed_file(tmp_path):
    output = tmp_path / "chime.wav"
    subprocess.run(
        [sys.executable, str(MAKE_CHIME), "--output", str(output)], check=True, capture_output=True
    )
    rate, regenerated = read_samples(output)
    committed_rate, committed = read_samples(CHIME)
    assert rate == committed_rate == 22050
    assert len(regenerated) == len(committed)
    assert max(abs(a - b) for a, b in zip(regenerated, committed, strict=True)) <= 2 / 32768
