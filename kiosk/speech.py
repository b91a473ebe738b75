"""The offline server-side voice that speaks the call announcements (what is said is
kiosk/announcements.py's): speech synthesis on the server (`available_engine`, `synthesize`)
into a WAV cache, espeak-ng on Linux (and anywhere it is on PATH), Windows SAPI through
PowerShell on Windows.

It has no Flask import: the display blueprint calls it and serves the resulting file.

Voice choice, decided by listening tests (espeak-ng 1.51, Debian 12):
- espeak-ng's plain `cmn` voice ("latin as English") is broken for Chinese characters in 1.51:
  it turns each character into pinyin with a tone digit and then reads that pinyin as English,
  so "零" comes out as "ling two" and "请" as "king three" (espeak-ng issues #1028, #1236).
  The `cmn-latn-pinyin` voice reads the same characters correctly, so it is preferred, with
  `cmn` and the old `zh` as fallbacks for espeak-ng builds that lack it.
- The ticket letter is left as the capital Latin letter: espeak-ng's Mandarin voices spell
  capitals the Chinese way ("A" -> [ei51], one falling syllable, "B" -> [pi51],
  "W" -> "da-bu-liu"), which is how hall callers say them. Spelling "A" as "诶" instead gives a
  rising [ei35] that sounds like a question, so it was rejected. Several letters are separated by
  spaces ("AB012" -> "A B零一二") because a run of capitals is otherwise read as an English word.
- Window numbers stay Arabic digits in the text: both engines read "12号窗口" as "十二号窗口",
  which is how windows are announced (ticket digits, by contrast, are read one by one).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

MAX_TEXT_LENGTH = 500

# espeak-ng voices in order of preference (see the module docstring for why not plain "cmn").
ESPEAK_VOICES = ("cmn-latn-pinyin", "cmn", "zh")
ESPEAK_SPEED = 150  # words per minute; the default 175 is hurried for a hall's loudspeakers
ESPEAK_AMPLITUDE = 80  # 0-200; at 90 and the default 100 espeak-ng hits 0 dBFS (clips)
# SAPI voice cultures in order of preference (zh-HK voices speak Cantonese: last resort).
SAPI_CULTURES = ("zh-CN", "zh-SG", "zh-TW", "zh-HK")
SAPI_RATE = -1  # -10..10; 0 is SAPI's normal rate, -1 slightly slower for a hall
SAPI_SAMPLE_RATE = 22050

SYNTHESIS_TIMEOUT_SECONDS = 30
PROBE_TIMEOUT_SECONDS = 20
MAX_CACHE_FILES = 2000
CACHE_SUFFIX = ".wav"


class SpeechError(RuntimeError):
    """No speech engine, or the engine failed to produce audio."""


@dataclass(frozen=True)
class Engine:
    """A usable offline voice on this server."""

    kind: Literal["espeak-ng", "sapi"]
    executable: str  # espeak-ng or powershell.exe
    voice: str  # espeak-ng voice name, or SAPI voice name
    label: str  # for status lines: "espeak-ng cmn-latn-pinyin", "Windows SAPI Microsoft Huihui"


@dataclass(frozen=True)
class SpeechResult:
    """A synthesized announcement: a WAV file in the cache directory."""

    path: Path
    mime: str
    voice: str  # Engine.label of the voice that spoke it
    cached: bool  # True when the file was already in the cache

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


# --------------------------------------------------------------------------- text


# --------------------------------------------------------------------------- engines


_engine_lock = threading.Lock()
_found_engine: Engine | None = None


def available_engine(refresh: bool = False) -> Engine | None:
    """The offline voice this server will use, or None when there is none.

    Windows: a Chinese SAPI voice if one is installed, else espeak-ng if it is on PATH.
    Elsewhere: espeak-ng. A found engine is remembered for the process (probing PowerShell takes
    about a second); "none" is not, so installing a voice later works without a restart.
    """
    global _found_engine
    with _engine_lock:
        if _found_engine is None or refresh:
            engine = _sapi_engine() if sys.platform == "win32" else None
            _found_engine = engine or _espeak_engine()
        return _found_engine


def _espeak_engine() -> Engine | None:
    executable = shutil.which("espeak-ng")
    if executable is None:
        return None
    try:
        listing = subprocess.run(
            [executable, "--voices"],
            capture_output=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=True,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    voice = choose_espeak_voice(listing)
    if voice is None:
        return None
    return Engine("espeak-ng", executable, voice, f"espeak-ng {voice}")


def choose_espeak_voice(voices_listing: str) -> str | None:
    """Pick the preferred Mandarin voice from the output of `espeak-ng --voices`."""
    languages = set()
    for line in voices_listing.splitlines()[1:]:
        columns = line.split()
        if len(columns) >= 2:
            languages.add(columns[1].lower())
    return next((voice for voice in ESPEAK_VOICES if voice in languages), None)


_SAPI_LIST_SCRIPT = r"""
$ErrorActionPreference = 'Stop'
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
Add-Type -AssemblyName System.Speech
$synth = New-Object System.Speech.Synthesis.SpeechSynthesizer
try {
    foreach ($installed in $synth.GetInstalledVoices()) {
        if ($installed.Enabled) {
            $info = $installed.VoiceInfo
            [Console]::Out.WriteLine($info.Culture.Name + "`t" + $info.Name)
        }
    }
} finally {
    $synth.Dispose()
}
"""

# Paths, voice and text reach the script through environment variables and a UTF-8 file, so
# nothing needs quoting; the script itself travels base64-encoded (-EncodedCommand).
_SAPI_SPEAK_SCRIPT = r"""
$ErrorActionPreference = 'Stop'
Add-Type -AssemblyName System.Speech
$synth = New-Object System.Speech.Synthesis.SpeechSynthesizer
try {
    $synth.SelectVoice($env:HALL_TTS_VOICE)
    $synth.Rate = [int]$env:HALL_TTS_RATE
    $format = [System.Speech.AudioFormat.SpeechAudioFormatInfo]::new(
        [int]$env:HALL_TTS_SAMPLE_RATE,
        [System.Speech.AudioFormat.AudioBitsPerSample]::Sixteen,
        [System.Speech.AudioFormat.AudioChannel]::Mono)
    $synth.SetOutputToWaveFile($env:HALL_TTS_OUT, $format)
    $text = [System.IO.File]::ReadAllText($env:HALL_TTS_TEXT, [System.Text.Encoding]::UTF8)
    $synth.Speak($text)
    $synth.SetOutputToNull()
} finally {
    $synth.Dispose()
}
"""


def _powershell() -> str | None:
    """Windows PowerShell 5.1 (.NET Framework has System.Speech; PowerShell 7 cannot load it)."""
    root = os.environ.get("SystemRoot", r"C:\Windows")
    candidate = Path(root) / "System32" / "WindowsPowerShell" / "v1.0" / "powershell.exe"
    if candidate.is_file():
        return str(candidate)
    return shutil.which("powershell")


def powershell_command(executable: str, script: str) -> list[str]:
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    return [
        executable,
        "-NoLogo",
        "-NoProfile",
        "-NonInteractive",
        "-ExecutionPolicy",
        "Bypass",
        "-EncodedCommand",
        encoded,
    ]


def _sapi_engine() -> Engine | None:
    executable = _powershell()
    if executable is None:
        return None
    try:
        listing = subprocess.run(
            powershell_command(executable, _SAPI_LIST_SCRIPT),
            capture_output=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=True,
            creationflags=_no_window(),
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    voice = choose_sapi_voice(listing)
    if voice is None:
        return None
    return Engine("sapi", executable, voice, f"Windows SAPI {voice}")


def choose_sapi_voice(listing: str) -> str | None:
    """Pick a Chinese voice from "culture<TAB>name" lines (installed, enabled SAPI voices)."""
    voices: list[tuple[str, str]] = []
    for line in listing.splitlines():
        culture, _, name = line.strip().partition("\t")
        if name:
            voices.append((culture.strip(), name.strip()))
    for wanted in SAPI_CULTURES:
        for culture, name in voices:
            if culture.lower() == wanted.lower():
                return name
    for culture, name in voices:
        if culture.lower().startswith("zh"):
            return name
    return None


def _no_window() -> int:
    return getattr(subprocess, "CREATE_NO_WINDOW", 0)


# --------------------------------------------------------------------------- synthesis


def synthesize(text: str, cache_dir: Path, engine: Engine | None = None) -> SpeechResult:
    """Speak `text` into a WAV file under `cache_dir` (created if needed) and return it.

    The file name is a hash of the voice, its settings and the text, so a repeated call returns
    the cached file without running the engine. Safe under concurrent requests: each synthesis
    writes a private temporary file in `cache_dir` and moves it into place with os.replace.
    Raises SpeechError when there is no engine or it fails, ValueError for empty or long text.
    """
    text = _clean_text(text)
    engine = engine or available_engine()
    if engine is None:
        raise SpeechError(
            "没有可用的离线语音引擎：Linux 请安装 espeak-ng（apt-get install espeak-ng），"
            "Windows 请安装中文语音（设置 → 时间和语言 → 语音）"
        )
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / (cache_key(text, engine) + CACHE_SUFFIX)
    if _is_wav(target):
        _touch(target)
        return SpeechResult(target, "audio/wav", engine.label, cached=True)

    fd, temp_name = tempfile.mkstemp(prefix=".tts-", suffix=".tmp", dir=cache_dir)
    os.close(fd)
    temp = Path(temp_name)
    try:
        if engine.kind == "sapi":
            _run_sapi(engine, text, temp)
        else:
            _run_espeak(engine, text, temp)
        if not _is_wav(temp):
            raise SpeechError(f"{engine.label} 没有生成有效的 WAV 音频")
        try:
            os.replace(temp, target)
        except PermissionError:
            # Windows: the target may be open by a concurrent reader; it is the same audio.
            if not _is_wav(target):
                raise
    finally:
        temp.unlink(missing_ok=True)
    prune_cache(cache_dir)
    return SpeechResult(target, "audio/wav", engine.label, cached=False)


def cache_key(text: str, engine: Engine) -> str:
    settings = f"{engine.kind}|{engine.voice}|{ESPEAK_SPEED}|{ESPEAK_AMPLITUDE}|{SAPI_RATE}"
    return hashlib.sha256(f"{settings}\n{text}".encode()).hexdigest()[:40]


def _clean_text(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    # Control characters are not speech; "[[" would switch espeak-ng to phoneme input.
    cleaned = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    cleaned = " ".join(cleaned.replace("[[", " ").replace("]]", " ").split())
    if not cleaned:
        raise ValueError("播报内容不能为空")
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise ValueError(f"播报内容太长（最多 {MAX_TEXT_LENGTH} 个字）")
    return cleaned


def _run_espeak(engine: Engine, text: str, out: Path) -> None:
    # Text goes through stdin (-b 1: UTF-8), never argv: no option injection, no code pages.
    command = [
        engine.executable,
        "-v",
        engine.voice,
        "-s",
        str(ESPEAK_SPEED),
        "-a",
        str(ESPEAK_AMPLITUDE),
        "-b",
        "1",
        "-w",
        str(out),
        "--stdin",
    ]
    _run(command, engine, input=text.encode("utf-8"))


def _run_sapi(engine: Engine, text: str, out: Path) -> None:
    text_file = out.with_suffix(".txt")
    text_file.write_text(text, encoding="utf-8")
    env = dict(os.environ)
    env.update(
        HALL_TTS_VOICE=engine.voice,
        HALL_TTS_RATE=str(SAPI_RATE),
        HALL_TTS_SAMPLE_RATE=str(SAPI_SAMPLE_RATE),
        HALL_TTS_OUT=str(out),
        HALL_TTS_TEXT=str(text_file),
    )
    try:
        _run(powershell_command(engine.executable, _SAPI_SPEAK_SCRIPT), engine, env=env)
    finally:
        text_file.unlink(missing_ok=True)


def _run(command: list[str], engine: Engine, **kwargs) -> None:
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            timeout=SYNTHESIS_TIMEOUT_SECONDS,
            creationflags=_no_window(),
            **kwargs,
        )
    except subprocess.TimeoutExpired:
        raise SpeechError(f"{engine.label} 超过 {SYNTHESIS_TIMEOUT_SECONDS} 秒没有完成") from None
    except OSError as error:
        raise SpeechError(f"无法运行 {engine.label}：{error}") from error
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip()[-500:]
        raise SpeechError(f"{engine.label} 出错（退出码 {completed.returncode}）：{detail}")


def _is_wav(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
    except OSError:
        return False
    return size > 44 and header[:4] == b"RIFF" and header[8:12] == b"WAVE"


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


_CACHE_NAME = re.compile(r"^[0-9a-f]{40}\.wav$")
_TEMP_NAME = re.compile(r"^\.tts-.*\.(tmp|txt)$")
STALE_TEMP_SECONDS = 3600


def prune_cache(cache_dir: Path, keep: int = MAX_CACHE_FILES) -> int:
    """Delete the least recently used cached announcements beyond `keep`, and temporary files
    left by a crashed synthesis over an hour ago; return how many cached files were deleted."""
    entries = []
    stale_before = time.time() - STALE_TEMP_SECONDS
    for entry in os.scandir(cache_dir):
        try:
            mtime = entry.stat().st_mtime
        except OSError:
            continue
        if _CACHE_NAME.match(entry.name):
            entries.append((mtime, entry.path))
        elif _TEMP_NAME.match(entry.name) and mtime < stale_before:
            try:
                os.unlink(entry.path)
            except OSError:
                pass
    if len(entries) <= keep:
        return 0
    entries.sort()
    removed = 0
    for _mtime, path in entries[: len(entries) - keep]:
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            continue
    return removed
