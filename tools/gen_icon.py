#!/usr/bin/env python3
"""Draw the addon's icon, omnitron_order_webhook/static/description/icon.png (128 x 128).

    python3 tools/gen_icon.py

A rounded square with two rings joined by an arrow: an order going from Omnitron to Odoo.
Shapes only (no font), drawn at 4x and scaled down for smooth edges. Needs Pillow
(installed with Odoo's requirements). The PNG is written only by running this command.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "omnitron_order_webhook" / "static" / "description" / "icon.png"
SIZE = 128
SCALE = 4
BACKGROUND = (0, 137, 123, 255)  # teal
FOREGROUND = (255, 255, 255, 255)


def draw_icon():
    s = SIZE * SCALE
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, s - 1, s - 1), radius=24 * SCALE, fill=BACKGROUND)

    def px(value):
        return round(value * SCALE)

    ring, width, centre_y = 17, 7, 64
    for centre_x in (30, 98):  # the two "O"s
        draw.ellipse(
            (px(centre_x - ring), px(centre_y - ring), px(centre_x + ring), px(centre_y + ring)),
            outline=FOREGROUND,
            width=px(width),
        )
    # the arrow between them: a shaft and a head
    draw.rectangle((px(50), px(centre_y - 3.5), px(68), px(centre_y + 3.5)), fill=FOREGROUND)
    draw.polygon([(px(66), px(centre_y - 11)), (px(78), px(centre_y)), (px(66), px(centre_y + 11))], fill=FOREGROUND)
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main():
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw_icon().save(OUT, optimize=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
