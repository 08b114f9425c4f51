"""faceoff training package: one MobileFaceNet backbone, a zoo of face-recognition losses.

Run everything with Debian's interpreter, e.g. ``/usr/bin/python3 -m training.train --config
training/configs/arcface.json``. See training/README.md.
"""
