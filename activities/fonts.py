"""The fonts documents are set in: DejaVu Sans where installed, and a small cut of it.

fpdf2 parses every font it is given, for every document, and DejaVu Sans has some 6,000
glyphs: that parsing was most of a draft's cost. Most agreements are written in Latin
letters and common punctuation, so a document that uses nothing else is set in a cut of
the same font holding only those (`COMMON_TEXT`, about 1,000 glyphs), made once per
process. The printed text is the same either way: what DejaVu cannot print is replaced
before either font is chosen (`coverage`).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import threading
from itertools import chain
from pathlib import Path

import structlog
from fontTools import subset, ttLib

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}

# Latin (with Welsh's ŵ and ẁ), punctuation (dashes, quotes, bullet), currency, arrows.
COMMON_TEXT = frozenset(
    chain(
        (0x09, 0x0A, 0x0D),
        range(0x20, 0x7F),
        range(0xA0, 0x250),
        range(0x1E00, 0x1F00),
        range(0x2000, 0x2070),
        range(0x20A0, 0x20C1),
        (0x2116, 0x2122),
        range(0x2190, 0x2194),
    )
)

_lock = threading.Lock()
log = structlog.get_logger()


def unicode_font_dir() -> Path | None:
    """The folder holding every DejaVu Sans style, if installed."""
    for folder in FONT_DIRS:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    return None


@functools.cache
def coverage(font_file: Path) -> frozenset[int]:
    """The code points `font_file` has a glyph for."""
    font = ttLib.TTFont(font_file, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def font_for(font_file: Path, text: set[int]) -> Path:
    """`font_file`, or its common cut when every code point of `text` is in it."""
    if not text <= COMMON_TEXT:
        return font_file
    try:
        return common_cut(font_file)
    except OSError as err:
        # No writable temporary folder: slower drafts, never a failed one.
        log.warning("fonts.cut_unavailable", font=font_file.name, error=str(err))
        return font_file


def common_cut(font_file: Path) -> Path:
    """A copy of `font_file` with only the glyphs of `COMMON_TEXT` (made once a process;
    the same bytes every time, so documents stay reproducible)."""
    with _lock:  # activities run in threads: one cut each, made once
        return _common_cut(font_file)


@functools.cache
def _common_cut(font_file: Path) -> Path:
    path = _cut_dir() / font_file.name
    write_common_cut(font_file, path)
    return path


def write_common_cut(font_file: Path, path: Path) -> None:
    # recalcTimestamp=False: the font's own dates are kept (saving would stamp today's).
    font = ttLib.TTFont(font_file, recalcTimestamp=False)
    try:
        # Every name record and glyph name kept: the PDF names the font as before.
        options = subset.Options(
            notdef_outline=True,
            recommended_glyphs=True,
            name_IDs=["*"],
            name_languages=["*"],
            glyph_names=True,
        )
        options.drop_tables += ["FFTM"]  # FontForge's timestamp (fpdf2 drops it too)
        cutter = subset.Subsetter(options)
        cutter.populate(unicodes=COMMON_TEXT)
        cutter.subset(font)
        font.save(path)
    finally:
        font.close()


@functools.cache
def _cut_dir() -> Path:
    # The process's own folder (not a shared cache a stranger could write to).
    folder = Path(tempfile.mkdtemp(prefix="infoshare-fonts-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
