#!/usr/bin/env python3
"""Reads a platform log with the scheduler's decision trace (DecisionTrace at DEBUG, on in run-e2e-h100.sh)
and prints each request's wait from arrival to its prefill decision, the worst first, and every decode step
issued for a model while one of that model's requests was still waiting for its prefill: in colocated mode
a model's queued group starts before its batch decodes, so such steps point at a queued prefill that the
scheduler passed over.
    tests/bench/trace-prefill-waits.py platform.log [--examples N]
"""
import collections
import re
import sys

ARRIVAL = re.compile(r'Arrival\[request=RequestSpec\[id=(\d+), model=([^,]+),')
PREFILL = re.compile(r'RunPrefill\[instance=(\d+), groupId=\d+, model=([^,]+), requests=\[([0-9, ]*)\]\]')
DECODE = re.compile(r'RunDecodeStep\[instance=(\d+), stepId=\d+, model=([^,]+),')
LINE = re.compile(r't=([0-9.]+) (.*) -> \[(.*)\]\s*$')


def main(path, examples):
    queued = collections.defaultdict(dict)  # model -> {request id: arrival time}
    waits, passed_over, shown = [], collections.Counter(), []
    for line in open(path, errors='replace'):
        m = LINE.search(line)
        if not m:
            continue
        t, event, out = float(m.group(1)), m.group(2), m.group(3)
        a = ARRIVAL.match(event)
        if a:
            queued[a.group(2)][int(a.group(1))] = t
        for p in PREFILL.finditer(out):
            for s in filter(None, (x.strip() for x in p.group(3).split(','))):
                arrived = queued[p.group(2)].pop(int(s), None)
                if arrived is not None:
                    waits.append((t - arrived, int(s), p.group(2)))
        for d in DECODE.finditer(out):
            model = d.group(2)
            if queued[model] and t - min(queued[model].values()) > 0.001:
                passed_over[model] += 1
                if len(shown) < examples:
                    shown.append(f"  t={t:.3f} {model} decodes; waiting: {sorted(queued[model].items())[:4]}")
    waits.sort(reverse=True)
    print(f"prefills traced: {len(waits)}; still waiting at the end: {sum(len(q) for q in queued.values())}")
    print("longest waits (s, request, model):", [(round(w, 2), i, m) for w, i, m in waits[:10]])
    print(f"decode steps issued while their model had a request waiting for its prefill: {sum(passed_over.values())}",
          dict(passed_over.most_common(8)))
    print("\n".join(shown))


if __name__ == '__main__':
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    n = int(args[args.index('--examples') + 1]) if '--examples' in args else 15
    main(args[0], n)
