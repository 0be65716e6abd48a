"""Draw the xlwings Lite step pictures of the planner's guide (``docs/images/lite-*.svg``).

    python scripts/make_lite_diagrams.py [--out docs/images]

They are annotated illustrations, not screenshots (no Excel on our machines): an Excel window
with the xlwings Lite task pane, drawn as SVG with the standard library only. Each picture says
so in its corner; the guide says so too.
"""

from __future__ import annotations

import argparse
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "images"
W, H = 960, 560
PANE_X = 560  # the task pane's left edge
GREEN = "#217346"  # Excel's green
ACCENT = "#d35400"  # callouts
MAIN_PY = [
    "import xlwings as xw",
    "from xlwings import script",
    "",
    "from iku_excel import lite",
    "",
    '@script(name="Periksa")',
    "async def periksa(book: xw.Book):",
    "    await lite.check(book)",
    "...",
]
REQUIREMENTS = ["xlwings==0.37.8", "iku-excel>=0.1.0"]


def rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = "#999") -> str:
    return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" stroke="{stroke}"/>'


def text(
    x: float,
    y: float,
    s: str,
    *,
    size: int = 13,
    color: str = "#222",
    font: str = "Segoe UI, Arial, sans-serif",
    **kw: str,
) -> str:
    extra = " ".join(f'{k.replace("_", "-")}="{v}"' for k, v in kw.items() if v)
    return (
        f'<text x="{x}" y="{y}" font-family="{font}" font-size="{size}" '
        f'fill="{color}" {extra} xml:space="preserve">{escape(s)}</text>'
    )


def callout(n: int, x: float, y: float, lines: list[str], tx: float, ty: float) -> str:
    """A numbered circle at (x, y) and its note at (tx, ty), joined by a line."""
    parts = [
        f'<line x1="{x}" y1="{y}" x2="{tx}" y2="{ty}" stroke="{ACCENT}" stroke-width="2"/>',
        f'<circle cx="{x}" cy="{y}" r="13" fill="{ACCENT}"/>',
        text(x - 4, y + 5, str(n), size=14, color="#fff", font_weight="bold"),
    ]
    width = max(len(line) for line in lines) * 7 + 16
    parts.append(rect(tx, ty - 16, width, 20 * len(lines) + 8, "#fff6e5", ACCENT))
    for i, line in enumerate(lines):
        parts.append(text(tx + 8, ty + 20 * i, line, size=13))
    return "\n".join(parts)


def excel_window(title: str) -> list[str]:
    parts = [
        rect(0, 0, W, H, "#ffffff", "#666"),
        rect(0, 0, W, 30, GREEN, GREEN),
        text(12, 20, title, color="#fff", size=13),
        rect(0, 30, W, 62, "#f3f3f3", "#ccc"),
    ]
    for i, tab in enumerate(["File", "Beranda", "Sisipkan", "Tata Letak", "Rumus", "Data"]):
        parts.append(text(14 + i * 80, 50, tab, size=12, font_weight="bold" if i == 1 else "400"))
    parts.append(rect(PANE_X - 120, 58, 100, 30, "#ffffff", GREEN))
    parts.append(text(PANE_X - 110, 78, "xlwings Lite", size=12, color=GREEN, font_weight="bold"))
    # the grid
    for r in range(14):
        y = 100 + r * 24
        parts.append(f'<line x1="0" y1="{y}" x2="{PANE_X}" y2="{y}" stroke="#e0e0e0"/>')
    for c in range(7):
        x = 40 + c * 75
        parts.append(f'<line x1="{x}" y1="100" x2="{x}" y2="{H - 30}" stroke="#e0e0e0"/>')
    parts.append(rect(0, H - 30, W, 30, "#f3f3f3", "#ccc"))
    for i, sheet in enumerate(["Petunjuk", "Pengaturan", "RPJMD", "IKU", "Capaian", "Validasi"]):
        parts.append(
            text(12 + i * 85, H - 10, sheet, size=12, font_weight="bold" if i == 3 else "")
        )
    parts.append(text(W - 330, H - 10, "Ilustrasi, bukan tangkapan layar", size=11, color="#888"))
    return parts


def pane(tabs_active: str) -> list[str]:
    parts = [rect(PANE_X, 92, W - PANE_X, H - 122, "#fafafa", "#bbb")]
    parts.append(text(PANE_X + 12, 114, "xlwings Lite", size=14, font_weight="bold"))
    for i, tab in enumerate(["main.py", "requirements.txt"]):
        x = PANE_X + 12 + i * 110
        active = tab == tabs_active
        parts.append(rect(x, 124, 104, 24, "#ffffff" if active else "#e8e8e8", "#bbb"))
        parts.append(text(x + 8, 141, tab, size=12, font_weight="bold" if active else "400"))
    return parts


def editor(lines: list[str], top: float = 152, bottom: float = 420) -> list[str]:
    parts = [rect(PANE_X + 12, top, W - PANE_X - 24, bottom - top, "#1e1e1e", "#1e1e1e")]
    for i, line in enumerate(lines):
        parts.append(
            text(
                PANE_X + 20,
                top + 18 + 17 * i,
                line,
                size=12,
                color="#d4d4d4",
                font="Consolas, monospace",
            )
        )
    return parts


def svg(parts: list[str]) -> str:
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}">\n{body}\n</svg>\n'
    )


def step_open() -> str:
    parts = excel_window("IKU_Dinsos_2024.xlsx - Excel")
    parts += pane("main.py")
    parts += editor(["# contoh bawaan xlwings Lite", "@script", "def hello_world(book: xw.Book):"])
    parts.append(
        callout(
            1,
            PANE_X - 70,
            100,
            ["Beranda > xlwings Lite", "(pasang sekali dari", "Add-in Office)"],
            60,
            150,
        )
    )
    parts.append(callout(2, PANE_X + 40, 110, ["Panel xlwings Lite terbuka", "di kanan"], 230, 300))
    return svg(parts)


def step_paste() -> str:
    parts = excel_window("IKU_Dinsos_2024.xlsx - Excel")
    parts += pane("requirements.txt")
    parts += editor(REQUIREMENTS, bottom=220)
    parts.append(rect(PANE_X + 12, 232, W - PANE_X - 24, 150, "#ffffff", "#bbb"))
    parts.append(text(PANE_X + 20, 252, "Output", size=12, font_weight="bold"))
    for i, line in enumerate(["Installing xlwings==0.37.8 ...", "Installing iku-excel ...", "OK"]):
        parts.append(text(PANE_X + 20, 274 + 18 * i, line, size=12, color="#555"))
    parts.append(
        callout(
            1,
            PANE_X + 180,
            136,
            ["Tab requirements.txt:", "tempel isi lite/requirements.txt"],
            60,
            160,
        )
    )
    parts.append(
        callout(
            2,
            PANE_X + 60,
            136,
            ["Tab main.py: hapus contoh,", "tempel isi lite/main.py, Ctrl+S"],
            60,
            260,
        )
    )
    parts.append(
        callout(3, PANE_X + 150, 300, ["Tunggu pemasangan selesai", "(log di Output)"], 150, 400)
    )
    return svg(parts)


def step_run() -> str:
    parts = excel_window("IKU_Dinsos_2024.xlsx - Excel")
    parts += pane("main.py")
    for i, name in enumerate(["Periksa", "Perbarui Capaian", "Templat Baru", "Bantuan"]):
        y = 162 + i * 44
        parts.append(rect(PANE_X + 24, y, 200, 32, GREEN if i < 2 else "#ffffff", GREEN))
        color = "#fff" if i < 2 else GREEN
        parts.append(text(PANE_X + 36, y + 21, name, size=13, color=color, font_weight="bold"))
    # the message box
    parts.append(rect(120, 200, 360, 130, "#ffffff", "#444"))
    parts.append(rect(120, 200, 360, 26, "#f0f0f0", "#444"))
    parts.append(text(130, 218, "IKU", size=12, font_weight="bold"))
    message = [
        "Capaian diperbarui: sheet Capaian dan",
        "Validasi dibuat ulang, 3 sel Capaian (%)",
        "di sheet IKU berubah.",
    ]
    for i, line in enumerate(message):
        parts.append(text(132, 250 + 18 * i, line, size=12))
    parts.append(rect(410, 298, 56, 24, "#e8e8e8", "#888"))
    parts.append(text(428, 315, "OK", size=12))
    parts.append(
        callout(1, PANE_X + 24, 170, ["Klik tombol", "(mode Aplikasi: Ctrl+Shift+M)"], 600, 400)
    )
    parts.append(callout(2, 120, 200, ["Hasil dan jumlah temuan", "dalam kotak pesan"], 40, 420))
    return svg(parts)


PICTURES = {
    "lite-1-buka.svg": step_open,
    "lite-2-tempel.svg": step_paste,
    "lite-3-jalankan.svg": step_run,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, draw in PICTURES.items():
        (args.out / name).write_text(draw(), encoding="utf-8")
        print(args.out / name)


if __name__ == "__main__":
    main()
