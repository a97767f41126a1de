"""Writes pillow-lanczos-fixture.json: random lines resized by Pillow's LANCZOS (float 'F' images), the reference for resize-layers.ts."""
import json
import os

import numpy as np
from PIL import Image

rng = np.random.default_rng(4)
out = {}
for frm, to in [(320, 224), (40, 28), (17, 5)]:
    row = (rng.random(frm) * 255).astype(np.float32)
    resized = np.array(Image.fromarray(row.reshape(1, frm), mode="F").resize((to, 1), Image.LANCZOS)).reshape(-1)
    out[f"{frm}->{to}"] = {"input": [float(v) for v in row], "pillow": [float(v) for v in resized]}
with open(os.path.join(os.path.dirname(__file__), "pillow-lanczos-fixture.json"), "w") as f:
    json.dump(out, f)
