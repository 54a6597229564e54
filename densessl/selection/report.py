"""What a choice of images to label looks like: a contact sheet of the chosen images, and (where masks exist, e.g.
to judge a strategy on a labeled benchmark) which classes the chosen set covers."""
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ['contact_sheet', 'class_coverage']


def contact_sheet(image_paths: Sequence[str], captions: Optional[Sequence[str]] = None, thumb: int = 96,
                  columns: int = 10, title: Optional[str] = None) -> Image.Image:
    """A grid of thumbnails with a caption under each.

    Args:
        image_paths (sequence[str]): the images, in reading order.
        captions (sequence[str], optional): one per image; defaults to the file names.
        thumb (int): thumbnail side in pixels (images are fitted inside, aspect kept).
        columns (int): thumbnails per row.
        title (str, optional): a line above the grid.

    Returns:
        PIL.Image.Image: the RGB sheet.

    Raises:
        ValueError: no image, or a file cannot be read (named).

    Examples:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, 'a.png')
        >>> Image.new('RGB', (40, 20), 'red').save(p)
        >>> contact_sheet([p, p], thumb=32, columns=2).size
        (76, 52)
    """
    if not image_paths:
        raise ValueError('contact_sheet: no image to show')
    captions = list(captions) if captions is not None else [osp.basename(p) for p in image_paths]
    font = ImageFont.load_default()
    pad, text_h = 4, 12
    title_h = text_h + pad if title else 0
    cols = max(1, min(columns, len(image_paths)))
    rows = (len(image_paths) + cols - 1) // cols
    cell_w, cell_h = thumb + pad, thumb + text_h + pad
    sheet = Image.new('RGB', (cols * cell_w + pad, rows * cell_h + pad + title_h), 'white')
    draw = ImageDraw.Draw(sheet)
    if title:
        draw.text((pad, pad), title, fill='black', font=font)
    max_chars = max(4, thumb // 6)
    for k, (path, cap) in enumerate(zip(image_paths, captions)):
        try:
            with Image.open(path) as im:
                im = im.convert('RGB')
                im.thumbnail((thumb, thumb))
        except Exception as err:
            raise ValueError(f'contact_sheet: cannot read image {path}: {err}') from err
        x0 = pad + (k % cols) * cell_w
        y0 = pad + title_h + (k // cols) * cell_h
        sheet.paste(im, (x0 + (thumb - im.width) // 2, y0 + (thumb - im.height) // 2))
        text = cap if len(cap) <= max_chars else '…' + cap[-(max_chars - 1):]
        draw.text((x0, y0 + thumb + 1), text, fill='black', font=font)
    return sheet


def class_coverage(mask_paths: Sequence[str], num_classes: int, ignore_index: int = 255) -> Dict[str, list]:
    """How many of the images contain each class, and how many of their pixels belong to it.

    Args:
        mask_paths (sequence[str]): index masks (PNG of class ids; palette PNGs read as indices).
        num_classes (int): ``C``; values ``>= C`` other than ``ignore_index`` are an error.
        ignore_index (int): value not counted.

    Returns:
        dict: ``images`` (``C`` counts of images holding the class), ``pixels`` (``C`` pixel counts),
        ``pixel_share`` (``C`` shares of the counted pixels).

    Raises:
        FileNotFoundError: a mask is missing (named).
        ValueError: a mask holds a value outside the classes.
    """
    images = np.zeros(num_classes, np.int64)
    pixels = np.zeros(num_classes, np.int64)
    for path in mask_paths:
        if not osp.isfile(path):
            raise FileNotFoundError(f'mask not found: {path}')
        mask = np.asarray(Image.open(path))
        if mask.ndim != 2:
            raise ValueError(f'{path}: an index mask (H, W) is needed, got shape {mask.shape}')
        values = mask[mask != ignore_index].astype(np.int64)
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f'{path}: mask value {int(values.max())} is not a class in [0, {num_classes})')
        counts = np.bincount(values, minlength=num_classes)
        pixels += counts
        images += counts > 0
    total = max(int(pixels.sum()), 1)
    return dict(images=images.tolist(), pixels=pixels.tolist(), pixel_share=(pixels / total).round(6).tolist())
