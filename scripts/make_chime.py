"""Generate static/sounds/chime.wav: the two-tone "ding-dong" played before each hall announcement.

Pure Python (wave + math), deterministic: running it again gives the same audio. Two bell-like
notes, E5 then C5 (a falling major third, the classic doorbell / station chime), each a
fundamental with a few softly decaying partials, 22050 Hz mono 16-bit (the same format as
espeak-ng's speech, so the board's audio path handles one format), about 0.85 s, peak -6 dBFS.

Usage: python scripts/make_chime.py [--output PATH]
"""

from __future__ import annotations

import argparse
import math
import struct
import wave
from pathlib import Path

SAMPLE_RATE = 22050
DURATION = 0.85  # seconds
PEAK = 10 ** (-6 / 20)  # -6 dBFS: about as loud as the speech that follows (RMS ~ -17 dB)
FADE_OUT = 0.08  # seconds: the "dong" is still ringing; fade it out without a click

# (start seconds, fundamental Hz, relative loudness)
NOTES = (
    (0.0, 659.26, 1.0),  # E5 "ding"
    (0.30, 523.25, 0.95),  # C5 "dong"
)
# (frequency multiple, relative amplitude, decay rate per second): a soft bell / vibraphone
PARTIALS = (
    (1.0, 1.0, 4.0),
    (2.0, 0.35, 7.0),
    (3.0, 0.12, 10.0),
    (4.2, 0.05, 14.0),
)
ATTACK = 0.006  # seconds


def chime_samples(sample_rate: int = SAMPLE_RATE) -> list[float]:
    """The chime as floats in [-PEAK, PEAK]."""
    count = int(DURATION * sample_rate)
    samples = [0.0] * count
    for start, frequency, loudness in NOTES:
        first = int(start * sample_rate)
        for index in range(first, count):
            t = (index - first) / sample_rate
            attack = min(1.0, t / ATTACK)
            value = 0.0
            for multiple, amplitude, decay in PARTIALS:
                value += (
                    amplitude
                    * math.exp(-decay * t)
                    * math.sin(2 * math.pi * frequency * multiple * t)
                )
            samples[index] += loudness * attack * value
    fade = int(FADE_OUT * sample_rate)
    for offset in range(fade):
        samples[count - 1 - offset] *= offset / fade
    scale = PEAK / max(abs(s) for s in samples)
    return [s * scale for s in samples]


def write_wav(path: Path, samples: list[float], sample_rate: int = SAMPLE_RATE) -> None:
    frames = b"".join(struct.pack("<h", round(s * 32767)) for s in samples)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(frames)


def main(argv: list[str] | None = None) -> int:
    default = Path(__file__).resolve().parent.parent / "static" / "sounds" / "chime.wav"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=default, help=f"default: {default}")
    args = parser.parse_args(argv)
    write_wav(args.output, chime_samples())
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
