"""Train one experiment: ``/usr/bin/python3 -m training.train --config training/configs/arcface.json``.

Resumes automatically from ``<work>/checkpoint.pt`` when it exists (written every epoch and every
``checkpoint_every_steps`` steps); a finished run is left alone. The work dir defaults to
``$FACEOFF_WORK/<name>`` or ``~/.cache/faceoff/training/<name>``; it holds checkpoint.pt,
log.jsonl (one line per epoch) and train.log (the progress lines).
"""
import argparse
import json
import os
import sys
import time

import torch

from . import config as C
from .data import AlignedData, make_batch
from .evaluate import verification_accuracy
from .losses import build_loss
from .model import build_model, count_parameters
from .samplers import epoch_batches
from .utils import RateMeter, StopRequest, advance, format_seconds, learning_rate, open_run, save_atomic

#: train.* keys that do not change what is learnt; they may differ when a run is resumed.
RUNTIME_KEYS = ("threads", "device", "log_every_steps", "checkpoint_every_steps")


def result_config(cfg):
    """The config without the runtime-only keys (for comparing a resumed run's config)."""
    return {**cfg, "train": {k: v for k, v in cfg["train"].items() if k not in RUNTIME_KEYS}}


def select_device(name):
    if name in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def device_label(device):
    if device.type == "cuda":
        return "cuda:" + torch.cuda.get_device_name(device)
    return device.type


def parameter_groups(model, loss_fn, weight_decay):
    """Weight decay on conv/linear/classifier weights; none on BatchNorm, PReLU and biases."""
    decay, no_decay = [], []
    for module in (model, loss_fn):
        for name, p in module.named_parameters():
            if not p.requires_grad:
                continue
            (decay if p.ndim >= 2 else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


@torch.no_grad()
def recalibrate_batchnorm(model, data, batches, device):
    """Re-estimate every BatchNorm's running mean/variance as the exact average over ``batches``
    (train-mode forward passes, no gradient). A short run's exponential running statistics lag
    far behind its weights; this makes the eval-mode network match them."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    model.train()
    for indices in batches:
        model(make_batch(data.train_images, torch.tensor(indices), False).to(device))
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum


def validate_setup(cfg, loss_fn):
    batch = cfg["train"]["batch"]
    if batch.get("sampler", "pk") != "pk" and loss_fn.min_per_identity > 1:
        raise ValueError("loss %s needs the pk sampler (several images per identity in a batch)" % loss_fn.name)
    if batch.get("sampler", "pk") == "pk" and int(batch["K"]) < loss_fn.min_per_identity:
        raise ValueError("loss %s needs K >= %d" % (loss_fn.name, loss_fn.min_per_identity))


def train(cfg, work_dir=None, resume=True, max_steps=None, quiet=False, force_config=False,
          handle_signals=False):
    """Run (or resume) one experiment. Returns a summary dict; ``status`` is 'finished',
    'stopped' (``max_steps`` optimizer steps were made in this call) or 'interrupted' (SIGINT or
    SIGTERM, with ``handle_signals``); the last two leave a checkpoint to resume from."""
    stop_request = StopRequest(handle_signals)
    try:
        return _train(cfg, work_dir, resume, max_steps, quiet, force_config, stop_request)
    finally:
        stop_request.restore()


def _train(cfg, work_dir, resume, max_steps, quiet, force_config, stop_request):
    work_dir, log, ckpt_path, state = open_run(cfg, work_dir, resume, quiet)
    if state is not None:
        if C.canonical_json(result_config(state["config"])) != C.canonical_json(result_config(cfg)) \
                and not force_config:
            raise SystemExit("config differs from the one in %s; use another --work, --no-resume, "
                             "or --force-config to continue with the new config" % ckpt_path)
        state["config"] = cfg
        if state["finished"]:
            log("[%s] already finished (%d epochs, val %.4f): %s" % (
                cfg["name"], state["epoch"], state["history"][-1]["val_acc"] if state["history"] else 0.0, ckpt_path))
            return {"status": "finished", "work_dir": work_dir, "checkpoint": ckpt_path, "steps": 0,
                    "history": state["history"]}

    tcfg = cfg["train"]
    seed = int(cfg["seed"])
    torch.manual_seed(seed)
    torch.set_num_threads(int(tcfg.get("threads", 2)))
    device = select_device(tcfg.get("device", "auto"))
    data = AlignedData(cfg["data"], int(cfg["model"]["input_size"]), seed, log)
    memory_format = torch.channels_last if tcfg.get("channels_last", True) else torch.contiguous_format
    model = build_model(cfg["model"]).to(device, memory_format=memory_format)
    loss_fn = build_loss(cfg["loss"], int(cfg["model"]["embedding_dim"]), data.num_classes).to(device)
    validate_setup(cfg, loss_fn)
    opt_cfg = tcfg["optimizer"]
    optimizer = torch.optim.SGD(parameter_groups(model, loss_fn, float(opt_cfg["weight_decay"])),
                                lr=float(opt_cfg["lr"]), momentum=float(opt_cfg["momentum"]),
                                nesterov=bool(opt_cfg.get("nesterov", False)))
    epochs = int(tcfg["epochs"])
    steps_per_epoch = len(epoch_batches(tcfg["batch"], data.train_labels.tolist(), seed, 0))
    if steps_per_epoch == 0:
        raise ValueError("not enough training images for one batch")
    total_steps = epochs * steps_per_epoch
    warmup_steps = int(round(float(tcfg.get("margin_warmup_epochs", 0)) * steps_per_epoch))

    if state is None:
        if os.path.exists(os.path.join(work_dir, "log.jsonl")):
            os.remove(os.path.join(work_dir, "log.jsonl"))
        state = {"format": 1, "config": cfg, "epoch": 0, "step_in_epoch": 0, "global_step": 0,
                 "wall_seconds": 0.0, "epoch_loss_sum": 0.0, "epoch_loss_count": 0, "epoch_wall": 0.0,
                 "history": [], "finished": False, "commit": C.git_commit(), "device": device_label(device),
                 "data": data.summary()}
        log("[%s] start: %d train images, %d classes, %d val pairs, %d params, %d steps/epoch x %d epochs, "
            "device %s, %d threads, work %s" % (
                cfg["name"], len(data.train_labels), data.num_classes, len(data.pairs[0]),
                count_parameters(model), steps_per_epoch, epochs, device_label(device),
                torch.get_num_threads(), work_dir))
    else:
        model.load_state_dict(state["model"])
        loss_fn.load_state_dict(state["loss"])
        optimizer.load_state_dict(state["optimizer"])
        log("[%s] resuming at epoch %d step %d/%d from %s" % (
            cfg["name"], state["epoch"] + 1, state["step_in_epoch"], steps_per_epoch, ckpt_path))

    def checkpoint():
        state.update(model=model.state_dict(), loss=loss_fn.state_dict(), optimizer=optimizer.state_dict())
        save_atomic(state, ckpt_path)

    model.train()
    loss_fn.train()
    base_lr = float(opt_cfg["lr"])
    log_every = int(tcfg.get("log_every_steps", 20))
    ckpt_every = int(tcfg.get("checkpoint_every_steps", 200))
    steps_done = 0
    segment_start = time.time()
    wall_at_segment = state["wall_seconds"]
    epoch_wall_at_segment = state["epoch_wall"]
    meter = RateMeter()

    def wall():
        return wall_at_segment + time.time() - segment_start

    while state["epoch"] < epochs:
        epoch = state["epoch"]
        batches = epoch_batches(tcfg["batch"], data.train_labels.tolist(), seed, epoch)
        generator = torch.Generator()
        lr = learning_rate(tcfg["lr_schedule"], base_lr, max(0, state["global_step"] - 1), total_steps, steps_per_epoch)
        loss_fn.set_progress(max(0, state["global_step"] - 1), warmup_steps)
        while state["step_in_epoch"] < len(batches):
            step_in_epoch = state["step_in_epoch"]
            step = state["global_step"]
            lr = learning_rate(tcfg["lr_schedule"], base_lr, step, total_steps, steps_per_epoch)
            for group in optimizer.param_groups:
                group["lr"] = lr
            loss_fn.set_progress(step, warmup_steps)
            indices = torch.tensor(batches[step_in_epoch])
            generator.manual_seed(seed * 1000003 + step)
            x = make_batch(data.train_images, indices, data.flip, generator, data.augment).to(device, memory_format=memory_format)
            y = data.train_labels[indices].to(device)
            loss = loss_fn(model(x), y)
            if not torch.isfinite(loss):
                raise FloatingPointError("[%s] loss is %s at epoch %d step %d" % (cfg["name"], loss.item(), epoch + 1, step_in_epoch))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_fn.post_step()
            state["epoch_loss_sum"] += float(loss)
            state["epoch_loss_count"] += 1
            advance(state, meter, len(indices))
            steps_done += 1
            if state["step_in_epoch"] % log_every == 0 or state["step_in_epoch"] == len(batches):
                rate = meter.take()
                left_epoch = (len(batches) - state["step_in_epoch"]) * len(indices) / rate
                left_run = (total_steps - state["global_step"]) * len(indices) / rate
                log("[%s] epoch %d/%d step %d/%d loss %.4f lr %.5f margin %.3f | %.1f img/s | "
                    "epoch ETA %s | run ETA %s" % (
                        cfg["name"], epoch + 1, epochs, state["step_in_epoch"], len(batches),
                        state["epoch_loss_sum"] / state["epoch_loss_count"], lr, loss_fn.schedule_factor(),
                        rate, format_seconds(left_epoch), format_seconds(left_run)))
            stop = "stopped" if max_steps is not None and steps_done >= max_steps else None
            if stop_request.signal is not None:
                stop = "interrupted"
            if (ckpt_every > 0 and state["global_step"] % ckpt_every == 0) or stop:
                state["wall_seconds"] = wall()
                state["epoch_wall"] = epoch_wall_at_segment + time.time() - segment_start
                checkpoint()
            if stop:
                log("[%s] %s after %d steps (epoch %d step %d), checkpoint saved; run again to resume" % (
                    cfg["name"], stop, steps_done, epoch + 1, state["step_in_epoch"]))
                return {"status": stop, "work_dir": work_dir, "checkpoint": ckpt_path,
                        "steps": steps_done, "history": state["history"]}
        if epoch + 1 == epochs and int(tcfg.get("bn_recalibration_batches", 0)) > 0:
            recalibrate_batchnorm(model, data, epoch_batches(tcfg["batch"], data.train_labels.tolist(), seed, epochs)[
                :int(tcfg["bn_recalibration_batches"])], device)
        val_acc = verification_accuracy(model, data, device)
        model.train()
        epoch_wall = epoch_wall_at_segment + time.time() - segment_start
        record = {"epoch": epoch + 1, "loss": state["epoch_loss_sum"] / max(1, state["epoch_loss_count"]),
                  "lr": lr, "margin_factor": loss_fn.schedule_factor(), "val_acc": val_acc,
                  "epoch_seconds": round(epoch_wall, 2), "wall_seconds": round(wall(), 2)}
        state["history"].append(record)
        with open(os.path.join(work_dir, "log.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        log("[%s] epoch %d/%d done: loss %.4f val_acc %.4f epoch %.1fs total %s" % (
            cfg["name"], epoch + 1, epochs, record["loss"], val_acc, epoch_wall, format_seconds(wall())))
        state.update(epoch=epoch + 1, step_in_epoch=0, epoch_loss_sum=0.0, epoch_loss_count=0,
                     epoch_wall=0.0, wall_seconds=wall(), finished=epoch + 1 >= epochs)
        segment_start, wall_at_segment, epoch_wall_at_segment = time.time(), state["wall_seconds"], 0.0
        checkpoint()
    return {"status": "finished", "work_dir": work_dir, "checkpoint": ckpt_path, "steps": steps_done,
            "history": state["history"]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", required=True, help="training/configs/<loss>.json")
    p.add_argument("--work", help="experiment dir (default $FACEOFF_WORK/<name> or ~/.cache/faceoff/training/<name>)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set train.epochs=2 (repeatable)")
    p.add_argument("--no-resume", action="store_true", help="start over even if a checkpoint exists")
    p.add_argument("--force-config", action="store_true", help="resume although the config changed")
    p.add_argument("--max-steps", type=int, help="stop (with a checkpoint) after this many steps (>= 1)")
    args = p.parse_args(argv)
    cfg = C.load_config(args.config, args.set)
    if args.max_steps is not None and args.max_steps < 1:
        p.error("--max-steps must be at least 1")
    result = train(cfg, args.work, resume=not args.no_resume, max_steps=args.max_steps,
                   force_config=args.force_config, handle_signals=True)
    return {"finished": 0, "stopped": 0, "interrupted": 130}[result["status"]]


if __name__ == "__main__":
    sys.exit(main())
