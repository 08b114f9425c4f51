"""Fine-tune the pretrained embedder with one identity loss and distillation toward the frozen original.

    /usr/bin/python3 -m training.finetune --config training/configs/ft/cosface.json             # train (resumes)
    /usr/bin/python3 -m training.finetune --config training/configs/ft/cosface.json --export models/cosface-ft

The student starts as ``model.teacher`` (an ONNX embedder, run as a PyTorch module by training/onnx_graph.py);
the teacher is that same network, frozen. Per step, on P x K aligned crops of the training sets:

    loss = identity_weight * L_identity(student(augmented), labels)
         + distill_weight  * mean(1 - cos(student(augmented), teacher(clean)))

where "augmented" adds what users' photos have (training/occlusion.py: masks and eye occluders;
training/degrade.py: tight crops, downscales, blur, JPEG; training/data.py: flips, small warps, brightness,
contrast, grey) and "clean" is the same crop, flipped alike, without them. The identity loss's head is fresh;
it is first warmed up with the backbone frozen, on the teacher's embeddings of the clean crops
(``finetune.head_warmup``). Only ``loss`` differs between the seven fine-tunes of training/configs/ft/.

Caches (under the work root's cache/): the 68-point landmarks of every training crop (where masks go) and
the teacher's embeddings of every crop and its mirror image. Progress lines with images/s and ETA go to
``<work>/train.log``; a checkpoint is written every ``checkpoint_every_steps`` and at every epoch's end, and a
run started again resumes from it. Export writes ``model.onnx`` (the teacher's graph, node for node, with the
fine-tuned weights), ``model.json`` and ``golden.json``.
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

from . import config as C
from . import occlusion
from .data import AlignedData, augment_batch, to_input
from .degrade import degrade_batch
from .evaluate import verification_accuracy
from .export import GOLDEN_CASES, TOLERANCE, golden_input, verify_onnx, write_golden
from .losses import build_loss
from .onnx_graph import OnnxGraph, write_onnx
from .samplers import epoch_batches
from .utils import (CHECKPOINT, RateMeter, StopRequest, advance, format_seconds, learning_rate, load_checkpoint, open_run,
                    save_atomic, write_json)

RUNTIME_KEYS = ("threads", "log_every_steps", "checkpoint_every_steps")


class Embedder(nn.Module):
    """The ONNX graph behind the training code's input convention (RGB, (x - 127.5) / 128): a BGR model gets
    its channels reversed; the graph's own input stays exactly what the service feeds it."""

    def __init__(self, graph, color):
        super().__init__()
        self.graph = graph
        self.bgr = color.upper() == "BGR"

    def forward(self, x):
        return self.graph(x.flip(1) if self.bgr else x)


def load_embedder(model_cfg):
    path = C.resolve_repo_path(model_cfg["teacher"])
    if not os.path.exists(path):
        raise FileNotFoundError("%s not found: fetch it with models/fetch-pretrained.sh" % path)
    return Embedder(OnnxGraph(path), model_cfg.get("color", "BGR"))


def tensor_fingerprint(t):
    return hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest()[:20]


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cached(path, compute, log):
    if os.path.exists(path):
        return torch.load(path)
    value = compute()
    tmp = path + ".tmp%d" % os.getpid()
    torch.save(value, tmp)
    os.replace(tmp, path)
    log("cached %s" % path)
    return value


@torch.no_grad()
def teacher_embeddings(teacher, images_u8, log, batch=128):
    """(N, 2, D): the teacher's embedding of every crop and of its mirror image."""
    teacher.eval()
    out = []
    start_t = time.time()
    for start in range(0, len(images_u8), batch):
        x = to_input(images_u8[start:start + batch]).contiguous(memory_format=torch.channels_last)
        both = teacher(torch.cat([x, x.flip(3)]))
        out.append(torch.stack([both[:len(x)], both[len(x):]], 1))
        done = start + len(x)
        rate = done / max(1e-9, time.time() - start_t)
        if (start // batch) % 10 == 0 or done == len(images_u8):
            log("teacher embeddings %d/%d | %.1f img/s | ETA %s" % (
                done, len(images_u8), 2 * rate, format_seconds((len(images_u8) - done) / rate)))
    return torch.cat(out)


class FineTuneData:
    """The aligned crops, their landmarks and the teacher's embeddings; ``batch`` draws one training batch."""

    def __init__(self, cfg, teacher, log):
        dcfg = cfg["data"]
        self.aligned = AlignedData(dcfg, int(cfg["model"]["input_size"]), int(cfg["seed"]), log)
        cache_dir = C.resolve_repo_path(dcfg.get("cache_dir") or os.path.join(C.work_root(), "cache"))
        os.makedirs(cache_dir, exist_ok=True)
        images = self.aligned.train_images
        fp = tensor_fingerprint(images)
        lm_model = OnnxGraph(C.resolve_repo_path(cfg["model"]["landmarks"])).eval()
        self.landmarks = cached(os.path.join(cache_dir, "landmarks68-%s.pt" % fp),
                                lambda: occlusion.landmarks68(lm_model, images), log)
        teacher_sha = file_sha256(C.resolve_repo_path(cfg["model"]["teacher"]))[:16]
        self.targets = cached(os.path.join(cache_dir, "teacher-%s-%s.pt" % (teacher_sha, fp)),
                              lambda: teacher_embeddings(teacher, images, log), log)
        occ = dcfg.get("occlusion") or {}
        self.mask_p, self.eyes_p = float(occ.get("mask", 0)), float(occ.get("eyes", 0))
        self.templates = occlusion.MaskTemplates(occlusion.masks_dir(dcfg.get("shared"))) if self.mask_p else None
        self.degrade = dict(dcfg.get("degrade") or {})
        self.augment = dict(dcfg.get("augment") or {})
        self.flip = bool(dcfg.get("flip", True))

    def batch(self, indices, generator):
        """(student input, teacher target) for a list of training indices."""
        idx = torch.tensor(indices)
        x = self.aligned.train_images[idx].float()
        n = len(idx)
        lm = self.landmarks[idx]
        if self.mask_p or self.eyes_p:
            r = torch.rand(n, generator=generator)
            masked = torch.nonzero(r < self.mask_p).flatten()
            eyes = torch.nonzero((r >= self.mask_p) & (r < self.mask_p + self.eyes_p)).flatten()
            if len(masked):
                x[masked] = occlusion.draw_masks(x[masked], lm[masked], self.templates, generator)
            if len(eyes):
                x[eyes] = occlusion.draw_eye_occluders(x[eyes], lm[eyes], generator)
        flipped = (torch.rand(n, generator=generator) < 0.5) if self.flip else torch.zeros(n, dtype=torch.bool)
        x[flipped] = x[flipped].flip(3)
        if self.degrade.get("tight"):
            x = degrade_batch(x, {"tight": self.degrade["tight"]}, generator)
        if self.augment:
            x = augment_batch(x, self.augment, generator)
        rest = {k: v for k, v in self.degrade.items() if k != "tight"}
        if rest:
            x = degrade_batch(x, rest, generator)
        x = to_input(x.clamp(0, 255).round())
        target = self.targets[idx, flipped.long()]
        return x, target


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def warm_up_head(loss_fn, data, cfg, log):
    """Train the identity loss's own parameters on the teacher's clean embeddings (the backbone frozen).
    Returns the number of steps made (0 for a loss without parameters)."""
    wcfg = cfg["finetune"]["head_warmup"]
    params = [p for p in loss_fn.parameters() if p.requires_grad]
    epochs = int(wcfg["epochs"])
    if epochs <= 0 or (not params and not hasattr(loss_fn, "centers")):
        return 0
    labels = data.aligned.train_labels
    seed = int(cfg["seed"])
    optimizer = torch.optim.Adam(params, lr=float(wcfg["lr"])) if params else None
    steps_per_epoch = len(epoch_batches(wcfg["batch"], labels.tolist(), seed, 0))
    total = epochs * steps_per_epoch
    margin_steps = int(round(float(wcfg.get("margin_warmup_fraction", 0.5)) * total))
    generator = torch.Generator().manual_seed(seed)
    step, loss_sum = 0, 0.0
    loss_fn.train()
    for epoch in range(epochs):
        for indices in epoch_batches(wcfg["batch"], labels.tolist(), seed, 1000 + epoch):
            idx = torch.tensor(indices)
            side = (torch.rand(len(idx), generator=generator) < 0.5).long()
            emb = data.targets[idx, side]
            loss_fn.set_progress(step, margin_steps)
            if optimizer is not None:
                for group in optimizer.param_groups:
                    group["lr"] = float(wcfg["lr"]) * 0.5 * (1 + math.cos(math.pi * step / total))
            loss = loss_fn(emb, labels[idx])
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            loss_fn.post_step()
            loss_sum += float(loss)
            step += 1
        log("[%s] head warm-up epoch %d/%d: loss %.4f (backbone frozen, %d steps)" % (
            cfg["name"], epoch + 1, epochs, loss_sum / steps_per_epoch, steps_per_epoch))
        loss_sum = 0.0
    return step


def result_config(cfg):
    ft = cfg["finetune"]
    return {**cfg, "finetune": {k: v for k, v in ft.items() if k not in RUNTIME_KEYS}}


def finetune(cfg, work_dir=None, resume=True, max_steps=None, quiet=False, handle_signals=False):
    """Run (or resume) one fine-tune; returns a summary ('finished', 'stopped' or 'interrupted')."""
    stop_request = StopRequest(handle_signals)
    try:
        return _finetune(cfg, work_dir, resume, max_steps, quiet, stop_request)
    finally:
        stop_request.restore()


def _finetune(cfg, work_dir, resume, max_steps, quiet, stop_request):
    work_dir, log, ckpt_path, state = open_run(cfg, work_dir, resume, quiet)
    if state is not None:
        if C.canonical_json(result_config(state["config"])) != C.canonical_json(result_config(cfg)):
            raise SystemExit("config differs from the one in %s; use another --work or --no-resume" % ckpt_path)
        if state["finished"]:
            log("[%s] already finished: %s" % (cfg["name"], ckpt_path))
            return {"status": "finished", "work_dir": work_dir, "checkpoint": ckpt_path, "history": state["history"]}
    fcfg = cfg["finetune"]
    seed = int(cfg["seed"])
    torch.manual_seed(seed)
    torch.set_num_threads(int(fcfg.get("threads", 2)))
    teacher = load_embedder(cfg["model"]).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    data = FineTuneData(cfg, teacher, log)
    student = load_embedder(cfg["model"]).to(memory_format=torch.channels_last)
    dim = int(data.targets.shape[-1])
    loss_fn = build_loss(cfg["loss"], dim, data.aligned.num_classes)
    id_weight, distill_weight = float(fcfg["identity_weight"]), float(fcfg["distill_weight"])
    batch_cfg = fcfg["batch"]
    labels = data.aligned.train_labels
    steps_per_epoch = len(epoch_batches(batch_cfg, labels.tolist(), seed, 0))
    epochs = int(fcfg["epochs"])
    total = epochs * steps_per_epoch
    schedule = {"type": "cosine", "warmup_epochs": fcfg.get("warmup_epochs", 0)}
    opt = fcfg["optimizer"]
    head_params = [p for p in loss_fn.parameters() if p.requires_grad]
    groups = [{"params": list(student.parameters()), "lr": float(opt["lr"]), "base_lr": float(opt["lr"])}]
    if head_params:
        groups.append({"params": head_params, "lr": float(opt["head_lr"]), "base_lr": float(opt["head_lr"])})
    optimizer = torch.optim.Adam(groups, weight_decay=float(opt.get("weight_decay", 0.0)))

    if state is None:
        for name in ("log.jsonl",):
            if os.path.exists(os.path.join(work_dir, name)):
                os.remove(os.path.join(work_dir, name))
        warm_steps = warm_up_head(loss_fn, data, cfg, log) if id_weight > 0 else 0
        teacher_acc = verification_accuracy(teacher, data.aligned, torch.device("cpu"))
        state = {"format": 1, "config": cfg, "epoch": 0, "step_in_epoch": 0, "global_step": 0,
                 "wall_seconds": 0.0, "sums": {}, "history": [], "finished": False, "commit": C.git_commit(),
                 "data": data.aligned.summary(), "head_warmup_steps": warm_steps, "teacher_val_acc": teacher_acc}
        log("[%s] start: %d train images, %d classes, %d params, %d steps/epoch x %d epochs, teacher val_acc %.4f, "
            "%d threads, work %s" % (cfg["name"], len(labels), data.aligned.num_classes, parameter_count(student),
                                    steps_per_epoch, epochs, teacher_acc, torch.get_num_threads(), work_dir))
    else:
        student.load_state_dict(state["student"])
        loss_fn.load_state_dict(state["loss"])
        optimizer.load_state_dict(state["optimizer"])
        log("[%s] resuming at epoch %d step %d/%d" % (cfg["name"], state["epoch"] + 1, state["step_in_epoch"], steps_per_epoch))
    margin_steps = max(1, state["head_warmup_steps"])

    def checkpoint():
        state.update(student=student.state_dict(), loss=loss_fn.state_dict(), optimizer=optimizer.state_dict())
        save_atomic(state, ckpt_path)

    student.train()
    loss_fn.train()
    log_every = int(fcfg.get("log_every_steps", 10))
    ckpt_every = int(fcfg.get("checkpoint_every_steps", 50))
    segment_start, wall_at_segment = time.time(), state["wall_seconds"]
    meter, steps_done = RateMeter(), 0
    while state["epoch"] < epochs:
        epoch = state["epoch"]
        batches = epoch_batches(batch_cfg, labels.tolist(), seed, epoch)
        while state["step_in_epoch"] < len(batches):
            step = state["global_step"]
            factor = learning_rate(schedule, 1.0, step, total, steps_per_epoch)
            for group in optimizer.param_groups:
                group["lr"] = group["base_lr"] * factor
            loss_fn.set_progress(margin_steps + step, margin_steps)
            generator = torch.Generator().manual_seed(seed * 1000003 + step)
            indices = batches[state["step_in_epoch"]]
            x, target = data.batch(indices, generator)
            emb = student(x.contiguous(memory_format=torch.channels_last))
            distill = (1 - F.cosine_similarity(emb, target, dim=1)).mean()
            identity = loss_fn(emb, labels[torch.tensor(indices)]) if id_weight > 0 else emb.new_zeros(())
            loss = id_weight * identity + distill_weight * distill
            if not torch.isfinite(loss):
                raise FloatingPointError("[%s] loss is %s at step %d" % (cfg["name"], float(loss), step))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_fn.post_step()
            for key, value in (("loss", loss), ("identity", identity), ("distill", distill)):
                state["sums"][key] = state["sums"].get(key, 0.0) + float(value)
            state["sums"]["count"] = state["sums"].get("count", 0) + 1
            advance(state, meter, len(indices))
            steps_done += 1
            if state["step_in_epoch"] % log_every == 0 or state["step_in_epoch"] == len(batches):
                rate = meter.take()
                s = state["sums"]
                log("[%s] epoch %d/%d step %d/%d loss %.4f (identity %.4f distill %.4f) lr %.2e | %.1f img/s | "
                    "epoch ETA %s | run ETA %s" % (
                        cfg["name"], epoch + 1, epochs, state["step_in_epoch"], len(batches), s["loss"] / s["count"],
                        s["identity"] / s["count"], s["distill"] / s["count"], optimizer.param_groups[0]["lr"], rate,
                        format_seconds((len(batches) - state["step_in_epoch"]) * len(indices) / rate),
                        format_seconds((total - state["global_step"]) * len(indices) / rate)))
            stop = "stopped" if max_steps is not None and steps_done >= max_steps else None
            if stop_request.signal is not None:
                stop = "interrupted"
            if (ckpt_every > 0 and state["global_step"] % ckpt_every == 0) or stop:
                state["wall_seconds"] = wall_at_segment + time.time() - segment_start
                checkpoint()
            if stop:
                log("[%s] %s at epoch %d step %d, checkpoint saved; run again to resume" % (
                    cfg["name"], stop, epoch + 1, state["step_in_epoch"]))
                return {"status": stop, "work_dir": work_dir, "checkpoint": ckpt_path, "history": state["history"]}
        val_acc = verification_accuracy(student, data.aligned, torch.device("cpu"))
        student.train()
        s = state["sums"]
        record = {"epoch": epoch + 1, "loss": s["loss"] / s["count"], "identity": s["identity"] / s["count"],
                  "distill": s["distill"] / s["count"], "val_acc": val_acc,
                  "wall_seconds": round(wall_at_segment + time.time() - segment_start, 1)}
        state["history"].append(record)
        with open(os.path.join(work_dir, "log.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        log("[%s] epoch %d/%d done: loss %.4f identity %.4f distill %.4f val_acc %.4f (teacher %.4f) total %s" % (
            cfg["name"], epoch + 1, epochs, record["loss"], record["identity"], record["distill"], val_acc,
            state["teacher_val_acc"], format_seconds(record["wall_seconds"])))
        state.update(epoch=epoch + 1, step_in_epoch=0, sums={}, wall_seconds=record["wall_seconds"],
                     finished=epoch + 1 >= epochs)
        segment_start, wall_at_segment = time.time(), state["wall_seconds"]
        checkpoint()
    return {"status": "finished", "work_dir": work_dir, "checkpoint": ckpt_path, "history": state["history"]}


def export(cfg, out_dir, work_dir=None):
    """model.onnx (the teacher's graph with the fine-tuned weights), model.json and golden.json."""
    import onnx
    ckpt = os.path.join(C.experiment_dir(cfg, work_dir), CHECKPOINT)
    state = load_checkpoint(ckpt)
    if not state["finished"]:
        raise SystemExit("%s is not finished (epoch %d)" % (ckpt, state["epoch"]))
    cfg = state["config"]
    student = load_embedder(cfg["model"])
    student.load_state_dict(state["student"])
    student.eval()
    with torch.no_grad():   # as models/tools/prepare_onnx.py: denormal weights made the embedder 4.3x slower
        for p in student.parameters():
            p[p.abs() < 1e-30] = 0.0
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, "model.onnx")
    teacher_path = C.resolve_repo_path(cfg["model"]["teacher"])
    write_onnx(student.graph, teacher_path, onnx_path)
    inputs = [golden_input(k) for k in range(GOLDEN_CASES)]
    with torch.no_grad():
        outputs = [student.graph(x)[0] for x in inputs]
    diff = verify_onnx(onnx.load(onnx_path), inputs, outputs)
    if diff > TOLERANCE / 10:
        raise RuntimeError("exported graph differs from PyTorch by %g" % diff)
    source = onnx.load(teacher_path)
    in_name = next(i.name for i in source.graph.input if i.name not in {t.name for t in source.graph.initializer})
    out_name = source.graph.output[0].name
    sha = file_sha256(onnx_path)
    loss_params = dict(cfg["loss"])
    loss_name = loss_params.pop("name")
    card_path = os.path.join(out_dir, "model.json")
    existing = {}
    if os.path.exists(card_path):
        with open(card_path) as f:
            existing = json.load(f)
    fcfg = cfg["finetune"]
    card = {
        "name": os.path.basename(os.path.normpath(out_dir)), "version": existing.get("version", 1), "task": "embedding",
        "loss": loss_name,
        "lossParams": {k: float(v) for k, v in loss_params.items() if isinstance(v, (int, float)) and not isinstance(v, bool)},
        "backbone": cfg["model"]["backbone"], "file": "model.onnx", "sha256": sha,
        "input": {"name": in_name, "shape": [-1, 3, 112, 112], "layout": "NCHW", "color": cfg["model"]["color"],
                  "mean": 127.5, "std": 128.0},
        "outputs": [{"name": out_name, "dim": int(outputs[0].numel())}],
        "alignment": cfg["export"]["alignment"],
        "testTimeFlip": bool(existing.get("testTimeFlip", False)),
        "thresholds": existing.get("thresholds", {}),
        "metrics": existing.get("metrics", {}),
        "training": {
            "recipe": "fine-tune of %s: identity loss %s (weight %g, head warmed up %d steps with the backbone frozen) "
                      "+ %g x distillation (1 - cos) toward the frozen original's embedding of the clean crop; "
                      "Adam lr %g (head %g), %d epochs, cosine; masks, eye occluders, tight crops, downscales, blur, "
                      "JPEG, flips, warps, brightness/contrast, grey" % (
                          cfg["model"]["teacher"], loss_name, float(fcfg["identity_weight"]), state["head_warmup_steps"],
                          float(fcfg["distill_weight"]), float(fcfg["optimizer"]["lr"]),
                          float(fcfg["optimizer"]["head_lr"]), int(fcfg["epochs"])),
            "data": list(state["data"]["datasets"]), "images": int(state["data"]["images"]),
            "identities": int(state["data"]["identities"]), "epochs": int(state["epoch"]),
            "wallSeconds": int(round(state["wall_seconds"])), "commit": state["commit"], "config": cfg,
            "validation": {"accuracy": float(state["history"][-1]["val_acc"]), "teacher": float(state["teacher_val_acc"])},
            "curve": state["history"], "terms": cfg["export"]["terms"],
        },
        "provenance": {"source": cfg["export"]["source"], "license": cfg["export"]["license"]},
    }
    write_json(card_path, card)
    write_golden(out_dir, card["name"], outputs)
    return {"out": out_dir, "sha256": sha, "max_abs_diff": diff}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", required=True, help="training/configs/ft/<loss>.json")
    p.add_argument("--work", help="experiment dir (default $FACEOFF_WORK/<name> or ~/.cache/faceoff/training/<name>)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config value")
    p.add_argument("--no-resume", action="store_true")
    p.add_argument("--max-steps", type=int)
    p.add_argument("--export", metavar="DIR", help="export the finished run to DIR (e.g. models/cosface-ft) instead of training")
    args = p.parse_args(argv)
    cfg = C.load_config(args.config, args.set)
    if args.export:
        r = export(cfg, os.path.abspath(args.export), args.work)
        print("exported %s: sha256 %s, max |onnxruntime - torch| %.2e" % (r["out"], r["sha256"], r["max_abs_diff"]))
        return 0
    result = finetune(cfg, args.work, resume=not args.no_resume, max_steps=args.max_steps, handle_signals=True)
    return {"finished": 0, "stopped": 0, "interrupted": 130}[result["status"]]


if __name__ == "__main__":
    sys.exit(main())
