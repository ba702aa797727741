#!/usr/bin/python3
"""Render a line of text the way PP-OCR's recognizer expects its input.

    render_text.py TEXT OUT.npy [OUT.png]

Black DejaVu Sans on white, 48 pixels high, resized to keep the aspect
ratio within 320 pixels, normalized to (x / 255 - 0.5) / 0.5 and padded with
zeros to [1, 3, 48, 320] float32 (PaddleOCR's resize_norm_img).
"""
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    text, out = sys.argv[1], sys.argv[2]
    font = ImageFont.truetype(FONT, 36)
    left, top, right, bottom = font.getbbox(text)
    img = Image.new("RGB", (right - left + 16, 48), "white")
    ImageDraw.Draw(img).text((8 - left, (48 - (bottom - top)) // 2 - top), text, font=font,
                             fill="black")
    w = min(320, int(round(img.width * 48 / img.height)))
    img = img.resize((w, 48), Image.BILINEAR)
    if len(sys.argv) == 4:
        img.save(sys.argv[3])
    x = np.asarray(img, dtype=np.float32).transpose(2, 0, 1) / 255.0
    x = (x - 0.5) / 0.5
    full = np.zeros((1, 3, 48, 320), dtype=np.float32)
    full[0, :, :, :w] = x
    np.save(out, full)


if __name__ == "__main__":
    main()
