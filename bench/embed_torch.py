"""The same job as `npm run bench:embed` in a plain PyTorch script, for comparison.

Photos (the same files, in the same order) are decoded with PIL, EXIF-rotated, resized so the
shorter side is S (bilinear with antialiasing, torchvision's default) and center-cropped, turned
into a tensor with the backbone's preprocessing, and pushed through the conv base in batches;
features are globally average-pooled. Decoding is included in the time, as it is for the app.
Weights are random (the same FLOPs as trained ones). Prints one JSON line per backbone.

  python3 bench/embed_torch.py --threads 2 --list photos.txt --job vgg16:224:4 --job mobilenet_v2_035:224:8
"""
import argparse
import json
import time

import torch
import torchvision
from PIL import Image, ImageOps
from torchvision import transforms


def base(name):
    if name == "vgg16":
        return torchvision.models.vgg16().features
    if name == "mobilenet_v2_035":
        return torchvision.models.mobilenet_v2(width_mult=0.35).features
    raise ValueError(name)


def transform(name, size):
    steps = [transforms.Resize(size), transforms.CenterCrop(size), transforms.PILToTensor()]
    if name == "vgg16":
        # Keras "caffe": RGB→BGR, minus the ImageNet means, no scaling.
        means = torch.tensor([103.939, 116.779, 123.68]).view(3, 1, 1)
        steps.append(transforms.Lambda(lambda x: x.flip(0).float() - means))
    else:
        steps.append(transforms.Lambda(lambda x: x.float() / 127.5 - 1))
    return transforms.Compose(steps)


def load(path, tf):
    with Image.open(path) as img:
        return tf(ImageOps.exif_transpose(img).convert("RGB"))


def run(model, paths, tf, batch):
    out = []
    with torch.inference_mode():
        for i in range(0, len(paths), batch):
            x = torch.stack([load(p, tf) for p in paths[i : i + batch]])
            out.append(model(x).mean(dim=(2, 3)))
    return torch.cat(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--list", required=True, help="file with one photo path per line")
    ap.add_argument("--job", action="append", required=True, help="backbone:size:batch[:photos]")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    all_paths = [line.strip() for line in open(args.list) if line.strip()]
    for job in args.job:
        name, size, batch, *limit = job.split(":")
        size, batch = int(size), int(batch)
        paths = all_paths[: int(limit[0])] if limit else all_paths
        model = base(name).eval()
        tf = transform(name, size)
        run(model, paths[:batch], tf, batch)  # warm-up: allocator and kernels
        start = time.perf_counter()
        feats = run(model, paths, tf, batch)
        seconds = time.perf_counter() - start
        print(json.dumps({"backbone": name, "size": size, "batch": batch, "photos": len(paths),
                          "msPerPhoto": seconds * 1000 / len(paths), "dim": feats.shape[1],
                          "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
