"""Write the synthetic sampling frame docs/examples/frame-example.csv (3,000 made-up residents).

Every row is invented: a running frame_id and an age band, gender and area drawn with fixed
weights from a seeded generator, so the file is the same every time it is written.

    python tools/example_frame.py docs/examples/frame-example.csv
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

AGES = {"18_29": 15, "30_39": 14, "40_49": 17, "50_59": 16, "60_69": 15, "70_over": 23}
GENDERS = {"male": 49, "female": 51}
AREAS = {"naka": 22, "sohara": 18, "inaba": 17, "kakamigahara": 16, "unuma": 15, "kawashima": 12}
ROWS = 3000


def main(target: str) -> None:
    rng = random.Random(20260401)  # noqa: S311 - made-up data, not security
    lines = ["frame_id,age_band,gender,area"]
    for number in rng.sample(range(100001, 100001 + ROWS * 3), ROWS):
        age = rng.choices(list(AGES), weights=list(AGES.values()))[0]
        gender = rng.choices(list(GENDERS), weights=list(GENDERS.values()))[0]
        area = rng.choices(list(AREAS), weights=list(AREAS.values()))[0]
        lines.append(f"R{number},{age},{gender},{area}")
    Path(target).write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/examples/frame-example.csv")
