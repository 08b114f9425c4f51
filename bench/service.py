"""The Python benchmarks' handle on faceoff, started the one way bench/lib.sh starts it for every script: the
jar (or bin/layout's run script) on 127.0.0.1, CPU provider, the repository's model store, the pod's JVM
options; ready when /actuator/health/readiness answers 200.

start() returns once it is ready, with the seconds from launch to ready; stop() sends SIGTERM (the service's
graceful shutdown) and waits. SHARED is the data sets' folder ($FACEOFF_SHARED, default ../shared). Used by
bench/perf.py, bench/compare.py and bench/deployed-set.py.
"""
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "bench", "lib.sh")
SHARED = os.path.realpath(os.environ.get("FACEOFF_SHARED") or os.path.join(ROOT, "..", "shared"))
START_TIMEOUT_S = 300


class Service:
    def __init__(self, process, port, log_path, ready_s):
        self.process = process
        self.port = port
        self.log_path = log_path
        self.ready_s = ready_s

    @property
    def pid(self):
        return self.process.pid

    def memory(self):
        """Resident memory now and at its peak (VmRSS, VmHWM), MiB."""
        fields = {}
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) / 1024
        return fields.get("VmRSS"), fields.get("VmHWM")

    def cpu_seconds(self):
        """User + system CPU seconds the process has used (utime + stime)."""
        with open("/proc/%d/stat" % self.pid) as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def pod_jvm():
    """The pod's JVM options as bench/lib.sh gives them to the service."""
    return subprocess.run([LIB, "pod-jvm"], check=True, capture_output=True, text=True).stdout.strip()


def start(target, port, log_path, extra=(), name="bench", env=None):
    """Starts `target` (a jar, or bin/layout's run script) through bench/lib.sh and waits until it is ready;
    exits the script if it dies or is not ready within START_TIMEOUT_S. `extra` goes to faceoff; `env`, when
    given, adds to the environment bench/lib.sh sees (e.g. FACEOFF_MODELS_DIR)."""
    with open(log_path, "w") as log:
        launched = time.perf_counter()
        process = subprocess.Popen([LIB, "exec", target, str(port), *extra], stdout=log, stderr=log,
                                   env=dict(os.environ, **env) if env else None)
    ready = subprocess.run([LIB, "wait-ready", "http://127.0.0.1:%d/actuator/health/readiness" % port,
                            str(START_TIMEOUT_S), str(process.pid)])
    if ready.returncode != 0:
        process.kill()
        sys.exit("%s: faceoff did not get ready; see %s" % (name, log_path))
    return Service(process, port, log_path, time.perf_counter() - launched)
