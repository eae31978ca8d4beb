#!/usr/bin/env python3
"""bench/fhir_load: run one wrk measurement and print one tab-separated result line.

    wrk_measure.py --server-pid PID --raw OUT.txt -- wrk ARGS...

Line: requests/s, p50 ms, p99 ms, requests, non-2xx/3xx responses, socket errors,
server CPU (cores, from /proc/PID/stat over the run), wrk CPU (cores, its rusage),
other CPU (cores busy in anything else on the machine: other users' jobs skew the run).
"""
import argparse
import os
import re
import subprocess
import sys
import time

TICK = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def busy_cores_seconds():
    """CPU seconds all cores spent busy (not idle, not iowait), from /proc/stat."""
    with open('/proc/stat') as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / TICK


def to_ms(text):
    m = re.fullmatch(r'([\d.]+)(us|ms|s|m)', text)
    if not m:
        return float('nan')
    v, unit = float(m.group(1)), m.group(2)
    return {'us': v / 1000, 'ms': v, 's': v * 1000, 'm': v * 60000}[unit]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--server-pid', type=int, required=True)
    ap.add_argument('--raw', required=True)
    ap.add_argument('cmd', nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == '--' else args.cmd

    s0, b0, t0 = cpu_seconds(args.server_pid), busy_cores_seconds(), time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read().decode(errors='replace')
    _, status, usage = os.wait4(proc.pid, 0)
    s1, b1, t1 = cpu_seconds(args.server_pid), busy_cores_seconds(), time.monotonic()
    with open(args.raw, 'w') as f:
        f.write(' '.join(cmd) + '\n' + out)
    if os.waitstatus_to_exitcode(status) != 0:
        print(f'wrk failed: {out}', file=sys.stderr)
        return 1
    wall = t1 - t0
    rps = re.search(r'^Requests/sec:\s+([\d.]+)', out, re.M)
    p50 = re.search(r'^\s+50%\s+(\S+)', out, re.M)
    p99 = re.search(r'^\s+99%\s+(\S+)', out, re.M)
    total = re.search(r'^\s+(\d+) requests in', out, re.M)
    non2xx = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', out)
    sock = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', out)
    sock_errors = sum(int(x) for x in sock.groups()) if sock else 0
    print('\t'.join([
        f'{float(rps.group(1)) if rps else 0:.0f}',
        f'{to_ms(p50.group(1)) if p50 else float("nan"):.2f}',
        f'{to_ms(p99.group(1)) if p99 else float("nan"):.2f}',
        total.group(1) if total else '0',
        non2xx.group(1) if non2xx else '0',
        str(sock_errors),
        f'{(s1 - s0) / wall:.2f}',
        f'{(usage.ru_utime + usage.ru_stime) / wall:.2f}',
        f'{max(0.0, (b1 - b0) - (s1 - s0) - (usage.ru_utime + usage.ru_stime)) / wall:.2f}',
    ]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
