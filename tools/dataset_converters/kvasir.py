"""Convert Kvasir-SEG: JPEG 0/255 masks to 0/1 PNG masks, and write a deterministic train / val / test split.

Usage::

    python tools/dataset_converters/kvasir.py data/Kvasir-SEG [--num-val 100 --num-test 100 --seed 0]

Reads ``ROOT/masks/<id>.jpg`` (JPEG-compressed, so values spread around 0 and 255) and writes
``ROOT/masks_01/<id>.png`` with class 1 where the mask is >= ``--threshold`` (128), each file atomically. A mask
with many values far from both 0 and 255 (more than ``--max-gray`` of its pixels in 64..191: not a binary mask)
stops the run with the file named. Then ``ROOT/{train,val,test}.txt``: the image ids, sorted, shuffled with the
seed; the first ``--num-test`` are the test set, the next ``--num-val`` the validation set, the rest training
(800 / 100 / 100 of the 1000 images by default). ``python tools/make_splits.py kvasir`` then picks the labeled
images among ``train.txt``.
"""
import argparse
import os
import os.path as osp
import random
from typing import Dict

import numpy as np
from PIL import Image


def convert_mask(src: str, dst: str, threshold: int = 128, max_gray: float = 0.05) -> None:
    """Write the 0/1 PNG of one 0/255 JPEG (or PNG) mask.

    Raises:
        ValueError: unreadable mask, or more than ``max_gray`` of the pixels in 64..191 (not a binary mask).
    """
    try:
        with Image.open(src) as img:
            mask = np.array(img.convert('L'))
    except Exception as e:
        raise ValueError(f'cannot read mask {src}: {type(e).__name__}: {e}') from e
    gray = float(((mask >= 64) & (mask < 192)).mean())
    if gray > max_gray:
        raise ValueError(f'{src}: {gray:.1%} of the pixels are between 64 and 191; a Kvasir-SEG mask is 0/255 '
                         '(with JPEG noise): is this a mask?')
    tmp = dst + '.tmp'
    Image.fromarray((mask >= threshold).astype(np.uint8)).save(tmp, format='PNG')
    os.replace(tmp, dst)


def convert(root: str, num_val: int = 100, num_test: int = 100, seed: int = 0, threshold: int = 128,
            max_gray: float = 0.05) -> Dict[str, int]:
    """Convert every mask of ``root/masks`` and write the split lists.

    Returns:
        dict: ``masks``, ``train``, ``val``, ``test`` counts.

    Raises:
        FileNotFoundError: missing root / images / masks folder, or an image without a mask.
        ValueError: not enough images for the requested val + test sizes.
    """
    img_dir, mask_dir = osp.join(root, 'images'), osp.join(root, 'masks')
    for d in (root, img_dir, mask_dir):
        if not osp.isdir(d):
            raise FileNotFoundError(f'Kvasir-SEG folder not found: {d} (expected ROOT/images and ROOT/masks)')
    ids = sorted(osp.splitext(f)[0] for f in os.listdir(img_dir) if f.lower().endswith(('.jpg', '.jpeg', '.png')))
    masks = {osp.splitext(f)[0]: f for f in os.listdir(mask_dir) if f.lower().endswith(('.jpg', '.jpeg', '.png'))}
    missing = [i for i in ids if i not in masks]
    if missing:
        raise FileNotFoundError(f'{len(missing)} image(s) of {img_dir} have no mask in {mask_dir}, e.g. '
                                f'{missing[:5]}')
    if num_val + num_test >= len(ids):
        raise ValueError(f'{len(ids)} images cannot give {num_val} val + {num_test} test images and a training set')
    out_dir = osp.join(root, 'masks_01')
    os.makedirs(out_dir, exist_ok=True)
    for i in ids:
        convert_mask(osp.join(mask_dir, masks[i]), osp.join(out_dir, i + '.png'), threshold, max_gray)
    order = list(ids)
    random.Random(seed).shuffle(order)
    parts = dict(test=sorted(order[:num_test]), val=sorted(order[num_test:num_test + num_val]),
                 train=sorted(order[num_test + num_val:]))
    for name, names in parts.items():
        path = osp.join(root, name + '.txt')
        with open(path + '.tmp', 'w') as f:
            f.write(''.join(f'{n}\n' for n in names))
        os.replace(path + '.tmp', path)
    return dict(masks=len(ids), **{k: len(v) for k, v in parts.items()})


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Convert Kvasir-SEG masks to 0/1 PNGs and write train/val/test lists')
    p.add_argument('root', help='the Kvasir-SEG folder (holds images/ and masks/)')
    p.add_argument('--num-val', type=int, default=100)
    p.add_argument('--num-test', type=int, default=100)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threshold', type=int, default=128, help='mask value from which a pixel is a polyp')
    p.add_argument('--max-gray', type=float, default=0.05, help='largest share of mid-gray pixels in a mask')
    return p.parse_args(argv)


def main(argv=None) -> Dict[str, int]:
    args = parse_args(argv)
    counts = convert(args.root, args.num_val, args.num_test, args.seed, args.threshold, args.max_gray)
    print(f'wrote {counts["masks"]} masks to {osp.join(args.root, "masks_01")}; split train {counts["train"]} / '
          f'val {counts["val"]} / test {counts["test"]} ({args.root}/{{train,val,test}}.txt)')
    return counts


if __name__ == '__main__':
    main()
