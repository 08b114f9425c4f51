"""What the two training loops share (training/train.py from scratch, training/finetune.py): checkpoints, the
run's work dir and log, the learning-rate schedule, progress rates, stop on a signal, JSON files written whole.
"""
import json
import math
import os
import signal
import time

import torch

from . import config as C

CHECKPOINT = "checkpoint.pt"


def load_checkpoint(path, map_location="cpu"):
    """torch.load for our own checkpoints, on 1.13 and on 2.x (where weights_only defaults to
    True; 1.13's weights-only unpickler cannot even read Python floats, so it is not used)."""
    try:
        return torch.load(path, map_location=map_location, weights_only=False)
    except TypeError:  # a torch without the weights_only argument
        return torch.load(path, map_location=map_location)


def save_atomic(obj, path):
    tmp = "%s.tmp%d" % (path, os.getpid())
    torch.save(obj, tmp)
    os.replace(tmp, path)


def learning_rate(sched, base_lr, step, total_steps, steps_per_epoch):
    """The one schedule: linear warm-up over sched's warmup_epochs, then cosine to min_lr (default) or
    steps of gamma at the milestone epochs."""
    warmup = int(round(float(sched.get("warmup_epochs", 0)) * steps_per_epoch))
    if step < warmup:
        return base_lr * (step + 1) / warmup
    kind = sched.get("type", "cosine")
    if kind == "cosine":
        min_lr = float(sched.get("min_lr", 0.0))
        progress = (step - warmup) / max(1, total_steps - warmup)
        return min_lr + 0.5 * (base_lr - min_lr) * (1.0 + math.cos(math.pi * progress))
    if kind == "step":
        epoch = step / steps_per_epoch
        drops = sum(1 for m in sched.get("milestones", []) if epoch >= m)
        return base_lr * float(sched.get("gamma", 0.1)) ** drops
    raise ValueError("unknown lr schedule %r (cosine or step)" % kind)


def format_seconds(s):
    s = int(max(0, s))
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)


class RateMeter:
    """Images per second since the last ``take``."""

    def __init__(self):
        self.since, self.images = time.time(), 0

    def add(self, images):
        self.images += images

    def take(self):
        now = time.time()
        rate = self.images / max(1e-9, now - self.since)
        self.since, self.images = now, 0
        return rate


def advance(state, meter, images):
    """One optimizer step made: the step counters of the checkpoint state and the rate meter move on."""
    state["step_in_epoch"] += 1
    state["global_step"] += 1
    meter.add(images)


class Logger:
    def __init__(self, work_dir, quiet=False):
        self.path = os.path.join(work_dir, "train.log")
        self.quiet = quiet

    def __call__(self, line):
        with open(self.path, "a") as f:
            f.write(line + "\n")
        if not self.quiet:
            print(line, flush=True)


class StopRequest:
    """SIGINT/SIGTERM set a flag; the loop checkpoints after the current step and returns."""

    def __init__(self, enabled):
        self.signal = None
        self.previous = {}
        if enabled:
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.previous[sig] = signal.signal(sig, self._handle)

    def _handle(self, signum, frame):
        if self.signal is not None:  # a second Ctrl-C: give up at once
            raise KeyboardInterrupt
        self.signal = signum

    def restore(self):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)


def open_run(cfg, work_dir, resume, quiet):
    """(work dir, logger, checkpoint path, the checkpoint's state or None) of one experiment."""
    work_dir = C.experiment_dir(cfg, work_dir)
    os.makedirs(work_dir, exist_ok=True)
    ckpt_path = os.path.join(work_dir, CHECKPOINT)
    state = load_checkpoint(ckpt_path) if resume and os.path.exists(ckpt_path) else None
    return work_dir, Logger(work_dir, quiet), ckpt_path, state


def write_json(path, obj):
    """obj as indented JSON, replacing path atomically."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
