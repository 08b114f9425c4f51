"""The benchmarks' shared start and stop of faceoff: the jar on loopback, CPU provider, the repo's model store.

start() returns once readiness answers 200, with the seconds from launch to ready; stop() sends SIGTERM
(the service's graceful shutdown) and waits. Used by bench/perf.py and bench/compare.py.
"""
import http.client
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


# The pod's heap (k8s/base: JAVA_TOOL_OPTIONS -XX:MaxRAMPercentage=50 under a 2 GiB memory limit).
POD_JVM = "-Xmx1g -XX:+ExitOnOutOfMemoryError"


def start(jar, port, log_path, extra=(), jvm=(), name="bench", launcher=None, java_tool_options=None):
    """Launches the jar (or the launcher, e.g. a bin/layout run script, instead of java -jar) and waits
    (120 s at most) for readiness; exits the script if it dies. java_tool_options goes to JAVA_TOOL_OPTIONS."""
    log = open(log_path, "w")
    command = [*(launcher or ["java", *jvm, "-jar", jar]), "--server.port=%d" % port, "--faceoff.runtime.provider=cpu",
               "--faceoff.models.dir=" + os.path.join(ROOT, "models"), *extra]
    env = dict(os.environ)
    if java_tool_options:
        env["JAVA_TOOL_OPTIONS"] = java_tool_options
    launched = time.perf_counter()
    process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
    while time.perf_counter() - launched < 120:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/actuator/health/readiness")
            if c.getresponse().status == 200:
                return Service(process, port, log_path, time.perf_counter() - launched)
        except OSError:
            pass
        if process.poll() is not None:
            sys.exit("%s: faceoff exited; see %s" % (name, log_path))
        time.sleep(0.05)
    process.kill()
    sys.exit("%s: faceoff not ready after 120 s; see %s" % (name, log_path))
