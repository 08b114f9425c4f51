"""What the benchmark scripts share (bench/perf.py, bench/goodput.py): where results go, the LFW pairs, the one
build of the jar, the layout and ServingBench's classpath, and the machine a result was measured on.
"""
import datetime
import os
import platform
import subprocess

import service  # bench/service.py

OUT = os.path.join(service.ROOT, "target", "bench")
PAIRS = os.path.join(service.SHARED, "datasets", "lfw", "pairs.txt")
LAYOUT = os.path.join(service.ROOT, "target", "layout")


def sh(command, **kwargs):
    return subprocess.run(command, check=True, text=True, capture_output=True, cwd=service.ROOT, **kwargs).stdout


def java_bench(*args):
    return sh(["java", "@target/bench.args", "dev.faceoff.evaluation.ServingBench", *args])


def build():
    print("perf: building (mvn package, test classes, classpath)", flush=True)
    sh(["mvn", "-q", "-B", "-DskipTests", "package", "dependency:build-classpath",
        "-Dmdep.outputFile=target/bench.classpath"])
    sh(["bin/layout", "target/faceoff.jar", LAYOUT, "models"])
    with open(os.path.join(service.ROOT, "target", "bench.classpath")) as f:
        classpath = f.read().strip()
    with open(os.path.join(service.ROOT, "target", "bench.args"), "w") as f:
        f.write("-cp target/test-classes:target/classes:" + classpath + "\n")


def machine():
    cpu = "unknown"
    flags = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and cpu == "unknown":
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / 1024 / 1024
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=service.ROOT).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                           cwd=service.ROOT).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "avx512_vnni": "avx512_vnni" in flags, "memory_gib": round(mem_gib, 1),
            "java": java, "os": platform.platform(), "commit": commit + ("+changes" if dirty else ""),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
