#!/usr/bin/python3
"""Copies the e2e screenshots the README and docs/extension.md show into docs/images/, cropped to
the part that matters and reduced to a 128-colour palette so they stay small.
usage: npm run test:e2e && /usr/bin/python3 scripts/docs-images.py   (needs python3-pil)"""
import os
from PIL import Image

SRC = 'test/e2e/screenshots'
DST = 'docs/images'
# name: (left, top, right, bottom) in the 1400x860 screenshots
CROPS = {
    'sidebar': (0, 0, 700, 860),
    'train-progress': (0, 0, 1400, 860),
    'promote-context-menu': (0, 30, 700, 700),
    'promote-confirm': (0, 200, 940, 620),
    'inline-predictions': (350, 35, 1400, 560),
    'prediction-hover': (350, 35, 1000, 400),
}
os.makedirs(DST, exist_ok=True)
for name, box in CROPS.items():
    src = os.path.join(SRC, f'{name}.png')
    if not os.path.exists(src):
        print(f'missing {src}: run the e2e tier first')
        continue
    img = Image.open(src).convert('RGB').crop(box)
    img = img.quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    out = os.path.join(DST, f'extension-{name}.png')
    img.save(out, optimize=True)
    print(f'{out} {os.path.getsize(out) // 1024} KB')
