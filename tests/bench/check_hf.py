# logits --backend cuda vs HF's float32 logits on tests/fixtures/hf, and greedy ids (after .device/check/check.py).
import json, os, subprocess
import numpy as np
out = os.environ.get("OUT", "/tmp")
# JAVA_LAUNCHER: the staged launcher (device-pack.sh); JVM properties may come through JAVA_TOOL_OPTIONS.
J = [os.environ.get("JAVA_LAUNCHER", ".device/cuda2/java"), "-Xmx8g", "dev.aegaeon.runtime.cli.RuntimeCli"]
rows = []
for case in sorted(os.listdir("tests/fixtures/hf")):
    d = f"tests/fixtures/hf/{case}"
    if not os.path.isdir(d): continue
    e = json.load(open(f"{d}/expected.json"))
    m = e.get("model_dir", d)  # a trained model lives outside its fixture directory
    ref = np.fromfile(f"{d}/logits.f32", dtype="<f4").reshape(e["logits_shape"])
    o = f"/tmp/{case}.f32"
    p = subprocess.run(J + ["logits", "--model", m, "--tokens", ",".join(map(str, e["input_ids"])), "--out", o, "--backend", "cuda"], capture_output=True, text=True)
    if p.returncode != 0: print(case, "FAILED", p.stdout, p.stderr[-2000:]); continue
    got = np.fromfile(o, dtype="<f4").reshape(ref.shape)
    r = float(np.abs(got - ref).max() / np.abs(ref).max())
    g = subprocess.run(J + ["generate", "--model", m, "--tokens", ",".join(map(str, e["greedy_prompt"])), "--max-tokens", str(e["max_new_tokens"]), "--temperature", "0", "--backend", "cuda"], capture_output=True, text=True)
    line = [l for l in g.stdout.splitlines() if l.startswith("ids:")]
    ids = [int(x) for x in line[0].split()[1:]] if line else None
    same = ids == e["greedy_ids"]
    first = None if same or ids is None else next((i for i, (a, b) in enumerate(zip(ids, e["greedy_ids"])) if a != b), min(len(ids), len(e["greedy_ids"])))
    print(f"{case} ({e['torch_dtype']}): cuda rel_err {r:.2e} ({'PASS' if r < 2e-2 else 'FAIL'} < 2e-2); greedy {'identical' if same else 'DIFFERENT from token ' + str(first)}; {[l for l in p.stdout.splitlines() if 'backend' in l]}", flush=True)
    rows.append({"check": "cuda_vs_hf_fixture", "model": case, "stored": e["torch_dtype"], "rel_err": r, "greedy_identical": same, "greedy_first_difference": first})
    # Real prompts (texts and chats of a trained model): every greedy continuation, token for token.
    for x in e.get("texts", []) + e.get("chats", []):
        g = subprocess.run(J + ["generate", "--model", m, "--tokens", ",".join(map(str, x["prompt_ids"])), "--max-tokens", str(x["max_new_tokens"]), "--temperature", "0", "--backend", "cuda"], capture_output=True, text=True)
        line = [l for l in g.stdout.splitlines() if l.startswith("ids:")]
        got_ids = [int(v) for v in line[0].split()[1:]] if line else None
        ok = got_ids == x["greedy_ids"]
        label = x.get("prompt_text") or x["messages"][-1]["content"]
        print(f"  {case} greedy {label!r}: {'identical' if ok else 'DIFFERENT: ' + str(got_ids)}", flush=True)
        rows.append({"check": "cuda_greedy_text", "model": case, "prompt": label, "greedy_identical": ok})
card = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True).stdout.strip()
json.dump({"card": card, "jvm_options": os.environ.get("JAVA_TOOL_OPTIONS", ""), "rows": rows},
          open(f"{out}/{os.environ.get('HF_PARITY_NAME', 'parity-hf-f32weights')}.json", "w"), indent=1)
