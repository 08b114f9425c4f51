"""Experiment configs: ``configs/<loss>.json`` names a base config and overrides it.

A config file may contain ``"base": "base.json"`` (a path relative to the file) or a list of them;
the bases are loaded first (recursively, merged in list order) and the file's own keys are merged
into them, dictionaries key by key.
``--set a.b.c=VALUE`` on the command line merges further (VALUE is parsed as JSON when it can be,
otherwise taken as a string).
"""
import copy
import json
import os
import subprocess

TRAINING_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(TRAINING_DIR)
CONFIG_DIR = os.path.join(TRAINING_DIR, "configs")


def deep_merge(base, override):
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_config(path, overrides=()):
    path = os.path.abspath(path)
    with open(path) as f:
        raw = json.load(f)
    bases = raw.pop("base", None) or []
    cfg = {}
    for base_name in [bases] if isinstance(bases, str) else bases:
        cfg = deep_merge(cfg, load_config(os.path.join(os.path.dirname(path), base_name)))
    cfg = deep_merge(cfg, raw)
    for item in overrides:
        cfg = apply_override(cfg, item)
    return cfg


def apply_override(cfg, item):
    """Apply one ``dotted.key=value`` override."""
    if "=" not in item:
        raise ValueError("override must look like key.path=value, got %r" % item)
    key, text = item.split("=", 1)
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    nested = value
    for part in reversed(key.split(".")):
        nested = {part: nested}
    return deep_merge(cfg, nested)


def loss_config_path(loss_name):
    return os.path.join(CONFIG_DIR, loss_name + ".json")


def resolve_repo_path(path):
    """Paths in configs are relative to the repository root, not to the working directory."""
    path = os.path.expanduser(path)
    return path if os.path.isabs(path) else os.path.join(REPO_ROOT, path)


def work_root():
    root = os.environ.get("FACEOFF_WORK")
    if root:
        return os.path.abspath(os.path.expanduser(root))
    return os.path.join(os.path.expanduser("~"), ".cache", "faceoff", "training")


def experiment_dir(cfg, override=None):
    if override:
        return os.path.abspath(os.path.expanduser(override))
    return os.path.join(work_root(), cfg["name"])


def git_commit():
    try:
        out = subprocess.run(["git", "-C", REPO_ROOT, "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def canonical_json(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))
