#!/usr/bin/env python3
"""Time the image phase, and weigh what a phone downloads.

    python benchmarks/images.py [--photos 100] [--runs 3] [--keep DIR]

1. A site of `--photos` articles, each with its own 4000×3000 phone photo (JPEG, noisy like a
   real one, with EXIF and GPS), generated once in a temporary folder; medians printed:
     cold    output folder and .reflexgen-cache deleted: every rendition encoded, every core
     warm    output folder deleted, cache kept (`build --clean`): nothing encoded again
     no-op   the same build again, nothing changed
2. Bytes of the images a phone (412 CSS pixels wide, device pixel ratio 2.6, AVIF-capable)
   fetches for the demo site's home page and its article with a photo, and for the home page
   of the photo site: with `[images] enabled = false` (the files as given) and with the
   renditions, choosing from each `srcset` as a browser does (the narrowest candidate at least
   as wide as the slot times the pixel ratio). Lazy images count too: they load on scrolling.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lxml.html
from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent
BUILD = [sys.executable, "-m", "reflexgen", "build", "-q"]
VIEWPORT, DPR, REM = 412, 2.6, 16
SUPPORTED = ("image/avif", "image/webp")


def run(command: list[str], cwd: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True)
    return time.perf_counter() - start


def phone_photo(path: Path, seed: int) -> None:
    """A 4000×3000 JPEG that compresses like a photo: shapes, a gradient, sensor noise."""
    rng = random.Random(seed)
    small = Image.new("RGB", (400, 300), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(small)
    for _ in range(30):
        x, y = rng.randrange(400), rng.randrange(300)
        draw.ellipse((x, y, x + rng.randrange(20, 160), y + rng.randrange(20, 120)),
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    image = small.filter(ImageFilter.GaussianBlur(3)).resize((4000, 3000), Image.BICUBIC)
    noise = Image.effect_noise((4000, 3000), 18).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Fairphone", "FP5", 1
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, rng.randrange(60)), 3: "E",
                                 4: (2.0, 17.0, rng.randrange(60))})
    image.save(path, quality=90, exif=exif)


def photo_site(folder: Path, count: int) -> Path:
    (folder / "content/posts").mkdir(parents=True)
    (folder / "content/images").mkdir()
    (folder / "site.toml").write_text('title = "Photos"\nbase_url = "https://photos.example.org"'
                                      '\nlanguage = "fr"\n', encoding="utf-8")
    for n in range(count):
        phone_photo(folder / f"content/images/photo-{n:03}.jpg", n)
        (folder / f"content/posts/p{n:03}.md").write_text(
            f'---\ntitle: "Photo {n}"\ndate: 2024-01-01T{n // 60:02}:{n % 60:02}:00Z\n'
            f"image: /images/photo-{n:03}.jpg\n---\nUne photo.\n\n"
            f"![Photo {n}](/images/photo-{n:03}.jpg)\n", encoding="utf-8")
    return folder


def slot(sizes: str) -> float:
    """The width in CSS pixels that a `sizes` value gives the image in our viewport."""
    for part in (p.strip() for p in sizes.split(",")):
        match = re.fullmatch(r"(?:\(min-width:\s*([\d.]+)rem\)\s*)?(.+)", part)
        assert match, sizes
        if match.group(1) and float(match.group(1)) * REM > VIEWPORT:
            continue
        value = match.group(2).strip()
        if value.endswith("vw"):
            return VIEWPORT * float(value[:-2]) / 100
        return float(value[:-3]) * REM if value.endswith("rem") else float(value[:-2])
    return VIEWPORT


def chosen(srcset: str, sizes: str) -> str:
    candidates = sorted((int(w[:-1]), url) for url, w in
                        (c.strip().rsplit(" ", 1) for c in srcset.split(",")))
    need = slot(sizes) * DPR
    return next((url for w, url in candidates if w >= need), candidates[-1][1])


def fetched(output: Path, page: str) -> int:
    """Bytes of the images a phone fetches for `page` (a file under `output`)."""
    total = 0
    for img in lxml.html.fromstring((output / page).read_bytes()).iter("img"):
        url = img.get("src")
        picture = img.getparent()
        if picture is not None and picture.tag == "picture":
            offered = [s for s in picture.iter("source") if s.get("type") in SUPPORTED]
            if offered:
                url = chosen(offered[0].get("srcset"), offered[0].get("sizes"))
            elif img.get("srcset"):
                url = chosen(img.get("srcset"), img.get("sizes"))
        elif img.get("srcset"):
            url = chosen(img.get("srcset"), img.get("sizes"))
        if url and url.startswith("/"):
            total += (output / url.lstrip("/").split("?")[0]).stat().st_size
    return total


def weigh(site: Path, pages: list[str], work: Path) -> list[tuple[str, int, int]]:
    """(page, bytes as given, bytes with renditions) for each page of a copy of `site`."""
    copy = work / ("weigh-" + site.name)
    copy.mkdir()
    shutil.copy(site / "site.toml", copy)
    for folder in ("content", "themes", ".reflexgen-cache"):  # the renditions made already
        if (site / folder).is_dir():
            shutil.copytree(site / folder, copy / folder)
    run([*BUILD, "-o", "after"], copy)
    toml = copy / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[images]\nenabled = false\n",
                    encoding="utf-8")
    run([*BUILD, "-o", "before", "--clean"], copy)
    return [(page, fetched(copy / "before", page), fetched(copy / "after", page))
            for page in pages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the photo site here, and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reflexgen-images-") as temp:
        work = Path(temp)
        site = args.keep or work / "photos"
        if not (site / "site.toml").exists():
            start = time.perf_counter()
            photo_site(site, args.photos)
            size = sum(p.stat().st_size for p in (site / "content/images").iterdir())
            print(f"{args.photos} photos of 4000×3000 generated ({size / 1e6:.0f} MB) in "
                  f"{time.perf_counter() - start:.0f} s")
        timings: dict[str, list[float]] = {"cold": [], "warm": [], "no-op": []}
        for _ in range(args.runs):
            for name in ("output", ".reflexgen-cache"):
                shutil.rmtree(site / name, ignore_errors=True)
            timings["cold"].append(run(BUILD, site))
            shutil.rmtree(site / "output")
            timings["warm"].append(run([*BUILD, "--clean"], site))
            timings["no-op"].append(run(BUILD, site))
        cache = sum(p.stat().st_size for p in (site / ".reflexgen-cache/images").rglob("*.*"))
        print(f"cores: {len(os.sched_getaffinity(0))}; {args.runs} runs, medians; image cache "
              f"{cache / 1e6:.0f} MB")
        for name, values in timings.items():
            print(f"  {name:6} {statistics.median(values):7.2f} s")
        print(f"phone {VIEWPORT} px wide at {DPR}×: image bytes fetched, as given → resized")
        home = "index.html"
        demo = "2024/10/sobriete-numerique-le-marketing-peut-il-faire-moins/index.html"
        for label, (page, before, after) in zip(
                ("demo home page", "demo article with a photo", "photo site home page"),
                weigh(REPO, [home, demo], work) + weigh(site, [home], work), strict=True):
            print(f"  {label:26} {before / 1024:9.0f} KiB → {after / 1024:6.0f} KiB "
                  f"({page})")


if __name__ == "__main__":
    main()
