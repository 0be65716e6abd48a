"""The ``styles.xml`` of the output sheets' styles, written as text, and Excel's built-in number
formats.

:func:`style_index` writes the same bytes (and the same style indices) as saving a tiny openpyxl
workbook with one cell per style and one conditional rule per fill
(:func:`~iku_excel.backends.xlsx.sheet_writer.probe_styles`, kept as the reference a test holds
this module equal to), without importing openpyxl: the refresh path must not pay for openpyxl
(and numpy, which it imports) on every run. The splice merges this ``styles.xml`` into the user's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING

from iku_excel.backends.xlsx.ooxml import MAIN_NS, xml_attr

if TYPE_CHECKING:
    from iku_excel.backends.xlsx.sheet_writer import StyleIndex
    from iku_excel.sheets.spec import ConditionalFill, SheetSpec, Style

#: Excel's built-in number formats (ECMA-376 Part 1, 18.8.30): id -> format code.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General",
    1: "0",
    2: "0.00",
    3: "#,##0",
    4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)',
    6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)',
    8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%",
    10: "0.00%",
    11: "0.00E+00",
    12: "# ?/?",
    13: "# ??/??",
    14: "mm-dd-yy",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)",
    38: "#,##0_);[Red](#,##0)",
    39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_)_("$"* \\(#,##0.00\\)_("$"* "-"??_)_(@_)',
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    48: "##0.0E+0",
    49: "@",
}
#: Format code -> built-in id.
BUILTIN_FORMATS_REVERSE: dict[str, int] = {code: i for i, code in BUILTIN_FORMATS.items()}

_DEFAULT_FONT = (
    '<font><name val="Calibri"/><family val="2"/><color theme="1"/><sz val="11"/>'
    '<scheme val="minor"/></font>'
)
_DEFAULT_FILLS = '<fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
_DEFAULT_BORDER = "<border><left/><right/><top/><bottom/><diagonal/></border>"
_THIN = '<color rgb="00808080"/>'
_THIN_BORDER = (
    "<border>"
    + "".join(
        f'<{side} style="thin">{_THIN}</{side}>' for side in ("left", "right", "top", "bottom")
    )
    + "</border>"
)
_INDEXED = (  # noqa: SIM905 - 64 colours, eight to a line
    "00000000 00FFFFFF 00FF0000 0000FF00 000000FF 00FFFF00 00FF00FF 0000FFFF "
    "00000000 00FFFFFF 00FF0000 0000FF00 000000FF 00FFFF00 00FF00FF 0000FFFF "
    "00800000 00008000 00000080 00808000 00800080 00008080 00C0C0C0 00808080 "
    "009999FF 00993366 00FFFFCC 00CCFFFF 00660066 00FF8080 000066CC 00CCCCFF "
    "00000080 00FF00FF 00FFFF00 0000FFFF 00800080 00800000 00008080 000000FF "
    "0000CCFF 00CCFFFF 00CCFFCC 00FFFF99 0099CCFF 00FF99CC 00CC99FF 00FFCC99 "
    "003366FF 0033CCCC 0099CC00 00FFCC00 00FF9900 00FF6600 00666699 00969696 "
    "00003366 00339966 00003300 00333300 00993300 00993366 00333399 00333333"
).split()
_NO_NUMFMTS = '<numFmts count="0"/>'
_TAIL = (
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0"/>'
    "</cellStyles>{dxfs}"
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16"/><colors><indexedColors>'
    + "".join(f'<rgbColor rgb="{c}"/>' for c in _INDEXED)
    + "</indexedColors></colors></styleSheet>"
)


def _rgb(color: str) -> str:
    return xml_attr("00" + color if len(color) == 6 else color)


def _number(value: float) -> str:
    return f"{value:.16g}"


def _font(bold: bool, italic: bool, color: str | None, size: float | None, under: bool) -> str:
    inner = (
        ('<b val="1"/>' if bold else "")
        + ('<i val="1"/>' if italic else "")
        + (f'<color rgb="{_rgb(color)}"/>' if color else "")
        + (f'<sz val="{_number(size)}"/>' if size is not None else "")
        + ('<u val="single"/>' if under else "")
    )
    return f"<font>{inner}</font>" if inner else "<font/>"


def _solid(color: str, background: bool = False) -> str:
    bg = f'<bgColor rgb="{_rgb(color)}"/>' if background else ""
    return f'<patternFill patternType="solid"><fgColor rgb="{_rgb(color)}"/>{bg}</patternFill>'


class _Indexed:
    """Distinct items in order of first appearance (openpyxl's IndexedList)."""

    def __init__(self, first: Iterable[str] = ()) -> None:
        self.items: list[str] = []
        self.ids: dict[str, int] = {}
        for item in first:
            self.add(item)

    def add(self, item: str) -> int:
        found = self.ids.get(item)
        if found is None:
            found = self.ids[item] = len(self.items)
            self.items.append(item)
        return found


def _styles_in_order(specs: Sequence[SheetSpec]) -> list[Style]:
    """Every style the cells use, in the order of first use, as the probe met them: one pass
    over each sheet's cells in C (``dict.fromkeys`` keeps the first of each name)."""
    styles: list[Style] = []
    seen: set[Style] = set()
    for spec in specs:
        for name in dict.fromkeys(map(_style_of, spec.cells)):
            if not name:
                continue
            style = spec.styles[name]
            if style not in seen:
                seen.add(style)
                styles.append(style)
    return styles


_style_of = attrgetter("style")


def style_index(specs: Sequence[SheetSpec]) -> StyleIndex:
    """``styles.xml`` holding every style and conditional fill of ``specs``, and where each
    landed (cellXfs and dxfs indices): byte for byte what the openpyxl probe writes."""
    from iku_excel.backends.xlsx.sheet_writer import StyleIndex

    styles = _styles_in_order(specs)
    fonts = _Indexed([_DEFAULT_FONT])
    fills = _Indexed(["none", "gray125"])
    borders = _Indexed([_DEFAULT_BORDER])
    custom: dict[str, int] = {}
    xfs = _Indexed(
        [
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" '
            'xfId="0"/>'
        ]
    )
    xf: dict[Style, int] = {}
    for style in styles:
        font = fonts.add(
            _font(style.bold, style.italic, style.font_color, style.size, style.underline)
        )
        fill = fills.add(f"<fill>{_solid(style.fill)}</fill>") if style.fill else 0
        border = borders.add(_THIN_BORDER) if style.border else 0
        code = style.number_format
        fmt = BUILTIN_FORMATS_REVERSE.get(code)
        if fmt is None:
            fmt = custom.setdefault(code, 164 + len(custom))
        align = (
            (f' horizontal="{xml_attr(style.h_align)}"' if style.h_align else "")
            + (f' vertical="{xml_attr(style.v_align)}"' if style.v_align else "")
            + (' wrapText="1"' if style.wrap else "")
        )
        head = f'<xf numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}"'
        tail = ' pivotButton="0" quotePrefix="0" xfId="0"'
        xf[style] = xfs.add(
            f'{head} applyAlignment="1"{tail}><alignment{align}/></xf>'
            if align
            else f"{head}{tail}/>"
        )
    dxfs = _Indexed()
    dxf: dict[ConditionalFill, int] = {}
    for spec in specs:
        for rule in spec.conditional_fills:
            dxf_font = _font(rule.bold, False, rule.font_color, None, False)
            dxf[rule] = dxfs.add(f"<dxf>{dxf_font}<fill>{_solid(rule.fill, True)}</fill></dxf>")
    fill_items = [_DEFAULT_FILLS, *fills.items[2:]]
    numfmts = "".join(
        f'<numFmt numFmtId="{i}" formatCode="{xml_attr(code)}"/>' for code, i in custom.items()
    )
    dxfs_xml = f'<dxfs count="{len(dxfs.items)}">{"".join(dxfs.items)}</dxfs>' if dxfs.items else ""
    text = (
        f'<styleSheet xmlns="{MAIN_NS}">'
        + (f'<numFmts count="{len(custom)}">{numfmts}</numFmts>' if custom else _NO_NUMFMTS)
        + f'<fonts count="{len(fonts.items)}">{"".join(fonts.items)}</fonts>'
        + f'<fills count="{len(fills.items)}">{"".join(fill_items)}</fills>'
        + f'<borders count="{len(borders.items)}">{"".join(borders.items)}</borders>'
        + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        + "</cellStyleXfs>"
        + f'<cellXfs count="{len(xfs.items)}">{"".join(xfs.items)}</cellXfs>'
        + _TAIL.format(dxfs=dxfs_xml)
    )
    return StyleIndex(text.encode("utf-8"), xf, dxf)
