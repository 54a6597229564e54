"""Install densessl.

The OpenMMLab stack needs a compiled mmcv 2.1.0 (with ops) that matches your torch; ``tools/setup_env.sh``
builds and caches it. ``pip install -e .`` alone installs densessl and its pure-Python requirements.
"""
from setuptools import find_packages, setup


def readme():
    with open('README.md', encoding='utf-8') as f:
        return f.read()


setup(
    name='densessl',
    version='0.1.0',
    description='Segmentation-first semi-supervised and self-supervised learning with very few labels',
    long_description=readme(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['densessl', 'densessl.*']),
    python_requires='>=3.9',
    install_requires=[
        'torch>=2.0', 'torchvision', 'mmengine==0.10.7', 'mmcv>=2.0.0,<2.2.0', 'mmsegmentation==1.2.2',
        'mmpretrain==1.2.0', 'kornia>=0.7', 'albumentations>=1.4', 'ftfy', 'regex', 'scipy',
    ],
    extras_require={'tests': ['pytest', 'pytest-timeout']},
    zip_safe=False,
)
