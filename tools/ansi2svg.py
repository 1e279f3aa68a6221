#!/usr/bin/env python3
"""Render a terminal screen captured with `tmux capture-pane -e -p` as SVG.

Reads the capture on stdin, writes SVG on stdout. Understands the SGR codes
tmux emits: bold, italic, underline, reverse, 16/256/24-bit colours. One
cell per character (wide characters take two cells), monospace font.
Usage: tmux capture-pane -e -p -t PANE | ansi2svg.py COLUMNS ROWS > screen.svg
"""
import re
import sys
import unicodedata
from html import escape

CELL_W, CELL_H, FONT_SIZE = 9, 19, 15
DEFAULT_FG, DEFAULT_BG = "#e0e2ea", "#14161b"  # Neovim's default dark theme
BASE16 = ["#07080d", "#ffc0b9", "#b3f6c0", "#fce094", "#a6dbff", "#ffcaff", "#8cf8f7", "#eef1f8",
          "#4f5258", "#ffc0b9", "#b3f6c0", "#fce094", "#a6dbff", "#ffcaff", "#8cf8f7", "#eef1f8"]


def xterm256(index):
    if index < 16:
        return BASE16[index]
    if index < 232:
        index -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[index // 36], steps[(index // 6) % 6], steps[index % 6])
    level = 8 + 10 * (index - 232)
    return "#%02x%02x%02x" % (level, level, level)


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.italic = self.underline = self.reverse = False

    def key(self):
        return (self.fg, self.bg, self.bold, self.italic, self.underline, self.reverse)

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code == 0:
                self.reset()
            elif code == 1:
                self.bold = True
            elif code == 3:
                self.italic = True
            elif code == 4:
                self.underline = True
            elif code == 7:
                self.reverse = True
            elif code == 22:
                self.bold = False
            elif code == 23:
                self.italic = False
            elif code == 24:
                self.underline = False
            elif code == 27:
                self.reverse = False
            elif 30 <= code <= 37:
                self.fg = BASE16[code - 30]
            elif 90 <= code <= 97:
                self.fg = BASE16[code - 90 + 8]
            elif 40 <= code <= 47:
                self.bg = BASE16[code - 40]
            elif 100 <= code <= 107:
                self.bg = BASE16[code - 100 + 8]
            elif code == 39:
                self.fg = None
            elif code == 49:
                self.bg = None
            elif code in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = xterm256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                    i += 4
                else:
                    colour = None
                if code == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1


def cell_width(char):
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def parse(text, rows):
    """Lines of runs: (column, text, cells, style key)."""
    style = Style()
    screen = []
    for line in text.split("\n")[:rows]:
        runs, column = [], 0
        for token in re.split(r"(\x1b\[[0-9;]*m)", line):
            if token.startswith("\x1b["):
                style.apply(token[2:-1])
                continue
            token = re.sub(r"\x1b[^a-zA-Z]*[a-zA-Z]", "", token)
            if token:
                cells = sum(cell_width(c) for c in token)
                runs.append((column, token, cells, style.key()))
                column += cells
        screen.append(runs)
    return screen


def render(screen, columns, rows):
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d">' % (columns * CELL_W, rows * CELL_H),
           '<rect width="100%%" height="100%%" fill="%s"/>' % DEFAULT_BG,
           '<g font-family="DejaVu Sans Mono, monospace" font-size="%d" xml:space="preserve">' % FONT_SIZE]
    for row, runs in enumerate(screen):
        y = row * CELL_H
        for column, text, cells, (fg, bg, bold, italic, underline, reverse) in runs:
            fg, bg = fg or DEFAULT_FG, bg
            if reverse:
                fg, bg = bg or DEFAULT_BG, fg
            x = column * CELL_W
            if bg:
                out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' % (x, y, cells * CELL_W, CELL_H, bg))
            if text.strip():
                attrs = ' font-weight="bold"' if bold else ""
                attrs += ' font-style="italic"' if italic else ""
                attrs += ' text-decoration="underline"' if underline else ""
                # One <text> per character keeps every glyph on its cell grid.
                col = column
                for char in text:
                    if char != " ":
                        out.append('<text x="%d" y="%d" fill="%s"%s>%s</text>' % (
                            col * CELL_W, y + CELL_H - 5, fg, attrs, escape(char)))
                    col += cell_width(char)
    out.append("</g></svg>")
    return "\n".join(out)


def main():
    columns, rows = int(sys.argv[1]), int(sys.argv[2])
    text = sys.stdin.read()
    sys.stdout.write(render(parse(text, rows), columns, rows))


if __name__ == "__main__":
    main()
